/*
 * request.c - the requests the I/O manager sends through a file object: building the IRP, sending
 * it, waiting for it or reporting its end, tracking it for cancel; and the checks and buffer setup
 * of read, write and IOCTL calls on a handle (shared by the user side and the Zw routines).
 *
 * The I/O manager is the originator of these IRPs: its originator routine (run by
 * IoCompleteRequest when the walk passes the top location, on any thread at IRQL <= DISPATCH_LEVEL)
 * copies buffers back, takes the IRP off FILE_OBJECT.IrpList, frees it and reports through
 * req->finish. A synchronous issuer waits only if the request was not finished by the time
 * IoCallDriver returned: a driver that completes at once costs no wait and no system call (the
 * IRP comes from io-core's per-thread cache, the request lives on the issuer's stack).
 *
 * Cancel: a canceller holds a tracked request (cancel_refs) while it calls IoCancelIrp without the
 * list lock, so a completion in between leaves the IRP to the canceller, which frees it and
 * reports when it lets go.
 *
 * Locks: FILE_OBJECT.IrpListLock (a spin lock: completions may run at DISPATCH_LEVEL) guards
 * IrpList and the cancel fields of its requests. Never held across a call into a driver.
 */
#include "io_internal.h"

static volatile LONG io_cancel_pass_seq;

/* Non-zero while this thread runs a request's finish routine (file.c defers CLOSE then). */
__thread int io_tls_completing __attribute__((tls_model("initial-exec")));

/* ---- requests ---------------------------------------------------------------------------------- */

PIRP io_file_build_irp(struct io_file *file, PDEVICE_OBJECT top, UCHAR major, KPROCESSOR_MODE mode)
{
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (irp == NULL)
        return NULL;
    irp->Tail.Overlay.OriginalFileObject = &file->fo;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->RequestorMode = mode;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = major;
    sp->FileObject = &file->fo;
    return irp;
}

/* Frees the IRP and reports. */
static void io_req_complete(io_req *req)
{
    PIRP irp = req->irp;
    req->irp = NULL;
    IoFreeIrp(irp);
    io_tls_completing++;
    req->finish(req);
    io_tls_completing--;
}

/* The originator routine of every IRP built here: any thread, IRQL <= DISPATCH_LEVEL. */
static void io_req_originator(PIRP irp, PVOID context)
{
    io_req *req = context;
    io_irp_finish_buffers(irp);
    req->status = irp->IoStatus.Status;
    req->information = irp->IoStatus.Information;
    if (req->update_position && !NT_ERROR(req->status))
        __atomic_store_n(&req->file->fo.CurrentByteOffset.QuadPart, req->offset + (LONGLONG)req->information,
                         __ATOMIC_RELAXED);
    if (req->tracked) {
        PFILE_OBJECT fo = &req->file->fo;
        KIRQL old;
        KeAcquireSpinLock(&fo->IrpListLock, &old);
        RemoveEntryList(&irp->ThreadListEntry);
        InitializeListHead(&irp->ThreadListEntry);
        BOOLEAN held = req->cancel_refs != 0;
        if (held)
            req->finish_deferred = TRUE;
        KeReleaseSpinLock(&fo->IrpListLock, old);
        if (held)
            return; /* the last canceller completes it */
    }
    io_req_complete(req);
}

/* Puts the request on the file's list; refused once the file's cleanup has begun. */
static NTSTATUS io_req_track(io_req *req)
{
    PFILE_OBJECT fo = &req->file->fo;
    req->tracked = TRUE;
    req->cancel_refs = 0;
    req->finish_deferred = FALSE;
    KIRQL old;
    KeAcquireSpinLock(&fo->IrpListLock, &old);
    BOOLEAN closing = __atomic_load_n(&req->file->cleanup_sent, __ATOMIC_ACQUIRE) != 0;
    if (!closing)
        InsertTailList(&fo->IrpList, &req->irp->ThreadListEntry);
    KeReleaseSpinLock(&fo->IrpListLock, old);
    if (closing) {
        req->tracked = FALSE;
        return STATUS_FILE_CLOSED;
    }
    return STATUS_SUCCESS;
}

/* Undoes the setup of an IRP that was never sent. */
static void io_req_discard(io_req *req)
{
    io_irp_finish_buffers(req->irp);
    IoFreeIrp(req->irp);
    req->irp = NULL;
}

static void io_req_sync_finish(io_req *req)
{
    LONG expected = IO_REQ_SUBMITTED;
    if (!__atomic_compare_exchange_n(&req->state, &expected, IO_REQ_DONE_INLINE, FALSE, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        KeSetEvent(&req->event, IO_NO_INCREMENT, FALSE); /* the last touch of req */
}

NTSTATUS io_req_send_sync(io_req *req, PDEVICE_OBJECT top, BOOLEAN track)
{
    req->finish = io_req_sync_finish;
    req->state = IO_REQ_SUBMITTED;
    req->tracked = FALSE;
    KeInitializeEvent(&req->event, NotificationEvent, FALSE);
    io_irp_set_originator(req->irp, io_req_originator, req);
    if (track) {
        NTSTATUS status = io_req_track(req);
        if (!NT_SUCCESS(status)) {
            io_req_discard(req);
            req->status = status;
            req->information = 0;
            return status;
        }
    }
    (void)IoCallDriver(top, req->irp);
    LONG expected = IO_REQ_SUBMITTED;
    if (__atomic_compare_exchange_n(&req->state, &expected, IO_REQ_WAITING, FALSE, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        KeWaitForSingleObject(&req->event, Executive, KernelMode, FALSE, NULL);
    return req->status;
}

NTSTATUS io_req_send_async(io_req *req, PDEVICE_OBJECT top, BOOLEAN *sent)
{
    *sent = FALSE;
    req->state = IO_REQ_SUBMITTED;
    req->tracked = FALSE;
    io_irp_set_originator(req->irp, io_req_originator, req);
    NTSTATUS status = io_req_track(req);
    if (!NT_SUCCESS(status)) {
        io_req_discard(req);
        return status;
    }
    *sent = TRUE;
    return IoCallDriver(top, req->irp);
}

ULONG io_file_cancel_requests(struct io_file *file, void *owner)
{
    PFILE_OBJECT fo = &file->fo;
    LONG pass = __atomic_add_fetch(&io_cancel_pass_seq, 1, __ATOMIC_RELAXED);
    if (pass == 0)
        pass = __atomic_add_fetch(&io_cancel_pass_seq, 1, __ATOMIC_RELAXED);
    ULONG total = 0;
    for (;;) {
        io_req *batch[16];
        ULONG n = 0;
        KIRQL old;
        KeAcquireSpinLock(&fo->IrpListLock, &old);
        for (PLIST_ENTRY e = fo->IrpList.Flink; e != &fo->IrpList && n < RTL_NUMBER_OF(batch); e = e->Flink) {
            PIRP irp = CONTAINING_RECORD(e, IRP, ThreadListEntry);
            io_req *req = irp->Owdf.OriginatorContext;
            if (req->cancel_pass_id == pass || (owner != NULL && req->owner != owner))
                continue;
            req->cancel_pass_id = pass;
            req->cancel_refs++;
            batch[n++] = req;
        }
        KeReleaseSpinLock(&fo->IrpListLock, old);
        if (n == 0)
            break;
        for (ULONG i = 0; i < n; i++)
            (void)IoCancelIrp(batch[i]->irp);
        io_req *finish[16];
        ULONG nf = 0;
        KeAcquireSpinLock(&fo->IrpListLock, &old);
        for (ULONG i = 0; i < n; i++) {
            if (--batch[i]->cancel_refs == 0 && batch[i]->finish_deferred)
                finish[nf++] = batch[i];
        }
        KeReleaseSpinLock(&fo->IrpListLock, old);
        for (ULONG i = 0; i < nf; i++)
            io_req_complete(finish[i]);
        total += n;
    }
    return total;
}

/* ---- read, write, IOCTL on a handle ----------------------------------------------------------- */

#define IO_OFFSET_END_OF_FILE ((LONGLONG)-1)      /* FILE_WRITE_TO_END_OF_FILE */
#define IO_OFFSET_FILE_POINTER ((LONGLONG)-2)     /* FILE_USE_FILE_POINTER_POSITION */

/*
 * The order of checks follows NtReadFile / NtWriteFile / NtDeviceIoControlFile: the handle, then
 * (user mode) the access the handle grants, then the buffers and the offset. A NULL buffer with a
 * length is STATUS_ACCESS_VIOLATION: Windows probes the caller's buffer (and copies from it for
 * buffered I/O) inside an exception handler, and returns the access violation it raises. METHOD_NEITHER
 * buffers are not probed on Windows either: they go to the driver as they are.
 */
NTSTATUS io_xfer_prepare(HANDLE handle, KPROCESSOR_MODE mode, const io_xfer *x, io_req *req, PDEVICE_OBJECT *top_out)
{
    RtlZeroMemory(req, sizeof(*req));
    *top_out = NULL;
    PVOID object;
    ACCESS_MASK granted;
    NTSTATUS status = io_handle_reference(handle, mode, 0, &object, &granted, NULL);
    if (!NT_SUCCESS(status))
        return status;
    struct io_file *file = io_file_from(object);
    PFILE_OBJECT fo = &file->fo;
    /* Close may set FO_CLEANUP_COMPLETE concurrently: read the flags once, atomically. */
    ULONG fo_flags = __atomic_load_n(&fo->Flags, __ATOMIC_RELAXED);
    BOOLEAN sync_file = (fo_flags & FO_SYNCHRONOUS_IO) != 0;
    LONGLONG offset = 0;
    ULONG method = METHOD_FROM_CTL_CODE(x->code);

    switch (x->major) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE: {
        BOOLEAN read = x->major == IRP_MJ_READ;
        if (mode != KernelMode &&
            !(granted & (read ? FILE_READ_DATA : (FILE_WRITE_DATA | FILE_APPEND_DATA)))) {
            status = STATUS_ACCESS_DENIED;
            break;
        }
        if ((read ? x->out : x->in) == NULL && (read ? x->out_length : x->in_length) != 0) {
            status = STATUS_ACCESS_VIOLATION;
            break;
        }
        if (x->offset == NULL || *x->offset == IO_OFFSET_FILE_POINTER) {
            if (sync_file)
                offset = __atomic_load_n(&fo->CurrentByteOffset.QuadPart, __ATOMIC_RELAXED);
            else if (x->offset != NULL)
                status = STATUS_INVALID_PARAMETER;
        } else {
            offset = *x->offset;
            if (offset < 0 && !(offset == IO_OFFSET_END_OF_FILE && !read))
                status = STATUS_INVALID_PARAMETER;
        }
        break;
    }
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        ULONG access = (x->code >> 14) & 3;
        if (mode != KernelMode && (((access & FILE_READ_ACCESS) && !(granted & FILE_READ_DATA)) ||
                                   ((access & FILE_WRITE_ACCESS) && !(granted & FILE_WRITE_DATA)))) {
            status = STATUS_ACCESS_DENIED;
            break;
        }
        if (method != METHOD_NEITHER &&
            ((x->in == NULL && x->in_length != 0) || (x->out == NULL && x->out_length != 0)))
            status = STATUS_ACCESS_VIOLATION;
        break;
    }
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    if (!NT_SUCCESS(status))
        goto err_file;

    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(fo);
    PIRP irp = io_file_build_irp(file, top, x->major, mode);
    if (irp == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto err_file;
    }
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    if (sync_file)
        irp->Flags |= IRP_SYNCHRONOUS_API;
    if (x->major == IRP_MJ_READ || x->major == IRP_MJ_WRITE) {
        irp->Flags |= x->major == IRP_MJ_READ ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
        if (fo_flags & FO_NO_INTERMEDIATE_BUFFERING)
            irp->Flags |= IRP_NOCACHE;
        if (x->major == IRP_MJ_WRITE && (fo_flags & FO_WRITE_THROUGH))
            sp->Flags |= SL_WRITE_THROUGH;
        sp->Parameters.Read.ByteOffset.QuadPart = offset;
        sp->Parameters.Read.Key = x->key;
        req->update_position = sync_file && offset >= 0;
        req->offset = offset;
        status = io_irp_setup_buffers(irp, top, x->in, x->in_length, x->out, x->out_length);
    } else {
        sp->Parameters.DeviceIoControl.IoControlCode = x->code;
        if (method == METHOD_NEITHER) {
            /* As Windows: the caller's pointers, unprobed. */
            sp->Parameters.DeviceIoControl.InputBufferLength = x->in_length;
            sp->Parameters.DeviceIoControl.OutputBufferLength = x->out_length;
            sp->Parameters.DeviceIoControl.Type3InputBuffer = x->in;
            irp->UserBuffer = x->out;
        } else {
            status = io_irp_setup_buffers(irp, top, x->in, x->in_length, x->out, x->out_length);
        }
    }
    if (!NT_SUCCESS(status)) {
        IoFreeIrp(irp);
        goto err_file;
    }
    req->irp = irp;
    req->file = file;
    *top_out = top;
    return STATUS_SUCCESS;

err_file:
    ObDereferenceObject(fo);
    return status;
}

NTSTATUS io_xfer_sync(HANDLE handle, KPROCESSOR_MODE mode, const io_xfer *x, ULONG_PTR *information)
{
    *information = 0;
    io_req req;
    PDEVICE_OBJECT top;
    NTSTATUS status = io_xfer_prepare(handle, mode, x, &req, &top);
    if (!NT_SUCCESS(status))
        return status;
    PFILE_OBJECT fo = &req.file->fo;
    status = io_req_send_sync(&req, top, TRUE);
    *information = req.information;
    ObDereferenceObject(fo);
    return status;
}
