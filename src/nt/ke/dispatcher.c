/*
 * dispatcher.c - the dispatcher lock, wait lists and waits: KeWaitForSingleObject,
 * KeWaitForMultipleObjects, KeDelayExecutionThread.
 *
 * As in NT: one dispatcher lock guards every dispatcher object's signal state changes and wait
 * list. A waiter that cannot be satisfied at once links one KWAIT_BLOCK per object into the
 * objects' wait lists and sleeps on its own futex word. Whoever signals an object (ke_signal_object)
 * walks its wait list and satisfies waiters right there, under the lock: it consumes the object
 * for them (a synchronization event resets, a semaphore counts down, a mutex gets its owner),
 * unlinks all of their wait blocks, stores their wait status, and wakes exactly those threads
 * after dropping the lock. A WaitAll waiter is satisfied only when every one of its objects is,
 * all of them at once. A woken thread never re-checks anything: its status is final.
 *
 * The one lock-free path is a wait on a notification event that is already signaled (a read).
 * For it to be safe with events on a waiter's stack, every signaler stores the new signal state as
 * its last access to the object (ke_signal_object returns the state instead of storing it).
 */
#include "ke_internal.h"

#include <errno.h>
#include <sched.h>

static pthread_mutex_t ke_dispatcher_mutex = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;

void ke_dispatcher_lock(void)
{
    pthread_mutex_lock(&ke_dispatcher_mutex);
}

void ke_dispatcher_unlock(struct ke_wake_list *wakes)
{
    struct ke_thread *t = wakes != NULL ? wakes->head : NULL;
    pthread_mutex_unlock(&ke_dispatcher_mutex);
    while (t != NULL) {
        struct ke_thread *next = t->wake_next; /* read before the wake lets t go */
        ke_thread_wake(t);
        t = next;
    }
}

void ke_header_init(PDISPATCHER_HEADER header, UCHAR type, UCHAR size_longs, LONG state)
{
    header->Type = type;
    header->Signalling = 0;
    header->Size = size_longs;
    header->Reserved = KE_HEADER_MAGIC;
    header->SignalState = state;
    ke_list_init(&header->WaitListHead);
}

/* The object whose signal state the current signaler keeps in a local until it is done. */
struct ke_sig {
    PDISPATCHER_HEADER header;
    LONG state;
};

static inline LONG ke_state_of(PDISPATCHER_HEADER h, const struct ke_sig *sig)
{
    return (sig != NULL && sig->header == h) ? sig->state : ke_load_state(h);
}

static inline void ke_set_state_of(PDISPATCHER_HEADER h, struct ke_sig *sig, LONG state)
{
    if (sig != NULL && sig->header == h)
        sig->state = state;
    else
        ke_store_state(h, state);
}

static inline bool ke_satisfiable(PDISPATCHER_HEADER h, const struct ke_thread *t, const struct ke_sig *sig)
{
    if (ke_state_of(h, sig) > 0)
        return true;
    return h->Type == KE_MUTANT && ((PKMUTANT)h)->OwnerThread == t;
}

/* Consumes `h` for `t` (dispatcher lock held); true when it was an abandoned mutex. */
static bool ke_satisfy(PDISPATCHER_HEADER h, struct ke_thread *t, struct ke_sig *sig)
{
    switch (h->Type) {
    case KE_EVENT_SYNCHRONIZATION:
    case KE_TIMER_SYNCHRONIZATION:
        ke_set_state_of(h, sig, 0);
        return false;
    case KE_SEMAPHORE:
        ke_set_state_of(h, sig, ke_state_of(h, sig) - 1);
        return false;
    case KE_MUTANT: {
        PKMUTANT m = (PKMUTANT)h;
        ke_set_state_of(h, sig, ke_state_of(h, sig) - 1);
        if (m->OwnerThread == t)
            return false; /* recursive acquisition */
        m->OwnerThread = t;
        ke_list_insert_tail(&t->owned_mutexes, &m->MutantListEntry);
        t->mutex_count++;
        if (m->Abandoned) {
            m->Abandoned = FALSE;
            return true;
        }
        return false;
    }
    default:
        return false; /* notification objects stay signaled */
    }
}

static void ke_unwait(struct ke_thread *t, NTSTATUS status, struct ke_wake_list *wakes)
{
    for (ULONG i = 0; i < t->wait_count; i++) {
        ke_list_remove(&t->wait_blocks[i].WaitListEntry);
        t->wait_blocks[i].BlockState = 0;
    }
    t->wait_count = 0;
    __atomic_store_n(&t->wait_status, status, __ATOMIC_SEQ_CST);
    t->wake_next = wakes->head;
    wakes->head = t;
}

static bool ke_all_satisfiable(const struct ke_thread *t, const struct ke_sig *sig)
{
    for (ULONG i = 0; i < t->wait_count; i++) {
        if (!ke_satisfiable(t->wait_blocks[i].Object, t, sig))
            return false;
    }
    return true;
}

static bool ke_satisfy_all(struct ke_thread *t, struct ke_sig *sig)
{
    bool abandoned = false;
    ULONG count = t->wait_count;
    for (ULONG i = 0; i < count; i++) {
        if (ke_satisfy(t->wait_blocks[i].Object, t, sig))
            abandoned = true;
    }
    return abandoned;
}

LONG ke_signal_object(PDISPATCHER_HEADER header, LONG state, struct ke_wake_list *wakes)
{
    struct ke_sig sig = {header, state};
    PLIST_ENTRY head = &header->WaitListHead;
    PLIST_ENTRY e = head->Flink;
    while (e != head && sig.state > 0) {
        PKWAIT_BLOCK wb = CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry);
        struct ke_thread *t = wb->Thread;
        if (wb->WaitType == WaitAny) {
            USHORT key = wb->WaitKey;
            bool abandoned = ke_satisfy(header, t, &sig);
            ke_unwait(t, (abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0) + key, wakes);
            e = head->Flink;
        } else if (ke_all_satisfiable(t, &sig)) {
            bool abandoned = ke_satisfy_all(t, &sig);
            ke_unwait(t, abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0, wakes);
            e = head->Flink;
        } else {
            e = e->Flink;
        }
    }
    return sig.state;
}

void ke_thread_abandon_mutexes(struct ke_thread *t)
{
    struct ke_wake_list wakes = {NULL};
    ULONG count = 0;
    PVOID first = NULL;
    ke_dispatcher_lock();
    while (!ke_list_empty(&t->owned_mutexes)) {
        PKMUTANT m = CONTAINING_RECORD(ke_list_remove_head(&t->owned_mutexes), KMUTANT, MutantListEntry);
        t->mutex_count--;
        m->OwnerThread = NULL;
        m->Abandoned = TRUE;
        if (first == NULL)
            first = m;
        count++;
        ke_store_state(&m->Header, ke_signal_object(&m->Header, 1, &wakes));
    }
    ke_dispatcher_unlock(&wakes);
    OWDF_VERIFY_REPORT("THREAD_EXIT_HELD_MUTEX", first, "KMUTEX", NULL,
                       "thread %d exited owning %u mutex(es), first %p: they are abandoned", (int)t->tid,
                       count, first);
}

/* ---- Waits ------------------------------------------------------------------------------ */

static bool ke_is_waitable(const DISPATCHER_HEADER *h)
{
    switch (h->Type) {
    case KE_EVENT_NOTIFICATION:
    case KE_EVENT_SYNCHRONIZATION:
    case KE_MUTANT:
    case KE_SEMAPHORE:
    case KE_TIMER_NOTIFICATION:
    case KE_TIMER_SYNCHRONIZATION:
        return ke_header_initialized(h);
    default:
        return false;
    }
}

static NTSTATUS ke_wait_invalid(const void *object, const char *ddi, const char *what)
{
    OWDF_VERIFY_REPORT("WAIT_INVALID_PARAMETER", object, NULL, NULL, "%s: %s", ddi, what);
    return STATUS_INVALID_PARAMETER;
}

/* IRQL rules of a wait: above DISPATCH_LEVEL never; at DISPATCH_LEVEL only a poll. */
static inline void ke_wait_check_irql(const char *ddi, const void *object, bool poll)
{
    if (KE_LIKELY(ke_tls.irql < DISPATCH_LEVEL))
        return;
    if (ke_tls.irql > DISPATCH_LEVEL)
        ke_report_max_irql(DISPATCH_LEVEL, ddi);
    else if (!poll)
        ke_report_blocking(ddi, object);
}

/*
 * Sleeps until a signaler has finished with this thread (wake word WOKEN), or until the deadline;
 * on a timeout the wait blocks are unlinked under the lock, unless a signaler satisfied the wait in
 * the meantime (then its wake is awaited, so no signaler can touch this thread after we return).
 */
static NTSTATUS ke_wait_sleep(struct ke_thread *t, const uint64_t *deadline)
{
    struct timespec ts, *tsp = NULL;
    if (deadline != NULL) {
        ke_interrupt_time_to_timespec(*deadline, &ts);
        tsp = &ts;
    }
    for (;;) {
        uint32_t w = __atomic_load_n(&t->wake, __ATOMIC_SEQ_CST);
        if (w == KE_WAKE_WOKEN)
            break;
        if (w == KE_WAKE_ARMED && !__atomic_compare_exchange_n(&t->wake, &w, KE_WAKE_SLEEPING, false,
                                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            continue;
        if (ke_futex_wait(&t->wake, KE_WAKE_SLEEPING, tsp) == ETIMEDOUT && tsp != NULL) {
            ke_dispatcher_lock();
            if (__atomic_load_n(&t->wait_status, __ATOMIC_SEQ_CST) == STATUS_PENDING) {
                for (ULONG i = 0; i < t->wait_count; i++) {
                    ke_list_remove(&t->wait_blocks[i].WaitListEntry);
                    t->wait_blocks[i].BlockState = 0;
                }
                t->wait_count = 0;
                __atomic_store_n(&t->wait_status, STATUS_TIMEOUT, __ATOMIC_SEQ_CST);
                ke_dispatcher_unlock(NULL);
                return STATUS_TIMEOUT;
            }
            ke_dispatcher_unlock(NULL);
            tsp = NULL;
        }
    }
    return __atomic_load_n(&t->wait_status, __ATOMIC_SEQ_CST);
}

static NTSTATUS ke_wait(ULONG count, PVOID *objects, WAIT_TYPE type, PLARGE_INTEGER timeout,
                        PKWAIT_BLOCK blocks)
{
    struct ke_thread *t = ke_current_thread();
    bool poll = timeout != NULL && timeout->QuadPart == 0;
    uint64_t deadline = 0;
    if (timeout != NULL && !poll)
        deadline = ke_timeout_to_interrupt_time(timeout->QuadPart);

    ke_dispatcher_lock();
    if (type == WaitAny) {
        for (ULONG i = 0; i < count; i++) {
            PDISPATCHER_HEADER h = objects[i];
            if (ke_satisfiable(h, t, NULL)) {
                bool abandoned = ke_satisfy(h, t, NULL);
                ke_dispatcher_unlock(NULL);
                return (abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0) + (NTSTATUS)i;
            }
        }
    } else {
        bool all = true;
        for (ULONG i = 0; i < count && all; i++)
            all = ke_satisfiable(objects[i], t, NULL);
        if (all) {
            bool abandoned = false;
            for (ULONG i = 0; i < count; i++) {
                if (ke_satisfy(objects[i], t, NULL))
                    abandoned = true;
            }
            ke_dispatcher_unlock(NULL);
            return abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0;
        }
    }
    if (poll) {
        ke_dispatcher_unlock(NULL);
        return STATUS_TIMEOUT;
    }

    t->wait_type = (UCHAR)type;
    t->wait_count = count;
    t->wait_blocks = blocks;
    __atomic_store_n(&t->wait_status, STATUS_PENDING, __ATOMIC_SEQ_CST);
    __atomic_store_n(&t->wake, KE_WAKE_ARMED, __ATOMIC_SEQ_CST);
    for (ULONG i = 0; i < count; i++) {
        PKWAIT_BLOCK wb = &blocks[i];
        PDISPATCHER_HEADER h = objects[i];
        wb->Thread = t;
        wb->Object = h;
        wb->WaitKey = (USHORT)i;
        wb->WaitType = (UCHAR)type;
        wb->BlockState = 1;
        ke_list_insert_tail(&h->WaitListHead, &wb->WaitListEntry);
    }
    ke_dispatcher_unlock(NULL);
    return ke_wait_sleep(t, timeout != NULL ? &deadline : NULL);
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable; /* no APCs: a wait is never alerted */
    PDISPATCHER_HEADER h = Object;
    if (KE_UNLIKELY(h == NULL || !ke_is_waitable(h)))
        return ke_wait_invalid(Object, "KeWaitForSingleObject",
                               "the object is NULL, not initialized, or not a dispatcher object");
    ke_wait_check_irql("KeWaitForSingleObject", Object, Timeout != NULL && Timeout->QuadPart == 0);
    if (h->Type == KE_EVENT_NOTIFICATION && ke_load_state(h) > 0)
        return STATUS_WAIT_0;
    struct ke_thread *t = ke_current_thread();
    return ke_wait(1, &Object, WaitAny, Timeout, t->wait_block);
}

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                                  KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    static const char ddi[] = "KeWaitForMultipleObjects";
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;
    if (KE_UNLIKELY(Count == 0 || Count > MAXIMUM_WAIT_OBJECTS || Object == NULL)) {
        OWDF_VERIFY_REPORT("WAIT_INVALID_PARAMETER", Object, NULL, NULL,
                           "%s: Count %u (must be 1..%d) or no object array", ddi, Count,
                           MAXIMUM_WAIT_OBJECTS);
        return STATUS_INVALID_PARAMETER;
    }
    if (KE_UNLIKELY(WaitType != WaitAll && WaitType != WaitAny))
        return ke_wait_invalid(Object, ddi, "WaitType is neither WaitAll nor WaitAny");
    if (KE_UNLIKELY(Count > THREAD_WAIT_OBJECTS && WaitBlockArray == NULL))
        return ke_wait_invalid(Object, ddi, "more than THREAD_WAIT_OBJECTS objects need a WaitBlockArray");
    for (ULONG i = 0; i < Count; i++) {
        PDISPATCHER_HEADER h = Object[i];
        if (KE_UNLIKELY(h == NULL || !ke_is_waitable(h)))
            return ke_wait_invalid(Object[i], ddi,
                                   "an object is NULL, not initialized, or not a dispatcher object");
        if (WaitType == WaitAll) {
            for (ULONG j = 0; j < i; j++) {
                if (KE_UNLIKELY(Object[j] == Object[i]))
                    return ke_wait_invalid(Object[i], ddi, "the same object appears twice in a WaitAll");
            }
        }
    }
    ke_wait_check_irql(ddi, Object[0], Timeout != NULL && Timeout->QuadPart == 0);
    PKWAIT_BLOCK blocks = WaitBlockArray != NULL ? WaitBlockArray : ke_current_thread()->wait_block;
    return ke_wait(Count, Object, WaitType, Timeout, blocks);
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    (void)WaitMode;
    (void)Alertable;
    if (KE_UNLIKELY(Interval == NULL))
        return ke_wait_invalid(NULL, "KeDelayExecutionThread", "Interval is NULL");
    if (KE_UNLIKELY(ke_tls.irql > APC_LEVEL))
        ke_report_blocking("KeDelayExecutionThread", NULL);
    if (Interval->QuadPart == 0) {
        sched_yield();
        return STATUS_SUCCESS;
    }
    struct timespec ts;
    ke_interrupt_time_to_timespec(ke_timeout_to_interrupt_time(Interval->QuadPart), &ts);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
    return STATUS_SUCCESS;
}
