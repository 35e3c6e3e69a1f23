/*
 * driver_stub.c - the part of the Framework linked INTO each driver binary (libopenwdf_driver_stub.a,
 * linked by openwdf-cc; KMDF's WdfDriverEntry.lib plays the same role).
 *
 * It owns the driver's `WdfDriverGlobals` (hidden: one per binary, so drivers sharing a process each
 * have their own) and the real entry point, FxDriverEntry, which the loader calls instead of the
 * driver's DriverEntry:
 *   1. imp_fx_driver_bind() makes the driver's globals (and in-flight recorder);
 *   2. the driver's DriverEntry runs;
 *   3. on failure imp_fx_driver_unbind() undoes everything; on success an unload routine the driver
 *      ended up with (usually the Framework's, set by WdfDriverCreate) is wrapped so that the
 *      binding is released after it: FxStubDriverUnload calls it, then imp_fx_driver_unbind().
 * A driver without any unload routine stays bound until the process ends, as it cannot be unloaded.
 *
 * Test programs that link a driver in directly link this stub too and load it with
 *     owdf_io_load_driver("Name", FxDriverEntry, NULL, &driver_object);
 * One driver per binary: a second load while the first is bound fails with STATUS_IMAGE_ALREADY_LOADED.
 */
#include <wdf.h>

#include "../fx_driver.h"

PWDF_DRIVER_GLOBALS WdfDriverGlobals __attribute__((visibility("hidden"))) = NULL;

/* The driver's own entry point. */
DRIVER_INITIALIZE DriverEntry;

/* The exported entry point the loader calls. */
__attribute__((visibility("default"))) DRIVER_INITIALIZE FxDriverEntry;

static PDRIVER_UNLOAD fx_stub_wrapped_unload;

static void FxStubDriverUnload(PDRIVER_OBJECT DriverObject)
{
    PDRIVER_UNLOAD unload = fx_stub_wrapped_unload;
    fx_stub_wrapped_unload = NULL;
    if (unload != NULL)
        unload(DriverObject);
    PWDF_DRIVER_GLOBALS globals = WdfDriverGlobals;
    WdfDriverGlobals = NULL;
    imp_fx_driver_unbind(globals);
}

NTSTATUS FxDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    if (WdfDriverGlobals != NULL)
        return STATUS_IMAGE_ALREADY_LOADED;
    NTSTATUS status = imp_fx_driver_bind(DriverObject, RegistryPath, &WdfDriverGlobals);
    if (!NT_SUCCESS(status))
        return status;
    status = DriverEntry(DriverObject, RegistryPath);
    if (!NT_SUCCESS(status)) {
        PWDF_DRIVER_GLOBALS globals = WdfDriverGlobals;
        WdfDriverGlobals = NULL;
        imp_fx_driver_unbind(globals);
        return status;
    }
    if (DriverObject->DriverUnload != NULL) {
        fx_stub_wrapped_unload = DriverObject->DriverUnload;
        DriverObject->DriverUnload = FxStubDriverUnload;
    }
    return status;
}
