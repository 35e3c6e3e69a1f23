/* NT time: system time epoch, interrupt time, performance counter, ticks, busy waits. */
#include "ke_test.h"

static void system_time_is_100ns_since_1601(void **state)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    LARGE_INTEGER t, p;
    KeQuerySystemTime(&t);
    KeQuerySystemTimePrecise(&p);
    LONGLONG expect = (LONGLONG)ts.tv_sec * 10000000 + ts.tv_nsec / 100 + 116444736000000000LL;
    assert_true(t.QuadPart >= expect);
    assert_true(t.QuadPart - expect < 10000000); /* within a second */
    assert_true(p.QuadPart >= t.QuadPart);
    /* 2020-01-01 in FILETIME units is 132223104000000000; we are past it. */
    assert_true(t.QuadPart > 132223104000000000LL);
}

static void interrupt_time_and_counter(void **state)
{
    (void)state;
    ULONGLONG a = KeQueryInterruptTime();
    LARGE_INTEGER freq = {0};
    LARGE_INTEGER c1 = KeQueryPerformanceCounter(&freq);
    assert_int_equal(freq.QuadPart, 10000000);
    kt_sleep_ms(20);
    ULONGLONG b = KeQueryInterruptTime();
    LARGE_INTEGER c2 = KeQueryPerformanceCounter(NULL);
    assert_true(b - a >= 190000);  /* >= 19 ms in 100 ns */
    assert_true(b - a < 10000000); /* < 1 s */
    assert_true(c2.QuadPart - c1.QuadPart >= 190000);
    assert_true(KeQueryUnbiasedInterruptTime() >= b);
    ULONGLONG qpc = 0;
    ULONGLONG it = KeQueryInterruptTimePrecise(&qpc);
    assert_true(it >= b);
    assert_true(qpc >= (ULONGLONG)c2.QuadPart);
}

static void ticks(void **state)
{
    (void)state;
    assert_int_equal(KeQueryTimeIncrement(), 156250);
    LARGE_INTEGER t1, t2;
    KeQueryTickCount(&t1);
    ULONGLONG it = KeQueryInterruptTime();
    assert_true((ULONGLONG)t1.QuadPart <= it / 156250);
    assert_true((ULONGLONG)t1.QuadPart + 1 >= it / 156250);
    kt_sleep_ms(40);
    KeQueryTickCount(&t2);
    assert_true(t2.QuadPart - t1.QuadPart >= 2); /* 40 ms is at least two 15.625 ms ticks */
}

static void stall_busy_waits(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old); /* callable at any IRQL */
    double t0 = kt_now_ms();
    KeStallExecutionProcessor(3000);
    double took = kt_now_ms() - t0;
    assert_int_equal(KeGetCurrentIrql(), HIGH_LEVEL);
    KeLowerIrql(old);
    assert_true(took >= 2.99);
    assert_true(took < 1000);
    KeStallExecutionProcessor(0);
    kt_assert_no_reports();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(system_time_is_100ns_since_1601, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(interrupt_time_and_counter, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(ticks, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(stall_busy_waits, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_time", tests, NULL, NULL);
}
