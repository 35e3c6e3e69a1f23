/*
 * time.c - NT time: system time (100 ns since 1601-01-01 UTC, from CLOCK_REALTIME), interrupt
 * time (100 ns since an arbitrary start, from CLOCK_MONOTONIC: it never jumps), the 10 MHz
 * performance counter, the 15.625 ms clock tick, and busy waits.
 *
 * Timers and wait timeouts run on interrupt time. An absolute (system time) timeout is turned
 * into interrupt time when it is given, so a later change of the wall clock does not move it.
 */
#include "ke_internal.h"

#define KE_EPOCH_1601_TO_1970 116444736000000000LL /* 100 ns units */
#define KE_TIME_INCREMENT 156250u                  /* 15.625 ms in 100 ns units */
#define KE_PERF_FREQUENCY 10000000LL

static inline uint64_t ke_clock_100ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

uint64_t ke_interrupt_time(void)
{
    return ke_clock_100ns(CLOCK_MONOTONIC);
}

int64_t ke_system_time(void)
{
    return (int64_t)ke_clock_100ns(CLOCK_REALTIME) + KE_EPOCH_1601_TO_1970;
}

uint64_t ke_timeout_to_interrupt_time(LONGLONG timeout)
{
    uint64_t now = ke_interrupt_time();
    if (timeout < 0) {
        uint64_t rel = (uint64_t)(-(timeout + 1)) + 1; /* no overflow at LLONG_MIN */
        return rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
    }
    int64_t delta = timeout - ke_system_time();
    if (delta <= 0)
        return now;
    return (uint64_t)delta > UINT64_MAX - now ? UINT64_MAX : now + (uint64_t)delta;
}

void ke_interrupt_time_to_timespec(uint64_t it, struct timespec *ts)
{
    ts->tv_sec = (time_t)(it / 10000000u);
    ts->tv_nsec = (long)(it % 10000000u) * 100;
}

void KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = ke_system_time();
}

void KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = ke_system_time();
}

ULONGLONG KeQueryInterruptTime(void)
{
    return ke_interrupt_time();
}

ULONGLONG KeQueryInterruptTimePrecise(PULONGLONG QpcTimeStamp)
{
    ULONGLONG now = ke_interrupt_time();
    if (QpcTimeStamp != NULL)
        *QpcTimeStamp = now; /* the counter runs at 10 MHz on the same clock */
    return now;
}

/* Suspend time is not tracked apart, so biased and unbiased interrupt times agree. */
ULONGLONG KeQueryUnbiasedInterruptTime(void)
{
    return ke_interrupt_time();
}

void KeQueryTickCount(PLARGE_INTEGER TickCount)
{
    TickCount->QuadPart = (LONGLONG)(ke_interrupt_time() / KE_TIME_INCREMENT);
}

ULONG KeQueryTimeIncrement(void)
{
    return KE_TIME_INCREMENT;
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER now;
    if (PerformanceFrequency != NULL)
        PerformanceFrequency->QuadPart = KE_PERF_FREQUENCY;
    now.QuadPart = (LONGLONG)ke_interrupt_time();
    return now;
}

/* A busy wait, as on Windows: the thread keeps its CPU (and its IRQL). Any IRQL. */
void KeStallExecutionProcessor(ULONG MicroSeconds)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t end =
        (uint64_t)start.tv_sec * 1000000000u + (uint64_t)start.tv_nsec + (uint64_t)MicroSeconds * 1000u;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec >= end)
            break;
        ke_cpu_relax();
    }
}
