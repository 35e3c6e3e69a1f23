/*
 * dispatch.c - the Framework's one dispatch routine: every MajorFunction entry of a WDF driver points
 * here (WdfDriverCreate). It finds the WDFDEVICE from the DEVICE_OBJECT's extension, offers the IRP to
 * the driver's EvtDeviceWdmIrpPreprocess when one is registered for it, then routes it:
 *   CREATE, CLEANUP, CLOSE          -> file objects (fileobject.c)
 *   READ, WRITE, (INTERNAL_)DEVICE_CONTROL -> the I/O package (fx_io_dispatch; EvtIoInCallerContext,
 *                                     queues, and the filter-forwards / FDO-fails default are its)
 *   PNP, POWER                       -> pnp_minimal.c
 *   anything else                    -> a filter forwards it; other devices complete it with
 *                                     STATUS_INVALID_DEVICE_REQUEST (SYSTEM_CONTROL: forwarded by
 *                                     attached devices, else completed unchanged, as KMDF's WMI
 *                                     handler does without providers).
 * Any IRQL the I/O manager calls dispatch at (<= DISPATCH_LEVEL); no lock is held here.
 */
#include "fx_core.h"

static NTSTATUS fx_complete_status(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS fx_device_forward_irp(fx_device *device, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(device->attached_device, irp);
}

static BOOLEAN fx_preprocess_wants(const fx_irp_preprocess *p, UCHAR minor)
{
    if (p->callback == NULL)
        return FALSE;
    if (p->minor_count == 0)
        return TRUE;
    for (ULONG i = 0; i < p->minor_count; i++) {
        if (p->minors[i] == minor)
            return TRUE;
    }
    return FALSE;
}

/* The Framework's handling of an IRP (after any preprocessing). */
static NTSTATUS fx_dispatch_framework(fx_device *device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    switch (stack->MajorFunction) {
    case IRP_MJ_CREATE:
        return fx_file_dispatch_create(device, irp);
    case IRP_MJ_CLEANUP:
        return fx_file_dispatch_cleanup(device, irp);
    case IRP_MJ_CLOSE:
        return fx_file_dispatch_close(device, irp);
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        return fx_io_dispatch(device, irp);
    case IRP_MJ_PNP:
        return fx_pnp_dispatch(device, irp);
    case IRP_MJ_POWER:
        return fx_power_dispatch(device, irp);
    case IRP_MJ_SYSTEM_CONTROL:
        if (device->attached_device != NULL)
            return fx_device_forward_irp(device, irp);
        {
            NTSTATUS status = irp->IoStatus.Status;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
            return status;
        }
    default:
        if (fx_device_is_filter(device) && device->attached_device != NULL)
            return fx_device_forward_irp(device, irp);
        return fx_complete_status(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
}

/* A deleted WDFDEVICE still gets the IRPs of handles open across its removal (it lives as long as its
 * device object): their CLEANUP and CLOSE finish normally, the rest fails. */
static NTSTATUS fx_dispatch_deleted(fx_device *device, PIRP irp)
{
    switch (IoGetCurrentIrpStackLocation(irp)->MajorFunction) {
    case IRP_MJ_CLEANUP:
        return fx_file_dispatch_cleanup(device, irp);
    case IRP_MJ_CLOSE:
        return fx_file_dispatch_close(device, irp);
    default:
        return fx_complete_status(irp, STATUS_INVALID_DEVICE_STATE);
    }
}

NTSTATUS fx_dispatch(PDEVICE_OBJECT device_object, PIRP irp)
{
    fx_device *device = fx_device_from_wdm(device_object);
    if (device == NULL) {
        /* A device of this driver the Framework did not create (a WDM device made by the driver). */
        return fx_complete_status(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
    if (IO_UNLIKELY(__atomic_load_n(&device->deleting, __ATOMIC_ACQUIRE)))
        return fx_dispatch_deleted(device, irp);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    const fx_irp_preprocess *p = &device->preprocess[stack->MajorFunction];
    if (fx_preprocess_wants(p, stack->MinorFunction)) {
        NTSTATUS status;
        FX_CALL_DRIVER(device->object.globals, "EvtDeviceWdmIrpPreprocess", device->object.handle,
                       status = p->callback(fx_device_handle(device), irp));
        return status;
    }
    return fx_dispatch_framework(device, irp);
}

NTSTATUS imp_WdfDeviceWdmDispatchPreprocessedIrp(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, PIRP irp)
{
    static const char ddi[] = "WdfDeviceWdmDispatchPreprocessedIrp";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (irp == NULL) {
        FX_NULL_REPORT(globals, ddi, "Irp");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(DISPATCH_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    /* The driver called IoSkipCurrentIrpStackLocation (preprocessing) or
     * IoCopyCurrentIrpStackLocationToNext + a completion routine (postprocessing) before handing the
     * IRP back: step to the next location, which the Framework then processes as its own. */
    if (irp->CurrentLocation <= 1) {
        FX_REPORT("DDI_INVALID_PARAMETER", irp, "IRP", globals,
                  "%s: the IRP has no stack location left for the Framework (call IoSkipCurrentIrpStackLocation "
                  "or IoCopyCurrentIrpStackLocationToNext first)",
                  ddi);
        return fx_complete_status(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
    IoSetNextIrpStackLocation(irp);
    return fx_dispatch_framework(device, irp);
}
