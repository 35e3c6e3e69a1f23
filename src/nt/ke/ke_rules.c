/*
 * ke_rules.c - the Ke layer's verifier rules, registered once at load.
 *
 * Default policies follow Windows: what a checked or verified kernel would bug-check stops the
 * driver; shutdown leftovers only log (owdf_nt_stop also returns STATUS_UNSUCCESSFUL for them).
 *
 * The per-thread TLS block is defined here on purpose: every Ke object file uses it, so linking
 * any of them out of the static archive also links this file and its registering constructor (an
 * object holding only a constructor would be dropped by the linker).
 */
#include "ke_internal.h"

__thread struct ke_tls ke_tls __attribute__((tls_model("initial-exec")));

static const owdf_verifier_rule ke_rules[] = {
    {"IRQL_NOT_GREATER_OR_EQUAL", "KeRaiseIrql to an IRQL below the current one", OWDF_POLICY_STOP_DRIVER},
    {"IRQL_NOT_LESS_OR_EQUAL", "KeLowerIrql to an IRQL above the current one", OWDF_POLICY_STOP_DRIVER},
    {"PAGED_CODE_AT_DISPATCH", "PAGED_CODE() routine entered above APC_LEVEL", OWDF_POLICY_STOP_DRIVER},
    {"IRQL_NOT_RESTORED", "a callback returned at another IRQL than it was called at",
     OWDF_POLICY_STOP_DRIVER},
    {"LOCK_HELD_ON_CALLBACK_RETURN", "a callback returned holding a spin lock or mutex",
     OWDF_POLICY_STOP_DRIVER},
    {"APC_DISABLE_NOT_RESTORED", "a callback returned inside a critical region", OWDF_POLICY_STOP_DRIVER},
    {"CRITICAL_REGION_UNBALANCED", "KeLeaveCriticalRegion without KeEnterCriticalRegion",
     OWDF_POLICY_STOP_DRIVER},
    {"DDI_ABOVE_MAX_IRQL", "a DDI called above its documented maximum IRQL", OWDF_POLICY_STOP_DRIVER},
    {"SPINLOCK_ABOVE_DISPATCH", "spin lock acquired above DISPATCH_LEVEL", OWDF_POLICY_STOP_DRIVER},
    {"SPINLOCK_NOT_AT_DISPATCH", "an AtDpcLevel spin lock routine called below DISPATCH_LEVEL",
     OWDF_POLICY_STOP_DRIVER},
    {"LOCK_RECURSIVE", "a non-recursive lock acquired again by its owner", OWDF_POLICY_STOP_DRIVER},
    {"LOCK_RELEASE_NOT_OWNER", "a lock released by a thread that does not hold it", OWDF_POLICY_STOP_DRIVER},
    {"SEMAPHORE_LIMIT_EXCEEDED", "KeReleaseSemaphore past the semaphore's limit", OWDF_POLICY_STOP_DRIVER},
    {"MUTANT_NOT_OWNED", "KeReleaseMutex by a thread that does not own the mutex", OWDF_POLICY_STOP_DRIVER},
    {"BLOCKING_CALL_AT_DISPATCH", "a wait with a non-zero timeout at DISPATCH_LEVEL or above",
     OWDF_POLICY_STOP_DRIVER},
    {"WAIT_INVALID_PARAMETER", "KeWaitForMultipleObjects with a bad count, wait type, block array or object",
     OWDF_POLICY_STOP_DRIVER},
    {"KE_OBJECT_NOT_INITIALIZED", "a dispatcher object, DPC or timer used before its KeInitialize call",
     OWDF_POLICY_STOP_DRIVER},
    {"THREAD_EXIT_HELD_MUTEX", "a thread exited owning a KMUTEX (it is abandoned)", OWDF_POLICY_STOP_DRIVER},
    {"INVALID_PROCESSOR_NUMBER", "KeSetTargetProcessorDpc with a processor that does not exist",
     OWDF_POLICY_STOP_DRIVER},
    {"WORK_ITEM_ALREADY_QUEUED", "ExQueueWorkItem on an item still queued", OWDF_POLICY_STOP_DRIVER},
    {"WORK_ITEM_INVALID_PARAMETER", "ExQueueWorkItem with no item, no routine or a bad queue type",
     OWDF_POLICY_STOP_DRIVER},
    {"SHUTDOWN_WORK_PENDING", "a timer, DPC or work item still pending when the runtime stops",
     OWDF_POLICY_LOG},
    {"BUGCHECK", "KeBugCheck/KeBugCheckEx called", OWDF_POLICY_STOP_DRIVER},
};

__attribute__((constructor)) static void ke_rules_register(void)
{
    owdf_verifier_register_rules(ke_rules, sizeof ke_rules / sizeof ke_rules[0]);
}
