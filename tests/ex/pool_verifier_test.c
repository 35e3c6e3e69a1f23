/* Unit tests for pool misuse: overrun/underrun, double free, bad free, tag mismatch, IRQL, raise. */
#include "../rtl/verifier_capture.h"

#include <wdm.h>
#include <openwdf/pool.h>

#define TAG2 '2gaT'

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
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static void overrun_is_reported_at_free(void **state)
{
    (void)state;
    char *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 10, TAG2);
    p[10] = 'X'; /* one past the end: inside our guard, not ASan's redzone */
    ExFreePoolWithTag(p, TAG2);
    vc_expect(1, "POOL_CORRUPTION", "after the block (overrun)");
    owdf_verifier_report r = vc_last();
    assert_non_null(strstr(r.message, "tag 'Tag2'"));
    assert_non_null(strstr(r.message, "10 bytes"));
    assert_non_null(strstr(r.message, "allocated from"));
    assert_ptr_equal(r.object, p);
    assert_int_equal(vc_stops, 1);
    assert_int_equal(owdf_pool_outstanding(TAG2), 0); /* freed all the same */
}

static void underrun_is_reported_at_free(void **state)
{
    (void)state;
    char *p = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG2);
    p[-1] = 0;
    ExFreePool(p);
    vc_expect(1, "POOL_CORRUPTION", "before the block (underrun)");
}

static void both_sides(void **state)
{
    (void)state;
    char *p = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG2);
    p[-2] = 0;
    p[17] = 0;
    ExFreePool(p);
    vc_expect(1, "POOL_CORRUPTION", "underrun) and the guard after");
}

static void header_overwritten_leaks_the_block_safely(void **state)
{
    (void)state;
    char *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'rdHX');
    p[-20] ^= 0x55; /* a deeper underrun reaches the header's fields */
    ExFreePool(p);
    vc_expect(1, "POOL_CORRUPTION", "pool header before the block was overwritten");
    /* The block is not freed (its header cannot be trusted) but no longer tracked either. */
    assert_int_equal(owdf_pool_block_size(p), 0);
}

static void double_free(void **state)
{
    (void)state;
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG2);
    ExFreePool(p);
    vc_expect_none();
    ExFreePool(p);
    vc_expect(1, "POOL_DOUBLE_FREE", "already freed");
    assert_ptr_equal(vc_last().object, p);
}

static void bad_free(void **state)
{
    (void)state;
    char stack_buffer[32];
    ExFreePool(stack_buffer + 16);
    vc_expect(1, "POOL_BAD_FREE", "not a pool block");
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, TAG2);
    ExFreePool((char *)p + 16); /* interior pointer */
    vc_expect(2, "POOL_BAD_FREE", "not a pool block");
    ExFreePool(NULL);
    vc_expect(3, "POOL_BAD_FREE", "ExFreePool(NULL)");
    ExFreePool(p);
    assert_int_equal(owdf_verifier_report_count(NULL), 3);
}

static void tag_mismatch(void **state)
{
    (void)state;
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG2);
    ExFreePoolWithTag(p, 'gnrW');
    vc_expect(1, "POOL_TAG_MISMATCH", "ExFreePoolWithTag(tag 'Wrng')");
    assert_non_null(strstr(vc_last().message, "'Tag2'"));
    assert_int_equal(owdf_pool_outstanding(TAG2), 0);
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG2);
    ExFreePool2(p, 'xxxx', NULL, 0);
    vc_expect(2, "POOL_TAG_MISMATCH", "ExFreePool2");
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG2);
    ExFreePool(p); /* no tag given: nothing to compare */
    assert_int_equal(owdf_verifier_report_count(NULL), 2);
}

static void allocation_above_dispatch_level(void **state)
{
    (void)state;
    KIRQL old = KfRaiseIrql(HIGH_LEVEL);
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG2);
    KeLowerIrql(old);
    assert_null(p); /* STOP_DRIVER: the call fails */
    vc_expect(1, "DDI_ABOVE_MAX_IRQL", "ExAllocatePool2 called at IRQL 15 (maximum DISPATCH_LEVEL)");
    /* DISPATCH_LEVEL is fine for non-paged pool. */
    old = KfRaiseIrql(DISPATCH_LEVEL);
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG2);
    ExFreePool(p);
    KeLowerIrql(old);
    assert_non_null(p);
    assert_int_equal(owdf_verifier_report_count(NULL), 1);
}

static void paged_allocation_at_dispatch_level(void **state)
{
    (void)state;
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    void *p = ExAllocatePoolWithTag(PagedPool, 8, TAG2);
    KeLowerIrql(old);
    assert_null(p);
    vc_expect(1, "DDI_ABOVE_MAX_IRQL", "APC_LEVEL for paged pool");
    /* With the LOG policy the allocation proceeds. */
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_LOG);
    old = KfRaiseIrql(DISPATCH_LEVEL);
    p = ExAllocatePoolWithTag(PagedPool, 8, TAG2);
    KeLowerIrql(old);
    assert_non_null(p);
    vc_expect(2, "DDI_ABOVE_MAX_IRQL", "ExAllocatePoolWithTag");
    /* Freeing paged pool at DISPATCH_LEVEL is reported too; the block is still freed. */
    old = KfRaiseIrql(DISPATCH_LEVEL);
    ExFreePool(p);
    KeLowerIrql(old);
    vc_expect(3, "DDI_ABOVE_MAX_IRQL", "ExFreePool");
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_STOP_DRIVER);
    old = KfRaiseIrql(APC_LEVEL);
    p = ExAllocatePool2(POOL_FLAG_PAGED, 8, TAG2);
    KeLowerIrql(old);
    assert_non_null(p);
    ExFreePool(p);
    assert_int_equal(owdf_verifier_report_count(NULL), 3);
}

static void raise_on_failure(void **state)
{
    (void)state;
    owdf_pool_fail_nth(1);
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 8, TAG2));
    vc_expect(1, "POOL_ALLOCATION_RAISED", "ExAllocatePool2(8 bytes, tag 'Tag2')");
    assert_null(ExAllocatePool2(POOL_FLAG_RAISE_ON_FAILURE, 8, TAG2)); /* invalid flags raise too */
    vc_expect(2, "POOL_ALLOCATION_RAISED", NULL);
    owdf_pool_fail_nth(1);
    assert_null(ExAllocatePoolWithTag((POOL_TYPE)(NonPagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE), 8, TAG2));
    vc_expect(3, "POOL_ALLOCATION_RAISED", "ExAllocatePoolWithTag");
    owdf_pool_fail_nth(1);
    assert_null(ExAllocatePoolWithQuotaTag(NonPagedPool, 8, TAG2)); /* quota allocations raise by default */
    vc_expect(4, "POOL_ALLOCATION_RAISED", "ExAllocatePoolWithQuotaTag");
    owdf_pool_fail_nth(1);
    assert_null(ExAllocatePoolWithTag(NonPagedPool, 8, TAG2)); /* plain: just NULL */
    assert_int_equal(owdf_verifier_report_count(NULL), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(overrun_is_reported_at_free, setup, teardown),
        cmocka_unit_test_setup_teardown(underrun_is_reported_at_free, setup, teardown),
        cmocka_unit_test_setup_teardown(both_sides, setup, teardown),
        cmocka_unit_test_setup_teardown(header_overwritten_leaks_the_block_safely, setup, teardown),
        cmocka_unit_test_setup_teardown(double_free, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_free, setup, teardown),
        cmocka_unit_test_setup_teardown(tag_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(allocation_above_dispatch_level, setup, teardown),
        cmocka_unit_test_setup_teardown(paged_allocation_at_dispatch_level, setup, teardown),
        cmocka_unit_test_setup_teardown(raise_on_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
