/*
 * object.c - the lifetime of every WDF object: creation with attributes and contexts, parent/child
 * links, references (tag-tracked), delete (dispose) and destroy, and the WdfObject* API.
 *
 * Order on delete (docs/wdf-design.md): the object's EvtCleanupCallbacks (context order), the type's
 * dispose hook, then each child is deleted the same way; then the creation reference is dropped.
 * On the last reference: EvtDestroyCallbacks, the type's destroy hook, the handle goes stale, the
 * parent reference is released, the memory is freed.
 */
#include "fx_object.h"
#include "fx_rules.h"
#include "fx_globals.h"

#include <openwdf/nt.h>

#include <stdio.h>

#define FX_OBJECT_POOL_TAG 'OxFW'
#define CONTEXT_MAGIC 0x7478436f46785746ull /* "WFxFoCxt" */

#define OBJ_REPORT(rule, object, type, globals, ...) \
    OWDF_VERIFY_REPORT(rule, object, type, fx_report_driver(globals), __VA_ARGS__)

struct fx_context_header {
    struct fx_context_header *next;
    fx_object *object;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO type;  /* UniqueType; NULL for a header without context */
    PFN_WDF_OBJECT_CONTEXT_CLEANUP cleanup;
    PFN_WDF_OBJECT_CONTEXT_DESTROY destroy;
    size_t size;
    BOOLEAN separate;                     /* allocated apart from the object */
    uint64_t magic;
    _Alignas(16) unsigned char data[];
};

struct fx_tag_ref {
    struct fx_tag_ref *next;
    const void *tag;
    const char *file;
    int line;
    LONG count;
};

/* ---- attributes ------------------------------------------------------------------------------ */

static size_t context_size(const WDF_OBJECT_ATTRIBUTES *attributes)
{
    if (attributes == NULL || attributes->ContextTypeInfo == NULL)
        return 0;
    size_t size = attributes->ContextTypeInfo->ContextSize;
    if (attributes->ContextSizeOverride != 0)
        size = attributes->ContextSizeOverride;
    return size;
}

static PCWDF_OBJECT_CONTEXT_TYPE_INFO unique_type(PCWDF_OBJECT_CONTEXT_TYPE_INFO info)
{
    if (info == NULL)
        return NULL;
    if (info->EvtDriverGetUniqueContextType != NULL)
        return info->EvtDriverGetUniqueContextType();
    return info->UniqueType != NULL ? info->UniqueType : info;
}

/* KMDF's attribute validation: the checks and statuses of "Framework Object Creation Errors". */
static NTSTATUS validate_attributes(PWDF_DRIVER_GLOBALS globals, const fx_object_ops *ops,
                                    const WDF_OBJECT_ATTRIBUTES *a, BOOLEAN context_only)
{
    if (a == NULL)
        return STATUS_SUCCESS;
    if (a->Size != sizeof(WDF_OBJECT_ATTRIBUTES)) {
        OBJ_REPORT("OBJECT_ATTRIBUTES_SIZE", a, "WDF_OBJECT_ATTRIBUTES", globals,
                           "%s: WDF_OBJECT_ATTRIBUTES.Size is %u, expected %zu (use WDF_OBJECT_ATTRIBUTES_INIT)",
                           ops->name, a->Size, sizeof(WDF_OBJECT_ATTRIBUTES));
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (a->ContextSizeOverride != 0 &&
        (a->ContextTypeInfo == NULL || a->ContextSizeOverride < a->ContextTypeInfo->ContextSize))
        return STATUS_WDF_OBJECT_ATTRIBUTES_INVALID;
    if (a->ContextTypeInfo != NULL && a->ContextTypeInfo->ContextSize == 0 && a->ContextSizeOverride == 0)
        return STATUS_WDF_OBJECT_ATTRIBUTES_INVALID;
    if (a->ExecutionLevel < WdfExecutionLevelInheritFromParent || a->ExecutionLevel > WdfExecutionLevelDispatch)
        return STATUS_WDF_OBJECT_ATTRIBUTES_INVALID;
    if (a->SynchronizationScope < WdfSynchronizationScopeInheritFromParent ||
        a->SynchronizationScope > WdfSynchronizationScopeNone)
        return STATUS_WDF_OBJECT_ATTRIBUTES_INVALID;
    if (context_only)
        return STATUS_SUCCESS;
    if (a->ExecutionLevel != WdfExecutionLevelInheritFromParent && !ops->allows_execution_level)
        return STATUS_WDF_EXECUTION_LEVEL_INVALID;
    if (a->SynchronizationScope != WdfSynchronizationScopeInheritFromParent && !ops->allows_synchronization_scope)
        return STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID;
    if (a->ParentObject != NULL && !ops->allows_parent)
        return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;
    return STATUS_SUCCESS;
}

static void init_context_header(struct fx_context_header *h, fx_object *object,
                                const WDF_OBJECT_ATTRIBUTES *attributes, size_t size, BOOLEAN separate)
{
    h->object = object;
    h->size = size;
    h->separate = separate;
    h->magic = CONTEXT_MAGIC;
    if (attributes != NULL) {
        h->type = unique_type(attributes->ContextTypeInfo);
        h->cleanup = attributes->EvtCleanupCallback;
        h->destroy = attributes->EvtDestroyCallback;
    }
}

/* ---- creation --------------------------------------------------------------------------------- */

NTSTATUS fx_object_create(PWDF_DRIVER_GLOBALS globals, const fx_object_ops *ops, size_t body_size,
                          const WDF_OBJECT_ATTRIBUTES *attributes, fx_object *default_parent, void **body_out)
{
    *body_out = NULL;
    NTSTATUS status = validate_attributes(globals, ops, attributes, FALSE);
    if (!NT_SUCCESS(status))
        return status;

    fx_object *parent = default_parent;
    if (attributes != NULL && attributes->ParentObject != NULL) {
        parent = fx_object_from_handle_at(globals, attributes->ParentObject, FX_TYPE_INVALID, ops->name);
        if (parent == NULL)
            return STATUS_INVALID_HANDLE;
    }

    size_t header_offset = ALIGN_UP_BY(body_size, 16);
    size_t csize = context_size(attributes);
    size_t total = header_offset + sizeof(struct fx_context_header) + ALIGN_UP_BY(csize, 16);
    fx_object *object = ExAllocatePool2(POOL_FLAG_NON_PAGED, total, FX_OBJECT_POOL_TAG);
    if (object == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;

    object->magic = FX_OBJECT_MAGIC;
    object->type = ops->type;
    object->ops = ops;
    object->globals = globals;
    object->references = 1; /* the creation reference, dropped by delete */
    object->state = FX_STATE_CREATED;
    InitializeListHead(&object->children);
    InitializeListHead(&object->sibling);
    KeInitializeSpinLock(&object->lock);
    object->contexts = (struct fx_context_header *)((unsigned char *)object + header_offset);
    init_context_header(object->contexts, object, attributes, csize, FALSE);

    WDF_EXECUTION_LEVEL level = attributes ? attributes->ExecutionLevel : WdfExecutionLevelInheritFromParent;
    WDF_SYNCHRONIZATION_SCOPE scope =
        attributes ? attributes->SynchronizationScope : WdfSynchronizationScopeInheritFromParent;
    if (level == WdfExecutionLevelInheritFromParent)
        level = parent ? parent->execution_level : WdfExecutionLevelDispatch;
    if (scope == WdfSynchronizationScopeInheritFromParent)
        scope = parent ? parent->synchronization_scope : WdfSynchronizationScopeNone;
    object->execution_level = level;
    object->synchronization_scope = scope;

    object->handle = fx_handle_allocate(object);
    if (object->handle == NULL) {
        ExFreePoolWithTag(object, FX_OBJECT_POOL_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    if (parent != NULL) {
        KIRQL irql;
        KeAcquireSpinLock(&parent->lock, &irql);
        if (parent->state != FX_STATE_CREATED) {
            KeReleaseSpinLock(&parent->lock, irql);
            fx_handle_free(object->handle);
            ExFreePoolWithTag(object, FX_OBJECT_POOL_TAG);
            return STATUS_DELETE_PENDING;
        }
        InsertTailList(&parent->children, &object->sibling);
        InterlockedIncrement(&parent->references); /* the child's reference on its parent */
        object->parent = parent;
        KeReleaseSpinLock(&parent->lock, irql);
    }
    *body_out = object;
    return STATUS_SUCCESS;
}

/* ---- handles ---------------------------------------------------------------------------------- */

fx_object *fx_object_lookup(WDFOBJECT handle)
{
    fx_object *object = fx_handle_lookup(handle, NULL);
    return (object != NULL && object->magic == FX_OBJECT_MAGIC) ? object : NULL;
}

fx_object *fx_object_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle, fx_object_type type,
                                    const char *caller)
{
    if (handle == NULL) {
        OBJ_REPORT("NULL_REQUIRED_PARAM", NULL, fx_object_type_name(type), globals,
                           "%s: NULL handle passed where a %s is required", caller, fx_object_type_name(type));
        return NULL;
    }
    BOOLEAN stale;
    fx_object *object = fx_handle_lookup(handle, &stale);
    if (object == NULL || object->magic != FX_OBJECT_MAGIC) {
        OWDF_VERIFY_REPORT(stale ? "STALE_HANDLE" : "WRONG_HANDLE_TYPE", handle, fx_object_type_name(type),
                           fx_report_driver(globals),
                           stale ? "%s: handle %p refers to a deleted object (expected %s)"
                                 : "%s: %p is not a framework handle (expected %s)",
                           caller, handle, fx_object_type_name(type));
        return NULL;
    }
    if (type != FX_TYPE_INVALID && object->type != type) {
        OBJ_REPORT("WRONG_HANDLE_TYPE", handle, object->ops->name, globals,
                           "%s: handle %p is a %s, expected a %s", caller, handle, object->ops->name,
                           fx_object_type_name(type));
        return NULL;
    }
    return object;
}

/* ---- references ------------------------------------------------------------------------------- */

static void record_tag(fx_object *object, const void *tag, int line, const char *file, LONG delta)
{
    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    struct fx_tag_ref **link = &object->tags, *ref;
    while ((ref = *link) != NULL && ref->tag != tag)
        link = &ref->next;
    if (delta > 0) {
        if (ref == NULL) {
            ref = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *ref, FX_OBJECT_POOL_TAG);
            if (ref != NULL) {
                ref->tag = tag;
                ref->next = object->tags;
                object->tags = ref;
            }
        }
        if (ref != NULL) {
            ref->count++;
            ref->file = file;
            ref->line = line;
        }
    } else if (ref != NULL && --ref->count == 0) {
        *link = ref->next;
        ExFreePoolWithTag(ref, FX_OBJECT_POOL_TAG);
    }
    KeReleaseSpinLock(&object->lock, irql);
}

void fx_object_reference(fx_object *object, const void *tag, int line, const char *file)
{
    InterlockedIncrement(&object->references);
    if (tag != NULL)
        record_tag(object, tag, line, file, +1);
}

static void destroy_object(fx_object *object);

void fx_object_dereference(fx_object *object, const void *tag, int line, const char *file)
{
    if (tag != NULL)
        record_tag(object, tag, line, file, -1);
    LONG left = InterlockedDecrement(&object->references);
    if (left > 0)
        return;
    if (left < 0) {
        OBJ_REPORT("OBJECT_REF_UNDERFLOW", object->handle, object->ops->name, object->globals,
                           "%s %p dereferenced more times than referenced (%s:%d)", object->ops->name,
                           object->handle, file ? file : "?", line);
        return;
    }
    if (object->state == FX_STATE_CREATED) {
        /* The driver released the creation reference instead of deleting: dispose it now, holding a
         * temporary reference so the dispose path's own release is the last one. */
        OBJ_REPORT("DEREF_INSTEAD_OF_DELETE", object->handle, object->ops->name, object->globals,
                           "%s %p: last reference released by WdfObjectDereference (%s:%d); "
                           "objects are deleted with WdfObjectDelete",
                           object->ops->name, object->handle, file ? file : "?", line);
        object->references = 1;
        fx_object_delete(object);
        return;
    }
    destroy_object(object);
}

/* ---- delete and destroy ----------------------------------------------------------------------- */

static void call_object_callback(fx_object *object, void (*callback)(WDFOBJECT), const char *what)
{
    ke_callback_frame frame;
    ke_callback_enter(&frame);
    callback(object->handle);
    ke_callback_check_return(&frame, what);
}

/* The next child not yet being deleted, referenced; NULL when none is left. */
static fx_object *next_live_child(fx_object *object)
{
    fx_object *found = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    for (PLIST_ENTRY e = object->children.Flink; e != &object->children; e = e->Flink) {
        fx_object *child = CONTAINING_RECORD(e, fx_object, sibling);
        if (child->state == FX_STATE_CREATED) {
            InterlockedIncrement(&child->references);
            found = child;
            break;
        }
    }
    KeReleaseSpinLock(&object->lock, irql);
    return found;
}

void fx_object_delete(fx_object *object)
{
    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    if (object->state != FX_STATE_CREATED) {
        KeReleaseSpinLock(&object->lock, irql);
        return;
    }
    object->state = FX_STATE_DISPOSING;
    KeReleaseSpinLock(&object->lock, irql);

    for (struct fx_context_header *h = object->contexts; h != NULL; h = h->next) {
        if (h->cleanup != NULL)
            call_object_callback(object, h->cleanup, "EvtCleanupCallback");
    }
    if (object->ops->dispose != NULL)
        object->ops->dispose(object);

    fx_object *child;
    while ((child = next_live_child(object)) != NULL) {
        fx_object_delete(child);
        fx_object_dereference(child, NULL, 0, NULL);
    }

    object->state = FX_STATE_DISPOSED;
    fx_object_dereference(object, NULL, 0, NULL); /* the creation reference */
}

static void destroy_object(fx_object *object)
{
    /* contexts is never NULL: the first header lives inside the object. */
    struct fx_context_header *c = object->contexts;
    do {
        if (c->destroy != NULL)
            call_object_callback(object, c->destroy, "EvtDestroyCallback");
        c = c->next;
    } while (c != NULL);
    if (object->ops->destroy != NULL)
        object->ops->destroy(object);

    fx_handle_free(object->handle);

    fx_object *parent = object->parent;
    if (parent != NULL) {
        KIRQL irql;
        KeAcquireSpinLock(&parent->lock, &irql);
        RemoveEntryList(&object->sibling);
        KeReleaseSpinLock(&parent->lock, irql);
    }

    struct fx_tag_ref *ref = object->tags;
    while (ref != NULL) {
        struct fx_tag_ref *next = ref->next;
        ExFreePoolWithTag(ref, FX_OBJECT_POOL_TAG);
        ref = next;
    }
    struct fx_context_header *first = object->contexts;
    struct fx_context_header *h = first->next;
    while (h != NULL) {
        struct fx_context_header *next = h->next;
        h->magic = 0;
        ExFreePoolWithTag(h, FX_OBJECT_POOL_TAG);
        h = next;
    }
    first->magic = 0;
    object->magic = 0;
    ExFreePoolWithTag(object, FX_OBJECT_POOL_TAG);

    if (parent != NULL)
        fx_object_dereference(parent, NULL, 0, NULL);
}

WDFOBJECT fx_object_renew_handle(fx_object *object)
{
    object->handle = fx_handle_renew(object->handle);
    return object->handle;
}

/* ---- contexts --------------------------------------------------------------------------------- */

void *fx_object_first_context(fx_object *object)
{
    return object->contexts->size != 0 ? object->contexts->data : NULL;
}

static struct fx_context_header *find_context(fx_object *object, PCWDF_OBJECT_CONTEXT_TYPE_INFO type)
{
    for (struct fx_context_header *h = object->contexts; h != NULL; h = h->next) {
        if (h->type == type && h->size != 0)
            return h;
    }
    return NULL;
}

PVOID imp_WdfObjectGetTypedContextWorker(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle,
                                         PCWDF_OBJECT_CONTEXT_TYPE_INFO type_info)
{
    fx_object *object = fx_object_from_handle(globals, handle, FX_TYPE_INVALID);
    if (object == NULL)
        return NULL;
    if (type_info == NULL) {
        OBJ_REPORT("NULL_REQUIRED_PARAM", handle, object->ops->name, globals,
                           "WdfObjectGetTypedContextWorker: NULL TypeInfo");
        return NULL;
    }
    /* Fast path: the context named at creation. */
    struct fx_context_header *h = object->contexts;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO type = unique_type(type_info);
    if (h->type == type && h->size != 0)
        return h->data;
    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    h = find_context(object, type);
    KeReleaseSpinLock(&object->lock, irql);
    return h ? h->data : NULL;
}

NTSTATUS imp_WdfObjectAllocateContext(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle,
                                      PWDF_OBJECT_ATTRIBUTES attributes, PVOID *context)
{
    if (context != NULL)
        *context = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfObjectAllocateContext"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_object *object = fx_object_from_handle(globals, handle, FX_TYPE_INVALID);
    if (object == NULL)
        return STATUS_INVALID_HANDLE;
    if (attributes == NULL || context == NULL) {
        OBJ_REPORT("NULL_REQUIRED_PARAM", handle, object->ops->name, globals,
                           "WdfObjectAllocateContext: %s is NULL", attributes == NULL ? "ContextAttributes" : "Context");
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = validate_attributes(globals, object->ops, attributes, TRUE);
    if (!NT_SUCCESS(status))
        return status;
    if (attributes->ContextTypeInfo == NULL || attributes->ParentObject != NULL)
        return STATUS_OBJECT_NAME_INVALID;
    if (attributes->ExecutionLevel != WdfExecutionLevelInheritFromParent ||
        attributes->SynchronizationScope != WdfSynchronizationScopeInheritFromParent)
        return STATUS_INVALID_PARAMETER;

    size_t csize = context_size(attributes);
    struct fx_context_header *h =
        ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *h + ALIGN_UP_BY(csize, 16), FX_OBJECT_POOL_TAG);
    if (h == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    init_context_header(h, object, attributes, csize, TRUE);

    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    if (object->state != FX_STATE_CREATED) {
        KeReleaseSpinLock(&object->lock, irql);
        ExFreePoolWithTag(h, FX_OBJECT_POOL_TAG);
        return STATUS_DELETE_PENDING;
    }
    struct fx_context_header *existing = find_context(object, h->type);
    if (existing != NULL) {
        KeReleaseSpinLock(&object->lock, irql);
        ExFreePoolWithTag(h, FX_OBJECT_POOL_TAG);
        OBJ_REPORT("DUPLICATE_CONTEXT", handle, object->ops->name, globals,
                           "WdfObjectAllocateContext: %s %p already has a context of type %s", object->ops->name,
                           handle, attributes->ContextTypeInfo->ContextName);
        *context = existing->data;
        return STATUS_OBJECT_NAME_EXISTS;
    }
    struct fx_context_header *tail = object->contexts;
    while (tail->next != NULL)
        tail = tail->next;
    tail->next = h;
    KeReleaseSpinLock(&object->lock, irql);
    *context = h->data;
    return STATUS_SUCCESS;
}

WDFOBJECT imp_WdfObjectContextGetObject(PWDF_DRIVER_GLOBALS globals, PVOID context_pointer)
{
    if (context_pointer == NULL) {
        OBJ_REPORT("NULL_REQUIRED_PARAM", NULL, "context", globals, "WdfObjectContextGetObject: NULL context");
        return NULL;
    }
    struct fx_context_header *h =
        (struct fx_context_header *)((unsigned char *)context_pointer - offsetof(struct fx_context_header, data));
    if (h->magic != CONTEXT_MAGIC) {
        OBJ_REPORT("WRONG_HANDLE_TYPE", context_pointer, "context", globals,
                           "WdfObjectContextGetObject: %p is not an object context", context_pointer);
        return NULL;
    }
    return h->object->handle;
}

/* ---- the WdfObject* API ----------------------------------------------------------------------- */

void imp_WdfObjectReferenceActual(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle, PVOID tag, LONG line, PCHAR file)
{
    fx_object *object = fx_object_from_handle(globals, handle, FX_TYPE_INVALID);
    if (object != NULL)
        fx_object_reference(object, tag, line, file);
}

void imp_WdfObjectDereferenceActual(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle, PVOID tag, LONG line,
                                    PCHAR file)
{
    fx_object *object = fx_object_from_handle(globals, handle, FX_TYPE_INVALID);
    if (object != NULL)
        fx_object_dereference(object, tag, line, file);
}

static const fx_object_ops general_object_ops = {
    .type = FX_TYPE_OBJECT,
    .name = "WDFOBJECT",
    .allows_parent = TRUE,
};

NTSTATUS imp_WdfObjectCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes, WDFOBJECT *object_out)
{
    if (object_out == NULL) {
        OBJ_REPORT("NULL_REQUIRED_PARAM", NULL, "WDFOBJECT", globals, "WdfObjectCreate: Object is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    *object_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfObjectCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_object *default_parent = globals != NULL ? fx_object_lookup((WDFOBJECT)globals->Driver) : NULL;
    fx_object *object;
    NTSTATUS status = fx_object_create(globals, &general_object_ops, sizeof(fx_object), attributes, default_parent,
                                       (void **)&object);
    if (NT_SUCCESS(status))
        *object_out = object->handle;
    return status;
}

void imp_WdfObjectDelete(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle)
{
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfObjectDelete"))
        return;
    BOOLEAN stale;
    fx_object *object = fx_handle_lookup(handle, &stale);
    if (object == NULL && stale) {
        OBJ_REPORT("OBJECT_DOUBLE_DELETE", handle, "WDFOBJECT", globals,
                           "WdfObjectDelete: handle %p was already deleted", handle);
        return;
    }
    object = fx_object_from_handle(globals, handle, FX_TYPE_INVALID);
    if (object == NULL)
        return;
    if (object->framework_owned ||
        (object->ops->driver_may_delete != NULL && !object->ops->driver_may_delete(object))) {
        OBJ_REPORT("DELETE_FRAMEWORK_OWNED", handle, object->ops->name, globals,
                           "WdfObjectDelete: the framework owns %s %p; the driver may not delete it",
                           object->ops->name, handle);
        return;
    }
    if (object->state != FX_STATE_CREATED) {
        OBJ_REPORT("OBJECT_DOUBLE_DELETE", handle, object->ops->name, globals,
                           "WdfObjectDelete: %s %p is already being deleted", object->ops->name, handle);
        return;
    }
    fx_object_delete(object);
}

NTSTATUS imp_WdfObjectQuery(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle, const GUID *guid, ULONG length,
                            PVOID buffer)
{
    UNREFERENCED_PARAMETER(guid);
    UNREFERENCED_PARAMETER(length);
    UNREFERENCED_PARAMETER(buffer);
    OBJ_REPORT("NOT_IMPLEMENTED", handle, "WDFOBJECT", globals,
                       "WdfObjectQuery is not implemented (undocumented DDI)");
    return STATUS_NOT_IMPLEMENTED;
}

/* ---- audits ----------------------------------------------------------------------------------- */

struct count_context {
    PWDF_DRIVER_GLOBALS globals;
    ULONG count;
};

static void count_object(fx_object *object, void *context)
{
    struct count_context *c = context;
    if (c->globals == NULL || object->globals == c->globals)
        c->count++;
}

ULONG fx_object_live_count(PWDF_DRIVER_GLOBALS globals)
{
    struct count_context c = {globals, 0};
    fx_handle_for_each(count_object, &c);
    return c.count;
}

static void dump_subtree(FILE *out, fx_object *object, int depth)
{
    static const char *const state_names[] = {"live", "deleting", "deleted"};
    fprintf(out, "%*s%s %p (refs %d, %s)\n", depth * 2, "", object->ops->name, object->handle,
            (int)object->references, state_names[object->state]);
    for (struct fx_tag_ref *r = object->tags; r != NULL; r = r->next)
        fprintf(out, "%*s  reference tag %p x%d, last taken at %s:%d\n", depth * 2, "", r->tag, (int)r->count,
                r->file ? r->file : "?", r->line);
    for (PLIST_ENTRY e = object->children.Flink; e != &object->children; e = e->Flink)
        dump_subtree(out, CONTAINING_RECORD(e, fx_object, sibling), depth + 1);
}

static void dump_root(fx_object *object, void *context)
{
    struct {
        PWDF_DRIVER_GLOBALS globals;
        FILE *out;
    } *c = context;
    if (object->parent == NULL && (c->globals == NULL || object->globals == c->globals))
        dump_subtree(c->out, object, 0);
}

void fx_object_dump_tree(PWDF_DRIVER_GLOBALS globals, void *file)
{
    struct {
        PWDF_DRIVER_GLOBALS globals;
        FILE *out;
    } c = {globals, file};
    fx_handle_for_each(dump_root, &c);
}

const char *fx_object_type_name(fx_object_type type)
{
    static const char *const names[FX_TYPE_COUNT] = {
        [FX_TYPE_INVALID] = "framework object", [FX_TYPE_OBJECT] = "WDFOBJECT",
        [FX_TYPE_DRIVER] = "WDFDRIVER",         [FX_TYPE_DEVICE] = "WDFDEVICE",
        [FX_TYPE_QUEUE] = "WDFQUEUE",           [FX_TYPE_REQUEST] = "WDFREQUEST",
        [FX_TYPE_FILEOBJECT] = "WDFFILEOBJECT", [FX_TYPE_MEMORY] = "WDFMEMORY",
        [FX_TYPE_LOOKASIDE] = "WDFLOOKASIDE",   [FX_TYPE_STRING] = "WDFSTRING",
        [FX_TYPE_COLLECTION] = "WDFCOLLECTION", [FX_TYPE_SPINLOCK] = "WDFSPINLOCK",
        [FX_TYPE_WAITLOCK] = "WDFWAITLOCK",     [FX_TYPE_TIMER] = "WDFTIMER",
        [FX_TYPE_DPC] = "WDFDPC",               [FX_TYPE_WORKITEM] = "WDFWORKITEM",
        [FX_TYPE_INTERRUPT] = "WDFINTERRUPT",   [FX_TYPE_IOTARGET] = "WDFIOTARGET",
        [FX_TYPE_KEY] = "WDFKEY",               [FX_TYPE_CHILDLIST] = "WDFCHILDLIST",
        [FX_TYPE_WMIPROVIDER] = "WDFWMIPROVIDER", [FX_TYPE_WMIINSTANCE] = "WDFWMIINSTANCE",
        [FX_TYPE_DMAENABLER] = "WDFDMAENABLER", [FX_TYPE_DMATRANSACTION] = "WDFDMATRANSACTION",
        [FX_TYPE_COMMONBUFFER] = "WDFCOMMONBUFFER", [FX_TYPE_CMRESLIST] = "WDFCMRESLIST",
        [FX_TYPE_USBDEVICE] = "WDFUSBDEVICE",   [FX_TYPE_USBINTERFACE] = "WDFUSBINTERFACE",
        [FX_TYPE_USBPIPE] = "WDFUSBPIPE",
    };
    return (type >= 0 && type < FX_TYPE_COUNT && names[type]) ? names[type] : "?";
}
