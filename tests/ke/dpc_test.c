/* DPCs on virtual processors: IRQL, targeting, queue order and importance, double insertion,
 * removal, flushing, routines that break the return rules, and inserts from many threads. */
#include "ke_test.h"

#include <sched.h>

#define VPS 2

static int group_setup(void **state)
{
    (void)state;
    owdf_nt_config cfg = {.size = sizeof cfg, .processors = VPS, .workers = 2};
    return owdf_nt_start(&cfg) == STATUS_SUCCESS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return owdf_nt_stop() == STATUS_SUCCESS ? 0 : -1;
}

/* ---- A DPC that keeps its processor busy until released ---------------------------------- */

struct blocker {
    KDPC dpc;
    volatile LONG running;
    volatile LONG release;
};

static void blocker_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct blocker *b = Context;
    __atomic_store_n(&b->running, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&b->release, __ATOMIC_SEQ_CST))
        KeStallExecutionProcessor(50);
}

static void block_vp(struct blocker *b, CCHAR vp)
{
    memset(b, 0, sizeof *b);
    KeInitializeDpc(&b->dpc, blocker_routine, b);
    KeSetTargetProcessorDpc(&b->dpc, vp);
    assert_true(KeInsertQueueDpc(&b->dpc, NULL, NULL));
    assert_true(kt_wait_flag(&b->running, 5000));
}

static void unblock_vp(struct blocker *b)
{
    __atomic_store_n(&b->release, 1, __ATOMIC_SEQ_CST);
    KeFlushQueuedDpcs();
}

/* ---- Recording routine ------------------------------------------------------------------------ */

struct probe {
    KDPC dpc;
    volatile LONG runs;
    KIRQL irql;
    ULONG processor;
    PVOID arg1, arg2;
    KEVENT done;
};

static LONG order[16];
static volatile LONG order_len;

static void probe_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    struct probe *p = Context;
    p->irql = KeGetCurrentIrql();
    p->processor = KeGetCurrentProcessorNumber();
    p->arg1 = A1;
    p->arg2 = A2;
    if (Dpc != &p->dpc)
        p->irql = 0xff;
    LONG slot = __atomic_fetch_add(&order_len, 1, __ATOMIC_SEQ_CST);
    if (slot < 16)
        order[slot] = (LONG)(intptr_t)p->arg1;
    __atomic_add_fetch(&p->runs, 1, __ATOMIC_SEQ_CST);
    KeSetEvent(&p->done, 0, FALSE);
}

static void probe_init(struct probe *p)
{
    memset(p, 0, sizeof *p);
    KeInitializeDpc(&p->dpc, probe_routine, p);
    KeInitializeEvent(&p->done, NotificationEvent, FALSE);
}

static void dpc_runs_at_dispatch_on_a_vp(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p);
    assert_true(KeInsertQueueDpc(&p.dpc, (PVOID)1, (PVOID)2));
    assert_int_equal(kt_wait_ms(&p.done, 5000), STATUS_WAIT_0);
    assert_int_equal(p.irql, DISPATCH_LEVEL);
    assert_true(p.processor < VPS);
    assert_ptr_equal(p.arg1, (PVOID)1);
    assert_ptr_equal(p.arg2, (PVOID)2);
    assert_null(p.dpc.DpcData);
    KeFlushQueuedDpcs();
    assert_int_equal(p.runs, 1);
    kt_assert_no_reports();
}

static void insert_while_queued_returns_false(void **state)
{
    (void)state;
    struct blocker b;
    block_vp(&b, 0);
    struct probe p;
    probe_init(&p);
    KeSetTargetProcessorDpc(&p.dpc, 0);
    assert_true(KeInsertQueueDpc(&p.dpc, (PVOID)1, (PVOID)2));
    assert_false(KeInsertQueueDpc(&p.dpc, (PVOID)3, (PVOID)4));
    unblock_vp(&b);
    assert_int_equal(p.runs, 1);
    assert_ptr_equal(p.arg1, (PVOID)1); /* the arguments of the insert that queued it */
    assert_ptr_equal(p.arg2, (PVOID)2);
    assert_int_equal(p.processor, 0);
    kt_assert_no_reports();
}

static void importance_orders_the_queue(void **state)
{
    (void)state;
    struct blocker b;
    block_vp(&b, 1);
    struct probe a, bb, low, high, mh;
    struct probe *all[] = {&a, &bb, &low, &high, &mh};
    for (int i = 0; i < 5; i++) {
        probe_init(all[i]);
        KeSetTargetProcessorDpc(&all[i]->dpc, 1);
    }
    KeSetImportanceDpc(&low.dpc, LowImportance);
    KeSetImportanceDpc(&high.dpc, HighImportance);
    KeSetImportanceDpc(&mh.dpc, MediumHighImportance);
    order_len = 0;
    assert_true(KeInsertQueueDpc(&a.dpc, (PVOID)1, NULL));
    assert_true(KeInsertQueueDpc(&bb.dpc, (PVOID)2, NULL));
    assert_true(KeInsertQueueDpc(&low.dpc, (PVOID)3, NULL));
    assert_true(KeInsertQueueDpc(&high.dpc, (PVOID)4, NULL));
    assert_true(KeInsertQueueDpc(&mh.dpc, (PVOID)5, NULL));
    unblock_vp(&b);
    assert_int_equal(order_len, 5);
    LONG expect[5] = {4, 1, 2, 3, 5}; /* high at the head, the rest in insertion order */
    for (int i = 0; i < 5; i++)
        assert_int_equal(order[i], expect[i]);
    for (int i = 0; i < 5; i++)
        assert_int_equal(all[i]->processor, 1);
}

static void remove_queued_dpc(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p);
    assert_false(KeRemoveQueueDpc(&p.dpc));
    struct blocker b;
    block_vp(&b, 0);
    KeSetTargetProcessorDpc(&p.dpc, 0);
    assert_true(KeInsertQueueDpc(&p.dpc, NULL, NULL));
    assert_true(KeRemoveQueueDpc(&p.dpc));
    assert_false(KeRemoveQueueDpc(&p.dpc));
    assert_null(p.dpc.DpcData);
    unblock_vp(&b);
    assert_int_equal(p.runs, 0);
    assert_true(KeInsertQueueDpc(&p.dpc, NULL, NULL)); /* can be queued again */
    KeFlushQueuedDpcs();
    assert_int_equal(p.runs, 1);
    kt_assert_no_reports();
}

static volatile LONG flush_counter;

static void counting_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)Context;
    (void)A1;
    (void)A2;
    KeStallExecutionProcessor(100);
    __atomic_add_fetch(&flush_counter, 1, __ATOMIC_SEQ_CST);
}

static void flush_waits_for_everything_queued(void **state)
{
    (void)state;
    enum { N = 200 };
    static KDPC dpcs[N];
    flush_counter = 0;
    for (int i = 0; i < N; i++) {
        KeInitializeDpc(&dpcs[i], counting_routine, NULL);
        if (i % 3 == 0)
            KeSetTargetProcessorDpc(&dpcs[i], (CCHAR)(i % VPS));
        assert_true(KeInsertQueueDpc(&dpcs[i], NULL, NULL));
    }
    KeFlushQueuedDpcs();
    assert_int_equal(flush_counter, N);
    kt_assert_no_reports();
}

static void target_processor(void **state)
{
    (void)state;
    for (CCHAR vp = 0; vp < VPS; vp++) {
        struct probe p;
        probe_init(&p);
        KeSetTargetProcessorDpc(&p.dpc, vp);
        assert_true(KeInsertQueueDpc(&p.dpc, NULL, NULL));
        assert_int_equal(kt_wait_ms(&p.done, 5000), STATUS_WAIT_0);
        KeFlushQueuedDpcs();
        assert_int_equal(p.processor, (ULONG)vp);
    }
    kt_assert_no_reports();
    struct probe p;
    probe_init(&p);
    KeSetTargetProcessorDpc(&p.dpc, VPS);
    KeSetTargetProcessorDpc(&p.dpc, -1);
    kt_assert_reports("INVALID_PROCESSOR_NUMBER", 2);
    assert_int_equal(p.dpc.Number, 0); /* unchanged */
}

struct chain {
    KDPC first, second;
    ULONG first_cpu, second_cpu;
    KEVENT done;
};

static void chain_second(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct chain *c = Context;
    c->second_cpu = KeGetCurrentProcessorNumber();
    KeSetEvent(&c->done, 0, FALSE);
}

static void chain_first(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct chain *c = Context;
    c->first_cpu = KeGetCurrentProcessorNumber();
    KeInsertQueueDpc(&c->second, NULL, NULL);
}

static void dpc_queued_from_dpc_stays_on_its_processor(void **state)
{
    (void)state;
    struct chain c;
    KeInitializeEvent(&c.done, NotificationEvent, FALSE);
    KeInitializeDpc(&c.first, chain_first, &c);
    KeInitializeDpc(&c.second, chain_second, &c);
    KeSetTargetProcessorDpc(&c.first, 1);
    assert_true(KeInsertQueueDpc(&c.first, NULL, NULL));
    assert_int_equal(kt_wait_ms(&c.done, 5000), STATUS_WAIT_0);
    KeFlushQueuedDpcs();
    assert_int_equal(c.first_cpu, 1);
    assert_int_equal(c.second_cpu, 1);
}

struct requeue {
    KDPC dpc;
    volatile LONG runs;
    KEVENT done;
};

static void requeue_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)A1;
    (void)A2;
    struct requeue *r = Context;
    if (__atomic_add_fetch(&r->runs, 1, __ATOMIC_SEQ_CST) < 10) {
        if (!KeInsertQueueDpc(Dpc, NULL, NULL))
            __atomic_store_n(&r->runs, 1000, __ATOMIC_SEQ_CST);
    } else {
        KeSetEvent(&r->done, 0, FALSE);
    }
}

static void dpc_requeues_itself(void **state)
{
    (void)state;
    struct requeue r = {0};
    KeInitializeDpc(&r.dpc, requeue_routine, &r);
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    assert_true(KeInsertQueueDpc(&r.dpc, NULL, NULL));
    assert_int_equal(kt_wait_ms(&r.done, 5000), STATUS_WAIT_0);
    KeFlushQueuedDpcs();
    assert_int_equal(r.runs, 10);
}

/* Broken routines: exported so that the reports can name them. */
__attribute__((visibility("default"))) void kt_dpc_raises_irql(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2);
void kt_dpc_raises_irql(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)Context;
    (void)A1;
    (void)A2;
    KfRaiseIrql(HIGH_LEVEL);
}

static KSPIN_LOCK leaked_lock;

__attribute__((visibility("default"))) void kt_dpc_keeps_lock(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2);
void kt_dpc_keeps_lock(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)Context;
    (void)A1;
    (void)A2;
    KeAcquireSpinLockAtDpcLevel(&leaked_lock);
}

static void broken_routines_are_reported(void **state)
{
    (void)state;
    KDPC d;
    KeInitializeDpc(&d, kt_dpc_raises_irql, NULL);
    KeSetTargetProcessorDpc(&d, 0);
    assert_true(KeInsertQueueDpc(&d, NULL, NULL));
    KeFlushQueuedDpcs();
    kt_assert_reports("IRQL_NOT_RESTORED", 1);
    assert_string_equal(kt_last_message("IRQL_NOT_RESTORED"),
                        "DPC routine kt_dpc_raises_irql returned at IRQL 15; it was called at IRQL 2");

    KeInitializeSpinLock(&leaked_lock);
    KeInitializeDpc(&d, kt_dpc_keeps_lock, NULL);
    KeSetTargetProcessorDpc(&d, 0);
    assert_true(KeInsertQueueDpc(&d, NULL, NULL));
    KeFlushQueuedDpcs();
    kt_assert_reports("LOCK_HELD_ON_CALLBACK_RETURN", 1);
    assert_non_null(strstr(kt_last_message("LOCK_HELD_ON_CALLBACK_RETURN"), "DPC routine kt_dpc_keeps_lock"));

    /* The processor goes on at DISPATCH_LEVEL with a clean count. */
    struct probe p;
    probe_init(&p);
    KeSetTargetProcessorDpc(&p.dpc, 0);
    assert_true(KeInsertQueueDpc(&p.dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    assert_int_equal(p.irql, DISPATCH_LEVEL);
    kt_assert_reports(NULL, 2);
}

struct in_dpc {
    KDPC dpc;
    KEVENT event;
    NTSTATUS poll, blocking;
    BOOLEAN flushed;
};

static void waiting_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct in_dpc *x = Context;
    x->poll = kt_wait_ms(&x->event, 0);
    x->blocking = kt_wait_ms(&x->event, 1);
    KeFlushQueuedDpcs(); /* PASSIVE_LEVEL only: reported, returns at once */
    x->flushed = TRUE;
}

static void waits_and_flush_in_a_dpc(void **state)
{
    (void)state;
    struct in_dpc x = {0};
    KeInitializeEvent(&x.event, NotificationEvent, FALSE);
    KeInitializeDpc(&x.dpc, waiting_routine, &x);
    assert_true(KeInsertQueueDpc(&x.dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    assert_true(x.flushed);
    assert_int_equal(x.poll, STATUS_TIMEOUT);
    assert_int_equal(x.blocking, STATUS_TIMEOUT);
    kt_assert_reports("BLOCKING_CALL_AT_DISPATCH", 1);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
    assert_non_null(strstr(kt_last_message("DDI_ABOVE_MAX_IRQL"), "KeFlushQueuedDpcs"));
}

static void threaded_dpc_runs_at_dispatch(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p);
    KeInitializeThreadedDpc(&p.dpc, probe_routine, &p);
    assert_true(KeInsertQueueDpc(&p.dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.irql, DISPATCH_LEVEL);
}

static void uninitialized_dpc_is_reported(void **state)
{
    (void)state;
    KDPC d;
    memset(&d, 0, sizeof d);
    assert_false(KeInsertQueueDpc(&d, NULL, NULL));
    assert_false(KeRemoveQueueDpc(&d));
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 2);
    KeInitializeDpc(&d, NULL, NULL); /* no routine */
    assert_false(KeInsertQueueDpc(&d, NULL, NULL));
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 3);
}

static void processor_queries(void **state)
{
    (void)state;
    KAFFINITY aff = 0;
    assert_int_equal(KeQueryActiveProcessorCount(&aff), VPS);
    assert_int_equal(aff, 3);
    assert_int_equal(KeQueryActiveProcessorCount(NULL), VPS);
    assert_int_equal(KeQueryMaximumProcessorCount(), VPS);
    assert_int_equal(KeQueryActiveProcessors(), 3);
    assert_int_equal(KeNumberProcessors, VPS);
    PROCESSOR_NUMBER pn = {.Group = 7};
    ULONG n = KeGetCurrentProcessorNumberEx(&pn);
    assert_true(n < VPS);
    assert_int_equal(pn.Group, 0);
    assert_true(pn.Number < VPS);
    assert_true(KeGetCurrentProcessorNumber() < VPS);
}

/* ---- Many inserters ------------------------------------------------------------------------ */

#define INSERTERS 4
#define DPCS_EACH 8
#define INSERTS_EACH 4000

struct load_dpc {
    KDPC dpc;
    volatile LONG runs;
    volatile LONG inside;
    volatile LONG overlap;
};

static struct load_dpc load[INSERTERS][DPCS_EACH];
static volatile LONG inserted;

static void load_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct load_dpc *l = Context;
    if (__atomic_add_fetch(&l->inside, 1, __ATOMIC_SEQ_CST) != 1)
        __atomic_store_n(&l->overlap, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&l->runs, 1, __ATOMIC_SEQ_CST);
    __atomic_sub_fetch(&l->inside, 1, __ATOMIC_SEQ_CST);
}

static void *inserter(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int i = 0; i < INSERTS_EACH; i++) {
        struct load_dpc *l = &load[id][i % DPCS_EACH];
        if (KeInsertQueueDpc(&l->dpc, NULL, NULL))
            __atomic_add_fetch(&inserted, 1, __ATOMIC_SEQ_CST);
        if (i % 7 == 0 && KeRemoveQueueDpc(&load[id][(i + 3) % DPCS_EACH].dpc))
            __atomic_sub_fetch(&inserted, 1, __ATOMIC_SEQ_CST);
        if (i % 64 == 0)
            sched_yield();
    }
    return NULL;
}

static void inserts_from_many_threads(void **state)
{
    (void)state;
    inserted = 0;
    for (int t = 0; t < INSERTERS; t++) {
        for (int i = 0; i < DPCS_EACH; i++) {
            memset(&load[t][i], 0, sizeof load[t][i]);
            KeInitializeDpc(&load[t][i].dpc, load_routine, &load[t][i]);
            if (i & 1)
                KeSetImportanceDpc(&load[t][i].dpc, HighImportance);
        }
    }
    pthread_t th[INSERTERS];
    for (long t = 0; t < INSERTERS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, inserter, (void *)(intptr_t)t), 0);
    for (int t = 0; t < INSERTERS; t++)
        pthread_join(th[t], NULL);
    KeFlushQueuedDpcs();
    LONG runs = 0;
    for (int t = 0; t < INSERTERS; t++) {
        for (int i = 0; i < DPCS_EACH; i++) {
            runs += load[t][i].runs;
            assert_int_equal(load[t][i].overlap, 0);
            assert_null(load[t][i].dpc.DpcData);
        }
    }
    assert_int_equal(runs, inserted); /* each successful insert ran exactly once */
    assert_true(runs > 0);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dpc_runs_at_dispatch_on_a_vp, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(insert_while_queued_returns_false, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(importance_orders_the_queue, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(remove_queued_dpc, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(flush_waits_for_everything_queued, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(target_processor, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(dpc_queued_from_dpc_stays_on_its_processor, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(dpc_requeues_itself, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(broken_routines_are_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(waits_and_flush_in_a_dpc, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(threaded_dpc_runs_at_dispatch, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(uninitialized_dpc_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(processor_queries, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(inserts_from_many_threads, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_dpc", tests, group_setup, group_teardown);
}
