/*
 * openwdf/verifier.h - the verifier core: rules, reports and policies.
 *
 * Every layer adds rules (ids from shared/VERIFIER.md, e.g. "REQ_DOUBLE_COMPLETE"). A check that
 * fails calls OWDF_VERIFY_REPORT(), which records a report (rule, message naming the object and
 * the call, call site), logs it, and returns the rule's policy so the caller can act on it:
 *   OWDF_POLICY_LOG          report and continue as the call would have;
 *   OWDF_POLICY_FAIL_CALL    report and fail the call with the status the caller chooses;
 *   OWDF_POLICY_STOP_DRIVER  report and stop the offending driver (what KMDF would bug-check).
 * Reports are kept (up to a bound) for tests and tools to inspect; all calls are thread-safe.
 */
#ifndef OPENWDF_VERIFIER_H
#define OPENWDF_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWDF_API __attribute__((visibility("default")))

typedef enum owdf_verifier_policy {
    OWDF_POLICY_LOG = 0,
    OWDF_POLICY_FAIL_CALL = 1,
    OWDF_POLICY_STOP_DRIVER = 2,
} owdf_verifier_policy;

/* A rule: a stable id, a one-line description and the default policy. */
typedef struct owdf_verifier_rule {
    const char *id;
    const char *description;
    owdf_verifier_policy default_policy;
} owdf_verifier_rule;

#define OWDF_VERIFIER_MESSAGE_MAX 512

typedef struct owdf_verifier_report {
    const char *rule;           /* rule id (static string) */
    owdf_verifier_policy policy; /* policy applied */
    const void *object;         /* the object concerned, may be NULL */
    const char *object_type;    /* "IRP", "KSPIN_LOCK", "WDFREQUEST"... may be NULL */
    const void *driver;         /* PDRIVER_OBJECT of the offending driver when known */
    const char *file;           /* call site */
    int line;
    const char *function;
    uint64_t sequence;          /* 1, 2, ... in the order reports were made */
    char message[OWDF_VERIFIER_MESSAGE_MAX];
} owdf_verifier_report;

/* Registers a rule table (static storage). Rules must be registered before they are reported;
 * registering the same id twice keeps the first. */
OWDF_API void owdf_verifier_register_rules(const owdf_verifier_rule *rules, size_t count);
OWDF_API const owdf_verifier_rule *owdf_verifier_find_rule(const char *id);

/* Policy overrides, per rule id ("*" for all rules). Returns -1 for an unknown rule. */
OWDF_API int owdf_verifier_set_policy(const char *id, owdf_verifier_policy policy);
OWDF_API owdf_verifier_policy owdf_verifier_get_policy(const char *id);

/* Records a report; returns the policy to apply. Use the macro, which fills in the call site. */
OWDF_API owdf_verifier_policy owdf_verifier_report_at(const char *rule, const void *object, const char *object_type,
                                                      const void *driver, const char *file, int line,
                                                      const char *function, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
#define OWDF_VERIFY_REPORT(rule, object, object_type, driver, ...) \
    owdf_verifier_report_at(rule, object, object_type, driver, __FILE__, __LINE__, __func__, __VA_ARGS__)

/* Inspection, for tests and tools. */
OWDF_API size_t owdf_verifier_report_count(const char *rule_or_null);
/* Copies the index-th kept report (0 = oldest kept); returns 0 on success, -1 if out of range. */
OWDF_API int owdf_verifier_get_report(size_t index, owdf_verifier_report *out);
OWDF_API void owdf_verifier_clear_reports(void);

/* Called for every report after it is recorded (e.g. the host's logger); NULL restores stderr. */
typedef void (*owdf_verifier_sink)(const owdf_verifier_report *report, void *context);
OWDF_API void owdf_verifier_set_sink(owdf_verifier_sink sink, void *context);

/* Called for OWDF_POLICY_STOP_DRIVER; the I/O manager installs one that stops the driver. With
 * none installed, the process aborts (as a bug check would). */
typedef void (*owdf_verifier_stop_handler)(const owdf_verifier_report *report, void *context);
OWDF_API void owdf_verifier_set_stop_handler(owdf_verifier_stop_handler handler, void *context);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_VERIFIER_H */
