/* thread_slot.c - giving threads their slots for fx_thread_slot() (fx_thread_slot.h), and taking
 * exclusive ones back when the thread exits. */
#include "fx_thread_slot.h"

#include <pthread.h>
#include <stdint.h>

_Thread_local unsigned fx_thread_slot_plus_one;

static uint64_t exclusive_taken; /* atomic bit set: bit i = slot i has a thread */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

_Static_assert(FX_THREAD_SLOT_SHARED <= 64, "exclusive slots fit the bit set");

static void slot_give_back(void *value)
{
    unsigned slot = (unsigned)(uintptr_t)value - 1;
    __atomic_fetch_and(&exclusive_taken, ~(1ull << slot), __ATOMIC_RELEASE);
}

static void make_exit_key(void)
{
    (void)pthread_key_create(&exit_key, slot_give_back);
}

static unsigned take_exclusive(void)
{
    uint64_t taken = __atomic_load_n(&exclusive_taken, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t free_slots = ~taken & ((1ull << FX_THREAD_SLOT_SHARED) - 1);
        if (free_slots == 0)
            return FX_THREAD_SLOT_SHARED;
        unsigned slot = (unsigned)__builtin_ctzll(free_slots);
        /* Acquire: what the slot's previous thread wrote happens-before what this one writes. */
        if (__atomic_compare_exchange_n(&exclusive_taken, &taken, taken | (1ull << slot), 1, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return slot;
    }
}

unsigned fx_thread_slot_assign(void)
{
    pthread_once(&exit_key_once, make_exit_key);
    unsigned slot = take_exclusive();
    if (slot != FX_THREAD_SLOT_SHARED && pthread_setspecific(exit_key, (void *)(uintptr_t)(slot + 1)) != 0) {
        slot_give_back((void *)(uintptr_t)(slot + 1)); /* could not arrange the give-back: share */
        slot = FX_THREAD_SLOT_SHARED;
    }
    fx_thread_slot_plus_one = slot + 1;
    return slot;
}
