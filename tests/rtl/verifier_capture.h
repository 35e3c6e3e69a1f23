/*
 * verifier_capture.h - test helper shared by the Rtl and Ex tests: a quiet verifier sink and a stop
 * handler that records instead of aborting, so a test can assert the exact report a misuse makes.
 */
#ifndef OPENWDF_TEST_VERIFIER_CAPTURE_H
#define OPENWDF_TEST_VERIFIER_CAPTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openwdf/verifier.h>

static int vc_stops;

static void vc_sink(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
}

static void vc_stop(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    __atomic_add_fetch(&vc_stops, 1, __ATOMIC_RELAXED);
}

/* Installs the quiet sink and the recording stop handler, forgets earlier reports. */
static inline void vc_install(void)
{
    owdf_verifier_set_sink(vc_sink, NULL);
    owdf_verifier_set_stop_handler(vc_stop, NULL);
    owdf_verifier_clear_reports();
    vc_stops = 0;
}

/* The newest kept report (asserts there is one). */
static inline owdf_verifier_report vc_last(void)
{
    owdf_verifier_report r;
    size_t n = owdf_verifier_report_count(NULL);
    assert_true(n > 0);
    assert_int_equal(owdf_verifier_get_report(n - 1, &r), 0);
    return r;
}

/* Asserts exactly `count` reports were made in all, the newest with this rule and message part. */
#define vc_expect(count_, rule_, part_) \
    do { \
        assert_int_equal(owdf_verifier_report_count(NULL), (count_)); \
        owdf_verifier_report vc_r_ = vc_last(); \
        assert_string_equal(vc_r_.rule, (rule_)); \
        const char *vc_part_ = (part_); \
        if (vc_part_ != NULL && strstr(vc_r_.message, vc_part_) == NULL) \
            fail_msg("report message \"%s\" lacks \"%s\"", vc_r_.message, vc_part_); \
    } while (0)

#define vc_expect_none() assert_int_equal(owdf_verifier_report_count(NULL), 0)

#endif /* OPENWDF_TEST_VERIFIER_CAPTURE_H */
