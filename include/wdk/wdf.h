/*
 * wdf.h - the Kernel-Mode Driver Framework API, as KMDF drivers include it (after ntddk.h).
 * One header per area, with the WDK's names; see docs/wdf-design.md for how calls find their driver.
 */
#ifndef OPENWDF_WDF_H
#define OPENWDF_WDF_H

#include <ntddk.h>
#include <wdfstatus.h>
#include <wdftypes.h>
#include <wdfobject.h>

#endif /* OPENWDF_WDF_H */
