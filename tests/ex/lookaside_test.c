/* Unit tests for lookaside lists: caching, Depth bound, custom routines, statistics, misuse reports. */
#include "../rtl/verifier_capture.h"

#include <wdm.h>
#include <openwdf/pool.h>

#define TAG 'kooL'

static owdf_pool_mark mark;

static int setup(void **state)
{
    (void)state;
    vc_install();
    mark = owdf_pool_mark_now();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    owdf_pool_fail_nth(0);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static void entries_are_reused_without_pool_calls(void **state)
{
    (void)state;
    static NPAGED_LOOKASIDE_LIST list;
    ExInitializeNPagedLookasideList(&list, NULL, NULL, POOL_NX_ALLOCATION, 100, TAG, 0);
    assert_int_equal(list.L.Depth, LOOKASIDE_DEFAULT_DEPTH);
    void *a = ExAllocateFromNPagedLookasideList(&list);
    assert_non_null(a);
    assert_int_equal((uintptr_t)a % 16, 0);
    assert_int_equal(owdf_pool_outstanding(TAG), 1);
    assert_int_equal(owdf_pool_block_size(a), 100);
    ExFreeToNPagedLookasideList(&list, a);
    assert_int_equal(owdf_pool_outstanding(TAG), 1); /* cached, still a pool block */
    owdf_pool_mark before = owdf_pool_mark_now();
    void *b = ExAllocateFromNPagedLookasideList(&list);
    assert_ptr_equal(b, a);                           /* the cached entry */
    assert_true(owdf_pool_mark_now() == before);      /* no pool allocation happened */
    assert_int_equal(list.L.TotalAllocates, 2);
    assert_int_equal(list.L.AllocateMisses, 1);
    ExFreeToNPagedLookasideList(&list, b);
    assert_int_equal(list.L.TotalFrees, 2);
    assert_int_equal(list.L.FreeMisses, 0);
    ExDeleteNPagedLookasideList(&list);
    assert_int_equal(owdf_pool_outstanding(TAG), 0); /* delete frees the cache */
    vc_expect_none();
}

static void depth_bounds_the_cache(void **state)
{
    (void)state;
    static PAGED_LOOKASIDE_LIST list;
    ExInitializePagedLookasideList(&list, NULL, NULL, 0, 24, TAG, 2);
    void *e[4];
    for (int i = 0; i < 4; i++)
        e[i] = ExAllocateFromPagedLookasideList(&list);
    assert_int_equal(owdf_pool_outstanding(TAG), 4);
    for (int i = 0; i < 4; i++)
        ExFreeToPagedLookasideList(&list, e[i]);
    assert_int_equal(QueryDepthSList(&list.L.ListHead), 2);
    assert_int_equal(owdf_pool_outstanding(TAG), 2); /* two went back to the pool */
    assert_int_equal(list.L.FreeMisses, 2);
    owdf_pool_block blocks[4];
    assert_int_equal(owdf_pool_snapshot(mark, blocks, 4), 2);
    assert_int_equal(blocks[0].paged, 1);
    ExDeletePagedLookasideList(&list);
    vc_expect_none();
}

static void small_entries_hold_a_link(void **state)
{
    (void)state;
    static NPAGED_LOOKASIDE_LIST list;
    ExInitializeNPagedLookasideList(&list, NULL, NULL, 0, 1, TAG, 0);
    assert_int_equal(list.L.Size, sizeof(SLIST_ENTRY));
    void *e = ExAllocateFromNPagedLookasideList(&list);
    ExFreeToNPagedLookasideList(&list, e);
    ExDeleteNPagedLookasideList(&list);
}

static int custom_allocs, custom_frees;
static POOL_TYPE seen_type;
static SIZE_T seen_size;
static ULONG seen_tag;
static PLOOKASIDE_LIST_EX seen_list;

static PVOID custom_allocate(POOL_TYPE type, SIZE_T size, ULONG tag)
{
    custom_allocs++;
    seen_type = type;
    seen_size = size;
    seen_tag = tag;
    return ExAllocatePoolWithTag(type, size, tag);
}

static void custom_free(PVOID buffer)
{
    custom_frees++;
    ExFreePoolWithTag(buffer, TAG);
}

static void custom_routines(void **state)
{
    (void)state;
    static NPAGED_LOOKASIDE_LIST list;
    custom_allocs = custom_frees = 0;
    ExInitializeNPagedLookasideList(&list, custom_allocate, custom_free, POOL_NX_ALLOCATION, 64, TAG, 1);
    void *a = ExAllocateFromNPagedLookasideList(&list);
    void *b = ExAllocateFromNPagedLookasideList(&list);
    assert_int_equal(custom_allocs, 2);
    assert_int_equal(seen_type, NonPagedPoolNx);
    assert_int_equal(seen_size, 64);
    assert_int_equal(seen_tag, TAG);
    ExFreeToNPagedLookasideList(&list, a);
    ExFreeToNPagedLookasideList(&list, b); /* over depth 1: custom free */
    assert_int_equal(custom_frees, 1);
    ExDeleteNPagedLookasideList(&list);
    assert_int_equal(custom_frees, 2);
}

static PVOID custom_allocate_ex(POOL_TYPE type, SIZE_T size, ULONG tag, PLOOKASIDE_LIST_EX lookaside)
{
    seen_list = lookaside;
    return custom_allocate(type, size, tag);
}

static void custom_free_ex(PVOID buffer, PLOOKASIDE_LIST_EX lookaside)
{
    seen_list = lookaside;
    custom_free(buffer);
}

static void lookaside_list_ex(void **state)
{
    (void)state;
    static LOOKASIDE_LIST_EX list;
    custom_allocs = custom_frees = 0;
    assert_int_equal(ExInitializeLookasideListEx(&list, custom_allocate_ex, custom_free_ex, NonPagedPoolNx,
                                                 EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE, 40, TAG, 0),
                     STATUS_SUCCESS);
    void *a = ExAllocateFromLookasideListEx(&list);
    assert_ptr_equal(seen_list, &list);
    assert_int_equal(seen_type, NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);
    ExFreeToLookasideListEx(&list, a);
    ExFlushLookasideListEx(&list); /* frees the cache, the list stays usable */
    assert_int_equal(custom_frees, 1);
    a = ExAllocateFromLookasideListEx(&list);
    assert_int_equal(custom_allocs, 2);
    ExFreeToLookasideListEx(&list, a);
    ExDeleteLookasideListEx(&list);
    assert_int_equal(custom_frees, 2);

    /* Default routines, paged. */
    assert_int_equal(ExInitializeLookasideListEx(&list, NULL, NULL, PagedPool, 0, 40, TAG, 0), STATUS_SUCCESS);
    a = ExAllocateFromLookasideListEx(&list);
    assert_non_null(a);
    ExFreeToLookasideListEx(&list, a);
    ExDeleteLookasideListEx(&list);
    vc_expect_none();
}

static void lookaside_list_ex_invalid_flags(void **state)
{
    (void)state;
    static LOOKASIDE_LIST_EX list;
    assert_int_equal(ExInitializeLookasideListEx(&list, NULL, NULL, NonPagedPool,
                                                 EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL |
                                                     EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE,
                                                 40, TAG, 0),
                     STATUS_INVALID_PARAMETER_5);
    assert_int_equal(ExInitializeLookasideListEx(&list, NULL, NULL, NonPagedPool, 4, 40, TAG, 0),
                     STATUS_INVALID_PARAMETER_5);
    /* RAISE_ON_FAIL: a failed refill is what Windows would raise for. */
    assert_int_equal(ExInitializeLookasideListEx(&list, NULL, NULL, NonPagedPool,
                                                 EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL, 40, TAG, 0),
                     STATUS_SUCCESS);
    owdf_pool_fail_nth(1);
    assert_null(ExAllocateFromLookasideListEx(&list));
    vc_expect(1, "POOL_ALLOCATION_RAISED", "ExAllocateFromLookasideListEx");
    ExDeleteLookasideListEx(&list);
}

static void allocation_failure_is_null(void **state)
{
    (void)state;
    static NPAGED_LOOKASIDE_LIST list;
    ExInitializeNPagedLookasideList(&list, NULL, NULL, 0, 32, TAG, 0);
    owdf_pool_fail_nth(1);
    assert_null(ExAllocateFromNPagedLookasideList(&list));
    assert_int_equal(list.L.TotalAllocates, 0);
    ExDeleteNPagedLookasideList(&list);
    vc_expect_none();
}

static void delete_with_entries_outstanding(void **state)
{
    (void)state;
    static NPAGED_LOOKASIDE_LIST list;
    ExInitializeNPagedLookasideList(&list, NULL, NULL, 0, 32, TAG, 0);
    void *a = ExAllocateFromNPagedLookasideList(&list);
    void *b = ExAllocateFromNPagedLookasideList(&list);
    ExFreeToNPagedLookasideList(&list, b);
    ExDeleteNPagedLookasideList(&list);
    vc_expect(1, "LOOKASIDE_LEAK", "1 entry (tag 'Look', 32 bytes) still allocated");
    assert_int_equal(vc_last().policy, OWDF_POLICY_LOG);
    /* Freeing to the deleted list is reported; the entry still goes back to the pool. */
    ExFreeToNPagedLookasideList(&list, a);
    vc_expect(2, "LOOKASIDE_BAD_LIST", "already deleted");
    assert_int_equal(owdf_pool_outstanding(TAG), 0);
}

static void use_of_an_uninitialized_list(void **state)
{
    (void)state;
    static NPAGED_LOOKASIDE_LIST list; /* zeroed, never initialized */
    assert_null(ExAllocateFromNPagedLookasideList(&list));
    vc_expect(1, "LOOKASIDE_BAD_LIST", "not initialized");
    int not_an_entry;
    ExFreeToNPagedLookasideList(&list, &not_an_entry); /* nothing is touched */
    vc_expect(2, "LOOKASIDE_BAD_LIST", "not initialized");
    ExDeleteNPagedLookasideList(&list);
    vc_expect(3, "LOOKASIDE_BAD_LIST", "ExDeleteNPagedLookasideList");
    ExInitializeNPagedLookasideList(&list, NULL, NULL, 0, 32, TAG, 0);
    ExDeleteNPagedLookasideList(&list);
    ExDeleteNPagedLookasideList(&list);
    vc_expect(4, "LOOKASIDE_BAD_LIST", "already deleted");
}

static void paged_list_at_dispatch_level(void **state)
{
    (void)state;
    static PAGED_LOOKASIDE_LIST list;
    ExInitializePagedLookasideList(&list, NULL, NULL, 0, 32, TAG, 0);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    void *p = ExAllocateFromPagedLookasideList(&list);
    KeLowerIrql(old);
    assert_null(p);
    vc_expect(1, "DDI_ABOVE_MAX_IRQL", "ExAllocateFromPagedLookasideList");
    ExDeletePagedLookasideList(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(entries_are_reused_without_pool_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(depth_bounds_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(small_entries_hold_a_link, setup, teardown),
        cmocka_unit_test_setup_teardown(custom_routines, setup, teardown),
        cmocka_unit_test_setup_teardown(lookaside_list_ex, setup, teardown),
        cmocka_unit_test_setup_teardown(lookaside_list_ex_invalid_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(allocation_failure_is_null, setup, teardown),
        cmocka_unit_test_setup_teardown(delete_with_entries_outstanding, setup, teardown),
        cmocka_unit_test_setup_teardown(use_of_an_uninitialized_list, setup, teardown),
        cmocka_unit_test_setup_teardown(paged_list_at_dispatch_level, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
