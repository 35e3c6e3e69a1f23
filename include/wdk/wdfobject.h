/*
 * wdfobject.h - object attributes, typed contexts, and the calls every framework object supports:
 * delete, reference, dereference, contexts, locks.
 */
#ifndef OPENWDF_WDFOBJECT_H
#define OPENWDF_WDFOBJECT_H

#include <wdftypes.h>

typedef void EVT_WDF_OBJECT_CONTEXT_CLEANUP(WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP *PFN_WDF_OBJECT_CONTEXT_CLEANUP;
typedef void EVT_WDF_OBJECT_CONTEXT_DESTROY(WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY *PFN_WDF_OBJECT_CONTEXT_DESTROY;

/* Per-object-type role names for the same callbacks (wdfroletypes.h in the WDK). */
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_DEVICE_CONTEXT_CLEANUP;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_DEVICE_CONTEXT_DESTROY;
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_DRIVER_CONTEXT_CLEANUP;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_DRIVER_CONTEXT_DESTROY;
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_IO_QUEUE_CONTEXT_CLEANUP_CALLBACK;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_IO_QUEUE_CONTEXT_DESTROY_CALLBACK;
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_FILE_CONTEXT_CLEANUP_CALLBACK;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_FILE_CONTEXT_DESTROY_CALLBACK;

typedef struct _WDF_OBJECT_CONTEXT_TYPE_INFO WDF_OBJECT_CONTEXT_TYPE_INFO, *PWDF_OBJECT_CONTEXT_TYPE_INFO;
typedef const WDF_OBJECT_CONTEXT_TYPE_INFO *PCWDF_OBJECT_CONTEXT_TYPE_INFO;
typedef PCWDF_OBJECT_CONTEXT_TYPE_INFO (*PFN_GET_UNIQUE_CONTEXT_TYPE)(void);

struct _WDF_OBJECT_CONTEXT_TYPE_INFO {
    ULONG Size;
    LPCSTR ContextName;
    size_t ContextSize;
    /* The type's identity: contexts are looked up by this pointer, not by name. */
    PCWDF_OBJECT_CONTEXT_TYPE_INFO UniqueType;
    PFN_GET_UNIQUE_CONTEXT_TYPE EvtDriverGetUniqueContextType;
};

typedef struct _WDF_OBJECT_ATTRIBUTES {
    ULONG Size;
    PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanupCallback;
    PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroyCallback;
    WDF_EXECUTION_LEVEL ExecutionLevel;
    WDF_SYNCHRONIZATION_SCOPE SynchronizationScope;
    WDFOBJECT ParentObject;
    size_t ContextSizeOverride;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO ContextTypeInfo;
} WDF_OBJECT_ATTRIBUTES, *PWDF_OBJECT_ATTRIBUTES;

FORCEINLINE void WDF_OBJECT_ATTRIBUTES_INIT(PWDF_OBJECT_ATTRIBUTES Attributes)
{
    RtlZeroMemory(Attributes, sizeof(WDF_OBJECT_ATTRIBUTES));
    Attributes->Size = sizeof(WDF_OBJECT_ATTRIBUTES);
    Attributes->ExecutionLevel = WdfExecutionLevelInheritFromParent;
    Attributes->SynchronizationScope = WdfSynchronizationScopeInheritFromParent;
}

#define WDF_GET_CONTEXT_TYPE_INFO(_contexttype) (WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype).UniqueType)

#define WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE(_attributes, _contexttype) \
    (_attributes)->ContextTypeInfo = WDF_GET_CONTEXT_TYPE_INFO(_contexttype)

#define WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(_attributes, _contexttype) \
    WDF_OBJECT_ATTRIBUTES_INIT(_attributes); \
    WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE(_attributes, _contexttype)

/*
 * WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, GetDeviceContext) declares the type's info
 * (one per driver binary: a weak, hidden definition, so every source file of the driver may include
 * the declaration) and an accessor returning the typed context of an object.
 */
#define WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(_contexttype, _castingfunction) \
    typedef _contexttype *WDF_TYPE_NAME_POINTER_TYPE(_contexttype); \
    const WDF_OBJECT_CONTEXT_TYPE_INFO WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype) \
        __attribute__((weak, visibility("hidden"))) = { \
            sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO), #_contexttype, sizeof(_contexttype), \
            &WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype), NULL}; \
    static inline __attribute__((unused)) _contexttype *_castingfunction(WDFOBJECT Handle) \
    { \
        return (_contexttype *)WdfObjectGetTypedContextWorker(Handle, WDF_GET_CONTEXT_TYPE_INFO(_contexttype)); \
    }

#define WDF_DECLARE_CONTEXT_TYPE(_contexttype) \
    WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(_contexttype, WdfObjectGet_##_contexttype)

#define WDF_DECLARE_SHARED_CONTEXT_TYPE_WITH_NAME(_contexttype, _castingfunction) \
    WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(_contexttype, _castingfunction)

#define WdfObjectGetTypedContext(handle, type) \
    ((type *)WdfObjectGetTypedContextWorker((WDFOBJECT)(handle), WDF_GET_CONTEXT_TYPE_INFO(type)))

/* Implementations (src/wdf/object.c); drivers call the WdfXxx wrappers below. */
WDF_EXTERN_C WDFAPI PVOID imp_WdfObjectGetTypedContextWorker(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle,
                                                             PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfObjectAllocateContext(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle,
                                                          PWDF_OBJECT_ATTRIBUTES ContextAttributes,
                                                          PVOID *Context);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfObjectContextGetObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            PVOID ContextPointer);
WDF_EXTERN_C WDFAPI void imp_WdfObjectReferenceActual(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle,
                                                      PVOID Tag, LONG Line, PCHAR File);
WDF_EXTERN_C WDFAPI void imp_WdfObjectDereferenceActual(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle,
                                                        PVOID Tag, LONG Line, PCHAR File);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfObjectCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                 PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT *Object);
WDF_EXTERN_C WDFAPI void imp_WdfObjectDelete(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfObjectQuery(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object,
                                                const GUID *Guid, ULONG QueryBufferLength, PVOID QueryBuffer);

FORCEINLINE PVOID WdfObjectGetTypedContextWorker(WDFOBJECT Handle, PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo)
{
    return imp_WdfObjectGetTypedContextWorker(WdfDriverGlobals, Handle, TypeInfo);
}

FORCEINLINE NTSTATUS WdfObjectAllocateContext(WDFOBJECT Handle, PWDF_OBJECT_ATTRIBUTES ContextAttributes,
                                              PVOID *Context)
{
    return imp_WdfObjectAllocateContext(WdfDriverGlobals, Handle, ContextAttributes, Context);
}

FORCEINLINE WDFOBJECT WdfObjectContextGetObject(PVOID ContextPointer)
{
    return imp_WdfObjectContextGetObject(WdfDriverGlobals, ContextPointer);
}

FORCEINLINE void WdfObjectReferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCHAR File)
{
    imp_WdfObjectReferenceActual(WdfDriverGlobals, Handle, Tag, Line, File);
}

FORCEINLINE void WdfObjectDereferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCHAR File)
{
    imp_WdfObjectDereferenceActual(WdfDriverGlobals, Handle, Tag, Line, File);
}

#define WdfObjectReference(Handle) WdfObjectReferenceWithTag(Handle, NULL)
#define WdfObjectReferenceWithTag(Handle, Tag) WdfObjectReferenceActual(Handle, Tag, __LINE__, (PCHAR)__FILE__)
#define WdfObjectDereference(Handle) WdfObjectDereferenceWithTag(Handle, NULL)
#define WdfObjectDereferenceWithTag(Handle, Tag) \
    WdfObjectDereferenceActual(Handle, Tag, __LINE__, (PCHAR)__FILE__)

FORCEINLINE NTSTATUS WdfObjectCreate(PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT *Object)
{
    return imp_WdfObjectCreate(WdfDriverGlobals, Attributes, Object);
}

FORCEINLINE void WdfObjectDelete(WDFOBJECT Object)
{
    imp_WdfObjectDelete(WdfDriverGlobals, Object);
}

FORCEINLINE NTSTATUS WdfObjectQuery(WDFOBJECT Object, const GUID *Guid, ULONG QueryBufferLength, PVOID QueryBuffer)
{
    return imp_WdfObjectQuery(WdfDriverGlobals, Object, Guid, QueryBufferLength, QueryBuffer);
}

#endif /* OPENWDF_WDFOBJECT_H */
