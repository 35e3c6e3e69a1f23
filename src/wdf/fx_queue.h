/*
 * fx_queue.h - the I/O package and its queues (WDFQUEUE), private to src/wdf; owner: wdf-io
 * (io_package.c, queue.c, queue_dispatch.c).
 *
 * Contract with the device (wdf-core, fx_device.h "From the I/O package"): the device's dispatch hands
 * READ, WRITE, DEVICE_CONTROL, INTERNAL_DEVICE_CONTROL IRPs (and CREATE when fx_io_dispatches_create())
 * to fx_io_dispatch(); PnP calls fx_io_power_up / fx_io_power_down / fx_io_device_removed; file
 * creation calls fx_io_request_from_irp() for EvtDeviceFileCreate; WdfDeviceEnqueueRequest calls
 * fx_io_enqueue_request(). The package keeps its own state (struct fx_io_package, device->io_package,
 * created on first use as a child object of the device so it goes with the device) and owns the
 * device fields default_queue and dispatch_queues[] (written under device->object.lock).
 * wdf-io implements imp_WdfDeviceConfigureRequestDispatching (weak, in case wdf-core has its own).
 * From wdf-core it uses (weakly, so either side links alone): fx_file_create_completing() before an
 * IRP_MJ_CREATE request's IRP is completed, fx_device_file_object() for WdfRequestGetFileObject.
 *
 * The request path and its costs (docs/wdf-io.md): a request is presented on the caller's thread
 * when the queue's gate is open: an unlimited parallel queue counts it in the thread's lane with
 * plain stores inside a fast section (fx_fast_section.h), other queues claim a presentation slot in
 * `word` with one compare-exchange. Completion releases it the same way, or, when it happens inside
 * the presentation on the same thread (the common case), folds into the release that ends the
 * presentation. Only when the gate is closed (requests waiting, a Stop/Purge/Drain, power
 * transition, manual queue) do both sides take queue->lock, and the dispatch loop then presents
 * what waits, one thread at a time. No lock of this package is held
 * across a call into the driver except the callback lock the driver asked for (SynchronizationScope).
 *
 * Lock order (take earlier before later): callback lock (fx_sync_lock of device/queue) ->
 * queue->lock -> package->lock -> request->cancel_lock -> the I/O manager's cancel spin lock.
 */
#ifndef OPENWDF_FX_QUEUE_H
#define OPENWDF_FX_QUEUE_H

#include "fx_device.h"
#include "fx_object.h"
#include "fx_sync.h"

#include <wdfio.h>
#include <wdfrequest.h>

/* Linking anything of the I/O package links its verifier rules (request_rules.c). */
extern const char fx_io_rules_linked;
static const char *const fx_io_rules_link __attribute__((used, unused)) = &fx_io_rules_linked;

struct fx_request;
struct fx_queue;

/* ---- The per-device I/O package ------------------------------------------------------------- */

/* Idle request objects of one thread slot (fx_thread_slot.h): a cache line or two of their own, so
 * threads do not share what they write on every request. Its thread uses it inside fast sections
 * (fx_fast_section.h); the lock serves the shared slot's threads and draining (request.c). */
#define FX_REQUEST_CACHE_DEPTH 15
typedef struct fx_request_cache_slot {
    LONG lock; /* atomic: 0 free, 1 held */
    ULONG count;
    struct fx_request *items[FX_REQUEST_CACHE_DEPTH];
} fx_request_cache_slot;
_Static_assert(sizeof(fx_request_cache_slot) == 128, "two cache lines a slot");

typedef struct fx_io_package {
    fx_object object;                 /* a child of the device (never seen by the driver) */
    fx_device *device;
    PWDF_DRIVER_GLOBALS globals;
    KSPIN_LOCK lock;                  /* guards queues, requests, powered, removed */
    LIST_ENTRY queues;                /* fx_queue.package_link */
    LIST_ENTRY requests;              /* every framework request object of the device (fx_request.all_link) */
    BOOLEAN powered;                  /* in D0: power-managed queues may dispatch */
    BOOLEAN removed;                  /* fx_io_device_removed ran */
    /* Request objects: context attributes from WdfDeviceInitSetRequestAttributes (callbacks kept
     * apart: the package calls them itself, once per use of a cached object). */
    WDF_OBJECT_ATTRIBUTES request_attributes;
    BOOLEAN has_request_attributes;
    PFN_WDF_OBJECT_CONTEXT_CLEANUP request_cleanup;
    PFN_WDF_OBJECT_CONTEXT_DESTROY request_destroy;
    size_t request_context_size;
    struct fx_request_cache_slot *cache_slots; /* idle request objects, a stack per thread slot */
    SLIST_HEADER cache;               /* idle request objects beyond the slots' room (lock-free) */
    BOOLEAN cache_closed;             /* atomic: drained; completed requests are deleted, not cached */
    volatile LONG collectors;         /* threads taking holds on requests of package->requests */
    volatile LONG live;               /* request objects allocated (all states) */
} fx_io_package;

/* The device's package, created on first use (NULL: no memory). IRQL <= DISPATCH_LEVEL. */
fx_io_package *fx_io_package_get(fx_device *device);

/* The queue of the device that a request type goes to (configured, else default), not referenced;
 * NULL when none. */
struct fx_queue *fx_io_queue_for(fx_device *device, UCHAR major_function);

/* TRUE when a queue was configured for WdfRequestTypeCreate. Any IRQL <= DISPATCH_LEVEL. */
BOOLEAN fx_io_dispatches_create(fx_device *device);

/* Watchdog for REQ_LEAK_AT_TEARDOWN (default 5000 ms): how long power-down and removal wait for the
 * driver's requests before naming them. Process-wide; tests shorten it. */
OWDF_API void owdf_io_set_teardown_timeout(ULONG milliseconds);
ULONG fx_io_teardown_timeout_ms(void);

/* Before an IRP_MJ_CREATE request's IRP is completed (calls wdf-core's fx_file_create_completing). */
void fx_io_create_completing(fx_device *device, PIRP irp, NTSTATUS status);

/* ---- Queues ----------------------------------------------------------------------------------- */

/* fx_queue.word: the gate word (see above). */
#define FX_QWORD_OWNED_MASK 0xffffffffull   /* requests the driver owns from this queue */
#define FX_QWORD_OPEN (1ull << 32)          /* presentations may bypass queue->lock */
#define FX_QWORD_PRESENT_ONE (1ull << 40)   /* presentations in progress (bits 40..63) */
#define FX_QWORD_PRESENTING(w) ((ULONG)((w) >> 40))
#define FX_QWORD_OWNED(w) ((ULONG)((w) & FX_QWORD_OWNED_MASK))

/*
 * Lanes: an unlimited parallel queue (NumberOfPresentedRequests (ULONG)-1) keeps its counts in one
 * word per thread slot (fx_thread_slot.h), each on a cache line of its own, so threads presenting and
 * completing at once write no shared line; its gate word holds OPEN only. A lane holds its slot's
 * share of the owned and presenting counts, written by that slot's thread alone (the shared slot's
 * under queue->lock); shares may go below zero (a request claimed in one lane is released in
 * another's), their sums may not. Once the gate is closed and the lanes settled (fx_fast_sync),
 * the sums are exact.
 */
#define FX_LANE_BIAS (1ull << 62)          /* keeps a lane's value away from wrapping either way */
#define FX_LANE_PRESENT_ONE (1ull << 31)   /* value = BIAS + owned + presenting * PRESENT_ONE */

typedef struct fx_queue_lane {
    volatile uint64_t word;
    char pad[56];
} fx_queue_lane;
_Static_assert(sizeof(fx_queue_lane) == 64, "a cache line a lane");

/* fx_queue.state (under queue->lock) */
#define FX_QUEUE_ACCEPTING 0x01u          /* WdfIoQueueAcceptRequests */
#define FX_QUEUE_DISPATCHING 0x02u        /* WdfIoQueueDispatchRequests */
#define FX_QUEUE_SHUTDOWN 0x04u           /* the device is gone: never accepts again */

/* fx_queue.power (under queue->lock) */
enum fx_queue_power {
    FX_QPOWER_ON = 0,
    FX_QPOWER_OFF,                        /* power managed, device not in D0: requests are held */
    FX_QPOWER_STOPPING,                   /* leaving D0: EvtIoStop(Suspend) notifications */
    FX_QPOWER_PURGING,                    /* device removed: EvtIoStop(Purge) notifications */
};

typedef struct fx_queue {
    fx_object object;                     /* FX_TYPE_QUEUE; parent: the device (or an object under it) */
    fx_io_package *package;
    fx_device *device;
    LIST_ENTRY package_link;              /* in package->queues, under package->lock */
    WDF_IO_QUEUE_CONFIG config;           /* callbacks and flags as given */
    ULONG max_presented;                  /* sequential 1, parallel N (or ~0), manual 0 */
    BOOLEAN power_managed;
    BOOLEAN is_default;
    BOOLEAN passive;                      /* ExecutionLevel passive: callbacks at PASSIVE_LEVEL */
    BOOLEAN no_delete;                    /* default queue / configured for a type: not deletable */
    fx_sync_lock own_lock;                /* queue-scope callback lock */
    fx_sync_lock *callback_lock;          /* NULL (scope none), &own_lock or the device's */
    PIO_WORKITEM work_item;               /* dispatch at PASSIVE_LEVEL / without the callback lock */

    volatile uint64_t word;               /* the gate (FX_QWORD_*) */
    fx_queue_lane *lanes;                 /* FX_THREAD_SLOTS of them, or NULL: the gate is `word` alone */

    KSPIN_LOCK lock;                      /* guards everything below */
    BOOLEAN lanes_settled;                /* the gate closed and no fast section still sees it open */
    ULONG state;                          /* FX_QUEUE_* */
    ULONG power;                          /* enum fx_queue_power */
    LIST_ENTRY pending;                   /* requests waiting (fx_request.queue_link) */
    ULONG pending_count;
    BOOLEAN dispatching;                  /* a thread runs the dispatch loop */
    BOOLEAN redispatch;                   /* work arrived while it ran */
    BOOLEAN work_queued;
    BOOLEAN cancel_dispatched;            /* purge in progress: requeued/cancelable requests are canceled */
    BOOLEAN transition_from_empty;        /* ReadyNotify is owed */
    BOOLEAN disposing;
    ULONG power_unacked;                  /* EvtIoStop notified requests neither acked nor completed */
    PFN_WDF_IO_QUEUE_STATE idle_complete; /* Stop */
    WDFCONTEXT idle_context;
    PFN_WDF_IO_QUEUE_STATE purge_complete; /* Purge / Drain / StopAndPurge */
    WDFCONTEXT purge_context;
    BOOLEAN purge_is_stop_and_purge;
    PFN_WDF_IO_QUEUE_STATE ready_notify;
    WDFCONTEXT ready_context;
    BOOLEAN force_ready_notify;           /* a retrieve found nothing while requests were being canceled */
    LIST_ENTRY canceled;                  /* canceled while queued, not finished yet (fx_request.queue_link) */
    LIST_ENTRY waiters;                   /* threads waiting for a condition (queue_dispatch.c) */
    ULONG visit_epoch;                    /* io_package.c's walks, under package->lock */
} fx_queue;

/* Validates a WDFQUEUE handle (reports as fx_object_from_handle). */
fx_queue *fx_queue_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, const char *caller);
#define fx_queue_from_handle(globals, handle) fx_queue_from_handle_at(globals, handle, __func__)

static inline WDFQUEUE fx_queue_handle(const fx_queue *queue)
{
    return (WDFQUEUE)queue->object.handle;
}

/* TRUE when the queue presents requests of this major function (its Evt callback or EvtIoDefault). */
BOOLEAN fx_queue_handles(const fx_queue *queue, UCHAR major_function);

/*
 * A new request from the I/O package (or WdfDeviceEnqueueRequest): queued or presented. Fails like
 * KMDF when the queue does not accept requests: the request is completed with
 * STATUS_INVALID_DEVICE_STATE and that status is returned. Else STATUS_PENDING (the IRP is marked
 * pending). IRQL <= DISPATCH_LEVEL.
 */
NTSTATUS fx_queue_insert_new(fx_queue *queue, struct fx_request *request);

/*
 * A driver-owned request moved into a queue (forward, requeue, enqueue from EvtIoInCallerContext):
 * STATUS_WDF_BUSY when the queue does not accept (the driver still owns the request), else
 * STATUS_SUCCESS. head: insert at the head (requeue keeps the order).
 */
NTSTATUS fx_queue_insert_forwarded(fx_queue *queue, struct fx_request *request, BOOLEAN head);

/* A request the driver owned from `queue` left the driver (completed or moved elsewhere).
 * stop_notified: it was waiting for an EvtIoStop answer (the caller cleared FX_REQ_STOP_NOTIFIED).
 * No lock held; cheap (one atomic) when the gate is open. The request may be gone already. */
void fx_queue_release_owned(fx_queue *queue, BOOLEAN stop_notified);

/* The gate's OPEN bit (sequentially consistent load): nothing waits, no power transition runs. */
BOOLEAN fx_queue_gate_is_open(const fx_queue *queue);

/* Queue state operations (queue.c/queue_dispatch.c). */
void fx_queue_start(fx_queue *queue);
NTSTATUS fx_queue_stop(fx_queue *queue, PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context, BOOLEAN purge);
NTSTATUS fx_queue_purge(fx_queue *queue, BOOLEAN cancel_queued, BOOLEAN cancel_driver,
                        PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context);
/* Power (io_package.c drives these per queue, PASSIVE_LEVEL): power_down waits until the driver
 * completed or acknowledged what EvtIoStop was called for; shutdown purges for removal and waits
 * until the driver owns nothing from the queue. */
void fx_queue_power_down(fx_queue *queue);
void fx_queue_power_up(fx_queue *queue);
void fx_queue_shutdown(fx_queue *queue);
/* Re-runs the dispatch loop (after a state change). Takes queue->lock. */
void fx_queue_kick(fx_queue *queue);

/* Called by request_cancel.c when a request's cancel routine must run through the queue's lock. */
void fx_queue_call_cancel(fx_queue *queue, struct fx_request *request, PFN_WDF_REQUEST_CANCEL routine);

/* WdfRequestStopAcknowledge's queue part (request.c). */
void fx_queue_stop_acknowledge(fx_queue *queue, struct fx_request *request, BOOLEAN requeue);

#endif /* OPENWDF_FX_QUEUE_H */
