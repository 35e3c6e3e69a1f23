/*
 * worker.c - system worker threads: ExQueueWorkItem.
 *
 * One pool of threads at PASSIVE_LEVEL serves three FIFO queues, taken in priority order:
 * hyper-critical (also super-critical and real-time), critical, then delayed (also normal,
 * background and custom priorities). An idle worker sleeps on the pool's condition variable; a
 * queuer signals only when some worker is idle. The worker clears the item's List.Flink (under the
 * pool lock) before calling the routine, which may free or queue the item again; the item is never
 * touched after the call. A routine must come back at PASSIVE_LEVEL with no lock held and no
 * critical region entered (IRQL_NOT_RESTORED, LOCK_HELD_ON_CALLBACK_RETURN, APC_DISABLE_NOT_RESTORED).
 */
#include "ke_internal.h"

#include <stdio.h>

#define EX_QUEUE_CLASSES 3

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    LIST_ENTRY queues[EX_QUEUE_CLASSES]; /* WORK_QUEUE_ITEM.List, under lock */
    unsigned idle;                       /* under lock */
    bool stop;                           /* under lock */
    unsigned count;
    pthread_t threads[OWDF_NT_MAX_WORKERS];
    PWORKER_THREAD_ROUTINE running[OWDF_NT_MAX_WORKERS]; /* under lock */
} ex_pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static int ex_queue_class(WORK_QUEUE_TYPE type)
{
    switch (type) {
    case HyperCriticalWorkQueue:
    case SuperCriticalWorkQueue:
    case RealTimeWorkQueue:
        return 0;
    case CriticalWorkQueue:
        return 1;
    case DelayedWorkQueue:
    case NormalWorkQueue:
    case BackgroundWorkQueue:
        return 2;
    default:
        if ((unsigned)type >= CustomPriorityWorkQueue && (unsigned)type < CustomPriorityWorkQueue + 32)
            return 2;
        return -1;
    }
}

/* Pool lock held. */
static PWORK_QUEUE_ITEM ex_pool_pop(void)
{
    for (int c = 0; c < EX_QUEUE_CLASSES; c++) {
        if (!ke_list_empty(&ex_pool.queues[c])) {
            PWORK_QUEUE_ITEM item =
                CONTAINING_RECORD(ke_list_remove_head(&ex_pool.queues[c]), WORK_QUEUE_ITEM, List);
            item->List.Flink = item->List.Blink = NULL;
            return item;
        }
    }
    return NULL;
}

void ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    KE_CHECK_MAX_IRQL(DISPATCH_LEVEL, "ExQueueWorkItem");
    int cls = ex_queue_class(QueueType);
    if (KE_UNLIKELY(WorkItem == NULL || WorkItem->WorkerRoutine == NULL || cls < 0)) {
        OWDF_VERIFY_REPORT("WORK_ITEM_INVALID_PARAMETER", WorkItem, "WORK_QUEUE_ITEM", NULL,
                           "ExQueueWorkItem(%p, %d): %s", (void *)WorkItem, (int)QueueType,
                           WorkItem == NULL ? "no work item"
                           : cls < 0        ? "invalid queue type"
                                            : "no worker routine (ExInitializeWorkItem not called?)");
        return;
    }
    ke_runtime_ensure();
    pthread_mutex_lock(&ex_pool.lock);
    if (KE_UNLIKELY(WorkItem->List.Flink != NULL)) {
        pthread_mutex_unlock(&ex_pool.lock);
        OWDF_VERIFY_REPORT("WORK_ITEM_ALREADY_QUEUED", WorkItem, "WORK_QUEUE_ITEM", NULL,
                           "ExQueueWorkItem(%p): the item is already queued (or was never initialized)",
                           (void *)WorkItem);
        return;
    }
    ke_list_insert_tail(&ex_pool.queues[cls], &WorkItem->List);
    ke_outstanding_add(1);
    bool wake = ex_pool.idle > 0;
    pthread_mutex_unlock(&ex_pool.lock);
    if (wake)
        pthread_cond_signal(&ex_pool.cond); /* after the unlock: the woken worker needs the lock */
}

static void *ex_worker_main(void *arg)
{
    unsigned index = (unsigned)(uintptr_t)arg;
    pthread_mutex_lock(&ex_pool.lock);
    for (;;) {
        PWORK_QUEUE_ITEM item = NULL;
        while (!ex_pool.stop && (item = ex_pool_pop()) == NULL) {
            ex_pool.idle++;
            pthread_cond_wait(&ex_pool.cond, &ex_pool.lock);
            ex_pool.idle--;
        }
        if (item == NULL)
            break; /* stopping; what is still queued is reported by the shutdown sweep */
        PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
        PVOID parameter = item->Parameter;
        ex_pool.running[index] = routine;
        pthread_mutex_unlock(&ex_pool.lock);

        ke_callback_frame frame;
        ke_callback_enter(&frame);
        routine(parameter);
        if (KE_UNLIKELY(ke_callback_frame_changed(&frame))) {
            char name[128], what[160];
            snprintf(what, sizeof what, "work routine %s",
                     ke_routine_name((const void *)routine, name, sizeof name));
            ke_callback_check_return(&frame, what);
        }
        /* Cleared before the count drops (see the DPC loop in dpc.c). */
        pthread_mutex_lock(&ex_pool.lock);
        ex_pool.running[index] = NULL;
        ke_outstanding_add(-1);
    }
    pthread_mutex_unlock(&ex_pool.lock);
    return NULL;
}

static void ex_workers_join(unsigned count)
{
    pthread_mutex_lock(&ex_pool.lock);
    ex_pool.stop = true;
    pthread_cond_broadcast(&ex_pool.cond);
    pthread_mutex_unlock(&ex_pool.lock);
    for (unsigned i = 0; i < count; i++)
        pthread_join(ex_pool.threads[i], NULL);
}

NTSTATUS ex_workers_start(unsigned count)
{
    pthread_mutex_lock(&ex_pool.lock);
    for (int c = 0; c < EX_QUEUE_CLASSES; c++) {
        if (ex_pool.queues[c].Flink == NULL)
            ke_list_init(&ex_pool.queues[c]);
    }
    ex_pool.stop = false;
    ex_pool.idle = 0;
    pthread_mutex_unlock(&ex_pool.lock);
    for (unsigned i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "owdf-worker%u", i);
        NTSTATUS status = ke_thread_create_flags(&ex_pool.threads[i], name, KE_THREAD_RUNTIME, ex_worker_main,
                                                 (void *)(uintptr_t)i);
        if (!NT_SUCCESS(status)) {
            ex_workers_join(i);
            return status;
        }
    }
    ex_pool.count = count;
    return STATUS_SUCCESS;
}

unsigned ex_workers_report_pending(void)
{
    unsigned reported = 0;
    char name[128];
    for (;;) {
        pthread_mutex_lock(&ex_pool.lock);
        PWORK_QUEUE_ITEM item = ex_pool.queues[0].Flink != NULL ? ex_pool_pop() : NULL;
        PWORKER_THREAD_ROUTINE routine = item != NULL ? item->WorkerRoutine : NULL;
        pthread_mutex_unlock(&ex_pool.lock);
        if (item == NULL)
            break;
        ke_outstanding_add(-1);
        KE_REPORT_PENDING(item, "WORK_QUEUE_ITEM",
                          "work item %p (routine %s) still queued at shutdown; removed", (void *)item,
                          ke_routine_name((const void *)routine, name, sizeof name));
        reported++;
    }
    PWORKER_THREAD_ROUTINE running[OWDF_NT_MAX_WORKERS];
    pthread_mutex_lock(&ex_pool.lock);
    unsigned count = ex_pool.count;
    for (unsigned i = 0; i < count; i++)
        running[i] = ex_pool.running[i];
    pthread_mutex_unlock(&ex_pool.lock);
    for (unsigned i = 0; i < count; i++) {
        if (running[i] == NULL)
            continue;
        KE_REPORT_PENDING(NULL, "WORK_QUEUE_ITEM",
                          "work routine %s still running at shutdown; waiting for it",
                          ke_routine_name((const void *)running[i], name, sizeof name));
        reported++;
    }
    return reported;
}

void ex_workers_stop(void)
{
    ex_workers_join(ex_pool.count);
    ex_pool.count = 0;
}
