/*
 * zw.c - the Zw file routines drivers call (owdf/zw.h): kernel-mode opens, reads, writes and
 * IOCTLs on handles, file information, ZwClose.
 *
 * As Windows' Zw calls they run with PreviousMode KernelMode: no access checks against the handle
 * or the IOCTL's CTL_CODE, kernel handles allowed. They share the handle table and the request
 * path with the user side (handle.c, request.c) and always wait for the request to finish.
 */
#include "io_internal.h"

#include <stdio.h>

static owdf_verifier_policy zw_not_implemented(const char *call, const char *what)
{
    return OWDF_VERIFY_REPORT("IO_NOT_IMPLEMENTED", NULL, NULL, io_report_driver(), "%s: %s is not supported yet",
                              call, what);
}

static void zw_set_iosb(PIO_STATUS_BLOCK iosb, NTSTATUS status, ULONG_PTR information)
{
    if (iosb != NULL) {
        iosb->Status = status;
        iosb->Information = information;
    }
}

NTSYSAPI NTSTATUS ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                               ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                               ULONG EaLength)
{
    PAGED_CODE();
    if (FileHandle == NULL || ObjectAttributes == NULL || IoStatusBlock == NULL)
        return STATUS_INVALID_PARAMETER;
    *FileHandle = NULL;
    if (ObjectAttributes->Length != sizeof(OBJECT_ATTRIBUTES) ||
        (ObjectAttributes->Attributes & ~(ULONG)OBJ_VALID_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    if (ObjectAttributes->ObjectName == NULL)
        return STATUS_OBJECT_NAME_INVALID;
    if (EaBuffer != NULL && EaLength != 0) {
        zw_not_implemented("ZwCreateFile", "an extended attributes buffer");
        return STATUS_NOT_IMPLEMENTED;
    }

    io_open_params p = {0};
    p.name = ObjectAttributes->ObjectName;
    p.desired_access = DesiredAccess;
    p.share_access = ShareAccess;
    p.disposition = CreateDisposition;
    p.options = CreateOptions;
    p.file_attributes = FileAttributes;
    p.object_attributes = ObjectAttributes->Attributes;
    if (AllocationSize != NULL)
        p.allocation_size = *AllocationSize;
    p.mode = KernelMode;

    PVOID related = NULL;
    if (ObjectAttributes->RootDirectory != NULL) {
        NTSTATUS status = io_handle_reference(ObjectAttributes->RootDirectory, KernelMode, 0, &related, NULL, NULL);
        if (!NT_SUCCESS(status))
            return status;
        p.related = related;
    }

    PFILE_OBJECT fo;
    ULONG_PTR information = 0;
    NTSTATUS status = io_file_open(&p, &fo, &information);
    if (related != NULL)
        ObDereferenceObject(related);
    if (NT_SUCCESS(status)) {
        /* A device cannot supersede or create: a driver that left Information 0 opened it. */
        if (information == FILE_SUPERSEDED && CreateDisposition != FILE_SUPERSEDE)
            information = FILE_OPENED;
        NTSTATUS hs = io_handle_create(fo, io_file_from(fo)->granted,
                                       ObjectAttributes->Attributes & (OBJ_KERNEL_HANDLE | OBJ_INHERIT), FileHandle);
        if (!NT_SUCCESS(hs)) {
            ObDereferenceObject(fo);
            status = hs;
            information = 0;
        }
    }
    zw_set_iosb(IoStatusBlock, status, information);
    return status;
}

NTSYSAPI NTSTATUS ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return ZwCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess, FILE_OPEN,
                        OpenOptions, NULL, 0);
}

NTSYSAPI NTSTATUS ZwClose(HANDLE Handle)
{
    PAGED_CODE();
    NTSTATUS status = io_handle_close(Handle, KernelMode);
    if (status == STATUS_INVALID_HANDLE)
        OWDF_VERIFY_REPORT("IO_INVALID_KERNEL_HANDLE", Handle, "HANDLE", io_report_driver(),
                           "ZwClose(%p): not an open handle (closed already, or never made)", Handle);
    return status;
}

static NTSTATUS zw_xfer(const char *call, HANDLE handle, HANDLE event, PIO_APC_ROUTINE apc, PIO_STATUS_BLOCK iosb,
                        const io_xfer *x)
{
    PAGED_CODE();
    if (event != NULL || apc != NULL) {
        zw_not_implemented(call, event != NULL ? "an event handle" : "an APC routine");
        return STATUS_NOT_IMPLEMENTED;
    }
    if (iosb == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONG_PTR information;
    NTSTATUS status = io_xfer_sync(handle, KernelMode, x, &information);
    zw_set_iosb(iosb, status, information);
    return status;
}

NTSYSAPI NTSTATUS ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                             PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                             PULONG Key)
{
    (void)ApcContext;
    io_xfer x = {.major = IRP_MJ_READ,
                 .out = Buffer,
                 .out_length = Length,
                 .offset = ByteOffset != NULL ? &ByteOffset->QuadPart : NULL,
                 .key = Key != NULL ? *Key : 0};
    return zw_xfer("ZwReadFile", FileHandle, Event, ApcRoutine, IoStatusBlock, &x);
}

NTSYSAPI NTSTATUS ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                              PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                              PULONG Key)
{
    (void)ApcContext;
    io_xfer x = {.major = IRP_MJ_WRITE,
                 .in = Buffer,
                 .in_length = Length,
                 .offset = ByteOffset != NULL ? &ByteOffset->QuadPart : NULL,
                 .key = Key != NULL ? *Key : 0};
    return zw_xfer("ZwWriteFile", FileHandle, Event, ApcRoutine, IoStatusBlock, &x);
}

NTSYSAPI NTSTATUS ZwDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                        PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode,
                                        PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                        ULONG OutputBufferLength)
{
    (void)ApcContext;
    io_xfer x = {.major = IRP_MJ_DEVICE_CONTROL,
                 .code = IoControlCode,
                 .in = InputBuffer,
                 .in_length = InputBufferLength,
                 .out = OutputBuffer,
                 .out_length = OutputBufferLength};
    return zw_xfer("ZwDeviceIoControlFile", FileHandle, Event, ApcRoutine, IoStatusBlock, &x);
}

/* ---- file information ------------------------------------------------------------------------- */

static ULONG zw_mode_of(PFILE_OBJECT fo)
{
    ULONG mode = 0;
    if (fo->Flags & FO_WRITE_THROUGH)
        mode |= FILE_WRITE_THROUGH;
    if (fo->Flags & FO_SEQUENTIAL_ONLY)
        mode |= FILE_SEQUENTIAL_ONLY;
    if (fo->Flags & FO_NO_INTERMEDIATE_BUFFERING)
        mode |= FILE_NO_INTERMEDIATE_BUFFERING;
    if (fo->Flags & FO_SYNCHRONOUS_IO)
        mode |= (fo->Flags & FO_ALERTABLE_IO) ? FILE_SYNCHRONOUS_IO_ALERT : FILE_SYNCHRONOUS_IO_NONALERT;
    if (fo->Flags & FO_DELETE_ON_CLOSE)
        mode |= FILE_DELETE_ON_CLOSE;
    return mode;
}

static NTSTATUS zw_information(const char *call, BOOLEAN set, HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
                               PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    PAGED_CODE();
    if (IoStatusBlock == NULL || FileInformation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (FileInformationClass <= 0 || FileInformationClass >= FileMaximumInformation)
        return STATUS_INVALID_INFO_CLASS;
    PVOID object;
    ACCESS_MASK granted;
    NTSTATUS status = io_handle_reference(FileHandle, KernelMode, 0, &object, &granted, NULL);
    if (!NT_SUCCESS(status))
        return status;
    PFILE_OBJECT fo = object;
    ULONG_PTR information = 0;
    switch (FileInformationClass) {
    case FilePositionInformation: {
        if (Length < sizeof(FILE_POSITION_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        PFILE_POSITION_INFORMATION pos = FileInformation;
        if (set) {
            if (pos->CurrentByteOffset.QuadPart < 0) {
                status = STATUS_INVALID_PARAMETER;
                break;
            }
            __atomic_store_n(&fo->CurrentByteOffset.QuadPart, pos->CurrentByteOffset.QuadPart, __ATOMIC_RELAXED);
        } else {
            pos->CurrentByteOffset.QuadPart = __atomic_load_n(&fo->CurrentByteOffset.QuadPart, __ATOMIC_RELAXED);
            information = sizeof(FILE_POSITION_INFORMATION);
        }
        break;
    }
    case FileModeInformation:
        if (set)
            goto not_implemented;
        if (Length < sizeof(FILE_MODE_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        ((PFILE_MODE_INFORMATION)FileInformation)->Mode = zw_mode_of(fo);
        information = sizeof(FILE_MODE_INFORMATION);
        break;
    case FileAccessInformation:
        if (set)
            goto not_implemented;
        if (Length < sizeof(FILE_ACCESS_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        ((PFILE_ACCESS_INFORMATION)FileInformation)->AccessFlags = granted;
        information = sizeof(FILE_ACCESS_INFORMATION);
        break;
    default:
    not_implemented: {
        char what[64];
        snprintf(what, sizeof what, "file information class %d", (int)FileInformationClass);
        zw_not_implemented(call, what);
        status = STATUS_NOT_IMPLEMENTED;
        break;
    }
    }
    ObDereferenceObject(fo);
    zw_set_iosb(IoStatusBlock, status, information);
    return status;
}

NTSYSAPI NTSTATUS ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                         ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    return zw_information("ZwQueryInformationFile", FALSE, FileHandle, IoStatusBlock, FileInformation, Length,
                          FileInformationClass);
}

NTSYSAPI NTSTATUS ZwSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                       ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    return zw_information("ZwSetInformationFile", TRUE, FileHandle, IoStatusBlock, FileInformation, Length,
                          FileInformationClass);
}
