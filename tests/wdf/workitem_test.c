/*
 * Tests for WDFWORKITEM on the system worker threads: creation rules and errors, EvtWorkItem at
 * PASSIVE_LEVEL on a worker, Enqueue while queued (with every worker held busy so the item stays
 * queued) and while running, Flush, automatic serialization with a passive parent lock, deleting
 * from the callback and while it runs, and the report for flushing from the callback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

#define WORKERS 2

static volatile LONG fired;
static volatile LONG seen_irql;
static volatile LONG saw_lock_owned;
static volatile PVOID callback_thread;
static test_lock_owner *device;

static void on_work(WDFWORKITEM item)
{
    (void)item;
    __atomic_store_n(&seen_irql, KeGetCurrentIrql(), __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock_owned, fx_sync_lock_is_owner(&device->lock), __ATOMIC_SEQ_CST);
    __atomic_store_n(&callback_thread, KeGetCurrentThread(), __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static int group_setup(void **state)
{
    owdf_nt_config config = {.size = sizeof config, .processors = 2, .workers = WORKERS};
    if (!NT_SUCCESS(owdf_nt_start(&config)))
        return -1;
    return support_group_setup(state);
}

static int work_setup(void **state)
{
    support_setup(state);
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&seen_irql, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock_owned, -1, __ATOMIC_SEQ_CST);
    device = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    return device != NULL ? 0 : -1;
}

static int work_teardown(void **state)
{
    if (device != NULL)
        delete_owner(device);
    device = NULL;
    return support_teardown(state);
}

#define WORK_TEST(f) cmocka_unit_test_setup_teardown(f, work_setup, work_teardown)

static NTSTATUS create_item(PFN_WDF_WORKITEM callback, BOOLEAN serialized, WDFOBJECT parent,
                            WDFWORKITEM *item)
{
    WDF_WORKITEM_CONFIG config;
    WDF_WORKITEM_CONFIG_INIT(&config, callback);
    config.AutomaticSerialization = serialized;
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    return WdfWorkItemCreate(&config, &attributes, item);
}

/* Work items that keep every worker busy until released. */
static volatile LONG blockers_running, blockers_release;
static WORK_QUEUE_ITEM blockers[WORKERS];
static void blocker_routine(PVOID context)
{
    (void)context;
    __atomic_add_fetch(&blockers_running, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&blockers_release, __ATOMIC_SEQ_CST))
        usleep(200);
    __atomic_sub_fetch(&blockers_running, 1, __ATOMIC_SEQ_CST);
}

static void hold_workers(void)
{
    blockers_release = 0;
    for (int i = 0; i < WORKERS; i++) {
        ExInitializeWorkItem(&blockers[i], blocker_routine, NULL);
        ExQueueWorkItem(&blockers[i], CriticalWorkQueue);
    }
    WAIT_FOR(__atomic_load_n(&blockers_running, __ATOMIC_SEQ_CST) == WORKERS);
}

static void release_workers(void)
{
    __atomic_store_n(&blockers_release, 1, __ATOMIC_SEQ_CST);
    WAIT_FOR(__atomic_load_n(&blockers_running, __ATOMIC_SEQ_CST) == 0);
}

static void config_init_defaults(void **state)
{
    (void)state;
    WDF_WORKITEM_CONFIG config;
    memset(&config, 0x5a, sizeof config);
    WDF_WORKITEM_CONFIG_INIT(&config, on_work);
    assert_int_equal(config.Size, sizeof config);
    assert_ptr_equal(config.EvtWorkItemFunc, on_work);
    assert_true(config.AutomaticSerialization);
}

static void create_parameter_errors(void **state)
{
    (void)state;
    WDF_WORKITEM_CONFIG config;
    WDF_WORKITEM_CONFIG_INIT(&config, on_work);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(device->object.handle);
    WDFWORKITEM item;
    assert_int_equal(WdfWorkItemCreate(&config, &attributes, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfWorkItemCreate(NULL, &attributes, &item), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    config.Size = 2;
    assert_int_equal(WdfWorkItemCreate(&config, &attributes, &item), STATUS_INFO_LENGTH_MISMATCH);
    assert_one_report("CONFIG_SIZE");
    WDF_WORKITEM_CONFIG_INIT(&config, NULL);
    assert_int_equal(WdfWorkItemCreate(&config, &attributes, &item), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WDF_WORKITEM_CONFIG_INIT(&config, on_work);
    assert_int_equal(WdfWorkItemCreate(&config, NULL, &item), STATUS_WDF_PARENT_NOT_SPECIFIED);
    WDF_OBJECT_ATTRIBUTES no_parent;
    WDF_OBJECT_ATTRIBUTES_INIT(&no_parent);
    assert_int_equal(WdfWorkItemCreate(&config, &no_parent, &item), STATUS_WDF_PARENT_NOT_SPECIFIED);
    WDFOBJECT orphan;
    assert_int_equal(WdfObjectCreate(NULL, &orphan), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES orphan_child = child_of(orphan);
    assert_int_equal(WdfWorkItemCreate(&config, &orphan_child, &item), STATUS_INVALID_DEVICE_REQUEST);
    WdfObjectDelete(orphan);

    /* A spin-lock (dispatch-level) parent cannot serialize a passive callback. */
    test_lock_owner *spin = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    assert_int_equal(create_item(on_work, TRUE, spin->object.handle, &item),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    assert_null(item);
    assert_int_equal(create_item(on_work, FALSE, spin->object.handle, &item), STATUS_SUCCESS);
    delete_owner(spin);
    assert_no_reports();
}

static void runs_at_passive_on_a_worker_under_the_lock(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work, TRUE, device->object.handle, &item), STATUS_SUCCESS);
    assert_ptr_equal(WdfWorkItemGetParentObject(item), device->object.handle);
    WdfWorkItemEnqueue(item);
    WdfWorkItemFlush(item);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(__atomic_load_n(&seen_irql, __ATOMIC_SEQ_CST), PASSIVE_LEVEL);
    assert_int_equal(__atomic_load_n(&saw_lock_owned, __ATOMIC_SEQ_CST), TRUE);
    assert_ptr_not_equal(__atomic_load_n(&callback_thread, __ATOMIC_SEQ_CST), KeGetCurrentThread());
    WdfWorkItemFlush(item); /* nothing queued: returns at once */
    WdfObjectDelete(item);
}

static void enqueue_while_queued_is_a_no_op(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work, FALSE, device->object.handle, &item), STATUS_SUCCESS);
    hold_workers();
    WdfWorkItemEnqueue(item);
    WdfWorkItemEnqueue(item);
    WdfWorkItemEnqueue(item);
    release_workers();
    WdfWorkItemFlush(item);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    WdfObjectDelete(item);
}

static void on_work_requeue(WDFWORKITEM item)
{
    /* Running: no longer queued, so this queues it again. */
    if (__atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST) < 3)
        WdfWorkItemEnqueue(item);
}

static void enqueue_while_running_runs_again(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work_requeue, FALSE, device->object.handle, &item), STATUS_SUCCESS);
    WdfWorkItemEnqueue(item);
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 3);
    WdfWorkItemFlush(item);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 3);
    WdfObjectDelete(item);
}

static void on_work_flush_self(WDFWORKITEM item)
{
    WdfWorkItemFlush(item); /* would wait for itself */
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static void flush_from_own_callback_is_reported(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work_flush_self, FALSE, device->object.handle, &item), STATUS_SUCCESS);
    WdfWorkItemEnqueue(item);
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    WdfWorkItemFlush(item);
    assert_one_report("CALLBACK_SELF_WAIT");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WdfWorkItemFlush(item);
    KeLowerIrql(old);
    assert_one_report("BLOCKING_CALL_AT_DISPATCH");
    WdfObjectDelete(item);
}

static void on_work_delete_self(WDFWORKITEM item)
{
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
    WdfObjectDelete(item);
}

static void delete_from_own_callback(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work_delete_self, TRUE, device->object.handle, &item), STATUS_SUCCESS);
    WdfWorkItemEnqueue(item);
    WAIT_FOR(fx_object_live_count(WdfDriverGlobals) == 1);
    assert_int_equal(fx_object_live_count(WdfDriverGlobals), 1);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
}

static volatile LONG slow_started, slow_finished;
static void on_work_slow(WDFWORKITEM item)
{
    (void)item;
    __atomic_store_n(&slow_started, 1, __ATOMIC_SEQ_CST);
    usleep(40000);
    __atomic_store_n(&slow_finished, 1, __ATOMIC_SEQ_CST);
}

static void delete_and_flush_wait_for_running_callback(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work_slow, FALSE, device->object.handle, &item), STATUS_SUCCESS);
    slow_started = slow_finished = 0;
    WdfWorkItemEnqueue(item);
    WAIT_FOR(__atomic_load_n(&slow_started, __ATOMIC_SEQ_CST));
    WdfWorkItemFlush(item);
    assert_int_equal(__atomic_load_n(&slow_finished, __ATOMIC_SEQ_CST), 1);
    slow_started = slow_finished = 0;
    WdfWorkItemEnqueue(item);
    WAIT_FOR(__atomic_load_n(&slow_started, __ATOMIC_SEQ_CST));
    WdfObjectDelete(item);
    assert_int_equal(__atomic_load_n(&slow_finished, __ATOMIC_SEQ_CST), 1);
}

static void queued_item_deleted_with_parent_does_not_run(void **state)
{
    (void)state;
    WDFWORKITEM item;
    assert_int_equal(create_item(on_work, FALSE, device->object.handle, &item), STATUS_SUCCESS);
    hold_workers();
    WdfWorkItemEnqueue(item);
    /* Deleting from here would wait for the queued item behind the blockers: defer it to DISPATCH. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    delete_owner(device);
    KeLowerIrql(old);
    device = NULL;
    release_workers();
    WAIT_FOR(fx_object_live_count(WdfDriverGlobals) == 0);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 0);
    WdfWorkItemEnqueue(item);
    assert_one_report("STALE_HANDLE");
}

static void wrong_handles(void **state)
{
    (void)state;
    WdfWorkItemEnqueue((WDFWORKITEM)device->object.handle);
    assert_one_report("WRONG_HANDLE_TYPE");
    WdfWorkItemFlush(NULL);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_null(WdfWorkItemGetParentObject((WDFWORKITEM)device->object.handle));
    assert_one_report("WRONG_HANDLE_TYPE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WORK_TEST(config_init_defaults),
        WORK_TEST(create_parameter_errors),
        WORK_TEST(runs_at_passive_on_a_worker_under_the_lock),
        WORK_TEST(enqueue_while_queued_is_a_no_op),
        WORK_TEST(enqueue_while_running_runs_again),
        WORK_TEST(flush_from_own_callback_is_reported),
        WORK_TEST(delete_from_own_callback),
        WORK_TEST(delete_and_flush_wait_for_running_callback),
        WORK_TEST(queued_item_deleted_with_parent_does_not_run),
        WORK_TEST(wrong_handles),
    };
    return cmocka_run_group_tests(tests, group_setup, support_group_teardown);
}
