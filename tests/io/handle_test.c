/* The handle table: stale handles and generations, malformed values, kernel vs user handles,
 * ObReferenceObjectByHandle's type/access checks, ZwClose of a bad handle, growth past a chunk. */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static tdev *dev;
static owdf_pool_mark mark;

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    driver = tdrv_load("HandleTest");
    dev = tdev_create(driver, "\\Device\\HandleDev", DO_BUFFERED_IO, FALSE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_open_handle_count(), 0);
    assert_int_equal(owdf_user_live_file_count(), 0);
    tdev_delete(dev);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    io_irp_cache_trim();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static HANDLE open_user(ACCESS_MASK access)
{
    HANDLE h = NULL;
    assert_int_equal(owdf_user_open("\\Device\\HandleDev", access, 0, 0, &h), STATUS_SUCCESS);
    return h;
}

static HANDLE open_kernel(ULONG attributes)
{
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE h = NULL;
    InitializeObjectAttributes(&oa, us("\\Device\\HandleDev"), OBJ_CASE_INSENSITIVE | attributes, NULL, NULL);
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, NULL, 0, 0, FILE_OPEN,
                                  FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0),
                     STATUS_SUCCESS);
    return h;
}

static void stale_handles_are_rejected(void **state)
{
    (void)state;
    HANDLE h = open_user(GENERIC_READ);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    char buf[4];
    ULONG n = 99;
    assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, &n), STATUS_INVALID_HANDLE);
    assert_int_equal(n, 0);
    assert_int_equal(owdf_user_close(h), STATUS_INVALID_HANDLE);
    PVOID object = (PVOID)1;
    assert_int_equal(ObReferenceObjectByHandle(h, 0, NULL, KernelMode, &object, NULL), STATUS_INVALID_HANDLE);
    assert_null(object);
    /* The slot is reused with another generation: the old value still does not work. */
    HANDLE h2 = open_user(GENERIC_READ);
    assert_ptr_not_equal(h, h2);
    assert_int_equal(((uintptr_t)h >> 2) & 0xfffff, ((uintptr_t)h2 >> 2) & 0xfffff); /* same slot */
    assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, &n), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_user_close(h), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_user_read(h2, buf, sizeof buf, NULL, &n), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h2), STATUS_SUCCESS);
}

static void generations_wrap_but_never_match_a_recent_close(void **state)
{
    (void)state;
    HANDLE first = open_user(GENERIC_READ);
    assert_int_equal(owdf_user_close(first), STATUS_SUCCESS);
    HANDLE previous = first;
    for (int i = 0; i < 600; i++) { /* more than the 511 generations */
        HANDLE h = open_user(GENERIC_READ);
        assert_ptr_not_equal(h, previous);
        assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
        assert_int_equal(owdf_user_close(h), STATUS_INVALID_HANDLE);
        previous = h;
    }
    tdev_log_clear(dev);
}

static void malformed_values(void **state)
{
    (void)state;
    static const uintptr_t bad[] = {
        0, 1, 2, 3, 4, 5, (uintptr_t)-1, (uintptr_t)-2, 0x7ffffffcu, 0x123456789abcull << 4,
        (uintptr_t)0x80000000u, /* kernel bit, but not sign-extended */
    };
    char buf[4];
    for (size_t i = 0; i < RTL_NUMBER_OF(bad); i++) {
        assert_int_equal(owdf_user_read((HANDLE)bad[i], buf, sizeof buf, NULL, NULL), STATUS_INVALID_HANDLE);
        assert_int_equal(owdf_user_close((HANDLE)bad[i]), STATUS_INVALID_HANDLE);
    }
    assert_string_equal(tdev_log_string(dev), "");
}

static void kernel_handles(void **state)
{
    (void)state;
    HANDLE k = open_kernel(OBJ_KERNEL_HANDLE);
    assert_true((intptr_t)k < 0); /* as on Windows */
    assert_int_equal(dev->create_mode, KernelMode);
    char buf[4];
    assert_int_equal(owdf_user_read(k, buf, sizeof buf, NULL, NULL), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_user_close(k), STATUS_INVALID_HANDLE);
    PVOID object;
    assert_int_equal(ObReferenceObjectByHandle(k, 0, NULL, UserMode, &object, NULL), STATUS_INVALID_HANDLE);
    assert_int_equal(ObReferenceObjectByHandle(k, 0, NULL, KernelMode, &object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(object);
    IO_STATUS_BLOCK iosb;
    assert_int_equal(ZwReadFile(k, NULL, NULL, NULL, &iosb, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(ZwClose(k), STATUS_SUCCESS);
    /* Without OBJ_KERNEL_HANDLE a Zw open makes a handle the user side may use. */
    HANDLE u = open_kernel(0);
    assert_true((intptr_t)u > 0);
    assert_int_equal(owdf_user_read(u, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(u), STATUS_SUCCESS);
    /* ...and the Zw routines use user handles. */
    u = open_user(GENERIC_READ);
    assert_int_equal(ZwReadFile(u, NULL, NULL, NULL, &iosb, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(ZwClose(u), STATUS_SUCCESS);
}

static void reference_by_handle_checks(void **state)
{
    (void)state;
    HANDLE h = open_user(GENERIC_READ);
    PVOID object = (PVOID)1;
    OBJECT_HANDLE_INFORMATION info;
    assert_int_equal(ObReferenceObjectByHandle(h, FILE_READ_DATA, *IoFileObjectType, UserMode, &object, &info),
                     STATUS_SUCCESS);
    assert_int_equal(((PFILE_OBJECT)object)->Type, IO_TYPE_FILE);
    assert_int_equal(info.GrantedAccess, FILE_GENERIC_READ | SYNCHRONIZE);
    assert_int_equal(info.HandleAttributes, 0);
    ObDereferenceObject(object);
    /* GENERIC_READ is mapped before the check. */
    assert_int_equal(ObReferenceObjectByHandle(h, GENERIC_READ, NULL, UserMode, &object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(object);
    /* Access the handle does not grant: refused in user mode, not checked in kernel mode. */
    object = (PVOID)1;
    assert_int_equal(ObReferenceObjectByHandle(h, FILE_WRITE_DATA, NULL, UserMode, &object, NULL),
                     STATUS_ACCESS_DENIED);
    assert_null(object);
    assert_int_equal(ObReferenceObjectByHandle(h, FILE_WRITE_DATA, NULL, KernelMode, &object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(object);
    /* Type. */
    assert_int_equal(ObReferenceObjectByHandle(h, 0, *IoDeviceObjectType, KernelMode, &object, NULL),
                     STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *IoFileObjectType, KernelMode, &object, NULL),
                     STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(ObReferenceObjectByHandle(NtCurrentThread(), 0, NULL, KernelMode, &object, NULL),
                     STATUS_INVALID_HANDLE);
    assert_int_equal(ObReferenceObjectByHandle(h, 0, NULL, KernelMode, NULL, NULL), STATUS_INVALID_PARAMETER);
    /* With a tag. */
    assert_int_equal(ObReferenceObjectByHandleWithTag(h, 0, *IoFileObjectType, KernelMode, 0x74736554, &object, NULL),
                     STATUS_SUCCESS);
    ObDereferenceObjectWithTag(object, 0x74736554);
    /* A kernel handle's attributes are reported. */
    HANDLE k = open_kernel(OBJ_KERNEL_HANDLE | OBJ_INHERIT);
    assert_int_equal(ObReferenceObjectByHandle(k, 0, NULL, KernelMode, &object, &info), STATUS_SUCCESS);
    assert_int_equal(info.HandleAttributes, OBJ_KERNEL_HANDLE | OBJ_INHERIT);
    ObDereferenceObject(object);
    assert_int_equal(ZwClose(k), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void object_outlives_its_handle(void **state)
{
    (void)state;
    HANDLE h = open_user(GENERIC_READ);
    PVOID object;
    assert_int_equal(ObReferenceObjectByHandle(h, 0, NULL, KernelMode, &object, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(dev), "CR,CU"); /* CLOSE waits for our reference */
    assert_int_equal(owdf_user_live_file_count(), 1);
    ObDereferenceObject(object);
    assert_string_equal(tdev_log_string(dev), "CR,CU,CL");
}

static void zw_close_of_a_bad_handle_is_reported(void **state)
{
    (void)state;
    HANDLE h = open_kernel(OBJ_KERNEL_HANDLE);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
    assert_int_equal(ZwClose(h), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_verifier_report_count("IO_INVALID_KERNEL_HANDLE"), 1);
    assert_int_equal(io_test_stop_calls, 1); /* Windows bug-checks: the default policy stops the driver */
    assert_string_equal(io_test_last_stop_rule, "IO_INVALID_KERNEL_HANDLE");
    assert_int_equal(ZwClose(NULL), STATUS_INVALID_HANDLE);
    assert_int_equal(owdf_verifier_report_count("IO_INVALID_KERNEL_HANDLE"), 2);
}

static void many_handles(void **state)
{
    (void)state;
    enum { N = 700 }; /* past two chunks of slots */
    static HANDLE hs[N];
    for (int i = 0; i < N; i++)
        hs[i] = open_user(GENERIC_READ);
    assert_int_equal(owdf_user_open_handle_count(), N);
    for (int i = 0; i < N; i++) {
        for (int j = i + 1; j < N; j += 97)
            assert_ptr_not_equal(hs[i], hs[j]);
    }
    for (int i = 0; i < N; i += 2)
        assert_int_equal(owdf_user_close(hs[i]), STATUS_SUCCESS);
    char buf[1];
    for (int i = 1; i < N; i += 2)
        assert_int_equal(owdf_user_read(hs[i], buf, 1, NULL, NULL), STATUS_SUCCESS);
    for (int i = 1; i < N; i += 2)
        assert_int_equal(owdf_user_close(hs[i]), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open_handle_count(), 0);
    tdev_log_clear(dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stale_handles_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(generations_wrap_but_never_match_a_recent_close, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_values, setup, teardown),
        cmocka_unit_test_setup_teardown(kernel_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(reference_by_handle_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(object_outlives_its_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(zw_close_of_a_bad_handle_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(many_handles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
