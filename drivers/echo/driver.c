/*
 * driver.c - the echo sample's entry point: creates the WDFDRIVER (with EchoEvtDeviceAdd for the
 * PnP manager) and reads the driver's settings from its Parameters registry key.
 */
#include <ntddk.h>
#include <initguid.h> /* this file defines the driver's GUIDs (public.h) */

#include "driver.h"
#include "driver.tmh"

static ULONG EchoQueryParameter(WDFKEY Key, PCWSTR Name, ULONG Default)
{
    UNICODE_STRING name;
    ULONG value;
    RtlInitUnicodeString(&name, Name);
    if (!NT_SUCCESS(WdfRegistryQueryULong(Key, &name, &value)))
        return Default;
    return value;
}

static void EchoReadSettings(WDFDRIVER Driver, PECHO_DRIVER_CONTEXT Settings)
{
    Settings->SyncMode = ECHO_SYNC_QUEUE;
    Settings->TimerPeriodMs = ECHO_DEFAULT_PERIOD_MS;
    Settings->CompletionDelayUs = ECHO_DEFAULT_DELAY_US;

    WDFKEY key;
    NTSTATUS status = WdfDriverOpenParametersRegistryKey(Driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: no Parameters key (0x%08x), using the defaults\n", (unsigned)status));
        return;
    }
    Settings->SyncMode = EchoQueryParameter(key, L"SynchronizationMode", ECHO_SYNC_QUEUE);
    Settings->TimerPeriodMs = EchoQueryParameter(key, L"TimerPeriodMs", ECHO_DEFAULT_PERIOD_MS);
    Settings->CompletionDelayUs = EchoQueryParameter(key, L"CompletionDelayUs", ECHO_DEFAULT_DELAY_US);
    WdfRegistryClose(key);

    if (Settings->SyncMode != ECHO_SYNC_QUEUE && Settings->SyncMode != ECHO_SYNC_DRIVER) {
        KdPrint(("Echo: unknown SynchronizationMode %u, using queue synchronization\n",
                 (unsigned)Settings->SyncMode));
        Settings->SyncMode = ECHO_SYNC_QUEUE;
    }
    if (Settings->TimerPeriodMs == 0)
        Settings->TimerPeriodMs = ECHO_DEFAULT_PERIOD_MS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    /* WPP first, so DriverEntry can trace; cleaned up with the WDFDRIVER (or below on failure). */
    WPP_INIT_TRACING(DriverObject, RegistryPath);
    KdPrint(("Echo: DriverEntry\n"));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! registry path %wZ", RegistryPath);

    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, EchoEvtDeviceAdd);
    config.EvtDriverUnload = EchoEvtDriverUnload;

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, ECHO_DRIVER_CONTEXT);
    attributes.EvtCleanupCallback = EchoEvtDriverContextCleanup;

    WDFDRIVER driver;
    NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, &attributes, &config, &driver);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfDriverCreate failed 0x%08x\n", (unsigned)status));
        TraceEvents(TRACE_LEVEL_ERROR, TRACE_DRIVER, "WdfDriverCreate failed %!STATUS!", status);
        WPP_CLEANUP(DriverObject);
        return status;
    }
    PECHO_DRIVER_CONTEXT settings = EchoGetDriverContext(driver);
    EchoReadSettings(driver, settings);
    KdPrint(("Echo: %s synchronization, timer period %u ms, completion delay %u us\n",
             settings->SyncMode == ECHO_SYNC_DRIVER ? "driver-managed" : "queue-level",
             (unsigned)settings->TimerPeriodMs, (unsigned)settings->CompletionDelayUs));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "sync mode %u, period %u ms, delay %u us",
                settings->SyncMode, settings->TimerPeriodMs, settings->CompletionDelayUs);
    return STATUS_SUCCESS;
}

NTSTATUS EchoEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    KdPrint(("Echo: EvtDeviceAdd\n"));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DEVICE, "%!FUNC!");
    return EchoDeviceCreate(DeviceInit);
}

void EchoEvtDriverUnload(WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
    KdPrint(("Echo: EvtDriverUnload\n"));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC!");
}

void EchoEvtDriverContextCleanup(WDFOBJECT Driver)
{
    /* The WDFDRIVER goes (unload, or a DriverEntry failing after WdfDriverCreate): stop tracing. */
    UNREFERENCED_PARAMETER(Driver); /* WPP_CLEANUP may not evaluate its argument */
    WPP_CLEANUP(WdfDriverWdmGetDriverObject((WDFDRIVER)Driver));
}
