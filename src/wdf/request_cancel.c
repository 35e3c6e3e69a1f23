/*
 * request_cancel.c - cancel of driver-owned requests, with KMDF's exact semantics:
 *   WdfRequestMarkCancelable: if the request is already canceled, EvtRequestCancel is called now;
 *   WdfRequestMarkCancelableEx: if already canceled, STATUS_CANCELLED and EvtRequestCancel is NOT
 *     called (the driver completes the request itself);
 *   WdfRequestUnmarkCancelable: STATUS_SUCCESS when the request is back in the driver's hands,
 *     STATUS_CANCELLED when EvtRequestCancel has run or will run: then only that routine completes it.
 * A purge (and a StopAndPurge, and removal) cancels cancelable requests as IoCancelIrp would.
 *
 * The IRP's CancelRoutine decides races with IoCancelIrp: whoever takes it back with
 * IoSetCancelRoutine(irp, NULL) and gets a non-NULL value owns the decision. request->cancel_lock
 * serializes the framework's own steps (mark, unmark, purge, completing a cancelable request) so the
 * IRP is never touched after another thread completed it, and request->flags records the outcome
 * the completion checks use (REQ_COMPLETE_WHILE_CANCELABLE, REQ_COMPLETE_AFTER_CANCEL).
 */
#include "fx_call.h"
#include "fx_ifr.h"
#include "fx_request.h"

#include <openwdf/nt.h>

/* Calls EvtRequestCancel (the caller holds a hold on the request). Under the queue's callback lock
 * when the request came from a queue with a synchronization scope, as KMDF does. */
static void invoke_cancel(fx_request *request, PFN_WDF_REQUEST_CANCEL routine)
{
    fx_queue *queue = fx_request_owned_from(request);
    if (queue != NULL)
        FX_REF(&queue->object, NULL); /* the routine may complete the queue's last request */
    fx_ifr_record(fx_globals(request->object.globals)->ifr, OWDF_IFR_REQUEST_CANCELED, request->object.handle, 1,
                  0);
    __atomic_store_n(&request->cancel_thread, KeGetCurrentThread(), __ATOMIC_RELEASE);
    fx_queue_call_cancel(queue, request, routine);
    __atomic_store_n(&request->cancel_thread, NULL, __ATOMIC_RELEASE);
    if (queue != NULL)
        FX_DEREF(&queue->object, NULL);
}

/* The WDM cancel routine MarkCancelable(Ex) arms; IoCancelIrp calls it with the cancel lock held. */
void fx_request_irp_cancel(PDEVICE_OBJECT device_object, PIRP irp)
{
    UNREFERENCED_PARAMETER(device_object);
    fx_request *request = irp->Tail.Overlay.DriverContext[0];
    IoReleaseCancelSpinLock(irp->CancelIrql);

    /* Not completed: completing needs the cancel routine back, which IoCancelIrp took. */
    KIRQL irql;
    KeAcquireSpinLock(&request->cancel_lock, &irql);
    PFN_WDF_REQUEST_CANCEL routine = request->cancel_routine;
    fx_request_clear_flag(request, FX_REQ_CANCELABLE);
    fx_request_set_flag(request, FX_REQ_CANCELED);
    BOOLEAN held = fx_request_try_hold(request);
    KeReleaseSpinLock(&request->cancel_lock, irql);
    if (routine != NULL)
        invoke_cancel(request, routine);
    if (held)
        fx_request_release_hold(request);
}

BOOLEAN fx_request_cancel_driver_owned(fx_request *request)
{
    KIRQL irql;
    KeAcquireSpinLock(&request->cancel_lock, &irql);
    if (!fx_request_has_flag(request, FX_REQ_CANCELABLE) || fx_request_owner_of(request) != FX_REQ_DRIVER ||
        IoSetCancelRoutine(request->irp, NULL) == NULL) {
        /* Not cancelable any more, or IoCancelIrp got there first (its routine does the work). */
        KeReleaseSpinLock(&request->cancel_lock, irql);
        return FALSE;
    }
    __atomic_store_n(&request->irp->Cancel, TRUE, __ATOMIC_SEQ_CST);
    PFN_WDF_REQUEST_CANCEL routine = request->cancel_routine;
    fx_request_clear_flag(request, FX_REQ_CANCELABLE);
    fx_request_set_flag(request, FX_REQ_CANCELED);
    KeReleaseSpinLock(&request->cancel_lock, irql);
    invoke_cancel(request, routine);
    return TRUE;
}

/* Whether a purge is running on the queue the request came from (KMDF cancels what gets marked then). */
static BOOLEAN purge_in_progress(fx_request *request)
{
    fx_queue *queue = fx_request_owned_from(request);
    if (queue == NULL)
        return FALSE;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    BOOLEAN purging = queue->cancel_dispatched;
    KeReleaseSpinLock(&queue->lock, irql);
    return purging;
}

static NTSTATUS mark_cancelable(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, PFN_WDF_REQUEST_CANCEL routine,
                                BOOLEAN ex, const char *caller)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, caller))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle_at(globals, handle, caller);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (routine == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: EvtRequestCancel is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    if (fx_request_owner_of(request) != FX_REQ_DRIVER || fx_request_has_flag(request, FX_REQ_DRIVER_CREATED)) {
        OWDF_VERIFY_REPORT("REQ_NOT_OWNED", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: WDFREQUEST %p is not a request the driver owns", caller, (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    BOOLEAN purging = purge_in_progress(request);
    PIRP irp = request->irp;

    KIRQL irql;
    KeAcquireSpinLock(&request->cancel_lock, &irql);
    if (fx_request_has_flag(request, FX_REQ_CANCELABLE)) {
        KeReleaseSpinLock(&request->cancel_lock, irql);
        OWDF_VERIFY_REPORT("REQ_DOUBLE_MARK_CANCELABLE", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: WDFREQUEST %p is already cancelable", caller, (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    request->cancel_routine = routine;
    fx_request_clear_flag(request, FX_REQ_CANCEL_CLAIMED | FX_REQ_CANCEL_CALLED);
    fx_request_set_flag(request, FX_REQ_CANCELABLE | FX_REQ_WAS_CANCELABLE);
    IoSetCancelRoutine(irp, fx_request_irp_cancel);
    if ((__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST) || purging) && IoSetCancelRoutine(irp, NULL) != NULL) {
        /* Canceled before it could be armed. */
        fx_request_clear_flag(request, FX_REQ_CANCELABLE);
        if (ex) {
            request->cancel_routine = NULL;
            KeReleaseSpinLock(&request->cancel_lock, irql);
            return STATUS_CANCELLED;
        }
        fx_request_set_flag(request, FX_REQ_CANCELED);
        BOOLEAN held = fx_request_try_hold(request);
        KeReleaseSpinLock(&request->cancel_lock, irql);
        invoke_cancel(request, routine);
        if (held)
            fx_request_release_hold(request);
        return STATUS_SUCCESS;
    }
    /* Armed; or IoCancelIrp already took the routine and will call it. */
    KeReleaseSpinLock(&request->cancel_lock, irql);
    return STATUS_SUCCESS;
}

void imp_WdfRequestMarkCancelable(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, PFN_WDF_REQUEST_CANCEL routine)
{
    (void)mark_cancelable(globals, request, routine, FALSE, "WdfRequestMarkCancelable");
}

NTSTATUS imp_WdfRequestMarkCancelableEx(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request,
                                        PFN_WDF_REQUEST_CANCEL routine)
{
    return mark_cancelable(globals, request, routine, TRUE, "WdfRequestMarkCancelableEx");
}

NTSTATUS imp_WdfRequestUnmarkCancelable(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestUnmarkCancelable"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_owner_of(request) != FX_REQ_DRIVER) {
        OWDF_VERIFY_REPORT("REQ_NOT_OWNED", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestUnmarkCancelable: WDFREQUEST %p is not a request the driver owns",
                           (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    KIRQL irql;
    KeAcquireSpinLock(&request->cancel_lock, &irql);
    if (!fx_request_has_flag(request, FX_REQ_CANCELABLE)) {
        LONG flags = __atomic_load_n(&request->flags, __ATOMIC_ACQUIRE);
        if (flags & (FX_REQ_CANCEL_CALLED | FX_REQ_CANCEL_CLAIMED | FX_REQ_CANCELED)) {
            /* EvtRequestCancel has run, runs now or is about to: it completes the request. */
            if (!(flags & FX_REQ_CANCEL_CALLED))
                fx_request_set_flag(request, FX_REQ_CANCEL_CLAIMED);
            KeReleaseSpinLock(&request->cancel_lock, irql);
            return STATUS_CANCELLED;
        }
        KeReleaseSpinLock(&request->cancel_lock, irql);
        OWDF_VERIFY_REPORT("REQ_NOT_CANCELABLE", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestUnmarkCancelable: WDFREQUEST %p is not marked cancelable",
                           (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    fx_request_clear_flag(request, FX_REQ_CANCELABLE);
    if (IoSetCancelRoutine(request->irp, NULL) != NULL) {
        request->cancel_routine = NULL;
        KeReleaseSpinLock(&request->cancel_lock, irql);
        return STATUS_SUCCESS;
    }
    /* IoCancelIrp took the routine: EvtRequestCancel will run, and only it may complete the request. */
    fx_request_set_flag(request, FX_REQ_CANCEL_CLAIMED);
    KeReleaseSpinLock(&request->cancel_lock, irql);
    return STATUS_CANCELLED;
}

BOOLEAN imp_WdfRequestIsCanceled(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestIsCanceled"))
        return FALSE;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return FALSE;
    if (fx_request_has_flag(request, FX_REQ_CANCELABLE))
        OWDF_VERIFY_REPORT(
            "REQ_ISCANCELED_ON_CANCELABLE", handle, "WDFREQUEST", fx_report_driver(globals),
            "WdfRequestIsCanceled: WDFREQUEST %p is marked cancelable; its EvtRequestCancel tells "
            "when it is canceled",
            (void *)handle);
    return __atomic_load_n(&request->irp->Cancel, __ATOMIC_SEQ_CST) || fx_request_has_flag(request, FX_REQ_CANCELED);
}

/*
 * Completion of a request that is (or was) cancelable: FALSE when the request must not be completed
 * here (after a report): its cancel routine is running or will run and completes it.
 */
BOOLEAN fx_request_cancel_check_complete(fx_request *request, const char *caller);

BOOLEAN fx_request_cancel_check_complete(fx_request *request, const char *caller)
{
    PWDF_DRIVER_GLOBALS globals = request->object.globals;
    KIRQL irql;
    KeAcquireSpinLock(&request->cancel_lock, &irql);
    LONG flags = __atomic_load_n(&request->flags, __ATOMIC_ACQUIRE);
    if ((flags & FX_REQ_CANCEL_CLAIMED) && !(flags & FX_REQ_CANCEL_CALLED)) {
        KeReleaseSpinLock(&request->cancel_lock, irql);
        OWDF_VERIFY_REPORT(
            "REQ_COMPLETE_AFTER_CANCEL", request->object.handle, "WDFREQUEST", fx_report_driver(globals),
            "%s: WdfRequestUnmarkCancelable returned STATUS_CANCELLED for WDFREQUEST %p; only its "
            "EvtRequestCancel may complete it (not completed now)",
            caller, request->object.handle);
        return FALSE;
    }
    if (!(flags & FX_REQ_CANCELABLE)) {
        KeReleaseSpinLock(&request->cancel_lock, irql);
        return TRUE;
    }
    BOOLEAN reclaimed = IoSetCancelRoutine(request->irp, NULL) != NULL;
    if (reclaimed) {
        fx_request_clear_flag(request, FX_REQ_CANCELABLE);
        request->cancel_routine = NULL;
    }
    KeReleaseSpinLock(&request->cancel_lock, irql);
    OWDF_VERIFY_REPORT(
        "REQ_COMPLETE_WHILE_CANCELABLE", request->object.handle, "WDFREQUEST", fx_report_driver(globals),
        "%s: WDFREQUEST %p is still marked cancelable; call WdfRequestUnmarkCancelable first%s", caller,
        request->object.handle,
        reclaimed ? "" : " (it is being canceled: its EvtRequestCancel completes it, not this call)");
    return reclaimed;
}
