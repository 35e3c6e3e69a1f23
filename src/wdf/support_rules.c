/*
 * support_rules.c - the verifier rules of the Framework's support objects (memory, locks, timers,
 * DPCs, work items, collections, verifier DDIs), registered once. Rules that other layers already
 * register (LOCK_RECURSIVE, LOCK_RELEASE_NOT_OWNER, BLOCKING_CALL_AT_DISPATCH, DDI_ABOVE_MAX_IRQL)
 * are listed again so they exist even when those layers are not linked; the first registration wins.
 */
#include "fx_rules.h"
#include "fx_support.h"

const char fx_support_rules_linked = 1;

/* Referencing fx_rules_register keeps fx_rules.c (NULL_REQUIRED_PARAM, WRONG_HANDLE_TYPE...) linked. */
static void (*const fx_rules_anchor)(void) __attribute__((used)) = fx_rules_register;

static const owdf_verifier_rule support_rules[] = {
    {"MEMORY_READ_ONLY_WRITE", "a write into read-only framework memory (e.g. a request's input buffer)",
     OWDF_POLICY_LOG},
    {"CONFIG_SIZE", "a WDF_*_CONFIG structure with a wrong Size (not initialized with its INIT function)",
     OWDF_POLICY_FAIL_CALL},
    {"OBJECT_LOCK_UNSUPPORTED", "WdfObjectAcquireLock/ReleaseLock on an object that has no lock",
     OWDF_POLICY_STOP_DRIVER},
    {"TIMER_SELF_STOP_OR_DELETE", "a timer stopped with Wait=TRUE from its own callback (would deadlock)",
     OWDF_POLICY_LOG},
    {"CALLBACK_SELF_WAIT", "a DPC canceled with Wait=TRUE or a work item flushed from its own callback",
     OWDF_POLICY_LOG},
    {"COLLECTION_ITEM_NOT_FOUND", "WdfCollectionRemove/RemoveItem of an item that is not in the collection",
     OWDF_POLICY_STOP_DRIVER},
    {"VERIFIER_DBG_BREAKPOINT", "the driver called WdfVerifierDbgBreakPoint", OWDF_POLICY_LOG},
    {"DRIVER_BUGCHECK", "the driver called WdfVerifierKeBugCheck", OWDF_POLICY_STOP_DRIVER},
    {"WDFVERIFY_FAILED", "a WDFVERIFY() assertion in the driver failed", OWDF_POLICY_LOG},
    {"LOCK_RECURSIVE", "a non-recursive lock acquired again by its owner", OWDF_POLICY_STOP_DRIVER},
    {"LOCK_RELEASE_NOT_OWNER", "a lock released by a thread that does not hold it", OWDF_POLICY_STOP_DRIVER},
    {"BLOCKING_CALL_AT_DISPATCH", "a wait with a non-zero timeout at DISPATCH_LEVEL or above",
     OWDF_POLICY_STOP_DRIVER},
    {"DDI_ABOVE_MAX_IRQL", "a DDI called above its documented maximum IRQL", OWDF_POLICY_STOP_DRIVER},
};

__attribute__((constructor)) static void support_rules_register(void)
{
    owdf_verifier_register_rules(support_rules, sizeof support_rules / sizeof support_rules[0]);
}

BOOLEAN fx_support_check_config_size(PWDF_DRIVER_GLOBALS globals, const char *ddi, const char *type,
                                     const void *object, ULONG size, const size_t *accepted,
                                     size_t accepted_count)
{
    for (size_t i = 0; i < accepted_count; i++) {
        if (size == accepted[i])
            return TRUE;
    }
    OWDF_VERIFY_REPORT("CONFIG_SIZE", object, type, fx_report_driver(globals),
                       "%s: %s.Size is %u, expected %zu (use %s_INIT)", ddi, type, size,
                       accepted[0], type);
    return FALSE;
}
