/* Unit tests for ntintsafe.h: results, overflow statuses and the documented error values. */
#include "verifier_capture.h"

#include <wdm.h>
#include <ntintsafe.h>

static void unsigned_add_sub_mult(void **state)
{
    (void)state;
    ULONG u;
    assert_int_equal(RtlULongAdd(1, 2, &u), STATUS_SUCCESS);
    assert_int_equal(u, 3);
    assert_int_equal(RtlULongAdd(0xFFFFFFFF, 1, &u), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(u, ULONG_ERROR);
    assert_int_equal(RtlULongSub(5, 3, &u), STATUS_SUCCESS);
    assert_int_equal(u, 2);
    assert_int_equal(RtlULongSub(3, 5, &u), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(u, ULONG_ERROR);
    assert_int_equal(RtlULongMult(0x10000, 0xFFFF, &u), STATUS_SUCCESS);
    assert_int_equal(u, 0xFFFF0000);
    assert_int_equal(RtlULongMult(0x10000, 0x10000, &u), STATUS_INTEGER_OVERFLOW);
    UINT i;
    assert_int_equal(RtlUIntAdd(0xFFFFFFFE, 1, &i), STATUS_SUCCESS);
    assert_int_equal(RtlUIntAdd(0xFFFFFFFF, 1, &i), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(i, UINT_ERROR);
    USHORT us;
    assert_int_equal(RtlUShortAdd(0xFFFF, 1, &us), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(us, USHORT_ERROR);
}

static void size_t_arithmetic(void **state)
{
    (void)state;
    SIZE_T s;
    assert_int_equal(RtlSizeTMult(3, 4, &s), STATUS_SUCCESS);
    assert_int_equal(s, 12);
    assert_int_equal(RtlSizeTMult((SIZE_T)1 << 32, (SIZE_T)1 << 32, &s), STATUS_INTEGER_OVERFLOW);
    assert_true(s == SIZE_T_ERROR);
    assert_int_equal(RtlSizeTAdd((SIZE_T)-1, 1, &s), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(RtlSizeTSub(1, 2, &s), STATUS_INTEGER_OVERFLOW);
    assert_true(s == SIZE_T_ERROR);
    assert_int_equal(RtlSizeTAdd((SIZE_T)1 << 40, 1, &s), STATUS_SUCCESS); /* 64-bit */
    ULONGLONG q;
    assert_int_equal(RtlULongLongAdd(1ULL << 63, 1ULL << 63, &q), STATUS_INTEGER_OVERFLOW);
    assert_true(q == ULONGLONG_ERROR);
    assert_int_equal(RtlULongLongMult(1ULL << 31, 1ULL << 32, &q), STATUS_SUCCESS);
    assert_true(q == 1ULL << 63);
    ULONG_PTR p;
    assert_int_equal(RtlULongPtrAdd(1, 2, &p), STATUS_SUCCESS);
    assert_int_equal(p, 3);
}

static void signed_arithmetic(void **state)
{
    (void)state;
    LONG l;
    assert_int_equal(RtlLongAdd(-5, 3, &l), STATUS_SUCCESS);
    assert_int_equal(l, -2);
    assert_int_equal(RtlLongAdd(0x7FFFFFFF, 1, &l), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(l, LONG_ERROR);
    assert_int_equal(RtlLongSub((LONG)0x80000000, 1, &l), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(RtlLongMult(-65536, 32768, &l), STATUS_SUCCESS);
    assert_int_equal(l, (LONG)0x80000000);
    INT n;
    assert_int_equal(RtlIntMult(65536, 32768, &n), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(n, INT_ERROR);
    LONGLONG ll;
    assert_int_equal(RtlLongLongAdd(-1, -1, &ll), STATUS_SUCCESS);
    assert_true(ll == -2);
}

static void conversions(void **state)
{
    (void)state;
    ULONG u;
    assert_int_equal(RtlULongLongToULong(0xFFFFFFFFULL, &u), STATUS_SUCCESS);
    assert_int_equal(u, 0xFFFFFFFF);
    assert_int_equal(RtlULongLongToULong(0x100000000ULL, &u), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(u, ULONG_ERROR);
    assert_int_equal(RtlSizeTToULong((SIZE_T)1 << 33, &u), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(RtlSizeTToULong(77, &u), STATUS_SUCCESS);
    assert_int_equal(u, 77);
    assert_int_equal(RtlLongToULong(-1, &u), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(u, ULONG_ERROR);
    LONG l;
    assert_int_equal(RtlULongToLong(0x80000000, &l), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(l, LONG_ERROR);
    USHORT us;
    assert_int_equal(RtlULongToUShort(65535, &us), STATUS_SUCCESS);
    assert_int_equal(RtlULongToUShort(65536, &us), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(us, USHORT_ERROR);
    UCHAR c;
    assert_int_equal(RtlULongToUChar(256, &c), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(c, UCHAR_ERROR);
    UINT ui;
    assert_int_equal(RtlSizeTToUInt(5, &ui), STATUS_SUCCESS);
    assert_int_equal(RtlIntToUInt(-3, &ui), STATUS_INTEGER_OVERFLOW);
    LONG lo;
    assert_int_equal(RtlLongLongToLong(-0x80000000LL, &lo), STATUS_SUCCESS);
    assert_int_equal(RtlLongLongToLong(-0x80000001LL, &lo), STATUS_INTEGER_OVERFLOW);
    SIZE_T st;
    assert_int_equal(RtlULongLongToSizeT(~0ULL, &st), STATUS_SUCCESS);
    assert_int_equal(RtlLongPtrToULong(-1, &u), STATUS_INTEGER_OVERFLOW);
    assert_int_equal(RtlULongPtrToULong(0xFFFFFFFF, &u), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unsigned_add_sub_mult),
        cmocka_unit_test(size_t_arithmetic),
        cmocka_unit_test(signed_arithmetic),
        cmocka_unit_test(conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
