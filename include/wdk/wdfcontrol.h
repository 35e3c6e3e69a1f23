/*
 * wdfcontrol.h - control devices: devices a driver creates outside PnP (legacy-style, e.g. a
 * filter's sideband device). They are usable after WdfControlFinishInitializing and are deleted by
 * the driver (WdfObjectDelete) or, at the latest, when the driver unloads.
 */
#ifndef OPENWDF_WDFCONTROL_H
#define OPENWDF_WDFCONTROL_H

#include <wdftypes.h>
#include <wdfdriver.h>

typedef enum _WDF_DEVICE_SHUTDOWN_FLAGS {
    WdfDeviceShutdown = 0x01,
    WdfDeviceLastChanceShutdown = 0x02,
} WDF_DEVICE_SHUTDOWN_FLAGS;

typedef void EVT_WDF_DEVICE_SHUTDOWN_NOTIFICATION(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SHUTDOWN_NOTIFICATION *PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION;

/* Implementations (src/wdf/device_init.c, src/wdf/device.c). PASSIVE_LEVEL. */
WDF_EXTERN_C WDFAPI PWDFDEVICE_INIT imp_WdfControlDeviceInitAllocate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                     WDFDRIVER Driver,
                                                                     const UNICODE_STRING *SDDLString);
WDF_EXTERN_C WDFAPI void imp_WdfControlDeviceInitSetShutdownNotification(
    PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION Notification,
    UCHAR Flags);
WDF_EXTERN_C WDFAPI void imp_WdfControlFinishInitializing(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);

FORCEINLINE PWDFDEVICE_INIT WdfControlDeviceInitAllocate(WDFDRIVER Driver, const UNICODE_STRING *SDDLString)
{
    return imp_WdfControlDeviceInitAllocate(WdfDriverGlobals, Driver, SDDLString);
}

FORCEINLINE void WdfControlDeviceInitSetShutdownNotification(PWDFDEVICE_INIT DeviceInit,
                                                             PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION Notification,
                                                             UCHAR Flags)
{
    imp_WdfControlDeviceInitSetShutdownNotification(WdfDriverGlobals, DeviceInit, Notification, Flags);
}

FORCEINLINE void WdfControlFinishInitializing(WDFDEVICE Device)
{
    imp_WdfControlFinishInitializing(WdfDriverGlobals, Device);
}

#endif /* OPENWDF_WDFCONTROL_H */
