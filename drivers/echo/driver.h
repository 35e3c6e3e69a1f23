/*
 * driver.h - the openwdf echo sample driver's private declarations: its contexts and callbacks.
 *
 * The driver: one root-enumerated device with a device interface (GUID_DEVINTERFACE_OWDF_ECHO) and
 * a sequential default queue. A write stores its data in the queue's buffer, a read copies the
 * stored data out; either request is then held, cancelable, until the queue's periodic timer
 * completes it. Two ways of synchronizing (SynchronizationMode parameter):
 *   ECHO_SYNC_QUEUE   the queue's SynchronizationScopeQueue lock serializes EvtIoRead/Write/Stop, the
 *                     cancel routine and the timer (AutomaticSerialization), so the held request
 *                     needs no lock of ours; requests are made cancelable with WdfRequestMarkCancelable.
 *   ECHO_SYNC_DRIVER  no framework synchronization: a WDFSPINLOCK guards the held request and
 *                     WdfRequestMarkCancelableEx tells us about requests canceled before we held them.
 * The buffer needs no lock in either mode: only EvtIoRead/EvtIoWrite touch it, and the sequential
 * queue presents one request at a time (the next one only after the held one is completed).
 */
#ifndef ECHO_DRIVER_H
#define ECHO_DRIVER_H

#include <ntddk.h>
#include <wdf.h>

#include "public.h"
#include "trace.h"

#define ECHO_POOL_TAG 'ohcE'

/* Settings read from the Parameters key at DriverEntry. */
typedef struct _ECHO_DRIVER_CONTEXT {
    ULONG SyncMode;          /* ECHO_SYNC_QUEUE or ECHO_SYNC_DRIVER */
    ULONG TimerPeriodMs;
    ULONG CompletionDelayUs; /* ECHO_DELAY_PERIOD_ONLY: wait for the periodic tick */
} ECHO_DRIVER_CONTEXT, *PECHO_DRIVER_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHO_DRIVER_CONTEXT, EchoGetDriverContext)

typedef struct _ECHO_DEVICE_CONTEXT {
    WDFQUEUE Queue;          /* the default queue (its context has the timer) */
} ECHO_DEVICE_CONTEXT, *PECHO_DEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHO_DEVICE_CONTEXT, EchoGetDeviceContext)

typedef struct _ECHO_QUEUE_CONTEXT {
    PUCHAR Buffer;                 /* ECHO_MAX_WRITE_LENGTH bytes (BufferMemory's) */
    WDFMEMORY BufferMemory;        /* child of the queue */
    size_t Length;                 /* bytes stored */

    WDFREQUEST CurrentRequest;     /* the held request, or NULL (under Lock / the queue's lock) */
    NTSTATUS CurrentStatus;        /* what it will be completed with */
    ULONG_PTR CurrentInformation;

    WDFTIMER Timer;                /* periodic; completes the held request */
    WDFSPINLOCK Lock;              /* ECHO_SYNC_DRIVER only */
    BOOLEAN DriverManaged;
    LONGLONG KickDueTime;          /* relative (negative) due time to bring the timer forward; 0: none */
} ECHO_QUEUE_CONTEXT, *PECHO_QUEUE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHO_QUEUE_CONTEXT, EchoGetQueueContext)

/* driver.c */
DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD EchoEvtDeviceAdd;
EVT_WDF_DRIVER_UNLOAD EchoEvtDriverUnload;
EVT_WDF_OBJECT_CONTEXT_CLEANUP EchoEvtDriverContextCleanup;

/* device.c */
NTSTATUS EchoDeviceCreate(PWDFDEVICE_INIT DeviceInit);
EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT EchoEvtDeviceSelfManagedIoStart;
EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EchoEvtDeviceSelfManagedIoSuspend;

/* queue.c */
NTSTATUS EchoQueueInitialize(WDFDEVICE Device, const ECHO_DRIVER_CONTEXT *Settings, WDFQUEUE *Queue);
void EchoQueueStartTimer(WDFQUEUE Queue);
void EchoQueueStopTimer(WDFQUEUE Queue);
EVT_WDF_IO_QUEUE_IO_READ EchoEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE EchoEvtIoWrite;
EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;
EVT_WDF_REQUEST_CANCEL EchoEvtRequestCancel;
EVT_WDF_TIMER EchoEvtTimerFunc;

#endif /* ECHO_DRIVER_H */
