/*
 * ex_verifier_rules.c - the verifier rules the Ex layer (pool, lookaside lists) reports, registered at
 * load. DDI_ABOVE_MAX_IRQL is shared with the Ke layer (the first registration wins; both use the same
 * meaning and policy).
 */
#include <openwdf/verifier.h>

#include "ex_internal.h"

/* Referenced by the reporting files (EX_USES_VERIFIER_RULES) so static links take this file. */
const char ex_verifier_rules_anchor = 0;

static const owdf_verifier_rule ex_rules[] = {
    {"POOL_CORRUPTION", "a pool block's guard canaries or header were overwritten (overrun/underrun)",
     OWDF_POLICY_STOP_DRIVER},
    {"POOL_DOUBLE_FREE", "a pool block was freed twice", OWDF_POLICY_STOP_DRIVER},
    {"POOL_BAD_FREE", "ExFreePool* was given a pointer that is not a pool block (or NULL)", OWDF_POLICY_STOP_DRIVER},
    {"POOL_TAG_MISMATCH", "ExFreePoolWithTag was given a tag other than the block's", OWDF_POLICY_STOP_DRIVER},
    {"POOL_ALLOCATION_RAISED", "an allocation that asked to raise on failure failed (no SEH here)",
     OWDF_POLICY_STOP_DRIVER},
    {"DDI_ABOVE_MAX_IRQL", "a routine was called above its documented maximum IRQL", OWDF_POLICY_STOP_DRIVER},
    {"LOOKASIDE_LEAK", "a lookaside list was deleted with entries still allocated from it", OWDF_POLICY_LOG},
    {"LOOKASIDE_BAD_LIST", "a lookaside list was used before initialization or after deletion",
     OWDF_POLICY_STOP_DRIVER},
};

__attribute__((constructor)) static void ex_register_verifier_rules(void)
{
    owdf_verifier_register_rules(ex_rules, sizeof ex_rules / sizeof ex_rules[0]);
}
