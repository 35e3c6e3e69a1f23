/*
 * fx_request.h - WDFREQUEST objects, private to src/wdf; owner: wdf-io (request.c,
 * request_buffers.c, request_cancel.c).
 *
 * A request wraps one IRP. Framework requests (made by the I/O package for IRPs the device receives)
 * come from the device's cache with the WdfDeviceInitSetRequestAttributes context allocated inline:
 * no allocation on the steady-state path. Each use of a cached object gets a new handle at
 * completion, so a handle kept after completion is stale (REQ_USE_AFTER_COMPLETE through the request
 * DDIs, STALE_HANDLE through the others). If the driver still holds references (WdfObjectReference)
 * when it completes a request, that object leaves the cache and lives until the last dereference,
 * its DDIs reporting REQ_USE_AFTER_COMPLETE. Driver-created requests (WdfRequestCreate) are ordinary
 * objects the driver deletes.
 *
 * Ownership (request->owner) moves explicitly; one party owns a request at a time:
 *   FRAMEWORK (routing) -> QUEUED (in a queue) -> DRIVER (presented, retrieved, EvtIoInCallerContext,
 *   EvtDeviceFileCreate, EvtIoCanceledOnQueue) -> COMPLETED; DRIVER -> QUEUED on requeue/forward/
 *   StopAcknowledge(TRUE); QUEUED -> FRAMEWORK on cancel/purge.
 *
 * Cancel (request_cancel.c): the IRP's CancelRoutine is the arbiter with IoCancelIrp; request->
 * cancel_lock serializes the framework's own transitions (mark, unmark, purge, completion of a
 * cancelable request) so that the IRP is never touched after it was completed.
 *
 * holds: the framework's uses of the object (1 while in flight, +1 around an EvtIoStop/EvtIoResume/
 * EvtRequestCancel call). The object is recycled when the last hold goes, never while the framework
 * is still about to look at it. Holds are taken only by the cancel path (requests marked cancelable,
 * FX_REQ_WAS_CANCELABLE), by EvtIoInCallerContext's caller, and by collectors of the package's
 * requests (fx_request_collect_begin), so dropping the only hold of any other request needs no
 * atomic read-modify-write (a fast section, fx_fast_section.h).
 */
#ifndef OPENWDF_FX_REQUEST_H
#define OPENWDF_FX_REQUEST_H

#include "fx_memory.h"
#include "fx_queue.h"

enum fx_request_owner {
    FX_REQ_IDLE = 0,     /* in the device's cache, or driver-created and not sent */
    FX_REQ_FRAMEWORK,    /* being routed / completed by the framework */
    FX_REQ_QUEUED,       /* in queue->pending */
    FX_REQ_DRIVER,       /* the driver's */
    FX_REQ_SENT,         /* sent to an I/O target (not implemented yet) */
    FX_REQ_COMPLETED,    /* completed */
};

/* fx_request.flags (atomic bit operations) */
#define FX_REQ_DRIVER_CREATED    0x0001 /* WdfRequestCreate: the driver deletes it */
#define FX_REQ_CANCELABLE        0x0002 /* MarkCancelable(Ex) armed the IRP's cancel routine */
#define FX_REQ_CANCEL_CLAIMED    0x0004 /* Unmark returned STATUS_CANCELLED: only the cancel path completes */
#define FX_REQ_CANCEL_CALLED     0x0008 /* EvtRequestCancel was (or is being) called */
#define FX_REQ_IN_CALLER_CONTEXT 0x0010 /* inside EvtIoInCallerContext (unsafe buffers allowed) */
#define FX_REQ_STOP_NOTIFIED     0x0020 /* EvtIoStop was called; not acknowledged or completed yet */
#define FX_REQ_SUSPENDED         0x0040 /* acknowledged without requeue: EvtIoResume at power-up */
#define FX_REQ_FOUND             0x0080 /* returned by WdfIoQueueFindRequest, still queued */
#define FX_REQ_PRESENTED         0x0100 /* delivered to the driver at least once (EvtIoCanceledOnQueue) */
#define FX_REQ_QUEUE_CANCEL      0x0200 /* canceled while queued; the queue cancel routine finishes it */
#define FX_REQ_FORMATTED         0x0400 /* formatted for an I/O target */
#define FX_REQ_CANCELED          0x0800 /* the framework canceled it (purge) or its IRP was canceled */
#define FX_REQ_ACKED_IN_STOP     0x1000 /* StopAcknowledge called during the current EvtIoStop */
#define FX_REQ_FINISHING         0x2000 /* being completed: EvtIoStop is no longer counted for it */
#define FX_REQ_WAS_CANCELABLE    0x4000 /* marked cancelable in this use: cancel may take holds */

typedef struct DECLSPEC_ALIGN(16) fx_request {
    fx_object object;                     /* FX_TYPE_REQUEST; first */
    SLIST_ENTRY cache_entry;              /* in package->cache while idle */
    fx_io_package *package;               /* framework requests: the device's package */
    fx_device *device;
    PIRP irp;
    UCHAR major;                          /* the IRP's major function when the request was made */
    volatile LONG owner;                  /* enum fx_request_owner */
    volatile LONG flags;                  /* FX_REQ_* */
    volatile LONG holds;
    fx_queue *queue;                      /* the queue it sits in or was delivered from (GetIoQueue) */
    fx_queue *owned_from;                 /* counted in this queue's driver-owned requests */
    LIST_ENTRY queue_link;                /* in queue->pending, under queue->lock */
    LIST_ENTRY all_link;                  /* in package->requests, under package->lock */
    ULONG_PTR information;                /* WdfRequestSetInformation */
    NTSTATUS status;                      /* WdfRequestGetStatus of a completed/reused request */
    KSPIN_LOCK cancel_lock;
    PFN_WDF_REQUEST_CANCEL cancel_routine;
    PVOID volatile cancel_thread;         /* the thread running EvtRequestCancel */
    PVOID volatile stop_thread;           /* the thread running EvtIoStop for it */
    PVOID volatile caller_context_thread; /* the thread running EvtIoInCallerContext for it */
    fx_memory *input_memory;              /* embedded, created once per object on first use */
    fx_memory *output_memory;
    PMDL input_mdl;                       /* built for buffered I/O by Retrieve*WdmMdl */
    PMDL output_mdl;
    PMDL locked_mdls;                     /* WdfRequestProbeAndLockUserBuffer*: unlocked at completion */
    PFN_WDF_REQUEST_COMPLETION_ROUTINE completion_routine; /* WdfRequestSetCompletionRoutine */
    WDFCONTEXT completion_context;
    uint64_t arrived;                     /* fx_ifr_ticks() when the I/O package got the IRP, or 0 */
    BOOLEAN irp_owned;                    /* driver-created: the request frees its IRP */
    BOOLEAN incarnation_done;             /* cached and idle: this use's destroy callback already ran */
} fx_request;

/*
 * The request for a handle given by the driver to `caller`, or NULL after a report:
 * REQ_USE_AFTER_COMPLETE for a stale handle or a completed request, else as fx_object_from_handle.
 */
fx_request *fx_request_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, const char *caller);
#define fx_request_from_handle(globals, handle) fx_request_from_handle_at(globals, handle, __func__)

/* The same for DDIs that accept a completed request still referenced by the driver (found
 * requests): NULL for a stale handle after a report; no report for a completed live object. */
fx_request *fx_request_lookup_any(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, const char *caller);

static inline WDFREQUEST fx_request_handle(const fx_request *request)
{
    return (WDFREQUEST)request->object.handle;
}

static inline LONG fx_request_owner_of(const fx_request *request)
{
    return __atomic_load_n(&request->owner, __ATOMIC_ACQUIRE);
}

static inline void fx_request_set_owner(fx_request *request, LONG owner)
{
    __atomic_store_n(&request->owner, owner, __ATOMIC_RELEASE);
}

static inline fx_queue *fx_request_owned_from(const fx_request *request)
{
    return __atomic_load_n(&request->owned_from, __ATOMIC_ACQUIRE);
}

static inline void fx_request_set_owned_from(fx_request *request, fx_queue *queue)
{
    __atomic_store_n(&request->owned_from, queue, __ATOMIC_RELEASE);
}

static inline BOOLEAN fx_request_on_thread(PVOID volatile const *slot)
{
    return __atomic_load_n(slot, __ATOMIC_ACQUIRE) == KeGetCurrentThread();
}

static inline void fx_request_set_flag(fx_request *request, LONG flag)
{
    __atomic_fetch_or(&request->flags, flag, __ATOMIC_ACQ_REL);
}

static inline void fx_request_clear_flag(fx_request *request, LONG flag)
{
    __atomic_fetch_and(&request->flags, ~flag, __ATOMIC_ACQ_REL);
}

static inline BOOLEAN fx_request_has_flag(const fx_request *request, LONG flag)
{
    return (__atomic_load_n(&request->flags, __ATOMIC_ACQUIRE) & flag) != 0;
}

static inline PIO_STACK_LOCATION fx_request_stack(const fx_request *request)
{
    return IoGetCurrentIrpStackLocation(request->irp);
}

/* ---- Framework requests (request.c) --------------------------------------------------------- */

/* A framework request for irp from the device's cache (STATUS_INSUFFICIENT_RESOURCES); owner
 * FRAMEWORK, one hold, context zeroed. IRQL <= DISPATCH_LEVEL. */
NTSTATUS fx_request_alloc(fx_io_package *package, PIRP irp, fx_request **request_out);

/* Takes a framework hold if the request is still in flight (holds > 0); FALSE otherwise. */
BOOLEAN fx_request_try_hold(fx_request *request);
/* Drops a hold; the last one recycles (or frees) the object. */
void fx_request_release_hold(fx_request *request);
/* Around taking holds on requests found in package->requests (not under package->lock: it may wait
 * for other threads' fast sections). */
void fx_request_collect_begin(fx_io_package *package);
void fx_request_collect_end(fx_io_package *package);

/*
 * Completes a request on the framework's behalf (routing failures, zero-length requests, purge):
 * owner must be FRAMEWORK or DRIVER-without-checks. Copies information into the IRP, calls
 * fx_file_create_completing for CREATE, IoCompleteRequest, and drops the in-flight hold.
 * No queue accounting: the caller does it. Any IRQL <= DISPATCH_LEVEL.
 */
void fx_request_complete_internal(fx_request *request, NTSTATUS status, ULONG_PTR information);

/* Frees every cached request object of the package (device teardown). */
void fx_request_cache_drain(fx_io_package *package);

/* The ops of request objects (type checks). */
extern const fx_object_ops fx_request_ops;

/* ---- Cancel (request_cancel.c) ---------------------------------------------------------------- */

/* The WDM cancel routine armed by MarkCancelable(Ex). */
DRIVER_CANCEL fx_request_irp_cancel;
/*
 * The framework cancels a driver-owned cancelable request (purge): claims the IRP's cancel routine
 * and calls EvtRequestCancel as IoCancelIrp would. TRUE if it was cancelable and is now being
 * canceled. The caller holds a hold on the request.
 */
BOOLEAN fx_request_cancel_driver_owned(fx_request *request);

/* ---- Queues (queue_dispatch.c) ---------------------------------------------------------------- */

/* The WDM cancel routine of a request that waits in a queue. */
DRIVER_CANCEL fx_queue_irp_cancel;

#endif /* OPENWDF_FX_REQUEST_H */
