/*
 * io_rules_test.c - the I/O package's verifier rules (VERIFIER.md "Requests" and "Queues"): for each,
 * a test driver that makes the mistake, and a check of the exact report (rule, count, message) and
 * of what the framework did instead (the request is never completed twice nor lost).
 */
#include "io_testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum mistake {
    M_NONE,
    M_DOUBLE_COMPLETE,
    M_COMPLETE_WHILE_CANCELABLE,
    M_DOUBLE_MARK,
    M_UNMARK_NOT_CANCELABLE,
    M_ISCANCELED_ON_CANCELABLE,
    M_USE_AFTER_COMPLETE,
    M_INFO_EXCEEDS,
    M_STOPACK_OUTSIDE,
    M_REQUEUE_PARALLEL,
    M_FORWARD_SAME,
    M_COMPLETE_AFTER_CANCEL,
    M_HOLD,
    M_UNSAFE_OUTSIDE,
};

static struct {
    enum mistake mistake;
    WDFREQUEST saved;
    WDFQUEUE q[2];
    NTSTATUS st[4];
    volatile LONG cancels, stops;
    volatile LONG unmark_done;
    volatile LONG in_read;
} T;

static int setup(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static BOOLEAN message_has(const char *rule, const char *text)
{
    const char *m = tl_last_message(rule);
    if (strstr(m, text) != NULL)
        return TRUE;
    fprintf(stderr, "last %s message: \"%s\" (expected to contain \"%s\")\n", rule, m, text);
    return FALSE;
}

static void EvtCancel(WDFREQUEST r)
{
    __atomic_add_fetch(&T.cancels, 1, __ATOMIC_ACQ_REL);
    WdfRequestComplete(r, STATUS_CANCELLED);
}

static void EvtRead(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    switch (T.mistake) {
    case M_DOUBLE_COMPLETE:
        WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_COMPLETE_WHILE_CANCELABLE:
        WdfRequestMarkCancelable(r, EvtCancel);
        WdfRequestComplete(r, STATUS_SUCCESS); /* without WdfRequestUnmarkCancelable */
        return;
    case M_DOUBLE_MARK:
        WdfRequestMarkCancelable(r, EvtCancel);
        T.st[0] = WdfRequestMarkCancelableEx(r, EvtCancel);
        T.st[1] = WdfRequestUnmarkCancelable(r);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_UNMARK_NOT_CANCELABLE:
        T.st[0] = WdfRequestUnmarkCancelable(r);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_ISCANCELED_ON_CANCELABLE:
        WdfRequestMarkCancelable(r, EvtCancel);
        T.st[0] = WdfRequestIsCanceled(r) ? 1 : 0;
        T.st[1] = WdfRequestUnmarkCancelable(r);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_USE_AFTER_COMPLETE:
        T.saved = r;
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_INFO_EXCEEDS:
        WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length + 4);
        return;
    case M_STOPACK_OUTSIDE:
        WdfRequestStopAcknowledge(r, FALSE);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_REQUEUE_PARALLEL:
        T.st[0] = WdfRequestRequeue(r);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_FORWARD_SAME:
        T.st[0] = WdfRequestForwardToIoQueue(r, q);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    case M_COMPLETE_AFTER_CANCEL:
        /* Under the queue's callback lock: the cancel routine, started on another thread, waits. */
        WdfRequestMarkCancelable(r, EvtCancel);
        T.saved = r;
        __atomic_store_n(&T.in_read, 1, __ATOMIC_RELEASE);
        for (int i = 0; i < 5000 && !__atomic_load_n(&WdfRequestWdmGetIrp(r)->Cancel, __ATOMIC_ACQUIRE); i++)
            sleep_ms(1);
        sleep_ms(20); /* let IoCancelIrp take the cancel routine and block on our lock */
        T.st[0] = WdfRequestUnmarkCancelable(r);
        WdfRequestComplete(r, STATUS_SUCCESS); /* the mistake: EvtRequestCancel will complete it */
        __atomic_store_n(&T.unmark_done, 1, __ATOMIC_RELEASE);
        return;
    case M_UNSAFE_OUTSIDE: {
        void *b;
        size_t n;
        T.st[0] = WdfRequestRetrieveUnsafeUserOutputBuffer(r, 0, &b, &n);
        WdfRequestComplete(r, STATUS_SUCCESS);
        return;
    }
    case M_HOLD:
        T.saved = r;
        return;
    default:
        WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
        return;
    }
}

static void EvtStopNothing(WDFQUEUE q, WDFREQUEST r, ULONG flags)
{
    (void)q;
    (void)r;
    (void)flags;
    __atomic_add_fetch(&T.stops, 1, __ATOMIC_ACQ_REL);
}

static void q_read(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    c.EvtIoRead = EvtRead;
    c.EvtIoStop = EvtStopNothing;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.SynchronizationScope = WdfSynchronizationScopeQueue;
    assert_int_equal(WdfIoQueueCreate(d, &c, &a, &T.q[0]), STATUS_SUCCESS);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[1]), STATUS_SUCCESS);
}

static NTSTATUS read4(void)
{
    char b[4];
    ULONG n;
    return io_tl_read(b, 4, &n);
}

static void up(void)
{
    io_tl_config cfg = {.queues = q_read};
    io_tl_up(&cfg);
}

/* ---- Requests ------------------------------------------------------------------------------------ */

static void test_req_double_complete(void **state)
{
    (void)state;
    up();
    T.mistake = M_DOUBLE_COMPLETE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_DOUBLE_COMPLETE"), 1);
    assert_true(message_has("REQ_DOUBLE_COMPLETE", "WdfRequestComplete: WDFREQUEST"));
    assert_true(message_has("REQ_DOUBLE_COMPLETE", "was already completed"));
    assert_int_equal(tl_reports("IRP_DOUBLE_COMPLETE"), 0); /* the IRP was completed once */
    assert_int_equal(tl_stop_requests(), 1);                /* KMDF would bug-check */
    io_tl_down();
}

static void test_req_complete_while_cancelable(void **state)
{
    (void)state;
    up();
    T.mistake = M_COMPLETE_WHILE_CANCELABLE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_COMPLETE_WHILE_CANCELABLE"), 1);
    assert_true(message_has("REQ_COMPLETE_WHILE_CANCELABLE", "call WdfRequestUnmarkCancelable first"));
    assert_int_equal(T.cancels, 0);
    io_tl_down();
}

static void test_req_double_mark_cancelable(void **state)
{
    (void)state;
    up();
    T.mistake = M_DOUBLE_MARK;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(T.st[1], STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_DOUBLE_MARK_CANCELABLE"), 1);
    assert_true(message_has("REQ_DOUBLE_MARK_CANCELABLE", "WdfRequestMarkCancelableEx: WDFREQUEST"));
    assert_true(message_has("REQ_DOUBLE_MARK_CANCELABLE", "is already cancelable"));
    io_tl_down();
}

static void test_req_unmark_not_cancelable(void **state)
{
    (void)state;
    up();
    T.mistake = M_UNMARK_NOT_CANCELABLE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("REQ_NOT_CANCELABLE"), 1);
    assert_true(message_has("REQ_NOT_CANCELABLE", "is not marked cancelable"));
    io_tl_down();
}

static void test_req_iscanceled_on_cancelable(void **state)
{
    (void)state;
    up();
    T.mistake = M_ISCANCELED_ON_CANCELABLE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(T.st[0], 0);
    assert_int_equal(T.st[1], STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_ISCANCELED_ON_CANCELABLE"), 1);
    assert_true(message_has("REQ_ISCANCELED_ON_CANCELABLE", "its EvtRequestCancel tells"));
    io_tl_down();
}

static void test_req_use_after_complete(void **state)
{
    (void)state;
    up();
    T.mistake = M_USE_AFTER_COMPLETE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    /* Any request DDI on the kept handle is caught; the handle is stale, nothing is read. */
    (void)WdfRequestGetInformation(T.saved);
    assert_int_equal(tl_reports("REQ_USE_AFTER_COMPLETE"), 1);
    assert_true(message_has("REQ_USE_AFTER_COMPLETE", "WdfRequestGetInformation: WDFREQUEST"));
    assert_true(message_has("REQ_USE_AFTER_COMPLETE", "the handle is stale"));
    void *b;
    assert_int_equal(WdfRequestRetrieveOutputBuffer(T.saved, 0, &b, NULL), STATUS_INVALID_HANDLE);
    assert_null(b);
    assert_null(WdfRequestWdmGetIrp(T.saved));
    assert_int_equal(tl_reports("REQ_USE_AFTER_COMPLETE"), 3);
    /* Other DDIs see a stale handle. */
    WdfObjectReference(T.saved);
    assert_int_equal(tl_reports("STALE_HANDLE"), 1);
    /* Even after the object is reused for the next request. */
    T.mistake = M_NONE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    WdfRequestComplete(T.saved, STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_DOUBLE_COMPLETE"), 1);
    io_tl_down();
}

static void test_req_info_exceeds_buffer(void **state)
{
    (void)state;
    up();
    T.mistake = M_INFO_EXCEEDS;
    char b[4];
    ULONG n = 0;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(n, 4); /* cut to the buffer */
    assert_int_equal(tl_reports("REQ_INFO_EXCEEDS_BUFFER"), 1);
    assert_true(message_has("REQ_INFO_EXCEEDS_BUFFER", "completed with Information 8 but its output buffer is 4 bytes"));
    assert_int_equal(tl_reports("IRP_INFO_EXCEEDS_BUFFER"), 0);
    io_tl_down();
}

static void test_req_complete_driver_created(void **state)
{
    (void)state;
    up();
    WDFREQUEST r;
    assert_int_equal(WdfRequestCreate(NULL, NULL, &r), STATUS_SUCCESS);
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_COMPLETE_DRIVER_CREATED"), 1);
    assert_true(message_has("REQ_COMPLETE_DRIVER_CREATED", "delete it with WdfObjectDelete"));
    WdfObjectDelete(r);
    io_tl_down();
}

static void *cancel_thread(void *arg)
{
    (void)arg;
    io_tl_wait_flag(&T.in_read);
    (void)owdf_user_cancel(io_tl_handle, NULL);
    return NULL;
}

static void test_req_complete_after_cancel(void **state)
{
    (void)state;
    up();
    T.mistake = M_COMPLETE_AFTER_CANCEL;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_thread, NULL), 0);
    io_tl_async a;
    char b[4];
    NTSTATUS s = io_tl_read_async(&a, b, 4);
    assert_true(s == STATUS_PENDING || s == STATUS_CANCELLED);
    assert_int_equal(io_tl_wait(&a), STATUS_CANCELLED); /* completed once, by EvtRequestCancel */
    pthread_join(t, NULL);
    assert_int_equal(T.st[0], STATUS_CANCELLED);
    assert_int_equal(T.cancels, 1);
    assert_int_equal(tl_reports("REQ_COMPLETE_AFTER_CANCEL"), 1);
    assert_true(message_has("REQ_COMPLETE_AFTER_CANCEL", "only its EvtRequestCancel may complete it"));
    assert_int_equal(tl_reports("REQ_DOUBLE_COMPLETE"), 0);
    io_tl_down();
}

static void q_read_unlocked(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtRead, NULL, NULL);
}

static void test_unsafe_buffer_outside_caller_context(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_read_unlocked}; /* EvtIoRead at PASSIVE_LEVEL, as the DDI needs */
    io_tl_up(&cfg);
    T.mistake = M_UNSAFE_OUTSIDE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("UNSAFE_BUFFER_OUTSIDE_CALLER_CONTEXT"), 1);
    assert_true(message_has("UNSAFE_BUFFER_OUTSIDE_CALLER_CONTEXT", "is not in its EvtIoInCallerContext"));
    io_tl_down();
}

/* ---- REQ_LEAK_AT_TEARDOWN -------------------------------------------------------------------------- */

static void *complete_after_leak_report(void *arg)
{
    const char *rule = arg;
    for (int i = 0; i < 5000 && tl_reports(rule) == 0; i++)
        sleep_ms(1);
    WdfRequestComplete(T.saved, STATUS_SUCCESS);
    return NULL;
}

static void test_req_leak_at_teardown(void **state)
{
    (void)state;
    up();
    owdf_io_set_teardown_timeout(200);
    T.mistake = M_HOLD;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_after_leak_report, (void *)"REQ_LEAK_AT_TEARDOWN"), 0);
    /* The stop waits for the driver's request; the watchdog names it; the wait goes on until the
     * (late) completion. */
    WdfIoQueueStopSynchronously(T.q[0]);
    pthread_join(t, NULL);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_LEAK_AT_TEARDOWN"), 1);
    assert_true(message_has("REQ_LEAK_AT_TEARDOWN", "is still owned by the driver"));
    assert_true(message_has("REQ_LEAK_AT_TEARDOWN", "WdfIoQueueStopSynchronously"));
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}

/* ---- Queues ------------------------------------------------------------------------------------------ */

static void test_stopack_outside_evtiostop(void **state)
{
    (void)state;
    up();
    T.mistake = M_STOPACK_OUTSIDE;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(tl_reports("STOPACK_OUTSIDE_EVTIOSTOP"), 1);
    assert_true(message_has("STOPACK_OUTSIDE_EVTIOSTOP", "may only be acknowledged from EvtIoStop"));
    io_tl_down();
}

static void test_evtiostop_no_action(void **state)
{
    (void)state;
    up();
    owdf_io_set_teardown_timeout(10000);
    T.mistake = M_HOLD;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_after_leak_report, (void *)"EVTIOSTOP_NO_ACTION"), 0);
    io_tl_stop(); /* EvtIoStop does nothing: reported; the power-down waits for the completion */
    pthread_join(t, NULL);
    assert_int_equal(T.stops, 1);
    assert_int_equal(tl_reports("EVTIOSTOP_NO_ACTION"), 1);
    assert_true(message_has("EVTIOSTOP_NO_ACTION", "returned without completing, requeuing or acknowledging"));
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    io_tl_start();
    io_tl_down();
}

static void test_manual_only_api(void **state)
{
    (void)state;
    up();
    T.mistake = M_REQUEUE_PARALLEL;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("MANUAL_ONLY_API"), 1);
    assert_true(message_has("MANUAL_ONLY_API", "WdfRequestRequeue: WDFREQUEST"));
    assert_true(message_has("MANUAL_ONLY_API", "which is not a manual queue"));
    io_tl_down();
}

static void test_forward_same_or_nonparent(void **state)
{
    (void)state;
    up();
    T.mistake = M_FORWARD_SAME;
    assert_int_equal(read4(), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("FORWARD_SAME_OR_NONPARENT"), 1);
    assert_true(message_has("FORWARD_SAME_OR_NONPARENT", "it is the queue the request came from"));
    io_tl_down();
}

static void q_manual_default(WDFDEVICE d)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchManual);
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[0]), STATUS_SUCCESS);
}

static void test_retrieve_found_without_find_and_not_owned(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_manual_default};
    io_tl_up(&cfg);
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    WDFREQUEST r, r2;
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[0], &r), STATUS_SUCCESS);
    assert_int_equal(WdfRequestRequeue(r), STATUS_SUCCESS);
    /* r waits in the queue: completing it is not the driver's to do. */
    WdfRequestComplete(r, STATUS_SUCCESS);
    assert_int_equal(tl_reports("REQ_NOT_OWNED"), 1);
    assert_true(message_has("REQ_NOT_OWNED", "is waiting in a queue, not owned by the driver"));
    /* Not found with WdfIoQueueFindRequest. */
    assert_int_equal(WdfIoQueueRetrieveFoundRequest(T.q[0], r, &r2), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("RETRIEVE_FOUND_WITHOUT_FIND"), 1);
    assert_true(message_has("RETRIEVE_FOUND_WITHOUT_FIND", "was not returned by WdfIoQueueFindRequest"));
    /* The proper way. */
    WDFREQUEST found;
    assert_int_equal(WdfIoQueueFindRequest(T.q[0], NULL, NULL, NULL, &found), STATUS_SUCCESS);
    WdfRequestComplete(found, STATUS_SUCCESS); /* a found request is not the driver's either */
    assert_int_equal(tl_reports("REQ_NOT_OWNED"), 2);
    assert_true(message_has("REQ_NOT_OWNED", "(a found request)"));
    assert_int_equal(WdfIoQueueRetrieveFoundRequest(T.q[0], found, &r2), STATUS_SUCCESS);
    WdfObjectDereference(found);
    WdfRequestComplete(r2, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    io_tl_down();
}

static void EvtState(WDFQUEUE q, WDFCONTEXT c)
{
    (void)q;
    (void)c;
}

static void test_concurrent_queue_state_change(void **state)
{
    (void)state;
    up();
    T.mistake = M_HOLD;
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, 4), STATUS_PENDING);
    WdfIoQueuePurge(T.q[0], EvtState, NULL);
    WdfIoQueueDrain(T.q[0], EvtState, NULL);
    assert_int_equal(tl_reports("CONCURRENT_QUEUE_STATE_CHANGE"), 1);
    assert_true(message_has("CONCURRENT_QUEUE_STATE_CHANGE", "WdfIoQueueDrain on WDFQUEUE"));
    assert_true(message_has("CONCURRENT_QUEUE_STATE_CHANGE", "PurgeComplete/DrainComplete callback is still"));
    WdfRequestComplete(T.saved, STATUS_SUCCESS);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    WdfIoQueueStart(T.q[0]);
    io_tl_down();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_req_double_complete, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_complete_while_cancelable, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_double_mark_cancelable, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_unmark_not_cancelable, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_iscanceled_on_cancelable, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_use_after_complete, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_info_exceeds_buffer, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_complete_driver_created, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_complete_after_cancel, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_unsafe_buffer_outside_caller_context, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_req_leak_at_teardown, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_stopack_outside_evtiostop, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_evtiostop_no_action, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_manual_only_api, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_forward_same_or_nonparent, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_retrieve_found_without_find_and_not_owned, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_concurrent_queue_state_change, setup, io_tl_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
