/* Unit tests for the Rtl memory routines and byte swaps. */
#include "verifier_capture.h"

#include <wdm.h>

static void compare_memory_counts_matching_prefix(void **state)
{
    (void)state;
    const char a[] = "abcdef", b[] = "abcxef";
    assert_int_equal(RtlCompareMemory(a, b, 6), 3);
    assert_int_equal(RtlCompareMemory(a, a, 6), 6);
    assert_int_equal(RtlCompareMemory(a, b, 0), 0);
    assert_int_equal(RtlCompareMemory(a, b, 2), 2);
    assert_true(RtlEqualMemory(a, b, 3));
    assert_false(RtlEqualMemory(a, b, 4));
}

static void copy_move_fill_zero(void **state)
{
    (void)state;
    char buf[8] = "1234567";
    RtlMoveMemory(buf + 1, buf, 4); /* overlapping */
    assert_memory_equal(buf, "1123467", 7);
    RtlCopyMemory(buf, "ab", 2);
    assert_memory_equal(buf, "ab23467", 7);
    RtlFillMemory(buf, 3, 'z');
    assert_memory_equal(buf, "zzz3467", 7);
    RtlZeroMemory(buf + 3, 2);
    assert_memory_equal(buf, "zzz\0\0" "67", 7);
}

static void secure_zero_returns_pointer(void **state)
{
    (void)state;
    unsigned char secret[16];
    memset(secret, 0xA5, sizeof secret);
    assert_ptr_equal(RtlSecureZeroMemory(secret, sizeof secret), secret);
    for (size_t i = 0; i < sizeof secret; i++)
        assert_int_equal(secret[i], 0);
}

static void ulong_pattern_routines(void **state)
{
    (void)state;
    ULONG words[4];
    RtlFillMemoryUlong(words, sizeof words, 0xDEADBEEF);
    for (int i = 0; i < 4; i++)
        assert_int_equal(words[i], 0xDEADBEEF);
    words[2] = 0;
    assert_int_equal(RtlCompareMemoryUlong(words, sizeof words, 0xDEADBEEF), 8);
    /* The length is rounded down to whole ULONGs. */
    assert_int_equal(RtlCompareMemoryUlong(words, 7, 0xDEADBEEF), 4);
}

static void byte_swaps(void **state)
{
    (void)state;
    assert_int_equal(RtlUshortByteSwap(0x1234), 0x3412);
    assert_int_equal(RtlUlongByteSwap(0x12345678), 0x78563412);
    assert_true(RtlUlonglongByteSwap(0x0102030405060708ULL) == 0x0807060504030201ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compare_memory_counts_matching_prefix),
        cmocka_unit_test(copy_move_fill_zero),
        cmocka_unit_test(secure_zero_returns_pointer),
        cmocka_unit_test(ulong_pattern_routines),
        cmocka_unit_test(byte_swaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
