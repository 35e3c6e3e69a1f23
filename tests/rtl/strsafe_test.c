/* Unit tests for ntstrsafe.h: copy, cat, length, N and Ex forms, and the UNICODE_STRING functions. */
#include "verifier_capture.h"

#include <wdm.h>
#include <ntstrsafe.h>

static void copy(void **state)
{
    (void)state;
    char a[6];
    assert_int_equal(RtlStringCchCopyA(a, sizeof a, "hello"), STATUS_SUCCESS);
    assert_string_equal(a, "hello");
    assert_int_equal(RtlStringCchCopyA(a, sizeof a, "hello!"), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "hello"); /* truncated and terminated */
    WCHAR w[4];
    assert_int_equal(RtlStringCchCopyW(w, 4, L"abc"), STATUS_SUCCESS);
    assert_memory_equal(w, L"abc", 8);
    assert_int_equal(RtlStringCbCopyW(w, sizeof w, L"abcd"), STATUS_BUFFER_OVERFLOW);
    assert_memory_equal(w, L"abc", 8);
    assert_int_equal(RtlStringCbCopyA(a, 3, "xyz"), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "xy");
}

static void copy_invalid_parameters(void **state)
{
    (void)state;
    char a[4] = "old";
    assert_int_equal(RtlStringCchCopyA(a, 0, "x"), STATUS_INVALID_PARAMETER);
    assert_string_equal(a, "old"); /* a size of 0 writes nothing */
    assert_int_equal(RtlStringCchCopyA(a, (size_t)NTSTRSAFE_MAX_CCH + 1, "x"), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCchCopyA(a, sizeof a, NULL), STATUS_INVALID_PARAMETER);
    assert_string_equal(a, ""); /* a valid size: the destination is emptied */
    assert_int_equal(RtlStringCchCopyA(NULL, 4, "x"), STATUS_INVALID_PARAMETER);
    WCHAR w[2];
    assert_int_equal(RtlStringCbCopyW(w, 1, L"x"), STATUS_INVALID_PARAMETER);
}

static void copy_n(void **state)
{
    (void)state;
    char a[8];
    assert_int_equal(RtlStringCchCopyNA(a, sizeof a, "abcdef", 3), STATUS_SUCCESS);
    assert_string_equal(a, "abc");
    assert_int_equal(RtlStringCchCopyNA(a, 4, "abcdef", 5), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "abc");
    assert_int_equal(RtlStringCchCopyNA(a, sizeof a, "ab", 5), STATUS_SUCCESS); /* stops at the terminator */
    assert_string_equal(a, "ab");
    assert_int_equal(RtlStringCchCopyNA(a, sizeof a, "ab", (size_t)NTSTRSAFE_MAX_CCH), STATUS_INVALID_PARAMETER);
    assert_string_equal(a, "");
    WCHAR w[8];
    assert_int_equal(RtlStringCbCopyNW(w, sizeof w, L"abcdef", 4 * sizeof(WCHAR)), STATUS_SUCCESS);
    assert_memory_equal(w, L"abcd", 10);
    assert_int_equal(RtlStringCchCopyNW(w, 3, L"abcdef", 6), STATUS_BUFFER_OVERFLOW);
    assert_memory_equal(w, L"ab", 6);
    assert_int_equal(RtlStringCbCopyNA(a, sizeof a, "xyz", 2), STATUS_SUCCESS);
    assert_string_equal(a, "xy");
}

static void cat(void **state)
{
    (void)state;
    char a[8] = "ab";
    assert_int_equal(RtlStringCchCatA(a, sizeof a, "cd"), STATUS_SUCCESS);
    assert_string_equal(a, "abcd");
    assert_int_equal(RtlStringCchCatA(a, sizeof a, "efgh"), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "abcdefg");
    WCHAR w[6] = L"ab";
    assert_int_equal(RtlStringCbCatW(w, sizeof w, L"cde"), STATUS_SUCCESS);
    assert_memory_equal(w, L"abcde", 12);
    assert_int_equal(RtlStringCchCatW(w, 6, L"f"), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(RtlStringCchCatNA(a, sizeof a, "zz", 1), STATUS_BUFFER_OVERFLOW); /* already full */
    char b[8] = "ab";
    assert_int_equal(RtlStringCchCatNA(b, sizeof b, "cdef", 2), STATUS_SUCCESS);
    assert_string_equal(b, "abcd");
    assert_int_equal(RtlStringCbCatNA(b, sizeof b, "xyz", 1), STATUS_SUCCESS);
    assert_string_equal(b, "abcdx");
    WCHAR w2[8] = L"a";
    assert_int_equal(RtlStringCchCatNW(w2, 8, L"bcd", 2), STATUS_SUCCESS);
    assert_int_equal(RtlStringCbCatNW(w2, sizeof w2, L"def", 2), STATUS_SUCCESS);
    assert_memory_equal(w2, L"abcd", 10);
    assert_int_equal(RtlStringCbCatA(b, sizeof b, "!"), STATUS_SUCCESS);
    assert_string_equal(b, "abcdx!");
}

static void cat_invalid_parameters(void **state)
{
    (void)state;
    char full[4] = {'a', 'b', 'c', 'd'}; /* not terminated */
    assert_int_equal(RtlStringCchCatA(full, sizeof full, "x"), STATUS_INVALID_PARAMETER);
    assert_memory_equal(full, "abcd", 4); /* untouched */
    char a[4] = "ab";
    assert_int_equal(RtlStringCchCatA(a, 0, "x"), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCchCatA(a, sizeof a, NULL), STATUS_INVALID_PARAMETER);
    assert_string_equal(a, "ab"); /* cat never empties the destination */
    assert_int_equal(RtlStringCchCatNA(a, sizeof a, "x", (size_t)NTSTRSAFE_MAX_CCH + 5), STATUS_INVALID_PARAMETER);
}

static void length(void **state)
{
    (void)state;
    size_t n = 99;
    assert_int_equal(RtlStringCchLengthA("abc", 10, &n), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    assert_int_equal(RtlStringCchLengthA("abc", 4, &n), STATUS_SUCCESS);
    assert_int_equal(RtlStringCchLengthA("abc", 3, &n), STATUS_INVALID_PARAMETER); /* no terminator within 3 */
    assert_int_equal(n, 0);
    assert_int_equal(RtlStringCchLengthA(NULL, 3, &n), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCchLengthA("a", 0, &n), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCchLengthA("a", (size_t)NTSTRSAFE_MAX_CCH + 1, &n), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCchLengthA("abc", 10, NULL), STATUS_SUCCESS);
    assert_int_equal(RtlStringCchLengthW(L"abcd", 10, &n), STATUS_SUCCESS);
    assert_int_equal(n, 4);
    assert_int_equal(RtlStringCbLengthW(L"abcd", 100, &n), STATUS_SUCCESS);
    assert_int_equal(n, 8);
    assert_int_equal(RtlStringCbLengthW(L"abcd", 9, &n), STATUS_INVALID_PARAMETER); /* 4 characters of room */
    assert_int_equal(n, 0);
    assert_int_equal(RtlStringCbLengthA("ab", 3, &n), STATUS_SUCCESS);
    assert_int_equal(n, 2);
}

static void copy_ex(void **state)
{
    (void)state;
    WCHAR w[8];
    WCHAR *end = NULL;
    size_t remaining = 0;
    assert_int_equal(RtlStringCchCopyExW(w, 8, L"abc", &end, &remaining, 0), STATUS_SUCCESS);
    assert_ptr_equal(end, w + 3);
    assert_int_equal(remaining, 5);
    /* Fill behind the terminator. */
    char a[8];
    char *aend;
    assert_int_equal(RtlStringCchCopyExA(a, 8, "ab", &aend, &remaining, STRSAFE_FILL_BYTE('#')), STATUS_SUCCESS);
    assert_memory_equal(a, "ab\0#####", 8);
    assert_int_equal(remaining, 6);
    /* NULL source with IGNORE_NULLS is an empty string. */
    assert_int_equal(RtlStringCchCopyExA(a, 8, NULL, &aend, &remaining, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    assert_string_equal(a, "");
    assert_int_equal(remaining, 8);
    /* Failure handling. */
    assert_int_equal(RtlStringCchCopyExA(a, 4, "abcdef", &aend, &remaining, STRSAFE_NO_TRUNCATION),
                     STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "");
    assert_ptr_equal(aend, a);
    assert_int_equal(remaining, 4);
    assert_int_equal(RtlStringCchCopyExA(a, 4, "abcdef", &aend, &remaining, STRSAFE_FAILURE_BYTE('!')),
                     STATUS_BUFFER_OVERFLOW);
    assert_memory_equal(a, "!!!\0", 4);
    assert_ptr_equal(aend, a + 3);
    assert_int_equal(remaining, 1);
    assert_int_equal(RtlStringCchCopyExA(a, 4, "abcdef", &aend, &remaining, 0), STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "abc");
    assert_ptr_equal(aend, a + 3);
    assert_int_equal(remaining, 1);
    assert_int_equal(RtlStringCchCopyExA(a, 4, "x", &aend, &remaining, 0x10000), STATUS_INVALID_PARAMETER);
    /* Zero size is only valid with IGNORE_NULLS, and only for an empty source. */
    assert_int_equal(RtlStringCchCopyExA(NULL, 0, "", &aend, &remaining, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    assert_int_equal(RtlStringCchCopyExA(NULL, 0, "x", &aend, &remaining, STRSAFE_IGNORE_NULLS),
                     STATUS_BUFFER_OVERFLOW);
    assert_int_equal(RtlStringCchCopyExA(a, 0, "x", &aend, &remaining, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlStringCbCopyExW(w, 7, L"abcdef", &end, &remaining, 0), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(remaining, 3); /* 1 character (2 bytes) + the odd byte */
    assert_int_equal(RtlStringCchCopyNExA(a, 8, "abcdef", 2, &aend, &remaining, 0), STATUS_SUCCESS);
    assert_string_equal(a, "ab");
    assert_int_equal(RtlStringCchCopyNExW(w, 8, L"abcdef", 2, &end, NULL, 0), STATUS_SUCCESS);
    assert_int_equal(RtlStringCbCopyExA(a, 8, "xy", NULL, &remaining, 0), STATUS_SUCCESS);
    assert_int_equal(remaining, 6);
}

static void cat_ex(void **state)
{
    (void)state;
    char a[8] = "ab";
    char *end;
    size_t remaining;
    assert_int_equal(RtlStringCchCatExA(a, 8, "cd", &end, &remaining, 0), STATUS_SUCCESS);
    assert_ptr_equal(end, a + 4);
    assert_int_equal(remaining, 4);
    /* NO_TRUNCATION keeps the original contents. */
    assert_int_equal(RtlStringCchCatExA(a, 8, "efghij", &end, &remaining, STRSAFE_NO_TRUNCATION),
                     STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "abcd");
    assert_ptr_equal(end, a + 4);
    assert_int_equal(remaining, 4);
    /* NULL_ON_FAILURE empties it. */
    assert_int_equal(RtlStringCchCatExA(a, 8, "efghij", &end, &remaining, STRSAFE_NULL_ON_FAILURE),
                     STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "");
    WCHAR w[6] = L"x";
    WCHAR *wend;
    assert_int_equal(RtlStringCbCatExW(w, sizeof w, L"yz", &wend, &remaining, 0), STATUS_SUCCESS);
    assert_int_equal(remaining, 6);
    assert_int_equal(RtlStringCchCatExW(w, 6, NULL, &wend, &remaining, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    assert_int_equal(RtlStringCbCatExA(a, 8, "q", &end, &remaining, 0), STATUS_SUCCESS);
    assert_string_equal(a, "q");
}

static void printf_ex(void **state)
{
    (void)state;
    char a[8];
    char *end;
    size_t remaining;
    assert_int_equal(RtlStringCchPrintfExA(a, 8, &end, &remaining, 0, "%d-%d", 1, 2), STATUS_SUCCESS);
    assert_string_equal(a, "1-2");
    assert_ptr_equal(end, a + 3);
    assert_int_equal(remaining, 5);
    assert_int_equal(RtlStringCchPrintfExA(a, 4, &end, &remaining, STRSAFE_NULL_ON_FAILURE, "%s", "toolong"),
                     STATUS_BUFFER_OVERFLOW);
    assert_string_equal(a, "");
    WCHAR w[8];
    WCHAR *wend;
    assert_int_equal(RtlStringCbPrintfExW(w, sizeof w, &wend, &remaining, 0, L"%ws", L"ok"), STATUS_SUCCESS);
    assert_int_equal(remaining, 12);
    assert_int_equal(RtlStringCchPrintfExW(w, 8, &wend, &remaining, STRSAFE_IGNORE_NULLS, NULL), STATUS_SUCCESS);
    assert_int_equal(w[0], 0);
    assert_int_equal(RtlStringCbPrintfExA(a, 8, &end, NULL, 0, "%c", 'z'), STATUS_SUCCESS);
    assert_string_equal(a, "z");
}

static void unicode_string_init_and_validate(void **state)
{
    (void)state;
    UNICODE_STRING s;
    assert_int_equal(RtlUnicodeStringInit(&s, L"abc"), STATUS_SUCCESS);
    assert_int_equal(s.Length, 6);
    assert_int_equal(s.MaximumLength, 8);
    assert_int_equal(RtlUnicodeStringInit(&s, NULL), STATUS_SUCCESS);
    assert_null(s.Buffer);
    assert_int_equal(s.MaximumLength, 0);
    assert_int_equal(RtlUnicodeStringInit(NULL, L"x"), STATUS_INVALID_PARAMETER);
    static WCHAR big[32768];
    for (size_t i = 0; i < 32767; i++)
        big[i] = 'a';
    assert_int_equal(RtlUnicodeStringInit(&s, big), STATUS_INVALID_PARAMETER);
    assert_int_equal(s.Length, 0);
    big[32766] = 0;
    assert_int_equal(RtlUnicodeStringInit(&s, big), STATUS_SUCCESS);
    assert_int_equal(s.Length, 65532);

    WCHAR buf[4];
    UNICODE_STRING ok = {2, 8, buf}, odd = {3, 8, buf}, oddmax = {2, 7, buf}, over = {10, 8, buf},
                   nobuf = {0, 8, NULL}, empty = {0, 0, NULL};
    assert_int_equal(RtlUnicodeStringValidate(&ok), STATUS_SUCCESS);
    assert_int_equal(RtlUnicodeStringValidate(&empty), STATUS_SUCCESS);
    assert_int_equal(RtlUnicodeStringValidate(&odd), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringValidate(&oddmax), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringValidate(&over), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringValidate(&nobuf), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringValidate(NULL), STATUS_INVALID_PARAMETER);
    UNICODE_STRING largest = {0, 65534, buf}; /* NTSTRSAFE_UNICODE_STRING_MAX_CCH characters */
    assert_int_equal(RtlUnicodeStringValidate(&largest), STATUS_SUCCESS);
}

static void unicode_string_copy_cat(void **state)
{
    (void)state;
    WCHAR buf[5];
    UNICODE_STRING dst = {0, sizeof buf, buf};
    UNICODE_STRING src;
    RtlInitUnicodeString(&src, L"abc");
    assert_int_equal(RtlUnicodeStringCopy(&dst, &src), STATUS_SUCCESS);
    assert_int_equal(dst.Length, 6);
    assert_int_equal(RtlUnicodeStringCat(&dst, &src), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(dst.Length, 10); /* filled to MaximumLength, no terminator */
    assert_memory_equal(buf, L"abcab", 10);
    assert_int_equal(RtlUnicodeStringCopyString(&dst, L"xy"), STATUS_SUCCESS);
    assert_int_equal(dst.Length, 4);
    assert_int_equal(RtlUnicodeStringCatString(&dst, L"z"), STATUS_SUCCESS);
    assert_memory_equal(buf, L"xyz", 6);
    assert_int_equal(RtlUnicodeStringCatString(&dst, L"123"), STATUS_BUFFER_OVERFLOW);
    assert_memory_equal(buf, L"xyz12", 10);
    assert_int_equal(RtlUnicodeStringCopyString(&dst, L"toolong"), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(dst.Length, 10);
    UNICODE_STRING bad = {1, 8, buf};
    assert_int_equal(RtlUnicodeStringCopy(&bad, &src), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringCopy(&dst, &bad), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringCat(&dst, &bad), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringCopyString(&dst, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringCatString(&bad, L"x"), STATUS_INVALID_PARAMETER);
}

static void unicode_string_printf(void **state)
{
    (void)state;
    WCHAR buf[16];
    UNICODE_STRING dst = {0, sizeof buf, buf};
    assert_int_equal(RtlUnicodeStringPrintf(&dst, L"\\Device\\Echo%d", 3), STATUS_SUCCESS);
    assert_int_equal(dst.Length, 26);
    assert_memory_equal(buf, L"\\Device\\Echo3", 26);
    assert_int_equal(RtlUnicodeStringPrintf(&dst, L"%s-%s-%s", L"abcdef", L"ghijk", L"lmnop"), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(dst.Length, 32); /* truncated to MaximumLength */
    assert_memory_equal(buf, L"abcdef-ghijk-lmn", 32);
    UNICODE_STRING bad = {0, 3, buf};
    assert_int_equal(RtlUnicodeStringPrintf(&bad, L"x"), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeStringPrintf(&dst, NULL), STATUS_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy),
        cmocka_unit_test(copy_invalid_parameters),
        cmocka_unit_test(copy_n),
        cmocka_unit_test(cat),
        cmocka_unit_test(cat_invalid_parameters),
        cmocka_unit_test(length),
        cmocka_unit_test(copy_ex),
        cmocka_unit_test(cat_ex),
        cmocka_unit_test(printf_ex),
        cmocka_unit_test(unicode_string_init_and_validate),
        cmocka_unit_test(unicode_string_copy_cat),
        cmocka_unit_test(unicode_string_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
