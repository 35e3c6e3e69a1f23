/*
 * fx_fast_section.h - asymmetric synchronization for the Framework's hottest shared state (queue
 * gate lanes, the request cache, the request's last hold).
 *
 * A thread with an exclusive thread slot (fx_thread_slot.h) updates such state with plain loads and
 * stores inside a fast section: a few instructions bracketed by stores to its slot's mark, with no
 * atomic read-modify-write and no fence. A rare party that needs the state exact (a queue being
 * stopped, a cache being drained, a power-down collecting requests) first publishes a flag that sends
 * later fast sections to the atomic or locked path, then calls fx_fast_sync: a process-wide memory
 * barrier on every running thread (membarrier(2)), then a wait until every fast section that may
 * not have seen the flag has ended. After that, the state is quiet and the flag holds.
 *
 * A fast section reads the flag after its mark store; the barrier makes sure that either the syncing
 * thread sees the mark, or the section sees the flag. Without membarrier (old kernel, seccomp),
 * fx_fast_enter always fails and callers use their atomic paths: correct, only slower.
 *
 * Sections must be short and must not block, call out or nest: the syncing thread spins on them.
 */
#ifndef OPENWDF_FX_FAST_SECTION_H
#define OPENWDF_FX_FAST_SECTION_H

#include "fx_thread_slot.h"

#include <stdint.h>

typedef struct fx_fast_mark {
    /* Odd while the slot's thread is inside a fast section; only that thread writes it. */
    _Alignas(64) volatile uint64_t count;
} fx_fast_mark;

extern fx_fast_mark fx_fast_marks[FX_THREAD_SLOTS];
extern int fx_fast_sections_work; /* membarrier registered at load; constant afterwards */

/* Enters a fast section for this thread's slot; FALSE when the caller must take its atomic path. */
static inline int fx_fast_enter(unsigned slot)
{
    if (!fx_thread_slot_is_exclusive(slot) || !__builtin_expect(fx_fast_sections_work, 1))
        return 0;
    fx_fast_mark *mark = &fx_fast_marks[slot];
    __atomic_store_n(&mark->count, __atomic_load_n(&mark->count, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* the flag load stays after the mark store */
    return 1;
}

/* Release: what the section wrote is visible to a syncing thread that sees the section end. */
static inline void fx_fast_exit(unsigned slot)
{
    fx_fast_mark *mark = &fx_fast_marks[slot];
    __atomic_store_n(&mark->count, __atomic_load_n(&mark->count, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

/*
 * After publishing a flag with a sequentially consistent store or read-modify-write: returns once
 * every fast section that began before the flag was visible has ended (others see the flag).
 * Any thread outside a fast section, any IRQL (it spins, briefly); costs a system call.
 */
void fx_fast_sync(void);

#endif /* OPENWDF_FX_FAST_SECTION_H */
