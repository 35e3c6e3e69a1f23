/*
 * io_request_test.c - WDFREQUEST: buffers by device I/O type and IOCTL method (Retrieve*Buffer /
 * *Memory / *WdmMdl and their errors), parameters, information, requestor mode, the IRP and the
 * file object, request contexts from WdfDeviceInitSetRequestAttributes (zeroed per request, cleanup
 * and destroy callbacks once per use of a cached object), driver references across completion,
 * forwarding and requeueing, EvtIoInCallerContext's unsafe buffers and ProbeAndLock, create
 * requests (a create queue; EvtDeviceFileCreate), and driver-created requests (WdfRequestCreate,
 * Reuse, formatting; Send not implemented yet).
 */
#include "io_testlib.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

static struct {
    volatile LONG reads, writes, ioctls, defaults, cleanups, destroys, creates, in_caller;
    NTSTATUS st[16];
    size_t len[8];
    void *ptr[8];
    char data[64];
    WDFREQUEST saved;
    WDFQUEUE q[4];
    ULONG context_seen;
    KPROCESSOR_MODE mode;
    WDF_REQUEST_PARAMETERS params;
    WDFFILEOBJECT file;
    PIRP irp;
    UCHAR irp_major;
    NTSTATUS create_status;
    int scenario;
} T;

static int setup(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    return 0;
}

/* ---- buffers -------------------------------------------------------------------------------------- */

static void EvtReadBuffers(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    T.reads++;
    void *b = NULL;
    size_t n = 0;
    T.st[0] = WdfRequestRetrieveInputBuffer(r, 0, &b, &n);
    T.st[1] = WdfRequestRetrieveOutputBuffer(r, length + 1, &b, &n);
    T.st[2] = WdfRequestRetrieveOutputBuffer(r, length, &b, &n);
    T.len[0] = n;
    memset(b, 'R', n);
    PMDL mdl = NULL;
    T.st[3] = WdfRequestRetrieveOutputWdmMdl(r, &mdl);
    T.len[1] = mdl != NULL ? MmGetMdlByteCount(mdl) : 0;
    T.ptr[0] = mdl != NULL ? MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) : NULL;
    T.ptr[1] = b;
    WDFMEMORY mem;
    T.st[4] = WdfRequestRetrieveOutputMemory(r, &mem);
    size_t mlen = 0;
    T.ptr[2] = NT_SUCCESS(T.st[4]) ? WdfMemoryGetBuffer(mem, &mlen) : NULL;
    T.len[2] = mlen;
    T.mode = WdfRequestGetRequestorMode(r);
    T.irp = WdfRequestWdmGetIrp(r);
    T.irp_major = IoGetCurrentIrpStackLocation(T.irp)->MajorFunction;
    WDF_REQUEST_PARAMETERS_INIT(&T.params);
    WdfRequestGetParameters(r, &T.params);
    T.file = WdfRequestGetFileObject(r);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
}

static void EvtWriteBuffers(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    T.writes++;
    void *b = NULL;
    size_t n = 0;
    T.st[5] = WdfRequestRetrieveOutputBuffer(r, 0, &b, &n);
    T.st[6] = WdfRequestRetrieveInputBuffer(r, 1, &b, &n);
    if (NT_SUCCESS(T.st[6]))
        memcpy(T.data, b, n < sizeof T.data ? n : sizeof T.data);
    T.len[3] = n;
    WDFMEMORY mem;
    T.st[7] = WdfRequestRetrieveInputMemory(r, &mem);
    /* Input memory is read-only. */
    T.st[8] = NT_SUCCESS(T.st[7]) ? WdfMemoryCopyFromBuffer(mem, 0, "zz", 2) : STATUS_UNSUCCESSFUL;
    char copy[4] = {0};
    T.st[9] = NT_SUCCESS(T.st[7]) ? WdfMemoryCopyToBuffer(mem, 0, copy, 2) : STATUS_UNSUCCESSFUL;
    T.data[32] = copy[0];
    PMDL mdl = NULL;
    T.st[10] = WdfRequestRetrieveInputWdmMdl(r, &mdl);
    T.len[4] = mdl != NULL ? MmGetMdlByteCount(mdl) : 0;
    WDF_REQUEST_PARAMETERS_INIT(&T.params);
    WdfRequestGetParameters(r, &T.params);
    WdfRequestSetInformation(r, length - 1);
    assert_int_equal(WdfRequestGetInformation(r), length - 1);
    WdfRequestCompleteWithPriorityBoost(r, STATUS_SUCCESS, IO_NO_INCREMENT);
}

static void q_buffers(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtReadBuffers, EvtWriteBuffers, NULL);
}

static void check_read_write(BOOLEAN direct)
{
    char b[10];
    ULONG n = 0;
    assert_int_equal(io_tl_read(b, 10, &n), STATUS_SUCCESS);
    assert_int_equal(n, 10);
    assert_memory_equal(b, "RRRRRRRRRR", 10);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST); /* no input buffer in a read */
    assert_int_equal(T.st[1], STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(T.st[2], STATUS_SUCCESS);
    assert_int_equal(T.len[0], 10);
    assert_int_equal(T.st[3], STATUS_SUCCESS);
    assert_int_equal(T.len[1], 10);
    assert_ptr_equal(T.ptr[0], T.ptr[1]); /* the MDL describes the same buffer */
    assert_int_equal(T.st[4], STATUS_SUCCESS);
    assert_ptr_equal(T.ptr[2], T.ptr[1]);
    assert_int_equal(T.len[2], 10);
    assert_int_equal(T.mode, UserMode);
    assert_int_equal(T.irp_major, IRP_MJ_READ);
    assert_int_equal(T.params.Type, WdfRequestTypeRead);
    assert_int_equal(T.params.Parameters.Read.Length, 10);
    assert_null(T.file); /* no WdfDeviceInitSetFileObjectConfig: no file objects (WdfFileObjectNotRequired) */
    (void)direct;

    assert_int_equal(io_tl_write("hello", 5, &n), STATUS_SUCCESS);
    assert_int_equal(n, 4); /* SetInformation(length - 1) */
    assert_int_equal(T.st[5], STATUS_INVALID_DEVICE_REQUEST); /* no output buffer in a write */
    assert_int_equal(T.st[6], STATUS_SUCCESS);
    assert_memory_equal(T.data, "hello", 5);
    assert_int_equal(T.len[3], 5);
    assert_int_equal(T.st[7], STATUS_SUCCESS);
    assert_int_equal(T.st[8], STATUS_ACCESS_VIOLATION);
    assert_int_equal(T.st[9], STATUS_SUCCESS);
    assert_int_equal(T.data[32], 'h');
    assert_int_equal(T.st[10], STATUS_SUCCESS);
    assert_int_equal(T.len[4], 5);
    assert_int_equal(T.params.Type, WdfRequestTypeWrite);
    assert_int_equal(T.params.Parameters.Write.Length, 5);
}

static void test_buffered_read_write(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_buffers};
    io_tl_up(&cfg);
    check_read_write(FALSE);
    io_tl_down();
}

static void test_direct_read_write(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_buffers, .io_type = WdfDeviceIoDirect};
    io_tl_up(&cfg);
    check_read_write(TRUE);
    io_tl_down();
}

/* ---- IOCTLs ------------------------------------------------------------------------------------- */

static void EvtIoctlBuffers(WDFQUEUE q, WDFREQUEST r, size_t out_len, size_t in_len, ULONG code)
{
    (void)q;
    T.ioctls++;
    void *in = NULL, *out = NULL;
    size_t n = 0;
    T.st[0] = WdfRequestRetrieveInputBuffer(r, in_len, &in, &n);
    T.len[0] = n;
    T.st[1] = WdfRequestRetrieveOutputBuffer(r, out_len, &out, &n);
    T.len[1] = n;
    PMDL mdl = NULL;
    T.st[2] = WdfRequestRetrieveOutputWdmMdl(r, &mdl);
    T.st[3] = WdfRequestRetrieveInputWdmMdl(r, &mdl);
    WDF_REQUEST_PARAMETERS_INIT(&T.params);
    WdfRequestGetParameters(r, &T.params);
    ULONG_PTR info = 0;
    if (NT_SUCCESS(T.st[0]) && NT_SUCCESS(T.st[1])) {
        /* Echo the input, upper-cased, to the output. */
        char tmp[64];
        memcpy(tmp, in, T.len[0]);
        for (size_t i = 0; i < T.len[0] && i < T.len[1]; i++)
            ((char *)out)[i] = (char)(tmp[i] - 'a' + 'A');
        info = T.len[0] < T.len[1] ? T.len[0] : T.len[1];
    }
    (void)code;
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, info);
}

static void q_ioctl(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, NULL, NULL, EvtIoctlBuffers);
}

static void test_ioctl_methods(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_ioctl};
    io_tl_up(&cfg);
    static const ULONG codes[] = {IO_TL_IOCTL_BUFFERED, IO_TL_IOCTL_IN_DIRECT, IO_TL_IOCTL_OUT_DIRECT};
    for (int i = 0; i < 3; i++) {
        char out[8] = {0};
        ULONG n = 0;
        assert_int_equal(io_tl_ioctl(codes[i], "abcd", 4, out, 8, &n), STATUS_SUCCESS);
        assert_int_equal(n, 4);
        assert_memory_equal(out, "ABCD", 4);
        assert_int_equal(T.st[0], STATUS_SUCCESS);
        assert_int_equal(T.len[0], 4);
        assert_int_equal(T.st[1], STATUS_SUCCESS);
        assert_int_equal(T.len[1], 8);
        assert_int_equal(T.st[2], STATUS_SUCCESS);
        assert_int_equal(T.st[3], STATUS_SUCCESS);
        assert_int_equal(T.params.Type, WdfRequestTypeDeviceControl);
        assert_int_equal(T.params.Parameters.DeviceIoControl.IoControlCode, codes[i]);
        assert_int_equal(T.params.Parameters.DeviceIoControl.InputBufferLength, 4);
        assert_int_equal(T.params.Parameters.DeviceIoControl.OutputBufferLength, 8);
    }
    /* Zero-length buffers: STATUS_BUFFER_TOO_SMALL. */
    ULONG n;
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_BUFFERED, NULL, 0, NULL, 0, &n), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(T.st[1], STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(T.st[2], STATUS_BUFFER_TOO_SMALL);
    /* METHOD_NEITHER from user mode: only EvtIoInCallerContext may touch those buffers. */
    char out[4];
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_NEITHER, "ab", 2, out, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.st[0], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(T.st[1], STATUS_INVALID_DEVICE_REQUEST);
    assert_null(T.params.Parameters.DeviceIoControl.Type3InputBuffer);
    io_tl_down();
}

/* ---- contexts and callbacks ------------------------------------------------------------------------ */

typedef struct REQ_CTX {
    ULONG marker;
    ULONG pad[7];
} REQ_CTX;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(REQ_CTX, GetReqCtx)

static void EvtReqCleanup(WDFOBJECT o)
{
    (void)o;
    T.cleanups++;
}

static void EvtReqDestroy(WDFOBJECT o)
{
    (void)o;
    T.destroys++;
}

static void init_request_context(PWDFDEVICE_INIT init)
{
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, REQ_CTX);
    a.EvtCleanupCallback = EvtReqCleanup;
    a.EvtDestroyCallback = EvtReqDestroy;
    WdfDeviceInitSetRequestAttributes(init, &a);
}

static void EvtReadContext(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    REQ_CTX *c = GetReqCtx(r);
    T.context_seen = c->marker;
    c->marker = 0xfeedbeef;
    assert_ptr_equal(WdfObjectContextGetObject(c), r);
    if (T.scenario == 1) {
        WdfObjectReference(r); /* keep the object past completion */
        T.saved = r;
    }
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, length);
}

static void q_context(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtReadContext, NULL, NULL);
}

static void test_request_context_and_callbacks(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_request_context, .queues = q_context};
    io_tl_up(&cfg);
    char b[4];
    ULONG n;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
        assert_int_equal(T.context_seen, 0); /* zeroed for every request, cached object or not */
        assert_int_equal(T.cleanups, i + 1);
        assert_int_equal(T.destroys, i + 1);
    }
    io_tl_down();
    assert_int_equal(T.destroys, 3); /* not again when the cache is freed */
}

/* ---- a completion finishing while the device goes away ---------------------------------------------- */

static volatile LONG in_destroy, may_leave;

/* Blocks the first request's recycling after it was found reusable, just before it would be
 * cached again: the window in which the device's cache may be drained. */
static void EvtReqDestroyBlocking(WDFOBJECT o)
{
    (void)o;
    T.destroys++;
    if (T.destroys != 1)
        return;
    __atomic_store_n(&in_destroy, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 5000 && !__atomic_load_n(&may_leave, __ATOMIC_SEQ_CST); i++) {
        LARGE_INTEGER ms = {.QuadPart = -10000};
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    }
}

static void init_blocking_destroy(PWDFDEVICE_INIT init)
{
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, REQ_CTX);
    a.EvtDestroyCallback = EvtReqDestroyBlocking;
    WdfDeviceInitSetRequestAttributes(init, &a);
}

static void EvtReadHold(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    (void)length;
    T.saved = r;
}

static void q_hold(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtReadHold, NULL, NULL);
}

static void *complete_saved(void *arg)
{
    (void)arg;
    WdfRequestCompleteWithInformation(T.saved, STATUS_SUCCESS, 0);
    return NULL;
}

/* The device is removed (its request cache drained) while a completed request is between the
 * reuse checks and the cache: it must be deleted, not cached in the drained cache and leaked. */
static void test_completion_recycled_while_device_removed(void **state)
{
    (void)state;
    in_destroy = may_leave = 0;
    io_tl_config cfg = {.init = init_blocking_destroy, .queues = q_hold};
    io_tl_up(&cfg);
    io_tl_async a;
    char b[4];
    assert_int_equal(io_tl_read_async(&a, b, sizeof b), STATUS_PENDING);
    while (__atomic_load_n(&T.saved, __ATOMIC_SEQ_CST) == NULL)
        sched_yield();
    pthread_t completer;
    assert_int_equal(pthread_create(&completer, NULL, complete_saved, NULL), 0);
    io_tl_wait_flag(&in_destroy);
    assert_int_equal(io_tl_wait(&a), STATUS_SUCCESS);
    io_tl_remove(); /* drains the device's request cache meanwhile */
    __atomic_store_n(&may_leave, 1, __ATOMIC_SEQ_CST);
    pthread_join(completer, NULL);
    io_tl_down(); /* no OBJECT_LEAK_AT_UNLOAD: the request object went */
    assert_int_equal(T.destroys, 1);
}

static void test_driver_reference_keeps_completed_request(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_request_context, .queues = q_context};
    io_tl_up(&cfg);
    char b[4];
    ULONG n;
    T.scenario = 1;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.cleanups, 1);
    assert_int_equal(T.destroys, 0); /* the driver's reference keeps it */
    /* Its context is still there; request DDIs report the completed request. */
    assert_int_equal(GetReqCtx(T.saved)->marker, 0xfeedbeef);
    assert_int_equal(WdfRequestGetInformation(T.saved), 0);
    assert_int_equal(tl_reports("REQ_USE_AFTER_COMPLETE"), 1);
    WdfObjectDereference(T.saved);
    assert_int_equal(T.destroys, 1);
    /* And the device keeps working (a new object replaces the one that left the cache). */
    T.scenario = 0;
    assert_int_equal(io_tl_read(b, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.context_seen, 0);
    io_tl_down();
}

/* ---- forwarding and requeue --------------------------------------------------------------------- */

static void EvtReadForward(WDFQUEUE q, WDFREQUEST r, size_t length)
{
    (void)q;
    (void)length;
    T.reads++;
    T.st[0] = WdfRequestForwardToIoQueue(r, T.q[1]);
    if (!NT_SUCCESS(T.st[0]))
        WdfRequestComplete(r, T.st[0]); /* still the driver's */
}

static void q_forward(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, EvtReadForward, NULL, NULL);
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
    assert_int_equal(WdfIoQueueCreate(d, &c, NULL, &T.q[1]), STATUS_SUCCESS);
}

static void test_forward_and_requeue(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_forward};
    io_tl_up(&cfg);
    io_tl_async a[2];
    char b[2][4];
    assert_int_equal(io_tl_read_async(&a[0], b[0], 4), STATUS_PENDING);
    assert_int_equal(io_tl_read_async(&a[1], b[1], 2), STATUS_PENDING);
    assert_int_equal(T.st[0], STATUS_SUCCESS);
    ULONG queued, driver;
    WdfIoQueueGetState(T.q[0], &queued, &driver);
    assert_int_equal(queued + driver, 0); /* the first queue is done with them */
    WdfIoQueueGetState(T.q[1], &queued, &driver);
    assert_int_equal(queued, 2);
    WDFREQUEST r, r2;
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[1], &r), STATUS_SUCCESS);
    assert_ptr_equal(WdfRequestGetIoQueue(r), T.q[1]);
    /* Requeue puts it back at the head: retrieved first again. */
    assert_int_equal(WdfRequestRequeue(r), STATUS_SUCCESS);
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[1], &r2), STATUS_SUCCESS);
    assert_ptr_equal(r2, r);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 4);
    assert_int_equal(WdfIoQueueRetrieveNextRequest(T.q[1], &r), STATUS_SUCCESS);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 2);
    assert_int_equal(io_tl_wait(&a[0]), STATUS_SUCCESS);
    assert_int_equal(a[0].io.information, 4);
    assert_int_equal(io_tl_wait(&a[1]), STATUS_SUCCESS);
    /* Forwarding to a queue that does not accept: STATUS_WDF_BUSY, the driver keeps the request. */
    WdfIoQueuePurgeSynchronously(T.q[1]);
    ULONG n;
    assert_int_equal(io_tl_read(b[0], 4, &n), STATUS_WDF_BUSY);
    assert_int_equal(T.st[0], STATUS_WDF_BUSY);
    io_tl_down();
}

/* ---- EvtIoInCallerContext: the caller's buffers -------------------------------------------------- */

static void EvtInCallerNeither(WDFDEVICE device, WDFREQUEST r)
{
    T.in_caller++;
    void *in = NULL, *out = NULL;
    size_t in_len = 0, out_len = 0;
    T.st[0] = WdfRequestRetrieveUnsafeUserInputBuffer(r, 1, &in, &in_len);
    T.st[1] = WdfRequestRetrieveUnsafeUserOutputBuffer(r, 1, &out, &out_len);
    WDFMEMORY min = NULL, mout = NULL;
    T.st[2] = WdfRequestProbeAndLockUserBufferForRead(r, in, in_len, &min);
    T.st[3] = WdfRequestProbeAndLockUserBufferForWrite(r, out, out_len, &mout);
    void *unused;
    size_t unused_len;
    T.st[4] = WdfRequestRetrieveUnsafeUserInputBuffer(r, 100, &unused, &unused_len);
    if (NT_SUCCESS(T.st[2]) && NT_SUCCESS(T.st[3])) {
        char tmp[8] = {0};
        WdfMemoryCopyToBuffer(min, 0, tmp, in_len < 8 ? in_len : 8);
        tmp[0] = 'X';
        WdfMemoryCopyFromBuffer(mout, 0, tmp, out_len < in_len ? out_len : in_len);
        T.st[5] = WdfMemoryCopyFromBuffer(min, 0, tmp, 1); /* read-only */

    }
    T.st[6] = WdfDeviceEnqueueRequest(device, r);
}

static void EvtIoctlAfterCaller(WDFQUEUE q, WDFREQUEST r, size_t out_len, size_t in_len, ULONG code)
{
    (void)q;
    (void)code;
    (void)in_len;
    void *b;
    size_t n;
    T.st[7] = WdfRequestRetrieveUnsafeUserOutputBuffer(r, 0, &b, &n); /* not in caller context any more */
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, out_len);
}

static void init_in_caller(PWDFDEVICE_INIT init)
{
    WdfDeviceInitSetIoInCallerContextCallback(init, EvtInCallerNeither);
}

static void q_in_caller(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchParallel, TRUE, NULL, NULL, NULL, EvtIoctlAfterCaller);
}

static void test_in_caller_context_user_buffers(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_in_caller, .queues = q_in_caller};
    io_tl_up(&cfg);
    char out[4] = {0};
    ULONG n;
    assert_int_equal(io_tl_ioctl(IO_TL_IOCTL_NEITHER, "abc", 3, out, 4, &n), STATUS_SUCCESS);
    assert_int_equal(T.in_caller, 1);
    assert_int_equal(T.st[0], STATUS_SUCCESS);
    assert_int_equal(T.st[1], STATUS_SUCCESS);
    assert_int_equal(T.st[2], STATUS_SUCCESS);
    assert_int_equal(T.st[3], STATUS_SUCCESS);
    assert_int_equal(T.st[4], STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(T.st[5], STATUS_ACCESS_VIOLATION);
    assert_int_equal(T.st[6], STATUS_SUCCESS);
    assert_int_equal(T.st[7], STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_reports("UNSAFE_BUFFER_OUTSIDE_CALLER_CONTEXT"), 1);
    assert_memory_equal(out, "Xbc", 3);
    assert_int_equal(n, 4);
    io_tl_down();
}

/* ---- create requests -------------------------------------------------------------------------------- */

static void EvtDefaultCreate(WDFQUEUE q, WDFREQUEST r)
{
    (void)q;
    T.creates++;
    WDF_REQUEST_PARAMETERS p;
    WDF_REQUEST_PARAMETERS_INIT(&p);
    WdfRequestGetParameters(r, &p);
    T.params = p;
    T.file = WdfRequestGetFileObject(r);
    WdfRequestComplete(r, T.create_status);
}

static void init_file_objects(PWDFDEVICE_INIT init)
{
    WDF_FILEOBJECT_CONFIG fc;
    WDF_FILEOBJECT_CONFIG_INIT(&fc, NULL, NULL, NULL);
    WdfDeviceInitSetFileObjectConfig(init, &fc, WDF_NO_OBJECT_ATTRIBUTES);
}

static void q_create(WDFDEVICE d)
{
    T.q[0] = io_tl_queue(d, WdfIoQueueDispatchSequential, FALSE, EvtDefaultCreate, NULL, NULL, NULL);
    assert_int_equal(WdfDeviceConfigureRequestDispatching(d, T.q[0], WdfRequestTypeCreate), STATUS_SUCCESS);
}

static void test_create_queue(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_file_objects, .queues = q_create, .no_open = TRUE};
    io_tl_up(&cfg);
    T.create_status = STATUS_ACCESS_DENIED;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WioPdo", GENERIC_READ, 0, 0, &h), STATUS_ACCESS_DENIED);
    assert_int_equal(T.creates, 1);
    assert_int_equal(T.params.Type, WdfRequestTypeCreate);
    assert_non_null(T.file);
    T.create_status = STATUS_SUCCESS;
    io_tl_open();
    assert_int_equal(T.creates, 2);
    io_tl_down();
}

static void EvtFileCreate(WDFDEVICE device, WDFREQUEST r, WDFFILEOBJECT file)
{
    (void)device;
    T.creates++;
    T.file = file;
    assert_ptr_equal(WdfRequestGetFileObject(r), file);
    assert_null(WdfRequestGetIoQueue(r));
    WdfRequestComplete(r, T.create_status);
}

static void init_file_create(PWDFDEVICE_INIT init)
{
    WDF_FILEOBJECT_CONFIG fc;
    WDF_FILEOBJECT_CONFIG_INIT(&fc, EvtFileCreate, NULL, NULL);
    WdfDeviceInitSetFileObjectConfig(init, &fc, WDF_NO_OBJECT_ATTRIBUTES);
}

static void test_evt_device_file_create(void **state)
{
    (void)state;
    io_tl_config cfg = {.init = init_file_create, .no_open = TRUE};
    io_tl_up(&cfg);
    T.create_status = STATUS_SHARING_VIOLATION;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WioPdo", GENERIC_READ, 0, 0, &h), STATUS_SHARING_VIOLATION);
    T.create_status = STATUS_SUCCESS;
    io_tl_open();
    assert_int_equal(T.creates, 2);
    assert_non_null(T.file);
    io_tl_down();
}

/* ---- driver-created requests ------------------------------------------------------------------------ */

static void test_driver_created_requests(void **state)
{
    (void)state;
    io_tl_config cfg = {.queues = q_buffers};
    io_tl_up(&cfg);
    WDFREQUEST r = (WDFREQUEST)1;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, REQ_CTX);
    a.ParentObject = io_tl_device;
    a.EvtCleanupCallback = EvtReqCleanup;
    assert_int_equal(WdfRequestCreate(&a, NULL, &r), STATUS_SUCCESS);
    assert_non_null(r);
    assert_non_null(GetReqCtx(r));
    assert_non_null(WdfRequestWdmGetIrp(r));
    assert_null(WdfRequestGetIoQueue(r));
    WDF_REQUEST_REUSE_PARAMS rp;
    WDF_REQUEST_REUSE_PARAMS_INIT(&rp, WDF_REQUEST_REUSE_NO_FLAGS, STATUS_NOT_SUPPORTED);
    assert_int_equal(WdfRequestReuse(r, &rp), STATUS_SUCCESS);
    assert_int_equal(WdfRequestGetStatus(r), STATUS_NOT_SUPPORTED);
    rp.Size = 4;
    assert_int_equal(WdfRequestReuse(r, &rp), STATUS_INFO_LENGTH_MISMATCH);
    WDF_REQUEST_REUSE_PARAMS_INIT(&rp, 0x80, STATUS_SUCCESS);
    assert_int_equal(WdfRequestReuse(r, &rp), STATUS_INVALID_PARAMETER);
    WdfRequestFormatRequestUsingCurrentType(r);
    /* Sending needs I/O targets: not implemented yet, and it says so. */
    WDF_REQUEST_SEND_OPTIONS so;
    WDF_REQUEST_SEND_OPTIONS_INIT(&so, WDF_REQUEST_SEND_OPTION_SYNCHRONOUS);
    assert_false(WdfRequestSend(r, NULL, &so));
    assert_int_equal(WdfRequestGetStatus(r), STATUS_NOT_IMPLEMENTED);
    assert_int_equal(tl_reports("NOT_IMPLEMENTED"), 1);
    /* Forwarding to a parent device's queue is not implemented yet either. */
    assert_int_equal(WdfRequestForwardToParentDeviceIoQueue(r, T.q[0], NULL), STATUS_NOT_IMPLEMENTED);
    assert_int_equal(tl_reports("NOT_IMPLEMENTED"), 2);
    WdfObjectDelete(r);
    assert_int_equal(T.cleanups, 1);
    /* Parented to the device: goes with it if not deleted. */
    assert_int_equal(WdfRequestCreate(&a, NULL, &r), STATUS_SUCCESS);
    assert_int_equal(WdfRequestCreate(NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    io_tl_down();
    assert_int_equal(T.cleanups, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_buffered_read_write, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_direct_read_write, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_ioctl_methods, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_request_context_and_callbacks, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_driver_reference_keeps_completed_request, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_forward_and_requeue, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_in_caller_context_user_buffers, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_create_queue, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_evt_device_file_create, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_driver_created_requests, setup, io_tl_cleanup),
        cmocka_unit_test_setup_teardown(test_completion_recycled_while_device_removed, setup, io_tl_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
