/*
 * Unit tests for the WDF object model: contexts, parent/child lifetime and callback order,
 * references, handle validation, attribute validation, and the verifier reports for misuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <wdf.h>
#include <openwdf/verifier.h>

#include "fx_object.h"
#include "fx_globals.h"

/* Globals as the Framework makes them, without a WDM driver behind them. */
static fx_driver_globals fx_test_globals = {.public = {.DriverName = "ObjectTest"}, .magic = FX_GLOBALS_MAGIC};
#define test_globals (fx_test_globals.public)
PWDF_DRIVER_GLOBALS WdfDriverGlobals = &fx_test_globals.public;

typedef struct _BIG_CONTEXT {
    ULONG Value;
    UCHAR Bytes[200];
} BIG_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(BIG_CONTEXT, GetBigContext)

typedef struct _OTHER_CONTEXT {
    ULONG Other;
} OTHER_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE(OTHER_CONTEXT)

/* ---- event log of callbacks ------------------------------------------------------------------ */
static char events[1024];
static void log_event(const char *what, WDFOBJECT object)
{
    BIG_CONTEXT *ctx = GetBigContext(object);
    char line[64];
    snprintf(line, sizeof line, "%s:%u ", what, ctx ? (unsigned)ctx->Value : 0u);
    strncat(events, line, sizeof events - strlen(events) - 1);
}
static void on_cleanup(WDFOBJECT object)
{
    log_event("cleanup", object);
}
static void on_destroy(WDFOBJECT object)
{
    log_event("destroy", object);
}

static int reports_seen;
static void quiet_sink(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    reports_seen++;
}
static void ignore_stop(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
}

static int setup(void **state)
{
    (void)state;
    events[0] = 0;
    reports_seen = 0;
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(quiet_sink, NULL);
    owdf_verifier_set_stop_handler(ignore_stop, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(fx_object_live_count(&test_globals), 0);
    return 0;
}

static WDFOBJECT create_numbered(ULONG value, WDFOBJECT parent)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, BIG_CONTEXT);
    attributes.EvtCleanupCallback = on_cleanup;
    attributes.EvtDestroyCallback = on_destroy;
    attributes.ParentObject = parent;
    WDFOBJECT object;
    assert_int_equal(WdfObjectCreate(&attributes, &object), STATUS_SUCCESS);
    GetBigContext(object)->Value = value;
    return object;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void context_is_zeroed_typed_and_maps_back(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(0, NULL);
    BIG_CONTEXT *ctx = GetBigContext(object);
    assert_non_null(ctx);
    for (size_t i = 0; i < sizeof ctx->Bytes; i++)
        assert_int_equal(ctx->Bytes[i], 0);
    assert_ptr_equal(WdfObjectGetTypedContext(object, BIG_CONTEXT), ctx);
    assert_ptr_equal(WdfObjectContextGetObject(ctx), object);
    assert_null(WdfObjectGet_OTHER_CONTEXT(object)); /* no such context yet */
    WdfObjectDelete(object);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void cleanup_parent_first_then_children_destroy_children_first(void **state)
{
    (void)state;
    WDFOBJECT parent = create_numbered(1, NULL);
    WDFOBJECT child = create_numbered(2, parent);
    (void)create_numbered(3, child);
    WdfObjectDelete(parent);
    assert_string_equal(events, "cleanup:1 cleanup:2 cleanup:3 destroy:3 destroy:2 destroy:1 ");
}

static void reference_delays_destroy_until_dereference(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(7, NULL);
    WdfObjectReferenceWithTag(object, (PVOID)0x1234);
    WdfObjectDelete(object);
    assert_string_equal(events, "cleanup:7 ");
    WdfObjectDereferenceWithTag(object, (PVOID)0x1234);
    assert_string_equal(events, "cleanup:7 destroy:7 ");
}

static void stale_handle_and_double_delete_are_reported(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(1, NULL);
    WdfObjectDelete(object);
    assert_null(GetBigContext(object));
    assert_int_equal(owdf_verifier_report_count("STALE_HANDLE"), 1);
    WdfObjectDelete(object);
    assert_int_equal(owdf_verifier_report_count("OBJECT_DOUBLE_DELETE"), 1);
}

static void garbage_and_null_handles_are_reported(void **state)
{
    (void)state;
    int not_an_object;
    assert_null(WdfObjectGetTypedContext((WDFOBJECT)&not_an_object, BIG_CONTEXT));
    assert_int_equal(owdf_verifier_report_count("WRONG_HANDLE_TYPE"), 1);
    assert_null(WdfObjectGetTypedContext(NULL, BIG_CONTEXT));
    assert_int_equal(owdf_verifier_report_count("NULL_REQUIRED_PARAM"), 1);
    assert_null(WdfObjectContextGetObject(NULL));
    assert_int_equal(owdf_verifier_report_count("NULL_REQUIRED_PARAM"), 2);
}

static void typed_lookup_rejects_other_types(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(1, NULL);
    assert_null(fx_object_from_handle(&test_globals, object, FX_TYPE_QUEUE));
    owdf_verifier_report r;
    assert_int_equal(owdf_verifier_get_report(0, &r), 0);
    assert_string_equal(r.rule, "WRONG_HANDLE_TYPE");
    assert_non_null(strstr(r.message, "is a WDFOBJECT, expected a WDFQUEUE"));
    WdfObjectDelete(object);
}

static void allocate_context_adds_second_type_once(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(1, NULL);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, OTHER_CONTEXT);
    OTHER_CONTEXT *other = NULL;
    assert_int_equal(WdfObjectAllocateContext(object, &attributes, (PVOID *)&other), STATUS_SUCCESS);
    assert_non_null(other);
    assert_ptr_equal(WdfObjectGet_OTHER_CONTEXT(object), other);
    assert_ptr_equal(WdfObjectContextGetObject(other), object);
    OTHER_CONTEXT *again = NULL;
    assert_int_equal(WdfObjectAllocateContext(object, &attributes, (PVOID *)&again), STATUS_OBJECT_NAME_EXISTS);
    assert_ptr_equal(again, other);
    assert_int_equal(owdf_verifier_report_count("DUPLICATE_CONTEXT"), 1);
    /* Without a context type there is nothing to allocate. */
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    assert_int_equal(WdfObjectAllocateContext(object, &attributes, (PVOID *)&again), STATUS_OBJECT_NAME_INVALID);
    WdfObjectDelete(object);
}

static void attribute_errors_have_kmdf_statuses(void **state)
{
    (void)state;
    WDF_OBJECT_ATTRIBUTES a;
    WDFOBJECT object = (WDFOBJECT)1;

    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.Size = 12;
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_INFO_LENGTH_MISMATCH);
    assert_null(object);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, BIG_CONTEXT);
    a.ContextSizeOverride = 4; /* smaller than the type */
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_WDF_OBJECT_ATTRIBUTES_INVALID);

    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ContextSizeOverride = 64; /* override without a type */
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_WDF_OBJECT_ATTRIBUTES_INVALID);

    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ExecutionLevel = (WDF_EXECUTION_LEVEL)9;
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_WDF_OBJECT_ATTRIBUTES_INVALID);

    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ExecutionLevel = WdfExecutionLevelPassive; /* a general object has no callbacks to run at a level */
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_WDF_EXECUTION_LEVEL_INVALID);

    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.SynchronizationScope = WdfSynchronizationScopeDevice;
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, BIG_CONTEXT);
    a.ContextSizeOverride = 4096; /* a larger context is fine */
    assert_int_equal(WdfObjectCreate(&a, &object), STATUS_SUCCESS);
    memset(GetBigContext(object), 0xab, 4096);
    WdfObjectDelete(object);
}

static WDFOBJECT late_child_parent;
static NTSTATUS late_child_status;
static void create_child_during_cleanup(WDFOBJECT object)
{
    (void)object;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ParentObject = late_child_parent;
    WDFOBJECT child = (WDFOBJECT)1;
    late_child_status = WdfObjectCreate(&a, &child);
}

static void child_of_a_deleting_parent_is_refused(void **state)
{
    (void)state;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.EvtCleanupCallback = create_child_during_cleanup;
    assert_int_equal(WdfObjectCreate(&a, &late_child_parent), STATUS_SUCCESS);
    WdfObjectDelete(late_child_parent);
    assert_int_equal(late_child_status, STATUS_DELETE_PENDING);
}

static void dereference_instead_of_delete_is_reported_and_cleans_up(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(5, NULL);
    WdfObjectDereference(object);
    assert_int_equal(owdf_verifier_report_count("DEREF_INSTEAD_OF_DELETE"), 1);
    assert_string_equal(events, "cleanup:5 destroy:5 ");
}

static void framework_owned_objects_cannot_be_deleted(void **state)
{
    (void)state;
    WDFOBJECT object = create_numbered(1, NULL);
    fx_object *fx = fx_object_lookup(object);
    fx->framework_owned = TRUE;
    WdfObjectDelete(object);
    assert_int_equal(owdf_verifier_report_count("DELETE_FRAMEWORK_OWNED"), 1);
    assert_string_equal(events, "");
    fx->framework_owned = FALSE;
    fx_object_delete(fx);
}

static void tagged_references_show_in_the_tree(void **state)
{
    (void)state;
    WDFOBJECT parent = create_numbered(1, NULL);
    WDFOBJECT child = create_numbered(2, parent);
    WdfObjectReferenceWithTag(child, (PVOID)0xbeef);
    assert_int_equal(fx_object_live_count(&test_globals), 2);
    char buffer[2048] = {0};
    FILE *out = fmemopen(buffer, sizeof buffer - 1, "w");
    fx_object_dump_tree(&test_globals, out);
    fclose(out);
    assert_non_null(strstr(buffer, "WDFOBJECT"));
    assert_non_null(strstr(buffer, "reference tag 0xbeef x1"));
    assert_non_null(strstr(buffer, "object_test.c"));
    WdfObjectDereferenceWithTag(child, (PVOID)0xbeef);
    WdfObjectDelete(parent);
}

static void stale_handle_slot_reuse_does_not_revive_old_handle(void **state)
{
    (void)state;
    WDFOBJECT first = create_numbered(1, NULL);
    WdfObjectDelete(first);
    WDFOBJECT second = create_numbered(2, NULL);
    assert_ptr_not_equal(first, second);
    assert_null(fx_object_lookup(first));
    assert_non_null(fx_object_lookup(second));
    fx_object *fx = fx_object_lookup(second);
    WDFOBJECT renewed = fx_object_renew_handle(fx);
    assert_ptr_not_equal(renewed, second);
    assert_null(fx_object_lookup(second));
    assert_ptr_equal(fx_object_lookup(renewed), fx);
    assert_ptr_equal(fx->handle, renewed);
    WdfObjectDelete(renewed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(context_is_zeroed_typed_and_maps_back, setup, teardown),
        cmocka_unit_test_setup_teardown(cleanup_parent_first_then_children_destroy_children_first, setup, teardown),
        cmocka_unit_test_setup_teardown(reference_delays_destroy_until_dereference, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_handle_and_double_delete_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_and_null_handles_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(typed_lookup_rejects_other_types, setup, teardown),
        cmocka_unit_test_setup_teardown(allocate_context_adds_second_type_once, setup, teardown),
        cmocka_unit_test_setup_teardown(attribute_errors_have_kmdf_statuses, setup, teardown),
        cmocka_unit_test_setup_teardown(child_of_a_deleting_parent_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(dereference_instead_of_delete_is_reported_and_cleans_up, setup, teardown),
        cmocka_unit_test_setup_teardown(framework_owned_objects_cannot_be_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(tagged_references_show_in_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_handle_slot_reuse_does_not_revive_old_handle, setup, teardown),
    };
    return cmocka_run_group_tests_name("wdf_object", tests, NULL, NULL);
}
