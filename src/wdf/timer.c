/*
 * timer.c - WDFTIMER over a KTIMER and its KDPC. A dispatch-level timer calls EvtTimerFunc from the
 * DPC; a passive-level timer (attributes ExecutionLevel = Passive) has the DPC queue a system work
 * item that calls it at PASSIVE_LEVEL (a firing while that work item is still queued is merged into
 * it). AutomaticSerialization runs the callback under the parent's callback lock (fx_sync.h).
 * Delete cancels the timer and waits for a running callback, unless it is called from the callback
 * itself or at DISPATCH_LEVEL, when that wait is deferred (fx_deferred.h).
 */
#include "fx_deferred.h"

#include <wdftimer.h>

typedef struct fx_timer {
    fx_object object;
    fx_deferred deferred;
    PFN_WDF_TIMER callback;
    ULONG period;          /* ms */
    ULONG tolerable_delay; /* ms */
    BOOLEAN passive;
    BOOLEAN high_resolution;
    KSPIN_LOCK state_lock;     /* orders Start against dispose */
    BOOLEAN disposed;          /* under state_lock; read atomically by the routines */
    volatile LONG work_queued; /* passive timers: the work item is queued */
    KTIMER ktimer;
    KDPC kdpc;
    WORK_QUEUE_ITEM work;
} fx_timer;

static BOOLEAN timer_disposed(fx_timer *t)
{
    return __atomic_load_n(&t->disposed, __ATOMIC_ACQUIRE);
}

static void invoke_timer(fx_deferred *d)
{
    fx_timer *t = CONTAINING_RECORD(d, fx_timer, deferred);
    t->callback((WDFTIMER)t->object.handle);
}

static void timer_work(PVOID context)
{
    fx_timer *t = context;
    __atomic_store_n(&t->work_queued, 0, __ATOMIC_RELEASE);
    if (!timer_disposed(t))
        fx_deferred_call(&t->deferred, invoke_timer, "EvtTimerFunc");
    fx_deferred_work_done(&t->deferred); /* may free t */
}

static void timer_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(arg1);
    UNREFERENCED_PARAMETER(arg2);
    fx_timer *t = context;
    if (timer_disposed(t))
        return;
    if (!t->passive) {
        fx_deferred_call(&t->deferred, invoke_timer, "EvtTimerFunc");
        return;
    }
    LONG expected = 0;
    if (__atomic_compare_exchange_n(&t->work_queued, &expected, 1, FALSE, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        fx_deferred_work_queued(&t->deferred);
        ExQueueWorkItem(&t->work, DelayedWorkQueue);
    }
}

static void timer_cancel(fx_deferred *d)
{
    fx_timer *t = CONTAINING_RECORD(d, fx_timer, deferred);
    KeCancelTimer(&t->ktimer);
    KeRemoveQueueDpc(&t->kdpc);
}

static void timer_dispose(fx_object *object)
{
    fx_timer *t = (fx_timer *)object;
    KIRQL irql;
    KeAcquireSpinLock(&t->state_lock, &irql);
    __atomic_store_n(&t->disposed, TRUE, __ATOMIC_RELEASE);
    KeReleaseSpinLock(&t->state_lock, irql);
    fx_deferred_dispose(&t->deferred);
}

static const fx_object_ops timer_ops = {
    .type = FX_TYPE_TIMER,
    .name = "WDFTIMER",
    .dispose = timer_dispose,
    .allows_parent = TRUE,
    .allows_execution_level = TRUE,
};

/* WDF_TIMER_CONFIG as KMDF 1.0-1.9 drivers built it (before TolerableDelay); still accepted. */
typedef struct wdf_timer_config_v1_0 {
    ULONG Size;
    PFN_WDF_TIMER EvtTimerFunc;
    ULONG Period;
    BOOLEAN AutomaticSerialization;
} wdf_timer_config_v1_0;
#define TIMER_CONFIG_V1_0_SIZE sizeof(wdf_timer_config_v1_0)

NTSTATUS imp_WdfTimerCreate(PWDF_DRIVER_GLOBALS globals, PWDF_TIMER_CONFIG config,
                            PWDF_OBJECT_ATTRIBUTES attributes, WDFTIMER *timer_out)
{
    if (timer_out == NULL)
        return FX_NULL_PARAM(globals, "WdfTimerCreate", "Timer");
    *timer_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfTimerCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (config == NULL)
        return FX_NULL_PARAM(globals, "WdfTimerCreate", "Config");
    static const size_t sizes[] = {sizeof(WDF_TIMER_CONFIG), TIMER_CONFIG_V1_0_SIZE};
    if (!fx_support_check_config_size(globals, "WdfTimerCreate", "WDF_TIMER_CONFIG", config, config->Size, sizes, 2))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (config->EvtTimerFunc == NULL)
        return FX_NULL_PARAM(globals, "WdfTimerCreate", "Config->EvtTimerFunc");
    ULONG tolerable_delay = 0;
    BOOLEAN high_resolution = FALSE;
    if (config->Size == sizeof(WDF_TIMER_CONFIG)) {
        tolerable_delay = config->TolerableDelay;
        high_resolution = config->UseHighResolutionTimer;
    }
    if (config->Period > MAXLONG)
        return STATUS_INVALID_PARAMETER;

    fx_object *parent;
    NTSTATUS status = fx_deferred_parent(globals, attributes, "WdfTimerCreate", &parent);
    if (!NT_SUCCESS(status))
        return status;
    BOOLEAN passive = attributes->ExecutionLevel == WdfExecutionLevelPassive;
    /* A high-resolution timer is neither coalescable nor run from a work item. */
    if (high_resolution && (tolerable_delay != 0 || passive))
        return STATUS_INVALID_PARAMETER;
    fx_sync_lock *lock;
    status = fx_sync_serialization_lock(parent, config->AutomaticSerialization, passive, &lock, NULL);
    if (!NT_SUCCESS(status))
        return status;

    fx_timer *t;
    status = fx_object_create(globals, &timer_ops, sizeof *t, attributes, parent, (void **)&t);
    if (!NT_SUCCESS(status))
        return status;
    t->callback = config->EvtTimerFunc;
    t->period = config->Period;
    t->tolerable_delay = tolerable_delay;
    t->passive = passive;
    t->high_resolution = high_resolution;
    KeInitializeSpinLock(&t->state_lock);
    KeInitializeTimerEx(&t->ktimer, NotificationTimer);
    KeInitializeDpc(&t->kdpc, timer_dpc, t);
    ExInitializeWorkItem(&t->work, timer_work, t);
    fx_deferred_init(&t->deferred, &t->object, lock, timer_cancel);
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, t->object.handle, FX_TYPE_TIMER,
                  t->period);
    *timer_out = (WDFTIMER)t->object.handle;
    return STATUS_SUCCESS;
}

BOOLEAN imp_WdfTimerStart(PWDF_DRIVER_GLOBALS globals, WDFTIMER handle, LONGLONG due_time)
{
    fx_timer *t = (fx_timer *)fx_object_from_handle_at(globals, handle, FX_TYPE_TIMER, "WdfTimerStart");
    if (t == NULL)
        return FALSE;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfTimerStart"))
        return FALSE;
    LARGE_INTEGER due = {.QuadPart = due_time};
    BOOLEAN was_set = FALSE;
    KIRQL irql;
    KeAcquireSpinLock(&t->state_lock, &irql);
    if (!t->disposed) {
        if (t->tolerable_delay != 0)
            was_set = KeSetCoalescableTimer(&t->ktimer, due, t->period, t->tolerable_delay, &t->kdpc);
        else
            was_set = KeSetTimerEx(&t->ktimer, due, (LONG)t->period, &t->kdpc);
    }
    KeReleaseSpinLock(&t->state_lock, irql);
    return was_set;
}

BOOLEAN imp_WdfTimerStop(PWDF_DRIVER_GLOBALS globals, WDFTIMER handle, BOOLEAN wait)
{
    fx_timer *t = (fx_timer *)fx_object_from_handle_at(globals, handle, FX_TYPE_TIMER, "WdfTimerStop");
    if (t == NULL)
        return FALSE;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfTimerStop"))
        return FALSE;
    BOOLEAN was_set = KeCancelTimer(&t->ktimer);
    if (wait && fx_deferred_may_wait(&t->deferred, globals, "WdfTimerStop", "TIMER_SELF_STOP_OR_DELETE")) {
        KeFlushQueuedDpcs();                 /* a callback already queued or running finishes */
        fx_deferred_wait_idle(&t->deferred); /* and a passive timer's work item */
    }
    return was_set;
}

WDFOBJECT imp_WdfTimerGetParentObject(PWDF_DRIVER_GLOBALS globals, WDFTIMER handle)
{
    fx_object *t = fx_object_from_handle_at(globals, handle, FX_TYPE_TIMER, "WdfTimerGetParentObject");
    return (t != NULL && t->parent != NULL) ? t->parent->handle : NULL;
}
