/*
 * queue_dispatch.c - how a queue moves requests: the gate (presentation on the caller's thread
 * without the queue lock), the dispatch loop that presents what waits, cancel of queued requests
 * (EvtIoCanceledOnQueue), the Stop/Purge/Drain state changes and their callbacks, power-down
 * (EvtIoStop / WdfRequestStopAcknowledge), power-up (EvtIoResume) and device removal.
 *
 * The gate (fx_queue.word): owned count | OPEN | presenting count (an unlimited parallel queue keeps
 * its counts in per-thread lanes instead, fx_queue.h). OPEN is set (under queue->lock) only while
 * nothing waits in the queue and the queue accepts, dispatches and is powered; then a new request
 * claims a slot (one compare-exchange, or plain stores in the thread's lane inside a fast section)
 * and is presented at once, and a completion releases its slot the same way. Anything else goes
 * through queue->lock and the dispatch loop,
 * which one thread at a time runs: it delivers canceled requests, fires Stop/Purge/Drain callbacks,
 * ReadyNotify, and presents waiting requests. While a thread is inside queue code that may touch the
 * queue after dropping its lock, it counts in `presenting` (or pending_count): the queue is not torn
 * down until both are zero, so no reference counting is needed on the path.
 *
 * IRQL: callers at <= DISPATCH_LEVEL. A queue with ExecutionLevel passive presents at PASSIVE_LEVEL
 * only; above it, and whenever the current thread already holds the queue's callback lock (a driver
 * forwarding from inside a callback), the loop runs from the queue's work item instead.
 */
#include "fx_call.h"
#include "fx_fast_section.h"
#include "fx_ifr.h"
#include "fx_request.h"
#include "fx_thread_slot.h"

#include <openwdf/nt.h>

/* ---- The gate ------------------------------------------------------------------------------ */

static inline uint64_t qword(const fx_queue *queue)
{
    return __atomic_load_n(&queue->word, __ATOMIC_ACQUIRE);
}

static inline BOOLEAN gate_open_now(const fx_queue *queue)
{
    return (__atomic_load_n(&queue->word, __ATOMIC_RELAXED) & FX_QWORD_OPEN) != 0;
}

/* A lane queue's counts change in this thread's lane: its own (plain stores: nobody else writes
 * an exclusive lane), or the shared slot's (atomically, under queue->lock). */
static inline void lane_add(fx_queue *queue, unsigned slot, int64_t delta)
{
    volatile uint64_t *lane = &queue->lanes[slot].word;
    if (fx_thread_slot_is_exclusive(slot))
        __atomic_store_n(lane, __atomic_load_n(lane, __ATOMIC_RELAXED) + (uint64_t)delta, __ATOMIC_RELAXED);
    else
        __atomic_fetch_add(lane, (uint64_t)delta, __ATOMIC_SEQ_CST);
}

/* `owned` requests owned by the driver and `presenting` presentations, as the queue counts them:
 * in a lane, or in the gate word. */
static inline int64_t gate_delta(const fx_queue *queue, int64_t owned, int64_t presenting)
{
    return owned + presenting * (int64_t)(queue->lanes != NULL ? FX_LANE_PRESENT_ONE : FX_QWORD_PRESENT_ONE);
}

/* queue->lock held: counts `owned` more requests owned by the driver and `presenting` more
 * presentations, in this thread's lane or the gate word. */
static void gate_adjust_locked(fx_queue *queue, int64_t owned, int64_t presenting)
{
    int64_t delta = gate_delta(queue, owned, presenting);
    if (queue->lanes != NULL)
        lane_add(queue, fx_thread_slot(), delta);
    else
        __atomic_fetch_add(&queue->word, (uint64_t)delta, __ATOMIC_SEQ_CST);
}

/* Requests the driver owns from the queue and presentations in progress. Exact while the gate is
 * closed (queue->lock held): a lane queue's lanes are then settled once, waiting out the fast
 * sections that saw the gate open. While it is open the counts may be briefly off. */
static void gate_counts(fx_queue *queue, LONG *owned, LONG *presenting)
{
    uint64_t w = qword(queue);
    if (queue->lanes == NULL) {
        *owned = (LONG)FX_QWORD_OWNED(w);
        *presenting = (LONG)FX_QWORD_PRESENTING(w);
        return;
    }
    if (!(w & FX_QWORD_OPEN) && !queue->lanes_settled) {
        fx_fast_sync();
        queue->lanes_settled = TRUE;
    }
    int64_t sum = 0;
    for (unsigned i = 0; i < FX_THREAD_SLOTS; i++)
        sum += (int64_t)(__atomic_load_n(&queue->lanes[i].word, __ATOMIC_ACQUIRE) - FX_LANE_BIAS);
    /* sum = owned + presenting * PRESENT_ONE with |owned| < PRESENT_ONE / 2. */
    int64_t lanes_presenting = (sum + (int64_t)(FX_LANE_PRESENT_ONE / 2)) >> 31;
    *owned = (LONG)(sum - lanes_presenting * (int64_t)FX_LANE_PRESENT_ONE);
    *presenting = (LONG)lanes_presenting;
}

static ULONG queue_owned(fx_queue *queue)
{
    LONG owned, presenting;
    gate_counts(queue, &owned, &presenting);
    return owned < 0 ? 0 : (ULONG)owned;
}

static ULONG queue_presenting(fx_queue *queue)
{
    LONG owned, presenting;
    gate_counts(queue, &owned, &presenting);
    return presenting < 0 ? 0 : (ULONG)presenting;
}

static BOOLEAN queue_may_open_locked(const fx_queue *queue)
{
    return queue->config.DispatchType != WdfIoQueueDispatchManual &&
           (queue->state & (FX_QUEUE_ACCEPTING | FX_QUEUE_DISPATCHING)) ==
               (FX_QUEUE_ACCEPTING | FX_QUEUE_DISPATCHING) &&
           queue->power == FX_QPOWER_ON && IsListEmpty(&queue->pending) && IsListEmpty(&queue->canceled) &&
           queue->idle_complete == NULL && queue->purge_complete == NULL && IsListEmpty(&queue->waiters) &&
           !queue->disposing;
}

/* OPEN changes only here, under queue->lock, with sequentially consistent read-modify-writes: once
 * closed, a word queue's counts change only under the lock; a lane queue's once gate_counts has
 * settled its lanes. */
static void gate_close_locked(fx_queue *queue)
{
    if (qword(queue) & FX_QWORD_OPEN)
        __atomic_fetch_and(&queue->word, ~FX_QWORD_OPEN, __ATOMIC_SEQ_CST);
}

static void gate_update_locked(fx_queue *queue)
{
    if (!queue_may_open_locked(queue)) {
        gate_close_locked(queue);
        return;
    }
    if (qword(queue) & FX_QWORD_OPEN)
        return;
    queue->lanes_settled = FALSE;
    __atomic_fetch_or(&queue->word, FX_QWORD_OPEN, __ATOMIC_SEQ_CST);
}

/* A lane queue's change of this thread's lane while the gate is open, in a fast section (no atomic
 * operation at all); FALSE (nothing changed) when the gate is closed or there is no fast section. */
static inline BOOLEAN lane_add_if_open(fx_queue *queue, int64_t delta)
{
    unsigned slot = fx_thread_slot();
    if (!fx_fast_enter(slot))
        return FALSE;
    BOOLEAN open = gate_open_now(queue);
    if (open)
        lane_add(queue, slot, delta);
    fx_fast_exit(slot);
    return open;
}

/*
 * Claims a presentation slot without the lock; FALSE when the slow path must decide. A lane queue
 * claims in the thread's lane; a word queue with one compare-exchange of the gate word (which also
 * enforces NumberOfPresentedRequests).
 */
static inline BOOLEAN gate_claim(fx_queue *queue)
{
    int64_t delta = gate_delta(queue, 1, 1);
    if (queue->lanes != NULL)
        return lane_add_if_open(queue, delta);
    uint64_t w = qword(queue);
    for (;;) {
        if (!(w & FX_QWORD_OPEN) || FX_QWORD_OWNED(w) >= queue->max_presented)
            return FALSE;
        if (__atomic_compare_exchange_n(&queue->word, &w, w + (uint64_t)delta, TRUE, __ATOMIC_SEQ_CST,
                                        __ATOMIC_ACQUIRE))
            return TRUE;
    }
}

/*
 * Takes `owned` owned requests and `presenting` presentations off the counts without the lock if
 * the gate is open; FALSE (nothing changed) when the caller must do it under queue->lock, where a
 * closer may be waiting for exactly this change.
 */
static inline BOOLEAN gate_release(fx_queue *queue, int64_t owned, int64_t presenting)
{
    int64_t delta = gate_delta(queue, owned, presenting);
    if (queue->lanes != NULL)
        return lane_add_if_open(queue, -delta);
    uint64_t w = qword(queue);
    while (w & FX_QWORD_OPEN) {
        if (__atomic_compare_exchange_n(&queue->word, &w, w - (uint64_t)delta, TRUE, __ATOMIC_SEQ_CST,
                                        __ATOMIC_ACQUIRE))
            return TRUE;
    }
    return FALSE;
}

/* ---- Presentations on this thread ------------------------------------------------------------ */

/*
 * A request completed (or forwarded) on the thread that is presenting a request of the same queue
 * does not release its slot at once: the presentation holds the queue, and the release is folded
 * into the one that ends the presentation. Frames nest (a driver may send requests
 * to other queues from inside a callback).
 */
typedef struct presentation {
    struct presentation *outer;
    fx_queue *queue;
    ULONG released;
} presentation;

static _Thread_local presentation *current_presentation;

static inline void presentation_begin(presentation *p, fx_queue *queue)
{
    p->outer = current_presentation;
    p->queue = queue;
    p->released = 0;
    current_presentation = p;
}

static inline ULONG presentation_end(presentation *p)
{
    current_presentation = p->outer;
    return p->released;
}

static BOOLEAN presentation_defer_release(fx_queue *queue)
{
    for (presentation *p = current_presentation; p != NULL; p = p->outer) {
        if (p->queue == queue) {
            p->released++;
            return TRUE;
        }
    }
    return FALSE;
}

/* queue->lock held: applies this thread's deferred releases of the queue now (before it waits). */
static void presentation_flush_locked(fx_queue *queue)
{
    for (presentation *p = current_presentation; p != NULL; p = p->outer) {
        if (p->queue == queue && p->released != 0) {
            gate_adjust_locked(queue, -(int64_t)p->released, 0);
            p->released = 0;
        }
    }
}

/* Presenting here would break the queue's IRQL or recurse on its callback lock. */
static inline BOOLEAN queue_must_defer(const fx_queue *queue, KIRQL irql)
{
    return (queue->passive && irql > PASSIVE_LEVEL) ||
           (queue->callback_lock != NULL && fx_sync_lock_is_owner(queue->callback_lock));
}

BOOLEAN fx_queue_handles(const fx_queue *queue, UCHAR major_function)
{
    const WDF_IO_QUEUE_CONFIG *c = &queue->config;
    if (c->DispatchType == WdfIoQueueDispatchManual || c->EvtIoDefault != NULL)
        return TRUE;
    switch (major_function) {
    case IRP_MJ_READ:
        return c->EvtIoRead != NULL;
    case IRP_MJ_WRITE:
        return c->EvtIoWrite != NULL;
    case IRP_MJ_DEVICE_CONTROL:
        return c->EvtIoDeviceControl != NULL;
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        return c->EvtIoInternalDeviceControl != NULL;
    default:
        return FALSE;
    }
}

/* ---- Waiting (Synchronously variants, power, removal, dispose) ------------------------------ */

typedef struct queue_waiter {
    LIST_ENTRY link;
    KEVENT event;
} queue_waiter;

static void wake_waiters_locked(fx_queue *queue)
{
    for (PLIST_ENTRY e = queue->waiters.Flink; e != &queue->waiters; e = e->Flink)
        KeSetEvent(&CONTAINING_RECORD(e, queue_waiter, link)->event, IO_NO_INCREMENT, FALSE);
}

typedef BOOLEAN queue_condition(fx_queue *queue);

static BOOLEAN cond_quiet(fx_queue *queue)
{
    return queue_presenting(queue) == 0 && !queue->dispatching;
}

static BOOLEAN cond_power_acked(fx_queue *queue)
{
    return queue->power_unacked == 0 && cond_quiet(queue);
}

static BOOLEAN cond_empty(fx_queue *queue)
{
    return queue_owned(queue) == 0 && queue->pending_count == 0 && cond_quiet(queue) &&
           !queue->work_queued;
}

static void report_leaks(fx_queue *queue, const char *what, ULONG waited_ms);

/*
 * Waits (PASSIVE_LEVEL) until cond holds under queue->lock. After the teardown timeout the driver's
 * requests still holding things up are reported (REQ_LEAK_AT_TEARDOWN, once), and the wait goes on:
 * KMDF waits for them too, and the queue must not go away under them.
 */
static void queue_wait(fx_queue *queue, queue_condition *cond, const char *what)
{
    queue_waiter waiter;
    KeInitializeEvent(&waiter.event, NotificationEvent, FALSE);
    BOOLEAN added = FALSE, reported = FALSE;
    ULONG timeout_ms = fx_io_teardown_timeout_ms();
    LONGLONG waited = 0;
    for (;;) {
        KIRQL irql;
        KeAcquireSpinLock(&queue->lock, &irql);
        /* Closed before the condition is read: the counts are exact only then. */
        gate_close_locked(queue);
        presentation_flush_locked(queue);
        if (cond(queue)) {
            if (added)
                RemoveEntryList(&waiter.link);
            gate_update_locked(queue);
            KeReleaseSpinLock(&queue->lock, irql);
            return;
        }
        if (!added) {
            InsertTailList(&queue->waiters, &waiter.link);
            added = TRUE;
        }
        KeClearEvent(&waiter.event);
        KeReleaseSpinLock(&queue->lock, irql);

        LARGE_INTEGER timeout;
        timeout.QuadPart = -10000LL * 100; /* re-check every 100 ms */
        NTSTATUS status = KeWaitForSingleObject(&waiter.event, Executive, KernelMode, FALSE, &timeout);
        if (status == STATUS_TIMEOUT) {
            waited += 100;
            if (!reported && waited >= timeout_ms) {
                report_leaks(queue, what, (ULONG)waited);
                reported = TRUE;
            }
        }
    }
}

/* ---- Calling the driver ---------------------------------------------------------------------- */

static BOOLEAN callback_lock_acquire(fx_queue *queue, const char *what)
{
    fx_sync_lock *lock = queue->callback_lock;
    if (lock == NULL || fx_sync_lock_is_owner(lock))
        return FALSE;
    return fx_sync_lock_acquire(lock, queue->object.globals, what);
}

static void callback_lock_release(fx_queue *queue, BOOLEAN locked, const char *what)
{
    if (locked)
        fx_sync_lock_release(queue->callback_lock, queue->object.globals, what);
}

static void queue_sync_signal(WDFQUEUE queue, WDFCONTEXT context)
{
    UNREFERENCED_PARAMETER(queue);
    KeSetEvent((PKEVENT)context, IO_NO_INCREMENT, FALSE);
}

static void call_state_callback(fx_queue *queue, PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context,
                                const char *what)
{
    if (callback == queue_sync_signal) {
        callback(fx_queue_handle(queue), context);
        return;
    }
    BOOLEAN locked = callback_lock_acquire(queue, what);
    fx_driver_call call;
    fx_enter_driver(queue->object.globals, &call);
    callback(fx_queue_handle(queue), context);
    fx_leave_driver(&call, what);
    callback_lock_release(queue, locked, what);
}

static void call_request_callback(fx_queue *queue, fx_request *request,
                                  void (*callback)(WDFQUEUE, WDFREQUEST), const char *what)
{
    BOOLEAN locked = callback_lock_acquire(queue, what);
    fx_driver_call call;
    fx_enter_driver(queue->object.globals, &call);
    callback(fx_queue_handle(queue), fx_request_handle(request));
    fx_leave_driver(&call, what);
    callback_lock_release(queue, locked, what);
}

void fx_queue_call_cancel(fx_queue *queue, fx_request *request, PFN_WDF_REQUEST_CANCEL routine)
{
    BOOLEAN locked = queue != NULL ? callback_lock_acquire(queue, "EvtRequestCancel") : FALSE;
    /* From here on a completion of the request is the cancel routine's (or one it arranged). */
    fx_request_set_flag(request, FX_REQ_CANCEL_CALLED);
    fx_driver_call call;
    fx_enter_driver(request->object.globals, &call);
    routine(fx_request_handle(request));
    fx_leave_driver(&call, "EvtRequestCancel");
    if (queue != NULL)
        callback_lock_release(queue, locked, "EvtRequestCancel");
}

/* ---- Presenting ------------------------------------------------------------------------------ */

/*
 * Gives a driver-owned request (owner DRIVER, owned_from = queue, counted) to the queue's callback
 * for its type, or completes it as KMDF does: zero-length reads/writes with STATUS_SUCCESS unless
 * AllowZeroLengthRequests, types without a callback (nor EvtIoDefault) with
 * STATUS_INVALID_DEVICE_REQUEST. No lock held. fresh: a new request this thread alone can reach.
 */
static void queue_present(fx_queue *queue, fx_request *request, BOOLEAN fresh)
{
    const WDF_IO_QUEUE_CONFIG *c = &queue->config;
    PIO_STACK_LOCATION stack = fx_request_stack(request);
    UCHAR major = stack->MajorFunction;
    enum { NONE, READ, WRITE, IOCTL, INTERNAL, DEFAULT } which = NONE;
    size_t length = 0;

    if (major == IRP_MJ_READ && c->EvtIoRead != NULL)
        which = READ;
    else if (major == IRP_MJ_WRITE && c->EvtIoWrite != NULL)
        which = WRITE;
    else if (major == IRP_MJ_DEVICE_CONTROL && c->EvtIoDeviceControl != NULL)
        which = IOCTL;
    else if (major == IRP_MJ_INTERNAL_DEVICE_CONTROL && c->EvtIoInternalDeviceControl != NULL)
        which = INTERNAL;
    else if (c->EvtIoDefault != NULL)
        which = DEFAULT;
    if (which == NONE) {
        fx_request_complete_internal(request, STATUS_INVALID_DEVICE_REQUEST, 0);
        return;
    }
    if (major == IRP_MJ_READ)
        length = stack->Parameters.Read.Length;
    else if (major == IRP_MJ_WRITE)
        length = stack->Parameters.Write.Length;
    if ((major == IRP_MJ_READ || major == IRP_MJ_WRITE) && length == 0 && !c->AllowZeroLengthRequests) {
        fx_request_complete_internal(request, STATUS_SUCCESS, 0);
        return;
    }

    if (fresh) /* no other thread can reach a new request yet: a plain store will do */
        __atomic_store_n(&request->flags, __atomic_load_n(&request->flags, __ATOMIC_RELAXED) | FX_REQ_PRESENTED,
                         __ATOMIC_RELAXED);
    else if (!fx_request_has_flag(request, FX_REQ_PRESENTED))
        fx_request_set_flag(request, FX_REQ_PRESENTED);
    WDFQUEUE qh = fx_queue_handle(queue);
    WDFREQUEST rh = fx_request_handle(request);
    /* A request presented as it arrived is stamped with its arrival (read early, at no cost). */
    uint64_t ticks = fresh && request->arrived != 0 ? request->arrived : fx_ifr_ticks();
    fx_ifr_record_presenting(fx_globals(queue->object.globals)->ifr, rh, major, qh, ticks);
    static const char *const names[] = {"", "EvtIoRead", "EvtIoWrite", "EvtIoDeviceControl",
                                        "EvtIoInternalDeviceControl", "EvtIoDefault"};
    const char *what = names[which];
    BOOLEAN locked = callback_lock_acquire(queue, what);
    fx_driver_call call;
    fx_enter_driver(queue->object.globals, &call);
    switch (which) {
    case READ:
        c->EvtIoRead(qh, rh, length);
        break;
    case WRITE:
        c->EvtIoWrite(qh, rh, length);
        break;
    case IOCTL:
        c->EvtIoDeviceControl(qh, rh, stack->Parameters.DeviceIoControl.OutputBufferLength,
                              stack->Parameters.DeviceIoControl.InputBufferLength,
                              stack->Parameters.DeviceIoControl.IoControlCode);
        break;
    case INTERNAL:
        c->EvtIoInternalDeviceControl(qh, rh, stack->Parameters.DeviceIoControl.OutputBufferLength,
                                      stack->Parameters.DeviceIoControl.InputBufferLength,
                                      stack->Parameters.DeviceIoControl.IoControlCode);
        break;
    default:
        c->EvtIoDefault(qh, rh);
        break;
    }
    fx_leave_driver(&call, what);
    fx_ifr_presentation_end(rh);
    callback_lock_release(queue, locked, what);
}

/* Makes a queued or new request the driver's (queue->lock held or the slot claimed). */
static inline void take_for_driver(fx_queue *queue, fx_request *request)
{
    request->queue = queue;
    fx_request_set_owned_from(request, queue);
    if (fx_request_has_flag(request, FX_REQ_FOUND)) /* only a queued request is ever found */
        fx_request_clear_flag(request, FX_REQ_FOUND);
    fx_request_set_owner(request, FX_REQ_DRIVER);
}

/* ---- The queue's lists (queue->lock held) ---------------------------------------------------- */

/* Puts a request in the queue (arming the IRP's cancel routine) or, if its IRP is canceled already,
 * on the canceled list. Either way the queue holds it (pending_count). */
static void pending_insert_locked(fx_queue *queue, fx_request *request, BOOLEAN head)
{
    PIRP irp = request->irp;
    request->queue = queue;
    queue->pending_count++;
    fx_request_set_owner(request, FX_REQ_QUEUED);
    IoSetCancelRoutine(irp, fx_queue_irp_cancel);
    if (__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST) && IoSetCancelRoutine(irp, NULL) != NULL) {
        fx_request_set_owner(request, FX_REQ_FRAMEWORK);
        fx_request_set_flag(request, FX_REQ_CANCELED);
        InsertTailList(&queue->canceled, &request->queue_link);
        gate_close_locked(queue);
        return;
    }
    if (IsListEmpty(&queue->pending) || queue->force_ready_notify) {
        queue->transition_from_empty = TRUE;
        queue->force_ready_notify = FALSE;
    }
    if (head)
        InsertHeadList(&queue->pending, &request->queue_link);
    else
        InsertTailList(&queue->pending, &request->queue_link);
    gate_close_locked(queue);
}

/*
 * Takes a request out of queue->pending for the driver or the framework: FALSE when its IRP's cancel
 * routine is already running (the request is then left to it, still counted in pending_count).
 */
static BOOLEAN pending_remove_locked(fx_queue *queue, fx_request *request)
{
    RemoveEntryList(&request->queue_link);
    InitializeListHead(&request->queue_link);
    if (IoSetCancelRoutine(request->irp, NULL) == NULL) {
        fx_request_set_flag(request, FX_REQ_QUEUE_CANCEL); /* fx_queue_irp_cancel finishes it */
        return FALSE;
    }
    queue->pending_count--;
    return TRUE;
}

/* Moves every waiting request to the canceled list (Purge, StopAndPurge, removal). */
static void cancel_pending_locked(fx_queue *queue)
{
    while (!IsListEmpty(&queue->pending)) {
        fx_request *r = CONTAINING_RECORD(queue->pending.Flink, fx_request, queue_link);
        if (!pending_remove_locked(queue, r))
            continue;
        queue->pending_count++; /* still the queue's until the canceled list is processed */
        fx_request_set_owner(r, FX_REQ_FRAMEWORK);
        fx_request_set_flag(r, FX_REQ_CANCELED);
        InsertTailList(&queue->canceled, &r->queue_link);
    }
    gate_close_locked(queue);
}

/* ---- The dispatch loop ------------------------------------------------------------------------- */

static void queue_work_routine(PDEVICE_OBJECT device, PVOID context);

static void queue_defer_locked(fx_queue *queue)
{
    if (queue->work_queued || queue->work_item == NULL)
        return;
    queue->work_queued = TRUE;
    FX_REF(&queue->object, NULL);
    IoQueueWorkItem(queue->work_item, queue_work_routine, DelayedWorkQueue, queue);
}

/*
 * Called with queue->lock held (irql: the IRQL to restore); returns with it released. One thread
 * at a time runs the loop; the others leave their work to it. The caller keeps the queue alive
 * (it counts in presenting/pending_count, or holds a reference).
 */
static void queue_run_locked(fx_queue *queue, KIRQL irql)
{
    if (queue->dispatching) {
        KeReleaseSpinLock(&queue->lock, irql);
        return;
    }
    if (queue_must_defer(queue, irql)) {
        queue_defer_locked(queue);
        gate_update_locked(queue);
        wake_waiters_locked(queue);
        KeReleaseSpinLock(&queue->lock, irql);
        return;
    }
    queue->dispatching = TRUE;
    for (;;) {
        if (!IsListEmpty(&queue->canceled)) {
            fx_request *r = CONTAINING_RECORD(RemoveHeadList(&queue->canceled), fx_request, queue_link);
            InitializeListHead(&r->queue_link);
            queue->pending_count--;
            fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_REQUEST_CANCELED, r->object.handle,
                          0, (uintptr_t)queue->object.handle);
            if (queue->config.EvtIoCanceledOnQueue != NULL && fx_request_has_flag(r, FX_REQ_PRESENTED)) {
                /* Delivered to the driver before: it gets it back and must complete it. */
                gate_adjust_locked(queue, 1, 0);
                take_for_driver(queue, r);
                KeReleaseSpinLock(&queue->lock, irql);
                call_request_callback(queue, r, queue->config.EvtIoCanceledOnQueue, "EvtIoCanceledOnQueue");
            } else {
                KeReleaseSpinLock(&queue->lock, irql);
                fx_request_complete_internal(r, STATUS_CANCELLED, 0);
            }
            KeAcquireSpinLock(&queue->lock, &irql);
            continue;
        }
        /* The gate is closed whenever a Stop/Purge/Drain waits: the counts are exact. (A lane queue's
         * are needed only then: settling them costs a system call.) */
        gate_update_locked(queue);
        LONG owned = 0, presenting = 0;
        if (queue->lanes == NULL || queue->idle_complete != NULL || queue->purge_complete != NULL)
            gate_counts(queue, &owned, &presenting);
        BOOLEAN quiet = presenting == 0;
        if (queue->idle_complete != NULL && owned == 0 && quiet) {
            PFN_WDF_IO_QUEUE_STATE cb = queue->idle_complete;
            WDFCONTEXT ctx = queue->idle_context;
            queue->idle_complete = NULL;
            queue->idle_context = NULL;
            if (queue->purge_is_stop_and_purge)
                queue->cancel_dispatched = FALSE;
            queue->purge_is_stop_and_purge = FALSE;
            KeReleaseSpinLock(&queue->lock, irql);
            call_state_callback(queue, cb, ctx, "EvtIoQueueState (StopComplete)");
            KeAcquireSpinLock(&queue->lock, &irql);
            continue;
        }
        if (queue->purge_complete != NULL && owned == 0 && queue->pending_count == 0 && quiet) {
            PFN_WDF_IO_QUEUE_STATE cb = queue->purge_complete;
            WDFCONTEXT ctx = queue->purge_context;
            queue->purge_complete = NULL;
            queue->purge_context = NULL;
            queue->cancel_dispatched = FALSE;
            KeReleaseSpinLock(&queue->lock, irql);
            call_state_callback(queue, cb, ctx, "EvtIoQueueState (PurgeComplete/DrainComplete)");
            KeAcquireSpinLock(&queue->lock, &irql);
            continue;
        }
        if (!(queue->state & FX_QUEUE_DISPATCHING) || queue->power != FX_QPOWER_ON || queue->disposing)
            break;
        if (queue->config.DispatchType == WdfIoQueueDispatchManual) {
            if (queue->ready_notify != NULL && queue->transition_from_empty && !IsListEmpty(&queue->pending)) {
                PFN_WDF_IO_QUEUE_STATE cb = queue->ready_notify;
                WDFCONTEXT ctx = queue->ready_context;
                queue->transition_from_empty = FALSE;
                KeReleaseSpinLock(&queue->lock, irql);
                call_state_callback(queue, cb, ctx, "EvtIoQueueState (ReadyNotify)");
                KeAcquireSpinLock(&queue->lock, &irql);
                continue;
            }
            break;
        }
        if (IsListEmpty(&queue->pending) || (queue->lanes == NULL && (ULONG)owned >= queue->max_presented))
            break;
        fx_request *r = CONTAINING_RECORD(queue->pending.Flink, fx_request, queue_link);
        if (!pending_remove_locked(queue, r))
            continue;
        gate_adjust_locked(queue, 1, 1);
        take_for_driver(queue, r);
        KeReleaseSpinLock(&queue->lock, irql);
        presentation frame;
        presentation_begin(&frame, queue);
        queue_present(queue, r, FALSE);
        ULONG released = presentation_end(&frame);
        KeAcquireSpinLock(&queue->lock, &irql);
        gate_adjust_locked(queue, -(int64_t)released, -1);
    }
    queue->dispatching = FALSE;
    gate_update_locked(queue);
    wake_waiters_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);
}

static void queue_work_routine(PDEVICE_OBJECT device, PVOID context)
{
    UNREFERENCED_PARAMETER(device);
    fx_queue *queue = context;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    queue->work_queued = FALSE;
    queue_run_locked(queue, irql);
    FX_DEREF(&queue->object, NULL);
}

void fx_queue_kick(fx_queue *queue)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    queue_run_locked(queue, irql);
}

/* ---- Requests in and out ------------------------------------------------------------------------ */

NTSTATUS fx_queue_insert_new(fx_queue *queue, fx_request *request)
{
    request->queue = queue;
    if (IO_LIKELY(!queue_must_defer(queue, KeGetCurrentIrql())) && gate_claim(queue)) {
        /* The fast path: presented on the caller's thread without the queue lock. */
        IoMarkIrpPending(request->irp);
        take_for_driver(queue, request);
        presentation frame;
        presentation_begin(&frame, queue);
        queue_present(queue, request, TRUE);
        ULONG released = presentation_end(&frame);
        if (!gate_release(queue, released, 1)) {
            /* Someone may wait for this presentation to end: the counts change under the lock. */
            KIRQL irql;
            KeAcquireSpinLock(&queue->lock, &irql);
            gate_adjust_locked(queue, -(int64_t)released, -1);
            queue_run_locked(queue, irql);
        }
        return STATUS_PENDING;
    }

    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (!(queue->state & FX_QUEUE_ACCEPTING)) {
        KeReleaseSpinLock(&queue->lock, irql);
        fx_request_complete_internal(request, STATUS_INVALID_DEVICE_STATE, 0);
        return STATUS_INVALID_DEVICE_STATE;
    }
    IoMarkIrpPending(request->irp);
    pending_insert_locked(queue, request, FALSE);
    queue_run_locked(queue, irql);
    return STATUS_PENDING;
}

NTSTATUS fx_queue_insert_forwarded(fx_queue *queue, fx_request *request, BOOLEAN head)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (!head && !(queue->state & FX_QUEUE_ACCEPTING)) {
        KeReleaseSpinLock(&queue->lock, irql);
        return STATUS_WDF_BUSY;
    }
    fx_request_set_owned_from(request, NULL);
    if (head && queue->cancel_dispatched) {
        /* A purge is running: what the driver gives back is canceled, not requeued. */
        queue->pending_count++;
        request->queue = queue;
        fx_request_set_owner(request, FX_REQ_FRAMEWORK);
        fx_request_set_flag(request, FX_REQ_CANCELED);
        InsertTailList(&queue->canceled, &request->queue_link);
        gate_close_locked(queue);
    } else {
        pending_insert_locked(queue, request, head);
    }
    fx_ifr_record(fx_globals(queue->object.globals)->ifr,
                  head ? OWDF_IFR_REQUEST_REQUEUED : OWDF_IFR_REQUEST_FORWARDED, request->object.handle, 0,
                  (uintptr_t)queue->object.handle);
    queue_run_locked(queue, irql);
    return STATUS_SUCCESS;
}

BOOLEAN fx_queue_gate_is_open(const fx_queue *queue)
{
    return (__atomic_load_n(&queue->word, __ATOMIC_SEQ_CST) & FX_QWORD_OPEN) != 0;
}

void fx_queue_release_owned(fx_queue *queue, BOOLEAN stop_notified)
{
    if (!stop_notified && presentation_defer_release(queue))
        return;
    if (!stop_notified && gate_release(queue, 1, 0))
        return;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    gate_adjust_locked(queue, -1, 0);
    if (stop_notified && queue->power_unacked > 0)
        queue->power_unacked--;
    queue_run_locked(queue, irql);
}

/* ---- Cancel of a queued request ------------------------------------------------------------ */

void fx_queue_irp_cancel(PDEVICE_OBJECT device_object, PIRP irp)
{
    UNREFERENCED_PARAMETER(device_object);
    fx_request *request = irp->Tail.Overlay.DriverContext[0];
    fx_queue *queue = request->queue;
    IoReleaseCancelSpinLock(irp->CancelIrql);

    /* The request still counts in pending_count, which keeps the queue. */
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    /* Either still in queue->pending, or taken out by a thread that found the cancel routine gone and
     * left it to us (FX_REQ_QUEUE_CANCEL); both ways it still counts in pending_count. */
    if (!fx_request_has_flag(request, FX_REQ_QUEUE_CANCEL))
        RemoveEntryList(&request->queue_link);
    fx_request_clear_flag(request, FX_REQ_QUEUE_CANCEL);
    fx_request_set_owner(request, FX_REQ_FRAMEWORK);
    fx_request_set_flag(request, FX_REQ_CANCELED);
    InsertTailList(&queue->canceled, &request->queue_link);
    gate_close_locked(queue);
    queue_run_locked(queue, irql);
}

/* ---- Enumerating the driver's requests (power, purge, leak reports) --------------------------- */

typedef struct owned_list {
    fx_request **items;
    ULONG count;
} owned_list;

/* The requests the driver owns from the queue, each with a framework hold. PASSIVE or DISPATCH. */
static void collect_owned(fx_queue *queue, LONG required_flags, owned_list *out)
{
    fx_io_package *package = queue->package;
    out->items = NULL;
    out->count = 0;
    KIRQL irql;
    ULONG n = 0;
    KeAcquireSpinLock(&package->lock, &irql);
    for (PLIST_ENTRY e = package->requests.Flink; e != &package->requests; e = e->Flink)
        n++;
    KeReleaseSpinLock(&package->lock, irql);
    if (n == 0)
        return;
    out->items = ExAllocatePool2(POOL_FLAG_NON_PAGED, n * sizeof(fx_request *), 'QxFW');
    if (out->items == NULL)
        return;
    fx_request_collect_begin(package);
    KeAcquireSpinLock(&package->lock, &irql);
    for (PLIST_ENTRY e = package->requests.Flink; e != &package->requests && out->count < n; e = e->Flink) {
        fx_request *r = CONTAINING_RECORD(e, fx_request, all_link);
        if (fx_request_owned_from(r) != queue || fx_request_owner_of(r) != FX_REQ_DRIVER)
            continue;
        if (required_flags != 0 && !fx_request_has_flag(r, required_flags))
            continue;
        if (fx_request_try_hold(r))
            out->items[out->count++] = r;
    }
    KeReleaseSpinLock(&package->lock, irql);
    fx_request_collect_end(package);
}

static void release_owned_list(owned_list *list)
{
    for (ULONG i = 0; i < list->count; i++)
        fx_request_release_hold(list->items[i]);
    if (list->items != NULL)
        ExFreePoolWithTag(list->items, 'QxFW');
}

static void report_leaks(fx_queue *queue, const char *what, ULONG waited_ms)
{
    owned_list list;
    collect_owned(queue, 0, &list);
    for (ULONG i = 0; i < list.count; i++) {
        fx_request *r = list.items[i];
        OWDF_VERIFY_REPORT(
            "REQ_LEAK_AT_TEARDOWN", r->object.handle, "WDFREQUEST", fx_report_driver(queue->object.globals),
            "WDFREQUEST %p (IRP %p, major 0x%x) is still owned by the driver %u ms after WDFQUEUE %p "
            "began to %s: it was neither completed nor acknowledged",
            r->object.handle, (void *)r->irp, r->major, waited_ms, queue->object.handle, what);
    }
    if (list.count == 0) {
        KIRQL irql;
        KeAcquireSpinLock(&queue->lock, &irql);
        ULONG queued = queue->pending_count, presenting = queue_presenting(queue);
        KeReleaseSpinLock(&queue->lock, irql);
        OWDF_VERIFY_REPORT(
            "REQ_LEAK_AT_TEARDOWN", queue->object.handle, "WDFQUEUE", fx_report_driver(queue->object.globals),
            "WDFQUEUE %p has not finished to %s after %u ms (%u queued, %u presenting)", queue->object.handle,
            what, waited_ms, queued, presenting);
    }
    release_owned_list(&list);
}

/* Cancels the driver-owned cancelable requests (Purge, StopAndPurge, removal). */
static void cancel_driver_owned(fx_queue *queue)
{
    owned_list list;
    collect_owned(queue, FX_REQ_CANCELABLE, &list);
    for (ULONG i = 0; i < list.count; i++)
        (void)fx_request_cancel_driver_owned(list.items[i]);
    release_owned_list(&list);
}

/* ---- State changes ------------------------------------------------------------------------------- */

void fx_queue_start(fx_queue *queue)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (!(queue->state & FX_QUEUE_SHUTDOWN))
        queue->state |= FX_QUEUE_ACCEPTING;
    queue->state |= FX_QUEUE_DISPATCHING;
    queue->cancel_dispatched = FALSE;
    if (!IsListEmpty(&queue->pending)) {
        queue->transition_from_empty = TRUE;
        queue->force_ready_notify = FALSE;
    }
    fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_QUEUE_STATE, queue->object.handle,
                  queue->state, 0);
    queue_run_locked(queue, irql);
}

static void report_concurrent(fx_queue *queue, const char *ddi, const char *pending)
{
    OWDF_VERIFY_REPORT("CONCURRENT_QUEUE_STATE_CHANGE", queue->object.handle, "WDFQUEUE",
                       fx_report_driver(queue->object.globals),
                       "%s on WDFQUEUE %p while its %s callback is still outstanding", ddi,
                       queue->object.handle, pending);
}

NTSTATUS fx_queue_stop(fx_queue *queue, PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context, BOOLEAN purge)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (callback != NULL) {
        if (queue->idle_complete != NULL) {
            KeReleaseSpinLock(&queue->lock, irql);
            report_concurrent(queue, purge ? "WdfIoQueueStopAndPurge" : "WdfIoQueueStop", "StopComplete");
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        queue->idle_complete = callback;
        queue->idle_context = context;
    }
    /* Stop: keep accepting, stop dispatching. */
    if (!(queue->state & FX_QUEUE_SHUTDOWN))
        queue->state |= FX_QUEUE_ACCEPTING;
    queue->state &= ~FX_QUEUE_DISPATCHING;
    gate_close_locked(queue);
    if (purge) {
        queue->cancel_dispatched = TRUE;
        queue->purge_is_stop_and_purge = callback != NULL;
        cancel_pending_locked(queue);
    }
    fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_QUEUE_STATE, queue->object.handle,
                  queue->state, purge ? 3 : 1);
    KeReleaseSpinLock(&queue->lock, irql);
    if (purge)
        cancel_driver_owned(queue);
    fx_queue_kick(queue);
    return STATUS_SUCCESS;
}

NTSTATUS fx_queue_purge(fx_queue *queue, BOOLEAN cancel_queued, BOOLEAN cancel_driver,
                        PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (callback != NULL) {
        if (queue->purge_complete != NULL) {
            KeReleaseSpinLock(&queue->lock, irql);
            report_concurrent(queue, cancel_queued ? "WdfIoQueuePurge" : "WdfIoQueueDrain",
                              "PurgeComplete/DrainComplete");
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        queue->purge_complete = callback;
        queue->purge_context = context;
    }
    queue->state &= ~FX_QUEUE_ACCEPTING;
    if (cancel_queued && cancel_driver)
        queue->cancel_dispatched = TRUE;
    gate_close_locked(queue);
    if (cancel_queued)
        cancel_pending_locked(queue);
    fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_QUEUE_STATE, queue->object.handle,
                  queue->state, cancel_queued ? 2 : 4);
    KeReleaseSpinLock(&queue->lock, irql);
    if (cancel_driver)
        cancel_driver_owned(queue);
    fx_queue_kick(queue);
    return STATUS_SUCCESS;
}

/* The Synchronously variants: the same with an internal callback, then a wait. PASSIVE_LEVEL. */
void fx_queue_wait_sync(fx_queue *queue, KEVENT *event, const char *what);

void fx_queue_wait_sync(fx_queue *queue, KEVENT *event, const char *what)
{
    ULONG timeout_ms = fx_io_teardown_timeout_ms();
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000LL * timeout_ms;
    if (KeWaitForSingleObject(event, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT) {
        report_leaks(queue, what, timeout_ms);
        KeWaitForSingleObject(event, Executive, KernelMode, FALSE, NULL);
    }
}

PFN_WDF_IO_QUEUE_STATE fx_queue_sync_callback(void);

PFN_WDF_IO_QUEUE_STATE fx_queue_sync_callback(void)
{
    return queue_sync_signal;
}

/* ---- Power ---------------------------------------------------------------------------------- */

/* Calls EvtIoStop for one driver-owned request (held by the caller). */
static void notify_stop(fx_queue *queue, fx_request *request, ULONG action)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    /* Sequentially consistent, after the gate was closed: pairs with finish_flags in request.c. */
    if (__atomic_load_n(&request->owner, __ATOMIC_SEQ_CST) != FX_REQ_DRIVER ||
        fx_request_owned_from(request) != queue ||
        fx_request_has_flag(request, FX_REQ_CANCELED | FX_REQ_FINISHING)) {
        KeReleaseSpinLock(&queue->lock, irql);
        return;
    }
    if (action == WdfRequestStopActionSuspend) {
        /* Counted only if its completion has not begun meanwhile (request_finish in request.c). */
        LONG flags = __atomic_load_n(&request->flags, __ATOMIC_RELAXED);
        do {
            if (flags & FX_REQ_FINISHING) {
                KeReleaseSpinLock(&queue->lock, irql);
                return;
            }
        } while (!__atomic_compare_exchange_n(&request->flags, &flags, flags | FX_REQ_STOP_NOTIFIED, TRUE,
                                              __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
        queue->power_unacked++;
    }
    KeReleaseSpinLock(&queue->lock, irql);
    if (queue->config.EvtIoStop == NULL)
        return; /* the power-down waits until the driver completes it */

    ULONG flags = action;
    if (fx_request_has_flag(request, FX_REQ_CANCELABLE))
        flags |= WdfRequestStopRequestCancelable;
    fx_request_clear_flag(request, FX_REQ_ACKED_IN_STOP);
    __atomic_store_n(&request->stop_thread, KeGetCurrentThread(), __ATOMIC_RELEASE);
    BOOLEAN locked = callback_lock_acquire(queue, "EvtIoStop");
    fx_driver_call call;
    fx_enter_driver(queue->object.globals, &call);
    queue->config.EvtIoStop(fx_queue_handle(queue), fx_request_handle(request), flags);
    fx_leave_driver(&call, "EvtIoStop");
    callback_lock_release(queue, locked, "EvtIoStop");
    __atomic_store_n(&request->stop_thread, NULL, __ATOMIC_RELEASE);
    if (fx_request_owner_of(request) == FX_REQ_DRIVER && fx_request_owned_from(request) == queue &&
        !fx_request_has_flag(request, FX_REQ_ACKED_IN_STOP | FX_REQ_CANCELED))
        OWDF_VERIFY_REPORT(
            "EVTIOSTOP_NO_ACTION", request->object.handle, "WDFREQUEST",
            fx_report_driver(queue->object.globals),
            "EvtIoStop(WDFQUEUE %p, WDFREQUEST %p, 0x%x) returned without completing, requeuing or "
            "acknowledging (WdfRequestStopAcknowledge) the request",
            queue->object.handle, request->object.handle, flags);
}

static void notify_stop_all(fx_queue *queue, ULONG action)
{
    owned_list list;
    collect_owned(queue, 0, &list);
    for (ULONG i = 0; i < list.count; i++)
        notify_stop(queue, list.items[i], action);
    release_owned_list(&list);
}

void fx_queue_power_down(fx_queue *queue)
{
    if (!queue->power_managed)
        return;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (queue->power != FX_QPOWER_ON) {
        KeReleaseSpinLock(&queue->lock, irql);
        return;
    }
    queue->power = FX_QPOWER_STOPPING;
    gate_close_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);

    queue_wait(queue, cond_quiet, "power down (presentations in progress)");
    notify_stop_all(queue, WdfRequestStopActionSuspend);
    queue_wait(queue, cond_power_acked, "power down (EvtIoStop / WdfRequestStopAcknowledge)");

    KeAcquireSpinLock(&queue->lock, &irql);
    queue->power = FX_QPOWER_OFF;
    fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_QUEUE_STATE, queue->object.handle,
                  queue->state, 0x10);
    queue_run_locked(queue, irql);
}

void fx_queue_power_up(fx_queue *queue)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (!queue->power_managed || queue->power == FX_QPOWER_ON || (queue->state & FX_QUEUE_SHUTDOWN)) {
        KeReleaseSpinLock(&queue->lock, irql);
        return;
    }
    queue->power = FX_QPOWER_ON;
    if (!IsListEmpty(&queue->pending))
        queue->transition_from_empty = TRUE;
    gate_close_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);

    /* Requests acknowledged without requeue during the power-down: EvtIoResume. */
    owned_list list;
    collect_owned(queue, FX_REQ_SUSPENDED, &list);
    for (ULONG i = 0; i < list.count; i++) {
        fx_request *r = list.items[i];
        fx_request_clear_flag(r, FX_REQ_SUSPENDED);
        if (queue->config.EvtIoResume != NULL && fx_request_owner_of(r) == FX_REQ_DRIVER &&
            !fx_request_has_flag(r, FX_REQ_CANCELED))
            call_request_callback(queue, r, queue->config.EvtIoResume, "EvtIoResume");
    }
    release_owned_list(&list);
    fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_QUEUE_STATE, queue->object.handle,
                  queue->state, 0x11);
    fx_queue_kick(queue);
}

void fx_queue_shutdown(fx_queue *queue)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    queue->state &= ~FX_QUEUE_ACCEPTING;
    queue->state |= FX_QUEUE_SHUTDOWN;
    queue->cancel_dispatched = TRUE;
    queue->power = FX_QPOWER_PURGING;
    gate_close_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);

    queue_wait(queue, cond_quiet, "purge for removal (presentations in progress)");
    notify_stop_all(queue, WdfRequestStopActionPurge);
    KeAcquireSpinLock(&queue->lock, &irql);
    cancel_pending_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);
    cancel_driver_owned(queue);
    fx_queue_kick(queue);
    queue_wait(queue, cond_empty, "purge for removal");

    KeAcquireSpinLock(&queue->lock, &irql);
    queue->power = FX_QPOWER_OFF;
    fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_QUEUE_STATE, queue->object.handle,
                  queue->state, 0x12);
    queue_run_locked(queue, irql);
}

void fx_queue_stop_acknowledge(fx_queue *queue, fx_request *request, BOOLEAN requeue)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (fx_request_has_flag(request, FX_REQ_STOP_NOTIFIED)) {
        fx_request_clear_flag(request, FX_REQ_STOP_NOTIFIED);
        if (queue->power_unacked > 0)
            queue->power_unacked--;
    }
    if (requeue) {
        /* Back at the head of the queue; re-presented in the normal way, no EvtIoResume. */
        fx_request_set_owned_from(request, NULL);
        gate_adjust_locked(queue, -1, 0); /* a lane's share may go below 0 */
        if (queue->cancel_dispatched) {
            queue->pending_count++;
            fx_request_set_owner(request, FX_REQ_FRAMEWORK);
            fx_request_set_flag(request, FX_REQ_CANCELED);
            InsertTailList(&queue->canceled, &request->queue_link);
        } else {
            pending_insert_locked(queue, request, TRUE);
        }
    } else {
        fx_request_set_flag(request, FX_REQ_SUSPENDED);
    }
    queue_run_locked(queue, irql);
}

/* ---- Manual retrieval and search (queue.c's DDIs) ----------------------------------------------- */

NTSTATUS fx_queue_retrieve(fx_queue *queue, PFILE_OBJECT file, fx_request *tag, fx_request **out);

NTSTATUS fx_queue_retrieve(fx_queue *queue, PFILE_OBJECT file, fx_request *tag, fx_request **out)
{
    *out = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (queue->config.DispatchType == WdfIoQueueDispatchParallel) {
        KeReleaseSpinLock(&queue->lock, irql);
        return STATUS_INVALID_DEVICE_STATE;
    }
    if ((queue->power_managed && queue->power == FX_QPOWER_OFF) || !(queue->state & FX_QUEUE_DISPATCHING)) {
        KeReleaseSpinLock(&queue->lock, irql);
        return STATUS_WDF_PAUSED;
    }
    for (;;) {
        fx_request *found = NULL;
        for (PLIST_ENTRY e = queue->pending.Flink; e != &queue->pending; e = e->Flink) {
            fx_request *r = CONTAINING_RECORD(e, fx_request, queue_link);
            if (tag != NULL ? r == tag : (file == NULL || IoGetCurrentIrpStackLocation(r->irp)->FileObject == file)) {
                found = r;
                break;
            }
        }
        if (found == NULL) {
            if (tag == NULL && file == NULL && queue->pending_count > 0)
                queue->force_ready_notify = TRUE;
            KeReleaseSpinLock(&queue->lock, irql);
            return tag != NULL ? STATUS_NOT_FOUND : STATUS_NO_MORE_ENTRIES;
        }
        if (!pending_remove_locked(queue, found)) {
            if (tag != NULL) {
                KeReleaseSpinLock(&queue->lock, irql);
                return STATUS_NOT_FOUND;
            }
            continue;
        }
        PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(found->irp);
        BOOLEAN zero = !queue->config.AllowZeroLengthRequests &&
                       ((stack->MajorFunction == IRP_MJ_READ && stack->Parameters.Read.Length == 0) ||
                        (stack->MajorFunction == IRP_MJ_WRITE && stack->Parameters.Write.Length == 0));
        if (zero) {
            /* KMDF completes zero-length transfers itself and looks for another request. */
            fx_request_set_owner(found, FX_REQ_FRAMEWORK);
            KeReleaseSpinLock(&queue->lock, irql);
            fx_request_complete_internal(found, STATUS_SUCCESS, 0);
            if (tag != NULL)
                return STATUS_NOT_FOUND;
            KeAcquireSpinLock(&queue->lock, &irql);
            continue;
        }
        gate_adjust_locked(queue, 1, 0);
        take_for_driver(queue, found);
        fx_request_set_flag(found, FX_REQ_PRESENTED);
        gate_update_locked(queue);
        fx_ifr_record(fx_globals(queue->object.globals)->ifr, OWDF_IFR_REQUEST_PRESENTED, found->object.handle,
                      stack->MajorFunction, (uintptr_t)queue->object.handle);
        KeReleaseSpinLock(&queue->lock, irql);
        *out = found;
        return STATUS_SUCCESS;
    }
}

void fx_request_fill_parameters(fx_request *request, PWDF_REQUEST_PARAMETERS parameters);

NTSTATUS fx_queue_find(fx_queue *queue, fx_request *tag, PFILE_OBJECT file, PWDF_REQUEST_PARAMETERS parameters,
                       fx_request **out);

NTSTATUS fx_queue_find(fx_queue *queue, fx_request *tag, PFILE_OBJECT file, PWDF_REQUEST_PARAMETERS parameters,
                       fx_request **out)
{
    *out = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    PLIST_ENTRY start = queue->pending.Flink;
    if (tag != NULL) {
        start = NULL;
        for (PLIST_ENTRY e = queue->pending.Flink; e != &queue->pending; e = e->Flink) {
            if (CONTAINING_RECORD(e, fx_request, queue_link) == tag) {
                start = e->Flink;
                break;
            }
        }
        if (start == NULL) {
            KeReleaseSpinLock(&queue->lock, irql);
            return STATUS_NOT_FOUND;
        }
    }
    for (PLIST_ENTRY e = start; e != &queue->pending; e = e->Flink) {
        fx_request *r = CONTAINING_RECORD(e, fx_request, queue_link);
        if (file != NULL && IoGetCurrentIrpStackLocation(r->irp)->FileObject != file)
            continue;
        FX_REF(&r->object, NULL); /* the driver's: WdfObjectDereference when done with it */
        fx_request_set_flag(r, FX_REQ_FOUND);
        if (parameters != NULL)
            fx_request_fill_parameters(r, parameters);
        KeReleaseSpinLock(&queue->lock, irql);
        *out = r;
        return STATUS_SUCCESS;
    }
    if (tag == NULL && file == NULL && queue->pending_count > 0)
        queue->force_ready_notify = TRUE;
    KeReleaseSpinLock(&queue->lock, irql);
    return STATUS_NO_MORE_ENTRIES;
}

WDF_IO_QUEUE_STATE fx_queue_get_state(fx_queue *queue, PULONG queued, PULONG driver);

WDF_IO_QUEUE_STATE fx_queue_get_state(fx_queue *queue, PULONG queued, PULONG driver)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    ULONG q = queue->pending_count, d = queue_owned(queue);
    int state = 0;
    if (queue->state & FX_QUEUE_ACCEPTING)
        state |= WdfIoQueueAcceptRequests;
    if (queue->state & FX_QUEUE_DISPATCHING)
        state |= WdfIoQueueDispatchRequests;
    if (q == 0)
        state |= WdfIoQueueNoRequests;
    if (d == 0)
        state |= WdfIoQueueDriverNoRequests;
    if (queue->power_managed && queue->power != FX_QPOWER_ON)
        state |= WdfIoQueuePnpHeld;
    KeReleaseSpinLock(&queue->lock, irql);
    if (queued != NULL)
        *queued = q;
    if (driver != NULL)
        *driver = d;
    return (WDF_IO_QUEUE_STATE)state;
}

NTSTATUS fx_queue_ready_notify(fx_queue *queue, PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context);

NTSTATUS fx_queue_ready_notify(fx_queue *queue, PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    if (queue->disposing) {
        KeReleaseSpinLock(&queue->lock, irql);
        return STATUS_DELETE_PENDING;
    }
    if (callback != NULL) {
        if (queue->ready_notify != NULL) {
            KeReleaseSpinLock(&queue->lock, irql);
            report_concurrent(queue, "WdfIoQueueReadyNotify", "ReadyNotify");
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        queue->ready_notify = callback;
        queue->ready_context = context;
    } else {
        if (queue->ready_notify == NULL || (queue->state & FX_QUEUE_DISPATCHING)) {
            /* Nothing to cancel, or the queue must be stopped first so no transition is missed. */
            KeReleaseSpinLock(&queue->lock, irql);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        queue->ready_notify = NULL;
        queue->ready_context = NULL;
    }
    queue_run_locked(queue, irql);
    return STATUS_SUCCESS;
}

/* ---- Teardown (queue.c's dispose) --------------------------------------------------------------- */

void fx_queue_dispose_wait(fx_queue *queue);

void fx_queue_dispose_wait(fx_queue *queue)
{
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    queue->state &= ~FX_QUEUE_ACCEPTING;
    queue->cancel_dispatched = TRUE;
    gate_close_locked(queue);
    cancel_pending_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);
    cancel_driver_owned(queue);
    fx_queue_kick(queue);
    if (KeGetCurrentIrql() == PASSIVE_LEVEL)
        queue_wait(queue, cond_empty, "be deleted");
    KeAcquireSpinLock(&queue->lock, &irql);
    queue->disposing = TRUE;
    gate_close_locked(queue);
    KeReleaseSpinLock(&queue->lock, irql);
}
