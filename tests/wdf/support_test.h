/*
 * support_test.h - what the support-object tests share: a driver identity (fx_driver_globals with
 * an in-flight recorder), a verifier sink that records rule ids and a stop handler that only records,
 * and stand-in device and queue objects (FX_TYPE_DEVICE / FX_TYPE_QUEUE with an fx_sync_lock) for
 * parents of timers, DPCs and work items, so these tests do not depend on the device layer.
 * Include once per test program, after cmocka.h.
 */
#ifndef OPENWDF_TESTS_SUPPORT_TEST_H
#define OPENWDF_TESTS_SUPPORT_TEST_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <wdf.h>
#include <openwdf/ifr.h>
#include <openwdf/nt.h>
#include <openwdf/pool.h>
#include <openwdf/verifier.h>

#include "fx_globals.h"
#include "fx_ifr.h"
#include "fx_object.h"
#include "fx_sync.h"

#define TEST_DRIVER_TAG 'tsTS' /* "STst" */

static fx_driver_globals test_fx_globals = {
    .public = {.DriverName = "SupportTest", .DriverTag = TEST_DRIVER_TAG},
    .magic = FX_GLOBALS_MAGIC,
};
PWDF_DRIVER_GLOBALS WdfDriverGlobals = &test_fx_globals.public;

/* ---- verifier reports ------------------------------------------------------------------------- */

#define MAX_SEEN 64
static char seen_rules[MAX_SEEN][40];
static volatile int seen_count;
static volatile int stops_seen;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void record_sink(const owdf_verifier_report *report, void *context)
{
    (void)context;
    pthread_mutex_lock(&seen_lock);
    if (seen_count < MAX_SEEN)
        snprintf(seen_rules[seen_count], sizeof seen_rules[0], "%s", report->rule);
    seen_count++;
    pthread_mutex_unlock(&seen_lock);
}

static void record_stop(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    __atomic_add_fetch(&stops_seen, 1, __ATOMIC_RELAXED);
}

/* How many reports of `rule` were made since the last reset_reports(). */
static int reports_of(const char *rule)
{
    int n = 0;
    pthread_mutex_lock(&seen_lock);
    for (int i = 0; i < seen_count && i < MAX_SEEN; i++)
        n += strcmp(seen_rules[i], rule) == 0;
    pthread_mutex_unlock(&seen_lock);
    return n;
}

static __attribute__((unused)) int total_reports(void)
{
    pthread_mutex_lock(&seen_lock);
    int n = seen_count;
    pthread_mutex_unlock(&seen_lock);
    return n;
}

static void reset_reports(void)
{
    pthread_mutex_lock(&seen_lock);
    seen_count = 0;
    pthread_mutex_unlock(&seen_lock);
    __atomic_store_n(&stops_seen, 0, __ATOMIC_RELAXED);
    owdf_verifier_clear_reports();
}

/* Exactly one report, of `rule`. */
#define assert_one_report(rule)                                                                              \
    do {                                                                                                     \
        assert_int_equal(reports_of(rule), 1);                                                               \
        assert_int_equal(total_reports(), 1);                                                                \
        reset_reports();                                                                                     \
    } while (0)

#define assert_no_reports() assert_int_equal(total_reports(), 0)

/* ---- stand-in device and queue ----------------------------------------------------------------- */

typedef struct test_lock_owner {
    fx_object object;
    fx_sync_lock lock;
} test_lock_owner;

static fx_sync_lock *test_owner_lock(fx_object *object)
{
    return &((test_lock_owner *)object)->lock;
}

static const fx_object_ops test_device_ops = {
    .type = FX_TYPE_DEVICE,
    .name = "WDFDEVICE",
    .allows_parent = TRUE,
    .allows_execution_level = TRUE,
    .allows_synchronization_scope = TRUE,
};

static const fx_object_ops test_queue_ops = {
    .type = FX_TYPE_QUEUE,
    .name = "WDFQUEUE",
    .allows_parent = TRUE,
    .allows_execution_level = TRUE,
    .allows_synchronization_scope = TRUE,
};

/* A device (or queue, under `parent`) with the given execution level and scope, and its lock. */
static __attribute__((unused)) test_lock_owner *make_owner(const fx_object_ops *ops, WDFOBJECT parent,
                                                           WDF_EXECUTION_LEVEL level,
                                                           WDF_SYNCHRONIZATION_SCOPE scope)
{
    fx_sync_register_lock_getter(&test_device_ops, test_owner_lock);
    fx_sync_register_lock_getter(&test_queue_ops, test_owner_lock);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ExecutionLevel = level;
    attributes.SynchronizationScope = scope;
    attributes.ParentObject = parent;
    test_lock_owner *owner = NULL;
    NTSTATUS status =
        fx_object_create(WdfDriverGlobals, ops, sizeof *owner, &attributes, NULL, (void **)&owner);
    if (!NT_SUCCESS(status))
        return NULL;
    fx_sync_lock_init(&owner->lock, owner->object.execution_level == WdfExecutionLevelPassive, &owner->object,
                      ops == &test_device_ops ? "device lock" : "queue lock");
    return owner;
}

static __attribute__((unused)) test_lock_owner *make_device(WDF_EXECUTION_LEVEL level,
                                                            WDF_SYNCHRONIZATION_SCOPE scope)
{
    return make_owner(&test_device_ops, NULL, level, scope);
}

static __attribute__((unused)) void delete_owner(test_lock_owner *owner)
{
    fx_object_delete(&owner->object);
}

/* Attributes naming `parent` as the parent. */
static __attribute__((unused)) WDF_OBJECT_ATTRIBUTES child_of(WDFOBJECT parent)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = parent;
    return attributes;
}

/* ---- fixtures ---------------------------------------------------------------------------------- */

static int support_group_setup(void **state)
{
    (void)state;
    test_fx_globals.ifr = fx_ifr_create("SupportTest", 0);
    owdf_verifier_set_sink(record_sink, NULL);
    owdf_verifier_set_stop_handler(record_stop, NULL);
    return 0;
}

static int support_group_teardown(void **state)
{
    (void)state;
    if (owdf_nt_running())
        owdf_nt_stop();
    fx_ifr_destroy(test_fx_globals.ifr);
    test_fx_globals.ifr = NULL;
    return 0;
}

static int support_setup(void **state)
{
    (void)state;
    reset_reports();
    return 0;
}

/* Every test must leave no object behind and no unexpected report. */
static int support_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 200 && fx_object_live_count(WdfDriverGlobals) != 0; i++)
        usleep(5000); /* deferred rundowns finish on a worker thread */
    if (fx_object_live_count(WdfDriverGlobals) != 0)
        fx_object_dump_tree(WdfDriverGlobals, stderr);
    assert_int_equal(fx_object_live_count(WdfDriverGlobals), 0);
    assert_no_reports();
    return 0;
}

#define SUPPORT_TEST(f) cmocka_unit_test_setup_teardown(f, support_setup, support_teardown)

/* Polls `cond` for up to ~2 s. */
#define WAIT_FOR(cond)                                                                                       \
    do {                                                                                                     \
        for (int wait_i_ = 0; wait_i_ < 2000 && !(cond); wait_i_++)                                          \
            usleep(1000);                                                                                    \
    } while (0)

#endif /* OPENWDF_TESTS_SUPPORT_TEST_H */
