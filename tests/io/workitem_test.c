/* I/O work items: queueing, the device reference held while queued, the routine's context,
 * requeue from the routine, and the misuse reports. */
#include "io_test.h"

#include <openwdf/nt.h>

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static KEVENT ran;
static volatile LONG runs;
static PDEVICE_OBJECT seen_device;
static PVOID seen_context;
static PDRIVER_OBJECT seen_current;
static KIRQL seen_irql;
static LONG_PTR seen_references;

static IO_WORKITEM_ROUTINE routine;
static void routine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    seen_device = DeviceObject;
    seen_context = Context;
    seen_current = owdf_io_current_driver();
    seen_irql = KeGetCurrentIrql();
    seen_references = io_object_reference_count(DeviceObject);
    __atomic_add_fetch(&runs, 1, __ATOMIC_SEQ_CST);
    KeSetEvent(&ran, IO_NO_INCREMENT, FALSE);
}

static void wait_ran(void)
{
    LARGE_INTEGER timeout;
    timeout.QuadPart = -50000000LL; /* 5 s */
    assert_int_equal(KeWaitForSingleObject(&ran, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    KeClearEvent(&ran);
}

static int setup(void **state)
{
    io_test_setup(state);
    driver = io_test_load("WorkTest");
    device = io_test_device(driver, 0);
    KeInitializeEvent(&ran, SynchronizationEvent, FALSE);
    runs = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    return 0;
}

static void queued_item_runs_at_passive_with_a_device_reference(void **state)
{
    (void)state;
    LONG_PTR before = io_object_reference_count(device);
    PIO_WORKITEM item = IoAllocateWorkItem(device);
    assert_non_null(item);
    IoQueueWorkItem(item, routine, DelayedWorkQueue, (PVOID)0x1234);
    wait_ran();
    assert_ptr_equal(seen_device, device);
    assert_ptr_equal(seen_context, (PVOID)0x1234);
    assert_ptr_equal(seen_current, driver);
    assert_int_equal(seen_irql, PASSIVE_LEVEL);
    assert_int_equal(seen_references, before + 1);
    /* The reference goes once the routine has returned. */
    for (int i = 0; i < 1000 && io_object_reference_count(device) != before; i++)
        KeStallExecutionProcessor(1000);
    assert_int_equal(io_object_reference_count(device), before);
    IoFreeWorkItem(item);
}

static void deleted_device_lives_until_the_routine_returns(void **state)
{
    (void)state;
    PDEVICE_OBJECT other = io_test_device(driver, 0);
    LONG live = io_object_live_count(IO_OB_DEVICE);
    PIO_WORKITEM item = IoAllocateWorkItem(other);
    KeInitializeEvent(&ran, SynchronizationEvent, FALSE);
    IoQueueWorkItem(item, routine, CriticalWorkQueue, NULL);
    IoDeleteDevice(other);
    wait_ran();
    assert_ptr_equal(seen_device, other);
    for (int i = 0; i < 1000 && io_object_live_count(IO_OB_DEVICE) != live - 1; i++)
        KeStallExecutionProcessor(1000);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), live - 1);
    IoFreeWorkItem(item);
}

static IO_WORKITEM_ROUTINE_EX routine_ex;
static PVOID seen_io_object;
static PIO_WORKITEM seen_item;
static void routine_ex(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem)
{
    seen_io_object = IoObject;
    seen_item = IoWorkItem;
    seen_context = Context;
    if (__atomic_add_fetch(&runs, 1, __ATOMIC_SEQ_CST) == 1) {
        /* Requeue from the routine: allowed, the item is no longer queued. */
        IoQueueWorkItemEx(IoWorkItem, routine_ex, DelayedWorkQueue, Context);
        return;
    }
    KeSetEvent(&ran, IO_NO_INCREMENT, FALSE);
}

static void initialized_item_with_ex_routine_requeues(void **state)
{
    (void)state;
    assert_true(IoSizeofWorkItem() >= sizeof(WORK_QUEUE_ITEM));
    PIO_WORKITEM item = ExAllocatePool2(POOL_FLAG_NON_PAGED, IoSizeofWorkItem(), 0x6b726f57);
    IoInitializeWorkItem(driver, item); /* a driver object works too */
    assert_true(IoTryQueueWorkItem(item, routine_ex, DelayedWorkQueue, (PVOID)7));
    wait_ran();
    assert_int_equal(runs, 2);
    assert_ptr_equal(seen_io_object, driver);
    assert_ptr_equal(seen_item, item);
    assert_ptr_equal(seen_context, (PVOID)7);
    for (int i = 0; i < 1000 && item->queued; i++)
        KeStallExecutionProcessor(1000);
    IoUninitializeWorkItem(item);
    ExFreePool(item);
}

static KEVENT gate;
static volatile LONG blocked_done;
static IO_WORKITEM_ROUTINE blocking_routine;
static void blocking_routine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    (void)DeviceObject;
    (void)Context;
    KeWaitForSingleObject(&gate, Executive, KernelMode, FALSE, NULL);
    __atomic_add_fetch(&blocked_done, 1, __ATOMIC_SEQ_CST);
}

static void queueing_a_queued_item_and_freeing_it_are_reported(void **state)
{
    (void)state;
    KeInitializeEvent(&gate, NotificationEvent, FALSE);
    blocked_done = 0;
    /* Occupy the workers so the second item stays queued. */
    owdf_nt_config cfg = {.size = sizeof cfg, .workers = 2};
    owdf_nt_start(&cfg);
    PIO_WORKITEM blockers[OWDF_NT_MAX_WORKERS];
    int nblock = 0;
    for (; nblock < 8; nblock++) {
        blockers[nblock] = IoAllocateWorkItem(device);
        IoQueueWorkItem(blockers[nblock], blocking_routine, DelayedWorkQueue, NULL);
    }
    PIO_WORKITEM item = IoAllocateWorkItem(device);
    IoQueueWorkItem(item, routine, DelayedWorkQueue, NULL);
    IoQueueWorkItem(item, routine, DelayedWorkQueue, NULL);
    assert_int_equal(owdf_verifier_report_count("IO_WORKITEM_ALREADY_QUEUED"), 1);
    assert_false(IoTryQueueWorkItem(item, routine_ex, DelayedWorkQueue, NULL));
    assert_int_equal(owdf_verifier_report_count("IO_WORKITEM_ALREADY_QUEUED"), 1);
    IoFreeWorkItem(item);
    assert_int_equal(owdf_verifier_report_count("IO_WORKITEM_FREED_WHILE_QUEUED"), 1);
    KeSetEvent(&gate, IO_NO_INCREMENT, FALSE);
    wait_ran();
    for (int i = 0; i < 5000 && __atomic_load_n(&blocked_done, __ATOMIC_SEQ_CST) != nblock; i++)
        KeStallExecutionProcessor(1000);
    assert_int_equal(blocked_done, nblock);
    assert_int_equal(runs, 1);
    for (int i = 0; i < 1000 && item->queued; i++)
        KeStallExecutionProcessor(1000);
    for (int i = 0; i < 1000 && io_object_reference_count(device) != 1; i++)
        KeStallExecutionProcessor(1000);
    IoFreeWorkItem(item);
    for (int i = 0; i < nblock; i++)
        IoFreeWorkItem(blockers[i]);
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(queued_item_runs_at_passive_with_a_device_reference),
        T(deleted_device_lives_until_the_routine_returns),
        T(initialized_item_with_ex_routine_requeues),
        T(queueing_a_queued_item_and_freeing_it_are_reported),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (owdf_nt_running())
        owdf_nt_stop();
    return failed;
}
