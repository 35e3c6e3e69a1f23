/*
 * echo_concurrency_test.c - the echo sample under real threads, through the test bench, in both
 * synchronization variants:
 *   - a stream: one writer thread and one reader thread, each keeping 100 requests of 40 KB in
 *     flight, N requests in all (ECHO_STRESS_REQUESTS; the default is in docs/testbench.md), every
 *     write's data self-checking so every read can be verified;
 *   - a cancel storm: the same streams with a third thread canceling everything in flight, over
 *     and over; every request ends (success or STATUS_CANCELLED), nothing leaks, no report;
 *   - a handle closed with 100 requests pending: all of them are canceled;
 *   - the driver unloaded with devices present (no handle open: removed then unloaded; a handle
 *     open with requests pending: surprise-removed, the requests end, the unload waits for the
 *     handle to be closed).
 */
#include "echo_test.h"

#include <pthread.h>
#include <time.h>

#include <openwdf/io.h>

#define IN_FLIGHT 100

/* Defaults from the command line (meson passes smaller ones to ThreadSanitizer runs). */
static unsigned long default_stream_requests = 100000;
static unsigned long default_storm_requests = 20000;
#define REQUEST_BYTES ECHO_MAX_WRITE_LENGTH

/* ---- a stream of asynchronous requests ---------------------------------------------------------- */

typedef struct stream stream;

typedef struct slot {
    owdf_user_io io;
    stream *owner;
    unsigned index;
    unsigned char *buffer;
} slot;

struct stream {
    HANDLE handle;
    BOOLEAN writer;
    unsigned long target;           /* requests to issue */
    slot slots[IN_FLIGHT];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned done[IN_FLIGHT];       /* slots whose request ended, waiting to be reissued */
    unsigned done_count;
    /* results (the stream's thread only) */
    unsigned long issued, completed, succeeded, canceled, failed, bad_data, empty_reads;
    NTSTATUS first_failure;
};

static void stream_on_done(owdf_user_io *io, void *context)
{
    slot *s = context;
    (void)io;
    stream *st = s->owner;
    pthread_mutex_lock(&st->lock);
    st->done[st->done_count++] = s->index;
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
}

static void stream_account(stream *st, slot *s, NTSTATUS status, ULONG_PTR information)
{
    st->completed++;
    if (status == STATUS_SUCCESS) {
        st->succeeded++;
        if (st->writer) {
            if (information != REQUEST_BYTES)
                st->bad_data++;
        } else if (information == 0) {
            st->empty_reads++; /* before the first write */
        } else if (information != REQUEST_BYTES || !echo_check(s->buffer, information)) {
            st->bad_data++;
        }
    } else if (status == STATUS_CANCELLED) {
        st->canceled++;
    } else {
        if (st->failed++ == 0)
            st->first_failure = status;
    }
}

/* Starts the slot's next request; returns FALSE when it ended at once (already accounted). */
static BOOLEAN stream_issue(stream *st, slot *s)
{
    owdf_user_io_init(&s->io, stream_on_done, s);
    st->issued++;
    NTSTATUS status = st->writer ? owdf_user_write_async(st->handle, s->buffer, REQUEST_BYTES, NULL, &s->io)
                                 : owdf_user_read_async(st->handle, s->buffer, REQUEST_BYTES, NULL, &s->io);
    if (status == STATUS_PENDING)
        return TRUE;
    stream_account(st, s, status, s->io.information);
    return FALSE;
}

static void *stream_thread(void *arg)
{
    stream *st = arg;
    unsigned in_flight = 0;
    /* Slots ready to (re)issue: all of them at first. */
    unsigned ready[IN_FLIGHT], ready_count = 0;
    for (unsigned i = 0; i < IN_FLIGHT; i++)
        ready[ready_count++] = i;
    for (;;) {
        while (ready_count != 0 && st->issued < st->target) {
            slot *s = &st->slots[ready[--ready_count]];
            if (stream_issue(st, s))
                in_flight++;
            else
                ready[ready_count++] = s->index;
        }
        if (in_flight == 0)
            break;
        pthread_mutex_lock(&st->lock);
        while (st->done_count == 0)
            pthread_cond_wait(&st->cond, &st->lock);
        unsigned done[IN_FLIGHT], n = st->done_count;
        memcpy(done, st->done, n * sizeof done[0]);
        st->done_count = 0;
        pthread_mutex_unlock(&st->lock);
        for (unsigned i = 0; i < n; i++) {
            slot *s = &st->slots[done[i]];
            stream_account(st, s, s->io.status, s->io.information);
            in_flight--;
            ready[ready_count++] = s->index;
        }
    }
    return NULL;
}

static void stream_init(stream *st, HANDLE h, BOOLEAN writer, unsigned long target)
{
    memset(st, 0, sizeof *st);
    st->handle = h;
    st->writer = writer;
    st->target = target;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);
    for (unsigned i = 0; i < IN_FLIGHT; i++) {
        slot *s = &st->slots[i];
        s->owner = st;
        s->index = i;
        s->buffer = malloc(REQUEST_BYTES);
        assert_non_null(s->buffer);
        if (writer)
            echo_fill(s->buffer, REQUEST_BYTES, 1000 + i); /* each write's data checks itself */
    }
}

static void stream_free(stream *st)
{
    for (unsigned i = 0; i < IN_FLIGHT; i++)
        free(st->slots[i].buffer);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
}

static void stream_print(const char *what, const stream *st)
{
    print_message("%s %s: %lu issued, %lu succeeded, %lu canceled, %lu failed (first 0x%08x), %lu empty, %lu bad\n",
                  what, st->writer ? "writer" : "reader", st->issued, st->succeeded, st->canceled, st->failed,
                  (unsigned)st->first_failure, st->empty_reads, st->bad_data);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the stream test ------------------------------------------------------------------------------ */

static void test_async_stream(void **state)
{
    unsigned long total = echo_env_ulong("ECHO_STRESS_REQUESTS", default_stream_requests);
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    stream writer, reader;
    stream_init(&writer, h, TRUE, total / 2);
    stream_init(&reader, h, FALSE, total - total / 2);
    double start = now_s();
    pthread_t tw, tr;
    assert_int_equal(pthread_create(&tw, NULL, stream_thread, &writer), 0);
    assert_int_equal(pthread_create(&tr, NULL, stream_thread, &reader), 0);
    pthread_join(tw, NULL);
    pthread_join(tr, NULL);
    double elapsed = now_s() - start;
    print_message("%lu requests of %u bytes in %.2f s (%.0f requests/s)\n", total, REQUEST_BYTES, elapsed,
                  elapsed > 0 ? total / elapsed : 0.0);
    stream_print("stream", &writer);
    stream_print("stream", &reader);
    assert_int_equal(writer.completed, writer.target);
    assert_int_equal(reader.completed, reader.target);
    assert_int_equal(writer.succeeded, writer.target);
    assert_int_equal(reader.succeeded, reader.target);
    assert_int_equal(writer.bad_data + reader.bad_data, 0);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    stream_free(&writer);
    stream_free(&reader);
    assert_true(owdf_tb_expect_clean(b.tb));
    echo_bench_finish(&b);
}

/* ---- the cancel storm ------------------------------------------------------------------------------ */

typedef struct storm {
    HANDLE handle;
    volatile int stop;
    unsigned long cancels, found;
} storm;

static void *storm_thread(void *arg)
{
    storm *s = arg;
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        NTSTATUS status = owdf_user_cancel(s->handle, NULL); /* everything in flight on the handle */
        s->cancels++;
        if (status == STATUS_SUCCESS)
            s->found++;
        else
            assert_int_equal(status, STATUS_NOT_FOUND);
        struct timespec pause = {0, 50 * 1000}; /* let some requests get presented and held */
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void test_cancel_storm(void **state)
{
    unsigned long total = echo_env_ulong("ECHO_STORM_REQUESTS", default_storm_requests);
    echo_bench b;
    /* Held for 200 us unless canceled; the timer ticks every ms. */
    echo_bench_start(&b, *state, 1, 200, TRUE);
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    stream writer, reader;
    stream_init(&writer, h, TRUE, total / 2);
    stream_init(&reader, h, FALSE, total - total / 2);
    storm s = {.handle = h};
    pthread_t tw, tr, ts;
    assert_int_equal(pthread_create(&ts, NULL, storm_thread, &s), 0);
    assert_int_equal(pthread_create(&tw, NULL, stream_thread, &writer), 0);
    assert_int_equal(pthread_create(&tr, NULL, stream_thread, &reader), 0);
    pthread_join(tw, NULL);
    pthread_join(tr, NULL);
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
    pthread_join(ts, NULL);
    print_message("cancel storm: %lu cancel calls, %lu found requests\n", s.cancels, s.found);
    stream_print("storm", &writer);
    stream_print("storm", &reader);
    assert_int_equal(writer.completed, writer.target);
    assert_int_equal(reader.completed, reader.target);
    assert_int_equal(writer.failed + reader.failed, 0);
    assert_int_equal(writer.bad_data + reader.bad_data, 0);
    assert_true(writer.canceled + reader.canceled > 0);
    assert_true(s.found > 0);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    stream_free(&writer);
    stream_free(&reader);
    echo_bench_finish(&b); /* zero leaks, zero verifier reports */
}

/* ---- pending requests at close / unload ------------------------------------------------------------ */

typedef struct pending_set {
    stream st;                      /* its slots, lock, cond and done list; no thread */
} pending_set;

/* Starts IN_FLIGHT requests (alternately writes and reads of 1 KB) that the device will hold. */
static void pending_start(pending_set *p, HANDLE h)
{
    stream_init(&p->st, h, TRUE, 0);
    for (unsigned i = 0; i < IN_FLIGHT; i++) {
        slot *s = &p->st.slots[i];
        owdf_user_io_init(&s->io, stream_on_done, s);
        NTSTATUS status = (i & 1) ? owdf_user_read_async(h, s->buffer, 1024, NULL, &s->io)
                                  : owdf_user_write_async(h, s->buffer, 1024, NULL, &s->io);
        assert_int_equal(status, STATUS_PENDING);
    }
}

/* Waits until all IN_FLIGHT requests ended; returns how many were canceled. */
static unsigned pending_wait(pending_set *p, unsigned *succeeded)
{
    stream *st = &p->st;
    pthread_mutex_lock(&st->lock);
    while (st->done_count < IN_FLIGHT)
        pthread_cond_wait(&st->cond, &st->lock);
    pthread_mutex_unlock(&st->lock);
    unsigned canceled = 0;
    *succeeded = 0;
    for (unsigned i = 0; i < IN_FLIGHT; i++) {
        NTSTATUS status = st->slots[i].io.status;
        if (status == STATUS_CANCELLED)
            canceled++;
        else if (status == STATUS_SUCCESS)
            (*succeeded)++;
        else
            fail_msg("request %u ended with 0x%08x", i, (unsigned)status);
    }
    stream_free(st);
    return canceled;
}

static void test_close_with_io_pending(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 60000, ECHO_DELAY_PERIOD_ONLY, TRUE); /* nothing completes by itself */
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    pending_set p;
    pending_start(&p, h);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS); /* cancels them all, then CLEANUP */
    unsigned succeeded;
    assert_int_equal(pending_wait(&p, &succeeded), IN_FLIGHT);
    echo_bench_finish(&b);
}

static void test_unload_with_devices_present(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    owdf_tb_device *more[2];
    assert_int_equal(owdf_tb_device_add(b.tb, b.drv, "ROOT\\ECHO", &more[0]), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_add(b.tb, b.drv, "ROOT\\ECHO", &more[1]), STATUS_SUCCESS);
    assert_string_equal(owdf_tb_device_instance_id(more[1]), "ROOT\\ECHO\\0002");
    /* Used once, closed: then the driver goes with its three devices. */
    HANDLE h = echo_open(&b, 0);
    ULONG bytes;
    assert_int_equal(owdf_user_write(h, "abc", 3, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_unload_driver(b.drv), STATUS_SUCCESS);
    assert_null(owdf_io_find_driver("Echo"));
    assert_int_equal(owdf_tb_open_interface(b.tb, &GUID_DEVINTERFACE_OWDF_ECHO, 0, 0, &h), STATUS_NO_MORE_ENTRIES);
    echo_bench_finish(&b);
}

static void test_unload_with_io_pending(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 60000, ECHO_DELAY_PERIOD_ONLY, TRUE);
    owdf_tb_device *second;
    assert_int_equal(owdf_tb_device_add(b.tb, b.drv, "ROOT\\ECHO", &second), STATUS_SUCCESS);
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    pending_set p;
    pending_start(&p, h);
    /* The device with the handle is surprise-removed: the held request is completed by EvtIoStop
     * (its echo is done), the queued ones are purged; the other device is simply removed. */
    assert_int_equal(owdf_tb_unload_driver(b.drv), STATUS_PENDING);
    unsigned succeeded;
    unsigned canceled = pending_wait(&p, &succeeded);
    assert_int_equal(canceled + succeeded, IN_FLIGHT);
    assert_true(succeeded <= 1);
    assert_non_null(owdf_io_find_driver("Echo")); /* waits for the handle */
    ULONG bytes;
    assert_false(NT_SUCCESS(owdf_user_write(h, "x", 1, NULL, &bytes)));
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    assert_null(owdf_io_find_driver("Echo"));
    echo_bench_finish(&b);
}

#define ECHO_TESTS(variant)                                                                                 \
    cmocka_unit_test_prestate_setup_teardown(test_async_stream, NULL, echo_teardown, (void *)&variant),         \
    cmocka_unit_test_prestate_setup_teardown(test_cancel_storm, NULL, echo_teardown, (void *)&variant),         \
    cmocka_unit_test_prestate_setup_teardown(test_close_with_io_pending, NULL, echo_teardown, (void *)&variant), \
    cmocka_unit_test_prestate_setup_teardown(test_unload_with_devices_present, NULL, echo_teardown,              \
                                             (void *)&variant),                                                   \
    cmocka_unit_test_prestate_setup_teardown(test_unload_with_io_pending, NULL, echo_teardown, (void *)&variant)

int main(int argc, char **argv)
{
    if (argc > 1)
        default_stream_requests = strtoul(argv[1], NULL, 10);
    if (argc > 2)
        default_storm_requests = strtoul(argv[2], NULL, 10);
    const struct CMUnitTest queue_tests[] = {ECHO_TESTS(echo_queue_sync)};
    const struct CMUnitTest driver_tests[] = {ECHO_TESTS(echo_driver_sync)};
    int failed = cmocka_run_group_tests_name("echo concurrency, queue-level synchronization", queue_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("echo concurrency, driver-managed synchronization", driver_tests, NULL, NULL);
    return failed;
}
