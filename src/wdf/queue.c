/*
 * queue.c - WDFQUEUE objects: WdfIoQueueCreate with KMDF's validation and defaults (one default
 * queue per device, PowerManaged WdfUseDefault = not for filters, no power management on control
 * devices, synchronization scope and execution level), the queue DDIs (Start, Stop, Purge, Drain
 * and their Synchronously forms, StopAndPurge, GetState, ReadyNotify, manual retrieval and search),
 * and the queue's lifetime (dispose purges and waits for the driver's requests).
 * The engine behind them is queue_dispatch.c.
 */
#include "fx_call.h"
#include "fx_ifr.h"
#include "fx_request.h"
#include "fx_thread_slot.h"

#include <openwdf/nt.h>

#include <stdlib.h>
#include <string.h>

/* queue_dispatch.c's entry points that only this file uses. */
void fx_queue_wait_sync(fx_queue *queue, KEVENT *event, const char *what);
PFN_WDF_IO_QUEUE_STATE fx_queue_sync_callback(void);
NTSTATUS fx_queue_retrieve(fx_queue *queue, PFILE_OBJECT file, fx_request *tag, fx_request **out);
NTSTATUS fx_queue_find(fx_queue *queue, fx_request *tag, PFILE_OBJECT file, PWDF_REQUEST_PARAMETERS parameters,
                       fx_request **out);
WDF_IO_QUEUE_STATE fx_queue_get_state(fx_queue *queue, PULONG queued, PULONG driver);
NTSTATUS fx_queue_ready_notify(fx_queue *queue, PFN_WDF_IO_QUEUE_STATE callback, WDFCONTEXT context);
void fx_queue_dispose_wait(fx_queue *queue);

/* wdf-core's (fx_device.h), weak: file objects may not be linked in. */
extern fx_fileobject *fx_device_file_object(fx_device *device, PFILE_OBJECT file_object) __attribute__((weak));

/* Config sizes KMDF accepts: 1.7 (no Settings), 1.9 (no Driver), current. */
#define QUEUE_CONFIG_V1_7_SIZE offsetof(WDF_IO_QUEUE_CONFIG, Settings)
#define QUEUE_CONFIG_V1_9_SIZE offsetof(WDF_IO_QUEUE_CONFIG, Driver)

/* ---- Object ops ---------------------------------------------------------------------------- */

static void queue_dispose_worker(PVOID io_object, PVOID context, PIO_WORKITEM item)
{
    UNREFERENCED_PARAMETER(io_object);
    fx_queue *queue = context;
    fx_queue_dispose_wait(queue);
    IoFreeWorkItem(item);
    FX_DEREF(&queue->object, NULL);
}

static void queue_dispose(fx_object *object)
{
    fx_queue *queue = CONTAINING_RECORD(object, fx_queue, object);
    fx_device *device = queue->device;
    KIRQL irql;
    KeAcquireSpinLock(&device->object.lock, &irql);
    if (device->default_queue == queue)
        __atomic_store_n(&device->default_queue, NULL, __ATOMIC_RELEASE);
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        if (device->dispatch_queues[i] == queue)
            __atomic_store_n(&device->dispatch_queues[i], NULL, __ATOMIC_RELEASE);
    }
    KeReleaseSpinLock(&device->object.lock, irql);

    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        fx_queue_dispose_wait(queue);
        return;
    }
    /* Deleted above PASSIVE_LEVEL: purge now, wait for the driver's requests from a worker; the
     * reference keeps the queue until then. */
    PIO_WORKITEM item = IoAllocateWorkItem(device->wdm_device);
    FX_REF(&queue->object, NULL);
    if (item == NULL) {
        fx_queue_purge(queue, TRUE, TRUE, NULL, NULL); /* best effort; the reference is leaked */
        return;
    }
    IoQueueWorkItemEx(item, queue_dispose_worker, DelayedWorkQueue, queue);
}

static void queue_destroy(fx_object *object)
{
    fx_queue *queue = CONTAINING_RECORD(object, fx_queue, object);
    fx_io_package *package = queue->package;
    KIRQL irql;
    KeAcquireSpinLock(&package->lock, &irql);
    RemoveEntryList(&queue->package_link);
    KeReleaseSpinLock(&package->lock, irql);
    if (queue->work_item != NULL)
        IoFreeWorkItem(queue->work_item);
    free(queue->lanes);
    FX_DEREF(&package->object, NULL);
}

/* An unlimited parallel queue's gate lanes (fx_queue.h): its counts, one share per thread slot. */
static BOOLEAN queue_lanes_create(fx_queue *queue)
{
    queue->lanes = aligned_alloc(64, FX_THREAD_SLOTS * sizeof(fx_queue_lane));
    if (queue->lanes == NULL)
        return FALSE;
    memset(queue->lanes, 0, FX_THREAD_SLOTS * sizeof(fx_queue_lane));
    for (unsigned i = 0; i < FX_THREAD_SLOTS; i++)
        queue->lanes[i].word = FX_LANE_BIAS;
    return TRUE;
}

static BOOLEAN queue_driver_may_delete(fx_object *object)
{
    fx_queue *queue = CONTAINING_RECORD(object, fx_queue, object);
    return !queue->no_delete;
}

static const fx_object_ops queue_ops = {
    .type = FX_TYPE_QUEUE,
    .name = "WDFQUEUE",
    .dispose = queue_dispose,
    .destroy = queue_destroy,
    .driver_may_delete = queue_driver_may_delete,
    .allows_execution_level = TRUE,
    .allows_synchronization_scope = TRUE,
    .allows_parent = TRUE,
};

static fx_sync_lock *queue_lock_getter(fx_object *object)
{
    fx_queue *queue = CONTAINING_RECORD(object, fx_queue, object);
    return queue->callback_lock;
}

__attribute__((constructor)) static void queue_register_lock_getter(void)
{
    fx_sync_register_lock_getter(&queue_ops, queue_lock_getter);
}

fx_queue *fx_queue_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, const char *caller)
{
    fx_object *object = fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_QUEUE, caller);
    return object != NULL ? CONTAINING_RECORD(object, fx_queue, object) : NULL;
}

/* ---- WdfIoQueueCreate ------------------------------------------------------------------------ */

static NTSTATUS config_invalid(PWDF_DRIVER_GLOBALS globals, const void *config, NTSTATUS status, const char *why)
{
    OWDF_VERIFY_REPORT("QUEUE_CONFIG_INVALID", config, "WDF_IO_QUEUE_CONFIG", fx_report_driver(globals),
                       "WdfIoQueueCreate: %s (0x%08x)", why, (unsigned)status);
    return status;
}

static NTSTATUS validate_config(PWDF_DRIVER_GLOBALS globals, const PWDF_IO_QUEUE_CONFIG given,
                                WDF_IO_QUEUE_CONFIG *config)
{
    ULONG size = given->Size;
    if (size != sizeof(WDF_IO_QUEUE_CONFIG) && size != QUEUE_CONFIG_V1_9_SIZE && size != QUEUE_CONFIG_V1_7_SIZE)
        return config_invalid(globals, given, STATUS_INFO_LENGTH_MISMATCH,
                              "WDF_IO_QUEUE_CONFIG.Size is wrong (use WDF_IO_QUEUE_CONFIG_INIT)");
    RtlZeroMemory(config, sizeof *config);
    RtlCopyMemory(config, given, size);
    if (size == QUEUE_CONFIG_V1_7_SIZE && config->DispatchType == WdfIoQueueDispatchParallel)
        config->Settings.Parallel.NumberOfPresentedRequests = (ULONG)-1;

    if (config->DispatchType <= WdfIoQueueDispatchInvalid || config->DispatchType >= WdfIoQueueDispatchMax)
        return config_invalid(globals, given, STATUS_INVALID_PARAMETER, "invalid DispatchType");
    BOOLEAN any_handler = config->EvtIoDefault != NULL || config->EvtIoRead != NULL || config->EvtIoWrite != NULL ||
                          config->EvtIoDeviceControl != NULL || config->EvtIoInternalDeviceControl != NULL;
    if (config->DispatchType != WdfIoQueueDispatchManual && !any_handler)
        return config_invalid(globals, given, STATUS_WDF_NO_CALLBACK,
                              "a sequential or parallel queue needs EvtIoDefault or a request handler");
    if (config->DispatchType == WdfIoQueueDispatchManual && any_handler)
        return config_invalid(globals, given, STATUS_INVALID_PARAMETER,
                              "a manual queue cannot have request handlers (they would never be called)");
    if (size > QUEUE_CONFIG_V1_7_SIZE) {
        ULONG n = config->Settings.Parallel.NumberOfPresentedRequests;
        if (n != 0 && config->DispatchType != WdfIoQueueDispatchParallel)
            return config_invalid(globals, given, STATUS_INVALID_PARAMETER,
                                  "NumberOfPresentedRequests must be 0 on a sequential or manual queue");
        if (n == 0 && config->DispatchType == WdfIoQueueDispatchParallel)
            return config_invalid(globals, given, STATUS_INVALID_PARAMETER,
                                  "NumberOfPresentedRequests is 0 on a parallel queue");
    }
    if (config->PowerManaged != WdfFalse && config->PowerManaged != WdfTrue && config->PowerManaged != WdfUseDefault)
        return config_invalid(globals, given, STATUS_INVALID_PARAMETER, "invalid PowerManaged value");
    if (size == sizeof(WDF_IO_QUEUE_CONFIG) && config->Driver != NULL &&
        fx_object_from_handle_at(globals, (WDFOBJECT)config->Driver, FX_TYPE_DRIVER, "WdfIoQueueCreate") == NULL)
        return STATUS_INVALID_HANDLE;
    return STATUS_SUCCESS;
}

/* The queue's parent must be the device or have it as an ancestor. */
static NTSTATUS check_parent(PWDF_DRIVER_GLOBALS globals, fx_device *device, const WDF_OBJECT_ATTRIBUTES *attrs)
{
    if (attrs == NULL || attrs->Size != sizeof(WDF_OBJECT_ATTRIBUTES) || attrs->ParentObject == NULL)
        return STATUS_SUCCESS;
    fx_object *parent = fx_object_from_handle_at(globals, attrs->ParentObject, FX_TYPE_INVALID, "WdfIoQueueCreate");
    if (parent == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_sync_find_device(parent) != &device->object) {
        OWDF_VERIFY_REPORT(
            "QUEUE_CONFIG_INVALID", attrs->ParentObject, "WDFOBJECT", fx_report_driver(globals),
            "WdfIoQueueCreate: QueueAttributes->ParentObject %p does not have WDFDEVICE %p as an "
            "ancestor",
            (void *)attrs->ParentObject, device->object.handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfIoQueueCreate(PWDF_DRIVER_GLOBALS globals, WDFDEVICE device_handle, PWDF_IO_QUEUE_CONFIG given,
                              PWDF_OBJECT_ATTRIBUTES attributes, WDFQUEUE *queue_out)
{
    if (queue_out != NULL)
        *queue_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_device *device = fx_device_from_handle(globals, device_handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (given == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", NULL, "WDF_IO_QUEUE_CONFIG", fx_report_driver(globals),
                           "WdfIoQueueCreate: Config is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    WDF_IO_QUEUE_CONFIG config;
    NTSTATUS status = validate_config(globals, given, &config);
    if (!NT_SUCCESS(status))
        return status;
    status = check_parent(globals, device, attributes);
    if (!NT_SUCCESS(status))
        return status;
    fx_io_package *package = fx_io_package_get(device);
    if (package == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (config.DefaultQueue && __atomic_load_n(&device->default_queue, __ATOMIC_ACQUIRE) != NULL)
        return config_invalid(globals, given, STATUS_UNSUCCESSFUL, "the device already has a default queue");

    fx_queue *queue;
    status = fx_object_create(globals, &queue_ops, sizeof(fx_queue), attributes, &device->object, (void **)&queue);
    if (!NT_SUCCESS(status))
        return status;

    /* Held from here on: queue_destroy drops it, even when the creation fails below. */
    FX_REF(&package->object, NULL);
    queue->package = package;
    queue->device = device;
    queue->config = config;
    KeInitializeSpinLock(&queue->lock);
    InitializeListHead(&queue->pending);
    InitializeListHead(&queue->canceled);
    InitializeListHead(&queue->waiters);
    InitializeListHead(&queue->package_link);
    queue->is_default = config.DefaultQueue;
    queue->no_delete = config.DefaultQueue;
    switch (config.DispatchType) {
    case WdfIoQueueDispatchSequential:
        queue->max_presented = 1;
        break;
    case WdfIoQueueDispatchParallel:
        queue->max_presented = config.Settings.Parallel.NumberOfPresentedRequests;
        if (queue->max_presented == (ULONG)-1 && !queue_lanes_create(queue)) {
            fx_object_delete(&queue->object);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        break;
    default:
        queue->max_presented = 0;
        break;
    }
    if (config.PowerManaged == WdfUseDefault)
        queue->power_managed = !fx_device_is_filter(device);
    else
        queue->power_managed = config.PowerManaged == WdfTrue;
    if (device->flags & FX_DEVICE_CONTROL)
        queue->power_managed = FALSE; /* non-PnP devices have no power to manage */

    /* Execution level and synchronization scope (resolved by the object model from the device). */
    queue->passive = queue->object.execution_level == WdfExecutionLevelPassive;
    fx_sync_lock_init(&queue->own_lock, queue->passive, &queue->object, "WDFQUEUE callback lock");
    switch (queue->object.synchronization_scope) {
    case WdfSynchronizationScopeQueue:
        queue->callback_lock = &queue->own_lock;
        break;
    case WdfSynchronizationScopeDevice:
        if (queue->object.execution_level != device->object.execution_level) {
            fx_object_delete(&queue->object);
            return config_invalid(globals, given, STATUS_INVALID_PARAMETER,
                                  "device synchronization scope with an execution level other than the device's");
        }
        queue->callback_lock = fx_sync_object_lock(&device->object);
        break;
    default:
        queue->callback_lock = NULL;
        break;
    }
    if (device->wdm_device != NULL)
        queue->work_item = IoAllocateWorkItem(device->wdm_device);
    if (queue->work_item == NULL) {
        fx_object_delete(&queue->object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    KIRQL irql;
    KeAcquireSpinLock(&package->lock, &irql);
    queue->state = package->removed ? FX_QUEUE_SHUTDOWN | FX_QUEUE_DISPATCHING
                                    : FX_QUEUE_ACCEPTING | FX_QUEUE_DISPATCHING;
    queue->power = (queue->power_managed && !package->powered) ? FX_QPOWER_OFF : FX_QPOWER_ON;
    InsertTailList(&package->queues, &queue->package_link);
    KeReleaseSpinLock(&package->lock, irql);

    if (config.DefaultQueue) {
        KeAcquireSpinLock(&device->object.lock, &irql);
        BOOLEAN taken = device->default_queue != NULL;
        if (!taken)
            __atomic_store_n(&device->default_queue, queue, __ATOMIC_RELEASE);
        KeReleaseSpinLock(&device->object.lock, irql);
        if (taken) {
            queue->no_delete = FALSE;
            fx_object_delete(&queue->object);
            return config_invalid(globals, given, STATUS_UNSUCCESSFUL, "the device already has a default queue");
        }
    }
    fx_queue_kick(queue); /* opens the gate */
    fx_ifr_record(fx_globals(globals)->ifr, OWDF_IFR_OBJECT_CREATED, queue->object.handle, FX_TYPE_QUEUE,
                  config.DispatchType);
    if (queue_out != NULL)
        *queue_out = fx_queue_handle(queue);
    return STATUS_SUCCESS;
}

/* ---- Queue DDIs -------------------------------------------------------------------------------- */

WDFDEVICE imp_WdfIoQueueGetDevice(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle)
{
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    return queue != NULL ? fx_device_handle(queue->device) : NULL;
}

WDF_IO_QUEUE_STATE imp_WdfIoQueueGetState(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, PULONG queue_requests,
                                          PULONG driver_requests)
{
    if (queue_requests != NULL)
        *queue_requests = 0;
    if (driver_requests != NULL)
        *driver_requests = 0;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueGetState"))
        return (WDF_IO_QUEUE_STATE)0;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue == NULL)
        return (WDF_IO_QUEUE_STATE)0;
    return fx_queue_get_state(queue, queue_requests, driver_requests);
}

void imp_WdfIoQueueStart(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueStart"))
        return;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue != NULL)
        fx_queue_start(queue);
}

void imp_WdfIoQueueStop(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, PFN_WDF_IO_QUEUE_STATE stop_complete,
                        WDFCONTEXT context)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueStop"))
        return;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue != NULL)
        (void)fx_queue_stop(queue, stop_complete, context, FALSE);
}

void imp_WdfIoQueueStopAndPurge(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, PFN_WDF_IO_QUEUE_STATE complete,
                                WDFCONTEXT context)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueStopAndPurge"))
        return;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue != NULL)
        (void)fx_queue_stop(queue, complete, context, TRUE);
}

void imp_WdfIoQueuePurge(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, PFN_WDF_IO_QUEUE_STATE purge_complete,
                         WDFCONTEXT context)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueuePurge"))
        return;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue != NULL)
        (void)fx_queue_purge(queue, TRUE, TRUE, purge_complete, context);
}

void imp_WdfIoQueueDrain(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, PFN_WDF_IO_QUEUE_STATE drain_complete,
                         WDFCONTEXT context)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueDrain"))
        return;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue != NULL)
        (void)fx_queue_purge(queue, FALSE, FALSE, drain_complete, context);
}

/* The *Synchronously forms: PASSIVE_LEVEL; they return once the queue reached the state. */
enum sync_op { SYNC_STOP, SYNC_STOP_AND_PURGE, SYNC_PURGE, SYNC_DRAIN };

static void queue_op_synchronously(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, enum sync_op op, const char *ddi)
{
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return;
    fx_queue *queue = fx_queue_from_handle_at(globals, handle, ddi);
    if (queue == NULL)
        return;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    NTSTATUS status;
    switch (op) {
    case SYNC_STOP:
        status = fx_queue_stop(queue, fx_queue_sync_callback(), &event, FALSE);
        break;
    case SYNC_STOP_AND_PURGE:
        status = fx_queue_stop(queue, fx_queue_sync_callback(), &event, TRUE);
        break;
    case SYNC_PURGE:
        status = fx_queue_purge(queue, TRUE, TRUE, fx_queue_sync_callback(), &event);
        break;
    default:
        status = fx_queue_purge(queue, FALSE, FALSE, fx_queue_sync_callback(), &event);
        break;
    }
    if (NT_SUCCESS(status))
        fx_queue_wait_sync(queue, &event, ddi);
}

void imp_WdfIoQueueStopSynchronously(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle)
{
    queue_op_synchronously(globals, handle, SYNC_STOP, "WdfIoQueueStopSynchronously");
}

void imp_WdfIoQueueStopAndPurgeSynchronously(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle)
{
    queue_op_synchronously(globals, handle, SYNC_STOP_AND_PURGE, "WdfIoQueueStopAndPurgeSynchronously");
}

void imp_WdfIoQueuePurgeSynchronously(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle)
{
    queue_op_synchronously(globals, handle, SYNC_PURGE, "WdfIoQueuePurgeSynchronously");
}

void imp_WdfIoQueueDrainSynchronously(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle)
{
    queue_op_synchronously(globals, handle, SYNC_DRAIN, "WdfIoQueueDrainSynchronously");
}

NTSTATUS imp_WdfIoQueueReadyNotify(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, PFN_WDF_IO_QUEUE_STATE ready,
                                   WDFCONTEXT context)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueReadyNotify"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue == NULL)
        return STATUS_INVALID_HANDLE;
    if (queue->config.DispatchType != WdfIoQueueDispatchManual) {
        OWDF_VERIFY_REPORT("MANUAL_ONLY_API", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueReadyNotify: WDFQUEUE %p is not a manual queue", (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return fx_queue_ready_notify(queue, ready, context);
}

/* ---- Manual retrieval ---------------------------------------------------------------------------- */

static NTSTATUS retrieve(PWDF_DRIVER_GLOBALS globals, fx_queue *queue, PFILE_OBJECT file, fx_request *tag,
                         WDFREQUEST *out)
{
    fx_request *request;
    NTSTATUS status = fx_queue_retrieve(queue, file, tag, &request);
    UNREFERENCED_PARAMETER(globals);
    if (NT_SUCCESS(status))
        *out = fx_request_handle(request);
    return status;
}

NTSTATUS imp_WdfIoQueueRetrieveNextRequest(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, WDFREQUEST *out)
{
    if (out == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueRetrieveNextRequest: OutRequest is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueRetrieveNextRequest"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue == NULL)
        return STATUS_INVALID_HANDLE;
    return retrieve(globals, queue, NULL, NULL, out);
}

static PFILE_OBJECT wdm_file_of(PWDF_DRIVER_GLOBALS globals, WDFFILEOBJECT handle, const char *ddi)
{
    fx_object *object = fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_FILEOBJECT, ddi);
    return object != NULL ? CONTAINING_RECORD(object, fx_fileobject, object)->wdm_file : NULL;
}

NTSTATUS imp_WdfIoQueueRetrieveRequestByFileObject(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle,
                                                   WDFFILEOBJECT file_object, WDFREQUEST *out)
{
    if (out == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueRetrieveRequestByFileObject: OutRequest is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueRetrieveRequestByFileObject"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue == NULL)
        return STATUS_INVALID_HANDLE;
    PFILE_OBJECT file = wdm_file_of(globals, file_object, "WdfIoQueueRetrieveRequestByFileObject");
    if (file == NULL)
        return STATUS_INVALID_PARAMETER;
    return retrieve(globals, queue, file, NULL, out);
}

NTSTATUS imp_WdfIoQueueFindRequest(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, WDFREQUEST found_request,
                                   WDFFILEOBJECT file_object, PWDF_REQUEST_PARAMETERS parameters, WDFREQUEST *out)
{
    if (out == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueFindRequest: OutRequest is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueFindRequest"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue == NULL)
        return STATUS_INVALID_HANDLE;
    if (queue->config.DispatchType != WdfIoQueueDispatchManual) {
        OWDF_VERIFY_REPORT("MANUAL_ONLY_API", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueFindRequest: WDFQUEUE %p is not a manual queue", (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (parameters != NULL && parameters->Size != sizeof(WDF_REQUEST_PARAMETERS))
        return STATUS_INFO_LENGTH_MISMATCH;
    fx_request *tag = NULL;
    if (found_request != NULL) {
        tag = fx_request_lookup_any(globals, found_request, "WdfIoQueueFindRequest");
        if (tag == NULL)
            return STATUS_INVALID_HANDLE;
    }
    PFILE_OBJECT file = NULL;
    if (file_object != NULL) {
        file = wdm_file_of(globals, file_object, "WdfIoQueueFindRequest");
        if (file == NULL)
            return STATUS_INVALID_PARAMETER;
    }
    fx_request *request;
    NTSTATUS status = fx_queue_find(queue, tag, file, parameters, &request);
    if (NT_SUCCESS(status))
        *out = fx_request_handle(request);
    return status;
}

NTSTATUS imp_WdfIoQueueRetrieveFoundRequest(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle, WDFREQUEST found_request,
                                            WDFREQUEST *out)
{
    if (out == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueRetrieveFoundRequest: OutRequest is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfIoQueueRetrieveFoundRequest"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *queue = fx_queue_from_handle(globals, handle);
    if (queue == NULL)
        return STATUS_INVALID_HANDLE;
    if (queue->config.DispatchType != WdfIoQueueDispatchManual) {
        OWDF_VERIFY_REPORT("MANUAL_ONLY_API", handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfIoQueueRetrieveFoundRequest: WDFQUEUE %p is not a manual queue",
                           (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    fx_request *tag = fx_request_lookup_any(globals, found_request, "WdfIoQueueRetrieveFoundRequest");
    if (tag == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_owner_of(tag) == FX_REQ_QUEUED && tag->queue == queue && !fx_request_has_flag(tag, FX_REQ_FOUND)) {
        owdf_verifier_policy policy = OWDF_VERIFY_REPORT(
            "RETRIEVE_FOUND_WITHOUT_FIND", found_request, "WDFREQUEST", fx_report_driver(globals),
            "WdfIoQueueRetrieveFoundRequest: WDFREQUEST %p was not returned by "
            "WdfIoQueueFindRequest",
            (void *)found_request);
        if (policy != OWDF_POLICY_LOG)
            return STATUS_INVALID_DEVICE_REQUEST;
    }
    return retrieve(globals, queue, NULL, tag, out);
}

NTSTATUS imp_WdfIoQueueAssignForwardProgressPolicy(PWDF_DRIVER_GLOBALS globals, WDFQUEUE handle,
                                                   PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY policy)
{
    UNREFERENCED_PARAMETER(policy);
    OWDF_VERIFY_REPORT("NOT_IMPLEMENTED", handle, "WDFQUEUE", fx_report_driver(globals),
                       "WdfIoQueueAssignForwardProgressPolicy is not implemented (reserved requests)");
    return STATUS_NOT_IMPLEMENTED;
}

/* File objects of requests (request.c asks through here so the weak symbol lives in one place). */
WDFFILEOBJECT fx_io_file_object_handle(fx_device *device, PFILE_OBJECT file);

WDFFILEOBJECT fx_io_file_object_handle(fx_device *device, PFILE_OBJECT file)
{
    if (file == NULL || fx_device_file_object == NULL)
        return NULL;
    fx_fileobject *fo = fx_device_file_object(device, file);
    return fo != NULL ? (WDFFILEOBJECT)fo->object.handle : NULL;
}
