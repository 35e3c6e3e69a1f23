/* Unit tests for fast sections (fx_fast_section.h): fx_fast_sync does not return while a section
 * that began before it is still running, returns at once when none is, the shared slot never gets a
 * section, without membarrier every caller is sent to its atomic path, and a forked child syncs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fx_fast_section.h"

static void pause_ms(long ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

static int inside, leave, synced;

static void *hold_a_section(void *arg)
{
    (void)arg;
    unsigned slot = fx_thread_slot();
    assert_true(fx_fast_enter(slot));
    __atomic_store_n(&inside, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&leave, __ATOMIC_SEQ_CST))
        pause_ms(1); /* only a test may stay this long inside */
    fx_fast_exit(slot);
    return NULL;
}

static void *sync_now(void *arg)
{
    (void)arg;
    fx_fast_sync();
    __atomic_store_n(&synced, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void sync_waits_for_the_section_in_progress(void **state)
{
    (void)state;
    if (!fx_fast_sections_work)
        skip(); /* no membarrier here: nothing to wait for, every path is atomic */
    inside = leave = synced = 0;
    pthread_t holder, syncer;
    assert_int_equal(pthread_create(&holder, NULL, hold_a_section, NULL), 0);
    while (!__atomic_load_n(&inside, __ATOMIC_SEQ_CST))
        pause_ms(1);
    assert_int_equal(pthread_create(&syncer, NULL, sync_now, NULL), 0);
    pause_ms(50);
    assert_int_equal(__atomic_load_n(&synced, __ATOMIC_SEQ_CST), 0); /* still waiting */
    __atomic_store_n(&leave, 1, __ATOMIC_SEQ_CST);
    pthread_join(syncer, NULL);
    assert_int_equal(synced, 1);
    pthread_join(holder, NULL);
}

static void sync_without_sections_returns_at_once(void **state)
{
    (void)state;
    unsigned slot = fx_thread_slot();
    if (fx_fast_enter(slot)) /* a section of the syncing thread itself has ended: no wait */
        fx_fast_exit(slot);
    fx_fast_sync();
    for (unsigned i = 0; i < FX_THREAD_SLOTS; i++)
        assert_int_equal(fx_fast_marks[i].count % 2, 0);
}

static void shared_slot_never_enters(void **state)
{
    (void)state;
    assert_false(fx_fast_enter(FX_THREAD_SLOT_SHARED));
}

static void without_membarrier_everyone_takes_the_atomic_path(void **state)
{
    (void)state;
    int saved = fx_fast_sections_work;
    fx_fast_sections_work = 0;
    assert_false(fx_fast_enter(fx_thread_slot()));
    fx_fast_sync(); /* nothing to wait for */
    fx_fast_sections_work = saved;
}

/* A forked child (its memory is a copy; registration may not be) can still sync. */
static void sync_works_in_a_forked_child(void **state)
{
    (void)state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        fx_fast_sync();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sync_waits_for_the_section_in_progress),
        cmocka_unit_test(sync_without_sections_returns_at_once),
        cmocka_unit_test(shared_slot_never_enters),
        cmocka_unit_test(without_membarrier_everyone_takes_the_atomic_path),
        cmocka_unit_test(sync_works_in_a_forked_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
