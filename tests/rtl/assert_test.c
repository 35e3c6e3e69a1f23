/* Unit tests for ASSERT / NT_ASSERT / ASSERTMSG / NT_VERIFY / RtlAssert: verifier reports and log lines. */
#include "verifier_capture.h"

#include <wdm.h>
#include <openwdf/dbglog.h>

static owdf_dbg_log *log_;

static int setup(void **state)
{
    (void)state;
    vc_install();
    log_ = owdf_dbg_log_create("assert-test");
    owdf_dbg_log_set_current(log_);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    owdf_dbg_log_set_current(NULL);
    owdf_dbg_log_destroy(log_);
    return 0;
}

static void passing_asserts_report_nothing(void **state)
{
    (void)state;
    int x = 1;
    ASSERT(x == 1);
    NT_ASSERT(x);
    ASSERTMSG("never shown", x > 0);
    NT_ASSERTMSG("never shown", x > 0);
    assert_true(NT_VERIFY(x == 1));
    vc_expect_none();
    assert_int_equal(owdf_dbg_log_line_count(log_), 0);
}

static void failing_assert_reports_expression_file_line(void **state)
{
    (void)state;
    int x = 2;
    int line = __LINE__ + 1;
    ASSERT(x == 1);
    vc_expect(1, "ASSERTION_FAILED", "x == 1");
    owdf_verifier_report r = vc_last();
    assert_non_null(strstr(r.file, "assert_test.c"));
    assert_int_equal(r.line, line);
    assert_string_equal(r.function, "failing_assert_reports_expression_file_line");
    assert_int_equal(r.policy, OWDF_POLICY_STOP_DRIVER);
    assert_int_equal(vc_stops, 1);
    /* What a debugger would show goes to the current driver log. */
    assert_int_equal(owdf_dbg_log_count_matching(log_, "*** Assertion failed: x == 1"), 1);
    assert_int_equal(owdf_dbg_log_count_matching(log_, "assert_test.c, line"), 1);
}

static void assertmsg_includes_message(void **state)
{
    (void)state;
    int ready = 0;
    NT_ASSERTMSG("device must be ready", ready);
    vc_expect(1, "ASSERTION_FAILED", "ready - device must be ready");
    assert_int_equal(owdf_dbg_log_count_matching(log_, "device must be ready ready"), 1);
}

static void nt_verify_evaluates_and_returns(void **state)
{
    (void)state;
    int calls = 0;
    assert_false(NT_VERIFY(++calls == 5));
    assert_int_equal(calls, 1);
    vc_expect(1, "ASSERTION_FAILED", "++calls == 5");
}

static void rtl_assert_direct_call(void **state)
{
    (void)state;
    RtlAssert((PVOID) "p != NULL", (PVOID) "driver.c", 42, (PSTR) "context");
    vc_expect(1, "ASSERTION_FAILED", "p != NULL - context");
    owdf_verifier_report r = vc_last();
    assert_string_equal(r.file, "driver.c");
    assert_int_equal(r.line, 42);
}

static void log_policy_continues_silently(void **state)
{
    (void)state;
    assert_int_equal(owdf_verifier_set_policy("ASSERTION_FAILED", OWDF_POLICY_LOG), 0);
    ASSERT(0);
    vc_expect(1, "ASSERTION_FAILED", "0");
    assert_int_equal(vc_stops, 0);
    owdf_verifier_set_policy("ASSERTION_FAILED", OWDF_POLICY_STOP_DRIVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(passing_asserts_report_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_assert_reports_expression_file_line, setup, teardown),
        cmocka_unit_test_setup_teardown(assertmsg_includes_message, setup, teardown),
        cmocka_unit_test_setup_teardown(nt_verify_evaluates_and_returns, setup, teardown),
        cmocka_unit_test_setup_teardown(rtl_assert_direct_call, setup, teardown),
        cmocka_unit_test_setup_teardown(log_policy_continues_silently, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
