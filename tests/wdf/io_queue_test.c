/*
 * io_queue_test.c - WDFQUEUE: creation and its validation, KMDF's routing (configured queue, default
 * queue, FDO fails / filter forwards, EvtIoDefault fallback, zero-length requests), sequential /
 * parallel (NumberOfPresentedRequests) / manual dispatching, Start / Stop / Purge / Drain /
 * StopAndPurge with their callbacks and Synchronously forms, GetState, ReadyNotify, manual retrieval
 * and search, power-managed queues (held until D0, EvtIoStop / StopAcknowledge / EvtIoResume),
 * removal (EvtIoStop with WdfRequestStopActionPurge) and EvtIoInCallerContext + WdfDeviceEnqueueRequest.
 */
#include "fx_fast_section.h"
#include "io_testlib.h"

#include <openwdf/nt.h>
#include <openwdf/pool.h>

#include <pthread.h>
#include <sched.h>
#include <string.h>

/* ---- the test driver's callbacks ---------------------------------------------------------------- */

enum stop_action { STOP_NONE, STOP_COMPLETE, STOP_ACK_REQUEUE, STOP_ACK };

static struct {
    volatile LONG reads, writes, ioctls, defaults, resumes, canceled_on_queue, cancels, ready, state_cb;
    volatile LONG in_caller;
    BOOLEAN hold; /* keep presented requests instead of completing them */
    WDFREQUEST held[32];
    volatile LONG nheld;
    ULONG stop_flags[8];
    int nstop;
    enum stop_action stop_action;
    WDFQUEUE q[4];
    NTSTATUS st[16];
    WDFQUEUE state_cb_queue;
    WDFCONTEXT state_cb_context;
    size_t last_length;
    BOOLEAN enqueue_in_caller; /* EvtIoInCallerContext gives the request to WdfDeviceEnqueueRequest */
    BOOLEAN mode_passive;
    NTSTATUS enqueue_status;
} T;

static void keep(WDFREQUEST r)
{
    LONG i = __atomic_fetch_add(&T.nheld, 1, __ATOMIC_ACQ_REL);
    assert_true(i < 32);
    T.held[i] = r;
}

static void EvtRead(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    __atomic_add_fetch(&T.reads, 1, __ATOMIC_ACQ_REL);
    T.last_length = length;
    if (T.hold) {
        keep(r);
        return;
    }
    void *b;
    size_t n;
    if (length != 0 && NT_SUCCESS(WdfRequestRetrieveOutputBuffer(r, 1, &b, &n)))
        memset(b, 'r', n);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
}

static void EvtWrite(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    __atomic_add_fetch(&T.writes, 1, __ATOMIC_ACQ_REL);
    T.last_length = length;
    if (T.hold) {
        keep(r);
        return;
    }
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
}

static void EvtIoctl(WDFQUEUE q, WDFREQUEST r, size_t out, size_t in, ULONG code)
{
    (void)q;
    (void)out;
    (void)in;
    (void)code;
    __atomic_add_fetch(&T.ioctls, 1, __ATOMIC_ACQ_REL);
    if (T.hold) {
        keep(r);
        return;
    }
    WdfRequestComplete(r, STATUS_SUCCESS);
}

static void EvtDefault(WDFQUEUE q, WDFREQUEST r)
{
    (void)q;
    __atomic_add_fetch(&T.defaults, 1, __ATOMIC_ACQ_REL);
    if (T.hold) {
        keep(r);
        return;
    }
    WdfRequestComplete(r, STATUS_SUCCESS);
}

static void EvtStop(WDFQUEUE q, WDFREQUEST r, ULONG flags)
{
    (void)q;
    if (T.nstop < 8)
        T.stop_flags[T.nstop++] = flags;
    switch (T.stop_action) {
    case STOP_COMPLETE:
        WdfRequestComplete(r, STATUS_CANCELLED);
        break;
    case STOP_ACK_REQUEUE:
        WdfRequestStopAcknowledge(r, TRUE);
        break;
    case STOP_ACK:
        WdfRequestStopAcknowledge(r, FALSE);
        break;
    default:
        break;
    }
}

static void EvtResume(WDFQUEUE q, WDFREQUEST r)
{
    (void)q;
    (void)r;
    __atomic_add_fetch(&T.resumes, 1, __ATOMIC_ACQ_REL);
}

static void EvtCanceledOnQueue(WDFQUEUE q, WDFREQUEST r)
{
    (void)q;
    __atomic_add_fetch(&T.canceled_on_queue, 1, __ATOMIC_ACQ_REL);
    WdfRequestComplete(r, STATUS_CANCELLED);
}

static void EvtCancel(WDFREQUEST r)
{
    __atomic_add_fetch(&T.cancels, 1, __ATOMIC_ACQ_REL);
    WdfRequestComplete(r, STATUS_CANCELLED);
}

static void EvtState(WDFQUEUE q, WDFCONTEXT context)
{
    __atomic_add_fetch(&T.state_cb, 1, __ATOMIC_ACQ_REL);
    T.state_cb_queue = q;
    T.state_cb_context = context;
}

static void EvtReady(WDFQUEUE q, WDFCONTEXT context)
{
    (void)q;
    (void)context;
    __atomic_add_fetch(&T.ready, 1, __ATOMIC_ACQ_REL);
}

static void complete_held(int i, NTSTATUS status)
{
    WdfRequestComplete(T.held[i], status);
}

static volatile LONG b_other_thread, b_irql_bad, b_presented, a_inside;

static int setup(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    b_other_thread = b_irql_bad = b_presented = a_inside = 0;
    return 0;
}

static WDFQUEUE make_queue(WDFDEVICE d, WDF_IO_QUEUE_DISPATCH_TYPE type, BOOLEAN is_default)
{
    WDF_IO_QUEUE_CONFIG c;
    if (is_default)
        WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, type);
    else
        WDF_IO_QUEUE_CONFIG_INIT(&c, type);
    if (type != WdfIoQueueDispatchManual) {
        c.EvtIoRead = EvtRead;
        c.EvtIoWrite = EvtWrite;
        c.EvtIoDeviceControl = EvtIoctl;
    }
    c.EvtIoStop = EvtStop;
    c.EvtIoResume = EvtResume;
    WDFQUEUE q;
    assert_int_equal(WdfIoQueueCreate(d, &c, WDF_NO_OBJECT_ATTRIBUTES, &q), STATUS_SUCCESS);
    return q;
}

/* ---- creation ---------------------------------------------------------------------------------- */

static void q_validation(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDFQUEUE q = (WDFQUEUE)1;
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchInvalid);
    c.EvtIoDefault = EvtDefault;
    T.st[0] = WdfIoQueueCreate(d, &c, NULL, &q);
    T.q[0] = q;
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchSequential);
    T.st[1] = WdfIoQueueCreate(d, &c, NULL, NULL); /* no handler */
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
    c.EvtIoRead = EvtRead;
    T.st[2] = WdfIoQueueCreate(d, &c, NULL, NULL); /* manual with a handler */
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoDefault = EvtDefault;
    c.Size = 12;
    T.st[3] = WdfIoQueueCreate(d, &c, NULL, NULL);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchSequential);
    c.EvtIoDefault = EvtDefault;
    c.Settings.Parallel.NumberOfPresentedRequests = 2;
    T.st[4] = WdfIoQueueCreate(d, &c, NULL, NULL);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoDefault = EvtDefault;
    c.Settings.Parallel.NumberOfPresentedRequests = 0;
    T.st[5] = WdfIoQueueCreate(d, &c, NULL, NULL);
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.EvtIoDefault = EvtDefault;
    T.st[6] = WdfIoQueueCreate(d, &c, NULL, &T.q[1]);
    T.st[7] = WdfIoQueueCreate(d, &c, NULL, &T.q[2]); /* a second default queue */
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoDefault = EvtDefault;
    c.PowerManaged = (WDF_TRI_STATE)7;
    T.st[8] = WdfIoQueueCreate(d, &c, NULL, NULL);
    T.st[9] = WdfIoQueueCreate(d, NULL, NULL, NULL);
    /* The old (KMDF 1.7) config size is accepted: no NumberOfPresentedRequests, so unlimited. */
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoDefault = EvtDefault;
    c.Size = offsetof(WDF_IO_QUEUE_CONFIG, Settings);
    T.st[10] = WdfIoQueueCreate(d, &c, NULL, &T.q[3]);
}

static void test_create_validation(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_validation};
    io_tl_up(&cfg);
    assert_int_equal(T.st[0], STATUS_INVALID_PARAMETER);
    assert_null(T.q[0]);
    assert_int_equal(T.st[1], STATUS_WDF_NO_CALLBACK);
    assert_int_equal(T.st[2], STATUS_INVALID_PARAMETER);
    assert_int_equal(T.st[3], STATUS_INFO_LENGTH_MISMATCH);
    assert_int_equal(T.st[4], STATUS_INVALID_PARAMETER);
    assert_int_equal(T.st[5], STATUS_INVALID_PARAMETER);
    assert_int_equal(T.st[6], STATUS_SUCCESS);
    assert_int_equal(T.st[7], STATUS_UNSUCCESSFUL);
    assert_null(T.q[2]);
    assert_int_equal(T.st[8], STATUS_INVALID_PARAMETER);
    assert_int_equal(T.st[9], STATUS_INVALID_PARAMETER);
    assert_int_equal(T.st[10], STATUS_SUCCESS);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 1);
    assert_int_equal(tl_reports("QUEUE_CONFIG_INVALID"), 8);
    assert_ptr_equal(WdfDeviceGetDefaultQueue(io_tl_device), T.q[1]);
    assert_ptr_equal(WdfIoQueueGetDevice(T.q[1]), io_tl_device);
    /* The default queue cannot be deleted by the driver. */
    WdfObjectDelete(T.q[1]);
    assert_int_equal(tl_reports("DELETE_FRAMEWORK_OWNED"), 1);
    /* Another queue can. */
    WdfObjectDelete(T.q[3]);
    char b[4];
    ULONG n;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.defaults, 1);
    io_tl_down();
}

/* ---- routing ------------------------------------------------------------------------------------- */

static void q_default_rwi(WDFDEVICE d)
{
    T.q[0] = make_queue(d, WdfIoQueueDispatchParallel, TRUE);
}

static void test_default_queue_routes_by_type(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_default_rwi};
    io_tl_up(&cfg);
    char b[16];
    ULONG n = 0;
    assert_int_equal(io_tl_read(b, 16, &n), STATUS_SUCCESS);
    assert_int_equal(n, 16);
    assert_int_equal(b[15], 'r');
    assert_int_equal(io_tl_write("hello", 5, &n), STATUS_SUCCESS);
    assert_int_equal(n, 5);
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_BUFFERED, NULL, 0, NULL, 0, &n), STATUS_SUCCESS);
    assert_int_equal(T.reads, 1);
    assert_int_equal(T.writes, 1);
    assert_int_equal(T.ioctls, 1);
    /* The queue handled them all; none is left. */
    ULONG queued = 9, driver = 9;
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_true(WDF_IO_QUEUE_READY(s));
    assert_true(WDF_IO_QUEUE_IDLE(s));
    assert_int_equal(queued, 0);
    assert_int_equal(driver, 0);
    io_tl_down();
}

static void test_no_queue_fails_invalid_device_request(void **state)
{
    (void)state;
    io_tl_config cfg = {0};
    io_tl_up(&cfg);
    char b[4];
    ULONG n = 5;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(n, 0);
    io_tl_down();
}

static void q_read_only(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtRead, NULL, NULL);
}

static void test_type_without_handler_fails(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_read_only};
    io_tl_up(&cfg);
    ULONG n;
    assert_int_equal(io_tl_write("x", 1, &n), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(T.writes, 0);
    io_tl_down();
}

static void q_default_only(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, EvtDefault, EvtRead, NULL, NULL);
}

static void test_evtiodefault_takes_other_types(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_default_only};
    io_tl_up(&cfg);
    ULONG n;
    char b[2];
    assert_int_equal(io_tl_write("x", 1, &n), STATUS_SUCCESS);
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_BUFFERED, NULL, 0, NULL, 0, &n), STATUS_SUCCESS);
    assert_int_equal(io_tl_read(b, 2, &n), STATUS_SUCCESS);
    assert_int_equal(T.defaults, 2);
    assert_int_equal(T.reads, 1);
    io_tl_down();
}

static void q_zero_length(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtRead;
    c.EvtIoWrite = EvtWrite;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoWrite = EvtWrite;
    c.AllowZeroLengthRequests = TRUE;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[1]), STATUS_SUCCESS);
    assert_int_equal(WdfDeviceConfigureRequestDispatching(d, T.q[1], WdfRequestTypeWrite), STATUS_SUCCESS);
}

static void test_zero_length_requests(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_zero_length};
    io_tl_up(&cfg);
    char b[1];
    ULONG n = 7;
    /* Zero-length read: completed by the framework with STATUS_SUCCESS, never presented. */
    assert_int_equal(io_tl_read(b, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(T.reads, 0);
    /* The write queue allows them: presented with Length 0. */
    T.last_length = 9;
    assert_int_equal(io_tl_write(b, 0, &n), STATUS_SUCCESS);
    assert_int_equal(T.writes, 1);
    assert_int_equal(T.last_length, 0);
    io_tl_down();
}

static void q_dispatching(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, EvtDefault, NULL, NULL, NULL);
    T.q[1] = io_tl_queue(d, WdfIoQueueDispatchParallel, FALSE, NULL, EvtRead, NULL, NULL);
    T.q[2] = io_tl_queue(d, WdfIoQueueDispatchParallel, FALSE, NULL, EvtRead, EvtWrite, NULL);
    T.st[0] = WdfDeviceConfigureRequestDispatching(d, T.q[1], WdfRequestTypeRead);
    T.st[1] = WdfDeviceConfigureRequestDispatching(d, T.q[0], WdfRequestTypeWrite);   /* the default queue */
    T.st[2] = WdfDeviceConfigureRequestDispatching(d, T.q[2], WdfRequestTypeRead);    /* taken */
    T.st[3] = WdfDeviceConfigureRequestDispatching(d, T.q[1], WdfRequestTypeWrite);   /* no handler */
    T.st[4] = WdfDeviceConfigureRequestDispatching(d, T.q[2], WdfRequestTypeCleanup); /* not a queue type */
    T.st[5] = WdfDeviceConfigureRequestDispatching(d, T.q[2], WdfRequestTypeWrite);
    T.st[6] = WdfDeviceConfigureRequestDispatching(d, T.q[1], WdfRequestTypeRead); /* again, same queue */
}

static void test_configure_request_dispatching(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_dispatching};
    io_tl_up(&cfg);
    assert_int_equal(T.st[0], STATUS_SUCCESS);
    assert_int_equal(T.st[1], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(T.st[2], STATUS_WDF_BUSY);
    assert_int_equal(T.st[3], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(T.st[4], STATUS_INVALID_PARAMETER);
    assert_int_equal(T.st[5], STATUS_SUCCESS);
    assert_int_equal(T.st[6], STATUS_SUCCESS);
    char b[4];
    ULONG n;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(io_tl_write(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_BUFFERED, NULL, 0, NULL, 0, &n), STATUS_SUCCESS);
    assert_int_equal(T.reads, 1);
    assert_int_equal(T.writes, 1);
    assert_int_equal(T.defaults, 1); /* the IOCTL went to the default queue */
    /* A queue configured for a type cannot be deleted by the driver. */
    WdfObjectDelete(T.q[1]);
    assert_int_equal(tl_reports("DELETE_FRAMEWORK_OWNED"), 1);
    io_tl_down();
}

/* ---- dispatch types ------------------------------------------------------------------------------ */

static void q_sequential(WDFDEVICE d)
{
    T.q[0] = make_queue(d, WdfIoQueueDispatchSequential, TRUE);
}

static void test_sequential_presents_one_at_a_time(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_sequential};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a[3];
    char b[3][4];
    for (int i = 0; i < 3; i++)
        assert_int_equal(io_tl_read_async(&a[i], b[i], 4), STATUS_PENDING);
    assert_int_equal(T.reads, 1);
    ULONG queued, driver;
    WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_int_equal(queued, 2);
    assert_int_equal(driver, 1);
    /* Completing the one presented presents the next (on the completing thread). */
    complete_held(0, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(T.reads, 2);
    assert_true(io_tl_pending(&a[1]));
    complete_held(1, STATUS_SUCCESS);
    complete_held(2, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[2]), STATUS_SUCCESS);
    assert_int_equal(T.reads, 3);
    io_tl_down();
}

static void q_parallel_two(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.Settings.Parallel.NumberOfPresentedRequests = 2;
    c.EvtIoRead = EvtRead;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
}

static void test_parallel_number_of_presented_requests(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_parallel_two};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a[4];
    char b[4][4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(io_tl_read_async(&a[i], b[i], 4), STATUS_PENDING);
    assert_int_equal(T.reads, 2);
    complete_held(1, STATUS_SUCCESS);
    assert_int_equal(T.reads, 3);
    complete_held(0, STATUS_SUCCESS);
    assert_int_equal(T.reads, 4);
    complete_held(2, STATUS_SUCCESS);
    complete_held(3, STATUS_SUCCESS);
    for (int i = 0; i < 4; i++)
        assert_int_equal(io_tl_wait(&a[i]), STATUS_SUCCESS);
    io_tl_down();
}

/* ---- manual queues ------------------------------------------------------------------------------ */

static void q_manual(WDFDEVICE d)
{
    T.q[0] = make_queue(d, WdfIoQueueDispatchManual, TRUE);
    T.q[1] = io_tl_queue(d, WdfIoQueueDispatchParallel, FALSE, EvtDefault, NULL, NULL, NULL);
}

static void test_manual_retrieve_next(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_manual};
    io_tl_up(&cfg);
    WDFREQUEST r = (WDFREQUEST)1;
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_NO_MORE_ENTRIES);
    assert_null(r);
    assert_int_equal(WdfIoQueueReadyNotify(T.q[0], EvtReady, (WDFCONTEXT)0x42), STATUS_SUCCESS);
    assert_int_equal(WdfIoQueueReadyNotify(T.q[0], EvtReady, NULL), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("CONCURRENT_QUEUE_STATE_CHANGE"), 1);
    io_tl_async a[2];
    char b[2][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(T.ready, 1); /* empty -> not empty */
    assert_int_equal(io_tl_read_async(&a[1], b[1], 2), STATUS_PENDING);
    assert_int_equal(T.ready, 1);
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], NULL, NULL);
    assert_false(s & WdfIoQueueNoRequests);
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_SUCCESS);
    WDF_REQUEST_PARAMETERS p;
    WDF_REQUEST_PARAMETERS_INIT(&p);
    WdfRequestGetParameters(r, &p);
    assert_int_equal(p.Parameters.Read.Length, 4); /* FIFO */
    assert_ptr_equal(WdfRequestGetIoQueue(r), T.q[0]);
    WDFREQUEST r2;
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r2), STATUS_SUCCESS);
    ULONG queued, driver;
    WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_int_equal(queued, 0);
    assert_int_equal(driver, 2);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 4);
    WdfRequestCompleteWithInformation(r2, STATUS_SUCCESS, 1);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_SUCCESS);
    assert_int_equal(a[1].io.information, 1);
    /* ReadyNotify again on the next empty -> not empty edge. */
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(T.ready, 2);
    /* A stopped manual queue hands out nothing. */
    WdfIoQueueStop(T.q[0], NULL, NULL);
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_WDF_PAUSED);
    /* Cancelling ReadyNotify needs a stopped queue. */
    assert_int_equal(WdfIoQueueReadyNotify(T.q[0], NULL, NULL), STATUS_SUCCESS);
    WdfIoQueueStart(T.q[0]);
    assert_int_equal(WdfIoQueueReadyNotify(T.q[0], NULL, NULL), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_SUCCESS);
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    /* Retrieval from a parallel queue is refused; ReadyNotify needs a manual queue. */
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[1], &r), STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(WdfIoQueueReadyNotify(T.q[1], EvtReady, NULL), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("MANUAL_ONLY_API"), 1);
    io_tl_down();
}

static void test_manual_find_and_retrieve_found(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_manual};
    io_tl_up(&cfg);
    io_tl_async a[3];
    char b[3][8];
    for (int i = 0; i < 3; i++)
        assert_int_equal(io_tl_read_async(&a[i], b[i], (ULONG)(i + 1)), STATUS_PENDING);
    /* Walk the queue with FindRequest: each found request is referenced for the driver. */
    WDFREQUEST found = NULL, prev = NULL, second = NULL;
    WDF_REQUEST_PARAMETERS p;
    for (int i = 0; i < 3; i++) {
        WDF_REQUEST_PARAMETERS_INIT(&p);
        assert_int_equal(WdfIoQueueFindRequest(T.q[0], prev, NULL, &p, &found), STATUS_SUCCESS);
        assert_int_equal(p.Type, WdfRequestTypeRead);
        assert_int_equal(p.Parameters.Read.Length, (size_t)(i + 1));
        if (prev != NULL && prev != second)
            WdfObjectDereference(prev);
        if (i == 1)
            second = found;
        prev = found;
    }
    assert_int_equal(WdfIoQueueFindRequest(T.q[0], prev, NULL, NULL, &found), STATUS_NO_MORE_ENTRIES);
    WdfObjectDereference(prev);
    /* Take the second one out of the queue. */
    WDFREQUEST r;
    assert_int_equal(WdfIoQueueRetrieveFoundRequest(T.q[0], second, &r), STATUS_SUCCESS);
    assert_ptr_equal(r, second);
    WdfObjectDereference(second);
    /* Not in the queue any more. */
    assert_int_equal(WdfIoQueueRetrieveFoundRequest(T.q[0], second, &r), STATUS_NOT_FOUND);
    assert_int_equal(WdfIoQueueFindRequest(T.q[0], second, NULL, NULL, &found), STATUS_NOT_FOUND);
    WdfRequestCompleteWithInformation(second, STATUS_SUCCESS, 2);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_SUCCESS);
    /* The remaining two, in order. */
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_SUCCESS);
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_SUCCESS);
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[2]), STATUS_SUCCESS);
    /* FindRequest on a parallel queue is a manual-only DDI. */
    assert_int_equal(WdfIoQueueFindRequest(T.q[1], NULL, NULL, NULL, &found), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("MANUAL_ONLY_API"), 1);
    io_tl_down();
}

/* ---- stop / start / purge / drain --------------------------------------------------------------- */

static void test_stop_start(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_sequential};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a[3];
    char b[3][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(T.reads, 1);
    /* Stop: still accepting, no more dispatching; StopComplete once the driver owns nothing. */
    WdfIoQueueStop(T.q[0], EvtState, (WDFCONTEXT)0x55);
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], NULL, NULL);
    assert_true(s & WdfIoQueueAcceptRequests);
    assert_false(s & WdfIoQueueDispatchRequests);
    assert_false(WDF_IO_QUEUE_STOPPED(s)); /* the driver still owns one */
    assert_int_equal(T.state_cb, 0);
    /* A second Stop with a callback while one is outstanding is refused. */
    WdfIoQueueStop(T.q[0], EvtState, NULL);
    assert_int_equal(tl_reports("CONCURRENT_QUEUE_STATE_CHANGE"), 1);
    assert_int_equal(io_tl_read_async(&a[1], b[1], 4), STATUS_PENDING);
    assert_int_equal(T.reads, 1); /* queued, not presented */
    complete_held(0, STATUS_SUCCESS);
    assert_int_equal(T.state_cb, 1);
    assert_ptr_equal(T.state_cb_queue, T.q[0]);
    assert_ptr_equal(T.state_cb_context, (WDFCONTEXT)0x55);
    assert_int_equal(T.reads, 1);
    ULONG queued, driver;
    s = WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_int_equal(queued, 1);
    assert_int_equal(driver, 0);
    assert_true(WDF_IO_QUEUE_STOPPED(s));
    /* Start presents what waited. */
    WdfIoQueueStart(T.q[0]);
    assert_int_equal(T.reads, 2);
    complete_held(1, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_SUCCESS);
    /* StopSynchronously with nothing owned returns at once. */
    WdfIoQueueStopSynchronously(T.q[0]);
    assert_true(WDF_IO_QUEUE_STOPPED(WdfIoQueueGetState(T.q[0], NULL, NULL)));
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}

static void *complete_later(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 30 * 1000000L};
    nanosleep(&ts, NULL);
    complete_held(0, STATUS_SUCCESS);
    return NULL;
}

static void test_stop_synchronously_waits_for_driver(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_sequential};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_later, NULL), 0);
    WdfIoQueueStopSynchronously(T.q[0]);
    /* It returned only after the driver completed its request. */
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    pthread_join(t, NULL);
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}

static void q_purge(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchSequential);
    c.EvtIoRead = EvtRead;
    c.EvtIoCanceledOnQueue = EvtCanceledOnQueue;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
}

static void test_purge(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_purge};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a[3];
    char b[3][4];
    for (int i = 0; i < 3; i++)
        assert_int_equal(io_tl_read_async(&a[i], b[i], 4), STATUS_PENDING);
    assert_int_equal(T.reads, 1);
    WdfRequestMarkCancelable(T.held[0], EvtCancel);
    WdfIoQueuePurge(T.q[0], EvtState, (WDFCONTEXT)7);
    /* Queued requests are completed STATUS_CANCELLED (never presented: no EvtIoCanceledOnQueue);
     * the driver's cancelable one went to EvtRequestCancel. Then PurgeComplete. */
    assert_int_equal(io_tl_wait(&a[1]), STATUS_CANCELLED);
    assert_int_equal(io_tl_wait(&a[2]), STATUS_CANCELLED);
    assert_int_equal(T.canceled_on_queue, 0);
    assert_int_equal(T.cancels, 1);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_CANCELLED);
    assert_int_equal(T.state_cb, 1);
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], NULL, NULL);
    assert_true(WDF_IO_QUEUE_PURGED(s));
    /* A purged queue refuses new requests with STATUS_INVALID_DEVICE_STATE. */
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_INVALID_DEVICE_STATE);
    /* Start makes it accept again. */
    WdfIoQueueStart(T.q[0]);
    T.hold = FALSE;
    ULONG n;
    assert_int_equal(io_tl_read(b[0], 4, &n), STATUS_SUCCESS);
    io_tl_down();
}

static void q_manual_canceled_on_queue(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchManual);
    c.EvtIoCanceledOnQueue = EvtCanceledOnQueue;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
}

static void test_canceled_on_queue_only_for_presented(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_manual_canceled_on_queue};
    io_tl_up(&cfg);
    io_tl_async a[2];
    char b[2][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(io_tl_read_async(&a[1], b[1], 4), STATUS_PENDING);
    /* Retrieve the first and requeue it: it was delivered once. */
    WDFREQUEST r;
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_SUCCESS);
    assert_int_equal(WdfRequestRequeue(r), STATUS_SUCCESS);
    /* Cancel both through the I/O manager: the requeued one goes to EvtIoCanceledOnQueue, the
     * other is completed STATUS_CANCELLED by the framework. */
    assert_int_equal(owdf_user_cancel(io_tl_handle, NULL), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_CANCELLED);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_CANCELLED);
    assert_int_equal(T.canceled_on_queue, 1);
    io_tl_down();
}

static void q_drain(WDFDEVICE d)
{
    T.q[0] = make_queue(d, WdfIoQueueDispatchSequential, TRUE);
}

static void test_drain(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_drain};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a[3];
    char b[3][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(io_tl_read_async(&a[1], b[1], 4), STATUS_PENDING);
    WdfIoQueueDrain(T.q[0], EvtState, NULL);
    /* New requests are refused; the queued one is still delivered. */
    assert_int_equal(io_tl_read_async(&a[2], b[2], 4), STATUS_INVALID_DEVICE_STATE);
    complete_held(0, STATUS_SUCCESS);
    assert_int_equal(T.reads, 2);
    assert_int_equal(T.state_cb, 0);
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], NULL, NULL);
    assert_true(WDF_IO_QUEUE_DRAINED(s));
    assert_false(WDF_IO_QUEUE_PURGED(s)); /* the driver still owns one */
    complete_held(1, STATUS_SUCCESS);
    assert_int_equal(T.state_cb, 1);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_SUCCESS);
    /* Drain and Purge share the completion slot. */
    WdfIoQueueStart(T.q[0]);
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    WdfIoQueueDrain(T.q[0], EvtState, NULL);
    WdfIoQueuePurge(T.q[0], EvtState, NULL);
    assert_int_equal(tl_reports("CONCURRENT_QUEUE_STATE_CHANGE"), 1);
    complete_held(2, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(T.state_cb, 2);
    WdfIoQueueDrainSynchronously(T.q[0]); /* already drained: returns at once */
    WdfIoQueuePurgeSynchronously(T.q[0]);
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}

static void test_stop_and_purge(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_purge};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a[3];
    char b[3][4];
    for (int i = 0; i < 2; i++)
        assert_int_equal(io_tl_read_async(&a[i], b[i], 4), STATUS_PENDING);
    WdfRequestMarkCancelable(T.held[0], EvtCancel);
    WdfIoQueueStopAndPurge(T.q[0], EvtState, NULL);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_CANCELLED);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_CANCELLED);
    assert_int_equal(T.state_cb, 1);
    /* Stopped, but still accepting: new requests wait. */
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], NULL, NULL);
    assert_true(s & WdfIoQueueAcceptRequests);
    assert_false(s & WdfIoQueueDispatchRequests);
    assert_int_equal(io_tl_read_async(&a[2], b[2], 4), STATUS_PENDING);
    assert_int_equal(T.reads, 1);
    WdfIoQueueStart(T.q[0]);
    assert_int_equal(T.reads, 2);
    complete_held(1, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[2]), STATUS_SUCCESS);
    WdfIoQueueStopAndPurgeSynchronously(T.q[0]);
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}

/* ---- power --------------------------------------------------------------------------------------- */

static void q_power(WDFDEVICE d)
{
    T.q[0] = make_queue(d, WdfIoQueueDispatchSequential, TRUE);
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.PowerManaged = WdfFalse;
    c.EvtIoDeviceControl = EvtIoctl;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[1]), STATUS_SUCCESS);
    assert_int_equal(WdfDeviceConfigureRequestDispatching(d, T.q[1], WdfRequestTypeDeviceControl), STATUS_SUCCESS);
}

static void test_power_managed_queue_holds_until_d0(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_power, .no_start = TRUE};
    io_tl_up(&cfg);
    /* Not started: the power-managed queue holds reads; the other one presents IOCTLs. */
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], NULL, NULL);
    assert_true(s & WdfIoQueuePnpHeld);
    assert_false(WdfIoQueueGetState(T.q[1], NULL, NULL) & WdfIoQueuePnpHeld);
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    assert_int_equal(T.reads, 0);
    ULONG n;
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_BUFFERED, NULL, 0, NULL, 0, &n), STATUS_SUCCESS);
    assert_int_equal(T.ioctls, 1);
    io_tl_start();
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    assert_int_equal(T.reads, 1);
    assert_false(WdfIoQueueGetState(T.q[0], NULL, NULL) & WdfIoQueuePnpHeld);
    io_tl_down();
}

static void test_power_down_evtiostop_requeue(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_power};
    io_tl_up(&cfg);
    T.hold = TRUE;
    T.stop_action = STOP_ACK_REQUEUE;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    assert_int_equal(T.reads, 1);
    io_tl_stop();
    assert_int_equal(T.nstop, 1);
    assert_int_equal(T.stop_flags[0], WdfRequestStopActionSuspend);
    /* Requeued: back in the (held) queue, not owned by the driver. */
    ULONG queued, driver;
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_true(s & WdfIoQueuePnpHeld);
    assert_int_equal(queued, 1);
    assert_int_equal(driver, 0);
    io_tl_start();
    /* Presented again after power-up; no EvtIoResume for a requeued request. */
    assert_int_equal(T.reads, 2);
    assert_int_equal(T.resumes, 0);
    complete_held(1, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    io_tl_down();
}

static void test_power_down_evtiostop_acknowledge_resume(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_power};
    io_tl_up(&cfg);
    T.hold = TRUE;
    T.stop_action = STOP_ACK;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    WdfRequestMarkCancelable(T.held[0], EvtCancel);
    io_tl_stop();
    assert_int_equal(T.nstop, 1);
    assert_int_equal(T.stop_flags[0], WdfRequestStopActionSuspend | WdfRequestStopRequestCancelable);
    ULONG driver;
    WdfIoQueueGetState(T.q[0], NULL, &driver);
    assert_int_equal(driver, 1); /* acknowledged without requeue: still the driver's */
    io_tl_start();
    assert_int_equal(T.resumes, 1);
    assert_int_equal(T.reads, 1);
    assert_int_equal(WdfRequestUnmarkCancelable(T.held[0]), STATUS_SUCCESS);
    complete_held(0, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    io_tl_down();
}

static void test_power_down_without_evtiostop_waits_for_completion(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_read_only};
    io_tl_up(&cfg);
    T.hold = TRUE;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_later, NULL), 0);
    io_tl_stop(); /* returns once the driver completed its request */
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    pthread_join(t, NULL);
    assert_int_equal(tl_reports("EVTIOSTOP_NO_ACTION"), 0);
    io_tl_start();
    io_tl_down();
}

static void test_removal_evtiostop_purge(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_power};
    io_tl_up(&cfg);
    T.hold = TRUE;
    T.stop_action = STOP_COMPLETE;
    io_tl_async a[2];
    char b[2][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(io_tl_read_async(&a[1], b[1], 4), STATUS_PENDING);
    /* Removal: EvtIoStop(Suspend) while powering down, the driver completes; the queued one is
     * canceled by the purge. */
    io_tl_remove();
    io_tl_down();
    assert_int_equal(T.nstop, 1);
    assert_int_equal(T.stop_flags[0], WdfRequestStopActionSuspend);
    assert_int_equal(a[0].io.status, STATUS_CANCELLED);
    assert_int_equal(a[1].io.status, STATUS_CANCELLED);
}

static void q_not_power_managed(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.PowerManaged = WdfFalse;
    c.EvtIoRead = EvtRead;
    c.EvtIoStop = EvtStop;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
}

static void test_removal_purge_action_for_unmanaged_queue(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_not_power_managed};
    io_tl_up(&cfg);
    T.hold = TRUE;
    T.stop_action = STOP_COMPLETE;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    io_tl_stop(); /* not power managed: no EvtIoStop on a power-down */
    assert_int_equal(T.nstop, 0);
    io_tl_start();
    io_tl_remove();
    io_tl_down();
    assert_int_equal(T.nstop, 1);
    assert_int_equal(T.stop_flags[0], WdfRequestStopActionPurge);
    assert_int_equal(a.io.status, STATUS_CANCELLED);
}

/* ---- filters ----------------------------------------------------------------------------------- */

static void test_filter_forwards_unhandled_types(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_read_only, .filter = TRUE};
    io_tl_up(&cfg);
    ULONG n = 0;
    /* No write handler on the filter's default queue: the write goes to the PDO (Information 7). */
    assert_int_equal(io_tl_write("abc", 3, &n), STATUS_SUCCESS);
    assert_int_equal(n, 7); /* what the PDO reported */
    assert_int_equal(T.writes, 0);
    assert_int_equal(tl_bus.irps[IRP_MJ_WRITE], 1);
    char b[4];
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.reads, 1);
    assert_int_equal(tl_bus.irps[IRP_MJ_READ], 0);
    /* A filter's queues are not power managed by default. */
    assert_false(WdfIoQueueGetState(T.q[0], NULL, NULL) & WdfIoQueuePnpHeld);
    io_tl_down();
}

static void test_filter_without_queue_forwards_everything(void **state)
{
    (void)state;
    io_tl_config cfg = {.filter = TRUE};
    io_tl_up(&cfg);
    char b[4];
    ULONG n;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(tl_bus.irps[IRP_MJ_READ], 1);
    io_tl_down();
}

/* ---- EvtIoInCallerContext ---------------------------------------------------------------------- */

static void EvtInCaller(WDFDEVICE device, WDFREQUEST r)
{
    __atomic_add_fetch(&T.in_caller, 1, __ATOMIC_ACQ_REL);
    assert_null(WdfRequestGetIoQueue(r));
    if (T.enqueue_in_caller) {
        T.enqueue_status = WdfDeviceEnqueueRequest(device, r);
        if (!NT_SUCCESS(T.enqueue_status))
            WdfRequestComplete(r, T.enqueue_status); /* still the driver's: it completes it */
    } else {
        WdfRequestComplete(r, STATUS_ACCESS_DENIED);
    }
}

static void init_in_caller(PWDFDEVICE_INIT init)
{
    WdfDeviceInitSetIoInCallerContextCallback(init, EvtInCaller);
}

static void test_in_caller_context_and_enqueue(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_in_caller, .queues = q_default_rwi};
    io_tl_up(&cfg);
    char b[4];
    ULONG n;
    T.enqueue_in_caller = TRUE;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.in_caller, 1);
    assert_int_equal(T.enqueue_status, STATUS_SUCCESS);
    assert_int_equal(T.reads, 1);
    /* The driver may complete it in its EvtIoInCallerContext instead. */
    T.enqueue_in_caller = FALSE;
    assert_int_equal(io_tl_write(b, 4, &n), STATUS_ACCESS_DENIED);
    assert_int_equal(T.in_caller, 2);
    assert_int_equal(T.writes, 0);
    /* Enqueue into a queue that does not accept: STATUS_WDF_BUSY, the driver still owns it. */
    T.enqueue_in_caller = TRUE;
    WdfIoQueuePurgeSynchronously(T.q[0]);
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_WDF_BUSY);
    assert_int_equal(T.enqueue_status, STATUS_WDF_BUSY);
    assert_int_equal(T.in_caller, 3);
    assert_int_equal(T.reads, 1);
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}


/* ---- deferred presentation ------------------------------------------------------------------------ */

static pthread_t caller_thread;

static void EvtReadForwardToB(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    (void)length;
    __atomic_store_n(&a_inside, 1, __ATOMIC_RELEASE);
    T.st[0] = WdfRequestForwardToIoQueue(r, T.q[1]);
    /* B must not run inside this callback (its lock, or its IRQL, forbids it). */
    assert_int_equal(__atomic_load_n(&b_presented, __ATOMIC_ACQUIRE), 0);
    __atomic_store_n(&a_inside, 0, __ATOMIC_RELEASE);
}

static void EvtReadB(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    if (!pthread_equal(pthread_self(), caller_thread))
        __atomic_store_n(&b_other_thread, 1, __ATOMIC_RELEASE);
    if (KeGetCurrentIrql() > DISPATCH_LEVEL || __atomic_load_n(&a_inside, __ATOMIC_ACQUIRE))
        __atomic_store_n(&b_irql_bad, 1, __ATOMIC_RELEASE);
    if (T.mode_passive && KeGetCurrentIrql() != PASSIVE_LEVEL)
        __atomic_store_n(&b_irql_bad, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&b_presented, 1, __ATOMIC_ACQ_REL);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
}

static void q_forward_to_passive(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtReadForwardToB;
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.SynchronizationScope = WdfSynchronizationScopeQueue; /* a spin lock: EvtIoRead at DISPATCH_LEVEL */
    assert_int_equal(WdfIoQueueCreate(d, &c, &a, &T.q[0]), STATUS_SUCCESS);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtReadB;
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ExecutionLevel = WdfExecutionLevelPassive;
    a.SynchronizationScope = WdfSynchronizationScopeNone;
    assert_int_equal(WdfIoQueueCreate(d, &c, &a, &T.q[1]), STATUS_SUCCESS);
}

static void test_passive_queue_defers_to_work_item(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_forward_to_passive};
    io_tl_up(&cfg);
    caller_thread = pthread_self();
    T.mode_passive = TRUE;
    char b[4];
    ULONG n;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_SUCCESS);
    assert_int_equal(b_presented, 1);
    assert_int_equal(b_other_thread, 1); /* forwarded at DISPATCH_LEVEL: presented by a worker */
    assert_int_equal(b_irql_bad, 0);
    assert_int_equal(tl_total_reports(), 0);
    io_tl_down();
}

static void q_forward_device_scope(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtReadForwardToB;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtReadB;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[1]), STATUS_SUCCESS);
}

static void test_device_scope_forward_defers(void **state)
{
    (void)state;
    /* Both queues inherit the device's synchronization scope: one callback lock for both. */
    io_tl_config cfg = {.queues = q_forward_device_scope, .device_scope = WdfSynchronizationScopeDevice};
    io_tl_up(&cfg);
    caller_thread = pthread_self();
    char b[4];
    ULONG n;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_SUCCESS);
    assert_int_equal(b_presented, 1);
    assert_int_equal(b_other_thread, 1); /* not inside A's callback (the lock is held): later */
    assert_int_equal(b_irql_bad, 0);
    assert_int_equal(tl_reports("LOCK_RECURSIVE"), 0);
    io_tl_down();
}

/* ---- WdfIoQueueRetrieveRequestByFileObject ------------------------------------------------------------ */

static void init_file_objects(PWDFDEVICE_INIT init)
{
    WDF_FILEOBJECT_CONFIG fc;
    WDF_FILEOBJECT_CONFIG_INIT(&fc, NULL, NULL, NULL);
    WdfDeviceInitSetFileObjectConfig(init, &fc, WDF_NO_OBJECT_ATTRIBUTES);
}

static void test_retrieve_by_file_object(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_file_objects, .queues = q_manual};
    io_tl_up(&cfg);
    HANDLE second;
    assert_int_equal(owdf_user_open("\\Device\\WioPdo", GENERIC_READ, 0, OWDF_USER_OVERLAPPED, &second),
                     STATUS_SUCCESS);
    io_tl_async a[2];
    char b[2][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    __atomic_store_n(&a[1].done, 0, __ATOMIC_RELAXED);
    owdf_user_io_init(&a[1].io, NULL, NULL);
    LONGLONG offset = 0;
    assert_int_equal(owdf_user_read_async(second, b[1], 2, &offset, &a[1].io), STATUS_PENDING);
    /* The file object of the second handle's request. */
    WDFREQUEST found, r;
    assert_int_equal(WdfIoQueueFindRequest(T.q[0], NULL, NULL, NULL, &found), STATUS_SUCCESS);
    WDFFILEOBJECT first_file = WdfRequestGetFileObject(found);
    WdfObjectDereference(found);
    assert_non_null(first_file);
    assert_int_equal(WdfIoQueueFindRequest(T.q[0], NULL, first_file, NULL, &found), STATUS_SUCCESS);
    WdfObjectDereference(found);
    /* Retrieve the one that is NOT on the first file object: search the second's. */
    WDFREQUEST tag = NULL, candidate;
    WDFFILEOBJECT second_file = NULL;
    while (WdfIoQueueFindRequest(T.q[0], tag, NULL, NULL, &candidate) == STATUS_SUCCESS) {
        if (tag != NULL)
            WdfObjectDereference(tag);
        tag = candidate;
        if (WdfRequestGetFileObject(candidate) != first_file)
            second_file = WdfRequestGetFileObject(candidate);
    }
    if (tag != NULL)
        WdfObjectDereference(tag);
    assert_non_null(second_file);
    assert_int_equal(WdfIoQueueRetrieveRequestByFileObject(T.q[0], second_file, &r), STATUS_SUCCESS);
    WDF_REQUEST_PARAMETERS p;
    WDF_REQUEST_PARAMETERS_INIT(&p);
    WdfRequestGetParameters(r, &p);
    assert_int_equal(p.Parameters.Read.Length, 2);
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(WdfIoQueueRetrieveRequestByFileObject(T.q[0], second_file, &r), STATUS_NO_MORE_ENTRIES);
    assert_int_equal(owdf_user_wait(&a[1].io, 5000), STATUS_SUCCESS);
    assert_int_equal(WdfIoQueueRetrieveRequestByFileObject(T.q[0], first_file, &r), STATUS_SUCCESS);
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(second), STATUS_SUCCESS);
    io_tl_down();
}

/* ---- allocation failures ------------------------------------------------------------------------------ */

static void q_fail_sweep(WDFDEVICE d)
{
    /* Every allocation WdfIoQueueCreate makes may fail: a clean error each time, nothing leaked or
     * left half made (the device tears down cleanly afterwards, checked by io_tl_down). */
    int failures = 0;
    for (unsigned long n = 1; n < 12; n++) {
        WDF_IO_QUEUE_CONFIG c;
        WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
        c.EvtIoRead = EvtRead;
        WDFQUEUE q = NULL;
        owdf_pool_fail_nth(n);
        NTSTATUS st = WdfIoQueueCreate(d, &c, NULL, &q);
        owdf_pool_fail_nth(0);
        if (NT_SUCCESS(st)) {
            WdfObjectDelete(q);
        } else {
            assert_int_equal(st, STATUS_INSUFFICIENT_RESOURCES);
            assert_null(q);
            failures++;
        }
    }
    T.st[0] = failures > 0 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    T.q[0] = make_queue(d, WdfIoQueueDispatchParallel, TRUE);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_fail_sweep};
    io_tl_up(&cfg);
    assert_int_equal(T.st[0], STATUS_SUCCESS);
    /* A request object that cannot be allocated fails the request, and the next one works. */
    char b[4];
    ULONG n;
    /* The cache is empty: the first read needs a new request object, whose allocation fails. */
    owdf_pool_fail_tag('OxFW'); /* the object model's tag */
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_INSUFFICIENT_RESOURCES);
    owdf_pool_fail_tag(0);
    assert_int_equal(T.reads, 0);
    int failed = 0;
    for (unsigned long k = 1; k < 6; k++) {
        owdf_pool_fail_nth(k);
        NTSTATUS st = io_tl_read(b, 4, &n);
        owdf_pool_fail_nth(0);
        if (!NT_SUCCESS(st)) {
            assert_int_equal(st, STATUS_INSUFFICIENT_RESOURCES);
            failed++;
        }
    }
    assert_true(failed > 0);
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    io_tl_down();
}

/* ---- An unlimited parallel queue under threads: its per-thread gate lanes ------------------------ */

enum { LANE_READERS = 4, LANE_READS = 3000, LANE_STOPS = 40 };

static struct {
    volatile LONG owned;   /* presented to EvtIoRead and not completed yet */
    volatile LONG seq;
    volatile LONG stop;
    volatile LONG bad;     /* owned != 0 right after WdfIoQueueStopSynchronously returned */
    KSPIN_LOCK lock;
    WDFREQUEST held[64];
    ULONG nheld;
} L;

static void lane_complete(WDFREQUEST r)
{
    __atomic_sub_fetch(&L.owned, 1, __ATOMIC_SEQ_CST);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 0);
}

/* Every other request is completed at once (inside the presentation), the others a little later
 * from another thread. */
static void LaneRead(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    (void)length;
    __atomic_add_fetch(&L.owned, 1, __ATOMIC_SEQ_CST);
    if (__atomic_add_fetch(&L.seq, 1, __ATOMIC_RELAXED) & 1) {
        lane_complete(r);
        return;
    }
    KIRQL irql;
    KeAcquireSpinLock(&L.lock, &irql);
    BOOLEAN kept = L.nheld < RTL_NUMBER_OF(L.held);
    if (kept)
        L.held[L.nheld++] = r;
    KeReleaseSpinLock(&L.lock, irql);
    if (!kept)
        lane_complete(r);
}

static void q_lanes(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel); /* unlimited: lanes */
    c.EvtIoRead = LaneRead;
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
}

static void *lane_reader(void *arg)
{
    (void)arg;
    char b[4];
    for (int i = 0; i < LANE_READS; i++) {
        ULONG n;
        NTSTATUS status = owdf_user_read(io_tl_handle, b, sizeof b, NULL, &n);
        if (status != STATUS_SUCCESS)
            __atomic_add_fetch(&L.bad, 1000, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void *lane_completer(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&L.stop, __ATOMIC_ACQUIRE)) {
        WDFREQUEST r = NULL;
        KIRQL irql;
        KeAcquireSpinLock(&L.lock, &irql);
        if (L.nheld != 0)
            r = L.held[--L.nheld];
        KeReleaseSpinLock(&L.lock, irql);
        if (r != NULL)
            lane_complete(r);
        else
            sched_yield();
    }
    return NULL;
}

static void *lane_stopper(void *arg)
{
    (void)arg;
    for (int i = 0; i < LANE_STOPS; i++) {
        WdfIoQueueStopSynchronously(T.q[0]);
        /* Returned only when every request the driver got from the queue was completed, and no new
         * one is presented while stopped: the lanes' counts were exact. */
        if (__atomic_load_n(&L.owned, __ATOMIC_SEQ_CST) != 0)
            __atomic_add_fetch(&L.bad, 1, __ATOMIC_SEQ_CST);
        ULONG queued = 0, driver = 0;
        WdfIoQueueGetState(T.q[0], &queued, &driver);
        if (driver != 0)
            __atomic_add_fetch(&L.bad, 1, __ATOMIC_SEQ_CST);
        WdfIoQueueStart(T.q[0]);
        sched_yield();
    }
    return NULL;
}

static void test_parallel_queue_threads_with_stops(void **state)
{
    (void)state;
    memset((void *)&L, 0, sizeof L);
    KeInitializeSpinLock(&L.lock);
    io_tl_config cfg = {.queues = q_lanes};
    io_tl_up(&cfg);
    pthread_t readers[LANE_READERS], completer, stopper;
    assert_int_equal(pthread_create(&completer, NULL, lane_completer, NULL), 0);
    for (int i = 0; i < LANE_READERS; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, lane_reader, NULL), 0);
    assert_int_equal(pthread_create(&stopper, NULL, lane_stopper, NULL), 0);
    pthread_join(stopper, NULL);
    for (int i = 0; i < LANE_READERS; i++)
        pthread_join(readers[i], NULL);
    __atomic_store_n(&L.stop, 1, __ATOMIC_RELEASE);
    pthread_join(completer, NULL);
    assert_int_equal(L.bad, 0);
    assert_int_equal(L.owned, 0);
    assert_int_equal(L.seq, LANE_READERS * LANE_READS);
    ULONG queued = 1, driver = 1;
    WDF_IO_QUEUE_STATE s = WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_true(WDF_IO_QUEUE_READY(s));
    assert_int_equal(queued, 0);
    assert_int_equal(driver, 0);
    io_tl_down();
}

/* The same without membarrier (old kernel, seccomp): every claim and release takes queue->lock. */
static void test_parallel_queue_threads_with_stops_atomic_paths(void **state)
{
    int saved = fx_fast_sections_work;
    fx_fast_sections_work = 0;
    test_parallel_queue_threads_with_stops(state);
    fx_fast_sections_work = saved;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_validation, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_default_queue_routes_by_type, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_no_queue_fails_invalid_device_request, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_type_without_handler_fails, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_evtiodefault_takes_other_types, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_zero_length_requests, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_configure_request_dispatching, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_sequential_presents_one_at_a_time, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_parallel_number_of_presented_requests, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_manual_retrieve_next, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_manual_find_and_retrieve_found, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_stop_start, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_stop_synchronously_waits_for_driver, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_purge, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_canceled_on_queue_only_for_presented, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_drain, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_stop_and_purge, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_power_managed_queue_holds_until_d0, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_power_down_evtiostop_requeue, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_power_down_evtiostop_acknowledge_resume, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_power_down_without_evtiostop_waits_for_completion, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_removal_evtiostop_purge, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_removal_purge_action_for_unmanaged_queue, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_filter_forwards_unhandled_types, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_filter_without_queue_forwards_everything, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_in_caller_context_and_enqueue, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_passive_queue_defers_to_work_item, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_device_scope_forward_defers, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_retrieve_by_file_object, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_parallel_queue_threads_with_stops, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_parallel_queue_threads_with_stops_atomic_paths, setup, io_tl_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
