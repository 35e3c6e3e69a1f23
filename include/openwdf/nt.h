/*
 * openwdf/nt.h - control of the NT substrate's runtime, and the Ke checks other layers and tools
 * build on (the I/O manager, the Framework, the host, the test bench).
 *
 * The runtime is the set of substrate threads: N virtual processors (each runs its DPC queue at
 * DISPATCH_LEVEL), one timer service thread (fires KTIMERs) and a pool of system worker threads
 * (run work items at PASSIVE_LEVEL). It starts with owdf_nt_start() or, with the defaults, the
 * first time a DPC, timer or work item is used; owdf_nt_stop() drains it and stops it.
 */
#ifndef OPENWDF_NT_H
#define OPENWDF_NT_H

#include <pthread.h>
#include <stddef.h>

#include <ntdef.h>
#include <ntstatus.h>
#include <openwdf/verifier.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Runtime --------------------------------------------------------------------------------- */

/* Zero fields mean "the default". size = sizeof(owdf_nt_config) of the caller's version; the first
 * version ends after `workers`, fields after it are read only if size covers them. */
typedef struct owdf_nt_config {
    size_t size;
    unsigned processors;       /* virtual processors; default: the CPUs this process may run on */
    unsigned workers;          /* system worker threads; default: max(2, processors) */
    unsigned drain_timeout_ms; /* how long owdf_nt_stop waits for DPCs and work items; default 2000 */
} owdf_nt_config;

#define OWDF_NT_CONFIG_V1_SIZE (offsetof(owdf_nt_config, workers) + sizeof(unsigned))
#define OWDF_NT_MAX_WORKERS 64

/*
 * Starts the runtime, or adds a reference to the running one (its configuration is kept; cfg is
 * then ignored). STATUS_INVALID_PARAMETER for a bad cfg (size too small, more than
 * MAXIMUM_PROCESSORS processors or OWDF_NT_MAX_WORKERS workers), STATUS_INSUFFICIENT_RESOURCES if
 * a thread cannot be created. PASSIVE_LEVEL, not from a substrate thread.
 */
OWDF_API NTSTATUS owdf_nt_start(const owdf_nt_config *cfg_or_null);

/*
 * Drops a reference; the last one (or the first stop of a lazily started runtime) drains and
 * stops it: waits (bounded by drain_timeout_ms) until no DPC and no work item is queued or
 * running, then makes one SHUTDOWN_WORK_PENDING report per timer still set, DPC still queued or
 * running and work item still queued or running (naming the routine), cancels what was still
 * queued (after reporting it), waits for running routines to return, and stops the threads.
 * Returns STATUS_SUCCESS, STATUS_UNSUCCESSFUL if anything was reported, or
 * STATUS_INVALID_DEVICE_STATE when the runtime is not running or when called from one of its
 * own threads (a DPC, timer or work routine).
 */
OWDF_API NTSTATUS owdf_nt_stop(void);

/* TRUE while the runtime runs. */
OWDF_API BOOLEAN owdf_nt_running(void);

/* ---- Checks for callers of driver code ------------------------------------------------------ */

/* Per-thread state to compare before and after a call into driver code. */
typedef struct ke_callback_frame {
    KIRQL irql;
    ULONG spin_locks;      /* spin locks held by this thread */
    LONG critical_regions; /* KeEnterCriticalRegion depth */
    ULONG mutexes;         /* KMUTEXes owned by this thread */
} ke_callback_frame;

/* Records the state before calling driver code. Any IRQL. */
OWDF_API void ke_callback_enter(ke_callback_frame *frame);
/*
 * After the call: reports IRQL_NOT_RESTORED (the IRQL is then put back), LOCK_HELD_ON_CALLBACK_RETURN
 * (more spin locks or mutexes held than before) or APC_DISABLE_NOT_RESTORED (a critical region
 * left entered). `what` names the callback in the report, e.g. "DPC routine MyDpc". TRUE if clean.
 */
OWDF_API BOOLEAN ke_callback_check_return(const ke_callback_frame *frame, const char *what);

/* IRQL_NOT_RESTORED if the current IRQL is not `before` (the IRQL is then set back to it). */
OWDF_API BOOLEAN ke_irql_check_restored(KIRQL before, const char *what);

/* Spin locks this thread holds now (each acquisition counts; in-stack queued ones too). */
OWDF_API ULONG ke_spin_locks_held(void);

/*
 * DDI_ABOVE_MAX_IRQL if the current IRQL is above `max`. TRUE when the call may go on (no report,
 * or the policy is LOG); FALSE when the caller should fail the call.
 */
OWDF_API BOOLEAN ke_check_max_irql(KIRQL max, const char *ddi_name);

/* Writes "symbol" (or "symbol+0xoff", or "0xaddr" when unknown) for a code address into buf. */
OWDF_API const char *ke_routine_name(const void *routine, char *buf, size_t size);

/*
 * Creates a thread that has its Ke state (IRQL PASSIVE_LEVEL, its wait block) from the start and
 * is named `name` (truncated to 15 characters). Threads not created here get that state lazily.
 * STATUS_INSUFFICIENT_RESOURCES on failure.
 */
OWDF_API NTSTATUS ke_thread_create(pthread_t *thread, const char *name, void *(*start)(void *), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_NT_H */
