/* Unit tests for interlocked singly linked lists (SLIST_HEADER). */
#include "../rtl/verifier_capture.h"

#include <wdm.h>

typedef struct item {
    SLIST_ENTRY link;
    int value;
} item;

static void push_pop_lifo(void **state)
{
    (void)state;
    SLIST_HEADER head;
    item a = {.value = 1}, b = {.value = 2}, c = {.value = 3};
    InitializeSListHead(&head);
    assert_int_equal(QueryDepthSList(&head), 0);
    assert_null(InterlockedPopEntrySList(&head));
    assert_null(InterlockedPushEntrySList(&head, &a.link)); /* returns the previous first entry */
    assert_ptr_equal(InterlockedPushEntrySList(&head, &b.link), &a.link);
    assert_ptr_equal(InterlockedPushEntrySList(&head, &c.link), &b.link);
    assert_int_equal(QueryDepthSList(&head), 3);
    assert_ptr_equal(RtlFirstEntrySList(&head), &c.link);
    assert_ptr_equal(InterlockedPopEntrySList(&head), &c.link);
    assert_ptr_equal(InterlockedPopEntrySList(&head), &b.link);
    assert_int_equal(QueryDepthSList(&head), 1);
    assert_ptr_equal(InterlockedPopEntrySList(&head), &a.link);
    assert_null(InterlockedPopEntrySList(&head));
    assert_int_equal(QueryDepthSList(&head), 0);
}

static void flush_returns_the_chain(void **state)
{
    (void)state;
    SLIST_HEADER head;
    item items[5];
    ExInitializeSListHead(&head);
    assert_null(InterlockedFlushSList(&head));
    for (int i = 0; i < 5; i++) {
        items[i].value = i;
        ExInterlockedPushEntrySList(&head, &items[i].link, NULL);
    }
    PSLIST_ENTRY chain = InterlockedFlushSList(&head);
    assert_int_equal(ExQueryDepthSList(&head), 0);
    assert_null(InterlockedPopEntrySList(&head));
    int expected = 4;
    for (PSLIST_ENTRY e = chain; e != NULL; e = e->Next)
        assert_int_equal(CONTAINING_RECORD(e, item, link)->value, expected--);
    assert_int_equal(expected, -1);
}

static void push_list(void **state)
{
    (void)state;
    SLIST_HEADER head;
    item a, b, c, d;
    InitializeSListHead(&head);
    InterlockedPushEntrySList(&head, &d.link);
    a.link.Next = &b.link;
    b.link.Next = &c.link;
    assert_ptr_equal(InterlockedPushListSListEx(&head, &a.link, &c.link, 3), &d.link);
    assert_int_equal(QueryDepthSList(&head), 4);
    assert_ptr_equal(InterlockedPopEntrySList(&head), &a.link);
    assert_ptr_equal(InterlockedPopEntrySList(&head), &b.link);
    assert_ptr_equal(InterlockedPopEntrySList(&head), &c.link);
    assert_ptr_equal(ExInterlockedPopEntrySList(&head, NULL), &d.link);
}

static void sequence_changes_on_every_operation(void **state)
{
    (void)state;
    SLIST_HEADER head;
    item a;
    InitializeSListHead(&head);
    ULONGLONG s0 = head.HeaderX64.Sequence;
    InterlockedPushEntrySList(&head, &a.link);
    ULONGLONG s1 = head.HeaderX64.Sequence;
    InterlockedPopEntrySList(&head);
    ULONGLONG s2 = head.HeaderX64.Sequence;
    assert_true(s1 != s0 && s2 != s1);
    assert_int_equal(head.HeaderX64.Depth, 0);
    assert_true(head.HeaderX64.NextEntry == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(push_pop_lifo),
        cmocka_unit_test(flush_returns_the_chain),
        cmocka_unit_test(push_list),
        cmocka_unit_test(sequence_changes_on_every_operation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
