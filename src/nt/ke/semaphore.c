/*
 * semaphore.c - KSEMAPHORE: a count between 0 and Limit; each satisfied wait takes one.
 *
 * Releasing past the limit raises STATUS_SEMAPHORE_LIMIT_EXCEEDED on Windows; here it is the
 * verifier's SEMAPHORE_LIMIT_EXCEEDED and the count is left unchanged.
 */
#include "ke_internal.h"

static inline BOOLEAN ke_semaphore_valid(PRKSEMAPHORE Semaphore, const char *ddi)
{
    if (KE_LIKELY(Semaphore->Header.Type == KE_SEMAPHORE && ke_header_initialized(&Semaphore->Header)))
        return TRUE;
    return ke_report_not_initialized(Semaphore, "KSEMAPHORE", ddi);
}

void KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    ke_header_init(&Semaphore->Header, KE_SEMAPHORE, sizeof(KSEMAPHORE) / sizeof(LONG), Count);
    Semaphore->Limit = Limit;
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KeReleaseSemaphore");
    if (!ke_semaphore_valid(Semaphore, "KeReleaseSemaphore"))
        return 0;
    PDISPATCHER_HEADER h = &Semaphore->Header;
    struct ke_wake_list wakes = {NULL};
    ke_dispatcher_lock();
    LONG old = ke_load_state(h);
    LONG limit = Semaphore->Limit;
    if (KE_UNLIKELY(Adjustment <= 0 || (LONGLONG)old + Adjustment > limit)) {
        ke_dispatcher_unlock(NULL);
        OWDF_VERIFY_REPORT("SEMAPHORE_LIMIT_EXCEEDED", Semaphore, "KSEMAPHORE", NULL,
                           "KeReleaseSemaphore(%p, Adjustment %d): count %d, limit %d "
                           "(STATUS_SEMAPHORE_LIMIT_EXCEEDED)",
                           (void *)Semaphore, Adjustment, old, limit);
        return old;
    }
    ke_store_state(h, ke_signal_object(h, old + Adjustment, &wakes));
    ke_dispatcher_unlock(&wakes);
    return old;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    if (!ke_semaphore_valid(Semaphore, "KeReadStateSemaphore"))
        return 0;
    return ke_load_state(&Semaphore->Header);
}
