/*
 * wdfworkitem.h - framework work items (WDFWORKITEM), with the WDK's names. Implementation:
 * src/wdf/workitem.c. The parent is a device or an object whose parent chain leads to one;
 * EvtWorkItemFunc runs at PASSIVE_LEVEL on a system worker thread.
 */
#ifndef OPENWDF_WDFWORKITEM_H
#define OPENWDF_WDFWORKITEM_H

#include <wdfobject.h>

typedef void EVT_WDF_WORKITEM(WDFWORKITEM WorkItem);
typedef EVT_WDF_WORKITEM *PFN_WDF_WORKITEM;

typedef struct _WDF_WORKITEM_CONFIG {
    ULONG Size;
    PFN_WDF_WORKITEM EvtWorkItemFunc;
    BOOLEAN AutomaticSerialization;
} WDF_WORKITEM_CONFIG, *PWDF_WORKITEM_CONFIG;

FORCEINLINE void WDF_WORKITEM_CONFIG_INIT(PWDF_WORKITEM_CONFIG Config, PFN_WDF_WORKITEM EvtWorkItemFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_WORKITEM_CONFIG));
    Config->Size = sizeof(WDF_WORKITEM_CONFIG);
    Config->EvtWorkItemFunc = EvtWorkItemFunc;
    Config->AutomaticSerialization = TRUE;
}

WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfWorkItemCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                   PWDF_WORKITEM_CONFIG Config,
                                                   PWDF_OBJECT_ATTRIBUTES Attributes, WDFWORKITEM *WorkItem);
WDF_EXTERN_C WDFAPI void imp_WdfWorkItemEnqueue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWORKITEM WorkItem);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfWorkItemGetParentObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                             WDFWORKITEM WorkItem);
WDF_EXTERN_C WDFAPI void imp_WdfWorkItemFlush(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWORKITEM WorkItem);

FORCEINLINE NTSTATUS WdfWorkItemCreate(PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                                       WDFWORKITEM *WorkItem)
{
    return imp_WdfWorkItemCreate(WdfDriverGlobals, Config, Attributes, WorkItem);
}

/* Queues the work item unless it is already queued (a running one may be queued again). */
FORCEINLINE void WdfWorkItemEnqueue(WDFWORKITEM WorkItem)
{
    imp_WdfWorkItemEnqueue(WdfDriverGlobals, WorkItem);
}

FORCEINLINE WDFOBJECT WdfWorkItemGetParentObject(WDFWORKITEM WorkItem)
{
    return imp_WdfWorkItemGetParentObject(WdfDriverGlobals, WorkItem);
}

/* Waits until the work item is neither queued nor running. PASSIVE_LEVEL. */
FORCEINLINE void WdfWorkItemFlush(WDFWORKITEM WorkItem)
{
    imp_WdfWorkItemFlush(WdfDriverGlobals, WorkItem);
}

#endif /* OPENWDF_WDFWORKITEM_H */
