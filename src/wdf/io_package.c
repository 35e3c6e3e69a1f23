/*
 * io_package.c - the I/O package of a device: where the device's dispatch hands requests over,
 * KMDF's routing rules (EvtIoInCallerContext, the configured queue, the default queue, a filter's
 * pass-through), WdfDeviceConfigureRequestDispatching / WdfDeviceEnqueueRequest, and the power and
 * removal events that PnP (wdf-core) sends to all the device's queues.
 *
 * The package is created on first use as a child object of the device, so it is deleted with the
 * device after its queues (they hold references on it) and the request objects it caches.
 */
#include "fx_call.h"
#include "fx_ifr.h"
#include "fx_request.h"
#include "fx_thread_slot.h"

#include <openwdf/nt.h>

#include <stdlib.h>
#include <string.h>

/* wdf-core's (fx_device.h); weak so the package links (and works without file objects) alone. */
extern void fx_file_create_completing(fx_device *device, PIRP irp, NTSTATUS status) __attribute__((weak));

static volatile ULONG teardown_timeout_ms = 5000;

OWDF_API void owdf_io_set_teardown_timeout(ULONG milliseconds)
{
    __atomic_store_n(&teardown_timeout_ms, milliseconds, __ATOMIC_RELAXED);
}

ULONG fx_io_teardown_timeout_ms(void)
{
    return __atomic_load_n(&teardown_timeout_ms, __ATOMIC_RELAXED);
}

/* ---- The package object ------------------------------------------------------------------- */

static void package_dispose(fx_object *object)
{
    fx_request_cache_drain(CONTAINING_RECORD(object, fx_io_package, object));
}

/* After the last request object let go of the package: none can reach the slots any more. */
static void package_destroy(fx_object *object)
{
    fx_io_package *package = CONTAINING_RECORD(object, fx_io_package, object);
    free(package->cache_slots);
    package->cache_slots = NULL;
}

static BOOLEAN package_driver_may_delete(fx_object *object)
{
    UNREFERENCED_PARAMETER(object);
    return FALSE;
}

static const fx_object_ops package_ops = {
    .type = FX_TYPE_OBJECT,
    .name = "WDF I/O package",
    .dispose = package_dispose,
    .destroy = package_destroy,
    .driver_may_delete = package_driver_may_delete,
};

/* The device's package if it was ever made: NULL before the first use. */
static fx_io_package *io_package_if_made(fx_device *device)
{
    return __atomic_load_n((fx_io_package **)&device->io_package, __ATOMIC_ACQUIRE);
}

fx_io_package *fx_io_package_get(fx_device *device)
{
    fx_io_package *package = io_package_if_made(device);
    if (IO_LIKELY(package != NULL))
        return package;

    fx_io_package *created;
    NTSTATUS status = fx_object_create(device->object.globals, &package_ops, sizeof(fx_io_package), NULL,
                                       &device->object, (void **)&created);
    if (!NT_SUCCESS(status))
        return NULL;
    created->object.framework_owned = TRUE;
    /* Slot arrays start on a cache line, so each slot has its two lines to itself. */
    created->cache_slots = aligned_alloc(64, FX_THREAD_SLOTS * sizeof(fx_request_cache_slot));
    if (created->cache_slots == NULL) {
        fx_object_delete(&created->object);
        return NULL;
    }
    memset(created->cache_slots, 0, FX_THREAD_SLOTS * sizeof(fx_request_cache_slot));
    created->device = device;
    created->globals = device->object.globals;
    KeInitializeSpinLock(&created->lock);
    InitializeListHead(&created->queues);
    InitializeListHead(&created->requests);
    InitializeSListHead(&created->cache);
    created->powered = (device->flags & FX_DEVICE_CONTROL) != 0 || fx_device_in_d0(device);
    if (device->has_request_attributes) {
        created->request_attributes = device->request_attributes;
        created->has_request_attributes = TRUE;
        created->request_cleanup = device->request_attributes.EvtCleanupCallback;
        created->request_destroy = device->request_attributes.EvtDestroyCallback;
        created->request_attributes.EvtCleanupCallback = NULL;
        created->request_attributes.EvtDestroyCallback = NULL;
        created->request_attributes.ParentObject = NULL;
        created->request_attributes.ExecutionLevel = WdfExecutionLevelInheritFromParent;
        created->request_attributes.SynchronizationScope = WdfSynchronizationScopeInheritFromParent;
        const WDF_OBJECT_CONTEXT_TYPE_INFO *info = created->request_attributes.ContextTypeInfo;
        if (info != NULL)
            created->request_context_size = created->request_attributes.ContextSizeOverride != 0
                                                ? created->request_attributes.ContextSizeOverride
                                                : info->ContextSize;
    }

    fx_io_package *expected = NULL;
    if (!__atomic_compare_exchange_n((fx_io_package **)&device->io_package, &expected, created, FALSE,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        fx_object_delete(&created->object);
        return expected;
    }
    return created;
}

/* ---- Routing ------------------------------------------------------------------------------- */

fx_queue *fx_io_queue_for(fx_device *device, UCHAR major_function)
{
    /* Written under device->object.lock with release stores; read without a lock on the I/O path.
     * Default and configured queues live as long as the device (they cannot be deleted alone). */
    fx_queue *queue = NULL;
    if (major_function <= IRP_MJ_MAXIMUM_FUNCTION)
        queue = __atomic_load_n(&device->dispatch_queues[major_function], __ATOMIC_ACQUIRE);
    if (queue == NULL)
        queue = __atomic_load_n(&device->default_queue, __ATOMIC_ACQUIRE);
    return queue;
}

BOOLEAN fx_io_dispatches_create(fx_device *device)
{
    return __atomic_load_n(&device->dispatch_queues[IRP_MJ_CREATE], __ATOMIC_ACQUIRE) != NULL;
}

static BOOLEAN io_routes_in_caller_context(UCHAR major)
{
    return major == IRP_MJ_READ || major == IRP_MJ_WRITE || major == IRP_MJ_DEVICE_CONTROL ||
           major == IRP_MJ_INTERNAL_DEVICE_CONTROL;
}

static NTSTATUS io_complete_irp(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* What KMDF does with a request no queue takes: a filter sends it down untouched. */
static NTSTATUS io_forward_down(fx_device *device, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(device->attached_device, irp);
}

static NTSTATUS io_unhandled(fx_device *device, PIRP irp)
{
    if (fx_device_is_filter(device) && device->attached_device != NULL)
        return io_forward_down(device, irp);
    return io_complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST);
}

/* EvtIoInCallerContext: the driver owns the request; it gives it back with WdfDeviceEnqueueRequest
 * or completes it. Runs on the caller's thread, in the caller's context. */
static NTSTATUS io_present_in_caller_context(fx_device *device, fx_request *request)
{
    fx_request_set_owner(request, FX_REQ_DRIVER);
    fx_request_set_flag(request, FX_REQ_IN_CALLER_CONTEXT);
    request->caller_context_thread = KeGetCurrentThread();
    __atomic_fetch_add(&request->holds, 1, __ATOMIC_ACQ_REL);
    IoMarkIrpPending(request->irp);
    fx_ifr_record(fx_globals(device->object.globals)->ifr, OWDF_IFR_REQUEST_PRESENTED, request->object.handle,
                  request->irp->Tail.Overlay.CurrentStackLocation->MajorFunction, 0);

    fx_driver_call call;
    fx_enter_driver(device->object.globals, &call);
    device->io_in_caller_context(fx_device_handle(device), fx_request_handle(request));
    fx_leave_driver(&call, "EvtIoInCallerContext");

    request->caller_context_thread = NULL;
    fx_request_clear_flag(request, FX_REQ_IN_CALLER_CONTEXT);
    fx_request_release_hold(request);
    return STATUS_PENDING;
}

static NTSTATUS io_dispatch(fx_device *device, PIRP irp)
{
    /* Read first: the counter's latency passes while the request is routed and allocated. */
    uint64_t arrived = fx_ifr_ticks();
    fx_io_package *package = fx_io_package_get(device);
    if (IO_UNLIKELY(package == NULL))
        return io_complete_irp(irp, STATUS_INSUFFICIENT_RESOURCES);

    UCHAR major = IoGetCurrentIrpStackLocation(irp)->MajorFunction;
    fx_queue *queue = fx_io_queue_for(device, major);
    BOOLEAN in_caller = device->io_in_caller_context != NULL && io_routes_in_caller_context(major);
    if (queue == NULL && !in_caller)
        return io_unhandled(device, irp);
    /* A filter's default queue only takes the types it has a callback for; the rest goes down. */
    if (fx_device_is_filter(device) && !in_caller && queue == device->default_queue &&
        !fx_queue_handles(queue, major) && device->attached_device != NULL)
        return io_forward_down(device, irp);

    fx_request *request;
    NTSTATUS status = fx_request_alloc(package, irp, &request);
    if (IO_UNLIKELY(!NT_SUCCESS(status)))
        return io_complete_irp(irp, status);
    if (in_caller)
        return io_present_in_caller_context(device, request);
    request->arrived = arrived;
    return fx_queue_insert_new(queue, request);
}

NTSTATUS fx_io_dispatch(fx_device *device, PIRP irp)
{
    return io_dispatch(device, irp);
}

NTSTATUS fx_io_request_from_irp(fx_device *device, PIRP irp, WDFREQUEST *request_out)
{
    *request_out = NULL;
    fx_io_package *package = fx_io_package_get(device);
    if (package == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    fx_request *request;
    NTSTATUS status = fx_request_alloc(package, irp, &request);
    if (!NT_SUCCESS(status))
        return status;
    IoMarkIrpPending(irp);
    fx_request_set_owner(request, FX_REQ_DRIVER);
    *request_out = fx_request_handle(request);
    return STATUS_SUCCESS;
}

/* ---- WdfDeviceEnqueueRequest -------------------------------------------------------------- */

/* A filter sends a framework request down and forgets it: the IRP leaves, the object is recycled. */
static void io_send_and_forget(fx_device *device, fx_request *request)
{
    PIRP irp = request->irp;
    fx_request_set_owner(request, FX_REQ_COMPLETED);
    request->irp = NULL;
    IoSkipCurrentIrpStackLocation(irp);
    (void)IoCallDriver(device->attached_device, irp);
    fx_request_release_hold(request);
}

NTSTATUS fx_io_enqueue_request(fx_device *device, WDFREQUEST handle)
{
    PWDF_DRIVER_GLOBALS globals = device->object.globals;
    fx_request *request = fx_request_from_handle_at(globals, handle, "WdfDeviceEnqueueRequest");
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_owner_of(request) != FX_REQ_DRIVER || request->package == NULL ||
        !fx_request_has_flag(request, FX_REQ_IN_CALLER_CONTEXT)) {
        OWDF_VERIFY_REPORT("REQ_NOT_OWNED", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfDeviceEnqueueRequest: WDFREQUEST %p is not a request the driver owns in its "
                           "EvtIoInCallerContext",
                           (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (fx_request_has_flag(request, FX_REQ_CANCELABLE)) {
        OWDF_VERIFY_REPORT("REQ_NOT_OWNED", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfDeviceEnqueueRequest: WDFREQUEST %p is still marked cancelable",
                           (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (request->package->device != device) {
        OWDF_VERIFY_REPORT("FORWARD_SAME_OR_NONPARENT", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfDeviceEnqueueRequest: WDFREQUEST %p belongs to another WDFDEVICE",
                           (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    UCHAR major = request->major;
    fx_queue *queue = fx_io_queue_for(device, major);
    if (queue == NULL || (fx_device_is_filter(device) && queue == device->default_queue &&
                          !fx_queue_handles(queue, major))) {
        if (fx_device_is_filter(device) && device->attached_device != NULL) {
            io_send_and_forget(device, request);
            return STATUS_SUCCESS;
        }
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    fx_request_clear_flag(request, FX_REQ_IN_CALLER_CONTEXT);
    NTSTATUS status = fx_queue_insert_forwarded(queue, request, FALSE);
    if (!NT_SUCCESS(status))
        fx_request_set_flag(request, FX_REQ_IN_CALLER_CONTEXT); /* still the driver's, in its callback */
    return status;
}

/* ---- WdfDeviceConfigureRequestDispatching --------------------------------------------------- */

__attribute__((weak)) NTSTATUS imp_WdfDeviceConfigureRequestDispatching(PWDF_DRIVER_GLOBALS globals,
                                                                         WDFDEVICE device_handle,
                                                                         WDFQUEUE queue_handle,
                                                                         WDF_REQUEST_TYPE type)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfDeviceConfigureRequestDispatching"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_device *device = fx_device_from_handle(globals, device_handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    fx_queue *queue = fx_queue_from_handle_at(globals, queue_handle, "WdfDeviceConfigureRequestDispatching");
    if (queue == NULL)
        return STATUS_INVALID_HANDLE;
    if (type != WdfRequestTypeCreate && type != WdfRequestTypeRead && type != WdfRequestTypeWrite &&
        type != WdfRequestTypeDeviceControl && type != WdfRequestTypeDeviceControlInternal)
        return STATUS_INVALID_PARAMETER;
    if (queue->device != device)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!fx_queue_handles(queue, (UCHAR)type)) {
        OWDF_VERIFY_REPORT("QUEUE_CONFIG_INVALID", queue_handle, "WDFQUEUE", fx_report_driver(globals),
                           "WdfDeviceConfigureRequestDispatching: WDFQUEUE %p has neither EvtIoDefault nor a "
                           "callback for request type 0x%x",
                           (void *)queue_handle, type);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    KeAcquireSpinLock(&device->object.lock, &irql);
    if (queue == device->default_queue)
        status = STATUS_INVALID_DEVICE_REQUEST;
    else if (device->dispatch_queues[type] != NULL && device->dispatch_queues[type] != queue)
        status = STATUS_WDF_BUSY;
    else {
        __atomic_store_n(&device->dispatch_queues[type], queue, __ATOMIC_RELEASE);
        queue->no_delete = TRUE;
    }
    KeReleaseSpinLock(&device->object.lock, irql);
    return status;
}

/* ---- Power and removal ------------------------------------------------------------------------ */

/* Runs fn on each queue of the package once, referenced and with no lock held. */
static void io_for_each_queue(fx_io_package *package, void (*fn)(fx_queue *queue, void *context), void *context)
{
    static volatile LONG epoch_source;
    ULONG epoch = (ULONG)InterlockedIncrement(&epoch_source);
    for (;;) {
        fx_queue *queue = NULL;
        KIRQL irql;
        KeAcquireSpinLock(&package->lock, &irql);
        for (PLIST_ENTRY e = package->queues.Flink; e != &package->queues; e = e->Flink) {
            fx_queue *q = CONTAINING_RECORD(e, fx_queue, package_link);
            if (q->visit_epoch != epoch) {
                q->visit_epoch = epoch;
                FX_REF(&q->object, NULL);
                queue = q;
                break;
            }
        }
        KeReleaseSpinLock(&package->lock, irql);
        if (queue == NULL)
            return;
        fn(queue, context);
        FX_DEREF(&queue->object, NULL);
    }
}

static void io_queue_power_up(fx_queue *queue, void *context)
{
    UNREFERENCED_PARAMETER(context);
    fx_queue_power_up(queue);
}

static void io_queue_power_down(fx_queue *queue, void *context)
{
    UNREFERENCED_PARAMETER(context);
    fx_queue_power_down(queue);
}

static void io_queue_shutdown(fx_queue *queue, void *context)
{
    UNREFERENCED_PARAMETER(context);
    fx_queue_shutdown(queue);
}

static void io_set_powered(fx_device *device, BOOLEAN powered)
{
    fx_io_package *package = io_package_if_made(device);
    if (package == NULL)
        return;
    KIRQL irql;
    KeAcquireSpinLock(&package->lock, &irql);
    package->powered = powered;
    KeReleaseSpinLock(&package->lock, irql);
    fx_ifr_record(fx_globals(package->globals)->ifr, OWDF_IFR_QUEUE_STATE, device->object.handle, powered, 0);
    io_for_each_queue(package, powered ? io_queue_power_up : io_queue_power_down, NULL);
}

void fx_io_power_up(fx_device *device)
{
    io_set_powered(device, TRUE);
}

void fx_io_power_down(fx_device *device)
{
    io_set_powered(device, FALSE);
}

void fx_io_device_removed(fx_device *device)
{
    fx_io_package *package = io_package_if_made(device);
    if (package == NULL)
        return;
    KIRQL irql;
    KeAcquireSpinLock(&package->lock, &irql);
    package->powered = FALSE;
    package->removed = TRUE;
    KeReleaseSpinLock(&package->lock, irql);
    io_for_each_queue(package, io_queue_shutdown, NULL);
}

/* ---- Completion hook into the file objects ------------------------------------------------- */

void fx_io_create_completing(fx_device *device, PIRP irp, NTSTATUS status)
{
    if (fx_file_create_completing != NULL)
        fx_file_create_completing(device, irp, status);
}
