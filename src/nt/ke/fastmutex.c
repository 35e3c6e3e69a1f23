/*
 * fastmutex.c - FAST_MUTEX and guarded mutexes (the same here): not recursive, acquired at
 * IRQL <= APC_LEVEL, held at APC_LEVEL (the Unsafe variants leave the IRQL alone).
 *
 * Count is 1 when free, 0 when owned, below 0 when owned with waiters; waiters sleep on the
 * mutex's synchronization event, and a release that finds waiters hands over by setting it. An
 * owner that acquires again is the verifier's LOCK_RECURSIVE (Windows deadlocks): the acquisition
 * is absorbed and so is its matching release. Release by another thread is LOCK_RELEASE_NOT_OWNER.
 */
#include "ke_internal.h"

void ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    FastMutex->Contention = 0;
    FastMutex->OldIrql = PASSIVE_LEVEL;
    FastMutex->Recursion = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

static inline PVOID ke_fm_owner(PFAST_MUTEX m)
{
    return __atomic_load_n(&m->Owner, __ATOMIC_RELAXED);
}

/* false when this thread already owns it (reported, absorbed). */
static bool ke_fm_acquire(PFAST_MUTEX m, const char *ddi)
{
    struct ke_thread *t = ke_current_thread();
    if (KE_UNLIKELY(ke_fm_owner(m) == t)) {
        OWDF_VERIFY_REPORT("LOCK_RECURSIVE", m, "FAST_MUTEX", NULL,
                           "%s: fast mutex %p acquired again by its owner (Windows deadlocks)", ddi,
                           (void *)m);
        m->Recursion++;
        return false;
    }
    if (__atomic_sub_fetch(&m->Count, 1, __ATOMIC_ACQUIRE) != 0) {
        __atomic_add_fetch(&m->Contention, 1, __ATOMIC_RELAXED);
        KeWaitForSingleObject(&m->Event, WrExecutive, KernelMode, FALSE, NULL);
    }
    __atomic_store_n(&m->Owner, (PVOID)t, __ATOMIC_RELAXED);
    return true;
}

/* false when this thread does not own it (reported); true when the caller should lower IRQL. */
static bool ke_fm_release(PFAST_MUTEX m, const char *ddi, bool *absorbed, KIRQL *old_irql)
{
    *absorbed = false;
    if (KE_UNLIKELY(ke_fm_owner(m) != ke_current_thread())) {
        OWDF_VERIFY_REPORT("LOCK_RELEASE_NOT_OWNER", m, "FAST_MUTEX", NULL, "%s: fast mutex %p %s", ddi,
                           (void *)m, ke_fm_owner(m) == NULL ? "is not held" : "is held by another thread");
        return false;
    }
    if (m->Recursion > 0) {
        m->Recursion--;
        *absorbed = true;
        return true;
    }
    *old_irql = (KIRQL)m->OldIrql;
    __atomic_store_n(&m->Owner, NULL, __ATOMIC_RELAXED);
    if (__atomic_add_fetch(&m->Count, 1, __ATOMIC_RELEASE) != 1)
        KeSetEvent(&m->Event, 0, FALSE); /* hand over to one waiter; m may be freed after this */
    return true;
}

void ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    KE_CHECK_MAX_IRQL(APC_LEVEL, "ExAcquireFastMutex");
    KIRQL old = ke_tls.irql;
    if (old < APC_LEVEL)
        ke_tls.irql = APC_LEVEL;
    if (ke_fm_acquire(FastMutex, "ExAcquireFastMutex"))
        FastMutex->OldIrql = old;
}

void ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    KE_CHECK_MAX_IRQL(APC_LEVEL, "ExReleaseFastMutex");
    KIRQL old = PASSIVE_LEVEL;
    bool absorbed;
    if (ke_fm_release(FastMutex, "ExReleaseFastMutex", &absorbed, &old) && !absorbed)
        KeLowerIrql(old);
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    KE_CHECK_MAX_IRQL(APC_LEVEL, "ExTryToAcquireFastMutex");
    struct ke_thread *t = ke_current_thread();
    if (KE_UNLIKELY(ke_fm_owner(FastMutex) == t)) {
        OWDF_VERIFY_REPORT("LOCK_RECURSIVE", FastMutex, "FAST_MUTEX", NULL,
                           "ExTryToAcquireFastMutex: fast mutex %p is already owned by this thread",
                           (void *)FastMutex);
        return FALSE;
    }
    KIRQL old = ke_tls.irql;
    if (old < APC_LEVEL)
        ke_tls.irql = APC_LEVEL;
    LONG expected = 1;
    if (__atomic_compare_exchange_n(&FastMutex->Count, &expected, 0, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        __atomic_store_n(&FastMutex->Owner, (PVOID)t, __ATOMIC_RELAXED);
        FastMutex->OldIrql = old;
        return TRUE;
    }
    ke_tls.irql = old;
    return FALSE;
}

/* The caller is at APC_LEVEL or in a critical/guarded region already; the IRQL is not changed. */
void ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    KE_CHECK_MAX_IRQL(APC_LEVEL, "ExAcquireFastMutexUnsafe");
    if (ke_fm_acquire(FastMutex, "ExAcquireFastMutexUnsafe"))
        FastMutex->OldIrql = ke_tls.irql;
}

void ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    KE_CHECK_MAX_IRQL(APC_LEVEL, "ExReleaseFastMutexUnsafe");
    bool absorbed;
    KIRQL old;
    (void)ke_fm_release(FastMutex, "ExReleaseFastMutexUnsafe", &absorbed, &old);
}
