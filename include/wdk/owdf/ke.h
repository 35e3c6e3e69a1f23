/*
 * owdf/ke.h - the kernel core drivers see: IRQL, spin locks, dispatcher objects and waits,
 * DPCs on virtual processors, timers, time. Included by wdm.h; not meant to be included alone.
 *
 * IRQL is per thread. A "processor" is a virtual processor: a thread of the substrate that
 * runs DPCs at DISPATCH_LEVEL. KeGetCurrentProcessorNumber() on any other thread names the
 * virtual processor its DPCs go to.
 */
#ifndef OPENWDF_KE_H
#define OPENWDF_KE_H

#include <ntdef.h>
#include <ntstatus.h>

/* ---- IRQL ---------------------------------------------------------------------------------- */
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define SYNCH_LEVEL 12
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define DRS_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15

#define MAXIMUM_PROCESSORS 64

/* What KeGetCurrentProcessorNumberEx fills in: one group, Number = the virtual processor. */
typedef struct _PROCESSOR_NUMBER {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;

NTKERNELAPI KIRQL KeGetCurrentIrql(void);
NTKERNELAPI KIRQL KfRaiseIrql(KIRQL NewIrql);
NTKERNELAPI void KeLowerIrql(KIRQL NewIrql);
NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(void);
#define KeRaiseIrql(NewIrql, OldIrqlPtr) (*(OldIrqlPtr) = KfRaiseIrql(NewIrql))

NTKERNELAPI ULONG KeGetCurrentProcessorNumber(void);
/* ProcNumber, when not NULL, is a PPROCESSOR_NUMBER. */
NTKERNELAPI ULONG KeGetCurrentProcessorNumberEx(void *ProcNumber);
NTKERNELAPI ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors);
NTKERNELAPI ULONG KeQueryMaximumProcessorCount(void);
NTKERNELAPI KAFFINITY KeQueryActiveProcessors(void);
#define KeNumberProcessors (KeQueryActiveProcessorCount(NULL))

/* PAGED_CODE(): the routine must run at or below APC_LEVEL (a verifier report otherwise). */
NTKERNELAPI void ke_check_paged_code(const char *function, const char *file, int line);
#define PAGED_CODE() ke_check_paged_code(__func__, __FILE__, __LINE__)
#define PAGED_CODE_LOCKED() ((void)0)
#define NT_ASSERT_ASSUME(e) ASSERT(e)

/* ---- Spin locks ---------------------------------------------------------------------------- */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

typedef struct _KLOCK_QUEUE_HANDLE {
    struct {
        PVOID Next;
        PKSPIN_LOCK Lock;
    } LockQueue;
    KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;

NTKERNELAPI void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
/* Raise to DISPATCH_LEVEL, then acquire. Acquiring above DISPATCH_LEVEL is a verifier report. */
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
NTKERNELAPI void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))
/* Caller is already at DISPATCH_LEVEL (a verifier report otherwise). */
NTKERNELAPI void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
NTKERNELAPI void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
NTKERNELAPI BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
NTKERNELAPI BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock);
NTKERNELAPI void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI void KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI void KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle);
/* Raise to SYNCH_LEVEL, then acquire; release with KeReleaseSpinLock. */
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToSynch(PKSPIN_LOCK SpinLock);
/* At DISPATCH_LEVEL: acquire without raising; below it: raise as KeAcquireSpinLock does. */
NTKERNELAPI KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock);
NTKERNELAPI void KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql);

/* ---- Dispatcher objects and waits ---------------------------------------------------------- */
typedef struct _DISPATCHER_HEADER {
    UCHAR Type;         /* NT object type: 0/1 event, 2 mutant, 5 semaphore, 8/9 timer */
    UCHAR Signalling;
    UCHAR Size;         /* in LONGs, as NT; nonzero once initialized */
    UCHAR Reserved;     /* set by KeInitialize*: the verifier's sign of an initialized object */
    volatile LONG SignalState; /* > 0: signaled; a mutant counts down from 1 per acquisition */
    LIST_ENTRY WaitListHead; /* KWAIT_BLOCKs of waiting threads, under the dispatcher lock */
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE, *PRKSEMAPHORE;

typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry;
    PVOID OwnerThread; /* the owning thread's ke_thread, NULL when free */
    BOOLEAN Abandoned;
    UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;

/* Count: 1 free, 0 owned, < 0 owned with waiters (who wait on Event, a synchronization event). */
typedef struct _FAST_MUTEX {
    volatile LONG Count;
    PVOID Owner;        /* KeGetCurrentThread() of the owner, NULL when free */
    ULONG Contention;
    KEVENT Event;
    ULONG OldIrql;
    LONG Recursion;     /* verifier: recursive acquisitions reported and absorbed */
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;

typedef enum _KWAIT_REASON {
    Executive,
    FreePage,
    PageIn,
    PoolAllocation,
    DelayExecution,
    Suspended,
    UserRequest,
    WrExecutive,
    WrFreePage,
    WrPageIn,
    WrPoolAllocation,
    WrDelayExecution,
    WrSuspended,
    WrUserRequest,
    MaximumWaitReason = 40
} KWAIT_REASON;

typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry;
    PVOID Thread;
    PVOID Object;
    USHORT WaitKey;
    UCHAR WaitType;
    UCHAR BlockState;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;

#define THREAD_WAIT_OBJECTS 3
#define MAXIMUM_WAIT_OBJECTS 64
#define EVENT_INCREMENT 1
#define IO_NO_INCREMENT 0
#define SEMAPHORE_INCREMENT 1
#define MUTANT_INCREMENT 1
#define KernelMode 0
#define UserMode 1

NTKERNELAPI void KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State);
NTKERNELAPI LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
NTKERNELAPI LONG KeResetEvent(PRKEVENT Event);
NTKERNELAPI void KeClearEvent(PRKEVENT Event);
NTKERNELAPI LONG KeReadStateEvent(PRKEVENT Event);
NTKERNELAPI LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);

NTKERNELAPI void KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit);
/* Raises STATUS_SEMAPHORE_LIMIT_EXCEEDED (a verifier report) when the limit would be passed. */
NTKERNELAPI LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore);

NTKERNELAPI void KeInitializeMutex(PRKMUTEX Mutex, ULONG Level);
NTKERNELAPI LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateMutex(PRKMUTEX Mutex);

NTKERNELAPI void ExInitializeFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI void ExAcquireFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI void ExReleaseFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI void ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex);
NTKERNELAPI void ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex);
#define KeInitializeGuardedMutex ExInitializeFastMutex
#define KeAcquireGuardedMutex ExAcquireFastMutex
#define KeReleaseGuardedMutex ExReleaseFastMutex
#define KeTryToAcquireGuardedMutex ExTryToAcquireFastMutex

/*
 * Waits. Timeout: NULL waits forever; negative is relative in 100 ns units; positive is absolute
 * system time; zero polls. A non-zero wait above APC_LEVEL (DISPATCH_LEVEL with a timeout other
 * than zero) is the verifier's BLOCKING_CALL_AT_DISPATCH.
 * Returns STATUS_WAIT_0 + index, STATUS_TIMEOUT, or STATUS_ABANDONED_WAIT_0 + index.
 */
NTKERNELAPI NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                           BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                              KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                              BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                              PKWAIT_BLOCK WaitBlockArray);
#define KeWaitForMutexObject KeWaitForSingleObject
NTKERNELAPI NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval);

/* ---- Time ---------------------------------------------------------------------------------- */
/* System time: 100 ns units since 1601-01-01 UTC, as on Windows. */
NTKERNELAPI void KeQuerySystemTime(PLARGE_INTEGER CurrentTime);
NTKERNELAPI void KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);
NTKERNELAPI void KeQueryTickCount(PLARGE_INTEGER TickCount);
NTKERNELAPI ULONGLONG KeQueryInterruptTime(void);
NTKERNELAPI ULONGLONG KeQueryInterruptTimePrecise(PULONGLONG QpcTimeStamp);
NTKERNELAPI ULONG KeQueryTimeIncrement(void);
NTKERNELAPI LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);
NTKERNELAPI ULONGLONG KeQueryUnbiasedInterruptTime(void);

/*
 * ---- DPCs ----------------------------------------------------------------------------------
 * A DPC runs at DISPATCH_LEVEL on a virtual processor: the one set by KeSetTargetProcessorDpc,
 * else the inserting thread's own (from a DPC), else the one of the CPU the caller runs on.
 * HighImportance DPCs go to the head of the queue, the others to the tail. Threaded DPCs run the
 * same way, at DISPATCH_LEVEL (as Windows runs them when threaded DPCs are disabled). A routine
 * must return at DISPATCH_LEVEL holding no spin lock (IRQL_NOT_RESTORED,
 * LOCK_HELD_ON_CALLBACK_RETURN). The runtime starts on first use (openwdf/nt.h).
 */
struct _KDPC;
typedef void KDEFERRED_ROUTINE(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                               PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

typedef enum _KDPC_IMPORTANCE { LowImportance, MediumImportance, HighImportance, MediumHighImportance } KDPC_IMPORTANCE;

typedef struct _KDPC {
    UCHAR Type;
    UCHAR Importance;
    volatile USHORT Number; /* target processor + 1, 0 = current processor */
    LIST_ENTRY DpcListEntry;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData; /* the virtual processor's queue while queued, else NULL */
} KDPC, *PKDPC, *PRKDPC;

NTKERNELAPI void KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext);
NTKERNELAPI void KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext);
NTKERNELAPI BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);
NTKERNELAPI BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc);
NTKERNELAPI void KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance);
NTKERNELAPI void KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number);
/* Waits until every DPC queued before the call, on every processor, has run. PASSIVE_LEVEL. */
NTKERNELAPI void KeFlushQueuedDpcs(void);

/*
 * ---- Timers --------------------------------------------------------------------------------
 * DueTime: negative relative (100 ns), positive absolute system time. On expiry the timer is
 * signaled and its DPC queued to the processor that set it, with the low and high parts of the
 * system time as SystemArgument1/2. Period is in ms; a periodic timer stays set until cancelled.
 */
typedef struct _KTIMER {
    DISPATCHER_HEADER Header;
    ULARGE_INTEGER DueTime;   /* interrupt time (100 ns) at which it fires */
    struct _KTIMER *HeapChild; /* the timer service's pairing heap, under its lock */
    struct _KTIMER *HeapNext;
    struct _KTIMER *HeapPrev;
    struct _KDPC *Dpc;
    ULONG Processor;          /* virtual processor its DPC goes to (the one that set it) */
    LONG Period;              /* ms; 0 for one-shot */
    volatile LONG Inserted;   /* TRUE while set (in the heap) */
} KTIMER, *PKTIMER, *PRKTIMER;

NTKERNELAPI void KeInitializeTimer(PKTIMER Timer);
NTKERNELAPI void KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type);
/* Returns TRUE if the timer was already in the queue (it is replaced). */
NTKERNELAPI BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
NTKERNELAPI BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);
NTKERNELAPI BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period,
                                          ULONG TolerableDelay, PKDPC Dpc);
NTKERNELAPI BOOLEAN KeCancelTimer(PKTIMER Timer);
NTKERNELAPI BOOLEAN KeReadStateTimer(PKTIMER Timer);

/* ---- Misc ---------------------------------------------------------------------------------- */
NTKERNELAPI void KeStallExecutionProcessor(ULONG MicroSeconds);
NTKERNELAPI void KeEnterCriticalRegion(void);
NTKERNELAPI void KeLeaveCriticalRegion(void);
NTKERNELAPI BOOLEAN KeAreApcsDisabled(void);
NTKERNELAPI PVOID KeGetCurrentThread(void);
#define PsGetCurrentThread() ((PETHREAD)KeGetCurrentThread())
typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _EPROCESS *PEPROCESS;
NTKERNELAPI HANDLE PsGetCurrentThreadId(void);
NTKERNELAPI HANDLE PsGetCurrentProcessId(void);
NTKERNELAPI DECLSPEC_NORETURN void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                                ULONG_PTR P4);
NTKERNELAPI DECLSPEC_NORETURN void KeBugCheck(ULONG BugCheckCode);

#endif /* OPENWDF_KE_H */
