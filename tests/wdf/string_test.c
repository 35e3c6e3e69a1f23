/*
 * Unit tests for WDFSTRING: creation from a counted string or empty, the copy being independent of
 * the caller's buffer, malformed strings, IRQL, the view WdfStringGetUnicodeString returns, and
 * fx_string_assign (how framework DDIs fill a driver's string).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

#include "fx_string.h"

static void create_copies_the_string(void **state)
{
    (void)state;
    WCHAR text[] = L"Echo";
    UNICODE_STRING source = {.Length = 8, .MaximumLength = sizeof text, .Buffer = text};
    WDFSTRING string;
    assert_int_equal(WdfStringCreate(&source, WDF_NO_OBJECT_ATTRIBUTES, &string), STATUS_SUCCESS);
    text[0] = L'X'; /* the object has its own copy */
    UNICODE_STRING view;
    WdfStringGetUnicodeString(string, &view);
    assert_int_equal(view.Length, 8);
    assert_ptr_not_equal(view.Buffer, text);
    assert_int_equal(view.Buffer[0], L'E');
    assert_int_equal(view.Buffer[3], L'o');
    assert_int_equal(view.Buffer[4], 0); /* kept terminated for debugging */
    WdfObjectDelete(string);
}

static void create_empty(void **state)
{
    (void)state;
    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, NULL, &string), STATUS_SUCCESS);
    UNICODE_STRING view = {.Length = 5};
    WdfStringGetUnicodeString(string, &view);
    assert_int_equal(view.Length, 0);
    UNICODE_STRING empty = {0};
    WDFSTRING string2;
    assert_int_equal(WdfStringCreate(&empty, NULL, &string2), STATUS_SUCCESS);
    WdfObjectDelete(string);
    WdfObjectDelete(string2);
}

static void malformed_strings_are_rejected(void **state)
{
    (void)state;
    WCHAR text[] = L"abc";
    WDFSTRING string;
    UNICODE_STRING odd = {.Length = 3, .MaximumLength = 8, .Buffer = text};
    assert_int_equal(WdfStringCreate(&odd, NULL, &string), STATUS_INVALID_PARAMETER);
    assert_null(string);
    UNICODE_STRING too_long = {.Length = 8, .MaximumLength = 6, .Buffer = text};
    assert_int_equal(WdfStringCreate(&too_long, NULL, &string), STATUS_INVALID_PARAMETER);
    UNICODE_STRING no_buffer = {.Length = 2, .MaximumLength = 2, .Buffer = NULL};
    assert_int_equal(WdfStringCreate(&no_buffer, NULL, &string), STATUS_INVALID_PARAMETER);
    assert_no_reports();
    assert_int_equal(WdfStringCreate(NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
}

static void create_above_passive_is_reported(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_FAIL_CALL);
    WDFSTRING string;
    NTSTATUS status = WdfStringCreate(NULL, NULL, &string);
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_STOP_DRIVER);
    KeLowerIrql(old);
    assert_int_equal(status, STATUS_INVALID_DEVICE_REQUEST);
    assert_one_report("DDI_ABOVE_MAX_IRQL");
}

static void create_out_of_memory(void **state)
{
    (void)state;
    WCHAR text[] = L"abc";
    UNICODE_STRING source = {.Length = 6, .MaximumLength = 6, .Buffer = text};
    WDFSTRING string;
    owdf_pool_fail_tag(TEST_DRIVER_TAG);
    assert_int_equal(WdfStringCreate(&source, NULL, &string), STATUS_INSUFFICIENT_RESOURCES);
    owdf_pool_fail_tag(0);
    assert_null(string);
}

static void assign_replaces_value(void **state)
{
    (void)state;
    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, NULL, &string), STATUS_SUCCESS);
    fx_string *s = fx_string_from_handle_at(WdfDriverGlobals, string, "test");
    assert_non_null(s);
    WCHAR text[] = L"\\Device\\Echo0";
    UNICODE_STRING value = {.Length = sizeof text - 2, .MaximumLength = sizeof text, .Buffer = text};
    assert_int_equal(fx_string_assign(s, &value), STATUS_SUCCESS);
    UNICODE_STRING view;
    WdfStringGetUnicodeString(string, &view);
    assert_int_equal(view.Length, sizeof text - 2);
    assert_memory_equal(view.Buffer, text, view.Length);
    UNICODE_STRING bad = {.Length = 1, .MaximumLength = 2, .Buffer = text};
    assert_int_equal(fx_string_assign(s, &bad), STATUS_INVALID_PARAMETER);
    WdfStringGetUnicodeString(string, &view);
    assert_int_equal(view.Length, sizeof text - 2); /* unchanged on failure */
    assert_int_equal(fx_string_assign(s, NULL), STATUS_SUCCESS);
    WdfStringGetUnicodeString(string, &view);
    assert_int_equal(view.Length, 0);
    WdfObjectDelete(string);
}

static void get_with_bad_handle(void **state)
{
    (void)state;
    WDFOBJECT object;
    assert_int_equal(WdfObjectCreate(NULL, &object), STATUS_SUCCESS);
    UNICODE_STRING view = {.Length = 4, .Buffer = (PWCH)1};
    WdfStringGetUnicodeString((WDFSTRING)object, &view);
    assert_int_equal(view.Length, 0);
    assert_null(view.Buffer);
    assert_one_report("WRONG_HANDLE_TYPE");
    WdfStringGetUnicodeString((WDFSTRING)object, NULL);
    assert_one_report("NULL_REQUIRED_PARAM");
    WdfObjectDelete(object);
}

static void string_goes_with_its_parent(void **state)
{
    (void)state;
    WDFOBJECT parent;
    assert_int_equal(WdfObjectCreate(NULL, &parent), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, &attributes, &string), STATUS_SUCCESS);
    WdfObjectDelete(parent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SUPPORT_TEST(create_copies_the_string),
        SUPPORT_TEST(create_empty),
        SUPPORT_TEST(malformed_strings_are_rejected),
        SUPPORT_TEST(create_above_passive_is_reported),
        SUPPORT_TEST(create_out_of_memory),
        SUPPORT_TEST(assign_replaces_value),
        SUPPORT_TEST(get_with_bad_handle),
        SUPPORT_TEST(string_goes_with_its_parent),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
