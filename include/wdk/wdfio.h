/*
 * wdfio.h - framework I/O queues (WDFQUEUE): configuration, the Evt callbacks a queue presents
 * requests through, and the queue state DDIs, with the WDK's names. Implementation: src/wdf/queue*.c
 * and io_package.c (see docs/wdf-io.md for the dispatch rules and the queue state model).
 */
#ifndef OPENWDF_WDFIO_H
#define OPENWDF_WDFIO_H

#include <wdfobject.h>
#include <wdfrequest.h>

typedef enum _WDF_IO_QUEUE_DISPATCH_TYPE {
    WdfIoQueueDispatchInvalid = 0,
    WdfIoQueueDispatchSequential,
    WdfIoQueueDispatchParallel,
    WdfIoQueueDispatchManual,
    WdfIoQueueDispatchMax,
} WDF_IO_QUEUE_DISPATCH_TYPE;

/* WdfIoQueueGetState: a bit mask. */
typedef enum _WDF_IO_QUEUE_STATE {
    WdfIoQueueAcceptRequests = 0x01,    /* new requests are queued */
    WdfIoQueueDispatchRequests = 0x02,  /* queued requests are delivered */
    WdfIoQueueNoRequests = 0x04,        /* none is waiting in the queue */
    WdfIoQueueDriverNoRequests = 0x08,  /* the driver owns none from this queue */
    WdfIoQueuePnpHeld = 0x10,           /* power managed and held because the device is not in D0 */
} WDF_IO_QUEUE_STATE;

FORCEINLINE BOOLEAN WDF_IO_QUEUE_IDLE(WDF_IO_QUEUE_STATE State)
{
    return ((State & WdfIoQueueNoRequests) && (State & WdfIoQueueDriverNoRequests)) ? TRUE : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_READY(WDF_IO_QUEUE_STATE State)
{
    return ((State & WdfIoQueueDispatchRequests) && (State & WdfIoQueueAcceptRequests)) ? TRUE : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_STOPPED(WDF_IO_QUEUE_STATE State)
{
    return (((State & WdfIoQueueDispatchRequests) == 0) && (State & WdfIoQueueAcceptRequests) &&
            (State & WdfIoQueueDriverNoRequests))
               ? TRUE
               : FALSE;
}

/* Drained: accepts nothing new and every queued request went to the driver (which may still own some). */
FORCEINLINE BOOLEAN WDF_IO_QUEUE_DRAINED(WDF_IO_QUEUE_STATE State)
{
    return (((State & WdfIoQueueAcceptRequests) == 0) && (State & WdfIoQueueNoRequests)) ? TRUE : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_PURGED(WDF_IO_QUEUE_STATE State)
{
    return (((State & WdfIoQueueAcceptRequests) == 0) && (State & WdfIoQueueNoRequests) &&
            (State & WdfIoQueueDriverNoRequests))
               ? TRUE
               : FALSE;
}

/* Callback roles. */
typedef void EVT_WDF_IO_QUEUE_IO_DEFAULT(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_DEFAULT *PFN_WDF_IO_QUEUE_IO_DEFAULT;
typedef void EVT_WDF_IO_QUEUE_IO_STOP(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags);
typedef EVT_WDF_IO_QUEUE_IO_STOP *PFN_WDF_IO_QUEUE_IO_STOP;
typedef void EVT_WDF_IO_QUEUE_IO_RESUME(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_RESUME *PFN_WDF_IO_QUEUE_IO_RESUME;
typedef void EVT_WDF_IO_QUEUE_IO_READ(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);
typedef EVT_WDF_IO_QUEUE_IO_READ *PFN_WDF_IO_QUEUE_IO_READ;
typedef void EVT_WDF_IO_QUEUE_IO_WRITE(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);
typedef EVT_WDF_IO_QUEUE_IO_WRITE *PFN_WDF_IO_QUEUE_IO_WRITE;
typedef void EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                                                size_t InputBufferLength, ULONG IoControlCode);
typedef EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL *PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL;
typedef void EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL(WDFQUEUE Queue, WDFREQUEST Request,
                                                         size_t OutputBufferLength, size_t InputBufferLength,
                                                         ULONG IoControlCode);
typedef EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL *PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL;
typedef void EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE *PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE;
typedef void EVT_WDF_IO_QUEUE_STATE(WDFQUEUE Queue, WDFCONTEXT Context);
typedef EVT_WDF_IO_QUEUE_STATE *PFN_WDF_IO_QUEUE_STATE;

typedef struct _WDF_IO_QUEUE_CONFIG {
    ULONG Size;
    WDF_IO_QUEUE_DISPATCH_TYPE DispatchType;
    WDF_TRI_STATE PowerManaged;
    BOOLEAN AllowZeroLengthRequests;
    BOOLEAN DefaultQueue;
    PFN_WDF_IO_QUEUE_IO_DEFAULT EvtIoDefault;
    PFN_WDF_IO_QUEUE_IO_READ EvtIoRead;
    PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite;
    PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL EvtIoDeviceControl;
    PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL EvtIoInternalDeviceControl;
    PFN_WDF_IO_QUEUE_IO_STOP EvtIoStop;
    PFN_WDF_IO_QUEUE_IO_RESUME EvtIoResume;
    PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE EvtIoCanceledOnQueue;
    union {
        struct {
            ULONG NumberOfPresentedRequests;
        } Parallel;
    } Settings;
    WDFDRIVER Driver;
} WDF_IO_QUEUE_CONFIG, *PWDF_IO_QUEUE_CONFIG;

FORCEINLINE void WDF_IO_QUEUE_CONFIG_INIT(PWDF_IO_QUEUE_CONFIG Config, WDF_IO_QUEUE_DISPATCH_TYPE DispatchType)
{
    RtlZeroMemory(Config, sizeof(WDF_IO_QUEUE_CONFIG));
    Config->Size = sizeof(WDF_IO_QUEUE_CONFIG);
    Config->PowerManaged = WdfUseDefault;
    Config->DispatchType = DispatchType;
    if (Config->DispatchType == WdfIoQueueDispatchParallel)
        Config->Settings.Parallel.NumberOfPresentedRequests = (ULONG)-1;
}

FORCEINLINE void WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(PWDF_IO_QUEUE_CONFIG Config,
                                                        WDF_IO_QUEUE_DISPATCH_TYPE DispatchType)
{
    RtlZeroMemory(Config, sizeof(WDF_IO_QUEUE_CONFIG));
    Config->Size = sizeof(WDF_IO_QUEUE_CONFIG);
    Config->PowerManaged = WdfUseDefault;
    Config->DefaultQueue = TRUE;
    Config->DispatchType = DispatchType;
    if (Config->DispatchType == WdfIoQueueDispatchParallel)
        Config->Settings.Parallel.NumberOfPresentedRequests = (ULONG)-1;
}

/* Forward progress (WdfIoQueueAssignForwardProgressPolicy): declared for source compatibility. */
typedef enum _WDF_IO_FORWARD_PROGRESS_ACTION {
    WdfIoForwardProgressActionInvalid = 0x0,
    WdfIoForwardProgressActionFailRequest,
    WdfIoForwardProgressActionUseReservedRequest,
} WDF_IO_FORWARD_PROGRESS_ACTION;

typedef enum _WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY {
    WdfIoForwardProgressInvalidPolicy = 0x0,
    WdfIoForwardProgressReservedPolicyAlwaysUseReservedRequest,
    WdfIoForwardProgressReservedPolicyUseExamine,
    WdfIoForwardProgressReservedPolicyPagingIO,
} WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY;

typedef NTSTATUS EVT_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST *PFN_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST;
typedef NTSTATUS EVT_WDF_IO_ALLOCATE_REQUEST_RESOURCES(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_ALLOCATE_REQUEST_RESOURCES *PFN_WDF_IO_ALLOCATE_REQUEST_RESOURCES;
typedef WDF_IO_FORWARD_PROGRESS_ACTION EVT_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS(WDFQUEUE Queue, PIRP Irp);
typedef EVT_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS *PFN_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS;

typedef struct _WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY {
    ULONG Size;
    ULONG TotalForwardProgressRequests;
    WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY ForwardProgressReservedPolicy;
    union {
        struct {
            PFN_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS EvtIoWdmIrpForForwardProgress;
        } ExaminePolicy;
    } ForwardProgressReservePolicySettings;
    PFN_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST EvtIoAllocateResourcesForReservedRequest;
    PFN_WDF_IO_ALLOCATE_REQUEST_RESOURCES EvtIoAllocateRequestResources;
} WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY, *PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY;

/* Implementations (src/wdf/queue*.c); drivers call the WdfXxx wrappers below. */
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueCreate(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device,
                                                  PWDF_IO_QUEUE_CONFIG Config,
                                                  PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE *Queue);
WDF_EXTERN_C WDFAPI WDF_IO_QUEUE_STATE imp_WdfIoQueueGetState(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                              WDFQUEUE Queue, PULONG QueueRequests,
                                                              PULONG DriverRequests);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueStart(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueStop(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue,
                                            PFN_WDF_IO_QUEUE_STATE StopComplete, WDFCONTEXT Context);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueStopSynchronously(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
WDF_EXTERN_C WDFAPI WDFDEVICE imp_WdfIoQueueGetDevice(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueRetrieveNextRequest(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                               WDFQUEUE Queue, WDFREQUEST *OutRequest);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueRetrieveRequestByFileObject(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                       WDFQUEUE Queue,
                                                                       WDFFILEOBJECT FileObject,
                                                                       WDFREQUEST *OutRequest);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueFindRequest(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue,
                                                       WDFREQUEST FoundRequest, WDFFILEOBJECT FileObject,
                                                       PWDF_REQUEST_PARAMETERS Parameters,
                                                       WDFREQUEST *OutRequest);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueRetrieveFoundRequest(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                WDFQUEUE Queue, WDFREQUEST FoundRequest,
                                                                WDFREQUEST *OutRequest);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueDrainSynchronously(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueDrain(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue,
                                             PFN_WDF_IO_QUEUE_STATE DrainComplete, WDFCONTEXT Context);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueuePurgeSynchronously(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueuePurge(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue,
                                             PFN_WDF_IO_QUEUE_STATE PurgeComplete, WDFCONTEXT Context);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueReadyNotify(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue,
                                                       PFN_WDF_IO_QUEUE_STATE QueueReady, WDFCONTEXT Context);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueStopAndPurge(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue,
                                                    PFN_WDF_IO_QUEUE_STATE StopAndPurgeComplete,
                                                    WDFCONTEXT Context);
WDF_EXTERN_C WDFAPI void imp_WdfIoQueueStopAndPurgeSynchronously(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                 WDFQUEUE Queue);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfIoQueueAssignForwardProgressPolicy(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                                       WDFQUEUE Queue,
                                                                       PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY ForwardProgressPolicy);

FORCEINLINE NTSTATUS WdfIoQueueCreate(WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config,
                                      PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE *Queue)
{
    return imp_WdfIoQueueCreate(WdfDriverGlobals, Device, Config, QueueAttributes, Queue);
}

FORCEINLINE WDF_IO_QUEUE_STATE WdfIoQueueGetState(WDFQUEUE Queue, PULONG QueueRequests, PULONG DriverRequests)
{
    return imp_WdfIoQueueGetState(WdfDriverGlobals, Queue, QueueRequests, DriverRequests);
}

FORCEINLINE void WdfIoQueueStart(WDFQUEUE Queue)
{
    imp_WdfIoQueueStart(WdfDriverGlobals, Queue);
}

FORCEINLINE void WdfIoQueueStop(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopComplete, WDFCONTEXT Context)
{
    imp_WdfIoQueueStop(WdfDriverGlobals, Queue, StopComplete, Context);
}

FORCEINLINE void WdfIoQueueStopSynchronously(WDFQUEUE Queue)
{
    imp_WdfIoQueueStopSynchronously(WdfDriverGlobals, Queue);
}

FORCEINLINE WDFDEVICE WdfIoQueueGetDevice(WDFQUEUE Queue)
{
    return imp_WdfIoQueueGetDevice(WdfDriverGlobals, Queue);
}

FORCEINLINE NTSTATUS WdfIoQueueRetrieveNextRequest(WDFQUEUE Queue, WDFREQUEST *OutRequest)
{
    return imp_WdfIoQueueRetrieveNextRequest(WdfDriverGlobals, Queue, OutRequest);
}

FORCEINLINE NTSTATUS WdfIoQueueRetrieveRequestByFileObject(WDFQUEUE Queue, WDFFILEOBJECT FileObject,
                                                           WDFREQUEST *OutRequest)
{
    return imp_WdfIoQueueRetrieveRequestByFileObject(WdfDriverGlobals, Queue, FileObject, OutRequest);
}

FORCEINLINE NTSTATUS WdfIoQueueFindRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFFILEOBJECT FileObject,
                                           PWDF_REQUEST_PARAMETERS Parameters, WDFREQUEST *OutRequest)
{
    return imp_WdfIoQueueFindRequest(WdfDriverGlobals, Queue, FoundRequest, FileObject, Parameters,
                                     OutRequest);
}

FORCEINLINE NTSTATUS WdfIoQueueRetrieveFoundRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest,
                                                    WDFREQUEST *OutRequest)
{
    return imp_WdfIoQueueRetrieveFoundRequest(WdfDriverGlobals, Queue, FoundRequest, OutRequest);
}

FORCEINLINE void WdfIoQueueDrainSynchronously(WDFQUEUE Queue)
{
    imp_WdfIoQueueDrainSynchronously(WdfDriverGlobals, Queue);
}

FORCEINLINE void WdfIoQueueDrain(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE DrainComplete, WDFCONTEXT Context)
{
    imp_WdfIoQueueDrain(WdfDriverGlobals, Queue, DrainComplete, Context);
}

FORCEINLINE void WdfIoQueuePurgeSynchronously(WDFQUEUE Queue)
{
    imp_WdfIoQueuePurgeSynchronously(WdfDriverGlobals, Queue);
}

FORCEINLINE void WdfIoQueuePurge(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE PurgeComplete, WDFCONTEXT Context)
{
    imp_WdfIoQueuePurge(WdfDriverGlobals, Queue, PurgeComplete, Context);
}

FORCEINLINE NTSTATUS WdfIoQueueReadyNotify(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE QueueReady,
                                           WDFCONTEXT Context)
{
    return imp_WdfIoQueueReadyNotify(WdfDriverGlobals, Queue, QueueReady, Context);
}

FORCEINLINE void WdfIoQueueStopAndPurge(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopAndPurgeComplete,
                                        WDFCONTEXT Context)
{
    imp_WdfIoQueueStopAndPurge(WdfDriverGlobals, Queue, StopAndPurgeComplete, Context);
}

FORCEINLINE void WdfIoQueueStopAndPurgeSynchronously(WDFQUEUE Queue)
{
    imp_WdfIoQueueStopAndPurgeSynchronously(WdfDriverGlobals, Queue);
}

FORCEINLINE NTSTATUS WdfIoQueueAssignForwardProgressPolicy(WDFQUEUE Queue,
                                                           PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY ForwardProgressPolicy)
{
    return imp_WdfIoQueueAssignForwardProgressPolicy(WdfDriverGlobals, Queue, ForwardProgressPolicy);
}

#endif /* OPENWDF_WDFIO_H */
