/* Unit tests for the verifier core: registry, policies, kept reports, sink and stop handler. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <openwdf/verifier.h>

static const owdf_verifier_rule test_rules[] = {
    {"TEST_LOG", "a rule that only logs", OWDF_POLICY_LOG},
    {"TEST_FAIL", "a rule that fails the call", OWDF_POLICY_FAIL_CALL},
    {"TEST_STOP", "a rule that stops the driver", OWDF_POLICY_STOP_DRIVER},
};

static int sink_calls;
static void quiet_sink(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    sink_calls++;
}

static int stop_calls;
static const void *stopped_driver;
static void record_stop(const owdf_verifier_report *report, void *context)
{
    (void)context;
    stop_calls++;
    stopped_driver = report->driver;
}

static int setup(void **state)
{
    (void)state;
    owdf_verifier_register_rules(test_rules, sizeof test_rules / sizeof test_rules[0]);
    owdf_verifier_set_policy("TEST_LOG", OWDF_POLICY_LOG);
    owdf_verifier_set_policy("TEST_FAIL", OWDF_POLICY_FAIL_CALL);
    owdf_verifier_set_policy("TEST_STOP", OWDF_POLICY_STOP_DRIVER);
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(quiet_sink, NULL);
    owdf_verifier_set_stop_handler(record_stop, NULL);
    sink_calls = stop_calls = 0;
    stopped_driver = NULL;
    return 0;
}

static void report_returns_policy_and_is_kept(void **state)
{
    (void)state;
    int object = 0; /* only its address is reported */
    assert_int_equal(OWDF_VERIFY_REPORT("TEST_FAIL", &object, "THING", NULL, "thing %d broke", 7),
                     OWDF_POLICY_FAIL_CALL);
    assert_int_equal(owdf_verifier_report_count(NULL), 1);
    assert_int_equal(owdf_verifier_report_count("TEST_FAIL"), 1);
    assert_int_equal(owdf_verifier_report_count("TEST_LOG"), 0);
    owdf_verifier_report r;
    assert_int_equal(owdf_verifier_get_report(0, &r), 0);
    assert_string_equal(r.rule, "TEST_FAIL");
    assert_string_equal(r.message, "thing 7 broke");
    assert_string_equal(r.object_type, "THING");
    assert_ptr_equal(r.object, &object);
    assert_non_null(strstr(r.file, "verifier_test.c"));
    assert_string_equal(r.function, "report_returns_policy_and_is_kept");
    assert_int_equal(r.sequence, 1);
    assert_int_equal(sink_calls, 1);
    assert_int_equal(owdf_verifier_get_report(1, &r), -1);
}

static void policy_override_applies(void **state)
{
    (void)state;
    assert_int_equal(owdf_verifier_set_policy("TEST_STOP", OWDF_POLICY_LOG), 0);
    assert_int_equal(OWDF_VERIFY_REPORT("TEST_STOP", NULL, NULL, NULL, "x"), OWDF_POLICY_LOG);
    assert_int_equal(stop_calls, 0);
    assert_int_equal(owdf_verifier_set_policy("NO_SUCH_RULE", OWDF_POLICY_LOG), -1);
    assert_int_equal(owdf_verifier_set_policy("*", OWDF_POLICY_FAIL_CALL), 0);
    assert_int_equal(owdf_verifier_get_policy("TEST_LOG"), OWDF_POLICY_FAIL_CALL);
}

static void stop_policy_calls_stop_handler_with_driver(void **state)
{
    (void)state;
    int driver = 0; /* only its address is reported */
    assert_int_equal(OWDF_VERIFY_REPORT("TEST_STOP", NULL, NULL, &driver, "stop it"), OWDF_POLICY_STOP_DRIVER);
    assert_int_equal(stop_calls, 1);
    assert_ptr_equal(stopped_driver, &driver);
}

static void unknown_rule_is_strictest(void **state)
{
    (void)state;
    assert_int_equal(owdf_verifier_get_policy("UNKNOWN"), OWDF_POLICY_STOP_DRIVER);
    assert_null(owdf_verifier_find_rule("UNKNOWN"));
    assert_non_null(owdf_verifier_find_rule("TEST_LOG"));
}

static void ring_keeps_newest(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++)
        OWDF_VERIFY_REPORT("TEST_LOG", NULL, NULL, NULL, "n=%d", i);
    size_t kept = owdf_verifier_report_count(NULL);
    assert_true(kept > 0 && kept < 300);
    owdf_verifier_report r;
    assert_int_equal(owdf_verifier_get_report(kept - 1, &r), 0);
    assert_string_equal(r.message, "n=299");
    assert_int_equal(r.sequence, 300);
    assert_int_equal(owdf_verifier_get_report(0, &r), 0);
    assert_int_equal(r.sequence, 300 - kept + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(report_returns_policy_and_is_kept, setup),
        cmocka_unit_test_setup(policy_override_applies, setup),
        cmocka_unit_test_setup(stop_policy_calls_stop_handler_with_driver, setup),
        cmocka_unit_test_setup(unknown_rule_is_strictest, setup),
        cmocka_unit_test_setup(ring_keeps_newest, setup),
    };
    return cmocka_run_group_tests_name("verifier", tests, NULL, NULL);
}
