/* Unit tests for ANSI <-> Unicode conversion and the pool-backed string routines (create, duplicate, free). */
#include "verifier_capture.h"

#include <wdm.h>
#include <openwdf/pool.h>

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
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    owdf_pool_fail_nth(0);
    return 0;
}

static void unicode_to_ansi_allocating(void **state)
{
    (void)state;
    UNICODE_STRING u;
    ANSI_STRING a;
    RtlInitUnicodeString(&u, L"caf\u00e9 \u4e2d");
    assert_int_equal(RtlUnicodeStringToAnsiString(&a, &u, TRUE), STATUS_SUCCESS);
    assert_int_equal(a.Length, 6);
    assert_int_equal(a.MaximumLength, 7);
    assert_string_equal(a.Buffer, "caf\xe9 ?"); /* ISO-8859-1; what it cannot hold becomes '?' */
    assert_int_equal(owdf_pool_outstanding(OWDF_RTL_STRING_TAG), 1);
    RtlFreeAnsiString(&a);
    assert_null(a.Buffer);
    assert_int_equal(a.Length, 0);
    assert_int_equal(owdf_pool_outstanding(OWDF_RTL_STRING_TAG), 0);
}

static void unicode_to_ansi_into_buffer(void **state)
{
    (void)state;
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, L"abcdef");
    char buf[4];
    ANSI_STRING a = {0, sizeof buf, buf};
    /* Converts what fits (MaximumLength - 1) and terminates. */
    assert_int_equal(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(a.Length, 3);
    assert_string_equal(buf, "abc");
    ANSI_STRING none = {0, 0, NULL};
    assert_int_equal(RtlUnicodeStringToAnsiString(&none, &u, FALSE), STATUS_BUFFER_OVERFLOW);
    char big[7];
    ANSI_STRING ok = {0, sizeof big, big};
    assert_int_equal(RtlUnicodeStringToAnsiString(&ok, &u, FALSE), STATUS_SUCCESS);
    assert_string_equal(big, "abcdef");
    assert_int_equal(RtlUnicodeStringToAnsiSize(&u), 7);
}

static void ansi_to_unicode(void **state)
{
    (void)state;
    ANSI_STRING a;
    UNICODE_STRING u;
    RtlInitAnsiString(&a, "x\xe9y");
    assert_int_equal(RtlAnsiStringToUnicodeSize(&a), 8);
    assert_int_equal(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_SUCCESS);
    assert_int_equal(u.Length, 6);
    assert_int_equal(u.MaximumLength, 8);
    assert_memory_equal(u.Buffer, L"x\u00e9y", 8);
    RtlFreeUnicodeString(&u);
    /* Without allocation the terminator must fit too. */
    WCHAR buf[3];
    UNICODE_STRING small = {0, sizeof buf, buf};
    assert_int_equal(RtlAnsiStringToUnicodeString(&small, &a, FALSE), STATUS_BUFFER_OVERFLOW);
    WCHAR buf2[4];
    UNICODE_STRING fits = {0, sizeof buf2, buf2};
    assert_int_equal(RtlAnsiStringToUnicodeString(&fits, &a, FALSE), STATUS_SUCCESS);
    assert_int_equal(fits.Length, 6);
    assert_int_equal(buf2[3], 0);
}

static void ansi_to_unicode_too_long_for_a_counted_string(void **state)
{
    (void)state;
    static char text[40000];
    ANSI_STRING a = {40000, 40000, text};
    UNICODE_STRING u;
    assert_int_equal(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_INVALID_PARAMETER_2);
}

static void allocation_failure_is_no_memory(void **state)
{
    (void)state;
    UNICODE_STRING u;
    ANSI_STRING a;
    RtlInitAnsiString(&a, "abc");
    owdf_pool_fail_nth(1);
    assert_int_equal(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_NO_MEMORY);
    RtlInitUnicodeString(&u, L"abc");
    owdf_pool_fail_nth(1);
    assert_int_equal(RtlUnicodeStringToAnsiString(&a, &u, TRUE), STATUS_NO_MEMORY);
    owdf_pool_fail_nth(1);
    UNICODE_STRING c;
    assert_false(RtlCreateUnicodeString(&c, L"abc"));
}

static void create_unicode_string(void **state)
{
    (void)state;
    UNICODE_STRING s;
    assert_true(RtlCreateUnicodeString(&s, L"Echo"));
    assert_int_equal(s.Length, 8);
    assert_int_equal(s.MaximumLength, 10);
    assert_memory_equal(s.Buffer, L"Echo", 10);
    RtlFreeUnicodeString(&s);
    assert_null(s.Buffer);
}

static void duplicate_unicode_string(void **state)
{
    (void)state;
    UNICODE_STRING in, out;
    RtlInitUnicodeString(&in, L"abc");
    assert_int_equal(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &in, &out),
                     STATUS_SUCCESS);
    assert_int_equal(out.Length, 6);
    assert_int_equal(out.MaximumLength, 8);
    assert_int_equal(out.Buffer[3], 0);
    RtlFreeUnicodeString(&out);
    assert_int_equal(RtlDuplicateUnicodeString(0, &in, &out), STATUS_SUCCESS);
    assert_int_equal(out.MaximumLength, 6);
    RtlFreeUnicodeString(&out);
    UNICODE_STRING empty = {0, 0, NULL};
    assert_int_equal(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &empty, &out),
                     STATUS_SUCCESS);
    assert_null(out.Buffer);
    assert_int_equal(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE |
                                                   RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING,
                                               &empty, &out),
                     STATUS_SUCCESS);
    assert_non_null(out.Buffer);
    assert_int_equal(out.Length, 0);
    assert_int_equal(out.MaximumLength, 2);
    RtlFreeUnicodeString(&out);
    assert_int_equal(RtlDuplicateUnicodeString(4, &in, &out), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlDuplicateUnicodeString(0, NULL, &out), STATUS_INVALID_PARAMETER);
    UNICODE_STRING bad = {4, 2, in.Buffer};
    assert_int_equal(RtlDuplicateUnicodeString(0, &bad, &out), STATUS_INVALID_PARAMETER);
    owdf_pool_fail_nth(1);
    assert_int_equal(RtlDuplicateUnicodeString(0, &in, &out), STATUS_NO_MEMORY);
}

static void freeing_a_foreign_buffer_is_a_tag_mismatch(void **state)
{
    (void)state;
    UNICODE_STRING s;
    s.Buffer = ExAllocatePool2(POOL_FLAG_PAGED, 8, 'rvrD');
    s.Length = 0;
    s.MaximumLength = 8;
    RtlFreeUnicodeString(&s);
    vc_expect(1, "POOL_TAG_MISMATCH", "RtlFreeUnicodeString");
    assert_null(s.Buffer);
    assert_int_equal(owdf_pool_outstanding('rvrD'), 0); /* freed all the same */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unicode_to_ansi_allocating, setup, teardown),
        cmocka_unit_test_setup_teardown(unicode_to_ansi_into_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(ansi_to_unicode, setup, teardown),
        cmocka_unit_test_setup_teardown(ansi_to_unicode_too_long_for_a_counted_string, setup, teardown),
        cmocka_unit_test_setup_teardown(allocation_failure_is_no_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(create_unicode_string, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicate_unicode_string, setup, teardown),
        cmocka_unit_test_setup_teardown(freeing_a_foreign_buffer_is_a_tag_mismatch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
