/*
 * pool_report.c - pool inspection for tests and tools (openwdf/pool.h): per-tag statistics,
 * snapshots of live blocks and the leak report. Not on any hot path: these walk every shard.
 */
#include "ex_internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "pool_internal.h"

void owdf_pool_tag_text(ULONG tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        out[i] = (c >= 0x20 && c <= 0x7E) ? (char)c : '.';
    }
    out[4] = '\0';
}

void ex_format_site(const void *site, char *out, size_t size)
{
    Dl_info info;
    if (site != NULL && dladdr(site, &info) != 0 && info.dli_fname != NULL) {
        if (info.dli_sname != NULL && info.dli_saddr != NULL) {
            snprintf(out, size, "%s+0x%zx (%s)", info.dli_sname, (size_t)((const char *)site - (const char *)info.dli_saddr),
                     info.dli_fname);
            return;
        }
        const char *base = strrchr(info.dli_fname, '/');
        base = base != NULL ? base + 1 : info.dli_fname;
        snprintf(out, size, "%s+0x%zx (%s)", base, (size_t)((const char *)site - (const char *)info.dli_fbase),
                 info.dli_fname);
        return;
    }
    snprintf(out, size, "%p", site);
}

static uint64_t slot_value(unsigned index, size_t field_offset)
{
    return __atomic_load_n((uint64_t *)((char *)&tag_slots[index] + field_offset), __ATOMIC_RELAXED);
}

static size_t sum_field(ULONG tag, size_t field_offset)
{
    if (tag != 0) {
        unsigned index = ex_tag_slot_find(tag, false);
        return index == EX_TAG_NONE ? 0 : (size_t)slot_value(index, field_offset);
    }
    uint64_t total = 0;
    for (unsigned i = 0; i <= EX_TAG_SLOTS; i++)
        total += slot_value(i, field_offset);
    return (size_t)total;
}

size_t owdf_pool_outstanding(ULONG tag_or_0)
{
    return sum_field(tag_or_0, offsetof(struct ex_tag_slot, outstanding));
}

size_t owdf_pool_outstanding_bytes(ULONG tag_or_0)
{
    return sum_field(tag_or_0, offsetof(struct ex_tag_slot, bytes));
}

int owdf_pool_tag_stats_get(ULONG tag, owdf_pool_tag_stats *out)
{
    unsigned index = ex_tag_slot_find(tag, false);
    if (index == EX_TAG_NONE)
        return -1;
    out->tag = tag;
    out->allocations = slot_value(index, offsetof(struct ex_tag_slot, allocations));
    out->outstanding = (size_t)slot_value(index, offsetof(struct ex_tag_slot, outstanding));
    out->bytes = (size_t)slot_value(index, offsetof(struct ex_tag_slot, bytes));
    out->peak_bytes = (size_t)slot_value(index, offsetof(struct ex_tag_slot, peak_bytes));
    return 0;
}

size_t owdf_pool_snapshot(owdf_pool_mark since, owdf_pool_block *out, size_t max)
{
    owdf_pool_block *blocks;
    size_t count = ex_pool_collect(since, &blocks);
    if (out != NULL && max > 0 && count > 0)
        memcpy(out, blocks, (count < max ? count : max) * sizeof *blocks);
    free(blocks);
    return count;
}

size_t owdf_pool_for_each(owdf_pool_mark since, owdf_pool_visitor visitor, void *context)
{
    owdf_pool_block *blocks;
    size_t count = ex_pool_collect(since, &blocks);
    size_t visited = 0;
    while (visited < count) {
        int stop = visitor(&blocks[visited], context);
        visited++;
        if (stop)
            break;
    }
    free(blocks);
    return visited;
}

size_t owdf_pool_leak_report(FILE *out, owdf_pool_mark since)
{
    owdf_pool_block *blocks;
    size_t count = ex_pool_collect(since, &blocks);
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++) {
        char tag_text[5], where[320];
        owdf_pool_tag_text(blocks[i].tag, tag_text);
        ex_format_site(blocks[i].site, where, sizeof where);
        fprintf(out, "openwdf pool leak: tag '%s' size %zu at %p seq %llu from %s\n", tag_text, blocks[i].size,
                blocks[i].address, (unsigned long long)blocks[i].sequence, where);
        bytes += blocks[i].size;
    }
    if (count > 0) {
        fprintf(out, "openwdf pool leak: %zu block(s), %zu byte(s) outstanding since mark %llu\n", count, bytes,
                (unsigned long long)since);
        fflush(out);
    }
    free(blocks);
    return count;
}
