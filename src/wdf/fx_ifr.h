/*
 * fx_ifr.h - recording into a driver's in-flight recorder (openwdf/ifr.h reads it).
 * Recording is lock-free and shares nothing between threads: each thread writes a ring of its own
 * slot (allocated once, at its first record), claiming a record with one uncontended increment.
 */
#ifndef OPENWDF_FX_IFR_H
#define OPENWDF_FX_IFR_H

#include <openwdf/ifr.h>
#include <stdarg.h>
#include <time.h>

/* CLOCK_MONOTONIC in ns: the time readers show. */
static inline uint64_t fx_ifr_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A record's time: the CPU's time-stamp counter where there is one (readers convert it), else
 * CLOCK_MONOTONIC ns. Any thread; its latency hides best read well before it is stored. */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define FX_IFR_TICKS_ARE_TSC 1
static inline uint64_t fx_ifr_ticks(void)
{
    return __rdtsc();
}
#else
static inline uint64_t fx_ifr_ticks(void)
{
    return fx_ifr_monotonic_ns();
}
#endif

struct fx_ifr;

/* entries: records kept per thread slot, rounded up to a power of two (0 = default 256). NULL on
 * no memory. */
struct fx_ifr *fx_ifr_create(const char *driver_name, size_t entries);
void fx_ifr_destroy(struct fx_ifr *ifr);

/* Any IRQL, any thread. ifr may be NULL (then nothing is recorded). */
void fx_ifr_record(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, uintptr_t arg1, uintptr_t arg2);
/* REQUEST_PRESENTED, at `ticks`, for a request about to be given to the driver's Evt callback on this
 * thread; fx_ifr_presentation_end(request) when the callback returned. Its REQUEST_COMPLETED in
 * between, with no other record of this thread before it, is folded into the presentation's record
 * (ifr.c). */
void fx_ifr_record_presenting(struct fx_ifr *ifr, const void *request, uintptr_t major, const void *queue,
                              uint64_t ticks);
void fx_ifr_presentation_end(const void *request);
void fx_ifr_printf(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* OPENWDF_FX_IFR_H */
