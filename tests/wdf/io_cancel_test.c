/*
 * io_cancel_test.c - cancel with KMDF's exact semantics and the queue engine under concurrency:
 * MarkCancelable vs MarkCancelableEx on an already-canceled request, EvtRequestCancel through
 * IoCancelIrp, Unmark racing IoCancelIrp many times (every request completed exactly once, by the
 * right side, no report), sequential / NumberOfPresentedRequests / synchronization-scope limits
 * under several threads, Stop/Start storms while I/O flows, and cancel of queued requests racing
 * their dispatch. Run under TSan as part of the concurrency suite.
 */
#include "io_testlib.h"

#include <openwdf/nt.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define THREADS 3

static struct {
    volatile LONG cancels, early_cancels, presented, concurrent, max_concurrent, completions, unmark_success, unmark_cancelled;
    WDFREQUEST saved;
    volatile LONG saved_ready;
    WDFQUEUE q;
    int mode;
    NTSTATUS st[4];
} T;

static KSPIN_LOCK slot_lock;
static WDFREQUEST slot;

static int setup(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    KeInitializeSpinLock(&slot_lock);
    slot = NULL;
    return 0;
}

static void sleep_us(long us)
{
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
}

/*
 * The driver's race-free pattern for a cancelable request it completes from elsewhere (as KMDF's
 * samples do with a lock): the request sits in a slot guarded by a lock; EvtRequestCancel takes it
 * out and completes it; the normal path takes it out and calls WdfRequestUnmarkCancelable under the
 * same lock, completing it only on STATUS_SUCCESS.
 */
static void EvtCancel(WDFREQUEST r)
{
    KIRQL irql;
    KeAcquireSpinLock(&slot_lock, &irql);
    if (slot == r)
        slot = NULL;
    KeReleaseSpinLock(&slot_lock, irql);
    __atomic_add_fetch(&T.cancels, 1, __ATOMIC_ACQ_REL);
    WdfRequestComplete(r, STATUS_CANCELLED);
}

/* The normal path: STATUS_SUCCESS if the driver completed it, STATUS_CANCELLED if EvtRequestCancel
 * does (or did), STATUS_NOT_FOUND if the slot was already empty. */
static NTSTATUS complete_from_slot(ULONG_PTR information)
{
    KIRQL irql;
    KeAcquireSpinLock(&slot_lock, &irql);
    WDFREQUEST r = slot;
    slot = NULL;
    NTSTATUS s = r != NULL ? WdfRequestUnmarkCancelable(r) : STATUS_NOT_FOUND;
    KeReleaseSpinLock(&slot_lock, irql);
    if (s == STATUS_SUCCESS)
        WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, information);
    return s;
}

static void enter(void)
{
    LONG now = __atomic_add_fetch(&T.concurrent, 1, __ATOMIC_ACQ_REL);
    LONG max = __atomic_load_n(&T.max_concurrent, __ATOMIC_ACQUIRE);
    while (now > max && !__atomic_compare_exchange_n(&T.max_concurrent, &max, now, TRUE, __ATOMIC_ACQ_REL,
                                                     __ATOMIC_ACQUIRE))
        ;
}

static void leave(void)
{
    __atomic_sub_fetch(&T.concurrent, 1, __ATOMIC_ACQ_REL);
}

enum { MODE_HOLD, MODE_CANCELABLE, MODE_INLINE, MODE_SLOW_INLINE };

static void EvtRead(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    __atomic_add_fetch(&T.presented, 1, __ATOMIC_ACQ_REL);
    switch (T.mode) {
    case MODE_HOLD:
        T.saved = r;
        __atomic_store_n(&T.saved_ready, 1, __ATOMIC_RELEASE);
        return;
    case MODE_CANCELABLE: {
        KIRQL irql;
        KeAcquireSpinLock(&slot_lock, &irql);
        NTSTATUS s = WdfRequestMarkCancelableEx(r, EvtCancel);
        if (s == STATUS_SUCCESS)
            slot = r;
        KeReleaseSpinLock(&slot_lock, irql);
        if (s == STATUS_CANCELLED) {
            /* Canceled before it could be made cancelable: the driver completes it. */
            __atomic_add_fetch(&T.early_cancels, 1, __ATOMIC_ACQ_REL);
            WdfRequestComplete(r, STATUS_CANCELLED);
        }
        T.saved = r;
        __atomic_store_n(&T.saved_ready, 1, __ATOMIC_RELEASE);
        return;
    }
    case MODE_SLOW_INLINE:
        enter();
        sleep_us(200);
        leave();
        WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
        return;
    default:
        enter();
        leave();
        WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
        return;
    }
}

static void q_parallel(WDFDEVICE d)
{
    T.q = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtRead, NULL, NULL);
}

static void wait_saved(void)
{
    io_tl_wait_flag(&T.saved_ready);
    __atomic_store_n(&T.saved_ready, 0, __ATOMIC_RELEASE);
}

/* ---- semantics -------------------------------------------------------------------------------------- */

static void test_mark_cancelable_ex_on_canceled_request(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    T.mode = MODE_HOLD;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    wait_saved();
    /* Canceled while not cancelable: nothing happens yet, but the request is canceled. */
    assert_int_equal(owdf_user_cancel(io_tl_handle, NULL), STATUS_SUCCESS);
    assert_true(io_tl_pending(&a));
    assert_true(WdfRequestIsCanceled(T.saved));
    /* MarkCancelableEx: STATUS_CANCELLED, and EvtRequestCancel is not called: the driver completes. */
    assert_int_equal(WdfRequestMarkCancelableEx(T.saved, EvtCancel), STATUS_CANCELLED);
    assert_int_equal(T.cancels, 0);
    WdfRequestComplete(T.saved, STATUS_CANCELLED);
    assert_int_equal(io_tl_wait(&a), STATUS_CANCELLED);
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

static void test_mark_cancelable_on_canceled_request_calls_routine(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    T.mode = MODE_HOLD;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    wait_saved();
    assert_int_equal(owdf_user_cancel(io_tl_handle, NULL), STATUS_SUCCESS);
    /* MarkCancelable (not Ex): EvtRequestCancel is called at once, and it completes the request. */
    WdfRequestMarkCancelable(T.saved, EvtCancel);
    assert_int_equal(T.cancels, 1);
    assert_int_equal(io_tl_wait(&a), STATUS_CANCELLED);
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

static void test_cancel_cancelable_request(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    T.mode = MODE_CANCELABLE;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    wait_saved();
    assert_int_equal(owdf_user_cancel(io_tl_handle, NULL), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a), STATUS_CANCELLED);
    assert_int_equal(T.cancels, 1);
    /* A cancelable request completed normally after Unmark: STATUS_SUCCESS, no cancel routine. */
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    wait_saved();
    assert_int_equal(complete_from_slot(4), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    assert_int_equal(T.cancels, 1);
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

/* ---- Unmark racing IoCancelIrp ---------------------------------------------------------------------- */

static volatile LONG race_go, race_stop;

static void *race_canceller(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
        if (__atomic_exchange_n(&race_go, 0, __ATOMIC_ACQ_REL)) {
            (void)owdf_user_cancel(io_tl_handle, NULL);
        } else {
            sched_yield();
        }
    }
    return NULL;
}

static void test_unmark_races_cancel(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    T.mode = MODE_CANCELABLE;
    race_stop = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, race_canceller, NULL), 0);
    int cancelled = 0, succeeded = 0;
    for (int i = 0; i < 1500; i++) {
        io_tl_async a;
        char b[4];
        /* A cancel left over from the previous round may hit this request before it is cancelable:
         * then the driver completes it at once (MarkCancelableEx said STATUS_CANCELLED). */
        NTSTATUS started = io_tl_read_async(&a, b, 4);
        assert_true(started == STATUS_PENDING || started == STATUS_CANCELLED);
        wait_saved();
        __atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
        if ((i & 3) != 0)
            sleep_us(i % 7);
        NTSTATUS s = complete_from_slot(4);
        if (s == STATUS_SUCCESS)
            __atomic_add_fetch(&T.unmark_success, 1, __ATOMIC_ACQ_REL);
        else if (s == STATUS_CANCELLED)
            __atomic_add_fetch(&T.unmark_cancelled, 1, __ATOMIC_ACQ_REL);
        NTSTATUS final = io_tl_wait(&a);
        if (final == STATUS_CANCELLED) {
            cancelled++;
        } else {
            assert_int_equal(final, STATUS_SUCCESS);
            succeeded++;
        }
        __atomic_store_n(&race_go, 0, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    assert_int_equal(cancelled + succeeded, 1500);
    assert_int_equal(T.unmark_success, succeeded);
    assert_int_equal(T.cancels + T.early_cancels, cancelled);
    assert_true(T.unmark_cancelled <= T.cancels); /* the others found the slot already empty */
    assert_int_equal(tl_total_reports(), 0);
    fprintf(stderr, "unmark/cancel race: %d completed by the driver, %d by EvtRequestCancel\n", succeeded,
            cancelled);
    io_tl_down();
}

/* ---- limits under concurrency ------------------------------------------------------------------------ */

static void *reader(void *arg)
{
    int n = *(int *)arg;
    char b[8];
    for (int i = 0; i < n; i++) {
        ULONG got = 0;
        assert_int_equal(io_tl_read(b, 8, &got), STATUS_SUCCESS);
        assert_int_equal(got, 8);
        __atomic_add_fetch(&T.completions, 1, __ATOMIC_ACQ_REL);
    }
    return NULL;
}

static void run_readers(int per_thread)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &per_thread), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(T.completions, THREADS * per_thread);
}

static void q_sequential(WDFDEVICE d)
{
    T.q = io_tl_queue(d, WdfIoQueueDispatchSequential, TRUE, NULL, EvtRead, NULL, NULL);
}

static void test_sequential_under_concurrency(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_sequential};
    io_tl_up(&cfg);
    T.mode = MODE_SLOW_INLINE;
    run_readers(60);
    assert_int_equal(T.max_concurrent, 1);
    io_tl_down();
}

static void q_parallel_two(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.Settings.Parallel.NumberOfPresentedRequests = 2;
    c.EvtIoRead = EvtRead;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q), STATUS_SUCCESS);
}

static void test_parallel_limit_under_concurrency(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel_two};
    io_tl_up(&cfg);
    T.mode = MODE_SLOW_INLINE;
    run_readers(60);
    assert_true(T.max_concurrent <= 2);
    io_tl_down();
}

static void q_queue_scope(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtRead;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.SynchronizationScope = WdfSynchronizationScopeQueue;
    a.ExecutionLevel = WdfExecutionLevelPassive;
    assert_int_equal(WdfIoQueueCreate(d, &c, &a, &T.q), STATUS_SUCCESS);
}

static void test_queue_synchronization_scope(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_queue_scope};
    io_tl_up(&cfg);
    T.mode = MODE_SLOW_INLINE;
    run_readers(60);
    assert_int_equal(T.max_concurrent, 1); /* a parallel queue, serialized by its callback lock */
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

/* ---- state changes while I/O flows ------------------------------------------------------------------- */

static volatile LONG storm_stop;

static void *stop_start_storm(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&storm_stop, __ATOMIC_ACQUIRE)) {
        WdfIoQueueStop(T.q, NULL, NULL);
        sleep_us(50);
        WdfIoQueueStart(T.q);
        sleep_us(50);
    }
    return NULL;
}

static void test_stop_start_storm_with_io(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    T.mode = MODE_INLINE;
    storm_stop = 0;
    pthread_t s;
    assert_int_equal(pthread_create(&s, NULL, stop_start_storm, NULL), 0);
    run_readers(400);
    __atomic_store_n(&storm_stop, 1, __ATOMIC_RELEASE);
    pthread_join(s, NULL);
    WdfIoQueueStart(T.q);
    ULONG queued, driver;
    WdfIoQueueGetState(T.q, &queued, &driver);
    assert_int_equal(queued, 0);
    assert_int_equal(driver, 0);
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

static void *canceller_loop(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&storm_stop, __ATOMIC_ACQUIRE)) {
        (void)owdf_user_cancel(io_tl_handle, NULL);
        sched_yield();
    }
    return NULL;
}

static void test_cancel_of_queued_requests_races_dispatch(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    T.mode = MODE_INLINE;
    storm_stop = 0;
    pthread_t c, s;
    assert_int_equal(pthread_create(&c, NULL, canceller_loop, NULL), 0);
    assert_int_equal(pthread_create(&s, NULL, stop_start_storm, NULL), 0);
    int cancelled = 0, succeeded = 0;
    for (int i = 0; i < 600; i++) {
        io_tl_async a;
        char b[4];
        NTSTATUS st = io_tl_read_async(&a, b, 4);
        assert_true(st == STATUS_PENDING || st == STATUS_SUCCESS || st == STATUS_CANCELLED);
        NTSTATUS final = io_tl_wait(&a);
        if (final == STATUS_CANCELLED) {
            cancelled++;
        } else {
            assert_int_equal(final, STATUS_SUCCESS);
            succeeded++;
        }
    }
    __atomic_store_n(&storm_stop, 1, __ATOMIC_RELEASE);
    pthread_join(c, NULL);
    pthread_join(s, NULL);
    WdfIoQueueStart(T.q);
    assert_int_equal(cancelled + succeeded, 600);
    assert_int_equal(tl_total_reports(), 0);
    fprintf(stderr, "cancel-on-queue race: %d presented, %d canceled in the queue\n", succeeded, cancelled);
    io_tl_down();
}

static void *purger(void *arg)
{
    (void)arg;
    io_tl_wait_flag(&T.saved_ready);
    WdfIoQueuePurgeSynchronously(T.q);
    return NULL;
}

static void test_purge_cancels_driver_cancelable_racing_completion(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel};
    io_tl_up(&cfg);
    for (int i = 0; i < 200; i++) {
        T.mode = MODE_CANCELABLE;
        io_tl_async a;
        char b[4];
        assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
        pthread_t p;
        assert_int_equal(pthread_create(&p, NULL, purger, NULL), 0);
        io_tl_wait_flag(&T.saved_ready);
        sleep_us(i % 5);
        (void)complete_from_slot(0);
        pthread_join(p, NULL);
        __atomic_store_n(&T.saved_ready, 0, __ATOMIC_RELEASE);
        NTSTATUS final = io_tl_wait(&a);
        assert_true(final == STATUS_SUCCESS || final == STATUS_CANCELLED);
        WdfIoQueueStart(T.q);
    }
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mark_cancelable_ex_on_canceled_request, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_mark_cancelable_on_canceled_request_calls_routine, setup,
                                        io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_cancel_cancelable_request, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_unmark_races_cancel, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_sequential_under_concurrency, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_parallel_limit_under_concurrency, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_queue_synchronization_scope, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_stop_start_storm_with_io, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_cancel_of_queued_requests_races_dispatch, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_purge_cancels_driver_cancelable_racing_completion, setup,
                                        io_tl_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
