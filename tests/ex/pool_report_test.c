/* Unit tests for pool accounting, snapshots, the leak report and its format (openwdf/pool.h). */
#include "../rtl/verifier_capture.h"

#include <stdio.h>
#include <stdlib.h>

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
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static void per_tag_accounting(void **state)
{
    (void)state;
    owdf_pool_tag_stats st;
    assert_int_equal(owdf_pool_tag_stats_get('neVr', &st), -1); /* never used */
    void *a = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, 'AccT');
    void *b = ExAllocatePool2(POOL_FLAG_NON_PAGED, 50, 'AccT');
    void *c = ExAllocatePool2(POOL_FLAG_NON_PAGED, 7, 'BccT');
    assert_int_equal(owdf_pool_outstanding('AccT'), 2);
    assert_int_equal(owdf_pool_outstanding_bytes('AccT'), 150);
    assert_int_equal(owdf_pool_outstanding('BccT'), 1);
    assert_true(owdf_pool_outstanding(0) >= 3);
    ExFreePool(a);
    assert_int_equal(owdf_pool_tag_stats_get('AccT', &st), 0);
    assert_int_equal(st.tag, 'AccT');
    assert_int_equal(st.allocations, 2);
    assert_int_equal(st.outstanding, 1);
    assert_int_equal(st.bytes, 50);
    assert_int_equal(st.peak_bytes, 150);
    ExFreePool(b);
    ExFreePool(c);
    assert_int_equal(owdf_pool_outstanding('AccT'), 0);
    assert_int_equal(owdf_pool_outstanding_bytes('AccT'), 0);
    assert_int_equal(owdf_pool_outstanding('zzzz'), 0);
}

static void snapshot_is_oldest_first_and_respects_the_mark(void **state)
{
    (void)state;
    void *before = ExAllocatePool2(POOL_FLAG_NON_PAGED, 1, 'SnpA');
    owdf_pool_mark m = owdf_pool_mark_now();
    void *x = ExAllocatePool2(POOL_FLAG_PAGED, 11, 'SnpB');
    void *y = ExAllocatePool2(POOL_FLAG_NON_PAGED, 22, 'SnpC');
    owdf_pool_block blocks[4];
    assert_int_equal(owdf_pool_snapshot(m, blocks, 4), 2);
    assert_ptr_equal(blocks[0].address, x);
    assert_int_equal(blocks[0].size, 11);
    assert_int_equal(blocks[0].tag, 'SnpB');
    assert_int_equal(blocks[0].paged, 1);
    assert_non_null(blocks[0].site);
    assert_ptr_equal(blocks[1].address, y);
    assert_true(blocks[0].sequence < blocks[1].sequence);
    assert_true(blocks[0].sequence > m);
    /* Asking for fewer still counts them all. */
    assert_int_equal(owdf_pool_snapshot(m, blocks, 1), 2);
    assert_int_equal(owdf_pool_snapshot(m, NULL, 0), 2);
    assert_int_equal(owdf_pool_snapshot(mark, NULL, 0), 3);
    ExFreePool(before);
    ExFreePool(x);
    ExFreePool(y);
    assert_int_equal(owdf_pool_snapshot(m, NULL, 0), 0);
}

static int free_visitor(const owdf_pool_block *block, void *context)
{
    int *visited = context;
    (*visited)++;
    ExFreePool((void *)block->address); /* allowed: no pool lock is held */
    return *visited == 2;               /* stop after two */
}

static void for_each_may_free_and_stop(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'Each');
    int visited = 0;
    assert_int_equal(owdf_pool_for_each(mark, free_visitor, &visited), 2);
    assert_int_equal(owdf_pool_outstanding('Each'), 1);
    visited = 0;
    assert_int_equal(owdf_pool_for_each(mark, free_visitor, &visited), 1);
    assert_int_equal(owdf_pool_outstanding('Each'), 0);
}

/* Exported with default visibility so that dladdr finds its name through -rdynamic; the store after the
 * call keeps it from being a tail call (the site must be inside this function). */
static void *volatile last_leak;
__attribute__((visibility("default"))) void *leaky_function(void);
DECLSPEC_NOINLINE void *leaky_function(void)
{
    void *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'kaeL');
    last_leak = p;
    return p;
}

static void leak_report_format(void **state)
{
    (void)state;
    void *p = leaky_function();
    void *q = ExAllocatePoolWithTag(PagedPool, 5, 0x01020304); /* non-printable tag */
    FILE *f = tmpfile();
    assert_int_equal(owdf_pool_leak_report(f, mark), 2);
    rewind(f);
    char line[512];
    char expect[128];
    assert_non_null(fgets(line, sizeof line, f));
    snprintf(expect, sizeof expect, "openwdf pool leak: tag 'Leak' size 32 at %p seq ", p);
    assert_memory_equal(line, expect, strlen(expect));
    /* Test programs link with -rdynamic, so the site is symbolized. */
    assert_non_null(strstr(line, " from leaky_function+0x"));
    assert_non_null(strstr(line, "pool_report_test"));
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "tag '....' size 5"));
    assert_non_null(fgets(line, sizeof line, f));
    snprintf(expect, sizeof expect, "openwdf pool leak: 2 block(s), 37 byte(s) outstanding since mark %llu\n",
             (unsigned long long)mark);
    assert_string_equal(line, expect);
    assert_null(fgets(line, sizeof line, f));
    fclose(f);
    ExFreePool(p);
    ExFreePool(q);
    /* Nothing outstanding: nothing printed. */
    f = tmpfile();
    assert_int_equal(owdf_pool_leak_report(f, mark), 0);
    assert_int_equal(ftell(f), 0);
    fclose(f);
}

static void tag_text(void **state)
{
    (void)state;
    char text[5];
    owdf_pool_tag_text('1gaT', text);
    assert_string_equal(text, "Tag1");
    owdf_pool_tag_text(0x7F200A41, text);
    assert_string_equal(text, "A. .");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(per_tag_accounting, setup, teardown),
        cmocka_unit_test_setup_teardown(snapshot_is_oldest_first_and_respects_the_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(for_each_may_free_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(leak_report_format, setup, teardown),
        cmocka_unit_test_setup_teardown(tag_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
