/* Unit tests for the LIST_ENTRY / SINGLE_LIST_ENTRY helpers, including corruption reports. */
#include "verifier_capture.h"

#include <wdm.h>

typedef struct item {
    int value;
    LIST_ENTRY link;
} item;

static int setup(void **state)
{
    (void)state;
    vc_install();
    return 0;
}

static int value_at(PLIST_ENTRY e)
{
    return CONTAINING_RECORD(e, item, link)->value;
}

/* Walks forward and backward, checking both directions agree with `expected`. */
static void expect_list(PLIST_ENTRY head, const int *expected, size_t n)
{
    size_t i = 0;
    for (PLIST_ENTRY e = head->Flink; e != head; e = e->Flink, i++) {
        assert_true(i < n);
        assert_int_equal(value_at(e), expected[i]);
        assert_ptr_equal(e->Flink->Blink, e);
    }
    assert_int_equal(i, n);
    for (PLIST_ENTRY e = head->Blink; e != head; e = e->Blink)
        assert_int_equal(value_at(e), expected[--i]);
}

static void empty_list(void **state)
{
    (void)state;
    LIST_ENTRY head;
    InitializeListHead(&head);
    assert_true(IsListEmpty(&head));
    assert_ptr_equal(head.Flink, &head);
    assert_ptr_equal(head.Blink, &head);
    /* Removing from an empty list returns the head itself. */
    assert_ptr_equal(RemoveHeadList(&head), &head);
    assert_ptr_equal(RemoveTailList(&head), &head);
    assert_true(IsListEmpty(&head));
    vc_expect_none();
}

static void insert_head_and_tail(void **state)
{
    (void)state;
    LIST_ENTRY head;
    item a = {1}, b = {2}, c = {3};
    InitializeListHead(&head);
    InsertTailList(&head, &b.link);
    InsertHeadList(&head, &a.link);
    InsertTailList(&head, &c.link);
    assert_false(IsListEmpty(&head));
    expect_list(&head, (int[]){1, 2, 3}, 3);
    vc_expect_none();
}

static void remove_head_tail_entry(void **state)
{
    (void)state;
    LIST_ENTRY head;
    item a = {1}, b = {2}, c = {3};
    InitializeListHead(&head);
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    InsertTailList(&head, &c.link);
    assert_int_equal(value_at(RemoveHeadList(&head)), 1);
    assert_int_equal(value_at(RemoveTailList(&head)), 3);
    expect_list(&head, (int[]){2}, 1);
    /* RemoveEntryList returns TRUE when the list became empty. */
    InsertTailList(&head, &a.link);
    assert_false(RemoveEntryList(&b.link));
    assert_true(RemoveEntryList(&a.link));
    assert_true(IsListEmpty(&head));
    vc_expect_none();
}

static void append_tail_list(void **state)
{
    (void)state;
    LIST_ENTRY head, other;
    item a = {1}, b = {2}, c = {3}, d = {4};
    InitializeListHead(&head);
    InitializeListHead(&other);
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    InsertTailList(&other, &c.link);
    InsertTailList(&other, &d.link);
    /* Detach the chain from its head, then append the headless chain starting at c. */
    PLIST_ENTRY first = other.Flink;
    RemoveEntryList(&other);
    AppendTailList(&head, first);
    expect_list(&head, (int[]){1, 2, 3, 4}, 4);
    vc_expect_none();
}

static void single_list_push_pop(void **state)
{
    (void)state;
    SINGLE_LIST_ENTRY head = {NULL}, x, y;
    assert_null(PopEntryList(&head));
    PushEntryList(&head, &x);
    PushEntryList(&head, &y);
    assert_ptr_equal(PopEntryList(&head), &y);
    assert_ptr_equal(PopEntryList(&head), &x);
    assert_null(PopEntryList(&head));
}

static void remove_corrupt_entry_is_reported(void **state)
{
    (void)state;
    LIST_ENTRY head;
    item a = {1}, b = {2};
    InitializeListHead(&head);
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    a.link.Flink = &head; /* a's successor no longer points back at a: b.Blink == &a but a.Flink != &b */
    head.Blink = &b.link;
    b.link.Blink = &head; /* now head <-> a is broken on the b side */
    assert_false(RemoveEntryList(&a.link));
    vc_expect(1, "LIST_ENTRY_CORRUPT", "RemoveEntryList");
    assert_int_equal(vc_stops, 1);
    /* The operation was skipped: a still claims head as its neighbour. */
    assert_ptr_equal(a.link.Flink, &head);
}

static void insert_into_corrupt_head_is_reported(void **state)
{
    (void)state;
    LIST_ENTRY head, bogus;
    item a = {1};
    InitializeListHead(&head);
    InitializeListHead(&bogus);
    head.Blink = &bogus; /* bogus.Flink points at itself, not at head */
    InsertTailList(&head, &a.link);
    vc_expect(1, "LIST_ENTRY_CORRUPT", "InsertTailList");
    head.Blink = &head;
    head.Flink = &bogus;
    InsertHeadList(&head, &a.link);
    vc_expect(2, "LIST_ENTRY_CORRUPT", "InsertHeadList");
    assert_ptr_equal(head.Flink, &bogus);
}

static void remove_head_of_corrupt_list_is_reported(void **state)
{
    (void)state;
    LIST_ENTRY head;
    item a = {1}, b = {2};
    InitializeListHead(&head);
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    b.link.Blink = &b.link; /* a's successor does not point back at a */
    assert_ptr_equal(RemoveHeadList(&head), &head);
    vc_expect(1, "LIST_ENTRY_CORRUPT", "RemoveHeadList");
    b.link.Blink = &a.link;
    a.link.Flink = &a.link; /* b's predecessor does not point at b */
    assert_ptr_equal(RemoveTailList(&head), &head);
    vc_expect(2, "LIST_ENTRY_CORRUPT", "RemoveTailList");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(empty_list, setup),
        cmocka_unit_test_setup(insert_head_and_tail, setup),
        cmocka_unit_test_setup(remove_head_tail_entry, setup),
        cmocka_unit_test_setup(append_tail_list, setup),
        cmocka_unit_test_setup(single_list_push_pop, setup),
        cmocka_unit_test_setup(remove_corrupt_entry_is_reported, setup),
        cmocka_unit_test_setup(insert_into_corrupt_head_is_reported, setup),
        cmocka_unit_test_setup(remove_head_of_corrupt_list_is_reported, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
