/*
 * wdfrequest.h - framework request objects (WDFREQUEST): parameters, buffers, completion, cancel,
 * forwarding and reuse, with the WDK's names. Implementation: src/wdf/request*.c (see docs/wdf-io.md
 * for the ownership and cancel model). I/O targets are not implemented yet: WdfRequestSend,
 * WdfRequestChangeTarget, WdfRequestCancelSentRequest fail loudly (NOT_IMPLEMENTED report).
 */
#ifndef OPENWDF_WDFREQUEST_H
#define OPENWDF_WDFREQUEST_H

#include <wdfobject.h>
#include <wdfmemory.h>

/* Also declared by wdfdevice.h; whichever header comes first defines it. */
#ifndef OWDF_WDF_REQUEST_TYPE_DEFINED
#define OWDF_WDF_REQUEST_TYPE_DEFINED
typedef enum _WDF_REQUEST_TYPE {
    WdfRequestTypeCreate = 0x0,
    WdfRequestTypeCreateNamedPipe = 0x1,
    WdfRequestTypeClose = 0x2,
    WdfRequestTypeRead = 0x3,
    WdfRequestTypeWrite = 0x4,
    WdfRequestTypeQueryInformation = 0x5,
    WdfRequestTypeSetInformation = 0x6,
    WdfRequestTypeQueryEA = 0x7,
    WdfRequestTypeSetEA = 0x8,
    WdfRequestTypeFlushBuffers = 0x9,
    WdfRequestTypeQueryVolumeInformation = 0xa,
    WdfRequestTypeSetVolumeInformation = 0xb,
    WdfRequestTypeDirectoryControl = 0xc,
    WdfRequestTypeFileSystemControl = 0xd,
    WdfRequestTypeDeviceControl = 0xe,
    WdfRequestTypeDeviceControlInternal = 0xf,
    WdfRequestTypeShutdown = 0x10,
    WdfRequestTypeLockControl = 0x11,
    WdfRequestTypeCleanup = 0x12,
    WdfRequestTypeCreateMailSlot = 0x13,
    WdfRequestTypeQuerySecurity = 0x14,
    WdfRequestTypeSetSecurity = 0x15,
    WdfRequestTypePower = 0x16,
    WdfRequestTypeSystemControl = 0x17,
    WdfRequestTypeDeviceChange = 0x18,
    WdfRequestTypeQueryQuota = 0x19,
    WdfRequestTypeSetQuota = 0x1A,
    WdfRequestTypePnp = 0x1B,
    WdfRequestTypeOther = 0x1C,
    WdfRequestTypeUsb = 0x40,
    WdfRequestTypeNoFormat = 0xFF,
    WdfRequestTypeMax
} WDF_REQUEST_TYPE;
#endif

typedef enum _WDF_REQUEST_REUSE_FLAGS {
    WDF_REQUEST_REUSE_NO_FLAGS = 0x00000000,
    WDF_REQUEST_REUSE_SET_NEW_IRP = 0x00000001,
    WDF_REQUEST_REUSE_MUST_COMPLETE = 0x00000002,
} WDF_REQUEST_REUSE_FLAGS;

typedef enum _WDF_REQUEST_SEND_OPTIONS_FLAGS {
    WDF_REQUEST_SEND_OPTION_TIMEOUT = 0x00000001,
    WDF_REQUEST_SEND_OPTION_SYNCHRONOUS = 0x00000002,
    WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE = 0x00000004,
    WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET = 0x00000008,
    WDF_REQUEST_SEND_OPTION_IMPERSONATE_CLIENT = 0x00000010,
    WDF_REQUEST_SEND_OPTION_IMPERSONATION_IGNORE_FAILURE = 0x00000020,
} WDF_REQUEST_SEND_OPTIONS_FLAGS;

typedef enum _WDF_REQUEST_STOP_ACTION_FLAGS {
    WdfRequestStopActionInvalid = 0,
    WdfRequestStopActionSuspend = 0x01,
    WdfRequestStopActionPurge = 0x2,
    WdfRequestStopRequestCancelable = 0x10000000,
} WDF_REQUEST_STOP_ACTION_FLAGS;

typedef enum _WDF_REQUEST_FORWARD_OPTIONS_FLAGS {
    WDF_REQUEST_FORWARD_OPTION_SEND_AND_FORGET = 0x00000001,
} WDF_REQUEST_FORWARD_OPTIONS_FLAGS;

#define WDF_REQUEST_SEND_OPTIONS_FLAGS_VALID 0x0000003F

/* What WdfRequestGetParameters returns: the request's type and its IRP's parameters. */
typedef struct _WDF_REQUEST_PARAMETERS {
    USHORT Size;
    UCHAR MinorFunction;
    WDF_REQUEST_TYPE Type;
    union {
        struct {
            PIO_SECURITY_CONTEXT SecurityContext;
            ULONG Options;
            USHORT POINTER_ALIGNMENT FileAttributes;
            USHORT ShareAccess;
            ULONG POINTER_ALIGNMENT EaLength;
        } Create;
        struct {
            size_t Length;
            ULONG POINTER_ALIGNMENT Key;
            LONGLONG DeviceOffset;
        } Read;
        struct {
            size_t Length;
            ULONG POINTER_ALIGNMENT Key;
            LONGLONG DeviceOffset;
        } Write;
        struct {
            size_t OutputBufferLength;
            size_t POINTER_ALIGNMENT InputBufferLength;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Type3InputBuffer;
        } DeviceIoControl;
        struct {
            PVOID Arg1;
            PVOID Arg2;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Arg4;
        } Others;
    } Parameters;
} WDF_REQUEST_PARAMETERS, *PWDF_REQUEST_PARAMETERS;

FORCEINLINE void WDF_REQUEST_PARAMETERS_INIT(PWDF_REQUEST_PARAMETERS Parameters)
{
    RtlZeroMemory(Parameters, sizeof(WDF_REQUEST_PARAMETERS));
    Parameters->Size = sizeof(WDF_REQUEST_PARAMETERS);
}

typedef struct _WDF_REQUEST_REUSE_PARAMS {
    ULONG Size;
    ULONG Flags;
    NTSTATUS Status;
    PIRP NewIrp;
} WDF_REQUEST_REUSE_PARAMS, *PWDF_REQUEST_REUSE_PARAMS;

FORCEINLINE void WDF_REQUEST_REUSE_PARAMS_INIT(PWDF_REQUEST_REUSE_PARAMS Params, ULONG Flags, NTSTATUS Status)
{
    RtlZeroMemory(Params, sizeof(WDF_REQUEST_REUSE_PARAMS));
    Params->Size = sizeof(WDF_REQUEST_REUSE_PARAMS);
    Params->Flags = Flags;
    Params->Status = Status;
}

FORCEINLINE void WDF_REQUEST_REUSE_PARAMS_SET_NEW_IRP(PWDF_REQUEST_REUSE_PARAMS Params, PIRP NewIrp)
{
    Params->Flags |= WDF_REQUEST_REUSE_SET_NEW_IRP;
    Params->NewIrp = NewIrp;
}

typedef struct _WDF_REQUEST_SEND_OPTIONS {
    ULONG Size;
    ULONG Flags;
    LONGLONG Timeout;
} WDF_REQUEST_SEND_OPTIONS, *PWDF_REQUEST_SEND_OPTIONS;

FORCEINLINE void WDF_REQUEST_SEND_OPTIONS_INIT(PWDF_REQUEST_SEND_OPTIONS Options, ULONG Flags)
{
    RtlZeroMemory(Options, sizeof(WDF_REQUEST_SEND_OPTIONS));
    Options->Size = sizeof(WDF_REQUEST_SEND_OPTIONS);
    Options->Flags = Flags;
}

FORCEINLINE void WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(PWDF_REQUEST_SEND_OPTIONS Options, LONGLONG Timeout)
{
    Options->Flags |= WDF_REQUEST_SEND_OPTION_TIMEOUT;
    Options->Timeout = Timeout;
}

typedef struct _WDF_REQUEST_FORWARD_OPTIONS {
    ULONG Size;
    ULONG Flags;
} WDF_REQUEST_FORWARD_OPTIONS, *PWDF_REQUEST_FORWARD_OPTIONS;

FORCEINLINE void WDF_REQUEST_FORWARD_OPTIONS_INIT(PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions)
{
    RtlZeroMemory(ForwardOptions, sizeof(WDF_REQUEST_FORWARD_OPTIONS));
    ForwardOptions->Size = sizeof(WDF_REQUEST_FORWARD_OPTIONS);
    ForwardOptions->Flags = WDF_REQUEST_FORWARD_OPTION_SEND_AND_FORGET;
}

struct _WDF_USB_REQUEST_COMPLETION_PARAMS;
typedef struct _WDF_USB_REQUEST_COMPLETION_PARAMS *PWDF_USB_REQUEST_COMPLETION_PARAMS;

typedef struct _WDF_REQUEST_COMPLETION_PARAMS {
    ULONG Size;
    WDF_REQUEST_TYPE Type;
    IO_STATUS_BLOCK IoStatus;
    union {
        struct {
            WDFMEMORY Buffer;
            size_t Length;
            size_t Offset;
        } Write;
        struct {
            WDFMEMORY Buffer;
            size_t Length;
            size_t Offset;
        } Read;
        struct {
            ULONG IoControlCode;
            struct {
                WDFMEMORY Buffer;
                size_t Offset;
            } Input;
            struct {
                WDFMEMORY Buffer;
                size_t Offset;
                size_t Length;
            } Output;
        } Ioctl;
        struct {
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument1;
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument2;
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument3;
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument4;
        } Others;
        struct {
            PWDF_USB_REQUEST_COMPLETION_PARAMS Completion;
        } Usb;
    } Parameters;
} WDF_REQUEST_COMPLETION_PARAMS, *PWDF_REQUEST_COMPLETION_PARAMS;

FORCEINLINE void WDF_REQUEST_COMPLETION_PARAMS_INIT(PWDF_REQUEST_COMPLETION_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(WDF_REQUEST_COMPLETION_PARAMS));
    Params->Size = sizeof(WDF_REQUEST_COMPLETION_PARAMS);
    Params->Type = WdfRequestTypeNoFormat;
}

/* An untyped context pointer (wdftypes.h in the WDK; repeated identical typedefs are valid C11). */
typedef PVOID WDFCONTEXT;

/* Callback roles. */
typedef void EVT_WDF_REQUEST_CANCEL(WDFREQUEST Request);
typedef EVT_WDF_REQUEST_CANCEL *PFN_WDF_REQUEST_CANCEL;
typedef void EVT_WDF_REQUEST_COMPLETION_ROUTINE(WDFREQUEST Request, WDFIOTARGET Target,
                                                PWDF_REQUEST_COMPLETION_PARAMS Params, WDFCONTEXT Context);
typedef EVT_WDF_REQUEST_COMPLETION_ROUTINE *PFN_WDF_REQUEST_COMPLETION_ROUTINE;

/* Implementations (src/wdf/request*.c); drivers call the WdfXxx wrappers below. */
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                  PWDF_OBJECT_ATTRIBUTES RequestAttributes,
                                                  WDFIOTARGET IoTarget, WDFREQUEST *Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestCreateFromIrp(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         PWDF_OBJECT_ATTRIBUTES RequestAttributes, PIRP Irp,
                                                         BOOLEAN RequestFreesIrp, WDFREQUEST *Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestReuse(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                 PWDF_REQUEST_REUSE_PARAMS ReuseParams);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestChangeTarget(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                        WDFIOTARGET IoTarget);
WDF_EXTERN_C WDFAPI void imp_WdfRequestFormatRequestUsingCurrentType(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                     WDFREQUEST Request);
WDF_EXTERN_C WDFAPI void imp_WdfRequestWdmFormatUsingStackLocation(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                   WDFREQUEST Request,
                                                                   PIO_STACK_LOCATION Stack);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfRequestSend(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                               WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestGetStatus(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
WDF_EXTERN_C WDFAPI void imp_WdfRequestMarkCancelable(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                      PFN_WDF_REQUEST_CANCEL EvtRequestCancel);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestMarkCancelableEx(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            WDFREQUEST Request,
                                                            PFN_WDF_REQUEST_CANCEL EvtRequestCancel);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestUnmarkCancelable(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            WDFREQUEST Request);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfRequestIsCanceled(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfRequestCancelSentRequest(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            WDFREQUEST Request);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfRequestIsFrom32BitProcess(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                             WDFREQUEST Request);
WDF_EXTERN_C WDFAPI void imp_WdfRequestSetCompletionRoutine(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            WDFREQUEST Request,
                                                            PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine,
                                                            WDFCONTEXT CompletionContext);
WDF_EXTERN_C WDFAPI void imp_WdfRequestGetCompletionParams(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                           WDFREQUEST Request,
                                                           PWDF_REQUEST_COMPLETION_PARAMS Params);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestAllocateTimer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         WDFREQUEST Request);
WDF_EXTERN_C WDFAPI void imp_WdfRequestComplete(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                NTSTATUS Status);
WDF_EXTERN_C WDFAPI void imp_WdfRequestCompleteWithPriorityBoost(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                 WDFREQUEST Request, NTSTATUS Status,
                                                                 CCHAR PriorityBoost);
WDF_EXTERN_C WDFAPI void imp_WdfRequestCompleteWithInformation(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               WDFREQUEST Request, NTSTATUS Status,
                                                               ULONG_PTR Information);
WDF_EXTERN_C WDFAPI void imp_WdfRequestGetParameters(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                     PWDF_REQUEST_PARAMETERS Parameters);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveInputMemory(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               WDFREQUEST Request, WDFMEMORY *Memory);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveOutputMemory(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                WDFREQUEST Request, WDFMEMORY *Memory);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveInputBuffer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               WDFREQUEST Request,
                                                               size_t MinimumRequiredLength, PVOID *Buffer,
                                                               size_t *Length);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveOutputBuffer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                WDFREQUEST Request,
                                                                size_t MinimumRequiredSize, PVOID *Buffer,
                                                                size_t *Length);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveInputWdmMdl(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               WDFREQUEST Request, PMDL *Mdl);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveOutputWdmMdl(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                WDFREQUEST Request, PMDL *Mdl);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveUnsafeUserInputBuffer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                         WDFREQUEST Request,
                                                                         size_t MinimumRequiredLength,
                                                                         PVOID *InputBuffer, size_t *Length);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRetrieveUnsafeUserOutputBuffer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                          WDFREQUEST Request,
                                                                          size_t MinimumRequiredLength,
                                                                          PVOID *OutputBuffer,
                                                                          size_t *Length);
WDF_EXTERN_C WDFAPI void imp_WdfRequestSetInformation(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                      ULONG_PTR Information);
WDF_EXTERN_C WDFAPI ULONG_PTR imp_WdfRequestGetInformation(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                           WDFREQUEST Request);
WDF_EXTERN_C WDFAPI WDFFILEOBJECT imp_WdfRequestGetFileObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                              WDFREQUEST Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestProbeAndLockUserBufferForRead(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                         WDFREQUEST Request, PVOID Buffer,
                                                                         size_t Length,
                                                                         WDFMEMORY *MemoryObject);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestProbeAndLockUserBufferForWrite(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                          WDFREQUEST Request, PVOID Buffer,
                                                                          size_t Length,
                                                                          WDFMEMORY *MemoryObject);
WDF_EXTERN_C WDFAPI KPROCESSOR_MODE imp_WdfRequestGetRequestorMode(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                   WDFREQUEST Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestForwardToIoQueue(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                            WDFREQUEST Request, WDFQUEUE DestinationQueue);
WDF_EXTERN_C WDFAPI WDFQUEUE imp_WdfRequestGetIoQueue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestRequeue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
WDF_EXTERN_C WDFAPI void imp_WdfRequestStopAcknowledge(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request,
                                                       BOOLEAN Requeue);
WDF_EXTERN_C WDFAPI PIRP imp_WdfRequestWdmGetIrp(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfRequestIsReserved(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRequestForwardToParentDeviceIoQueue(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                        WDFREQUEST Request,
                                                                        WDFQUEUE ParentDeviceQueue,
                                                                        PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions);

FORCEINLINE NTSTATUS WdfRequestCreate(PWDF_OBJECT_ATTRIBUTES RequestAttributes, WDFIOTARGET IoTarget,
                                      WDFREQUEST *Request)
{
    return imp_WdfRequestCreate(WdfDriverGlobals, RequestAttributes, IoTarget, Request);
}

FORCEINLINE NTSTATUS WdfRequestCreateFromIrp(PWDF_OBJECT_ATTRIBUTES RequestAttributes, PIRP Irp,
                                             BOOLEAN RequestFreesIrp, WDFREQUEST *Request)
{
    return imp_WdfRequestCreateFromIrp(WdfDriverGlobals, RequestAttributes, Irp, RequestFreesIrp, Request);
}

FORCEINLINE NTSTATUS WdfRequestReuse(WDFREQUEST Request, PWDF_REQUEST_REUSE_PARAMS ReuseParams)
{
    return imp_WdfRequestReuse(WdfDriverGlobals, Request, ReuseParams);
}

FORCEINLINE NTSTATUS WdfRequestChangeTarget(WDFREQUEST Request, WDFIOTARGET IoTarget)
{
    return imp_WdfRequestChangeTarget(WdfDriverGlobals, Request, IoTarget);
}

FORCEINLINE void WdfRequestFormatRequestUsingCurrentType(WDFREQUEST Request)
{
    imp_WdfRequestFormatRequestUsingCurrentType(WdfDriverGlobals, Request);
}

FORCEINLINE void WdfRequestWdmFormatUsingStackLocation(WDFREQUEST Request, PIO_STACK_LOCATION Stack)
{
    imp_WdfRequestWdmFormatUsingStackLocation(WdfDriverGlobals, Request, Stack);
}

FORCEINLINE BOOLEAN WdfRequestSend(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options)
{
    return imp_WdfRequestSend(WdfDriverGlobals, Request, Target, Options);
}

FORCEINLINE NTSTATUS WdfRequestGetStatus(WDFREQUEST Request)
{
    return imp_WdfRequestGetStatus(WdfDriverGlobals, Request);
}

FORCEINLINE void WdfRequestMarkCancelable(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
    imp_WdfRequestMarkCancelable(WdfDriverGlobals, Request, EvtRequestCancel);
}

FORCEINLINE NTSTATUS WdfRequestMarkCancelableEx(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
    return imp_WdfRequestMarkCancelableEx(WdfDriverGlobals, Request, EvtRequestCancel);
}

FORCEINLINE NTSTATUS WdfRequestUnmarkCancelable(WDFREQUEST Request)
{
    return imp_WdfRequestUnmarkCancelable(WdfDriverGlobals, Request);
}

FORCEINLINE BOOLEAN WdfRequestIsCanceled(WDFREQUEST Request)
{
    return imp_WdfRequestIsCanceled(WdfDriverGlobals, Request);
}

FORCEINLINE BOOLEAN WdfRequestCancelSentRequest(WDFREQUEST Request)
{
    return imp_WdfRequestCancelSentRequest(WdfDriverGlobals, Request);
}

FORCEINLINE BOOLEAN WdfRequestIsFrom32BitProcess(WDFREQUEST Request)
{
    return imp_WdfRequestIsFrom32BitProcess(WdfDriverGlobals, Request);
}

FORCEINLINE void WdfRequestSetCompletionRoutine(WDFREQUEST Request,
                                                PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine,
                                                WDFCONTEXT CompletionContext)
{
    imp_WdfRequestSetCompletionRoutine(WdfDriverGlobals, Request, CompletionRoutine, CompletionContext);
}

FORCEINLINE void WdfRequestGetCompletionParams(WDFREQUEST Request, PWDF_REQUEST_COMPLETION_PARAMS Params)
{
    imp_WdfRequestGetCompletionParams(WdfDriverGlobals, Request, Params);
}

FORCEINLINE NTSTATUS WdfRequestAllocateTimer(WDFREQUEST Request)
{
    return imp_WdfRequestAllocateTimer(WdfDriverGlobals, Request);
}

FORCEINLINE void WdfRequestComplete(WDFREQUEST Request, NTSTATUS Status)
{
    imp_WdfRequestComplete(WdfDriverGlobals, Request, Status);
}

FORCEINLINE void WdfRequestCompleteWithPriorityBoost(WDFREQUEST Request, NTSTATUS Status, CCHAR PriorityBoost)
{
    imp_WdfRequestCompleteWithPriorityBoost(WdfDriverGlobals, Request, Status, PriorityBoost);
}

FORCEINLINE void WdfRequestCompleteWithInformation(WDFREQUEST Request, NTSTATUS Status, ULONG_PTR Information)
{
    imp_WdfRequestCompleteWithInformation(WdfDriverGlobals, Request, Status, Information);
}

FORCEINLINE void WdfRequestGetParameters(WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters)
{
    imp_WdfRequestGetParameters(WdfDriverGlobals, Request, Parameters);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveInputMemory(WDFREQUEST Request, WDFMEMORY *Memory)
{
    return imp_WdfRequestRetrieveInputMemory(WdfDriverGlobals, Request, Memory);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveOutputMemory(WDFREQUEST Request, WDFMEMORY *Memory)
{
    return imp_WdfRequestRetrieveOutputMemory(WdfDriverGlobals, Request, Memory);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
                                                   PVOID *Buffer, size_t *Length)
{
    return imp_WdfRequestRetrieveInputBuffer(WdfDriverGlobals, Request, MinimumRequiredLength, Buffer,
                                             Length);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredSize,
                                                    PVOID *Buffer, size_t *Length)
{
    return imp_WdfRequestRetrieveOutputBuffer(WdfDriverGlobals, Request, MinimumRequiredSize, Buffer, Length);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveInputWdmMdl(WDFREQUEST Request, PMDL *Mdl)
{
    return imp_WdfRequestRetrieveInputWdmMdl(WdfDriverGlobals, Request, Mdl);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveOutputWdmMdl(WDFREQUEST Request, PMDL *Mdl)
{
    return imp_WdfRequestRetrieveOutputWdmMdl(WdfDriverGlobals, Request, Mdl);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveUnsafeUserInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
                                                             PVOID *InputBuffer, size_t *Length)
{
    return imp_WdfRequestRetrieveUnsafeUserInputBuffer(WdfDriverGlobals, Request, MinimumRequiredLength,
                                                       InputBuffer, Length);
}

FORCEINLINE NTSTATUS WdfRequestRetrieveUnsafeUserOutputBuffer(WDFREQUEST Request,
                                                              size_t MinimumRequiredLength,
                                                              PVOID *OutputBuffer, size_t *Length)
{
    return imp_WdfRequestRetrieveUnsafeUserOutputBuffer(WdfDriverGlobals, Request, MinimumRequiredLength,
                                                        OutputBuffer, Length);
}

FORCEINLINE void WdfRequestSetInformation(WDFREQUEST Request, ULONG_PTR Information)
{
    imp_WdfRequestSetInformation(WdfDriverGlobals, Request, Information);
}

FORCEINLINE ULONG_PTR WdfRequestGetInformation(WDFREQUEST Request)
{
    return imp_WdfRequestGetInformation(WdfDriverGlobals, Request);
}

FORCEINLINE WDFFILEOBJECT WdfRequestGetFileObject(WDFREQUEST Request)
{
    return imp_WdfRequestGetFileObject(WdfDriverGlobals, Request);
}

FORCEINLINE NTSTATUS WdfRequestProbeAndLockUserBufferForRead(WDFREQUEST Request, PVOID Buffer, size_t Length,
                                                             WDFMEMORY *MemoryObject)
{
    return imp_WdfRequestProbeAndLockUserBufferForRead(WdfDriverGlobals, Request, Buffer, Length,
                                                       MemoryObject);
}

FORCEINLINE NTSTATUS WdfRequestProbeAndLockUserBufferForWrite(WDFREQUEST Request, PVOID Buffer, size_t Length,
                                                              WDFMEMORY *MemoryObject)
{
    return imp_WdfRequestProbeAndLockUserBufferForWrite(WdfDriverGlobals, Request, Buffer, Length,
                                                        MemoryObject);
}

FORCEINLINE KPROCESSOR_MODE WdfRequestGetRequestorMode(WDFREQUEST Request)
{
    return imp_WdfRequestGetRequestorMode(WdfDriverGlobals, Request);
}

FORCEINLINE NTSTATUS WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue)
{
    return imp_WdfRequestForwardToIoQueue(WdfDriverGlobals, Request, DestinationQueue);
}

FORCEINLINE WDFQUEUE WdfRequestGetIoQueue(WDFREQUEST Request)
{
    return imp_WdfRequestGetIoQueue(WdfDriverGlobals, Request);
}

FORCEINLINE NTSTATUS WdfRequestRequeue(WDFREQUEST Request)
{
    return imp_WdfRequestRequeue(WdfDriverGlobals, Request);
}

FORCEINLINE void WdfRequestStopAcknowledge(WDFREQUEST Request, BOOLEAN Requeue)
{
    imp_WdfRequestStopAcknowledge(WdfDriverGlobals, Request, Requeue);
}

FORCEINLINE PIRP WdfRequestWdmGetIrp(WDFREQUEST Request)
{
    return imp_WdfRequestWdmGetIrp(WdfDriverGlobals, Request);
}

FORCEINLINE BOOLEAN WdfRequestIsReserved(WDFREQUEST Request)
{
    return imp_WdfRequestIsReserved(WdfDriverGlobals, Request);
}

FORCEINLINE NTSTATUS WdfRequestForwardToParentDeviceIoQueue(WDFREQUEST Request, WDFQUEUE ParentDeviceQueue,
                                                            PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions)
{
    return imp_WdfRequestForwardToParentDeviceIoQueue(WdfDriverGlobals, Request, ParentDeviceQueue,
                                                      ForwardOptions);
}

#endif /* OPENWDF_WDFREQUEST_H */
