/*
 * driver.c - the openwdf-cc test driver, written as a KMDF sample is: role typedefs, WPP tracing with
 * a generated driver.tmh, KdPrint, L"..." strings, a MOF-generated header. Built out of tree by
 * tests/tools/openwdf_cc_test.sh (as a KMDF driver with the stub, and with --wdm) and run by
 * driver_check.c, which reads back the driver's debug log. With TESTDRV_KMDF it includes <wdf.h>
 * and reports whether the stub bound WdfDriverGlobals; it calls no other Framework routine.
 */
#include <ntddk.h>
#include <initguid.h>
#ifdef TESTDRV_KMDF
#include <wdf.h>
#endif

#include "testdrvMof.h"
#include "trace.h"
#include "driver.tmh"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD TestDrvUnload;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, TestDrvUnload)
#endif

void TestDrvHelper(ULONG value); /* helper.c */

static const UCHAR test_bytes[] = {0x00, 0x11, 0xab, 0xff};
static const GUID test_guid = {0x5d3f8a61, 0x2b4c, 0x4e1f, {0x9a, 0x0d, 0x6c, 0x7b, 0x8e, 0x9f, 0x0a, 0x1b}};

void TestDrvUnload(PDRIVER_OBJECT DriverObject)
{
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! unloading");
    WPP_CLEANUP(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status = STATUS_SUCCESS;
    UNICODE_STRING name;

    WPP_INIT_TRACING(DriverObject, RegistryPath);

    RtlInitUnicodeString(&name, L"TestDrv");
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! starting %!STATUS! name=%wZ", status, &name);
    /* -fshort-wchar: L"TestDrv" must be 7 units of 2 bytes. */
    KdPrint(("testdrv: KdPrint says hello, wchar=%u len=%u %ws\n", (unsigned)sizeof(WCHAR), name.Length,
             L"wide"));
    TraceEvents(TRACE_LEVEL_ERROR, TRACE_DEVICE,
                "%!FUNC! simulated failure %!STATUS! flags=%!FLAGS! level=%!LEVEL!",
                STATUS_INSUFFICIENT_RESOURCES);
    TraceEvents(TRACE_LEVEL_VERBOSE, TRACE_QUEUE, "verbose bytes=%!HEXDUMP! guid=%!GUID! %!bool!",
                LOG_HEXDUMP(test_bytes, sizeof test_bytes), &test_guid, TRUE);
    Trace(TRACE_LEVEL_WARNING, "Trace with a fixed flag, %d%%", 42);
    FuncEntry(TRACE_QUEUE);
    DoTraceMessage(TRACE_DRIVER, "DoTraceMessage %s", "works");
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "mof size=%u guid=%!GUID!",
                (ULONG)TestDrvInformation_SIZE, &TestDrvInformation_GUID);
#ifdef TESTDRV_KMDF
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "kmdf globals bound=%!bool!",
                WdfDriverGlobals != NULL);
#endif
    TestDrvHelper(7);

    DriverObject->DriverUnload = TestDrvUnload;
    return status;
}
