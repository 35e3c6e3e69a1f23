/* fast_section.c - the slow side of fx_fast_section.h: registering for membarrier(2) and waiting
 * out the fast sections in progress. */
#include "fx_fast_section.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

fx_fast_mark fx_fast_marks[FX_THREAD_SLOTS];
int fx_fast_sections_work;

static long membarrier(int cmd, unsigned flags)
{
    return syscall(__NR_membarrier, cmd, flags, 0);
}

/* Before any Framework code runs: fast sections are used only once the barrier is known to work. */
__attribute__((constructor)) static void fast_sections_register(void)
{
    long supported = membarrier(MEMBARRIER_CMD_QUERY, 0);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
        return;
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) != 0)
        return;
    __atomic_store_n(&fx_fast_sections_work, 1, __ATOMIC_RELEASE);
}

void fx_fast_sync(void)
{
    if (!__atomic_load_n(&fx_fast_sections_work, __ATOMIC_ACQUIRE))
        return; /* nobody uses fast sections: the flag's own atomics order everything */
    /* Every running thread executes a full barrier: its mark store is visible now, or its later
     * flag loads see the flag. Threads not running passed a barrier when they were switched out. */
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) != 0) {
        /* Registered at load; a forked child may have to register again. Without the barrier
         * nothing here would be safe: stop rather than corrupt the Framework's state. */
        if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) != 0 ||
            membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) != 0) {
            fprintf(stderr, "openwdf: membarrier(PRIVATE_EXPEDITED) failed: %s\n", strerror(errno));
            abort();
        }
    }
    unsigned self = fx_thread_slot();
    for (unsigned i = 0; i < FX_THREAD_SLOTS; i++) {
        if (i == self || !fx_thread_slot_is_exclusive(i))
            continue;
        uint64_t seen = __atomic_load_n(&fx_fast_marks[i].count, __ATOMIC_ACQUIRE);
        if (!(seen & 1))
            continue;
        /* Inside a section: any change means that section ended (a new one sees the flag). */
        for (unsigned spins = 0; __atomic_load_n(&fx_fast_marks[i].count, __ATOMIC_ACQUIRE) == seen; spins++) {
            if (spins >= 64)
                sched_yield(); /* its thread was preempted inside the section */
        }
    }
}
