/*
 * Unit tests for the printf engine (src/nt/rtl/format.c) through RtlStringCbPrintfA/W and
 * RtlStringCchPrintfW: Windows conversion semantics in both widths, flags, width, precision, '*',
 * length modifiers, strings of the other width, counted strings, pointers, floats, truncation.
 */
#include "verifier_capture.h"

#include <stdio.h>
#include <stdlib.h>

#include <wdm.h>
#include <ntstrsafe.h>
#include <openwdf/unicode.h>

/* Narrow: format into a roomy buffer, expect success and the exact text. */
#define EXPECT_A(expected, ...) \
    do { \
        char buf_[512]; \
        assert_int_equal(RtlStringCbPrintfA(buf_, sizeof buf_, __VA_ARGS__), STATUS_SUCCESS); \
        assert_string_equal(buf_, (expected)); \
    } while (0)

/* Wide: format, then compare as UTF-8. */
#define EXPECT_W(expected, ...) \
    do { \
        WCHAR wbuf_[512]; \
        char nbuf_[1024]; \
        assert_int_equal(RtlStringCchPrintfW(wbuf_, RTL_NUMBER_OF(wbuf_), __VA_ARGS__), STATUS_SUCCESS); \
        assert_true(NT_SUCCESS(owdf_utf16_to_utf8(wbuf_, (size_t)-1, nbuf_, sizeof nbuf_, NULL))); \
        assert_string_equal(nbuf_, (expected)); \
    } while (0)

static void integers(void **state)
{
    (void)state;
    EXPECT_A("42 -7 3000000000", "%d %i %u", 42, -7, 3000000000u);
    EXPECT_A("   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
    EXPECT_A("+5  5 -5", "%+d % d %+d", 5, 5, -5);
    EXPECT_A("007||    -007|-007", "%.3d|%.0d|%8.3d|%-4.3d", 7, 0, -7, -7);
    EXPECT_A("  -0042", "%7.4d", -42);
    EXPECT_A("-0042", "%05d", -42);
    EXPECT_A("-2147483648 2147483647", "%d %d", (int)0x80000000, 0x7fffffff);
    EXPECT_A("0", "%d", 0);
}

static void hex_and_octal(void **state)
{
    (void)state;
    EXPECT_A("ff FF 0xff 0XFF 010 10", "%x %X %#x %#X %#o %o", 255, 255, 255, 255, 8, 8);
    EXPECT_A("0 0", "%#x %#o", 0, 0);
    EXPECT_A("0x000a", "%#06x", 10);
    EXPECT_A("    0x1f", "%#8x", 31);
    EXPECT_A("0001f", "%.5x", 31);
}

static void windows_length_modifiers(void **state)
{
    (void)state;
    ULONG u = 0xFFFFFFFF;
    LONG l = -1;
    EXPECT_A("ffffffff -1 4294967295", "%lx %ld %lu", u, l, u); /* l is 32 bits */
    EXPECT_A("123456789abcdef0 -1 18446744073709551615", "%I64x %I64d %I64u", 0x123456789ABCDEF0ULL, -1LL,
             0xFFFFFFFFFFFFFFFFULL);
    EXPECT_A("-5 4294967295", "%I32d %I32u", -5, 0xFFFFFFFFu);
    EXPECT_A("ffffffffffffffff 18446744073709551615", "%Ix %Iu", (ULONG_PTR)-1, (SIZE_T)-1);
    EXPECT_A("12345678901 -3", "%zu %zd", (size_t)12345678901ULL, (SSIZE_T)-3);
    EXPECT_A("123456789012 -9", "%llu %lld", 123456789012ULL, -9LL);
    EXPECT_A("4464 44 2345 -1", "%hd %hhu %hx %hhd", 70000, 300, 0x12345, 255);
}

static void characters(void **state)
{
    (void)state;
    EXPECT_A("A|    B|C  |", "%c|%5c|%-3c|", 'A', 'B', 'C');
    EXPECT_A("\xe9 x ? y", "%C %wc %lc %hc", (WCHAR)0xE9, (WCHAR)'x', (WCHAR)0x4E2D, 'y');
    EXPECT_W("x \xc3\xa9 y z", L"%c %C %hc %wc", (WCHAR)'x', 0xE9, 'y', (WCHAR)'z');
    EXPECT_W("\xe4\xb8\xad", L"%c", (WCHAR)0x4E2D);
}

static void narrow_strings(void **state)
{
    (void)state;
    EXPECT_A("abc|ab|  abc|abc  |", "%s|%.2s|%5s|%-5s|", "abc", "abc", "abc", "abc");
    EXPECT_A("(null)|(nu", "%s|%.3s", (char *)NULL, (char *)NULL);
    EXPECT_A("000ab", "%05s", "ab"); /* MSVC pads strings with '0' too */
    EXPECT_A("wide|wide|wide|n", "%ws|%ls|%S|%hs", L"wide", L"wide", L"wide", "n");
    EXPECT_A("caf\xe9 ? (null)", "%ws %ws %ws", L"caf\u00e9", L"\u4e2d", (WCHAR *)NULL); /* ANSI: ISO-8859-1 */
    EXPECT_A("  wi", "%4.2ws", L"wide");
}

static void wide_strings(void **state)
{
    (void)state;
    EXPECT_W("w1 n1 w2 n2 w3", L"%s %S %ws %hs %ls", L"w1", "n1", L"w2", "n2", L"w3");
    EXPECT_W("(null) (null)", L"%s %S", (WCHAR *)NULL, (char *)NULL);
    EXPECT_W("\xc3\xa9|  ab|\xf0\x9f\x98\x80", L"%S|%4.2s|%s", "\xe9", L"abc", L"\U0001F600");
    EXPECT_W("42 ffffffff 123456789012", L"%d %lx %I64u", 42, 0xFFFFFFFFu, 123456789012ULL);
}

static void counted_strings(void **state)
{
    (void)state;
    UNICODE_STRING u;
    ANSI_STRING a;
    RtlInitUnicodeString(&u, L"\\Device\\Echo");
    RtlInitAnsiString(&a, "ansi");
    EXPECT_A("[\\Device\\Echo] [ansi]", "[%wZ] [%Z]", &u, &a);
    EXPECT_A("[\\Dev] [an]", "[%.4wZ] [%.2Z]", &u, &a);
    EXPECT_A("(null) (null)", "%wZ %Z", (UNICODE_STRING *)NULL, (ANSI_STRING *)NULL);
    UNICODE_STRING no_buffer = {0, 0, NULL};
    EXPECT_A("(null)", "%wZ", &no_buffer);
    /* Counted: the terminator is not needed, Length decides. */
    WCHAR raw[] = {'a', 'b', 'c', 'd'};
    UNICODE_STRING part = {4, 8, raw};
    EXPECT_A("ab", "%wZ", &part);
    EXPECT_W("\\Device\\Echo ansi", L"%wZ %Z", &u, &a);
}

static void pointers_and_percent(void **state)
{
    (void)state;
    EXPECT_A("0000000000001234", "%p", (void *)0x1234);
    EXPECT_A("0000000000000000", "%p", NULL);
    EXPECT_A("00007FFFDEADBEEF", "%p", (void *)0x7FFFDEADBEEFULL);
    EXPECT_A("  000000000000ABCD|", "%18p|", (void *)0xABCD);
    EXPECT_A("100%", "%d%%", 100);
    EXPECT_W("0000000000001234 %", L"%p %%", (void *)0x1234);
}

static void star_width_and_precision(void **state)
{
    (void)state;
    EXPECT_A("   42|42   |42   |", "%*d|%-*d|%*d|", 5, 42, 5, 42, -5, 42);
    EXPECT_A("ab|5|00005", "%.*s|%.*d|%.*d", 2, "abcdef", -1, 5, 5, 5);
    EXPECT_A("     ab", "%*.*s", 7, 2, "abcdef");
}

static void floating_point(void **state)
{
    (void)state;
    EXPECT_A("1.500000 3.14    3.142", "%f %.2f %8.3f", 1.5, 3.14159, 3.14159);
    EXPECT_A("1.234568e+04 1.2E+04 0.0001", "%e %.1E %g", 12345.678, 12345.678, 0.0001);
    EXPECT_A("-2.5 next 7", "%.1f next %d", -2.5, 7);
    EXPECT_W("2.50", L"%.2f", 2.5);
    /* Wider than the formatter's local buffer. */
    char buf[512];
    assert_int_equal(RtlStringCbPrintfA(buf, sizeof buf, "%300.1f|", 1.0), STATUS_SUCCESS);
    assert_int_equal(strlen(buf), 301);
    assert_string_equal(buf + 297, "1.0|");
}

static void percent_n_is_ignored_and_unknown_is_literal(void **state)
{
    (void)state;
    int count = -1;
    EXPECT_A("ab 5", "a%nb %d", &count, 5);
    assert_int_equal(count, -1);
    EXPECT_A("y", "%y");
    EXPECT_A("abc", "abc%");
}

static void truncation(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(RtlStringCchPrintfA(buf, 5, "%s", "abcdefgh"), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(buf, "abcd");
    assert_int_equal(RtlStringCchPrintfA(buf, 9, "%s", "abcdefgh"), STATUS_SUCCESS);
    assert_string_equal(buf, "abcdefgh");
    assert_int_equal(RtlStringCchPrintfA(buf, 8, "%s", "abcdefgh"), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(buf, "abcdefg");
    assert_int_equal(RtlStringCchPrintfA(buf, 1, "%d", 5), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(buf, "");
    WCHAR w[4];
    assert_int_equal(RtlStringCchPrintfW(w, 4, L"%d", 123456), STATUS_BUFFER_OVERFLOW);
    assert_memory_equal(w, L"123", 8);
    /* Cb for W: bytes / 2 characters. */
    assert_int_equal(RtlStringCbPrintfW(w, 7, L"%s", L"abcdef"), STATUS_BUFFER_OVERFLOW);
    assert_memory_equal(w, L"ab", 6);
}

static void invalid_sizes(void **state)
{
    (void)state;
    char buf[4] = "xyz";
    assert_int_equal(RtlStringCchPrintfA(buf, 0, "%d", 1), STATUS_INVALID_PARAMETER);
    assert_string_equal(buf, "xyz"); /* size 0: nothing written */
    assert_int_equal(RtlStringCchPrintfA(buf, (size_t)NTSTRSAFE_MAX_CCH + 1, "%d", 1), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCchPrintfA(buf, sizeof buf, NULL), STATUS_INVALID_PARAMETER);
    assert_string_equal(buf, "");
    WCHAR w[2];
    assert_int_equal(RtlStringCbPrintfW(w, 1, L"x"), STATUS_INVALID_PARAMETER); /* 1 byte = 0 characters */
}

static NTSTATUS vprintf_helper(char *buf, size_t cb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    NTSTATUS status = RtlStringCbVPrintfA(buf, cb, fmt, ap);
    va_end(ap);
    return status;
}

static void vprintf_forms(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(vprintf_helper(buf, sizeof buf, "%s=%lu", "n", (ULONG)7), STATUS_SUCCESS);
    assert_string_equal(buf, "n=7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integers),
        cmocka_unit_test(hex_and_octal),
        cmocka_unit_test(windows_length_modifiers),
        cmocka_unit_test(characters),
        cmocka_unit_test(narrow_strings),
        cmocka_unit_test(wide_strings),
        cmocka_unit_test(counted_strings),
        cmocka_unit_test(pointers_and_percent),
        cmocka_unit_test(star_width_and_precision),
        cmocka_unit_test(floating_point),
        cmocka_unit_test(percent_n_is_ignored_and_unknown_is_literal),
        cmocka_unit_test(truncation),
        cmocka_unit_test(invalid_sizes),
        cmocka_unit_test(vprintf_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
