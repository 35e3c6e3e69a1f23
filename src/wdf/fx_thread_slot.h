/*
 * fx_thread_slot.h - a small number per thread, for per-thread shards of hot Framework state (the
 * request cache, queue gate lanes, the in-flight recorder), so that threads working at once rarely
 * write the same cache line.
 *
 * The first FX_THREAD_SLOTS - 1 slots are exclusive: a thread keeps its slot until it exits, and no
 * other thread has it meanwhile, so a shard used only by its own thread may be written without
 * atomic read-modify-writes (fx_thread_slot_is_exclusive). Threads beyond that share the last slot.
 */
#ifndef OPENWDF_FX_THREAD_SLOT_H
#define OPENWDF_FX_THREAD_SLOT_H

#define FX_THREAD_SLOTS 64
#define FX_THREAD_SLOT_SHARED (FX_THREAD_SLOTS - 1)

extern _Thread_local unsigned fx_thread_slot_plus_one; /* 0: not numbered yet */
unsigned fx_thread_slot_assign(void);

/* 0 .. FX_THREAD_SLOTS-1. Any IRQL, any thread. */
static inline unsigned fx_thread_slot(void)
{
    unsigned slot = fx_thread_slot_plus_one;
    if (__builtin_expect(slot != 0, 1))
        return slot - 1;
    return fx_thread_slot_assign();
}

static inline int fx_thread_slot_is_exclusive(unsigned slot)
{
    return slot != FX_THREAD_SLOT_SHARED;
}

#endif /* OPENWDF_FX_THREAD_SLOT_H */
