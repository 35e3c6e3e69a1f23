/*
 * buffers.c - how the I/O manager presents a caller's buffers to a driver (buffered, direct, neither),
 * and the IRPs it builds for drivers: IoBuildDeviceIoControlRequest, IoBuildSynchronousFsdRequest,
 * IoBuildAsynchronousFsdRequest; plus IoForwardIrpSynchronously and IoIsOperationSynchronous.
 *
 * The same two helpers serve the user side (user.c): io_irp_setup_buffers before the IRP is sent,
 * io_irp_finish_buffers when it comes back (copy-back, frees). One address space: "probing" a
 * buffer only checks it is there, and the driver sees the caller's own memory through the MDL.
 */
#include "io_internal.h"

#include <pthread.h>
#include <stdlib.h>

#define IO_TAG_SYSBUF 0x62536f49 /* 'IoSb' */

/*
 * System buffers up to 4 KB come from a per-thread cache in three size classes, so buffered I/O
 * allocates nothing in steady state (and touches no shared pool counter). A canary after the
 * requested length catches a driver writing past the buffer (SYSTEM_BUFFER_OVERRUN), which the
 * pool's guards would otherwise have caught. Larger buffers come from the pool.
 */
#define SYSBUF_CLASSES 3
#define SYSBUF_PER_THREAD 16
#define SYSBUF_MAGIC 0x6675427379536f49ull /* "IoSysBuf" */
#define SYSBUF_CANARY 0x5aa5c33cf00fe11eull

static const ULONG sysbuf_class_size[SYSBUF_CLASSES] = {256, 1024, 4096};

struct sysbuf {
    struct sysbuf *next; /* while cached */
    ULONG cls;
    ULONG length;        /* requested length (the canary sits right after it) */
    uint64_t magic;
    uint64_t pad;
    _Alignas(16) unsigned char data[];
};

struct sysbuf_cache {
    struct sysbuf *head[SYSBUF_CLASSES];
    ULONG count[SYSBUF_CLASSES];
    BOOLEAN registered;
};

static __thread struct sysbuf_cache sysbuf_tls __attribute__((tls_model("initial-exec")));
static pthread_key_t sysbuf_key;
static pthread_once_t sysbuf_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: the cached buffers go back to memory. */
static void sysbuf_thread_exit(void *unused)
{
    (void)unused;
    for (int c = 0; c < SYSBUF_CLASSES; c++) {
        while (sysbuf_tls.head[c] != NULL) {
            struct sysbuf *b = sysbuf_tls.head[c];
            sysbuf_tls.head[c] = b->next;
            free(b);
        }
        sysbuf_tls.count[c] = 0;
    }
}

static void sysbuf_make_key(void)
{
    pthread_key_create(&sysbuf_key, sysbuf_thread_exit);
}

static PVOID sysbuf_get(ULONG length)
{
    int c = 0;
    while (sysbuf_class_size[c] < length + sizeof(uint64_t))
        c++;
    struct sysbuf *b = sysbuf_tls.head[c];
    if (b != NULL) {
        sysbuf_tls.head[c] = b->next;
        sysbuf_tls.count[c]--;
    } else {
        if (!sysbuf_tls.registered) {
            pthread_once(&sysbuf_key_once, sysbuf_make_key);
            pthread_setspecific(sysbuf_key, &sysbuf_tls);
            sysbuf_tls.registered = TRUE;
        }
        b = malloc(sizeof *b + sysbuf_class_size[c]);
        if (b == NULL)
            return NULL;
        b->cls = (ULONG)c;
        b->magic = SYSBUF_MAGIC;
    }
    b->length = length;
    uint64_t canary = SYSBUF_CANARY;
    memcpy(b->data + length, &canary, sizeof canary);
    return b->data;
}

static void sysbuf_put(PIRP irp, PVOID buffer)
{
    struct sysbuf *b = (struct sysbuf *)((unsigned char *)buffer - offsetof(struct sysbuf, data));
    uint64_t canary;
    memcpy(&canary, b->data + b->length, sizeof canary);
    if (canary != SYSBUF_CANARY)
        OWDF_VERIFY_REPORT("SYSTEM_BUFFER_OVERRUN", irp, "IRP", io_report_driver(),
                           "IRP %p: a driver wrote past the end of its %lu-byte system buffer", (void *)irp,
                           (unsigned long)b->length);
    ULONG c = b->cls;
    if (sysbuf_tls.registered && sysbuf_tls.count[c] < SYSBUF_PER_THREAD) {
        b->next = sysbuf_tls.head[c];
        sysbuf_tls.head[c] = b;
        sysbuf_tls.count[c]++;
    } else {
        free(b);
    }
}

void io_system_buffer_release(PIRP irp)
{
    PVOID buffer = irp->AssociatedIrp.SystemBuffer;
    if (!(irp->Flags & IRP_DEALLOCATE_BUFFER) || buffer == NULL)
        return;
    if (irp->Owdf.State & IO_IRP_STATE_SYSBUF_CACHED)
        sysbuf_put(irp, buffer);
    else
        ExFreePool(buffer);
    irp->Owdf.State &= ~IO_IRP_STATE_SYSBUF_CACHED;
    irp->AssociatedIrp.SystemBuffer = NULL;
    irp->Flags &= ~IRP_DEALLOCATE_BUFFER;
}

static NTSTATUS io_system_buffer(PIRP irp, ULONG length, PVOID copy_from, ULONG copy_length)
{
    BOOLEAN cached = length + sizeof(uint64_t) <= sysbuf_class_size[SYSBUF_CLASSES - 1];
    PVOID buffer = cached ? sysbuf_get(length) : ExAllocatePool2(POOL_FLAG_NON_PAGED, length, IO_TAG_SYSBUF);
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* Input bytes, then zeroes: a driver never sees stale data from an earlier request. */
    if (copy_from == NULL)
        copy_length = 0;
    if (copy_length != 0)
        memcpy(buffer, copy_from, copy_length);
    if (cached) {
        memset((unsigned char *)buffer + copy_length, 0, length - copy_length);
        irp->Owdf.State |= IO_IRP_STATE_SYSBUF_CACHED;
    }
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    return STATUS_SUCCESS;
}

static NTSTATUS io_lock_buffer(PIRP irp, PVOID buffer, ULONG length, LOCK_OPERATION operation)
{
    PMDL mdl = IoAllocateMdl(buffer, length, FALSE, FALSE, irp);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmProbeAndLockPages(mdl, irp->RequestorMode, operation);
    return STATUS_SUCCESS;
}

static void io_undo_buffers(PIRP irp)
{
    io_system_buffer_release(irp);
    irp->AssociatedIrp.SystemBuffer = NULL;
    irp->Flags &= ~(IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION);
    irp->Owdf.UserOutputBuffer = NULL;
    irp->Owdf.UserOutputLength = 0;
    while (irp->MdlAddress != NULL) {
        PMDL mdl = irp->MdlAddress;
        irp->MdlAddress = mdl->Next;
        if (mdl->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
}

NTSTATUS io_irp_setup_buffers(PIRP irp, PDEVICE_OBJECT device, PVOID in, ULONG in_length, PVOID out,
                              ULONG out_length)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    NTSTATUS status = STATUS_SUCCESS;
    switch (next->MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE: {
        BOOLEAN read = next->MajorFunction == IRP_MJ_READ;
        PVOID buffer = read ? out : in;
        ULONG length = read ? out_length : in_length;
        if (buffer == NULL && length != 0)
            return STATUS_INVALID_USER_BUFFER;
        next->Parameters.Read.Length = length;
        irp->UserBuffer = buffer;
        if (length == 0)
            break;
        if (device->Flags & DO_BUFFERED_IO) {
            status = io_system_buffer(irp, length, read ? NULL : buffer, length);
            if (NT_SUCCESS(status) && read) {
                irp->Flags |= IRP_INPUT_OPERATION;
                irp->Owdf.UserOutputBuffer = buffer;
                irp->Owdf.UserOutputLength = length;
            }
        } else if (device->Flags & DO_DIRECT_IO) {
            status = io_lock_buffer(irp, buffer, length, read ? IoWriteAccess : IoReadAccess);
        }
        break;
    }
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        if ((in == NULL && in_length != 0) || (out == NULL && out_length != 0))
            return STATUS_INVALID_USER_BUFFER;
        next->Parameters.DeviceIoControl.InputBufferLength = in_length;
        next->Parameters.DeviceIoControl.OutputBufferLength = out_length;
        ULONG method = METHOD_FROM_CTL_CODE(next->Parameters.DeviceIoControl.IoControlCode);
        irp->UserBuffer = out;
        switch (method) {
        case METHOD_BUFFERED: {
            ULONG length = in_length > out_length ? in_length : out_length;
            if (length == 0)
                break;
            status = io_system_buffer(irp, length, in, in_length);
            if (NT_SUCCESS(status) && out_length != 0) {
                irp->Flags |= IRP_INPUT_OPERATION;
                irp->Owdf.UserOutputBuffer = out;
                irp->Owdf.UserOutputLength = out_length;
            }
            break;
        }
        case METHOD_IN_DIRECT:
        case METHOD_OUT_DIRECT:
            if (in_length != 0)
                status = io_system_buffer(irp, in_length, in, in_length);
            if (NT_SUCCESS(status) && out_length != 0)
                status = io_lock_buffer(irp, out, out_length,
                                        method == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess);
            break;
        default: /* METHOD_NEITHER */
            next->Parameters.DeviceIoControl.Type3InputBuffer = in;
            break;
        }
        break;
    }
    default:
        break;
    }
    if (!NT_SUCCESS(status))
        io_undo_buffers(irp);
    return status;
}

void io_irp_finish_buffers(PIRP irp)
{
    if ((irp->Flags & (IRP_BUFFERED_IO | IRP_INPUT_OPERATION)) == (IRP_BUFFERED_IO | IRP_INPUT_OPERATION) &&
        irp->Owdf.UserOutputBuffer != NULL && irp->AssociatedIrp.SystemBuffer != NULL &&
        !NT_ERROR(irp->IoStatus.Status)) {
        ULONG_PTR length = irp->IoStatus.Information;
        if (length > irp->Owdf.UserOutputLength) {
            OWDF_VERIFY_REPORT("IRP_INFO_EXCEEDS_BUFFER", irp, "IRP", io_report_driver(),
                               "IRP %p completed with Information %lu but the output buffer is %u bytes; "
                               "copy cut to the buffer",
                               (void *)irp, (unsigned long)length, irp->Owdf.UserOutputLength);
            length = irp->Owdf.UserOutputLength;
        }
        memcpy(irp->Owdf.UserOutputBuffer, irp->AssociatedIrp.SystemBuffer, length);
    }
    io_undo_buffers(irp);
}

/* ---- IRPs built for drivers ------------------------------------------------------------------------ */

PIRP IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
                                   ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                   BOOLEAN InternalDeviceIoControl, PKEVENT Event,
                                   PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = IoAllocateIrp(DeviceObject->StackSize, FALSE);
    if (irp == NULL)
        return NULL;
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    if (!NT_SUCCESS(io_irp_setup_buffers(irp, DeviceObject, InputBuffer, InputBufferLength, OutputBuffer,
                                         OutputBufferLength))) {
        IoFreeIrp(irp);
        return NULL;
    }
    irp->UserIosb = IoStatusBlock;
    irp->UserEvent = Event;
    irp->Flags |= IRP_SYNCHRONOUS_API;
    irp->Owdf.Builder = IO_IRP_BUILT_IOCTL;
    return irp;
}

static PIRP io_build_fsd(ULONG major, PDEVICE_OBJECT device, PVOID buffer, ULONG length,
                         PLARGE_INTEGER offset, PIO_STATUS_BLOCK iosb, ULONG builder)
{
    switch (major) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
    case IRP_MJ_FLUSH_BUFFERS:
    case IRP_MJ_SHUTDOWN:
    case IRP_MJ_PNP:
        break;
    case IRP_MJ_POWER:
        if (builder == IO_IRP_BUILT_ASYNC_FSD)
            break;
        return NULL;
    default:
        return NULL;
    }
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (irp == NULL)
        return NULL;
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = (UCHAR)major;
    if (major == IRP_MJ_READ || major == IRP_MJ_WRITE) {
        NTSTATUS status = io_irp_setup_buffers(
            irp, device, major == IRP_MJ_WRITE ? buffer : NULL, major == IRP_MJ_WRITE ? length : 0,
            major == IRP_MJ_READ ? buffer : NULL, major == IRP_MJ_READ ? length : 0);
        if (!NT_SUCCESS(status)) {
            IoFreeIrp(irp);
            return NULL;
        }
        if (offset != NULL)
            next->Parameters.Read.ByteOffset = *offset;
    }
    irp->UserIosb = iosb;
    irp->Owdf.Builder = builder;
    return irp;
}

PIRP IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                  ULONG Length, PLARGE_INTEGER StartingOffset, PKEVENT Event,
                                  PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = io_build_fsd(MajorFunction, DeviceObject, Buffer, Length, StartingOffset, IoStatusBlock,
                            IO_IRP_BUILT_SYNC_FSD);
    if (irp != NULL) {
        irp->UserEvent = Event;
        irp->Flags |= IRP_SYNCHRONOUS_API;
    }
    return irp;
}

PIRP IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                   ULONG Length, PLARGE_INTEGER StartingOffset,
                                   PIO_STATUS_BLOCK IoStatusBlock)
{
    return io_build_fsd(MajorFunction, DeviceObject, Buffer, Length, StartingOffset, IoStatusBlock,
                        IO_IRP_BUILT_ASYNC_FSD);
}

/* ---- Forwarding and waiting --------------------------------------------------------------------------- */

static NTSTATUS io_forward_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

BOOLEAN IoForwardIrpSynchronously(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp->CurrentLocation <= 1)
        return FALSE;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, io_forward_done, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(DeviceObject, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    return TRUE;
}

BOOLEAN IoIsOperationSynchronous(PIRP Irp)
{
    if (Irp->Flags & IRP_PAGING_IO)
        return (Irp->Flags & IRP_SYNCHRONOUS_PAGING_IO) != 0;
    if (Irp->Flags & IRP_SYNCHRONOUS_API)
        return TRUE;
    PFILE_OBJECT file = Irp->CurrentLocation <= Irp->StackCount
                            ? IoGetCurrentIrpStackLocation(Irp)->FileObject
                            : Irp->Tail.Overlay.OriginalFileObject;
    return file != NULL && (file->Flags & FO_SYNCHRONOUS_IO) != 0;
}
