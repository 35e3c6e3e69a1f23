/*
 * wdftypes.h - the Framework's handle types, common enums and helper macros.
 */
#ifndef OPENWDF_WDFTYPES_H
#define OPENWDF_WDFTYPES_H

#include <ntddk.h>
#include <wdfstatus.h>

#define WDFAPI __attribute__((visibility("default")))
#define WDF_EXTERN_C EXTERN_C
#define WDF_EXTERN_C_START EXTERN_C_START
#define WDF_EXTERN_C_END EXTERN_C_END
#define WDFEXPORT(a) imp_##a
#define WDFNOTIMPLEMENTED(a) imp_##a

#ifndef DECLARE_HANDLE
#define DECLARE_HANDLE(name) typedef struct name##__ { int unused; } *name
#endif

/* Framework objects are referred to only by handle; WDFOBJECT accepts any of them. */
typedef HANDLE WDFOBJECT, *PWDFOBJECT;
DECLARE_HANDLE(WDFDRIVER);
DECLARE_HANDLE(WDFDEVICE);
DECLARE_HANDLE(WDFWMIPROVIDER);
DECLARE_HANDLE(WDFWMIINSTANCE);
DECLARE_HANDLE(WDFQUEUE);
DECLARE_HANDLE(WDFREQUEST);
DECLARE_HANDLE(WDFFILEOBJECT);
DECLARE_HANDLE(WDFDPC);
DECLARE_HANDLE(WDFTIMER);
DECLARE_HANDLE(WDFWORKITEM);
DECLARE_HANDLE(WDFINTERRUPT);
DECLARE_HANDLE(WDFWAITLOCK);
DECLARE_HANDLE(WDFSPINLOCK);
DECLARE_HANDLE(WDFMEMORY);
DECLARE_HANDLE(WDFLOOKASIDE);
DECLARE_HANDLE(WDFIOTARGET);
DECLARE_HANDLE(WDFUSBDEVICE);
DECLARE_HANDLE(WDFUSBINTERFACE);
DECLARE_HANDLE(WDFUSBPIPE);
DECLARE_HANDLE(WDFDMAENABLER);
DECLARE_HANDLE(WDFDMATRANSACTION);
DECLARE_HANDLE(WDFCOMMONBUFFER);
DECLARE_HANDLE(WDFKEY);
DECLARE_HANDLE(WDFSTRING);
DECLARE_HANDLE(WDFCOLLECTION);
DECLARE_HANDLE(WDFCHILDLIST);
DECLARE_HANDLE(WDFIORESREQLIST);
DECLARE_HANDLE(WDFIORESLIST);
DECLARE_HANDLE(WDFCMRESLIST);
DECLARE_HANDLE(WDFCOMPANIONTARGET);
DECLARE_HANDLE(WDFTASKQUEUE);

#define WDF_NO_HANDLE NULL
#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_EVENT_CALLBACK NULL
#define WDF_NO_CONTEXT NULL
#define WDF_NO_SEND_OPTIONS NULL

typedef enum _WDF_TRI_STATE { WdfFalse = FALSE, WdfTrue = TRUE, WdfUseDefault = 2 } WDF_TRI_STATE, *PWDF_TRI_STATE;

typedef enum _WDF_EXECUTION_LEVEL {
    WdfExecutionLevelInvalid = 0x00,
    WdfExecutionLevelInheritFromParent,
    WdfExecutionLevelPassive,
    WdfExecutionLevelDispatch,
} WDF_EXECUTION_LEVEL;

typedef enum _WDF_SYNCHRONIZATION_SCOPE {
    WdfSynchronizationScopeInvalid = 0x00,
    WdfSynchronizationScopeInheritFromParent,
    WdfSynchronizationScopeDevice,
    WdfSynchronizationScopeQueue,
    WdfSynchronizationScopeNone,
} WDF_SYNCHRONIZATION_SCOPE;

#define WDF_ALIGN_SIZE_DOWN(Length, AlignTo) ((Length) & ~((AlignTo) - 1))
#define WDF_ALIGN_SIZE_UP(Length, AlignTo) (((Length) + (AlignTo) - 1) & ~((AlignTo) - 1))
#define WDF_PTR_ADD_OFFSET_TYPE(_ptr, _offset, _type) ((_type)(((PUCHAR)(_ptr)) + (_offset)))
#define WDF_PTR_ADD_OFFSET(_ptr, _offset) WDF_PTR_ADD_OFFSET_TYPE(_ptr, _offset, PVOID)
#define WDF_PTR_GET_OFFSET(_base, _addr) (size_t)(((PUCHAR)(_addr)) - (PUCHAR)(_base))
#define WDFCASSERT(c) _Static_assert(c, #c)
#define WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype) _WDF_##_contexttype##_TYPE_INFO
#define WDF_TYPE_NAME_POINTER_TYPE(_contexttype) WDF_##_contexttype##_TYPE_INFO_PTR

/* Per-driver globals: how every Wdf call says which driver is calling (see docs/wdf-design.md). */
typedef struct _WDF_DRIVER_GLOBALS {
    WDFDRIVER Driver;
    ULONG DriverFlags;
    ULONG DriverTag;
    CHAR DriverName[32];
    BOOLEAN DisplaceDriverUnload;
} WDF_DRIVER_GLOBALS, *PWDF_DRIVER_GLOBALS;

/* Defined (hidden) in each driver binary by the driver stub that openwdf-cc links in. */
extern PWDF_DRIVER_GLOBALS WdfDriverGlobals __attribute__((visibility("hidden")));

#endif /* OPENWDF_WDFTYPES_H */
