/* KeWaitForMultipleObjects (WaitAny, WaitAll with atomic satisfaction, caller wait block arrays
 * up to MAXIMUM_WAIT_OBJECTS), parameter rules, IRQL rules, and KeDelayExecutionThread. */
#include "ke_test.h"

#include <sched.h>

static NTSTATUS wait_many(ULONG n, PVOID *objs, WAIT_TYPE type, LONGLONG ms, PKWAIT_BLOCK blocks)
{
    LARGE_INTEGER t = kt_relative_ms(ms);
    return KeWaitForMultipleObjects(n, objs, type, Executive, KernelMode, FALSE, ms < 0 ? NULL : &t, blocks);
}

static void wait_any_returns_index(void **state)
{
    (void)state;
    KEVENT e[3];
    for (int i = 0; i < 3; i++)
        KeInitializeEvent(&e[i], SynchronizationEvent, FALSE);
    PVOID objs[3] = {&e[0], &e[1], &e[2]};
    assert_int_equal(wait_many(3, objs, WaitAny, 0, NULL), STATUS_TIMEOUT);
    KeSetEvent(&e[1], 0, FALSE);
    KeSetEvent(&e[2], 0, FALSE);
    assert_int_equal(wait_many(3, objs, WaitAny, 0, NULL), STATUS_WAIT_0 + 1); /* lowest index first */
    assert_int_equal(KeReadStateEvent(&e[1]), 0);
    assert_int_equal(KeReadStateEvent(&e[2]), 1); /* only the satisfying object is consumed */
    assert_int_equal(wait_many(3, objs, WaitAny, -1, NULL), STATUS_WAIT_0 + 2);
    kt_assert_no_reports();
}

static void wait_all_is_atomic(void **state)
{
    (void)state;
    KEVENT a, b;
    KSEMAPHORE s;
    KeInitializeEvent(&a, SynchronizationEvent, TRUE);
    KeInitializeEvent(&b, SynchronizationEvent, FALSE);
    KeInitializeSemaphore(&s, 1, 10);
    PVOID objs[3] = {&a, &b, &s};
    assert_int_equal(wait_many(3, objs, WaitAll, 0, NULL), STATUS_TIMEOUT);
    assert_int_equal(KeReadStateEvent(&a), 1); /* nothing consumed while not all are signaled */
    assert_int_equal(KeReadStateSemaphore(&s), 1);
    assert_int_equal(wait_many(3, objs, WaitAll, 20, NULL), STATUS_TIMEOUT);
    assert_int_equal(KeReadStateEvent(&a), 1);
    KeSetEvent(&b, 0, FALSE);
    assert_int_equal(wait_many(3, objs, WaitAll, 0, NULL), STATUS_WAIT_0);
    assert_int_equal(KeReadStateEvent(&a), 0);
    assert_int_equal(KeReadStateEvent(&b), 0);
    assert_int_equal(KeReadStateSemaphore(&s), 0);
    kt_assert_no_reports();
}

struct waiter {
    ULONG count;
    PVOID *objects;
    WAIT_TYPE type;
    PKWAIT_BLOCK blocks;
    NTSTATUS status;
    volatile LONG done;
};

static void *waiter_thread(void *arg)
{
    struct waiter *w = arg;
    w->status = KeWaitForMultipleObjects(w->count, w->objects, w->type, Executive, KernelMode, FALSE, NULL,
                                         w->blocks);
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void blocked_wait_all_is_satisfied_by_last_signal(void **state)
{
    (void)state;
    KEVENT a, b;
    KeInitializeEvent(&a, SynchronizationEvent, FALSE);
    KeInitializeEvent(&b, SynchronizationEvent, FALSE);
    PVOID objs[2] = {&a, &b};
    struct waiter w = {.count = 2, .objects = objs, .type = WaitAll};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, waiter_thread, &w), 0);
    kt_sleep_ms(20);
    KeSetEvent(&a, 0, FALSE);
    kt_sleep_ms(20);
    assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_SEQ_CST), 0);
    assert_int_equal(KeReadStateEvent(&a), 1); /* signaled, but not taken by a partial WaitAll */
    /* A WaitAny competitor can still take it meanwhile. */
    assert_int_equal(kt_wait_ms(&a, 0), STATUS_WAIT_0);
    KeSetEvent(&b, 0, FALSE);
    kt_sleep_ms(20);
    assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_SEQ_CST), 0);
    assert_int_equal(KeReadStateEvent(&b), 1);
    KeSetEvent(&a, 0, FALSE); /* now both: the waiter takes both at once */
    pthread_join(th, NULL);
    assert_int_equal(w.status, STATUS_WAIT_0);
    assert_int_equal(KeReadStateEvent(&a), 0);
    assert_int_equal(KeReadStateEvent(&b), 0);
    kt_assert_no_reports();
}

static void blocked_wait_any_on_mixed_objects(void **state)
{
    (void)state;
    KEVENT e;
    KMUTEX m;
    KSEMAPHORE s;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeInitializeMutex(&m, 0);
    KeInitializeSemaphore(&s, 0, 5);
    KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL); /* owned here: not for the waiter */
    PVOID objs[3] = {&e, &m, &s};
    struct waiter w = {.count = 3, .objects = objs, .type = WaitAny};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, waiter_thread, &w), 0);
    kt_sleep_ms(20);
    KeReleaseSemaphore(&s, 0, 1, FALSE);
    pthread_join(th, NULL);
    assert_int_equal(w.status, STATUS_WAIT_0 + 2);
    assert_int_equal(KeReadStateSemaphore(&s), 0);
    KeReleaseMutex(&m, FALSE);
    kt_assert_no_reports();
}

static void wait_block_array_up_to_maximum(void **state)
{
    (void)state;
    static KEVENT e[MAXIMUM_WAIT_OBJECTS];
    static KWAIT_BLOCK blocks[MAXIMUM_WAIT_OBJECTS];
    PVOID objs[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        KeInitializeEvent(&e[i], NotificationEvent, FALSE);
        objs[i] = &e[i];
    }
    /* Above THREAD_WAIT_OBJECTS the caller's array is required. */
    assert_int_equal(wait_many(THREAD_WAIT_OBJECTS + 1, objs, WaitAny, 0, NULL), STATUS_INVALID_PARAMETER);
    kt_assert_reports("WAIT_INVALID_PARAMETER", 1);
    assert_int_equal(wait_many(THREAD_WAIT_OBJECTS, objs, WaitAny, 0, NULL), STATUS_TIMEOUT);

    struct waiter w = {.count = MAXIMUM_WAIT_OBJECTS, .objects = objs, .type = WaitAny, .blocks = blocks};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, waiter_thread, &w), 0);
    kt_sleep_ms(20);
    KeSetEvent(&e[MAXIMUM_WAIT_OBJECTS - 1], 0, FALSE);
    pthread_join(th, NULL);
    assert_int_equal(w.status, STATUS_WAIT_0 + MAXIMUM_WAIT_OBJECTS - 1);

    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS - 1; i++)
        KeSetEvent(&e[i], 0, FALSE);
    assert_int_equal(wait_many(MAXIMUM_WAIT_OBJECTS, objs, WaitAll, 1000, blocks), STATUS_WAIT_0);
    kt_assert_reports(NULL, 1);
}

static void invalid_parameters_are_reported(void **state)
{
    (void)state;
    KEVENT e, zero;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    memset(&zero, 0, sizeof zero);
    KWAIT_BLOCK blocks[MAXIMUM_WAIT_OBJECTS + 1];
    PVOID objs[MAXIMUM_WAIT_OBJECTS + 1];
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
        objs[i] = &e;
    assert_int_equal(wait_many(0, objs, WaitAny, 0, blocks), STATUS_INVALID_PARAMETER);
    assert_int_equal(wait_many(MAXIMUM_WAIT_OBJECTS + 1, objs, WaitAny, 0, blocks), STATUS_INVALID_PARAMETER);
    assert_int_equal(wait_many(1, objs, (WAIT_TYPE)7, 0, blocks), STATUS_INVALID_PARAMETER);
    assert_int_equal(wait_many(2, objs, WaitAll, 0, blocks),
                     STATUS_INVALID_PARAMETER); /* same object twice */
    assert_non_null(strstr(kt_last_message("WAIT_INVALID_PARAMETER"), "appears twice"));
    assert_int_equal(wait_many(2, objs, WaitAny, 0, blocks), STATUS_WAIT_0); /* fine for WaitAny */
    PVOID bad[2] = {&e, NULL};
    assert_int_equal(wait_many(2, bad, WaitAny, 0, NULL), STATUS_INVALID_PARAMETER);
    bad[1] = &zero;
    assert_int_equal(wait_many(2, bad, WaitAny, 0, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(kt_wait_ms(&zero, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(KeWaitForSingleObject(NULL, Executive, KernelMode, FALSE, NULL),
                     STATUS_INVALID_PARAMETER);
    FAST_MUTEX fm; /* not a dispatcher object */
    ExInitializeFastMutex(&fm);
    assert_int_equal(kt_wait_ms(&fm, 0), STATUS_INVALID_PARAMETER);
    kt_assert_reports("WAIT_INVALID_PARAMETER", 9);
    kt_assert_reports(NULL, 9);
}

static void irql_rules_of_waits(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    kt_assert_no_reports();
    KeLowerIrql(old);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_WAIT_0); /* a poll is allowed at DISPATCH_LEVEL */
    kt_assert_no_reports();
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    kt_assert_reports("BLOCKING_CALL_AT_DISPATCH", 1); /* even though it would not have blocked */
    PVOID objs[1] = {&e};
    assert_int_equal(wait_many(1, objs, WaitAny, 10, NULL), STATUS_WAIT_0);
    kt_assert_reports("BLOCKING_CALL_AT_DISPATCH", 2);
    assert_non_null(strstr(kt_last_message("BLOCKING_CALL_AT_DISPATCH"), "KeWaitForMultipleObjects"));
    KeRaiseIrql(HIGH_LEVEL, &old);
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_WAIT_0);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
    KeLowerIrql(PASSIVE_LEVEL);
}

static void delay_execution(void **state)
{
    (void)state;
    LARGE_INTEGER t = kt_relative_ms(15);
    double t0 = kt_now_ms();
    assert_int_equal(KeDelayExecutionThread(KernelMode, FALSE, &t), STATUS_SUCCESS);
    assert_true(kt_now_ms() - t0 >= 14.9);
    t.QuadPart = 0;
    assert_int_equal(KeDelayExecutionThread(KernelMode, FALSE, &t), STATUS_SUCCESS);
    KeQuerySystemTime(&t);
    t.QuadPart += 10 * 10000; /* absolute */
    t0 = kt_now_ms();
    assert_int_equal(KeDelayExecutionThread(KernelMode, FALSE, &t), STATUS_SUCCESS);
    assert_true(kt_now_ms() - t0 >= 5);
    kt_assert_no_reports();
    assert_int_equal(KeDelayExecutionThread(KernelMode, FALSE, NULL), STATUS_INVALID_PARAMETER);
    kt_assert_reports("WAIT_INVALID_PARAMETER", 1);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    t = kt_relative_ms(1);
    KeDelayExecutionThread(KernelMode, FALSE, &t);
    KeLowerIrql(old);
    kt_assert_reports("BLOCKING_CALL_AT_DISPATCH", 1);
}

/* Many threads waiting on overlapping sets while others signal: every wait completes with a
 * valid status and nothing is lost (the counts balance). */
#define STRESS_THREADS 4
#define STRESS_ROUNDS 3000

static KSEMAPHORE pool_a, pool_b;
static volatile LONG taken;

static void *stress_taker(void *arg)
{
    long id = (long)(intptr_t)arg;
    PVOID objs[2] = {&pool_a, &pool_b};
    KWAIT_BLOCK blocks[2];
    for (int i = 0; i < STRESS_ROUNDS; i++) {
        NTSTATUS st;
        if ((i + id) % 2 == 0) {
            st = KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, NULL, blocks);
            if (st != STATUS_WAIT_0 && st != STATUS_WAIT_0 + 1)
                abort();
            __atomic_add_fetch(&taken, 1, __ATOMIC_SEQ_CST);
        } else {
            st = KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
            if (st != STATUS_WAIT_0)
                abort();
            __atomic_add_fetch(&taken, 2, __ATOMIC_SEQ_CST);
        }
    }
    return NULL;
}

static volatile LONG takers_done;
static volatile LONG given;

static void *stress_giver(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&takers_done, __ATOMIC_SEQ_CST) < STRESS_THREADS) {
        LONG a = KeReleaseSemaphore(&pool_a, 0, 1, FALSE);
        LONG b = KeReleaseSemaphore(&pool_b, 0, 1, FALSE);
        __atomic_add_fetch(&given, 2, __ATOMIC_SEQ_CST);
        if (a > 64 || b > 64)
            sched_yield();
    }
    return NULL;
}

static void stress_overlapping_waits(void **state)
{
    (void)state;
    KeInitializeSemaphore(&pool_a, 0, MAXLONG);
    KeInitializeSemaphore(&pool_b, 0, MAXLONG);
    taken = given = takers_done = 0;
    pthread_t takers[STRESS_THREADS], giver;
    for (long i = 0; i < STRESS_THREADS; i++)
        assert_int_equal(pthread_create(&takers[i], NULL, stress_taker, (void *)(intptr_t)i), 0);
    assert_int_equal(pthread_create(&giver, NULL, stress_giver, NULL), 0);
    for (int i = 0; i < STRESS_THREADS; i++) {
        pthread_join(takers[i], NULL);
        __atomic_add_fetch(&takers_done, 1, __ATOMIC_SEQ_CST);
    }
    pthread_join(giver, NULL);
    assert_int_equal(taken, STRESS_THREADS * STRESS_ROUNDS * 3 / 2);
    assert_int_equal(taken + KeReadStateSemaphore(&pool_a) + KeReadStateSemaphore(&pool_b), given);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(wait_any_returns_index, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(wait_all_is_atomic, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(blocked_wait_all_is_satisfied_by_last_signal, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(blocked_wait_any_on_mixed_objects, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(wait_block_array_up_to_maximum, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(invalid_parameters_are_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(irql_rules_of_waits, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(delay_execution, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(stress_overlapping_waits, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_wait", tests, NULL, NULL);
}
