/* File objects: opening by name (paths, links, remaining names), CREATE/CLEANUP/CLOSE in order,
 * create parameters, failing creates, exclusive devices, deleted and initializing devices, device
 * stacks, IoGetDeviceObjectPointer; nothing leaks on any path. */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static tdev *dev;
static owdf_pool_mark mark;

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    driver = tdrv_load("FileTest");
    dev = tdev_create(driver, "\\Device\\FileDev", DO_BUFFERED_IO, FALSE);
    assert_int_equal(IoCreateSymbolicLink(us("\\DosDevices\\FileLink"), us("\\Device\\FileDev")), STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_open_handle_count(), 0);
    assert_int_equal(owdf_user_live_file_count(), 0);
    assert_int_equal(IoDeleteSymbolicLink(us("\\DosDevices\\FileLink")), STATUS_SUCCESS);
    tdev_delete(dev);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), 0);
    io_irp_cache_trim();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static PFILE_OBJECT file_of(HANDLE h)
{
    PVOID object = NULL;
    assert_int_equal(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(object);
    return object;
}

static void open_close_order(void **state)
{
    (void)state;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_non_null(h);
    assert_string_equal(tdev_log_string(dev), "CR");
    assert_int_equal(owdf_user_open_handle_count(), 1);
    assert_int_equal(owdf_user_live_file_count(), 1);
    assert_int_equal(dev->device->ReferenceCount, 1);
    PFILE_OBJECT fo = file_of(h);
    assert_int_equal(fo->Type, IO_TYPE_FILE);
    assert_ptr_equal(fo->DeviceObject, dev->device);
    assert_true(fo->Flags & FO_SYNCHRONOUS_IO);
    assert_true(fo->Flags & FO_HANDLE_CREATED);
    assert_ptr_equal(dev->log_file[0], fo);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(dev), "CR,CU,CL");
    assert_ptr_equal(dev->log_file[1], fo);
    assert_ptr_equal(dev->log_file[2], fo);
    assert_int_equal(dev->device->ReferenceCount, 0);
    assert_int_equal(owdf_user_close(h), STATUS_INVALID_HANDLE);
}

static void two_opens_two_files(void **state)
{
    (void)state;
    HANDLE a, b;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, FILE_SHARE_READ, 0, &a), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\??\\FileLink", GENERIC_READ, FILE_SHARE_READ, 0, &b), STATUS_SUCCESS);
    assert_ptr_not_equal(a, b);
    assert_ptr_not_equal(file_of(a), file_of(b));
    assert_int_equal(dev->device->ReferenceCount, 2);
    assert_int_equal(owdf_user_close(a), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(dev), "CR,CR,CU,CL");
    assert_int_equal(dev->device->ReferenceCount, 1);
    assert_int_equal(owdf_user_close(b), STATUS_SUCCESS);
    assert_int_equal(dev->device->ReferenceCount, 0);
}

static void create_parameters(void **state)
{
    (void)state;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, 0, &h),
                     STATUS_SUCCESS);
    assert_int_equal(dev->create_access, FILE_GENERIC_READ | SYNCHRONIZE);
    assert_int_equal(dev->create_share, FILE_SHARE_READ | FILE_SHARE_WRITE);
    assert_int_equal(dev->create_options,
                     (FILE_OPEN << 24) | FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT);
    assert_int_equal(dev->create_mode, UserMode);
    assert_null(dev->create_related);
    assert_int_equal(dev->create_sl_flags & SL_CASE_SENSITIVE, 0);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);

    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_WRITE | GENERIC_READ, 0, OWDF_USER_OVERLAPPED, &h),
                     STATUS_SUCCESS);
    assert_int_equal(dev->create_access, FILE_GENERIC_READ | FILE_GENERIC_WRITE | SYNCHRONIZE);
    assert_int_equal(dev->create_options, (FILE_OPEN << 24) | FILE_NON_DIRECTORY_FILE);
    assert_false(file_of(h)->Flags & FO_SYNCHRONOUS_IO);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);

    assert_int_equal(owdf_user_open("\\Device\\FileDev", MAXIMUM_ALLOWED, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(dev->create_access, FILE_ALL_ACCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* GENERIC_ALL maps to FILE_ALL_ACCESS, GENERIC_EXECUTE to FILE_GENERIC_EXECUTE. */
    assert_int_equal(io_file_map_generic(GENERIC_ALL), FILE_ALL_ACCESS);
    assert_int_equal(io_file_map_generic(GENERIC_EXECUTE), FILE_GENERIC_EXECUTE);
    assert_int_equal(io_file_map_generic(FILE_READ_DATA | DELETE), FILE_READ_DATA | DELETE);
}

static void remaining_name_is_file_name(void **state)
{
    (void)state;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\FileDev\\sub\\x", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "\\sub\\x");
    assert_true(us_equals(&file_of(h)->FileName, "\\sub\\x"));
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\\\.\\FileLink\\abc", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "\\abc");
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "");
    assert_int_equal(file_of(h)->FileName.Length, 0);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void open_paths(void **state)
{
    (void)state;
    static const char *good[] = {
        "\\\\.\\FileLink", "//./FileLink", "\\\\./FileLink", "\\\\?\\FileLink", "\\??\\FileLink",
        "\\DosDevices\\FileLink", "\\GLOBAL??\\filelink", "\\Device\\FileDev", "\\??\\GLOBALROOT\\Device\\FileDev",
        "\\\\.\\GLOBALROOT\\Device\\FileDev",
    };
    for (size_t i = 0; i < RTL_NUMBER_OF(good); i++) {
        HANDLE h = NULL;
        NTSTATUS status = owdf_user_open(good[i], GENERIC_READ, 0, 0, &h);
        if (status != STATUS_SUCCESS)
            fail_msg("%s: 0x%08x", good[i], (unsigned)status);
        assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    }
    /* Win32 device paths read '/' as '\'; "\\?\" paths do not. */
    HANDLE h = (HANDLE)1;
    assert_int_equal(owdf_user_open("//./FileLink/abc", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "\\abc");
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\\\?\\FileLink/abc", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_null(h);
    /* Errors. */
    assert_int_equal(owdf_user_open("FileLink", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(owdf_user_open("", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(owdf_user_open("\\\\server\\share", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(owdf_user_open("\\\\.\\", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(owdf_user_open("\\Device\\\xff\xfe", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(owdf_user_open("\\\\.\\NoSuch", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(owdf_user_open("\\NoDir\\X", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(owdf_user_open("\\Device", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(owdf_user_open("\\Driver\\FileTest", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(owdf_user_open(NULL, GENERIC_READ, 0, 0, &h), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0x100, &h), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0x80, 0, &h), STATUS_INVALID_PARAMETER);
    assert_null(h);
    /* A name longer than the inline conversion buffer. */
    char long_name[1200];
    int n = snprintf(long_name, sizeof long_name, "\\Device\\FileDev\\");
    memset(long_name + n, 'q', sizeof long_name - (size_t)n - 1);
    long_name[sizeof long_name - 1] = 0;
    assert_int_equal(owdf_user_open(long_name, GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(strlen(dev->create_name), 255); /* the driver's copy is capped */
    assert_int_equal(file_of(h)->FileName.Length, (sizeof long_name - 1 - 15) * sizeof(WCHAR));
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* Nothing reached the driver for the failures. */
    assert_int_equal(dev->log_count, 3 * (RTL_NUMBER_OF(good) + 2));
}

static void failing_create(void **state)
{
    (void)state;
    dev->create_status = STATUS_ACCESS_DENIED;
    HANDLE h = (HANDLE)1;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_ACCESS_DENIED);
    assert_null(h);
    assert_string_equal(tdev_log_string(dev), "CR"); /* no CLEANUP, no CLOSE */
    assert_int_equal(owdf_user_live_file_count(), 0);
    assert_int_equal(dev->device->ReferenceCount, 0);
    /* Another failure status is passed through as it is. */
    dev->create_status = STATUS_SHARING_VIOLATION;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_SHARING_VIOLATION);
    /* STATUS_REPARSE is not followed: openwdf has no reparse points. */
    dev->create_status = STATUS_REPARSE;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_string_equal(tdev_log_string(dev), "CR,CR,CR");
    dev->create_status = STATUS_SUCCESS;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void exclusive_device(void **state)
{
    (void)state;
    tdev *ex = tdev_create(driver, "\\Device\\Exclusive", 0, TRUE);
    HANDLE a, b = (HANDLE)1;
    assert_int_equal(owdf_user_open("\\Device\\Exclusive", GENERIC_READ, 0, 0, &a), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\Device\\Exclusive", GENERIC_READ, 0, 0, &b), STATUS_ACCESS_DENIED);
    assert_null(b);
    assert_string_equal(tdev_log_string(ex), "CR");
    /* A relative open (ZwCreateFile with RootDirectory) is not refused. */
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    InitializeObjectAttributes(&oa, us("rel"), OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, a, NULL);
    HANDLE k;
    assert_int_equal(ZwCreateFile(&k, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, NULL, 0, 0, FILE_OPEN,
                                  FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0),
                     STATUS_SUCCESS);
    assert_string_equal(ex->create_name, "rel");
    assert_ptr_equal(ex->create_related, file_of(a));
    assert_int_equal(ex->device->ReferenceCount, 2);
    assert_int_equal(ZwClose(k), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(a), STATUS_SUCCESS);
    assert_int_equal(ex->device->ReferenceCount, 0);
    assert_int_equal(owdf_user_open("\\Device\\Exclusive", GENERIC_READ, 0, 0, &b), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(b), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(ex), "CR,CR,CU,CL,CU,CL,CR,CU,CL");
    tdev_delete(ex);
}

static void initializing_and_deleted_devices(void **state)
{
    (void)state;
    PDEVICE_OBJECT raw;
    assert_int_equal(IoCreateDevice(driver, sizeof(tdev *), us("\\Device\\NotReady"), FILE_DEVICE_UNKNOWN, 0, FALSE,
                                    &raw),
                     STATUS_SUCCESS);
    *(tdev **)raw->DeviceExtension = dev; /* if it were called, it would log on dev */
    HANDLE h = (HANDLE)1;
    assert_int_equal(owdf_user_open("\\Device\\NotReady", GENERIC_READ, 0, 0, &h), STATUS_NO_SUCH_DEVICE);
    assert_null(h);
    assert_int_equal(raw->ReferenceCount, 0);
    IoDeleteDevice(raw);

    /* A device deleted while open: its name is gone, its open files still work to the end, and a
     * relative open through one of them finds it deleting. */
    tdev *doomed = tdev_create(driver, "\\Device\\Doomed", 0, FALSE);
    assert_int_equal(owdf_user_open("\\Device\\Doomed", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    IoDeleteDevice(doomed->device);
    HANDLE again = (HANDLE)1;
    assert_int_equal(owdf_user_open("\\Device\\Doomed", GENERIC_READ, 0, 0, &again), STATUS_OBJECT_NAME_NOT_FOUND);
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    InitializeObjectAttributes(&oa, us("x"), OBJ_KERNEL_HANDLE, h, NULL);
    assert_int_equal(ZwCreateFile(&again, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_NO_SUCH_DEVICE);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(doomed), "CR,CU,CL");
    pthread_mutex_destroy(&doomed->log_lock);
    free(doomed);
}

static void stacks_send_to_the_top(void **state)
{
    (void)state;
    tdev *filter = tdev_create(driver, NULL, DO_BUFFERED_IO, FALSE);
    assert_non_null(IoAttachDeviceToDeviceStack(filter->device, dev->device));
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\FileDev", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(filter), "CR");
    assert_string_equal(tdev_log_string(dev), "");
    assert_ptr_equal(file_of(h)->DeviceObject, dev->device); /* the device opened, not the top */
    assert_ptr_equal(IoGetRelatedDeviceObject(file_of(h)), filter->device);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(filter), "CR,CU,CL");
    IoDetachDevice(dev->device);
    tdev_delete(filter);
}

static void get_device_object_pointer(void **state)
{
    (void)state;
    tdev *filter = tdev_create(driver, NULL, 0, FALSE);
    assert_non_null(IoAttachDeviceToDeviceStack(filter->device, dev->device));
    PFILE_OBJECT fo;
    PDEVICE_OBJECT top;
    assert_int_equal(IoGetDeviceObjectPointer(us("\\??\\FileLink"), FILE_READ_DATA, &fo, &top), STATUS_SUCCESS);
    assert_ptr_equal(top, filter->device);
    assert_ptr_equal(fo->DeviceObject, dev->device);
    assert_string_equal(tdev_log_string(filter), "CR,CU"); /* the handle Windows opens is closed at once */
    assert_int_equal(filter->create_mode, KernelMode);
    assert_int_equal(owdf_user_open_handle_count(), 0);
    assert_int_equal(owdf_user_live_file_count(), 1);
    ObDereferenceObject(fo);
    assert_string_equal(tdev_log_string(filter), "CR,CU,CL");
    assert_int_equal(owdf_user_live_file_count(), 0);

    assert_int_equal(IoGetDeviceObjectPointer(us("\\Device\\Missing"), FILE_READ_DATA, &fo, &top),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(IoGetDeviceObjectPointer(NULL, FILE_READ_DATA, &fo, &top), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoGetDeviceObjectPointer(us("\\Device\\FileDev"), FILE_READ_DATA, NULL, &top),
                     STATUS_INVALID_PARAMETER);
    filter->create_status = STATUS_DEVICE_NOT_READY;
    assert_int_equal(IoGetDeviceObjectPointer(us("\\Device\\FileDev"), FILE_READ_DATA, &fo, &top),
                     STATUS_DEVICE_NOT_READY);
    IoDetachDevice(dev->device);
    tdev_delete(filter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(open_close_order, setup, teardown),
        cmocka_unit_test_setup_teardown(two_opens_two_files, setup, teardown),
        cmocka_unit_test_setup_teardown(create_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(remaining_name_is_file_name, setup, teardown),
        cmocka_unit_test_setup_teardown(open_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_create, setup, teardown),
        cmocka_unit_test_setup_teardown(exclusive_device, setup, teardown),
        cmocka_unit_test_setup_teardown(initializing_and_deleted_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(stacks_send_to_the_top, setup, teardown),
        cmocka_unit_test_setup_teardown(get_device_object_pointer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
