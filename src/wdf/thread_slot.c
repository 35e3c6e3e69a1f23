/* thread_slot.c - numbering threads for fx_thread_slot() (fx_thread_slot.h). */
#include "fx_thread_slot.h"

_Thread_local unsigned fx_thread_slot_plus_one;
static unsigned next_thread_number; /* atomic */

unsigned fx_thread_slot_assign(void)
{
    unsigned slot = __atomic_fetch_add(&next_thread_number, 1, __ATOMIC_RELAXED) % FX_THREAD_SLOTS;
    fx_thread_slot_plus_one = slot + 1;
    return slot;
}
