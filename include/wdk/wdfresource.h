/*
 * wdfresource.h - hardware resource lists (WDFCMRESLIST) given to EvtDevicePrepareHardware.
 * openwdf's devices have no hardware resources yet: the lists are empty (count 0).
 */
#ifndef OPENWDF_WDFRESOURCE_H
#define OPENWDF_WDFRESOURCE_H

#include <wdftypes.h>

/* Implementations (src/wdf/pnp_minimal.c). IRQL <= DISPATCH_LEVEL. */
WDF_EXTERN_C WDFAPI ULONG imp_WdfCmResourceListGetCount(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCMRESLIST List);
WDF_EXTERN_C WDFAPI PCM_PARTIAL_RESOURCE_DESCRIPTOR imp_WdfCmResourceListGetDescriptor(
    PWDF_DRIVER_GLOBALS DriverGlobals, WDFCMRESLIST List, ULONG Index);

FORCEINLINE ULONG WdfCmResourceListGetCount(WDFCMRESLIST List)
{
    return imp_WdfCmResourceListGetCount(WdfDriverGlobals, List);
}

FORCEINLINE PCM_PARTIAL_RESOURCE_DESCRIPTOR WdfCmResourceListGetDescriptor(WDFCMRESLIST List, ULONG Index)
{
    return imp_WdfCmResourceListGetDescriptor(WdfDriverGlobals, List, Index);
}

#endif /* OPENWDF_WDFRESOURCE_H */
