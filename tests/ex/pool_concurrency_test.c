/* Concurrency tests for the pool: parallel allocate/free, exact per-tag accounting, concurrent snapshots. */
#include "../rtl/verifier_capture.h"

#include <pthread.h>

#include <wdm.h>
#include <openwdf/pool.h>

#define THREADS 4
#define ROUNDS 5000
#define KEEP 32

static const ULONG tags[THREADS] = {'0ruC', '1ruC', '2ruC', '3ruC'};
static volatile LONG stop_snapshots;

static void *allocator(void *arg)
{
    int id = (int)(intptr_t)arg;
    unsigned char *kept[KEEP] = {0};
    for (int r = 0; r < ROUNDS; r++) {
        int slot = r % KEEP;
        if (kept[slot] != NULL) {
            assert_int_equal(kept[slot][0], (unsigned char)id);
            ExFreePoolWithTag(kept[slot], tags[id]);
        }
        size_t size = 1 + (size_t)(r * 7 % 200);
        kept[slot] = ExAllocatePool2(r & 1 ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED, size, tags[id]);
        memset(kept[slot], id, size);
    }
    /* Leave KEEP blocks outstanding for the main thread to count, then free them. */
    for (int i = 0; i < KEEP; i++)
        ExFreePoolWithTag(kept[i], tags[id]);
    return NULL;
}

static void *snapshotter(void *arg)
{
    owdf_pool_mark mark = *(owdf_pool_mark *)arg;
    while (!ReadNoFence(&stop_snapshots)) {
        owdf_pool_snapshot(mark, NULL, 0);
        (void)owdf_pool_outstanding(0);
    }
    return NULL;
}

static void parallel_allocations_balance(void **state)
{
    (void)state;
    vc_install();
    owdf_pool_mark mark = owdf_pool_mark_now();
    pthread_t t[THREADS], s;
    pthread_create(&s, NULL, snapshotter, &mark);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, allocator, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    WriteNoFence(&stop_snapshots, 1);
    pthread_join(s, NULL);
    for (int i = 0; i < THREADS; i++) {
        owdf_pool_tag_stats st;
        assert_int_equal(owdf_pool_tag_stats_get(tags[i], &st), 0);
        assert_int_equal(st.allocations, ROUNDS);
        assert_int_equal(st.outstanding, 0);
        assert_int_equal(st.bytes, 0);
        assert_true(st.peak_bytes > 0);
    }
    vc_expect_none();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parallel_allocations_balance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
