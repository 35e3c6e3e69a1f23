/* Concurrency tests for lookaside lists: exclusive entries, exact statistics, no leaks. */
#include "../rtl/verifier_capture.h"

#include <pthread.h>

#include <wdm.h>
#include <openwdf/pool.h>

#define THREADS 4
#define ROUNDS 20000
#define TAG 'cnoC'

typedef struct entry {
    SLIST_ENTRY link; /* overwritten by the list while cached */
    LONG owner;
    LONG stamp;
} entry;

static NPAGED_LOOKASIDE_LIST list;
static LOOKASIDE_LIST_EX list_ex;
static volatile LONG conflicts;

static void *worker(void *arg)
{
    LONG id = (LONG)(intptr_t)arg;
    entry *held[4];
    for (int r = 0; r < ROUNDS; r++) {
        int n = 1 + r % 4;
        for (int i = 0; i < n; i++) {
            held[i] = (r & 1) ? ExAllocateFromLookasideListEx(&list_ex) : ExAllocateFromNPagedLookasideList(&list);
            held[i]->owner = id; /* plain writes: a double hand-out is a TSan race and a stamp mismatch */
            held[i]->stamp = r;
        }
        for (int i = 0; i < n; i++) {
            if (held[i]->owner != id || held[i]->stamp != r)
                InterlockedIncrement(&conflicts);
            if (r & 1)
                ExFreeToLookasideListEx(&list_ex, held[i]);
            else
                ExFreeToNPagedLookasideList(&list, held[i]);
        }
    }
    return NULL;
}

static void entries_are_exclusive_and_counted(void **state)
{
    (void)state;
    vc_install();
    owdf_pool_mark mark = owdf_pool_mark_now();
    ExInitializeNPagedLookasideList(&list, NULL, NULL, 0, sizeof(entry), TAG, 8);
    assert_int_equal(ExInitializeLookasideListEx(&list_ex, NULL, NULL, NonPagedPoolNx, 0, sizeof(entry), TAG, 0),
                     STATUS_SUCCESS);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1));
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(conflicts, 0);
    assert_int_equal(list.L.TotalAllocates, list.L.TotalFrees);
    assert_int_equal(list_ex.L.TotalAllocates, list_ex.L.TotalFrees);
    assert_true(QueryDepthSList(&list.L.ListHead) <= 8 + THREADS); /* the bound, give or take racing frees */
    /* Every cached entry is an outstanding pool block under the list's tag. */
    assert_int_equal(owdf_pool_outstanding(TAG),
                     QueryDepthSList(&list.L.ListHead) + QueryDepthSList(&list_ex.L.ListHead));
    ExDeleteNPagedLookasideList(&list);
    ExDeleteLookasideListEx(&list_ex);
    vc_expect_none();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entries_are_exclusive_and_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
