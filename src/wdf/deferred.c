/*
 * deferred.c - the machinery timers, DPC objects and work items share (see fx_deferred.h): calling
 * the driver under the serialization lock, counting queued work, and running down on delete.
 */
#include "fx_deferred.h"

#define KE_REFERENCE_TAG ((const void *)"ke-reference")

void fx_deferred_init(fx_deferred *d, fx_object *object, fx_sync_lock *lock, void (*cancel)(fx_deferred *d))
{
    d->object = object;
    d->lock = lock;
    d->callback_thread = NULL;
    d->busy = 0;
    d->cancel = cancel;
    KeInitializeSpinLock(&d->busy_lock);
    KeInitializeEvent(&d->idle, NotificationEvent, TRUE);
    FX_REF(object, KE_REFERENCE_TAG);
}

void fx_deferred_call(fx_deferred *d, void (*invoke)(fx_deferred *d), const char *what)
{
    PWDF_DRIVER_GLOBALS globals = d->object->globals;
    BOOLEAN locked = d->lock != NULL && fx_sync_lock_acquire(d->lock, globals, what);
    fx_ifr_printf(fx_support_ifr(globals), OWDF_IFR_CALLBACK, d->object->handle, "%s", what);
    PVOID previous = __atomic_exchange_n(&d->callback_thread, KeGetCurrentThread(), __ATOMIC_ACQ_REL);
    fx_driver_call call;
    fx_enter_driver(globals, &call);
    invoke(d);
    fx_leave_driver(&call, what);
    __atomic_store_n(&d->callback_thread, previous, __ATOMIC_RELEASE);
    if (locked)
        fx_sync_lock_release(d->lock, globals, what);
}

void fx_deferred_work_queued(fx_deferred *d)
{
    FX_REF(d->object, NULL);
    KIRQL irql;
    KeAcquireSpinLock(&d->busy_lock, &irql);
    if (d->busy++ == 0)
        KeClearEvent(&d->idle);
    KeReleaseSpinLock(&d->busy_lock, irql);
}

void fx_deferred_work_done(fx_deferred *d)
{
    KIRQL irql;
    KeAcquireSpinLock(&d->busy_lock, &irql);
    if (--d->busy == 0)
        KeSetEvent(&d->idle, 0, FALSE);
    KeReleaseSpinLock(&d->busy_lock, irql);
    FX_DEREF(d->object, NULL);
}

void fx_deferred_wait_idle(fx_deferred *d)
{
    KeWaitForSingleObject(&d->idle, Executive, KernelMode, FALSE, NULL);
}

BOOLEAN fx_deferred_may_wait(fx_deferred *d, PWDF_DRIVER_GLOBALS globals, const char *ddi, const char *rule)
{
    if (fx_deferred_in_callback(d)) {
        OWDF_VERIFY_REPORT(
            rule, d->object->handle, d->object->ops->name, fx_report_driver(globals),
            "%s: called with Wait=TRUE from the %s's own callback, which would wait for itself; "
            "not waiting",
            ddi, d->object->ops->name);
        return FALSE;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        OWDF_VERIFY_REPORT("BLOCKING_CALL_AT_DISPATCH", d->object->handle, d->object->ops->name,
                           fx_report_driver(globals),
                           "%s: Wait=TRUE requires PASSIVE_LEVEL (called at IRQL %u); not waiting", ddi,
                           (unsigned)KeGetCurrentIrql());
        return FALSE;
    }
    return TRUE;
}

/* PASSIVE_LEVEL, not from the callback: nothing of the Ke object is in use afterwards. */
static void rundown(fx_deferred *d)
{
    d->cancel(d);
    KeFlushQueuedDpcs();
    fx_deferred_wait_idle(d);
    FX_DEREF(d->object, KE_REFERENCE_TAG);
}

static void rundown_routine(PVOID context)
{
    rundown(context);
}

void fx_deferred_dispose(fx_deferred *d)
{
    d->cancel(d);
    if (KeGetCurrentIrql() == PASSIVE_LEVEL && !fx_deferred_in_callback(d)) {
        rundown(d);
        return;
    }
    ExInitializeWorkItem(&d->rundown_item, rundown_routine, d);
    ExQueueWorkItem(&d->rundown_item, DelayedWorkQueue);
}

NTSTATUS fx_deferred_parent(PWDF_DRIVER_GLOBALS globals, const WDF_OBJECT_ATTRIBUTES *attributes,
                            const char *ddi, fx_object **parent_out)
{
    *parent_out = NULL;
    if (attributes == NULL)
        return STATUS_WDF_PARENT_NOT_SPECIFIED;
    if (attributes->Size != sizeof(WDF_OBJECT_ATTRIBUTES)) {
        OWDF_VERIFY_REPORT(
            "OBJECT_ATTRIBUTES_SIZE", attributes, "WDF_OBJECT_ATTRIBUTES", fx_report_driver(globals),
            "%s: WDF_OBJECT_ATTRIBUTES.Size is %u, expected %zu (use WDF_OBJECT_ATTRIBUTES_INIT)", ddi,
            attributes->Size, sizeof(WDF_OBJECT_ATTRIBUTES));
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (attributes->ParentObject == NULL)
        return STATUS_WDF_PARENT_NOT_SPECIFIED;
    fx_object *parent = fx_object_from_handle_at(globals, attributes->ParentObject, FX_TYPE_INVALID, ddi);
    if (parent == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_sync_find_device(parent) == NULL)
        return STATUS_INVALID_DEVICE_REQUEST;
    *parent_out = parent;
    return STATUS_SUCCESS;
}
