/*
 * fileobject.c - framework file objects (WDFFILEOBJECT) and the Framework's handling of
 * IRP_MJ_CREATE, IRP_MJ_CLEANUP and IRP_MJ_CLOSE.
 *
 * One WDFFILEOBJECT per open of a device whose FileObjectClass is not WdfFileObjectNotRequired: a
 * child of the device, with the context of WdfDeviceInitSetFileObjectConfig's attributes. It is found
 * again from the WDM FILE_OBJECT through FsContext/FsContext2 when the class allows, else through the
 * device's list. Create, in KMDF's order of precedence:
 *   - a queue configured for WdfRequestTypeCreate gets the request (the I/O package presents it);
 *   - else EvtDeviceFileCreate gets it as a WDFREQUEST and completes it;
 *   - else a filter forwards the create and takes the lower driver's status, and any other device
 *     completes it with STATUS_SUCCESS.
 * A create completed with a failure deletes its WDFFILEOBJECT: no EvtFileCleanup/EvtFileClose come.
 * Cleanup and close call EvtFileCleanup / EvtFileClose, then forward the IRP (filters by default,
 * AutoForwardCleanupClose) or complete it with STATUS_SUCCESS; close deletes the WDFFILEOBJECT.
 *
 * File callbacks run at PASSIVE_LEVEL, under the device's passive lock when the file object's scope is
 * the device (WdfDeviceCreate refuses a spin-lock scope for them).
 */
#include "fx_core.h"

#include <unistd.h>

static BOOLEAN fx_fileobject_may_delete(fx_object *object)
{
    UNREFERENCED_PARAMETER(object);
    return FALSE;
}

static void fx_fileobject_unlink(fx_fileobject *file)
{
    fx_device *device = file->device;
    KIRQL irql;
    KeAcquireSpinLock(&device->object.lock, &irql);
    RemoveEntryList(&file->device_link);
    InitializeListHead(&file->device_link);
    KeReleaseSpinLock(&device->object.lock, irql);
    PFILE_OBJECT fo = file->wdm_file;
    if (fo != NULL) {
        ULONG cls = (ULONG)device->file_config.FileObjectClass & WDF_FILEOBJECT_CLASS_MASK;
        if (cls == WdfFileObjectWdfCanUseFsContext && fo->FsContext == file)
            fo->FsContext = NULL;
        else if (cls == WdfFileObjectWdfCanUseFsContext2 && fo->FsContext2 == file)
            fo->FsContext2 = NULL;
    }
}

static void fx_fileobject_dispose(fx_object *object)
{
    fx_fileobject_unlink((fx_fileobject *)object);
}

static const fx_object_ops fx_fileobject_ops = {
    .type = FX_TYPE_FILEOBJECT,
    .name = "WDFFILEOBJECT",
    .dispose = fx_fileobject_dispose,
    .driver_may_delete = fx_fileobject_may_delete,
    .allows_execution_level = TRUE,
    .allows_synchronization_scope = TRUE,
    .allows_parent = FALSE,
};

static ULONG fx_file_class(const fx_device *device)
{
    return (ULONG)device->file_config.FileObjectClass & WDF_FILEOBJECT_CLASS_MASK;
}

fx_fileobject *fx_device_file_object(fx_device *device, PFILE_OBJECT file_object)
{
    if (device == NULL || file_object == NULL)
        return NULL;
    ULONG cls = fx_file_class(device);
    if (cls == WdfFileObjectNotRequired)
        return NULL;
    if (cls == WdfFileObjectWdfCanUseFsContext || cls == WdfFileObjectWdfCanUseFsContext2) {
        fx_fileobject *file = cls == WdfFileObjectWdfCanUseFsContext ? file_object->FsContext : file_object->FsContext2;
        return (file != NULL && file->object.magic == FX_OBJECT_MAGIC && file->object.type == FX_TYPE_FILEOBJECT &&
                file->device == device && file->wdm_file == file_object)
                   ? file
                   : NULL;
    }
    fx_fileobject *found = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&device->object.lock, &irql);
    for (PLIST_ENTRY e = device->file_objects.Flink; e != &device->file_objects; e = e->Flink) {
        fx_fileobject *file = CONTAINING_RECORD(e, fx_fileobject, device_link);
        if (file->wdm_file == file_object) {
            found = file;
            break;
        }
    }
    KeReleaseSpinLock(&device->object.lock, irql);
    return found;
}

WDFFILEOBJECT fx_fileobject_handle_for(fx_device *device, PFILE_OBJECT file_object)
{
    fx_fileobject *file = fx_device_file_object(device, file_object);
    return file != NULL ? (WDFFILEOBJECT)file->object.handle : NULL;
}

/* ---- calling the driver ---------------------------------------------------------------------------- */

/* Runs a file callback under the device lock when the file object is synchronized with the device. */
#define FX_FILE_CALLBACK(device, file, what, call) \
    do { \
        PWDF_DRIVER_GLOBALS fx_g_ = (device)->object.globals; \
        BOOLEAN fx_locked_ = FALSE; \
        if ((file) != NULL && (file)->object.synchronization_scope == WdfSynchronizationScopeDevice && \
            (device)->sync_lock.passive) \
            fx_locked_ = fx_sync_lock_acquire(&(device)->sync_lock, fx_g_, what); \
        FX_CALL_DRIVER(fx_g_, what, (file) != NULL ? (file)->object.handle : (device)->object.handle, call); \
        if (fx_locked_) \
            fx_sync_lock_release(&(device)->sync_lock, fx_g_, what); \
    } while (0)

static void fx_complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static NTSTATUS fx_forward(fx_device *device, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(device->attached_device, irp);
}

/* ---- IRP_MJ_CREATE ----------------------------------------------------------------------------------- */

/* A create that finished: a failed one drops its file object (no cleanup/close will come). */
static void fx_file_create_done(fx_fileobject *file, NTSTATUS status)
{
    if (file == NULL)
        return;
    if (NT_SUCCESS(status))
        file->create_completed = TRUE;
    else
        fx_object_delete(&file->object);
}

void fx_file_create_completing(fx_device *device, PIRP irp, NTSTATUS status)
{
    fx_file_create_done(fx_device_file_object(device, IoGetCurrentIrpStackLocation(irp)->FileObject), status);
}

static NTSTATUS fx_file_create_object(fx_device *device, PFILE_OBJECT fo, fx_fileobject **out)
{
    *out = NULL;
    ULONG cls = fx_file_class(device);
    if (cls == WdfFileObjectNotRequired)
        return STATUS_SUCCESS;
    if (fo == NULL && !((ULONG)device->file_config.FileObjectClass & WdfFileObjectCanBeOptional))
        return STATUS_SUCCESS; /* nothing to tie a WDFFILEOBJECT to */
    fx_fileobject *file;
    NTSTATUS status = fx_object_create(device->object.globals, &fx_fileobject_ops, sizeof(fx_fileobject),
                                       device->has_file_attributes ? &device->file_attributes : NULL,
                                       &device->object, (void **)&file);
    if (!NT_SUCCESS(status))
        return status;
    file->device = device;
    file->wdm_file = fo;
    KIRQL irql;
    KeAcquireSpinLock(&device->object.lock, &irql);
    InsertTailList(&device->file_objects, &file->device_link);
    KeReleaseSpinLock(&device->object.lock, irql);
    if (fo != NULL) {
        if (cls == WdfFileObjectWdfCanUseFsContext)
            fo->FsContext = file;
        else if (cls == WdfFileObjectWdfCanUseFsContext2)
            fo->FsContext2 = file;
    }
    *out = file;
    return STATUS_SUCCESS;
}

NTSTATUS fx_file_dispatch_create(fx_device *device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    fx_fileobject *file;
    NTSTATUS status = fx_file_create_object(device, stack->FileObject, &file);
    if (!NT_SUCCESS(status)) {
        fx_complete(irp, status, 0);
        return status;
    }
    /* A queue configured for creates gets them; the I/O package presents the request and calls
     * fx_file_create_completing when it is completed. */
    if (fx_io_dispatches_create(device))
        return fx_io_dispatch(device, irp);

    PFN_WDF_DEVICE_FILE_CREATE create = device->file_config.EvtDeviceFileCreate;
    if (create != NULL) {
        WDFREQUEST request = NULL;
        status = fx_io_request_from_irp(device, irp, &request);
        if (!NT_SUCCESS(status)) {
            fx_file_create_done(file, status);
            fx_complete(irp, status, 0);
            return status;
        }
        /* The driver completes the request, now or later (the IRP is marked pending). */
        FX_FILE_CALLBACK(device, file, "EvtDeviceFileCreate",
                         create(fx_device_handle(device), request,
                                file != NULL ? (WDFFILEOBJECT)file->object.handle : NULL));
        return STATUS_PENDING;
    }

    if (fx_device_is_filter(device) && device->attached_device != NULL) {
        /* A filter without EvtDeviceFileCreate lets the lower driver decide. */
        if (!IoForwardIrpSynchronously(device->attached_device, irp))
            irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        status = irp->IoStatus.Status;
        fx_file_create_done(file, status);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    if (file != NULL)
        file->create_completed = TRUE;
    fx_complete(irp, STATUS_SUCCESS, FILE_OPENED);
    return STATUS_SUCCESS;
}

/* ---- IRP_MJ_CLEANUP / IRP_MJ_CLOSE -------------------------------------------------------------------- */

static NTSTATUS fx_file_finish(fx_device *device, PIRP irp)
{
    if (device->file_config.AutoForwardCleanupClose == WdfTrue && device->attached_device != NULL)
        return fx_forward(device, irp);
    fx_complete(irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}

NTSTATUS fx_file_dispatch_cleanup(fx_device *device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    fx_fileobject *file = fx_device_file_object(device, stack->FileObject);
    if (file != NULL && !file->cleanup_done) {
        file->cleanup_done = TRUE;
        PFN_WDF_FILE_CLEANUP cleanup = device->file_config.EvtFileCleanup;
        if (cleanup != NULL)
            FX_FILE_CALLBACK(device, file, "EvtFileCleanup", cleanup((WDFFILEOBJECT)file->object.handle));
    }
    return fx_file_finish(device, irp);
}

NTSTATUS fx_file_dispatch_close(fx_device *device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    fx_fileobject *file = fx_device_file_object(device, stack->FileObject);
    if (file != NULL) {
        PFN_WDF_FILE_CLOSE close = device->file_config.EvtFileClose;
        if (close != NULL)
            FX_FILE_CALLBACK(device, file, "EvtFileClose", close((WDFFILEOBJECT)file->object.handle));
        fx_object_delete(&file->object);
    }
    return fx_file_finish(device, irp);
}

/* ---- WdfFileObject* -------------------------------------------------------------------------------------- */

static fx_fileobject *fx_file_from_handle(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle, const char *caller)
{
    return (fx_fileobject *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_FILEOBJECT, caller);
}

PUNICODE_STRING imp_WdfFileObjectGetFileName(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle)
{
    fx_fileobject *file = fx_file_from_handle(globals, handle, "WdfFileObjectGetFileName");
    if (file == NULL || !ke_check_max_irql(DISPATCH_LEVEL, "WdfFileObjectGetFileName"))
        return NULL;
    return file->wdm_file != NULL ? &file->wdm_file->FileName : NULL;
}

ULONG imp_WdfFileObjectGetFlags(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle)
{
    fx_fileobject *file = fx_file_from_handle(globals, handle, "WdfFileObjectGetFlags");
    if (file == NULL || !ke_check_max_irql(DISPATCH_LEVEL, "WdfFileObjectGetFlags"))
        return 0;
    return file->wdm_file != NULL ? file->wdm_file->Flags : 0;
}

WDFDEVICE imp_WdfFileObjectGetDevice(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle)
{
    fx_fileobject *file = fx_file_from_handle(globals, handle, "WdfFileObjectGetDevice");
    if (file == NULL || !ke_check_max_irql(DISPATCH_LEVEL, "WdfFileObjectGetDevice"))
        return NULL;
    return fx_device_handle(file->device);
}

PFILE_OBJECT imp_WdfFileObjectWdmGetFileObject(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle)
{
    fx_fileobject *file = fx_file_from_handle(globals, handle, "WdfFileObjectWdmGetFileObject");
    if (file == NULL || !ke_check_max_irql(DISPATCH_LEVEL, "WdfFileObjectWdmGetFileObject"))
        return NULL;
    return file->wdm_file;
}

ULONG imp_WdfFileObjectGetInitiatorProcessId(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle)
{
    fx_fileobject *file = fx_file_from_handle(globals, handle, "WdfFileObjectGetInitiatorProcessId");
    if (file == NULL)
        return 0;
    /* Every open comes from this process. */
    return (ULONG)getpid();
}
