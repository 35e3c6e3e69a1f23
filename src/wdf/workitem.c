/*
 * workitem.c - WDFWORKITEM over a system work item: EvtWorkItemFunc runs at PASSIVE_LEVEL on a
 * system worker thread, under the parent's passive callback lock when AutomaticSerialization is set
 * (a spin-lock parent is STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL at create). Enqueue while queued
 * does nothing; while running, it queues the item again. Flush and delete wait until it is neither
 * queued nor running (delete from the callback itself defers that wait, fx_deferred.h).
 */
#include "fx_deferred.h"

#include <wdfworkitem.h>

typedef struct fx_workitem {
    fx_object object;
    fx_deferred deferred;
    PFN_WDF_WORKITEM callback;
    KSPIN_LOCK state_lock; /* orders Enqueue against dispose; guards queued */
    BOOLEAN disposed;      /* under state_lock */
    BOOLEAN queued;        /* under state_lock */
    WORK_QUEUE_ITEM work;
} fx_workitem;

static void invoke_workitem(fx_deferred *d)
{
    fx_workitem *w = CONTAINING_RECORD(d, fx_workitem, deferred);
    w->callback((WDFWORKITEM)w->object.handle);
}

static void workitem_routine(PVOID context)
{
    fx_workitem *w = context;
    KIRQL irql;
    KeAcquireSpinLock(&w->state_lock, &irql);
    w->queued = FALSE; /* from here on an Enqueue queues it again */
    BOOLEAN disposed = w->disposed;
    KeReleaseSpinLock(&w->state_lock, irql);
    if (!disposed)
        fx_deferred_call(&w->deferred, invoke_workitem, "EvtWorkItem");
    fx_deferred_work_done(&w->deferred); /* may free w */
}

static void workitem_cancel(fx_deferred *d)
{
    UNREFERENCED_PARAMETER(d); /* a queued system work item cannot be removed; it sees `disposed` */
}

static void workitem_dispose(fx_object *object)
{
    fx_workitem *w = (fx_workitem *)object;
    KIRQL irql;
    KeAcquireSpinLock(&w->state_lock, &irql);
    w->disposed = TRUE;
    KeReleaseSpinLock(&w->state_lock, irql);
    fx_deferred_dispose(&w->deferred);
}

static const fx_object_ops workitem_ops = {
    .type = FX_TYPE_WORKITEM,
    .name = "WDFWORKITEM",
    .dispose = workitem_dispose,
    .allows_parent = TRUE,
};

static fx_workitem *workitem_from(PWDF_DRIVER_GLOBALS globals, WDFWORKITEM handle, const char *ddi)
{
    return (fx_workitem *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_WORKITEM, ddi);
}

NTSTATUS imp_WdfWorkItemCreate(PWDF_DRIVER_GLOBALS globals, PWDF_WORKITEM_CONFIG config,
                               PWDF_OBJECT_ATTRIBUTES attributes, WDFWORKITEM *workitem_out)
{
    if (workitem_out == NULL)
        return FX_NULL_PARAM(globals, "WdfWorkItemCreate", "WorkItem");
    *workitem_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfWorkItemCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (config == NULL)
        return FX_NULL_PARAM(globals, "WdfWorkItemCreate", "Config");
    static const size_t sizes[] = {sizeof(WDF_WORKITEM_CONFIG)};
    if (!fx_support_check_config_size(globals, "WdfWorkItemCreate", "WDF_WORKITEM_CONFIG", config,
                                      config->Size,
                                      sizes, 1))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (config->EvtWorkItemFunc == NULL)
        return FX_NULL_PARAM(globals, "WdfWorkItemCreate", "Config->EvtWorkItemFunc");
    fx_object *parent;
    NTSTATUS status = fx_deferred_parent(globals, attributes, "WdfWorkItemCreate", &parent);
    if (!NT_SUCCESS(status))
        return status;
    fx_sync_lock *lock;
    status = fx_sync_serialization_lock(parent, config->AutomaticSerialization, TRUE, &lock, NULL);
    if (!NT_SUCCESS(status))
        return status;
    fx_workitem *w;
    status = fx_object_create(globals, &workitem_ops, sizeof *w, attributes, parent, (void **)&w);
    if (!NT_SUCCESS(status))
        return status;
    w->callback = config->EvtWorkItemFunc;
    KeInitializeSpinLock(&w->state_lock);
    ExInitializeWorkItem(&w->work, workitem_routine, w);
    fx_deferred_init(&w->deferred, &w->object, lock, workitem_cancel);
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, w->object.handle, FX_TYPE_WORKITEM, 0);
    *workitem_out = (WDFWORKITEM)w->object.handle;
    return STATUS_SUCCESS;
}

void imp_WdfWorkItemEnqueue(PWDF_DRIVER_GLOBALS globals, WDFWORKITEM handle)
{
    fx_workitem *w = workitem_from(globals, handle, "WdfWorkItemEnqueue");
    if (w == NULL)
        return;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfWorkItemEnqueue"))
        return;
    KIRQL irql;
    KeAcquireSpinLock(&w->state_lock, &irql);
    BOOLEAN queue = !w->disposed && !w->queued;
    if (queue) {
        w->queued = TRUE;
        fx_deferred_work_queued(&w->deferred);
        ExQueueWorkItem(&w->work, DelayedWorkQueue);
    }
    KeReleaseSpinLock(&w->state_lock, irql);
}

WDFOBJECT imp_WdfWorkItemGetParentObject(PWDF_DRIVER_GLOBALS globals, WDFWORKITEM handle)
{
    fx_workitem *w = workitem_from(globals, handle, "WdfWorkItemGetParentObject");
    return (w != NULL && w->object.parent != NULL) ? w->object.parent->handle : NULL;
}

void imp_WdfWorkItemFlush(PWDF_DRIVER_GLOBALS globals, WDFWORKITEM handle)
{
    fx_workitem *w = workitem_from(globals, handle, "WdfWorkItemFlush");
    if (w == NULL)
        return;
    if (fx_deferred_may_wait(&w->deferred, globals, "WdfWorkItemFlush", "CALLBACK_SELF_WAIT"))
        fx_deferred_wait_idle(&w->deferred);
}
