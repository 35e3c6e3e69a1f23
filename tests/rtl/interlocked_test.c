/* Unit tests for the Interlocked family, Read/Write helpers and barriers: return values and widths. */
#include "verifier_capture.h"

#include <wdm.h>

static void long_is_32_bits(void **state)
{
    (void)state;
    volatile LONG v = MAXLONG;
    assert_int_equal(sizeof(LONG), 4);
    /* Wraps at 32 bits, as on Windows. */
    assert_int_equal(InterlockedIncrement(&v), (LONG)0x80000000);
    assert_int_equal(InterlockedDecrement(&v), MAXLONG);
}

static void increment_decrement_return_new_value(void **state)
{
    (void)state;
    volatile LONG v = 5;
    assert_int_equal(InterlockedIncrement(&v), 6);
    assert_int_equal(InterlockedDecrement(&v), 5);
    assert_int_equal(InterlockedIncrementAcquire(&v), 6);
    assert_int_equal(InterlockedDecrementRelease(&v), 5);
    assert_int_equal(InterlockedIncrementNoFence(&v), 6);
    assert_int_equal(v, 6);
}

static void exchange_and_add_return_old_value(void **state)
{
    (void)state;
    volatile LONG v = 10;
    assert_int_equal(InterlockedExchange(&v, 20), 10);
    assert_int_equal(InterlockedExchangeAdd(&v, 5), 20);
    assert_int_equal(v, 25);
    assert_int_equal(InterlockedAdd(&v, -5), 20);
    assert_int_equal(InterlockedOr(&v, 0x100), 20);
    assert_int_equal(InterlockedAnd(&v, 0x100), 0x114);
    assert_int_equal(InterlockedXor(&v, 0x101), 0x100);
    assert_int_equal(v, 1);
}

static void compare_exchange(void **state)
{
    (void)state;
    volatile LONG v = 1;
    assert_int_equal(InterlockedCompareExchange(&v, 7, 2), 1); /* no match: unchanged */
    assert_int_equal(v, 1);
    assert_int_equal(InterlockedCompareExchange(&v, 7, 1), 1); /* match: swapped */
    assert_int_equal(v, 7);
    assert_int_equal(InterlockedCompareExchangeAcquire(&v, 8, 7), 7);
    assert_int_equal(InterlockedCompareExchangeRelease(&v, 9, 8), 8);
    assert_int_equal(v, 9);
}

static void sixty_four_bit_forms(void **state)
{
    (void)state;
    volatile LONG64 v = 0xFFFFFFFFLL;
    assert_true(InterlockedIncrement64(&v) == 0x100000000LL);
    assert_true(InterlockedDecrement64(&v) == 0xFFFFFFFFLL);
    assert_true(InterlockedExchange64(&v, 3) == 0xFFFFFFFFLL);
    assert_true(InterlockedExchangeAdd64(&v, 1LL << 40) == 3);
    assert_true(InterlockedCompareExchange64(&v, 5, 3 + (1LL << 40)) == 3 + (1LL << 40));
    assert_true(InterlockedAdd64(&v, 10) == 15);
    assert_true(InterlockedOr64(&v, 1LL << 50) == 15);
    assert_true(InterlockedAnd64(&v, 1LL << 50) == (15 | (1LL << 50)));
    assert_true(v == (1LL << 50));
}

static void pointer_forms(void **state)
{
    (void)state;
    int a, b;
    PVOID volatile p = &a;
    assert_ptr_equal(InterlockedExchangePointer(&p, &b), &a);
    assert_ptr_equal(InterlockedCompareExchangePointer(&p, &a, &a), &b); /* no match */
    assert_ptr_equal(p, &b);
    assert_ptr_equal(InterlockedCompareExchangePointer(&p, NULL, &b), &b);
    assert_null(p);
}

static void small_widths_and_bits(void **state)
{
    (void)state;
    volatile SHORT s = 0x7FFF;
    assert_int_equal(InterlockedIncrement16(&s), (SHORT)0x8000);
    assert_int_equal(InterlockedCompareExchange16(&s, 1, (SHORT)0x8000), (SHORT)0x8000);
    assert_int_equal(s, 1);
    volatile CHAR c = 1;
    assert_int_equal(InterlockedOr8(&c, 2), 1);
    assert_int_equal(InterlockedExchange8(&c, 9), 3);
    volatile LONG bits[2] = {0, 0};
    assert_false(InterlockedBitTestAndSet(bits, 33));
    assert_true(InterlockedBitTestAndSet(bits, 33));
    assert_int_equal(bits[1], 2);
    assert_true(InterlockedBitTestAndReset(bits, 33));
    assert_int_equal(bits[1], 0);
    assert_false(InterlockedBitTestAndComplement(bits, 0));
    assert_int_equal(bits[0], 1);
    volatile LONG64 big = 0;
    assert_false(InterlockedBitTestAndSet64(&big, 63));
    assert_true(big == (LONG64)(1ULL << 63));
    assert_true(InterlockedBitTestAndReset64(&big, 63));
}

static void read_write_helpers(void **state)
{
    (void)state;
    volatile LONG v = 0;
    WriteNoFence(&v, 4);
    assert_int_equal(ReadNoFence(&v), 4);
    WriteRelease(&v, 5);
    assert_int_equal(ReadAcquire(&v), 5);
    int x;
    PVOID volatile p = NULL;
    WritePointerRelease(&p, &x);
    assert_ptr_equal(ReadPointerAcquire(&p), &x);
    volatile LONG64 w = 0;
    WriteNoFence64(&w, 1LL << 40);
    assert_true(ReadNoFence64(&w) == 1LL << 40);
    KeMemoryBarrier();
    KeMemoryBarrierWithoutFence();
    YieldProcessor();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_is_32_bits),
        cmocka_unit_test(increment_decrement_return_new_value),
        cmocka_unit_test(exchange_and_add_return_old_value),
        cmocka_unit_test(compare_exchange),
        cmocka_unit_test(sixty_four_bit_forms),
        cmocka_unit_test(pointer_forms),
        cmocka_unit_test(small_widths_and_bits),
        cmocka_unit_test(read_write_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
