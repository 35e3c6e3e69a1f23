/*
 * pool.c - the pool core: tagged blocks with guard canaries, the table of live blocks, per-tag
 * accounting and fault injection. The WDK entry points are in pool_api.c, reports in pool_report.c.
 *
 * Block layout (malloc'd):  [pad][struct pool_header (ends in the front canary)][user data][back canary]
 * The user pointer is 16-byte aligned (64 for cache-aligned pool).
 *
 * Live blocks are found by address in a hash table split into shards (by address hash), one mutex
 * each, so a free never reads memory it does not own: a pointer that is not live is a bad free (or a
 * double free when the shard remembers freeing it recently) and is reported without being touched.
 * Per-tag counters are relaxed atomics in cache-line-sized slots (one line per tag, no lock).
 * Locks: a shard lock is a leaf (nothing is called while holding it).
 */
#include "ex_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openwdf/pool.h>
#include <openwdf/verifier.h>

#include "pool_internal.h"

EX_USES_VERIFIER_RULES;

#define SHARD_BITS 6
#define SHARDS (1u << SHARD_BITS)
#define BUCKET_BITS 9
#define BUCKETS (1u << BUCKET_BITS)
#define FREED_RING 64
#define MAX_BLOCK ((size_t)1 << 38) /* refuse absurd sizes before malloc sees them */
#define BACK_CANARY 16
#define HEADER_MAGIC 0x4C4F4F50u /* "POOL" */
#define FREED_MAGIC 0x45455246u  /* "FREE" */

struct pool_header {
    struct pool_header *hash_next; /* first: farthest from the user data, least likely overwritten */
    void *raw;
    size_t size;
    const void *site;
    uint64_t sequence;
    ULONG tag;
    uint16_t kind;
    uint16_t tag_slot;
    uint32_t check;
    uint32_t magic;
    unsigned char front[8]; /* front canary, adjacent to the user data */
};
_Static_assert(sizeof(struct pool_header) == 64, "pool header keeps user data 16/64-byte aligned");

static const unsigned char front_pattern[8] = {0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8};
static const unsigned char back_pattern[BACK_CANARY] = {0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8,
                                                        0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF, 0xB0};

struct pool_shard {
    pthread_mutex_t lock;
    struct pool_header *buckets[BUCKETS];
    uintptr_t freed[FREED_RING]; /* user addresses freed recently, for double-free detection */
    unsigned freed_next;
} __attribute__((aligned(64)));

static struct pool_shard shards[SHARDS] = {[0 ... SHARDS - 1] = {.lock = PTHREAD_MUTEX_INITIALIZER}};

struct ex_tag_slot tag_slots[EX_TAG_SLOTS + 1];

/* Blocks whose header was overwritten are not freed (size and base cannot be trusted); the first few are
 * kept here so leak checkers see them as reachable and a debugger can find them. */
#define CORRUPT_KEPT 16
static void *corrupt_blocks[CORRUPT_KEPT];
static unsigned corrupt_count;

static uint64_t pool_sequence;
static unsigned long fail_countdown;
static ULONG fail_tag_value;
static uint64_t injected_failures;

/* ---- helpers -------------------------------------------------------------------------------- */

static uint64_t address_hash(const void *p)
{
    return ((uint64_t)(uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull;
}

static struct pool_shard *shard_of(uint64_t hash)
{
    return &shards[hash >> (64 - SHARD_BITS)];
}

static unsigned bucket_of(uint64_t hash)
{
    return (unsigned)(hash >> (64 - SHARD_BITS - BUCKET_BITS)) & (BUCKETS - 1);
}

static void *user_of(const struct pool_header *h)
{
    return (char *)h + sizeof *h;
}

static uint32_t header_check(const struct pool_header *h)
{
    uint64_t x = (uint64_t)(uintptr_t)h->raw ^ ((uint64_t)h->size * 0x100000001B3ull) ^ ((uint64_t)h->tag << 17) ^
                 (h->sequence * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)h->kind << 48) ^
                 ((uint64_t)h->tag_slot << 32) ^ (uint64_t)(uintptr_t)h->site;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    return (uint32_t)x;
}

unsigned ex_tag_slot_find(ULONG tag, bool insert)
{
    uint64_t key = (uint64_t)tag | EX_TAG_KEY_USED;
    unsigned start = (unsigned)((tag * 2654435761u) >> (32 - EX_TAG_SLOT_BITS));
    for (unsigned probe = 0; probe < EX_TAG_SLOTS; probe++) {
        struct ex_tag_slot *slot = &tag_slots[(start + probe) & (EX_TAG_SLOTS - 1)];
        uint64_t k = __atomic_load_n(&slot->key, __ATOMIC_ACQUIRE);
        if (k == key)
            return (start + probe) & (EX_TAG_SLOTS - 1);
        if (k == 0) {
            if (!insert)
                return EX_TAG_NONE;
            uint64_t expected = 0;
            if (__atomic_compare_exchange_n(&slot->key, &expected, key, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
                expected == key)
                return (start + probe) & (EX_TAG_SLOTS - 1);
        }
    }
    return insert ? EX_TAG_SLOTS : EX_TAG_NONE; /* table full: the shared overflow slot */
}

static void account_alloc(unsigned slot_index, size_t size)
{
    struct ex_tag_slot *slot = &tag_slots[slot_index];
    __atomic_add_fetch(&slot->allocations, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&slot->outstanding, 1, __ATOMIC_RELAXED);
    uint64_t bytes = __atomic_add_fetch(&slot->bytes, size, __ATOMIC_RELAXED);
    uint64_t peak = __atomic_load_n(&slot->peak_bytes, __ATOMIC_RELAXED);
    while (bytes > peak &&
           !__atomic_compare_exchange_n(&slot->peak_bytes, &peak, bytes, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

static void account_free(unsigned slot_index, size_t size)
{
    struct ex_tag_slot *slot = &tag_slots[slot_index];
    __atomic_sub_fetch(&slot->outstanding, 1, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&slot->bytes, size, __ATOMIC_RELAXED);
}

static bool inject_failure(ULONG tag)
{
    ULONG failing_tag = __atomic_load_n(&fail_tag_value, __ATOMIC_RELAXED);
    bool fail = failing_tag != 0 && failing_tag == tag;
    unsigned long c = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
    while (!fail && c != 0) {
        if (__atomic_compare_exchange_n(&fail_countdown, &c, c - 1, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            fail = c == 1;
            break;
        }
    }
    if (fail)
        __atomic_add_fetch(&injected_failures, 1, __ATOMIC_RELAXED);
    return fail;
}

/* ---- IRQL ----------------------------------------------------------------------------------- */

bool ex_check_irql(bool paged, const char *api, const void *object)
{
    KIRQL irql = KeGetCurrentIrql();
    KIRQL max = paged ? APC_LEVEL : DISPATCH_LEVEL;
    if (irql <= max)
        return true;
    owdf_verifier_policy policy =
        OWDF_VERIFY_REPORT("DDI_ABOVE_MAX_IRQL", object, "POOL", NULL, "%s called at IRQL %u (maximum %s)", api,
                           (unsigned)irql, paged ? "APC_LEVEL for paged pool" : "DISPATCH_LEVEL");
    return policy == OWDF_POLICY_LOG;
}

/* ---- allocate and free ---------------------------------------------------------------------- */

void ex_pool_report_raise(const char *api, size_t size, ULONG tag, const void *site)
{
    char tag_text[5], where[256];
    owdf_pool_tag_text(tag, tag_text);
    ex_format_site(site, where, sizeof where);
    OWDF_VERIFY_REPORT("POOL_ALLOCATION_RAISED", site, "POOL", NULL,
                       "%s(%zu bytes, tag '%s') from %s failed and asked to raise an exception", api, size,
                       tag_text, where);
}

void *ex_pool_allocate(unsigned kind, size_t size, ULONG tag, const void *site, const char *api)
{
    bool paged = (kind & EX_POOL_PAGED) != 0;
    if (!ex_check_irql(paged, api, site))
        return NULL;
    if (size > MAX_BLOCK || inject_failure(tag))
        goto failed;
    size_t align = (kind & EX_POOL_CACHE_ALIGNED) ? 64 : 16;
    unsigned char *raw = malloc(sizeof(struct pool_header) + size + BACK_CANARY + (align - 16));
    if (raw == NULL)
        goto failed;
    uintptr_t user = ((uintptr_t)raw + sizeof(struct pool_header) + align - 1) & ~(uintptr_t)(align - 1);
    struct pool_header *h = (struct pool_header *)(user - sizeof *h);
    unsigned slot = ex_tag_slot_find(tag, true);
    h->hash_next = NULL;
    h->raw = raw;
    h->size = size;
    h->site = site;
    h->tag = tag;
    h->kind = (uint16_t)kind;
    h->tag_slot = (uint16_t)slot;
    h->magic = HEADER_MAGIC;
    memcpy(h->front, front_pattern, sizeof front_pattern);
    memcpy((char *)user + size, back_pattern, BACK_CANARY);
    if (kind & EX_POOL_ZERO)
        memset((void *)user, 0, size);
    account_alloc(slot, size);
    h->sequence = __atomic_add_fetch(&pool_sequence, 1, __ATOMIC_RELAXED);
    h->check = header_check(h);

    uint64_t hash = address_hash((void *)user);
    struct pool_shard *shard = shard_of(hash);
    unsigned bucket = bucket_of(hash);
    pthread_mutex_lock(&shard->lock);
    h->hash_next = shard->buckets[bucket];
    shard->buckets[bucket] = h;
    pthread_mutex_unlock(&shard->lock);
    return (void *)user;

failed:
    if (kind & EX_POOL_RAISE)
        ex_pool_report_raise(api, size, tag, site);
    return NULL;
}

/* Removes the live block at `p` from the table; NULL if `p` is not live (then *recently_freed says
 * whether the shard freed it recently). Records `p` as freed. */
static struct pool_header *unlink_block(void *p, bool *recently_freed)
{
    uint64_t hash = address_hash(p);
    struct pool_shard *shard = shard_of(hash);
    struct pool_header *found = NULL;
    *recently_freed = false;
    pthread_mutex_lock(&shard->lock);
    for (struct pool_header **link = &shard->buckets[bucket_of(hash)]; *link != NULL; link = &(*link)->hash_next) {
        if (user_of(*link) == p) {
            found = *link;
            *link = found->hash_next;
            break;
        }
    }
    if (found != NULL) {
        shard->freed[shard->freed_next++ % FREED_RING] = (uintptr_t)p;
    } else {
        for (unsigned i = 0; i < FREED_RING; i++) {
            if (shard->freed[i] == (uintptr_t)p)
                *recently_freed = true;
        }
    }
    pthread_mutex_unlock(&shard->lock);
    return found;
}

static void describe_block(const struct pool_header *h, char *out, size_t size)
{
    char tag_text[5], where[256];
    owdf_pool_tag_text(h->tag, tag_text);
    ex_format_site(h->site, where, sizeof where);
    snprintf(out, size, "block %p (tag '%s', %zu bytes, allocated from %s)", user_of(h), tag_text, h->size, where);
}

void ex_pool_free(void *p, ULONG tag, bool check_tag, const void *site, const char *api)
{
    char where[256];
    if (p == NULL) {
        ex_format_site(site, where, sizeof where);
        OWDF_VERIFY_REPORT("POOL_BAD_FREE", NULL, "POOL", NULL, "%s(NULL) from %s", api, where);
        return;
    }
    bool recently_freed;
    struct pool_header *h = unlink_block(p, &recently_freed);
    if (h == NULL) {
        ex_format_site(site, where, sizeof where);
        if (recently_freed)
            OWDF_VERIFY_REPORT("POOL_DOUBLE_FREE", p, "POOL", NULL, "%s(%p) from %s: the block was already freed",
                               api, p, where);
        else
            OWDF_VERIFY_REPORT("POOL_BAD_FREE", p, "POOL", NULL, "%s(%p) from %s: not a pool block", api, p, where);
        return;
    }

    char block[400];
    if (h->magic != HEADER_MAGIC || h->check != header_check(h)) {
        /* The header cannot be trusted (size, raw pointer): report and leak the block. */
        unsigned slot = __atomic_fetch_add(&corrupt_count, 1, __ATOMIC_RELAXED);
        if (slot < CORRUPT_KEPT)
            __atomic_store_n(&corrupt_blocks[slot], (void *)h, __ATOMIC_RELAXED);
        ex_format_site(site, where, sizeof where);
        OWDF_VERIFY_REPORT("POOL_CORRUPTION", p, "POOL", NULL,
                           "%s(%p) from %s: the pool header before the block was overwritten (underrun)", api, p,
                           where);
        return;
    }
    (void)ex_check_irql((h->kind & EX_POOL_PAGED) != 0, api, p);

    bool front_ok = memcmp(h->front, front_pattern, sizeof front_pattern) == 0;
    bool back_ok = memcmp((char *)p + h->size, back_pattern, BACK_CANARY) == 0;
    if (!front_ok || !back_ok) {
        describe_block(h, block, sizeof block);
        OWDF_VERIFY_REPORT("POOL_CORRUPTION", p, "POOL", NULL, "%s: %s: %s%s%s overwritten", api, block,
                           front_ok ? "" : "the guard before the block (underrun)", !front_ok && !back_ok ? " and " : "",
                           back_ok ? "" : "the guard after the block (overrun)");
    }
    if (check_tag && (tag & ~(ULONG)PROTECTED_POOL) != (h->tag & ~(ULONG)PROTECTED_POOL)) {
        char tag_text[5];
        owdf_pool_tag_text(tag, tag_text);
        describe_block(h, block, sizeof block);
        ex_format_site(site, where, sizeof where);
        OWDF_VERIFY_REPORT("POOL_TAG_MISMATCH", p, "POOL", NULL, "%s(tag '%s') from %s: %s has another tag", api,
                           tag_text, where, block);
    }
    account_free(h->tag_slot, h->size);
    h->magic = FREED_MAGIC;
    free(h->raw);
}

size_t ex_pool_lookup_size(const void *p)
{
    uint64_t hash = address_hash(p);
    struct pool_shard *shard = shard_of(hash);
    size_t size = 0;
    pthread_mutex_lock(&shard->lock);
    for (struct pool_header *h = shard->buckets[bucket_of(hash)]; h != NULL; h = h->hash_next) {
        if (user_of(h) == p) {
            size = h->size;
            break;
        }
    }
    pthread_mutex_unlock(&shard->lock);
    return size;
}

/* ---- inspection ----------------------------------------------------------------------------- */

owdf_pool_mark owdf_pool_mark_now(void)
{
    return __atomic_load_n(&pool_sequence, __ATOMIC_RELAXED);
}

static int by_sequence(const void *a, const void *b)
{
    const owdf_pool_block *x = a, *y = b;
    return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

size_t ex_pool_collect(owdf_pool_mark since, owdf_pool_block **out)
{
    size_t count = 0, capacity = 64;
    owdf_pool_block *blocks = malloc(capacity * sizeof *blocks);
    if (blocks == NULL) {
        *out = NULL;
        return 0;
    }
    for (unsigned s = 0; s < SHARDS; s++) {
        struct pool_shard *shard = &shards[s];
        pthread_mutex_lock(&shard->lock);
        for (unsigned b = 0; b < BUCKETS; b++) {
            for (struct pool_header *h = shard->buckets[b]; h != NULL; h = h->hash_next) {
                if (h->sequence <= since)
                    continue;
                if (count == capacity) {
                    owdf_pool_block *bigger = realloc(blocks, 2 * capacity * sizeof *blocks);
                    if (bigger == NULL)
                        continue; /* report what fits */
                    blocks = bigger;
                    capacity *= 2;
                }
                blocks[count++] = (owdf_pool_block){
                    .address = user_of(h),
                    .size = h->size,
                    .tag = h->tag,
                    .paged = (h->kind & EX_POOL_PAGED) != 0,
                    .site = h->site,
                    .sequence = h->sequence,
                };
            }
        }
        pthread_mutex_unlock(&shard->lock);
    }
    qsort(blocks, count, sizeof *blocks, by_sequence);
    *out = blocks;
    return count;
}

void owdf_pool_fail_nth(unsigned long n)
{
    __atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
}

void owdf_pool_fail_tag(ULONG tag)
{
    __atomic_store_n(&fail_tag_value, tag, __ATOMIC_RELAXED);
}

uint64_t owdf_pool_injected_failures(void)
{
    return __atomic_load_n(&injected_failures, __ATOMIC_RELAXED);
}
