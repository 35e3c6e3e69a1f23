/*
 * mutex.c - KMUTEX (mutant): owned by one thread, which may acquire it again (each wait counts
 * the signal state down from 1; each release counts it back up). Owning one disables normal
 * kernel APCs (KeAreApcsDisabled). A thread that exits owning one abandons it: the verifier's
 * THREAD_EXIT_HELD_MUTEX, and the next owner's wait returns STATUS_ABANDONED_WAIT_0 + index.
 * Acquisition is a wait (dispatcher.c); release by a thread that does not own it raises
 * STATUS_MUTANT_NOT_OWNED on Windows and is the verifier's MUTANT_NOT_OWNED here.
 */
#include "ke_internal.h"

static inline BOOLEAN ke_mutex_valid(PRKMUTEX Mutex, const char *ddi)
{
    if (KE_LIKELY(Mutex->Header.Type == KE_MUTANT && ke_header_initialized(&Mutex->Header)))
        return TRUE;
    return ke_report_not_initialized(Mutex, "KMUTEX", ddi);
}

void KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    (void)Level;
    ke_header_init(&Mutex->Header, KE_MUTANT, sizeof(KMUTANT) / sizeof(LONG), 1);
    Mutex->MutantListEntry.Flink = Mutex->MutantListEntry.Blink = NULL;
    Mutex->OwnerThread = NULL;
    Mutex->Abandoned = FALSE;
    Mutex->ApcDisable = 1;
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    (void)Wait;
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KeReleaseMutex");
    if (!ke_mutex_valid(Mutex, "KeReleaseMutex"))
        return 0;
    struct ke_thread *t = ke_current_thread();
    PDISPATCHER_HEADER h = &Mutex->Header;
    struct ke_wake_list wakes = {NULL};
    ke_dispatcher_lock();
    LONG old = ke_load_state(h);
    if (KE_UNLIKELY(Mutex->OwnerThread != t)) {
        bool owned = Mutex->OwnerThread != NULL;
        ke_dispatcher_unlock(NULL);
        OWDF_VERIFY_REPORT(
            "MUTANT_NOT_OWNED", Mutex, "KMUTEX", NULL,
            "KeReleaseMutex(%p) by a thread that does not own it (%s; STATUS_MUTANT_NOT_OWNED)",
            (void *)Mutex, owned ? "another thread owns it" : "it is not owned");
        return old;
    }
    LONG state = old + 1;
    if (state == 1) {
        Mutex->OwnerThread = NULL;
        ke_list_remove(&Mutex->MutantListEntry);
        t->mutex_count--;
        state = ke_signal_object(h, 1, &wakes);
    }
    ke_store_state(h, state);
    ke_dispatcher_unlock(&wakes);
    return old;
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    if (!ke_mutex_valid(Mutex, "KeReadStateMutex"))
        return 0;
    return ke_load_state(&Mutex->Header);
}
