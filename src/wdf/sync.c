/*
 * sync.c - the Framework's locks: fx_sync_lock (the callback lock behind synchronization scope and
 * automatic serialization, see fx_sync.h), WDFSPINLOCK, WDFWAITLOCK and WdfObjectAcquireLock /
 * WdfObjectReleaseLock.
 *
 * Every lock records its owner thread, so recursion (LOCK_RECURSIVE) and release by another thread
 * (LOCK_RELEASE_NOT_OWNER) are reported instead of deadlocking or corrupting the lock. Spin locks
 * are the Ke layer's (so the callback checks count them); passive locks are synchronization
 * KEVENTs (the holder stays at PASSIVE_LEVEL). A wait lock, as in KMDF, also enters a critical
 * region while held.
 */
#include "fx_support.h"
#include "fx_sync.h"

#include <pthread.h>

#ifndef STATUS_POSSIBLE_DEADLOCK
#define STATUS_POSSIBLE_DEADLOCK ((NTSTATUS)0xC0000194L)
#endif

/* ---- fx_sync_lock ----------------------------------------------------------------------------- */

void fx_sync_lock_init(fx_sync_lock *lock, BOOLEAN passive, fx_object *object, const char *name)
{
    RtlZeroMemory(lock, sizeof *lock);
    lock->passive = passive;
    lock->object = object;
    lock->name = name != NULL ? name : "lock";
    KeInitializeSpinLock(&lock->spin);
    KeInitializeEvent(&lock->event, SynchronizationEvent, TRUE);
}

static inline PVOID lock_owner(const fx_sync_lock *lock)
{
    return __atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE);
}

static inline void set_owner(fx_sync_lock *lock, PVOID owner)
{
    __atomic_store_n(&lock->owner, owner, __ATOMIC_RELEASE);
}

BOOLEAN fx_sync_lock_is_owner(const fx_sync_lock *lock)
{
    return lock_owner(lock) == KeGetCurrentThread();
}

static const void *lock_label(const fx_sync_lock *lock)
{
    return lock->object != NULL ? (const void *)lock->object->handle : (const void *)lock;
}

static BOOLEAN report_recursion(fx_sync_lock *lock, PWDF_DRIVER_GLOBALS globals, const char *caller)
{
    OWDF_VERIFY_REPORT("LOCK_RECURSIVE", lock_label(lock), lock->name, fx_report_driver(globals),
                       "%s: the %s is already held by this thread (framework locks are not recursive)",
                       caller, lock->name);
    return FALSE;
}

/*
 * Takes a passive lock with an NT timeout (NULL = forever, 0 = try). STATUS_SUCCESS or
 * STATUS_TIMEOUT. Blocking above APC_LEVEL is reported and degraded to a single try.
 */
static NTSTATUS passive_acquire(fx_sync_lock *lock, PLARGE_INTEGER timeout, PWDF_DRIVER_GLOBALS globals,
                                const char *caller)
{
    LARGE_INTEGER zero = {.QuadPart = 0};
    if (KeGetCurrentIrql() > APC_LEVEL && (timeout == NULL || timeout->QuadPart != 0)) {
        OWDF_VERIFY_REPORT(
            "BLOCKING_CALL_AT_DISPATCH", lock_label(lock), lock->name, fx_report_driver(globals),
            "%s: waiting for the %s at IRQL %u (a wait with a timeout needs IRQL <= APC_LEVEL)", caller,
            lock->name, (unsigned)KeGetCurrentIrql());
        timeout = &zero;
    }
    NTSTATUS status = KeWaitForSingleObject(&lock->event, Executive, KernelMode, FALSE, timeout);
    if (status != STATUS_SUCCESS)
        return STATUS_TIMEOUT;
    set_owner(lock, KeGetCurrentThread());
    return STATUS_SUCCESS;
}

BOOLEAN fx_sync_lock_acquire(fx_sync_lock *lock, PWDF_DRIVER_GLOBALS globals, const char *caller)
{
    if (lock_owner(lock) == KeGetCurrentThread())
        return report_recursion(lock, globals, caller);
    if (lock->passive) {
        if (KeGetCurrentIrql() > APC_LEVEL) {
            OWDF_VERIFY_REPORT("BLOCKING_CALL_AT_DISPATCH", lock_label(lock), lock->name,
                               fx_report_driver(globals),
                               "%s: the %s is a passive-level lock; it cannot be taken at IRQL %u", caller,
                               lock->name, (unsigned)KeGetCurrentIrql());
            return FALSE;
        }
        return passive_acquire(lock, NULL, globals, caller) == STATUS_SUCCESS;
    }
    if (!ke_check_max_irql(DISPATCH_LEVEL, caller))
        return FALSE;
    KIRQL old;
    KeAcquireSpinLock(&lock->spin, &old);
    lock->saved_irql = old;
    set_owner(lock, KeGetCurrentThread());
    return TRUE;
}

BOOLEAN fx_sync_lock_release(fx_sync_lock *lock, PWDF_DRIVER_GLOBALS globals, const char *caller)
{
    PVOID owner = lock_owner(lock);
    if (owner != KeGetCurrentThread()) {
        OWDF_VERIFY_REPORT("LOCK_RELEASE_NOT_OWNER", lock_label(lock), lock->name, fx_report_driver(globals),
                           owner == NULL ? "%s: the %s is not held" : "%s: the %s is held by another thread",
                           caller, lock->name);
        return FALSE;
    }
    set_owner(lock, NULL);
    if (lock->passive) {
        KeSetEvent(&lock->event, 0, FALSE);
    } else {
        KIRQL irql = lock->saved_irql;
        KeReleaseSpinLock(&lock->spin, irql);
    }
    return TRUE;
}

/* ---- which object has which lock --------------------------------------------------------------- */

#define MAX_GETTERS 16

static struct {
    const fx_object_ops *ops;
    fx_sync_lock_getter getter;
} getters[MAX_GETTERS];
static volatile LONG getter_count;
static pthread_mutex_t getter_mutex = PTHREAD_MUTEX_INITIALIZER;

void fx_sync_register_lock_getter(const fx_object_ops *ops, fx_sync_lock_getter getter)
{
    pthread_mutex_lock(&getter_mutex);
    LONG n = __atomic_load_n(&getter_count, __ATOMIC_RELAXED);
    for (LONG i = 0; i < n; i++) {
        if (getters[i].ops == ops) {
            __atomic_store_n(&getters[i].getter, getter, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&getter_mutex);
            return;
        }
    }
    if (n < MAX_GETTERS) {
        getters[n].ops = ops;
        getters[n].getter = getter;
        __atomic_store_n(&getter_count, n + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&getter_mutex);
}

fx_sync_lock *fx_sync_object_lock(fx_object *object)
{
    LONG n = __atomic_load_n(&getter_count, __ATOMIC_ACQUIRE);
    for (LONG i = 0; i < n; i++) {
        if (getters[i].ops == object->ops) {
            fx_sync_lock_getter getter = __atomic_load_n(&getters[i].getter, __ATOMIC_ACQUIRE);
            return getter != NULL ? getter(object) : NULL;
        }
    }
    return NULL;
}

fx_object *fx_sync_find_device(fx_object *object)
{
    while (object != NULL && object->type != FX_TYPE_DEVICE)
        object = object->parent;
    return object;
}

NTSTATUS fx_sync_serialization_lock(fx_object *parent, BOOLEAN automatic_serialization,
                                    BOOLEAN passive_callbacks, fx_sync_lock **lock_out,
                                    fx_object **lock_owner_out)
{
    *lock_out = NULL;
    if (lock_owner_out != NULL)
        *lock_owner_out = NULL;
    if (!automatic_serialization)
        return STATUS_SUCCESS;
    fx_object *owner = parent;
    while (owner != NULL && owner->type != FX_TYPE_DEVICE && owner->type != FX_TYPE_QUEUE)
        owner = owner->parent;
    if (owner == NULL || owner->synchronization_scope == WdfSynchronizationScopeNone)
        return STATUS_SUCCESS;
    /* A device serializes its children only with device scope; with queue scope each queue has its own. */
    if (owner->type == FX_TYPE_DEVICE && owner->synchronization_scope != WdfSynchronizationScopeDevice)
        return STATUS_SUCCESS;
    fx_sync_lock *lock = fx_sync_object_lock(owner);
    if (lock == NULL)
        return STATUS_SUCCESS;
    if (lock->passive != passive_callbacks)
        return STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
    *lock_out = lock;
    if (lock_owner_out != NULL)
        *lock_owner_out = lock->object != NULL ? lock->object : owner;
    return STATUS_SUCCESS;
}

/* ---- WdfObjectAcquireLock / WdfObjectReleaseLock ----------------------------------------------- */

static fx_sync_lock *object_lock_for_ddi(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle, const char *ddi)
{
    fx_object *object = fx_object_from_handle_at(globals, handle, FX_TYPE_INVALID, ddi);
    if (object == NULL)
        return NULL;
    fx_sync_lock *lock = fx_sync_object_lock(object);
    if (lock == NULL)
        OWDF_VERIFY_REPORT("OBJECT_LOCK_UNSUPPORTED", handle, object->ops->name, fx_report_driver(globals),
                           "%s: %s %p has no synchronization lock (only devices and queues have one)", ddi,
                           object->ops->name, handle);
    return lock;
}

void imp_WdfObjectAcquireLock(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle)
{
    fx_sync_lock *lock = object_lock_for_ddi(globals, handle, "WdfObjectAcquireLock");
    if (lock != NULL)
        fx_sync_lock_acquire(lock, globals, "WdfObjectAcquireLock");
}

void imp_WdfObjectReleaseLock(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle)
{
    fx_sync_lock *lock = object_lock_for_ddi(globals, handle, "WdfObjectReleaseLock");
    if (lock != NULL)
        fx_sync_lock_release(lock, globals, "WdfObjectReleaseLock");
}

/* ---- WDFSPINLOCK and WDFWAITLOCK ------------------------------------------------------------- */

typedef struct fx_lock_object {
    fx_object object;
    fx_sync_lock lock;
} fx_lock_object;

static const fx_object_ops spinlock_ops = {
    .type = FX_TYPE_SPINLOCK,
    .name = "WDFSPINLOCK",
    .allows_parent = TRUE,
};

static const fx_object_ops waitlock_ops = {
    .type = FX_TYPE_WAITLOCK,
    .name = "WDFWAITLOCK",
    .allows_parent = TRUE,
};

static NTSTATUS create_lock(PWDF_DRIVER_GLOBALS globals, const fx_object_ops *ops,
                            PWDF_OBJECT_ATTRIBUTES attributes, WDFOBJECT *out, const char *ddi)
{
    if (out == NULL)
        return FX_NULL_PARAM(globals, ddi, "the output handle pointer");
    *out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_lock_object *lock;
    NTSTATUS status = fx_object_create(globals, ops, sizeof *lock, attributes,
                                       fx_support_driver_object(globals), (void **)&lock);
    if (!NT_SUCCESS(status))
        return status;
    fx_sync_lock_init(&lock->lock, ops == &waitlock_ops, &lock->object, ops->name);
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, lock->object.handle, ops->type, 0);
    *out = lock->object.handle;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfSpinLockCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes,
                               WDFSPINLOCK *spin_lock)
{
    return create_lock(globals, &spinlock_ops, attributes, (WDFOBJECT *)spin_lock, "WdfSpinLockCreate");
}

NTSTATUS imp_WdfWaitLockCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes,
                               WDFWAITLOCK *lock)
{
    return create_lock(globals, &waitlock_ops, attributes, (WDFOBJECT *)lock, "WdfWaitLockCreate");
}

void imp_WdfSpinLockAcquire(PWDF_DRIVER_GLOBALS globals, WDFSPINLOCK handle)
{
    fx_lock_object *lock = (fx_lock_object *)fx_object_from_handle(globals, handle, FX_TYPE_SPINLOCK);
    if (lock != NULL)
        fx_sync_lock_acquire(&lock->lock, globals, "WdfSpinLockAcquire");
}

void imp_WdfSpinLockRelease(PWDF_DRIVER_GLOBALS globals, WDFSPINLOCK handle)
{
    fx_lock_object *lock = (fx_lock_object *)fx_object_from_handle(globals, handle, FX_TYPE_SPINLOCK);
    if (lock != NULL)
        fx_sync_lock_release(&lock->lock, globals, "WdfSpinLockRelease");
}

NTSTATUS imp_WdfWaitLockAcquire(PWDF_DRIVER_GLOBALS globals, WDFWAITLOCK handle, PLONGLONG timeout)
{
    fx_lock_object *lock = (fx_lock_object *)fx_object_from_handle(globals, handle, FX_TYPE_WAITLOCK);
    if (lock == NULL)
        return STATUS_INVALID_HANDLE;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfWaitLockAcquire"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (lock_owner(&lock->lock) == KeGetCurrentThread()) {
        /* Waiting would deadlock; the driver gets a failure it cannot mistake for success. */
        report_recursion(&lock->lock, globals, "WdfWaitLockAcquire");
        return STATUS_POSSIBLE_DEADLOCK;
    }
    LARGE_INTEGER nt_timeout;
    if (timeout != NULL)
        nt_timeout.QuadPart = *timeout;
    NTSTATUS status =
        passive_acquire(&lock->lock, timeout != NULL ? &nt_timeout : NULL, globals, "WdfWaitLockAcquire");
    if (status == STATUS_SUCCESS)
        KeEnterCriticalRegion();
    return status;
}

void imp_WdfWaitLockRelease(PWDF_DRIVER_GLOBALS globals, WDFWAITLOCK handle)
{
    fx_lock_object *lock = (fx_lock_object *)fx_object_from_handle(globals, handle, FX_TYPE_WAITLOCK);
    if (lock == NULL)
        return;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfWaitLockRelease"))
        return;
    if (fx_sync_lock_release(&lock->lock, globals, "WdfWaitLockRelease"))
        KeLeaveCriticalRegion();
}
