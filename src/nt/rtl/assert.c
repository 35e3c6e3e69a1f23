/*
 * assert.c - ASSERT/NT_ASSERT failures and corrupt list entries: where Windows would break into the
 * debugger or fail fast, we print what the debugger would show to the current driver log and make a
 * verifier report (ASSERTION_FAILED / LIST_ENTRY_CORRUPT). Execution continues if the policy allows.
 */
#include "rtl_internal.h"

#include <openwdf/dbglog.h>
#include <openwdf/verifier.h>

RTL_USES_VERIFIER_RULES;

void owdf_rtl_assert_failed(const char *Expression, const char *File, int Line, const char *Function,
                            const char *Message)
{
    owdf_dbg_log *log = owdf_dbg_log_current();
    owdf_dbg_log_printf(log, "*** Assertion failed: %s%s%s\n", Message != NULL ? Message : "",
                        Message != NULL ? " " : "", Expression);
    owdf_dbg_log_printf(log, "***   Source File: %s, line %d\n", File, Line);
    owdf_verifier_report_at("ASSERTION_FAILED", NULL, NULL, NULL, File, Line, Function,
                            "assertion failed: %s%s%s", Expression, Message != NULL ? " - " : "",
                            Message != NULL ? Message : "");
}

void RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage)
{
    owdf_rtl_assert_failed((const char *)VoidFailedAssertion, (const char *)VoidFileName, (int)LineNumber,
                           "RtlAssert", MutableMessage);
}

void owdf_rtl_list_corrupt(const void *Entry, const char *Operation)
{
    OWDF_VERIFY_REPORT("LIST_ENTRY_CORRUPT", Entry, "LIST_ENTRY", NULL,
                       "%s: list entry %p has neighbours that do not point back at it (called from %p)",
                       Operation, Entry, __builtin_return_address(0));
}
