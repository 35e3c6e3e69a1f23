/* Unit tests for thread slots (fx_thread_slot.h): exclusive slots are never shared by live threads,
 * threads beyond them share the last one, and a slot comes back when its thread exits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "fx_thread_slot.h"

enum { THREADS = FX_THREAD_SLOTS + 4 };

static pthread_barrier_t all_numbered;
static unsigned slots[THREADS];

static void *take_slot(void *arg)
{
    unsigned *out = arg;
    *out = fx_thread_slot();
    pthread_barrier_wait(&all_numbered); /* nobody exits (gives a slot back) before all have one */
    return NULL;
}

static void live_threads_never_share_an_exclusive_slot(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    pthread_barrier_init(&all_numbered, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, take_slot, &slots[i]), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&all_numbered);
    uint64_t seen = 0;
    unsigned shared = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_true(slots[i] < FX_THREAD_SLOTS);
        if (!fx_thread_slot_is_exclusive(slots[i])) {
            shared++;
            continue;
        }
        assert_false(seen & (1ull << slots[i])); /* each exclusive slot once */
        seen |= 1ull << slots[i];
    }
    assert_int_equal(shared, THREADS - (FX_THREAD_SLOTS - 1));
}

static void *slot_of_new_thread(void *arg)
{
    *(unsigned *)arg = fx_thread_slot();
    return NULL;
}

static void slots_come_back_when_threads_exit(void **state)
{
    (void)state;
    /* The threads of the previous test are gone: a new one gets an exclusive slot again. */
    for (int round = 0; round < 3 * FX_THREAD_SLOTS; round++) {
        unsigned slot = FX_THREAD_SLOTS;
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, slot_of_new_thread, &slot), 0);
        pthread_join(t, NULL);
        assert_true(fx_thread_slot_is_exclusive(slot));
    }
    /* The calling thread keeps the slot it got. */
    unsigned mine = fx_thread_slot();
    assert_int_equal(fx_thread_slot(), mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(live_threads_never_share_an_exclusive_slot),
        cmocka_unit_test(slots_come_back_when_threads_exit),
    };
    return cmocka_run_group_tests_name("wdf_thread_slot", tests, NULL, NULL);
}
