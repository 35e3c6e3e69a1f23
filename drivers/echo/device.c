/*
 * device.c - the echo device: a function device object with buffered I/O, its device interface and
 * its default queue; self-managed I/O starts the queue's completion timer when the device starts
 * and stops it (waiting for a running tick) before the device leaves D0.
 */
#include "driver.h"
#include "device.tmh"

NTSTATUS EchoDeviceCreate(PWDFDEVICE_INIT DeviceInit)
{
    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);

    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDeviceSelfManagedIoInit = EchoEvtDeviceSelfManagedIoStart;
    pnp.EvtDeviceSelfManagedIoRestart = EchoEvtDeviceSelfManagedIoStart;
    pnp.EvtDeviceSelfManagedIoSuspend = EchoEvtDeviceSelfManagedIoSuspend;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, ECHO_DEVICE_CONTEXT);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfDeviceCreate failed 0x%08x\n", (unsigned)status));
        TraceEvents(TRACE_LEVEL_ERROR, TRACE_DEVICE, "WdfDeviceCreate failed %!STATUS!", status);
        return status;
    }

    /* Applications find the device by its interface; it is enabled when the device starts. */
    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_OWDF_ECHO, NULL);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfDeviceCreateDeviceInterface failed 0x%08x\n", (unsigned)status));
        TraceEvents(TRACE_LEVEL_ERROR, TRACE_DEVICE, "WdfDeviceCreateDeviceInterface failed %!STATUS!", status);
        return status;
    }

    const ECHO_DRIVER_CONTEXT *settings = EchoGetDriverContext(WdfGetDriver());
    status = EchoQueueInitialize(device, settings, &EchoGetDeviceContext(device)->Queue);
    if (!NT_SUCCESS(status))
        return status;
    KdPrint(("Echo: device created\n"));
    return STATUS_SUCCESS;
}

NTSTATUS EchoEvtDeviceSelfManagedIoStart(WDFDEVICE Device)
{
    KdPrint(("Echo: self-managed I/O start\n"));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DEVICE, "%!FUNC! device %p", Device);
    EchoQueueStartTimer(EchoGetDeviceContext(Device)->Queue);
    return STATUS_SUCCESS;
}

NTSTATUS EchoEvtDeviceSelfManagedIoSuspend(WDFDEVICE Device)
{
    KdPrint(("Echo: self-managed I/O suspend\n"));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DEVICE, "%!FUNC! device %p", Device);
    /* A request held now is completed by EvtIoStop when the queue stops (or canceled). */
    EchoQueueStopTimer(EchoGetDeviceContext(Device)->Queue);
    return STATUS_SUCCESS;
}
