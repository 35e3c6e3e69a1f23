/*
 * ke_test.h - shared fixtures for the Ke tests: a quiet verifier sink that counts reports, a stop
 * handler that records and returns (so a test sees the report instead of an abort), report
 * assertions, and small thread and time helpers.
 *
 * Reports may come from substrate threads (DPCs, workers): the sink is thread-safe and cmocka
 * assertions are only ever made on the test's main thread.
 */
#ifndef OWDF_KE_TEST_H
#define OWDF_KE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wdm.h>
#include <openwdf/nt.h>
#include <openwdf/verifier.h>

#define KT_UNUSED __attribute__((unused))

static int kt_stop_calls; /* atomics */

static KT_UNUSED void kt_quiet_sink(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    if (getenv("KT_VERBOSE") != NULL)
        fprintf(stderr, "[report] %s: %s\n", report->rule, report->message);
}

static KT_UNUSED void kt_record_stop(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    __atomic_add_fetch(&kt_stop_calls, 1, __ATOMIC_SEQ_CST);
}

/* Per-test setup: default policies, no reports kept, quiet sink, a stop handler that returns. */
static KT_UNUSED int kt_setup(void **state)
{
    (void)state;
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(kt_quiet_sink, NULL);
    owdf_verifier_set_stop_handler(kt_record_stop, NULL);
    __atomic_store_n(&kt_stop_calls, 0, __ATOMIC_SEQ_CST);
    return 0;
}

static KT_UNUSED int kt_teardown(void **state)
{
    (void)state;
    KIRQL irql = KeGetCurrentIrql();
    if (irql != PASSIVE_LEVEL)
        KeLowerIrql(PASSIVE_LEVEL);
    return 0;
}

#define kt_assert_reports(rule, n) assert_int_equal(owdf_verifier_report_count(rule), (n))
#define kt_assert_no_reports() assert_int_equal(owdf_verifier_report_count(NULL), 0)

/* The message of the newest kept report of `rule` ("" if none). */
static KT_UNUSED const char *kt_last_message(const char *rule)
{
    static owdf_verifier_report r;
    size_t n = owdf_verifier_report_count(NULL);
    for (size_t i = n; i > 0; i--) {
        if (owdf_verifier_get_report(i - 1, &r) == 0 && strcmp(r.rule, rule) == 0)
            return r.message;
    }
    return "";
}

/* Milliseconds of CLOCK_MONOTONIC. */
static KT_UNUSED double kt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static KT_UNUSED LARGE_INTEGER kt_relative_ms(LONGLONG ms)
{
    LARGE_INTEGER t;
    t.QuadPart = -ms * 10000;
    return t;
}

static KT_UNUSED void kt_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls `flag` (atomics) until it is nonzero or `ms` passed; TRUE if it became nonzero. */
static KT_UNUSED int kt_wait_flag(const volatile LONG *flag, unsigned ms)
{
    double end = kt_now_ms() + ms;
    while (__atomic_load_n(flag, __ATOMIC_SEQ_CST) == 0) {
        if (kt_now_ms() > end)
            return 0;
        kt_sleep_ms(1);
    }
    return 1;
}

/* Waits with a relative timeout in ms; returns the NTSTATUS. */
static KT_UNUSED NTSTATUS kt_wait_ms(PVOID object, LONGLONG ms)
{
    LARGE_INTEGER t = kt_relative_ms(ms);
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &t);
}

#endif /* OWDF_KE_TEST_H */
