/* Concurrency tests for SLISTs: no entry lost or handed to two threads at once (ABA included). */
#include "../rtl/verifier_capture.h"

#include <pthread.h>

#include <wdm.h>

#define THREADS 4
#define ITEMS 64
#define ROUNDS 20000

typedef struct item {
    SLIST_ENTRY link;
    volatile LONG owner; /* 0 when in the list, else the popping thread's id */
    LONG uses;
} item;

static SLIST_HEADER head;
static item items[ITEMS];
static volatile LONG conflicts;

static void *worker(void *arg)
{
    LONG id = (LONG)(intptr_t)arg;
    PSLIST_ENTRY held[3];
    for (int r = 0; r < ROUNDS; r++) {
        /* Pop up to three entries (a pop/pop/push pattern is what makes ABA possible), then push back. */
        int n = 0;
        for (; n < 3; n++) {
            held[n] = InterlockedPopEntrySList(&head);
            if (held[n] == NULL)
                break;
            item *it = CONTAINING_RECORD(held[n], item, link);
            if (InterlockedCompareExchange(&it->owner, id, 0) != 0)
                InterlockedIncrement(&conflicts);
            it->uses++; /* plain write: TSan flags it if two threads ever own the item at once */
        }
        while (n-- > 0) {
            item *it = CONTAINING_RECORD(held[n], item, link);
            InterlockedExchange(&it->owner, 0);
            InterlockedPushEntrySList(&head, held[n]);
        }
    }
    return NULL;
}

static void no_entry_is_lost_or_shared(void **state)
{
    (void)state;
    InitializeSListHead(&head);
    for (int i = 0; i < ITEMS; i++)
        InterlockedPushEntrySList(&head, &items[i].link);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1));
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(conflicts, 0);
    assert_int_equal(QueryDepthSList(&head), ITEMS);
    int seen[ITEMS] = {0};
    LONG total_uses = 0;
    for (PSLIST_ENTRY e = InterlockedFlushSList(&head); e != NULL; e = e->Next) {
        item *it = CONTAINING_RECORD(e, item, link);
        seen[it - items]++;
        total_uses += it->uses;
    }
    for (int i = 0; i < ITEMS; i++)
        assert_int_equal(seen[i], 1);
    assert_true(total_uses > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_entry_is_lost_or_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
