/*
 * cancel.c - IRP cancellation: the global cancel spin lock and IoCancelIrp.
 *
 * Protocol (as Windows): IoCancelIrp takes the cancel spin lock, sets Irp->Cancel, and atomically
 * takes the cancel routine (IoSetCancelRoutine(Irp, NULL)). If it got one, it calls it with the
 * lock still held and Irp->CancelIrql set; the routine releases the lock
 * (IoReleaseCancelSpinLock(Irp->CancelIrql)) and completes the IRP. A driver completing the IRP
 * normally first takes the routine back with IoSetCancelRoutine(Irp, NULL): exactly one side gets
 * it, so exactly one side completes. Irp->Cancel is written with an atomic store; drivers that read
 * it racing with a canceller should do so after setting their cancel routine (the exchange orders
 * it).
 */
#include "io_internal.h"

KSPIN_LOCK io_cancel_lock __attribute__((visibility("hidden")));

void IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = KeAcquireSpinLockRaiseToDpc(&io_cancel_lock);
}

void IoReleaseCancelSpinLock(KIRQL Irql)
{
    KeReleaseSpinLock(&io_cancel_lock, Irql);
}

BOOLEAN IoCancelIrp(PIRP Irp)
{
    if (IO_UNLIKELY(Irp == NULL || Irp->Type != IO_TYPE_IRP)) {
        OWDF_VERIFY_REPORT("OB_NOT_AN_OBJECT", Irp, "IRP", io_report_driver(),
                           "IoCancelIrp(%p): not an IRP (freed already?)", (void *)Irp);
        return FALSE;
    }
    /* The routine must leave things as they were before the cancel lock was taken. */
    ke_callback_frame frame;
    ke_callback_enter(&frame);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    __atomic_store_n(&Irp->Cancel, TRUE, __ATOMIC_SEQ_CST);
    PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, NULL);
    if (routine == NULL) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    Irp->CancelIrql = irql;
    PDEVICE_OBJECT device = NULL;
    if (Irp->CurrentLocation <= Irp->StackCount)
        device = IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
    PDRIVER_OBJECT previous = io_tls_current_driver;
    PDRIVER_OBJECT driver = device != NULL ? device->DriverObject : previous;
    io_tls_current_driver = driver;
    owdf_dbg_log *previous_log = owdf_dbg_log_set_current(
        driver != NULL && driver->OwdfPrivate ? io_driver_private(driver)->log : NULL);
    routine(device, Irp);
    ke_callback_check_return(&frame, "cancel routine");
    owdf_dbg_log_set_current(previous_log);
    io_tls_current_driver = previous;
    return TRUE;
}
