/*
 * wdffileobject.h - framework file objects (WDFFILEOBJECT): one per open of a device, with the
 * driver's callbacks for create, cleanup and close (WDF_FILEOBJECT_CONFIG) and the calls on a file
 * object.
 */
#ifndef OPENWDF_WDFFILEOBJECT_H
#define OPENWDF_WDFFILEOBJECT_H

#include <wdftypes.h>
#include <wdfobject.h>

/* How the Framework may use the WDM FILE_OBJECT to find its WDFFILEOBJECT. */
typedef enum _WDF_FILEOBJECT_CLASS {
    WdfFileObjectInvalid = 0,
    WdfFileObjectNotRequired = 1,            /* no WDFFILEOBJECT is made */
    WdfFileObjectWdfCanUseFsContext = 2,
    WdfFileObjectWdfCanUseFsContext2 = 3,
    WdfFileObjectWdfCannotUseFsContexts = 4, /* the default */
    WdfFileObjectCanBeOptional = 0x80000000, /* OR'd in: requests may come without a FILE_OBJECT */
} WDF_FILEOBJECT_CLASS, *PWDF_FILEOBJECT_CLASS;

#define WDF_FILEOBJECT_CLASS_MASK 0x7fffffff

typedef void EVT_WDF_DEVICE_FILE_CREATE(WDFDEVICE Device, WDFREQUEST Request, WDFFILEOBJECT FileObject);
typedef EVT_WDF_DEVICE_FILE_CREATE *PFN_WDF_DEVICE_FILE_CREATE;
typedef void EVT_WDF_FILE_CLOSE(WDFFILEOBJECT FileObject);
typedef EVT_WDF_FILE_CLOSE *PFN_WDF_FILE_CLOSE;
typedef void EVT_WDF_FILE_CLEANUP(WDFFILEOBJECT FileObject);
typedef EVT_WDF_FILE_CLEANUP *PFN_WDF_FILE_CLEANUP;

typedef struct _WDF_FILEOBJECT_CONFIG {
    ULONG Size;
    PFN_WDF_DEVICE_FILE_CREATE EvtDeviceFileCreate;
    PFN_WDF_FILE_CLOSE EvtFileClose;
    PFN_WDF_FILE_CLEANUP EvtFileCleanup;
    WDF_TRI_STATE AutoForwardCleanupClose; /* WdfUseDefault: forward for filters, not for others */
    WDF_FILEOBJECT_CLASS FileObjectClass;
} WDF_FILEOBJECT_CONFIG, *PWDF_FILEOBJECT_CONFIG;

FORCEINLINE void WDF_FILEOBJECT_CONFIG_INIT(PWDF_FILEOBJECT_CONFIG FileEventCallbacks,
                                            PFN_WDF_DEVICE_FILE_CREATE EvtDeviceFileCreate,
                                            PFN_WDF_FILE_CLOSE EvtFileClose, PFN_WDF_FILE_CLEANUP EvtFileCleanup)
{
    RtlZeroMemory(FileEventCallbacks, sizeof(WDF_FILEOBJECT_CONFIG));
    FileEventCallbacks->Size = sizeof(WDF_FILEOBJECT_CONFIG);
    FileEventCallbacks->EvtDeviceFileCreate = EvtDeviceFileCreate;
    FileEventCallbacks->EvtFileClose = EvtFileClose;
    FileEventCallbacks->EvtFileCleanup = EvtFileCleanup;
    FileEventCallbacks->FileObjectClass = WdfFileObjectWdfCannotUseFsContexts;
    FileEventCallbacks->AutoForwardCleanupClose = WdfUseDefault;
}

/* Implementations (src/wdf/fileobject.c). All IRQL <= DISPATCH_LEVEL. */
WDF_EXTERN_C WDFAPI PUNICODE_STRING imp_WdfFileObjectGetFileName(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                 WDFFILEOBJECT FileObject);
WDF_EXTERN_C WDFAPI ULONG imp_WdfFileObjectGetFlags(PWDF_DRIVER_GLOBALS DriverGlobals, WDFFILEOBJECT FileObject);
WDF_EXTERN_C WDFAPI WDFDEVICE imp_WdfFileObjectGetDevice(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         WDFFILEOBJECT FileObject);
WDF_EXTERN_C WDFAPI PFILE_OBJECT imp_WdfFileObjectWdmGetFileObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                   WDFFILEOBJECT FileObject);
WDF_EXTERN_C WDFAPI ULONG imp_WdfFileObjectGetInitiatorProcessId(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                 WDFFILEOBJECT FileObject);

FORCEINLINE PUNICODE_STRING WdfFileObjectGetFileName(WDFFILEOBJECT FileObject)
{
    return imp_WdfFileObjectGetFileName(WdfDriverGlobals, FileObject);
}

FORCEINLINE ULONG WdfFileObjectGetFlags(WDFFILEOBJECT FileObject)
{
    return imp_WdfFileObjectGetFlags(WdfDriverGlobals, FileObject);
}

FORCEINLINE WDFDEVICE WdfFileObjectGetDevice(WDFFILEOBJECT FileObject)
{
    return imp_WdfFileObjectGetDevice(WdfDriverGlobals, FileObject);
}

FORCEINLINE PFILE_OBJECT WdfFileObjectWdmGetFileObject(WDFFILEOBJECT FileObject)
{
    return imp_WdfFileObjectWdmGetFileObject(WdfDriverGlobals, FileObject);
}

FORCEINLINE ULONG WdfFileObjectGetInitiatorProcessId(WDFFILEOBJECT FileObject)
{
    return imp_WdfFileObjectGetInitiatorProcessId(WdfDriverGlobals, FileObject);
}

#endif /* OPENWDF_WDFFILEOBJECT_H */
