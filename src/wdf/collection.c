/*
 * collection.c - WDFCOLLECTION: an ordered list of framework objects. The collection holds one
 * reference on each item (taken by Add, released by Remove/RemoveItem and when the collection is
 * deleted). KMDF leaves synchronization to the driver; we still guard the array with a spin lock
 * so that a racing driver gets wrong answers rather than a corrupted collection.
 */
#include "fx_support.h"

#define COLLECTION_TAG 'CxFW'
#define INITIAL_CAPACITY 8

typedef struct fx_collection {
    fx_object object;
    KSPIN_LOCK lock; /* guards items/count/capacity */
    fx_object **items;
    ULONG count;
    ULONG capacity;
} fx_collection;

/* Drops every item when the collection is deleted (PASSIVE or DISPATCH). */
static void collection_dispose(fx_object *object)
{
    fx_collection *c = (fx_collection *)object;
    for (;;) {
        KIRQL irql;
        KeAcquireSpinLock(&c->lock, &irql);
        fx_object *item = c->count != 0 ? c->items[--c->count] : NULL;
        KeReleaseSpinLock(&c->lock, irql);
        if (item == NULL)
            break;
        FX_DEREF(item, c);
    }
}

static void collection_destroy(fx_object *object)
{
    fx_collection *c = (fx_collection *)object;
    if (c->items != NULL)
        ExFreePoolWithTag(c->items, COLLECTION_TAG);
    c->items = NULL;
}

static const fx_object_ops collection_ops = {
    .type = FX_TYPE_COLLECTION,
    .name = "WDFCOLLECTION",
    .dispose = collection_dispose,
    .destroy = collection_destroy,
    .allows_parent = TRUE,
};

static fx_collection *collection_from(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle, const char *ddi)
{
    return (fx_collection *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_COLLECTION, ddi);
}

NTSTATUS imp_WdfCollectionCreate(PWDF_DRIVER_GLOBALS globals, PWDF_OBJECT_ATTRIBUTES attributes,
                                 WDFCOLLECTION *collection_out)
{
    if (collection_out == NULL)
        return FX_NULL_PARAM(globals, "WdfCollectionCreate", "Collection");
    *collection_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfCollectionCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_collection *c;
    NTSTATUS status = fx_object_create(globals, &collection_ops, sizeof *c, attributes,
                                       fx_support_driver_object(globals), (void **)&c);
    if (!NT_SUCCESS(status))
        return status;
    KeInitializeSpinLock(&c->lock);
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, c->object.handle, FX_TYPE_COLLECTION, 0);
    *collection_out = (WDFCOLLECTION)c->object.handle;
    return STATUS_SUCCESS;
}

ULONG imp_WdfCollectionGetCount(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle)
{
    fx_collection *c = collection_from(globals, handle, "WdfCollectionGetCount");
    if (c == NULL)
        return 0;
    KIRQL irql;
    KeAcquireSpinLock(&c->lock, &irql);
    ULONG count = c->count;
    KeReleaseSpinLock(&c->lock, irql);
    return count;
}

NTSTATUS imp_WdfCollectionAdd(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle, WDFOBJECT object_handle)
{
    fx_collection *c = collection_from(globals, handle, "WdfCollectionAdd");
    if (c == NULL)
        return STATUS_INVALID_HANDLE;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfCollectionAdd"))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_object *item = fx_object_from_handle_at(globals, object_handle, FX_TYPE_INVALID, "WdfCollectionAdd");
    if (item == NULL)
        return STATUS_INVALID_HANDLE;

    FX_REF(item, c);
    /* Grow outside the lock: allocate, then re-check under the lock (another Add may have grown it). */
    fx_object **spare = NULL;
    ULONG spare_capacity = 0;
    for (;;) {
        KIRQL irql;
        KeAcquireSpinLock(&c->lock, &irql);
        if (c->count < c->capacity) {
            c->items[c->count++] = item;
            KeReleaseSpinLock(&c->lock, irql);
            break;
        }
        if (spare_capacity > c->capacity) {
            if (c->count != 0)
                RtlCopyMemory(spare, c->items, c->count * sizeof *spare);
            fx_object **old = c->items;
            c->items = spare;
            c->capacity = spare_capacity;
            c->items[c->count++] = item;
            KeReleaseSpinLock(&c->lock, irql);
            spare = old; /* freed below */
            break;
        }
        ULONG wanted = c->capacity != 0 ? c->capacity * 2 : INITIAL_CAPACITY;
        KeReleaseSpinLock(&c->lock, irql);
        if (spare != NULL)
            ExFreePoolWithTag(spare, COLLECTION_TAG);
        spare = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)wanted * sizeof *spare, COLLECTION_TAG);
        if (spare == NULL) {
            FX_DEREF(item, c);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        spare_capacity = wanted;
    }
    if (spare != NULL)
        ExFreePoolWithTag(spare, COLLECTION_TAG);
    return STATUS_SUCCESS;
}

/* Removes index `i` (lock held) and returns the item whose reference the caller must drop. */
static fx_object *remove_at_locked(fx_collection *c, ULONG i)
{
    fx_object *item = c->items[i];
    RtlMoveMemory(&c->items[i], &c->items[i + 1], (c->count - i - 1) * sizeof c->items[0]);
    c->count--;
    return item;
}

void imp_WdfCollectionRemove(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle, WDFOBJECT item_handle)
{
    fx_collection *c = collection_from(globals, handle, "WdfCollectionRemove");
    if (c == NULL)
        return;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfCollectionRemove"))
        return;
    fx_object *item = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&c->lock, &irql);
    for (ULONG i = 0; i < c->count; i++) {
        if (c->items[i]->handle == item_handle) {
            item = remove_at_locked(c, i);
            break;
        }
    }
    KeReleaseSpinLock(&c->lock, irql);
    if (item == NULL) {
        OWDF_VERIFY_REPORT("COLLECTION_ITEM_NOT_FOUND", handle, "WDFCOLLECTION", fx_report_driver(globals),
                           "WdfCollectionRemove: object %p is not in collection %p", item_handle, handle);
        return;
    }
    FX_DEREF(item, c);
}

void imp_WdfCollectionRemoveItem(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle, ULONG index)
{
    fx_collection *c = collection_from(globals, handle, "WdfCollectionRemoveItem");
    if (c == NULL)
        return;
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfCollectionRemoveItem"))
        return;
    fx_object *item = NULL;
    ULONG count;
    KIRQL irql;
    KeAcquireSpinLock(&c->lock, &irql);
    count = c->count;
    if (index < c->count)
        item = remove_at_locked(c, index);
    KeReleaseSpinLock(&c->lock, irql);
    if (item == NULL) {
        OWDF_VERIFY_REPORT("COLLECTION_ITEM_NOT_FOUND", handle, "WDFCOLLECTION", fx_report_driver(globals),
                           "WdfCollectionRemoveItem: index %u is out of range (the collection holds %u)",
                           index, count);
        return;
    }
    FX_DEREF(item, c);
}

static WDFOBJECT item_at(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle, ULONG index, BOOLEAN last,
                         const char *ddi)
{
    fx_collection *c = collection_from(globals, handle, ddi);
    if (c == NULL)
        return NULL;
    WDFOBJECT result = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&c->lock, &irql);
    if (last)
        index = c->count - 1; /* wraps to ULONG_MAX when empty */
    if (index < c->count)
        result = c->items[index]->handle;
    KeReleaseSpinLock(&c->lock, irql);
    return result;
}

WDFOBJECT imp_WdfCollectionGetItem(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle, ULONG index)
{
    return item_at(globals, handle, index, FALSE, "WdfCollectionGetItem");
}

WDFOBJECT imp_WdfCollectionGetFirstItem(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle)
{
    return item_at(globals, handle, 0, FALSE, "WdfCollectionGetFirstItem");
}

WDFOBJECT imp_WdfCollectionGetLastItem(PWDF_DRIVER_GLOBALS globals, WDFCOLLECTION handle)
{
    return item_at(globals, handle, 0, TRUE, "WdfCollectionGetLastItem");
}
