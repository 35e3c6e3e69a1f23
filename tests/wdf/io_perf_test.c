/*
 * io_perf_test.c - the I/O path's cost contract (docs/wdf-io.md): IRP -> dispatch -> queue ->
 * EvtIoRead -> WdfRequestCompleteWithInformation -> IoCompleteRequest makes no pool allocation in
 * steady state (request objects come from the device's cache; the device uses neither I/O so the
 * I/O manager's own buffered-I/O copy is out of the count), presents on the caller's thread,
 * and holds no lock across the driver's callback (at PASSIVE_LEVEL the callback runs at PASSIVE_LEVEL
 * with no spin lock held). Prints the per-request time for information; asserts no timing.
 */
#include "io_testlib.h"

#include <openwdf/nt.h>
#include <openwdf/pool.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fx_object.h"

static struct {
    volatile LONG reads, bad_irql, locks_held, wrong_thread;
    pthread_t caller;
    WDFQUEUE q;
} T;

static int setup(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    return 0;
}

static void EvtRead(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    T.reads++;
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        T.bad_irql++;
    if (ke_spin_locks_held() != 0)
        T.locks_held++;
    if (!pthread_equal(pthread_self(), T.caller))
        T.wrong_thread++;
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
}

static void q_parallel(WDFDEVICE d)
{
    T.q = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtRead, NULL, NULL);
}

static void q_sequential(WDFDEVICE d)
{
    T.q = io_tl_queue(d, WdfIoQueueDispatchSequential, TRUE, NULL, EvtRead, NULL, NULL);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void measure(const char *what)
{
    T.caller = pthread_self();
    char b[64];
    ULONG n;
    /* Warm the IRP and request caches, and one lap of the in-flight recorder's ring (its pages are
     * touched for the first time otherwise). */
    for (int i = 0; i < 3000; i++)
        assert_int_equal(io_tl_read(b, sizeof b, &n), STATUS_SUCCESS);
    ULONG objects = fx_object_live_count(NULL);
    owdf_pool_mark before = owdf_pool_mark_now();
    uint64_t t0 = now_ns();
    const int rounds = 4000;
    for (int i = 0; i < rounds; i++)
        assert_int_equal(io_tl_read(b, sizeof b, &n), STATUS_SUCCESS);
    uint64_t t1 = now_ns();
    owdf_pool_mark after = owdf_pool_mark_now();
    assert_int_equal(after - before, 0);                       /* no allocation per request */
    assert_int_equal(fx_object_live_count(NULL), objects);     /* request objects reused */
    assert_int_equal(T.bad_irql, 0);
    assert_int_equal(T.locks_held, 0);
    assert_int_equal(T.wrong_thread, 0);                       /* presented on the caller's thread */
    fprintf(stderr, "%s: %.0f ns per read (user call -> EvtIoRead -> completion), %d reads\n", what,
            (double)(t1 - t0) / rounds, rounds);
}

static void test_parallel_path_no_allocation(void **state)
{
    (void)state;
    /* Neither I/O: the I/O manager allocates no system buffer or MDL, so any allocation would be ours. */
    io_tl_config cfg = {.queues = q_parallel, .io_type = WdfDeviceIoNeither};
    io_tl_up(&cfg);
    measure("parallel queue");
    io_tl_down();
}

static void test_sequential_path_no_allocation(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_sequential, .io_type = WdfDeviceIoNeither};
    io_tl_up(&cfg);
    measure("sequential queue");
    io_tl_down();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parallel_path_no_allocation, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_sequential_path_no_allocation, setup, io_tl_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
