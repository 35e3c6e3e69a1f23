/* The runtime: lazy start, reference counting, configuration, draining on stop, and the
 * SHUTDOWN_WORK_PENDING reports for timers, DPCs and work items left behind. Each test leaves
 * the runtime stopped. */
#include "ke_test.h"

#include <sched.h>

static int rt_setup(void **state)
{
    kt_setup(state);
    return owdf_nt_running() ? -1 : 0;
}

static int rt_teardown(void **state)
{
    kt_teardown(state);
    while (owdf_nt_running())
        owdf_nt_stop();
    return 0;
}

static volatile LONG dpc_runs;

static void counting_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)Context;
    (void)A1;
    (void)A2;
    __atomic_add_fetch(&dpc_runs, 1, __ATOMIC_SEQ_CST);
}

static void counting_work(PVOID Parameter)
{
    __atomic_add_fetch((volatile LONG *)Parameter, 1, __ATOMIC_SEQ_CST);
}

static void lazy_start_on_first_use(void **state)
{
    (void)state;
    assert_false(owdf_nt_running());
    assert_int_equal(owdf_nt_stop(), STATUS_INVALID_DEVICE_STATE);
    dpc_runs = 0;
    KDPC d;
    KeInitializeDpc(&d, counting_dpc, NULL);
    assert_true(KeInsertQueueDpc(&d, NULL, NULL));
    assert_true(owdf_nt_running());
    KeFlushQueuedDpcs();
    assert_int_equal(dpc_runs, 1);
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    assert_false(owdf_nt_running());

    KTIMER t;
    KeInitializeTimer(&t);
    KeSetTimer(&t, kt_relative_ms(1), NULL);
    assert_true(owdf_nt_running());
    assert_int_equal(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);

    volatile LONG work = 0;
    WORK_QUEUE_ITEM item;
    ExInitializeWorkItem(&item, counting_work, (PVOID)&work);
    ExQueueWorkItem(&item, DelayedWorkQueue);
    assert_true(owdf_nt_running());
    assert_true(kt_wait_flag(&work, 5000));
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    assert_false(owdf_nt_running());
    kt_assert_no_reports();
}

static void start_is_reference_counted(void **state)
{
    (void)state;
    ULONG default_count = KeQueryActiveProcessorCount(NULL);
    assert_int_equal(owdf_nt_start(NULL), STATUS_SUCCESS);
    assert_int_equal(KeQueryActiveProcessorCount(NULL), default_count);
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = default_count + 1};
    assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS); /* a reference; the configuration stays */
    assert_int_equal(KeQueryActiveProcessorCount(NULL), default_count);
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    assert_true(owdf_nt_running());
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    assert_false(owdf_nt_running());
    assert_int_equal(owdf_nt_stop(), STATUS_INVALID_DEVICE_STATE);
}

static void configuration_is_validated(void **state)
{
    (void)state;
    owdf_nt_config cfg = {.size = 0};
    assert_int_equal(owdf_nt_start(&cfg), STATUS_INVALID_PARAMETER);
    cfg.size = sizeof cfg;
    cfg.processors = MAXIMUM_PROCESSORS + 1;
    assert_int_equal(owdf_nt_start(&cfg), STATUS_INVALID_PARAMETER);
    cfg.processors = 1;
    cfg.workers = OWDF_NT_MAX_WORKERS + 1;
    assert_int_equal(owdf_nt_start(&cfg), STATUS_INVALID_PARAMETER);
    assert_false(owdf_nt_running());
    /* The first version of the struct (no drain_timeout_ms) is accepted. */
    cfg.size = OWDF_NT_CONFIG_V1_SIZE;
    cfg.workers = 1;
    assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS);
    assert_int_equal(KeQueryActiveProcessorCount(NULL), 1);
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
}

struct rendezvous {
    WORK_QUEUE_ITEM item;
    volatile LONG *arrived;
    LONG saw;
};

static void rendezvous_work(PVOID Parameter)
{
    struct rendezvous *r = Parameter;
    __atomic_add_fetch(r->arrived, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 5000 && __atomic_load_n(r->arrived, __ATOMIC_SEQ_CST) < 3; i++)
        KeStallExecutionProcessor(1000);
    r->saw = __atomic_load_n(r->arrived, __ATOMIC_SEQ_CST);
}

static void configured_processors_and_workers(void **state)
{
    (void)state;
    ULONG default_count = KeQueryActiveProcessorCount(NULL);
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = 3, .workers = 3};
    assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS);
    assert_int_equal(KeQueryActiveProcessorCount(NULL), 3);
    /* Three workers run three items at once. */
    volatile LONG arrived = 0;
    struct rendezvous r[3];
    for (int i = 0; i < 3; i++) {
        r[i].arrived = &arrived;
        r[i].saw = 0;
        ExInitializeWorkItem(&r[i].item, rendezvous_work, &r[i]);
        ExQueueWorkItem(&r[i].item, DelayedWorkQueue);
    }
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS); /* drains */
    for (int i = 0; i < 3; i++)
        assert_int_equal(r[i].saw, 3);
    assert_int_equal(KeQueryActiveProcessorCount(NULL), default_count);
    kt_assert_no_reports();
}

static void slow_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)Context;
    (void)A1;
    (void)A2;
    KeStallExecutionProcessor(2000);
    __atomic_add_fetch(&dpc_runs, 1, __ATOMIC_SEQ_CST);
}

static void slow_work(PVOID Parameter)
{
    LARGE_INTEGER t = kt_relative_ms(3);
    KeDelayExecutionThread(KernelMode, FALSE, &t);
    __atomic_add_fetch((volatile LONG *)Parameter, 1, __ATOMIC_SEQ_CST);
}

static void stop_drains_queued_work(void **state)
{
    (void)state;
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = 1, .workers = 1};
    assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS);
    enum { DPCS = 30, ITEMS = 10 };
    KDPC d[DPCS];
    WORK_QUEUE_ITEM w[ITEMS];
    volatile LONG work = 0;
    dpc_runs = 0;
    for (int i = 0; i < DPCS; i++) {
        KeInitializeDpc(&d[i], slow_dpc, NULL);
        assert_true(KeInsertQueueDpc(&d[i], NULL, NULL));
    }
    for (int i = 0; i < ITEMS; i++) {
        ExInitializeWorkItem(&w[i], slow_work, (PVOID)&work);
        ExQueueWorkItem(&w[i], DelayedWorkQueue);
    }
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    assert_int_equal(dpc_runs, DPCS);
    assert_int_equal(work, ITEMS);
    kt_assert_no_reports();
}

__attribute__((visibility("default"))) void kt_rt_timer_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2);
void kt_rt_timer_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    counting_dpc(Dpc, Context, A1, A2);
}

static void stop_reports_timers_still_set(void **state)
{
    (void)state;
    assert_int_equal(owdf_nt_start(NULL), STATUS_SUCCESS);
    KTIMER t1, t2;
    KDPC d;
    KeInitializeTimer(&t1);
    KeInitializeTimerEx(&t2, SynchronizationTimer);
    KeInitializeDpc(&d, kt_rt_timer_dpc, NULL);
    KeSetTimer(&t1, kt_relative_ms(60 * 60 * 1000), &d);
    KeSetTimerEx(&t2, kt_relative_ms(60 * 60 * 1000), 1000, NULL);
    assert_int_equal(owdf_nt_stop(), STATUS_UNSUCCESSFUL);
    kt_assert_reports("SHUTDOWN_WORK_PENDING", 2);
    kt_assert_reports(NULL, 2);
    owdf_verifier_report r;
    int named = 0;
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(owdf_verifier_get_report(i, &r), 0);
        assert_string_equal(r.object_type, "KTIMER");
        assert_int_equal(r.policy, OWDF_POLICY_LOG);
        if (strstr(r.message, "(DPC routine kt_rt_timer_dpc)") != NULL)
            named++;
        else
            assert_non_null(strstr(r.message, "(DPC routine none)"));
    }
    assert_int_equal(named, 1);
    assert_false(KeCancelTimer(&t1)); /* cancelled by the stop */
    assert_false(KeCancelTimer(&t2));
    assert_false(owdf_nt_running());
}

/* ---- DPCs and work items left behind ----------------------------------------------------------- */

static volatile LONG release_blocked;
static KEVENT release_work;
static KTIMER late_timer;

static void releasing_sink(const owdf_verifier_report *report, void *context)
{
    (void)context;
    kt_quiet_sink(report, NULL);
    if (strstr(report->message, "still running") != NULL) {
        __atomic_store_n(&release_blocked, 1, __ATOMIC_SEQ_CST);
        KeSetEvent(&release_work, 0, FALSE);
    }
}

__attribute__((visibility("default"))) void kt_rt_blocking_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2);
void kt_rt_blocking_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    __atomic_store_n((volatile LONG *)Context, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&release_blocked, __ATOMIC_SEQ_CST))
        KeStallExecutionProcessor(100);
    /* Released during the stop, after the timer service stopped: only the final sweep sees this. */
    KeSetTimer(&late_timer, kt_relative_ms(60 * 60 * 1000), NULL);
}

__attribute__((visibility("default"))) void kt_rt_queued_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2);
void kt_rt_queued_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    counting_dpc(Dpc, Context, A1, A2);
}

static void stop_reports_dpcs_left_behind(void **state)
{
    (void)state;
    owdf_verifier_set_sink(releasing_sink, NULL);
    release_blocked = 0;
    dpc_runs = 0;
    KeInitializeTimer(&late_timer);
    KeInitializeEvent(&release_work, NotificationEvent, FALSE);
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = 1, .workers = 1, .drain_timeout_ms = 50};
    assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS);
    volatile LONG started = 0;
    KDPC blocking, queued;
    KeInitializeDpc(&blocking, kt_rt_blocking_dpc, (PVOID)&started);
    KeInitializeDpc(&queued, kt_rt_queued_dpc, NULL);
    assert_true(KeInsertQueueDpc(&blocking, NULL, NULL));
    assert_true(kt_wait_flag(&started, 5000));
    assert_true(KeInsertQueueDpc(&queued, NULL, NULL));
    double t0 = kt_now_ms();
    assert_int_equal(owdf_nt_stop(), STATUS_UNSUCCESSFUL);
    assert_true(kt_now_ms() - t0 >= 45); /* it waited for the drain first */
    assert_int_equal(dpc_runs, 0);       /* the queued one was removed, not run */
    assert_null(queued.DpcData);
    kt_assert_reports("SHUTDOWN_WORK_PENDING", 3);
    kt_assert_reports(NULL, 3);
    owdf_verifier_report r;
    assert_int_equal(owdf_verifier_get_report(0, &r), 0);
    assert_non_null(strstr(r.message, "(routine kt_rt_queued_dpc) still queued on processor 0"));
    assert_ptr_equal(r.object, &queued);
    assert_int_equal(owdf_verifier_get_report(1, &r), 0);
    assert_non_null(strstr(r.message, "DPC routine kt_rt_blocking_dpc still running on processor 0"));
    assert_int_equal(owdf_verifier_get_report(2, &r), 0);
    assert_ptr_equal(r.object, &late_timer);
    assert_false(KeCancelTimer(&late_timer));
    assert_false(owdf_nt_running());
}

__attribute__((visibility("default"))) void kt_rt_blocking_work(PVOID Parameter);
void kt_rt_blocking_work(PVOID Parameter)
{
    __atomic_store_n((volatile LONG *)Parameter, 1, __ATOMIC_SEQ_CST);
    KeWaitForSingleObject(&release_work, Executive, KernelMode, FALSE, NULL);
}

__attribute__((visibility("default"))) void kt_rt_queued_work(PVOID Parameter);
void kt_rt_queued_work(PVOID Parameter)
{
    counting_work(Parameter);
}

static void stop_reports_work_items_left_behind(void **state)
{
    (void)state;
    owdf_verifier_set_sink(releasing_sink, NULL);
    KeInitializeEvent(&release_work, NotificationEvent, FALSE);
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = 1, .workers = 1, .drain_timeout_ms = 30};
    assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS);
    volatile LONG started = 0, queued_runs = 0;
    WORK_QUEUE_ITEM blocking, queued;
    ExInitializeWorkItem(&blocking, kt_rt_blocking_work, (PVOID)&started);
    ExInitializeWorkItem(&queued, kt_rt_queued_work, (PVOID)&queued_runs);
    ExQueueWorkItem(&blocking, CriticalWorkQueue);
    assert_true(kt_wait_flag(&started, 5000));
    ExQueueWorkItem(&queued, DelayedWorkQueue);
    assert_int_equal(owdf_nt_stop(), STATUS_UNSUCCESSFUL);
    assert_int_equal(queued_runs, 0);
    assert_null(queued.List.Flink); /* unqueued: it may be queued again later */
    kt_assert_reports("SHUTDOWN_WORK_PENDING", 2);
    owdf_verifier_report r;
    assert_int_equal(owdf_verifier_get_report(0, &r), 0);
    assert_non_null(strstr(r.message, "(routine kt_rt_queued_work) still queued at shutdown; removed"));
    assert_int_equal(owdf_verifier_get_report(1, &r), 0);
    assert_non_null(strstr(r.message, "work routine kt_rt_blocking_work still running"));
    /* A later use starts the runtime again. */
    ExQueueWorkItem(&queued, DelayedWorkQueue);
    assert_true(kt_wait_flag(&queued_runs, 5000));
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
}

struct from_inside {
    KDPC dpc;
    WORK_QUEUE_ITEM item;
    NTSTATUS dpc_stop, dpc_start, work_stop, work_start;
    KEVENT done;
};

static void stop_from_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct from_inside *f = Context;
    f->dpc_stop = owdf_nt_stop();
    f->dpc_start = owdf_nt_start(NULL);
}

static void stop_from_work(PVOID Parameter)
{
    struct from_inside *f = Parameter;
    f->work_stop = owdf_nt_stop();
    f->work_start = owdf_nt_start(NULL);
    KeSetEvent(&f->done, 0, FALSE);
}

static void start_and_stop_refused_on_runtime_threads(void **state)
{
    (void)state;
    assert_int_equal(owdf_nt_start(NULL), STATUS_SUCCESS);
    struct from_inside f;
    KeInitializeEvent(&f.done, NotificationEvent, FALSE);
    KeInitializeDpc(&f.dpc, stop_from_dpc, &f);
    ExInitializeWorkItem(&f.item, stop_from_work, &f);
    assert_true(KeInsertQueueDpc(&f.dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    ExQueueWorkItem(&f.item, DelayedWorkQueue);
    assert_int_equal(kt_wait_ms(&f.done, 5000), STATUS_WAIT_0);
    assert_int_equal(f.dpc_stop, STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(f.dpc_start, STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(f.work_stop, STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(f.work_start, STATUS_INVALID_DEVICE_STATE);
    assert_true(owdf_nt_running());
    assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    assert_false(owdf_nt_running());
}

static void restart_cycles(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        owdf_nt_config cfg = {.size = sizeof cfg, .processors = 1 + (unsigned)(i % 2), .workers = 1};
        assert_int_equal(owdf_nt_start(&cfg), STATUS_SUCCESS);
        dpc_runs = 0;
        KDPC d;
        KeInitializeDpc(&d, counting_dpc, NULL);
        assert_true(KeInsertQueueDpc(&d, NULL, NULL));
        KeFlushQueuedDpcs();
        assert_int_equal(dpc_runs, 1);
        assert_int_equal(owdf_nt_stop(), STATUS_SUCCESS);
    }
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lazy_start_on_first_use, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(start_is_reference_counted, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(configuration_is_validated, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(configured_processors_and_workers, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(stop_drains_queued_work, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(stop_reports_timers_still_set, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(stop_reports_dpcs_left_behind, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(stop_reports_work_items_left_behind, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(start_and_stop_refused_on_runtime_threads, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(restart_cycles, rt_setup, rt_teardown),
    };
    return cmocka_run_group_tests_name("ke_runtime", tests, NULL, NULL);
}
