/*
 * support_device_test.c - the support objects with real parents from the device layer: a WDFDEVICE
 * (made by EvtDriverDeviceAdd through the PnP path) and a WDFQUEUE. Timers, DPCs and work items
 * under them are serialized by the device's or queue's callback lock as its synchronization scope
 * says; WdfObjectAcquireLock takes those locks; removing the device deletes what hangs under it.
 */
#include "core_testlib.h"

#include "fx_device.h"
#include "fx_object.h"
#include "fx_sync.h"

#include <string.h>
#include <unistd.h>

static WDF_EXECUTION_LEVEL device_level;
static WDF_SYNCHRONIZATION_SCOPE device_scope;
static WDFDEVICE device;

static NTSTATUS EvtAdd(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ExecutionLevel = device_level;
    attributes.SynchronizationScope = device_scope;
    return WdfDeviceCreate(&init, &attributes, &device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, EvtAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

static PDRIVER_OBJECT drv;
static PDEVICE_OBJECT pdo;

static void add_device(WDF_EXECUTION_LEVEL level, WDF_SYNCHRONIZATION_SCOPE scope)
{
    device_level = level;
    device_scope = scope;
    device = NULL;
    assert_int_equal(tl_add_device(drv, pdo), STATUS_SUCCESS);
    assert_non_null(device);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
}

static int setup(void **state)
{
    (void)state;
    tl_verifier_setup();
    tl_bus_load();
    pdo = tl_bus_create_pdo("WsupPdo0", 0);
    NTSTATUS status;
    drv = tl_wdf_load("WsupDev", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_bus_unload();
    for (int i = 0; i < 200 && fx_object_live_count(NULL) != 0; i++)
        usleep(5000);
    assert_int_equal(fx_object_live_count(NULL), 0);
    assert_int_equal(tl_total_reports(), 0);
    return 0;
}

static fx_sync_lock *lock_of(WDFOBJECT object)
{
    return fx_sync_object_lock(fx_object_lookup(object));
}

static volatile LONG fired, saw_lock, saw_irql;
static fx_sync_lock *expected_lock;

static void observe(void)
{
    __atomic_store_n(&saw_lock, expected_lock != NULL && fx_sync_lock_is_owner(expected_lock),
                     __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_irql, KeGetCurrentIrql(), __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static void on_timer(WDFTIMER timer)
{
    (void)timer;
    observe();
}

static void on_dpc(WDFDPC dpc)
{
    (void)dpc;
    observe();
}

static void on_work(WDFWORKITEM item)
{
    (void)item;
    observe();
}

static void reset(fx_sync_lock *lock)
{
    expected_lock = lock; /* before the timer or DPC that reads it is started */
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_irql, -1, __ATOMIC_SEQ_CST);
}

#define WAIT_FIRED(n)                                                                                        \
    do {                                                                                                     \
        for (int i_ = 0; i_ < 2000 && __atomic_load_n(&fired, __ATOMIC_SEQ_CST) < (n); i_++)                 \
            usleep(1000);                                                                                    \
        assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), (n));                                    \
    } while (0)

static void device_scope_serializes_timer_and_dpc(void **state)
{
    (void)state;
    add_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    fx_sync_lock *lock = lock_of(device);
    assert_non_null(lock);
    assert_false(lock->passive);

    WdfObjectAcquireLock(device);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_true(fx_sync_lock_is_owner(lock));
    WdfObjectReleaseLock(device);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    WDF_TIMER_CONFIG timer_config;
    WDF_TIMER_CONFIG_INIT(&timer_config, on_timer);
    WDFTIMER timer;
    assert_int_equal(WdfTimerCreate(&timer_config, &attributes, &timer), STATUS_SUCCESS);
    reset(lock);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FIRED(1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), TRUE);
    assert_int_equal(__atomic_load_n(&saw_irql, __ATOMIC_SEQ_CST), DISPATCH_LEVEL);

    WDF_DPC_CONFIG dpc_config;
    WDF_DPC_CONFIG_INIT(&dpc_config, on_dpc);
    WDFDPC dpc;
    assert_int_equal(WdfDpcCreate(&dpc_config, &attributes, &dpc), STATUS_SUCCESS);
    reset(lock);
    WdfDpcEnqueue(dpc);
    WAIT_FIRED(1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), TRUE);

    /* A work item cannot be serialized by a spin lock. */
    WDF_WORKITEM_CONFIG work_config;
    WDF_WORKITEM_CONFIG_INIT(&work_config, on_work);
    WDFWORKITEM item;
    assert_int_equal(WdfWorkItemCreate(&work_config, &attributes, &item),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    /* Removing the device deletes the timer and the DPC (teardown checks nothing is left). */
}

static void passive_device_serializes_work_items(void **state)
{
    (void)state;
    add_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    fx_sync_lock *lock = lock_of(device);
    assert_non_null(lock);
    assert_true(lock->passive);
    WdfObjectAcquireLock(device);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfObjectReleaseLock(device);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    WDF_WORKITEM_CONFIG work_config;
    WDF_WORKITEM_CONFIG_INIT(&work_config, on_work);
    WDFWORKITEM item;
    assert_int_equal(WdfWorkItemCreate(&work_config, &attributes, &item), STATUS_SUCCESS);
    reset(lock);
    WdfWorkItemEnqueue(item);
    WdfWorkItemFlush(item);
    assert_int_equal(fired, 1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), TRUE);
    assert_int_equal(__atomic_load_n(&saw_irql, __ATOMIC_SEQ_CST), PASSIVE_LEVEL);

    /* DPC-level callbacks cannot take a passive lock. */
    WDF_DPC_CONFIG dpc_config;
    WDF_DPC_CONFIG_INIT(&dpc_config, on_dpc);
    WDFDPC dpc;
    assert_int_equal(WdfDpcCreate(&dpc_config, &attributes, &dpc), STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    WDF_TIMER_CONFIG timer_config;
    WDF_TIMER_CONFIG_INIT(&timer_config, on_timer);
    WDFTIMER timer;
    assert_int_equal(WdfTimerCreate(&timer_config, &attributes, &timer),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    attributes.ExecutionLevel = WdfExecutionLevelPassive; /* a passive timer may */
    assert_int_equal(WdfTimerCreate(&timer_config, &attributes, &timer), STATUS_SUCCESS);
    reset(lock);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FIRED(1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), TRUE);
    assert_int_equal(__atomic_load_n(&saw_irql, __ATOMIC_SEQ_CST), PASSIVE_LEVEL);
}

static void queue_scope_serializes_with_the_queue_lock(void **state)
{
    (void)state;
    add_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeQueue);
    WDF_IO_QUEUE_CONFIG queue_config;
    WDF_IO_QUEUE_CONFIG_INIT(&queue_config, WdfIoQueueDispatchManual);
    WDFQUEUE queue;
    assert_int_equal(WdfIoQueueCreate(device, &queue_config, WDF_NO_OBJECT_ATTRIBUTES, &queue),
                     STATUS_SUCCESS);
    fx_sync_lock *queue_lock = lock_of(queue);
    assert_non_null(queue_lock);
    assert_ptr_not_equal(queue_lock, lock_of(device));

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = queue;
    WDF_DPC_CONFIG dpc_config;
    WDF_DPC_CONFIG_INIT(&dpc_config, on_dpc);
    WDFDPC dpc;
    assert_int_equal(WdfDpcCreate(&dpc_config, &attributes, &dpc), STATUS_SUCCESS);
    assert_ptr_equal(WdfDpcGetParentObject(dpc), queue);
    reset(queue_lock);
    WdfDpcEnqueue(dpc);
    WAIT_FIRED(1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), TRUE);

    WdfObjectAcquireLock(queue);
    assert_true(fx_sync_lock_is_owner(queue_lock));
    WdfObjectReleaseLock(queue);

    /* A timer on the device itself: queue scope gives the device no callback lock to take. */
    attributes.ParentObject = device;
    WDF_TIMER_CONFIG timer_config;
    WDF_TIMER_CONFIG_INIT(&timer_config, on_timer);
    WDFTIMER timer;
    assert_int_equal(WdfTimerCreate(&timer_config, &attributes, &timer), STATUS_SUCCESS);
    reset(lock_of(device));
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FIRED(1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), FALSE);
}

static void removal_deletes_children(void **state)
{
    (void)state;
    add_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeNone);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreate(&attributes, NonPagedPoolNx, 'vDsW', 64, &memory, NULL), STATUS_SUCCESS);
    WDF_TIMER_CONFIG timer_config;
    WDF_TIMER_CONFIG_INIT_PERIODIC(&timer_config, on_timer, 5);
    WDFTIMER timer;
    assert_int_equal(WdfTimerCreate(&timer_config, &attributes, &timer), STATUS_SUCCESS);
    reset(NULL);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    for (int i = 0; i < 2000 && __atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 0; i++)
        usleep(1000);
    assert_true(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) >= 1);
    assert_int_equal(__atomic_load_n(&saw_lock, __ATOMIC_SEQ_CST), FALSE); /* scope None: no lock */
    /* teardown removes the device: the periodic timer and the memory go with it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(device_scope_serializes_timer_and_dpc, setup, teardown),
        cmocka_unit_test_setup_teardown(passive_device_serializes_work_items, setup, teardown),
        cmocka_unit_test_setup_teardown(queue_scope_serializes_with_the_queue_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(removal_deletes_children, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
