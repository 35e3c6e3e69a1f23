/*
 * timer.c - KTIMER and the timer service thread.
 *
 * Set timers live in one pairing heap ordered by due time (interrupt time, 100 ns), linked
 * through the KTIMER itself, so setting and cancelling never allocate: insert O(1), cancel and
 * expiry O(log n) amortized. One service thread sleeps until the earliest due time; a KeSetTimer
 * that becomes the new earliest signals it only if it sleeps past that time. On expiry, under the
 * timer lock (so KeCancelTimer returning TRUE means the timer will not fire), the timer is signaled
 * (waking its waiters, as a dispatcher object) and its DPC, if any, is queued to the virtual
 * processor that set the timer, with the system time's low and high parts as arguments. A periodic
 * timer is put back in the heap one period later (missed periods are skipped, not queued up).
 *
 * Lock order: timer lock, then the dispatcher lock, then a VP lock.
 */
#include "ke_internal.h"

#include <stdio.h>

static pthread_mutex_t ke_timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ke_timer_cond;
static pthread_once_t ke_timer_once = PTHREAD_ONCE_INIT;
static PKTIMER ke_timer_root;         /* under ke_timer_lock */
static uint64_t ke_timer_sleep_until; /* under ke_timer_lock: when the service thread wakes; 0 awake */
static bool ke_timer_stop;            /* under ke_timer_lock */
static pthread_t ke_timer_thread;

/* ---- Pairing heap -------------------------------------------------------------------------- */

static inline bool ke_due_before(const KTIMER *a, const KTIMER *b)
{
    return a->DueTime.QuadPart < b->DueTime.QuadPart;
}

/* Both are roots (no siblings); the later one becomes the first child of the earlier one. */
static PKTIMER ke_heap_meld(PKTIMER a, PKTIMER b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (ke_due_before(b, a)) {
        PKTIMER t = a;
        a = b;
        b = t;
    }
    b->HeapPrev = a;
    b->HeapNext = a->HeapChild;
    if (a->HeapChild != NULL)
        a->HeapChild->HeapPrev = b;
    a->HeapChild = b;
    return a;
}

/* Two-pass pairing of a sibling list: pair left to right, then meld the pairs right to left. */
static PKTIMER ke_heap_merge_pairs(PKTIMER first)
{
    PKTIMER stack = NULL;
    while (first != NULL) {
        PKTIMER a = first, b = a->HeapNext;
        first = b != NULL ? b->HeapNext : NULL;
        a->HeapNext = a->HeapPrev = NULL;
        if (b != NULL) {
            b->HeapNext = b->HeapPrev = NULL;
            a = ke_heap_meld(a, b);
        }
        a->HeapNext = stack;
        stack = a;
    }
    PKTIMER root = NULL;
    while (stack != NULL) {
        PKTIMER next = stack->HeapNext;
        stack->HeapNext = NULL;
        root = ke_heap_meld(stack, root);
        stack = next;
    }
    return root;
}

static PKTIMER ke_heap_pop(PKTIMER root)
{
    PKTIMER children = root->HeapChild;
    root->HeapChild = NULL;
    return ke_heap_merge_pairs(children);
}

static PKTIMER ke_heap_remove(PKTIMER root, PKTIMER x)
{
    if (x == root)
        return ke_heap_pop(root);
    if (x->HeapPrev->HeapChild == x)
        x->HeapPrev->HeapChild = x->HeapNext;
    else
        x->HeapPrev->HeapNext = x->HeapNext;
    if (x->HeapNext != NULL)
        x->HeapNext->HeapPrev = x->HeapPrev;
    x->HeapNext = x->HeapPrev = NULL;
    return ke_heap_meld(root, ke_heap_pop(x));
}

static PKTIMER ke_heap_insert(PKTIMER root, PKTIMER x)
{
    x->HeapChild = x->HeapNext = x->HeapPrev = NULL;
    return ke_heap_meld(root, x);
}

/* ---- Timer objects ------------------------------------------------------------------------- */

static inline BOOLEAN ke_timer_valid(PKTIMER Timer, const char *ddi)
{
    PDISPATCHER_HEADER h = &Timer->Header;
    if (KE_LIKELY((h->Type == KE_TIMER_NOTIFICATION || h->Type == KE_TIMER_SYNCHRONIZATION) &&
                  ke_header_initialized(h)))
        return TRUE;
    return ke_report_not_initialized(Timer, "KTIMER", ddi);
}

void KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    ke_header_init(&Timer->Header,
                   Type == SynchronizationTimer ? KE_TIMER_SYNCHRONIZATION : KE_TIMER_NOTIFICATION,
                   sizeof(KTIMER) / sizeof(LONG), 0);
    Timer->DueTime.QuadPart = 0;
    Timer->HeapChild = Timer->HeapNext = Timer->HeapPrev = NULL;
    Timer->Dpc = NULL;
    Timer->Processor = 0;
    Timer->Period = 0;
    Timer->Inserted = FALSE;
}

void KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KeSetTimerEx");
    if (!ke_timer_valid(Timer, "KeSetTimer"))
        return FALSE;
    if (Dpc != NULL &&
        KE_UNLIKELY((Dpc->Type != KE_DPC && Dpc->Type != KE_THREADED_DPC) || Dpc->DeferredRoutine == NULL))
        return ke_report_not_initialized(Dpc, "KDPC", "KeSetTimer");
    ke_runtime_ensure();
    uint64_t due = ke_timeout_to_interrupt_time(DueTime.QuadPart);
    ULONG processor = KeGetCurrentProcessorNumber();

    pthread_mutex_lock(&ke_timer_lock);
    BOOLEAN was_set = Timer->Inserted != FALSE;
    if (was_set)
        ke_timer_root = ke_heap_remove(ke_timer_root, Timer);
    Timer->DueTime.QuadPart = due;
    Timer->Period = Period > 0 ? Period : 0;
    Timer->Dpc = Dpc;
    Timer->Processor = processor;
    ke_store_state(&Timer->Header, 0);
    ke_timer_root = ke_heap_insert(ke_timer_root, Timer);
    Timer->Inserted = TRUE;
    bool wake = ke_timer_root == Timer && due < ke_timer_sleep_until;
    if (wake)
        ke_timer_sleep_until = due; /* one signal is enough until it sleeps again */
    pthread_mutex_unlock(&ke_timer_lock);
    if (wake)
        pthread_cond_signal(&ke_timer_cond); /* after the unlock: the service thread needs the lock */
    return was_set;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

/* The tolerable delay only allows coalescing; firing on time is within it. */
BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period, ULONG TolerableDelay,
                              PKDPC Dpc)
{
    (void)TolerableDelay;
    return KeSetTimerEx(Timer, DueTime, Period > (ULONG)MAXLONG ? MAXLONG : (LONG)Period, Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "KeCancelTimer");
    if (!ke_timer_valid(Timer, "KeCancelTimer"))
        return FALSE;
    pthread_mutex_lock(&ke_timer_lock);
    BOOLEAN was_set = Timer->Inserted != FALSE;
    if (was_set) {
        ke_timer_root = ke_heap_remove(ke_timer_root, Timer);
        Timer->Inserted = FALSE;
    }
    pthread_mutex_unlock(&ke_timer_lock);
    return was_set;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer)
{
    if (!ke_timer_valid(Timer, "KeReadStateTimer"))
        return FALSE;
    return ke_load_state(&Timer->Header) > 0;
}

/* ---- The service thread ------------------------------------------------------------------ */

/* Timer lock held; `t` has just been taken out of the heap. */
static void ke_timer_fire(PKTIMER t, uint64_t now)
{
    PKDPC dpc = t->Dpc;
    ULONG processor = t->Processor;
    if (t->Period > 0) {
        uint64_t period = (uint64_t)t->Period * 10000u;
        uint64_t next = (uint64_t)t->DueTime.QuadPart + period;
        t->DueTime.QuadPart = (LONGLONG)(next > now ? next : now + period);
        ke_timer_root = ke_heap_insert(ke_timer_root, t);
    } else {
        t->Inserted = FALSE;
    }
    struct ke_wake_list wakes = {NULL};
    ke_dispatcher_lock();
    ke_store_state(&t->Header, ke_signal_object(&t->Header, 1, &wakes));
    ke_dispatcher_unlock(&wakes);
    if (dpc != NULL) {
        int64_t st = ke_system_time();
        ke_dpc_insert(dpc, (PVOID)(ULONG_PTR)(ULONG)st, (PVOID)(ULONG_PTR)(ULONG)((uint64_t)st >> 32),
                      processor);
    }
}

static void *ke_timer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ke_timer_lock);
    while (!ke_timer_stop) {
        uint64_t now = ke_interrupt_time();
        while (ke_timer_root != NULL && (uint64_t)ke_timer_root->DueTime.QuadPart <= now) {
            PKTIMER t = ke_timer_root;
            ke_timer_root = ke_heap_pop(t);
            ke_timer_fire(t, now);
        }
        if (ke_timer_root != NULL) {
            struct timespec ts;
            ke_timer_sleep_until = (uint64_t)ke_timer_root->DueTime.QuadPart;
            ke_interrupt_time_to_timespec(ke_timer_sleep_until, &ts);
            pthread_cond_timedwait(&ke_timer_cond, &ke_timer_lock, &ts);
        } else {
            ke_timer_sleep_until = UINT64_MAX;
            pthread_cond_wait(&ke_timer_cond, &ke_timer_lock);
        }
        ke_timer_sleep_until = 0;
    }
    pthread_mutex_unlock(&ke_timer_lock);
    return NULL;
}

static void ke_timer_init_once(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ke_timer_cond, &attr);
    pthread_condattr_destroy(&attr);
}

NTSTATUS ke_timer_service_start(void)
{
    pthread_once(&ke_timer_once, ke_timer_init_once);
    pthread_mutex_lock(&ke_timer_lock);
    ke_timer_stop = false;
    ke_timer_sleep_until = 0;
    pthread_mutex_unlock(&ke_timer_lock);
    return ke_thread_create_flags(&ke_timer_thread, "owdf-timer", KE_THREAD_RUNTIME, ke_timer_main, NULL);
}

unsigned ke_timers_report_pending(void)
{
    unsigned reported = 0;
    char name[128];
    for (;;) {
        pthread_mutex_lock(&ke_timer_lock);
        PKTIMER t = ke_timer_root;
        if (t == NULL) {
            pthread_mutex_unlock(&ke_timer_lock);
            break;
        }
        ke_timer_root = ke_heap_pop(t);
        t->Inserted = FALSE;
        PKDEFERRED_ROUTINE routine = t->Dpc != NULL ? t->Dpc->DeferredRoutine : NULL;
        pthread_mutex_unlock(&ke_timer_lock);
        if (routine != NULL)
            ke_routine_name((const void *)routine, name, sizeof name);
        else
            snprintf(name, sizeof name, "none");
        KE_REPORT_PENDING(t, "KTIMER", "timer %p still set at shutdown (DPC routine %s); cancelled",
                          (void *)t, name);
        reported++;
    }
    return reported;
}

void ke_timer_service_stop(void)
{
    pthread_mutex_lock(&ke_timer_lock);
    ke_timer_stop = true;
    pthread_cond_signal(&ke_timer_cond);
    pthread_mutex_unlock(&ke_timer_lock);
    pthread_join(ke_timer_thread, NULL);
}
