/*
 * handle.c - the handle table: HANDLE values for file objects, shared by the user-side API
 * (user.c) and the Zw routines (zw.c), and ObReferenceObjectByHandle.
 *
 * Every read, write and IOCTL looks its handle up, so lookups take no lock: a slot is one 64-bit
 * word (allocated bit, generation, count of lookups in progress) plus the object pointer. A lookup
 * bumps the in-progress count with a compare-and-swap that also checks the generation, references
 * the object, and drops the count; a close swaps the word to "free, next generation" only when no
 * lookup is in progress (it waits a few instructions' worth otherwise), so the object cannot go
 * while a lookup is referencing it and a stale handle (closed, or its slot reused) never matches.
 * Slots live in chunks that are never freed, so a lookup never races a resize. Allocation and
 * close serialize on one mutex (opens and closes are not the hot path).
 *
 * Handle value (32 bits, sign-extended like Windows handles):
 *   bit 31 kernel handle (OBJ_KERNEL_HANDLE) | bits 22..30 generation (1..511) | bits 2..21 slot index
 *   | bits 0..1 zero (Windows' tag bits; a value with them set is not a handle here).
 * Slot index 0 is never used, so no handle is NULL.
 */
#include "io_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define HT_INDEX_BITS 20
#define HT_GEN_BITS 9
#define HT_GEN_MAX ((1u << HT_GEN_BITS) - 1)
#define HT_CHUNK_SLOTS 256u
#define HT_SLOTS (1u << HT_INDEX_BITS)
#define HT_CHUNKS (HT_SLOTS / HT_CHUNK_SLOTS)

#define HT_USERS_MASK 0xffffffffull
#define HT_GEN_SHIFT 32
#define HT_ALLOCATED (1ull << 48)

struct ht_slot {
    uint64_t word;           /* atomic: HT_ALLOCATED | gen << 32 | lookups in progress */
    PVOID object;            /* set before the word is published, cleared after it is retired */
    ACCESS_MASK granted;
    ULONG attributes;
    ULONG next_free;         /* free list link, under ht_lock */
    char pad[32];            /* a cache line a slot: handles used by two threads share no line */
};
_Static_assert(sizeof(struct ht_slot) == 64, "one cache line a slot");

static struct ht_slot *ht_chunks[HT_CHUNKS]; /* atomic pointers; a chunk is never freed */
static pthread_mutex_t ht_lock = PTHREAD_MUTEX_INITIALIZER;
static ULONG ht_free_head;       /* 0: empty */
static ULONG ht_next_index = 1;  /* next never-used slot */
static ULONG ht_live;            /* open handles, under ht_lock */

static inline ULONG ht_word_gen(uint64_t w)
{
    return (ULONG)((w >> HT_GEN_SHIFT) & HT_GEN_MAX);
}

static inline ULONG ht_next_gen(ULONG gen)
{
    return gen >= HT_GEN_MAX ? 1 : gen + 1;
}

static HANDLE ht_encode(ULONG index, ULONG gen, BOOLEAN kernel)
{
    uint32_t v = (gen << 22) | (index << 2);
    if (kernel)
        v |= 0x80000000u;
    return (HANDLE)(intptr_t)(int32_t)v;
}

static BOOLEAN ht_decode(HANDLE handle, ULONG *index, ULONG *gen, BOOLEAN *kernel)
{
    intptr_t raw = (intptr_t)handle;
    if (raw != (intptr_t)(int32_t)raw)
        return FALSE;
    uint32_t v = (uint32_t)raw;
    if (v == 0 || (v & 3) != 0)
        return FALSE;
    *index = (v >> 2) & (HT_SLOTS - 1);
    *gen = (v >> 22) & HT_GEN_MAX;
    *kernel = (v & 0x80000000u) != 0;
    return *index != 0 && *gen != 0;
}

static struct ht_slot *ht_slot_at(ULONG index)
{
    struct ht_slot *chunk = __atomic_load_n(&ht_chunks[index / HT_CHUNK_SLOTS], __ATOMIC_ACQUIRE);
    return chunk != NULL ? &chunk[index % HT_CHUNK_SLOTS] : NULL;
}

/* Under ht_lock: a free slot index, or 0 when the table is full or memory is out. */
static ULONG ht_take_index(void)
{
    if (ht_free_head != 0) {
        ULONG index = ht_free_head;
        ht_free_head = ht_slot_at(index)->next_free;
        return index;
    }
    if (ht_next_index >= HT_SLOTS)
        return 0;
    ULONG index = ht_next_index;
    ULONG c = index / HT_CHUNK_SLOTS;
    if (ht_chunks[c] == NULL) {
        struct ht_slot *chunk = aligned_alloc(64, HT_CHUNK_SLOTS * sizeof(*chunk));
        if (chunk == NULL)
            return 0;
        memset(chunk, 0, HT_CHUNK_SLOTS * sizeof(*chunk));
        for (ULONG i = 0; i < HT_CHUNK_SLOTS; i++)
            chunk[i].word = (uint64_t)1 << HT_GEN_SHIFT;
        __atomic_store_n(&ht_chunks[c], chunk, __ATOMIC_RELEASE);
    }
    ht_next_index++;
    return index;
}

NTSTATUS io_handle_create(PVOID object, ACCESS_MASK granted, ULONG attributes, HANDLE *out)
{
    /* Counted before the handle can be seen (and closed) by anyone. */
    io_file_handle_created((PFILE_OBJECT)object);
    pthread_mutex_lock(&ht_lock);
    ULONG index = ht_take_index();
    if (index == 0) {
        pthread_mutex_unlock(&ht_lock);
        io_file_handle_uncounted((PFILE_OBJECT)object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    struct ht_slot *slot = ht_slot_at(index);
    slot->object = object;
    slot->granted = granted;
    slot->attributes = attributes;
    uint64_t w = __atomic_load_n(&slot->word, __ATOMIC_RELAXED);
    ULONG gen = ht_word_gen(w);
    __atomic_store_n(&slot->word, HT_ALLOCATED | ((uint64_t)gen << HT_GEN_SHIFT), __ATOMIC_RELEASE);
    ht_live++;
    pthread_mutex_unlock(&ht_lock);
    *out = ht_encode(index, gen, (attributes & OBJ_KERNEL_HANDLE) != 0);
    return STATUS_SUCCESS;
}

/* The slot a handle names, if its form is valid and the caller's mode may use it; its generation and
 * kernel bit are for the caller to check against the slot's word. */
static struct ht_slot *ht_slot_of_handle(HANDLE handle, KPROCESSOR_MODE mode, ULONG *index, ULONG *gen,
                                         BOOLEAN *kernel)
{
    if (!ht_decode(handle, index, gen, kernel) || (*kernel && mode != KernelMode))
        return NULL;
    return ht_slot_at(*index);
}

NTSTATUS io_handle_reference(HANDLE handle, KPROCESSOR_MODE mode, ULONG tag, PVOID *object, ACCESS_MASK *granted,
                             ULONG *attributes)
{
    ULONG index, gen;
    BOOLEAN kernel;
    struct ht_slot *slot = ht_slot_of_handle(handle, mode, &index, &gen, &kernel);
    if (slot == NULL)
        return STATUS_INVALID_HANDLE;

    uint64_t w = __atomic_load_n(&slot->word, __ATOMIC_ACQUIRE);
    for (;;) {
        if (!(w & HT_ALLOCATED) || ht_word_gen(w) != gen)
            return STATUS_INVALID_HANDLE;
        if (__atomic_compare_exchange_n(&slot->word, &w, w + 1, TRUE, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
            break;
    }
    /* The slot cannot be retired while our count is in it. */
    PVOID obj = slot->object;
    ULONG attrs = slot->attributes;
    ACCESS_MASK access = slot->granted;
    if (((attrs & OBJ_KERNEL_HANDLE) != 0) != kernel) {
        __atomic_fetch_sub(&slot->word, 1, __ATOMIC_RELEASE);
        return STATUS_INVALID_HANDLE;
    }
    if (tag != 0)
        ObfReferenceObjectWithTag(obj, tag);
    else
        ObfReferenceObject(obj);
    __atomic_fetch_sub(&slot->word, 1, __ATOMIC_RELEASE);

    *object = obj;
    if (granted != NULL)
        *granted = access;
    if (attributes != NULL)
        *attributes = attrs;
    return STATUS_SUCCESS;
}

NTSTATUS io_handle_close(HANDLE handle, KPROCESSOR_MODE mode)
{
    ULONG index, gen;
    BOOLEAN kernel;
    struct ht_slot *slot = ht_slot_of_handle(handle, mode, &index, &gen, &kernel);
    if (slot == NULL)
        return STATUS_INVALID_HANDLE;

    uint64_t w = __atomic_load_n(&slot->word, __ATOMIC_ACQUIRE);
    for (;;) {
        if (!(w & HT_ALLOCATED) || ht_word_gen(w) != gen)
            return STATUS_INVALID_HANDLE;
        if ((w & HT_USERS_MASK) != 0) {
            /* A lookup is between its two atomics: a few instructions. */
            sched_yield();
            w = __atomic_load_n(&slot->word, __ATOMIC_ACQUIRE);
            continue;
        }
        uint64_t retired = (uint64_t)ht_next_gen(gen) << HT_GEN_SHIFT;
        if (__atomic_compare_exchange_n(&slot->word, &w, retired, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    PVOID object = slot->object;
    slot->object = NULL;

    pthread_mutex_lock(&ht_lock);
    slot->next_free = ht_free_head;
    ht_free_head = index;
    ht_live--;
    pthread_mutex_unlock(&ht_lock);

    /* Outside every lock: the last handle of a file sends IRP_MJ_CLEANUP. */
    io_file_handle_closed((PFILE_OBJECT)object);
    ObDereferenceObject(object);
    return STATUS_SUCCESS;
}

ULONG io_handle_open_count(void)
{
    pthread_mutex_lock(&ht_lock);
    ULONG n = ht_live;
    pthread_mutex_unlock(&ht_lock);
    return n;
}

/* ---- ObReferenceObjectByHandle ----------------------------------------------------------------- */

static NTSTATUS ob_reference_by_handle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                       KPROCESSOR_MODE AccessMode, ULONG Tag, PVOID *Object,
                                       PVOID HandleInformation)
{
    if (Object == NULL)
        return STATUS_INVALID_PARAMETER;
    *Object = NULL;
    if (!ke_check_max_irql(APC_LEVEL, "ObReferenceObjectByHandle"))
        return STATUS_INVALID_DEVICE_STATE;
    /* Only file objects have handles here; the process and thread pseudo handles are not files. */
    if (Handle == NtCurrentProcess() || Handle == NtCurrentThread())
        return ObjectType != NULL ? STATUS_OBJECT_TYPE_MISMATCH : STATUS_INVALID_HANDLE;

    PVOID object;
    ACCESS_MASK granted;
    ULONG attributes;
    NTSTATUS status = io_handle_reference(Handle, AccessMode, Tag, &object, &granted, &attributes);
    if (!NT_SUCCESS(status))
        return status;
    if (ObjectType != NULL && IoFileObjectType != NULL && ObjectType != *IoFileObjectType) {
        status = STATUS_OBJECT_TYPE_MISMATCH;
    } else if (AccessMode != KernelMode && (io_file_map_generic(DesiredAccess) & ~granted) != 0) {
        status = STATUS_ACCESS_DENIED;
    }
    if (!NT_SUCCESS(status)) {
        if (Tag != 0)
            ObfDereferenceObjectWithTag(object, Tag);
        else
            ObfDereferenceObject(object);
        return status;
    }
    if (HandleInformation != NULL) {
        POBJECT_HANDLE_INFORMATION info = HandleInformation;
        info->HandleAttributes = attributes;
        info->GrantedAccess = granted;
    }
    *Object = object;
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                               KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
    return ob_reference_by_handle(Handle, DesiredAccess, ObjectType, AccessMode, 0, Object, HandleInformation);
}

NTKERNELAPI NTSTATUS ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                                      POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                                      ULONG Tag, PVOID *Object, PVOID HandleInformation)
{
    return ob_reference_by_handle(Handle, DesiredAccess, ObjectType, AccessMode, Tag, Object, HandleInformation);
}
