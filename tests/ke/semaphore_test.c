/* KSEMAPHORE: counting, the limit rule, and releases that wake exactly as many waiters. */
#include "ke_test.h"

static void count_and_limit(void **state)
{
    (void)state;
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 1, 3);
    assert_int_equal(KeReadStateSemaphore(&s), 1);
    assert_int_equal(kt_wait_ms(&s, 0), STATUS_WAIT_0);
    assert_int_equal(KeReadStateSemaphore(&s), 0);
    assert_int_equal(kt_wait_ms(&s, 0), STATUS_TIMEOUT);
    assert_int_equal(KeReleaseSemaphore(&s, SEMAPHORE_INCREMENT, 2, FALSE), 0);
    assert_int_equal(KeReleaseSemaphore(&s, SEMAPHORE_INCREMENT, 1, FALSE), 2);
    assert_int_equal(KeReadStateSemaphore(&s), 3);
    kt_assert_no_reports();
    assert_int_equal(KeReleaseSemaphore(&s, SEMAPHORE_INCREMENT, 1, FALSE), 3);
    kt_assert_reports("SEMAPHORE_LIMIT_EXCEEDED", 1);
    assert_non_null(strstr(kt_last_message("SEMAPHORE_LIMIT_EXCEEDED"), "count 3, limit 3"));
    assert_int_equal(KeReadStateSemaphore(&s), 3); /* unchanged */
    for (int i = 0; i < 3; i++)
        assert_int_equal(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_int_equal(kt_wait_ms(&s, 0), STATUS_TIMEOUT);
}

static void bad_adjustments_are_reported(void **state)
{
    (void)state;
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 0, MAXLONG);
    KeReleaseSemaphore(&s, 0, 0, FALSE);
    KeReleaseSemaphore(&s, 0, -1, FALSE);
    kt_assert_reports("SEMAPHORE_LIMIT_EXCEEDED", 2);
    assert_int_equal(KeReleaseSemaphore(&s, 0, MAXLONG, FALSE), 0);
    assert_int_equal(KeReleaseSemaphore(&s, 0, MAXLONG, FALSE), MAXLONG); /* would overflow */
    kt_assert_reports("SEMAPHORE_LIMIT_EXCEEDED", 3);
    assert_int_equal(KeReadStateSemaphore(&s), MAXLONG);
    KSEMAPHORE z;
    memset(&z, 0, sizeof z);
    KeReleaseSemaphore(&z, 0, 1, FALSE);
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 1);
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeReleaseSemaphore(&s, 0, 1, FALSE);
    KeLowerIrql(old);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
}

#define WAITERS 5

struct waiter {
    PRKSEMAPHORE sem;
    volatile LONG *done;
};

static void *waiter_thread(void *arg)
{
    struct waiter *w = arg;
    if (KeWaitForSingleObject(w->sem, Executive, KernelMode, FALSE, NULL) == STATUS_WAIT_0)
        __atomic_add_fetch(w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static LONG settle(volatile LONG *done, LONG want)
{
    double end = kt_now_ms() + 5000;
    while (__atomic_load_n(done, __ATOMIC_SEQ_CST) < want && kt_now_ms() < end)
        kt_sleep_ms(1);
    kt_sleep_ms(30);
    return __atomic_load_n(done, __ATOMIC_SEQ_CST);
}

static void release_wakes_that_many(void **state)
{
    (void)state;
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 0, 100);
    volatile LONG done = 0;
    struct waiter w = {&s, &done};
    pthread_t th[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, waiter_thread, &w), 0);
    kt_sleep_ms(30);
    assert_int_equal(done, 0);
    assert_int_equal(KeReleaseSemaphore(&s, 0, 2, FALSE), 0);
    assert_int_equal(settle(&done, 2), 2);
    assert_int_equal(KeReadStateSemaphore(&s), 0); /* both units went to waiters */
    assert_int_equal(KeReleaseSemaphore(&s, 0, 5, FALSE), 0);
    assert_int_equal(settle(&done, WAITERS), WAITERS);
    assert_int_equal(KeReadStateSemaphore(&s), 2); /* three waiters left, two units stay */
    for (int i = 0; i < WAITERS; i++)
        pthread_join(th[i], NULL);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(count_and_limit, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(bad_adjustments_are_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(release_wakes_that_many, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_semaphore", tests, NULL, NULL);
}
