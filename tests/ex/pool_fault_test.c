/* Unit tests for pool fault injection: fail the n-th allocation, fail by tag. */
#include "../rtl/verifier_capture.h"

#include <wdm.h>
#include <openwdf/pool.h>

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
    owdf_pool_fail_tag(0);
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static void fail_the_nth_allocation_once(void **state)
{
    (void)state;
    uint64_t before = owdf_pool_injected_failures();
    owdf_pool_fail_nth(3);
    void *a = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'tlaF');
    void *b = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'tlaF');
    void *c = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'tlaF');
    void *d = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'tlaF');
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d); /* one-shot */
    assert_int_equal(owdf_pool_injected_failures() - before, 1);
    ExFreePool(a);
    ExFreePool(b);
    ExFreePool(d);
    vc_expect_none(); /* an injected failure is not a report */
}

static void zero_turns_it_off(void **state)
{
    (void)state;
    owdf_pool_fail_nth(1);
    owdf_pool_fail_nth(0);
    void *a = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'tlaF');
    assert_non_null(a);
    ExFreePool(a);
}

static void sweep_finds_every_allocation(void **state)
{
    (void)state;
    /* The usual verifier sweep: fail the 1st, 2nd, ... allocation of an operation until it succeeds. */
    for (unsigned long n = 1;; n++) {
        owdf_pool_fail_nth(n);
        void *p[3] = {NULL, NULL, NULL};
        bool ok = true;
        for (int i = 0; i < 3; i++) {
            p[i] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'pews');
            ok &= p[i] != NULL;
        }
        for (int i = 0; i < 3; i++)
            if (p[i] != NULL)
                ExFreePool(p[i]);
        if (ok) {
            assert_int_equal(n, 4);
            break;
        }
    }
}

static void fail_by_tag(void **state)
{
    (void)state;
    owdf_pool_fail_tag('daBx');
    assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'daBx'));
    assert_null(ExAllocatePoolWithTag(PagedPool, 8, 'daBx'));
    void *ok = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'dooG');
    assert_non_null(ok);
    ExFreePool(ok);
    owdf_pool_fail_tag(0);
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'daBx');
    assert_non_null(p);
    ExFreePool(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fail_the_nth_allocation_once, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_turns_it_off, setup, teardown),
        cmocka_unit_test_setup_teardown(sweep_finds_every_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_by_tag, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
