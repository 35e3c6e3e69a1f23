/*
 * System buffers for buffered I/O: reads, writes and METHOD_BUFFERED IOCTLs reuse per-thread buffers
 * (no pool allocation in steady state), a driver never sees an earlier request's data, and writing
 * past the buffer is reported (SYSTEM_BUFFER_OVERRUN).
 */
#include "io_test.h"

#include <openwdf/pool.h>
#include <openwdf/user.h>

#define IOCTL_SYSBUF_ECHO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)

static BOOLEAN overrun_next;
static BOOLEAN saw_stale_bytes;

static NTSTATUS sysbuf_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    UNREFERENCED_PARAMETER(device);
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    ULONG_PTR info = 0;
    if (sl->MajorFunction == IRP_MJ_READ) {
        PUCHAR b = irp->AssociatedIrp.SystemBuffer;
        for (ULONG i = 0; i < sl->Parameters.Read.Length; i++) {
            if (b[i] != 0)
                saw_stale_bytes = TRUE;
            b[i] = (UCHAR)i;
        }
        if (overrun_next)
            b[sl->Parameters.Read.Length] = 0xee; /* one byte too far */
        info = sl->Parameters.Read.Length;
    } else if (sl->MajorFunction == IRP_MJ_WRITE) {
        info = sl->Parameters.Write.Length;
    } else if (sl->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        info = min(sl->Parameters.DeviceIoControl.InputBufferLength, sl->Parameters.DeviceIoControl.OutputBufferLength);
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static PDEVICE_OBJECT sysbuf_device;

static void sysbuf_unload(PDRIVER_OBJECT driver)
{
    UNREFERENCED_PARAMETER(driver);
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\SysBufTest");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(sysbuf_device);
}

static NTSTATUS sysbuf_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNREFERENCED_PARAMETER(registry_path);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\SysBufTest");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\SysBufTest");
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &sysbuf_device);
    if (!NT_SUCCESS(status))
        return status;
    sysbuf_device->Flags |= DO_BUFFERED_IO;
    sysbuf_device->Flags &= ~DO_DEVICE_INITIALIZING;
    IoCreateSymbolicLink(&link, &name);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = sysbuf_dispatch;
    driver->DriverUnload = sysbuf_unload;
    return STATUS_SUCCESS;
}

static PDRIVER_OBJECT driver;
static HANDLE handle;

static int setup(void **state)
{
    io_test_setup(state);
    overrun_next = saw_stale_bytes = FALSE;
    assert_int_equal(owdf_io_load_driver("SysBufTest", sysbuf_entry, NULL, &driver), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\\\.\\SysBufTest", GENERIC_READ | GENERIC_WRITE, 0, 0, &handle), STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_close(handle), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    return 0;
}

static void buffered_io_allocates_no_pool_in_steady_state(void **state)
{
    (void)state;
    UCHAR data[3000];
    ULONG bytes;
    memset(data, 0x5a, sizeof data);
    /* Warm up, then count pool blocks allocated across many requests of each size class. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(owdf_user_read(handle, data, sizeof data, NULL, &bytes), STATUS_SUCCESS);
    owdf_pool_mark mark = owdf_pool_mark_now();
    ULONG sizes[] = {1, 200, 1000, 3000};
    for (int round = 0; round < 200; round++) {
        ULONG n = sizes[round % 4];
        assert_int_equal(owdf_user_write(handle, data, n, NULL, &bytes), STATUS_SUCCESS);
        assert_int_equal(bytes, n);
        assert_int_equal(owdf_user_read(handle, data, n, NULL, &bytes), STATUS_SUCCESS);
        assert_int_equal(owdf_user_ioctl(handle, IOCTL_SYSBUF_ECHO, data, n, data, n, &bytes), STATUS_SUCCESS);
    }
    assert_int_equal(owdf_pool_snapshot(mark, NULL, 0), 0);
    assert_false(saw_stale_bytes);
    assert_int_equal(data[17], 17);
}

static void large_buffers_still_work(void **state)
{
    (void)state;
    static UCHAR big[64 * 1024];
    ULONG bytes;
    assert_int_equal(owdf_user_read(handle, big, sizeof big, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof big);
    assert_int_equal(big[1000], (UCHAR)1000);
    assert_false(saw_stale_bytes);
}

static void writing_past_the_buffer_is_reported(void **state)
{
    (void)state;
    UCHAR data[100];
    ULONG bytes;
    overrun_next = TRUE;
    assert_int_equal(owdf_user_read(handle, data, 50, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("SYSTEM_BUFFER_OVERRUN"), 1);
    assert_non_null(strstr(io_test_last_message("SYSTEM_BUFFER_OVERRUN"), "50-byte system buffer"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(buffered_io_allocates_no_pool_in_steady_state, setup, teardown),
        cmocka_unit_test_setup_teardown(large_buffers_still_work, setup, teardown),
        cmocka_unit_test_setup_teardown(writing_past_the_buffer_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests_name("io_sysbuf", tests, NULL, NULL);
}
