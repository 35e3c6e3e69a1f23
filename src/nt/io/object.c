/*
 * object.c - the object header kept before every driver, device and file object, and the Ob
 * reference calls drivers use on them (ObReferenceObject, ObDereferenceObject, ...WithTag,
 * ObReferenceObjectByPointer).
 *
 * A header holds the pointer count and the routine that frees the object when it reaches zero.
 * References are plain atomic counts: cheap, any IRQL, any thread. Tags are accepted and ignored
 * (the count is the same); they exist so driver code compiles and so a tag tracker can be added.
 */
#include "io_internal.h"

#define IO_OB_MAGIC 0x624f774fu /* "OwOb" */
#define IO_OB_FREED 0x64656572u

struct io_object_header {
    uint32_t magic;
    uint32_t type;
    volatile LONG_PTR pointer_count;
    io_object_delete_fn *on_delete;
    PVOID reserved;
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct io_object_header) % 16 == 0, "object bodies stay 16-byte aligned");

struct _OBJECT_TYPE {
    const char *name;
    io_ob_type type;
};

static struct _OBJECT_TYPE io_type_driver = {"Driver", IO_OB_DRIVER};
static struct _OBJECT_TYPE io_type_device = {"Device", IO_OB_DEVICE};
static struct _OBJECT_TYPE io_type_file = {"File", IO_OB_FILE};
static POBJECT_TYPE io_type_driver_ptr = &io_type_driver;
static POBJECT_TYPE io_type_device_ptr = &io_type_device;
static POBJECT_TYPE io_type_file_ptr = &io_type_file;
POBJECT_TYPE *IoDriverObjectType = &io_type_driver_ptr;
POBJECT_TYPE *IoDeviceObjectType = &io_type_device_ptr;
POBJECT_TYPE *IoFileObjectType = &io_type_file_ptr;

static volatile LONG io_live[IO_OB_OTHER + 1];

static const ULONG io_ob_tags[] = {
    [IO_OB_NONE] = 0x3f624f49,   /* 'IOb?' */
    [IO_OB_DRIVER] = 0x76724449, /* 'IDrv' */
    [IO_OB_DEVICE] = 0x76654449, /* 'IDev' */
    [IO_OB_FILE] = 0x6c694649,   /* 'IFil' */
    [IO_OB_OTHER] = 0x744f4f49,  /* 'IOOt' */
};

static inline struct io_object_header *io_header(const void *body)
{
    return (struct io_object_header *)body - 1;
}

PVOID io_object_allocate(io_ob_type type, SIZE_T body_size, io_object_delete_fn *on_delete)
{
    if (type <= IO_OB_NONE || type > IO_OB_OTHER)
        return NULL;
    struct io_object_header *h =
        ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *h + body_size, io_ob_tags[type]);
    if (h == NULL)
        return NULL;
    h->magic = IO_OB_MAGIC;
    h->type = type;
    h->pointer_count = 1;
    h->on_delete = on_delete;
    __atomic_add_fetch(&io_live[type], 1, __ATOMIC_RELAXED);
    return h + 1;
}

void io_object_free(PVOID body)
{
    if (body == NULL)
        return;
    struct io_object_header *h = io_header(body);
    __atomic_sub_fetch(&io_live[h->type <= IO_OB_OTHER ? h->type : IO_OB_NONE], 1, __ATOMIC_RELAXED);
    h->magic = IO_OB_FREED;
    ExFreePool(h);
}

io_ob_type io_object_type(const void *body)
{
    if (body == NULL)
        return IO_OB_NONE;
    const struct io_object_header *h = io_header(body);
    if (h->magic != IO_OB_MAGIC)
        return IO_OB_NONE;
    return (io_ob_type)h->type;
}

LONG_PTR io_object_reference_count(const void *body)
{
    return __atomic_load_n(&io_header(body)->pointer_count, __ATOMIC_RELAXED);
}

LONG io_object_live_count(io_ob_type type)
{
    if (type > IO_OB_OTHER)
        return 0;
    return __atomic_load_n(&io_live[type], __ATOMIC_RELAXED);
}

static BOOLEAN io_check_object(PVOID object, const char *call)
{
    if (IO_LIKELY(object != NULL && io_header(object)->magic == IO_OB_MAGIC))
        return TRUE;
    OWDF_VERIFY_REPORT("OB_NOT_AN_OBJECT", object, "OBJECT", io_report_driver(),
                       "%s(%p): not a driver, device or file object (or already freed)", call, object);
    return FALSE;
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    if (!io_check_object(Object, "ObReferenceObject"))
        return 0;
    return __atomic_add_fetch(&io_header(Object)->pointer_count, 1, __ATOMIC_RELAXED);
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    if (!io_check_object(Object, "ObDereferenceObject"))
        return 0;
    struct io_object_header *h = io_header(Object);
    LONG_PTR count = __atomic_sub_fetch(&h->pointer_count, 1, __ATOMIC_ACQ_REL);
    if (IO_LIKELY(count > 0))
        return count;
    if (count < 0) {
        __atomic_add_fetch(&h->pointer_count, 1, __ATOMIC_RELAXED);
        OWDF_VERIFY_REPORT("OB_REFERENCE_UNDERFLOW", Object, "OBJECT", io_report_driver(),
                           "ObDereferenceObject(%p): no reference left to drop", Object);
        return 0;
    }
    if (h->on_delete != NULL)
        h->on_delete(Object);
    else
        io_object_free(Object);
    return 0;
}

LONG_PTR ObfReferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    (void)Tag;
    return ObfReferenceObject(Object);
}

LONG_PTR ObfDereferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    (void)Tag;
    return ObfDereferenceObject(Object);
}

/* The delete routines of our objects may run at any IRQL, so deferral is not needed. */
void ObDereferenceObjectDeferDelete(PVOID Object)
{
    ObfDereferenceObject(Object);
}

void ObDereferenceObjectDeferDeleteWithTag(PVOID Object, ULONG Tag)
{
    (void)Tag;
    ObfDereferenceObject(Object);
}

NTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                    KPROCESSOR_MODE AccessMode)
{
    (void)DesiredAccess;
    (void)AccessMode;
    if (!io_check_object(Object, "ObReferenceObjectByPointer"))
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (ObjectType != NULL && ObjectType->type != io_object_type(Object))
        return STATUS_OBJECT_TYPE_MISMATCH;
    ObfReferenceObject(Object);
    return STATUS_SUCCESS;
}

NTSTATUS ObReferenceObjectByPointerWithTag(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                           KPROCESSOR_MODE AccessMode, ULONG Tag)
{
    (void)Tag;
    return ObReferenceObjectByPointer(Object, DesiredAccess, ObjectType, AccessMode);
}
