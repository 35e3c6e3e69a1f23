/* KEVENT: notification and synchronization semantics, waking exactly the satisfied waiters,
 * pulse, uninitialized events, IRQL rules, and events on a waiter's stack set from another thread. */
#include "ke_test.h"

#include <sched.h>

static void notification_event_states(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    assert_int_equal(KeReadStateEvent(&e), 0);
    assert_int_equal(KeSetEvent(&e, IO_NO_INCREMENT, FALSE), 0);
    assert_int_equal(KeReadStateEvent(&e), 1);
    assert_int_equal(KeSetEvent(&e, IO_NO_INCREMENT, FALSE), 1);
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_WAIT_0);
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_int_equal(KeReadStateEvent(&e), 1); /* a notification event stays signaled */
    assert_int_equal(KeResetEvent(&e), 1);
    assert_int_equal(KeResetEvent(&e), 0);
    KeSetEvent(&e, 0, FALSE);
    KeClearEvent(&e);
    assert_int_equal(KeReadStateEvent(&e), 0);
    KEVENT s;
    KeInitializeEvent(&s, NotificationEvent, TRUE);
    assert_int_equal(KeReadStateEvent(&s), 1);
    kt_assert_no_reports();
}

static void synchronization_event_auto_resets(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, SynchronizationEvent, TRUE);
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_WAIT_0);
    assert_int_equal(KeReadStateEvent(&e), 0);
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_TIMEOUT);
    KeSetEvent(&e, 0, FALSE);
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_int_equal(KeReadStateEvent(&e), 0);
    kt_assert_no_reports();
}

static void timeouts(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    double t0 = kt_now_ms();
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_TIMEOUT);
    assert_true(kt_now_ms() - t0 < 50);
    t0 = kt_now_ms();
    assert_int_equal(kt_wait_ms(&e, 30), STATUS_TIMEOUT);
    double waited = kt_now_ms() - t0;
    assert_true(waited >= 29.9);
    assert_true(waited < 1000);
    /* Absolute: system time 30 ms from now. */
    LARGE_INTEGER when;
    KeQuerySystemTime(&when);
    when.QuadPart += 30 * 10000;
    t0 = kt_now_ms();
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &when), STATUS_TIMEOUT);
    waited = kt_now_ms() - t0;
    assert_true(waited >= 25);
    assert_true(waited < 1000);
    /* Absolute in the past: an immediate timeout. */
    when.QuadPart -= 10 * 1000 * 10000LL;
    t0 = kt_now_ms();
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &when), STATUS_TIMEOUT);
    assert_true(kt_now_ms() - t0 < 50);
    kt_assert_no_reports();
}

struct waiter {
    PVOID object;
    LONGLONG timeout_ms; /* < 0: forever */
    NTSTATUS status;
    volatile LONG done;
};

static void *waiter_thread(void *arg)
{
    struct waiter *w = arg;
    if (w->timeout_ms < 0)
        w->status = KeWaitForSingleObject(w->object, Executive, KernelMode, FALSE, NULL);
    else
        w->status = kt_wait_ms(w->object, w->timeout_ms);
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static LONG count_done(struct waiter *w, int n)
{
    LONG c = 0;
    for (int i = 0; i < n; i++)
        c += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
    return c;
}

/* Waits until `want` waiters finished, then a little longer to see no more do. */
static LONG settle(struct waiter *w, int n, LONG want)
{
    double end = kt_now_ms() + 5000;
    while (count_done(w, n) < want && kt_now_ms() < end)
        kt_sleep_ms(1);
    kt_sleep_ms(30);
    return count_done(w, n);
}

#define WAITERS 4

static void notification_event_wakes_all(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    struct waiter w[WAITERS] = {0};
    pthread_t th[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
        w[i].object = &e;
        w[i].timeout_ms = -1;
        assert_int_equal(pthread_create(&th[i], NULL, waiter_thread, &w[i]), 0);
    }
    kt_sleep_ms(30);
    assert_int_equal(count_done(w, WAITERS), 0);
    KeSetEvent(&e, 0, FALSE);
    for (int i = 0; i < WAITERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].status, STATUS_WAIT_0);
    }
    assert_int_equal(KeReadStateEvent(&e), 1);
    kt_assert_no_reports();
}

static void synchronization_event_wakes_one_per_set(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    struct waiter w[WAITERS] = {0};
    pthread_t th[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
        w[i].object = &e;
        w[i].timeout_ms = -1;
        assert_int_equal(pthread_create(&th[i], NULL, waiter_thread, &w[i]), 0);
    }
    kt_sleep_ms(30);
    for (LONG n = 1; n <= WAITERS; n++) {
        assert_int_equal(KeSetEvent(&e, 0, FALSE), 0);
        assert_int_equal(settle(w, WAITERS, n), n);
        assert_int_equal(KeReadStateEvent(&e), 0); /* consumed by the waiter it released */
    }
    for (int i = 0; i < WAITERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].status, STATUS_WAIT_0);
    }
    kt_assert_no_reports();
}

static void pulse_releases_waiters_and_resets(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    struct waiter w[2] = {{.object = &e, .timeout_ms = -1}, {.object = &e, .timeout_ms = -1}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, waiter_thread, &w[i]), 0);
    kt_sleep_ms(30);
    assert_int_equal(KePulseEvent(&e, 0, FALSE), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].status, STATUS_WAIT_0);
    }
    assert_int_equal(KeReadStateEvent(&e), 0);
    /* A pulse with no waiter leaves nothing behind. */
    assert_int_equal(KePulseEvent(&e, 0, FALSE), 0);
    assert_int_equal(kt_wait_ms(&e, 0), STATUS_TIMEOUT);
    kt_assert_no_reports();
}

static void wait_timeout_then_set(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    struct waiter w = {.object = &e, .timeout_ms = 20};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, waiter_thread, &w), 0);
    pthread_join(th, NULL);
    assert_int_equal(w.status, STATUS_TIMEOUT);
    /* The timed-out waiter left the wait list: a set stays in the event. */
    KeSetEvent(&e, 0, FALSE);
    assert_int_equal(KeReadStateEvent(&e), 1);
}

static void uninitialized_event_is_reported(void **state)
{
    (void)state;
    KEVENT e;
    memset(&e, 0, sizeof e);
    assert_int_equal(KeSetEvent(&e, 0, FALSE), 0);
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 1);
    assert_non_null(strstr(kt_last_message("KE_OBJECT_NOT_INITIALIZED"), "KeSetEvent: KEVENT"));
    KeResetEvent(&e);
    KeReadStateEvent(&e);
    KeClearEvent(&e);
    KePulseEvent(&e, 0, FALSE);
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 5);
    /* A semaphore is not an event. */
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 0, 1);
    KeSetEvent((PRKEVENT)&s, 0, FALSE);
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 6);
    assert_int_equal(KeReadStateSemaphore(&s), 0);
}

static void set_event_above_dispatch_is_reported(void **state)
{
    (void)state;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetEvent(&e, 0, FALSE); /* fine at DISPATCH_LEVEL */
    KeResetEvent(&e);
    kt_assert_no_reports();
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeSetEvent(&e, 0, FALSE);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
    assert_non_null(strstr(kt_last_message("DDI_ABOVE_MAX_IRQL"), "KeSetEvent called at IRQL 15"));
    assert_int_equal(KeReadStateEvent(&e), 1); /* the call still happened */
    KeLowerIrql(PASSIVE_LEVEL);
}

/* The classic driver pattern: an event on the stack, set by a completion on another thread, then
 * the waiter returns and its stack is reused. ASan catches any access by the setter afterwards. */
#define STACK_ROUNDS 2000

struct stack_job {
    PRKEVENT volatile event; /* atomics */
    volatile LONG quit;
};

static void *stack_setter(void *arg)
{
    struct stack_job *job = arg;
    for (;;) {
        PRKEVENT e;
        while ((e = __atomic_exchange_n(&job->event, NULL, __ATOMIC_SEQ_CST)) == NULL) {
            if (__atomic_load_n(&job->quit, __ATOMIC_SEQ_CST))
                return NULL;
            sched_yield();
        }
        KeSetEvent(e, IO_NO_INCREMENT, FALSE);
    }
}

static void __attribute__((noinline)) one_stack_round(struct stack_job *job, int i)
{
    KEVENT e;
    KeInitializeEvent(&e, (i & 1) ? SynchronizationEvent : NotificationEvent, FALSE);
    __atomic_store_n(&job->event, &e, __ATOMIC_SEQ_CST);
    if (i & 2) {
        while (KeReadStateEvent(&e) == 0) /* let the setter finish first: the lock-free path */
            sched_yield();
    }
    assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
}

static void __attribute__((noinline)) scribble_stack(void)
{
    volatile char junk[512];
    memset((char *)junk, 0xa5, sizeof junk);
}

static void stack_event_set_by_other_thread(void **state)
{
    (void)state;
    struct stack_job job = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, stack_setter, &job), 0);
    for (int i = 0; i < STACK_ROUNDS; i++) {
        one_stack_round(&job, i);
        scribble_stack();
    }
    __atomic_store_n(&job.quit, 1, __ATOMIC_SEQ_CST);
    pthread_join(th, NULL);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(notification_event_states, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(synchronization_event_auto_resets, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(timeouts, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(notification_event_wakes_all, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(synchronization_event_wakes_one_per_set, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(pulse_releases_waiters_and_resets, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(wait_timeout_then_set, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(uninitialized_event_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(set_event_above_dispatch_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(stack_event_set_by_other_thread, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_event", tests, NULL, NULL);
}
