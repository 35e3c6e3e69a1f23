/*
 * plain.c - a KMDF-style driver without WPP, built by tests/tools/openwdf_cc_test.sh with the flags
 * `pkg-config openwdf-driver` prints (no openwdf-cc), to show those flags are enough.
 */
#include <ntddk.h>
#include <wdf.h>

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    C_ASSERT(sizeof(WCHAR) == 2 && sizeof(ULONG) == 4 && sizeof(ULONG_PTR) == sizeof(void *));
    KdPrint(("plain: %ws bound=%d\n", L"hello", WdfDriverGlobals != NULL));
    return STATUS_SUCCESS;
}
