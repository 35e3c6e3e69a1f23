/* KTIMER: one-shot, periodic, relative and absolute due times, replacement, cancellation,
 * timers as dispatcher objects, DPC arguments and processor, the IRQL and initialization
 * rules, and a thousand timers set from several threads all firing exactly once. */
#include "ke_test.h"

#include <sched.h>
#include <stdlib.h>

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

struct shot {
    KTIMER timer;
    KDPC dpc;
    volatile LONG fires;
    ULONGLONG fired_at; /* interrupt time */
    LONGLONG arg_time;  /* system time from the DPC arguments */
    ULONG processor;
    KEVENT fired;
};

static void shot_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    struct shot *s = Context;
    s->fired_at = KeQueryInterruptTime();
    s->arg_time = (LONGLONG)(((ULONGLONG)(ULONG)(ULONG_PTR)A2 << 32) | (ULONG)(ULONG_PTR)A1);
    s->processor = KeGetCurrentProcessorNumber();
    __atomic_add_fetch(&s->fires, 1, __ATOMIC_SEQ_CST);
    KeSetEvent(&s->fired, 0, FALSE);
}

static void shot_init(struct shot *s)
{
    memset(s, 0, sizeof *s);
    KeInitializeTimer(&s->timer);
    KeInitializeDpc(&s->dpc, shot_routine, s);
    KeInitializeEvent(&s->fired, NotificationEvent, FALSE);
}

static void one_shot_relative(void **state)
{
    (void)state;
    struct shot s;
    shot_init(&s);
    assert_false(KeReadStateTimer(&s.timer));
    ULONGLONG set_at = KeQueryInterruptTime();
    assert_false(KeSetTimer(&s.timer, kt_relative_ms(20), &s.dpc));
    assert_int_equal(kt_wait_ms(&s.fired, 5000), STATUS_WAIT_0);
    assert_true(s.fired_at - set_at >= 200000); /* not before its due time */
    assert_true(KeReadStateTimer(&s.timer));
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    assert_true(now.QuadPart - s.arg_time >= 0);
    assert_true(now.QuadPart - s.arg_time < 10000000);
    assert_true(s.processor < VPS);
    kt_sleep_ms(30);
    KeFlushQueuedDpcs();
    assert_int_equal(s.fires, 1);
    assert_false(KeCancelTimer(&s.timer)); /* it is no longer set */
    kt_assert_no_reports();
}

static void timer_is_a_dispatcher_object(void **state)
{
    (void)state;
    KTIMER t;
    KeInitializeTimerEx(&t, NotificationTimer);
    double t0 = kt_now_ms();
    KeSetTimer(&t, kt_relative_ms(15), NULL);
    assert_int_equal(kt_wait_ms(&t, 0), STATUS_TIMEOUT);
    assert_int_equal(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_true(kt_now_ms() - t0 >= 14.9);
    assert_int_equal(kt_wait_ms(&t, 0), STATUS_WAIT_0); /* a notification timer stays signaled */
    KeSetTimer(&t, kt_relative_ms(10000), NULL);
    assert_false(KeReadStateTimer(&t)); /* setting resets it */
    assert_true(KeCancelTimer(&t));

    KTIMER st;
    KeInitializeTimerEx(&st, SynchronizationTimer);
    KeSetTimer(&st, kt_relative_ms(5), NULL);
    assert_int_equal(KeWaitForSingleObject(&st, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_false(KeReadStateTimer(&st)); /* a synchronization timer releases one wait */
    assert_int_equal(kt_wait_ms(&st, 0), STATUS_TIMEOUT);
    kt_assert_no_reports();
}

static void absolute_and_past_due_times(void **state)
{
    (void)state;
    struct shot s;
    shot_init(&s);
    LARGE_INTEGER due;
    KeQuerySystemTime(&due);
    due.QuadPart += 20 * 10000;
    double t0 = kt_now_ms();
    KeSetTimer(&s.timer, due, &s.dpc);
    assert_int_equal(kt_wait_ms(&s.fired, 5000), STATUS_WAIT_0);
    assert_true(kt_now_ms() - t0 >= 15);
    struct shot p;
    shot_init(&p);
    due.QuadPart = 0; /* absolute 1601: long past */
    t0 = kt_now_ms();
    KeSetTimer(&p.timer, due, &p.dpc);
    assert_int_equal(kt_wait_ms(&p.fired, 5000), STATUS_WAIT_0);
    assert_true(kt_now_ms() - t0 < 1000);
    KeFlushQueuedDpcs();
    kt_assert_no_reports();
}

static void reset_replaces_and_cancel(void **state)
{
    (void)state;
    struct shot s;
    shot_init(&s);
    assert_false(KeSetTimer(&s.timer, kt_relative_ms(60 * 60 * 1000), &s.dpc));
    assert_true(KeSetTimer(&s.timer, kt_relative_ms(10), &s.dpc)); /* was set: replaced */
    assert_int_equal(kt_wait_ms(&s.fired, 5000), STATUS_WAIT_0);
    kt_sleep_ms(20);
    KeFlushQueuedDpcs();
    assert_int_equal(s.fires, 1);

    struct shot c;
    shot_init(&c);
    KeSetTimer(&c.timer, kt_relative_ms(30), &c.dpc);
    assert_true(KeCancelTimer(&c.timer));
    assert_false(KeCancelTimer(&c.timer));
    kt_sleep_ms(60);
    KeFlushQueuedDpcs();
    assert_int_equal(c.fires, 0);
    assert_false(KeReadStateTimer(&c.timer));
    kt_assert_no_reports();
}

static void periodic_timer(void **state)
{
    (void)state;
    struct shot s;
    shot_init(&s);
    double t0 = kt_now_ms();
    KeSetTimerEx(&s.timer, kt_relative_ms(10), 10, &s.dpc);
    kt_sleep_ms(205);
    assert_true(KeCancelTimer(&s.timer)); /* a periodic timer stays set */
    double elapsed = kt_now_ms() - t0;
    KeFlushQueuedDpcs();
    LONG n = s.fires;
    assert_true(n >= 5);                        /* ~20 expected; missed periods are skipped under load */
    assert_true(n <= (LONG)(elapsed / 10) + 1); /* never more than one per period */
    kt_sleep_ms(30);
    KeFlushQueuedDpcs();
    assert_int_equal(s.fires, n); /* nothing after the cancel */

    struct shot c;
    shot_init(&c);
    KeSetCoalescableTimer(&c.timer, kt_relative_ms(5), 0, 50, &c.dpc);
    assert_int_equal(kt_wait_ms(&c.fired, 5000), STATUS_WAIT_0);
    kt_assert_no_reports();
}

struct from_dpc {
    KDPC setter;
    struct shot shot;
};

static void set_from_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct from_dpc *f = Context;
    KeSetTimer(&f->shot.timer, kt_relative_ms(5), &f->shot.dpc);
}

static void timer_dpc_goes_to_the_setting_processor(void **state)
{
    (void)state;
    for (CCHAR vp = 0; vp < VPS; vp++) {
        struct from_dpc f;
        shot_init(&f.shot);
        KeInitializeDpc(&f.setter, set_from_dpc, &f);
        KeSetTargetProcessorDpc(&f.setter, vp);
        assert_true(KeInsertQueueDpc(&f.setter, NULL, NULL));
        assert_int_equal(kt_wait_ms(&f.shot.fired, 5000), STATUS_WAIT_0);
        KeFlushQueuedDpcs();
        assert_int_equal(f.shot.processor, (ULONG)vp);
    }
    kt_assert_no_reports();
}

static void rules(void **state)
{
    (void)state;
    KTIMER z;
    memset(&z, 0, sizeof z);
    assert_false(KeSetTimer(&z, kt_relative_ms(1), NULL));
    assert_false(KeCancelTimer(&z));
    assert_false(KeReadStateTimer(&z));
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 3);
    KTIMER t;
    KeInitializeTimer(&t);
    KDPC d;
    memset(&d, 0, sizeof d);
    assert_false(KeSetTimer(&t, kt_relative_ms(1), &d));
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 4);
    assert_false(KeCancelTimer(&t)); /* nothing was set */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetTimer(&t, kt_relative_ms(10000), NULL); /* fine at DISPATCH_LEVEL */
    assert_true(KeCancelTimer(&t));
    kt_assert_reports(NULL, 4);
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeSetTimer(&t, kt_relative_ms(10000), NULL);
    KeCancelTimer(&t);
    KeLowerIrql(PASSIVE_LEVEL);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 2);
}

/* Fired through one processor's FIFO queue, the DPCs show the order the heap released them in. */
#define ORDER_TIMERS 300

struct ordered {
    KTIMER timer;
    KDPC dpc;
    LONGLONG due;
};

static struct ordered ordered[ORDER_TIMERS];
static LONGLONG fired_due[ORDER_TIMERS];
static volatile LONG fired_count;

static void ordered_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct ordered *o = Context;
    LONG i = __atomic_fetch_add(&fired_count, 1, __ATOMIC_SEQ_CST);
    if (i < ORDER_TIMERS)
        fired_due[i] = o->timer.DueTime.QuadPart; /* the absolute interrupt time it was due at */
}

static void timers_fire_in_due_order(void **state)
{
    (void)state;
    unsigned seed = 42;
    fired_count = 0;
    LONG expected = 0;
    /* Due times from 60 to 160 ms, set in random order; a third cancelled, a third moved. */
    for (int i = 0; i < ORDER_TIMERS; i++) {
        struct ordered *o = &ordered[i];
        KeInitializeTimer(&o->timer);
        KeInitializeDpc(&o->dpc, ordered_routine, o);
        KeSetTargetProcessorDpc(&o->dpc, 0);
        o->due = 60 + rand_r(&seed) % 100;
        KeSetTimer(&o->timer, kt_relative_ms(o->due), &o->dpc);
    }
    for (int i = 0; i < ORDER_TIMERS; i++) {
        struct ordered *o = &ordered[(i * 7) % ORDER_TIMERS];
        if (i % 3 == 0) {
            assert_true(KeCancelTimer(&o->timer));
            o->due = -1;
        } else if (i % 3 == 1) {
            o->due = 60 + rand_r(&seed) % 100;
            assert_true(KeSetTimer(&o->timer, kt_relative_ms(o->due), &o->dpc));
        }
    }
    for (int i = 0; i < ORDER_TIMERS; i++)
        expected += ordered[i].due >= 0;
    double end = kt_now_ms() + 5000;
    while (__atomic_load_n(&fired_count, __ATOMIC_SEQ_CST) < expected && kt_now_ms() < end)
        kt_sleep_ms(5);
    kt_sleep_ms(20);
    KeFlushQueuedDpcs();
    assert_int_equal(fired_count, expected);
    for (LONG i = 1; i < expected; i++)
        assert_true(fired_due[i] >= fired_due[i - 1]);
    kt_assert_no_reports();
}

/* ---- A thousand timers ------------------------------------------------------------------------ */

#define LOAD_TIMERS 1000
#define LOAD_THREADS 4

struct load_timer {
    KTIMER timer;
    KDPC dpc;
    volatile LONG fires;
    volatile LONG cancelled;
    ULONGLONG fired_at;
};

static struct load_timer load[LOAD_TIMERS];
static volatile LONG load_fired;
static KEVENT load_done;
static volatile LONG load_expected;

static void load_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc;
    (void)A1;
    (void)A2;
    struct load_timer *l = Context;
    l->fired_at = KeQueryInterruptTime();
    __atomic_add_fetch(&l->fires, 1, __ATOMIC_SEQ_CST);
    if (__atomic_add_fetch(&load_fired, 1, __ATOMIC_SEQ_CST) ==
        __atomic_load_n(&load_expected, __ATOMIC_SEQ_CST))
        KeSetEvent(&load_done, 0, FALSE);
}

static void *load_setter(void *arg)
{
    long id = (long)(intptr_t)arg;
    unsigned seed = (unsigned)id * 7919u + 1;
    for (int i = (int)id; i < LOAD_TIMERS; i += LOAD_THREADS) {
        struct load_timer *l = &load[i];
        LONGLONG due_ms = 1 + rand_r(&seed) % 200;
        if (i % 10 == 0) {
            /* set far away first: the second set replaces it */
            KeSetTimer(&l->timer, kt_relative_ms(100000), &l->dpc);
            if (!KeSetTimer(&l->timer, kt_relative_ms(due_ms), &l->dpc))
                abort();
        } else if (i % 10 == 1) {
            KeSetTimer(&l->timer, kt_relative_ms(due_ms + 50), &l->dpc);
            if (KeCancelTimer(&l->timer)) {
                __atomic_store_n(&l->cancelled, 1, __ATOMIC_SEQ_CST);
                __atomic_sub_fetch(&load_expected, 1, __ATOMIC_SEQ_CST);
            }
        } else {
            KeSetTimer(&l->timer, kt_relative_ms(due_ms), &l->dpc);
        }
        if (i % 50 == 0)
            sched_yield();
    }
    return NULL;
}

static void thousand_timers_fire_exactly_once(void **state)
{
    (void)state;
    load_fired = 0;
    load_expected = LOAD_TIMERS;
    KeInitializeEvent(&load_done, NotificationEvent, FALSE);
    for (int i = 0; i < LOAD_TIMERS; i++) {
        memset(&load[i], 0, sizeof load[i]);
        KeInitializeTimer(&load[i].timer);
        KeInitializeDpc(&load[i].dpc, load_routine, &load[i]);
    }
    pthread_t th[LOAD_THREADS];
    for (long t = 0; t < LOAD_THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, load_setter, (void *)(intptr_t)t), 0);
    for (int t = 0; t < LOAD_THREADS; t++)
        pthread_join(th[t], NULL);
    if (__atomic_load_n(&load_fired, __ATOMIC_SEQ_CST) < __atomic_load_n(&load_expected, __ATOMIC_SEQ_CST))
        assert_int_equal(kt_wait_ms(&load_done, 5000), STATUS_WAIT_0);
    kt_sleep_ms(60); /* anything that would fire twice or late-cancelled would show now */
    KeFlushQueuedDpcs();
    LONG fired = 0;
    for (int i = 0; i < LOAD_TIMERS; i++) {
        if (load[i].cancelled) {
            assert_int_equal(load[i].fires, 0);
            continue;
        }
        assert_int_equal(load[i].fires, 1);
        assert_true(load[i].fired_at >= (ULONGLONG)load[i].timer.DueTime.QuadPart);
        assert_true(KeReadStateTimer(&load[i].timer));
        fired++;
    }
    assert_int_equal(fired, load_expected);
    assert_int_equal(load_fired, load_expected);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_shot_relative, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(timer_is_a_dispatcher_object, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(absolute_and_past_due_times, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(reset_replaces_and_cancel, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(periodic_timer, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(timer_dpc_goes_to_the_setting_processor, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(rules, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(timers_fire_in_due_order, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(thousand_timers_fire_exactly_once, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_timer", tests, group_setup, group_teardown);
}
