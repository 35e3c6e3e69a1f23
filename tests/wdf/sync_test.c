/*
 * Tests for the Framework's locks: WDFSPINLOCK (IRQL while held, recursion, release by a non-owner),
 * WDFWAITLOCK (timeouts, try-acquire, critical region, blocking at DISPATCH_LEVEL, recursion),
 * WdfObjectAcquireLock on devices/queues (spin or passive by execution level) and on objects without
 * a lock, fx_sync_serialization_lock's rules, and mutual exclusion under contention (threads).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>
#include <stdlib.h>

#include "support_test.h"

/* ---- WDFSPINLOCK -------------------------------------------------------------------------------- */

static void spin_lock_raises_to_dispatch(void **state)
{
    (void)state;
    WDFSPINLOCK lock;
    assert_int_equal(WdfSpinLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &lock), STATUS_SUCCESS);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfSpinLockAcquire(lock);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_int_equal(ke_spin_locks_held(), 1);
    WdfSpinLockRelease(lock);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(ke_spin_locks_held(), 0);

    /* Taken at DISPATCH_LEVEL, released back to it. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WdfSpinLockAcquire(lock);
    WdfSpinLockRelease(lock);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    WdfObjectDelete(lock);
}

static void spin_lock_recursion_is_reported(void **state)
{
    (void)state;
    WDFSPINLOCK lock;
    assert_int_equal(WdfSpinLockCreate(NULL, &lock), STATUS_SUCCESS);
    WdfSpinLockAcquire(lock);
    WdfSpinLockAcquire(lock); /* would deadlock on Windows: reported, not taken again */
    assert_one_report("LOCK_RECURSIVE");
    WdfSpinLockRelease(lock);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfSpinLockRelease(lock); /* not held any more */
    assert_one_report("LOCK_RELEASE_NOT_OWNER");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfObjectDelete(lock);
}

static WDFSPINLOCK shared_spin;
static void *acquire_and_hold(void *arg)
{
    volatile int *phase = arg;
    WdfSpinLockAcquire(shared_spin);
    __atomic_store_n(phase, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(phase, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
    WdfSpinLockRelease(shared_spin);
    return NULL;
}

static void spin_lock_release_by_other_thread_is_reported(void **state)
{
    (void)state;
    assert_int_equal(WdfSpinLockCreate(NULL, &shared_spin), STATUS_SUCCESS);
    volatile int phase = 0;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, acquire_and_hold, (void *)&phase), 0);
    while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) != 1)
        sched_yield();
    WdfSpinLockRelease(shared_spin); /* held by the other thread */
    assert_one_report("LOCK_RELEASE_NOT_OWNER");
    __atomic_store_n(&phase, 2, __ATOMIC_RELEASE);
    pthread_join(thread, NULL);
    WdfObjectDelete(shared_spin);
}

static void lock_parameter_errors(void **state)
{
    (void)state;
    assert_int_equal(WdfSpinLockCreate(NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfWaitLockCreate(NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WDFWAITLOCK wait_lock;
    assert_int_equal(WdfWaitLockCreate(NULL, &wait_lock), STATUS_SUCCESS);
    WdfSpinLockAcquire((WDFSPINLOCK)wait_lock);
    assert_one_report("WRONG_HANDLE_TYPE");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfObjectDelete(wait_lock);
    assert_int_equal(WdfWaitLockAcquire(wait_lock, NULL), STATUS_INVALID_HANDLE);
    assert_one_report("STALE_HANDLE");
}

/* ---- WDFWAITLOCK -------------------------------------------------------------------------------- */

static WDFWAITLOCK shared_wait;
static void *hold_wait_lock(void *arg)
{
    volatile int *phase = arg;
    if (WdfWaitLockAcquire(shared_wait, NULL) != STATUS_SUCCESS)
        abort();
    __atomic_store_n(phase, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(phase, __ATOMIC_ACQUIRE) != 2)
        usleep(1000);
    usleep(20000); /* let the main thread block in an infinite wait */
    WdfWaitLockRelease(shared_wait);
    return NULL;
}

static void wait_lock_timeouts(void **state)
{
    (void)state;
    assert_int_equal(WdfWaitLockCreate(NULL, &shared_wait), STATUS_SUCCESS);
    LONGLONG zero = 0;
    assert_int_equal(WdfWaitLockAcquire(shared_wait, &zero), STATUS_SUCCESS);
    assert_true(KeAreApcsDisabled()); /* a critical region while held, as in KMDF */
    WdfWaitLockRelease(shared_wait);
    assert_false(KeAreApcsDisabled());

    volatile int phase = 0;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, hold_wait_lock, (void *)&phase), 0);
    while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) != 1)
        usleep(1000);
    assert_int_equal(WdfWaitLockAcquire(shared_wait, &zero), STATUS_TIMEOUT);
    LONGLONG ten_ms = WDF_REL_TIMEOUT_IN_MS(10);
    assert_int_equal(WdfWaitLockAcquire(shared_wait, &ten_ms), STATUS_TIMEOUT);
    assert_false(KeAreApcsDisabled());
    WdfWaitLockRelease(shared_wait); /* not ours */
    assert_one_report("LOCK_RELEASE_NOT_OWNER");
    __atomic_store_n(&phase, 2, __ATOMIC_RELEASE);
    assert_int_equal(WdfWaitLockAcquire(shared_wait, NULL), STATUS_SUCCESS); /* waits for the release */
    WdfWaitLockRelease(shared_wait);
    pthread_join(thread, NULL);
    WdfObjectDelete(shared_wait);
}

static void wait_lock_recursion_fails(void **state)
{
    (void)state;
    WDFWAITLOCK lock;
    assert_int_equal(WdfWaitLockCreate(NULL, &lock), STATUS_SUCCESS);
    assert_int_equal(WdfWaitLockAcquire(lock, NULL), STATUS_SUCCESS);
    NTSTATUS status = WdfWaitLockAcquire(lock, NULL);
    assert_false(NT_SUCCESS(status)); /* never mistaken for success */
    assert_int_equal(status, (NTSTATUS)0xC0000194L /* STATUS_POSSIBLE_DEADLOCK */);
    assert_one_report("LOCK_RECURSIVE");
    WdfWaitLockRelease(lock);
    WdfObjectDelete(lock);
}

static void wait_lock_at_dispatch(void **state)
{
    (void)state;
    WDFWAITLOCK lock;
    assert_int_equal(WdfWaitLockCreate(NULL, &lock), STATUS_SUCCESS);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    LONGLONG zero = 0;
    assert_int_equal(WdfWaitLockAcquire(lock, &zero), STATUS_SUCCESS); /* a try is fine at DISPATCH */
    WdfWaitLockRelease(lock);
    assert_no_reports();
    assert_int_equal(WdfWaitLockAcquire(lock, NULL), STATUS_SUCCESS); /* reported, done as a try */
    assert_one_report("BLOCKING_CALL_AT_DISPATCH");
    WdfWaitLockRelease(lock);
    KeLowerIrql(old);
    WdfObjectDelete(lock);
}

/* ---- WdfObjectAcquireLock ----------------------------------------------------------------------- */

static void object_lock_of_dispatch_device_is_a_spin_lock(void **state)
{
    (void)state;
    test_lock_owner *device = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    assert_non_null(device);
    WdfObjectAcquireLock(device->object.handle);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_true(fx_sync_lock_is_owner(&device->lock));
    WdfObjectReleaseLock(device->object.handle);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_false(fx_sync_lock_is_owner(&device->lock));
    WdfObjectReleaseLock(device->object.handle);
    assert_one_report("LOCK_RELEASE_NOT_OWNER");
    delete_owner(device);
}

static void object_lock_of_passive_device_stays_passive(void **state)
{
    (void)state;
    test_lock_owner *device = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    WdfObjectAcquireLock(device->object.handle);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_true(fx_sync_lock_is_owner(&device->lock));
    WdfObjectAcquireLock(device->object.handle);
    assert_one_report("LOCK_RECURSIVE");
    WdfObjectReleaseLock(device->object.handle);
    assert_false(fx_sync_lock_is_owner(&device->lock));

    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WdfObjectAcquireLock(device->object.handle); /* a passive lock cannot be taken at DISPATCH */
    assert_one_report("BLOCKING_CALL_AT_DISPATCH");
    assert_false(fx_sync_lock_is_owner(&device->lock));
    KeLowerIrql(old);
    delete_owner(device);
}

static void object_without_lock_is_reported(void **state)
{
    (void)state;
    WDFOBJECT object;
    assert_int_equal(WdfObjectCreate(NULL, &object), STATUS_SUCCESS);
    WdfObjectAcquireLock(object);
    assert_one_report("OBJECT_LOCK_UNSUPPORTED");
    WdfObjectReleaseLock(object);
    assert_one_report("OBJECT_LOCK_UNSUPPORTED");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfObjectDelete(object);
    WdfObjectAcquireLock(NULL);
    assert_one_report("NULL_REQUIRED_PARAM");
}

static void serialization_lock_rules(void **state)
{
    (void)state;
    fx_sync_lock *lock;
    fx_object *owner;
    test_lock_owner *spin_device = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeDevice);
    test_lock_owner *passive_device = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    test_lock_owner *free_device = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeNone);
    test_lock_owner *queue_scoped = make_device(WdfExecutionLevelDispatch, WdfSynchronizationScopeQueue);
    test_lock_owner *queue =
        make_owner(&test_queue_ops, queue_scoped->object.handle, WdfExecutionLevelInheritFromParent,
                   WdfSynchronizationScopeInheritFromParent);

    assert_int_equal(fx_sync_serialization_lock(&spin_device->object, TRUE, FALSE, &lock, &owner),
                     STATUS_SUCCESS);
    assert_ptr_equal(lock, &spin_device->lock);
    assert_ptr_equal(owner, &spin_device->object);
    assert_int_equal(fx_sync_serialization_lock(&spin_device->object, FALSE, FALSE, &lock, &owner),
                     STATUS_SUCCESS);
    assert_null(lock);
    assert_int_equal(fx_sync_serialization_lock(&spin_device->object, TRUE, TRUE, &lock, &owner),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    assert_int_equal(fx_sync_serialization_lock(&passive_device->object, TRUE, FALSE, &lock, &owner),
                     STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
    assert_int_equal(fx_sync_serialization_lock(&passive_device->object, TRUE, TRUE, &lock, &owner),
                     STATUS_SUCCESS);
    assert_ptr_equal(lock, &passive_device->lock);
    assert_int_equal(fx_sync_serialization_lock(&free_device->object, TRUE, FALSE, &lock, &owner),
                     STATUS_SUCCESS);
    assert_null(lock); /* scope None: nothing to serialize with */
    assert_int_equal(fx_sync_serialization_lock(&queue_scoped->object, TRUE, FALSE, &lock, &owner),
                     STATUS_SUCCESS);
    assert_null(lock); /* a queue-scoped device has no device-wide callback lock */
    assert_int_equal(fx_sync_serialization_lock(&queue->object, TRUE, FALSE, &lock, &owner), STATUS_SUCCESS);
    assert_ptr_equal(lock, &queue->lock);

    /* An object under the device is serialized by the device's lock. */
    WDFOBJECT child;
    WDF_OBJECT_ATTRIBUTES attributes = child_of(spin_device->object.handle);
    assert_int_equal(WdfObjectCreate(&attributes, &child), STATUS_SUCCESS);
    assert_int_equal(fx_sync_serialization_lock(fx_object_lookup(child), TRUE, FALSE, &lock, NULL),
                     STATUS_SUCCESS);
    assert_ptr_equal(lock, &spin_device->lock);
    assert_ptr_equal(fx_sync_find_device(fx_object_lookup(child)), &spin_device->object);
    assert_null(fx_sync_find_device(NULL));

    delete_owner(spin_device);
    delete_owner(passive_device);
    delete_owner(free_device);
    delete_owner(queue_scoped);
}

/* ---- contention ----------------------------------------------------------------------------------- */

#define THREADS 4
#define ROUNDS 2000

static WDFOBJECT contended;
static int kind; /* 0 spin, 1 wait, 2 object lock */
static long counter;

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (kind == 0)
            WdfSpinLockAcquire((WDFSPINLOCK)contended);
        else if (kind == 1)
            WdfWaitLockAcquire((WDFWAITLOCK)contended, NULL);
        else
            WdfObjectAcquireLock(contended);
        long v = counter; /* a data race (and a lost update) if the lock does not exclude */
        counter = v + 1;
        if (kind == 0)
            WdfSpinLockRelease((WDFSPINLOCK)contended);
        else if (kind == 1)
            WdfWaitLockRelease((WDFWAITLOCK)contended);
        else
            WdfObjectReleaseLock(contended);
    }
    return NULL;
}

static void run_hammer(void)
{
    counter = 0;
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(counter, THREADS * ROUNDS);
}

static void locks_exclude_under_contention(void **state)
{
    (void)state;
    kind = 0;
    assert_int_equal(WdfSpinLockCreate(NULL, (WDFSPINLOCK *)&contended), STATUS_SUCCESS);
    run_hammer();
    WdfObjectDelete(contended);
    kind = 1;
    assert_int_equal(WdfWaitLockCreate(NULL, (WDFWAITLOCK *)&contended), STATUS_SUCCESS);
    run_hammer();
    WdfObjectDelete(contended);
    kind = 2;
    test_lock_owner *device = make_device(WdfExecutionLevelPassive, WdfSynchronizationScopeDevice);
    contended = device->object.handle;
    run_hammer();
    delete_owner(device);
    assert_no_reports();
}

static void lock_goes_with_its_parent(void **state)
{
    (void)state;
    WDFOBJECT parent;
    assert_int_equal(WdfObjectCreate(NULL, &parent), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    WDFSPINLOCK spin;
    WDFWAITLOCK wait;
    assert_int_equal(WdfSpinLockCreate(&attributes, &spin), STATUS_SUCCESS);
    assert_int_equal(WdfWaitLockCreate(&attributes, &wait), STATUS_SUCCESS);
    WdfObjectDelete(parent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SUPPORT_TEST(spin_lock_raises_to_dispatch),
        SUPPORT_TEST(spin_lock_recursion_is_reported),
        SUPPORT_TEST(spin_lock_release_by_other_thread_is_reported),
        SUPPORT_TEST(lock_parameter_errors),
        SUPPORT_TEST(wait_lock_timeouts),
        SUPPORT_TEST(wait_lock_recursion_fails),
        SUPPORT_TEST(wait_lock_at_dispatch),
        SUPPORT_TEST(object_lock_of_dispatch_device_is_a_spin_lock),
        SUPPORT_TEST(object_lock_of_passive_device_stays_passive),
        SUPPORT_TEST(object_without_lock_is_reported),
        SUPPORT_TEST(serialization_lock_rules),
        SUPPORT_TEST(locks_exclude_under_contention),
        SUPPORT_TEST(lock_goes_with_its_parent),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
