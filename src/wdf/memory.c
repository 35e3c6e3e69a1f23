/*
 * memory.c - WDFMEMORY: memory objects over an allocated, driver-supplied or request buffer, and
 * the copy DDIs that check offsets and read-only memory (see fx_memory.h for the contracts).
 *
 * Buffers WdfMemoryCreate allocates come from the pool type the driver names, tagged with its tag
 * (or the driver's tag when it passes 0), so pool accounting and leak reports name the driver.
 */
#include "fx_memory.h"
#include "fx_support.h"

static BOOLEAN is_paged_pool(POOL_TYPE pool_type)
{
    return (pool_type & 1) != 0; /* PagedPool, PagedPoolCacheAligned and their session variants */
}

static void memory_destroy(fx_object *object)
{
    fx_memory *memory = (fx_memory *)object;
    if ((memory->flags & FX_MEMORY_OWNS_BUFFER) && memory->buffer != NULL)
        ExFreePoolWithTag(memory->buffer, memory->pool_tag);
    else if ((memory->flags & FX_MEMORY_FROM_LOOKASIDE) && memory->lookaside != NULL)
        fx_lookaside_return_buffer(memory->lookaside, memory->buffer);
    memory->buffer = NULL;
}

static const fx_object_ops memory_ops = {
    .type = FX_TYPE_MEMORY,
    .name = "WDFMEMORY",
    .destroy = memory_destroy,
    .allows_parent = TRUE,
};

NTSTATUS fx_memory_create_object(PWDF_DRIVER_GLOBALS globals, const WDF_OBJECT_ATTRIBUTES *attributes,
                                 void *buffer, size_t length, ULONG flags, ULONG pool_tag,
                                 struct fx_lookaside *lookaside, fx_memory **memory_out)
{
    fx_memory *memory;
    NTSTATUS status = fx_object_create(globals, &memory_ops, sizeof *memory, attributes,
                                       fx_support_driver_object(globals), (void **)&memory);
    if (!NT_SUCCESS(status))
        return status;
    memory->buffer = buffer;
    memory->length = length;
    memory->flags = flags;
    memory->pool_tag = pool_tag;
    memory->lookaside = lookaside;
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, memory->object.handle, FX_TYPE_MEMORY,
                  length);
    *memory_out = memory;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfMemoryCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes,
                             POOL_TYPE pool_type, ULONG pool_tag, size_t buffer_size, WDFMEMORY *memory_out,
                             PVOID *buffer_out)
{
    if (buffer_out != NULL)
        *buffer_out = NULL;
    if (memory_out == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryCreate", "Memory");
    *memory_out = NULL;
    if (!ke_check_max_irql(is_paged_pool(pool_type) ? APC_LEVEL : DISPATCH_LEVEL, "WdfMemoryCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (buffer_size == 0)
        return STATUS_INVALID_PARAMETER;
    if (pool_tag == 0)
        pool_tag = fx_support_driver_tag(globals);

    void *buffer = ExAllocatePoolWithTag(pool_type, buffer_size, pool_tag);
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    fx_memory *memory;
    NTSTATUS status = fx_memory_create_object(globals, attributes, buffer, buffer_size, FX_MEMORY_OWNS_BUFFER,
                                              pool_tag, NULL, &memory);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(buffer, pool_tag);
        return status;
    }
    *memory_out = (WDFMEMORY)memory->object.handle;
    if (buffer_out != NULL)
        *buffer_out = buffer;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfMemoryCreatePreallocated(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes,
                                         PVOID buffer, size_t buffer_size, WDFMEMORY *memory_out)
{
    if (memory_out == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryCreatePreallocated", "Memory");
    *memory_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfMemoryCreatePreallocated"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (buffer == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryCreatePreallocated", "Buffer");
    if (buffer_size == 0)
        return STATUS_INVALID_PARAMETER;
    fx_memory *memory;
    NTSTATUS status = fx_memory_create_object(globals, attributes, buffer, buffer_size,
                                              FX_MEMORY_PREALLOCATED, 0, NULL, &memory);
    if (NT_SUCCESS(status))
        *memory_out = (WDFMEMORY)memory->object.handle;
    return status;
}

fx_memory *fx_memory_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFMEMORY handle, const char *caller)
{
    return (fx_memory *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_MEMORY, caller);
}

NTSTATUS imp_WdfMemoryAssignBuffer(PWDF_DRIVER_GLOBALS globals, WDFMEMORY handle, PVOID buffer,
                                   size_t buffer_size)
{
    fx_memory *memory = fx_memory_from_handle_at(globals, handle, "WdfMemoryAssignBuffer");
    if (memory == NULL)
        return STATUS_INVALID_HANDLE;
    if (buffer == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryAssignBuffer", "Buffer");
    if (buffer_size == 0)
        return STATUS_INVALID_PARAMETER;
    /* Only memory made by WdfMemoryCreatePreallocated takes another buffer. */
    if (!(memory->flags & FX_MEMORY_PREALLOCATED))
        return STATUS_INVALID_DEVICE_REQUEST;
    memory->buffer = buffer;
    memory->length = buffer_size;
    return STATUS_SUCCESS;
}

PVOID imp_WdfMemoryGetBuffer(PWDF_DRIVER_GLOBALS globals, WDFMEMORY handle, size_t *buffer_size)
{
    if (buffer_size != NULL)
        *buffer_size = 0;
    fx_memory *memory = fx_memory_from_handle_at(globals, handle, "WdfMemoryGetBuffer");
    if (memory == NULL)
        return NULL;
    if (buffer_size != NULL)
        *buffer_size = memory->length;
    return memory->buffer;
}

NTSTATUS imp_WdfMemoryCopyToBuffer(PWDF_DRIVER_GLOBALS globals, WDFMEMORY handle, size_t source_offset,
                                   PVOID buffer, size_t count)
{
    fx_memory *memory = fx_memory_from_handle_at(globals, handle, "WdfMemoryCopyToBuffer");
    if (memory == NULL)
        return STATUS_INVALID_HANDLE;
    if (buffer == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryCopyToBuffer", "Buffer");
    if (count == 0)
        return STATUS_INVALID_PARAMETER;
    if (source_offset > memory->length || count > memory->length - source_offset)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(buffer, (const UCHAR *)memory->buffer + source_offset, count);
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfMemoryCopyFromBuffer(PWDF_DRIVER_GLOBALS globals, WDFMEMORY handle, size_t destination_offset,
                                     PVOID buffer, size_t count)
{
    fx_memory *memory = fx_memory_from_handle_at(globals, handle, "WdfMemoryCopyFromBuffer");
    if (memory == NULL)
        return STATUS_INVALID_HANDLE;
    if (buffer == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryCopyFromBuffer", "Buffer");
    if (count == 0)
        return STATUS_INVALID_PARAMETER;
    if (memory->flags & FX_MEMORY_READ_ONLY) {
        OWDF_VERIFY_REPORT(
            "MEMORY_READ_ONLY_WRITE", handle, "WDFMEMORY", fx_report_driver(globals),
            "WdfMemoryCopyFromBuffer: WDFMEMORY %p is read-only (e.g. a request's input buffer)", handle);
        return STATUS_ACCESS_VIOLATION;
    }
    if (destination_offset > memory->length)
        return STATUS_INVALID_BUFFER_SIZE;
    if (count > memory->length - destination_offset)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory((UCHAR *)memory->buffer + destination_offset, buffer, count);
    return STATUS_SUCCESS;
}

/* ---- framework-owned (request) memory -------------------------------------------------------- */

NTSTATUS fx_memory_create_embedded(PWDF_DRIVER_GLOBALS globals, fx_object *owner, fx_memory **memory_out)
{
    fx_memory *memory;
    NTSTATUS status = fx_object_create(globals, &memory_ops, sizeof *memory, NULL, owner, (void **)&memory);
    if (!NT_SUCCESS(status))
        return status;
    memory->flags = FX_MEMORY_EMBEDDED;
    memory->object.framework_owned = TRUE;
    *memory_out = memory;
    return STATUS_SUCCESS;
}

WDFMEMORY fx_memory_init_embedded(fx_memory *memory, void *buffer, size_t length, ULONG flags)
{
    memory->buffer = buffer;
    memory->length = buffer != NULL ? length : 0;
    memory->flags = FX_MEMORY_EMBEDDED | (flags & FX_MEMORY_READ_ONLY);
    return (WDFMEMORY)fx_object_renew_handle(&memory->object);
}

NTSTATUS fx_memory_descriptor_resolve(PWDF_DRIVER_GLOBALS globals, const WDF_MEMORY_DESCRIPTOR *descriptor,
                                      void **buffer_out, size_t *length_out, BOOLEAN *read_only_out,
                                      const char *caller)
{
    *buffer_out = NULL;
    *length_out = 0;
    if (read_only_out != NULL)
        *read_only_out = FALSE;
    if (descriptor == NULL)
        return FX_NULL_PARAM(globals, caller, "the memory descriptor");
    switch (descriptor->Type) {
    case WdfMemoryDescriptorTypeBuffer:
        if (descriptor->u.BufferType.Buffer == NULL || descriptor->u.BufferType.Length == 0)
            return STATUS_INVALID_PARAMETER;
        *buffer_out = descriptor->u.BufferType.Buffer;
        *length_out = descriptor->u.BufferType.Length;
        return STATUS_SUCCESS;
    case WdfMemoryDescriptorTypeMdl: {
        PMDL mdl = descriptor->u.MdlType.Mdl;
        if (mdl == NULL || descriptor->u.MdlType.BufferLength == 0)
            return STATUS_INVALID_PARAMETER;
        void *va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        if (va == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        *buffer_out = va;
        *length_out = descriptor->u.MdlType.BufferLength;
        return STATUS_SUCCESS;
    }
    case WdfMemoryDescriptorTypeHandle: {
        fx_memory *memory = fx_memory_from_handle_at(globals, descriptor->u.HandleType.Memory, caller);
        if (memory == NULL)
            return STATUS_INVALID_HANDLE;
        size_t offset = 0, length = memory->length;
        const WDFMEMORY_OFFSET *offsets = descriptor->u.HandleType.Offsets;
        if (offsets != NULL) {
            if (offsets->BufferOffset > memory->length)
                return STATUS_BUFFER_TOO_SMALL;
            offset = offsets->BufferOffset;
            /* BufferLength 0 means "the rest of the buffer". */
            length = offsets->BufferLength != 0 ? offsets->BufferLength : memory->length - offset;
            if (length > memory->length - offset)
                return STATUS_BUFFER_TOO_SMALL;
        }
        *buffer_out = (UCHAR *)memory->buffer + offset;
        *length_out = length;
        if (read_only_out != NULL)
            *read_only_out = (memory->flags & FX_MEMORY_READ_ONLY) != 0;
        return STATUS_SUCCESS;
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}
