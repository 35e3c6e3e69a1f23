/* Synchronous user-side I/O: read/write on buffered, direct and neither devices, IOCTLs with each
 * buffer method and their copy-back, warning and error statuses, access checks, NULL buffers,
 * offsets and the file position, requestor mode, and no allocation in steady state. */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static tdev *buffered, *direct, *neither;
static owdf_pool_mark mark;

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    driver = tdrv_load("UserIoTest");
    buffered = tdev_create(driver, "\\Device\\Buffered", DO_BUFFERED_IO, FALSE);
    direct = tdev_create(driver, "\\Device\\Direct", DO_DIRECT_IO, FALSE);
    neither = tdev_create(driver, "\\Device\\Neither", 0, FALSE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_open_handle_count(), 0);
    assert_int_equal(owdf_user_live_file_count(), 0);
    tdev_delete(buffered);
    tdev_delete(direct);
    tdev_delete(neither);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    io_irp_cache_trim();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static HANDLE open_dev(const char *name, ACCESS_MASK access, ULONG flags)
{
    HANDLE h = NULL;
    assert_int_equal(owdf_user_open(name, access, 0, flags, &h), STATUS_SUCCESS);
    return h;
}

static void read_write_each_io_type(void **state)
{
    (void)state;
    const char *names[] = {"\\Device\\Buffered", "\\Device\\Direct", "\\Device\\Neither"};
    tdev *devs[] = {buffered, direct, neither};
    for (int i = 0; i < 3; i++) {
        HANDLE h = open_dev(names[i], GENERIC_READ | GENERIC_WRITE, 0);
        ULONG n = 99;
        assert_int_equal(owdf_user_write(h, "hello world", 11, NULL, &n), STATUS_SUCCESS);
        assert_int_equal(n, 11);
        assert_int_equal(devs[i]->data_length, 11);
        assert_memory_equal(devs[i]->data, "hello world", 11);
        assert_true(devs[i]->last_irp_flags & IRP_WRITE_OPERATION);
        char buf[32];
        memset(buf, 0, sizeof buf);
        assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, &n), STATUS_SUCCESS);
        assert_int_equal(n, 11);
        assert_string_equal(buf, "hello world");
        assert_int_equal(devs[i]->last_length, sizeof buf);
        assert_true(devs[i]->last_irp_flags & IRP_READ_OPERATION);
        /* A short buffer gets what fits. */
        memset(buf, '#', sizeof buf);
        assert_int_equal(owdf_user_read(h, buf, 5, NULL, &n), STATUS_SUCCESS);
        assert_int_equal(n, 5);
        assert_memory_equal(buf, "hello#", 6);
        /* Zero-length transfers reach the driver. */
        assert_int_equal(owdf_user_read(h, NULL, 0, NULL, &n), STATUS_SUCCESS);
        assert_int_equal(n, 0);
        assert_int_equal(devs[i]->last_length, 0);
        assert_int_equal(owdf_user_write(h, NULL, 0, NULL, NULL), STATUS_SUCCESS);
        assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
        assert_string_equal(tdev_log_string(devs[i]), "CR,WR,RD,RD,RD,WR,CU,CL");
    }
}

static void ioctl_each_method(void **state)
{
    (void)state;
    static const ULONG codes[] = {TDRV_IOCTL_BUFFERED, TDRV_IOCTL_IN_DIRECT, TDRV_IOCTL_OUT_DIRECT,
                                  TDRV_IOCTL_NEITHER};
    HANDLE h = open_dev("\\Device\\Buffered", GENERIC_READ | GENERIC_WRITE, 0);
    for (size_t i = 0; i < RTL_NUMBER_OF(codes); i++) {
        UCHAR in[4] = {1, 2, 3, 4};
        UCHAR out[8];
        memset(out, 0xee, sizeof out);
        ULONG n = 99;
        assert_int_equal(owdf_user_ioctl(h, codes[i], in, sizeof in, out, sizeof out, &n), STATUS_SUCCESS);
        assert_int_equal(n, 4);
        UCHAR expect[8] = {2, 3, 4, 5, 0xee, 0xee, 0xee, 0xee};
        /* Buffered: only Information bytes are copied back; the rest of the buffer is untouched. */
        assert_memory_equal(out, expect, sizeof out);
        assert_memory_equal(in, "\1\2\3\4", 4); /* input not written */
        /* Output only. */
        memset(out, 0xee, sizeof out);
        assert_int_equal(owdf_user_ioctl(h, codes[i], NULL, 0, out, sizeof out, &n), STATUS_SUCCESS);
        assert_int_equal(n, 0);
        /* Input only. */
        assert_int_equal(owdf_user_ioctl(h, codes[i], in, sizeof in, NULL, 0, &n), STATUS_SUCCESS);
        assert_int_equal(n, 0);
    }
    assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL(99, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0, NULL, 0, NULL),
                     STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void warnings_copy_errors_do_not(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\Buffered", GENERIC_READ, 0);
    UCHAR out[8];
    memset(out, 0, sizeof out);
    ULONG n = 0;
    /* STATUS_BUFFER_OVERFLOW is a warning: the Information bytes are copied. */
    assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_OVERFLOW, NULL, 0, out, 6, &n), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "\x5a\x5a\x5a\x5a\x5a\x5a\0\0", 8);
    /* STATUS_BUFFER_TOO_SMALL is an error: nothing is copied, and the count is 0. */
    memset(out, 0, sizeof out);
    n = 99;
    assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_TOO_SMALL, NULL, 0, out, 6, &n), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 0);
    assert_memory_equal(out, "\0\0\0\0\0\0\0\0", 8);
    /* A driver reporting more than the buffer: the copy is cut and reported. */
    UCHAR guarded[12];
    memset(guarded, 0, sizeof guarded);
    assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_INFO_TOO_BIG, NULL, 0, guarded, 4, &n), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("IRP_INFO_EXCEEDS_BUFFER"), 1);
    assert_memory_equal(guarded, "\x33\x33\x33\x33\0\0\0\0\0\0\0\0", 12);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void access_checks(void **state)
{
    (void)state;
    char buf[4] = {0};
    UCHAR out[4];
    HANDLE w = open_dev("\\Device\\Buffered", GENERIC_WRITE, 0);
    tdev_log_clear(buffered);
    assert_int_equal(owdf_user_read(w, buf, sizeof buf, NULL, NULL), STATUS_ACCESS_DENIED);
    assert_int_equal(owdf_user_ioctl(w, TDRV_IOCTL_NEEDS_READ, buf, 1, out, 1, NULL), STATUS_ACCESS_DENIED);
    assert_int_equal(owdf_user_ioctl(w, TDRV_IOCTL_NEEDS_BOTH, buf, 1, out, 1, NULL), STATUS_ACCESS_DENIED);
    assert_string_equal(tdev_log_string(buffered), ""); /* the driver saw none of them */
    assert_int_equal(owdf_user_write(w, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_ioctl(w, TDRV_IOCTL_NEEDS_WRITE, buf, 1, out, 1, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(w), STATUS_SUCCESS);

    HANDLE r = open_dev("\\Device\\Buffered", GENERIC_READ, 0);
    tdev_log_clear(buffered);
    assert_int_equal(owdf_user_write(r, buf, sizeof buf, NULL, NULL), STATUS_ACCESS_DENIED);
    assert_int_equal(owdf_user_ioctl(r, TDRV_IOCTL_NEEDS_WRITE, buf, 1, out, 1, NULL), STATUS_ACCESS_DENIED);
    assert_int_equal(owdf_user_ioctl(r, TDRV_IOCTL_NEEDS_BOTH, buf, 1, out, 1, NULL), STATUS_ACCESS_DENIED);
    assert_string_equal(tdev_log_string(buffered), "");
    assert_int_equal(owdf_user_read(r, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_ioctl(r, TDRV_IOCTL_NEEDS_READ, buf, 1, out, 1, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_ioctl(r, TDRV_IOCTL_BUFFERED, buf, 1, out, 1, NULL), STATUS_SUCCESS); /* any */
    assert_int_equal(owdf_user_close(r), STATUS_SUCCESS);

    /* FILE_APPEND_DATA is enough to write; FILE_READ_DATA | FILE_WRITE_DATA for both. */
    HANDLE a = open_dev("\\Device\\Buffered", FILE_APPEND_DATA, 0);
    assert_int_equal(owdf_user_write(a, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_ioctl(a, TDRV_IOCTL_NEEDS_WRITE, buf, 1, out, 1, NULL), STATUS_ACCESS_DENIED);
    assert_int_equal(owdf_user_close(a), STATUS_SUCCESS);
    HANDLE b = open_dev("\\Device\\Buffered", FILE_READ_DATA | FILE_WRITE_DATA, 0);
    assert_int_equal(owdf_user_ioctl(b, TDRV_IOCTL_NEEDS_BOTH, buf, 1, out, 1, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(b), STATUS_SUCCESS);
}

static void null_buffers(void **state)
{
    (void)state;
    const char *names[] = {"\\Device\\Buffered", "\\Device\\Direct", "\\Device\\Neither"};
    UCHAR out[4];
    for (int i = 0; i < 3; i++) {
        HANDLE h = open_dev(names[i], GENERIC_READ | GENERIC_WRITE, 0);
        ULONG n = 99;
        assert_int_equal(owdf_user_read(h, NULL, 10, NULL, &n), STATUS_ACCESS_VIOLATION);
        assert_int_equal(n, 0);
        assert_int_equal(owdf_user_write(h, NULL, 10, NULL, &n), STATUS_ACCESS_VIOLATION);
        assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_BUFFERED, NULL, 4, out, 4, &n), STATUS_ACCESS_VIOLATION);
        assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_BUFFERED, out, 4, NULL, 4, &n), STATUS_ACCESS_VIOLATION);
        assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_IN_DIRECT, NULL, 4, out, 4, &n), STATUS_ACCESS_VIOLATION);
        assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_OUT_DIRECT, out, 4, NULL, 4, &n), STATUS_ACCESS_VIOLATION);
        /* METHOD_NEITHER buffers go to the driver unprobed, as on Windows. */
        assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_NEITHER, NULL, 4, NULL, 0, &n), STATUS_SUCCESS);
        assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    }
    assert_string_equal(tdev_log_string(buffered), "CR,IO,CU,CL");
}

static void offsets_and_position(void **state)
{
    (void)state;
    char buf[8];
    ULONG n;
    HANDLE h = open_dev("\\Device\\Neither", GENERIC_READ | GENERIC_WRITE, 0); /* synchronous */
    assert_int_equal(owdf_user_write(h, "12345", 5, NULL, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 0);
    assert_int_equal(owdf_user_read(h, buf, 3, NULL, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 5); /* advanced by the write */
    LONGLONG at = 100;
    assert_int_equal(owdf_user_read(h, buf, 3, &at, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 100);
    assert_int_equal(owdf_user_read(h, buf, 2, NULL, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 103); /* explicit offset + bytes */
    LONGLONG use_pointer = -2;                   /* FILE_USE_FILE_POINTER_POSITION */
    assert_int_equal(owdf_user_read(h, buf, 1, &use_pointer, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 105);
    LONGLONG end = -1; /* FILE_WRITE_TO_END_OF_FILE: for writes only */
    assert_int_equal(owdf_user_write(h, "x", 1, &end, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, -1);
    assert_int_equal(owdf_user_read(h, buf, 1, &end, &n), STATUS_INVALID_PARAMETER);
    LONGLONG negative = -5;
    assert_int_equal(owdf_user_read(h, buf, 1, &negative, &n), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_write(h, buf, 1, &negative, &n), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);

    /* Overlapped handles keep no position. */
    h = open_dev("\\Device\\Neither", GENERIC_READ | GENERIC_WRITE, OWDF_USER_OVERLAPPED);
    assert_int_equal(owdf_user_write(h, "12345", 5, NULL, &n), STATUS_SUCCESS);
    assert_int_equal(owdf_user_read(h, buf, 3, NULL, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 0);
    at = 7;
    assert_int_equal(owdf_user_read(h, buf, 3, &at, &n), STATUS_SUCCESS);
    assert_int_equal(neither->last_offset, 7);
    assert_int_equal(owdf_user_read(h, buf, 3, &use_pointer, &n), STATUS_INVALID_PARAMETER);
    assert_false(neither->last_irp_flags & IRP_SYNCHRONOUS_API);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void requestor_mode_is_user(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\Buffered", GENERIC_READ, 0);
    UCHAR mode = 0xff;
    ULONG n;
    assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_MODE, NULL, 0, &mode, 1, &n), STATUS_SUCCESS);
    assert_int_equal(mode, UserMode);
    IO_STATUS_BLOCK iosb;
    mode = 0xff;
    assert_int_equal(ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, TDRV_IOCTL_MODE, NULL, 0, &mode, 1),
                     STATUS_SUCCESS);
    assert_int_equal(mode, KernelMode);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void no_allocation_in_steady_state(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\Neither", GENERIC_READ | GENERIC_WRITE, 0);
    char buf[16];
    UCHAR in[4] = {1, 2, 3, 4}, out[4];
    for (int i = 0; i < 10; i++) /* warm the IRP cache */
        assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    io_irp_cache_stats before, after;
    io_irp_cache_get_stats(&before);
    owdf_pool_mark m = owdf_pool_mark_now();
    for (int i = 0; i < 200; i++) {
        assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
        assert_int_equal(owdf_user_write(h, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
        assert_int_equal(owdf_user_ioctl(h, TDRV_IOCTL_NEITHER, in, 4, out, 4, NULL), STATUS_SUCCESS);
    }
    io_irp_cache_get_stats(&after);
    assert_int_equal(after.pool_allocs, before.pool_allocs);
    assert_int_equal(owdf_pool_mark_now(), m);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void bad_handles(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(owdf_user_read(NULL, buf, 4, NULL, NULL), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_user_write((HANDLE)0x44, buf, 4, NULL, NULL), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_user_ioctl((HANDLE)0x44, TDRV_IOCTL_BUFFERED, NULL, 0, NULL, 0, NULL),
                     STATUS_INVALID_HANDLE);
    /* A bad handle wins over a bad buffer (the handle is checked first, as Windows does). */
    assert_int_equal(owdf_user_read((HANDLE)0x44, NULL, 4, NULL, NULL), STATUS_INVALID_HANDLE);
}

static void above_passive_fails(void **state)
{
    (void)state;
    HANDLE h = open_dev("\\Device\\Buffered", GENERIC_READ, 0);
    char buf[4];
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_FAIL_CALL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS status = owdf_user_read(h, buf, sizeof buf, NULL, NULL);
    KeLowerIrql(old);
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", owdf_verifier_find_rule("DDI_ABOVE_MAX_IRQL")->default_policy);
    assert_int_equal(status, STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(owdf_verifier_report_count("DDI_ABOVE_MAX_IRQL"), 1);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(read_write_each_io_type, setup, teardown),
        cmocka_unit_test_setup_teardown(ioctl_each_method, setup, teardown),
        cmocka_unit_test_setup_teardown(warnings_copy_errors_do_not, setup, teardown),
        cmocka_unit_test_setup_teardown(access_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(null_buffers, setup, teardown),
        cmocka_unit_test_setup_teardown(offsets_and_position, setup, teardown),
        cmocka_unit_test_setup_teardown(requestor_mode_is_user, setup, teardown),
        cmocka_unit_test_setup_teardown(no_allocation_in_steady_state, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(above_passive_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
