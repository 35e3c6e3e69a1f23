/*
 * Concurrency tests for WPP tracing (src/wdf/wpp.c, the generated .tmh): threads trace through one
 * control while the host changes its enablement and reads the registry. Every
 * message that passes the check arrives whole at the sink and in the debug log. Runs under TSan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <wdm.h>
#include <openwdf/dbglog.h>
#include <openwdf/wpp.h>

#include "wpp_test_trace.h"
#include "wpp_concurrency_test.tmh"

#define THREADS 4
#define TRACES 1500

static int delivered;
static int malformed;

static void sink(const owdf_wpp_message *m)
{
    /* Every message is "t<thread> i<n> STATUS_SUCCESS". */
    unsigned t, i;
    char status[32];
    if (sscanf(m->text, "t%u i%u %31s", &t, &i, status) != 3 || strcmp(status, "STATUS_SUCCESS") != 0)
        __atomic_fetch_add(&malformed, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&delivered, 1, __ATOMIC_RELAXED);
}

static owdf_dbg_log *shared_log;

static void *tracer(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    owdf_dbg_log_set_current(shared_log);
    for (unsigned i = 0; i < TRACES; i++)
        TraceEvents(TRACE_LEVEL_INFORMATION, A_IO, "t%u i%u %!STATUS!", t, i, STATUS_SUCCESS);
    owdf_dbg_log_set_current(NULL);
    return NULL;
}

static void trace_while_enablement_changes(void **state)
{
    (void)state;
    shared_log = owdf_dbg_log_create_ex("wppconc", THREADS * TRACES);
    assert_non_null(shared_log);
    owdf_wpp_set_sink(sink);
    WPP_INIT_TRACING(NULL, NULL);

    pthread_t threads[THREADS];
    for (unsigned t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, tracer, (void *)(uintptr_t)t), 0);
    for (int k = 0; k < 200; k++) {
        owdf_wpp_enable("TestCtlA", (k & 1) ? TRACE_LEVEL_ERROR : TRACE_LEVEL_VERBOSE, 0xFFFFFFFF);
        (void)owdf_wpp_registered_count(NULL);
    }
    owdf_wpp_enable("TestCtlA", TRACE_LEVEL_VERBOSE, 0xFFFFFFFF);
    for (unsigned t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);

    int got = __atomic_load_n(&delivered, __ATOMIC_RELAXED);
    assert_true(got > 0 && got <= THREADS * TRACES);
    assert_int_equal(__atomic_load_n(&malformed, __ATOMIC_RELAXED), 0);
    /* The debug log has exactly the delivered messages, each whole on its line. */
    assert_int_equal(owdf_dbg_log_total_lines(shared_log), (uint64_t)got);
    assert_int_equal(owdf_dbg_log_count_matching(shared_log, " STATUS_SUCCESS"), (size_t)got);

    WPP_CLEANUP(NULL);
    owdf_wpp_set_sink(NULL);
    owdf_dbg_log_destroy(shared_log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trace_while_enablement_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
