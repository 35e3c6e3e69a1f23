/*
 * testbench_pnp.c - the part of the PnP manager the test bench plays for root-enumerated devices:
 * building a device stack (PDO from the root bus, IDs and capabilities queried, AddDevice of each
 * driver in order), starting it, and the removal sequences (query-remove / cancel-remove / remove,
 * surprise removal with the removal deferred until the last handle closes), with the IRPs sent the
 * way the PnP manager sends them (a fresh IRP at the top of the stack, status STATUS_NOT_SUPPORTED,
 * a completion routine that takes the IRP back).
 *
 * Everything here runs at PASSIVE_LEVEL on the caller's thread with tb->pnp_lock held (the PnP
 * manager's serialization). The real PnP manager replaces this file; the public device API stays.
 */
#include "tb_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openwdf/nt.h>

typedef enum tb_remove_mode {
    TB_REMOVE_ORDERLY, /* a veto or an open handle keeps the device */
    TB_REMOVE_DEFER,   /* otherwise surprise removal, REMOVE_DEVICE when the handles are closed */
    TB_REMOVE_NOW,     /* otherwise surprise removal and REMOVE_DEVICE at once (teardown) */
} tb_remove_mode;

/* ---- sending PnP IRPs ------------------------------------------------------------------------------ */

static NTSTATUS tb_pnp_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    UNREFERENCED_PARAMETER(device);
    UNREFERENCED_PARAMETER(irp);
    KeSetEvent((PKEVENT)context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the IRP is ours again */
}

NTSTATUS tb_pnp_send(PDEVICE_OBJECT pdo, UCHAR minor, PIO_STACK_LOCATION params, ULONG_PTR *information)
{
    if (information != NULL)
        *information = 0;
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (irp == NULL) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    irp->IoStatus.Information = 0;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    if (params != NULL)
        next->Parameters = params->Parameters;
    next->MajorFunction = IRP_MJ_PNP;
    next->MinorFunction = minor;
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoSetCompletionRoutine(irp, tb_pnp_done, &done, TRUE, TRUE, TRUE);
    NTSTATUS status = IoCallDriver(top, irp);
    if (status == STATUS_PENDING)
        (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    status = irp->IoStatus.Status;
    if (information != NULL)
        *information = irp->IoStatus.Information;
    else if (NT_SUCCESS(status) && irp->IoStatus.Information != 0 &&
             (minor == IRP_MN_QUERY_ID || minor == IRP_MN_QUERY_DEVICE_TEXT))
        ExFreePool((PVOID)irp->IoStatus.Information);
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return status;
}

LONG tb_stack_open_count(PDEVICE_OBJECT pdo)
{
    LONG opens = 0;
    for (PDEVICE_OBJECT d = pdo; d != NULL; d = d->AttachedDevice)
        opens += __atomic_load_n(&d->ReferenceCount, __ATOMIC_ACQUIRE);
    return opens;
}

/* ---- helpers ----------------------------------------------------------------------------------------- */

static BOOLEAN tb_driver_is_listed(owdf_tb *tb, owdf_tb_driver *drv)
{
    for (owdf_tb_driver *d = tb->drivers; d != NULL; d = d->next) {
        if (d == drv)
            return !drv->unload_pending;
    }
    return FALSE;
}

static BOOLEAN tb_device_is_listed(owdf_tb *tb, owdf_tb_device *dev)
{
    for (owdf_tb_device *d = tb->devices; d != NULL; d = d->next) {
        if (d == dev)
            return TRUE;
    }
    return FALSE;
}

static void tb_device_unlink(owdf_tb_device *dev)
{
    for (owdf_tb_device **link = &dev->tb->devices; *link != NULL; link = &(*link)->next) {
        if (*link == dev) {
            *link = dev->next;
            break;
        }
    }
    free(dev);
}

/* Calls a driver's AddDevice as the PnP manager does: its debug log current, IRQL checked. */
static NTSTATUS tb_call_add_device(owdf_tb_driver *drv, PDEVICE_OBJECT pdo)
{
    PDRIVER_ADD_DEVICE add = drv->object->DriverExtension->AddDevice;
    owdf_dbg_log *previous = owdf_dbg_log_set_current(owdf_io_driver_log(drv->object));
    ke_callback_frame frame;
    ke_callback_enter(&frame);
    NTSTATUS status = add(drv->object, pdo);
    char what[96];
    snprintf(what, sizeof what, "AddDevice of driver %s", drv->name);
    (void)ke_callback_check_return(&frame, what);
    owdf_dbg_log_set_current(previous);
    return status;
}

/* The stack is gone for good: REMOVE_DEVICE (the bus deletes the PDO). */
static NTSTATUS tb_send_remove(PDEVICE_OBJECT pdo)
{
    tb_rootbus_mark_missing(pdo);
    NTSTATUS status = tb_pnp_send(pdo, IRP_MN_REMOVE_DEVICE, NULL, NULL);
    tb_rootbus_delete_if_missing(pdo);
    return status;
}

static NTSTATUS tb_query_capabilities(PDEVICE_OBJECT pdo)
{
    DEVICE_CAPABILITIES caps;
    memset(&caps, 0, sizeof caps);
    caps.Size = sizeof caps;
    caps.Version = 1;
    caps.Address = 0xffffffffu;
    caps.UINumber = 0xffffffffu;
    IO_STACK_LOCATION params;
    memset(&params, 0, sizeof params);
    params.Parameters.DeviceCapabilities.Capabilities = &caps;
    return tb_pnp_send(pdo, IRP_MN_QUERY_CAPABILITIES, &params, NULL);
}

/* What the PnP manager asks a new PDO before it looks for drivers. */
static NTSTATUS tb_query_new_pdo(PDEVICE_OBJECT pdo)
{
    static const BUS_QUERY_ID_TYPE ids[] = {BusQueryDeviceID, BusQueryHardwareIDs, BusQueryInstanceID};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        IO_STACK_LOCATION params;
        memset(&params, 0, sizeof params);
        params.Parameters.QueryId.IdType = ids[i];
        NTSTATUS status = tb_pnp_send(pdo, IRP_MN_QUERY_ID, &params, NULL);
        if (!NT_SUCCESS(status))
            return status;
    }
    return tb_query_capabilities(pdo);
}

static NTSTATUS tb_start_locked(owdf_tb_device *dev)
{
    IO_STACK_LOCATION params;
    memset(&params, 0, sizeof params); /* no resources: AllocatedResources(Translated) NULL */
    NTSTATUS status = tb_pnp_send(dev->pdo, IRP_MN_START_DEVICE, &params, NULL);
    if (!NT_SUCCESS(status)) {
        dev->state = TB_DEV_START_FAILED;
        return status;
    }
    dev->state = TB_DEV_STARTED;
    /* After a start the PnP manager asks again what the stack can do and how it is. */
    (void)tb_query_capabilities(dev->pdo);
    ULONG_PTR pnp_state = 0;
    (void)tb_pnp_send(dev->pdo, IRP_MN_QUERY_PNP_DEVICE_STATE, NULL, &pnp_state);
    return STATUS_SUCCESS;
}

/* Removes dev (which is then freed unless the removal is deferred or vetoed). */
static NTSTATUS tb_remove_locked(owdf_tb_device *dev, tb_remove_mode mode)
{
    NTSTATUS status;
    if (dev->state == TB_DEV_SURPRISE_REMOVED) {
        if (mode == TB_REMOVE_DEFER && tb_stack_open_count(dev->pdo) > 0)
            return STATUS_PENDING;
        status = tb_send_remove(dev->pdo);
        tb_device_unlink(dev);
        return status;
    }
    if (dev->state != TB_DEV_STARTED) {
        /* Never started (or start failed): the stack is simply removed. */
        status = tb_send_remove(dev->pdo);
        tb_device_unlink(dev);
        return status;
    }

    NTSTATUS veto = STATUS_SUCCESS;
    status = tb_pnp_send(dev->pdo, IRP_MN_QUERY_REMOVE_DEVICE, NULL, NULL);
    if (!NT_SUCCESS(status))
        veto = status;
    else if (tb_stack_open_count(dev->pdo) > 0)
        veto = STATUS_DEVICE_BUSY; /* an open handle vetoes, as Windows' PnP manager does */
    if (NT_SUCCESS(veto)) {
        status = tb_send_remove(dev->pdo);
        tb_device_unlink(dev);
        return status;
    }
    (void)tb_pnp_send(dev->pdo, IRP_MN_CANCEL_REMOVE_DEVICE, NULL, NULL);
    if (mode == TB_REMOVE_ORDERLY)
        return veto;

    /* It has to go anyway: the device is gone from under its handles. */
    (void)tb_pnp_send(dev->pdo, IRP_MN_SURPRISE_REMOVAL, NULL, NULL);
    dev->state = TB_DEV_SURPRISE_REMOVED;
    return tb_remove_locked(dev, mode);
}

/* ---- the device API --------------------------------------------------------------------------------- */

NTSTATUS owdf_tb_device_add(owdf_tb *tb, owdf_tb_driver *drv, const char *hardware_id, owdf_tb_device **out)
{
    return owdf_tb_device_add_ex(tb, drv, hardware_id, NULL, out);
}

NTSTATUS owdf_tb_device_add_ex(owdf_tb *tb, owdf_tb_driver *drv, const char *hardware_id,
                               const owdf_tb_device_options *opts, owdf_tb_device **out)
{
    if (out != NULL)
        *out = NULL;
    if (tb == NULL || drv == NULL || hardware_id == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    owdf_tb_device_options o;
    memset(&o, 0, sizeof o);
    if (opts != NULL) {
        if (opts->size < sizeof o)
            return STATUS_INVALID_PARAMETER;
        o = *opts;
    }
    if (o.upper_filter_count + o.lower_filter_count + 1 > TB_MAX_STACK ||
        (o.upper_filter_count != 0 && o.upper_filters == NULL) ||
        (o.lower_filter_count != 0 && o.lower_filters == NULL))
        return STATUS_INVALID_PARAMETER;

    owdf_tb_device *dev = calloc(1, sizeof *dev);
    if (dev == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    dev->tb = tb;
    for (size_t i = 0; i < o.lower_filter_count; i++)
        dev->stack_drivers[dev->stack_driver_count++] = o.lower_filters[i];
    dev->stack_drivers[dev->stack_driver_count++] = drv;
    for (size_t i = 0; i < o.upper_filter_count; i++)
        dev->stack_drivers[dev->stack_driver_count++] = o.upper_filters[i];

    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status = STATUS_SUCCESS;
    for (size_t i = 0; i < dev->stack_driver_count && NT_SUCCESS(status); i++) {
        owdf_tb_driver *d = dev->stack_drivers[i];
        if (d == NULL || d->tb != tb || !tb_driver_is_listed(tb, d))
            status = STATUS_INVALID_PARAMETER;
        else if (d->object->DriverExtension->AddDevice == NULL)
            status = STATUS_INVALID_DEVICE_REQUEST; /* not a PnP driver */
    }
    if (!NT_SUCCESS(status)) {
        pthread_mutex_unlock(&tb->pnp_lock);
        free(dev);
        return status;
    }

    status = tb_rootbus_create_pdo(hardware_id, o.compatible_ids, &dev->pdo, dev->instance_id,
                                   sizeof dev->instance_id);
    if (!NT_SUCCESS(status)) {
        pthread_mutex_unlock(&tb->pnp_lock);
        free(dev);
        return status;
    }
    status = tb_query_new_pdo(dev->pdo);
    for (size_t i = 0; i < dev->stack_driver_count && NT_SUCCESS(status); i++)
        status = tb_call_add_device(dev->stack_drivers[i], dev->pdo);
    dev->next = tb->devices;
    tb->devices = dev;
    if (NT_SUCCESS(status) && !o.no_start)
        status = tb_start_locked(dev);
    if (!NT_SUCCESS(status)) {
        /* A failed AddDevice or start: what was built is removed (the PnP manager's cleanup). */
        (void)tb_remove_locked(dev, TB_REMOVE_NOW);
        pthread_mutex_unlock(&tb->pnp_lock);
        return status;
    }
    pthread_mutex_unlock(&tb->pnp_lock);
    *out = dev;
    return STATUS_SUCCESS;
}

NTSTATUS owdf_tb_device_start(owdf_tb_device *dev)
{
    if (dev == NULL)
        return STATUS_INVALID_PARAMETER;
    owdf_tb *tb = dev->tb;
    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status;
    if (!tb_device_is_listed(tb, dev))
        status = STATUS_INVALID_PARAMETER;
    else if (dev->state == TB_DEV_STARTED)
        status = STATUS_SUCCESS;
    else if (dev->state == TB_DEV_SURPRISE_REMOVED)
        status = STATUS_DELETE_PENDING;
    else
        status = tb_start_locked(dev);
    pthread_mutex_unlock(&tb->pnp_lock);
    return status;
}

NTSTATUS owdf_tb_device_remove(owdf_tb_device *dev)
{
    if (dev == NULL)
        return STATUS_INVALID_PARAMETER;
    owdf_tb *tb = dev->tb;
    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status;
    if (!tb_device_is_listed(tb, dev))
        status = STATUS_INVALID_PARAMETER;
    else if (dev->state == TB_DEV_SURPRISE_REMOVED)
        status = tb_remove_locked(dev, TB_REMOVE_DEFER); /* STATUS_PENDING while handles are open */
    else
        status = tb_remove_locked(dev, TB_REMOVE_ORDERLY);
    tb_process_deferred(tb);
    pthread_mutex_unlock(&tb->pnp_lock);
    return status;
}

NTSTATUS owdf_tb_device_surprise_remove(owdf_tb_device *dev)
{
    if (dev == NULL)
        return STATUS_INVALID_PARAMETER;
    owdf_tb *tb = dev->tb;
    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status;
    if (!tb_device_is_listed(tb, dev)) {
        status = STATUS_INVALID_PARAMETER;
    } else if (dev->state == TB_DEV_SURPRISE_REMOVED) {
        status = STATUS_SUCCESS;
    } else if (dev->state != TB_DEV_STARTED) {
        status = tb_remove_locked(dev, TB_REMOVE_NOW); /* nothing started: simply removed */
    } else {
        status = tb_pnp_send(dev->pdo, IRP_MN_SURPRISE_REMOVAL, NULL, NULL);
        dev->state = TB_DEV_SURPRISE_REMOVED;
        (void)tb_remove_locked(dev, TB_REMOVE_DEFER);
    }
    tb_process_deferred(tb);
    pthread_mutex_unlock(&tb->pnp_lock);
    return status;
}

NTSTATUS owdf_tb_device_send_pnp(owdf_tb_device *dev, UCHAR minor, ULONG_PTR *information_or_null)
{
    if (dev == NULL)
        return STATUS_INVALID_PARAMETER;
    owdf_tb *tb = dev->tb;
    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status = tb_device_is_listed(tb, dev) ? tb_pnp_send(dev->pdo, minor, NULL, information_or_null)
                                                    : STATUS_INVALID_PARAMETER;
    pthread_mutex_unlock(&tb->pnp_lock);
    return status;
}

BOOLEAN owdf_tb_device_started(owdf_tb_device *dev)
{
    return dev != NULL && dev->state == TB_DEV_STARTED;
}

PDEVICE_OBJECT owdf_tb_device_pdo(owdf_tb_device *dev)
{
    return dev != NULL ? dev->pdo : NULL;
}

PDEVICE_OBJECT owdf_tb_device_top(owdf_tb_device *dev)
{
    if (dev == NULL)
        return NULL;
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(dev->pdo);
    ObDereferenceObject(top);
    return top;
}

const char *owdf_tb_device_instance_id(owdf_tb_device *dev)
{
    return dev != NULL ? dev->instance_id : NULL;
}

/* ---- for the rest of the bench ------------------------------------------------------------------------ */

size_t tb_devices_of_driver(owdf_tb *tb, owdf_tb_driver *drv)
{
    size_t n = 0;
    for (owdf_tb_device *d = tb->devices; d != NULL; d = d->next) {
        for (size_t i = 0; i < d->stack_driver_count; i++) {
            if (d->stack_drivers[i] == drv) {
                n++;
                break;
            }
        }
    }
    return n;
}

void tb_devices_remove_for_driver(owdf_tb *tb, owdf_tb_driver *drv)
{
    /* Newest first; restart the walk after each removal (the list changes). */
    BOOLEAN again = TRUE;
    while (again) {
        again = FALSE;
        for (owdf_tb_device *d = tb->devices; d != NULL; d = d->next) {
            BOOLEAN in_stack = FALSE;
            for (size_t i = 0; i < d->stack_driver_count; i++)
                in_stack |= d->stack_drivers[i] == drv;
            if (!in_stack || d->state == TB_DEV_SURPRISE_REMOVED)
                continue;
            (void)tb_remove_locked(d, TB_REMOVE_DEFER);
            again = TRUE;
            break;
        }
    }
}

void tb_process_deferred(owdf_tb *tb)
{
    BOOLEAN again = TRUE;
    while (again) {
        again = FALSE;
        for (owdf_tb_device *d = tb->devices; d != NULL; d = d->next) {
            if (d->state == TB_DEV_SURPRISE_REMOVED && tb_stack_open_count(d->pdo) == 0) {
                (void)tb_remove_locked(d, TB_REMOVE_NOW);
                again = TRUE;
                break;
            }
        }
    }
    again = TRUE;
    while (again) {
        again = FALSE;
        for (owdf_tb_driver *drv = tb->drivers; drv != NULL; drv = drv->next) {
            if (drv->unload_pending && tb_devices_of_driver(tb, drv) == 0) {
                (void)tb_unload_driver_locked(drv);
                again = TRUE;
                break;
            }
        }
    }
}

void tb_devices_teardown(owdf_tb *tb)
{
    while (tb->devices != NULL) {
        /* Off the list first: a removal "now" always ends with the device freed. */
        owdf_tb_device *dev = tb->devices;
        tb->devices = dev->next;
        dev->next = NULL;
        (void)tb_remove_locked(dev, TB_REMOVE_NOW);
    }
}
