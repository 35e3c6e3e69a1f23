/*
 * ke_internal.h - private to the Ke layer (src/nt/ke) and the layers above it in this library.
 *
 * Per-thread state comes in two parts. The hot part (IRQL, spin locks held, critical regions)
 * is one initial-exec TLS block, read and written only by its own thread, so IRQL checks cost a
 * TLS load. The part other threads must reach (the wake word a signaler sets, wait blocks, owned
 * mutexes) is a struct ke_thread, allocated once per thread (at creation for our threads, lazily
 * for others) and recycled through a free list when the thread exits, never freed: a signaler may
 * still issue a futex wake on it just after the waiter has left.
 *
 * Lock order (take an earlier lock before a later one, never the reverse):
 *   runtime lock -> timer lock -> dispatcher lock -> virtual processor lock -> worker queue lock
 *   -> thread free-list lock.
 */
#ifndef OPENWDF_KE_INTERNAL_H
#define OPENWDF_KE_INTERNAL_H

#include <ntdef.h>
#include <ntstatus.h>
#include <owdf/ke.h>
#include <owdf/worker.h>
#include <openwdf/nt.h>
#include <openwdf/verifier.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define KE_LIKELY(x) __builtin_expect(!!(x), 1)
#define KE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define KE_HIDDEN __attribute__((visibility("hidden")))

/* The spin-wait hint of the CPU (pause on x86). */
static inline void ke_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* NT dispatcher object types (DISPATCHER_HEADER.Type), and the control object types we use. */
enum ke_object_type {
    KE_EVENT_NOTIFICATION = 0,
    KE_EVENT_SYNCHRONIZATION = 1,
    KE_MUTANT = 2,
    KE_SEMAPHORE = 5,
    KE_TIMER_NOTIFICATION = 8,
    KE_TIMER_SYNCHRONIZATION = 9,
    KE_DPC = 19,
    KE_THREADED_DPC = 24,
};

/* ---- Per-thread state ------------------------------------------------------------------------ */

struct ke_vp;

struct ke_tls {
    KIRQL irql;
    LONG critical_regions;    /* KeEnterCriticalRegion depth */
    ULONG spin_locks;         /* spin locks held */
    struct ke_thread *thread; /* NULL until first needed */
    struct ke_vp *vp;         /* the virtual processor this thread is, or NULL */
} __attribute__((aligned(16)));

extern __thread struct ke_tls ke_tls __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* Identity stored in a held spin lock: this thread's TLS block; the low 4 bits are free. */
#define KE_SPIN_OWNER_MASK (~(ULONG_PTR)15)
static inline ULONG_PTR ke_spin_self(void)
{
    return (ULONG_PTR)&ke_tls;
}

enum ke_thread_flags {
    KE_THREAD_OURS = 1,    /* created by ke_thread_create */
    KE_THREAD_RUNTIME = 2, /* a VP, the timer service or a worker: must not stop the runtime */
};

/* Wake word states. */
#define KE_WAKE_ARMED 0u
#define KE_WAKE_WOKEN 1u
#define KE_WAKE_SLEEPING 2u

struct ke_thread {
    uint32_t wake;        /* futex word, KE_WAKE_*; atomics only */
    NTSTATUS wait_status; /* STATUS_PENDING while waiting; atomics (written under the dispatcher lock) */
    UCHAR wait_type;      /* WaitAll / WaitAny of the current wait */
    ULONG wait_count;
    PKWAIT_BLOCK wait_blocks;    /* the current wait's blocks (ours or the caller's array) */
    struct ke_thread *wake_next; /* deferred wake list, under the dispatcher lock */
    LIST_ENTRY owned_mutexes;    /* KMUTANT.MutantListEntry, under the dispatcher lock */
    ULONG mutex_count;
    unsigned flags;
    pid_t tid;
    struct ke_thread *free_next;
    KWAIT_BLOCK wait_block[THREAD_WAIT_OBJECTS];
};

/* This thread's ke_thread, created on first use (calloc; aborts on out-of-memory). */
KE_HIDDEN struct ke_thread *ke_thread_attach_lazy(void);
static inline struct ke_thread *ke_current_thread(void)
{
    struct ke_thread *t = ke_tls.thread;
    return KE_LIKELY(t != NULL) ? t : ke_thread_attach_lazy();
}
KE_HIDDEN void ke_thread_wake(struct ke_thread *t);
/* ke_thread_create with extra flags (KE_THREAD_RUNTIME for the runtime's own threads). */
KE_HIDDEN NTSTATUS ke_thread_create_flags(pthread_t *thread, const char *name, unsigned flags,
                                          void *(*start)(void *), void *arg);
/* Called at thread exit (pthread key destructor): abandons owned mutexes (dispatcher.c). */
KE_HIDDEN void ke_thread_abandon_mutexes(struct ke_thread *t);

/* ---- IRQL and report helpers ----------------------------------------------------------------- */

KE_HIDDEN BOOLEAN ke_report_max_irql(KIRQL max, const char *ddi_name);
/* ke_check_max_irql without the call when all is well. */
#define KE_CHECK_MAX_IRQL(max, ddi)                                                                          \
    (KE_LIKELY(ke_tls.irql <= (max)) ? TRUE : ke_report_max_irql((max), (ddi)))

/* ke_callback_enter, inline for the layers of this library that call into drivers on every request. */
static inline void ke_callback_enter_inline(ke_callback_frame *f)
{
    const struct ke_thread *t = ke_tls.thread;
    f->irql = ke_tls.irql;
    f->spin_locks = ke_tls.spin_locks;
    f->critical_regions = ke_tls.critical_regions;
    f->mutexes = t != NULL ? t->mutex_count : 0;
}

/* Cheap test before ke_callback_check_return (which may look up a routine name first). */
static inline bool ke_callback_frame_changed(const ke_callback_frame *f)
{
    const struct ke_thread *t = ke_tls.thread;
    return ke_tls.irql != f->irql || ke_tls.spin_locks != f->spin_locks ||
           ke_tls.critical_regions != f->critical_regions || (t != NULL ? t->mutex_count : 0) != f->mutexes;
}

/* Blocking waits at or above DISPATCH_LEVEL: BLOCKING_CALL_AT_DISPATCH / DDI_ABOVE_MAX_IRQL. */
KE_HIDDEN void ke_report_blocking(const char *ddi, const void *object);

/* DISPATCHER_HEADER sanity: initialized (KE_OBJECT_NOT_INITIALIZED otherwise). */
KE_HIDDEN BOOLEAN ke_report_not_initialized(const void *object, const char *type, const char *ddi);

/* ---- Lists (own names: rtl's inline helpers live in its header) ---------------------------- */

static inline void ke_list_init(PLIST_ENTRY head)
{
    head->Flink = head->Blink = head;
}
static inline bool ke_list_empty(const LIST_ENTRY *head)
{
    return head->Flink == head;
}
static inline void ke_list_insert_tail(PLIST_ENTRY head, PLIST_ENTRY entry)
{
    PLIST_ENTRY last = head->Blink;
    entry->Flink = head;
    entry->Blink = last;
    last->Flink = entry;
    head->Blink = entry;
}
static inline void ke_list_insert_head(PLIST_ENTRY head, PLIST_ENTRY entry)
{
    PLIST_ENTRY first = head->Flink;
    entry->Flink = first;
    entry->Blink = head;
    first->Blink = entry;
    head->Flink = entry;
}
static inline void ke_list_remove(PLIST_ENTRY entry)
{
    PLIST_ENTRY f = entry->Flink, b = entry->Blink;
    b->Flink = f;
    f->Blink = b;
}
static inline PLIST_ENTRY ke_list_remove_head(PLIST_ENTRY head)
{
    PLIST_ENTRY first = head->Flink;
    ke_list_remove(first);
    return first;
}

/* ---- Time ------------------------------------------------------------------------------------ */

/* Interrupt time: 100 ns units of CLOCK_MONOTONIC. System time: 100 ns since 1601 (CLOCK_REALTIME). */
KE_HIDDEN uint64_t ke_interrupt_time(void);
KE_HIDDEN int64_t ke_system_time(void);
/* NT timeout (negative relative, positive absolute system time) -> interrupt time it expires at. */
KE_HIDDEN uint64_t ke_timeout_to_interrupt_time(LONGLONG timeout);
KE_HIDDEN void ke_interrupt_time_to_timespec(uint64_t it, struct timespec *ts);

/* ---- Futex ----------------------------------------------------------------------------------- */

/* Waits while *word == expected, until woken or the CLOCK_MONOTONIC deadline (NULL = none).
 * Returns 0, or ETIMEDOUT once past the deadline. */
KE_HIDDEN int ke_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *deadline);
KE_HIDDEN void ke_futex_wake(uint32_t *word, int count);

/* ---- Dispatcher -------------------------------------------------------------------------- */

struct ke_wake_list {
    struct ke_thread *head;
};

KE_HIDDEN void ke_dispatcher_lock(void);
/* Unlocks, then wakes the threads the holder unwaited (no futex call under the lock). */
KE_HIDDEN void ke_dispatcher_unlock(struct ke_wake_list *wakes);
/*
 * Under the dispatcher lock: `header` takes the signal state `state` (> 0); waiters it satisfies
 * are unwaited (added to wakes). Returns the state left after satisfying them; the caller stores
 * it into header->SignalState as its LAST access to the object (a waiter may free it right after).
 */
KE_HIDDEN LONG ke_signal_object(PDISPATCHER_HEADER header, LONG state, struct ke_wake_list *wakes);
KE_HIDDEN void ke_header_init(PDISPATCHER_HEADER header, UCHAR type, UCHAR size_longs, LONG state);
/* Set in DISPATCHER_HEADER.Reserved by every KeInitialize*: zeroed or garbage memory is caught
 * (the fields read here are written only at initialization, so reading them needs no lock). */
#define KE_HEADER_MAGIC 0x6b
static inline bool ke_header_initialized(const DISPATCHER_HEADER *h)
{
    return h->Reserved == KE_HEADER_MAGIC && h->Size != 0;
}
static inline LONG ke_load_state(const DISPATCHER_HEADER *h)
{
    return __atomic_load_n(&h->SignalState, __ATOMIC_SEQ_CST);
}
static inline void ke_store_state(PDISPATCHER_HEADER h, LONG v)
{
    __atomic_store_n(&h->SignalState, v, __ATOMIC_SEQ_CST);
}

/* ---- Runtime: virtual processors, timers, workers ------------------------------------------- */

/* Starts the runtime with the defaults if it is not running (first DPC, timer or work item). */
KE_HIDDEN void ke_runtime_lazy_start(void);
KE_HIDDEN extern int ke_runtime_running; /* atomics */
static inline void ke_runtime_ensure(void)
{
    if (KE_UNLIKELY(!__atomic_load_n(&ke_runtime_running, __ATOMIC_ACQUIRE)))
        ke_runtime_lazy_start();
}

/* DPCs and work items queued or running, for the shutdown drain. */
KE_HIDDEN extern long ke_outstanding;
static inline void ke_outstanding_add(long n)
{
    __atomic_add_fetch(&ke_outstanding, n, __ATOMIC_SEQ_CST);
}

/* Number of virtual processors (the running configuration, or the default before start). */
KE_HIDDEN ULONG ke_vp_count(void);
KE_HIDDEN unsigned ke_default_processors(void);
/* Queues a DPC on virtual processor `vp_hint` when its Number does not name one (KE_NO_VP_HINT:
 * the caller's processor). The runtime must be running. */
#define KE_NO_VP_HINT 0xffffffffu
KE_HIDDEN BOOLEAN ke_dpc_insert(PRKDPC dpc, PVOID arg1, PVOID arg2, ULONG vp_hint);

KE_HIDDEN NTSTATUS ke_vps_start(unsigned count);
/* Shutdown, in order: report (and dequeue) what is queued or running, then stop and join. */
KE_HIDDEN unsigned ke_vps_report_pending(void);
KE_HIDDEN void ke_vps_stop(void);
KE_HIDDEN void ke_vps_clear(void); /* after the final sweep: no processors until the next start */

KE_HIDDEN NTSTATUS ke_timer_service_start(void);
KE_HIDDEN unsigned ke_timers_report_pending(void);
KE_HIDDEN void ke_timer_service_stop(void);

KE_HIDDEN NTSTATUS ex_workers_start(unsigned count);
KE_HIDDEN unsigned ex_workers_report_pending(void);
KE_HIDDEN void ex_workers_stop(void);

/* Report helper for shutdown: one SHUTDOWN_WORK_PENDING report. */
#define KE_REPORT_PENDING(object, type, ...)                                                                 \
    OWDF_VERIFY_REPORT("SHUTDOWN_WORK_PENDING", object, type, NULL, __VA_ARGS__)

#endif /* OPENWDF_KE_INTERNAL_H */
