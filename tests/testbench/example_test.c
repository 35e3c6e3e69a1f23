/*
 * example_test.c - the complete example of docs/testbench.md (the doc shows this file verbatim; the
 * test 'testbench_doc_example' fails if the two differ): a cmocka test of the echo sample driver,
 * linked into the test program with the driver stub, through the test bench.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <ntddk.h>
#include <openwdf/testbench.h>

#include "public.h" /* the echo driver's interface GUID */

/* The driver stub's entry point (it calls the driver's DriverEntry). */
DRIVER_INITIALIZE FxDriverEntry;

static void test_echo_write_then_read(void **state)
{
    (void)state;
    /* A machine with the verifier on; it records every report. */
    owdf_tb *tb = owdf_tb_create(NULL);
    assert_non_null(tb);

    /* Load the driver and give it a root-enumerated device: AddDevice, then IRP_MN_START_DEVICE. */
    owdf_tb_driver *drv;
    assert_int_equal(owdf_tb_load_driver(tb, "Echo", FxDriverEntry, &drv), STATUS_SUCCESS);
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, drv, "ROOT\\ECHO", &dev), STATUS_SUCCESS);

    /* Open the device through its interface and talk to it. */
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_DEVINTERFACE_OWDF_ECHO, 0, &h), STATUS_SUCCESS);
    ULONG bytes;
    assert_int_equal(owdf_user_write(h, "hello, driver", 13, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 13);
    char buffer[32] = {0};
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 13);
    assert_memory_equal(buffer, "hello, driver", 13);
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);

    /* What the driver printed with KdPrint. */
    assert_true(owdf_dbg_log_count_matching(owdf_tb_driver_log(drv), "Echo: DriverEntry") == 1);

    /* No verifier report so far; then remove the device, unload the driver, stop the machine:
     * 0 means no leaked pool, object, handle or device and no verifier report. On failure the
     * bench prints the reports, the driver's in-flight recorder and its debug log. */
    assert_true(owdf_tb_expect_clean(tb));
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_destroy(tb, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_write_then_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
