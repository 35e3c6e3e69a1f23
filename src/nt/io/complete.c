/*
 * complete.c - IoCompleteRequest: the walk up an IRP's stack locations calling completion routines,
 * then the originator's completion (the user side's, or the I/O manager's own for IoBuild* and
 * driver-allocated IRPs: copy back, set *UserIosb, signal UserEvent, free).
 *
 * Windows semantics, per level (from the completing driver's location upward):
 *   PendingReturned = that location's SL_PENDING_RETURNED; the location is consumed; its routine
 *   runs when (success and SL_INVOKE_ON_SUCCESS) or (error and SL_INVOKE_ON_ERROR) or (Irp->Cancel
 *   and SL_INVOKE_ON_CANCEL), with the DeviceObject of the level above (NULL at the top, i.e. the
 *   IRP's originator). STATUS_MORE_PROCESSING_REQUIRED stops the walk: the routine's driver owns
 *   the IRP again. Without a routine, PendingReturned is propagated (IoMarkIrpPending) upward.
 *
 * Checks on the fast path are a few compares. A completion routine that completes the IRP again
 * itself (legal only if it then returns STATUS_MORE_PROCESSING_REQUIRED) is detected with a
 * per-thread list of the walks in progress, and the end of the walk is deferred to the outer one
 * so the IRP is never used after its originator got it back.
 */
#include "io_internal.h"

struct io_walk {
    PIRP irp;
    struct io_walk *outer;
    UCHAR nested;         /* the IRP was completed again from inside a routine this walk called */
    UCHAR final_deferred; /* ...and that inner walk reached the top: this walk finishes the IRP */
};

static __thread struct io_walk *io_tls_walk __attribute__((tls_model("initial-exec")));

/* ---- The end of the walk ------------------------------------------------------------------------- */

static void io_complete_top(PIRP irp)
{
    if (irp->Owdf.OriginatorCompletion != NULL) {
        irp->Owdf.OriginatorCompletion(irp, irp->Owdf.OriginatorContext);
        return;
    }
    if (irp->Flags & IRP_ASSOCIATED_IRP) {
        PIRP master = irp->AssociatedIrp.MasterIrp;
        irp->AssociatedIrp.MasterIrp = NULL;
        io_irp_finish_buffers(irp);
        IoFreeIrp(irp);
        if (__atomic_sub_fetch(&master->AssociatedIrp.IrpCount, 1, __ATOMIC_ACQ_REL) == 0)
            IofCompleteRequest(master, IO_NO_INCREMENT);
        return;
    }
    /* The I/O manager's own completion (IopCompleteRequest). */
    io_irp_finish_buffers(irp);
    PIO_STATUS_BLOCK iosb = irp->UserIosb;
    PKEVENT event = irp->UserEvent;
    IO_STATUS_BLOCK status = irp->IoStatus;
    IoFreeIrp(irp);
    if (iosb != NULL)
        *iosb = status;
    if (event != NULL)
        KeSetEvent(event, IO_NO_INCREMENT, FALSE);
}

/* ---- Reports -------------------------------------------------------------------------------------- */

static __attribute__((noinline)) void io_report_double(PIRP irp)
{
    if (irp->Type != IO_TYPE_IRP)
        OWDF_VERIFY_REPORT("IRP_DOUBLE_COMPLETE", irp, "IRP", io_report_driver(),
                           "IoCompleteRequest(%p): not an IRP any more (completed and freed already?)",
                           (void *)irp);
    else
        OWDF_VERIFY_REPORT(
            "IRP_DOUBLE_COMPLETE", irp, "IRP", io_report_driver(),
            "IoCompleteRequest(%p): the IRP is already completed (CurrentLocation %d of %d: no "
            "driver holds it)",
            (void *)irp, irp->CurrentLocation, irp->StackCount);
}

static __attribute__((noinline)) void io_report_entry_state(PIRP irp)
{
    if (irp->IoStatus.Status == STATUS_PENDING) {
        owdf_verifier_policy policy =
            OWDF_VERIFY_REPORT("IRP_COMPLETE_PENDING", irp, "IRP", io_report_driver(),
                               "IoCompleteRequest(%p) with IoStatus.Status STATUS_PENDING", (void *)irp);
        if (policy != OWDF_POLICY_LOG)
            irp->IoStatus.Status = STATUS_DRIVER_INTERNAL_ERROR;
    }
    PDRIVER_CANCEL routine = IoSetCancelRoutine(irp, NULL);
    if (routine != NULL)
        OWDF_VERIFY_REPORT("IRP_COMPLETE_WITH_CANCEL_ROUTINE", irp, "IRP", io_report_driver(),
                           "IoCompleteRequest(%p) while cancel routine %p is still set (clear it with "
                           "IoSetCancelRoutine(Irp, NULL) first); cleared",
                           (void *)irp, (void *)routine);
}

/* ---- The walk -------------------------------------------------------------------------------------- */

void IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    if (IO_UNLIKELY(Irp->Type != IO_TYPE_IRP || Irp->CurrentLocation > Irp->StackCount ||
                    (Irp->Owdf.State & IO_IRP_STATE_COMPLETED))) {
        io_report_double(Irp);
        return;
    }
    if (IO_UNLIKELY(Irp->IoStatus.Status == STATUS_PENDING ||
                    __atomic_load_n(&Irp->CancelRoutine, __ATOMIC_RELAXED) != NULL))
        io_report_entry_state(Irp);

    struct io_walk *same = NULL;
    for (struct io_walk *w = io_tls_walk; w != NULL; w = w->outer) {
        if (w->irp == Irp) {
            same = w;
            same->nested = 1;
            break;
        }
    }
    struct io_walk walk = {Irp, io_tls_walk, 0, 0};
    io_tls_walk = &walk;

    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    while (Irp->CurrentLocation <= Irp->StackCount) {
        UCHAR control = sp->Control;
        Irp->PendingReturned = (control & SL_PENDING_RETURNED) != 0;
        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        NTSTATUS status = Irp->IoStatus.Status;
        if ((NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS)) ||
            (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR)) ||
            ((control & SL_INVOKE_ON_CANCEL) && __atomic_load_n(&Irp->Cancel, __ATOMIC_RELAXED))) {
            PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
            PVOID context = sp->Context;
            sp->Control = 0;
            sp->CompletionRoutine = NULL;
            sp->Context = NULL;
            PDEVICE_OBJECT device = NULL;
            PDRIVER_OBJECT driver = io_tls_current_driver;
            if (Irp->CurrentLocation <= Irp->StackCount) {
                device = IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
                if (device != NULL)
                    driver = device->DriverObject;
            }
            io_driver_call call;
            io_enter_driver(driver, &call);
            NTSTATUS result = routine(device, Irp, context);
            io_leave_driver(&call, "completion routine");
            if (IO_UNLIKELY(walk.nested)) {
                if (result != STATUS_MORE_PROCESSING_REQUIRED)
                    OWDF_VERIFY_REPORT("IRP_DOUBLE_COMPLETE", Irp, "IRP", driver,
                                       "completion routine %p completed IRP %p again and returned 0x%08x "
                                       "instead of STATUS_MORE_PROCESSING_REQUIRED",
                                       (void *)routine, (void *)Irp, (unsigned)result);
                io_tls_walk = walk.outer;
                if (walk.final_deferred) {
                    if (same != NULL)
                        same->final_deferred = 1;
                    else
                        io_complete_top(Irp);
                }
                return;
            }
            if (result == STATUS_MORE_PROCESSING_REQUIRED) {
                io_tls_walk = walk.outer;
                return;
            }
            if (IO_UNLIKELY(Irp->PendingReturned) && Irp->CurrentLocation <= Irp->StackCount &&
                !(IoGetCurrentIrpStackLocation(Irp)->Control & SL_PENDING_RETURNED)) {
                OWDF_VERIFY_REPORT("IRP_PENDING_NOT_PROPAGATED", Irp, "IRP", driver,
                                   "completion routine %p: Irp->PendingReturned is TRUE but the routine "
                                   "did not call IoMarkIrpPending (IRP %p)",
                                   (void *)routine, (void *)Irp);
                IoMarkIrpPending(Irp);
            }
        } else {
            sp->Control = 0;
            sp->CompletionRoutine = NULL;
            sp->Context = NULL;
            if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount)
                IoMarkIrpPending(Irp);
        }
        sp++;
    }

    io_tls_walk = walk.outer;
    Irp->Owdf.State |= IO_IRP_STATE_COMPLETED;
    if (IO_UNLIKELY(same != NULL)) {
        same->final_deferred = 1;
        return;
    }
    io_complete_top(Irp);
}

NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                  PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                  BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError, BOOLEAN InvokeOnCancel)
{
    (void)DeviceObject;
    IoSetCompletionRoutine(Irp, CompletionRoutine, Context, InvokeOnSuccess, InvokeOnError, InvokeOnCancel);
    return STATUS_SUCCESS;
}
