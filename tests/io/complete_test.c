/* IoCompleteRequest: completion routine order and arguments, InvokeOn* filtering, PendingReturned,
 * STATUS_MORE_PROCESSING_REQUIRED, re-completion, the verifier's completion checks, associated IRPs. */
#include "io_test.h"

/* A three-level stack top -> middle -> bottom, one driver per level. */
static PDRIVER_OBJECT top_driver, mid_driver, bottom_driver;
static PDEVICE_OBJECT top, mid, bottom;

enum forward_mode { FORWARD_ROUTINE, FORWARD_SKIP, FORWARD_COPY_NO_ROUTINE };
static enum forward_mode top_mode, mid_mode;
static BOOLEAN routine_on_success, routine_on_error, routine_on_cancel;
static NTSTATUS mid_routine_result;
static BOOLEAN mid_routine_marks_pending;
static BOOLEAN bottom_pends;
static PIRP pended;
static NTSTATUS bottom_status;

#define MAX_CALLS 16
static struct call {
    const char *who;
    PDEVICE_OBJECT device;
    BOOLEAN pending_returned;
    PDRIVER_OBJECT current;
} calls[MAX_CALLS];
static int ncalls;

static void record(const char *who, PDEVICE_OBJECT device, PIRP irp)
{
    assert_true(ncalls < MAX_CALLS);
    calls[ncalls].who = who;
    calls[ncalls].device = device;
    calls[ncalls].pending_returned = irp->PendingReturned;
    calls[ncalls].current = owdf_io_current_driver();
    ncalls++;
}

static IO_COMPLETION_ROUTINE top_routine;
static NTSTATUS top_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)Context;
    record("top", DeviceObject, Irp);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

static IO_COMPLETION_ROUTINE mid_routine;
static NTSTATUS mid_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)Context;
    record("mid", DeviceObject, Irp);
    if (mid_routine_marks_pending && Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return mid_routine_result;
}

static IO_COMPLETION_ROUTINE originator_routine;
static NTSTATUS originator_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)Context;
    record("originator", DeviceObject, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS forward(PIRP irp, enum forward_mode mode, PDEVICE_OBJECT to, PIO_COMPLETION_ROUTINE routine)
{
    switch (mode) {
    case FORWARD_ROUTINE:
        IoCopyCurrentIrpStackLocationToNext(irp);
        IoSetCompletionRoutine(irp, routine, NULL, routine_on_success, routine_on_error, routine_on_cancel);
        break;
    case FORWARD_SKIP:
        IoSkipCurrentIrpStackLocation(irp);
        break;
    case FORWARD_COPY_NO_ROUTINE:
        IoCopyCurrentIrpStackLocationToNext(irp);
        break;
    }
    return IoCallDriver(to, irp);
}

static DRIVER_DISPATCH top_dispatch, mid_dispatch, bottom_dispatch;
static NTSTATUS top_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    return forward(Irp, top_mode, mid, top_routine);
}

static NTSTATUS mid_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    return forward(Irp, mid_mode, bottom, mid_routine);
}

static NTSTATUS bottom_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    record("bottom", DeviceObject, Irp);
    if (bottom_pends) {
        IoMarkIrpPending(Irp);
        pended = Irp;
        return STATUS_PENDING;
    }
    Irp->IoStatus.Status = bottom_status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return bottom_status;
}

static PDRIVER_OBJECT load_with(const char *name, PDRIVER_DISPATCH dispatch)
{
    PDRIVER_OBJECT driver = io_test_load(name);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = dispatch;
    return driver;
}

static int setup(void **state)
{
    io_test_setup(state);
    top_driver = load_with("Top", top_dispatch);
    mid_driver = load_with("Mid", mid_dispatch);
    bottom_driver = load_with("Bottom", bottom_dispatch);
    bottom = io_test_device(bottom_driver, 0);
    mid = io_test_device(mid_driver, 0);
    top = io_test_device(top_driver, 0);
    IoAttachDeviceToDeviceStack(mid, bottom);
    IoAttachDeviceToDeviceStack(top, bottom);
    top_mode = mid_mode = FORWARD_ROUTINE;
    routine_on_success = routine_on_error = routine_on_cancel = TRUE;
    mid_routine_result = STATUS_SUCCESS;
    mid_routine_marks_pending = TRUE;
    bottom_pends = FALSE;
    bottom_status = STATUS_SUCCESS;
    pended = NULL;
    ncalls = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    IoDetachDevice(mid);
    IoDetachDevice(bottom);
    IoDeleteDevice(top);
    IoDeleteDevice(mid);
    IoDeleteDevice(bottom);
    assert_int_equal(owdf_io_unload_driver(top_driver), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(mid_driver), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(bottom_driver), STATUS_SUCCESS);
    return 0;
}

static PIRP new_irp(void)
{
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    assert_non_null(irp);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, originator_routine, NULL, TRUE, TRUE, TRUE);
    return irp;
}

static void routines_run_bottom_up_with_the_setters_device(void **state)
{
    (void)state;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 4);
    assert_string_equal(calls[0].who, "bottom");
    assert_ptr_equal(calls[0].device, bottom);
    assert_string_equal(calls[1].who, "mid");
    assert_ptr_equal(calls[1].device, mid);
    assert_ptr_equal(calls[1].current, mid_driver);
    assert_string_equal(calls[2].who, "top");
    assert_ptr_equal(calls[2].device, top);
    assert_ptr_equal(calls[2].current, top_driver);
    assert_string_equal(calls[3].who, "originator");
    assert_null(calls[3].device);
    for (int i = 1; i < 4; i++)
        assert_false(calls[i].pending_returned);
    assert_int_equal(irp->CurrentLocation, irp->StackCount + 1);
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void invoke_on_filters(void **state)
{
    (void)state;
    /* Success only, the IRP fails: the routines are skipped. */
    routine_on_success = TRUE;
    routine_on_error = routine_on_cancel = FALSE;
    bottom_status = STATUS_IO_DEVICE_ERROR;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_IO_DEVICE_ERROR);
    assert_int_equal(ncalls, 2);
    assert_string_equal(calls[1].who, "originator");
    IoFreeIrp(irp);

    /* Error only, the IRP succeeds: skipped. */
    ncalls = 0;
    routine_on_error = TRUE;
    routine_on_success = FALSE;
    bottom_status = STATUS_SUCCESS;
    irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 2);
    IoFreeIrp(irp);

    /* Error only, the IRP fails: called. A warning status is an "error" for NT_SUCCESS. */
    ncalls = 0;
    bottom_status = STATUS_BUFFER_OVERFLOW;
    irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(ncalls, 4);
    IoFreeIrp(irp);

    /* Cancel only: called for a cancelled IRP whatever its status, skipped otherwise. */
    ncalls = 0;
    routine_on_error = FALSE;
    routine_on_cancel = TRUE;
    bottom_status = STATUS_SUCCESS;
    irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 2);
    IoFreeIrp(irp);
    ncalls = 0;
    irp = new_irp();
    irp->Cancel = TRUE;
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 4);
    IoFreeIrp(irp);
}

static void pending_returned_reaches_each_routine(void **state)
{
    (void)state;
    bottom_pends = TRUE;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_PENDING);
    assert_ptr_equal(pended, irp);
    pended->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(pended, IO_NO_INCREMENT);
    assert_int_equal(ncalls, 4);
    assert_true(calls[1].pending_returned); /* mid: bottom marked pending */
    assert_true(calls[2].pending_returned); /* top: mid's routine propagated it */
    assert_true(calls[3].pending_returned); /* originator */
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void pending_propagates_without_routines(void **state)
{
    (void)state;
    mid_mode = FORWARD_COPY_NO_ROUTINE;
    bottom_pends = TRUE;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_PENDING);
    pended->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(pended, IO_NO_INCREMENT);
    assert_int_equal(ncalls, 3);
    assert_string_equal(calls[1].who, "top");
    assert_true(calls[1].pending_returned);
    IoFreeIrp(irp);

    /* Skip: the bottom uses mid's location, where top's routine is. */
    ncalls = 0;
    mid_mode = FORWARD_SKIP;
    irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_PENDING);
    pended->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(pended, IO_NO_INCREMENT);
    assert_int_equal(ncalls, 3);
    assert_string_equal(calls[1].who, "top");
    assert_ptr_equal(calls[1].device, top);
    assert_true(calls[1].pending_returned);
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void routine_not_marking_pending_is_reported(void **state)
{
    (void)state;
    mid_routine_marks_pending = FALSE;
    bottom_pends = TRUE;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_PENDING);
    pended->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(pended, IO_NO_INCREMENT);
    assert_int_equal(owdf_verifier_report_count("IRP_PENDING_NOT_PROPAGATED"), 1);
    assert_ptr_equal(io_test_last_driver("IRP_PENDING_NOT_PROPAGATED"), mid_driver);
    /* Repaired for the levels above. */
    assert_true(calls[2].pending_returned);
    IoFreeIrp(irp);
}

static void more_processing_required_stops_and_recompletion_continues(void **state)
{
    (void)state;
    mid_routine_result = STATUS_MORE_PROCESSING_REQUIRED;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 2); /* bottom, mid: the walk stopped */
    /* The mid driver owns the IRP again, at its own location. */
    assert_int_equal(irp->CurrentLocation, 2);
    assert_ptr_equal(IoGetCurrentIrpStackLocation(irp)->DeviceObject, mid);
    irp->IoStatus.Status = STATUS_DEVICE_BUSY;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    assert_int_equal(ncalls, 4);
    assert_string_equal(calls[2].who, "top");
    assert_string_equal(calls[3].who, "originator");
    assert_int_equal(irp->IoStatus.Status, STATUS_DEVICE_BUSY);
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

/* A routine that completes the IRP again from inside itself. */
static NTSTATUS recomplete_result;
static IO_COMPLETION_ROUTINE recompleting_routine;
static NTSTATUS recompleting_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)Context;
    record("recompleting", DeviceObject, Irp);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return recomplete_result;
}

static DRIVER_DISPATCH mid_recompleting;
static NTSTATUS mid_recompleting(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    return forward(Irp, FORWARD_ROUTINE, bottom, recompleting_routine);
}

static void completing_again_inside_a_routine(void **state)
{
    (void)state;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        mid_driver->MajorFunction[i] = mid_recompleting;
    /* Legal: complete again, then STATUS_MORE_PROCESSING_REQUIRED. */
    recomplete_result = STATUS_MORE_PROCESSING_REQUIRED;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 4);
    assert_string_equal(calls[2].who, "top");
    assert_string_equal(calls[3].who, "originator");
    IoFreeIrp(irp);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);

    /* A bug: complete again and let the walk go on. Reported; the levels above still run once. */
    ncalls = 0;
    recomplete_result = STATUS_SUCCESS;
    irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    assert_int_equal(ncalls, 4);
    assert_int_equal(owdf_verifier_report_count("IRP_DOUBLE_COMPLETE"), 1);
    assert_ptr_equal(io_test_last_driver("IRP_DOUBLE_COMPLETE"), mid_driver);
    IoFreeIrp(irp);
}

static void completing_a_completed_irp_is_reported(void **state)
{
    (void)state;
    PIRP irp = new_irp();
    assert_int_equal(IoCallDriver(top, irp), STATUS_SUCCESS);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    assert_int_equal(owdf_verifier_report_count("IRP_DOUBLE_COMPLETE"), 1);
    assert_int_equal(ncalls, 4);
    IoFreeIrp(irp);
    /* A freed IRP (its memory is cached, so looking is safe). */
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    assert_int_equal(owdf_verifier_report_count("IRP_DOUBLE_COMPLETE"), 2);
    assert_non_null(strstr(io_test_last_message("IRP_DOUBLE_COMPLETE"), "not an IRP"));
    assert_int_equal(io_test_stop_calls, 2);
}

static DRIVER_DISPATCH complete_pending_status;
static NTSTATUS complete_pending_status(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_PENDING;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static void completing_with_status_pending_is_reported(void **state)
{
    (void)state;
    bottom_driver->MajorFunction[IRP_MJ_WRITE] = complete_pending_status;
    PIRP irp = IoAllocateIrp(bottom->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_WRITE;
    IoSetCompletionRoutine(irp, originator_routine, NULL, TRUE, TRUE, TRUE);
    IoCallDriver(bottom, irp);
    assert_int_equal(owdf_verifier_report_count("IRP_COMPLETE_PENDING"), 1);
    assert_int_equal(irp->IoStatus.Status, STATUS_DRIVER_INTERNAL_ERROR); /* stop policy: not left pending */
    IoFreeIrp(irp);

    owdf_verifier_set_policy("IRP_COMPLETE_PENDING", OWDF_POLICY_LOG);
    irp = IoAllocateIrp(bottom->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_WRITE;
    IoSetCompletionRoutine(irp, originator_routine, NULL, TRUE, TRUE, TRUE);
    IoCallDriver(bottom, irp);
    assert_int_equal(irp->IoStatus.Status, STATUS_PENDING);
    IoFreeIrp(irp);
    owdf_verifier_set_policy("IRP_COMPLETE_PENDING", OWDF_POLICY_STOP_DRIVER);
}

static DRIVER_CANCEL forgotten_cancel;
static void forgotten_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    (void)Irp;
    fail();
}

static DRIVER_DISPATCH complete_keeping_cancel_routine;
static NTSTATUS complete_keeping_cancel_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoSetCancelRoutine(Irp, forgotten_cancel);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static void completing_with_a_cancel_routine_is_reported(void **state)
{
    (void)state;
    bottom_driver->MajorFunction[IRP_MJ_WRITE] = complete_keeping_cancel_routine;
    PIRP irp = IoAllocateIrp(bottom->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_WRITE;
    IoSetCompletionRoutine(irp, originator_routine, NULL, TRUE, TRUE, TRUE);
    assert_int_equal(IoCallDriver(bottom, irp), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("IRP_COMPLETE_WITH_CANCEL_ROUTINE"), 1);
    assert_ptr_equal(io_test_last_driver("IRP_COMPLETE_WITH_CANCEL_ROUTINE"), bottom_driver);
    assert_null(irp->CancelRoutine);
    assert_false(IoCancelIrp(irp)); /* cleared: the forgotten routine is never called */
    IoFreeIrp(irp);
}

static void io_manager_completion_sets_iosb_event_and_frees(void **state)
{
    (void)state;
    /* A driver-allocated IRP that nobody takes back: the I/O manager finishes it. */
    IO_STATUS_BLOCK iosb = {{STATUS_PENDING}, 0};
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
    irp->UserIosb = &iosb;
    irp->UserEvent = &event;
    bottom_status = STATUS_END_OF_FILE;
    assert_int_equal(IoCallDriver(top, irp), STATUS_END_OF_FILE);
    assert_int_equal(iosb.Status, STATUS_END_OF_FILE);
    assert_int_equal(KeReadStateEvent(&event), 1);
    /* The IRP went back to the cache. */
    PIRP again = IoAllocateIrp(top->StackSize, FALSE);
    assert_ptr_equal(again, irp);
    IoFreeIrp(again);
}

static IO_COMPLETION_ROUTINE count_master;
static int master_completions;
static NTSTATUS count_master(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    (void)Context;
    master_completions++;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void associated_irps_complete_their_master(void **state)
{
    (void)state;
    master_completions = 0;
    PIRP master = IoAllocateIrp(2, FALSE);
    IoSetCompletionRoutine(master, count_master, NULL, TRUE, TRUE, TRUE);
    /* The master is held by a (pretend) driver at its first location. */
    IoSetNextIrpStackLocation(master);
    master->IoStatus.Status = STATUS_SUCCESS;
    PIRP a = IoMakeAssociatedIrp(master, bottom->StackSize);
    PIRP b = IoMakeAssociatedIrp(master, bottom->StackSize);
    assert_non_null(a);
    assert_true(a->Flags & IRP_ASSOCIATED_IRP);
    assert_ptr_equal(a->AssociatedIrp.MasterIrp, master);
    master->AssociatedIrp.IrpCount = 2;
    IoGetNextIrpStackLocation(a)->MajorFunction = IRP_MJ_READ;
    IoGetNextIrpStackLocation(b)->MajorFunction = IRP_MJ_READ;
    assert_int_equal(IoCallDriver(bottom, a), STATUS_SUCCESS);
    assert_int_equal(master_completions, 0);
    assert_int_equal(master->AssociatedIrp.IrpCount, 1);
    assert_int_equal(IoCallDriver(bottom, b), STATUS_SUCCESS);
    assert_int_equal(master_completions, 1);
    IoFreeIrp(master);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(routines_run_bottom_up_with_the_setters_device),
        T(invoke_on_filters),
        T(pending_returned_reaches_each_routine),
        T(pending_propagates_without_routines),
        T(routine_not_marking_pending_is_reported),
        T(more_processing_required_stops_and_recompletion_continues),
        T(completing_again_inside_a_routine),
        T(completing_a_completed_irp_is_reported),
        T(completing_with_status_pending_is_reported),
        T(completing_with_a_cancel_routine_is_reported),
        T(io_manager_completion_sets_iosb_event_and_frees),
        T(associated_irps_complete_their_master),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
