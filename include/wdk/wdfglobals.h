/*
 * wdfglobals.h - the driver's globals (WDF_DRIVER_GLOBALS, declared in wdftypes.h) and WdfGetDriver.
 * WdfDriverGlobals is defined, hidden, in each driver binary by the driver stub (docs/wdf-core.md).
 */
#ifndef OPENWDF_WDFGLOBALS_H
#define OPENWDF_WDFGLOBALS_H

#include <wdftypes.h>

/* The driver's WDFDRIVER (NULL before WdfDriverCreate succeeded). Any IRQL. */
FORCEINLINE WDFDRIVER WdfGetDriver(void)
{
    return WdfDriverGlobals->Driver;
}

#endif /* OPENWDF_WDFGLOBALS_H */
