/*
 * wdfdevice.h - framework device objects (WDFDEVICE): the device init calls (WDFDEVICE_INIT),
 * WdfDeviceCreate, PnP/power callbacks, names, interfaces, and the calls on a device.
 */
#ifndef OPENWDF_WDFDEVICE_H
#define OPENWDF_WDFDEVICE_H

#include <wdftypes.h>
#include <wdfobject.h>
#include <wdfdriver.h>
#include <wdffileobject.h>

/* Request types (WdfDeviceConfigureRequestDispatching) are wdfrequest.h's WDF_REQUEST_TYPE. */
#include <wdfrequest.h>

/* ---- Enums ------------------------------------------------------------------------------------ */
typedef enum _WDF_DEVICE_IO_TYPE {
    WdfDeviceIoUndefined = 0,
    WdfDeviceIoNeither,
    WdfDeviceIoBuffered,
    WdfDeviceIoDirect,
    WdfDeviceIoBufferedOrDirect = 4,
    WdfDeviceIoMaximum,
} WDF_DEVICE_IO_TYPE, *PWDF_DEVICE_IO_TYPE;

typedef enum _WDF_POWER_DEVICE_STATE {
    WdfPowerDeviceInvalid = 0,
    WdfPowerDeviceD0,
    WdfPowerDeviceD1,
    WdfPowerDeviceD2,
    WdfPowerDeviceD3,
    WdfPowerDeviceD3Final,               /* the device is leaving for good (remove) or arriving first */
    WdfPowerDevicePrepareForHibernation,
    WdfPowerDeviceMaximum,
} WDF_POWER_DEVICE_STATE, *PWDF_POWER_DEVICE_STATE;

typedef enum _WDF_SPECIAL_FILE_TYPE {
    WdfSpecialFileUndefined = 0,
    WdfSpecialFilePaging = 1,
    WdfSpecialFileHibernation,
    WdfSpecialFileDump,
    WdfSpecialFileBoot,
    WdfSpecialFilePostDisplay,
    WdfSpecialFileGuestAssigned,
    WdfSpecialFileMax,
} WDF_SPECIAL_FILE_TYPE, *PWDF_SPECIAL_FILE_TYPE;

typedef enum _WDF_DEVICE_FAILED_ACTION {
    WdfDeviceFailedUndefined = 0,
    WdfDeviceFailedAttemptRestart,
    WdfDeviceFailedNoRestart,
} WDF_DEVICE_FAILED_ACTION;

/* ---- PnP and power callbacks ------------------------------------------------------------------- */
typedef NTSTATUS EVT_WDF_DEVICE_D0_ENTRY(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState);
typedef EVT_WDF_DEVICE_D0_ENTRY *PFN_WDF_DEVICE_D0_ENTRY;
typedef NTSTATUS EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED(WDFDEVICE Device,
                                                                 WDF_POWER_DEVICE_STATE PreviousState);
typedef EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED *PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED;
typedef NTSTATUS EVT_WDF_DEVICE_D0_EXIT(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState);
typedef EVT_WDF_DEVICE_D0_EXIT *PFN_WDF_DEVICE_D0_EXIT;
typedef NTSTATUS EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED(WDFDEVICE Device,
                                                                WDF_POWER_DEVICE_STATE TargetState);
typedef EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED *PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED;
typedef NTSTATUS EVT_WDF_DEVICE_PREPARE_HARDWARE(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw,
                                                 WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_PREPARE_HARDWARE *PFN_WDF_DEVICE_PREPARE_HARDWARE;
typedef NTSTATUS EVT_WDF_DEVICE_RELEASE_HARDWARE(WDFDEVICE Device, WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_RELEASE_HARDWARE *PFN_WDF_DEVICE_RELEASE_HARDWARE;
typedef void EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP *PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP;
typedef void EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH *PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH;
typedef NTSTATUS EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT *PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT;
typedef NTSTATUS EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND *PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND;
typedef NTSTATUS EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART *PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART;
typedef void EVT_WDF_DEVICE_SURPRISE_REMOVAL(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SURPRISE_REMOVAL *PFN_WDF_DEVICE_SURPRISE_REMOVAL;
typedef NTSTATUS EVT_WDF_DEVICE_QUERY_REMOVE(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_QUERY_REMOVE *PFN_WDF_DEVICE_QUERY_REMOVE;
typedef NTSTATUS EVT_WDF_DEVICE_QUERY_STOP(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_QUERY_STOP *PFN_WDF_DEVICE_QUERY_STOP;
typedef void EVT_WDF_DEVICE_USAGE_NOTIFICATION(WDFDEVICE Device, WDF_SPECIAL_FILE_TYPE NotificationType,
                                               BOOLEAN IsInNotificationPath);
typedef EVT_WDF_DEVICE_USAGE_NOTIFICATION *PFN_WDF_DEVICE_USAGE_NOTIFICATION;
typedef void EVT_WDF_DEVICE_RELATIONS_QUERY(WDFDEVICE Device, DEVICE_RELATION_TYPE RelationType);
typedef EVT_WDF_DEVICE_RELATIONS_QUERY *PFN_WDF_DEVICE_RELATIONS_QUERY;
typedef NTSTATUS EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX(WDFDEVICE Device, WDF_SPECIAL_FILE_TYPE NotificationType,
                                                      BOOLEAN IsInNotificationPath);
typedef EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX *PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX;

typedef struct _WDF_PNPPOWER_EVENT_CALLBACKS {
    ULONG Size;
    PFN_WDF_DEVICE_D0_ENTRY EvtDeviceD0Entry;
    PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED EvtDeviceD0EntryPostInterruptsEnabled;
    PFN_WDF_DEVICE_D0_EXIT EvtDeviceD0Exit;
    PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED EvtDeviceD0ExitPreInterruptsDisabled;
    PFN_WDF_DEVICE_PREPARE_HARDWARE EvtDevicePrepareHardware;
    PFN_WDF_DEVICE_RELEASE_HARDWARE EvtDeviceReleaseHardware;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP EvtDeviceSelfManagedIoCleanup;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH EvtDeviceSelfManagedIoFlush;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT EvtDeviceSelfManagedIoInit;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EvtDeviceSelfManagedIoSuspend;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART EvtDeviceSelfManagedIoRestart;
    PFN_WDF_DEVICE_SURPRISE_REMOVAL EvtDeviceSurpriseRemoval;
    PFN_WDF_DEVICE_QUERY_REMOVE EvtDeviceQueryRemove;
    PFN_WDF_DEVICE_QUERY_STOP EvtDeviceQueryStop;
    PFN_WDF_DEVICE_USAGE_NOTIFICATION EvtDeviceUsageNotification;
    PFN_WDF_DEVICE_RELATIONS_QUERY EvtDeviceRelationsQuery;
    PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX EvtDeviceUsageNotificationEx;
} WDF_PNPPOWER_EVENT_CALLBACKS, *PWDF_PNPPOWER_EVENT_CALLBACKS;

FORCEINLINE void WDF_PNPPOWER_EVENT_CALLBACKS_INIT(PWDF_PNPPOWER_EVENT_CALLBACKS Callbacks)
{
    RtlZeroMemory(Callbacks, sizeof(WDF_PNPPOWER_EVENT_CALLBACKS));
    Callbacks->Size = sizeof(WDF_PNPPOWER_EVENT_CALLBACKS);
}

typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_S0(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_S0 *PFN_WDF_DEVICE_ARM_WAKE_FROM_S0;
typedef void EVT_WDF_DEVICE_DISARM_WAKE_FROM_S0(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_DISARM_WAKE_FROM_S0 *PFN_WDF_DEVICE_DISARM_WAKE_FROM_S0;
typedef void EVT_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED *PFN_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED;
typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_SX(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_SX *PFN_WDF_DEVICE_ARM_WAKE_FROM_SX;
typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON(WDFDEVICE Device, BOOLEAN DeviceWakeEnabled,
                                                            BOOLEAN ChildrenArmedForWake);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON *PFN_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON;
typedef void EVT_WDF_DEVICE_DISARM_WAKE_FROM_SX(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_DISARM_WAKE_FROM_SX *PFN_WDF_DEVICE_DISARM_WAKE_FROM_SX;
typedef void EVT_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED *PFN_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED;

typedef struct _WDF_POWER_POLICY_EVENT_CALLBACKS {
    ULONG Size;
    PFN_WDF_DEVICE_ARM_WAKE_FROM_S0 EvtDeviceArmWakeFromS0;
    PFN_WDF_DEVICE_DISARM_WAKE_FROM_S0 EvtDeviceDisarmWakeFromS0;
    PFN_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED EvtDeviceWakeFromS0Triggered;
    PFN_WDF_DEVICE_ARM_WAKE_FROM_SX EvtDeviceArmWakeFromSx;
    PFN_WDF_DEVICE_DISARM_WAKE_FROM_SX EvtDeviceDisarmWakeFromSx;
    PFN_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED EvtDeviceWakeFromSxTriggered;
    PFN_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON EvtDeviceArmWakeFromSxWithReason;
} WDF_POWER_POLICY_EVENT_CALLBACKS, *PWDF_POWER_POLICY_EVENT_CALLBACKS;

FORCEINLINE void WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(PWDF_POWER_POLICY_EVENT_CALLBACKS Callbacks)
{
    RtlZeroMemory(Callbacks, sizeof(WDF_POWER_POLICY_EVENT_CALLBACKS));
    Callbacks->Size = sizeof(WDF_POWER_POLICY_EVENT_CALLBACKS);
}

/* ---- I/O callbacks on the device ---------------------------------------------------------------- */
typedef void EVT_WDF_IO_IN_CALLER_CONTEXT(WDFDEVICE Device, WDFREQUEST Request);
typedef EVT_WDF_IO_IN_CALLER_CONTEXT *PFN_WDF_IO_IN_CALLER_CONTEXT;
typedef NTSTATUS EVT_WDFDEVICE_WDM_IRP_PREPROCESS(WDFDEVICE Device, PIRP Irp);
typedef EVT_WDFDEVICE_WDM_IRP_PREPROCESS *PFN_WDFDEVICE_WDM_IRP_PREPROCESS;

/* ---- Device state and capabilities (stored; reported to the PnP manager by the state machines) - */
typedef struct _WDF_DEVICE_STATE {
    ULONG Size;
    WDF_TRI_STATE Disabled;
    WDF_TRI_STATE DontDisplayInUI;
    WDF_TRI_STATE Failed;
    WDF_TRI_STATE NotDisableable;
    WDF_TRI_STATE Removed;
    WDF_TRI_STATE ResourcesChanged;
} WDF_DEVICE_STATE, *PWDF_DEVICE_STATE;

FORCEINLINE void WDF_DEVICE_STATE_INIT(PWDF_DEVICE_STATE PnpDeviceState)
{
    RtlZeroMemory(PnpDeviceState, sizeof(WDF_DEVICE_STATE));
    PnpDeviceState->Size = sizeof(WDF_DEVICE_STATE);
    PnpDeviceState->Disabled = WdfUseDefault;
    PnpDeviceState->DontDisplayInUI = WdfUseDefault;
    PnpDeviceState->Failed = WdfUseDefault;
    PnpDeviceState->NotDisableable = WdfUseDefault;
    PnpDeviceState->Removed = WdfUseDefault;
    PnpDeviceState->ResourcesChanged = WdfUseDefault;
}

typedef struct _WDF_DEVICE_PNP_CAPABILITIES {
    ULONG Size;
    WDF_TRI_STATE LockSupported;
    WDF_TRI_STATE EjectSupported;
    WDF_TRI_STATE Removable;
    WDF_TRI_STATE DockDevice;
    WDF_TRI_STATE UniqueID;
    WDF_TRI_STATE SilentInstall;
    WDF_TRI_STATE SurpriseRemovalOK;
    WDF_TRI_STATE HardwareDisabled;
    WDF_TRI_STATE NoDisplayInUI;
    ULONG Address;
    ULONG UINumber;
} WDF_DEVICE_PNP_CAPABILITIES, *PWDF_DEVICE_PNP_CAPABILITIES;

FORCEINLINE void WDF_DEVICE_PNP_CAPABILITIES_INIT(PWDF_DEVICE_PNP_CAPABILITIES Caps)
{
    RtlZeroMemory(Caps, sizeof(WDF_DEVICE_PNP_CAPABILITIES));
    Caps->Size = sizeof(WDF_DEVICE_PNP_CAPABILITIES);
    Caps->LockSupported = WdfUseDefault;
    Caps->EjectSupported = WdfUseDefault;
    Caps->Removable = WdfUseDefault;
    Caps->DockDevice = WdfUseDefault;
    Caps->UniqueID = WdfUseDefault;
    Caps->SilentInstall = WdfUseDefault;
    Caps->SurpriseRemovalOK = WdfUseDefault;
    Caps->HardwareDisabled = WdfUseDefault;
    Caps->NoDisplayInUI = WdfUseDefault;
    Caps->Address = (ULONG)-1;
    Caps->UINumber = (ULONG)-1;
}

typedef struct _WDF_DEVICE_POWER_CAPABILITIES {
    ULONG Size;
    WDF_TRI_STATE DeviceD1;
    WDF_TRI_STATE DeviceD2;
    WDF_TRI_STATE WakeFromD0;
    WDF_TRI_STATE WakeFromD1;
    WDF_TRI_STATE WakeFromD2;
    WDF_TRI_STATE WakeFromD3;
    DEVICE_POWER_STATE DeviceState[PowerSystemMaximum];
    DEVICE_POWER_STATE DeviceWake;
    SYSTEM_POWER_STATE SystemWake;
    ULONG D1Latency;
    ULONG D2Latency;
    ULONG D3Latency;
    DEVICE_POWER_STATE IdealDxStateForSx;
} WDF_DEVICE_POWER_CAPABILITIES, *PWDF_DEVICE_POWER_CAPABILITIES;

FORCEINLINE void WDF_DEVICE_POWER_CAPABILITIES_INIT(PWDF_DEVICE_POWER_CAPABILITIES Caps)
{
    RtlZeroMemory(Caps, sizeof(WDF_DEVICE_POWER_CAPABILITIES));
    Caps->Size = sizeof(WDF_DEVICE_POWER_CAPABILITIES);
    Caps->DeviceD1 = WdfUseDefault;
    Caps->DeviceD2 = WdfUseDefault;
    Caps->WakeFromD0 = WdfUseDefault;
    Caps->WakeFromD1 = WdfUseDefault;
    Caps->WakeFromD2 = WdfUseDefault;
    Caps->WakeFromD3 = WdfUseDefault;
    for (ULONG i = 0; i < sizeof(Caps->DeviceState) / sizeof(Caps->DeviceState[0]); i++)
        Caps->DeviceState[i] = PowerDeviceMaximum;
    Caps->DeviceWake = PowerDeviceMaximum;
    Caps->SystemWake = PowerSystemMaximum;
    Caps->D1Latency = (ULONG)-1;
    Caps->D2Latency = (ULONG)-1;
    Caps->D3Latency = (ULONG)-1;
    Caps->IdealDxStateForSx = PowerDeviceMaximum;
}

/* ---- Implementations: device init (src/wdf/device_init.c). PASSIVE_LEVEL. -------------------- */
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitFree(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetIoType(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit,
                                                    WDF_DEVICE_IO_TYPE IoType);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetExclusive(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                       PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetDeviceType(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                        PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetCharacteristics(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                             PWDFDEVICE_INIT DeviceInit,
                                                             ULONG DeviceCharacteristics, BOOLEAN OrInValues);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceInitAssignName(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceName);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceInitAssignSDDLString(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               PWDFDEVICE_INIT DeviceInit,
                                                               PCUNICODE_STRING SDDLString);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetDeviceClass(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDFDEVICE_INIT DeviceInit, const GUID *DeviceClassGuid);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetFileObjectConfig(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                              PWDFDEVICE_INIT DeviceInit,
                                                              PWDF_FILEOBJECT_CONFIG FileObjectConfig,
                                                              PWDF_OBJECT_ATTRIBUTES FileObjectAttributes);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetRequestAttributes(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               PWDFDEVICE_INIT DeviceInit,
                                                               PWDF_OBJECT_ATTRIBUTES RequestAttributes);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetIoInCallerContextCallback(
    PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetPnpPowerEventCallbacks(
    PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetPowerPolicyEventCallbacks(
    PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit,
    PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetPowerPolicyOwnership(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                  PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetPowerNotPageable(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                              PWDFDEVICE_INIT DeviceInit);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetPowerPageable(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                           PWDFDEVICE_INIT DeviceInit);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceInitSetPowerInrush(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDFDEVICE_INIT DeviceInit);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceInitAssignWdmIrpPreprocessCallback(
    PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit,
    PFN_WDFDEVICE_WDM_IRP_PREPROCESS EvtDeviceWdmIrpPreprocess, UCHAR MajorFunction, PUCHAR MinorFunctions,
    ULONG NumMinorFunctions);

/* ---- Implementations: devices (src/wdf/device.c) ----------------------------------------------- */
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceCreate(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT *DeviceInit,
                                                 PWDF_OBJECT_ATTRIBUTES DeviceAttributes, WDFDEVICE *Device);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceCreateSymbolicLink(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                             PCUNICODE_STRING SymbolicLinkName);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceCreateDeviceInterface(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                WDFDEVICE Device, const GUID *InterfaceClassGUID,
                                                                PCUNICODE_STRING ReferenceString);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetDeviceInterfaceState(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                              const GUID *InterfaceClassGUID,
                                                              PCUNICODE_STRING ReferenceString,
                                                              BOOLEAN IsInterfaceEnabled);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceRetrieveDeviceInterfaceString(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                        WDFDEVICE Device,
                                                                        const GUID *InterfaceClassGUID,
                                                                        PCUNICODE_STRING ReferenceString,
                                                                        WDFSTRING String);
WDF_EXTERN_C WDFAPI WDFQUEUE imp_WdfDeviceGetDefaultQueue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
WDF_EXTERN_C WDFAPI WDFDRIVER imp_WdfDeviceGetDriver(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
WDF_EXTERN_C WDFAPI PDEVICE_OBJECT imp_WdfDeviceWdmGetDeviceObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                   WDFDEVICE Device);
WDF_EXTERN_C WDFAPI PDEVICE_OBJECT imp_WdfDeviceWdmGetAttachedDevice(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                     WDFDEVICE Device);
WDF_EXTERN_C WDFAPI PDEVICE_OBJECT imp_WdfDeviceWdmGetPhysicalDevice(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                     WDFDEVICE Device);
WDF_EXTERN_C WDFAPI WDFDEVICE imp_WdfWdmDeviceGetWdfDeviceHandle(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                 PDEVICE_OBJECT DeviceObject);
WDF_EXTERN_C WDFAPI WDFIOTARGET imp_WdfDeviceGetIoTarget(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetDeviceState(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                     PWDF_DEVICE_STATE DeviceState);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceGetDeviceState(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                     PWDF_DEVICE_STATE DeviceState);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetPnpCapabilities(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                         PWDF_DEVICE_PNP_CAPABILITIES PnpCapabilities);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetPowerCapabilities(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                           PWDF_DEVICE_POWER_CAPABILITIES PowerCapabilities);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceRetrieveDeviceName(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                             WDFSTRING String);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetAlignmentRequirement(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                              ULONG AlignmentRequirement);
WDF_EXTERN_C WDFAPI ULONG imp_WdfDeviceGetAlignmentRequirement(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               WDFDEVICE Device);
WDF_EXTERN_C WDFAPI WDFFILEOBJECT imp_WdfDeviceGetFileObject(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                             PFILE_OBJECT FileObject);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceEnqueueRequest(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                         WDFREQUEST Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceConfigureRequestDispatching(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                      WDFDEVICE Device, WDFQUEUE Queue,
                                                                      WDF_REQUEST_TYPE RequestType);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceWdmDispatchPreprocessedIrp(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                     WDFDEVICE Device, PIRP Irp);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetStaticStopRemove(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                          BOOLEAN Stoppable);
WDF_EXTERN_C WDFAPI void imp_WdfDeviceSetFailed(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                WDF_DEVICE_FAILED_ACTION FailedAction);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfDeviceOpenRegistryKey(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                          ULONG DeviceInstanceKeyType, ACCESS_MASK DesiredAccess,
                                                          PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);

#define PLUGPLAY_REGKEY_DEVICE 1
#define PLUGPLAY_REGKEY_DRIVER 2
#define PLUGPLAY_REGKEY_CURRENT_HWPROFILE 4
#define WDF_REGKEY_DEVICE_SUBKEY 0x10000000
#define WDF_REGKEY_DRIVER_SUBKEY 0x20000000

/* ---- Wrappers ------------------------------------------------------------------------------------ */
FORCEINLINE void WdfDeviceInitFree(PWDFDEVICE_INIT DeviceInit)
{
    imp_WdfDeviceInitFree(WdfDriverGlobals, DeviceInit);
}

FORCEINLINE void WdfDeviceInitSetIoType(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_IO_TYPE IoType)
{
    imp_WdfDeviceInitSetIoType(WdfDriverGlobals, DeviceInit, IoType);
}

FORCEINLINE void WdfDeviceInitSetExclusive(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive)
{
    imp_WdfDeviceInitSetExclusive(WdfDriverGlobals, DeviceInit, IsExclusive);
}

FORCEINLINE void WdfDeviceInitSetDeviceType(PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType)
{
    imp_WdfDeviceInitSetDeviceType(WdfDriverGlobals, DeviceInit, DeviceType);
}

FORCEINLINE void WdfDeviceInitSetCharacteristics(PWDFDEVICE_INIT DeviceInit, ULONG DeviceCharacteristics,
                                                 BOOLEAN OrInValues)
{
    imp_WdfDeviceInitSetCharacteristics(WdfDriverGlobals, DeviceInit, DeviceCharacteristics, OrInValues);
}

FORCEINLINE NTSTATUS WdfDeviceInitAssignName(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceName)
{
    return imp_WdfDeviceInitAssignName(WdfDriverGlobals, DeviceInit, DeviceName);
}

FORCEINLINE NTSTATUS WdfDeviceInitAssignSDDLString(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING SDDLString)
{
    return imp_WdfDeviceInitAssignSDDLString(WdfDriverGlobals, DeviceInit, SDDLString);
}

FORCEINLINE void WdfDeviceInitSetDeviceClass(PWDFDEVICE_INIT DeviceInit, const GUID *DeviceClassGuid)
{
    imp_WdfDeviceInitSetDeviceClass(WdfDriverGlobals, DeviceInit, DeviceClassGuid);
}

FORCEINLINE void WdfDeviceInitSetFileObjectConfig(PWDFDEVICE_INIT DeviceInit, PWDF_FILEOBJECT_CONFIG FileObjectConfig,
                                                  PWDF_OBJECT_ATTRIBUTES FileObjectAttributes)
{
    imp_WdfDeviceInitSetFileObjectConfig(WdfDriverGlobals, DeviceInit, FileObjectConfig, FileObjectAttributes);
}

FORCEINLINE void WdfDeviceInitSetRequestAttributes(PWDFDEVICE_INIT DeviceInit, PWDF_OBJECT_ATTRIBUTES RequestAttributes)
{
    imp_WdfDeviceInitSetRequestAttributes(WdfDriverGlobals, DeviceInit, RequestAttributes);
}

FORCEINLINE void WdfDeviceInitSetIoInCallerContextCallback(PWDFDEVICE_INIT DeviceInit,
                                                           PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext)
{
    imp_WdfDeviceInitSetIoInCallerContextCallback(WdfDriverGlobals, DeviceInit, EvtIoInCallerContext);
}

FORCEINLINE void WdfDeviceInitSetPnpPowerEventCallbacks(PWDFDEVICE_INIT DeviceInit,
                                                        PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks)
{
    imp_WdfDeviceInitSetPnpPowerEventCallbacks(WdfDriverGlobals, DeviceInit, PnpPowerEventCallbacks);
}

FORCEINLINE void WdfDeviceInitSetPowerPolicyEventCallbacks(PWDFDEVICE_INIT DeviceInit,
                                                           PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks)
{
    imp_WdfDeviceInitSetPowerPolicyEventCallbacks(WdfDriverGlobals, DeviceInit, PowerPolicyEventCallbacks);
}

FORCEINLINE void WdfDeviceInitSetPowerPolicyOwnership(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner)
{
    imp_WdfDeviceInitSetPowerPolicyOwnership(WdfDriverGlobals, DeviceInit, IsPowerPolicyOwner);
}

FORCEINLINE void WdfDeviceInitSetPowerNotPageable(PWDFDEVICE_INIT DeviceInit)
{
    imp_WdfDeviceInitSetPowerNotPageable(WdfDriverGlobals, DeviceInit);
}

FORCEINLINE void WdfDeviceInitSetPowerPageable(PWDFDEVICE_INIT DeviceInit)
{
    imp_WdfDeviceInitSetPowerPageable(WdfDriverGlobals, DeviceInit);
}

FORCEINLINE void WdfDeviceInitSetPowerInrush(PWDFDEVICE_INIT DeviceInit)
{
    imp_WdfDeviceInitSetPowerInrush(WdfDriverGlobals, DeviceInit);
}

FORCEINLINE NTSTATUS WdfDeviceInitAssignWdmIrpPreprocessCallback(PWDFDEVICE_INIT DeviceInit,
                                                                 PFN_WDFDEVICE_WDM_IRP_PREPROCESS EvtDeviceWdmIrpPreprocess,
                                                                 UCHAR MajorFunction, PUCHAR MinorFunctions,
                                                                 ULONG NumMinorFunctions)
{
    return imp_WdfDeviceInitAssignWdmIrpPreprocessCallback(WdfDriverGlobals, DeviceInit, EvtDeviceWdmIrpPreprocess,
                                                           MajorFunction, MinorFunctions, NumMinorFunctions);
}

FORCEINLINE NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
                                     WDFDEVICE *Device)
{
    return imp_WdfDeviceCreate(WdfDriverGlobals, DeviceInit, DeviceAttributes, Device);
}

FORCEINLINE NTSTATUS WdfDeviceCreateSymbolicLink(WDFDEVICE Device, PCUNICODE_STRING SymbolicLinkName)
{
    return imp_WdfDeviceCreateSymbolicLink(WdfDriverGlobals, Device, SymbolicLinkName);
}

FORCEINLINE NTSTATUS WdfDeviceCreateDeviceInterface(WDFDEVICE Device, const GUID *InterfaceClassGUID,
                                                    PCUNICODE_STRING ReferenceString)
{
    return imp_WdfDeviceCreateDeviceInterface(WdfDriverGlobals, Device, InterfaceClassGUID, ReferenceString);
}

FORCEINLINE void WdfDeviceSetDeviceInterfaceState(WDFDEVICE Device, const GUID *InterfaceClassGUID,
                                                  PCUNICODE_STRING ReferenceString, BOOLEAN IsInterfaceEnabled)
{
    imp_WdfDeviceSetDeviceInterfaceState(WdfDriverGlobals, Device, InterfaceClassGUID, ReferenceString,
                                         IsInterfaceEnabled);
}

FORCEINLINE NTSTATUS WdfDeviceRetrieveDeviceInterfaceString(WDFDEVICE Device, const GUID *InterfaceClassGUID,
                                                            PCUNICODE_STRING ReferenceString, WDFSTRING String)
{
    return imp_WdfDeviceRetrieveDeviceInterfaceString(WdfDriverGlobals, Device, InterfaceClassGUID,
                                                      ReferenceString, String);
}

FORCEINLINE WDFQUEUE WdfDeviceGetDefaultQueue(WDFDEVICE Device)
{
    return imp_WdfDeviceGetDefaultQueue(WdfDriverGlobals, Device);
}

FORCEINLINE WDFDRIVER WdfDeviceGetDriver(WDFDEVICE Device)
{
    return imp_WdfDeviceGetDriver(WdfDriverGlobals, Device);
}

FORCEINLINE PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device)
{
    return imp_WdfDeviceWdmGetDeviceObject(WdfDriverGlobals, Device);
}

FORCEINLINE PDEVICE_OBJECT WdfDeviceWdmGetAttachedDevice(WDFDEVICE Device)
{
    return imp_WdfDeviceWdmGetAttachedDevice(WdfDriverGlobals, Device);
}

FORCEINLINE PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device)
{
    return imp_WdfDeviceWdmGetPhysicalDevice(WdfDriverGlobals, Device);
}

FORCEINLINE WDFDEVICE WdfWdmDeviceGetWdfDeviceHandle(PDEVICE_OBJECT DeviceObject)
{
    return imp_WdfWdmDeviceGetWdfDeviceHandle(WdfDriverGlobals, DeviceObject);
}

FORCEINLINE WDFIOTARGET WdfDeviceGetIoTarget(WDFDEVICE Device)
{
    return imp_WdfDeviceGetIoTarget(WdfDriverGlobals, Device);
}

FORCEINLINE void WdfDeviceSetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState)
{
    imp_WdfDeviceSetDeviceState(WdfDriverGlobals, Device, DeviceState);
}

FORCEINLINE void WdfDeviceGetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState)
{
    imp_WdfDeviceGetDeviceState(WdfDriverGlobals, Device, DeviceState);
}

FORCEINLINE void WdfDeviceSetPnpCapabilities(WDFDEVICE Device, PWDF_DEVICE_PNP_CAPABILITIES PnpCapabilities)
{
    imp_WdfDeviceSetPnpCapabilities(WdfDriverGlobals, Device, PnpCapabilities);
}

FORCEINLINE void WdfDeviceSetPowerCapabilities(WDFDEVICE Device, PWDF_DEVICE_POWER_CAPABILITIES PowerCapabilities)
{
    imp_WdfDeviceSetPowerCapabilities(WdfDriverGlobals, Device, PowerCapabilities);
}

FORCEINLINE NTSTATUS WdfDeviceRetrieveDeviceName(WDFDEVICE Device, WDFSTRING String)
{
    return imp_WdfDeviceRetrieveDeviceName(WdfDriverGlobals, Device, String);
}

FORCEINLINE void WdfDeviceSetAlignmentRequirement(WDFDEVICE Device, ULONG AlignmentRequirement)
{
    imp_WdfDeviceSetAlignmentRequirement(WdfDriverGlobals, Device, AlignmentRequirement);
}

FORCEINLINE ULONG WdfDeviceGetAlignmentRequirement(WDFDEVICE Device)
{
    return imp_WdfDeviceGetAlignmentRequirement(WdfDriverGlobals, Device);
}

FORCEINLINE WDFFILEOBJECT WdfDeviceGetFileObject(WDFDEVICE Device, PFILE_OBJECT FileObject)
{
    return imp_WdfDeviceGetFileObject(WdfDriverGlobals, Device, FileObject);
}

FORCEINLINE NTSTATUS WdfDeviceEnqueueRequest(WDFDEVICE Device, WDFREQUEST Request)
{
    return imp_WdfDeviceEnqueueRequest(WdfDriverGlobals, Device, Request);
}

FORCEINLINE NTSTATUS WdfDeviceConfigureRequestDispatching(WDFDEVICE Device, WDFQUEUE Queue,
                                                          WDF_REQUEST_TYPE RequestType)
{
    return imp_WdfDeviceConfigureRequestDispatching(WdfDriverGlobals, Device, Queue, RequestType);
}

FORCEINLINE NTSTATUS WdfDeviceWdmDispatchPreprocessedIrp(WDFDEVICE Device, PIRP Irp)
{
    return imp_WdfDeviceWdmDispatchPreprocessedIrp(WdfDriverGlobals, Device, Irp);
}

FORCEINLINE void WdfDeviceSetStaticStopRemove(WDFDEVICE Device, BOOLEAN Stoppable)
{
    imp_WdfDeviceSetStaticStopRemove(WdfDriverGlobals, Device, Stoppable);
}

FORCEINLINE void WdfDeviceSetFailed(WDFDEVICE Device, WDF_DEVICE_FAILED_ACTION FailedAction)
{
    imp_WdfDeviceSetFailed(WdfDriverGlobals, Device, FailedAction);
}

FORCEINLINE NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType,
                                              ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                              WDFKEY *Key)
{
    return imp_WdfDeviceOpenRegistryKey(WdfDriverGlobals, Device, DeviceInstanceKeyType, DesiredAccess,
                                        KeyAttributes, Key);
}

#endif /* OPENWDF_WDFDEVICE_H */
