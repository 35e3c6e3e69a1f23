/*
 * file.c - file objects: opening a device by name (IRP_MJ_CREATE), the last handle's
 * IRP_MJ_CLEANUP, the last reference's IRP_MJ_CLOSE. IoGetDeviceObjectPointer.
 *
 * Lifetime, as on Windows: a FILE_OBJECT is an object with a header (io_object_allocate); it holds
 * a reference on the device it opened and counts itself in DEVICE_OBJECT.ReferenceCount (which
 * DO_EXCLUSIVE devices use to refuse a second open). Handles hold references; so do requests in
 * flight. Last handle closed: the file's tracked requests are cancelled, then IRP_MJ_CLEANUP is
 * sent. Last reference dropped: IRP_MJ_CLOSE is sent (from a system worker if that happened above
 * PASSIVE_LEVEL, e.g. in a DPC completing the last request), then everything is released. A file
 * whose create failed gets neither CLEANUP nor CLOSE.
 *
 * The requests sent through a file object (CREATE, CLEANUP and CLOSE included) are request.c's.
 */
#include "io_internal.h"

#include <sched.h>

#define IO_FILE_IRP_ATTEMPTS 1000

/* ---- access and parameters ------------------------------------------------------------------- */

ACCESS_MASK io_file_map_generic(ACCESS_MASK access)
{
    if (access & MAXIMUM_ALLOWED)
        access |= FILE_ALL_ACCESS;
    if (access & GENERIC_READ)
        access |= FILE_GENERIC_READ;
    if (access & GENERIC_WRITE)
        access |= FILE_GENERIC_WRITE;
    if (access & GENERIC_EXECUTE)
        access |= FILE_GENERIC_EXECUTE;
    if (access & GENERIC_ALL)
        access |= FILE_ALL_ACCESS;
    return access & ~(ACCESS_MASK)(MAXIMUM_ALLOWED | GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

/* The checks NtCreateFile makes before it looks at the name. */
static NTSTATUS io_file_check_params(const io_open_params *p)
{
    if ((p->file_attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) || (p->share_access & ~FILE_SHARE_VALID_FLAGS) ||
        p->disposition > FILE_MAXIMUM_DISPOSITION || (p->options & ~FILE_VALID_OPTION_FLAGS))
        return STATUS_INVALID_PARAMETER;
    ULONG sync = p->options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
    if (sync == (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        return STATUS_INVALID_PARAMETER;
    if (sync != 0 && !(p->desired_access & SYNCHRONIZE))
        return STATUS_INVALID_PARAMETER;
    if ((p->options & FILE_DIRECTORY_FILE) && (p->options & FILE_NON_DIRECTORY_FILE))
        return STATUS_INVALID_PARAMETER;
    if ((p->options & FILE_DIRECTORY_FILE) && p->disposition != FILE_CREATE && p->disposition != FILE_OPEN &&
        p->disposition != FILE_OPEN_IF)
        return STATUS_INVALID_PARAMETER;
    if ((p->options & FILE_DELETE_ON_CLOSE) && !(io_file_map_generic(p->desired_access) & DELETE))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* ---- the device's open count ------------------------------------------------------------------ */

/* As Windows' check before a create: an exclusive device already open refuses (not for relative
 * opens); otherwise the open is counted in ReferenceCount. */
static NTSTATUS io_device_count_open(PDEVICE_OBJECT device, BOOLEAN check_exclusive)
{
    LONG count = __atomic_load_n(&device->ReferenceCount, __ATOMIC_RELAXED);
    do {
        if (check_exclusive && (device->Flags & DO_EXCLUSIVE) && count != 0)
            return STATUS_ACCESS_DENIED;
    } while (!__atomic_compare_exchange_n(&device->ReferenceCount, &count, count + 1, TRUE, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    return STATUS_SUCCESS;
}

static void io_device_uncount_open(PDEVICE_OBJECT device)
{
    __atomic_fetch_sub(&device->ReferenceCount, 1, __ATOMIC_ACQ_REL);
}

/* ---- CLEANUP and CLOSE ------------------------------------------------------------------------- */

/* Sends IRP_MJ_CLEANUP or IRP_MJ_CLOSE and waits. Windows takes these IRPs from a reserve that
 * cannot fail; here an allocation failure is retried a while, then reported. */
static void io_file_send_final(struct io_file *file, UCHAR major)
{
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(&file->fo);
    io_req req = {0};
    req.file = file;
    for (int i = 0; i < IO_FILE_IRP_ATTEMPTS && req.irp == NULL; i++) {
        req.irp = io_file_build_irp(file, top, major, KernelMode);
        if (req.irp == NULL)
            sched_yield();
    }
    if (req.irp == NULL) {
        OWDF_VERIFY_REPORT("IO_FINAL_IRP_LOST", &file->fo, "FILE_OBJECT", NULL,
                           "no memory for the %s IRP of file object %p: not sent",
                           major == IRP_MJ_CLEANUP ? "IRP_MJ_CLEANUP" : "IRP_MJ_CLOSE", (void *)&file->fo);
        return;
    }
    req.irp->Flags = IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API;
    (void)io_req_send_sync(&req, top, FALSE);
}

static void io_file_run_cleanup(struct io_file *file)
{
    if (__atomic_exchange_n(&file->cleanup_sent, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    /* As CancelIo at close: what the I/O manager still tracks is cancelled, then the driver
     * gets IRP_MJ_CLEANUP to complete whatever it kept without a cancel routine. */
    (void)io_file_cancel_requests(file, NULL);
    if (file->opened)
        io_file_send_final(file, IRP_MJ_CLEANUP);
    __atomic_fetch_or(&file->fo.Flags, FO_CLEANUP_COMPLETE, __ATOMIC_RELAXED);
}

static void io_file_destroy(struct io_file *file)
{
    PFILE_OBJECT fo = &file->fo;
    if (file->opened) {
        if (__atomic_load_n(&file->cleanup_sent, __ATOMIC_ACQUIRE) == 0)
            io_file_run_cleanup(file); /* never had a handle */
        io_file_send_final(file, IRP_MJ_CLOSE);
    }
    if (fo->FileName.Buffer != NULL)
        ExFreePoolWithTag(fo->FileName.Buffer, IO_NAME_POOL_TAG);
    if (fo->RelatedFileObject != NULL)
        ObDereferenceObject(fo->RelatedFileObject);
    if (fo->DeviceObject != NULL) {
        if (file->counted_open)
            io_device_uncount_open(fo->DeviceObject);
        ObDereferenceObject(fo->DeviceObject);
    }
    io_object_free(file);
}

static void io_file_close_worker(PVOID context)
{
    io_file_destroy(context);
}

/* The object's delete routine: the last reference went (any IRQL <= DISPATCH_LEVEL). */
static void io_file_delete(PVOID body)
{
    struct io_file *file = body;
    /* Above PASSIVE_LEVEL, or inside a request's completion (a driver's IoCompleteRequest, maybe
     * with its locks held): IRP_MJ_CLOSE goes from a worker, as Windows defers it. */
    if (file->opened && (KeGetCurrentIrql() > PASSIVE_LEVEL || io_tls_completing != 0)) {
        ExInitializeWorkItem(&file->close_work, io_file_close_worker, file);
        ExQueueWorkItem(&file->close_work, DelayedWorkQueue);
        return;
    }
    io_file_destroy(file);
}

void io_file_handle_created(PFILE_OBJECT fo)
{
    __atomic_fetch_add(&io_file_from(fo)->handle_count, 1, __ATOMIC_ACQ_REL);
    __atomic_fetch_or(&fo->Flags, FO_HANDLE_CREATED, __ATOMIC_RELAXED);
}

void io_file_handle_uncounted(PFILE_OBJECT fo)
{
    __atomic_fetch_sub(&io_file_from(fo)->handle_count, 1, __ATOMIC_ACQ_REL);
}

void io_file_handle_closed(PFILE_OBJECT fo)
{
    struct io_file *file = io_file_from(fo);
    if (__atomic_sub_fetch(&file->handle_count, 1, __ATOMIC_ACQ_REL) == 0)
        io_file_run_cleanup(file);
}

LONG io_file_live_count(void)
{
    return io_object_live_count(IO_OB_FILE);
}

/* ---- open -------------------------------------------------------------------------------------- */

static NTSTATUS io_copy_name(PCUNICODE_STRING src, PUNICODE_STRING dst)
{
    RtlZeroMemory(dst, sizeof(*dst));
    if (src == NULL || src->Length == 0)
        return STATUS_SUCCESS;
    dst->Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)src->Length + sizeof(WCHAR), IO_NAME_POOL_TAG);
    if (dst->Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(dst->Buffer, src->Buffer, src->Length);
    dst->Buffer[src->Length / sizeof(WCHAR)] = UNICODE_NULL;
    dst->Length = src->Length;
    dst->MaximumLength = (USHORT)(src->Length + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Finds the device a name (or a related open) refers to: a referenced device and the name left
 * for the file object (pool, IO_NAME_POOL_TAG). */
static NTSTATUS io_file_resolve(const io_open_params *p, PDEVICE_OBJECT *device, PUNICODE_STRING file_name)
{
    RtlZeroMemory(file_name, sizeof(*file_name));
    if (p->name == NULL || (p->name->Length & 1) || (p->name->Length != 0 && p->name->Buffer == NULL))
        return STATUS_OBJECT_NAME_INVALID;
    if (p->related != NULL) {
        if (p->related->DeviceObject == NULL || !io_file_from(p->related)->opened)
            return STATUS_INVALID_HANDLE;
        if (p->name->Length != 0 && p->name->Buffer[0] == L'\\')
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        NTSTATUS status = io_copy_name(p->name, file_name);
        if (!NT_SUCCESS(status))
            return status;
        *device = p->related->DeviceObject;
        ObReferenceObject(*device);
        return STATUS_SUCCESS;
    }
    io_ns_result r;
    NTSTATUS status = io_namespace_lookup(p->name, IO_NS_WANT_REMAINING, &r);
    if (!NT_SUCCESS(status))
        return status;
    if (r.kind != IO_OBJ_DEVICE) {
        io_ns_result_release(&r);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    *device = r.object;
    *file_name = r.remaining;
    return STATUS_SUCCESS;
}

NTSTATUS io_file_open(const io_open_params *p, PFILE_OBJECT *out, ULONG_PTR *information)
{
    *out = NULL;
    if (information != NULL)
        *information = 0;
    NTSTATUS status = io_file_check_params(p);
    if (!NT_SUCCESS(status))
        return status;

    PDEVICE_OBJECT device;
    UNICODE_STRING file_name;
    status = io_file_resolve(p, &device, &file_name);
    if (!NT_SUCCESS(status))
        return status;

    if (io_device_is_deleting(device) || (device->Flags & DO_DEVICE_INITIALIZING))
        status = STATUS_NO_SUCH_DEVICE;
    else
        status = io_device_count_open(device, p->related == NULL);
    if (!NT_SUCCESS(status))
        goto err_device;

    struct io_file *file = io_object_allocate(IO_OB_FILE, sizeof(struct io_file), io_file_delete);
    if (file == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        io_device_uncount_open(device);
        goto err_device;
    }
    /* From here the file owns the device reference, the count and the name. */
    PFILE_OBJECT fo = &file->fo;
    fo->Type = IO_TYPE_FILE;
    fo->Size = sizeof(FILE_OBJECT);
    fo->DeviceObject = device;
    fo->FileName = file_name;
    fo->OwdfPrivate = file;
    fo->RelatedFileObject = p->related;
    if (p->related != NULL)
        ObReferenceObject(p->related);
    if (p->options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        fo->Flags |= FO_SYNCHRONOUS_IO;
    if (p->options & FILE_SYNCHRONOUS_IO_ALERT)
        fo->Flags |= FO_ALERTABLE_IO;
    if (p->options & FILE_NO_INTERMEDIATE_BUFFERING)
        fo->Flags |= FO_NO_INTERMEDIATE_BUFFERING;
    if (p->options & FILE_WRITE_THROUGH)
        fo->Flags |= FO_WRITE_THROUGH;
    if (p->options & FILE_SEQUENTIAL_ONLY)
        fo->Flags |= FO_SEQUENTIAL_ONLY;
    if (p->options & FILE_RANDOM_ACCESS)
        fo->Flags |= FO_RANDOM_ACCESS;
    if (p->options & FILE_DELETE_ON_CLOSE)
        fo->Flags |= FO_DELETE_ON_CLOSE;
    if (!(p->object_attributes & OBJ_CASE_INSENSITIVE))
        fo->Flags |= FO_OPENED_CASE_SENSITIVE;
    KeInitializeEvent(&fo->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&fo->Event, NotificationEvent, FALSE);
    KeInitializeSpinLock(&fo->IrpListLock);
    InitializeListHead(&fo->IrpList);
    file->granted = io_file_map_generic(p->desired_access);
    file->counted_open = TRUE;

    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(device);
    io_req req = {0};
    req.file = file;
    req.irp = io_file_build_irp(file, top, IRP_MJ_CREATE, p->mode);
    if (req.irp == NULL) {
        ObDereferenceObject(top);
        ObDereferenceObject(fo);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    IO_SECURITY_CONTEXT security = {0};
    security.DesiredAccess = file->granted;
    security.FullCreateOptions = p->options;
    req.irp->Flags = IRP_CREATE_OPERATION | IRP_SYNCHRONOUS_API | IRP_DEFER_IO_COMPLETION;
    req.irp->Overlay.AllocationSize = p->allocation_size;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(req.irp);
    if (!(p->object_attributes & OBJ_CASE_INSENSITIVE))
        sp->Flags |= SL_CASE_SENSITIVE;
    sp->Parameters.Create.SecurityContext = &security;
    sp->Parameters.Create.Options = (p->disposition << 24) | (p->options & FILE_VALID_OPTION_FLAGS);
    sp->Parameters.Create.FileAttributes = (USHORT)p->file_attributes;
    sp->Parameters.Create.ShareAccess = (USHORT)p->share_access;
    sp->Parameters.Create.EaLength = 0;

    status = io_req_send_sync(&req, top, FALSE);
    ObDereferenceObject(top);
    if (!NT_SUCCESS(status) || status == STATUS_REPARSE) {
        if (status == STATUS_REPARSE) /* no reparse points here */
            status = STATUS_OBJECT_NAME_NOT_FOUND;
        ObDereferenceObject(fo); /* not opened: no CLEANUP, no CLOSE */
        return status;
    }
    file->opened = TRUE;
    __atomic_fetch_or(&fo->Flags, FO_FILE_OPEN, __ATOMIC_RELAXED);
    if (information != NULL)
        *information = req.information;
    *out = fo;
    return status;

err_device:
    if (file_name.Buffer != NULL)
        ExFreePoolWithTag(file_name.Buffer, IO_NAME_POOL_TAG);
    ObDereferenceObject(device);
    return status;
}

/* ---- IoGetDeviceObjectPointer ------------------------------------------------------------------ */

/* As Windows: opens the device (a kernel-mode open; IRP_MJ_CREATE, then IRP_MJ_CLEANUP as the
 * handle Windows opens is closed at once), returns the referenced file object and the top of the
 * device's stack (not referenced: the file object keeps the stack). The caller closes with
 * ObDereferenceObject(FileObject), which sends IRP_MJ_CLOSE. */
NTKERNELAPI NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                              PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
    PAGED_CODE();
    if (ObjectName == NULL || FileObject == NULL || DeviceObject == NULL)
        return STATUS_INVALID_PARAMETER;
    io_open_params p = {0};
    p.name = ObjectName;
    p.desired_access = DesiredAccess;
    p.disposition = FILE_OPEN;
    p.options = FILE_NON_DIRECTORY_FILE;
    p.object_attributes = OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE;
    p.mode = KernelMode;
    PFILE_OBJECT fo;
    NTSTATUS status = io_file_open(&p, &fo, NULL);
    if (!NT_SUCCESS(status))
        return status;
    io_file_handle_created(fo);
    io_file_handle_closed(fo);
    *FileObject = fo;
    *DeviceObject = IoGetRelatedDeviceObject(fo);
    return STATUS_SUCCESS;
}
