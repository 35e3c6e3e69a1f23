/*
 * fx_object.h - the Framework's object model, private to src/wdf.
 *
 * Every WDF object embeds `struct fx_object` as its first member. Drivers see only handles, which
 * the handle table (fx_handle.c) maps back to objects after checking generation and type. The
 * lifetime model (docs/wdf-design.md): creation holds one reference; delete = dispose (cleanup
 * callbacks, then children) + drop the creation reference; the last reference destroys (destroy
 * callbacks, type destroy hook, parent reference released, memory freed). A child holds a reference
 * on its parent.
 *
 * Locks: each object's `lock` (a KSPIN_LOCK) guards its children list and state; a parent's lock
 * may be taken while holding nothing else. No object lock is held across a driver callback.
 */
#ifndef OPENWDF_FX_OBJECT_H
#define OPENWDF_FX_OBJECT_H

#include <wdf.h>
#include <openwdf/verifier.h>

typedef enum fx_object_type {
    FX_TYPE_INVALID = 0,
    FX_TYPE_OBJECT,     /* WdfObjectCreate: a general object */
    FX_TYPE_DRIVER,
    FX_TYPE_DEVICE,
    FX_TYPE_QUEUE,
    FX_TYPE_REQUEST,
    FX_TYPE_FILEOBJECT,
    FX_TYPE_MEMORY,
    FX_TYPE_LOOKASIDE,
    FX_TYPE_STRING,
    FX_TYPE_COLLECTION,
    FX_TYPE_SPINLOCK,
    FX_TYPE_WAITLOCK,
    FX_TYPE_TIMER,
    FX_TYPE_DPC,
    FX_TYPE_WORKITEM,
    FX_TYPE_INTERRUPT,
    FX_TYPE_IOTARGET,
    FX_TYPE_KEY,
    FX_TYPE_CHILDLIST,
    FX_TYPE_WMIPROVIDER,
    FX_TYPE_WMIINSTANCE,
    FX_TYPE_DMAENABLER,
    FX_TYPE_DMATRANSACTION,
    FX_TYPE_COMMONBUFFER,
    FX_TYPE_CMRESLIST,
    FX_TYPE_USBDEVICE,
    FX_TYPE_USBINTERFACE,
    FX_TYPE_USBPIPE,
    FX_TYPE_COUNT
} fx_object_type;

typedef enum fx_object_state {
    FX_STATE_CREATED = 0,  /* live */
    FX_STATE_DISPOSING,    /* delete in progress: cleanup callbacks / children */
    FX_STATE_DISPOSED,     /* disposed; waiting for the last reference */
} fx_object_state;

struct fx_object;

/* Per-type behaviour. Every hook may be NULL. */
typedef struct fx_object_ops {
    fx_object_type type;
    const char *name;                         /* "WDFDEVICE" */
    /* Framework work when the object is deleted, after the driver's cleanup callbacks and
     * before the children are disposed (e.g. a queue purges itself). PASSIVE or DISPATCH. */
    void (*dispose)(struct fx_object *object);
    /* Release type resources after the destroy callbacks, before the memory goes. */
    void (*destroy)(struct fx_object *object);
    /* Whether the driver may call WdfObjectDelete on it (else DELETE_FRAMEWORK_OWNED); NULL = yes. */
    BOOLEAN (*driver_may_delete)(struct fx_object *object);
    BOOLEAN allows_execution_level;           /* attributes may set ExecutionLevel */
    BOOLEAN allows_synchronization_scope;     /* attributes may set SynchronizationScope */
    BOOLEAN allows_parent;                    /* attributes may set ParentObject */
} fx_object_ops;

struct fx_context_header;
struct fx_tag_ref;

typedef struct fx_object {
    uint32_t magic;                       /* FX_OBJECT_MAGIC while allocated */
    fx_object_type type;
    const fx_object_ops *ops;
    PWDF_DRIVER_GLOBALS globals;          /* the driver that owns it */
    WDFOBJECT handle;
    volatile LONG references;
    volatile LONG state;                  /* fx_object_state */
    struct fx_object *parent;             /* referenced while set */
    LIST_ENTRY children;                  /* under lock */
    LIST_ENTRY sibling;                   /* in parent->children, under parent->lock */
    KSPIN_LOCK lock;
    struct fx_context_header *contexts;   /* first one inline after the type body */
    struct fx_tag_ref *tags;              /* tag-tracked references, under lock */
    WDF_EXECUTION_LEVEL execution_level;  /* resolved: Passive or Dispatch */
    WDF_SYNCHRONIZATION_SCOPE synchronization_scope; /* resolved: Device, Queue or None */
    BOOLEAN framework_owned;              /* e.g. a request the framework delivered */
} fx_object;

#define FX_OBJECT_MAGIC 0x4f784657u /* "WFxO" */

/*
 * Creates an object of `body_size` bytes (a type struct that starts with fx_object) plus the context
 * named by `attributes` (may be NULL), validates the attributes per ops, links it under its parent
 * (attributes->ParentObject if allowed and given, else default_parent, which may be NULL for the
 * driver object itself), resolves execution level and synchronization scope, and gives it a handle.
 * Errors: STATUS_INFO_LENGTH_MISMATCH (attributes->Size), STATUS_WDF_OBJECT_ATTRIBUTES_INVALID,
 * STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED, STATUS_WDF_EXECUTION_LEVEL_INVALID,
 * STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID, STATUS_INVALID_HANDLE (bad parent), STATUS_DELETE_PENDING
 * (parent being deleted), STATUS_INSUFFICIENT_RESOURCES. IRQL <= DISPATCH_LEVEL.
 */
NTSTATUS fx_object_create(PWDF_DRIVER_GLOBALS globals, const fx_object_ops *ops, size_t body_size,
                          const WDF_OBJECT_ATTRIBUTES *attributes, fx_object *default_parent, void **body_out);

/*
 * Validates a driver-supplied handle: NULL, stale (deleted) or of another type (type may be
 * FX_TYPE_INVALID to accept any) is a verifier report naming `caller`, and returns NULL.
 */
fx_object *fx_object_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFOBJECT handle, fx_object_type type,
                                    const char *caller);
#define fx_object_from_handle(globals, handle, type) \
    fx_object_from_handle_at(globals, (WDFOBJECT)(handle), type, __func__)

/* The same without reports (the framework's own lookups; NULL when invalid). */
fx_object *fx_object_lookup(WDFOBJECT handle);

void fx_object_reference(fx_object *object, const void *tag, int line, const char *file);
void fx_object_dereference(fx_object *object, const void *tag, int line, const char *file);
#define FX_REF(o, tag) fx_object_reference(o, tag, __LINE__, __FILE__)
#define FX_DEREF(o, tag) fx_object_dereference(o, tag, __LINE__, __FILE__)

/* Framework-initiated delete (no ownership check). Deleting an object already being deleted is a no-op. */
void fx_object_delete(fx_object *object);

static inline BOOLEAN fx_object_is_live(const fx_object *object)
{
    return object->state == FX_STATE_CREATED;
}

/* Gives the object a new handle value; the old one goes stale (a reused request). */
WDFOBJECT fx_object_renew_handle(fx_object *object);

/* The first context's memory (the one named at creation), or NULL. */
void *fx_object_first_context(fx_object *object);

/* Objects of a driver still allocated (leak audit), and a printed tree of them. */
ULONG fx_object_live_count(PWDF_DRIVER_GLOBALS globals_or_null);
void fx_object_dump_tree(PWDF_DRIVER_GLOBALS globals_or_null, void *file /* FILE* */);

const char *fx_object_type_name(fx_object_type type);

/* Handle table (fx_handle.c). */
WDFOBJECT fx_handle_allocate(fx_object *object);
void fx_handle_free(WDFOBJECT handle);
/* Gives a live object a new handle value (its old one goes stale): used when a request is reused. */
WDFOBJECT fx_handle_renew(WDFOBJECT handle);
fx_object *fx_handle_lookup(WDFOBJECT handle, BOOLEAN *stale);
/* Visits every object in the table (for audits); the callback must not create or free handles. */
void fx_handle_for_each(void (*visit)(fx_object *object, void *context), void *context);

#endif /* OPENWDF_FX_OBJECT_H */
