/*
 * user.c - the user side of the I/O manager (openwdf/user.h): CreateFile/ReadFile/WriteFile/
 * DeviceIoControl/CancelIoEx/CloseHandle for programs in the drivers' process.
 *
 * A user request is a user-mode request (RequestorMode UserMode, access checked, kernel handles
 * refused). Synchronous calls run request.c's path on the caller's stack. Asynchronous calls keep
 * their io_req inside the caller's owdf_user_io; the handshake on io_req.state decides who reports:
 *   issuer, after IoCallDriver:  SUBMITTED -> WAITING  (won: return STATUS_PENDING)
 *   finisher, at completion:     SUBMITTED -> DONE_INLINE (won: the issuer returns the final status)
 * so exactly one side reports and the callback runs only for a request that returned
 * STATUS_PENDING. The callback runs at PASSIVE_LEVEL: a completion above it (a DPC) hands the
 * callback to a system worker (the work item lives in owdf_user_io too: no allocation).
 */
#include "io_internal.h"

#include <openwdf/user.h>

#include <string.h>

#define USER_PATH_INLINE_CHARS 264
#define USER_PREFIX_CHARS 8 /* room for "\??\UNC\" in front of the converted path */

struct user_io_internal {
    io_req req;
    WORK_QUEUE_ITEM work;
};
_Static_assert(sizeof(struct user_io_internal) <= sizeof(((owdf_user_io *)0)->internal),
               "owdf_user_io.internal holds the request");
_Static_assert(_Alignof(struct user_io_internal) <= _Alignof(uint64_t), "internal is 8-byte aligned");

static inline struct user_io_internal *user_internal(owdf_user_io *io)
{
    return (struct user_io_internal *)io->internal;
}

static BOOLEAN user_irql_ok(const char *call)
{
    return ke_check_max_irql(PASSIVE_LEVEL, call);
}

/* ---- paths ------------------------------------------------------------------------------------- */

struct user_path {
    UNICODE_STRING name;
    WCHAR *heap;
    WCHAR inline_chars[USER_PATH_INLINE_CHARS];
};

static inline BOOLEAN user_is_sep(WCHAR c)
{
    return c == L'\\' || c == L'/';
}

static void user_path_free(struct user_path *p)
{
    if (p->heap != NULL)
        ExFreePoolWithTag(p->heap, IO_NAME_POOL_TAG);
    p->heap = NULL;
}

/* Win32 or NT path (UTF-8) -> NT path (see owdf_user_open). */
static NTSTATUS user_path_convert(const char *path, struct user_path *p)
{
    p->heap = NULL;
    size_t len = strlen(path);
    if (len > UNICODE_STRING_MAX_BYTES)
        return STATUS_OBJECT_NAME_INVALID;
    ULONG bytes = 0;
    NTSTATUS status = RtlUTF8ToUnicodeN(NULL, 0, &bytes, path, (ULONG)len);
    if (status != STATUS_SUCCESS)
        return STATUS_OBJECT_NAME_INVALID;
    size_t chars = bytes / sizeof(WCHAR);
    WCHAR *buf = p->inline_chars;
    if (chars + USER_PREFIX_CHARS > USER_PATH_INLINE_CHARS) {
        p->heap = ExAllocatePool2(POOL_FLAG_PAGED, (chars + USER_PREFIX_CHARS) * sizeof(WCHAR), IO_NAME_POOL_TAG);
        if (p->heap == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        buf = p->heap;
    }
    WCHAR *u = buf + USER_PREFIX_CHARS;
    if (chars != 0 && RtlUTF8ToUnicodeN(u, bytes, &bytes, path, (ULONG)len) != STATUS_SUCCESS) {
        user_path_free(p);
        return STATUS_OBJECT_NAME_INVALID;
    }

    static const WCHAR dos_prefix[] = L"\\??\\";
    static const WCHAR unc_prefix[] = L"\\??\\UNC\\";
    const WCHAR *prefix = NULL;
    size_t skip = 0;
    BOOLEAN normalize = FALSE;
    if (chars >= 4 && user_is_sep(u[0]) && user_is_sep(u[1]) && u[2] == L'.' && user_is_sep(u[3])) {
        prefix = dos_prefix, skip = 4, normalize = TRUE;            /* \\.\Name */
    } else if (chars >= 4 && u[0] == L'\\' && u[1] == L'\\' && u[2] == L'?' && u[3] == L'\\') {
        prefix = dos_prefix, skip = 4;                              /* \\?\Name, verbatim */
    } else if (chars >= 2 && user_is_sep(u[0]) && user_is_sep(u[1])) {
        prefix = unc_prefix, skip = 2, normalize = TRUE;            /* \\server\share */
    } else if (chars == 0 || u[0] != L'\\') {
        user_path_free(p);
        return STATUS_OBJECT_PATH_SYNTAX_BAD;                       /* relative: no current directory */
    }
    WCHAR *start = u;
    if (prefix != NULL) {
        size_t plen = (prefix == dos_prefix ? RTL_NUMBER_OF(dos_prefix) : RTL_NUMBER_OF(unc_prefix)) - 1;
        start = u + skip - plen; /* never before buf: skip + USER_PREFIX_CHARS >= plen */
        memcpy(start, prefix, plen * sizeof(WCHAR));
        if (normalize) {
            for (size_t i = skip; i < chars; i++) {
                if (u[i] == L'/')
                    u[i] = L'\\';
            }
        }
        chars = chars - skip + plen;
    }
    if (chars * sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES) {
        user_path_free(p);
        return STATUS_OBJECT_NAME_INVALID;
    }
    p->name.Buffer = start;
    p->name.Length = p->name.MaximumLength = (USHORT)(chars * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ---- open and close ---------------------------------------------------------------------------- */

static NTSTATUS user_open_name(PCUNICODE_STRING name, ACCESS_MASK access, ULONG share, ULONG flags, HANDLE *out)
{
    io_open_params p = {0};
    p.name = name;
    p.desired_access = access | SYNCHRONIZE;
    p.share_access = share;
    p.disposition = FILE_OPEN;
    p.options = FILE_NON_DIRECTORY_FILE | ((flags & OWDF_USER_OVERLAPPED) ? 0 : FILE_SYNCHRONOUS_IO_NONALERT);
    p.file_attributes = FILE_ATTRIBUTE_NORMAL;
    p.object_attributes = OBJ_CASE_INSENSITIVE;
    p.mode = UserMode;
    PFILE_OBJECT fo;
    NTSTATUS status = io_file_open(&p, &fo, NULL);
    if (!NT_SUCCESS(status))
        return status;
    NTSTATUS hs = io_handle_create(fo, io_file_from(fo)->granted, 0, out);
    if (!NT_SUCCESS(hs)) {
        ObDereferenceObject(fo); /* no handle: CLEANUP and CLOSE now */
        return hs;
    }
    return status;
}

OWDF_API NTSTATUS owdf_user_open(const char *path, ACCESS_MASK access, ULONG share, ULONG flags, HANDLE *out)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL || (flags & ~OWDF_USER_VALID_FLAGS))
        return STATUS_INVALID_PARAMETER;
    if (!user_irql_ok("owdf_user_open"))
        return STATUS_INVALID_DEVICE_STATE;
    struct user_path p;
    NTSTATUS status = user_path_convert(path, &p);
    if (!NT_SUCCESS(status))
        return status;
    status = user_open_name(&p.name, access, share, flags, out);
    user_path_free(&p);
    return status;
}

/* The index-th enabled link of a class, from IoGetDeviceInterfaces' list (freed by the caller). */
static NTSTATUS user_interface_link(const GUID *iface, ULONG index, PZZWSTR *list, UNICODE_STRING *link)
{
    NTSTATUS status = IoGetDeviceInterfaces(iface, NULL, 0, list);
    if (!NT_SUCCESS(status))
        return status;
    PWSTR s = *list;
    for (ULONG i = 0; *s != UNICODE_NULL; i++) {
        size_t n = 0;
        while (s[n] != UNICODE_NULL)
            n++;
        if (i == index) {
            link->Buffer = s;
            link->Length = link->MaximumLength = (USHORT)(n * sizeof(WCHAR));
            return STATUS_SUCCESS;
        }
        s += n + 1;
    }
    ExFreePool(*list);
    *list = NULL;
    return STATUS_NO_MORE_ENTRIES;
}

OWDF_API NTSTATUS owdf_user_open_interface(const GUID *iface, ULONG index, ACCESS_MASK access, ULONG share,
                                           ULONG flags, HANDLE *out)
{
    if (out != NULL)
        *out = NULL;
    if (iface == NULL || out == NULL || (flags & ~OWDF_USER_VALID_FLAGS))
        return STATUS_INVALID_PARAMETER;
    if (!user_irql_ok("owdf_user_open_interface"))
        return STATUS_INVALID_DEVICE_STATE;
    PZZWSTR list;
    UNICODE_STRING link;
    NTSTATUS status = user_interface_link(iface, index, &list, &link);
    if (!NT_SUCCESS(status))
        return status;
    status = user_open_name(&link, access, share, flags, out);
    ExFreePool(list);
    return status;
}

OWDF_API NTSTATUS owdf_user_interface_path(const GUID *iface, ULONG index, char *buf, size_t size, size_t *needed)
{
    if (needed != NULL)
        *needed = 0;
    if (iface == NULL || (buf == NULL && size != 0))
        return STATUS_INVALID_PARAMETER;
    PZZWSTR list;
    UNICODE_STRING link;
    NTSTATUS status = user_interface_link(iface, index, &list, &link);
    if (!NT_SUCCESS(status))
        return status;
    /* "\??\X" -> "\\?\X" */
    link.Buffer[1] = L'\\';
    ULONG bytes = 0;
    status = RtlUnicodeToUTF8N(NULL, 0, &bytes, link.Buffer, link.Length);
    if (NT_SUCCESS(status)) {
        if (needed != NULL)
            *needed = (size_t)bytes + 1;
        if ((size_t)bytes + 1 > size) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            status = RtlUnicodeToUTF8N(buf, bytes, &bytes, link.Buffer, link.Length);
            buf[bytes] = 0;
        }
    }
    ExFreePool(list);
    return status;
}

OWDF_API NTSTATUS owdf_user_close(HANDLE handle)
{
    if (!user_irql_ok("owdf_user_close"))
        return STATUS_INVALID_DEVICE_STATE;
    return io_handle_close(handle, UserMode);
}

/* ---- synchronous I/O --------------------------------------------------------------------------- */

static NTSTATUS user_sync(HANDLE handle, const io_xfer *x, ULONG *bytes, const char *call)
{
    if (bytes != NULL)
        *bytes = 0;
    if (!user_irql_ok(call))
        return STATUS_INVALID_DEVICE_STATE;
    ULONG_PTR information;
    NTSTATUS status = io_xfer_sync(handle, UserMode, x, &information);
    /* As Windows for a synchronous call: an error leaves the caller's byte count at 0. */
    if (bytes != NULL && !NT_ERROR(status))
        *bytes = (ULONG)information;
    return status;
}

OWDF_API NTSTATUS owdf_user_read(HANDLE handle, void *buffer, ULONG length, const LONGLONG *offset, ULONG *bytes)
{
    io_xfer x = {.major = IRP_MJ_READ, .out = buffer, .out_length = length, .offset = offset};
    return user_sync(handle, &x, bytes, "owdf_user_read");
}

OWDF_API NTSTATUS owdf_user_write(HANDLE handle, const void *buffer, ULONG length, const LONGLONG *offset,
                                  ULONG *bytes)
{
    io_xfer x = {.major = IRP_MJ_WRITE, .in = (PVOID)buffer, .in_length = length, .offset = offset};
    return user_sync(handle, &x, bytes, "owdf_user_write");
}

OWDF_API NTSTATUS owdf_user_ioctl(HANDLE handle, ULONG code, const void *in, ULONG in_length, void *out,
                                  ULONG out_length, ULONG *bytes)
{
    io_xfer x = {.major = IRP_MJ_DEVICE_CONTROL,
                 .code = code,
                 .in = (PVOID)in,
                 .in_length = in_length,
                 .out = out,
                 .out_length = out_length};
    return user_sync(handle, &x, bytes, "owdf_user_ioctl");
}

/* ---- asynchronous I/O -------------------------------------------------------------------------- */

OWDF_API void owdf_user_io_init(owdf_user_io *io, owdf_user_io_callback *callback, void *context)
{
    memset(io, 0, sizeof(*io));
    io->callback = callback;
    io->context = context;
}

static void user_callback_worker(PVOID context)
{
    owdf_user_io *io = context;
    io->callback(io, io->context);
}

/* req->finish of an asynchronous request: any thread, IRQL <= DISPATCH_LEVEL. */
static void user_async_finish(io_req *req)
{
    owdf_user_io *io = req->owner;
    PFILE_OBJECT fo = &req->file->fo;
    io->status = req->status;
    io->information = req->information;
    /* The request's reference on the file. If it is the last one, CLOSE goes to a worker (see
     * io_file_delete): we may be inside a driver's IoCompleteRequest. */
    ObDereferenceObject(fo);
    LONG expected = IO_REQ_SUBMITTED;
    if (__atomic_compare_exchange_n(&req->state, &expected, IO_REQ_DONE_INLINE, FALSE, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return; /* the issuer reports */
    __atomic_store_n(&req->state, IO_REQ_DONE, __ATOMIC_RELEASE);
    if (io->callback == NULL) {
        KeSetEvent(&req->event, IO_NO_INCREMENT, FALSE); /* the last touch of io */
        return;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        struct user_io_internal *in = user_internal(io);
        ExInitializeWorkItem(&in->work, user_callback_worker, io);
        ExQueueWorkItem(&in->work, DelayedWorkQueue);
        return;
    }
    io->callback(io, io->context);
}

static NTSTATUS user_async(HANDLE handle, const io_xfer *x, owdf_user_io *io, const char *call)
{
    if (io == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!user_irql_ok(call))
        return STATUS_INVALID_DEVICE_STATE;
    io_req *req = &user_internal(io)->req;
    LONG state = __atomic_load_n(&req->state, __ATOMIC_ACQUIRE);
    if (state == IO_REQ_SUBMITTED || (state == IO_REQ_WAITING)) {
        OWDF_VERIFY_REPORT("IO_USER_IO_IN_FLIGHT", io, "owdf_user_io", NULL,
                           "%s: owdf_user_io %p is still used by a request in flight", call, (void *)io);
        return STATUS_INVALID_PARAMETER;
    }
    io->information = 0;
    PDEVICE_OBJECT top;
    NTSTATUS status = io_xfer_prepare(handle, UserMode, x, req, &top); /* zeroes req: IDLE */
    if (!NT_SUCCESS(status)) {
        io->status = status;
        return status;
    }
    KeInitializeEvent(&req->event, NotificationEvent, FALSE);
    req->owner = io;
    req->finish = user_async_finish;
    io->status = STATUS_PENDING;
    PFILE_OBJECT fo = &req->file->fo;
    BOOLEAN sent;
    status = io_req_send_async(req, top, &sent);
    if (!sent) {
        ObDereferenceObject(fo);
        req->state = IO_REQ_IDLE;
        io->status = status;
        return status;
    }
    LONG expected = IO_REQ_SUBMITTED;
    if (__atomic_compare_exchange_n(&req->state, &expected, IO_REQ_WAITING, FALSE, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return STATUS_PENDING;
    /* Finished before we got here: we report; owdf_user_wait still works. */
    if (io->callback == NULL)
        KeSetEvent(&req->event, IO_NO_INCREMENT, FALSE);
    return io->status;
}

OWDF_API NTSTATUS owdf_user_read_async(HANDLE handle, void *buffer, ULONG length, const LONGLONG *offset,
                                       owdf_user_io *io)
{
    io_xfer x = {.major = IRP_MJ_READ, .out = buffer, .out_length = length, .offset = offset};
    return user_async(handle, &x, io, "owdf_user_read_async");
}

OWDF_API NTSTATUS owdf_user_write_async(HANDLE handle, const void *buffer, ULONG length, const LONGLONG *offset,
                                        owdf_user_io *io)
{
    io_xfer x = {.major = IRP_MJ_WRITE, .in = (PVOID)buffer, .in_length = length, .offset = offset};
    return user_async(handle, &x, io, "owdf_user_write_async");
}

OWDF_API NTSTATUS owdf_user_ioctl_async(HANDLE handle, ULONG code, const void *in, ULONG in_length, void *out,
                                        ULONG out_length, owdf_user_io *io)
{
    io_xfer x = {.major = IRP_MJ_DEVICE_CONTROL,
                 .code = code,
                 .in = (PVOID)in,
                 .in_length = in_length,
                 .out = out,
                 .out_length = out_length};
    return user_async(handle, &x, io, "owdf_user_ioctl_async");
}

OWDF_API NTSTATUS owdf_user_wait(owdf_user_io *io, ULONG timeout_ms)
{
    if (io == NULL || io->callback != NULL)
        return STATUS_INVALID_PARAMETER;
    io_req *req = &user_internal(io)->req;
    if (__atomic_load_n(&req->state, __ATOMIC_ACQUIRE) == IO_REQ_IDLE)
        return STATUS_INVALID_PARAMETER;
    if (timeout_ms != 0 && !user_irql_ok("owdf_user_wait"))
        return STATUS_INVALID_DEVICE_STATE;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -(LONGLONG)timeout_ms * 10000;
    NTSTATUS status = KeWaitForSingleObject(&req->event, Executive, UserMode, FALSE,
                                            timeout_ms == OWDF_USER_INFINITE ? NULL : &timeout);
    if (status == STATUS_TIMEOUT)
        return STATUS_TIMEOUT;
    return io->status;
}

OWDF_API NTSTATUS owdf_user_cancel(HANDLE handle, owdf_user_io *io)
{
    if (!user_irql_ok("owdf_user_cancel"))
        return STATUS_INVALID_DEVICE_STATE;
    PVOID object;
    NTSTATUS status = io_handle_reference(handle, UserMode, 0, &object, NULL, NULL);
    if (!NT_SUCCESS(status))
        return status;
    ULONG n = io_file_cancel_requests(io_file_from(object), io);
    ObDereferenceObject(object);
    return n != 0 ? STATUS_SUCCESS : STATUS_NOT_FOUND;
}

OWDF_API ULONG owdf_user_open_handle_count(void)
{
    return io_handle_open_count();
}

OWDF_API ULONG owdf_user_live_file_count(void)
{
    return (ULONG)io_file_live_count();
}
