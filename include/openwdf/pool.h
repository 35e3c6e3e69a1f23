/*
 * openwdf/pool.h - pool accounting, leak reports and fault injection (our API beside the WDK's Ex pool
 * routines in owdf/ex.h).
 *
 * Every pool block carries its tag, size, pool type, allocation site (return address into the caller
 * of ExAllocatePool*) and a sequence number. A mark is a point in that sequence: tests take one at
 * setup and ask at teardown for the blocks allocated since and still outstanding. All calls are
 * thread-safe and may be made at any IRQL; the snapshot/report calls take every pool shard lock in turn
 * (do not call them from a hot path).
 */
#ifndef OPENWDF_POOL_H
#define OPENWDF_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWDF_POOL_API __attribute__((visibility("default")))

typedef uint64_t owdf_pool_mark;

/* The current point in the allocation sequence. */
OWDF_POOL_API owdf_pool_mark owdf_pool_mark_now(void);

/* Outstanding blocks / bytes with this tag (0 = all tags). Exact when no allocation is in progress. */
OWDF_POOL_API size_t owdf_pool_outstanding(ULONG tag_or_0);
OWDF_POOL_API size_t owdf_pool_outstanding_bytes(ULONG tag_or_0);

typedef struct owdf_pool_tag_stats {
    ULONG tag;
    uint64_t allocations; /* ever made with this tag */
    size_t outstanding;   /* blocks not yet freed */
    size_t bytes;         /* their bytes */
    size_t peak_bytes;    /* the highest `bytes` has been */
} owdf_pool_tag_stats;

/* 0 and *out filled if the tag was ever used, -1 otherwise. */
OWDF_POOL_API int owdf_pool_tag_stats_get(ULONG tag, owdf_pool_tag_stats *out);

typedef struct owdf_pool_block {
    const void *address;    /* what ExAllocatePool* returned */
    size_t size;
    ULONG tag;
    int paged;              /* PagedPool / POOL_FLAG_PAGED */
    const void *site;       /* return address into the allocating code */
    owdf_pool_mark sequence;
} owdf_pool_block;

/* Outstanding blocks allocated after `since`, oldest first: copies up to `max` into `out` (may be NULL
 * with max 0) and returns how many there are. */
OWDF_POOL_API size_t owdf_pool_snapshot(owdf_pool_mark since, owdf_pool_block *out, size_t max);
/* Calls `visitor` for each such block, oldest first, with no pool lock held (it may free the block).
 * A non-zero return stops the walk. Returns the number of blocks visited. */
typedef int (*owdf_pool_visitor)(const owdf_pool_block *block, void *context);
OWDF_POOL_API size_t owdf_pool_for_each(owdf_pool_mark since, owdf_pool_visitor visitor, void *context);

/* Prints one line per block allocated after `since` and still outstanding, oldest first, then a
 * summary line; prints nothing when there is none. Returns the number of blocks. Line format:
 *   openwdf pool leak: tag 'Tst1' size 32 at 0x55d0c0a0 seq 18 from driver_fn+0x1c (/path/libdrv.so)
 *   openwdf pool leak: 1 block(s), 32 byte(s) outstanding since mark 17
 * The site is symbolized with dladdr (module+0xoffset when the symbol is not exported). */
OWDF_POOL_API size_t owdf_pool_leak_report(FILE *out, owdf_pool_mark since);

/* The tag as its four characters in memory order ('gaT1' in source prints "1Tag"), non-printable
 * bytes as '.', terminated. */
OWDF_POOL_API void owdf_pool_tag_text(ULONG tag, char out[5]);

/* Fault injection. fail_nth(n): the n-th allocation from now (1 = the next one) returns NULL, once;
 * 0 turns it off. fail_tag(tag): every allocation with this tag returns NULL until fail_tag(0).
 * Lookaside lists refill through the pool, so they fail too once their cache is empty. */
OWDF_POOL_API void owdf_pool_fail_nth(unsigned long n);
OWDF_POOL_API void owdf_pool_fail_tag(ULONG tag);
/* Allocations failed by injection since the process started. */
OWDF_POOL_API uint64_t owdf_pool_injected_failures(void);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_POOL_H */
