/*
 * Tests for the verifier DDIs a driver calls itself: WdfVerifierDbgBreakPoint (a LOG report),
 * WdfVerifierKeBugCheck (DRIVER_BUGCHECK, which stops the driver by default), WDFVERIFY and
 * VERIFY_IS_IRQL_PASSIVE_LEVEL, WdfGetTriageInfo (NOT_IMPLEMENTED), and their IFR records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

static void dbg_break_point_is_a_log_report(void **state)
{
    (void)state;
    size_t before = owdf_ifr_count("SupportTest", OWDF_IFR_VERIFIER);
    WdfVerifierDbgBreakPoint();
    assert_one_report("VERIFIER_DBG_BREAKPOINT");
    assert_int_equal(stops_seen, 0);
    assert_int_equal(owdf_verifier_get_policy("VERIFIER_DBG_BREAKPOINT"), OWDF_POLICY_LOG);
    assert_int_equal(owdf_ifr_count("SupportTest", OWDF_IFR_VERIFIER), before + 1);
}

static void ke_bug_check_stops_the_driver(void **state)
{
    (void)state;
    WdfVerifierKeBugCheck(0xE0000001, 1, 2, 3, 4);
    assert_int_equal(stops_seen, 1);
    owdf_verifier_report report;
    assert_int_equal(owdf_verifier_get_report(owdf_verifier_report_count(NULL) - 1, &report), 0);
    assert_string_equal(report.rule, "DRIVER_BUGCHECK");
    assert_non_null(strstr(report.message, "0xe0000001"));
    assert_non_null(strstr(report.message, "SupportTest"));
    assert_one_report("DRIVER_BUGCHECK");
}

static void wdfverify_reports_only_when_false(void **state)
{
    (void)state;
    int x = 1;
    WDFVERIFY(x == 1);
    VERIFY_IS_IRQL_PASSIVE_LEVEL();
    assert_no_reports();
    WDFVERIFY(x == 2);
    owdf_verifier_report report;
    assert_int_equal(owdf_verifier_get_report(owdf_verifier_report_count(NULL) - 1, &report), 0);
    assert_non_null(strstr(report.message, "x == 2"));
    assert_non_null(strstr(report.message, "verifier_ddi_test.c"));
    assert_one_report("WDFVERIFY_FAILED");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    VERIFY_IS_IRQL_PASSIVE_LEVEL();
    KeLowerIrql(old);
    assert_one_report("WDFVERIFY_FAILED");
}

static void triage_info_is_not_implemented(void **state)
{
    (void)state;
    assert_null(WdfGetTriageInfo());
    assert_one_report("NOT_IMPLEMENTED");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SUPPORT_TEST(dbg_break_point_is_a_log_report),
        SUPPORT_TEST(ke_bug_check_stops_the_driver),
        SUPPORT_TEST(wdfverify_reports_only_when_false),
        SUPPORT_TEST(triage_info_is_not_implemented),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
