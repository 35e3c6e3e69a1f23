/*
 * wdfpdo.h - physical device objects a bus driver enumerates. Not implemented this round: every call
 * fails loudly (STATUS_NOT_IMPLEMENTED / NULL, and a NOT_IMPLEMENTED verifier report).
 */
#ifndef OPENWDF_WDFPDO_H
#define OPENWDF_WDFPDO_H

#include <wdftypes.h>
#include <wdfdriver.h>

WDF_EXTERN_C WDFAPI PWDFDEVICE_INIT imp_WdfPdoInitAllocate(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE ParentDevice);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfPdoInitAssignDeviceID(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                          PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceID);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfPdoInitAssignInstanceID(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING InstanceID);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfPdoInitAddHardwareID(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING HardwareID);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfPdoInitAddCompatibleID(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                           PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING CompatibleID);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfPdoInitAddDeviceText(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDFDEVICE_INIT DeviceInit,
                                                         PCUNICODE_STRING DeviceDescription,
                                                         PCUNICODE_STRING DeviceLocation, LCID LocaleId);
WDF_EXTERN_C WDFAPI void imp_WdfPdoInitSetDefaultLocale(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                        PWDFDEVICE_INIT DeviceInit, LCID LocaleId);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfPdoMarkMissing(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
WDF_EXTERN_C WDFAPI void imp_WdfPdoRequestEject(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);

FORCEINLINE PWDFDEVICE_INIT WdfPdoInitAllocate(WDFDEVICE ParentDevice)
{
    return imp_WdfPdoInitAllocate(WdfDriverGlobals, ParentDevice);
}

FORCEINLINE NTSTATUS WdfPdoInitAssignDeviceID(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceID)
{
    return imp_WdfPdoInitAssignDeviceID(WdfDriverGlobals, DeviceInit, DeviceID);
}

FORCEINLINE NTSTATUS WdfPdoInitAssignInstanceID(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING InstanceID)
{
    return imp_WdfPdoInitAssignInstanceID(WdfDriverGlobals, DeviceInit, InstanceID);
}

FORCEINLINE NTSTATUS WdfPdoInitAddHardwareID(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING HardwareID)
{
    return imp_WdfPdoInitAddHardwareID(WdfDriverGlobals, DeviceInit, HardwareID);
}

FORCEINLINE NTSTATUS WdfPdoInitAddCompatibleID(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING CompatibleID)
{
    return imp_WdfPdoInitAddCompatibleID(WdfDriverGlobals, DeviceInit, CompatibleID);
}

FORCEINLINE NTSTATUS WdfPdoInitAddDeviceText(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceDescription,
                                             PCUNICODE_STRING DeviceLocation, LCID LocaleId)
{
    return imp_WdfPdoInitAddDeviceText(WdfDriverGlobals, DeviceInit, DeviceDescription, DeviceLocation, LocaleId);
}

FORCEINLINE void WdfPdoInitSetDefaultLocale(PWDFDEVICE_INIT DeviceInit, LCID LocaleId)
{
    imp_WdfPdoInitSetDefaultLocale(WdfDriverGlobals, DeviceInit, LocaleId);
}

FORCEINLINE NTSTATUS WdfPdoMarkMissing(WDFDEVICE Device)
{
    return imp_WdfPdoMarkMissing(WdfDriverGlobals, Device);
}

FORCEINLINE void WdfPdoRequestEject(WDFDEVICE Device)
{
    imp_WdfPdoRequestEject(WdfDriverGlobals, Device);
}

#endif /* OPENWDF_WDFPDO_H */
