/* Buffer handling: IoBuildDeviceIoControlRequest for each METHOD (with copy-back),
 * IoBuildSynchronous/AsynchronousFsdRequest for buffered, direct and neither devices,
 * IoForwardIrpSynchronously, IoIsOperationSynchronous. */
#include "io_test.h"

#define IOCTL_BUF CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IN CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_IN_DIRECT, FILE_READ_ACCESS)
#define IOCTL_OUT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_OUT_DIRECT, FILE_WRITE_ACCESS)
#define IOCTL_NEITHER CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS)

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT buffered, direct, neither;
static size_t pool_at_start;

static struct seen {
    PVOID system_buffer;
    PMDL mdl;
    PVOID user_buffer;
    PVOID type3;
    ULONG in_length, out_length, length;
    LARGE_INTEGER offset;
    ULONG flags;
    UCHAR major;
} seen;
static ULONG_PTR force_information; /* when non-zero: the Information the driver reports */
static NTSTATUS force_status;

/* IOCTLs: output byte i = input byte i + 1 (over min(in, out)); READ fills 'r', WRITE checks. */
static DRIVER_DISPATCH dispatch;
static NTSTATUS dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    memset(&seen, 0, sizeof seen);
    seen.system_buffer = Irp->AssociatedIrp.SystemBuffer;
    seen.mdl = Irp->MdlAddress;
    seen.user_buffer = Irp->UserBuffer;
    seen.flags = Irp->Flags;
    seen.major = sp->MajorFunction;
    ULONG_PTR info = 0;
    if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL || sp->MajorFunction == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
        ULONG in = sp->Parameters.DeviceIoControl.InputBufferLength;
        ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
        seen.in_length = in;
        seen.out_length = out;
        seen.type3 = sp->Parameters.DeviceIoControl.Type3InputBuffer;
        PUCHAR input = NULL, output = NULL;
        switch (METHOD_FROM_CTL_CODE(sp->Parameters.DeviceIoControl.IoControlCode)) {
        case METHOD_BUFFERED:
            input = output = Irp->AssociatedIrp.SystemBuffer;
            break;
        case METHOD_IN_DIRECT:
        case METHOD_OUT_DIRECT:
            input = Irp->AssociatedIrp.SystemBuffer;
            output =
                Irp->MdlAddress ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority) : NULL;
            break;
        default:
            input = sp->Parameters.DeviceIoControl.Type3InputBuffer;
            output = Irp->UserBuffer;
            break;
        }
        ULONG n = in < out ? in : out;
        UCHAR tmp[256];
        if (n != 0)
            memcpy(tmp, input, n);
        for (ULONG i = 0; i < n; i++)
            output[i] = (UCHAR)(tmp[i] + 1);
        info = n;
    } else if (sp->MajorFunction == IRP_MJ_READ || sp->MajorFunction == IRP_MJ_WRITE) {
        ULONG length = sp->Parameters.Read.Length;
        seen.length = length;
        seen.offset = sp->Parameters.Read.ByteOffset;
        PUCHAR data = Irp->AssociatedIrp.SystemBuffer;
        if (DeviceObject->Flags & DO_DIRECT_IO)
            data = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
        else if (!(DeviceObject->Flags & DO_BUFFERED_IO))
            data = Irp->UserBuffer;
        if (sp->MajorFunction == IRP_MJ_READ)
            memset(data, 'r', length);
        else
            assert_int_equal(data[0], 'w');
        info = length;
    }
    Irp->IoStatus.Status = force_status;
    Irp->IoStatus.Information = force_information ? force_information : info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return force_status;
}

static int setup(void **state)
{
    io_test_setup(state);
    pool_at_start = owdf_pool_outstanding(0);
    driver = io_test_load("BufTest");
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = dispatch;
    buffered = io_test_device(driver, 0);
    buffered->Flags |= DO_BUFFERED_IO;
    direct = io_test_device(driver, 0);
    direct->Flags |= DO_DIRECT_IO;
    neither = io_test_device(driver, 0);
    force_information = 0;
    force_status = STATUS_SUCCESS;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    IoDeleteDevice(buffered);
    IoDeleteDevice(direct);
    IoDeleteDevice(neither);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_pool_outstanding(0), pool_at_start);
    return 0;
}

static NTSTATUS send_ioctl(PDEVICE_OBJECT device, ULONG code, PVOID in, ULONG in_length, PVOID out,
                           ULONG out_length, IO_STATUS_BLOCK *iosb)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    iosb->Status = STATUS_PENDING;
    iosb->Information = 12345;
    PIRP irp =
        IoBuildDeviceIoControlRequest(code, device, in, in_length, out, out_length, FALSE, &event, iosb);
    assert_non_null(irp);
    assert_int_equal(IoGetNextIrpStackLocation(irp)->MajorFunction, IRP_MJ_DEVICE_CONTROL);
    assert_true(IoIsOperationSynchronous(irp));
    NTSTATUS status = IoCallDriver(device, irp);
    assert_int_equal(KeReadStateEvent(&event), 1);
    assert_int_equal(iosb->Status, status);
    return status;
}

static void ioctl_method_buffered_copies_in_and_back(void **state)
{
    (void)state;
    UCHAR in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    UCHAR out[16];
    memset(out, 0xee, sizeof out);
    IO_STATUS_BLOCK iosb;
    assert_int_equal(send_ioctl(neither, IOCTL_BUF, in, sizeof in, out, sizeof out, &iosb), STATUS_SUCCESS);
    assert_non_null(seen.system_buffer);
    assert_ptr_not_equal(seen.system_buffer, in);
    assert_ptr_not_equal(seen.system_buffer, out);
    assert_null(seen.mdl);
    assert_ptr_equal(seen.user_buffer, out);
    assert_int_equal(seen.in_length, 8);
    assert_int_equal(seen.out_length, 16);
    assert_true(seen.flags & IRP_BUFFERED_IO);
    assert_int_equal(iosb.Information, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(out[i], in[i] + 1);
    assert_int_equal(out[8], 0xee); /* only Information bytes come back */

    /* Input only and output only. */
    assert_int_equal(send_ioctl(neither, IOCTL_BUF, in, sizeof in, NULL, 0, &iosb), STATUS_SUCCESS);
    assert_non_null(seen.system_buffer);
    assert_int_equal(iosb.Information, 0);
    assert_int_equal(send_ioctl(neither, IOCTL_BUF, NULL, 0, NULL, 0, &iosb), STATUS_SUCCESS);
    assert_null(seen.system_buffer);
}

static void ioctl_error_status_copies_nothing_but_warning_does(void **state)
{
    (void)state;
    UCHAR in[4] = {9, 9, 9, 9};
    UCHAR out[4] = {0, 0, 0, 0};
    IO_STATUS_BLOCK iosb;
    force_status = STATUS_INVALID_PARAMETER;
    assert_int_equal(send_ioctl(neither, IOCTL_BUF, in, 4, out, 4, &iosb), STATUS_INVALID_PARAMETER);
    assert_int_equal(out[0], 0);
    force_status = STATUS_BUFFER_OVERFLOW;
    assert_int_equal(send_ioctl(neither, IOCTL_BUF, in, 4, out, 4, &iosb), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(out[0], 10);
}

static void ioctl_information_beyond_buffer_is_cut_and_reported(void **state)
{
    (void)state;
    UCHAR in[4] = {1, 1, 1, 1};
    UCHAR out[6] = {0};
    UCHAR canary[8];
    memset(canary, 0x5a, sizeof canary);
    IO_STATUS_BLOCK iosb;
    force_information = 64;
    assert_int_equal(send_ioctl(neither, IOCTL_BUF, in, 4, out, sizeof out, &iosb), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("IRP_INFO_EXCEEDS_BUFFER"), 1);
    assert_int_equal(iosb.Information, 64); /* what the driver said */
    assert_int_equal(out[0], 2);
    assert_int_equal(canary[0], 0x5a);
}

static void ioctl_direct_methods_use_an_mdl_for_output(void **state)
{
    (void)state;
    UCHAR in[4] = {10, 20, 30, 40};
    UCHAR out[4] = {0};
    IO_STATUS_BLOCK iosb;
    assert_int_equal(send_ioctl(neither, IOCTL_IN, in, 4, out, 4, &iosb), STATUS_SUCCESS);
    assert_non_null(seen.system_buffer);
    assert_non_null(seen.mdl);
    assert_int_equal(out[3], 41); /* written in place through the MDL */
    assert_int_equal(iosb.Information, 4);

    memset(out, 0, sizeof out);
    assert_int_equal(send_ioctl(neither, IOCTL_OUT, in, 4, out, 4, &iosb), STATUS_SUCCESS);
    assert_non_null(seen.mdl);
    assert_int_equal(out[0], 11);

    /* Output only: no system buffer. */
    assert_int_equal(send_ioctl(neither, IOCTL_OUT, NULL, 0, out, 4, &iosb), STATUS_SUCCESS);
    assert_null(seen.system_buffer);
    assert_non_null(seen.mdl);
}

static void ioctl_method_neither_passes_the_callers_pointers(void **state)
{
    (void)state;
    UCHAR in[3] = {5, 6, 7};
    UCHAR out[3] = {0};
    IO_STATUS_BLOCK iosb;
    assert_int_equal(send_ioctl(neither, IOCTL_NEITHER, in, 3, out, 3, &iosb), STATUS_SUCCESS);
    assert_ptr_equal(seen.type3, in);
    assert_ptr_equal(seen.user_buffer, out);
    assert_null(seen.system_buffer);
    assert_null(seen.mdl);
    assert_int_equal(out[2], 8);
}

static void ioctl_bad_buffers_and_internal_flag(void **state)
{
    (void)state;
    IO_STATUS_BLOCK iosb;
    assert_null(IoBuildDeviceIoControlRequest(IOCTL_BUF, neither, NULL, 4, NULL, 0, FALSE, NULL, &iosb));
    assert_null(IoBuildDeviceIoControlRequest(IOCTL_OUT, neither, NULL, 0, NULL, 4, FALSE, NULL, &iosb));
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_NEITHER, neither, NULL, 0, NULL, 0, TRUE, NULL, &iosb);
    assert_non_null(irp);
    assert_int_equal(IoGetNextIrpStackLocation(irp)->MajorFunction, IRP_MJ_INTERNAL_DEVICE_CONTROL);
    assert_int_equal(IoGetNextIrpStackLocation(irp)->Parameters.DeviceIoControl.IoControlCode, IOCTL_NEITHER);
    assert_int_equal(IoCallDriver(neither, irp), STATUS_SUCCESS);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
}

static NTSTATUS sync_fsd(ULONG major, PDEVICE_OBJECT device, PVOID buffer, ULONG length, LONGLONG offset,
                         IO_STATUS_BLOCK *iosb)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    LARGE_INTEGER start;
    start.QuadPart = offset;
    PIRP irp = IoBuildSynchronousFsdRequest(major, device, buffer, length, &start, &event, iosb);
    assert_non_null(irp);
    NTSTATUS status = IoCallDriver(device, irp);
    assert_int_equal(KeReadStateEvent(&event), 1);
    return status;
}

static void fsd_read_write_per_device_flavour(void **state)
{
    (void)state;
    UCHAR data[32];
    IO_STATUS_BLOCK iosb;
    /* Buffered. */
    memset(data, 0, sizeof data);
    assert_int_equal(sync_fsd(IRP_MJ_READ, buffered, data, 10, 4096, &iosb), STATUS_SUCCESS);
    assert_non_null(seen.system_buffer);
    assert_ptr_not_equal(seen.system_buffer, data);
    assert_true(seen.flags & IRP_INPUT_OPERATION);
    assert_int_equal(seen.length, 10);
    assert_int_equal(seen.offset.QuadPart, 4096);
    assert_int_equal(iosb.Information, 10);
    assert_int_equal(data[9], 'r');
    assert_int_equal(data[10], 0);
    memset(data, 'w', sizeof data);
    assert_int_equal(sync_fsd(IRP_MJ_WRITE, buffered, data, 16, 0, &iosb), STATUS_SUCCESS);
    assert_false(seen.flags & IRP_INPUT_OPERATION);
    /* Direct. */
    memset(data, 0, sizeof data);
    assert_int_equal(sync_fsd(IRP_MJ_READ, direct, data, 12, 0, &iosb), STATUS_SUCCESS);
    assert_null(seen.system_buffer);
    assert_non_null(seen.mdl);
    assert_int_equal(data[11], 'r');
    memset(data, 'w', sizeof data);
    assert_int_equal(sync_fsd(IRP_MJ_WRITE, direct, data, 12, 0, &iosb), STATUS_SUCCESS);
    /* Neither. */
    memset(data, 0, sizeof data);
    assert_int_equal(sync_fsd(IRP_MJ_READ, neither, data, 5, 0, &iosb), STATUS_SUCCESS);
    assert_ptr_equal(seen.user_buffer, data);
    assert_null(seen.system_buffer);
    assert_null(seen.mdl);
    assert_int_equal(data[4], 'r');
    /* Flush and shutdown carry no buffer. */
    assert_int_equal(sync_fsd(IRP_MJ_FLUSH_BUFFERS, buffered, NULL, 0, 0, &iosb), STATUS_SUCCESS);
    assert_int_equal(seen.major, IRP_MJ_FLUSH_BUFFERS);
    assert_int_equal(sync_fsd(IRP_MJ_SHUTDOWN, buffered, NULL, 0, 0, &iosb), STATUS_SUCCESS);
}

static void fsd_invalid_requests_return_null(void **state)
{
    (void)state;
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    assert_null(IoBuildSynchronousFsdRequest(IRP_MJ_DEVICE_CONTROL, buffered, NULL, 0, NULL, &event, &iosb));
    assert_null(IoBuildSynchronousFsdRequest(IRP_MJ_POWER, buffered, NULL, 0, NULL, &event, &iosb));
    assert_null(IoBuildAsynchronousFsdRequest(IRP_MJ_CREATE, buffered, NULL, 0, NULL, &iosb));
    assert_null(IoBuildSynchronousFsdRequest(IRP_MJ_READ, buffered, NULL, 8, NULL, &event, &iosb));
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_POWER, buffered, NULL, 0, NULL, &iosb);
    assert_non_null(irp);
    assert_false(IoIsOperationSynchronous(irp));
    IoFreeIrp(irp);
}

static IO_COMPLETION_ROUTINE async_done;
static int async_done_calls;
static NTSTATUS async_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Context;
    async_done_calls++;
    /* The usual pattern: free what the IRP describes, free the IRP, keep the I/O manager away. */
    if (Irp->MdlAddress != NULL) {
        MmUnlockPages(Irp->MdlAddress);
        IoFreeMdl(Irp->MdlAddress);
        Irp->MdlAddress = NULL;
    }
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void async_fsd_freed_by_its_completion_routine(void **state)
{
    (void)state;
    UCHAR data[8];
    IO_STATUS_BLOCK iosb = {{STATUS_PENDING}, 0};
    async_done_calls = 0;
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, buffered, data, sizeof data, NULL, &iosb);
    IoSetCompletionRoutine(irp, async_done, NULL, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(buffered, irp), STATUS_SUCCESS);
    assert_int_equal(async_done_calls, 1);
    assert_int_equal(iosb.Status, STATUS_PENDING); /* the routine kept the I/O manager out */
    irp = IoBuildAsynchronousFsdRequest(IRP_MJ_WRITE, direct, data, sizeof data, NULL, &iosb);
    memset(data, 'w', sizeof data);
    IoSetCompletionRoutine(irp, async_done, NULL, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(direct, irp), STATUS_SUCCESS);
    assert_int_equal(async_done_calls, 2);

    /* Without a routine the I/O manager finishes it: IOSB set, buffers and IRP freed. */
    irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, buffered, data, sizeof data, NULL, &iosb);
    assert_int_equal(IoCallDriver(buffered, irp), STATUS_SUCCESS);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(iosb.Information, sizeof data);
    assert_int_equal(data[7], 'r');
}

/* A filter that forwards synchronously, then completes with the lower status. */
static PDEVICE_OBJECT filter_lower;
static BOOLEAN forwarded;
static DRIVER_DISPATCH filter_dispatch;
static NTSTATUS filter_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    forwarded = IoForwardIrpSynchronously(filter_lower, Irp);
    NTSTATUS status = Irp->IoStatus.Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static void forward_irp_synchronously(void **state)
{
    (void)state;
    PDRIVER_OBJECT filter_driver = io_test_load("BufFilter");
    filter_driver->MajorFunction[IRP_MJ_READ] = filter_dispatch;
    PDEVICE_OBJECT filter = io_test_device(filter_driver, 0);
    filter_lower = IoAttachDeviceToDeviceStack(filter, neither);
    assert_ptr_equal(filter_lower, neither);
    UCHAR data[4];
    IO_STATUS_BLOCK iosb;
    forwarded = FALSE;
    assert_int_equal(sync_fsd(IRP_MJ_READ, filter, data, 4, 0, &iosb), STATUS_SUCCESS);
    assert_true(forwarded);
    assert_int_equal(data[3], 'r');
    assert_int_equal(iosb.Information, 4);
    /* No room below: refused, the filter completes it itself. */
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    assert_false(IoForwardIrpSynchronously(neither, irp));
    IoFreeIrp(irp);
    IoDetachDevice(neither);
    IoDeleteDevice(filter);
    assert_int_equal(owdf_io_unload_driver(filter_driver), STATUS_SUCCESS);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ioctl_method_buffered_copies_in_and_back),
        T(ioctl_error_status_copies_nothing_but_warning_does),
        T(ioctl_information_beyond_buffer_is_cut_and_reported),
        T(ioctl_direct_methods_use_an_mdl_for_output),
        T(ioctl_method_neither_passes_the_callers_pointers),
        T(ioctl_bad_buffers_and_internal_flag),
        T(fsd_read_write_per_device_flavour),
        T(fsd_invalid_requests_return_null),
        T(async_fsd_freed_by_its_completion_routine),
        T(forward_irp_synchronously),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
