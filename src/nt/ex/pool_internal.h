/*
 * pool_internal.h - what the pool's own files (pool.c, pool_api.c, pool_report.c) share: the per-tag
 * counter slots, the live-block snapshot and site formatting.
 */
#ifndef OPENWDF_POOL_INTERNAL_H
#define OPENWDF_POOL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <openwdf/pool.h>

#define EX_TAG_SLOT_BITS 12
#define EX_TAG_SLOTS (1u << EX_TAG_SLOT_BITS) /* plus one overflow slot at index EX_TAG_SLOTS */
#define EX_TAG_NONE 0xFFFFFFFFu
#define EX_TAG_KEY_USED (1ull << 32)
#define EX_TAG_KEY_OVERFLOW (1ull << 33)

/* One tag's counters, relaxed atomics, one cache line per tag. key = tag | EX_TAG_KEY_USED, 0 = free. */
struct ex_tag_slot {
    uint64_t key;
    uint64_t allocations;
    uint64_t outstanding;
    uint64_t bytes;
    uint64_t peak_bytes;
} __attribute__((aligned(64)));

extern struct ex_tag_slot tag_slots[EX_TAG_SLOTS + 1];

/* The slot index for a tag (inserting it when asked); EX_TAG_NONE if absent. */
unsigned ex_tag_slot_find(ULONG tag, bool insert);

/* Copies the live blocks allocated after `since`, sorted by sequence, into a malloc'd array. */
size_t ex_pool_collect(owdf_pool_mark since, owdf_pool_block **out);

/* "symbol+0x1c (/path/module.so)", or "module+0x1234 (/path/module)" when the symbol is not exported. */
void ex_format_site(const void *site, char *out, size_t size);

/* The size of a live block, 0 if `p` is not one. */
size_t ex_pool_lookup_size(const void *p);

/* The POOL_ALLOCATION_RAISED report. */
void ex_pool_report_raise(const char *api, size_t size, ULONG tag, const void *site);

#endif /* OPENWDF_POOL_INTERNAL_H */
