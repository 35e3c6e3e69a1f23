/* Unit tests for integer <-> text and GUID <-> text conversions. */
#include "verifier_capture.h"

#include <initguid.h>
#include <wdm.h>
#include <openwdf/pool.h>

DEFINE_GUID(TEST_GUID, 0x0a1b2c3d, 0x4e5f, 0x6a7b, 0x8c, 0x9d, 0xae, 0xbf, 0xc0, 0xd1, 0xe2, 0xf3);

static owdf_pool_mark mark;

static int setup(void **state)
{
    (void)state;
    vc_install();
    mark = owdf_pool_mark_now();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    owdf_pool_fail_nth(0);
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static void integer_to_unicode_string(void **state)
{
    (void)state;
    WCHAR buf[40];
    UNICODE_STRING s = {0, sizeof buf, buf};
    assert_int_equal(RtlIntegerToUnicodeString(1234, 0, &s), STATUS_SUCCESS);
    assert_int_equal(s.Length, 8);
    assert_memory_equal(buf, L"1234", 10);
    assert_int_equal(RtlIntegerToUnicodeString(0xBEEF, 16, &s), STATUS_SUCCESS);
    assert_memory_equal(buf, L"BEEF", 10);
    assert_int_equal(RtlIntegerToUnicodeString(5, 2, &s), STATUS_SUCCESS);
    assert_memory_equal(buf, L"101", 8);
    assert_int_equal(RtlIntegerToUnicodeString(8, 8, &s), STATUS_SUCCESS);
    assert_memory_equal(buf, L"10", 6);
    assert_int_equal(RtlIntegerToUnicodeString(0, 10, &s), STATUS_SUCCESS);
    assert_memory_equal(buf, L"0", 4);
    assert_int_equal(RtlIntegerToUnicodeString(0xFFFFFFFF, 10, &s), STATUS_SUCCESS);
    assert_memory_equal(buf, L"4294967295", 22);
    assert_int_equal(RtlInt64ToUnicodeString(0x123456789ULL, 16, &s), STATUS_SUCCESS);
    assert_memory_equal(buf, L"123456789", 20);
}

static void integer_to_unicode_string_errors(void **state)
{
    (void)state;
    WCHAR buf[4];
    UNICODE_STRING s = {0, sizeof buf, buf};
    assert_int_equal(RtlIntegerToUnicodeString(12, 3, &s), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlIntegerToUnicodeString(123, 10, &s), STATUS_SUCCESS);   /* 3 digits + terminator */
    assert_int_equal(RtlIntegerToUnicodeString(1234, 10, &s), STATUS_BUFFER_OVERFLOW); /* no room for it */
}

static void integer_to_char(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(RtlIntegerToChar(255, 16, sizeof buf, buf), STATUS_SUCCESS);
    assert_string_equal(buf, "FF");
    memset(buf, 'x', sizeof buf);
    assert_int_equal(RtlIntegerToChar(1234, 10, 4, buf), STATUS_SUCCESS); /* exact fit: no terminator */
    assert_memory_equal(buf, "1234x", 5);
    assert_int_equal(RtlIntegerToChar(12345, 10, 4, buf), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(RtlIntegerToChar(1, 7, 4, buf), STATUS_INVALID_PARAMETER);
}

static ULONG parse(PCWSTR text, ULONG base, NTSTATUS expected)
{
    UNICODE_STRING s;
    ULONG v = 0xCCCCCCCC;
    RtlInitUnicodeString(&s, text);
    assert_int_equal(RtlUnicodeStringToInteger(&s, base, &v), expected);
    return v;
}

static void unicode_string_to_integer(void **state)
{
    (void)state;
    assert_int_equal(parse(L"1234", 10, STATUS_SUCCESS), 1234);
    assert_int_equal(parse(L"  \t+42xyz", 0, STATUS_SUCCESS), 42);
    assert_int_equal(parse(L"-5", 10, STATUS_SUCCESS), (ULONG)-5);
    assert_int_equal(parse(L"0x1F", 0, STATUS_SUCCESS), 0x1F);
    assert_int_equal(parse(L"0o17", 0, STATUS_SUCCESS), 017);
    assert_int_equal(parse(L"0b101", 0, STATUS_SUCCESS), 5);
    assert_int_equal(parse(L"ff", 16, STATUS_SUCCESS), 255);
    assert_int_equal(parse(L"0x1F", 16, STATUS_SUCCESS), 0); /* an explicit base takes no prefix */
    assert_int_equal(parse(L"789", 8, STATUS_SUCCESS), 7);    /* stops at the first non-digit */
    assert_int_equal(parse(L"", 10, STATUS_SUCCESS), 0);
    parse(L"12", 7, STATUS_INVALID_PARAMETER);
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"1");
    assert_int_equal(RtlUnicodeStringToInteger(&s, 10, NULL), STATUS_ACCESS_VIOLATION);
    ULONG v;
    assert_int_equal(RtlCharToInteger(" 0x10", 0, &v), STATUS_SUCCESS);
    assert_int_equal(v, 16);
    assert_int_equal(RtlCharToInteger("10", 5, &v), STATUS_INVALID_PARAMETER);
}

static void string_from_guid(void **state)
{
    (void)state;
    UNICODE_STRING s;
    assert_int_equal(RtlStringFromGUID(&TEST_GUID, &s), STATUS_SUCCESS);
    assert_int_equal(s.Length, 76);
    assert_int_equal(s.MaximumLength, 78);
    assert_memory_equal(s.Buffer, L"{0A1B2C3D-4E5F-6A7B-8C9D-AEBFC0D1E2F3}", 78);
    GUID g;
    assert_int_equal(RtlGUIDFromString(&s, &g), STATUS_SUCCESS);
    assert_true(IsEqualGUID(&g, &TEST_GUID));
    RtlFreeUnicodeString(&s);
    owdf_pool_fail_nth(1);
    assert_int_equal(RtlStringFromGUID(&TEST_GUID, &s), STATUS_NO_MEMORY);
}

static void guid_from_string_accepts_lower_case(void **state)
{
    (void)state;
    UNICODE_STRING s;
    GUID g;
    RtlInitUnicodeString(&s, L"{0a1b2c3d-4e5f-6a7b-8c9d-aebfc0d1e2f3}");
    assert_int_equal(RtlGUIDFromString(&s, &g), STATUS_SUCCESS);
    assert_true(IsEqualGUID(&g, &TEST_GUID));
}

static void guid_from_string_rejects_bad_forms(void **state)
{
    (void)state;
    static const WCHAR *const bad[] = {
        L"0a1b2c3d-4e5f-6a7b-8c9d-aebfc0d1e2f3",     /* no braces */
        L"{0a1b2c3d-4e5f-6a7b-8c9d-aebfc0d1e2f3",    /* short */
        L"{0a1b2c3d-4e5f-6a7b-8c9d-aebfc0d1e2f3}x",  /* long */
        L"{0a1b2c3d_4e5f-6a7b-8c9d-aebfc0d1e2f3}",   /* separator */
        L"{0a1b2c3g-4e5f-6a7b-8c9d-aebfc0d1e2f3}",   /* not hex */
        L"{0a1b2c3d-4e5f-6a7b-8c9d-aebfc0d1e2fz}",
        L"(0a1b2c3d-4e5f-6a7b-8c9d-aebfc0d1e2f3)",
    };
    GUID g = TEST_GUID;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        UNICODE_STRING s;
        RtlInitUnicodeString(&s, bad[i]);
        assert_int_equal(RtlGUIDFromString(&s, &g), STATUS_INVALID_PARAMETER);
    }
    assert_true(IsEqualGUID(&g, &TEST_GUID)); /* untouched on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(integer_to_unicode_string, setup, teardown),
        cmocka_unit_test_setup_teardown(integer_to_unicode_string_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(integer_to_char, setup, teardown),
        cmocka_unit_test_setup_teardown(unicode_string_to_integer, setup, teardown),
        cmocka_unit_test_setup_teardown(string_from_guid, setup, teardown),
        cmocka_unit_test_setup_teardown(guid_from_string_accepts_lower_case, setup, teardown),
        cmocka_unit_test_setup_teardown(guid_from_string_rejects_bad_forms, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
