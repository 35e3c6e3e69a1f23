/* FAST_MUTEX and guarded mutexes: IRQL, no recursion, ownership rules, try-acquire, the Unsafe
 * variants, and mutual exclusion with contention between threads. */
#include "ke_test.h"

#include <sched.h>

static void acquire_raises_to_apc(void **state)
{
    (void)state;
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    ExAcquireFastMutex(&m);
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    assert_ptr_equal(m.Owner, KeGetCurrentThread());
    assert_int_equal(m.Count, 0);
    ExReleaseFastMutex(&m);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_null(m.Owner);
    assert_int_equal(m.Count, 1);

    KGUARDED_MUTEX g;
    KeInitializeGuardedMutex(&g);
    KeAcquireGuardedMutex(&g);
    assert_true(KeAreApcsDisabled());
    KeReleaseGuardedMutex(&g);
    assert_true(KeTryToAcquireGuardedMutex(&g));
    KeReleaseGuardedMutex(&g);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    kt_assert_no_reports();
}

static void recursion_is_reported_and_absorbed(void **state)
{
    (void)state;
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    ExAcquireFastMutex(&m);
    ExAcquireFastMutex(&m); /* Windows deadlocks */
    kt_assert_reports("LOCK_RECURSIVE", 1);
    assert_non_null(strstr(kt_last_message("LOCK_RECURSIVE"), "ExAcquireFastMutex: fast mutex"));
    ExReleaseFastMutex(&m);
    assert_ptr_equal(m.Owner, KeGetCurrentThread()); /* the absorbed one */
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&m);
    assert_null(m.Owner);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ExAcquireFastMutex(&m);
    assert_false(ExTryToAcquireFastMutex(&m));
    kt_assert_reports("LOCK_RECURSIVE", 2);
    ExReleaseFastMutex(&m);
    kt_assert_reports(NULL, 2);
}

static void release_not_owned_is_reported(void **state)
{
    (void)state;
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    ExReleaseFastMutex(&m);
    kt_assert_reports("LOCK_RELEASE_NOT_OWNER", 1);
    assert_non_null(strstr(kt_last_message("LOCK_RELEASE_NOT_OWNER"), "is not held"));
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL); /* nothing changed */
    assert_int_equal(m.Count, 1);
    KeLowerIrql(old);
}

static void acquire_at_dispatch_is_reported(void **state)
{
    (void)state;
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAcquireFastMutex(&m);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 1);
    assert_non_null(strstr(kt_last_message("DDI_ABOVE_MAX_IRQL"), "ExAcquireFastMutex called at IRQL 2"));
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    ExReleaseFastMutex(&m);
    kt_assert_reports("DDI_ABOVE_MAX_IRQL", 2);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL); /* back to where it was acquired */
    KeLowerIrql(old);
}

static void unsafe_variants_leave_irql(void **state)
{
    (void)state;
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&m);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_ptr_equal(m.Owner, KeGetCurrentThread());
    ExReleaseFastMutexUnsafe(&m);
    assert_null(m.Owner);
    KeLeaveCriticalRegion();
    kt_assert_no_reports();
}

struct holder {
    PFAST_MUTEX m;
    KEVENT held;
    KEVENT release;
};

static void *hold_thread(void *arg)
{
    struct holder *h = arg;
    ExAcquireFastMutex(h->m);
    KeSetEvent(&h->held, 0, FALSE);
    KeWaitForSingleObject(&h->release, Executive, KernelMode, FALSE, NULL);
    ExReleaseFastMutex(h->m);
    return NULL;
}

static void try_acquire_and_release_by_other(void **state)
{
    (void)state;
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    struct holder h = {.m = &m};
    KeInitializeEvent(&h.held, NotificationEvent, FALSE);
    KeInitializeEvent(&h.release, NotificationEvent, FALSE);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, hold_thread, &h), 0);
    assert_int_equal(kt_wait_ms(&h.held, 5000), STATUS_WAIT_0);
    assert_false(ExTryToAcquireFastMutex(&m));
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    ExReleaseFastMutex(&m);
    KeLowerIrql(old);
    kt_assert_reports("LOCK_RELEASE_NOT_OWNER", 1);
    assert_non_null(strstr(kt_last_message("LOCK_RELEASE_NOT_OWNER"), "held by another thread"));
    KeSetEvent(&h.release, 0, FALSE);
    pthread_join(th, NULL);
    assert_true(ExTryToAcquireFastMutex(&m));
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&m);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

#define CONTENDERS 4
#define ITERATIONS 5000

static FAST_MUTEX shared;
static unsigned long counter; /* protected by `shared` */
static volatile LONG inside;

static void *contender(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERATIONS; i++) {
        ExAcquireFastMutex(&shared);
        if (__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST) != 1)
            abort();
        counter++;
        if ((i & 63) == 0)
            sched_yield(); /* make others wait on the event */
        __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
        ExReleaseFastMutex(&shared);
    }
    return NULL;
}

static void mutual_exclusion_with_contention(void **state)
{
    (void)state;
    ExInitializeFastMutex(&shared);
    counter = 0;
    pthread_t th[CONTENDERS];
    for (int i = 0; i < CONTENDERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, contender, NULL), 0);
    for (int i = 0; i < CONTENDERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(counter, (unsigned long)CONTENDERS * ITERATIONS);
    assert_int_equal(shared.Count, 1);
    assert_null(shared.Owner);
    /* Contention (waiters blocking) depends on scheduling, so it is not asserted: on a loaded
     * 2-CPU machine the threads may well run one after another. */
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(acquire_raises_to_apc, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(recursion_is_reported_and_absorbed, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(release_not_owned_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(acquire_at_dispatch_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(unsafe_variants_leave_irql, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(try_acquire_and_release_by_other, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(mutual_exclusion_with_contention, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_fastmutex", tests, NULL, NULL);
}
