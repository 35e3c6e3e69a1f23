/*
 * echo_scenario_test.c - the echo sample driver through the test bench, one request at a time:
 * patterned 512 B and 30 KB writes read back, the 40 KB limit, reads with nothing stored, short
 * reads, a held request canceled, an asynchronous write with a completion callback, surprise
 * removal with a request held and a handle open, and fault injection over bringing a device up.
 * Every test runs in both variants (queue-level and driver-managed synchronization) and ends with
 * the bench's audit: no leak, no verifier report.
 */
#include "echo_test.h"

#include <pthread.h>

static void write_read_verify(echo_bench *b, size_t length)
{
    HANDLE h = echo_open(b, 0);
    unsigned char *out = malloc(length), *in = malloc(length + 16);
    assert_non_null(out);
    assert_non_null(in);
    echo_fill(out, length, 0x1234 + length);
    ULONG bytes = 0;
    assert_int_equal(owdf_user_write(h, out, (ULONG)length, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, length);
    memset(in, 0xee, length + 16);
    /* Asking for more than is stored returns what is stored. */
    assert_int_equal(owdf_user_read(h, in, (ULONG)length + 16, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, length);
    assert_memory_equal(in, out, length);
    assert_true(echo_check(in, length));
    /* The data stays: a second read gets it again. */
    memset(in, 0, length);
    assert_int_equal(owdf_user_read(h, in, (ULONG)length, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, length);
    assert_memory_equal(in, out, length);
    assert_int_equal(owdf_tb_close(b->tb, h), STATUS_SUCCESS);
    free(out);
    free(in);
}

static void test_write_read_512(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    write_read_verify(&b, 512);
    echo_bench_finish(&b);
}

static void test_write_read_30k(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    write_read_verify(&b, 30 * 1024);
    write_read_verify(&b, ECHO_MAX_WRITE_LENGTH); /* the limit itself is accepted */
    echo_bench_finish(&b);
}

static void test_read_with_nothing_stored(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    HANDLE h = echo_open(&b, 0);
    char buf[64];
    ULONG bytes = 99;
    assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 0);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    echo_bench_finish(&b);
}

static void test_write_too_long_refused(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    HANDLE h = echo_open(&b, 0);
    size_t big = ECHO_MAX_WRITE_LENGTH + 1;
    unsigned char *data = malloc(big);
    assert_non_null(data);
    echo_fill(data, 100, 7);
    ULONG bytes;
    assert_int_equal(owdf_user_write(h, data, 100, NULL, &bytes), STATUS_SUCCESS);
    echo_fill(data, big, 8);
    bytes = 99;
    assert_int_equal(owdf_user_write(h, data, (ULONG)big, NULL, &bytes), STATUS_INVALID_BUFFER_SIZE);
    assert_int_equal(bytes, 0);
    /* The stored data is still the first write's. */
    unsigned char in[100];
    assert_int_equal(owdf_user_read(h, in, sizeof in, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 100);
    echo_fill(data, 100, 7);
    assert_memory_equal(in, data, 100);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    free(data);
    /* KdPrint's line and WPP's TraceEvents line (formatted at run time from the .tmh). */
    assert_int_equal(owdf_dbg_log_count_matching(owdf_tb_driver_log(b.drv), "Echo: write of 40961 bytes refused"), 1);
    assert_int_equal(owdf_dbg_log_count_matching(owdf_tb_driver_log(b.drv), "write of 40961 bytes refused"), 2);
    echo_bench_finish(&b);
}

static void test_short_read(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    HANDLE h = echo_open(&b, 0);
    unsigned char out[1000], in[10];
    echo_fill(out, sizeof out, 3);
    ULONG bytes;
    assert_int_equal(owdf_user_write(h, out, sizeof out, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(owdf_user_read(h, in, sizeof in, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof in);
    assert_memory_equal(in, out, sizeof in);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    echo_bench_finish(&b);
}

/* A request the timer will not complete for a long time is canceled. */
static void test_cancel_held_request(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 60000, ECHO_DELAY_PERIOD_ONLY, TRUE);
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    unsigned char data[256];
    echo_fill(data, sizeof data, 9);
    owdf_user_io io;
    owdf_user_io_init(&io, NULL, NULL);
    assert_int_equal(owdf_user_write_async(h, data, sizeof data, NULL, &io), STATUS_PENDING);
    assert_int_equal(owdf_user_wait(&io, 50), STATUS_TIMEOUT); /* held */
    assert_int_equal(owdf_user_cancel(h, &io), STATUS_SUCCESS);
    assert_int_equal(owdf_user_wait(&io, OWDF_USER_INFINITE), STATUS_CANCELLED);
    assert_int_equal(io.information, 0);
    assert_int_equal(owdf_user_cancel(h, &io), STATUS_NOT_FOUND);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    echo_bench_finish(&b);
}

typedef struct done_signal {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    NTSTATUS status;
    ULONG_PTR information;
} done_signal;

static void on_done(owdf_user_io *io, void *context)
{
    done_signal *d = context;
    pthread_mutex_lock(&d->lock);
    d->status = io->status;
    d->information = io->information;
    d->done = 1;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

static void test_async_write_with_callback(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 0, 0, FALSE);
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    unsigned char data[4096];
    echo_fill(data, sizeof data, 11);
    done_signal d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    owdf_user_io io;
    owdf_user_io_init(&io, on_done, &d);
    NTSTATUS status = owdf_user_write_async(h, data, sizeof data, NULL, &io);
    if (status == STATUS_PENDING) {
        pthread_mutex_lock(&d.lock);
        while (!d.done)
            pthread_cond_wait(&d.cond, &d.lock);
        pthread_mutex_unlock(&d.lock);
    } else {
        /* The timer completed it before the call returned: the result is reported, not called back
         * (openwdf/user.h). Rare, but a loaded machine gets there. */
        assert_int_equal(status, STATUS_SUCCESS);
        d.status = io.status;
        d.information = io.information;
    }
    assert_int_equal(d.status, STATUS_SUCCESS);
    assert_int_equal(d.information, sizeof data);
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    echo_bench_finish(&b);
}

/* The device disappears while a request is held and a handle is open: the power-down's EvtIoStop
 * completes the held request (its echo is done), new requests fail, the removal completes when the
 * handle is closed. */
static void test_surprise_removal_with_request_held(void **state)
{
    echo_bench b;
    echo_bench_start(&b, *state, 60000, ECHO_DELAY_PERIOD_ONLY, TRUE);
    HANDLE h = echo_open(&b, OWDF_USER_OVERLAPPED);
    unsigned char data[64];
    echo_fill(data, sizeof data, 5);
    owdf_user_io io;
    owdf_user_io_init(&io, NULL, NULL);
    assert_int_equal(owdf_user_write_async(h, data, sizeof data, NULL, &io), STATUS_PENDING);
    assert_int_equal(owdf_tb_device_surprise_remove(b.dev), STATUS_SUCCESS);
    assert_int_equal(owdf_user_wait(&io, OWDF_USER_INFINITE), STATUS_SUCCESS);
    assert_int_equal(io.information, sizeof data);
    ULONG bytes;
    assert_false(NT_SUCCESS(owdf_user_write(h, data, sizeof data, NULL, &bytes)));
    assert_int_equal(owdf_tb_close(b.tb, h), STATUS_SUCCESS);
    /* The removal happened with the close (b.dev is gone): no interface left. */
    assert_int_equal(owdf_tb_open_interface(b.tb, &GUID_DEVINTERFACE_OWDF_ECHO, 0, 0, &h), STATUS_NO_MORE_ENTRIES);
    echo_bench_finish(&b);
}

/* Fault injection: the n-th pool allocation fails while the driver loads and its device is added
 * and used; whatever fails, the bench must end with nothing leaked. */
static void test_fail_nth_bring_up(void **state)
{
    const echo_variant *variant = *state;
    unsigned long limit = echo_env_ulong("ECHO_FAIL_NTH_LIMIT", 400);
    unsigned long n;
    BOOLEAN done = FALSE;
    for (n = echo_env_ulong("ECHO_FAIL_NTH_FIRST", 1); n <= limit && !done; n++) {
        if (getenv("ECHO_FAIL_NTH_VERBOSE") != NULL)
            fprintf(stderr, "fail_nth %lu\n", n);
        owdf_tb_options o = {.size = sizeof o, .quiet = 1, .stop_mode = OWDF_TB_STOP_RECORD};
        owdf_tb *tb = owdf_tb_create(&o);
        assert_non_null(tb);
        echo_current_tb = tb;
        assert_int_equal(owdf_tb_set_parameter_dword(tb, "Echo", ECHO_PARAM_SYNC_MODE, variant->sync_mode),
                         STATUS_SUCCESS);
        uint64_t injected = owdf_pool_injected_failures();
        owdf_tb_fail_pool_nth(tb, n);
        owdf_tb_driver *drv;
        owdf_tb_device *dev;
        HANDLE h = NULL;
        NTSTATUS status = owdf_tb_load_driver(tb, "Echo", FxDriverEntry, &drv);
        if (NT_SUCCESS(status))
            status = owdf_tb_device_add(tb, drv, "ROOT\\ECHO", &dev);
        if (NT_SUCCESS(status))
            status = owdf_tb_device_open(dev, &GUID_DEVINTERFACE_OWDF_ECHO, 0, &h);
        if (NT_SUCCESS(status)) {
            ULONG bytes;
            char buf[16] = "0123456789abcdef";
            status = owdf_user_write(h, buf, sizeof buf, NULL, &bytes);
            if (NT_SUCCESS(status))
                status = owdf_user_read(h, buf, sizeof buf, NULL, &bytes);
            (void)owdf_tb_close(tb, h);
        }
        done = NT_SUCCESS(status) && owdf_pool_injected_failures() == injected;
        owdf_tb_fail_pool_nth(tb, 0);
        owdf_tb_result r;
        int problems = owdf_tb_destroy(tb, &r);
        echo_current_tb = NULL;
        if (r.pool_blocks || r.objects || r.devices || r.drivers || r.handles || r.files)
            fprintf(stderr, "fail_nth %lu (status 0x%08x): %d problem(s)\n", n, (unsigned)status, problems);
        /* A failed allocation may legitimately be reported (e.g. a driver's failure path); leaks not. */
        assert_int_equal(r.pool_blocks, 0);
        assert_int_equal(r.objects, 0);
        assert_int_equal(r.devices, 0);
        assert_int_equal(r.drivers, 0);
        assert_int_equal(r.handles, 0);
        assert_int_equal(r.files, 0);
    }
    print_message("fault injection: %lu run(s), %s\n", n - 1, done ? "the last one had no failure" : "limit reached");
}

#define ECHO_TESTS(variant)                                                              \
    cmocka_unit_test_prestate_setup_teardown(test_write_read_512, NULL, echo_teardown, (void *)&variant),                   \
    cmocka_unit_test_prestate_setup_teardown(test_write_read_30k, NULL, echo_teardown, (void *)&variant),                   \
    cmocka_unit_test_prestate_setup_teardown(test_read_with_nothing_stored, NULL, echo_teardown, (void *)&variant),         \
    cmocka_unit_test_prestate_setup_teardown(test_write_too_long_refused, NULL, echo_teardown, (void *)&variant),           \
    cmocka_unit_test_prestate_setup_teardown(test_short_read, NULL, echo_teardown, (void *)&variant),                       \
    cmocka_unit_test_prestate_setup_teardown(test_cancel_held_request, NULL, echo_teardown, (void *)&variant),              \
    cmocka_unit_test_prestate_setup_teardown(test_async_write_with_callback, NULL, echo_teardown, (void *)&variant),        \
    cmocka_unit_test_prestate_setup_teardown(test_surprise_removal_with_request_held, NULL, echo_teardown, (void *)&variant), \
    cmocka_unit_test_prestate_setup_teardown(test_fail_nth_bring_up, NULL, echo_teardown, (void *)&variant)

int main(void)
{
    const struct CMUnitTest queue_tests[] = {ECHO_TESTS(echo_queue_sync)};
    const struct CMUnitTest driver_tests[] = {ECHO_TESTS(echo_driver_sync)};
    int failed = cmocka_run_group_tests_name("echo, queue-level synchronization", queue_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("echo, driver-managed synchronization", driver_tests, NULL, NULL);
    return failed;
}
