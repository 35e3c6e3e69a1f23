/* IoCreateSymbolicLink / IoCreateUnprotectedSymbolicLink / IoDeleteSymbolicLink. */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static tdev *dev;

static int setup(void **state)
{
    io_test_setup(state);
    driver = tdrv_load("LinkTest");
    dev = tdev_create(driver, "\\Device\\LinkDev", 0, FALSE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tdev_delete(dev);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), 0);
    assert_int_equal(io_namespace_user_entry_count(), 0);
    return 0;
}

static PVOID resolve(const char *name)
{
    io_ns_result r;
    if (!NT_SUCCESS(io_namespace_lookup(us(name), 0, &r)))
        return NULL;
    PVOID object = r.object;
    io_ns_result_release(&r);
    return object;
}

static void create_and_delete(void **state)
{
    (void)state;
    assert_int_equal(IoCreateSymbolicLink(us("\\DosDevices\\LinkDev"), us("\\Device\\LinkDev")), STATUS_SUCCESS);
    /* \DosDevices, \?? and \GLOBAL?? are one directory. */
    assert_ptr_equal(resolve("\\DosDevices\\LinkDev"), dev->device);
    assert_ptr_equal(resolve("\\??\\linkdev"), dev->device);
    assert_ptr_equal(resolve("\\GLOBAL??\\LINKDEV"), dev->device);
    /* Deleting through another alias of the directory. */
    assert_int_equal(IoDeleteSymbolicLink(us("\\??\\LinkDev")), STATUS_SUCCESS);
    assert_null(resolve("\\DosDevices\\LinkDev"));
    assert_int_equal(IoDeleteSymbolicLink(us("\\??\\LinkDev")), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void collision(void **state)
{
    (void)state;
    assert_int_equal(IoCreateSymbolicLink(us("\\??\\Dup"), us("\\Device\\LinkDev")), STATUS_SUCCESS);
    assert_int_equal(IoCreateSymbolicLink(us("\\DosDevices\\DUP"), us("\\Device\\Other")),
                     STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(IoCreateUnprotectedSymbolicLink(us("\\??\\dup"), us("\\Device\\Other")),
                     STATUS_OBJECT_NAME_COLLISION);
    /* A link over a device's name collides too. */
    assert_int_equal(IoCreateSymbolicLink(us("\\Device\\LinkDev"), us("\\Device\\Other")),
                     STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(IoDeleteSymbolicLink(us("\\??\\Dup")), STATUS_SUCCESS);
}

static void unprotected_is_a_link(void **state)
{
    (void)state;
    assert_int_equal(IoCreateUnprotectedSymbolicLink(us("\\??\\Open"), us("\\Device\\LinkDev")), STATUS_SUCCESS);
    assert_ptr_equal(resolve("\\??\\Open"), dev->device);
    assert_int_equal(IoDeleteSymbolicLink(us("\\??\\Open")), STATUS_SUCCESS);
}

static void dangling_links_are_allowed(void **state)
{
    (void)state;
    assert_int_equal(IoCreateSymbolicLink(us("\\??\\Later"), us("\\Device\\NotYet")), STATUS_SUCCESS);
    assert_null(resolve("\\??\\Later"));
    tdev *later = tdev_create(driver, "\\Device\\NotYet", 0, FALSE);
    assert_ptr_equal(resolve("\\??\\Later"), later->device);
    tdev_delete(later);
    assert_null(resolve("\\??\\Later"));
    assert_int_equal(IoDeleteSymbolicLink(us("\\??\\Later")), STATUS_SUCCESS);
}

static void errors(void **state)
{
    (void)state;
    assert_int_equal(IoCreateSymbolicLink(NULL, us("\\Device\\LinkDev")), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoCreateSymbolicLink(us("\\??\\X"), NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoDeleteSymbolicLink(NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoCreateSymbolicLink(us("\\NoDir\\X"), us("\\Device\\LinkDev")), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(IoCreateSymbolicLink(us("DosDevices\\X"), us("\\Device\\LinkDev")),
                     STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(IoCreateSymbolicLink(us("\\??\\"), us("\\Device\\LinkDev")), STATUS_OBJECT_NAME_INVALID);
    /* Deleting something that is not a link. */
    assert_int_equal(IoDeleteSymbolicLink(us("\\Device\\LinkDev")), STATUS_OBJECT_TYPE_MISMATCH);
    assert_ptr_equal(resolve("\\Device\\LinkDev"), dev->device);
    assert_int_equal(IoDeleteSymbolicLink(us("\\Nope\\X")), STATUS_OBJECT_PATH_NOT_FOUND);
}

static void above_passive_is_reported(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS status = IoCreateSymbolicLink(us("\\??\\Raised"), us("\\Device\\LinkDev"));
    KeLowerIrql(old);
    assert_int_equal(owdf_verifier_report_count("PAGED_CODE_AT_DISPATCH"), 1);
    if (NT_SUCCESS(status))
        assert_int_equal(IoDeleteSymbolicLink(us("\\??\\Raised")), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(collision, setup, teardown),
        cmocka_unit_test_setup_teardown(unprotected_is_a_link, setup, teardown),
        cmocka_unit_test_setup_teardown(dangling_links_are_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(errors, setup, teardown),
        cmocka_unit_test_setup_teardown(above_passive_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
