/*
 * verifier.c - the verifier core: the rule registry, policies, and the kept reports.
 *
 * Reports are rare (a driver bug), so one mutex guards everything here; the checks that lead to
 * a report live in the layers and cost nothing while the driver behaves.
 */
#include <openwdf/verifier.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 256
#define KEPT_REPORTS 256

struct rule_slot {
    const owdf_verifier_rule *rule;
    owdf_verifier_policy policy;
};

static pthread_mutex_t verifier_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule_slot rules[MAX_RULES];
static size_t rule_count;
static owdf_verifier_report kept[KEPT_REPORTS]; /* ring: newest at (total - 1) % KEPT_REPORTS */
static uint64_t total_reports;
static owdf_verifier_sink report_sink;
static void *report_sink_context;
static owdf_verifier_stop_handler stop_handler;
static void *stop_handler_context;

static struct rule_slot *find_slot(const char *id)
{
    for (size_t i = 0; i < rule_count; i++) {
        if (strcmp(rules[i].rule->id, id) == 0)
            return &rules[i];
    }
    return NULL;
}

void owdf_verifier_register_rules(const owdf_verifier_rule *table, size_t count)
{
    pthread_mutex_lock(&verifier_lock);
    for (size_t i = 0; i < count; i++) {
        if (find_slot(table[i].id) != NULL)
            continue;
        if (rule_count == MAX_RULES) {
            fprintf(stderr, "openwdf verifier: rule table full, rule %s not registered\n", table[i].id);
            break;
        }
        rules[rule_count].rule = &table[i];
        rules[rule_count].policy = table[i].default_policy;
        rule_count++;
    }
    pthread_mutex_unlock(&verifier_lock);
}

const owdf_verifier_rule *owdf_verifier_find_rule(const char *id)
{
    pthread_mutex_lock(&verifier_lock);
    struct rule_slot *slot = find_slot(id);
    const owdf_verifier_rule *rule = slot ? slot->rule : NULL;
    pthread_mutex_unlock(&verifier_lock);
    return rule;
}

int owdf_verifier_set_policy(const char *id, owdf_verifier_policy policy)
{
    int result = 0;
    pthread_mutex_lock(&verifier_lock);
    if (strcmp(id, "*") == 0) {
        for (size_t i = 0; i < rule_count; i++)
            rules[i].policy = policy;
    } else {
        struct rule_slot *slot = find_slot(id);
        if (slot != NULL)
            slot->policy = policy;
        else
            result = -1;
    }
    pthread_mutex_unlock(&verifier_lock);
    return result;
}

owdf_verifier_policy owdf_verifier_get_policy(const char *id)
{
    pthread_mutex_lock(&verifier_lock);
    struct rule_slot *slot = find_slot(id);
    owdf_verifier_policy policy = slot ? slot->policy : OWDF_POLICY_STOP_DRIVER;
    pthread_mutex_unlock(&verifier_lock);
    return policy;
}

static const char *policy_name(owdf_verifier_policy policy)
{
    switch (policy) {
    case OWDF_POLICY_LOG:
        return "log";
    case OWDF_POLICY_FAIL_CALL:
        return "fail-call";
    case OWDF_POLICY_STOP_DRIVER:
        return "stop-driver";
    }
    return "?";
}

static void print_report(const owdf_verifier_report *r)
{
    fprintf(stderr, "openwdf verifier: %s (%s): %s [object %s %p] at %s:%d in %s()\n", r->rule,
            policy_name(r->policy), r->message, r->object_type ? r->object_type : "-", r->object, r->file,
            r->line, r->function);
}

owdf_verifier_policy owdf_verifier_report_at(const char *rule, const void *object, const char *object_type,
                                             const void *driver, const char *file, int line,
                                             const char *function, const char *fmt, ...)
{
    owdf_verifier_report report = {
        .rule = rule,
        .object = object,
        .object_type = object_type,
        .driver = driver,
        .file = file,
        .line = line,
        .function = function,
    };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(report.message, sizeof report.message, fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&verifier_lock);
    struct rule_slot *slot = find_slot(rule);
    /* An unregistered rule is a bug in openwdf itself: treat it as the strictest policy. */
    report.policy = slot ? slot->policy : OWDF_POLICY_STOP_DRIVER;
    report.sequence = ++total_reports;
    kept[(report.sequence - 1) % KEPT_REPORTS] = report;
    owdf_verifier_sink sink = report_sink;
    void *sink_context = report_sink_context;
    owdf_verifier_stop_handler stop = stop_handler;
    void *stop_context = stop_handler_context;
    pthread_mutex_unlock(&verifier_lock);

    if (slot == NULL)
        fprintf(stderr, "openwdf verifier: unregistered rule id %s\n", rule);
    if (sink != NULL)
        sink(&report, sink_context);
    else
        print_report(&report);

    if (report.policy == OWDF_POLICY_STOP_DRIVER) {
        if (stop == NULL) {
            fprintf(stderr, "openwdf verifier: no stop handler installed, stopping the process\n");
            abort();
        }
        stop(&report, stop_context);
    }
    return report.policy;
}

static size_t kept_count_locked(void)
{
    return total_reports < KEPT_REPORTS ? (size_t)total_reports : KEPT_REPORTS;
}

size_t owdf_verifier_report_count(const char *rule_or_null)
{
    size_t count = 0;
    pthread_mutex_lock(&verifier_lock);
    size_t n = kept_count_locked();
    for (size_t i = 0; i < n; i++) {
        if (rule_or_null == NULL || strcmp(kept[i].rule, rule_or_null) == 0)
            count++;
    }
    pthread_mutex_unlock(&verifier_lock);
    return count;
}

int owdf_verifier_get_report(size_t index, owdf_verifier_report *out)
{
    int result = -1;
    pthread_mutex_lock(&verifier_lock);
    size_t n = kept_count_locked();
    if (index < n) {
        uint64_t first = total_reports - n; /* sequence - 1 of the oldest kept */
        *out = kept[(first + index) % KEPT_REPORTS];
        result = 0;
    }
    pthread_mutex_unlock(&verifier_lock);
    return result;
}

void owdf_verifier_clear_reports(void)
{
    pthread_mutex_lock(&verifier_lock);
    total_reports = 0;
    memset(kept, 0, sizeof kept);
    pthread_mutex_unlock(&verifier_lock);
}

void owdf_verifier_set_sink(owdf_verifier_sink sink, void *context)
{
    pthread_mutex_lock(&verifier_lock);
    report_sink = sink;
    report_sink_context = context;
    pthread_mutex_unlock(&verifier_lock);
}

void owdf_verifier_set_stop_handler(owdf_verifier_stop_handler handler, void *context)
{
    pthread_mutex_lock(&verifier_lock);
    stop_handler = handler;
    stop_handler_context = context;
    pthread_mutex_unlock(&verifier_lock);
}
