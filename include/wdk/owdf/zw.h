/*
 * owdf/zw.h - what drivers see of the I/O manager's names half beyond owdf/io.h: the Zw file
 * routines on handles, handle information, and PnP notifications for device interfaces
 * (IoRegisterPlugPlayNotification). Included by wdm.h; not meant to be included alone.
 *
 * Handles: one table for the process. A handle made with OBJ_KERNEL_HANDLE is a kernel handle
 * (its value is negative, as on Windows) and cannot be used through the user-side API
 * (openwdf/user.h); the Zw routines accept both kinds. Handles name file objects only.
 *
 * The Zw routines run as Windows' Zw calls from kernel mode: PreviousMode is KernelMode, so the
 * handle's granted access and the IOCTL's required access are not checked. I/O through them is
 * always synchronous: they wait for a request the driver pends, whatever the open options.
 * All are PASSIVE_LEVEL.
 */
#ifndef OPENWDF_ZW_H
#define OPENWDF_ZW_H

#include <ntdef.h>
#include <ntstatus.h>
#include <owdf/io.h>

/* ---- Handles ----------------------------------------------------------------------------------- */
typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes; /* OBJ_INHERIT, OBJ_KERNEL_HANDLE... as given at creation */
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

/* Pseudo handles: no table entry; not file objects (STATUS_OBJECT_TYPE_MISMATCH). */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread() NtCurrentThread()

/* Closes a handle; the last handle of a file object sends IRP_MJ_CLEANUP (pending requests of the
 * file are cancelled first), the last reference IRP_MJ_CLOSE. STATUS_INVALID_HANDLE for a handle
 * that is not open (closed, stale, never made). */
NTSYSAPI NTSTATUS ZwClose(HANDLE Handle);
#define NtClose ZwClose

/* ---- Files -------------------------------------------------------------------------------------- */
/*
 * Opens a device by name (ObjectAttributes->ObjectName, e.g. "\Device\Echo", "\??\Echo",
 * "\DosDevices\Echo", or a device interface's symbolic link; RootDirectory may be a file handle for
 * a relative open). Sends IRP_MJ_CREATE to the top of the device's stack. On success
 * IoStatusBlock->Information is FILE_OPENED (or what the driver set for other dispositions).
 * Errors: name lookup errors (STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND,
 * STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_PATH_SYNTAX_BAD), STATUS_OBJECT_TYPE_MISMATCH (the name
 * is not a device), STATUS_NO_SUCH_DEVICE (being deleted or still initializing),
 * STATUS_ACCESS_DENIED (exclusive device already open), STATUS_INVALID_PARAMETER (bad
 * disposition/options/share/attributes, synchronous options without SYNCHRONIZE), EaBuffer is
 * not supported (STATUS_NOT_IMPLEMENTED + verifier report IO_NOT_IMPLEMENTED), or the driver's status.
 */
NTSYSAPI NTSTATUS ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                               ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                               ULONG EaLength);
/* ZwCreateFile with FILE_OPEN and no attributes. */
NTSYSAPI NTSTATUS ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions);

/*
 * Read/write/IOCTL. Event and ApcRoutine must be NULL (event handles and APCs are not supported:
 * STATUS_NOT_IMPLEMENTED + IO_NOT_IMPLEMENTED report). ByteOffset NULL (or FILE_USE_FILE_POINTER_POSITION)
 * uses the file position kept for files opened with FILE_SYNCHRONOUS_IO_*, which advances by the
 * bytes transferred; otherwise offset 0. A NULL buffer with a non-zero length is
 * STATUS_ACCESS_VIOLATION (what the I/O manager's probe of the buffer raises on Windows).
 * Returns the final status; IoStatusBlock gets it and the Information.
 */
NTSYSAPI NTSTATUS ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                             PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                             PULONG Key);
NTSYSAPI NTSTATUS ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                              PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                              PULONG Key);
NTSYSAPI NTSTATUS ZwDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                        PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode,
                                        PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                        ULONG OutputBufferLength);
/*
 * The I/O manager answers FilePositionInformation (CurrentByteOffset; a negative offset is
 * STATUS_INVALID_PARAMETER), FileModeInformation (query) and FileAccessInformation (query) itself.
 * Other classes: STATUS_NOT_IMPLEMENTED with an IO_NOT_IMPLEMENTED report. A Length smaller than the
 * class's structure is STATUS_INFO_LENGTH_MISMATCH.
 */
NTSYSAPI NTSTATUS ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                         ULONG Length, FILE_INFORMATION_CLASS FileInformationClass);
NTSYSAPI NTSTATUS ZwSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                       ULONG Length, FILE_INFORMATION_CLASS FileInformationClass);

typedef struct _FILE_ACCESS_INFORMATION {
    ACCESS_MASK AccessFlags;
} FILE_ACCESS_INFORMATION, *PFILE_ACCESS_INFORMATION;

/* ---- PnP notifications (device interface arrival and removal) ---------------------------------- */
typedef enum _IO_NOTIFICATION_EVENT_CATEGORY {
    EventCategoryReserved,
    EventCategoryHardwareProfileChange,
    EventCategoryDeviceInterfaceChange,
    EventCategoryTargetDeviceChange,
    EventCategoryKernelSoftRestart
} IO_NOTIFICATION_EVENT_CATEGORY;

#define PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES 0x00000001
#define PNP_NOTIFICATION_VERSION 1

typedef NTSTATUS DRIVER_NOTIFICATION_CALLBACK_ROUTINE(PVOID NotificationStructure, PVOID Context);
typedef DRIVER_NOTIFICATION_CALLBACK_ROUTINE *PDRIVER_NOTIFICATION_CALLBACK_ROUTINE;

typedef struct _PLUGPLAY_NOTIFICATION_HEADER {
    USHORT Version; /* PNP_NOTIFICATION_VERSION */
    USHORT Size;    /* of the whole structure */
    GUID Event;
} PLUGPLAY_NOTIFICATION_HEADER, *PPLUGPLAY_NOTIFICATION_HEADER;

typedef struct _DEVICE_INTERFACE_CHANGE_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;              /* GUID_DEVICE_INTERFACE_ARRIVAL or GUID_DEVICE_INTERFACE_REMOVAL (wdmguid.h) */
    GUID InterfaceClassGuid;
    PUNICODE_STRING SymbolicLinkName; /* valid during the callback only; NUL-terminated */
} DEVICE_INTERFACE_CHANGE_NOTIFICATION, *PDEVICE_INTERFACE_CHANGE_NOTIFICATION;

typedef struct _HWPROFILE_CHANGE_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
} HWPROFILE_CHANGE_NOTIFICATION, *PHWPROFILE_CHANGE_NOTIFICATION;

typedef struct _TARGET_DEVICE_REMOVAL_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
    PFILE_OBJECT FileObject;
} TARGET_DEVICE_REMOVAL_NOTIFICATION, *PTARGET_DEVICE_REMOVAL_NOTIFICATION;

typedef struct _TARGET_DEVICE_CUSTOM_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
    PFILE_OBJECT FileObject;
    LONG NameBufferOffset;
    UCHAR CustomDataBuffer[1];
} TARGET_DEVICE_CUSTOM_NOTIFICATION, *PTARGET_DEVICE_CUSTOM_NOTIFICATION;

/*
 * EventCategoryDeviceInterfaceChange: EventCategoryData is the interface class GUID. The callback
 * runs at PASSIVE_LEVEL on a thread of the notifying party or of the notification queue, never
 * with an I/O manager lock held, once per arrival/removal, in the order the changes happened.
 * With PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES it first gets an arrival for each
 * interface of the class enabled at registration. DriverObject is referenced until
 * unregistration. Its return value is ignored.
 * Errors: STATUS_INVALID_PARAMETER (NULL DriverObject/callback/data/entry, unknown category, bad
 * flags). EventCategoryHardwareProfileChange and EventCategoryTargetDeviceChange are not supported
 * yet (STATUS_NOT_IMPLEMENTED + IO_NOT_IMPLEMENTED report).
 */
NTKERNELAPI NTSTATUS IoRegisterPlugPlayNotification(IO_NOTIFICATION_EVENT_CATEGORY EventCategory,
                                                    ULONG EventCategoryFlags, PVOID EventCategoryData,
                                                    PDRIVER_OBJECT DriverObject,
                                                    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE CallbackRoutine,
                                                    PVOID Context, PVOID *NotificationEntry);
/* Both wait for a callback of this registration running on another thread; after they return the
 * callback is never called again (a call from inside the callback itself does not wait). An entry
 * that is not registered is an IO_BAD_NOTIFICATION_ENTRY report and STATUS_INVALID_PARAMETER. */
NTKERNELAPI NTSTATUS IoUnregisterPlugPlayNotification(PVOID NotificationEntry);
NTKERNELAPI NTSTATUS IoUnregisterPlugPlayNotificationEx(PVOID NotificationEntry);

#endif /* OPENWDF_ZW_H */
