/*
 * echo_so_test.c - the echo driver as a driver author ships it: drivers/echo/echo.so, built out of
 * tree by openwdf-cc (a meson custom_target), loaded by the test bench with dlopen
 * (owdf_tb_load_driver_file finds the stub's FxDriverEntry). This program links the shared
 * libopenwdf, as the driver binary does, so both use the one Framework in the process.
 *
 *   echo_so_test PATH/echo.so
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ntddk.h>
#include <initguid.h> /* the test's own copy of the echo GUID: echo.so keeps its symbols local */
#include <openwdf/io.h>
#include <openwdf/testbench.h>

#include "public.h"

static const char *echo_so_path;

static void run_variant(ULONG sync_mode, const char *log_text)
{
    owdf_tb *tb = owdf_tb_create(NULL);
    assert_non_null(tb);
    assert_int_equal(owdf_tb_set_parameter_dword(tb, "Echo", ECHO_PARAM_SYNC_MODE, sync_mode), STATUS_SUCCESS);
    owdf_tb_driver *drv;
    assert_int_equal(owdf_tb_load_driver_file(tb, "Echo", echo_so_path, &drv), STATUS_SUCCESS);
    assert_int_equal(owdf_dbg_log_count_matching(owdf_tb_driver_log(drv), log_text), 1);
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, drv, "ROOT\\ECHO", &dev), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_DEVINTERFACE_OWDF_ECHO, 0, &h), STATUS_SUCCESS);
    unsigned char out[30 * 1024], in[30 * 1024];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (unsigned char)(i * 13 + 1);
    ULONG bytes;
    assert_int_equal(owdf_user_write(h, out, sizeof out, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof out);
    assert_int_equal(owdf_user_read(h, in, sizeof in, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, sizeof in);
    assert_memory_equal(in, out, sizeof out);
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);
    /* Unloaded with its device present: removed first, then unloaded, then dlclose'd. */
    assert_int_equal(owdf_tb_unload_driver(drv), STATUS_SUCCESS);
    assert_null(owdf_io_find_driver("Echo"));
    assert_int_equal(owdf_tb_destroy(tb, NULL), 0);
}

static void test_echo_so_queue_sync(void **state)
{
    (void)state;
    run_variant(ECHO_SYNC_QUEUE, "queue-level synchronization");
}

static void test_echo_so_driver_sync(void **state)
{
    (void)state;
    run_variant(ECHO_SYNC_DRIVER, "driver-managed synchronization");
}

static void test_echo_so_loaded_twice(void **state)
{
    (void)state;
    owdf_tb *tb = owdf_tb_create(NULL);
    assert_non_null(tb);
    owdf_tb_driver *a, *b;
    assert_int_equal(owdf_tb_load_driver_file(tb, "Echo", echo_so_path, &a), STATUS_SUCCESS);
    /* One service name, one driver. */
    assert_int_equal(owdf_tb_load_driver_file(tb, "Echo", echo_so_path, &b), STATUS_IMAGE_ALREADY_LOADED);
    assert_null(b);
    assert_int_equal(owdf_tb_destroy(tb, NULL), 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH/echo.so\n", argv[0]);
        return 2;
    }
    echo_so_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_so_queue_sync),
        cmocka_unit_test(test_echo_so_driver_sync),
        cmocka_unit_test(test_echo_so_loaded_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
