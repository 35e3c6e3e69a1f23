/* Spin locks: IRQL effects, every acquire/release variant, the verifier's lock rules, and
 * mutual exclusion between threads. */
#include "ke_test.h"

#include <sched.h>

static void acquire_raises_and_release_restores(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    assert_int_equal(lock, 0);
    assert_true(KeTestSpinLock(&lock));
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_int_not_equal(lock, 0);
    assert_false(KeTestSpinLock(&lock));
    assert_int_equal(ke_spin_locks_held(), 1);
    KeReleaseSpinLock(&lock, old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(lock, 0);
    assert_int_equal(ke_spin_locks_held(), 0);
    kt_assert_no_reports();
}

static void two_locks_nest(void **state)
{
    (void)state;
    KSPIN_LOCK a, b;
    KeInitializeSpinLock(&a);
    KeInitializeSpinLock(&b);
    KIRQL old;
    KeAcquireSpinLock(&a, &old);
    KeAcquireSpinLockAtDpcLevel(&b);
    assert_int_equal(ke_spin_locks_held(), 2);
    KeReleaseSpinLockFromDpcLevel(&b);
    KeReleaseSpinLock(&a, old);
    assert_int_equal(ke_spin_locks_held(), 0);
    kt_assert_no_reports();
}

static void at_dpc_level_below_dispatch_is_reported(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLockAtDpcLevel(&lock);
    kt_assert_reports("SPINLOCK_NOT_AT_DISPATCH", 1);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL); /* not raised */
    assert_int_not_equal(lock, 0);                       /* but acquired */
    KeReleaseSpinLockFromDpcLevel(&lock);
    kt_assert_reports("SPINLOCK_NOT_AT_DISPATCH", 2);
    assert_int_equal(lock, 0);
    kt_assert_reports("LOCK_RELEASE_NOT_OWNER", 0);
}

static void acquire_above_dispatch_is_reported(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old, old2;
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeAcquireSpinLock(&lock, &old2);
    kt_assert_reports("SPINLOCK_ABOVE_DISPATCH", 1);
    assert_int_equal(old2, HIGH_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), HIGH_LEVEL); /* not lowered */
    KeReleaseSpinLock(&lock, old2);
    assert_int_equal(lock, 0);
    KeLowerIrql(old);
    kt_assert_reports(NULL, 1);
}

static void recursive_acquire_is_reported_once_and_absorbed(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    KeAcquireSpinLockAtDpcLevel(&lock); /* Windows would deadlock here */
    kt_assert_reports("LOCK_RECURSIVE", 1);
    assert_non_null(strstr(kt_last_message("LOCK_RECURSIVE"), "acquired again by the thread that holds it"));
    assert_int_equal(ke_spin_locks_held(), 2);
    KeReleaseSpinLockFromDpcLevel(&lock);
    assert_int_not_equal(lock, 0); /* the outer acquisition still holds it */
    KeReleaseSpinLock(&lock, old);
    assert_int_equal(lock, 0);
    assert_int_equal(ke_spin_locks_held(), 0);
    kt_assert_reports(NULL, 1);
}

static void release_of_free_lock_is_reported(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeReleaseSpinLock(&lock, old);
    kt_assert_reports("LOCK_RELEASE_NOT_OWNER", 1);
    assert_non_null(strstr(kt_last_message("LOCK_RELEASE_NOT_OWNER"), "is not held"));
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(ke_spin_locks_held(), 0);
}

struct holder {
    KSPIN_LOCK *lock;
    volatile LONG held;
    volatile LONG release;
};

static void *hold_lock_thread(void *arg)
{
    struct holder *h = arg;
    KIRQL old;
    KeAcquireSpinLock(h->lock, &old);
    __atomic_store_n(&h->held, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&h->release, __ATOMIC_SEQ_CST))
        sched_yield();
    KeReleaseSpinLock(h->lock, old);
    return NULL;
}

static void release_by_other_thread_and_try_acquire(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    struct holder h = {.lock = &lock};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, hold_lock_thread, &h), 0);
    assert_true(kt_wait_flag(&h.held, 5000));
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_false(KeTryToAcquireSpinLockAtDpcLevel(&lock));
    kt_assert_no_reports();
    KeReleaseSpinLockFromDpcLevel(&lock);
    kt_assert_reports("LOCK_RELEASE_NOT_OWNER", 1);
    assert_non_null(strstr(kt_last_message("LOCK_RELEASE_NOT_OWNER"), "held by another thread"));
    assert_false(KeTestSpinLock(&lock)); /* still held by its owner */
    KeLowerIrql(old);
    __atomic_store_n(&h.release, 1, __ATOMIC_SEQ_CST);
    pthread_join(th, NULL);
    assert_true(KeTestSpinLock(&lock));
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_true(KeTryToAcquireSpinLockAtDpcLevel(&lock));
    assert_false(KeTryToAcquireSpinLockAtDpcLevel(&lock)); /* its own: a report, and FALSE */
    kt_assert_reports("LOCK_RECURSIVE", 1);
    KeReleaseSpinLockFromDpcLevel(&lock);
    assert_true(KeTestSpinLock(&lock));
    KeLowerIrql(old);
}

static void in_stack_queued(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KLOCK_QUEUE_HANDLE h, h2;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KeAcquireInStackQueuedSpinLock(&lock, &h);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_int_equal(h.OldIrql, APC_LEVEL);
    assert_ptr_equal(h.LockQueue.Lock, &lock);
    assert_false(KeTestSpinLock(&lock));
    KeReleaseInStackQueuedSpinLock(&h);
    assert_int_equal(KeGetCurrentIrql(), APC_LEVEL);
    assert_true(KeTestSpinLock(&lock));
    KeReleaseInStackQueuedSpinLock(&h); /* twice */
    kt_assert_reports("LOCK_RELEASE_NOT_OWNER", 1);
    KeLowerIrql(old);

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&lock, &h2);
    assert_false(KeTestSpinLock(&lock));
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h2);
    assert_true(KeTestSpinLock(&lock));
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&lock, &h2); /* at PASSIVE */
    kt_assert_reports("SPINLOCK_NOT_AT_DISPATCH", 1);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h2);
    KeLowerIrql(old);
    kt_assert_reports(NULL, 2);
}

static void for_dpc_and_synch_variants(void **state)
{
    (void)state;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old = KeAcquireSpinLockForDpc(&lock);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseSpinLockForDpc(&lock, old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KIRQL o2;
    KeRaiseIrql(DISPATCH_LEVEL, &o2);
    old = KeAcquireSpinLockForDpc(&lock);
    assert_int_equal(old, DISPATCH_LEVEL);
    KeReleaseSpinLockForDpc(&lock, old);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(o2);

    old = KeAcquireSpinLockRaiseToSynch(&lock);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), SYNCH_LEVEL);
    KeReleaseSpinLock(&lock, old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_true(KeTestSpinLock(&lock));
    kt_assert_no_reports();
}

/* ---- Concurrency ------------------------------------------------------------------------- */

#define CONTENDERS 4
#define ITERATIONS 20000

static KSPIN_LOCK shared_lock;
static unsigned long shared_counter; /* protected by shared_lock only */
static volatile LONG in_lock;        /* atomics: how many threads are inside */
static volatile LONG overlap_seen;

static void *contender(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int i = 0; i < ITERATIONS; i++) {
        KIRQL old;
        KLOCK_QUEUE_HANDLE h;
        int variant = (int)((i + id) % 3);
        if (variant == 0) {
            KeAcquireSpinLock(&shared_lock, &old);
        } else if (variant == 1) {
            KeAcquireInStackQueuedSpinLock(&shared_lock, &h);
        } else {
            old = KeRaiseIrqlToDpcLevel();
            while (!KeTryToAcquireSpinLockAtDpcLevel(&shared_lock))
                ;
        }
        if (__atomic_add_fetch(&in_lock, 1, __ATOMIC_SEQ_CST) != 1)
            __atomic_store_n(&overlap_seen, 1, __ATOMIC_SEQ_CST);
        shared_counter++;
        if ((i & 1023) == 0)
            sched_yield(); /* a holder being preempted: the others must yield too, not spin forever */
        __atomic_sub_fetch(&in_lock, 1, __ATOMIC_SEQ_CST);
        if (variant == 1) {
            KeReleaseInStackQueuedSpinLock(&h);
        } else if (variant == 0) {
            KeReleaseSpinLock(&shared_lock, old);
        } else {
            KeReleaseSpinLockFromDpcLevel(&shared_lock);
            KeLowerIrql(old);
        }
        if (KeGetCurrentIrql() != PASSIVE_LEVEL || ke_spin_locks_held() != 0)
            __atomic_store_n(&overlap_seen, 2, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void mutual_exclusion_under_contention(void **state)
{
    (void)state;
    KeInitializeSpinLock(&shared_lock);
    shared_counter = 0;
    pthread_t th[CONTENDERS];
    for (long i = 0; i < CONTENDERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, contender, (void *)(intptr_t)i), 0);
    for (int i = 0; i < CONTENDERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(overlap_seen, 0);
    assert_int_equal(shared_counter, (unsigned long)CONTENDERS * ITERATIONS);
    assert_true(KeTestSpinLock(&shared_lock));
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(acquire_raises_and_release_restores, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(two_locks_nest, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(at_dpc_level_below_dispatch_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(acquire_above_dispatch_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(recursive_acquire_is_reported_once_and_absorbed, kt_setup,
                                        kt_teardown),
        cmocka_unit_test_setup_teardown(release_of_free_lock_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(release_by_other_thread_and_try_acquire, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(in_stack_queued, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(for_dpc_and_synch_variants, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(mutual_exclusion_under_contention, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_spinlock", tests, NULL, NULL);
}
