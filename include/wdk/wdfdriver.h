/*
 * wdfdriver.h - the driver object (WDFDRIVER): WdfDriverCreate and the calls on a driver.
 * See docs/wdf-core.md for how a driver binary is bound to the Framework (FxDriverEntry).
 */
#ifndef OPENWDF_WDFDRIVER_H
#define OPENWDF_WDFDRIVER_H

#include <wdftypes.h>
#include <wdfobject.h>

#ifndef OWDF_PWDFDEVICE_INIT_DEFINED
#define OWDF_PWDFDEVICE_INIT_DEFINED
/* What EvtDriverDeviceAdd receives and WdfDeviceCreate consumes; opaque to drivers. */
typedef struct WDFDEVICE_INIT WDFDEVICE_INIT, *PWDFDEVICE_INIT;
#endif

typedef enum _WDF_DRIVER_INIT_FLAGS {
    WdfDriverInitNonPnpDriver = 0x00000001,       /* no AddDevice; control devices only */
    WdfDriverInitNoDispatchOverride = 0x00000002, /* the Framework leaves the dispatch table alone */
    WdfVerifyOn = 0x00000004,
    WdfVerifierOn = 0x00000008,
    WdfDriverInitCompanion = 0x00000010,
} WDF_DRIVER_INIT_FLAGS;

#define WDF_TRACE_ID ('TRAC')

typedef NTSTATUS EVT_WDF_DRIVER_DEVICE_ADD(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit);
typedef EVT_WDF_DRIVER_DEVICE_ADD *PFN_WDF_DRIVER_DEVICE_ADD;
typedef void EVT_WDF_DRIVER_UNLOAD(WDFDRIVER Driver);
typedef EVT_WDF_DRIVER_UNLOAD *PFN_WDF_DRIVER_UNLOAD;
typedef void EVT_WDF_TRACE_CALLBACK(void);
typedef EVT_WDF_TRACE_CALLBACK *PFN_WDF_TRACE_CALLBACK;

typedef struct _WDF_DRIVER_CONFIG {
    ULONG Size;
    PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
    PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
    ULONG DriverInitFlags;   /* WDF_DRIVER_INIT_FLAGS */
    ULONG DriverPoolTag;     /* 0: the Framework's default tag */
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;

FORCEINLINE void WDF_DRIVER_CONFIG_INIT(PWDF_DRIVER_CONFIG Config, PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd)
{
    RtlZeroMemory(Config, sizeof(WDF_DRIVER_CONFIG));
    Config->Size = sizeof(WDF_DRIVER_CONFIG);
    Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}

typedef struct _WDF_DRIVER_VERSION_AVAILABLE_PARAMS {
    ULONG Size;
    ULONG MajorVersion;
    ULONG MinorVersion;
} WDF_DRIVER_VERSION_AVAILABLE_PARAMS, *PWDF_DRIVER_VERSION_AVAILABLE_PARAMS;

FORCEINLINE void WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(PWDF_DRIVER_VERSION_AVAILABLE_PARAMS Params,
                                                          ULONG MajorVersion, ULONG MinorVersion)
{
    RtlZeroMemory(Params, sizeof(WDF_DRIVER_VERSION_AVAILABLE_PARAMS));
    Params->Size = sizeof(WDF_DRIVER_VERSION_AVAILABLE_PARAMS);
    Params->MajorVersion = MajorVersion;
    Params->MinorVersion = MinorVersion;
}

/* The entry point of a driver binary, defined by the driver stub (libopenwdf_driver_stub.a) that
 * openwdf-cc links into every driver: it binds WdfDriverGlobals, then calls the driver's DriverEntry.
 * Load a driver with owdf_io_load_driver(name, FxDriverEntry, ...). */
DRIVER_INITIALIZE FxDriverEntry;

/* The KMDF version openwdf implements. */
#define OWDF_KMDF_VERSION_MAJOR 1
#define OWDF_KMDF_VERSION_MINOR 33

/* Implementations (src/wdf/driver.c). */
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDriverCreate(PWDF_DRIVER_GLOBALS DriverGlobals, PDRIVER_OBJECT DriverObject,
                                                 PCUNICODE_STRING RegistryPath,
                                                 PWDF_OBJECT_ATTRIBUTES DriverAttributes,
                                                 PWDF_DRIVER_CONFIG DriverConfig, WDFDRIVER *Driver);
WDF_EXTERN_C WDFAPI PWSTR imp_WdfDriverGetRegistryPath(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver);
WDF_EXTERN_C WDFAPI PDRIVER_OBJECT imp_WdfDriverWdmGetDriverObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                   WDFDRIVER Driver);
WDF_EXTERN_C WDFAPI WDFDRIVER imp_WdfWdmDriverGetWdfDriverHandle(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                 PDRIVER_OBJECT DriverObject);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDriverOpenParametersRegistryKey(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                    WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                                    PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                                                    WDFKEY *Key);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDriverRetrieveVersionString(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                WDFDRIVER Driver, WDFSTRING String);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfDriverIsVersionAvailable(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver,
                                                            PWDF_DRIVER_VERSION_AVAILABLE_PARAMS VersionAvailableParams);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDriverRegisterTraceInfo(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            PDRIVER_OBJECT DriverObject,
                                                            PFN_WDF_TRACE_CALLBACK EvtTraceCallback,
                                                            PVOID ControlBlock);

FORCEINLINE NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                                     PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
                                     WDFDRIVER *Driver)
{
    return imp_WdfDriverCreate(WdfDriverGlobals, DriverObject, RegistryPath, DriverAttributes, DriverConfig, Driver);
}

FORCEINLINE PWSTR WdfDriverGetRegistryPath(WDFDRIVER Driver)
{
    return imp_WdfDriverGetRegistryPath(WdfDriverGlobals, Driver);
}

FORCEINLINE PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver)
{
    return imp_WdfDriverWdmGetDriverObject(WdfDriverGlobals, Driver);
}

FORCEINLINE WDFDRIVER WdfWdmDriverGetWdfDriverHandle(PDRIVER_OBJECT DriverObject)
{
    return imp_WdfWdmDriverGetWdfDriverHandle(WdfDriverGlobals, DriverObject);
}

FORCEINLINE NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                        PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    return imp_WdfDriverOpenParametersRegistryKey(WdfDriverGlobals, Driver, DesiredAccess, KeyAttributes, Key);
}

FORCEINLINE NTSTATUS WdfDriverRetrieveVersionString(WDFDRIVER Driver, WDFSTRING String)
{
    return imp_WdfDriverRetrieveVersionString(WdfDriverGlobals, Driver, String);
}

FORCEINLINE BOOLEAN WdfDriverIsVersionAvailable(WDFDRIVER Driver,
                                                PWDF_DRIVER_VERSION_AVAILABLE_PARAMS VersionAvailableParams)
{
    return imp_WdfDriverIsVersionAvailable(WdfDriverGlobals, Driver, VersionAvailableParams);
}

FORCEINLINE NTSTATUS WdfDriverRegisterTraceInfo(PDRIVER_OBJECT DriverObject, PFN_WDF_TRACE_CALLBACK EvtTraceCallback,
                                                PVOID ControlBlock)
{
    return imp_WdfDriverRegisterTraceInfo(WdfDriverGlobals, DriverObject, EvtTraceCallback, ControlBlock);
}

#endif /* OPENWDF_WDFDRIVER_H */
