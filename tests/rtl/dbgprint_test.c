/* Unit tests for DbgPrint, DbgPrintEx, KdPrint, the component filter and DbgBreakPoint. */
#include "verifier_capture.h"

#include <stdlib.h>

#include <wdm.h>
#include <openwdf/dbglog.h>

static owdf_dbg_log *log_;

static int setup(void **state)
{
    (void)state;
    vc_install();
    log_ = owdf_dbg_log_create("drv");
    owdf_dbg_log_set_current(log_);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    owdf_dbg_log_set_current(NULL);
    owdf_dbg_log_destroy(log_);
    DbgSetDebugFilterState(DPFLTR_IHVDRIVER_ID, 0xF | DPFLTR_MASK, TRUE);
    return 0;
}

static char *line(size_t i)
{
    static char buf[1024];
    assert_true(owdf_dbg_log_read(log_, i, buf, sizeof buf) >= 0);
    return buf;
}

static void dbgprint_goes_to_the_current_log(void **state)
{
    (void)state;
    assert_int_equal(DbgPrint("Echo: %s %d\n", "started", 1), STATUS_SUCCESS);
    KdPrint(("KdPrint %lu\n", (ULONG)5));
    assert_int_equal(owdf_dbg_log_line_count(log_), 2);
    assert_string_equal(line(0), "Echo: started 1");
    assert_string_equal(line(1), "KdPrint 5");
}

static void wide_arguments_are_written_as_utf8(void **state)
{
    (void)state;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\\u00c9cho");
    DbgPrint("%wZ %ws %I64x\n", &name, L"\u4e2d", 0x1234567890ULL);
    assert_string_equal(line(0), "\\Device\\\xc3\x89" "cho \xe4\xb8\xad 1234567890");
}

static void output_is_cut_at_512_bytes(void **state)
{
    (void)state;
    char text[700];
    memset(text, 'y', sizeof text - 1);
    text[sizeof text - 1] = 0;
    DbgPrint("%s\n", text); /* the newline is cut off too */
    DbgPrint("\n");
    assert_int_equal(owdf_dbg_log_line_count(log_), 1);
    assert_int_equal(strlen(line(0)), 511);
}

static void dbgprintex_levels_and_filter(void **state)
{
    (void)state;
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "error\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "warning\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "trace\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "info\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, 4, "level four is off by default\n");
    KdPrintEx((DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "kdprintex\n"));
    assert_int_equal(owdf_dbg_log_line_count(log_), 5);
    assert_string_equal(line(4), "kdprintex");
    assert_int_equal(DbgQueryDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL), TRUE);
    assert_int_equal(DbgQueryDebugFilterState(DPFLTR_IHVDRIVER_ID, 4), FALSE);

    /* Turn INFO off for this component: ERROR still passes (the global mask keeps it). */
    assert_int_equal(DbgSetDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, FALSE), STATUS_SUCCESS);
    assert_int_equal(DbgSetDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, FALSE), STATUS_SUCCESS);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "filtered\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "error again\n");
    assert_int_equal(owdf_dbg_log_count_matching(log_, "filtered"), 0);
    assert_int_equal(owdf_dbg_log_count_matching(log_, "error again"), 1);
    /* A level above 31 is a mask. */
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK | 0x2, "mask warning\n");
    assert_int_equal(owdf_dbg_log_count_matching(log_, "mask warning"), 1);
    assert_int_equal(DbgSetDebugFilterState(500, 0, TRUE), STATUS_INVALID_PARAMETER_1);
    assert_int_equal(DbgQueryDebugFilterState(500, 0), STATUS_INVALID_PARAMETER_1);
    /* Unknown component ids are filtered by the global mask only. */
    DbgPrintEx(300, DPFLTR_ERROR_LEVEL, "unknown component error\n");
    DbgPrintEx(300, DPFLTR_INFO_LEVEL, "unknown component info\n");
    assert_int_equal(owdf_dbg_log_count_matching(log_, "unknown component"), 1);
}

static ULONG vprint(ULONG level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ULONG status = vDbgPrintExWithPrefix("[pfx] ", DPFLTR_IHVDRIVER_ID, level, fmt, ap);
    va_end(ap);
    return status;
}

static void prefix_and_va_list_forms(void **state)
{
    (void)state;
    assert_int_equal(vprint(DPFLTR_WARNING_LEVEL, "n=%d\n", 7), STATUS_SUCCESS);
    assert_string_equal(line(0), "[pfx] n=7");
}

static void output_without_a_current_log_goes_to_the_process_log(void **state)
{
    (void)state;
    owdf_dbg_log_set_current(NULL);
    DbgPrint("to the process log %d\n", 42);
    assert_int_equal(owdf_dbg_log_count_matching(owdf_dbg_log_process(), "to the process log 42"), 1);
    assert_int_equal(owdf_dbg_log_line_count(log_), 0);
}

static void breakpoint_is_a_logged_report(void **state)
{
    (void)state;
    DbgBreakPoint();
    vc_expect(1, "DBG_BREAKPOINT", "DbgBreakPoint called from");
    owdf_verifier_report r = vc_last();
    assert_int_equal(r.policy, OWDF_POLICY_LOG);
    assert_int_equal(vc_stops, 0);
    assert_int_equal(owdf_dbg_log_count_matching(log_, "*** DbgBreakPoint hit"), 1);
    KdBreakPointWithStatus(STATUS_UNSUCCESSFUL);
    vc_expect(2, "DBG_BREAKPOINT", "STATUS_UNSUCCESSFUL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dbgprint_goes_to_the_current_log, setup, teardown),
        cmocka_unit_test_setup_teardown(wide_arguments_are_written_as_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(output_is_cut_at_512_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(dbgprintex_levels_and_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(prefix_and_va_list_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(output_without_a_current_log_goes_to_the_process_log, setup, teardown),
        cmocka_unit_test_setup_teardown(breakpoint_is_a_logged_report, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
