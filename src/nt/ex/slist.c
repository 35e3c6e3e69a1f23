/*
 * slist.c - interlocked singly linked lists (SLIST_HEADER), any IRQL.
 *
 * The header is two 64-bit words changed together by one 16-byte compare-and-swap (cmpxchg16b):
 * Alignment = depth (bits 0-15) | sequence (bits 16-63), Region = first entry. Every operation bumps
 * the sequence.
 *
 * Pushes are lock-free. Pops and flushes of one list are serialized by a mutex (one of a few striped by
 * the header's address). Why: a lock-free pop reads `Next` of the first entry before its CAS, and by then
 * another thread may have popped that entry and freed it; Windows survives that read with a fault
 * handler, user space cannot (and ASan/TSan rightly call it a use-after-free). With pops serialized, the
 * entry a pop reads can only leave the list through that pop, so the read is always of live memory; it
 * also rules out ABA. Pushers never wait. Cost: an uncontended mutex pair per pop (tens of ns).
 *
 * ThreadSanitizer cannot see the inline-assembly CAS, so under TSan the header's release/acquire
 * pairing is announced with __tsan_release/__tsan_acquire, and entry links are read and written with
 * relaxed atomics.
 */
#include "ex_internal.h"

#include <pthread.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EX_SLIST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define EX_SLIST_TSAN 1
#endif

#ifdef EX_SLIST_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define SLIST_ACQUIRED(h) __tsan_acquire(h)
#define SLIST_RELEASING(h) __tsan_release(h)
#else
#define SLIST_ACQUIRED(h) ((void)0)
#define SLIST_RELEASING(h) ((void)0)
#endif

#define DEPTH_MASK 0xFFFFull
#define SEQUENCE_ONE 0x10000ull

struct slist_word {
    uint64_t lo; /* depth | sequence << 16 */
    uint64_t hi; /* first entry */
};

/* ThreadSanitizer cannot see through the inline assembly below: tell it the CAS is acquire+release
 * on the header, as the lock prefix makes it, so a push happens-before the pop that takes the entry. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SLIST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define SLIST_TSAN 1
#endif
#ifdef SLIST_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define SLIST_TSAN_RELEASE(h) __tsan_release((void *)(h))
#define SLIST_TSAN_ACQUIRE(h) __tsan_acquire((void *)(h))
#else
#define SLIST_TSAN_RELEASE(h) ((void)0)
#define SLIST_TSAN_ACQUIRE(h) ((void)0)
#endif

#if defined(__x86_64__)
/* On failure *expected receives the current value. Full barrier (lock prefix). */
static inline bool cas16(volatile SLIST_HEADER *h, struct slist_word *expected, struct slist_word desired)
{
    bool ok;
    SLIST_TSAN_RELEASE(h);
    __asm__ __volatile__("lock cmpxchg16b %1"
                         : "=@ccz"(ok), "+m"(*h), "+a"(expected->lo), "+d"(expected->hi)
                         : "b"(desired.lo), "c"(desired.hi)
                         : "memory");
    SLIST_TSAN_ACQUIRE(h);
    return ok;
}
#else
#error "openwdf: SLIST needs a 16-byte compare-and-swap; port cas16() to this architecture"
#endif

static inline struct slist_word read_header(volatile SLIST_HEADER *h)
{
    /* Two relaxed loads may tear; the CAS that follows validates both words together. */
    struct slist_word w;
    w.lo = __atomic_load_n(&h->Alignment, __ATOMIC_RELAXED);
    w.hi = __atomic_load_n(&h->Region, __ATOMIC_RELAXED);
    return w;
}

#define POP_LOCK_BITS 6
static pthread_mutex_t pop_locks[1u << POP_LOCK_BITS] = {[0 ...(1u << POP_LOCK_BITS) - 1] =
                                                             PTHREAD_MUTEX_INITIALIZER};

static pthread_mutex_t *pop_lock_of(const SLIST_HEADER *h)
{
    uint64_t x = ((uint64_t)(uintptr_t)h >> 4) * 0x9E3779B97F4A7C15ull;
    return &pop_locks[x >> (64 - POP_LOCK_BITS)];
}

void InitializeSListHead(PSLIST_HEADER SListHead)
{
    __atomic_store_n(&SListHead->Alignment, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&SListHead->Region, 0, __ATOMIC_RELAXED);
}

PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    return InterlockedPushListSListEx(ListHead, ListEntry, ListEntry, 1);
}

PSLIST_ENTRY InterlockedPushListSListEx(PSLIST_HEADER ListHead, PSLIST_ENTRY List, PSLIST_ENTRY ListEnd, ULONG Count)
{
    struct slist_word old = read_header(ListHead);
    SLIST_RELEASING(ListHead);
    for (;;) {
        __atomic_store_n(&ListEnd->Next, (PSLIST_ENTRY)(uintptr_t)old.hi, __ATOMIC_RELAXED);
        uint64_t depth = ((old.lo & DEPTH_MASK) + Count) & DEPTH_MASK;
        struct slist_word desired = {
            .lo = ((old.lo & ~DEPTH_MASK) + SEQUENCE_ONE) | depth,
            .hi = (uint64_t)(uintptr_t)List,
        };
        if (cas16(ListHead, &old, desired))
            return (PSLIST_ENTRY)(uintptr_t)old.hi;
    }
}

PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    if (__atomic_load_n(&ListHead->Region, __ATOMIC_RELAXED) == 0)
        return NULL; /* empty: no need to serialize */
    pthread_mutex_t *lock = pop_lock_of(ListHead);
    pthread_mutex_lock(lock);
    struct slist_word old = read_header(ListHead);
    PSLIST_ENTRY first;
    for (;;) {
        first = (PSLIST_ENTRY)(uintptr_t)old.hi;
        if (first == NULL)
            break;
        /* Only pushes can race with us: `first` stays in the list until our CAS takes it. Reading the
         * header was an acquire (x86 loads are) pairing with the push that published `first`. */
        SLIST_ACQUIRED(ListHead);
        PSLIST_ENTRY next = __atomic_load_n(&first->Next, __ATOMIC_RELAXED);
        struct slist_word desired = {
            .lo = ((old.lo & ~DEPTH_MASK) + SEQUENCE_ONE) | (((old.lo & DEPTH_MASK) - 1) & DEPTH_MASK),
            .hi = (uint64_t)(uintptr_t)next,
        };
        if (cas16(ListHead, &old, desired))
            break;
    }
    pthread_mutex_unlock(lock);
    return first;
}

PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead)
{
    if (__atomic_load_n(&ListHead->Region, __ATOMIC_RELAXED) == 0)
        return NULL;
    pthread_mutex_t *lock = pop_lock_of(ListHead);
    pthread_mutex_lock(lock);
    struct slist_word old = read_header(ListHead);
    PSLIST_ENTRY first;
    for (;;) {
        first = (PSLIST_ENTRY)(uintptr_t)old.hi;
        if (first == NULL)
            break;
        struct slist_word desired = {.lo = (old.lo & ~DEPTH_MASK) + SEQUENCE_ONE, .hi = 0};
        if (cas16(ListHead, &old, desired)) {
            SLIST_ACQUIRED(ListHead);
            break;
        }
    }
    pthread_mutex_unlock(lock);
    return first;
}

USHORT QueryDepthSList(PSLIST_HEADER SListHead)
{
    return (USHORT)(__atomic_load_n(&SListHead->Alignment, __ATOMIC_RELAXED) & DEPTH_MASK);
}

PSLIST_ENTRY RtlFirstEntrySList(const SLIST_HEADER *SListHead)
{
    return (PSLIST_ENTRY)(uintptr_t)__atomic_load_n(&SListHead->Region, __ATOMIC_RELAXED);
}
