/* Unit tests for UTF-8 <-> UTF-16: RtlUTF8ToUnicodeN, RtlUnicodeToUTF8N and openwdf/unicode.h. */
#include "verifier_capture.h"

#include <stdlib.h>

#include <wdm.h>
#include <openwdf/pool.h>
#include <openwdf/unicode.h>

static owdf_pool_mark mark;

static int setup(void **state)
{
    (void)state;
    mark = owdf_pool_mark_now();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

/* "aé€😀": 1 + 2 + 3 + 4 bytes; 1 + 1 + 1 + 2 units. */
static const char sample8[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
static const WCHAR sample16[] = {'a', 0xE9, 0x20AC, 0xD83D, 0xDE00};

static void utf8_to_unicode_round_trip(void **state)
{
    (void)state;
    WCHAR out[8];
    ULONG bytes = 0;
    assert_int_equal(RtlUTF8ToUnicodeN(out, sizeof out, &bytes, sample8, sizeof sample8 - 1), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof sample16);
    assert_memory_equal(out, sample16, sizeof sample16);
    char back[16];
    assert_int_equal(RtlUnicodeToUTF8N(back, sizeof back, &bytes, out, sizeof sample16), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof sample8 - 1);
    assert_memory_equal(back, sample8, bytes);
}

static void measuring_with_null_destination(void **state)
{
    (void)state;
    ULONG bytes = 0;
    assert_int_equal(RtlUTF8ToUnicodeN(NULL, 0, &bytes, sample8, sizeof sample8 - 1), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof sample16);
    assert_int_equal(RtlUnicodeToUTF8N(NULL, 0, &bytes, sample16, sizeof sample16), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof sample8 - 1);
}

static void parameter_errors(void **state)
{
    (void)state;
    WCHAR w[4];
    char c[4];
    ULONG bytes;
    assert_int_equal(RtlUTF8ToUnicodeN(NULL, 0, NULL, "a", 1), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUTF8ToUnicodeN(w, sizeof w, &bytes, NULL, 1), STATUS_INVALID_PARAMETER_4);
    assert_int_equal(RtlUnicodeToUTF8N(NULL, 0, NULL, L"a", 2), STATUS_INVALID_PARAMETER);
    assert_int_equal(RtlUnicodeToUTF8N(c, sizeof c, &bytes, NULL, 2), STATUS_INVALID_PARAMETER_4);
    assert_int_equal(RtlUnicodeToUTF8N(c, sizeof c, &bytes, L"ab", 3), STATUS_INVALID_PARAMETER_5);
}

static void buffer_too_small_converts_whole_characters(void **state)
{
    (void)state;
    WCHAR w[4];
    ULONG bytes = 0;
    /* Room for 4 units: a, é, € fit, the surrogate pair does not (it is not split). */
    assert_int_equal(RtlUTF8ToUnicodeN(w, sizeof w, &bytes, sample8, sizeof sample8 - 1), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(bytes, 6);
    char c[5];
    /* a (1) + é (2) fit in 5, € (3) does not. */
    assert_int_equal(RtlUnicodeToUTF8N(c, sizeof c, &bytes, sample16, sizeof sample16), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(bytes, 3);
}

static void invalid_input_becomes_replacement_character(void **state)
{
    (void)state;
    WCHAR w[16];
    ULONG bytes;
    /* Lone continuation byte, overlong '/', encoded surrogate, truncated sequence. */
    const char bad[] = "x\x80y\xc0\xafz\xed\xa0\x80w\xe2\x82";
    assert_int_equal(RtlUTF8ToUnicodeN(w, sizeof w, &bytes, bad, sizeof bad - 1), STATUS_SOME_NOT_MAPPED);
    const WCHAR expect[] = {'x', 0xFFFD, 'y', 0xFFFD, 0xFFFD, 'z', 0xFFFD, 0xFFFD, 0xFFFD, 'w', 0xFFFD};
    assert_int_equal(bytes, sizeof expect);
    assert_memory_equal(w, expect, sizeof expect);
    const WCHAR lone[] = {'a', 0xD800, 'b', 0xDC00};
    char c[16];
    assert_int_equal(RtlUnicodeToUTF8N(c, sizeof c, &bytes, lone, sizeof lone), STATUS_SOME_NOT_MAPPED);
    assert_int_equal(bytes, 8);
    assert_memory_equal(c, "a\xef\xbf\xbd" "b\xef\xbf\xbd", 8);
}

static void owdf_helpers(void **state)
{
    (void)state;
    WCHAR w[8];
    size_t n = 0;
    assert_int_equal(owdf_utf8_to_utf16(sample8, (size_t)-1, w, 8, &n), STATUS_SUCCESS);
    assert_int_equal(n, 5);
    assert_memory_equal(w, sample16, sizeof sample16);
    assert_int_equal(w[5], 0);
    assert_int_equal(owdf_wcslen(w), 5);
    /* Truncated output is terminated and never splits the pair. */
    assert_int_equal(owdf_utf8_to_utf16(sample8, (size_t)-1, w, 5, &n), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 5);
    assert_int_equal(owdf_wcslen(w), 3);
    assert_int_equal(owdf_utf8_to_utf16(sample8, (size_t)-1, NULL, 0, &n), STATUS_SUCCESS);
    assert_int_equal(owdf_utf8_to_utf16(NULL, 0, w, 8, &n), STATUS_INVALID_PARAMETER);
    char c[16];
    assert_int_equal(owdf_utf16_to_utf8(sample16, 5, c, sizeof c, &n), STATUS_SUCCESS);
    assert_string_equal(c, sample8);
    assert_int_equal(owdf_utf16_to_utf8(sample16, 5, c, 4, &n), STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(c, "a\xc3\xa9");
    assert_int_equal(owdf_utf16_to_utf8(sample16, 5, c, 0, &n), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(owdf_utf16_to_utf8(L"ok", (size_t)-1, c, sizeof c, NULL), STATUS_SUCCESS);
    assert_string_equal(c, "ok");
}

static void unicode_string_from_and_to_utf8(void **state)
{
    (void)state;
    UNICODE_STRING s;
    assert_int_equal(owdf_unicode_string_from_utf8(&s, "\\Device\\\xc3\xa9" "cho"), STATUS_SUCCESS);
    assert_int_equal(s.Length, 24);
    assert_int_equal(s.MaximumLength, 26);
    assert_memory_equal(s.Buffer, L"\\Device\\\u00e9cho", 26);
    char *text = owdf_unicode_string_to_utf8(&s);
    assert_string_equal(text, "\\Device\\\xc3\xa9" "cho");
    free(text);
    RtlFreeUnicodeString(&s);
    text = owdf_unicode_string_to_utf8(NULL);
    assert_string_equal(text, "");
    free(text);
    assert_int_equal(owdf_unicode_string_from_utf8(&s, "a\xff"), STATUS_SOME_NOT_MAPPED);
    RtlFreeUnicodeString(&s);
    assert_int_equal(owdf_unicode_string_from_utf8(NULL, "a"), STATUS_INVALID_PARAMETER);
    char *big = malloc(40000);
    memset(big, 'a', 39999);
    big[39999] = 0;
    assert_int_equal(owdf_unicode_string_from_utf8(&s, big), STATUS_NAME_TOO_LONG);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(utf8_to_unicode_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(measuring_with_null_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(parameter_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(buffer_too_small_converts_whole_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_input_becomes_replacement_character, setup, teardown),
        cmocka_unit_test_setup_teardown(owdf_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(unicode_string_from_and_to_utf8, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
