/*
 * queue.c - the echo device's default queue: sequential dispatch, a write stores the data, a read
 * returns it, and either request is then held cancelable until the queue's periodic timer completes
 * it. See driver.h for the two synchronization modes.
 *
 * Lock rules: in ECHO_SYNC_QUEUE mode EvtIoRead/EvtIoWrite/EvtIoStop, EchoEvtRequestCancel and
 * EchoEvtTimerFunc run under the queue's framework lock (DISPATCH_LEVEL), so they may touch
 * CurrentRequest freely. In ECHO_SYNC_DRIVER mode they run concurrently and CurrentRequest is only
 * touched with ctx->Lock held; no request is completed with it held.
 *
 * The held request is valid while CurrentRequest names it: the cancel routine clears CurrentRequest
 * before it completes the request, and whoever takes the request out of CurrentRequest (the timer,
 * EvtIoStop) first makes it non-cancelable; when that fails (STATUS_CANCELLED) the cancel routine
 * owns the request and completes it.
 */
#include "driver.h"
#include "queue.tmh"

NTSTATUS EchoQueueInitialize(WDFDEVICE Device, const ECHO_DRIVER_CONTEXT *Settings, WDFQUEUE *QueueOut)
{
    BOOLEAN driverManaged = Settings->SyncMode == ECHO_SYNC_DRIVER;

    WDF_IO_QUEUE_CONFIG config;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&config, WdfIoQueueDispatchSequential);
    config.EvtIoRead = EchoEvtIoRead;
    config.EvtIoWrite = EchoEvtIoWrite;
    config.EvtIoStop = EchoEvtIoStop;

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, ECHO_QUEUE_CONTEXT);
    attributes.SynchronizationScope = driverManaged ? WdfSynchronizationScopeNone : WdfSynchronizationScopeQueue;

    WDFQUEUE queue;
    NTSTATUS status = WdfIoQueueCreate(Device, &config, &attributes, &queue);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfIoQueueCreate failed 0x%08x\n", (unsigned)status));
        TraceEvents(TRACE_LEVEL_ERROR, TRACE_QUEUE, "WdfIoQueueCreate failed %!STATUS!", status);
        return status;
    }
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(queue);
    ctx->DriverManaged = driverManaged;
    ctx->CurrentRequest = NULL;
    ctx->Length = 0;
    if (Settings->CompletionDelayUs == ECHO_DELAY_PERIOD_ONLY)
        ctx->KickDueTime = 0;
    else if (Settings->CompletionDelayUs == 0)
        ctx->KickDueTime = -1; /* 100 ns: as soon as the timer can */
    else
        ctx->KickDueTime = WDF_REL_TIMEOUT_IN_US(Settings->CompletionDelayUs);

    /* The stored data: one buffer for the life of the queue (no allocation per request). */
    WDF_OBJECT_ATTRIBUTES childAttributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&childAttributes);
    childAttributes.ParentObject = queue;
    PVOID buffer;
    status = WdfMemoryCreate(&childAttributes, NonPagedPoolNx, ECHO_POOL_TAG, ECHO_MAX_WRITE_LENGTH,
                             &ctx->BufferMemory, &buffer);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfMemoryCreate failed 0x%08x\n", (unsigned)status));
        return status;
    }
    ctx->Buffer = buffer;

    if (driverManaged) {
        WDF_OBJECT_ATTRIBUTES_INIT(&childAttributes);
        childAttributes.ParentObject = queue;
        status = WdfSpinLockCreate(&childAttributes, &ctx->Lock);
        if (!NT_SUCCESS(status)) {
            KdPrint(("Echo: WdfSpinLockCreate failed 0x%08x\n", (unsigned)status));
            return status;
        }
    }

    /* Queue mode: the timer's callback takes the queue's lock (AutomaticSerialization, parent queue). */
    WDF_TIMER_CONFIG timerConfig;
    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, EchoEvtTimerFunc, (LONG)Settings->TimerPeriodMs);
    timerConfig.AutomaticSerialization = driverManaged ? FALSE : TRUE;
    WDF_OBJECT_ATTRIBUTES_INIT(&childAttributes);
    childAttributes.ParentObject = queue;
    status = WdfTimerCreate(&timerConfig, &childAttributes, &ctx->Timer);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfTimerCreate failed 0x%08x\n", (unsigned)status));
        return status;
    }
    *QueueOut = queue;
    return STATUS_SUCCESS;
}

void EchoQueueStartTimer(WDFQUEUE Queue)
{
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(Queue);
    const ECHO_DRIVER_CONTEXT *settings = EchoGetDriverContext(WdfGetDriver());
    WdfTimerStart(ctx->Timer, WDF_REL_TIMEOUT_IN_MS(settings->TimerPeriodMs));
}

void EchoQueueStopTimer(WDFQUEUE Queue)
{
    WdfTimerStop(EchoGetQueueContext(Queue)->Timer, TRUE);
}

/* Holds a request the I/O callbacks have done the work of, until the timer completes it with
 * (Status, Information). */
static void EchoHoldRequest(PECHO_QUEUE_CONTEXT ctx, WDFREQUEST Request, NTSTATUS Status, ULONG_PTR Information)
{
    if (!ctx->DriverManaged) {
        /* Set first: if the request is already canceled, EchoEvtRequestCancel runs from
         * WdfRequestMarkCancelable (or right after this callback) and must find it. */
        ctx->CurrentRequest = Request;
        ctx->CurrentStatus = Status;
        ctx->CurrentInformation = Information;
        WdfRequestMarkCancelable(Request, EchoEvtRequestCancel);
    } else {
        WdfSpinLockAcquire(ctx->Lock);
        NTSTATUS status = WdfRequestMarkCancelableEx(Request, EchoEvtRequestCancel);
        if (NT_SUCCESS(status)) {
            ctx->CurrentRequest = Request;
            ctx->CurrentStatus = Status;
            ctx->CurrentInformation = Information;
        }
        WdfSpinLockRelease(ctx->Lock);
        if (!NT_SUCCESS(status)) {
            /* Canceled before we could hold it: EchoEvtRequestCancel will not run, we complete it. */
            WdfRequestCompleteWithInformation(Request, status, 0);
            return;
        }
    }
    if (ctx->KickDueTime != 0)
        WdfTimerStart(ctx->Timer, ctx->KickDueTime); /* bring the next tick forward */
}

void EchoEvtIoWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(Queue);
    if (Length > ECHO_MAX_WRITE_LENGTH) {
        /* Longer than the device keeps: refused, the stored data stays (documented in public.h). */
        KdPrint(("Echo: write of %zu bytes refused (more than %u)\n", Length, ECHO_MAX_WRITE_LENGTH));
        TraceEvents(TRACE_LEVEL_WARNING, TRACE_QUEUE, "write of %u bytes refused", (ULONG)Length);
        WdfRequestCompleteWithInformation(Request, STATUS_INVALID_BUFFER_SIZE, 0);
        return;
    }
    if (Length != 0) {
        PVOID data;
        NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, Length, &data, NULL);
        if (!NT_SUCCESS(status)) {
            KdPrint(("Echo: WdfRequestRetrieveInputBuffer failed 0x%08x\n", (unsigned)status));
            WdfRequestCompleteWithInformation(Request, status, 0);
            return;
        }
        RtlCopyMemory(ctx->Buffer, data, Length);
    }
    ctx->Length = Length;
    EchoHoldRequest(ctx, Request, STATUS_SUCCESS, Length);
}

void EchoEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(Queue);
    size_t count = Length < ctx->Length ? Length : ctx->Length;
    if (count == 0) {
        /* Nothing stored (or a zero-length read): nothing to echo. */
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
        return;
    }
    PVOID data;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, count, &data, NULL);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfRequestRetrieveOutputBuffer failed 0x%08x\n", (unsigned)status));
        WdfRequestCompleteWithInformation(Request, status, 0);
        return;
    }
    RtlCopyMemory(data, ctx->Buffer, count);
    EchoHoldRequest(ctx, Request, STATUS_SUCCESS, count);
}

/* Takes the held request out of CurrentRequest if it is `Request` (any request when NULL) and it can
 * still be made non-cancelable; returns it, or NULL (none, or its cancel routine owns it). */
static WDFREQUEST EchoTakeHeld(PECHO_QUEUE_CONTEXT ctx, WDFREQUEST Request, NTSTATUS *Status, ULONG_PTR *Information)
{
    WDFREQUEST taken = NULL;
    if (ctx->DriverManaged)
        WdfSpinLockAcquire(ctx->Lock);
    WDFREQUEST held = ctx->CurrentRequest;
    if (held != NULL && (Request == NULL || held == Request) && WdfRequestUnmarkCancelable(held) != STATUS_CANCELLED) {
        ctx->CurrentRequest = NULL;
        *Status = ctx->CurrentStatus;
        *Information = ctx->CurrentInformation;
        taken = held;
    }
    if (ctx->DriverManaged)
        WdfSpinLockRelease(ctx->Lock);
    return taken;
}

void EchoEvtTimerFunc(WDFTIMER Timer)
{
    WDFQUEUE queue = (WDFQUEUE)WdfTimerGetParentObject(Timer);
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(queue);
    NTSTATUS status;
    ULONG_PTR information;
    WDFREQUEST request = EchoTakeHeld(ctx, NULL, &status, &information);
    if (request != NULL)
        WdfRequestCompleteWithInformation(request, status, information);
}

void EchoEvtRequestCancel(WDFREQUEST Request)
{
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(WdfRequestGetIoQueue(Request));
    if (ctx->DriverManaged)
        WdfSpinLockAcquire(ctx->Lock);
    if (ctx->CurrentRequest == Request)
        ctx->CurrentRequest = NULL;
    if (ctx->DriverManaged)
        WdfSpinLockRelease(ctx->Lock);
    WdfRequestCompleteWithInformation(Request, STATUS_CANCELLED, 0);
}

void EchoEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    /* The device leaves D0 (suspend) or the queue is purged (removal) while we hold Request: the
     * echo is already done, so a suspend completes it now; a purge cancels it. If its cancel routine
     * already owns it, that routine completes it. */
    PECHO_QUEUE_CONTEXT ctx = EchoGetQueueContext(Queue);
    NTSTATUS status;
    ULONG_PTR information;
    WDFREQUEST request = EchoTakeHeld(ctx, Request, &status, &information);
    if (request == NULL)
        return;
    if (ActionFlags & WdfRequestStopActionPurge)
        WdfRequestCompleteWithInformation(request, STATUS_CANCELLED, 0);
    else
        WdfRequestCompleteWithInformation(request, status, information);
}
