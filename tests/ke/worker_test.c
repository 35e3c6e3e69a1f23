/* System worker threads: PASSIVE_LEVEL, queue priorities, double queueing, parameter rules,
 * routines that break the return rules, items freed by their routine, queueing from a DPC, and
 * many threads queueing at once. One worker, so the order is deterministic. */
#include "ke_test.h"

#include <sched.h>
#include <stdlib.h>

static int group_setup(void **state)
{
    (void)state;
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = 2, .workers = 1};
    return owdf_nt_start(&cfg) == STATUS_SUCCESS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return owdf_nt_stop() == STATUS_SUCCESS ? 0 : -1;
}

struct probe {
    WORK_QUEUE_ITEM item;
    LONG id;
    KIRQL irql;
    PVOID thread;
    volatile LONG runs;
    KEVENT done;
};

static LONG order[16];
static volatile LONG order_len;

static void probe_routine(PVOID Parameter)
{
    struct probe *p = Parameter;
    p->irql = KeGetCurrentIrql();
    p->thread = KeGetCurrentThread();
    if (p->item.List.Flink != NULL)
        p->irql = 0xff; /* the item must look unqueued while it runs */
    LONG slot = __atomic_fetch_add(&order_len, 1, __ATOMIC_SEQ_CST);
    if (slot < 16)
        order[slot] = p->id;
    __atomic_add_fetch(&p->runs, 1, __ATOMIC_SEQ_CST);
    KeSetEvent(&p->done, 0, FALSE);
}

static void probe_init(struct probe *p, LONG id)
{
    memset(p, 0, sizeof *p);
    p->id = id;
    ExInitializeWorkItem(&p->item, probe_routine, p);
    KeInitializeEvent(&p->done, NotificationEvent, FALSE);
}

/* An item that occupies the single worker until released. */
struct blocker {
    WORK_QUEUE_ITEM item;
    KEVENT running;
    KEVENT release;
};

static void blocker_routine(PVOID Parameter)
{
    struct blocker *b = Parameter;
    KeSetEvent(&b->running, 0, FALSE);
    KeWaitForSingleObject(&b->release, Executive, KernelMode, FALSE, NULL);
}

static void block_worker(struct blocker *b)
{
    ExInitializeWorkItem(&b->item, blocker_routine, b);
    KeInitializeEvent(&b->running, NotificationEvent, FALSE);
    KeInitializeEvent(&b->release, NotificationEvent, FALSE);
    ExQueueWorkItem(&b->item, DelayedWorkQueue);
    assert_int_equal(kt_wait_ms(&b->running, 5000), STATUS_WAIT_0);
}

static void runs_at_passive_on_a_worker(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    assert_null(p.item.List.Flink);
    ExQueueWorkItem(&p.item, DelayedWorkQueue);
    assert_int_equal(kt_wait_ms(&p.done, 5000), STATUS_WAIT_0);
    assert_int_equal(p.irql, PASSIVE_LEVEL);
    assert_non_null(p.thread);
    assert_ptr_not_equal(p.thread, KeGetCurrentThread());
    assert_int_equal(p.runs, 1);
    kt_assert_no_reports();
}

static void queue_priorities(void **state)
{
    (void)state;
    struct blocker b;
    block_worker(&b);
    struct probe d1, c1, h1, d2, c2, s1;
    probe_init(&d1, 1);
    probe_init(&c1, 2);
    probe_init(&h1, 3);
    probe_init(&d2, 4);
    probe_init(&c2, 5);
    probe_init(&s1, 6);
    order_len = 0;
    ExQueueWorkItem(&d1.item, DelayedWorkQueue);
    ExQueueWorkItem(&c1.item, CriticalWorkQueue);
    ExQueueWorkItem(&h1.item, HyperCriticalWorkQueue);
    ExQueueWorkItem(&d2.item, NormalWorkQueue);
    ExQueueWorkItem(&c2.item, CriticalWorkQueue);
    ExQueueWorkItem(&s1.item, (WORK_QUEUE_TYPE)(CustomPriorityWorkQueue + 5));
    KeSetEvent(&b.release, 0, FALSE);
    assert_int_equal(kt_wait_ms(&s1.done, 5000), STATUS_WAIT_0);
    assert_int_equal(order_len, 6);
    LONG expect[6] = {3, 2, 5, 1, 4, 6};
    for (int i = 0; i < 6; i++)
        assert_int_equal(order[i], expect[i]);
    kt_assert_no_reports();
}

static void queueing_a_queued_item_is_reported(void **state)
{
    (void)state;
    struct blocker b;
    block_worker(&b);
    struct probe p;
    probe_init(&p, 1);
    ExQueueWorkItem(&p.item, DelayedWorkQueue);
    assert_non_null(p.item.List.Flink);
    ExQueueWorkItem(&p.item, CriticalWorkQueue);
    kt_assert_reports("WORK_ITEM_ALREADY_QUEUED", 1);
    KeSetEvent(&b.release, 0, FALSE);
    assert_int_equal(kt_wait_ms(&p.done, 5000), STATUS_WAIT_0);
    kt_sleep_ms(20);
    assert_int_equal(p.runs, 1);
    assert_null(p.item.List.Flink);
}

static void invalid_parameters_are_reported(void **state)
{
    (void)state;
    ExQueueWorkItem(NULL, DelayedWorkQueue);
    WORK_QUEUE_ITEM item;
    ExInitializeWorkItem(&item, NULL, NULL);
    ExQueueWorkItem(&item, DelayedWorkQueue);
    struct probe p;
    probe_init(&p, 1);
    ExQueueWorkItem(&p.item, MaximumWorkQueue);
    ExQueueWorkItem(&p.item, (WORK_QUEUE_TYPE)100);
    kt_assert_reports("WORK_ITEM_INVALID_PARAMETER", 4);
    assert_non_null(strstr(kt_last_message("WORK_ITEM_INVALID_PARAMETER"), "invalid queue type"));
    kt_sleep_ms(10);
    assert_int_equal(p.runs, 0);
    assert_null(p.item.List.Flink);
}

struct requeue {
    WORK_QUEUE_ITEM item;
    volatile LONG runs;
    KEVENT done;
};

static void requeue_routine(PVOID Parameter)
{
    struct requeue *r = Parameter;
    if (__atomic_add_fetch(&r->runs, 1, __ATOMIC_SEQ_CST) < 5)
        ExQueueWorkItem(&r->item, DelayedWorkQueue);
    else
        KeSetEvent(&r->done, 0, FALSE);
}

static void routine_requeues_its_item(void **state)
{
    (void)state;
    struct requeue r = {0};
    ExInitializeWorkItem(&r.item, requeue_routine, &r);
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    ExQueueWorkItem(&r.item, CriticalWorkQueue);
    assert_int_equal(kt_wait_ms(&r.done, 5000), STATUS_WAIT_0);
    assert_int_equal(r.runs, 5);
    kt_assert_no_reports();
}

static KSPIN_LOCK leaked_lock;

__attribute__((visibility("default"))) void kt_work_raises_irql(PVOID Parameter);
void kt_work_raises_irql(PVOID Parameter)
{
    (void)Parameter;
    KfRaiseIrql(DISPATCH_LEVEL);
}

__attribute__((visibility("default"))) void kt_work_keeps_lock(PVOID Parameter);
void kt_work_keeps_lock(PVOID Parameter)
{
    (void)Parameter;
    KIRQL old;
    KeAcquireSpinLock(&leaked_lock, &old);
    KeLowerIrql(old); /* wrong, and the lock stays held */
}

__attribute__((visibility("default"))) void kt_work_stays_critical(PVOID Parameter);
void kt_work_stays_critical(PVOID Parameter)
{
    (void)Parameter;
    KeEnterCriticalRegion();
}

static void broken_routines_are_reported(void **state)
{
    (void)state;
    KeInitializeSpinLock(&leaked_lock);
    WORK_QUEUE_ITEM a, b, c;
    ExInitializeWorkItem(&a, kt_work_raises_irql, NULL);
    ExInitializeWorkItem(&b, kt_work_keeps_lock, NULL);
    ExInitializeWorkItem(&c, kt_work_stays_critical, NULL);
    ExQueueWorkItem(&a, DelayedWorkQueue);
    ExQueueWorkItem(&b, DelayedWorkQueue);
    ExQueueWorkItem(&c, DelayedWorkQueue);
    struct probe p;
    probe_init(&p, 1);
    ExQueueWorkItem(&p.item, DelayedWorkQueue); /* after them, on the same single worker */
    assert_int_equal(kt_wait_ms(&p.done, 5000), STATUS_WAIT_0);
    kt_assert_reports("IRQL_NOT_RESTORED", 1);
    assert_string_equal(kt_last_message("IRQL_NOT_RESTORED"),
                        "work routine kt_work_raises_irql returned at IRQL 2; it was called at IRQL 0");
    kt_assert_reports("LOCK_HELD_ON_CALLBACK_RETURN", 1);
    assert_non_null(
        strstr(kt_last_message("LOCK_HELD_ON_CALLBACK_RETURN"), "work routine kt_work_keeps_lock"));
    kt_assert_reports("APC_DISABLE_NOT_RESTORED", 1);
    assert_non_null(strstr(kt_last_message("APC_DISABLE_NOT_RESTORED"), "kt_work_stays_critical"));
    assert_int_equal(p.irql, PASSIVE_LEVEL); /* the worker goes on clean */
    kt_assert_reports(NULL, 3);
}

struct self_freeing {
    WORK_QUEUE_ITEM item;
    volatile LONG *counter;
};

static void self_freeing_routine(PVOID Parameter)
{
    struct self_freeing *s = Parameter;
    volatile LONG *counter = s->counter;
    free(s);
    __atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);
}

static struct self_freeing *new_item(volatile LONG *counter)
{
    struct self_freeing *s = malloc(sizeof *s);
    if (s == NULL)
        abort();
    s->counter = counter;
    ExInitializeWorkItem(&s->item, self_freeing_routine, s);
    return s;
}

struct from_dpc {
    KDPC dpc;
    volatile LONG *counter;
    KIRQL irql;
};

static void queue_from_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct from_dpc *f = Context;
    f->irql = KeGetCurrentIrql();
    ExQueueWorkItem(&new_item(f->counter)->item, CriticalWorkQueue);
}

static void queue_from_dpc_and_above_dispatch(void **state)
{
    (void)state;
    volatile LONG counter = 0;
    struct from_dpc f = {.counter = &counter};
    KeInitializeDpc(&f.dpc, queue_from_dpc, &f);
    assert_true(KeInsertQueueDpc(&f.dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    assert_int_equal(f.irql, DISPATCH_LEVEL);
    assert_true(kt_wait_flag(&counter, 5000));
    kt_assert_no_reports();
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old);
    ExQueueWorkItem(&new_item(&counter)->item, CriticalWorkQueue);
    KeLowerIrql(old);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
    double end = kt_now_ms() + 5000;
    while (__atomic_load_n(&counter, __ATOMIC_SEQ_CST) < 2 && kt_now_ms() < end)
        kt_sleep_ms(1);
    assert_int_equal(counter, 2); /* still queued and run */
}

#define QUEUERS 4
#define ITEMS_EACH 2000

static volatile LONG load_counter;

static void *queuer(void *arg)
{
    long id = (long)(intptr_t)arg;
    static const WORK_QUEUE_TYPE types[] = {DelayedWorkQueue, CriticalWorkQueue, HyperCriticalWorkQueue};
    for (int i = 0; i < ITEMS_EACH; i++) {
        ExQueueWorkItem(&new_item(&load_counter)->item, types[(i + id) % 3]);
        if (i % 100 == 0)
            sched_yield();
    }
    return NULL;
}

static void many_threads_queue_items(void **state)
{
    (void)state;
    load_counter = 0;
    pthread_t th[QUEUERS];
    for (long i = 0; i < QUEUERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, queuer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < QUEUERS; i++)
        pthread_join(th[i], NULL);
    double end = kt_now_ms() + 5000;
    while (__atomic_load_n(&load_counter, __ATOMIC_SEQ_CST) < QUEUERS * ITEMS_EACH && kt_now_ms() < end)
        kt_sleep_ms(1);
    kt_sleep_ms(10);
    assert_int_equal(load_counter, QUEUERS * ITEMS_EACH);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_at_passive_on_a_worker, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(queue_priorities, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(queueing_a_queued_item_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(invalid_parameters_are_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(routine_requeues_its_item, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(broken_routines_are_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(queue_from_dpc_and_above_dispatch, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(many_threads_queue_items, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_worker", tests, group_setup, group_teardown);
}
