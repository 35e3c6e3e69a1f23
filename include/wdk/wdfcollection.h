/*
 * wdfcollection.h - framework object collections (WDFCOLLECTION), with the WDK's names. A
 * collection holds a reference on each object in it; deleting the collection releases them.
 * Implementation: src/wdf/collection.c.
 */
#ifndef OPENWDF_WDFCOLLECTION_H
#define OPENWDF_WDFCOLLECTION_H

#include <wdfobject.h>

WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfCollectionCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                     PWDF_OBJECT_ATTRIBUTES CollectionAttributes,
                                                     WDFCOLLECTION *Collection);
WDF_EXTERN_C WDFAPI ULONG imp_WdfCollectionGetCount(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                    WDFCOLLECTION Collection);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfCollectionAdd(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection,
                                                  WDFOBJECT Object);
WDF_EXTERN_C WDFAPI void imp_WdfCollectionRemove(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection,
                                                 WDFOBJECT Item);
WDF_EXTERN_C WDFAPI void imp_WdfCollectionRemoveItem(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                     WDFCOLLECTION Collection, ULONG Index);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfCollectionGetItem(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                       WDFCOLLECTION Collection, ULONG Index);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfCollectionGetFirstItem(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            WDFCOLLECTION Collection);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfCollectionGetLastItem(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                           WDFCOLLECTION Collection);

FORCEINLINE NTSTATUS WdfCollectionCreate(PWDF_OBJECT_ATTRIBUTES CollectionAttributes,
                                         WDFCOLLECTION *Collection)
{
    return imp_WdfCollectionCreate(WdfDriverGlobals, CollectionAttributes, Collection);
}

FORCEINLINE ULONG WdfCollectionGetCount(WDFCOLLECTION Collection)
{
    return imp_WdfCollectionGetCount(WdfDriverGlobals, Collection);
}

FORCEINLINE NTSTATUS WdfCollectionAdd(WDFCOLLECTION Collection, WDFOBJECT Object)
{
    return imp_WdfCollectionAdd(WdfDriverGlobals, Collection, Object);
}

FORCEINLINE void WdfCollectionRemove(WDFCOLLECTION Collection, WDFOBJECT Item)
{
    imp_WdfCollectionRemove(WdfDriverGlobals, Collection, Item);
}

FORCEINLINE void WdfCollectionRemoveItem(WDFCOLLECTION Collection, ULONG Index)
{
    imp_WdfCollectionRemoveItem(WdfDriverGlobals, Collection, Index);
}

FORCEINLINE WDFOBJECT WdfCollectionGetItem(WDFCOLLECTION Collection, ULONG Index)
{
    return imp_WdfCollectionGetItem(WdfDriverGlobals, Collection, Index);
}

FORCEINLINE WDFOBJECT WdfCollectionGetFirstItem(WDFCOLLECTION Collection)
{
    return imp_WdfCollectionGetFirstItem(WdfDriverGlobals, Collection);
}

FORCEINLINE WDFOBJECT WdfCollectionGetLastItem(WDFCOLLECTION Collection)
{
    return imp_WdfCollectionGetLastItem(WdfDriverGlobals, Collection);
}

#endif /* OPENWDF_WDFCOLLECTION_H */
