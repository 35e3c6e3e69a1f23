/*
 * rtl_verifier_rules.c - the verifier rules the Rtl layer reports, registered at load.
 *
 * Files that report these rules reference rtl_verifier_rules_anchor (RTL_USES_VERIFIER_RULES), so a
 * static link that takes them also takes this file and its constructor.
 */
#include <openwdf/verifier.h>

#include "rtl_internal.h"

const char rtl_verifier_rules_anchor = 0;

static const owdf_verifier_rule rtl_rules[] = {
    {"ASSERTION_FAILED", "an ASSERT/NT_ASSERT in driver code failed", OWDF_POLICY_STOP_DRIVER},
    {"DBG_BREAKPOINT", "the driver called DbgBreakPoint (no debugger: reported, not trapped)", OWDF_POLICY_LOG},
    {"LIST_ENTRY_CORRUPT", "a LIST_ENTRY's neighbours do not point back at it (FAST_FAIL_CORRUPT_LIST_ENTRY)",
     OWDF_POLICY_STOP_DRIVER},
};

__attribute__((constructor)) static void rtl_register_verifier_rules(void)
{
    owdf_verifier_register_rules(rtl_rules, sizeof rtl_rules / sizeof rtl_rules[0]);
}
