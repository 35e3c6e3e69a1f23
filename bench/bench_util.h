/*
 * bench_util.h - the small harness every benchmark shares: timing, repetition, and the output format.
 *
 * A figure is measured as the best of several timed runs (the least-disturbed one), each long enough to
 * swamp clock overhead. Results print as a human-readable table line and as one machine-readable line,
 * exactly `BENCH name=<id> value=<number> unit=<unit>`, so runs can be compared.
 */
#ifndef OPENWDF_BENCH_UTIL_H
#define OPENWDF_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A measured loop: runs `iterations` times and returns the number of operations it performed. */
typedef uint64_t (*bench_body)(void *ctx, uint64_t iterations);

/* Calibrates a batch of `body` that takes about `window_ns`. */
static inline uint64_t bench_batch(bench_body body, void *ctx, uint64_t window_ns)
{
    uint64_t iterations = 1000;
    for (;;) {
        uint64_t t0 = bench_now_ns();
        body(ctx, iterations);
        uint64_t dt = bench_now_ns() - t0;
        if (dt >= window_ns / 4 || iterations >= (1ull << 34))
            return dt >= window_ns ? iterations : iterations * (window_ns / (dt > 0 ? dt : 1));
        iterations *= 4;
    }
}

/* Runs `body` until about `target_ns` elapsed, `repeats` times, and returns the best rate in
 * operations per second. */
static inline double bench_rate(bench_body body, void *ctx, uint64_t target_ns, int repeats)
{
    uint64_t iterations = bench_batch(body, ctx, 10000000ull); /* batches of about 10 ms */
    double best = 0;
    for (int r = 0; r < repeats; r++) {
        uint64_t ops = 0;
        uint64_t t0 = bench_now_ns(), dt;
        do {
            ops += body(ctx, iterations);
            dt = bench_now_ns() - t0;
        } while (dt < target_ns);
        double rate = (double)ops * 1e9 / (double)dt;
        if (rate > best)
            best = rate;
    }
    return best;
}

/* The rate of one batch. */
static inline double bench_window_rate(bench_body body, void *ctx, uint64_t batch)
{
    uint64_t t0 = bench_now_ns();
    uint64_t ops = body(ctx, batch);
    return (double)ops * 1e9 / (double)(bench_now_ns() - t0);
}

/*
 * For a ratio of two paths: alternates short windows of `a` and `b` for `rounds` (<= 64) rounds, so
 * both see the same machine (a virtual machine's speed drifts between seconds). Returns each one's
 * best window rate, and the median over the rounds of rate_a / rate_b of adjacent windows.
 */
static inline double bench_rate_pair(bench_body a, void *ctx_a, bench_body b, void *ctx_b, uint64_t window_ns,
                                     int rounds, double *rate_a, double *rate_b)
{
    uint64_t batch_a = bench_batch(a, ctx_a, window_ns), batch_b = bench_batch(b, ctx_b, window_ns);
    double ratios[64];
    if (rounds > 64)
        rounds = 64;
    *rate_a = *rate_b = 0;
    for (int r = 0; r < rounds; r++) {
        double ra = bench_window_rate(a, ctx_a, batch_a);
        double rb = bench_window_rate(b, ctx_b, batch_b);
        if (ra > *rate_a)
            *rate_a = ra;
        if (rb > *rate_b)
            *rate_b = rb;
        /* insertion sort: rounds are few */
        int i = r;
        for (double q = ra / rb; i > 0 && ratios[i - 1] > q; i--)
            ratios[i] = ratios[i - 1];
        ratios[i] = ra / rb;
    }
    return rounds % 2 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
}

static inline void bench_print(const char *name, double value, const char *unit)
{
    printf("BENCH name=%s value=%.6g unit=%s\n", name, value, unit);
}

static inline void bench_table_row(const char *what, double rate_per_s)
{
    printf("  %-44s %12.2f Mop/s  %9.1f ns/op\n", what, rate_per_s / 1e6, 1e9 / rate_per_s);
}

#endif /* OPENWDF_BENCH_UTIL_H */
