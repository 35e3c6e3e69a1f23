/*
 * Tests for WDFDPC on the substrate's virtual processors: creation rules and errors, EvtDpcFunc at
 * DISPATCH_LEVEL, Enqueue/Cancel return values (with a processor held busy so a DPC stays queued),
 * Cancel(Wait), automatic serialization, deleting from the callback and while it runs, and the
 * reports for waiting from the callback or at DISPATCH_LEVEL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

static volatile LONG fired;
static volatile LONG seen_irql;
static volatile LONG saw_lock_owned;
static test_lock_owner *device;

static void on_dpc(WDFDPC dpc)
{
    (void)dpc;
    __atomic_store_n(&seen_irql, KeGetCurrentIrql(), __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock_owned, fx_sync_lock_is_owner(&device->lock), __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static int dpc_setup(void **state)
{
    support_setup(state);
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&seen_irql, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock_owned, -1, __ATOMIC_SEQ_CST);
    device = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    return device != NULL ? 0 : -1;
}

static int dpc_teardown(void **state)
{
    if (device != NULL)
        delete_owner(device);
    device = NULL;
    return support_teardown(state);
}

#define DPC_TEST(f) cmocka_unit_test_setup_teardown(f, dpc_setup, dpc_teardown)

static NTSTATUS create_dpc(PFN_WDF_DPC callback, BOOLEAN serialized, WDFOBJECT parent, WDFDPC *dpc)
{
    WDF_DPC_CONFIG config;
    WDF_DPC_CONFIG_INIT(&config, callback);
    config.AutomaticSerialization = serialized;
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    return WdfDpcCreate(&config, &attributes, dpc);
}

/* A DPC that keeps processor 0 busy until released. */
static volatile LONG blocker_running, blocker_release;
static KDPC blocker;
static void blocker_routine(PKDPC dpc, PVOID context, PVOID a1, PVOID a2)
{
    (void)dpc;
    (void)context;
    (void)a1;
    (void)a2;
    __atomic_store_n(&blocker_running, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&blocker_release, __ATOMIC_SEQ_CST))
        usleep(100);
}

static void hold_processor_0(void)
{
    blocker_running = blocker_release = 0;
    KeInitializeDpc(&blocker, blocker_routine, NULL);
    KeSetTargetProcessorDpc(&blocker, 0);
    KeInsertQueueDpc(&blocker, NULL, NULL);
    WAIT_FOR(__atomic_load_n(&blocker_running, __ATOMIC_SEQ_CST));
}

static void release_processor_0(void)
{
    __atomic_store_n(&blocker_release, 1, __ATOMIC_SEQ_CST);
    KeFlushQueuedDpcs();
}

static void config_init_defaults(void **state)
{
    (void)state;
    WDF_DPC_CONFIG config;
    memset(&config, 0x5a, sizeof config);
    WDF_DPC_CONFIG_INIT(&config, on_dpc);
    assert_int_equal(config.Size, sizeof config);
    assert_ptr_equal(config.EvtDpcFunc, on_dpc);
    assert_true(config.AutomaticSerialization);
}

static void create_parameter_errors(void **state)
{
    (void)state;
    WDF_DPC_CONFIG config;
    WDF_DPC_CONFIG_INIT(&config, on_dpc);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(device->object.handle);
    WDFDPC dpc;
    assert_int_equal(WdfDpcCreate(&config, &attributes, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfDpcCreate(NULL, &attributes, &dpc), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    config.Size = 1;
    assert_int_equal(WdfDpcCreate(&config, &attributes, &dpc), STATUS_INFO_LENGTH_MISMATCH);
    assert_one_report("CONFIG_SIZE");
    WDF_DPC_CONFIG_INIT(&config, NULL);
    assert_int_equal(WdfDpcCreate(&config, &attributes, &dpc), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WDF_DPC_CONFIG_INIT(&config, on_dpc);
    assert_int_equal(WdfDpcCreate(&config, NULL, &dpc), STATUS_WDF_PARENT_NOT_SPECIFIED);
    WDFOBJECT orphan;
    assert_int_equal(WdfObjectCreate(NULL, &orphan), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES orphan_child = child_of(orphan);
    assert_int_equal(WdfDpcCreate(&config, &orphan_child, &dpc), STATUS_INVALID_DEVICE_REQUEST);
    WdfObjectDelete(orphan);
    attributes.ExecutionLevel = WdfExecutionLevelPassive; /* a DPC runs at DISPATCH_LEVEL, always */
    assert_int_equal(WdfDpcCreate(&config, &attributes, &dpc), STATUS_WDF_EXECUTION_LEVEL_INVALID);
    assert_null(dpc);

    test_lock_owner *passive = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    assert_int_equal(create_dpc(on_dpc, TRUE, passive->object.handle, &dpc),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    assert_int_equal(create_dpc(on_dpc, FALSE, passive->object.handle, &dpc), STATUS_SUCCESS);
    delete_owner(passive); /* takes the DPC with it */
    assert_no_reports();
}

static void runs_at_dispatch_under_the_device_lock(void **state)
{
    (void)state;
    WDFDPC dpc;
    assert_int_equal(create_dpc(on_dpc, TRUE, device->object.handle, &dpc), STATUS_SUCCESS);
    assert_ptr_equal(WdfDpcGetParentObject(dpc), device->object.handle);
    assert_non_null(WdfDpcWdmGetDpc(dpc));
    assert_true(WdfDpcEnqueue(dpc));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(__atomic_load_n(&seen_irql, __ATOMIC_SEQ_CST), DISPATCH_LEVEL);
    assert_int_equal(__atomic_load_n(&saw_lock_owned, __ATOMIC_SEQ_CST), TRUE);

    /* Not serialized: no lock. Queued through the KDPC directly, it still calls EvtDpcFunc. */
    WDFDPC free_dpc;
    assert_int_equal(create_dpc(on_dpc, FALSE, device->object.handle, &free_dpc), STATUS_SUCCESS);
    assert_true(KeInsertQueueDpc(WdfDpcWdmGetDpc(free_dpc), NULL, NULL));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 2);
    assert_int_equal(__atomic_load_n(&saw_lock_owned, __ATOMIC_SEQ_CST), FALSE);
    WdfObjectDelete(dpc);
    WdfObjectDelete(free_dpc);
}

static void enqueue_while_queued_and_cancel(void **state)
{
    (void)state;
    WDFDPC dpc;
    assert_int_equal(create_dpc(on_dpc, FALSE, device->object.handle, &dpc), STATUS_SUCCESS);
    KeSetTargetProcessorDpc(WdfDpcWdmGetDpc(dpc), 0);
    hold_processor_0();
    assert_true(WdfDpcEnqueue(dpc));
    assert_false(WdfDpcEnqueue(dpc)); /* already queued */
    assert_true(WdfDpcCancel(dpc, FALSE));
    assert_false(WdfDpcCancel(dpc, FALSE));
    assert_true(WdfDpcEnqueue(dpc));
    release_processor_0();
    assert_false(WdfDpcCancel(dpc, TRUE)); /* it ran */
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);

    /* Deleting a queued DPC removes it (at DISPATCH_LEVEL, so the wait for the busy processor
     * is deferred to a worker). */
    hold_processor_0();
    assert_true(WdfDpcEnqueue(dpc));
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WdfObjectDelete(dpc);
    KeLowerIrql(old);
    release_processor_0();
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
}

static void on_dpc_cancel_wait_self(WDFDPC dpc)
{
    WdfDpcCancel(dpc, TRUE);
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static void cancel_wait_from_callback_or_dispatch_is_reported(void **state)
{
    (void)state;
    WDFDPC dpc;
    assert_int_equal(create_dpc(on_dpc_cancel_wait_self, FALSE, device->object.handle, &dpc), STATUS_SUCCESS);
    WdfDpcEnqueue(dpc);
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    WdfDpcCancel(dpc, TRUE); /* from the test thread: waits, no report */
    assert_one_report("CALLBACK_SELF_WAIT");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WdfDpcCancel(dpc, TRUE);
    KeLowerIrql(old);
    assert_one_report("BLOCKING_CALL_AT_DISPATCH");
    WdfObjectDelete(dpc);
}

static void on_dpc_delete_self(WDFDPC dpc)
{
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
    WdfObjectDelete(dpc);
}

static void delete_from_own_callback(void **state)
{
    (void)state;
    WDFDPC dpc;
    assert_int_equal(create_dpc(on_dpc_delete_self, TRUE, device->object.handle, &dpc), STATUS_SUCCESS);
    WdfDpcEnqueue(dpc);
    WAIT_FOR(fx_object_live_count(WdfDriverGlobals) == 1);
    assert_int_equal(fx_object_live_count(WdfDriverGlobals), 1);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
}

static volatile LONG slow_started, slow_finished;
static void on_dpc_slow(WDFDPC dpc)
{
    (void)dpc;
    __atomic_store_n(&slow_started, 1, __ATOMIC_SEQ_CST);
    usleep(40000);
    __atomic_store_n(&slow_finished, 1, __ATOMIC_SEQ_CST);
}

static void delete_waits_for_running_callback(void **state)
{
    (void)state;
    slow_started = slow_finished = 0;
    WDFDPC dpc;
    assert_int_equal(create_dpc(on_dpc_slow, FALSE, device->object.handle, &dpc), STATUS_SUCCESS);
    WdfDpcEnqueue(dpc);
    WAIT_FOR(__atomic_load_n(&slow_started, __ATOMIC_SEQ_CST));
    WdfObjectDelete(dpc);
    assert_int_equal(__atomic_load_n(&slow_finished, __ATOMIC_SEQ_CST), 1);
}

static void delete_at_dispatch_is_deferred(void **state)
{
    (void)state;
    WDFDPC dpc;
    assert_int_equal(create_dpc(on_dpc, FALSE, device->object.handle, &dpc), STATUS_SUCCESS);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WdfObjectDelete(dpc); /* cannot wait here: the rundown finishes on a worker */
    KeLowerIrql(old);
    WAIT_FOR(fx_object_live_count(WdfDriverGlobals) == 1);
    assert_int_equal(fx_object_live_count(WdfDriverGlobals), 1);
}

static void wrong_handles(void **state)
{
    (void)state;
    assert_false(WdfDpcEnqueue((WDFDPC)device->object.handle));
    assert_one_report("WRONG_HANDLE_TYPE");
    assert_null(WdfDpcWdmGetDpc(NULL));
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_false(WdfDpcCancel((WDFDPC)device->object.handle, FALSE));
    assert_one_report("WRONG_HANDLE_TYPE");
    assert_null(WdfDpcGetParentObject((WDFDPC)device->object.handle));
    assert_one_report("WRONG_HANDLE_TYPE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DPC_TEST(config_init_defaults),
        DPC_TEST(create_parameter_errors),
        DPC_TEST(runs_at_dispatch_under_the_device_lock),
        DPC_TEST(enqueue_while_queued_and_cancel),
        DPC_TEST(cancel_wait_from_callback_or_dispatch_is_reported),
        DPC_TEST(delete_from_own_callback),
        DPC_TEST(delete_waits_for_running_callback),
        DPC_TEST(delete_at_dispatch_is_deferred),
        DPC_TEST(wrong_handles),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
