/* IRP cancellation: IoCancelIrp, the cancel spin lock, the routine's context, the dispatch-side race
 * protocol, SL_INVOKE_ON_CANCEL. */
#include "io_test.h"

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static PIRP held;
static int cancel_calls;
static KIRQL cancel_irql_seen;
static KIRQL cancel_cancel_irql;
static ULONG cancel_locks_seen;
static PDEVICE_OBJECT cancel_device_seen;
static PDRIVER_OBJECT cancel_current_seen;
static BOOLEAN cancel_flag_seen;

static DRIVER_CANCEL cancel_routine;
static void cancel_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    cancel_calls++;
    cancel_irql_seen = KeGetCurrentIrql();
    cancel_locks_seen = ke_spin_locks_held();
    cancel_cancel_irql = Irp->CancelIrql;
    cancel_device_seen = DeviceObject;
    cancel_current_seen = owdf_io_current_driver();
    cancel_flag_seen = Irp->Cancel;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    held = NULL;
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* Pends the IRP cancelably, with the race check a correct driver makes. */
static DRIVER_DISPATCH pend_cancelable;
static NTSTATUS pend_cancelable(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, cancel_routine);
    if (__atomic_load_n(&Irp->Cancel, __ATOMIC_ACQUIRE) && IoSetCancelRoutine(Irp, NULL) != NULL) {
        /* Cancelled before the routine was set, and the routine was not called: complete here. */
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_PENDING;
    }
    held = Irp;
    return STATUS_PENDING;
}

/* The normal completion of a held IRP: take the routine back first. */
static BOOLEAN complete_held(NTSTATUS status)
{
    PIRP irp = held;
    if (IoSetCancelRoutine(irp, NULL) == NULL)
        return FALSE; /* the cancel routine has it */
    held = NULL;
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return TRUE;
}

static int top_calls;
static NTSTATUS top_status;
static IO_COMPLETION_ROUTINE top_done;
static NTSTATUS top_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Context;
    top_calls++;
    top_status = Irp->IoStatus.Status;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static int setup(void **state)
{
    io_test_setup(state);
    driver = io_test_load("CancelTest");
    driver->MajorFunction[IRP_MJ_READ] = pend_cancelable;
    device = io_test_device(driver, 0);
    held = NULL;
    cancel_calls = top_calls = 0;
    top_status = STATUS_PENDING;
    cancel_device_seen = NULL;
    cancel_current_seen = NULL;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(ke_spin_locks_held(), 0);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    return 0;
}

static PIRP send_read(void)
{
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, top_done, NULL, TRUE, TRUE, TRUE);
    return irp;
}

static void cancel_without_routine_returns_false(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(1, FALSE);
    assert_false(irp->Cancel);
    assert_false(IoCancelIrp(irp));
    assert_true(irp->Cancel);
    assert_int_equal(ke_spin_locks_held(), 0);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

static void cancel_calls_the_routine_once_with_the_lock_held(void **state)
{
    (void)state;
    PIRP irp = send_read();
    assert_int_equal(IoCallDriver(device, irp), STATUS_PENDING);
    assert_ptr_equal(held, irp);
    assert_true(IoCancelIrp(irp));
    assert_int_equal(cancel_calls, 1);
    assert_int_equal(cancel_irql_seen, DISPATCH_LEVEL);
    assert_int_equal(cancel_cancel_irql, PASSIVE_LEVEL);
    assert_int_equal(cancel_locks_seen, 1);
    assert_ptr_equal(cancel_device_seen, device);
    assert_ptr_equal(cancel_current_seen, driver);
    assert_true(cancel_flag_seen);
    assert_null(owdf_io_current_driver());
    assert_int_equal(top_calls, 1);
    assert_int_equal(top_status, STATUS_CANCELLED);
    /* Once more: no routine any more. */
    assert_false(IoCancelIrp(irp));
    assert_int_equal(cancel_calls, 1);
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void completion_first_makes_cancel_a_no_op(void **state)
{
    (void)state;
    PIRP irp = send_read();
    assert_int_equal(IoCallDriver(device, irp), STATUS_PENDING);
    assert_true(complete_held(STATUS_SUCCESS));
    assert_int_equal(top_status, STATUS_SUCCESS);
    assert_false(IoCancelIrp(irp));
    assert_int_equal(cancel_calls, 0);
    IoFreeIrp(irp);
}

static void cancelled_before_dispatch_is_completed_by_the_driver(void **state)
{
    (void)state;
    PIRP irp = send_read();
    irp->Cancel = TRUE;
    assert_int_equal(IoCallDriver(device, irp), STATUS_PENDING);
    assert_int_equal(cancel_calls, 0);
    assert_int_equal(top_calls, 1);
    assert_int_equal(top_status, STATUS_CANCELLED);
    assert_null(held);
    IoFreeIrp(irp);
}

static void cancel_spin_lock_raises_and_restores(void **state)
{
    (void)state;
    KIRQL old;
    IoAcquireCancelSpinLock(&old);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_int_equal(ke_spin_locks_held(), 1);
    IoReleaseCancelSpinLock(old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(ke_spin_locks_held(), 0);
}

static void cancel_of_a_freed_irp_is_reported(void **state)
{
    (void)state;
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoFreeIrp(irp);
    assert_false(IoCancelIrp(irp));
    assert_int_equal(owdf_verifier_report_count("OB_NOT_AN_OBJECT"), 1);
}

static int invoke_on_cancel_calls;
static IO_COMPLETION_ROUTINE on_cancel_only;
static NTSTATUS on_cancel_only(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Context;
    invoke_on_cancel_calls++;
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

static void invoke_on_cancel_sees_cancelled_irps(void **state)
{
    (void)state;
    /* A filter above with a cancel-only routine. */
    PDRIVER_OBJECT filter_driver = io_test_load("CancelFilter");
    PDEVICE_OBJECT filter = io_test_device(filter_driver, 0);
    assert_non_null(IoAttachDeviceToDeviceStack(filter, device));
    invoke_on_cancel_calls = 0;
    PIRP irp = IoAllocateIrp(filter->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, top_done, NULL, TRUE, TRUE, TRUE);
    /* The filter's dispatch, done by hand: enter its location and forward with the routine. */
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = filter;
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, on_cancel_only, NULL, FALSE, FALSE, TRUE);
    assert_int_equal(IoCallDriver(device, irp), STATUS_PENDING);
    assert_true(IoCancelIrp(irp));
    assert_int_equal(invoke_on_cancel_calls, 1);
    assert_int_equal(top_status, STATUS_CANCELLED);
    IoFreeIrp(irp);
    IoDetachDevice(device);
    IoDeleteDevice(filter);
    assert_int_equal(owdf_io_unload_driver(filter_driver), STATUS_SUCCESS);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(cancel_without_routine_returns_false),  T(cancel_calls_the_routine_once_with_the_lock_held),
        T(completion_first_makes_cancel_a_no_op), T(cancelled_before_dispatch_is_completed_by_the_driver),
        T(cancel_spin_lock_raises_and_restores),  T(cancel_of_a_freed_irp_is_reported),
        T(invoke_on_cancel_sees_cancelled_irps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
