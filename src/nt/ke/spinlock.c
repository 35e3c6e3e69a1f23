/*
 * spinlock.c - KSPIN_LOCK: a real lock between threads, with Windows' IRQL rules checked.
 *
 * The lock word is 0 when free, else the owner's identity (its TLS block address, 16-aligned)
 * with the low 4 bits counting recursive acquisitions the verifier reported and absorbed (so a
 * reported recursion neither deadlocks nor unbalances the releases). Uncontended, acquire is one
 * compare-and-swap and release one store. Contended, it is test-and-test-and-set with the CPU's
 * pause hint, and after a bounded spin sched_yield(): a user thread can be preempted while it holds
 * the lock, and spinning against it would only delay it.
 *
 * In-stack queued spin locks use the same lock word (no FIFO hand-off); the handle remembers the
 * lock and the IRQL to return to. Each held acquisition counts in ke_tls.spin_locks, which the
 * callers of driver code compare (LOCK_HELD_ON_CALLBACK_RETURN).
 */
#include "ke_internal.h"

#include <sched.h>

#define KE_SPINS_BEFORE_YIELD 256

static void ke_spin_contended(PKSPIN_LOCK lock, ULONG_PTR self)
{
    unsigned spins = 0;
    for (;;) {
        while (__atomic_load_n(lock, __ATOMIC_RELAXED) != 0) {
            if (++spins < KE_SPINS_BEFORE_YIELD) {
                ke_cpu_relax();
            } else {
                sched_yield();
                spins = 0;
            }
        }
        ULONG_PTR expected = 0;
        if (__atomic_compare_exchange_n(lock, &expected, self, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
    }
}

static void ke_spin_recursive(PKSPIN_LOCK lock, ULONG_PTR word, const char *ddi)
{
    OWDF_VERIFY_REPORT("LOCK_RECURSIVE", lock, "KSPIN_LOCK", NULL,
                       "%s: spin lock %p acquired again by the thread that holds it (Windows deadlocks)", ddi,
                       (void *)lock);
    if ((word & ~KE_SPIN_OWNER_MASK) < 15)
        __atomic_store_n(lock, word + 1, __ATOMIC_RELAXED);
    ke_tls.spin_locks++;
}

static inline void ke_spin_acquire(PKSPIN_LOCK lock, const char *ddi)
{
    ULONG_PTR self = ke_spin_self();
    ULONG_PTR expected = 0;
    if (KE_LIKELY(
            __atomic_compare_exchange_n(lock, &expected, self, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))) {
        ke_tls.spin_locks++;
        return;
    }
    if ((expected & KE_SPIN_OWNER_MASK) == self) {
        ke_spin_recursive(lock, expected, ddi);
        return;
    }
    ke_spin_contended(lock, self);
    ke_tls.spin_locks++;
}

/* FALSE (after a report) when this thread does not hold the lock; nothing is changed then. */
static inline BOOLEAN ke_spin_release(PKSPIN_LOCK lock, const char *ddi)
{
    ULONG_PTR self = ke_spin_self();
    ULONG_PTR word = __atomic_load_n(lock, __ATOMIC_RELAXED);
    if (KE_LIKELY(word == self)) {
        __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
        ke_tls.spin_locks--;
        return TRUE;
    }
    if ((word & KE_SPIN_OWNER_MASK) == self) {
        __atomic_store_n(lock, word - 1, __ATOMIC_RELAXED); /* a reported recursion unwinds */
        ke_tls.spin_locks--;
        return TRUE;
    }
    OWDF_VERIFY_REPORT("LOCK_RELEASE_NOT_OWNER", lock, "KSPIN_LOCK", NULL, "%s: spin lock %p %s", ddi,
                       (void *)lock, word == 0 ? "is not held" : "is held by another thread");
    return FALSE;
}

static inline void ke_spin_check_at_dispatch(PKSPIN_LOCK lock, const char *ddi)
{
    if (KE_UNLIKELY(ke_tls.irql < DISPATCH_LEVEL))
        OWDF_VERIFY_REPORT("SPINLOCK_NOT_AT_DISPATCH", lock, "KSPIN_LOCK", NULL,
                           "%s called at IRQL %u; it requires DISPATCH_LEVEL", ddi, ke_tls.irql);
}

void KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELAXED);
}

static inline KIRQL ke_spin_raise_to_dpc(PKSPIN_LOCK lock, const char *ddi)
{
    KIRQL old = ke_tls.irql;
    if (KE_UNLIKELY(old > DISPATCH_LEVEL))
        OWDF_VERIFY_REPORT("SPINLOCK_ABOVE_DISPATCH", lock, "KSPIN_LOCK", NULL,
                           "%s called at IRQL %u (above DISPATCH_LEVEL); the IRQL is left as it is", ddi,
                           old);
    else
        ke_tls.irql = DISPATCH_LEVEL;
    return old;
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = ke_spin_raise_to_dpc(SpinLock, "KeAcquireSpinLock");
    ke_spin_acquire(SpinLock, "KeAcquireSpinLock");
    return old;
}

void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    ke_spin_release(SpinLock, "KeReleaseSpinLock");
    KeLowerIrql(NewIrql);
}

void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    ke_spin_check_at_dispatch(SpinLock, "KeAcquireSpinLockAtDpcLevel");
    ke_spin_acquire(SpinLock, "KeAcquireSpinLockAtDpcLevel");
}

void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    ke_spin_check_at_dispatch(SpinLock, "KeReleaseSpinLockFromDpcLevel");
    ke_spin_release(SpinLock, "KeReleaseSpinLockFromDpcLevel");
}

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    ke_spin_check_at_dispatch(SpinLock, "KeTryToAcquireSpinLockAtDpcLevel");
    ULONG_PTR self = ke_spin_self();
    ULONG_PTR expected = 0;
    if (__atomic_compare_exchange_n(SpinLock, &expected, self, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        ke_tls.spin_locks++;
        return TRUE;
    }
    if ((expected & KE_SPIN_OWNER_MASK) == self)
        OWDF_VERIFY_REPORT("LOCK_RECURSIVE", SpinLock, "KSPIN_LOCK", NULL,
                           "KeTryToAcquireSpinLockAtDpcLevel: spin lock %p is already held by this thread",
                           (void *)SpinLock);
    return FALSE;
}

BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    if (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) != 0) {
        ke_cpu_relax();
        return FALSE;
    }
    return TRUE;
}

KIRQL KeAcquireSpinLockRaiseToSynch(PKSPIN_LOCK SpinLock)
{
    KIRQL old = KfRaiseIrql(SYNCH_LEVEL);
    ke_spin_acquire(SpinLock, "KeAcquireSpinLockRaiseToSynch");
    return old;
}

KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = ke_tls.irql;
    if (old < DISPATCH_LEVEL)
        ke_tls.irql = DISPATCH_LEVEL;
    else if (KE_UNLIKELY(old > DISPATCH_LEVEL))
        OWDF_VERIFY_REPORT("SPINLOCK_ABOVE_DISPATCH", SpinLock, "KSPIN_LOCK", NULL,
                           "KeAcquireSpinLockForDpc called at IRQL %u (above DISPATCH_LEVEL)", old);
    ke_spin_acquire(SpinLock, "KeAcquireSpinLockForDpc");
    return old;
}

void KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ke_spin_release(SpinLock, "KeReleaseSpinLockForDpc");
    if (OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(OldIrql);
}

void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KIRQL old = ke_spin_raise_to_dpc(SpinLock, "KeAcquireInStackQueuedSpinLock");
    ke_spin_acquire(SpinLock, "KeAcquireInStackQueuedSpinLock");
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = old;
}

static BOOLEAN ke_queued_handle_valid(PKLOCK_QUEUE_HANDLE LockHandle, const char *ddi)
{
    if (KE_LIKELY(LockHandle->LockQueue.Lock != NULL))
        return TRUE;
    OWDF_VERIFY_REPORT("LOCK_RELEASE_NOT_OWNER", LockHandle, "KLOCK_QUEUE_HANDLE", NULL,
                       "%s: lock handle %p holds no spin lock", ddi, (void *)LockHandle);
    return FALSE;
}

void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    if (!ke_queued_handle_valid(LockHandle, "KeReleaseInStackQueuedSpinLock"))
        return;
    PKSPIN_LOCK lock = LockHandle->LockQueue.Lock;
    LockHandle->LockQueue.Lock = NULL;
    ke_spin_release(lock, "KeReleaseInStackQueuedSpinLock");
    KeLowerIrql(LockHandle->OldIrql);
}

void KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    ke_spin_check_at_dispatch(SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
    ke_spin_acquire(SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = ke_tls.irql;
}

void KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    if (!ke_queued_handle_valid(LockHandle, "KeReleaseInStackQueuedSpinLockFromDpcLevel"))
        return;
    PKSPIN_LOCK lock = LockHandle->LockQueue.Lock;
    LockHandle->LockQueue.Lock = NULL;
    ke_spin_check_at_dispatch(lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel");
    ke_spin_release(lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel");
}
