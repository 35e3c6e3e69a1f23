/*
 * owdf/worker.h - system worker threads: ExQueueWorkItem and its work item, as in the WDK.
 *
 * Work routines run on a small pool of substrate threads at PASSIVE_LEVEL. A routine must return
 * at PASSIVE_LEVEL with no lock held and no critical region entered (a verifier report
 * otherwise). The I/O manager's IoAllocateWorkItem/IoQueueWorkItem are built on this queue.
 * Included by wdm.h; not meant to be included alone.
 */
#ifndef OPENWDF_WORKER_H
#define OPENWDF_WORKER_H

#include <ntdef.h>
#include <ntstatus.h>

typedef void WORKER_THREAD_ROUTINE(PVOID Parameter);
typedef WORKER_THREAD_ROUTINE *PWORKER_THREAD_ROUTINE;

/* List.Flink is NULL while the item is not queued (ExInitializeWorkItem sets it so). */
typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List;
    PWORKER_THREAD_ROUTINE WorkerRoutine;
    volatile PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;

typedef enum _WORK_QUEUE_TYPE {
    CriticalWorkQueue,
    DelayedWorkQueue,
    HyperCriticalWorkQueue,
    NormalWorkQueue,
    BackgroundWorkQueue,
    RealTimeWorkQueue,
    SuperCriticalWorkQueue,
    MaximumWorkQueue,
    CustomPriorityWorkQueue = 32
} WORK_QUEUE_TYPE;

#define ExInitializeWorkItem(Item, Routine, Context)                                                         \
    do {                                                                                                     \
        (Item)->WorkerRoutine = (Routine);                                                                   \
        (Item)->Parameter = (Context);                                                                       \
        (Item)->List.Flink = NULL;                                                                           \
    } while (0)

/*
 * Queues Item for a system worker thread. IRQL <= DISPATCH_LEVEL. Hyper-critical and critical
 * items are taken before delayed ones; within a class, first in first out. Queueing an item that
 * is already queued is the verifier's WORK_ITEM_ALREADY_QUEUED (Windows bug-checks); the call is
 * then ignored. The item must stay valid until its routine starts; the routine may free it.
 */
NTKERNELAPI void ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType);

#endif /* OPENWDF_WORKER_H */
