/* Unit tests for counted strings: init, copy, append, compare, prefix, case mapping. */
#include "verifier_capture.h"

#include <stdlib.h>

#include <wdm.h>
#include <openwdf/unicode.h>
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
    return 0;
}

static void init_unicode_string(void **state)
{
    (void)state;
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"Device");
    assert_int_equal(s.Length, 12);
    assert_int_equal(s.MaximumLength, 14);
    RtlInitUnicodeString(&s, NULL);
    assert_int_equal(s.Length, 0);
    assert_int_equal(s.MaximumLength, 0);
    assert_null(s.Buffer);
    RtlInitUnicodeString(&s, L"");
    assert_int_equal(s.Length, 0);
    assert_int_equal(s.MaximumLength, 2);
}

static void init_unicode_string_caps_long_strings(void **state)
{
    (void)state;
    size_t n = 40000;
    WCHAR *big = malloc((n + 1) * sizeof(WCHAR));
    for (size_t i = 0; i < n; i++)
        big[i] = 'x';
    big[n] = 0;
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, big);
    assert_int_equal(s.Length, 65532);
    assert_int_equal(s.MaximumLength, 65534);
    assert_int_equal(RtlInitUnicodeStringEx(&s, big), STATUS_NAME_TOO_LONG);
    big[32766] = 0; /* 65532 bytes: the longest that still fits */
    assert_int_equal(RtlInitUnicodeStringEx(&s, big), STATUS_SUCCESS);
    assert_int_equal(s.Length, 65532);
    free(big);
}

static void init_ansi_string(void **state)
{
    (void)state;
    ANSI_STRING a;
    RtlInitAnsiString(&a, "abc");
    assert_int_equal(a.Length, 3);
    assert_int_equal(a.MaximumLength, 4);
    STRING s;
    RtlInitString(&s, NULL);
    assert_int_equal(s.Length, 0);
    assert_null(s.Buffer);
    assert_int_equal(RtlInitAnsiStringEx(&a, "xyz"), STATUS_SUCCESS);
    assert_int_equal(a.Length, 3);
    char *big = malloc(70000);
    memset(big, 'a', 69999);
    big[69999] = 0;
    assert_int_equal(RtlInitAnsiStringEx(&a, big), STATUS_NAME_TOO_LONG);
    RtlInitAnsiString(&a, big);
    assert_int_equal(a.Length, 65534);
    assert_int_equal(a.MaximumLength, 65535);
    free(big);
}

static void copy_unicode_string_truncates_and_terminates(void **state)
{
    (void)state;
    UNICODE_STRING src;
    RtlInitUnicodeString(&src, L"ABCDEF");
    WCHAR buf[4];
    UNICODE_STRING dst = {0, sizeof buf, buf};
    RtlCopyUnicodeString(&dst, &src);
    assert_int_equal(dst.Length, 8); /* what fits, no room for a terminator */
    assert_memory_equal(buf, L"ABCD", 8);
    WCHAR big[10];
    UNICODE_STRING dst2 = {0, sizeof big, big};
    RtlCopyUnicodeString(&dst2, &src);
    assert_int_equal(dst2.Length, 12);
    assert_int_equal(big[6], 0); /* terminated when there is room */
    RtlCopyUnicodeString(&dst2, NULL);
    assert_int_equal(dst2.Length, 0);
}

static void append_unicode(void **state)
{
    (void)state;
    WCHAR buf[8];
    UNICODE_STRING dst = {0, sizeof buf, buf};
    UNICODE_STRING part;
    RtlInitUnicodeString(&part, L"abc");
    assert_int_equal(RtlAppendUnicodeStringToString(&dst, &part), STATUS_SUCCESS);
    assert_int_equal(RtlAppendUnicodeToString(&dst, L"de"), STATUS_SUCCESS);
    assert_int_equal(dst.Length, 10);
    assert_memory_equal(buf, L"abcde", 12);
    /* abcde + abc = 8 chars = 16 bytes: fits exactly, no terminator. */
    assert_int_equal(RtlAppendUnicodeStringToString(&dst, &part), STATUS_SUCCESS);
    assert_int_equal(dst.Length, 16);
    assert_int_equal(RtlAppendUnicodeToString(&dst, L"x"), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(RtlAppendUnicodeStringToString(&dst, &part), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(dst.Length, 16); /* unchanged */
    assert_int_equal(RtlAppendUnicodeToString(&dst, NULL), STATUS_SUCCESS);
    UNICODE_STRING empty = {0, 0, NULL};
    assert_int_equal(RtlAppendUnicodeStringToString(&dst, &empty), STATUS_SUCCESS);
}

static void compare_and_equal(void **state)
{
    (void)state;
    UNICODE_STRING a, b, c, d;
    RtlInitUnicodeString(&a, L"Device");
    RtlInitUnicodeString(&b, L"DEVICE");
    RtlInitUnicodeString(&c, L"Dev");
    RtlInitUnicodeString(&d, L"Devicf");
    assert_true(RtlCompareUnicodeString(&a, &b, FALSE) > 0); /* 'e' > 'E' */
    assert_int_equal(RtlCompareUnicodeString(&a, &b, TRUE), 0);
    assert_true(RtlCompareUnicodeString(&c, &a, TRUE) < 0); /* prefix is smaller */
    assert_true(RtlCompareUnicodeString(&a, &c, TRUE) > 0);
    assert_true(RtlCompareUnicodeString(&a, &d, FALSE) < 0);
    assert_true(RtlEqualUnicodeString(&a, &b, TRUE));
    assert_false(RtlEqualUnicodeString(&a, &b, FALSE));
    assert_false(RtlEqualUnicodeString(&a, &c, TRUE));
    assert_true(owdf_unicode_string_equal_ci(&a, &b));
    assert_int_equal(owdf_unicode_string_compare_ci(&a, &b), 0);
    assert_int_equal(RtlCompareUnicodeStrings(L"abc", 3, L"ABD", 3, TRUE), 'C' - 'D');
}

static void case_insensitive_beyond_ascii(void **state)
{
    (void)state;
    UNICODE_STRING a, b;
    RtlInitUnicodeString(&a, L"\u00e9t\u00e9 \u0161\u0107 \u03c3\u03bf\u03c6\u03af\u03b1 \u043f\u0440\u0438\u0432\u0435\u0442 \uff41");
    RtlInitUnicodeString(&b, L"\u00c9T\u00c9 \u0160\u0106 \u03a3\u039f\u03a6\u038a\u0391 \u041f\u0420\u0418\u0412\u0415\u0422 \uff21");
    assert_true(RtlEqualUnicodeString(&a, &b, TRUE));
    assert_int_equal(RtlUpcaseUnicodeChar(L'a'), L'A');
    assert_int_equal(RtlUpcaseUnicodeChar(0x00FF), 0x0178);
    assert_int_equal(RtlUpcaseUnicodeChar(0x00F7), 0x00F7); /* division sign has no case */
    assert_int_equal(RtlUpcaseUnicodeChar(0x03C2), 0x03A3); /* final sigma */
    assert_int_equal(RtlUpcaseUnicodeChar(0x0451), 0x0401);
    assert_int_equal(RtlUpcaseUnicodeChar(0x4E2D), 0x4E2D);
    assert_int_equal(RtlDowncaseUnicodeChar(L'Q'), L'q');
    assert_int_equal(RtlDowncaseUnicodeChar(0x0178), 0x00FF);
    assert_int_equal(RtlDowncaseUnicodeChar(0x0139), 0x013A);
    assert_int_equal(RtlUpcaseUnicodeChar(0x013A), 0x0139);
    assert_int_equal(RtlUpperChar('q'), 'Q');
    assert_int_equal((unsigned char)RtlUpperChar((CHAR)0xE9), 0xC9);
}

static void prefix(void **state)
{
    (void)state;
    UNICODE_STRING p, s;
    RtlInitUnicodeString(&p, L"\\device\\");
    RtlInitUnicodeString(&s, L"\\Device\\Echo0");
    assert_true(RtlPrefixUnicodeString(&p, &s, TRUE));
    assert_false(RtlPrefixUnicodeString(&p, &s, FALSE));
    assert_false(RtlPrefixUnicodeString(&s, &p, TRUE)); /* longer than the string */
    assert_true(RtlPrefixUnicodeString(&s, &s, FALSE));
}

static void ansi_compare(void **state)
{
    (void)state;
    STRING a, b;
    RtlInitString(&a, "Hello");
    RtlInitString(&b, "HELLO");
    assert_true(RtlEqualString(&a, &b, TRUE));
    assert_false(RtlEqualString(&a, &b, FALSE));
    assert_true(RtlCompareString(&a, &b, FALSE) > 0);
    STRING p;
    RtlInitString(&p, "he");
    assert_true(RtlPrefixString(&p, &a, TRUE));
    char buf[4];
    STRING dst = {0, sizeof buf, buf};
    RtlCopyString(&dst, &a);
    assert_int_equal(dst.Length, 4);
    assert_memory_equal(buf, "Hell", 4);
    char big[8] = "ab";
    STRING d2 = {2, sizeof big, big};
    assert_int_equal(RtlAppendStringToString(&d2, &p), STATUS_SUCCESS);
    assert_int_equal(d2.Length, 4);
    assert_memory_equal(big, "abhe", 4);
    assert_int_equal(RtlAppendStringToString(&d2, &a), STATUS_BUFFER_TOO_SMALL);
}

static void upcase_string(void **state)
{
    (void)state;
    UNICODE_STRING src, dst;
    RtlInitUnicodeString(&src, L"mixed\u00e9");
    assert_int_equal(RtlUpcaseUnicodeString(&dst, &src, TRUE), STATUS_SUCCESS);
    assert_int_equal(dst.Length, src.Length);
    assert_memory_equal(dst.Buffer, L"MIXED\u00c9", dst.Length);
    RtlFreeUnicodeString(&dst);
    assert_null(dst.Buffer);
    WCHAR small[3];
    UNICODE_STRING s2 = {0, sizeof small, small};
    assert_int_equal(RtlUpcaseUnicodeString(&s2, &src, FALSE), STATUS_BUFFER_OVERFLOW);
    WCHAR big[16];
    UNICODE_STRING s3 = {0, sizeof big, big};
    assert_int_equal(RtlDowncaseUnicodeString(&s3, &src, FALSE), STATUS_SUCCESS);
    assert_memory_equal(big, L"mixed\u00e9", s3.Length);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_unicode_string, setup, teardown),
        cmocka_unit_test_setup_teardown(init_unicode_string_caps_long_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(init_ansi_string, setup, teardown),
        cmocka_unit_test_setup_teardown(copy_unicode_string_truncates_and_terminates, setup, teardown),
        cmocka_unit_test_setup_teardown(append_unicode, setup, teardown),
        cmocka_unit_test_setup_teardown(compare_and_equal, setup, teardown),
        cmocka_unit_test_setup_teardown(case_insensitive_beyond_ascii, setup, teardown),
        cmocka_unit_test_setup_teardown(prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(ansi_compare, setup, teardown),
        cmocka_unit_test_setup_teardown(upcase_string, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
