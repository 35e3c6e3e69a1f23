/* IRPs: allocation and the per-thread cache, stack locations, IoCallDriver, free/reuse errors. */
#include "io_test.h"

static PDRIVER_OBJECT driver, lower_driver;
static PDEVICE_OBJECT upper, lower;

/* What the lower driver saw. */
static PIO_STACK_LOCATION seen_sp;
static PDEVICE_OBJECT seen_device;
static CHAR seen_location;
static PDRIVER_OBJECT seen_current;
static owdf_dbg_log *seen_log;
static ULONG seen_length;
static UCHAR seen_control;
static PIO_COMPLETION_ROUTINE seen_routine;

static DRIVER_DISPATCH lower_complete;
static NTSTATUS lower_complete(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    seen_sp = IoGetCurrentIrpStackLocation(Irp);
    seen_device = seen_sp->DeviceObject;
    seen_location = Irp->CurrentLocation;
    seen_current = owdf_io_current_driver();
    seen_log = owdf_dbg_log_current();
    seen_length = seen_sp->Parameters.Read.Length;
    seen_control = seen_sp->Control;
    seen_routine = seen_sp->CompletionRoutine;
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 7;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static DRIVER_DISPATCH upper_skip;
static NTSTATUS upper_skip(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(lower, Irp);
}

static NTSTATUS upper_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    (void)Context;
    return STATUS_SUCCESS;
}

static DRIVER_DISPATCH upper_copy;
static NTSTATUS upper_copy(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    /* The current location carries the originator's SL_INVOKE_ON_* bits: they must not be copied. */
    IoCopyCurrentIrpStackLocationToNext(Irp);
    return IoCallDriver(lower, Irp);
}

static DRIVER_DISPATCH upper_with_routine;
static NTSTATUS upper_with_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, upper_done, NULL, TRUE, FALSE, TRUE);
    return IoCallDriver(lower, Irp);
}

static int setup(void **state)
{
    io_test_setup(state);
    driver = io_test_load("IrpUpper");
    driver->MajorFunction[IRP_MJ_READ] = upper_skip;
    driver->MajorFunction[IRP_MJ_WRITE] = upper_copy;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = upper_with_routine;
    lower_driver = io_test_load("IrpLower");
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        lower_driver->MajorFunction[i] = lower_complete;
    lower = io_test_device(lower_driver, 0);
    upper = io_test_device(driver, 0);
    assert_ptr_equal(IoAttachDeviceToDeviceStack(upper, lower), lower);
    seen_sp = NULL;
    seen_device = NULL;
    seen_location = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    IoDetachDevice(lower);
    IoDeleteDevice(upper);
    IoDeleteDevice(lower);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(lower_driver), STATUS_SUCCESS);
    return 0;
}

static void allocate_initializes_like_windows(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(3, FALSE);
    assert_non_null(irp);
    assert_int_equal(irp->Type, IO_TYPE_IRP);
    assert_int_equal(irp->Size, IoSizeOfIrp(3));
    assert_int_equal(irp->StackCount, 3);
    assert_int_equal(irp->CurrentLocation, 4);
    assert_int_equal((ULONG_PTR)irp & 15, 0);
    PIO_STACK_LOCATION first = (PIO_STACK_LOCATION)(irp + 1);
    assert_ptr_equal(IoGetCurrentIrpStackLocation(irp), first + 3);
    assert_ptr_equal(IoGetNextIrpStackLocation(irp), first + 2);
    assert_null(irp->MdlAddress);
    assert_null(irp->AssociatedIrp.SystemBuffer);
    assert_null(irp->CancelRoutine);
    assert_false(irp->Cancel);
    assert_false(irp->PendingReturned);
    assert_int_equal(irp->IoStatus.Status, 0);
    assert_ptr_equal(irp->ThreadListEntry.Flink, &irp->ThreadListEntry);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(first[i].MajorFunction, 0);
        assert_null(first[i].CompletionRoutine);
        assert_null(first[i].DeviceObject);
    }
    assert_true(irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE);
    IoFreeIrp(irp);
}

static void freed_irps_are_cached_per_thread(void **state)
{
    (void)state;
    PIRP a = IoAllocateIrp(2, FALSE);
    IoFreeIrp(a);
    io_irp_cache_stats before, after;
    io_irp_cache_get_stats(&before);
    PIRP b = IoAllocateIrp(2, FALSE);
    assert_ptr_equal(b, a);
    b->IoStatus.Status = STATUS_CANCELLED; /* dirty it: the next allocation must be clean */
    b->Cancel = TRUE;
    IoFreeIrp(b);
    PIRP c = IoAllocateIrp(2, FALSE);
    assert_ptr_equal(c, a);
    assert_int_equal(c->IoStatus.Status, 0);
    assert_false(c->Cancel);
    IoFreeIrp(c);
    io_irp_cache_get_stats(&after);
    assert_int_equal(after.pool_allocs, before.pool_allocs);
    assert_true(after.thread_cached >= 1);
    /* Another stack count is another list. */
    PIRP d = IoAllocateIrp(5, FALSE);
    assert_ptr_not_equal(d, a);
    IoFreeIrp(d);
}

static void large_and_invalid_stack_sizes(void **state)
{
    (void)state;
    PIRP big = IoAllocateIrp(40, FALSE);
    assert_non_null(big);
    assert_int_equal(big->StackCount, 40);
    assert_int_equal(big->CurrentLocation, 41);
    IoFreeIrp(big);
    assert_null(IoAllocateIrp(-1, FALSE));
    PIRP none = IoAllocateIrpEx(NULL, 0, FALSE);
    assert_non_null(none);
    assert_int_equal(none->CurrentLocation, 1);
    IoFreeIrp(none);
}

static void call_driver_moves_to_next_location(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(lower->StackSize, FALSE);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
    BOOLEAN done = FALSE;
    IoSetCompletionRoutine(irp, io_test_top_done, &done, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(lower, irp), STATUS_SUCCESS);
    assert_true(done);
    assert_ptr_equal(seen_sp, next);
    assert_ptr_equal(seen_device, lower);
    assert_int_equal(seen_location, 1);
    assert_ptr_equal(seen_current, lower_driver);
    assert_ptr_equal(seen_log, owdf_io_driver_log(lower_driver));
    assert_null(owdf_io_current_driver());
    /* The walk consumed the location: back at the top, completion routine cleared. */
    assert_int_equal(irp->CurrentLocation, 2);
    assert_null(next->CompletionRoutine);
    assert_int_equal(irp->IoStatus.Information, 7);
    IoFreeIrp(irp);
}

static void copy_clears_control_and_routine(void **state)
{
    (void)state;
    PIRP irp;
    PIO_STACK_LOCATION top;
    BOOLEAN done;
    /* Copy: the lower driver sees the parameters, not the upper's Control nor a completion routine. */
    irp = IoAllocateIrp(upper->StackSize, FALSE);
    top = IoGetNextIrpStackLocation(irp);
    top->MajorFunction = IRP_MJ_WRITE;
    top->Parameters.Write.Length = 55;
    done = FALSE;
    IoSetCompletionRoutine(irp, io_test_top_done, &done, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(upper, irp), STATUS_SUCCESS);
    assert_true(done);
    assert_ptr_equal(seen_sp, top - 1);
    assert_int_equal(seen_length, 55);
    assert_int_equal(seen_control, 0);
    assert_null(seen_routine);
    assert_ptr_equal(seen_device, lower);
    IoFreeIrp(irp);
}

static void skip_passes_the_same_location_down(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(upper->StackSize, FALSE);
    PIO_STACK_LOCATION top = IoGetNextIrpStackLocation(irp);
    top->MajorFunction = IRP_MJ_READ;
    top->Parameters.Read.Length = 99;
    BOOLEAN done = FALSE;
    IoSetCompletionRoutine(irp, io_test_top_done, &done, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(upper, irp), STATUS_SUCCESS);
    assert_true(done);
    assert_ptr_equal(seen_sp, top);
    assert_ptr_equal(seen_device, lower);
    assert_int_equal(seen_length, 99);
    assert_int_equal(seen_location, 2);
    IoFreeIrp(irp);
}

static void stack_overflow_reports_and_leaves_the_irp(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(0, FALSE);
    assert_int_equal(IoCallDriver(lower, irp), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_verifier_report_count("IRP_STACK_OVERFLOW"), 1);
    assert_int_equal(irp->CurrentLocation, 1);
    IoFreeIrp(irp);
}

static void invalid_major_function_reports(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = 0x40;
    BOOLEAN done = FALSE;
    IoSetCompletionRoutine(irp, io_test_top_done, &done, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(lower, irp), STATUS_INVALID_DEVICE_REQUEST);
    assert_true(done);
    assert_int_equal(owdf_verifier_report_count("IRP_INVALID_MAJOR_FUNCTION"), 1);
    IoFreeIrp(irp);
}

static DRIVER_CANCEL never_called_cancel;
static void never_called_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    (void)Irp;
    fail();
}

static void free_errors_report(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoFreeIrp(irp);
    IoFreeIrp(irp); /* the memory sits in the cache: the check is safe */
    assert_int_equal(owdf_verifier_report_count("IRP_FREE_INVALID"), 1);

    _Alignas(16) unsigned char memory[512];
    PIRP own = (PIRP)memory;
    IoInitializeIrp(own, IoSizeOfIrp(2), 2);
    assert_int_equal(own->Type, IO_TYPE_IRP);
    assert_int_equal(own->CurrentLocation, 3);
    assert_ptr_equal(IoGetCurrentIrpStackLocation(own), (PIO_STACK_LOCATION)(own + 1) + 2);
    IoFreeIrp(own);
    assert_int_equal(owdf_verifier_report_count("IRP_FREE_INVALID"), 2);
    assert_non_null(strstr(io_test_last_message("IRP_FREE_INVALID"), "not allocated by IoAllocateIrp"));

    irp = IoAllocateIrp(1, FALSE);
    IoSetCancelRoutine(irp, never_called_cancel);
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count("IRP_FREE_IN_USE"), 1);
    IoSetCancelRoutine(irp, NULL);
    IoFreeIrp(irp);
    IoFreeIrp(NULL);
    assert_int_equal(owdf_verifier_report_count("IRP_FREE_INVALID"), 3);
}

static void reuse_resets_but_keeps_allocation(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(2, FALSE);
    UCHAR flags = irp->AllocationFlags;
    irp->Cancel = TRUE;
    irp->IoStatus.Information = 5;
    IoSetNextIrpStackLocation(irp);
    IoReuseIrp(irp, STATUS_NOT_SUPPORTED);
    assert_int_equal(irp->IoStatus.Status, STATUS_NOT_SUPPORTED);
    assert_int_equal(irp->IoStatus.Information, 0);
    assert_false(irp->Cancel);
    assert_int_equal(irp->CurrentLocation, 3);
    assert_int_equal(irp->AllocationFlags, flags);
    IoFreeIrp(irp); /* still freeable: the allocation state survived */
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static DRIVER_DISPATCH leaves_irql_raised;
static NTSTATUS leaves_irql_raised(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return lower_complete(DeviceObject, Irp);
}

static void dispatch_returning_at_raised_irql_is_reported(void **state)
{
    (void)state;
    lower_driver->MajorFunction[IRP_MJ_SHUTDOWN] = leaves_irql_raised;
    assert_int_equal(io_test_send(lower, IRP_MJ_SHUTDOWN, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("IRQL_NOT_RESTORED"), 1);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(allocate_initializes_like_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(freed_irps_are_cached_per_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(large_and_invalid_stack_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(call_driver_moves_to_next_location, setup, teardown),
        cmocka_unit_test_setup_teardown(copy_clears_control_and_routine, setup, teardown),
        cmocka_unit_test_setup_teardown(skip_passes_the_same_location_down, setup, teardown),
        cmocka_unit_test_setup_teardown(stack_overflow_reports_and_leaves_the_irp, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_major_function_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(free_errors_report, setup, teardown),
        cmocka_unit_test_setup_teardown(reuse_resets_but_keeps_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(dispatch_returning_at_raised_irql_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
