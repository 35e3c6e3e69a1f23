/*
 * Unit tests for WPP tracing end to end, in process: this file includes a .tmh that the build
 * generates from wpp_test_trace.h with scripts/wpp/owdf-wpp.py (recorder enabled, plus
 * --wpp-func TraceLog(IFRLOG,LEVEL,FLAGS,MSG,...)). Covers WPP_INIT_TRACING / WPP_CLEANUP and the
 * control registry, level and flag filtering (owdf_wpp_enable), %!FLAGS! names, fixed parameters,
 * prefixes and suffixes, the recorder filter and recorder logs, the sink and the debug log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <wdm.h>
#include <openwdf/dbglog.h>
#include <openwdf/wpp.h>

#include "wpp_test_trace.h"
#include "wpp_trace_test.tmh"

/* ---- sink capture --------------------------------------------------------------------------- */

static int sink_count;
static owdf_wpp_message last;
static char last_text[OWDF_WPP_MESSAGE_MAX];
static char last_control[64];
static char last_func[64];
static char last_log[RECORDER_LOG_IDENTIFIER_MAX_CHARS];
static int last_has_log;

static void sink(const owdf_wpp_message *m)
{
    sink_count++;
    last = *m;
    snprintf(last_text, sizeof last_text, "%s", m->text);
    snprintf(last_control, sizeof last_control, "%s", m->where.control != NULL ? m->where.control : "");
    snprintf(last_func, sizeof last_func, "%s", m->where.func != NULL ? m->where.func : "");
    last_has_log = m->recorder_log != NULL;
    snprintf(last_log, sizeof last_log, "%s", m->recorder_log != NULL ? m->recorder_log : "");
    assert_int_equal(strlen(m->text), m->length);
}

static owdf_dbg_log *log_;

static int setup(void **state)
{
    (void)state;
    sink_count = 0;
    last_text[0] = '\0';
    owdf_wpp_set_sink(sink);
    log_ = owdf_dbg_log_create("wpptest");
    assert_non_null(log_);
    owdf_dbg_log_set_current(log_);
    owdf_wpp_enable(NULL, TRACE_LEVEL_VERBOSE, 0xFFFFFFFF);
    WPP_INIT_TRACING(NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    WPP_CLEANUP(NULL);
    owdf_dbg_log_set_current(NULL);
    owdf_dbg_log_destroy(log_);
    assert_true(owdf_wpp_set_sink(NULL) == sink);
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void registration(void **state)
{
    (void)state;
    assert_int_equal(owdf_wpp_registered_count("TestCtlA"), 1);
    assert_int_equal(owdf_wpp_registered_count("TestCtlB"), 1);
    assert_int_equal(owdf_wpp_registered_count(NULL), 2);
    assert_int_equal(OWDF_WPP_CONTROL_COUNT, 2);
    /* WPP_BIT_<FLAG> = (control << 16) | bit number. */
    assert_int_equal(WPP_BIT_A_IO, 0x00000001);
    assert_int_equal(WPP_BIT_B_THREE, 0x00010002);
    assert_true(WPP_LEVEL_ENABLED(B_THREE));
    assert_int_equal(WPP_CONTROL(WPP_BIT_A_INIT).Level, TRACE_LEVEL_VERBOSE);
    /* Registering again keeps one registration. */
    WPP_INIT_TRACING(NULL, NULL);
    assert_int_equal(owdf_wpp_registered_count(NULL), 2);
}

static void message_and_context(void **state)
{
    (void)state;
    int line = __LINE__ + 1;
    TraceEvents(TRACE_LEVEL_INFORMATION, B_TWO, "%!FUNC! %!FLAGS! %!LEVEL! %!COMPNAME! %!STATUS! n=%d",
                STATUS_TIMEOUT, 5);
    assert_int_equal(sink_count, 1);
    assert_string_equal(last_text,
                        "message_and_context B_TWO TRACE_LEVEL_INFORMATION TestCtlB STATUS_TIMEOUT n=5");
    assert_string_equal(last_control, "TestCtlB");
    assert_string_equal(last_func, "message_and_context");
    assert_int_equal(last.where.level, TRACE_LEVEL_INFORMATION);
    assert_int_equal(last.where.flags, 0x2);
    assert_int_equal(last.where.line, line);
    assert_non_null(strstr(last.where.file, "wpp_trace_test.c"));
    assert_false(last_has_log);
    /* The same text is a line of the current debug log. */
    assert_int_equal(owdf_dbg_log_count_matching(log_, "B_TWO TRACE_LEVEL_INFORMATION TestCtlB"), 1);
}

static void trailing_newlines_are_dropped(void **state)
{
    (void)state;
    TraceEvents(TRACE_LEVEL_ERROR, A_INIT, "with newline\n");
    assert_string_equal(last_text, "with newline");
    assert_int_equal(owdf_dbg_log_line_count(log_), 1);
    char line[64];
    owdf_dbg_log_read(log_, 0, line, sizeof line);
    assert_string_equal(line, "with newline");
}

static void level_and_flag_filtering(void **state)
{
    (void)state;
    assert_int_equal(owdf_wpp_enable("TestCtlA", TRACE_LEVEL_WARNING, 0x1 /* A_INIT */), STATUS_SUCCESS);
    TraceEvents(TRACE_LEVEL_ERROR, A_INIT, "error init");      /* enabled */
    TraceEvents(TRACE_LEVEL_WARNING, A_INIT, "warning init");  /* enabled: level <= WARNING */
    TraceEvents(TRACE_LEVEL_INFORMATION, A_INIT, "info init"); /* level too high */
    TraceEvents(TRACE_LEVEL_ERROR, A_IO, "error io");          /* flag off */
    TraceEvents(TRACE_LEVEL_VERBOSE, B_ONE, "other control");  /* TestCtlB untouched */
    assert_int_equal(sink_count, 3);
    assert_int_equal(owdf_dbg_log_count_matching(log_, "init"), 2);
    assert_int_equal(owdf_dbg_log_count_matching(log_, "error io"), 0);
    assert_false(WPP_LEVEL_ENABLED(A_IO));
    assert_true(WPP_LEVEL_ENABLED(A_INIT));

    assert_int_equal(owdf_wpp_enable("NoSuchControl", TRACE_LEVEL_VERBOSE, 1), STATUS_NOT_FOUND);
    /* NULL: every control. */
    assert_int_equal(owdf_wpp_enable(NULL, TRACE_LEVEL_NONE, 0), STATUS_SUCCESS);
    TraceEvents(TRACE_LEVEL_CRITICAL, B_ONE, "nothing");
    assert_int_equal(sink_count, 3);
    owdf_wpp_enable(NULL, TRACE_LEVEL_VERBOSE, 0xFFFFFFFF);
    TraceEvents(TRACE_LEVEL_VERBOSE, A_IO, "back");
    assert_int_equal(sink_count, 4);
}

static void flags_names(void **state)
{
    (void)state;
    char buf[128];
    owdf_wpp_context where = {.control = "TestCtlB", .flags = 0x5};
    owdf_wpp_format(buf, sizeof buf, &where, "%!FLAGS!");
    assert_string_equal(buf, "B_ONE|B_THREE");
    where.flags = 0x80000002;
    owdf_wpp_format(buf, sizeof buf, &where, "%!FLAGS!");
    assert_string_equal(buf, "B_TWO|0x80000000");
    where.control = "Unknown";
    owdf_wpp_format(buf, sizeof buf, &where, "%!FLAGS!");
    assert_string_equal(buf, "0x80000002");
}

static void fixed_parameters_prefix_suffix(void **state)
{
    (void)state;
    TraceA(TRACE_LEVEL_WARNING, "fixed flag %!FLAGS! in %!COMPNAME!");
    assert_string_equal(last_text, "fixed flag A_IO in TestCtlA");
    assert_int_equal(last.where.level, TRACE_LEVEL_WARNING);

    TraceExit(A_INIT, STATUS_UNSUCCESSFUL, "%!FUNC! done, %d item(s)", 3);
    assert_string_equal(last_text, "fixed_parameters_prefix_suffix done, 3 item(s) -> STATUS_UNSUCCESSFUL");
    assert_int_equal(last.where.level, TRACE_LEVEL_INFORMATION);

    /* DoTraceMessage(FLAG, MSG, ...): the default function; no level. */
    DoTraceMessage(B_THREE, "dtm %s %!LEVEL!", "ok");
    assert_string_equal(last_text, "dtm ok TRACE_LEVEL_NONE");
    assert_int_equal(last.where.flags, 0x4);
    assert_string_equal(last_control, "TestCtlB");
}

static int wpp_post_count;

static void more_function_forms(void **state)
{
    (void)state;
    /* Two fixed parameters. */
    TraceInfo("info %u", 1u);
    assert_string_equal(last_text, "info 1");
    assert_int_equal(last.where.level, TRACE_LEVEL_INFORMATION);
    assert_int_equal(last.where.flags, 0x1);
    assert_string_equal(last_control, "TestCtlB");
    /* Double parentheses, and a prefix whose argument has nested parentheses. */
    TraceKd(("kd says %s", "hi"));
    assert_string_equal(last_text, "kd(3):kd says hi");
    assert_string_equal(last_control, "TestCtlA"); /* no flag: the first control */
    /* Declared without FUNC; PRE declares a variable the call can use, POST runs after. */
    TraceFlagOnly(A_IO, "pre=%d", wpp_pre_A_IO + 2);
    assert_string_equal(last_text, "pre=42");
    assert_int_equal(wpp_post_count, 1);
    /* An expression: usable in if/else without braces. */
    int n = 0;
    if (n == 0)
        TraceEvents(TRACE_LEVEL_ERROR, A_INIT, "then");
    else
        TraceEvents(TRACE_LEVEL_ERROR, A_INIT, "else");
    assert_string_equal(last_text, "then");
}

static void recorder_filter(void **state)
{
    (void)state;
    /* Nothing enabled for the session, but the recorder keeps non-verbose messages. */
    owdf_wpp_enable(NULL, TRACE_LEVEL_NONE, 0);
    TraceRec(TRACE_LEVEL_INFORMATION, A_IO, "kept %d", 1);
    assert_int_equal(sink_count, 1);
    assert_string_equal(last_text, "rec:kept 1");
    TraceRec(TRACE_LEVEL_VERBOSE, A_IO, "dropped");
    assert_int_equal(sink_count, 1);
    /* Verbose enabled: the control's AutoLogVerboseEnabled follows its level. */
    owdf_wpp_enable("TestCtlA", TRACE_LEVEL_VERBOSE, 0);
    assert_true(WPP_CONTROL(WPP_BIT_A_IO).AutoLogVerboseEnabled);
    TraceRec(TRACE_LEVEL_VERBOSE, A_IO, "verbose kept");
    assert_int_equal(sink_count, 2);
}

static void recorder_logs(void **state)
{
    (void)state;
    RECORDER_LOG_CREATE_PARAMS params;
    RECORDER_LOG log = NULL;
    RECORDER_LOG_CREATE_PARAMS_INIT(&params, "MyLog");
    assert_int_equal(params.Size, sizeof params);
    assert_int_equal(WppRecorderLogCreate(&params, &log), STATUS_SUCCESS);
    assert_non_null(log);
    assert_ptr_not_equal(log, WppRecorderLogGetDefault());
    assert_string_equal(owdf_wpp_recorder_log_identifier(log), "MyLog");

    TraceLog(log, TRACE_LEVEL_ERROR, A_INIT, "to my log %u", 9u);
    assert_string_equal(last_text, "to my log 9");
    assert_true(last_has_log);
    assert_string_equal(last_log, "MyLog");

    assert_int_equal(WppRecorderLogSetIdentifier(log, "RenamedLogWithALongName"), STATUS_SUCCESS);
    assert_string_equal(owdf_wpp_recorder_log_identifier(log), "RenamedLogWithA");
    TraceLog(WppRecorderLogGetDefault(), TRACE_LEVEL_ERROR, A_INIT, "default");
    assert_false(last_has_log);
    WppRecorderLogDelete(log);

    /* Identifier with an appended value. */
    RECORDER_LOG_CREATE_PARAMS_INIT_APPEND_POINTER(&params, (PVOID)0xab);
    assert_int_equal(WppRecorderLogCreate(&params, &log), STATUS_SUCCESS);
    assert_string_equal(owdf_wpp_recorder_log_identifier(log), "ab");
    WppRecorderLogDelete(log);

    /* Errors: the handle returned is the default log. */
    params.Size = 3;
    assert_int_equal(WppRecorderLogCreate(&params, &log), STATUS_INVALID_PARAMETER);
    assert_ptr_equal(log, WppRecorderLogGetDefault());
    assert_int_equal(WppRecorderLogCreate(NULL, &log), STATUS_INVALID_PARAMETER);
    assert_int_equal(WppRecorderLogCreate(&params, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(WppRecorderLogSetIdentifier(WppRecorderLogGetDefault(), "x"), STATUS_INVALID_PARAMETER);
    assert_int_equal(WppRecorderLogSetIdentifier(NULL, "x"), STATUS_INVALID_PARAMETER);
    WppRecorderLogDelete(WppRecorderLogGetDefault()); /* no effect */
    WppRecorderLogDelete(NULL);
    assert_true(WppRecorderIsDefaultLogAvailable());
    RECORDER_CONFIGURE_PARAMS cfg;
    RECORDER_CONFIGURE_PARAMS_INIT(&cfg);
    WppRecorderConfigure(&cfg);
}

static void cleanup_disables(void **state)
{
    (void)state;
    WPP_CLEANUP(NULL);
    assert_int_equal(owdf_wpp_registered_count(NULL), 0);
    assert_false(WPP_LEVEL_ENABLED(A_INIT));
    assert_null(WPP_CONTROL(WPP_BIT_A_INIT).Logger);
    TraceEvents(TRACE_LEVEL_CRITICAL, A_INIT, "after cleanup");
    assert_int_equal(sink_count, 0);
    WPP_CLEANUP(NULL); /* twice: nothing */
    /* Defaults apply to controls registered later. */
    owdf_wpp_enable(NULL, TRACE_LEVEL_ERROR, 0x2);
    WPP_INIT_TRACING(NULL, NULL);
    assert_int_equal(WPP_CONTROL(WPP_BIT_B_TWO).Level, TRACE_LEVEL_ERROR);
    assert_true(WPP_LEVEL_ENABLED(B_TWO));
    assert_false(WPP_LEVEL_ENABLED(B_ONE));
}

static void long_messages_are_cut(void **state)
{
    (void)state;
    char big[OWDF_WPP_MESSAGE_MAX * 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    TraceEvents(TRACE_LEVEL_ERROR, A_INIT, "%s", big);
    assert_int_equal(last.length, OWDF_WPP_MESSAGE_MAX - 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(registration),
        T(message_and_context),
        T(trailing_newlines_are_dropped),
        T(level_and_flag_filtering),
        T(flags_names),
        T(fixed_parameters_prefix_suffix),
        T(more_function_forms),
        T(recorder_filter),
        T(recorder_logs),
        T(cleanup_disables),
        T(long_messages_are_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
