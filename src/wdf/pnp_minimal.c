/*
 * pnp_minimal.c - just enough PnP and power handling to make devices usable: start, query/cancel
 * remove and stop, stop, surprise removal and removal, with the driver's callbacks in KMDF's documented
 * order (Microsoft Learn, "PnP and Power Management Scenarios": power-up sequence, power-down and
 * removal sequence, surprise-removal sequence). Power IRPs are passed down unchanged.
 *
 * THE TABLE-DRIVEN PnP / POWER / POWER-POLICY STATE MACHINES REPLACE THIS FILE (next round): idle,
 * wake, Sx/Dx transitions, WdfDeviceSetFailed, query-capabilities reporting and PDOs are not here.
 *
 * Orders implemented (callbacks the driver did not register are skipped):
 *   start:    [IRP forwarded down first] EvtDevicePrepareHardware, EvtDeviceD0Entry(D3Final),
 *             EvtDeviceD0EntryPostInterruptsEnabled(D3Final), power-managed queues started,
 *             EvtDeviceSelfManagedIoInit (EvtDeviceSelfManagedIoRestart after a stop), interfaces enabled.
 *   remove:   interfaces disabled, EvtDeviceSelfManagedIoSuspend, power-managed queues stopped,
 *             EvtDeviceD0ExitPreInterruptsDisabled(D3Final), EvtDeviceD0Exit(D3Final),
 *             EvtDeviceReleaseHardware, EvtDeviceSelfManagedIoFlush, all queues purged,
 *             EvtDeviceSelfManagedIoCleanup, [IRP forwarded down], device detached, WDFDEVICE deleted
 *             (its EvtCleanupCallback), WDM device deleted.
 *   surprise: EvtDeviceSurpriseRemoval first, then the removal sequence up to the purge; the
 *             following IRP_MN_REMOVE_DEVICE does EvtDeviceSelfManagedIoCleanup and the deletion.
 *   stop:     as remove up to EvtDeviceReleaseHardware (interfaces stay); a later start calls
 *             EvtDeviceSelfManagedIoRestart instead of Init.
 *   failures: PrepareHardware fails -> ReleaseHardware; D0Entry fails -> ReleaseHardware (no D0Exit);
 *             SelfManagedIoInit fails -> the whole power-down, flush, purge and cleanup.
 * Control devices have no PnP: PnP and power IRPs complete with their current status.
 * All of this runs at PASSIVE_LEVEL on the thread that sent the IRP.
 */
#include "fx_core.h"

/* ---- resource lists (empty: openwdf devices have no hardware resources yet) ------------------------ */

typedef struct fx_cmreslist {
    fx_object object;
    ULONG count;
} fx_cmreslist;

static BOOLEAN fx_cmreslist_may_delete(fx_object *object)
{
    UNREFERENCED_PARAMETER(object);
    return FALSE;
}

static const fx_object_ops fx_cmreslist_ops = {
    .type = FX_TYPE_CMRESLIST,
    .name = "WDFCMRESLIST",
    .driver_may_delete = fx_cmreslist_may_delete,
};

NTSTATUS fx_pnp_device_init(fx_device *device)
{
    if (device->flags & FX_DEVICE_CONTROL)
        return STATUS_SUCCESS;
    fx_cmreslist *raw, *translated;
    NTSTATUS status = fx_object_create(device->object.globals, &fx_cmreslist_ops, sizeof(fx_cmreslist), NULL,
                                       &device->object, (void **)&raw);
    if (!NT_SUCCESS(status))
        return status;
    status = fx_object_create(device->object.globals, &fx_cmreslist_ops, sizeof(fx_cmreslist), NULL,
                              &device->object, (void **)&translated);
    if (!NT_SUCCESS(status)) {
        fx_object_delete(&raw->object);
        return status;
    }
    device->resources_raw = (WDFCMRESLIST)raw->object.handle;
    device->resources_translated = (WDFCMRESLIST)translated->object.handle;
    return STATUS_SUCCESS;
}

ULONG imp_WdfCmResourceListGetCount(PWDF_DRIVER_GLOBALS globals, WDFCMRESLIST handle)
{
    fx_cmreslist *list =
        (fx_cmreslist *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_CMRESLIST, __func__);
    return list != NULL ? list->count : 0;
}

PCM_PARTIAL_RESOURCE_DESCRIPTOR imp_WdfCmResourceListGetDescriptor(PWDF_DRIVER_GLOBALS globals, WDFCMRESLIST handle,
                                                                   ULONG index)
{
    UNREFERENCED_PARAMETER(index);
    (void)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_CMRESLIST, __func__);
    return NULL; /* every index is out of range of an empty list */
}

/* ---- calling the driver ---------------------------------------------------------------------------- */

static void fx_pnp_set_state(fx_device *device, fx_device_pnp_state state)
{
    __atomic_store_n(&device->pnp_state, state, __ATOMIC_RELEASE);
    fx_ifr_record(fx_core_ifr(device->object.globals), OWDF_IFR_DEVICE_STATE, device->object.handle, state, 0);
}

/* A PnP/power callback's status: STATUS_PENDING and STATUS_NOT_SUPPORTED are not allowed (the
 * callbacks are synchronous, and "do not return STATUS_NOT_SUPPORTED"); both count as failures. */
static NTSTATUS fx_pnp_check(fx_device *device, const char *what, NTSTATUS status)
{
    if (status == STATUS_PENDING || status == STATUS_NOT_SUPPORTED) {
        FX_REPORT("PNP_CALLBACK_INVALID_STATUS", device->object.handle, "WDFDEVICE", device->object.globals,
                  "%s returned 0x%08x (%s), which a PnP/power callback may not return; treated as a failure", what,
                  (unsigned)status, status == STATUS_PENDING ? "STATUS_PENDING" : "STATUS_NOT_SUPPORTED");
        return STATUS_UNSUCCESSFUL;
    }
    return status;
}

#define PNP_CALL_STATUS(device, field, what, ...) \
    ({ \
        NTSTATUS fx_st_ = STATUS_SUCCESS; \
        if ((device)->pnp_callbacks.field != NULL) { \
            FX_CALL_DRIVER((device)->object.globals, what, (device)->object.handle, \
                           fx_st_ = (device)->pnp_callbacks.field(fx_device_handle(device), ##__VA_ARGS__)); \
            fx_st_ = fx_pnp_check(device, what, fx_st_); \
        } \
        fx_st_; \
    })

#define PNP_CALL_VOID(device, field, what, ...) \
    do { \
        if ((device)->pnp_callbacks.field != NULL) \
            FX_CALL_DRIVER((device)->object.globals, what, (device)->object.handle, \
                           (device)->pnp_callbacks.field(fx_device_handle(device), ##__VA_ARGS__)); \
    } while (0)

static void fx_pnp_release_hardware(fx_device *device)
{
    if (!device->hardware_prepared)
        return;
    device->hardware_prepared = FALSE;
    (void)PNP_CALL_STATUS(device, EvtDeviceReleaseHardware, "EvtDeviceReleaseHardware", device->resources_translated);
}

/* Leaves D0: suspend self-managed I/O, stop the power-managed queues, D0 exit, release hardware. */
static void fx_pnp_power_down(fx_device *device, WDF_POWER_DEVICE_STATE target)
{
    if (device->pnp_state == FX_PNP_STARTED) {
        if (device->smio_initialized)
            (void)PNP_CALL_STATUS(device, EvtDeviceSelfManagedIoSuspend, "EvtDeviceSelfManagedIoSuspend");
        __atomic_store_n(&device->in_d0, 0, __ATOMIC_RELEASE);
        fx_io_power_down(device);
        (void)PNP_CALL_STATUS(device, EvtDeviceD0ExitPreInterruptsDisabled, "EvtDeviceD0ExitPreInterruptsDisabled",
                              target);
        (void)PNP_CALL_STATUS(device, EvtDeviceD0Exit, "EvtDeviceD0Exit", target);
    }
    fx_pnp_release_hardware(device);
}

/* After the hardware is released: flush self-managed I/O and purge every queue; then, if `cleanup`,
 * the self-managed I/O cleanup. */
static void fx_pnp_flush_and_purge(fx_device *device)
{
    if (device->smio_initialized)
        PNP_CALL_VOID(device, EvtDeviceSelfManagedIoFlush, "EvtDeviceSelfManagedIoFlush");
    if (!device->io_removed) {
        device->io_removed = TRUE;
        fx_io_device_removed(device);
    }
}

static void fx_pnp_cleanup_self_managed_io(fx_device *device)
{
    if (!device->smio_initialized)
        return;
    device->smio_initialized = FALSE;
    PNP_CALL_VOID(device, EvtDeviceSelfManagedIoCleanup, "EvtDeviceSelfManagedIoCleanup");
}

/* The device's own start work, once the lower drivers started. */
static NTSTATUS fx_pnp_power_up(fx_device *device)
{
    BOOLEAN restart = device->pnp_state == FX_PNP_STOPPED;
    NTSTATUS status;
    device->hardware_prepared = TRUE;
    status = PNP_CALL_STATUS(device, EvtDevicePrepareHardware, "EvtDevicePrepareHardware", device->resources_raw,
                             device->resources_translated);
    if (!NT_SUCCESS(status))
        goto release;
    status = PNP_CALL_STATUS(device, EvtDeviceD0Entry, "EvtDeviceD0Entry", WdfPowerDeviceD3Final);
    if (!NT_SUCCESS(status))
        goto release; /* no EvtDeviceD0Exit after a failed EvtDeviceD0Entry */
    status = PNP_CALL_STATUS(device, EvtDeviceD0EntryPostInterruptsEnabled, "EvtDeviceD0EntryPostInterruptsEnabled",
                             WdfPowerDeviceD3Final);
    if (!NT_SUCCESS(status)) {
        (void)PNP_CALL_STATUS(device, EvtDeviceD0Exit, "EvtDeviceD0Exit", WdfPowerDeviceD3Final);
        goto release;
    }
    __atomic_store_n(&device->in_d0, 1, __ATOMIC_RELEASE);
    fx_io_power_up(device);
    fx_pnp_set_state(device, FX_PNP_STARTED);
    if (restart && device->smio_initialized) {
        status = PNP_CALL_STATUS(device, EvtDeviceSelfManagedIoRestart, "EvtDeviceSelfManagedIoRestart");
    } else {
        device->smio_initialized = TRUE;
        status = PNP_CALL_STATUS(device, EvtDeviceSelfManagedIoInit, "EvtDeviceSelfManagedIoInit");
    }
    if (!NT_SUCCESS(status)) {
        fx_pnp_power_down(device, WdfPowerDeviceD3Final);
        fx_pnp_flush_and_purge(device);
        fx_pnp_cleanup_self_managed_io(device);
        fx_pnp_set_state(device, FX_PNP_FAILED);
        return status;
    }
    fx_device_set_interfaces_state(device, TRUE);
    return STATUS_SUCCESS;

release:
    fx_pnp_release_hardware(device);
    fx_pnp_set_state(device, FX_PNP_FAILED);
    return status;
}

/* ---- IRP_MJ_PNP ---------------------------------------------------------------------------------------- */

static NTSTATUS fx_pnp_forward(fx_device *device, PIRP irp)
{
    if (device->attached_device == NULL) {
        NTSTATUS status = irp->IoStatus.Status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    return fx_device_forward_irp(device, irp);
}

static NTSTATUS fx_pnp_complete(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS fx_pnp_start(fx_device *device, PIRP irp)
{
    if (device->pnp_state == FX_PNP_STARTED)
        return fx_pnp_forward(device, irp); /* already started: nothing for the Framework to do */
    /* The lower drivers start first (the IRP travels down and comes back). */
    NTSTATUS status = STATUS_SUCCESS;
    if (device->attached_device != NULL) {
        if (!IoForwardIrpSynchronously(device->attached_device, irp))
            irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        status = irp->IoStatus.Status;
    }
    if (NT_SUCCESS(status))
        status = fx_pnp_power_up(device);
    else
        fx_pnp_set_state(device, FX_PNP_FAILED);
    return fx_pnp_complete(irp, status);
}

static NTSTATUS fx_pnp_query(fx_device *device, PIRP irp, BOOLEAN remove)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (!device->stoppable)
        status = STATUS_INVALID_DEVICE_STATE; /* WdfDeviceSetStaticStopRemove(FALSE) vetoes */
    else if (remove)
        status = PNP_CALL_STATUS(device, EvtDeviceQueryRemove, "EvtDeviceQueryRemove");
    else
        status = PNP_CALL_STATUS(device, EvtDeviceQueryStop, "EvtDeviceQueryStop");
    if (!NT_SUCCESS(status))
        return fx_pnp_complete(irp, status); /* vetoed: the IRP goes no further */
    irp->IoStatus.Status = STATUS_SUCCESS;
    return fx_pnp_forward(device, irp);
}

static NTSTATUS fx_pnp_stop(fx_device *device, PIRP irp)
{
    if (device->pnp_state == FX_PNP_STARTED) {
        fx_pnp_power_down(device, WdfPowerDeviceD3Final);
        fx_pnp_set_state(device, FX_PNP_STOPPED);
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    return fx_pnp_forward(device, irp);
}

static NTSTATUS fx_pnp_surprise_removal(fx_device *device, PIRP irp)
{
    if (device->pnp_state != FX_PNP_SURPRISE_REMOVED && device->pnp_state != FX_PNP_REMOVED) {
        PNP_CALL_VOID(device, EvtDeviceSurpriseRemoval, "EvtDeviceSurpriseRemoval");
        fx_device_set_interfaces_state(device, FALSE);
        fx_pnp_power_down(device, WdfPowerDeviceD3Final);
        fx_pnp_flush_and_purge(device);
        fx_pnp_set_state(device, FX_PNP_SURPRISE_REMOVED);
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    return fx_pnp_forward(device, irp);
}

static NTSTATUS fx_pnp_remove(fx_device *device, PIRP irp)
{
    if (device->pnp_state != FX_PNP_SURPRISE_REMOVED) {
        fx_device_set_interfaces_state(device, FALSE);
        fx_pnp_power_down(device, WdfPowerDeviceD3Final);
        fx_pnp_flush_and_purge(device);
    }
    fx_pnp_cleanup_self_managed_io(device);
    fx_pnp_set_state(device, FX_PNP_REMOVED);
    irp->IoStatus.Status = STATUS_SUCCESS;
    NTSTATUS status = fx_pnp_forward(device, irp);
    /* Detached and deleted after the lower drivers saw the removal (dispose does both). */
    fx_device_destroy(device);
    return status;
}

NTSTATUS fx_pnp_dispatch(fx_device *device, PIRP irp)
{
    if (device->flags & FX_DEVICE_CONTROL)
        return fx_pnp_complete(irp, irp->IoStatus.Status); /* no PnP for control devices */
    if (!ke_check_max_irql(PASSIVE_LEVEL, "IRP_MJ_PNP dispatch"))
        return fx_pnp_complete(irp, STATUS_INVALID_DEVICE_STATE);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        return fx_pnp_start(device, irp);
    case IRP_MN_QUERY_REMOVE_DEVICE:
        return fx_pnp_query(device, irp, TRUE);
    case IRP_MN_QUERY_STOP_DEVICE:
        return fx_pnp_query(device, irp, FALSE);
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
        irp->IoStatus.Status = STATUS_SUCCESS;
        return fx_pnp_forward(device, irp);
    case IRP_MN_STOP_DEVICE:
        return fx_pnp_stop(device, irp);
    case IRP_MN_SURPRISE_REMOVAL:
        return fx_pnp_surprise_removal(device, irp);
    case IRP_MN_REMOVE_DEVICE:
        return fx_pnp_remove(device, irp);
    default:
        return fx_pnp_forward(device, irp);
    }
}

/* ---- IRP_MJ_POWER ------------------------------------------------------------------------------------- */

NTSTATUS fx_power_dispatch(fx_device *device, PIRP irp)
{
    /* Without the power state machines the device stays in D0 while started: pass power IRPs down. */
    return fx_pnp_forward(device, irp);
}

/* ---- control devices ---------------------------------------------------------------------------------- */

void fx_pnp_control_device_ready(fx_device *device)
{
    if (device->pnp_state != FX_PNP_ADDED)
        return;
    (void)ke_check_max_irql(PASSIVE_LEVEL, "WdfControlFinishInitializing");
    __atomic_store_n(&device->in_d0, 1, __ATOMIC_RELEASE);
    device->wdm_device->Flags &= ~DO_DEVICE_INITIALIZING;
    fx_pnp_set_state(device, FX_PNP_STARTED);
}
