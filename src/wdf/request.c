/*
 * request.c - WDFREQUEST objects: the device's request cache (allocation, recycling with a new
 * handle, driver references keeping a completed object), completion (WdfRequestComplete* with the
 * ownership, cancel and Information checks), the request's properties, moving requests between
 * queues (WdfRequestForwardToIoQueue, WdfRequestRequeue, WdfRequestStopAcknowledge), and
 * driver-created requests (WdfRequestCreate, WdfRequestReuse, formatting). Sending to I/O targets
 * is the next piece of work: WdfRequestSend and friends fail loudly (NOT_IMPLEMENTED).
 *
 * Hot path (one IRP): fx_request_alloc pops the device's cache (a stack per thread slot);
 * completion sets the IRP's status, IoCompleteRequest, releases the queue slot (one atomic) and
 * pushes the object back.
 */
#include "fx_call.h"
#include "fx_ifr.h"
#include "fx_fast_section.h"
#include "fx_request.h"
#include "fx_thread_slot.h"

#include <openwdf/nt.h>

#define FX_REQUEST_TAG 'RxFW'
#define FX_DRIVER_REQUEST_STACK 8 /* IRP stack size of a driver-created request (no I/O target yet) */

WDFFILEOBJECT fx_io_file_object_handle(fx_device *device, PFILE_OBJECT file);
BOOLEAN fx_request_cancel_check_complete(fx_request *request, const char *caller);

/* ---- Calling the driver's object callbacks ------------------------------------------------------ */

static void call_object_callback(fx_request *request, void (*callback)(WDFOBJECT), const char *what)
{
    fx_driver_call call;
    fx_enter_driver(request->object.globals, &call);
    callback((WDFOBJECT)request->object.handle);
    fx_leave_driver(&call, what);
}

/* ---- Object ops ---------------------------------------------------------------------------------- */

static void request_destroy(fx_object *object)
{
    fx_request *request = CONTAINING_RECORD(object, fx_request, object);
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED)) {
        if (request->irp_owned && request->irp != NULL)
            IoFreeIrp(request->irp);
        return;
    }
    fx_io_package *package = request->package;
    if (!request->incarnation_done && package->request_destroy != NULL)
        call_object_callback(request, package->request_destroy, "EvtDestroyCallback (WDFREQUEST)");
    KIRQL irql;
    KeAcquireSpinLock(&package->lock, &irql);
    RemoveEntryList(&request->all_link);
    KeReleaseSpinLock(&package->lock, irql);
    InterlockedDecrement(&package->live);
    FX_DEREF(&package->object, NULL);
}

static BOOLEAN request_driver_may_delete(fx_object *object)
{
    fx_request *request = CONTAINING_RECORD(object, fx_request, object);
    if (!fx_request_has_flag(request, FX_REQ_DRIVER_CREATED))
        return FALSE;
    LONG owner = fx_request_owner_of(request);
    return owner == FX_REQ_IDLE || owner == FX_REQ_COMPLETED;
}

const fx_object_ops fx_request_ops = {
    .type = FX_TYPE_REQUEST,
    .name = "WDFREQUEST",
    .destroy = request_destroy,
    .driver_may_delete = request_driver_may_delete,
    .allows_parent = TRUE,
};

/* ---- Handles -------------------------------------------------------------------------------------- */

static fx_request *request_lookup(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, const char *caller,
                                  const char *stale_rule, BOOLEAN accept_completed)
{
    BOOLEAN stale = FALSE;
    fx_object *object = fx_handle_lookup((WDFOBJECT)handle, &stale);
    if (object == NULL && stale) {
        OWDF_VERIFY_REPORT(stale_rule, handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: WDFREQUEST %p was already completed (the handle is stale)", caller,
                           (void *)handle);
        return NULL;
    }
    if (object == NULL || object->magic != FX_OBJECT_MAGIC || object->type != FX_TYPE_REQUEST) {
        (void)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_REQUEST, caller);
        return NULL;
    }
    fx_request *request = CONTAINING_RECORD(object, fx_request, object);
    LONG owner = fx_request_owner_of(request);
    if (!accept_completed && (owner == FX_REQ_COMPLETED ||
                              (owner == FX_REQ_IDLE && !fx_request_has_flag(request, FX_REQ_DRIVER_CREATED)))) {
        OWDF_VERIFY_REPORT(
            stale_rule, handle, "WDFREQUEST", fx_report_driver(globals),
            "%s: WDFREQUEST %p was already completed (the driver still holds a reference on it)", caller,
            (void *)handle);
        return NULL;
    }
    return request;
}

fx_request *fx_request_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, const char *caller)
{
    return request_lookup(globals, handle, caller, "REQ_USE_AFTER_COMPLETE", FALSE);
}

fx_request *fx_request_lookup_any(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, const char *caller)
{
    return request_lookup(globals, handle, caller, "REQ_USE_AFTER_COMPLETE", TRUE);
}

static const char *owner_name(LONG owner)
{
    static const char *const names[] = {"idle", "being routed by the framework", "waiting in a queue",
                                        "owned by the driver", "sent to an I/O target", "completed"};
    return owner >= 0 && owner <= FX_REQ_COMPLETED ? names[owner] : "?";
}

static BOOLEAN require_driver_owned(PWDF_DRIVER_GLOBALS globals, fx_request *request, const char *caller)
{
    LONG owner = fx_request_owner_of(request);
    if (owner == FX_REQ_DRIVER)
        return TRUE;
    OWDF_VERIFY_REPORT("REQ_NOT_OWNED", request->object.handle, "WDFREQUEST", fx_report_driver(globals),
                       "%s: WDFREQUEST %p is %s%s, not owned by the driver", caller, request->object.handle,
                       owner_name(owner),
                       fx_request_has_flag(request, FX_REQ_FOUND) ? " (a found request)" : "");
    return FALSE;
}

/* ---- The cache -------------------------------------------------------------------------------------- */

/*
 * A thread with an exclusive slot pushes and pops its own stack inside a fast section, with plain
 * stores; the shared slot's threads (and all, without membarrier) try the slot's lock. Draining
 * closes the cache first (cache_closed, then fx_fast_sync): from then on every push finds it closed
 * and the object is deleted instead, so no object is left behind in a drained cache.
 */
static inline BOOLEAN cache_slot_try_lock(fx_request_cache_slot *slot)
{
    return __atomic_load_n(&slot->lock, __ATOMIC_RELAXED) == 0 &&
           __atomic_exchange_n(&slot->lock, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void cache_slot_unlock(fx_request_cache_slot *slot)
{
    __atomic_store_n(&slot->lock, 0, __ATOMIC_RELEASE);
}

static inline BOOLEAN cache_is_closed(const fx_io_package *package)
{
    return __atomic_load_n(&package->cache_closed, __ATOMIC_RELAXED);
}

static inline fx_request *slot_pop(fx_request_cache_slot *slot)
{
    ULONG count = __atomic_load_n(&slot->count, __ATOMIC_RELAXED);
    if (count == 0)
        return NULL;
    __atomic_store_n(&slot->count, count - 1, __ATOMIC_RELAXED);
    return slot->items[count - 1];
}

/* FALSE when the slot is full. */
static inline BOOLEAN slot_push(fx_request_cache_slot *slot, fx_request *request)
{
    ULONG count = __atomic_load_n(&slot->count, __ATOMIC_RELAXED);
    if (count >= FX_REQUEST_CACHE_DEPTH)
        return FALSE;
    slot->items[count] = request;
    __atomic_store_n(&slot->count, count + 1, __ATOMIC_RELAXED);
    return TRUE;
}

/* An idle object: this thread slot's stack first, then the shared list. */
static fx_request *cache_pop(fx_io_package *package)
{
    unsigned index = fx_thread_slot();
    fx_request_cache_slot *slot = &package->cache_slots[index];
    fx_request *request = NULL;
    if (IO_LIKELY(fx_fast_enter(index))) {
        if (IO_LIKELY(!cache_is_closed(package)))
            request = slot_pop(slot);
        fx_fast_exit(index);
    } else if (cache_slot_try_lock(slot)) {
        request = slot_pop(slot);
        cache_slot_unlock(slot);
    }
    if (IO_LIKELY(request != NULL))
        return request;
    PSLIST_ENTRY entry = InterlockedPopEntrySList(&package->cache);
    return entry != NULL ? CONTAINING_RECORD(entry, fx_request, cache_entry) : NULL;
}

/* FALSE when the cache is closed (being drained or gone): the caller deletes the object. */
static BOOLEAN cache_push(fx_io_package *package, fx_request *request)
{
    unsigned index = fx_thread_slot();
    fx_request_cache_slot *slot = &package->cache_slots[index];
    BOOLEAN fast = fx_fast_enter(index);
    if (!fast) {
        while (!cache_slot_try_lock(slot))
            KeStallExecutionProcessor(1); /* a holder is a few instructions from releasing it */
    }
    /* Inside the section or the slot lock, so a drain waits for this push (the shared list too). */
    BOOLEAN open = !cache_is_closed(package);
    if (open && !slot_push(slot, request))
        InterlockedPushEntrySList(&package->cache, &request->cache_entry);
    if (fast)
        fx_fast_exit(index);
    else
        cache_slot_unlock(slot);
    return open;
}

NTSTATUS fx_request_alloc(fx_io_package *package, PIRP irp, fx_request **request_out)
{
    fx_request *request = cache_pop(package);
    if (IO_LIKELY(request != NULL)) {
        void *context = fx_object_first_context(&request->object);
        if (context != NULL)
            RtlZeroMemory(context, package->request_context_size);
    } else {
        NTSTATUS status = fx_object_create(package->globals, &fx_request_ops, sizeof(fx_request),
                                           package->has_request_attributes ? &package->request_attributes : NULL,
                                           NULL, (void **)&request);
        if (!NT_SUCCESS(status))
            return status;
        request->package = package;
        request->device = package->device;
        KeInitializeSpinLock(&request->cancel_lock);
        InitializeListHead(&request->queue_link);
        FX_REF(&package->object, NULL);
        InterlockedIncrement(&package->live);
        KIRQL irql;
        KeAcquireSpinLock(&package->lock, &irql);
        InsertTailList(&package->requests, &request->all_link);
        KeReleaseSpinLock(&package->lock, irql);
    }
    request->object.framework_owned = TRUE;
    request->irp = irp;
    request->major = IoGetCurrentIrpStackLocation(irp)->MajorFunction;
    request->queue = NULL;
    fx_request_set_owned_from(request, NULL);
    request->information = 0;
    request->status = STATUS_SUCCESS;
    request->cancel_routine = NULL;
    request->completion_routine = NULL;
    request->completion_context = NULL;
    request->incarnation_done = FALSE;
    request->arrived = 0;
    __atomic_store_n(&request->flags, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&request->holds, 1, __ATOMIC_RELAXED);
    fx_request_set_owner(request, FX_REQ_FRAMEWORK);
    irp->Tail.Overlay.DriverContext[0] = request;
    *request_out = request;
    return STATUS_SUCCESS;
}

BOOLEAN fx_request_try_hold(fx_request *request)
{
    LONG holds = __atomic_load_n(&request->holds, __ATOMIC_ACQUIRE);
    while (holds > 0) {
        if (__atomic_compare_exchange_n(&request->holds, &holds, holds + 1, TRUE, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return TRUE;
    }
    return FALSE;
}

/* Deletes the objects the driver parented to the request (KMDF deletes them with the request). */
static void delete_driver_children(fx_request *request)
{
    fx_object *skip1 = request->input_memory != NULL ? &request->input_memory->object : NULL;
    fx_object *skip2 = request->output_memory != NULL ? &request->output_memory->object : NULL;
    /* Most requests have no children but their embedded memory: decided without the lock (children
     * are added by the driver while it owns the request, which ended before this point). */
    PLIST_ENTRY first = __atomic_load_n(&request->object.children.Flink, __ATOMIC_ACQUIRE);
    if (first == &request->object.children)
        return;
    PLIST_ENTRY second = __atomic_load_n(&first->Flink, __ATOMIC_ACQUIRE);
    fx_object *c1 = CONTAINING_RECORD(first, fx_object, sibling);
    if ((c1 == skip1 || c1 == skip2) &&
        (second == &request->object.children ||
         ((CONTAINING_RECORD(second, fx_object, sibling) == skip1 ||
           CONTAINING_RECORD(second, fx_object, sibling) == skip2) &&
          __atomic_load_n(&second->Flink, __ATOMIC_ACQUIRE) == &request->object.children)))
        return;
    for (;;) {
        fx_object *child = NULL;
        KIRQL irql;
        KeAcquireSpinLock(&request->object.lock, &irql);
        /* A circular list: e is never NULL (the analyzer cannot see that). */
        for (PLIST_ENTRY e = request->object.children.Flink; e != &request->object.children;
             e = e->Flink) { // NOLINT(clang-analyzer-core.NullDereference)
            fx_object *c = CONTAINING_RECORD(e, fx_object, sibling);
            if (c != skip1 && c != skip2 && c->state == FX_STATE_CREATED) {
                InterlockedIncrement(&c->references);
                child = c;
                break;
            }
        }
        KeReleaseSpinLock(&request->object.lock, irql);
        if (child == NULL)
            return;
        fx_object_delete(child);
        FX_DEREF(child, NULL);
    }
}

/* A context added with WdfObjectAllocateContext cannot be reset for the next use: such an object
 * leaves the cache. (The context chain's first field is its link; object.c owns the layout.) */
static BOOLEAN has_extra_contexts(const fx_object *object)
{
    struct context_link {
        const struct context_link *next;
    };
    return object->contexts != NULL && ((const struct context_link *)object->contexts)->next != NULL;
}

/* The framework lets go of a request object: deleted now, or when the driver's last reference goes. */
static void request_delete(fx_request *request)
{
    request->object.framework_owned = FALSE;
    fx_object_delete(&request->object);
}

/* The last framework hold of a completed request: give the object back to the cache, or let it
 * live on for the driver's references. */
static void request_recycle(fx_request *request)
{
    fx_io_package *package = request->package;
    if (package->request_cleanup != NULL)
        call_object_callback(request, package->request_cleanup, "EvtCleanupCallback (WDFREQUEST)");
    delete_driver_children(request);
    LONG baseline = 1 + (request->input_memory != NULL) + (request->output_memory != NULL);
    if (__atomic_load_n(&request->object.references, __ATOMIC_ACQUIRE) > baseline ||
        has_extra_contexts(&request->object) ||
        __atomic_load_n(&package->object.state, __ATOMIC_ACQUIRE) != FX_STATE_CREATED) {
        /* Referenced by the driver (or not reusable): it stays, completed, until the last reference. */
        request_delete(request);
        return;
    }
    if (package->request_destroy != NULL)
        call_object_callback(request, package->request_destroy, "EvtDestroyCallback (WDFREQUEST)");
    request->incarnation_done = TRUE;
    fx_object_renew_handle(&request->object);
    fx_request_set_owner(request, FX_REQ_IDLE);
    if (!cache_push(package, request))
        request_delete(request);
}

void fx_request_release_hold(fx_request *request)
{
    unsigned slot = fx_thread_slot();
    if (IO_LIKELY(request->package != NULL) && IO_LIKELY(fx_fast_enter(slot))) {
        /* The only hold, and nobody may take another now (see fx_request.h): a plain store. */
        BOOLEAN last = __atomic_load_n(&request->package->collectors, __ATOMIC_RELAXED) == 0 &&
                       !(__atomic_load_n(&request->flags, __ATOMIC_RELAXED) & FX_REQ_WAS_CANCELABLE) &&
                       __atomic_load_n(&request->holds, __ATOMIC_RELAXED) == 1;
        if (last)
            __atomic_store_n(&request->holds, 0, __ATOMIC_RELAXED);
        fx_fast_exit(slot);
        if (last) {
            request_recycle(request);
            return;
        }
    }
    if (__atomic_sub_fetch(&request->holds, 1, __ATOMIC_ACQ_REL) == 0)
        request_recycle(request);
}

void fx_request_collect_begin(fx_io_package *package)
{
    __atomic_fetch_add(&package->collectors, 1, __ATOMIC_SEQ_CST);
    fx_fast_sync(); /* every last hold dropped without an atomic is dropped by now */
}

void fx_request_collect_end(fx_io_package *package)
{
    __atomic_fetch_sub(&package->collectors, 1, __ATOMIC_SEQ_CST);
}

void fx_request_cache_drain(fx_io_package *package)
{
    __atomic_store_n(&package->cache_closed, TRUE, __ATOMIC_SEQ_CST);
    fx_fast_sync(); /* no push or pop still sees it open */
    for (unsigned i = 0; package->cache_slots != NULL && i < FX_THREAD_SLOTS; i++) {
        fx_request_cache_slot *slot = &package->cache_slots[i];
        for (;;) {
            while (!cache_slot_try_lock(slot))
                KeStallExecutionProcessor(1);
            fx_request *request = slot_pop(slot);
            cache_slot_unlock(slot);
            if (request == NULL)
                break;
            request_delete(request);
        }
    }
    PSLIST_ENTRY entry;
    while ((entry = InterlockedPopEntrySList(&package->cache)) != NULL)
        request_delete(CONTAINING_RECORD(entry, fx_request, cache_entry));
}

/* ---- Completion --------------------------------------------------------------------------------- */

/* Everything after the owner became COMPLETED: the IRP goes back, then the queue slot, then the
 * object. The caller's in-flight hold is dropped here. */
/*
 * Settles the flags a power-down may still add (notify_stop in queue_dispatch.c): one atomic step
 * takes STOP_NOTIFIED and sets FINISHING, so a racing power-down either counted the request (and we
 * see the flag and settle it) or sees FINISHING and leaves it. Not needed when the driver's
 * completion swapped the owner (sequentially consistent) and the queue's gate was open after it:
 * a power-down closes the gate before it looks at the owners, so it will see COMPLETED.
 */
static LONG finish_flags(fx_request *request, fx_queue *from, BOOLEAN owner_swapped)
{
    const LONG taken = FX_REQ_STOP_NOTIFIED | FX_REQ_SUSPENDED | FX_REQ_FOUND;
    LONG old = __atomic_load_n(&request->flags, __ATOMIC_RELAXED);
    if (IO_LIKELY(owner_swapped && from != NULL && !(old & taken) && fx_queue_gate_is_open(from)))
        return old;
    while (!__atomic_compare_exchange_n(&request->flags, &old, (old & ~taken) | FX_REQ_FINISHING, TRUE,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    }
    return old;
}

/* owner_swapped: the caller moved the owner from DRIVER to COMPLETED with a compare-exchange. */
static void request_finish(fx_request *request, NTSTATUS status, ULONG_PTR information, CCHAR boost,
                           BOOLEAN owner_swapped)
{
    PIRP irp = request->irp;
    fx_queue *from = fx_request_owned_from(request);
    LONG old = finish_flags(request, from, owner_swapped);
    if (request->input_mdl != NULL) {
        IoFreeMdl(request->input_mdl);
        request->input_mdl = NULL;
    }
    if (request->output_mdl != NULL) {
        IoFreeMdl(request->output_mdl);
        request->output_mdl = NULL;
    }
    while (request->locked_mdls != NULL) {
        PMDL mdl = request->locked_mdls;
        request->locked_mdls = mdl->Next;
        mdl->Next = NULL;
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    if (request->input_memory != NULL)
        (void)fx_memory_init_embedded(request->input_memory, NULL, 0, 0);
    if (request->output_memory != NULL)
        (void)fx_memory_init_embedded(request->output_memory, NULL, 0, 0);
    request->status = status;
    request->information = information;
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    if (request->major == IRP_MJ_CREATE && request->device != NULL)
        fx_io_create_completing(request->device, irp, status);
    fx_ifr_record(fx_globals(request->object.globals)->ifr, OWDF_IFR_REQUEST_COMPLETED, request->object.handle,
                  (uintptr_t)(ULONG)status, information);
    IoCompleteRequest(irp, boost);
    if (from != NULL) {
        fx_request_set_owned_from(request, NULL);
        fx_queue_release_owned(from, (old & FX_REQ_STOP_NOTIFIED) != 0);
    }
    fx_request_release_hold(request);
}

void fx_request_complete_internal(fx_request *request, NTSTATUS status, ULONG_PTR information)
{
    fx_request_set_owner(request, FX_REQ_COMPLETED);
    request_finish(request, status, information, IO_NO_INCREMENT, FALSE);
}

/* REQ_INFO_EXCEEDS_BUFFER: what the I/O manager would copy back must fit the caller's buffer. */
static ULONG_PTR check_information(PWDF_DRIVER_GLOBALS globals, fx_request *request, NTSTATUS status,
                                   ULONG_PTR information, const char *caller)
{
    if (NT_ERROR(status) || information == 0)
        return information;
    PIO_STACK_LOCATION stack = fx_request_stack(request);
    ULONG_PTR limit;
    switch (request->major) {
    case IRP_MJ_READ:
        limit = stack->Parameters.Read.Length;
        break;
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        /* METHOD_NEITHER: nothing is copied back, the driver wrote the caller's buffer itself. */
        if (METHOD_FROM_CTL_CODE(stack->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER)
            return information;
        limit = stack->Parameters.DeviceIoControl.OutputBufferLength;
        break;
    default:
        return information;
    }
    if (information <= limit)
        return information;
    OWDF_VERIFY_REPORT("REQ_INFO_EXCEEDS_BUFFER", request->object.handle, "WDFREQUEST",
                       fx_report_driver(globals),
                       "%s: WDFREQUEST %p completed with Information %lu but its output buffer is %lu bytes",
                       caller, request->object.handle, (unsigned long)information, (unsigned long)limit);
    return limit; /* never let the copy-back overrun the caller's buffer */
}

static void request_complete(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, NTSTATUS status, ULONG_PTR information,
                             BOOLEAN use_information, CCHAR boost, const char *caller)
{
    if (!KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, caller)) /* inline: on every completion */
        return;
    fx_request *request = request_lookup(globals, handle, caller, "REQ_DOUBLE_COMPLETE", FALSE);
    if (request == NULL)
        return;
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED)) {
        OWDF_VERIFY_REPORT("REQ_COMPLETE_DRIVER_CREATED", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: WDFREQUEST %p was created by the driver (WdfRequestCreate); delete it with "
                           "WdfObjectDelete instead of completing it",
                           caller, (void *)handle);
        return;
    }
    if (!require_driver_owned(globals, request, caller))
        return;
    if (!use_information)
        information = request->information;
    if (IO_UNLIKELY(fx_request_has_flag(request, FX_REQ_CANCELABLE | FX_REQ_CANCEL_CLAIMED)) &&
        !fx_request_cancel_check_complete(request, caller))
        return;
    LONG expected = FX_REQ_DRIVER;
    if (!__atomic_compare_exchange_n(&request->owner, &expected, FX_REQ_COMPLETED, FALSE, __ATOMIC_SEQ_CST,
                                     __ATOMIC_ACQUIRE)) {
        OWDF_VERIFY_REPORT("REQ_DOUBLE_COMPLETE", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: WDFREQUEST %p is being completed by another thread", caller, (void *)handle);
        return;
    }
    information = check_information(globals, request, status, information, caller);
    request_finish(request, status, information, boost, TRUE);
}

void imp_WdfRequestComplete(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, NTSTATUS status)
{
    request_complete(globals, request, status, 0, FALSE, IO_NO_INCREMENT, "WdfRequestComplete");
}

void imp_WdfRequestCompleteWithInformation(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, NTSTATUS status,
                                           ULONG_PTR information)
{
    request_complete(globals, request, status, information, TRUE, IO_NO_INCREMENT,
                     "WdfRequestCompleteWithInformation");
}

void imp_WdfRequestCompleteWithPriorityBoost(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, NTSTATUS status,
                                             CCHAR boost)
{
    request_complete(globals, request, status, 0, FALSE, boost, "WdfRequestCompleteWithPriorityBoost");
}

/* ---- Properties ---------------------------------------------------------------------------------- */

void imp_WdfRequestSetInformation(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, ULONG_PTR information)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestSetInformation"))
        return;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request != NULL)
        request->information = information;
}

ULONG_PTR imp_WdfRequestGetInformation(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestGetInformation"))
        return 0;
    fx_request *request = fx_request_from_handle(globals, handle);
    return request != NULL ? request->information : 0;
}

NTSTATUS imp_WdfRequestGetStatus(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    fx_request *request = fx_request_lookup_any(globals, handle, "WdfRequestGetStatus");
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    LONG owner = fx_request_owner_of(request);
    if (owner == FX_REQ_COMPLETED || fx_request_has_flag(request, FX_REQ_DRIVER_CREATED))
        return request->status;
    return request->irp->IoStatus.Status;
}

void fx_request_fill_parameters(fx_request *request, PWDF_REQUEST_PARAMETERS p);

void fx_request_fill_parameters(fx_request *request, PWDF_REQUEST_PARAMETERS p)
{
    PIO_STACK_LOCATION s = fx_request_stack(request);
    RtlZeroMemory(p, sizeof *p);
    p->Size = sizeof(WDF_REQUEST_PARAMETERS);
    p->Type = (WDF_REQUEST_TYPE)s->MajorFunction;
    p->MinorFunction = s->MinorFunction;
    switch (s->MajorFunction) {
    case IRP_MJ_CREATE:
        p->Parameters.Create.SecurityContext = s->Parameters.Create.SecurityContext;
        p->Parameters.Create.Options = s->Parameters.Create.Options;
        p->Parameters.Create.FileAttributes = s->Parameters.Create.FileAttributes;
        p->Parameters.Create.ShareAccess = s->Parameters.Create.ShareAccess;
        p->Parameters.Create.EaLength = s->Parameters.Create.EaLength;
        break;
    case IRP_MJ_READ:
        p->Parameters.Read.Length = s->Parameters.Read.Length;
        p->Parameters.Read.Key = s->Parameters.Read.Key;
        p->Parameters.Read.DeviceOffset = s->Parameters.Read.ByteOffset.QuadPart;
        break;
    case IRP_MJ_WRITE:
        p->Parameters.Write.Length = s->Parameters.Write.Length;
        p->Parameters.Write.Key = s->Parameters.Write.Key;
        p->Parameters.Write.DeviceOffset = s->Parameters.Write.ByteOffset.QuadPart;
        break;
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        p->Parameters.DeviceIoControl.OutputBufferLength = s->Parameters.DeviceIoControl.OutputBufferLength;
        p->Parameters.DeviceIoControl.InputBufferLength = s->Parameters.DeviceIoControl.InputBufferLength;
        p->Parameters.DeviceIoControl.IoControlCode = s->Parameters.DeviceIoControl.IoControlCode;
        p->Parameters.DeviceIoControl.Type3InputBuffer = s->Parameters.DeviceIoControl.Type3InputBuffer;
        /* As KMDF's verifier: a user-mode METHOD_NEITHER buffer is only for EvtIoInCallerContext. */
        if (s->MajorFunction == IRP_MJ_DEVICE_CONTROL && request->irp->RequestorMode == UserMode &&
            METHOD_FROM_CTL_CODE(s->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER)
            p->Parameters.DeviceIoControl.Type3InputBuffer = NULL;
        break;
    default:
        p->Parameters.Others.Arg1 = s->Parameters.Others.Argument1;
        p->Parameters.Others.Arg2 = s->Parameters.Others.Argument2;
        p->Parameters.Others.IoControlCode = (ULONG)(ULONG_PTR)s->Parameters.Others.Argument3;
        p->Parameters.Others.Arg4 = s->Parameters.Others.Argument4;
        break;
    }
}

void imp_WdfRequestGetParameters(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, PWDF_REQUEST_PARAMETERS parameters)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestGetParameters"))
        return;
    if (parameters == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestGetParameters: Parameters is NULL");
        return;
    }
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return;
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED)) {
        RtlZeroMemory(parameters, sizeof *parameters);
        parameters->Size = sizeof(WDF_REQUEST_PARAMETERS);
        parameters->Type = WdfRequestTypeNoFormat;
        return;
    }
    fx_request_fill_parameters(request, parameters);
}

WDFQUEUE imp_WdfRequestGetIoQueue(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestGetIoQueue"))
        return NULL;
    fx_request *request = fx_request_from_handle(globals, handle);
    return request != NULL && request->queue != NULL ? fx_queue_handle(request->queue) : NULL;
}

WDFFILEOBJECT imp_WdfRequestGetFileObject(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestGetFileObject"))
        return NULL;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL || request->device == NULL)
        return NULL;
    return fx_io_file_object_handle(request->device, fx_request_stack(request)->FileObject);
}

KPROCESSOR_MODE imp_WdfRequestGetRequestorMode(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    fx_request *request = fx_request_from_handle(globals, handle);
    return request != NULL && request->irp != NULL ? request->irp->RequestorMode : KernelMode;
}

PIRP imp_WdfRequestWdmGetIrp(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestWdmGetIrp"))
        return NULL;
    fx_request *request = fx_request_from_handle(globals, handle);
    return request != NULL ? request->irp : NULL;
}

BOOLEAN imp_WdfRequestIsFrom32BitProcess(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    (void)fx_request_from_handle(globals, handle);
    return FALSE; /* one 64-bit process */
}

BOOLEAN imp_WdfRequestIsReserved(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    (void)fx_request_from_handle(globals, handle);
    return FALSE; /* no forward-progress reserved requests */
}

/* ---- Moving requests between queues ------------------------------------------------------------ */

static BOOLEAN require_not_cancelable(PWDF_DRIVER_GLOBALS globals, fx_request *request, const char *caller)
{
    if (!fx_request_has_flag(request, FX_REQ_CANCELABLE))
        return TRUE;
    OWDF_VERIFY_REPORT("REQ_NOT_OWNED", request->object.handle, "WDFREQUEST", fx_report_driver(globals),
                       "%s: WDFREQUEST %p is still marked cancelable (call WdfRequestUnmarkCancelable first)",
                       caller, request->object.handle);
    return FALSE;
}

NTSTATUS imp_WdfRequestForwardToIoQueue(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, WDFQUEUE queue_handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestForwardToIoQueue"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    fx_queue *dest = fx_queue_from_handle(globals, queue_handle);
    if (dest == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED)) {
        OWDF_VERIFY_REPORT(
            "NOT_IMPLEMENTED", handle, "WDFREQUEST", fx_report_driver(globals),
            "WdfRequestForwardToIoQueue: forwarding a driver-created request is not implemented");
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!require_driver_owned(globals, request, "WdfRequestForwardToIoQueue") ||
        !require_not_cancelable(globals, request, "WdfRequestForwardToIoQueue"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *src = fx_request_owned_from(request);
    if (dest == src || dest->device != request->device) {
        OWDF_VERIFY_REPORT("FORWARD_SAME_OR_NONPARENT", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestForwardToIoQueue: WDFREQUEST %p cannot go to WDFQUEUE %p: %s",
                           (void *)handle, (void *)queue_handle,
                           dest == src ? "it is the queue the request came from"
                                       : "the queue belongs to another device (use "
                                         "WdfRequestForwardToParentDeviceIoQueue for a parent)");
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    LONG old = __atomic_fetch_and(&request->flags, ~(FX_REQ_STOP_NOTIFIED | FX_REQ_IN_CALLER_CONTEXT),
                                  __ATOMIC_ACQ_REL);
    NTSTATUS status = fx_queue_insert_forwarded(dest, request, FALSE);
    if (!NT_SUCCESS(status)) {
        fx_request_set_flag(request, old & (FX_REQ_STOP_NOTIFIED | FX_REQ_IN_CALLER_CONTEXT));
        return status;
    }
    /* The request may already be presented elsewhere: only the source queue is touched now. */
    if (src != NULL)
        fx_queue_release_owned(src, (old & FX_REQ_STOP_NOTIFIED) != 0);
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestRequeue(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestRequeue"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (!require_driver_owned(globals, request, "WdfRequestRequeue") ||
        !require_not_cancelable(globals, request, "WdfRequestRequeue"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_queue *queue = fx_request_owned_from(request);
    if (queue == NULL) {
        OWDF_VERIFY_REPORT("REQ_NOT_OWNED", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestRequeue: WDFREQUEST %p was not delivered by a queue", (void *)handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (queue->config.DispatchType != WdfIoQueueDispatchManual) {
        OWDF_VERIFY_REPORT(
            "MANUAL_ONLY_API", handle, "WDFREQUEST", fx_report_driver(globals),
            "WdfRequestRequeue: WDFREQUEST %p came from WDFQUEUE %p, which is not a manual queue",
            (void *)handle, queue->object.handle);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    LONG old = __atomic_fetch_and(&request->flags, ~FX_REQ_STOP_NOTIFIED, __ATOMIC_ACQ_REL);
    (void)fx_queue_insert_forwarded(queue, request, TRUE);
    fx_queue_release_owned(queue, (old & FX_REQ_STOP_NOTIFIED) != 0);
    return STATUS_SUCCESS;
}

void imp_WdfRequestStopAcknowledge(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, BOOLEAN requeue)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestStopAcknowledge"))
        return;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return;
    if (!fx_request_on_thread(&request->stop_thread)) {
        OWDF_VERIFY_REPORT(
            "STOPACK_OUTSIDE_EVTIOSTOP", handle, "WDFREQUEST", fx_report_driver(globals),
            "WdfRequestStopAcknowledge: WDFREQUEST %p is not being presented to EvtIoStop on this "
            "thread; it may only be acknowledged from EvtIoStop",
            (void *)handle);
        return;
    }
    if (!require_driver_owned(globals, request, "WdfRequestStopAcknowledge"))
        return;
    if (requeue && !require_not_cancelable(globals, request, "WdfRequestStopAcknowledge"))
        return;
    fx_request_set_flag(request, FX_REQ_ACKED_IN_STOP);
    fx_queue_stop_acknowledge(fx_request_owned_from(request), request, requeue);
}

NTSTATUS imp_WdfRequestForwardToParentDeviceIoQueue(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle,
                                                    WDFQUEUE parent_queue, PWDF_REQUEST_FORWARD_OPTIONS options)
{
    UNREFERENCED_PARAMETER(parent_queue);
    UNREFERENCED_PARAMETER(options);
    OWDF_VERIFY_REPORT("NOT_IMPLEMENTED", handle, "WDFREQUEST", fx_report_driver(globals),
                       "WdfRequestForwardToParentDeviceIoQueue is not implemented (PDOs come later)");
    return STATUS_NOT_IMPLEMENTED;
}

/* ---- Driver-created requests ----------------------------------------------------------------------- */

static NTSTATUS create_driver_request(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes, PIRP irp,
                                      BOOLEAN irp_owned, WDFREQUEST *out, const char *caller)
{
    if (out == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", NULL, "WDFREQUEST", fx_report_driver(globals),
                           "%s: Request is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    *out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, caller))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_object *driver = globals != NULL ? fx_object_lookup((WDFOBJECT)globals->Driver) : NULL;
    fx_request *request;
    NTSTATUS status = fx_object_create(globals, &fx_request_ops, sizeof(fx_request), attributes, driver,
                                       (void **)&request);
    if (!NT_SUCCESS(status))
        return status;
    if (irp == NULL) {
        irp = IoAllocateIrp(FX_DRIVER_REQUEST_STACK, FALSE);
        if (irp == NULL) {
            fx_object_delete(&request->object);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    request->irp = irp;
    request->irp_owned = irp_owned;
    KeInitializeSpinLock(&request->cancel_lock);
    InitializeListHead(&request->queue_link);
    InitializeListHead(&request->all_link);
    __atomic_store_n(&request->flags, FX_REQ_DRIVER_CREATED, __ATOMIC_RELAXED);
    fx_request_set_owner(request, FX_REQ_IDLE);
    irp->Tail.Overlay.DriverContext[0] = request;
    *out = fx_request_handle(request);
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes, WDFIOTARGET target,
                              WDFREQUEST *out)
{
    UNREFERENCED_PARAMETER(target); /* I/O targets come next; the IRP has a fixed stack size meanwhile */
    return create_driver_request(globals, attributes, NULL, TRUE, out, "WdfRequestCreate");
}

NTSTATUS imp_WdfRequestCreateFromIrp(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes, PIRP irp,
                                     BOOLEAN request_frees_irp, WDFREQUEST *out)
{
    if (irp == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", NULL, "IRP", fx_report_driver(globals),
                           "WdfRequestCreateFromIrp: Irp is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    return create_driver_request(globals, attributes, irp, request_frees_irp, out, "WdfRequestCreateFromIrp");
}

NTSTATUS imp_WdfRequestReuse(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, PWDF_REQUEST_REUSE_PARAMS params)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestReuse"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (params == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestReuse: ReuseParams is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    if (params->Size != sizeof(WDF_REQUEST_REUSE_PARAMS))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (params->Flags & ~(ULONG)(WDF_REQUEST_REUSE_SET_NEW_IRP | WDF_REQUEST_REUSE_MUST_COMPLETE))
        return STATUS_INVALID_PARAMETER;
    if (!fx_request_has_flag(request, FX_REQ_DRIVER_CREATED) || fx_request_owner_of(request) != FX_REQ_IDLE)
        return STATUS_INVALID_DEVICE_REQUEST; /* a delivered request, or one still sent */
    if (params->Flags & WDF_REQUEST_REUSE_SET_NEW_IRP) {
        if (params->NewIrp == NULL)
            return STATUS_INVALID_PARAMETER;
        if (request->irp_owned && request->irp != NULL)
            IoFreeIrp(request->irp);
        request->irp = params->NewIrp;
        request->irp_owned = FALSE;
        request->irp->Tail.Overlay.DriverContext[0] = request;
    } else {
        IoReuseIrp(request->irp, params->Status);
    }
    request->irp->IoStatus.Status = params->Status;
    request->status = params->Status;
    request->information = 0;
    request->completion_routine = NULL;
    request->completion_context = NULL;
    fx_request_clear_flag(request, FX_REQ_FORMATTED | FX_REQ_CANCELED);
    return STATUS_SUCCESS;
}

void imp_WdfRequestFormatRequestUsingCurrentType(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestFormatRequestUsingCurrentType"))
        return;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return;
    if (!fx_request_has_flag(request, FX_REQ_DRIVER_CREATED) && request->irp->CurrentLocation > 1)
        IoCopyCurrentIrpStackLocationToNext(request->irp);
    fx_request_set_flag(request, FX_REQ_FORMATTED);
}

void imp_WdfRequestWdmFormatUsingStackLocation(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle,
                                               PIO_STACK_LOCATION stack)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestWdmFormatUsingStackLocation"))
        return;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return;
    if (stack == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestWdmFormatUsingStackLocation: Stack is NULL");
        return;
    }
    if (request->irp->CurrentLocation > 1) {
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(request->irp);
        memcpy(next, stack, FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine));
        next->Control = 0;
        next->CompletionRoutine = NULL;
        next->Context = NULL;
    }
    fx_request_set_flag(request, FX_REQ_FORMATTED);
}

void imp_WdfRequestSetCompletionRoutine(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle,
                                        PFN_WDF_REQUEST_COMPLETION_ROUTINE routine, WDFCONTEXT context)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfRequestSetCompletionRoutine"))
        return;
    fx_request *request = fx_request_from_handle(globals, handle);
    if (request == NULL)
        return;
    request->completion_routine = routine;
    request->completion_context = context;
}

void imp_WdfRequestGetCompletionParams(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle,
                                       PWDF_REQUEST_COMPLETION_PARAMS params)
{
    if (params == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "WdfRequestGetCompletionParams: Params is NULL");
        return;
    }
    fx_request *request = fx_request_from_handle(globals, handle);
    WDF_REQUEST_COMPLETION_PARAMS_INIT(params);
    if (request == NULL)
        return;
    params->IoStatus.Status = request->status;
    params->IoStatus.Information = request->information;
}

BOOLEAN imp_WdfRequestSend(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, WDFIOTARGET target,
                           PWDF_REQUEST_SEND_OPTIONS options)
{
    UNREFERENCED_PARAMETER(target);
    UNREFERENCED_PARAMETER(options);
    fx_request *request = fx_request_from_handle(globals, handle);
    OWDF_VERIFY_REPORT("NOT_IMPLEMENTED", handle, "WDFREQUEST", fx_report_driver(globals),
                       "WdfRequestSend is not implemented yet (I/O targets are the next piece of work)");
    if (request != NULL)
        request->status = STATUS_NOT_IMPLEMENTED;
    return FALSE;
}

NTSTATUS imp_WdfRequestChangeTarget(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, WDFIOTARGET target)
{
    UNREFERENCED_PARAMETER(target);
    OWDF_VERIFY_REPORT("NOT_IMPLEMENTED", handle, "WDFREQUEST", fx_report_driver(globals),
                       "WdfRequestChangeTarget is not implemented yet (I/O targets)");
    return STATUS_NOT_IMPLEMENTED;
}

BOOLEAN imp_WdfRequestCancelSentRequest(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    OWDF_VERIFY_REPORT("NOT_IMPLEMENTED", handle, "WDFREQUEST", fx_report_driver(globals),
                       "WdfRequestCancelSentRequest is not implemented yet (I/O targets)");
    return FALSE;
}

NTSTATUS imp_WdfRequestAllocateTimer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle)
{
    /* Preallocates the send timeout timer in KMDF; nothing to allocate here. */
    return fx_request_from_handle(globals, handle) != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}
