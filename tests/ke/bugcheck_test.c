/* KeBugCheckEx / KeBugCheck: a BUGCHECK report naming the code, parameters and caller, then the
 * process stops even when the stop handler returns (checked in a child process). */
#include "ke_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static jmp_buf escape;
static owdf_verifier_report seen;

static void escaping_stop(const owdf_verifier_report *report, void *context)
{
    (void)context;
    seen = *report;
    longjmp(escape, 1);
}

static void report_names_code_and_parameters(void **state)
{
    (void)state;
    owdf_verifier_set_stop_handler(escaping_stop, NULL);
    memset(&seen, 0, sizeof seen);
    if (setjmp(escape) == 0) {
        KeBugCheckEx(0x9F, 1, 2, 3, 0xdead);
        fail_msg("KeBugCheckEx returned");
    }
    assert_string_equal(seen.rule, "BUGCHECK");
    assert_int_equal(seen.policy, OWDF_POLICY_STOP_DRIVER);
    assert_non_null(strstr(seen.message, "KeBugCheckEx(0x0000009F, 0x1, 0x2, 0x3, 0xdead)"));
    assert_non_null(strstr(seen.message, "called from "));
    memset(&seen, 0, sizeof seen);
    if (setjmp(escape) == 0) {
        KeBugCheck(0xE2);
        fail_msg("KeBugCheck returned");
    }
    assert_non_null(strstr(seen.message, "KeBugCheckEx(0x000000E2, 0x0, 0x0, 0x0, 0x0)"));
    kt_assert_reports("BUGCHECK", 2);
}

static int child_status(owdf_verifier_policy policy)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        owdf_verifier_set_sink(kt_quiet_sink, NULL);
        owdf_verifier_set_stop_handler(kt_record_stop, NULL); /* returns */
        owdf_verifier_set_policy("BUGCHECK", policy);
        KeBugCheckEx(0x1E, 0, 0, 0, 0);
        _exit(0); /* not reached */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static void process_stops_even_if_the_handler_returns(void **state)
{
    (void)state;
    int status = child_status(OWDF_POLICY_STOP_DRIVER);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    status = child_status(OWDF_POLICY_LOG);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(report_names_code_and_parameters, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(process_stops_even_if_the_handler_returns, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_bugcheck", tests, NULL, NULL);
}
