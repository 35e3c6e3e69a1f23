/* Unit tests for the WDK pool routines: flags and types, zeroing, alignment, tags, sizes, NULL cases. */
#include "../rtl/verifier_capture.h"

#include <wdm.h>
#include <openwdf/pool.h>

#define TAG 'tseT' /* "Test" */

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
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void allocate_pool2_zeroes_and_aligns(void **state)
{
    (void)state;
    for (size_t size = 1; size < 300; size += 37) {
        unsigned char *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, TAG);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(all_zero(p, size));
        assert_int_equal(owdf_pool_block_size(p), size);
        memset(p, 0xAB, size);
        ExFreePoolWithTag(p, TAG);
    }
    vc_expect_none();
}

static void cache_aligned_blocks(void **state)
{
    (void)state;
    void *a = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, 10, TAG);
    void *b = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, 10, TAG);
    void *c = ExAllocatePoolWithTag(NonPagedPoolNxCacheAligned, 10, TAG);
    assert_int_equal((uintptr_t)a % 64, 0);
    assert_int_equal((uintptr_t)b % 64, 0);
    assert_int_equal((uintptr_t)c % 64, 0);
    ExFreePool(a);
    ExFreePool(b);
    ExFreePool(c);
    vc_expect_none();
}

static void uninitialized_flag(void **state)
{
    (void)state;
    void *p = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED, 64, TAG);
    assert_non_null(p);
    memset(p, 1, 64); /* usable; contents were not promised */
    ExFreePool(p);
}

static void invalid_flags_or_tag_return_null(void **state)
{
    (void)state;
    assert_null(ExAllocatePool2(0, 16, TAG));                                           /* no pool type */
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 16, TAG));       /* two types */
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1, 16, TAG));   /* reserved bit */
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED | 0x10000, 16, TAG));               /* unknown required */
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0));                           /* zero tag */
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL, 16, TAG);   /* optional: ignored */
    assert_non_null(p);
    ExFreePool(p);
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_USE_QUOTA | POOL_FLAG_SESSION, 16, TAG);
    assert_non_null(p);
    ExFreePool(p);
    vc_expect_none();
}

static void absurd_size_returns_null(void **state)
{
    (void)state;
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)1 << 50, TAG));
    assert_null(ExAllocatePoolWithTag(NonPagedPool, (SIZE_T)-1, TAG));
}

static void zero_size_is_a_valid_block(void **state)
{
    (void)state;
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 0, TAG);
    assert_non_null(p);
    assert_int_equal(owdf_pool_block_size(p), 0);
    ExFreePoolWithTag(p, TAG);
    vc_expect_none();
}

static void older_routines(void **state)
{
    (void)state;
    unsigned char *z = ExAllocatePoolZero(NonPagedPoolNx, 32, TAG);
    assert_true(all_zero(z, 32));
    void *w = ExAllocatePoolWithTag(PagedPool, 32, TAG);
    void *u = ExAllocatePoolUninitialized(NonPagedPool, 32, TAG);
    void *q = ExAllocatePoolWithQuotaTag((POOL_TYPE)(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), 8, TAG);
    void *qz = ExAllocatePoolQuotaZero((POOL_TYPE)(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), 8, TAG);
    void *qu = ExAllocatePoolQuotaUninitialized((POOL_TYPE)(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), 8, TAG);
    void *pr = ExAllocatePoolWithTagPriority(NonPagedPool, 8, TAG, HighPoolPriority);
    unsigned char *zz = ExAllocatePoolWithTag((POOL_TYPE)(NonPagedPool | POOL_ZERO_ALLOCATION), 16, TAG);
    assert_true(all_zero(zz, 16));
    void *none = ExAllocatePool(NonPagedPool, 8);
    assert_non_null(w);
    assert_non_null(u);
    assert_non_null(q);
    assert_non_null(qz);
    assert_non_null(qu);
    assert_non_null(pr);
    assert_non_null(none);
    owdf_pool_block blocks[16];
    size_t n = owdf_pool_snapshot(mark, blocks, 16);
    assert_int_equal(n, 9);
    assert_int_equal(blocks[8].tag, 'enoN'); /* ExAllocatePool's tag is "None" */
    assert_int_equal(blocks[1].paged, 1);    /* PagedPool */
    assert_int_equal(blocks[0].paged, 0);
    ExFreePool(z);
    ExFreePool(w);
    ExFreePool(u);
    ExFreePool(q);
    ExFreePool(qz);
    ExFreePool(qu);
    ExFreePool(pr);
    ExFreePool(zz);
    ExFreePoolWithTag(none, 'enoN');
    vc_expect_none();
}

static void rejected_pool_types(void **state)
{
    (void)state;
    assert_null(ExAllocatePoolWithTag(DontUseThisType, 8, TAG));
    assert_null(ExAllocatePoolWithTag(MaxPoolType, 8, TAG));
}

static void allocate_pool3_parameters(void **state)
{
    (void)state;
    POOL_EXTENDED_PARAMETER params[2] = {0};
    params[0].Type = PoolExtendedParameterPriority;
    params[0].Priority = NormalPoolPriority;
    params[1].Type = PoolExtendedParameterSecurePool;
    params[1].Optional = 1;
    void *p = ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG, params, 2);
    assert_non_null(p);
    ExFreePool2(p, TAG, NULL, 0);
    params[1].Optional = 0; /* secure pool is not supported */
    assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG, params, 2));
    assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG, NULL, 1));
    assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG, params, 0));
    p = ExAllocatePool3(POOL_FLAG_PAGED, 8, TAG, NULL, 0);
    assert_non_null(p);
    ExFreePool(p);
    vc_expect_none();
}

static void protected_bit_is_ignored_when_freeing(void **state)
{
    (void)state;
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG | PROTECTED_POOL);
    ExFreePoolWithTag(p, TAG);
    vc_expect_none();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(allocate_pool2_zeroes_and_aligns, setup, teardown),
        cmocka_unit_test_setup_teardown(cache_aligned_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(uninitialized_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_flags_or_tag_return_null, setup, teardown),
        cmocka_unit_test_setup_teardown(absurd_size_returns_null, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_size_is_a_valid_block, setup, teardown),
        cmocka_unit_test_setup_teardown(older_routines, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_pool_types, setup, teardown),
        cmocka_unit_test_setup_teardown(allocate_pool3_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(protected_bit_is_ignored_when_freeing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
