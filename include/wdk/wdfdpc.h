/*
 * wdfdpc.h - framework DPC objects (WDFDPC), with the WDK's names. Implementation: src/wdf/dpc.c.
 * The parent is a device or an object whose parent chain leads to one; EvtDpcFunc runs at
 * DISPATCH_LEVEL.
 */
#ifndef OPENWDF_WDFDPC_H
#define OPENWDF_WDFDPC_H

#include <wdfobject.h>

typedef void EVT_WDF_DPC(WDFDPC Dpc);
typedef EVT_WDF_DPC *PFN_WDF_DPC;

typedef struct _WDF_DPC_CONFIG {
    ULONG Size;
    PFN_WDF_DPC EvtDpcFunc;
    BOOLEAN AutomaticSerialization;
} WDF_DPC_CONFIG, *PWDF_DPC_CONFIG;

FORCEINLINE void WDF_DPC_CONFIG_INIT(PWDF_DPC_CONFIG Config, PFN_WDF_DPC EvtDpcFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_DPC_CONFIG));
    Config->Size = sizeof(WDF_DPC_CONFIG);
    Config->EvtDpcFunc = EvtDpcFunc;
    Config->AutomaticSerialization = TRUE;
}

WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDpcCreate(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_DPC_CONFIG Config,
                                              PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC *Dpc);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfDpcEnqueue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfDpcCancel(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc, BOOLEAN Wait);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfDpcGetParentObject(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc);
WDF_EXTERN_C WDFAPI PKDPC imp_WdfDpcWdmGetDpc(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc);

FORCEINLINE NTSTATUS WdfDpcCreate(PWDF_DPC_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC *Dpc)
{
    return imp_WdfDpcCreate(WdfDriverGlobals, Config, Attributes, Dpc);
}

/* TRUE if the DPC was queued now; FALSE if it already was. */
FORCEINLINE BOOLEAN WdfDpcEnqueue(WDFDPC Dpc)
{
    return imp_WdfDpcEnqueue(WdfDriverGlobals, Dpc);
}

/* TRUE if the DPC was queued and is now removed. Wait: also wait for a running EvtDpcFunc (PASSIVE). */
FORCEINLINE BOOLEAN WdfDpcCancel(WDFDPC Dpc, BOOLEAN Wait)
{
    return imp_WdfDpcCancel(WdfDriverGlobals, Dpc, Wait);
}

FORCEINLINE WDFOBJECT WdfDpcGetParentObject(WDFDPC Dpc)
{
    return imp_WdfDpcGetParentObject(WdfDriverGlobals, Dpc);
}

FORCEINLINE PKDPC WdfDpcWdmGetDpc(WDFDPC Dpc)
{
    return imp_WdfDpcWdmGetDpc(WdfDriverGlobals, Dpc);
}

#endif /* OPENWDF_WDFDPC_H */
