/*
 * lookaside.c - WDFLOOKASIDE: a lookaside list of fixed-size buffers from which the driver takes
 * memory objects (WdfMemoryCreateFromLookaside). Deleting such a memory object returns its buffer to
 * the list. Each memory object holds a reference on the list, so deleting the list while memory is
 * out only detaches it: the Ex list goes when the last buffer comes back.
 *
 * Memory objects from a list have the driver as parent and the list's MemoryAttributes (context,
 * callbacks); MemoryAttributes may not name a parent (STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED).
 */
#include "fx_memory.h"
#include "fx_support.h"

#define LOOKASIDE_HEADER_TAG 'LxFW'

typedef struct fx_lookaside {
    fx_object object;
    PLOOKASIDE_LIST_EX list; /* cache aligned, allocated apart */
    size_t buffer_size;
    POOL_TYPE pool_type;
    ULONG pool_tag;
    BOOLEAN has_memory_attributes;
    WDF_OBJECT_ATTRIBUTES memory_attributes;
} fx_lookaside;

static void lookaside_destroy(fx_object *object)
{
    fx_lookaside *lookaside = (fx_lookaside *)object;
    if (lookaside->list != NULL) {
        ExDeleteLookasideListEx(lookaside->list);
        ExFreePoolWithTag(lookaside->list, LOOKASIDE_HEADER_TAG);
        lookaside->list = NULL;
    }
}

static const fx_object_ops lookaside_ops = {
    .type = FX_TYPE_LOOKASIDE,
    .name = "WDFLOOKASIDE",
    .destroy = lookaside_destroy,
    .allows_parent = TRUE,
};

NTSTATUS imp_WdfLookasideListCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES lookaside_attributes,
                                    size_t buffer_size, POOL_TYPE pool_type,
                                    PWDF_OBJECT_ATTRIBUTES memory_attributes, ULONG pool_tag,
                                    WDFLOOKASIDE *lookaside_out)
{
    if (lookaside_out == NULL)
        return FX_NULL_PARAM(globals, "WdfLookasideListCreate", "Lookaside");
    *lookaside_out = NULL;
    if (!ke_check_max_irql((pool_type & 1) ? APC_LEVEL : DISPATCH_LEVEL, "WdfLookasideListCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (buffer_size == 0)
        return STATUS_INVALID_PARAMETER;
    if (memory_attributes != NULL) {
        if (memory_attributes->Size != sizeof(WDF_OBJECT_ATTRIBUTES)) {
            OWDF_VERIFY_REPORT("OBJECT_ATTRIBUTES_SIZE", memory_attributes, "WDF_OBJECT_ATTRIBUTES",
                               fx_report_driver(globals),
                               "WdfLookasideListCreate: MemoryAttributes.Size is %u, expected %zu",
                               memory_attributes->Size, sizeof(WDF_OBJECT_ATTRIBUTES));
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        if (memory_attributes->ParentObject != NULL)
            return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;
    }
    if (pool_tag == 0)
        pool_tag = fx_support_driver_tag(globals);

    PLOOKASIDE_LIST_EX list =
        ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, sizeof *list, LOOKASIDE_HEADER_TAG);
    if (list == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    POOL_TYPE base_type = (pool_type & 1) ? PagedPool : NonPagedPoolNx;
    NTSTATUS status = ExInitializeLookasideListEx(list, NULL, NULL, base_type, 0, buffer_size, pool_tag, 0);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(list, LOOKASIDE_HEADER_TAG);
        return status;
    }
    fx_lookaside *lookaside;
    status = fx_object_create(globals, &lookaside_ops, sizeof *lookaside, lookaside_attributes,
                              fx_support_driver_object(globals), (void **)&lookaside);
    if (!NT_SUCCESS(status)) {
        ExDeleteLookasideListEx(list);
        ExFreePoolWithTag(list, LOOKASIDE_HEADER_TAG);
        return status;
    }
    lookaside->list = list;
    lookaside->buffer_size = buffer_size;
    lookaside->pool_type = pool_type;
    lookaside->pool_tag = pool_tag;
    if (memory_attributes != NULL) {
        lookaside->has_memory_attributes = TRUE;
        lookaside->memory_attributes = *memory_attributes;
    }
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, lookaside->object.handle,
                  FX_TYPE_LOOKASIDE, buffer_size);
    *lookaside_out = (WDFLOOKASIDE)lookaside->object.handle;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfMemoryCreateFromLookaside(PWDF_DRIVER_GLOBALS globals, WDFLOOKASIDE handle,
                                          WDFMEMORY *memory_out)
{
    if (memory_out == NULL)
        return FX_NULL_PARAM(globals, "WdfMemoryCreateFromLookaside", "Memory");
    *memory_out = NULL;
    fx_lookaside *lookaside = (fx_lookaside *)fx_object_from_handle_at(globals, handle, FX_TYPE_LOOKASIDE,
                                                                       "WdfMemoryCreateFromLookaside");
    if (lookaside == NULL)
        return STATUS_INVALID_HANDLE;
    if (!ke_check_max_irql((lookaside->pool_type & 1) ? APC_LEVEL : DISPATCH_LEVEL,
                           "WdfMemoryCreateFromLookaside"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!fx_object_is_live(&lookaside->object))
        return STATUS_DELETE_PENDING;

    void *buffer = ExAllocateFromLookasideListEx(lookaside->list);
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    FX_REF(&lookaside->object, NULL); /* the memory object's reference, dropped when its buffer returns */
    fx_memory *memory;
    NTSTATUS status = fx_memory_create_object(
        globals, lookaside->has_memory_attributes ? &lookaside->memory_attributes : NULL, buffer,
        lookaside->buffer_size, FX_MEMORY_FROM_LOOKASIDE, lookaside->pool_tag, lookaside, &memory);
    if (!NT_SUCCESS(status)) {
        fx_lookaside_return_buffer(lookaside, buffer);
        return status;
    }
    *memory_out = (WDFMEMORY)memory->object.handle;
    return STATUS_SUCCESS;
}

void fx_lookaside_return_buffer(struct fx_lookaside *lookaside, void *buffer)
{
    if (buffer != NULL)
        ExFreeToLookasideListEx(lookaside->list, buffer);
    FX_DEREF(&lookaside->object, NULL);
}
