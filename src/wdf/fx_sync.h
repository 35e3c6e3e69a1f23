/*
 * fx_sync.h - the Framework's callback locks (private to src/wdf; owner: wdf-support, sync.c).
 *
 * `fx_sync_lock` is the lock behind SynchronizationScope / ExecutionLevel: devices (device scope),
 * queues (queue scope), timer/DPC/work-item AutomaticSerialization and WdfObjectAcquireLock all use
 * it. It is either a spin lock (IRQL DISPATCH_LEVEL while held) or, for objects whose execution level
 * is passive, a passive lock (a synchronization KEVENT: the holder stays at PASSIVE_LEVEL and may
 * block). Which one is fixed at init. The lock records its owner thread, so recursion is reported
 * (LOCK_RECURSIVE; the lock is NOT taken twice) and so is a release by another thread
 * (LOCK_RELEASE_NOT_OWNER; the lock is left as it is).
 *
 * Which lock belongs to which object: the type that owns a lock (device, queue) registers a getter
 * for its ops with fx_sync_register_lock_getter(); fx_sync_object_lock() asks it. The getter returns
 * the object's *effective* callback lock (a queue with device scope returns its device's lock).
 */
#ifndef OPENWDF_FX_SYNC_H
#define OPENWDF_FX_SYNC_H

#include "fx_object.h"

typedef struct fx_sync_lock {
    BOOLEAN passive;      /* TRUE: KEVENT lock (PASSIVE); FALSE: spin lock (DISPATCH) */
    KSPIN_LOCK spin;      /* when !passive */
    KIRQL saved_irql;     /* the holder's IRQL before a spin acquisition; valid while held */
    KEVENT event;         /* when passive: synchronization event, signaled = free */
    PVOID volatile owner; /* KeGetCurrentThread() of the holder; NULL when free */
    fx_object *object;    /* the object it belongs to (for reports); may be NULL */
    const char *name;     /* for reports, e.g. "device lock", "WDFSPINLOCK" */
} fx_sync_lock;

/*
 * Initializes a free lock. passive selects a KEVENT lock (acquire at PASSIVE_LEVEL only) instead of
 * a spin lock. object/name only label reports. Any IRQL; no allocation, nothing to tear down.
 */
void fx_sync_lock_init(fx_sync_lock *lock, BOOLEAN passive, fx_object *object, const char *name);

/*
 * Acquires the lock for the current thread. Spin: IRQL <= DISPATCH_LEVEL, raises to DISPATCH_LEVEL
 * (the previous IRQL is restored by release). Passive: IRQL must be PASSIVE_LEVEL (else
 * BLOCKING_CALL_AT_DISPATCH and the lock is not taken). `caller` names the DDI in reports.
 * Returns TRUE when acquired; FALSE on LOCK_RECURSIVE (already held by this thread; not re-taken)
 * or on the IRQL error. Callers must release only after TRUE.
 */
BOOLEAN fx_sync_lock_acquire(fx_sync_lock *lock, PWDF_DRIVER_GLOBALS globals, const char *caller);

/*
 * Releases a lock this thread holds (restores the IRQL of a spin acquisition). A release by a
 * thread that does not own it is LOCK_RELEASE_NOT_OWNER and changes nothing. Returns TRUE if released.
 */
BOOLEAN fx_sync_lock_release(fx_sync_lock *lock, PWDF_DRIVER_GLOBALS globals, const char *caller);

/* TRUE when the current thread holds the lock. Any IRQL. */
BOOLEAN fx_sync_lock_is_owner(const fx_sync_lock *lock);

/*
 * Registers, for objects made with `ops`, the function returning their effective callback lock
 * (or NULL for "has no lock"). Called once per type, e.g. from a constructor; up to 16 types.
 */
typedef fx_sync_lock *(*fx_sync_lock_getter)(fx_object *object);
void fx_sync_register_lock_getter(const fx_object_ops *ops, fx_sync_lock_getter getter);

/* The object's effective callback lock, or NULL if its type has none. Any IRQL; no lock taken. */
fx_sync_lock *fx_sync_object_lock(fx_object *object);

/*
 * The lock that serializes the callbacks of a timer/DPC/work item parented to `parent` when its
 * config asks for AutomaticSerialization (KMDF's rule): the nearest device or queue at or above
 * `parent` decides; if that object's synchronization scope is None there is no lock (*lock_out =
 * NULL, success); a device with queue scope has no device-wide lock either. passive_callbacks: the
 * callback runs at PASSIVE_LEVEL (work item, passive timer); the lock's kind must match (passive
 * callbacks need a passive lock, DPC-level callbacks a spin lock), else
 * STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL. When automatic_serialization is FALSE, *lock_out = NULL.
 * *lock_owner_out (may be NULL) gets the object owning the lock (callers reference it for the
 * callback object's lifetime).
 */
NTSTATUS fx_sync_serialization_lock(fx_object *parent, BOOLEAN automatic_serialization,
                                    BOOLEAN passive_callbacks, fx_sync_lock **lock_out,
                                    fx_object **lock_owner_out);

/* The nearest FX_TYPE_DEVICE at or above object (a queue's or timer's device), or NULL. */
fx_object *fx_sync_find_device(fx_object *object);

#endif /* OPENWDF_FX_SYNC_H */
