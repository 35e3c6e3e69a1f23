/*
 * openwdf/user.h - the "user side" of the I/O manager: what CreateFile, ReadFile, WriteFile,
 * DeviceIoControl, CancelIoEx and CloseHandle are to a Windows application, for programs running
 * in the same process as the drivers (tests, the test bench, the FUSE bridge, the socket server).
 *
 * Requests made here are user-mode requests (Irp->RequestorMode == UserMode): the handle's granted
 * access is checked as Windows checks it, kernel handles (made by ZwCreateFile with
 * OBJ_KERNEL_HANDLE) are refused, and the status codes are Windows' (NTSTATUS, not Win32 errors).
 *
 * Every call is PASSIVE_LEVEL and may block (it waits for the driver) unless it says otherwise.
 * Synchronous calls cost no allocation of their own and no system call when the driver completes
 * the request before returning from its dispatch routine.
 *
 * Example:
 *     HANDLE h;
 *     NTSTATUS st = owdf_user_open("\\\\.\\Echo", GENERIC_READ | GENERIC_WRITE, 0, 0, &h);
 *     ULONG n;
 *     st = owdf_user_write(h, "hello", 5, NULL, &n);
 *     char buf[5];
 *     st = owdf_user_read(h, buf, sizeof buf, NULL, &n);
 *     owdf_user_close(h);
 * See docs/nt-io-user.md for the asynchronous calls.
 */
#ifndef OPENWDF_USER_H
#define OPENWDF_USER_H

#include <stddef.h>
#include <stdint.h>

#include <ntdef.h>
#include <ntstatus.h>
#include <openwdf/verifier.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Access rights and share modes are the WDK's (GENERIC_READ, FILE_READ_DATA, FILE_SHARE_READ...:
 * <wdm.h>). Open flags: */
#define OWDF_USER_OVERLAPPED 0x00000001u /* FILE_FLAG_OVERLAPPED: no file position is kept (a NULL
                                            offset means 0); without it the handle is synchronous
                                            (FILE_SYNCHRONOUS_IO_NONALERT) and a NULL offset uses
                                            and advances the position */
#define OWDF_USER_VALID_FLAGS 0x00000001u

#define OWDF_USER_INFINITE 0xffffffffu

/*
 * Opens a device. path (UTF-8) is a Win32 device path or an NT path:
 *   "\\.\Name" and "//./Name"   -> "\??\Name" (Win32: '/' is read as '\')
 *   "\\?\Name"                  -> "\??\Name" (verbatim)
 *   "\\server\share..."         -> "\??\UNC\server\share..." (no such device here)
 *   "\??\Name", "\DosDevices\Name", "\Device\Name", "\GLOBAL??\Name", any name from "\"
 * A device interface's link from owdf_user_interface_path() opens that interface; whatever follows
 * the device's name ("\Device\Echo\sub") reaches the driver as FILE_OBJECT.FileName.
 * The create is FILE_OPEN with the given access (SYNCHRONIZE added) and share mode.
 * Errors: STATUS_INVALID_PARAMETER (NULL path/out, unknown flag), STATUS_OBJECT_NAME_INVALID (not
 * UTF-8), STATUS_OBJECT_PATH_SYNTAX_BAD (a relative name), then as ZwCreateFile (<owdf/zw.h>):
 * STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND, STATUS_OBJECT_TYPE_MISMATCH,
 * STATUS_NO_SUCH_DEVICE, STATUS_ACCESS_DENIED (exclusive device already open), the driver's status.
 */
OWDF_API NTSTATUS owdf_user_open(const char *path, ACCESS_MASK access, ULONG share, ULONG flags, HANDLE *out);

/* Opens the index-th enabled interface of a class (in registration order).
 * STATUS_NO_MORE_ENTRIES when there are not that many; otherwise as owdf_user_open. */
OWDF_API NTSTATUS owdf_user_open_interface(const GUID *iface, ULONG index, ACCESS_MASK access, ULONG share,
                                           ULONG flags, HANDLE *out);

/* The Win32 path ("\\?\ROOT#ECHO#0000#{guid}") of the index-th enabled interface of a class, UTF-8
 * and NUL-terminated, in buf. *needed (may be NULL) gets the size needed, terminator included.
 * STATUS_BUFFER_TOO_SMALL when it does not fit, STATUS_NO_MORE_ENTRIES past the last one.
 * Any IRQL <= APC_LEVEL; does not block on drivers. */
OWDF_API NTSTATUS owdf_user_interface_path(const GUID *iface, ULONG index, char *buf, size_t size, size_t *needed);

/* Closes a handle. The last handle of an open cancels its requests still pending and sends
 * IRP_MJ_CLEANUP; IRP_MJ_CLOSE follows when the last request in flight is done.
 * STATUS_INVALID_HANDLE for a handle that is not open (closed, stale, kernel). */
OWDF_API NTSTATUS owdf_user_close(HANDLE handle);

/*
 * Synchronous I/O: returns the final status (a warning such as STATUS_BUFFER_OVERFLOW included, in
 * which case the data the driver reported was copied); *bytes (may be NULL) gets the Information
 * (0 when the status is an error: Windows leaves a synchronous caller's count so).
 * offset NULL: the file position (synchronous handles) or 0. Errors before the driver:
 * STATUS_INVALID_HANDLE, STATUS_ACCESS_DENIED (reading without FILE_READ_DATA, writing without
 * FILE_WRITE_DATA/FILE_APPEND_DATA, an IOCTL whose CTL_CODE access needs what the handle lacks),
 * STATUS_ACCESS_VIOLATION (NULL buffer with a length, except METHOD_NEITHER IOCTL buffers, which
 * reach the driver as given), STATUS_INVALID_PARAMETER (negative offset),
 * STATUS_INSUFFICIENT_RESOURCES, STATUS_FILE_CLOSED (the handle is being closed).
 */
OWDF_API NTSTATUS owdf_user_read(HANDLE handle, void *buffer, ULONG length, const LONGLONG *offset, ULONG *bytes);
OWDF_API NTSTATUS owdf_user_write(HANDLE handle, const void *buffer, ULONG length, const LONGLONG *offset,
                                  ULONG *bytes);
OWDF_API NTSTATUS owdf_user_ioctl(HANDLE handle, ULONG code, const void *in, ULONG in_length, void *out,
                                  ULONG out_length, ULONG *bytes);

/* ---- Asynchronous I/O ------------------------------------------------------------------------ */

typedef struct owdf_user_io owdf_user_io;
/* Runs once when a request that returned STATUS_PENDING is done: PASSIVE_LEVEL, on a thread of the
 * completer or a system worker, or on the thread that cancels or closes. io may be freed or reused
 * from inside the callback; the I/O manager does not touch it afterwards. */
typedef void owdf_user_io_callback(owdf_user_io *io, void *context);

#define OWDF_USER_IO_INTERNAL_WORDS 24

/* Caller-owned, like an OVERLAPPED: it must stay in place while a request uses it. */
struct owdf_user_io {
    NTSTATUS status;                /* STATUS_PENDING while in flight, then the final status */
    ULONG_PTR information;          /* bytes transferred */
    owdf_user_io_callback *callback; /* NULL: learn the end with owdf_user_wait */
    void *context;
    uint64_t internal[OWDF_USER_IO_INTERNAL_WORDS]; /* the I/O manager's */
};

/* Prepares io (zeroes it, sets callback and context). Before its first use; again to reuse it. */
OWDF_API void owdf_user_io_init(owdf_user_io *io, owdf_user_io_callback *callback, void *context);

/*
 * Start a request. STATUS_PENDING: it is in flight; the callback runs (or owdf_user_wait returns)
 * once it is done, possibly before this call returns. Any other status: it is already over (or was
 * never started), io->status and io->information hold the result and the callback is NOT called.
 * Errors as the synchronous calls, and STATUS_INVALID_PARAMETER for a NULL io or an io still in
 * flight (an IO_USER_IO_IN_FLIGHT report).
 */
OWDF_API NTSTATUS owdf_user_read_async(HANDLE handle, void *buffer, ULONG length, const LONGLONG *offset,
                                       owdf_user_io *io);
OWDF_API NTSTATUS owdf_user_write_async(HANDLE handle, const void *buffer, ULONG length, const LONGLONG *offset,
                                        owdf_user_io *io);
OWDF_API NTSTATUS owdf_user_ioctl_async(HANDLE handle, ULONG code, const void *in, ULONG in_length, void *out,
                                        ULONG out_length, owdf_user_io *io);

/*
 * Waits for a request started without a callback: its final status, or STATUS_TIMEOUT
 * (timeout_ms 0 polls; OWDF_USER_INFINITE waits for ever). STATUS_INVALID_PARAMETER for an io
 * never started or one with a callback.
 */
OWDF_API NTSTATUS owdf_user_wait(owdf_user_io *io, ULONG timeout_ms);

/*
 * As CancelIoEx: asks the driver to cancel the handle's requests in flight that were started with
 * io (all of the handle's requests, synchronous ones on other threads included, for NULL). The
 * requests end as the driver decides (usually STATUS_CANCELLED). STATUS_SUCCESS if any was found,
 * STATUS_NOT_FOUND if none, STATUS_INVALID_HANDLE.
 */
OWDF_API NTSTATUS owdf_user_cancel(HANDLE handle, owdf_user_io *io);

/* Open handles (user and kernel) and live file objects, for leak audits. */
OWDF_API ULONG owdf_user_open_handle_count(void);
OWDF_API ULONG owdf_user_live_file_count(void);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_USER_H */
