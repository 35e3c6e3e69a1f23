/*
 * io_internal.h - private interface of the I/O manager's core half: object headers and references,
 * driver and device bookkeeping, the per-thread "current driver", IRP allocation and completion
 * hooks, and the buffer helpers shared by IoBuild* and the user side (driver.c, device.c, object.c,
 * irp.c, complete.c, cancel.c, buffers.c, mdl.c, workitem.c).
 *
 * To the names half (io_names.h: namespace, symlink, interface, file, handle, user): what you may
 * use from here is marked "names:". In short:
 *   - FILE_OBJECTs are objects with a header: io_object_allocate(IO_OB_FILE, sizeof(FILE_OBJECT),
 *     your_delete_fn) returns a zeroed body with one reference; ObDereferenceObject to zero calls
 *     your_delete_fn(body), which must end with io_object_free(body).
 *   - A user IRP: IoAllocateIrp(top->StackSize, FALSE), io_irp_set_originator(irp, fn, ctx), fill
 *     the next stack location, io_irp_setup_buffers() for READ/WRITE/DEVICE_CONTROL, IoCallDriver.
 *     When the completion walk passes the top location, fn(irp, ctx) runs (any thread, the
 *     completer's IRQL): call io_irp_finish_buffers(irp) (copy-back, frees), set the IOSB, signal,
 *     then IoFreeIrp(irp).
 *   - Devices: io_device_is_deleting() (refuse opens with STATUS_DELETE_PENDING / NO_SUCH_DEVICE),
 *     io_driver_is_stopped().
 *
 * Lock order (earlier before later, never the reverse):
 *   driver list lock -> device database lock (attach/detach/delete) -> IRP cache global lock.
 *   The cancel spin lock is a KSPIN_LOCK taken alone. None is held across a call into driver code.
 */
#ifndef OPENWDF_IO_INTERNAL_H
#define OPENWDF_IO_INTERNAL_H

#include <wdm.h>
#include <openwdf/dbglog.h>
#include <openwdf/io.h>
#include <openwdf/nt.h>
#include <openwdf/verifier.h>

#include "io_names.h"
#include "../ke/ke_internal.h"

#define IO_LIKELY(x) __builtin_expect(!!(x), 1)
#define IO_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- Object headers (object.c) --------------------------------------------------------------- */

typedef enum io_ob_type {
    IO_OB_NONE = 0,
    IO_OB_DRIVER = 1,
    IO_OB_DEVICE = 2,
    IO_OB_FILE = 3,
    IO_OB_OTHER = 4,
} io_ob_type;

/* Called when the last reference goes; must release the body's resources and io_object_free(body). */
typedef void io_object_delete_fn(PVOID body);

/* names: a zeroed object body (16-byte aligned) with one reference, or NULL on no memory. */
PVOID io_object_allocate(io_ob_type type, SIZE_T body_size, io_object_delete_fn *on_delete);
/* names: frees the header and body (from the delete routine, or to undo a failed create). */
void io_object_free(PVOID body);
/* IO_OB_NONE for anything that is not an object made by io_object_allocate. */
io_ob_type io_object_type(const void *body);
LONG_PTR io_object_reference_count(const void *body);
/* Live objects of a type (leak audits in tests). */
LONG io_object_live_count(io_ob_type type);

/* ---- Drivers (driver.c) ---------------------------------------------------------------------- */

struct io_driver_private {
    owdf_dbg_log *log;
    volatile LONG stopped; /* a verifier STOP_DRIVER report named this driver */
    volatile LONG unloading;
    LIST_ENTRY link;                              /* loaded-driver list */
    struct io_driver_extension_entry *extensions; /* IoAllocateDriverObjectExtension */
    char name[64];                                /* service name, UTF-8 (for logs and reports) */
};

static inline struct io_driver_private *io_driver_private(PDRIVER_OBJECT driver)
{
    return (struct io_driver_private *)driver->OwdfPrivate;
}

/* names: TRUE once the verifier stopped the driver (its devices get STATUS_DEVICE_REMOVED). */
static inline BOOLEAN io_driver_is_stopped(PDRIVER_OBJECT driver)
{
    return driver != NULL && driver->OwdfPrivate != NULL &&
           __atomic_load_n(&io_driver_private(driver)->stopped, __ATOMIC_RELAXED) != 0;
}

/* The dispatch routine a stopped driver's table is switched to. */
DRIVER_DISPATCH io_dispatch_device_removed;
/* The default dispatch routine (IopInvalidDeviceRequest). */
DRIVER_DISPATCH io_dispatch_invalid_request;

/* ---- The driver whose code runs on this thread ----------------------------------------------- */

extern __thread PDRIVER_OBJECT io_tls_current_driver
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* names: wrap every call into driver code (dispatch, cancel, completion, work item routines). */
typedef struct io_driver_call {
    PDRIVER_OBJECT previous;
    owdf_dbg_log *previous_log;
    BOOLEAN switched; /* the current driver (and its log) changed for this call */
    ke_callback_frame frame;
} io_driver_call;

/* A driver calling back into itself (the Framework's dispatch presenting to the driver's EvtIoRead)
 * keeps its log: only a change of driver switches it. */
static inline void io_enter_driver(PDRIVER_OBJECT driver, io_driver_call *call)
{
    call->previous = io_tls_current_driver;
    call->switched = driver != call->previous;
    if (call->switched) {
        io_tls_current_driver = driver;
        call->previous_log = owdf_dbg_log_set_current(
            driver != NULL && driver->OwdfPrivate != NULL ? io_driver_private(driver)->log : NULL);
    }
    ke_callback_enter_inline(&call->frame);
}

/* Checks IRQL/locks restored (reports name `what`), then restores the previous current driver. */
static inline void io_leave_driver(io_driver_call *call, const char *what)
{
    if (KE_UNLIKELY(ke_callback_frame_changed(&call->frame)))
        ke_callback_check_return(&call->frame, what);
    if (call->switched) {
        owdf_dbg_log_set_current(call->previous_log);
        io_tls_current_driver = call->previous;
    }
}

/* ---- Devices (device.c) ---------------------------------------------------------------------- */

struct io_device_private {
    UNICODE_STRING name; /* as registered in the namespace; Buffer NULL when unnamed */
    BOOLEAN deleted;     /* IoDeleteDevice was called */
    /* IoGetAttachedDevice's answer and the stack generation it was computed at (device.c). */
    PDEVICE_OBJECT top_cache;
    uint64_t top_cache_generation;
    /* Called when the device object's memory is about to go (its last reference dropped). */
    void (*on_free)(PDEVICE_OBJECT device, void *context);
    void *on_free_context;
};

/* Lets the Framework keep what hangs on a device object (its WDFDEVICE) exactly as long as the
 * object: fn runs once, when the last reference is dropped, before the memory is freed. */
void io_device_set_free_notify(PDEVICE_OBJECT device, void (*fn)(PDEVICE_OBJECT, void *), void *context);

static inline struct io_device_private *io_device_private(PDEVICE_OBJECT device)
{
    return (struct io_device_private *)device->DeviceObjectExtension->OwdfPrivate;
}

/* names: the device's name (Length 0 when unnamed). */
PCUNICODE_STRING io_device_name(PDEVICE_OBJECT device);
/* names: TRUE once IoDeleteDevice ran or the driver is unloading (opens must fail). */
BOOLEAN io_device_is_deleting(PDEVICE_OBJECT device);

/* Serialises attach/detach/delete and walks of AttachedDevice/AttachedTo (IopDatabaseLock). */
void io_database_lock(void);
void io_database_unlock(void);

/* Deletes whatever devices a driver still has (after the report); used by unload and failed load. */
void io_device_delete_all(PDRIVER_OBJECT driver);

/* ---- IRPs (irp.c, complete.c, cancel.c) ------------------------------------------------------- */

/* OWDF_IRP_PRIVATE.Builder */
enum io_irp_builder {
    IO_IRP_BUILT_NONE = 0,
    IO_IRP_BUILT_SYNC_FSD = 1,  /* IoBuildSynchronousFsdRequest */
    IO_IRP_BUILT_ASYNC_FSD = 2, /* IoBuildAsynchronousFsdRequest */
    IO_IRP_BUILT_IOCTL = 3,     /* IoBuildDeviceIoControlRequest */
};

/* OWDF_IRP_PRIVATE.State */
#define IO_IRP_STATE_CACHED 0x1     /* allocated from the IRP cache (IoFreeIrp returns it there) */
#define IO_IRP_STATE_POOL 0x2       /* allocated individually (IoFreeIrp frees it) */
#define IO_IRP_STATE_COMPLETED 0x4  /* the walk reached the top: a further completion is a double one */
#define IO_IRP_STATE_ASSOCIATED 0x8 /* made by IoMakeAssociatedIrp */
#define IO_IRP_STATE_SYSBUF_CACHED 0x10 /* SystemBuffer came from the system buffer cache (buffers.c) */

/* names: the routine run when the completion walk passes the top stack location. */
static inline void io_irp_set_originator(PIRP irp, POWDF_IRP_ORIGINATOR_COMPLETION fn, PVOID context)
{
    irp->Owdf.OriginatorCompletion = fn;
    irp->Owdf.OriginatorContext = context;
}

/*
 * names: sets up the buffers of a READ, WRITE or DEVICE_CONTROL/INTERNAL_DEVICE_CONTROL IRP as the
 * I/O manager does for `device` (the top of the stack it is sent to), and fills the Length /
 * buffer-length parameters of the next stack location (MajorFunction must already be set there;
 * for IOCTLs IoControlCode too).
 *   READ/WRITE: DO_BUFFERED_IO -> SystemBuffer (copied in for WRITE; copied back for READ);
 *     DO_DIRECT_IO -> MdlAddress (probed and locked); neither -> UserBuffer.
 *   IOCTL by METHOD: BUFFERED -> SystemBuffer of max(in, out) with the input copied in, copy-back;
 *     IN/OUT_DIRECT -> SystemBuffer with the input, MdlAddress for the output buffer;
 *     NEITHER -> Type3InputBuffer = in, UserBuffer = out.
 * STATUS_INSUFFICIENT_RESOURCES if a buffer cannot be had (nothing is left allocated).
 */
NTSTATUS io_irp_setup_buffers(PIRP irp, PDEVICE_OBJECT device, PVOID in, ULONG in_length, PVOID out,
                              ULONG out_length);

/*
 * names: at the end of the walk: copies the system buffer back for buffered input operations
 * (Information bytes, when the status is not an error; more than the caller's buffer is a
 * verifier report IRP_INFO_EXCEEDS_BUFFER and is cut), frees the system buffer, unlocks and frees
 * the IRP's MDLs. Idempotent.
 */
void io_irp_finish_buffers(PIRP irp);

/* IRP cache statistics for tests and benchmarks (this thread's cache and the global list). */
typedef struct io_irp_cache_stats {
    ULONG thread_cached;  /* IRPs in this thread's cache */
    ULONG global_cached;  /* IRPs in the global overflow list */
    uint64_t pool_allocs; /* IRPs ever allocated from memory (cache misses) */
    uint64_t pool_frees;
} io_irp_cache_stats;
void io_irp_cache_get_stats(io_irp_cache_stats *stats);
/* Frees this thread's cached IRPs and the global list (tests; any thread). */
void io_irp_cache_trim(void);

/* The cancel spin lock (IoAcquireCancelSpinLock). */
extern KSPIN_LOCK io_cancel_lock __attribute__((visibility("hidden")));

/* ---- Work items (workitem.c) ---------------------------------------------------------------- */
struct _IO_WORKITEM {
    WORK_QUEUE_ITEM item;
    PVOID io_object; /* device or driver object */
    PIO_WORKITEM_ROUTINE routine;
    PIO_WORKITEM_ROUTINE_EX routine_ex;
    PVOID context;
    volatile LONG queued; /* from the queue call until the routine starts */
    ULONG magic;
};

/* ---- Verifier (io_rules.c) ------------------------------------------------------------------- */
/* Every file of the layer refers to the rule table, so linking any of them registers the rules. */
extern const char io_rules_anchor __attribute__((visibility("hidden")));
static const char *const io_rules_keep __attribute__((used)) = &io_rules_anchor;

/* Names the driver running on this thread, for OWDF_VERIFY_REPORT's driver argument. */
static inline PDRIVER_OBJECT io_report_driver(void)
{
    return io_tls_current_driver;
}

/* ---- Names half -> io-core (section kept by the names helper) --------------------------------
 * Nothing needed beyond io_namespace_insert/remove: removing a device's name (IoDeleteDevice) also
 * removes its device interfaces (io_interface_device_deleted, called by io_namespace_remove).
 */

/* Releases an IRP's I/O-manager system buffer (IRP_DEALLOCATE_BUFFER), cached or pool (buffers.c). */
void io_system_buffer_release(PIRP irp);

#endif /* OPENWDF_IO_INTERNAL_H */
