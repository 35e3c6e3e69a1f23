/* Asynchronous user-side I/O: pending requests completed from another thread (and from
 * DISPATCH_LEVEL), the callback-exactly-once and inline-completion rules, owdf_user_wait, cancel
 * through owdf_user_cancel (one request, all, a synchronous one on another thread), close with I/O
 * pending, reuse of an owdf_user_io, and the errors. Threads: also run under TSan. */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static tdev *dev, *bdev;
static owdf_pool_mark mark;

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    driver = tdrv_load("AsyncTest");
    dev = tdev_create(driver, "\\Device\\AsyncDev", 0, FALSE);
    bdev = tdev_create(driver, "\\Device\\AsyncBuf", DO_BUFFERED_IO, FALSE);
    return 0;
}

static void wait_until(volatile LONG *value, LONG expected)
{
    for (int i = 0; i < 5000 && __atomic_load_n(value, __ATOMIC_ACQUIRE) != expected; i++)
        sleep_ms(1);
    assert_int_equal(__atomic_load_n(value, __ATOMIC_ACQUIRE), expected);
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_open_handle_count(), 0);
    /* A CLOSE may come from a system worker. */
    for (int i = 0; i < 5000 && owdf_user_live_file_count() != 0; i++)
        sleep_ms(1);
    assert_int_equal(owdf_user_live_file_count(), 0);
    tdev_delete(dev);
    tdev_delete(bdev);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    io_irp_cache_trim();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static HANDLE open_dev(const char *name)
{
    HANDLE h = NULL;
    assert_int_equal(owdf_user_open(name, GENERIC_READ | GENERIC_WRITE, 0, OWDF_USER_OVERLAPPED, &h),
                     STATUS_SUCCESS);
    return h;
}

/* ---- a callback that records ----------------------------------------------------------------- */

struct record {
    volatile LONG calls;
    NTSTATUS status;
    ULONG_PTR information;
    KIRQL irql;
    pthread_t thread;
};

static void record_cb(owdf_user_io *io, void *context)
{
    struct record *r = context;
    r->status = io->status;
    r->information = io->information;
    r->irql = KeGetCurrentIrql();
    r->thread = pthread_self();
    __atomic_add_fetch(&r->calls, 1, __ATOMIC_RELEASE);
}

/* ---- a thread that completes pending IRPs ---------------------------------------------------- */

struct completer {
    tdev *t;
    int count;
    NTSTATUS status;
    ULONG_PTR information;
    BOOLEAN at_dispatch;
    pthread_t thread;
};

static void *completer_main(void *arg)
{
    struct completer *c = arg;
    for (int done = 0; done < c->count;) {
        if (tdrv_complete_one(c->t, c->status, c->information, c->at_dispatch))
            done++;
        else
            sleep_ms(1);
    }
    return NULL;
}

static void completer_start(struct completer *c)
{
    assert_int_equal(pthread_create(&c->thread, NULL, completer_main, c), 0);
}

static void completer_join(struct completer *c)
{
    assert_int_equal(pthread_join(c->thread, NULL), 0);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void pending_completed_by_another_thread(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncDev");
    memcpy(dev->data, "async!", 6);
    dev->data_length = 6;
    dev->pend_reads = TRUE;
    struct record r = {0};
    owdf_user_io io;
    owdf_user_io_init(&io, record_cb, &r);
    char buf[16] = {0};
    assert_int_equal(owdf_user_read_async(h, buf, sizeof buf, NULL, &io), STATUS_PENDING);
    assert_int_equal(__atomic_load_n(&r.calls, __ATOMIC_ACQUIRE), 0);
    assert_int_equal(dev->pending_count, 1);
    struct completer c = {.t = dev, .count = 1, .status = STATUS_SUCCESS};
    completer_start(&c);
    completer_join(&c);
    wait_until(&r.calls, 1);
    assert_int_equal(r.status, STATUS_SUCCESS);
    assert_int_equal(r.information, 6);
    assert_int_equal(r.irql, PASSIVE_LEVEL);
    assert_true(pthread_equal(r.thread, c.thread)); /* completed at PASSIVE: called right there */
    assert_memory_equal(buf, "async!", 6);
    sleep_ms(5);
    assert_int_equal(__atomic_load_n(&r.calls, __ATOMIC_ACQUIRE), 1); /* exactly once */
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_true(tdev_wait_log(dev, "CR,RD,CU,CL"));
}

static void completion_at_dispatch_calls_back_at_passive(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    memcpy(bdev->data, "dpc", 3);
    bdev->data_length = 3;
    bdev->pend_reads = TRUE;
    struct record r = {0};
    owdf_user_io io;
    owdf_user_io_init(&io, record_cb, &r);
    char buf[8] = {0};
    assert_int_equal(owdf_user_read_async(h, buf, sizeof buf, NULL, &io), STATUS_PENDING);
    struct completer c = {.t = bdev, .count = 1, .status = STATUS_SUCCESS, .at_dispatch = TRUE};
    completer_start(&c);
    completer_join(&c);
    wait_until(&r.calls, 1);
    assert_int_equal(r.irql, PASSIVE_LEVEL);
    assert_false(pthread_equal(r.thread, c.thread)); /* handed to a system worker */
    assert_int_equal(r.information, 3);
    assert_memory_equal(buf, "dpc", 3); /* buffered: copied back before the callback */
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void inline_completion_returns_the_status(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    struct record r = {0};
    owdf_user_io io;
    owdf_user_io_init(&io, record_cb, &r);
    assert_int_equal(owdf_user_write_async(h, "abc", 3, NULL, &io), STATUS_SUCCESS);
    assert_int_equal(io.status, STATUS_SUCCESS);
    assert_int_equal(io.information, 3);
    sleep_ms(5);
    assert_int_equal(__atomic_load_n(&r.calls, __ATOMIC_ACQUIRE), 0); /* no callback */
    /* Without a callback, owdf_user_wait still reports it. */
    owdf_user_io_init(&io, NULL, NULL);
    UCHAR in[2] = {7, 8}, out[2];
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_BUFFERED, in, 2, out, 2, &io), STATUS_SUCCESS);
    assert_int_equal(owdf_user_wait(&io, 0), STATUS_SUCCESS);
    assert_int_equal(out[0], 8);
    assert_int_equal(out[1], 9);
    /* Errors are final statuses too. */
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_TOO_SMALL, NULL, 0, out, 2, &io), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(io.status, STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void wait_for_a_pending_request(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    owdf_user_io io;
    owdf_user_io_init(&io, NULL, NULL);
    UCHAR out[4];
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, out, sizeof out, &io), STATUS_PENDING);
    assert_int_equal(io.status, STATUS_PENDING);
    assert_int_equal(owdf_user_wait(&io, 0), STATUS_TIMEOUT);
    assert_int_equal(owdf_user_wait(&io, 20), STATUS_TIMEOUT);
    struct completer c = {.t = bdev, .count = 1, .status = STATUS_BUFFER_OVERFLOW, .information = 2};
    completer_start(&c);
    assert_int_equal(owdf_user_wait(&io, OWDF_USER_INFINITE), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(io.information, 2);
    assert_int_equal(owdf_user_wait(&io, 0), STATUS_BUFFER_OVERFLOW); /* again: same answer */
    completer_join(&c);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void cancel_one_request(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    struct record ra = {0}, rb = {0};
    owdf_user_io a, b, other;
    owdf_user_io_init(&a, record_cb, &ra);
    owdf_user_io_init(&b, record_cb, &rb);
    owdf_user_io_init(&other, NULL, NULL);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &a), STATUS_PENDING);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &b), STATUS_PENDING);
    assert_int_equal(owdf_user_cancel(h, &other), STATUS_NOT_FOUND);
    assert_int_equal(owdf_user_cancel(h, &a), STATUS_SUCCESS);
    assert_int_equal(ra.calls, 1); /* the cancel routine completed it on this thread */
    assert_int_equal(ra.status, STATUS_CANCELLED);
    assert_int_equal(rb.calls, 0);
    assert_int_equal(owdf_user_cancel(h, &a), STATUS_NOT_FOUND);
    assert_int_equal(bdev->pending_count, 1);
    assert_int_equal(owdf_user_cancel(h, NULL), STATUS_SUCCESS);
    assert_int_equal(rb.calls, 1);
    assert_int_equal(rb.status, STATUS_CANCELLED);
    assert_int_equal(owdf_user_cancel(h, NULL), STATUS_NOT_FOUND);
    assert_int_equal(owdf_user_cancel((HANDLE)0x44, NULL), STATUS_INVALID_HANDLE);
    assert_int_equal(bdev->cancelled_count, 2);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

/* A request without a cancel routine is asked, but only the driver can end it. */
static void cancel_without_cancel_routine(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    struct record r = {0};
    owdf_user_io io;
    owdf_user_io_init(&io, record_cb, &r);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND_UNCANCELABLE, NULL, 0, NULL, 0, &io), STATUS_PENDING);
    assert_int_equal(owdf_user_cancel(h, &io), STATUS_SUCCESS); /* found and asked */
    assert_int_equal(r.calls, 0);
    assert_true(tdrv_complete_one(bdev, STATUS_SUCCESS, 0, FALSE));
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.status, STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

struct sync_call {
    HANDLE h;
    NTSTATUS status;
    volatile LONG done;
};

static void *sync_ioctl_main(void *arg)
{
    struct sync_call *s = arg;
    ULONG n;
    s->status = owdf_user_ioctl(s->h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &n);
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void cancel_a_synchronous_request_on_another_thread(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    struct sync_call s = {.h = h};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sync_ioctl_main, &s), 0);
    wait_until(&bdev->pending_count, 1);
    assert_int_equal(__atomic_load_n(&s.done, __ATOMIC_ACQUIRE), 0);
    assert_int_equal(owdf_user_cancel(h, NULL), STATUS_SUCCESS);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(s.status, STATUS_CANCELLED);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void close_with_io_pending(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    struct record r[3] = {0};
    owdf_user_io io[3];
    owdf_user_io_init(&io[0], record_cb, &r[0]);
    owdf_user_io_init(&io[1], record_cb, &r[1]);
    owdf_user_io_init(&io[2], record_cb, &r[2]);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &io[0]), STATUS_PENDING);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND_UNCANCELABLE, NULL, 0, NULL, 0, &io[1]),
                     STATUS_PENDING);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &io[2]), STATUS_PENDING);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* Cancelled (the two with a routine), then CLEANUP (the driver ended the third), then CLOSE. */
    for (int i = 0; i < 3; i++) {
        wait_until(&r[i].calls, 1);
        assert_int_equal(r[i].status, STATUS_CANCELLED);
    }
    assert_int_equal(bdev->cancelled_count, 2);
    assert_true(tdev_wait_log(bdev, "CR,IO,IO,IO,CU,CL"));
    /* A handle closed with nothing pending still goes CLEANUP then CLOSE at once. */
    h = open_dev("\\Device\\AsyncBuf");
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(bdev), "CR,IO,IO,IO,CU,CL,CR,CU,CL");
}

/* A request pending when the handle closes keeps the file: CLOSE only after it completes. */
static void close_waits_for_a_request_the_driver_keeps(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncDev");
    dev->pend_reads = TRUE;
    struct record r = {0};
    owdf_user_io io;
    owdf_user_io_init(&io, record_cb, &r);
    char buf[4];
    assert_int_equal(owdf_user_read_async(h, buf, sizeof buf, NULL, &io), STATUS_PENDING);
    /* Take it away from cancel first, so neither cancel nor CLEANUP ends it. */
    PIRP irp = tdrv_take(dev, NULL);
    assert_non_null(irp);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(dev), "CR,RD,CU");
    assert_int_equal(owdf_user_live_file_count(), 1);
    tdrv_finish(irp, STATUS_SUCCESS, 0);
    wait_until(&r.calls, 1);
    assert_true(tdev_wait_log(dev, "CR,RD,CU,CL")); /* from a worker: we were inside IoCompleteRequest */
}

static void in_flight_io_cannot_be_reused(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    owdf_user_io io;
    owdf_user_io_init(&io, NULL, NULL);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &io), STATUS_PENDING);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &io), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_verifier_report_count("IO_USER_IO_IN_FLIGHT"), 1);
    assert_int_equal(bdev->pending_count, 1);
    assert_int_equal(owdf_user_cancel(h, &io), STATUS_SUCCESS);
    assert_int_equal(owdf_user_wait(&io, OWDF_USER_INFINITE), STATUS_CANCELLED);
    /* Done: it may be used again. */
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_BUFFERED, NULL, 0, NULL, 0, &io), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

/* A callback may start the next request with the same io. */
struct chain {
    HANDLE h;
    owdf_user_io io;
    volatile LONG calls;
    char buf[4];
};

static void chain_cb(owdf_user_io *io, void *context)
{
    struct chain *c = context;
    LONG n = __atomic_add_fetch(&c->calls, 1, __ATOMIC_ACQ_REL);
    assert_int_equal(io->status, STATUS_SUCCESS);
    if (n < 3)
        assert_int_equal(owdf_user_read_async(c->h, c->buf, sizeof c->buf, NULL, io), STATUS_PENDING);
}

static void callback_reuses_its_io(void **state)
{
    (void)state;
    struct chain c = {0};
    c.h = open_dev("\\Device\\AsyncDev");
    dev->pend_reads = TRUE;
    owdf_user_io_init(&c.io, chain_cb, &c);
    assert_int_equal(owdf_user_read_async(c.h, c.buf, sizeof c.buf, NULL, &c.io), STATUS_PENDING);
    struct completer k = {.t = dev, .count = 3, .status = STATUS_SUCCESS};
    completer_start(&k);
    completer_join(&k);
    wait_until(&c.calls, 3);
    assert_int_equal(owdf_user_close(c.h), STATUS_SUCCESS);
}

static void errors(void **state)
{
    (void)state;
    struct record r = {0};
    owdf_user_io io;
    owdf_user_io_init(&io, record_cb, &r);
    char buf[4];
    assert_int_equal(owdf_user_read_async((HANDLE)0x44, buf, 4, NULL, &io), STATUS_INVALID_HANDLE);
    assert_int_equal(io.status, STATUS_INVALID_HANDLE);
    assert_int_equal(r.calls, 0);
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    assert_int_equal(owdf_user_read_async(h, buf, 4, NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_read_async(h, NULL, 4, NULL, &io), STATUS_ACCESS_VIOLATION);
    assert_int_equal(owdf_user_ioctl_async(h, TDRV_IOCTL_BUFFERED, NULL, 4, NULL, 0, &io), STATUS_ACCESS_VIOLATION);
    assert_int_equal(r.calls, 0);
    /* Waiting: on an io with a callback, on one never started. */
    assert_int_equal(owdf_user_wait(&io, 0), STATUS_INVALID_PARAMETER);
    owdf_user_io plain;
    owdf_user_io_init(&plain, NULL, NULL);
    assert_int_equal(owdf_user_wait(&plain, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_wait(NULL, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_read_async((HANDLE)0x44, buf, 4, NULL, &plain), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_user_wait(&plain, 0), STATUS_INVALID_PARAMETER);
    assert_string_equal(tdev_log_string(bdev), "CR");
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

/* The cleanup of a file has begun: a request prepared before is refused, not sent. */
static void request_after_cleanup_is_refused(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\AsyncBuf");
    io_xfer x = {.major = IRP_MJ_DEVICE_CONTROL, .code = TDRV_IOCTL_BUFFERED};
    io_req req;
    PDEVICE_OBJECT top;
    assert_int_equal(io_xfer_prepare(h, UserMode, &x, &req, &top), STATUS_SUCCESS);
    PFILE_OBJECT fo = &req.file->fo;
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(bdev), "CR,CU");
    BOOLEAN sent = TRUE;
    assert_int_equal(io_req_send_async(&req, top, &sent), STATUS_FILE_CLOSED);
    assert_false(sent);
    assert_string_equal(tdev_log_string(bdev), "CR,CU");
    ObDereferenceObject(fo);
    assert_string_equal(tdev_log_string(bdev), "CR,CU,CL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pending_completed_by_another_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(completion_at_dispatch_calls_back_at_passive, setup, teardown),
        cmocka_unit_test_setup_teardown(inline_completion_returns_the_status, setup, teardown),
        cmocka_unit_test_setup_teardown(wait_for_a_pending_request, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_one_request, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_without_cancel_routine, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_a_synchronous_request_on_another_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(close_with_io_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(close_waits_for_a_request_the_driver_keeps, setup, teardown),
        cmocka_unit_test_setup_teardown(in_flight_io_cannot_be_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(callback_reuses_its_io, setup, teardown),
        cmocka_unit_test_setup_teardown(errors, setup, teardown),
        cmocka_unit_test_setup_teardown(request_after_cleanup_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
