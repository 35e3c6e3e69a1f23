/*
 * event.c - KEVENT: notification events (stay signaled, release every waiter) and
 * synchronization events (release one waiter, then reset themselves).
 *
 * KeSetEvent on a signaled event returns without the lock; on an unsignaled event with no
 * waiter it takes the dispatcher lock (uncontended: no syscall) and stores the state. The signal
 * state is always the last thing a setter writes in the event (see dispatcher.c).
 */
#include "ke_internal.h"

static inline BOOLEAN ke_event_valid(PRKEVENT Event, const char *ddi)
{
    PDISPATCHER_HEADER h = &Event->Header;
    if (KE_LIKELY((h->Type == KE_EVENT_NOTIFICATION || h->Type == KE_EVENT_SYNCHRONIZATION) &&
                  ke_header_initialized(h)))
        return TRUE;
    return ke_report_not_initialized(Event, "KEVENT", ddi);
}

void KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    ke_header_init(&Event->Header,
                   Type == SynchronizationEvent ? KE_EVENT_SYNCHRONIZATION : KE_EVENT_NOTIFICATION,
                   sizeof(KEVENT) / sizeof(LONG), State ? 1 : 0);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait; /* Wait = TRUE keeps no lock held on return: the next KeWait just takes it again */
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KeSetEvent");
    if (!ke_event_valid(Event, "KeSetEvent"))
        return 0;
    PDISPATCHER_HEADER h = &Event->Header;
    LONG old = ke_load_state(h);
    if (old > 0)
        return old;
    struct ke_wake_list wakes = {NULL};
    ke_dispatcher_lock();
    old = ke_load_state(h);
    if (old == 0)
        ke_store_state(h, ke_signal_object(h, 1, &wakes));
    ke_dispatcher_unlock(&wakes);
    return old;
}

LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KePulseEvent");
    if (!ke_event_valid(Event, "KePulseEvent"))
        return 0;
    PDISPATCHER_HEADER h = &Event->Header;
    struct ke_wake_list wakes = {NULL};
    ke_dispatcher_lock();
    LONG old = ke_load_state(h);
    if (old == 0)
        (void)ke_signal_object(h, 1, &wakes);
    ke_store_state(h, 0);
    ke_dispatcher_unlock(&wakes);
    return old;
}

LONG KeResetEvent(PRKEVENT Event)
{
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KeResetEvent");
    if (!ke_event_valid(Event, "KeResetEvent"))
        return 0;
    return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

void KeClearEvent(PRKEVENT Event)
{
    if (!ke_event_valid(Event, "KeClearEvent"))
        return;
    ke_store_state(&Event->Header, 0);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    if (!ke_event_valid(Event, "KeReadStateEvent"))
        return 0;
    return ke_load_state(&Event->Header);
}
