/*
 * Unit tests for WDFCOLLECTION: order, lookups by index, removal by object and by index, the
 * reference the collection holds on each item (an item deleted by the driver stays allocated until
 * the collection lets go), growth, and the reports for removing what is not there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

static int destroyed;
static void count_destroy(WDFOBJECT object)
{
    (void)object;
    destroyed++;
}

static WDFOBJECT make_item(void)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.EvtDestroyCallback = count_destroy;
    WDFOBJECT object;
    assert_int_equal(WdfObjectCreate(&attributes, &object), STATUS_SUCCESS);
    return object;
}

static void add_get_and_order(void **state)
{
    (void)state;
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionGetCount(c), 0);
    assert_null(WdfCollectionGetFirstItem(c));
    assert_null(WdfCollectionGetLastItem(c));
    assert_null(WdfCollectionGetItem(c, 0));
    WDFOBJECT items[3] = {make_item(), make_item(), make_item()};
    for (int i = 0; i < 3; i++)
        assert_int_equal(WdfCollectionAdd(c, items[i]), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionGetCount(c), 3);
    assert_ptr_equal(WdfCollectionGetFirstItem(c), items[0]);
    assert_ptr_equal(WdfCollectionGetLastItem(c), items[2]);
    assert_ptr_equal(WdfCollectionGetItem(c, 1), items[1]);
    assert_null(WdfCollectionGetItem(c, 3));

    WdfCollectionRemove(c, items[1]);
    assert_int_equal(WdfCollectionGetCount(c), 2);
    assert_ptr_equal(WdfCollectionGetItem(c, 1), items[2]);
    WdfCollectionRemoveItem(c, 0);
    assert_ptr_equal(WdfCollectionGetFirstItem(c), items[2]);
    assert_int_equal(WdfCollectionGetCount(c), 1);
    assert_no_reports();
    for (int i = 0; i < 3; i++)
        WdfObjectDelete(items[i]);
    WdfObjectDelete(c);
}

static void collection_holds_a_reference(void **state)
{
    (void)state;
    destroyed = 0;
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    WDFOBJECT item = make_item();
    assert_int_equal(WdfCollectionAdd(c, item), STATUS_SUCCESS);
    WdfObjectDelete(item);
    assert_int_equal(destroyed, 0); /* still referenced by the collection */
    assert_ptr_equal(WdfCollectionGetFirstItem(c), item);
    WdfObjectDelete(c); /* releases it */
    assert_int_equal(destroyed, 1);

    /* Remove releases too. */
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    item = make_item();
    assert_int_equal(WdfCollectionAdd(c, item), STATUS_SUCCESS);
    WdfObjectDelete(item);
    WdfCollectionRemove(c, item);
    assert_int_equal(destroyed, 2);
    WdfObjectDelete(c);
}

static void grows_past_its_first_block(void **state)
{
    (void)state;
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    WDFOBJECT items[40];
    for (int i = 0; i < 40; i++) {
        items[i] = make_item();
        assert_int_equal(WdfCollectionAdd(c, items[i]), STATUS_SUCCESS);
    }
    assert_int_equal(WdfCollectionGetCount(c), 40);
    for (ULONG i = 0; i < 40; i++)
        assert_ptr_equal(WdfCollectionGetItem(c, i), items[i]);
    /* The same object twice is two entries. */
    assert_int_equal(WdfCollectionAdd(c, items[0]), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionGetCount(c), 41);
    for (int i = 0; i < 40; i++)
        WdfObjectDelete(items[i]);
    WdfObjectDelete(c);
}

static void removing_what_is_not_there_is_reported(void **state)
{
    (void)state;
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    WDFOBJECT item = make_item();
    WdfCollectionRemove(c, item);
    assert_one_report("COLLECTION_ITEM_NOT_FOUND");
    WdfCollectionRemoveItem(c, 0);
    assert_one_report("COLLECTION_ITEM_NOT_FOUND");
    WdfObjectDelete(item);
    WdfObjectDelete(c);
}

static void bad_handles_and_parameters(void **state)
{
    (void)state;
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionAdd(c, NULL), STATUS_INVALID_HANDLE);
    assert_one_report("NULL_REQUIRED_PARAM");
    WDFOBJECT item = make_item();
    assert_int_equal(WdfCollectionGetCount((WDFCOLLECTION)item), 0);
    assert_one_report("WRONG_HANDLE_TYPE");
    assert_int_equal(WdfCollectionAdd((WDFCOLLECTION)item, item), STATUS_INVALID_HANDLE);
    assert_one_report("WRONG_HANDLE_TYPE");
    WdfObjectDelete(item);
    assert_int_equal(WdfCollectionAdd(c, item), STATUS_INVALID_HANDLE); /* deleted: stale */
    assert_one_report("STALE_HANDLE");
    WdfObjectDelete(c);
}

static void add_out_of_memory_keeps_no_reference(void **state)
{
    (void)state;
    destroyed = 0;
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
    WDFOBJECT item = make_item();
    owdf_pool_fail_tag('CxFW');
    assert_int_equal(WdfCollectionAdd(c, item), STATUS_INSUFFICIENT_RESOURCES);
    owdf_pool_fail_tag(0);
    assert_int_equal(WdfCollectionGetCount(c), 0);
    WdfObjectDelete(item);
    assert_int_equal(destroyed, 1);
    WdfObjectDelete(c);
}

static void collection_goes_with_its_parent(void **state)
{
    (void)state;
    destroyed = 0;
    WDFOBJECT parent = make_item();
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    WDFCOLLECTION c;
    assert_int_equal(WdfCollectionCreate(&attributes, &c), STATUS_SUCCESS);
    WDFOBJECT item = make_item();
    assert_int_equal(WdfCollectionAdd(c, item), STATUS_SUCCESS);
    WdfObjectDelete(item);
    WdfObjectDelete(parent);
    assert_int_equal(destroyed, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SUPPORT_TEST(add_get_and_order),
        SUPPORT_TEST(collection_holds_a_reference),
        SUPPORT_TEST(grows_past_its_first_block),
        SUPPORT_TEST(removing_what_is_not_there_is_reported),
        SUPPORT_TEST(bad_handles_and_parameters),
        SUPPORT_TEST(add_out_of_memory_keeps_no_reference),
        SUPPORT_TEST(collection_goes_with_its_parent),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
