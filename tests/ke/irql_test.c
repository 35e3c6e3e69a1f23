/* IRQL: raise/lower rules, PAGED_CODE, the checks other layers call around driver callbacks,
 * critical regions, per-thread state and routine naming. */
#include "ke_test.h"

#include <unistd.h>

static void initial_irql_is_passive(void **state)
{
    (void)state;
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static void raise_and_lower_round_trip(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(old, APC_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* raising to the same level is allowed */
    assert_int_equal(old, DISPATCH_LEVEL);
    KeLowerIrql(APC_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(KeRaiseIrqlToDpcLevel(), PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    kt_assert_no_reports();
}

static void raise_to_lower_level_is_reported(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(KfRaiseIrql(APC_LEVEL), DISPATCH_LEVEL);
    kt_assert_reports("IRQL_NOT_GREATER_OR_EQUAL", 1);
    assert_int_equal(kt_stop_calls, 1);                   /* the default policy stops the driver */
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL); /* unchanged */
    assert_non_null(strstr(kt_last_message("IRQL_NOT_GREATER_OR_EQUAL"), "KeRaiseIrql(1) at IRQL 2"));
    KeLowerIrql(PASSIVE_LEVEL);
}

static void lower_to_higher_level_is_reported(void **state)
{
    (void)state;
    KeLowerIrql(DISPATCH_LEVEL);
    kt_assert_reports("IRQL_NOT_LESS_OR_EQUAL", 1);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static void paged_code_checks_irql(void **state)
{
    (void)state;
    PAGED_CODE();
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    PAGED_CODE();
    kt_assert_no_reports();
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    PAGED_CODE();
    KeLowerIrql(PASSIVE_LEVEL);
    kt_assert_reports("PAGED_CODE_AT_DISPATCH", 1);
    owdf_verifier_report r;
    assert_int_equal(owdf_verifier_get_report(0, &r), 0);
    assert_string_equal(r.function, "paged_code_checks_irql"); /* the pageable routine, not Ke */
    assert_non_null(strstr(r.file, "irql_test.c"));
}

static void check_max_irql(void **state)
{
    (void)state;
    assert_true(ke_check_max_irql(DISPATCH_LEVEL, "SomeDdi"));
    kt_assert_no_reports();
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_false(ke_check_max_irql(PASSIVE_LEVEL, "SomeDdi")); /* STOP policy: fail the call */
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
    assert_non_null(
        strstr(kt_last_message("DDI_ABOVE_MAX_IRQL"), "SomeDdi called at IRQL 2; its maximum is 0"));
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_LOG);
    assert_true(ke_check_max_irql(PASSIVE_LEVEL, "SomeDdi")); /* LOG: go on */
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_STOP_DRIVER);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 2);
    KeLowerIrql(PASSIVE_LEVEL);
}

static void irql_restored_check(void **state)
{
    (void)state;
    assert_true(ke_irql_check_restored(PASSIVE_LEVEL, "EvtFoo"));
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_false(ke_irql_check_restored(PASSIVE_LEVEL, "EvtFoo"));
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL); /* put back */
    kt_assert_reports("IRQL_NOT_RESTORED", 1);
    assert_string_equal(kt_last_message("IRQL_NOT_RESTORED"),
                        "EvtFoo returned at IRQL 2; it was called at IRQL 0");
}

static void callback_frame_clean(void **state)
{
    (void)state;
    ke_callback_frame f;
    ke_callback_enter(&f);
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    KeReleaseSpinLock(&lock, old);
    assert_true(ke_callback_check_return(&f, "EvtClean"));
    kt_assert_no_reports();
}

static void callback_frame_lock_held(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    ke_callback_frame f;
    ke_callback_enter(&f);
    assert_int_equal(ke_spin_locks_held(), 0);
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    assert_int_equal(ke_spin_locks_held(), 1);
    assert_false(ke_callback_check_return(&f, "EvtLeaky"));
    kt_assert_reports("LOCK_HELD_ON_CALLBACK_RETURN", 1);
    kt_assert_reports("IRQL_NOT_RESTORED", 1);
    assert_string_equal(kt_last_message("LOCK_HELD_ON_CALLBACK_RETURN"),
                        "EvtLeaky returned holding 1 spin lock(s) and 0 mutex(es) it acquired");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* The lock itself is still held by this thread; release it without the count. */
    KeInitializeSpinLock(&lock);
}

static void callback_frame_critical_region(void **state)
{
    (void)state;
    ke_callback_frame f;
    ke_callback_enter(&f);
    KeEnterCriticalRegion();
    assert_false(ke_callback_check_return(&f, "EvtCrit"));
    kt_assert_reports("APC_DISABLE_NOT_RESTORED", 1);
    assert_false(KeAreApcsDisabled()); /* depth put back */
}

static void critical_regions(void **state)
{
    (void)state;
    assert_false(KeAreApcsDisabled());
    KeEnterCriticalRegion();
    KeEnterCriticalRegion();
    assert_true(KeAreApcsDisabled());
    KeLeaveCriticalRegion();
    assert_true(KeAreApcsDisabled());
    KeLeaveCriticalRegion();
    assert_false(KeAreApcsDisabled());
    kt_assert_no_reports();
    KeLeaveCriticalRegion();
    kt_assert_reports("CRITICAL_REGION_UNBALANCED", 1);
    assert_false(KeAreApcsDisabled());
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    assert_true(KeAreApcsDisabled());
    KeLowerIrql(old);
}

struct thread_probe {
    KIRQL initial;
    KIRQL after_raise;
    PVOID thread;
    HANDLE tid;
};

static void *probe_thread(void *arg)
{
    struct thread_probe *p = arg;
    p->initial = KeGetCurrentIrql();
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    p->after_raise = KeGetCurrentIrql();
    p->thread = KeGetCurrentThread();
    p->tid = PsGetCurrentThreadId();
    KeLowerIrql(old);
    return NULL;
}

static void irql_and_identity_are_per_thread(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    struct thread_probe p = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, probe_thread, &p), 0);
    pthread_join(th, NULL);
    assert_int_equal(p.initial, PASSIVE_LEVEL);
    assert_int_equal(p.after_raise, DISPATCH_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(old);
    PVOID me = KeGetCurrentThread();
    assert_non_null(me);
    assert_ptr_equal(KeGetCurrentThread(), me);
    assert_ptr_not_equal(p.tid, PsGetCurrentThreadId());
    assert_ptr_not_equal(PsGetCurrentThreadId(), NULL);
    assert_int_equal((ULONG_PTR)PsGetCurrentProcessId(), (ULONG_PTR)getpid());
}

struct created_probe {
    PVOID thread;
    KIRQL irql;
    char name[32];
};

static void *created_thread(void *arg)
{
    struct created_probe *p = arg;
    p->irql = KeGetCurrentIrql();
    p->thread = KeGetCurrentThread();
    pthread_getname_np(pthread_self(), p->name, sizeof p->name);
    return p;
}

static void thread_create_gives_ke_state(void **state)
{
    (void)state;
    struct created_probe p = {0};
    pthread_t th;
    assert_int_equal(ke_thread_create(&th, "kt-probe-thread-long-name", created_thread, &p), STATUS_SUCCESS);
    void *ret = NULL;
    pthread_join(th, &ret);
    assert_ptr_equal(ret, &p);
    assert_non_null(p.thread);
    assert_int_equal(p.irql, PASSIVE_LEVEL);
    assert_string_equal(p.name, "kt-probe-thread"); /* truncated to 15 characters */
}

__attribute__((visibility("default"))) void kt_named_routine(void);
static volatile int kt_sink_var;
void kt_named_routine(void)
{
    for (int i = 0; i < 4; i++)
        kt_sink_var += i;
}

static void routine_names(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(ke_routine_name((const void *)kt_named_routine, buf, sizeof buf), "kt_named_routine");
    assert_string_equal(ke_routine_name((const char *)(void *)kt_named_routine + 1, buf, sizeof buf),
                        "kt_named_routine+0x1");
    int local;
    ke_routine_name(&local, buf, sizeof buf);
    assert_true(strncmp(buf, "0x", 2) == 0);
    assert_string_equal(ke_routine_name(NULL, buf, sizeof buf), "(nil)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(initial_irql_is_passive, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(raise_and_lower_round_trip, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(raise_to_lower_level_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(lower_to_higher_level_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(paged_code_checks_irql, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(check_max_irql, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(irql_restored_check, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(callback_frame_clean, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(callback_frame_lock_held, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(callback_frame_critical_region, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(critical_regions, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(irql_and_identity_are_per_thread, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(thread_create_gives_ke_state, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(routine_names, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_irql", tests, NULL, NULL);
}
