/*
 * fx_handle.c - the handle table: WDF handles are (slot, generation) pairs, never raw pointers.
 *
 * A driver may keep a handle after the object is gone; looking it up must then fail cleanly rather
 * than read freed memory. Slots live in chunks that never move, so lookups take no lock: a lookup
 * reads the slot's generation and object with acquire loads. Allocation and free take one mutex
 * (object creation is not on the I/O path: requests keep their slot and only renew the generation).
 *
 * Handle value: generation << 32 | index << 4 | 0x5 — never NULL, never a valid pointer.
 */
#include "fx_object.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BITS 10
#define CHUNK_SLOTS (1u << CHUNK_BITS)
#define MAX_CHUNKS 16384u
#define HANDLE_TAG 0x5u

/* A cache line a slot: a request's handle is renewed on every use, and the slots of requests that
 * two threads use at once must not share a line. */
struct slot {
    uint32_t generation;   /* odd while allocated; bumped on free and renew */
    uint32_t next_free;    /* free-list link (index + 1), under table_lock */
    fx_object *object;
    char pad[48];
};
_Static_assert(sizeof(struct slot) == 64, "one cache line a slot");

static struct slot *chunks[MAX_CHUNKS];
static uint32_t chunk_count;
static uint32_t free_head; /* index + 1; 0 = empty */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static inline WDFOBJECT encode(uint32_t index, uint32_t generation)
{
    return (WDFOBJECT)(((uintptr_t)generation << 32) | ((uintptr_t)index << 4) | HANDLE_TAG);
}

static inline struct slot *slot_at(uint32_t index)
{
    uint32_t chunk = index >> CHUNK_BITS;
    if (chunk >= MAX_CHUNKS)
        return NULL;
    struct slot *base = __atomic_load_n(&chunks[chunk], __ATOMIC_ACQUIRE);
    return base ? &base[index & (CHUNK_SLOTS - 1)] : NULL;
}

static BOOLEAN grow_locked(void)
{
    if (chunk_count == MAX_CHUNKS)
        return FALSE;
    struct slot *chunk = aligned_alloc(64, CHUNK_SLOTS * sizeof *chunk);
    if (chunk == NULL)
        return FALSE;
    memset(chunk, 0, CHUNK_SLOTS * sizeof *chunk);
    uint32_t first = chunk_count << CHUNK_BITS;
    /* Index 0 is never handed out, so a handle never encodes index 0. */
    for (uint32_t i = CHUNK_SLOTS; i-- > 0;) {
        if (first + i == 0)
            continue;
        chunk[i].generation = 0;
        chunk[i].next_free = free_head;
        free_head = first + i + 1;
    }
    __atomic_store_n(&chunks[chunk_count], chunk, __ATOMIC_RELEASE);
    chunk_count++;
    return TRUE;
}

WDFOBJECT fx_handle_allocate(fx_object *object)
{
    pthread_mutex_lock(&table_lock);
    if (free_head == 0 && !grow_locked()) {
        pthread_mutex_unlock(&table_lock);
        return NULL;
    }
    uint32_t index = free_head - 1;
    struct slot *s = slot_at(index);
    free_head = s->next_free;
    s->next_free = 0;
    __atomic_store_n(&s->object, object, __ATOMIC_RELAXED);
    uint32_t generation = s->generation + 1; /* even (free) -> odd (allocated) */
    __atomic_store_n(&s->generation, generation, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&table_lock);
    return encode(index, generation);
}

static struct slot *decode(WDFOBJECT handle, uint32_t *generation)
{
    uintptr_t value = (uintptr_t)handle;
    if ((value & 0xf) != HANDLE_TAG)
        return NULL;
    *generation = (uint32_t)(value >> 32);
    return slot_at((uint32_t)((value >> 4) & 0x0fffffffu));
}

fx_object *fx_handle_lookup(WDFOBJECT handle, BOOLEAN *stale)
{
    uint32_t generation;
    struct slot *s = decode(handle, &generation);
    if (stale != NULL)
        *stale = FALSE;
    if (s == NULL)
        return NULL;
    if (__atomic_load_n(&s->generation, __ATOMIC_ACQUIRE) != generation) {
        if (stale != NULL)
            *stale = TRUE;
        return NULL;
    }
    return __atomic_load_n(&s->object, __ATOMIC_RELAXED);
}

void fx_handle_free(WDFOBJECT handle)
{
    uint32_t generation;
    struct slot *s = decode(handle, &generation);
    if (s == NULL)
        return;
    pthread_mutex_lock(&table_lock);
    if (s->generation == generation) {
        __atomic_store_n(&s->generation, generation + 1, __ATOMIC_RELEASE); /* odd -> even: free */
        s->object = NULL;
        uint32_t index = (uint32_t)(((uintptr_t)handle >> 4) & 0x0fffffffu);
        s->next_free = free_head;
        free_head = index + 1;
    }
    pthread_mutex_unlock(&table_lock);
}

WDFOBJECT fx_handle_renew(WDFOBJECT handle)
{
    uint32_t generation;
    struct slot *s = decode(handle, &generation);
    if (s == NULL)
        return NULL;
    /* Skip the even value: the slot stays allocated, the old handle goes stale. */
    uint32_t next = generation + 2;
    __atomic_store_n(&s->generation, next, __ATOMIC_RELEASE);
    uint32_t index = (uint32_t)(((uintptr_t)handle >> 4) & 0x0fffffffu);
    return encode(index, next);
}

void fx_handle_for_each(void (*visit)(fx_object *object, void *context), void *context)
{
    pthread_mutex_lock(&table_lock);
    for (uint32_t c = 0; c < chunk_count; c++) {
        for (uint32_t i = 0; i < CHUNK_SLOTS; i++) {
            struct slot *s = &chunks[c][i];
            if ((s->generation & 1) && s->object != NULL)
                visit(s->object, context);
        }
    }
    pthread_mutex_unlock(&table_lock);
}
