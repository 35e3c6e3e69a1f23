/*
 * wdffdo.h - function and filter devices: the FDO-only init calls (WdfFdoInit*) and calls on an FDO.
 * Static child lists and property queries are not implemented yet: they fail with
 * STATUS_NOT_IMPLEMENTED and a NOT_IMPLEMENTED verifier report.
 */
#ifndef OPENWDF_WDFFDO_H
#define OPENWDF_WDFFDO_H

#include <wdftypes.h>
#include <wdfdriver.h>

typedef enum _DEVICE_REGISTRY_PROPERTY {
    DevicePropertyDeviceDescription = 0x0,
    DevicePropertyHardwareID = 0x1,
    DevicePropertyCompatibleIDs = 0x2,
    DevicePropertyBootConfiguration = 0x3,
    DevicePropertyBootConfigurationTranslated = 0x4,
    DevicePropertyClassName = 0x5,
    DevicePropertyClassGuid = 0x6,
    DevicePropertyDriverKeyName = 0x7,
    DevicePropertyManufacturer = 0x8,
    DevicePropertyFriendlyName = 0x9,
    DevicePropertyLocationInformation = 0xa,
    DevicePropertyPhysicalDeviceObjectName = 0xb,
    DevicePropertyBusTypeGuid = 0xc,
    DevicePropertyLegacyBusType = 0xd,
    DevicePropertyBusNumber = 0xe,
    DevicePropertyEnumeratorName = 0xf,
    DevicePropertyAddress = 0x10,
    DevicePropertyUINumber = 0x11,
    DevicePropertyInstallState = 0x12,
    DevicePropertyRemovalPolicy = 0x13,
    DevicePropertyResourceRequirements = 0x14,
    DevicePropertyAllocatedResources = 0x15,
    DevicePropertyContainerID = 0x16,
} DEVICE_REGISTRY_PROPERTY;

/* Implementations (src/wdf/device_init.c). PASSIVE_LEVEL. */
WDF_EXTERN_C WDFAPI void imp_WdfFdoInitSetFilter(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
WDF_EXTERN_C WDFAPI PDEVICE_OBJECT imp_WdfFdoInitWdmGetPhysicalDevice(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                      PWDFDEVICE_INIT DeviceInit);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfFdoInitQueryProperty(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDFDEVICE_INIT DeviceInit,
                                                         DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                                         ULONG BufferLength, PVOID PropertyBuffer,
                                                         PULONG ResultLength);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfFdoInitOpenRegistryKey(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                           PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType,
                                                           ACCESS_MASK DesiredAccess,
                                                           PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfFdoQueryForInterface(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo,
                                                         const GUID *InterfaceType, PINTERFACE Interface,
                                                         USHORT Size, USHORT Version, PVOID InterfaceSpecificData);

FORCEINLINE void WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit)
{
    imp_WdfFdoInitSetFilter(WdfDriverGlobals, DeviceInit);
}

FORCEINLINE PDEVICE_OBJECT WdfFdoInitWdmGetPhysicalDevice(PWDFDEVICE_INIT DeviceInit)
{
    return imp_WdfFdoInitWdmGetPhysicalDevice(WdfDriverGlobals, DeviceInit);
}

FORCEINLINE NTSTATUS WdfFdoInitQueryProperty(PWDFDEVICE_INIT DeviceInit, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                             ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    return imp_WdfFdoInitQueryProperty(WdfDriverGlobals, DeviceInit, DeviceProperty, BufferLength, PropertyBuffer,
                                       ResultLength);
}

FORCEINLINE NTSTATUS WdfFdoInitOpenRegistryKey(PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType,
                                               ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                               WDFKEY *Key)
{
    return imp_WdfFdoInitOpenRegistryKey(WdfDriverGlobals, DeviceInit, DeviceInstanceKeyType, DesiredAccess,
                                         KeyAttributes, Key);
}

FORCEINLINE NTSTATUS WdfFdoQueryForInterface(WDFDEVICE Fdo, const GUID *InterfaceType, PINTERFACE Interface,
                                             USHORT Size, USHORT Version, PVOID InterfaceSpecificData)
{
    return imp_WdfFdoQueryForInterface(WdfDriverGlobals, Fdo, InterfaceType, Interface, Size, Version,
                                       InterfaceSpecificData);
}

#endif /* OPENWDF_WDFFDO_H */
