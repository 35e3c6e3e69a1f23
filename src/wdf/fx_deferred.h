/*
 * fx_deferred.h - what timers, DPC objects and work items share (owner: wdf-support, deferred.c):
 * calling the driver's callback under the automatic-serialization lock, knowing whether the current
 * thread is inside that callback, waiting for queued work, and running down the Ke objects when the
 * WDF object is deleted.
 *
 * Lifetime rule: a deferred object holds one extra reference on itself (the "Ke reference") from
 * creation until its rundown has cancelled its KTIMER/KDPC and flushed the DPC queues, so no Ke
 * routine can touch freed memory. Each queued work item also holds a reference until its routine
 * returns. Rundown runs inline on delete when the deleting thread may wait (PASSIVE_LEVEL and not
 * inside the object's own callback); otherwise it is deferred to a system work item, so deleting
 * from the callback itself or at DISPATCH_LEVEL is allowed, as in KMDF.
 */
#ifndef OPENWDF_FX_DEFERRED_H
#define OPENWDF_FX_DEFERRED_H

#include "fx_support.h"
#include "fx_sync.h"

typedef struct fx_deferred {
    fx_object *object;                     /* the timer / DPC / work item */
    fx_sync_lock *lock;                    /* automatic serialization lock, or NULL */
    PVOID volatile callback_thread;        /* the thread running the driver's callback, else NULL */
    KSPIN_LOCK busy_lock;                  /* guards busy and the idle event's state */
    LONG busy;                             /* queued work items + their running callbacks */
    KEVENT idle;                           /* notification event, signaled while busy == 0 */
    WORK_QUEUE_ITEM rundown_item;          /* deferred rundown */
    void (*cancel)(struct fx_deferred *d); /* stops the Ke object (any IRQL) */
} fx_deferred;

/* Takes the Ke reference. Call right after the object is created. */
void fx_deferred_init(fx_deferred *d, fx_object *object, fx_sync_lock *lock, void (*cancel)(fx_deferred *d));

/* Calls the driver's callback (through `invoke`, which calls it with the typed handle) under the
 * serialization lock, recorded in the IFR and wrapped in fx_enter_driver/fx_leave_driver. */
void fx_deferred_call(fx_deferred *d, void (*invoke)(fx_deferred *d), const char *what);

/* TRUE when the current thread is inside the object's callback. */
static inline BOOLEAN fx_deferred_in_callback(const fx_deferred *d)
{
    return __atomic_load_n(&d->callback_thread, __ATOMIC_ACQUIRE) == KeGetCurrentThread();
}

/* Counts a queued work item (references the object); done() undoes both when its routine ends.
 * After done() the caller must not touch the object (the reference may have been the last). */
void fx_deferred_work_queued(fx_deferred *d);
void fx_deferred_work_done(fx_deferred *d);

/* PASSIVE_LEVEL: waits until no work item is queued or running. */
void fx_deferred_wait_idle(fx_deferred *d);

/*
 * Whether the caller may wait for the callback now: reports `rule` (e.g. TIMER_SELF_STOP_OR_DELETE)
 * when called from the object's own callback and BLOCKING_CALL_AT_DISPATCH above PASSIVE_LEVEL.
 */
BOOLEAN fx_deferred_may_wait(fx_deferred *d, PWDF_DRIVER_GLOBALS globals, const char *ddi, const char *rule);

/* The dispose hook of the three types: cancel, then run down now or later (see above). */
void fx_deferred_dispose(fx_deferred *d);

/*
 * Validates the parent named by attributes for a deferred object: STATUS_WDF_PARENT_NOT_SPECIFIED
 * without one, STATUS_INVALID_HANDLE for a bad handle, STATUS_INVALID_DEVICE_REQUEST when no device
 * is at or above it. Returns the parent on success.
 */
NTSTATUS fx_deferred_parent(PWDF_DRIVER_GLOBALS globals, const WDF_OBJECT_ATTRIBUTES *attributes,
                            const char *ddi, fx_object **parent_out);

#endif /* OPENWDF_FX_DEFERRED_H */
