/*
 * dpc.c - WDFDPC over a KDPC: EvtDpcFunc runs at DISPATCH_LEVEL, under the parent's callback lock
 * when AutomaticSerialization is set (a spin lock; a passive parent lock is
 * STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL at create). Drivers may also queue the KDPC themselves
 * (WdfDpcWdmGetDpc). Delete removes a queued DPC and waits for a running one (fx_deferred.h).
 */
#include "fx_deferred.h"

#include <wdfdpc.h>

typedef struct fx_dpc {
    fx_object object;
    fx_deferred deferred;
    PFN_WDF_DPC callback;
    KSPIN_LOCK state_lock; /* orders Enqueue against dispose */
    BOOLEAN disposed;      /* under state_lock; read atomically by the routine */
    KDPC kdpc;
} fx_dpc;

static void invoke_dpc(fx_deferred *d)
{
    fx_dpc *dpc = CONTAINING_RECORD(d, fx_dpc, deferred);
    dpc->callback((WDFDPC)dpc->object.handle);
}

static void dpc_routine(PKDPC kdpc, PVOID context, PVOID arg1, PVOID arg2)
{
    UNREFERENCED_PARAMETER(kdpc);
    UNREFERENCED_PARAMETER(arg1);
    UNREFERENCED_PARAMETER(arg2);
    fx_dpc *dpc = context;
    if (!__atomic_load_n(&dpc->disposed, __ATOMIC_ACQUIRE))
        fx_deferred_call(&dpc->deferred, invoke_dpc, "EvtDpcFunc");
}

static void dpc_cancel(fx_deferred *d)
{
    fx_dpc *dpc = CONTAINING_RECORD(d, fx_dpc, deferred);
    KeRemoveQueueDpc(&dpc->kdpc);
}

static void dpc_dispose(fx_object *object)
{
    fx_dpc *dpc = (fx_dpc *)object;
    KIRQL irql;
    KeAcquireSpinLock(&dpc->state_lock, &irql);
    __atomic_store_n(&dpc->disposed, TRUE, __ATOMIC_RELEASE);
    KeReleaseSpinLock(&dpc->state_lock, irql);
    fx_deferred_dispose(&dpc->deferred);
}

static const fx_object_ops dpc_ops = {
    .type = FX_TYPE_DPC,
    .name = "WDFDPC",
    .dispose = dpc_dispose,
    .allows_parent = TRUE,
};

static fx_dpc *dpc_from(PWDF_DRIVER_GLOBALS globals, WDFDPC handle, const char *ddi)
{
    return (fx_dpc *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_DPC, ddi);
}

NTSTATUS imp_WdfDpcCreate(PWDF_DRIVER_GLOBALS globals, PWDF_DPC_CONFIG config,
                          PWDF_OBJECT_ATTRIBUTES attributes, WDFDPC *dpc_out)
{
    if (dpc_out == NULL)
        return FX_NULL_PARAM(globals, "WdfDpcCreate", "Dpc");
    *dpc_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfDpcCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (config == NULL)
        return FX_NULL_PARAM(globals, "WdfDpcCreate", "Config");
    static const size_t sizes[] = {sizeof(WDF_DPC_CONFIG)};
    if (!fx_support_check_config_size(globals, "WdfDpcCreate", "WDF_DPC_CONFIG", config, config->Size, sizes, 1))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (config->EvtDpcFunc == NULL)
        return FX_NULL_PARAM(globals, "WdfDpcCreate", "Config->EvtDpcFunc");
    fx_object *parent;
    NTSTATUS status = fx_deferred_parent(globals, attributes, "WdfDpcCreate", &parent);
    if (!NT_SUCCESS(status))
        return status;
    fx_sync_lock *lock;
    status = fx_sync_serialization_lock(parent, config->AutomaticSerialization, FALSE, &lock, NULL);
    if (!NT_SUCCESS(status))
        return status;
    fx_dpc *dpc;
    status = fx_object_create(globals, &dpc_ops, sizeof *dpc, attributes, parent, (void **)&dpc);
    if (!NT_SUCCESS(status))
        return status;
    dpc->callback = config->EvtDpcFunc;
    KeInitializeSpinLock(&dpc->state_lock);
    KeInitializeDpc(&dpc->kdpc, dpc_routine, dpc);
    fx_deferred_init(&dpc->deferred, &dpc->object, lock, dpc_cancel);
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, dpc->object.handle, FX_TYPE_DPC, 0);
    *dpc_out = (WDFDPC)dpc->object.handle;
    return STATUS_SUCCESS;
}

BOOLEAN imp_WdfDpcEnqueue(PWDF_DRIVER_GLOBALS globals, WDFDPC handle)
{
    fx_dpc *dpc = dpc_from(globals, handle, "WdfDpcEnqueue");
    if (dpc == NULL)
        return FALSE;
    BOOLEAN queued = FALSE;
    KIRQL irql;
    KeAcquireSpinLock(&dpc->state_lock, &irql);
    if (!dpc->disposed)
        queued = KeInsertQueueDpc(&dpc->kdpc, NULL, NULL);
    KeReleaseSpinLock(&dpc->state_lock, irql);
    return queued;
}

BOOLEAN imp_WdfDpcCancel(PWDF_DRIVER_GLOBALS globals, WDFDPC handle, BOOLEAN wait)
{
    fx_dpc *dpc = dpc_from(globals, handle, "WdfDpcCancel");
    if (dpc == NULL)
        return FALSE;
    BOOLEAN removed = KeRemoveQueueDpc(&dpc->kdpc);
    if (wait && fx_deferred_may_wait(&dpc->deferred, globals, "WdfDpcCancel", "CALLBACK_SELF_WAIT"))
        KeFlushQueuedDpcs();
    return removed;
}

WDFOBJECT imp_WdfDpcGetParentObject(PWDF_DRIVER_GLOBALS globals, WDFDPC handle)
{
    fx_dpc *dpc = dpc_from(globals, handle, "WdfDpcGetParentObject");
    return (dpc != NULL && dpc->object.parent != NULL) ? dpc->object.parent->handle : NULL;
}

PKDPC imp_WdfDpcWdmGetDpc(PWDF_DRIVER_GLOBALS globals, WDFDPC handle)
{
    fx_dpc *dpc = dpc_from(globals, handle, "WdfDpcWdmGetDpc");
    return dpc != NULL ? &dpc->kdpc : NULL;
}
