/*
 * dpc.c - virtual processors and their DPC queues.
 *
 * A virtual processor (VP) is a substrate thread that sits at DISPATCH_LEVEL and runs the DPCs
 * queued to it, one at a time, in queue order (HighImportance DPCs go to the head, the others to
 * the tail). KeInsertQueueDpc targets, in this order: the processor set by KeSetTargetProcessorDpc;
 * the inserting thread's own VP when it is one (a DPC queued from a DPC stays there); otherwise
 * the VP of the CPU the caller runs on (sched_getcpu() % N), as Windows queues to the current
 * processor. Threaded DPCs run on the same queues, at DISPATCH_LEVEL: Windows does that when
 * threaded DPCs are disabled, and a threaded DPC must be correct there, so this is the strict choice.
 *
 * A DPC is claimed by a compare-and-swap of DpcData (NULL -> its VP) made under that VP's lock,
 * so it is queued once at most and KeRemoveQueueDpc finds it linked wherever DpcData points. The
 * VP clears DpcData before calling the routine (it may queue itself again) and never touches the
 * KDPC after the call. An idle VP sleeps on a condition variable; an inserter signals it only when
 * its `sleeping` flag is set, so queueing to a busy VP makes no syscall.
 */
#include "ke_internal.h"

#include <sched.h>
#include <stdio.h>
#include <unistd.h>

struct ke_vp {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    LIST_ENTRY queue;           /* KDPC.DpcListEntry, under lock */
    bool sleeping;              /* under lock */
    bool stop;                  /* under lock */
    PKDEFERRED_ROUTINE running; /* routine being run, under lock */
    ULONG index;
    pthread_t thread;
};

static struct ke_vp ke_vps[MAXIMUM_PROCESSORS];
static pthread_once_t ke_vps_once = PTHREAD_ONCE_INIT;
static ULONG ke_vps_active; /* atomics: VPs of the running runtime, 0 when stopped */
static unsigned ke_vps_default_count;

static void ke_vps_init_once(void)
{
    for (ULONG i = 0; i < MAXIMUM_PROCESSORS; i++) {
        pthread_mutex_init(&ke_vps[i].lock, NULL);
        pthread_cond_init(&ke_vps[i].cond, NULL);
        ke_list_init(&ke_vps[i].queue);
        ke_vps[i].index = i;
    }
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0)
        n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0)
        n = 1;
    ke_vps_default_count = n > MAXIMUM_PROCESSORS ? MAXIMUM_PROCESSORS : (unsigned)n;
}

unsigned ke_default_processors(void)
{
    pthread_once(&ke_vps_once, ke_vps_init_once);
    return ke_vps_default_count;
}

ULONG ke_vp_count(void)
{
    ULONG n = __atomic_load_n(&ke_vps_active, __ATOMIC_ACQUIRE);
    return n != 0 ? n : ke_default_processors();
}

static const char *ke_dpc_what(PKDEFERRED_ROUTINE routine, char *buf, size_t size)
{
    char name[128];
    snprintf(buf, size, "DPC routine %s", ke_routine_name((const void *)routine, name, sizeof name));
    return buf;
}

static void *ke_vp_main(void *arg)
{
    struct ke_vp *vp = arg;
    ke_tls.vp = vp;
    ke_tls.irql = DISPATCH_LEVEL;
    pthread_mutex_lock(&vp->lock);
    for (;;) {
        while (ke_list_empty(&vp->queue) && !vp->stop) {
            vp->sleeping = true;
            pthread_cond_wait(&vp->cond, &vp->lock);
        }
        vp->sleeping = false;
        if (vp->stop)
            break; /* what is still queued is reported by the shutdown sweep */
        PKDPC dpc = CONTAINING_RECORD(ke_list_remove_head(&vp->queue), KDPC, DpcListEntry);
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID context = dpc->DeferredContext, arg1 = dpc->SystemArgument1, arg2 = dpc->SystemArgument2;
        __atomic_store_n(&dpc->DpcData, NULL, __ATOMIC_RELEASE);
        vp->running = routine;
        pthread_mutex_unlock(&vp->lock);

        ke_callback_frame frame;
        ke_callback_enter(&frame);
        routine(dpc, context, arg1, arg2);
        if (KE_UNLIKELY(ke_callback_frame_changed(&frame))) {
            char what[160];
            ke_callback_check_return(&frame, ke_dpc_what(routine, what, sizeof what));
        }
        /* Cleared before the count drops: a stop that saw the count reach zero must not find
         * this routine still marked running and report it. */
        pthread_mutex_lock(&vp->lock);
        vp->running = NULL;
        ke_outstanding_add(-1);
    }
    pthread_mutex_unlock(&vp->lock);
    ke_tls.irql = PASSIVE_LEVEL;
    ke_tls.vp = NULL;
    return NULL;
}

static void ke_vps_join(unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        struct ke_vp *vp = &ke_vps[i];
        pthread_mutex_lock(&vp->lock);
        vp->stop = true;
        pthread_cond_signal(&vp->cond);
        pthread_mutex_unlock(&vp->lock);
    }
    for (unsigned i = 0; i < count; i++)
        pthread_join(ke_vps[i].thread, NULL);
}

NTSTATUS ke_vps_start(unsigned count)
{
    pthread_once(&ke_vps_once, ke_vps_init_once);
    for (unsigned i = 0; i < count; i++) {
        struct ke_vp *vp = &ke_vps[i];
        pthread_mutex_lock(&vp->lock);
        vp->stop = false;
        vp->sleeping = false;
        vp->running = NULL;
        pthread_mutex_unlock(&vp->lock);
    }
    __atomic_store_n(&ke_vps_active, count, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "owdf-vp%u", i);
        NTSTATUS status =
            ke_thread_create_flags(&ke_vps[i].thread, name, KE_THREAD_RUNTIME, ke_vp_main, &ke_vps[i]);
        if (!NT_SUCCESS(status)) {
            ke_vps_join(i);
            __atomic_store_n(&ke_vps_active, 0, __ATOMIC_RELEASE);
            return status;
        }
    }
    return STATUS_SUCCESS;
}

unsigned ke_vps_report_pending(void)
{
    unsigned reported = 0;
    ULONG n = __atomic_load_n(&ke_vps_active, __ATOMIC_ACQUIRE);
    for (ULONG i = 0; i < n; i++) {
        struct ke_vp *vp = &ke_vps[i];
        char name[128];
        for (;;) {
            pthread_mutex_lock(&vp->lock);
            if (ke_list_empty(&vp->queue)) {
                pthread_mutex_unlock(&vp->lock);
                break;
            }
            PKDPC dpc = CONTAINING_RECORD(ke_list_remove_head(&vp->queue), KDPC, DpcListEntry);
            PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
            __atomic_store_n(&dpc->DpcData, NULL, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&vp->lock);
            ke_outstanding_add(-1);
            KE_REPORT_PENDING(dpc, "KDPC",
                              "DPC %p (routine %s) still queued on processor %u at shutdown; removed",
                              (void *)dpc, ke_routine_name((const void *)routine, name, sizeof name), i);
            reported++;
        }
        pthread_mutex_lock(&vp->lock);
        PKDEFERRED_ROUTINE running = vp->running;
        pthread_mutex_unlock(&vp->lock);
        if (running != NULL) {
            KE_REPORT_PENDING(NULL, "KDPC",
                              "DPC routine %s still running on processor %u at shutdown; waiting for it",
                              ke_routine_name((const void *)running, name, sizeof name), i);
            reported++;
        }
    }
    return reported;
}

void ke_vps_stop(void)
{
    ke_vps_join(__atomic_load_n(&ke_vps_active, __ATOMIC_ACQUIRE));
}

void ke_vps_clear(void)
{
    __atomic_store_n(&ke_vps_active, 0, __ATOMIC_RELEASE);
}

/* ---- DPC objects --------------------------------------------------------------------------- */

static inline BOOLEAN ke_dpc_valid(PRKDPC Dpc, const char *ddi)
{
    if (KE_LIKELY((Dpc->Type == KE_DPC || Dpc->Type == KE_THREADED_DPC) && Dpc->DeferredRoutine != NULL))
        return TRUE;
    return ke_report_not_initialized(Dpc, "KDPC", ddi);
}

static void ke_dpc_init(PRKDPC Dpc, UCHAR type, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->Type = type;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DpcListEntry.Flink = Dpc->DpcListEntry.Blink = NULL;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
}

void KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    ke_dpc_init(Dpc, KE_DPC, DeferredRoutine, DeferredContext);
}

void KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    ke_dpc_init(Dpc, KE_THREADED_DPC, DeferredRoutine, DeferredContext);
}

void KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Dpc->Importance = (UCHAR)Importance;
}

void KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    if (KE_UNLIKELY(Number < 0 || (ULONG)Number >= ke_vp_count())) {
        OWDF_VERIFY_REPORT(
            "INVALID_PROCESSOR_NUMBER", Dpc, "KDPC", NULL,
            "KeSetTargetProcessorDpc(%p, %d): there are %u processors; the target is unchanged", (void *)Dpc,
            Number, ke_vp_count());
        return;
    }
    Dpc->Number = (USHORT)(Number + 1);
}

BOOLEAN ke_dpc_insert(PRKDPC Dpc, PVOID arg1, PVOID arg2, ULONG vp_hint)
{
    if (__atomic_load_n(&Dpc->DpcData, __ATOMIC_ACQUIRE) != NULL)
        return FALSE;
    ULONG n = __atomic_load_n(&ke_vps_active, __ATOMIC_ACQUIRE);
    if (KE_UNLIKELY(n == 0))
        return FALSE; /* raced with owdf_nt_stop: not supported, nothing queued */
    ULONG index;
    if (Dpc->Number != 0) {
        index = (ULONG)(Dpc->Number - 1) % n;
    } else if (vp_hint != KE_NO_VP_HINT) {
        index = vp_hint % n;
    } else if (ke_tls.vp != NULL) {
        index = ke_tls.vp->index % n;
    } else {
        int cpu = sched_getcpu();
        index = cpu < 0 ? 0 : (ULONG)cpu % n;
    }
    struct ke_vp *vp = &ke_vps[index];
    pthread_mutex_lock(&vp->lock);
    PVOID expected = NULL;
    if (!__atomic_compare_exchange_n(&Dpc->DpcData, &expected, (PVOID)vp, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        pthread_mutex_unlock(&vp->lock);
        return FALSE;
    }
    Dpc->SystemArgument1 = arg1;
    Dpc->SystemArgument2 = arg2;
    if (Dpc->Importance == HighImportance)
        ke_list_insert_head(&vp->queue, &Dpc->DpcListEntry);
    else
        ke_list_insert_tail(&vp->queue, &Dpc->DpcListEntry);
    ke_outstanding_add(1);
    bool wake = vp->sleeping;
    vp->sleeping = false;
    pthread_mutex_unlock(&vp->lock);
    /* After the unlock, so the woken VP does not block on the lock we hold. A VP that woke for
     * another reason meanwhile finds the queue non-empty anyway. */
    if (wake)
        pthread_cond_signal(&vp->cond);
    return TRUE;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    if (!ke_dpc_valid(Dpc, "KeInsertQueueDpc"))
        return FALSE;
    ke_runtime_ensure();
    return ke_dpc_insert(Dpc, SystemArgument1, SystemArgument2, KE_NO_VP_HINT);
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    if (!ke_dpc_valid(Dpc, "KeRemoveQueueDpc"))
        return FALSE;
    for (;;) {
        struct ke_vp *vp = __atomic_load_n(&Dpc->DpcData, __ATOMIC_ACQUIRE);
        if (vp == NULL)
            return FALSE;
        pthread_mutex_lock(&vp->lock);
        if (__atomic_load_n(&Dpc->DpcData, __ATOMIC_ACQUIRE) == vp) {
            ke_list_remove(&Dpc->DpcListEntry);
            __atomic_store_n(&Dpc->DpcData, NULL, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&vp->lock);
            ke_outstanding_add(-1);
            return TRUE;
        }
        pthread_mutex_unlock(&vp->lock); /* it ran, or moved to another processor: look again */
    }
}

struct ke_flush {
    LONG remaining;
    KEVENT done;
};

static void ke_flush_marker(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc;
    (void)Arg1;
    (void)Arg2;
    struct ke_flush *flush = Context;
    if (__atomic_sub_fetch(&flush->remaining, 1, __ATOMIC_ACQ_REL) == 0)
        KeSetEvent(&flush->done, 0, FALSE);
}

/* A marker DPC at the tail of every queue: when all have run, so has everything queued before. */
void KeFlushQueuedDpcs(void)
{
    KE_CHECK_MAX_IRQL(PASSIVE_LEVEL, "KeFlushQueuedDpcs");
    if (ke_tls.vp != NULL)
        return; /* from a DPC it would wait for itself */
    ULONG n = __atomic_load_n(&ke_vps_active, __ATOMIC_ACQUIRE);
    if (n == 0)
        return;
    struct ke_flush flush = {.remaining = (LONG)n};
    KDPC markers[MAXIMUM_PROCESSORS];
    KeInitializeEvent(&flush.done, NotificationEvent, FALSE);
    for (ULONG i = 0; i < n; i++) {
        KeInitializeDpc(&markers[i], ke_flush_marker, &flush);
        markers[i].Number = (USHORT)(i + 1);
        markers[i].Importance = LowImportance;
        if (!ke_dpc_insert(&markers[i], NULL, NULL, KE_NO_VP_HINT))
            ke_flush_marker(&markers[i], &flush, NULL, NULL); /* the runtime is stopping */
    }
    KeWaitForSingleObject(&flush.done, Executive, KernelMode, FALSE, NULL);
}

/* ---- Processors ------------------------------------------------------------------------------ */

ULONG KeGetCurrentProcessorNumber(void)
{
    if (ke_tls.vp != NULL)
        return ke_tls.vp->index;
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : (ULONG)cpu % ke_vp_count();
}

ULONG KeGetCurrentProcessorNumberEx(void *ProcNumber)
{
    ULONG number = KeGetCurrentProcessorNumber();
    if (ProcNumber != NULL) {
        PPROCESSOR_NUMBER p = ProcNumber;
        p->Group = 0;
        p->Number = (UCHAR)number;
        p->Reserved = 0;
    }
    return number;
}

static KAFFINITY ke_affinity_of(ULONG n)
{
    return n >= 64 ? ~(KAFFINITY)0 : (((KAFFINITY)1 << n) - 1);
}

ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    ULONG n = ke_vp_count();
    if (ActiveProcessors != NULL)
        *ActiveProcessors = ke_affinity_of(n);
    return n;
}

ULONG KeQueryMaximumProcessorCount(void)
{
    return ke_vp_count();
}

KAFFINITY KeQueryActiveProcessors(void)
{
    return ke_affinity_of(ke_vp_count());
}
