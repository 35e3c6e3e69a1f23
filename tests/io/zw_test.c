/* The Zw routines: ZwCreateFile/ZwOpenFile (IOSB, kernel mode, parameter checks, relative opens),
 * ZwReadFile/ZwWriteFile/ZwDeviceIoControlFile (no access checks, always synchronous, even when
 * the driver pends), Zw{Query,Set}InformationFile (position, mode, access, the rest not
 * implemented), and what is not supported (events, APCs, EAs). */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static tdev *dev;
static owdf_pool_mark mark;

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    driver = tdrv_load("ZwTest");
    dev = tdev_create(driver, "\\Device\\ZwDev", DO_BUFFERED_IO, FALSE);
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

static NTSTATUS zw_open(const char *name, HANDLE root, ACCESS_MASK access, ULONG disposition, ULONG options,
                        HANDLE *h, IO_STATUS_BLOCK *iosb)
{
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, us(name), OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, NULL);
    return ZwCreateFile(h, access, &oa, iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, disposition, options, NULL, 0);
}

static HANDLE open_sync(ACCESS_MASK access)
{
    HANDLE h = NULL;
    IO_STATUS_BLOCK iosb;
    assert_int_equal(zw_open("\\Device\\ZwDev", NULL, access | SYNCHRONIZE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT,
                             &h, &iosb),
                     STATUS_SUCCESS);
    return h;
}

static void create_file(void **state)
{
    (void)state;
    HANDLE h = NULL;
    IO_STATUS_BLOCK iosb = {{0}, 99};
    assert_int_equal(zw_open("\\??\\GLOBALROOT\\Device\\ZwDev\\name", NULL, GENERIC_READ | SYNCHRONIZE, FILE_OPEN,
                             FILE_SYNCHRONOUS_IO_NONALERT, &h, &iosb),
                     STATUS_SUCCESS);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_OPENED); /* the driver left 0 */
    assert_true((intptr_t)h < 0);
    assert_int_equal(dev->create_mode, KernelMode);
    assert_string_equal(dev->create_name, "\\name");
    assert_int_equal(dev->create_options, (FILE_OPEN << 24) | FILE_SYNCHRONOUS_IO_NONALERT);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
    /* What the driver reports for other dispositions is passed on. */
    dev->create_information = FILE_CREATED;
    assert_int_equal(zw_open("\\Device\\ZwDev", NULL, GENERIC_READ, FILE_OPEN_IF, 0, &h, &iosb), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_CREATED);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
    dev->create_information = 0;
    /* ZwOpenFile. */
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, us("\\Device\\ZwDev"), OBJ_KERNEL_HANDLE, NULL, NULL);
    assert_int_equal(ZwOpenFile(&h, FILE_READ_DATA, &oa, &iosb, FILE_SHARE_READ, 0), STATUS_SUCCESS);
    assert_int_equal(dev->create_share, FILE_SHARE_READ);
    assert_int_equal(dev->create_options, FILE_OPEN << 24);
    assert_int_equal(dev->create_sl_flags & SL_CASE_SENSITIVE, SL_CASE_SENSITIVE); /* no OBJ_CASE_INSENSITIVE */
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
    /* A failed create reports in the IOSB too. */
    dev->create_status = STATUS_DEVICE_NOT_READY;
    assert_int_equal(zw_open("\\Device\\ZwDev", NULL, GENERIC_READ, FILE_OPEN, 0, &h, &iosb), STATUS_DEVICE_NOT_READY);
    assert_int_equal(iosb.Status, STATUS_DEVICE_NOT_READY);
    assert_null(h);
    dev->create_status = STATUS_SUCCESS;
    assert_int_equal(zw_open("\\Device\\Nope", NULL, GENERIC_READ, FILE_OPEN, 0, &h, &iosb),
                     STATUS_OBJECT_NAME_NOT_FOUND);
}

static void create_file_parameter_errors(void **state)
{
    (void)state;
    HANDLE h = (HANDLE)1;
    IO_STATUS_BLOCK iosb;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, us("\\Device\\ZwDev"), OBJ_KERNEL_HANDLE, NULL, NULL);
    assert_int_equal(ZwCreateFile(NULL, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ, NULL, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ, &oa, NULL, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_INVALID_PARAMETER);
    oa.Length = 8;
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_INVALID_PARAMETER);
    oa.Length = sizeof oa;
    oa.Attributes = 0x10000;
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_INVALID_PARAMETER);
    oa.Attributes = OBJ_KERNEL_HANDLE;
    oa.ObjectName = NULL;
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                     STATUS_OBJECT_NAME_INVALID);
    oa.ObjectName = us("\\Device\\ZwDev");
    static const struct {
        ACCESS_MASK access;
        ULONG attributes, share, disposition, options;
    } bad[] = {
        {GENERIC_READ, 0, 0, 6, 0},                                        /* disposition */
        {GENERIC_READ, 0, 0, FILE_OPEN, 0x01000000},                       /* option bits */
        {GENERIC_READ, 0, 8, FILE_OPEN, 0},                                /* share bits */
        {GENERIC_READ, 0x00010000, 0, FILE_OPEN, 0},                       /* attribute bits */
        {GENERIC_READ, 0, 0, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT},     /* no SYNCHRONIZE */
        {GENERIC_READ | SYNCHRONIZE, 0, 0, FILE_OPEN,
         FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT},        /* both */
        {GENERIC_READ, 0, 0, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE},
        {GENERIC_READ, 0, 0, FILE_OVERWRITE, FILE_DIRECTORY_FILE},
        {GENERIC_READ, 0, 0, FILE_OPEN, FILE_DELETE_ON_CLOSE},             /* without DELETE */
    };
    for (size_t i = 0; i < RTL_NUMBER_OF(bad); i++) {
        NTSTATUS status = ZwCreateFile(&h, bad[i].access, &oa, &iosb, NULL, bad[i].attributes, bad[i].share,
                                       bad[i].disposition, bad[i].options, NULL, 0);
        if (status != STATUS_INVALID_PARAMETER)
            fail_msg("case %zu: 0x%08x", i, (unsigned)status);
    }
    char ea[16] = {0};
    assert_int_equal(ZwCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, ea, sizeof ea),
                     STATUS_NOT_IMPLEMENTED);
    assert_int_equal(owdf_verifier_report_count("IO_NOT_IMPLEMENTED"), 1);
    assert_string_equal(tdev_log_string(dev), ""); /* none reached the driver */
}

static void relative_opens(void **state)
{
    (void)state;
    HANDLE root = open_sync(GENERIC_READ);
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    assert_int_equal(zw_open("child", root, GENERIC_READ, FILE_OPEN, 0, &h, &iosb), STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "child");
    assert_non_null(dev->create_related);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
    assert_int_equal(zw_open("\\abs", root, GENERIC_READ, FILE_OPEN, 0, &h, &iosb), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(zw_open("child", (HANDLE)0x44, GENERIC_READ, FILE_OPEN, 0, &h, &iosb), STATUS_INVALID_HANDLE);
    assert_int_equal(ZwClose(root), STATUS_SUCCESS);
}

static void kernel_mode_skips_access_checks(void **state)
{
    (void)state;
    HANDLE h = open_sync(FILE_READ_ATTRIBUTES); /* neither read nor write data */
    IO_STATUS_BLOCK iosb;
    char buf[4] = "abc";
    assert_int_equal(ZwWriteFile(h, NULL, NULL, NULL, &iosb, buf, 3, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 3);
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, 3, NULL, NULL), STATUS_SUCCESS);
    UCHAR in = 1, out = 0;
    assert_int_equal(ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, TDRV_IOCTL_NEEDS_BOTH, &in, 1, &out, 1),
                     STATUS_SUCCESS);
    assert_int_equal(out, 2);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 1);
    /* The same handle used from the user side would be refused (and it is a kernel handle). */
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
}

static void position_information(void **state)
{
    (void)state;
    HANDLE h = open_sync(GENERIC_READ | GENERIC_WRITE);
    IO_STATUS_BLOCK iosb;
    assert_int_equal(ZwWriteFile(h, NULL, NULL, NULL, &iosb, "1234", 4, NULL, NULL), STATUS_SUCCESS);
    FILE_POSITION_INFORMATION pos = {{{0}}};
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &pos, sizeof pos, FilePositionInformation), STATUS_SUCCESS);
    assert_int_equal(pos.CurrentByteOffset.QuadPart, 4);
    assert_int_equal(iosb.Information, sizeof pos);
    pos.CurrentByteOffset.QuadPart = 10;
    assert_int_equal(ZwSetInformationFile(h, &iosb, &pos, sizeof pos, FilePositionInformation), STATUS_SUCCESS);
    char buf[2];
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, 2, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(dev->last_offset, 10);
    LARGE_INTEGER use_pointer = {.QuadPart = -2};
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, 2, &use_pointer, NULL), STATUS_SUCCESS);
    assert_int_equal(dev->last_offset, 12);
    ULONG key = 0x1234;
    LARGE_INTEGER at = {.QuadPart = 50};
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, 2, &at, &key), STATUS_SUCCESS);
    assert_int_equal(dev->last_offset, 50);
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &pos, sizeof pos, FilePositionInformation), STATUS_SUCCESS);
    assert_int_equal(pos.CurrentByteOffset.QuadPart, 52);
    /* Errors. */
    pos.CurrentByteOffset.QuadPart = -1;
    assert_int_equal(ZwSetInformationFile(h, &iosb, &pos, sizeof pos, FilePositionInformation),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ZwSetInformationFile(h, &iosb, &pos, 4, FilePositionInformation), STATUS_INFO_LENGTH_MISMATCH);
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &pos, 4, FilePositionInformation),
                     STATUS_INFO_LENGTH_MISMATCH);
    assert_int_equal(ZwQueryInformationFile((HANDLE)0x44, &iosb, &pos, sizeof pos, FilePositionInformation),
                     STATUS_INVALID_HANDLE);
    assert_int_equal(ZwQueryInformationFile(h, NULL, &pos, sizeof pos, FilePositionInformation),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
}

static void other_information(void **state)
{
    (void)state;
    HANDLE h = open_sync(GENERIC_READ);
    IO_STATUS_BLOCK iosb;
    FILE_MODE_INFORMATION mode;
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &mode, sizeof mode, FileModeInformation), STATUS_SUCCESS);
    assert_int_equal(mode.Mode, FILE_SYNCHRONOUS_IO_NONALERT);
    FILE_ACCESS_INFORMATION access;
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &access, sizeof access, FileAccessInformation), STATUS_SUCCESS);
    assert_int_equal(access.AccessFlags, FILE_GENERIC_READ | SYNCHRONIZE);
    FILE_STANDARD_INFORMATION standard;
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &standard, sizeof standard, FileStandardInformation),
                     STATUS_NOT_IMPLEMENTED);
    assert_int_equal(ZwSetInformationFile(h, &iosb, &mode, sizeof mode, FileModeInformation), STATUS_NOT_IMPLEMENTED);
    assert_int_equal(owdf_verifier_report_count("IO_NOT_IMPLEMENTED"), 2);
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &mode, sizeof mode, (FILE_INFORMATION_CLASS)0),
                     STATUS_INVALID_INFO_CLASS);
    assert_int_equal(ZwQueryInformationFile(h, &iosb, &mode, sizeof mode, FileMaximumInformation),
                     STATUS_INVALID_INFO_CLASS);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
}

static void unsupported_arguments(void **state)
{
    (void)state;
    HANDLE h = open_sync(GENERIC_READ);
    IO_STATUS_BLOCK iosb;
    char buf[2];
    assert_int_equal(ZwReadFile(h, (HANDLE)0x88, NULL, NULL, &iosb, buf, 2, NULL, NULL), STATUS_NOT_IMPLEMENTED);
    assert_int_equal(ZwWriteFile(h, NULL, (PIO_APC_ROUTINE)1, NULL, &iosb, buf, 2, NULL, NULL),
                     STATUS_NOT_IMPLEMENTED);
    assert_int_equal(owdf_verifier_report_count("IO_NOT_IMPLEMENTED"), 2);
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, NULL, buf, 2, NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, &iosb, NULL, 2, NULL, NULL), STATUS_ACCESS_VIOLATION);
    assert_int_equal(iosb.Status, STATUS_ACCESS_VIOLATION);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(dev), "CR,CU,CL");
}

static void *complete_later(void *arg)
{
    tdev *t = arg;
    while (!tdrv_complete_one(t, STATUS_SUCCESS, 0, FALSE))
        sleep_ms(1);
    return NULL;
}

static void waits_for_a_pending_request(void **state)
{
    (void)state;
    HANDLE h = open_sync(GENERIC_READ);
    dev->pend_reads = TRUE;
    memcpy(dev->data, "late", 4);
    dev->data_length = 4;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_later, dev), 0);
    IO_STATUS_BLOCK iosb = {{0}, 0};
    char buf[8] = {0};
    assert_int_equal(ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, sizeof buf, NULL, NULL), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 4);
    assert_memory_equal(buf, "late", 4);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(ZwClose(h), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_file, setup, teardown),
        cmocka_unit_test_setup_teardown(create_file_parameter_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(relative_opens, setup, teardown),
        cmocka_unit_test_setup_teardown(kernel_mode_skips_access_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(position_information, setup, teardown),
        cmocka_unit_test_setup_teardown(other_information, setup, teardown),
        cmocka_unit_test_setup_teardown(unsupported_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(waits_for_a_pending_request, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
