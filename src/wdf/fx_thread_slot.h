/*
 * fx_thread_slot.h - a small number per thread, for per-thread shards of hot Framework state (the
 * request cache, the in-flight recorder): threads numbered 0, 1, 2, ... as they first ask, modulo
 * FX_THREAD_SLOTS. Two threads may share a slot, so a shard still needs its own (then uncontended)
 * lock or atomic; what the slot buys is that concurrent threads rarely write the same cache line.
 */
#ifndef OPENWDF_FX_THREAD_SLOT_H
#define OPENWDF_FX_THREAD_SLOT_H

#define FX_THREAD_SLOTS 16

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

#endif /* OPENWDF_FX_THREAD_SLOT_H */
