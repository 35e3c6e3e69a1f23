/*
 * io_names.h - private interface of the I/O manager's "names" half: the object namespace, symbolic
 * links, device interfaces and their notifications, file objects, requests through them, the
 * handle table, the user side and the Zw routines (namespace.c, symlink.c, interface.c,
 * pnpnotify.c, file.c, request.c, handle.c, user.c, zw.c). io-core (io_internal.h includes this
 * file) only needs io_namespace_insert/remove; the rest is for this half and in-tree tests.
 *
 * Lock order (take an earlier lock before a later one, never the reverse):
 *   interface registry lock -> namespace lock;  interface registry lock -> notification lock;
 *   handle table free-list lock and FILE_OBJECT.IrpListLock are leaves.
 * No lock here is held across a call into driver code (dispatch, cancel and notification routines).
 */
#ifndef OPENWDF_IO_NAMES_H
#define OPENWDF_IO_NAMES_H

#include <wdm.h>

/* Pool tag of names this half allocates for others (remaining paths, FILE_OBJECT.FileName). */
#define IO_NAME_POOL_TAG ((ULONG)0x6d4e6f49) /* "IoNm" */

/* ---- Object namespace (namespace.c) -------------------------------------------------------- */

/* What a name refers to. Directories and symbolic links belong to the namespace itself; the
 * other kinds are objects owned elsewhere that the namespace only names. */
typedef enum io_object_kind {
    IO_OBJ_NONE = 0,
    IO_OBJ_DIRECTORY,
    IO_OBJ_SYMLINK,
    IO_OBJ_DEVICE,  /* PDEVICE_OBJECT; parses a remaining path (it becomes FILE_OBJECT.FileName) */
    IO_OBJ_DRIVER,  /* PDRIVER_OBJECT */
    IO_OBJ_OTHER,   /* anything else another layer names (callbacks, events...) */
} io_object_kind;

/* Symbolic links followed during one lookup before it fails with STATUS_OBJECT_NAME_NOT_FOUND
 * (Windows' OBJ_MAX_REPARSE_ATTEMPTS). */
#define IO_NS_MAX_REPARSE 32

/* Lookup flags. */
#define IO_NS_OPEN_LINK 0x1        /* a symbolic link as the last component is returned, not followed */
#define IO_NS_WANT_REMAINING 0x2   /* return the path left after a device in result->remaining */

typedef struct io_ns_result {
    io_object_kind kind;
    PVOID object;             /* device/driver/other: referenced with ObReferenceObject; else NULL */
    UNICODE_STRING remaining; /* with IO_NS_WANT_REMAINING: "\foo" after a device, pool-allocated
                                 (IO_NAME_POOL_TAG), empty (Buffer NULL) when nothing remains */
} io_ns_result;

/*
 * Names are full paths from the root ("\Device\Echo"), compared case-insensitively. Errors, as
 * Windows' object manager: empty or not starting with '\' -> STATUS_OBJECT_PATH_SYNTAX_BAD; an
 * empty component ("\Device\\X", "\Device\") or an odd byte length -> STATUS_OBJECT_NAME_INVALID;
 * a missing intermediate component -> STATUS_OBJECT_PATH_NOT_FOUND; a missing last component ->
 * STATUS_OBJECT_NAME_NOT_FOUND; a path continuing below an object that is neither a directory
 * nor a device -> STATUS_OBJECT_TYPE_MISMATCH; more than IO_NS_MAX_REPARSE links ->
 * STATUS_OBJECT_NAME_NOT_FOUND.
 *
 * All at IRQL <= APC_LEVEL (they may block on the namespace lock).
 */

/* Names an object. The namespace takes no reference: the owner removes the name before the
 * object goes. Symbolic links in the parent path are followed; the last component must not
 * exist (STATUS_OBJECT_NAME_COLLISION). kind is DEVICE, DRIVER or OTHER. */
NTSTATUS io_namespace_insert(PCUNICODE_STRING name, io_object_kind kind, PVOID object);
/* Removes the name; object, when not NULL, must be what the name refers to
 * (else STATUS_OBJECT_TYPE_MISMATCH and nothing is removed). Removing a device's name also
 * removes the device's interfaces (io_interface_device_deleted). */
NTSTATUS io_namespace_remove(PCUNICODE_STRING name, PVOID object);
NTSTATUS io_namespace_lookup(PCUNICODE_STRING name, ULONG flags, io_ns_result *result);
/* Releases what a successful lookup returned (reference and remaining buffer). */
void io_ns_result_release(io_ns_result *result);

/* Creates a directory (parent must exist). Collision -> STATUS_OBJECT_NAME_COLLISION. */
NTSTATUS io_namespace_create_directory(PCUNICODE_STRING name);
/* Symbolic link objects: the target is copied and not validated (links may dangle). */
NTSTATUS io_namespace_create_link(PCUNICODE_STRING link_name, PCUNICODE_STRING target);
/* Deletes the link object named link_name (the link itself is not followed). Not found ->
 * STATUS_OBJECT_NAME_NOT_FOUND; not a link -> STATUS_OBJECT_TYPE_MISMATCH. */
NTSTATUS io_namespace_delete_link(PCUNICODE_STRING link_name);
/* Copies a link's target into a pool-allocated string (caller: RtlFreeUnicodeString/ExFreePool). */
NTSTATUS io_namespace_query_link(PCUNICODE_STRING link_name, PUNICODE_STRING target);

/* Enumerates one directory (link followed); the callback runs under the namespace read lock and
 * must not call back into the namespace. Returns STATUS_SUCCESS or the lookup error. */
typedef void io_ns_enum_fn(PCUNICODE_STRING entry_name, io_object_kind kind, PVOID object, void *context);
NTSTATUS io_namespace_enumerate(PCUNICODE_STRING directory, io_ns_enum_fn *fn, void *context);
/* Number of entries below the root that are not part of the built-in skeleton (leak audits). */
ULONG io_namespace_user_entry_count(void);

/* ---- Device interfaces (interface.c, pnpnotify.c) -------------------------------------------- */

/* Disables the device's enabled interfaces (removal notifications, links deleted) and forgets its
 * registrations. io_namespace_remove() calls it when a device's name is removed, i.e. from
 * IoDeleteDevice (interfaces need a named device), so io-core does not have to. PASSIVE_LEVEL, no
 * I/O manager lock held. Idempotent. */
void io_interface_device_deleted(PDEVICE_OBJECT device);

/* The PnP layer tells how a PDO's instance path reads ("ROOT\ECHO\0000"); without a provider
 * (or when it fails) the path is derived from the device's name (see interface.c). The string
 * is copied. */
typedef NTSTATUS io_instance_id_fn(PDEVICE_OBJECT pdo, PUNICODE_STRING instance_id_out /* pool, freed by caller */);
void io_interface_set_instance_id_provider(io_instance_id_fn *fn);

/* The PDO's device instance path ("ROOT\ECHO\0000"): the provider's, else the one derived from the
 * device's name that its interfaces use too. out->Buffer is pool, NUL-terminated, freed by the
 * caller with ExFreePool. STATUS_INVALID_DEVICE_STATE: no provider answer and no name to derive
 * from. PASSIVE_LEVEL. */
NTSTATUS io_device_instance_path(PDEVICE_OBJECT pdo, PUNICODE_STRING out);

/* Queues a device interface change for the notification registrations (pnpnotify.c), in order.
 * Caller holds the interface registry lock (so changes are queued in the order they happen). */
void io_pnp_queue_interface_change(const GUID *class_guid, PCUNICODE_STRING link, BOOLEAN arrival);
/* Delivers queued notifications on this thread unless another thread is doing so. No lock held. */
void io_pnp_deliver(void);
/* Enabled interfaces of a class as a pool multi-sz (for INCLUDE_EXISTING); with the registry lock. */
void io_interface_lock(void);
void io_interface_unlock(void);
/* Under io_interface_lock: calls fn for each enabled interface of the class. */
typedef void io_interface_visit_fn(PCUNICODE_STRING link, void *context);
void io_interface_for_each_enabled(const GUID *class_guid, io_interface_visit_fn *fn, void *context);
/* Registrations still live (leak audits). */
ULONG io_pnp_notification_count(void);
ULONG io_interface_count(void);

/* ---- File objects (file.c) ------------------------------------------------------------------- */

/* The file object's body: FILE_OBJECT first (FILE_OBJECT.OwdfPrivate points back here). */
struct io_file {
    FILE_OBJECT fo;
    ACCESS_MASK granted;          /* after generic mapping */
    volatile LONG handle_count;   /* handles naming it; the last close sends IRP_MJ_CLEANUP */
    BOOLEAN opened;               /* IRP_MJ_CREATE succeeded: CLOSE will be sent */
    BOOLEAN counted_open;         /* DEVICE_OBJECT.ReferenceCount was raised for it */
    volatile LONG cleanup_sent;
    WORK_QUEUE_ITEM close_work;   /* last reference dropped above PASSIVE_LEVEL: CLOSE from a worker */
};

static inline struct io_file *io_file_from(PFILE_OBJECT fo)
{
    return (struct io_file *)fo;
}

/* Open parameters, as NtCreateFile takes them. */
typedef struct io_open_params {
    PCUNICODE_STRING name;        /* full path, or relative to `related` */
    PFILE_OBJECT related;         /* RootDirectory's file object, or NULL */
    ACCESS_MASK desired_access;
    ULONG share_access;
    ULONG disposition;
    ULONG options;                /* FILE_* create options */
    ULONG file_attributes;
    ULONG object_attributes;      /* OBJ_* (OBJ_CASE_INSENSITIVE...) */
    LARGE_INTEGER allocation_size;
    KPROCESSOR_MODE mode;         /* UserMode for the user side, KernelMode for Zw */
} io_open_params;

/* GENERIC_* -> FILE_GENERIC_*, MAXIMUM_ALLOWED -> FILE_ALL_ACCESS. */
ACCESS_MASK io_file_map_generic(ACCESS_MASK access);
/* Opens: returns a referenced file object (its CREATE succeeded) and the create's Information.
 * PASSIVE_LEVEL. Errors as ZwCreateFile (owdf/zw.h). */
NTSTATUS io_file_open(const io_open_params *params, PFILE_OBJECT *file, ULONG_PTR *information);
/* Handle bookkeeping (handle.c calls these). */
void io_file_handle_created(PFILE_OBJECT file);
void io_file_handle_closed(PFILE_OBJECT file);
/* Undoes io_file_handle_created when the handle could not be made (no CLEANUP). */
void io_file_handle_uncounted(PFILE_OBJECT file);
/* Live file objects made here (leak audits). */
LONG io_file_live_count(void);

/* ---- Requests issued through a file object (file.c) ------------------------------------------ */

/*
 * One request in flight: the IRP, the file it was issued through and how its end is reported.
 * Owned by the issuer (on its stack for synchronous calls, inside owdf_user_io for asynchronous
 * ones) until `finish` has run. While tracked, the IRP is on FILE_OBJECT.IrpList (linked by
 * ThreadListEntry) so a cancel (owdf_user_cancel, last handle closed) can find it.
 */
typedef struct io_req io_req;
typedef void io_req_finish_fn(io_req *req);

enum io_req_state {
    IO_REQ_IDLE = 0,
    IO_REQ_SUBMITTED = 1,   /* IoCallDriver not yet returned to the issuer */
    IO_REQ_WAITING = 2,     /* the issuer returned/waits: the finisher reports (event or callback) */
    IO_REQ_DONE_INLINE = 3, /* finished before the issuer returned: the issuer reports */
    IO_REQ_DONE = 4,        /* finished after IO_REQ_WAITING */
};

struct io_req {
    PIRP irp;
    struct io_file *file;
    volatile LONG state;       /* enum io_req_state */
    LONG cancel_refs;          /* cancellers holding the IRP (under IrpListLock) */
    BOOLEAN finish_deferred;   /* completed while held: the last canceller finishes (under IrpListLock) */
    LONG cancel_pass_id;       /* the last cancel pass that picked it (under IrpListLock) */
    BOOLEAN tracked;
    BOOLEAN update_position;   /* synchronous file: CurrentByteOffset = offset + Information */
    LONGLONG offset;
    NTSTATUS status;
    ULONG_PTR information;
    io_req_finish_fn *finish;  /* runs once, after the IRP is freed; any IRQL */
    void *owner;               /* the owdf_user_io, or NULL */
    KEVENT event;
};

/* Non-zero while this thread runs a request's finish routine. */
extern __thread int io_tls_completing __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* Prepares an IRP for `file` sent to `top` (StackSize from it): Tail.Overlay.OriginalFileObject,
 * RequestorMode, the next stack location's MajorFunction and FileObject. NULL on no memory. */
PIRP io_file_build_irp(struct io_file *file, PDEVICE_OBJECT top, UCHAR major, KPROCESSOR_MODE mode);
/* Sends req->irp to `top` and waits for it (finish must be NULL: the sync finisher is used).
 * Tracks it for cancel when `track`. Returns the final status (req->status, req->information). */
NTSTATUS io_req_send_sync(io_req *req, PDEVICE_OBJECT top, BOOLEAN track);
/* Sends req->irp to `top`; req->finish runs at the end. Returns what IoCallDriver returned, with
 * *sent TRUE; or, with *sent FALSE, why it was not sent (the file's cleanup began: STATUS_FILE_CLOSED;
 * the IRP is freed, finish does not run). */
NTSTATUS io_req_send_async(io_req *req, PDEVICE_OBJECT top, BOOLEAN *sent);
/* Cancels the file's tracked requests whose owner is `owner` (all of them for NULL). Returns how
 * many were asked to cancel. PASSIVE_LEVEL. */
ULONG io_file_cancel_requests(struct io_file *file, void *owner);

/* ---- Read, write and IOCTL through a handle (request.c) ------------------------------------- */

typedef struct io_xfer {
    UCHAR major;                  /* IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_(INTERNAL_)DEVICE_CONTROL */
    ULONG code;                   /* IOCTL code */
    PVOID in;                     /* WRITE: the data; IOCTL: the input */
    ULONG in_length;
    PVOID out;                    /* READ: the buffer; IOCTL: the output */
    ULONG out_length;
    const LONGLONG *offset;       /* READ/WRITE: NULL = the file position (synchronous files) or 0 */
    ULONG key;
} io_xfer;

/* Looks the handle up (UserMode: kernel handles refused, access checked), checks the request as
 * NtReadFile / NtWriteFile / NtDeviceIoControlFile do, and builds its IRP with its buffers:
 * req->irp, req->file (referenced: the caller drops it or hands it to an asynchronous request),
 * *top (where to send it). On failure nothing is left allocated or referenced. */
NTSTATUS io_xfer_prepare(HANDLE handle, KPROCESSOR_MODE mode, const io_xfer *x, io_req *req, PDEVICE_OBJECT *top);
/* prepare, send, wait: the final status and Information. */
NTSTATUS io_xfer_sync(HANDLE handle, KPROCESSOR_MODE mode, const io_xfer *x, ULONG_PTR *information);

/* ---- Handles (handle.c) ---------------------------------------------------------------------- */

/* Makes a handle owning one reference on a file object (the caller's, moved to the table) and
 * counts it on the file. attributes: OBJ_KERNEL_HANDLE makes a kernel handle. */
NTSTATUS io_handle_create(PVOID object, ACCESS_MASK granted, ULONG attributes, HANDLE *out);
/* Looks up and references the handle's object (tag 0: plain reference). A kernel handle looked
 * up with mode UserMode, a closed or stale handle: STATUS_INVALID_HANDLE. Lock-free. */
NTSTATUS io_handle_reference(HANDLE handle, KPROCESSOR_MODE mode, ULONG tag, PVOID *object, ACCESS_MASK *granted,
                             ULONG *attributes);
/* Closes: the handle's reference is dropped after the file's last-handle processing. */
NTSTATUS io_handle_close(HANDLE handle, KPROCESSOR_MODE mode);
ULONG io_handle_open_count(void);

#endif /* OPENWDF_IO_NAMES_H */
