/*
 * Tests for WDFTIMER with the real timer service and DPC/worker threads: creation rules and errors,
 * one-shot and periodic timers, Start/Stop return values, Stop(Wait), passive-level timers,
 * automatic serialization with the parent's lock, deleting from the callback and while it runs,
 * and the reports for waiting from the callback or at DISPATCH_LEVEL.
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
static volatile PVOID callback_thread;
static test_lock_owner *device;

static void reset_observations(void)
{
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&seen_irql, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock_owned, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&callback_thread, NULL, __ATOMIC_SEQ_CST);
}

static void observe(void)
{
    __atomic_store_n(&seen_irql, KeGetCurrentIrql(), __ATOMIC_SEQ_CST);
    __atomic_store_n(&saw_lock_owned, device != NULL ? fx_sync_lock_is_owner(&device->lock) : -1,
                     __ATOMIC_SEQ_CST);
    __atomic_store_n(&callback_thread, KeGetCurrentThread(), __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static void on_timer(WDFTIMER timer)
{
    (void)timer;
    observe();
}

static int timer_setup(void **state)
{
    support_setup(state);
    reset_observations();
    device = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeNone);
    return device != NULL ? 0 : -1;
}

static int timer_teardown(void **state)
{
    if (device != NULL)
        delete_owner(device);
    device = NULL;
    return support_teardown(state);
}

#define TIMER_TEST(f) cmocka_unit_test_setup_teardown(f, timer_setup, timer_teardown)

static NTSTATUS create_timer(PFN_WDF_TIMER callback, ULONG period, WDFOBJECT parent,
                             WDF_EXECUTION_LEVEL level, WDFTIMER *timer)
{
    WDF_TIMER_CONFIG config;
    if (period != 0)
        WDF_TIMER_CONFIG_INIT_PERIODIC(&config, callback, (LONG)period);
    else
        WDF_TIMER_CONFIG_INIT(&config, callback);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    attributes.ExecutionLevel = level;
    return WdfTimerCreate(&config, &attributes, timer);
}

/* ---- creation ------------------------------------------------------------------------------------ */

static void config_init_defaults(void **state)
{
    (void)state;
    WDF_TIMER_CONFIG config;
    memset(&config, 0x5a, sizeof config);
    WDF_TIMER_CONFIG_INIT(&config, on_timer);
    assert_int_equal(config.Size, sizeof config);
    assert_ptr_equal(config.EvtTimerFunc, on_timer);
    assert_int_equal(config.Period, 0);
    assert_true(config.AutomaticSerialization);
    assert_int_equal(config.TolerableDelay, 0);
    assert_false(config.UseHighResolutionTimer);
    WDF_TIMER_CONFIG_INIT_PERIODIC(&config, on_timer, 25);
    assert_int_equal(config.Period, 25);
    assert_int_equal(WDF_REL_TIMEOUT_IN_MS(5), -50000);
    assert_int_equal(WDF_REL_TIMEOUT_IN_SEC(2), -20000000);
    assert_int_equal(WDF_REL_TIMEOUT_IN_US(7), -70);
    assert_int_equal(WDF_ABS_TIMEOUT_IN_MS(5), 50000);
    assert_int_equal(WDF_ABS_TIMEOUT_IN_SEC(1), 10000000);
    assert_int_equal(WDF_ABS_TIMEOUT_IN_US(3), 30);
}

static void create_parameter_errors(void **state)
{
    (void)state;
    WDF_TIMER_CONFIG config;
    WDF_TIMER_CONFIG_INIT(&config, on_timer);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(device->object.handle);
    WDFTIMER timer;

    assert_int_equal(WdfTimerCreate(&config, &attributes, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfTimerCreate(NULL, &attributes, &timer), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_null(timer);
    config.Size = 8;
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_INFO_LENGTH_MISMATCH);
    assert_one_report("CONFIG_SIZE");
    WDF_TIMER_CONFIG_INIT(&config, NULL);
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WDF_TIMER_CONFIG_INIT(&config, on_timer);

    assert_int_equal(WdfTimerCreate(&config, NULL, &timer), STATUS_WDF_PARENT_NOT_SPECIFIED);
    WDF_OBJECT_ATTRIBUTES no_parent;
    WDF_OBJECT_ATTRIBUTES_INIT(&no_parent);
    assert_int_equal(WdfTimerCreate(&config, &no_parent, &timer), STATUS_WDF_PARENT_NOT_SPECIFIED);
    no_parent.Size = 4;
    assert_int_equal(WdfTimerCreate(&config, &no_parent, &timer), STATUS_INFO_LENGTH_MISMATCH);
    assert_one_report("OBJECT_ATTRIBUTES_SIZE");

    WDFOBJECT orphan; /* no device above it */
    assert_int_equal(WdfObjectCreate(NULL, &orphan), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES orphan_child = child_of(orphan);
    assert_int_equal(WdfTimerCreate(&config, &orphan_child, &timer), STATUS_INVALID_DEVICE_REQUEST);
    WdfObjectDelete(orphan);
    assert_int_equal(WdfTimerCreate(&config, &orphan_child, &timer), STATUS_INVALID_HANDLE);
    assert_one_report("STALE_HANDLE");

    config.Period = 0x80000000u;
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_INVALID_PARAMETER);
    config.Period = 0;
    config.UseHighResolutionTimer = TRUE;
    config.TolerableDelay = 10;
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_INVALID_PARAMETER);
    config.TolerableDelay = 0;
    attributes.ExecutionLevel = WdfExecutionLevelPassive;
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_INVALID_PARAMETER);
    config.UseHighResolutionTimer = FALSE;
    attributes.ExecutionLevel = WdfExecutionLevelInheritFromParent;
    attributes.SynchronizationScope = WdfSynchronizationScopeDevice;
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID);
    assert_no_reports();
}

static void create_accepts_old_config_and_finds_device_through_parents(void **state)
{
    (void)state;
    struct {
        ULONG Size;
        PFN_WDF_TIMER EvtTimerFunc;
        ULONG Period;
        BOOLEAN AutomaticSerialization;
    } v1_0 = {sizeof v1_0, on_timer, 0, TRUE};
    WDFOBJECT middle;
    WDF_OBJECT_ATTRIBUTES attributes = child_of(device->object.handle);
    assert_int_equal(WdfObjectCreate(&attributes, &middle), STATUS_SUCCESS);
    attributes = child_of(middle);
    WDFTIMER timer;
    assert_int_equal(WdfTimerCreate((PWDF_TIMER_CONFIG)&v1_0, &attributes, &timer), STATUS_SUCCESS);
    assert_ptr_equal(WdfTimerGetParentObject(timer), middle);
    WdfObjectDelete(middle); /* takes the timer with it */
}

static void automatic_serialization_must_match_levels(void **state)
{
    (void)state;
    WDFTIMER timer;
    test_lock_owner *passive = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    test_lock_owner *spin = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    assert_int_equal(
        create_timer(on_timer, 0, passive->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    assert_int_equal(create_timer(on_timer, 0, spin->object.handle, WdfExecutionLevelPassive, &timer),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    WDF_TIMER_CONFIG config;
    WDF_TIMER_CONFIG_INIT(&config, on_timer);
    config.AutomaticSerialization = FALSE; /* without serialization any level goes */
    WDF_OBJECT_ATTRIBUTES attributes = child_of(passive->object.handle);
    assert_int_equal(WdfTimerCreate(&config, &attributes, &timer), STATUS_SUCCESS);
    WdfObjectDelete(timer);
    delete_owner(passive);
    delete_owner(spin);
}

/* ---- running --------------------------------------------------------------------------------------- */

static void one_shot_fires_once_at_dispatch(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_SUCCESS);
    size_t callbacks_before = owdf_ifr_count("SupportTest", OWDF_IFR_CALLBACK);
    assert_false(WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(5)));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    usleep(30000);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(__atomic_load_n(&seen_irql, __ATOMIC_SEQ_CST), DISPATCH_LEVEL);
    assert_int_equal(__atomic_load_n(&saw_lock_owned, __ATOMIC_SEQ_CST), FALSE); /* scope None: no lock */
    assert_true(owdf_ifr_count("SupportTest", OWDF_IFR_CALLBACK) > callbacks_before);
    assert_false(WdfTimerStop(timer, TRUE)); /* already fired */
    WdfObjectDelete(timer);
}

static void start_and_stop_report_whether_set(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_SUCCESS);
    assert_false(WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_SEC(10)));
    assert_true(WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_SEC(10)));
    assert_true(WdfTimerStop(timer, FALSE));
    assert_false(WdfTimerStop(timer, FALSE));
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 0);
    /* An absolute due time in the past fires at once. */
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    assert_false(WdfTimerStart(timer, now.QuadPart - 1));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    WdfObjectDelete(timer);
}

static void periodic_until_stop_wait(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer, 3, device->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(3));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) >= 3);
    assert_true(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) >= 3);
    assert_true(WdfTimerStop(timer, TRUE));
    LONG after_stop = __atomic_load_n(&fired, __ATOMIC_SEQ_CST);
    usleep(20000);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), after_stop);
    WdfObjectDelete(timer);
}

static void passive_timer_runs_at_passive_on_a_worker(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelPassive, &timer),
                     STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(__atomic_load_n(&seen_irql, __ATOMIC_SEQ_CST), PASSIVE_LEVEL);
    assert_ptr_not_equal(__atomic_load_n(&callback_thread, __ATOMIC_SEQ_CST), KeGetCurrentThread());
    WdfObjectDelete(timer);
}

static void serialized_callbacks_hold_the_parent_lock(void **state)
{
    (void)state;
    delete_owner(device);
    device = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    assert_int_equal(__atomic_load_n(&saw_lock_owned, __ATOMIC_SEQ_CST), TRUE);
    assert_int_equal(__atomic_load_n(&seen_irql, __ATOMIC_SEQ_CST), DISPATCH_LEVEL);
    WdfObjectDelete(timer);

    /* Passive device, passive timer: the passive lock, at PASSIVE_LEVEL. */
    delete_owner(device);
    device = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    reset_observations();
    assert_int_equal(create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelPassive, &timer),
                     STATUS_SUCCESS);
    /* Holding the device lock delays the callback until it is released. */
    WdfObjectAcquireLock(device->object.handle);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    usleep(20000);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 0);
    WdfObjectReleaseLock(device->object.handle);
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    assert_int_equal(__atomic_load_n(&saw_lock_owned, __ATOMIC_SEQ_CST), TRUE);
    assert_int_equal(__atomic_load_n(&seen_irql, __ATOMIC_SEQ_CST), PASSIVE_LEVEL);
    WdfObjectDelete(timer);
}

/* ---- waiting and deleting from awkward places ------------------------------------------------------ */

static void on_timer_stop_wait_self(WDFTIMER timer)
{
    WdfTimerStop(timer, TRUE); /* would wait for itself */
    observe();
}

static void stop_wait_from_own_callback_is_reported(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer_stop_wait_self, 0, device->object.handle, WdfExecutionLevelPassive, &timer),
        STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FOR(__atomic_load_n(&fired, __ATOMIC_SEQ_CST) == 1);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1);
    assert_one_report("TIMER_SELF_STOP_OR_DELETE");
    WdfObjectDelete(timer);
}

static void stop_wait_at_dispatch_is_reported(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_SEC(10));
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_true(WdfTimerStop(timer, TRUE));
    KeLowerIrql(old);
    assert_one_report("BLOCKING_CALL_AT_DISPATCH");
    WdfObjectDelete(timer);
}

static void on_timer_delete_self(WDFTIMER timer)
{
    observe();
    WdfObjectDelete(timer);
}

static void delete_from_own_callback(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(create_timer(on_timer_delete_self, 2, device->object.handle,
                                  WdfExecutionLevelInheritFromParent, &timer),
                     STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FOR(fx_object_live_count(WdfDriverGlobals) == 1); /* only the device is left */
    assert_int_equal(fx_object_live_count(WdfDriverGlobals), 1);
    usleep(10000);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 1); /* the periodic timer stopped */
}

static volatile LONG slow_started, slow_finished;
static void on_timer_slow(WDFTIMER timer)
{
    (void)timer;
    __atomic_store_n(&slow_started, 1, __ATOMIC_SEQ_CST);
    usleep(50000);
    __atomic_store_n(&slow_finished, 1, __ATOMIC_SEQ_CST);
}

static void delete_waits_for_running_callback(void **state)
{
    (void)state;
    for (int level = 0; level < 2; level++) {
        slow_started = slow_finished = 0;
        WDFTIMER timer;
        assert_int_equal(create_timer(on_timer_slow, 0, device->object.handle,
                                      level ? WdfExecutionLevelPassive : WdfExecutionLevelInheritFromParent,
                                      &timer),
                         STATUS_SUCCESS);
        WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
        WAIT_FOR(__atomic_load_n(&slow_started, __ATOMIC_SEQ_CST));
        WdfObjectDelete(timer);
        assert_int_equal(__atomic_load_n(&slow_finished, __ATOMIC_SEQ_CST), 1);
    }
}

static void stop_wait_waits_for_running_callback(void **state)
{
    (void)state;
    slow_started = slow_finished = 0;
    WDFTIMER timer;
    assert_int_equal(create_timer(on_timer_slow, 0, device->object.handle, WdfExecutionLevelPassive, &timer),
                     STATUS_SUCCESS);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1));
    WAIT_FOR(__atomic_load_n(&slow_started, __ATOMIC_SEQ_CST));
    assert_false(WdfTimerStop(timer, TRUE));
    assert_int_equal(__atomic_load_n(&slow_finished, __ATOMIC_SEQ_CST), 1);
    WdfObjectDelete(timer);
}

static void deleting_the_parent_cancels_the_timer(void **state)
{
    (void)state;
    WDFTIMER timer;
    assert_int_equal(
        create_timer(on_timer, 0, device->object.handle, WdfExecutionLevelInheritFromParent, &timer),
        STATUS_SUCCESS);
    assert_ptr_equal(WdfTimerGetParentObject(timer), device->object.handle);
    WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(20));
    delete_owner(device);
    device = NULL;
    usleep(40000);
    assert_int_equal(__atomic_load_n(&fired, __ATOMIC_SEQ_CST), 0);
    assert_false(WdfTimerStart(timer, WDF_REL_TIMEOUT_IN_MS(1))); /* gone */
    assert_one_report("STALE_HANDLE");
}

static void wrong_handles(void **state)
{
    (void)state;
    assert_false(WdfTimerStart((WDFTIMER)device->object.handle, 0));
    assert_one_report("WRONG_HANDLE_TYPE");
    assert_false(WdfTimerStop(NULL, FALSE));
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_null(WdfTimerGetParentObject((WDFTIMER)device->object.handle));
    assert_one_report("WRONG_HANDLE_TYPE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TIMER_TEST(config_init_defaults),
        TIMER_TEST(create_parameter_errors),
        TIMER_TEST(create_accepts_old_config_and_finds_device_through_parents),
        TIMER_TEST(automatic_serialization_must_match_levels),
        TIMER_TEST(one_shot_fires_once_at_dispatch),
        TIMER_TEST(start_and_stop_report_whether_set),
        TIMER_TEST(periodic_until_stop_wait),
        TIMER_TEST(passive_timer_runs_at_passive_on_a_worker),
        TIMER_TEST(serialized_callbacks_hold_the_parent_lock),
        TIMER_TEST(stop_wait_from_own_callback_is_reported),
        TIMER_TEST(stop_wait_at_dispatch_is_reported),
        TIMER_TEST(delete_from_own_callback),
        TIMER_TEST(delete_waits_for_running_callback),
        TIMER_TEST(stop_wait_waits_for_running_callback),
        TIMER_TEST(deleting_the_parent_cancels_the_timer),
        TIMER_TEST(wrong_handles),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
