/*
 * testbench_test.c - the test bench itself (include/openwdf/testbench.h): life cycle and leak audit,
 * report counting, fault injection, the root bus's answers, stack building with filters in order,
 * the removal sequences (orderly, vetoed, with open handles, surprise), unloading with devices
 * present, loading binaries, diagnostics. The drivers are small WDM drivers defined here (one
 * function driver "TbFunc" and filters "TbFiltA"/"TbFiltB" sharing its code), so the order of every
 * AddDevice and PnP IRP they see can be checked exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ntddk.h>
#include <initguid.h>
#include <pthread.h>

#include <openwdf/io.h>
#include <openwdf/pool.h>
#include <openwdf/testbench.h>

#include "io/io_names.h" /* io_device_instance_path */

/* {5d7a09a6-3c1e-4a55-9b0c-2f4b8e7d6c11} */
DEFINE_GUID(GUID_TB_TEST_IFACE, 0x5d7a09a6, 0x3c1e, 0x4a55, 0x9b, 0x0c, 0x2f, 0x4b, 0x8e, 0x7d, 0x6c, 0x11);

/* ---- event log --------------------------------------------------------------------------------- */

#define LOG_MAX 128
static char log_entries[LOG_MAX][48];
static size_t log_count;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void tlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tlog(const char *fmt, ...)
{
    pthread_mutex_lock(&log_lock);
    if (log_count < LOG_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(log_entries[log_count++], sizeof log_entries[0], fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&log_lock);
}

/* Index of the first entry equal to `event` at or after `from`, or -1. */
static int log_find(const char *event, int from)
{
    for (size_t i = (size_t)from; i < log_count; i++) {
        if (strcmp(log_entries[i], event) == 0)
            return (int)i;
    }
    return -1;
}

static void log_dump(void)
{
    for (size_t i = 0; i < log_count; i++)
        fprintf(stderr, "  log %2zu: %s\n", i, log_entries[i]);
}

/* The events appear in this order (others may come between). */
#define assert_log_order(...) assert_log_order_at(__LINE__, __VA_ARGS__, NULL)
static void assert_log_order_at(int line, ...)
{
    va_list ap;
    va_start(ap, line);
    int at = 0;
    const char *event;
    while ((event = va_arg(ap, const char *)) != NULL) {
        int found = log_find(event, at);
        if (found < 0) {
            fprintf(stderr, "line %d: \"%s\" not found (in order)\n", line, event);
            log_dump();
            va_end(ap);
            fail();
        }
        at = found + 1;
    }
    va_end(ap);
}

/* ---- the WDM test drivers ------------------------------------------------------------------------ */

typedef struct stack_ext {
    PDEVICE_OBJECT lower;
    UNICODE_STRING iface;    /* function driver only */
    BOOLEAN function;
    char name[16];
} stack_ext;

static NTSTATUS func_query_remove_status = STATUS_SUCCESS;
static NTSTATUS func_add_status = STATUS_SUCCESS;
static BOOLEAN func_leak_block;
#define TB_TEST_TAG 'tseT'

static NTSTATUS forward(stack_ext *ext, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(ext->lower, irp);
}

static NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS stack_pnp(PDEVICE_OBJECT device, stack_ext *ext, PIRP irp, UCHAR minor)
{
    switch (minor) {
    case IRP_MN_START_DEVICE: {
        tlog("start:%s", ext->name);
        if (!IoForwardIrpSynchronously(ext->lower, irp))
            return complete(irp, STATUS_UNSUCCESSFUL, 0);
        NTSTATUS status = irp->IoStatus.Status;
        if (NT_SUCCESS(status) && ext->function && ext->iface.Buffer != NULL)
            status = IoSetDeviceInterfaceState(&ext->iface, TRUE);
        tlog("started:%s", ext->name);
        return complete(irp, status, 0);
    }
    case IRP_MN_QUERY_REMOVE_DEVICE:
        tlog("query_remove:%s", ext->name);
        if (ext->function && !NT_SUCCESS(func_query_remove_status))
            return complete(irp, func_query_remove_status, 0);
        irp->IoStatus.Status = STATUS_SUCCESS;
        return forward(ext, irp);
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        tlog("cancel_remove:%s", ext->name);
        irp->IoStatus.Status = STATUS_SUCCESS;
        return forward(ext, irp);
    case IRP_MN_SURPRISE_REMOVAL:
        tlog("surprise:%s", ext->name);
        if (ext->function && ext->iface.Buffer != NULL)
            (void)IoSetDeviceInterfaceState(&ext->iface, FALSE);
        irp->IoStatus.Status = STATUS_SUCCESS;
        return forward(ext, irp);
    case IRP_MN_REMOVE_DEVICE: {
        tlog("remove:%s", ext->name);
        if (ext->function && ext->iface.Buffer != NULL) {
            (void)IoSetDeviceInterfaceState(&ext->iface, FALSE);
            RtlFreeUnicodeString(&ext->iface);
        }
        /* Detached before the IRP goes down: openwdf's I/O manager deletes a device at once (with a
         * DEVICE_DELETED_WHILE_ATTACHED report if something is still attached to it), so the
         * driver below may delete its device before this one would detach on the way back. */
        irp->IoStatus.Status = STATUS_SUCCESS;
        PDEVICE_OBJECT lower = ext->lower;
        IoDetachDevice(lower);
        IoSkipCurrentIrpStackLocation(irp);
        NTSTATUS status = IoCallDriver(lower, irp);
        IoDeleteDevice(device);
        return status;
    }
    default:
        return forward(ext, irp);
    }
}

static NTSTATUS stack_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    stack_ext *ext = device->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    switch (stack->MajorFunction) {
    case IRP_MJ_PNP:
        return stack_pnp(device, ext, irp, stack->MinorFunction);
    case IRP_MJ_CREATE:
        tlog("create:%s", ext->name);
        return ext->function ? complete(irp, STATUS_SUCCESS, 0) : forward(ext, irp);
    case IRP_MJ_CLEANUP:
    case IRP_MJ_CLOSE:
        return ext->function ? complete(irp, STATUS_SUCCESS, 0) : forward(ext, irp);
    case IRP_MJ_READ:
        return ext->function ? complete(irp, STATUS_SUCCESS, 0) : forward(ext, irp);
    default:
        return forward(ext, irp);
    }
}

static NTSTATUS stack_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo)
{
    const char *name = owdf_io_driver_name(driver);
    BOOLEAN function = strcmp(name, "TbFunc") == 0;
    if (function) {
        if (!NT_SUCCESS(func_add_status))
            return func_add_status;
        if (func_leak_block)
            (void)ExAllocatePool2(POOL_FLAG_NON_PAGED, 24, TB_TEST_TAG); /* deliberately leaked */
        PVOID probe = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'borP'); /* fault-injection target */
        if (probe == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        ExFreePoolWithTag(probe, 'borP');
    }
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(driver, sizeof(stack_ext), NULL, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                                     FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    stack_ext *ext = fdo->DeviceExtension;
    memset(ext, 0, sizeof *ext);
    ext->function = function;
    snprintf(ext->name, sizeof ext->name, "%s", name);
    if (function) {
        status = IoRegisterDeviceInterface(pdo, &GUID_TB_TEST_IFACE, NULL, &ext->iface);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(fdo);
            return status;
        }
    }
    ext->lower = IoAttachDeviceToDeviceStack(fdo, pdo);
    if (ext->lower == NULL) {
        if (ext->iface.Buffer != NULL)
            RtlFreeUnicodeString(&ext->iface);
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    tlog("add:%s", name);
    return STATUS_SUCCESS;
}

static void stack_unload(PDRIVER_OBJECT driver)
{
    tlog("unload:%s", owdf_io_driver_name(driver));
}

static NTSTATUS stack_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNREFERENCED_PARAMETER(registry_path);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = stack_dispatch;
    driver->DriverExtension->AddDevice = stack_add_device;
    driver->DriverUnload = stack_unload;
    DbgPrint("%s: DriverEntry\n", owdf_io_driver_name(driver));
    return STATUS_SUCCESS;
}

static NTSTATUS no_pnp_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNREFERENCED_PARAMETER(registry_path);
    driver->DriverUnload = stack_unload;
    return STATUS_SUCCESS;
}

/* ---- fixtures ------------------------------------------------------------------------------------- */

static owdf_tb *tb;
static owdf_tb_driver *func;

static owdf_tb *new_bench(FILE *out)
{
    owdf_tb_options o = {.size = sizeof o, .quiet = 1, .out = out, .stop_mode = OWDF_TB_STOP_RECORD};
    return owdf_tb_create(&o);
}

/* Replaces the fixture's bench with one writing to `out` (TbFunc loaded again). */
static void swap_bench(FILE *out)
{
    if (tb != NULL)
        assert_int_equal(owdf_tb_destroy(tb, NULL), 0);
    tb = new_bench(out);
    assert_non_null(tb);
    assert_int_equal(owdf_tb_load_driver(tb, "TbFunc", stack_entry, &func), STATUS_SUCCESS);
}

static int setup(void **state)
{
    (void)state;
    log_count = 0;
    func_query_remove_status = STATUS_SUCCESS;
    func_add_status = STATUS_SUCCESS;
    func_leak_block = FALSE;
    tb = new_bench(NULL);
    if (tb == NULL)
        return -1;
    return owdf_tb_load_driver(tb, "TbFunc", stack_entry, &func) == STATUS_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    owdf_tb_result r;
    int problems = owdf_tb_destroy(tb, &r);
    tb = NULL;
    if (problems != 0)
        fprintf(stderr, "teardown: %d problem(s)\n", problems);
    return problems == 0 ? 0 : -1;
}

/* ---- life cycle ------------------------------------------------------------------------------------ */

static void test_create_destroy_clean(void **state)
{
    (void)state;
    owdf_tb *b = owdf_tb_create(NULL);
    assert_non_null(b);
    assert_true(owdf_tb_expect_clean(b));
    owdf_tb_result r;
    memset(&r, 0xff, sizeof r);
    assert_int_equal(owdf_tb_destroy(b, &r), 0);
    assert_int_equal(r.pool_blocks, 0);
    assert_int_equal(r.objects, 0);
    assert_int_equal(r.handles, 0);
    assert_int_equal(r.files, 0);
    assert_int_equal(r.drivers, 0);
    assert_int_equal(r.devices, 0);
    assert_int_equal(r.reports, 0);
    assert_true(r.runtime_clean);
    assert_int_equal(owdf_tb_destroy(NULL, NULL), 0);
}

static void test_one_bench_at_a_time(void **state)
{
    (void)state;
    owdf_tb *b = owdf_tb_create(NULL);
    assert_non_null(b);
    assert_null(owdf_tb_create(NULL));
    assert_int_equal(owdf_tb_destroy(b, NULL), 0);
    b = owdf_tb_create(NULL); /* again after the first is gone */
    assert_non_null(b);
    assert_int_equal(owdf_tb_destroy(b, NULL), 0);
}

static void test_bad_options(void **state)
{
    (void)state;
    owdf_tb_options o = {.size = sizeof o - 1};
    assert_null(owdf_tb_create(&o));
    o.size = sizeof o;
    o.stop_mode = (owdf_tb_stop_mode)7;
    assert_null(owdf_tb_create(&o));
}

static void test_load_errors(void **state)
{
    (void)state;
    owdf_tb_driver *d = (owdf_tb_driver *)1;
    assert_int_equal(owdf_tb_load_driver(tb, NULL, stack_entry, &d), STATUS_INVALID_PARAMETER);
    assert_null(d);
    assert_int_equal(owdf_tb_load_driver(tb, "X", NULL, &d), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_load_driver(NULL, "X", stack_entry, &d), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_load_driver(tb, "TbFunc", stack_entry, &d), STATUS_IMAGE_ALREADY_LOADED);
    assert_int_equal(owdf_tb_load_driver_file(tb, "Nope", "/nonexistent/nope.so", &d), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_null(d);
    /* A library that is not a driver: no entry point. */
    assert_int_equal(owdf_tb_load_driver_file(tb, "Libm", "libm.so.6", &d), STATUS_INVALID_IMAGE_FORMAT);
    assert_int_equal(owdf_tb_load_driver_file(tb, "Libm", NULL, &d), STATUS_INVALID_PARAMETER);
    assert_string_equal(owdf_tb_driver_name(func), "TbFunc");
    assert_non_null(owdf_tb_driver_object(func));
}

/* ---- reports and fault injection ------------------------------------------------------------------- */

static void test_report_counting(void **state)
{
    (void)state;
    assert_int_equal(owdf_tb_report_count(tb, NULL), 0);
    (void)OWDF_VERIFY_REPORT("DEVICE_DOUBLE_DELETE", NULL, "DEVICE_OBJECT", NULL, "made by the test %d", 1);
    (void)OWDF_VERIFY_REPORT("DEVICE_DOUBLE_DELETE", NULL, "DEVICE_OBJECT", NULL, "made by the test %d", 2);
    assert_int_equal(owdf_tb_report_count(tb, "DEVICE_DOUBLE_DELETE"), 2);
    assert_int_equal(owdf_tb_report_count(tb, "OTHER_RULE"), 0);
    assert_int_equal(owdf_tb_report_count(tb, NULL), 2);
    owdf_verifier_report r;
    assert_int_equal(owdf_tb_report_get(tb, 1, &r), 0);
    assert_string_equal(r.rule, "DEVICE_DOUBLE_DELETE");
    assert_string_equal(r.message, "made by the test 2");
    assert_int_equal(owdf_tb_report_get(tb, 2, &r), -1);
    assert_false(owdf_tb_expect_clean(tb));
    owdf_tb_clear_reports(tb);
    assert_int_equal(owdf_tb_report_count(tb, NULL), 0);
    assert_true(owdf_tb_expect_clean(tb));
}

static void test_policy_override_restored(void **state)
{
    (void)state;
    owdf_verifier_policy before = owdf_verifier_get_policy("DEVICE_DOUBLE_DELETE");
    assert_int_equal(owdf_tb_set_policy(tb, "DEVICE_DOUBLE_DELETE", OWDF_POLICY_FAIL_CALL), 0);
    assert_int_equal(owdf_verifier_get_policy("DEVICE_DOUBLE_DELETE"), OWDF_POLICY_FAIL_CALL);
    assert_int_equal(owdf_tb_set_policy(tb, "NO_SUCH_RULE_XYZ", OWDF_POLICY_LOG), -1);
    assert_int_equal(owdf_tb_destroy(tb, NULL), 0);
    tb = NULL;
    assert_int_equal(owdf_verifier_get_policy("DEVICE_DOUBLE_DELETE"), before);
    swap_bench(NULL);
}

static void test_reports_fail_destroy(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    swap_bench(out);
    (void)OWDF_VERIFY_REPORT("DEVICE_DOUBLE_DELETE", NULL, "DEVICE_OBJECT", NULL, "left for destroy");
    owdf_tb_result r;
    int problems = owdf_tb_destroy(tb, &r);
    tb = NULL;
    fclose(out);
    assert_int_equal(problems, 1);
    assert_int_equal(r.reports, 1);
    assert_non_null(strstr(text, "left for destroy"));
    assert_non_null(strstr(text, "1 problem(s)"));
    free(text);
    swap_bench(NULL);
}

static void test_pool_leak_is_reported(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    swap_bench(out);
    func_leak_block = TRUE;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    owdf_tb_result r;
    int problems = owdf_tb_destroy(tb, &r);
    tb = NULL;
    func_leak_block = FALSE;
    fclose(out);
    /* The leaked block is the test's: free it so that the process ends without a leak. */
    owdf_pool_block all[64];
    size_t n = owdf_pool_snapshot(0, all, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        if (all[i].tag == TB_TEST_TAG)
            ExFreePoolWithTag((PVOID)all[i].address, TB_TEST_TAG);
    }
    assert_int_equal(problems, 1);
    assert_int_equal(r.pool_blocks, 1);
    assert_int_equal(r.pool_bytes, 24);
    assert_int_equal(r.devices, 0);
    assert_int_equal(r.drivers, 0);
    assert_non_null(strstr(text, "openwdf pool leak: tag 'Test' size 24"));
    free(text);
    swap_bench(NULL);
}

static void test_fail_pool_tag(void **state)
{
    (void)state;
    owdf_tb_device *dev = (owdf_tb_device *)1;
    owdf_tb_fail_pool_tag(tb, 'borP');
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_INSUFFICIENT_RESOURCES);
    assert_null(dev);
    owdf_tb_fail_pool_tag(tb, 0);
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    /* The failed attempt's PDO is gone: the new device took instance 0000. */
    assert_string_equal(owdf_tb_device_instance_id(dev), "ROOT\\TBFUNC\\0000");
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_SUCCESS);
}

/* Fault-injection sweep: the n-th allocation fails, for every n the scenario makes; every run must
 * end clean (no leak), whatever failed. */
static void test_fail_nth_sweep(void **state)
{
    (void)state;
    assert_int_equal(owdf_tb_destroy(tb, NULL), 0);
    tb = NULL;
    unsigned long n;
    BOOLEAN succeeded = FALSE;
    for (n = 1; n < 200 && !succeeded; n++) {
        log_count = 0;
        owdf_tb *b = new_bench(NULL);
        assert_non_null(b);
        owdf_tb_driver *d;
        NTSTATUS status = owdf_tb_load_driver(b, "TbFunc", stack_entry, &d);
        uint64_t injected_before = owdf_pool_injected_failures();
        owdf_tb_fail_pool_nth(b, n);
        owdf_tb_device *dev = NULL;
        if (NT_SUCCESS(status))
            status = owdf_tb_device_add(b, d, "ROOT\\TBFUNC", &dev);
        HANDLE h = NULL;
        if (NT_SUCCESS(status))
            status = owdf_tb_device_open(dev, &GUID_TB_TEST_IFACE, 0, &h);
        if (NT_SUCCESS(status)) {
            ULONG bytes;
            char buf[4];
            status = owdf_user_read(h, buf, sizeof buf, NULL, &bytes);
            (void)owdf_tb_close(b, h);
        }
        /* Done when the scenario made fewer than n allocations: nothing failed and it succeeded. */
        succeeded = NT_SUCCESS(status) && owdf_pool_injected_failures() == injected_before;
        owdf_tb_fail_pool_nth(b, 0);
        owdf_tb_result r;
        int problems = owdf_tb_destroy(b, &r);
        if (problems != 0)
            fprintf(stderr, "fail_nth %lu: status 0x%08x, %d problem(s)\n", n, (unsigned)status, problems);
        assert_int_equal(r.pool_blocks, 0);
        assert_int_equal(r.devices, 0);
        assert_int_equal(r.drivers, 0);
        assert_int_equal(r.handles, 0);
    }
    assert_true(n > 2); /* at least one run had an allocation fail */
    swap_bench(NULL);
}

/* ---- the root bus and stacks ---------------------------------------------------------------------- */

static void wide_equals(const WCHAR *w, const char *expected)
{
    size_t i = 0;
    for (; expected[i]; i++)
        assert_int_equal(w[i], (WCHAR)expected[i]);
    assert_int_equal(w[i], 0);
}

static void test_root_bus_ids(void **state)
{
    (void)state;
    owdf_tb_device *a, *b;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &a), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &b), STATUS_SUCCESS);
    assert_string_equal(owdf_tb_device_instance_id(a), "ROOT\\TBFUNC\\0000");
    assert_string_equal(owdf_tb_device_instance_id(b), "ROOT\\TBFUNC\\0001");
    assert_true(owdf_tb_device_started(a));
    /* QUERY_ID with a zeroed stack location asks for the device ID; the caller frees it. */
    ULONG_PTR info = 0;
    assert_int_equal(owdf_tb_device_send_pnp(a, IRP_MN_QUERY_ID, &info), STATUS_SUCCESS);
    assert_true(info != 0);
    wide_equals((const WCHAR *)info, "ROOT\\TBFUNC");
    ExFreePool((PVOID)info);
    /* A minor nobody handles keeps the PnP manager's STATUS_NOT_SUPPORTED. */
    assert_int_equal(owdf_tb_device_send_pnp(a, IRP_MN_QUERY_BUS_INFORMATION, NULL), STATUS_NOT_SUPPORTED);
    /* Interfaces carry the instance ID. */
    char path[256];
    assert_int_equal(owdf_user_interface_path(&GUID_TB_TEST_IFACE, 1, path, sizeof path, NULL), STATUS_SUCCESS);
    assert_non_null(strstr(path, "ROOT#TBFUNC#0001#{5d7a09a6-3c1e-4a55-9b0c-2f4b8e7d6c11}"));
    assert_ptr_not_equal(owdf_tb_device_top(a), owdf_tb_device_pdo(a));
    /* The I/O manager's device instance path (registry keys use it) is the bus's. */
    UNICODE_STRING instance;
    assert_int_equal(io_device_instance_path(owdf_tb_device_pdo(b), &instance), STATUS_SUCCESS);
    wide_equals(instance.Buffer, "ROOT\\TBFUNC\\0001");
    ExFreePool(instance.Buffer);
    assert_int_equal(owdf_tb_device_remove(a), STATUS_SUCCESS);
    /* Its number is free again. */
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &a), STATUS_SUCCESS);
    assert_string_equal(owdf_tb_device_instance_id(a), "ROOT\\TBFUNC\\0000");
}

static void test_bad_device_arguments(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\BAD ID", &dev), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_device_add(tb, func, "", &dev), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_device_add(tb, NULL, "ROOT\\X", &dev), STATUS_INVALID_PARAMETER);
    owdf_tb_device_options o = {.size = sizeof o - 1};
    assert_int_equal(owdf_tb_device_add_ex(tb, func, "ROOT\\X", &o, &dev), STATUS_INVALID_PARAMETER);
    owdf_tb_driver *nopnp;
    assert_int_equal(owdf_tb_load_driver(tb, "TbNoPnp", no_pnp_entry, &nopnp), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_add(tb, nopnp, "ROOT\\X", &dev), STATUS_INVALID_DEVICE_REQUEST);
    func_add_status = STATUS_DEVICE_CONFIGURATION_ERROR;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\X", &dev), STATUS_DEVICE_CONFIGURATION_ERROR);
    assert_null(dev);
    assert_int_equal(owdf_tb_device_remove(NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_unload_driver(nopnp), STATUS_SUCCESS);
}

static void test_filters_in_order(void **state)
{
    (void)state;
    owdf_tb_driver *fa, *fb, *lo;
    assert_int_equal(owdf_tb_load_driver(tb, "TbFiltA", stack_entry, &fa), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_load_driver(tb, "TbFiltB", stack_entry, &fb), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_load_driver(tb, "TbLower", stack_entry, &lo), STATUS_SUCCESS);
    owdf_tb_driver *uppers[] = {fa, fb};
    owdf_tb_device_options o = {.size = sizeof o, .upper_filters = uppers, .upper_filter_count = 2,
                                .lower_filters = &lo, .lower_filter_count = 1};
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add_ex(tb, func, "ROOT\\TBFUNC", &o, &dev), STATUS_SUCCESS);
    /* AddDevice bottom-up; START travels top-down, completes bottom-up. */
    assert_log_order("add:TbLower", "add:TbFunc", "add:TbFiltA", "add:TbFiltB", "start:TbFiltB", "start:TbFiltA",
                     "start:TbFunc", "start:TbLower", "started:TbLower", "started:TbFunc", "started:TbFiltA",
                     "started:TbFiltB");
    assert_ptr_equal(owdf_tb_device_top(dev)->DriverObject, owdf_tb_driver_object(fb));
    /* A create goes to the top and down to the function driver. */
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, NULL, 0, &h), STATUS_SUCCESS);
    assert_log_order("create:TbFiltB", "create:TbFiltA", "create:TbFunc");
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);
    log_count = 0;
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_SUCCESS);
    assert_log_order("query_remove:TbFiltB", "query_remove:TbFunc", "query_remove:TbLower", "remove:TbFiltB",
                     "remove:TbFiltA", "remove:TbFunc", "remove:TbLower");
    assert_int_equal(log_find("cancel_remove:TbFunc", 0), -1);
}

static void test_no_start_then_start(void **state)
{
    (void)state;
    owdf_tb_device_options o = {.size = sizeof o, .no_start = 1};
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add_ex(tb, func, "ROOT\\TBFUNC", &o, &dev), STATUS_SUCCESS);
    assert_false(owdf_tb_device_started(dev));
    assert_int_equal(log_find("start:TbFunc", 0), -1);
    assert_int_equal(owdf_tb_device_start(dev), STATUS_SUCCESS);
    assert_true(owdf_tb_device_started(dev));
    assert_int_equal(owdf_tb_device_start(dev), STATUS_SUCCESS); /* already started */
    assert_int_equal(log_find("start:TbFunc", log_find("start:TbFunc", 0) + 1), -1);
}

/* ---- removal ---------------------------------------------------------------------------------------- */

static void test_remove_vetoed(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    func_query_remove_status = STATUS_UNSUCCESSFUL;
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_UNSUCCESSFUL);
    assert_log_order("query_remove:TbFunc", "cancel_remove:TbFunc");
    assert_true(owdf_tb_device_started(dev));
    func_query_remove_status = STATUS_SUCCESS;
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_SUCCESS);
}

static void test_remove_with_open_handle_vetoed(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_TB_TEST_IFACE, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_DEVICE_BUSY);
    assert_log_order("query_remove:TbFunc", "cancel_remove:TbFunc");
    assert_int_equal(log_find("remove:TbFunc", 0), -1);
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_SUCCESS);
    assert_true(log_find("remove:TbFunc", 0) >= 0);
}

static void test_surprise_removal_waits_for_handles(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_TB_TEST_IFACE, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_surprise_remove(dev), STATUS_SUCCESS);
    assert_true(log_find("surprise:TbFunc", 0) >= 0);
    assert_int_equal(log_find("remove:TbFunc", 0), -1);
    assert_false(owdf_tb_device_started(dev));
    /* The interface went away with the surprise removal. */
    HANDLE h2;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_TB_TEST_IFACE, 0, &h2), STATUS_OBJECT_NAME_NOT_FOUND);
    /* An explicit removal still waits for the handle. */
    assert_int_equal(owdf_tb_device_remove(dev), STATUS_PENDING);
    assert_int_equal(log_find("remove:TbFunc", 0), -1);
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);
    assert_log_order("surprise:TbFunc", "remove:TbFunc");
}

static void test_surprise_removal_without_handles(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_surprise_remove(dev), STATUS_SUCCESS);
    assert_log_order("surprise:TbFunc", "remove:TbFunc");
    assert_int_equal(log_find("query_remove:TbFunc", 0), -1);
}

static void test_unload_removes_devices_first(void **state)
{
    (void)state;
    owdf_tb_device *a, *b;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &a), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &b), STATUS_SUCCESS);
    log_count = 0;
    assert_int_equal(owdf_tb_unload_driver(func), STATUS_SUCCESS);
    func = NULL;
    assert_log_order("query_remove:TbFunc", "remove:TbFunc", "query_remove:TbFunc", "remove:TbFunc", "unload:TbFunc");
}

static void test_unload_waits_for_open_handles(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_TB_TEST_IFACE, 0, &h), STATUS_SUCCESS);
    log_count = 0;
    assert_int_equal(owdf_tb_unload_driver(func), STATUS_PENDING);
    assert_log_order("query_remove:TbFunc", "cancel_remove:TbFunc", "surprise:TbFunc");
    assert_int_equal(log_find("unload:TbFunc", 0), -1);
    assert_int_equal(owdf_tb_unload_driver(func), STATUS_PENDING);
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);
    assert_log_order("surprise:TbFunc", "remove:TbFunc", "unload:TbFunc");
    func = NULL;
}

static void test_destroy_closes_left_handles(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    swap_bench(out);
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(dev, &GUID_TB_TEST_IFACE, 0, &h), STATUS_SUCCESS);
    owdf_tb_result r;
    int problems = owdf_tb_destroy(tb, &r);
    tb = NULL;
    fclose(out);
    assert_int_equal(problems, 1);
    assert_int_equal(r.handles, 1);
    assert_int_equal(r.files, 0);
    assert_int_equal(r.devices, 0);
    assert_non_null(strstr(text, "1 handle(s) opened through the bench were still open"));
    free(text);
    swap_bench(NULL);
}

/* ---- I/O and diagnostics ---------------------------------------------------------------------------- */

static void test_open_by_interface_and_read(void **state)
{
    (void)state;
    owdf_tb_device *dev;
    assert_int_equal(owdf_tb_device_add(tb, func, "ROOT\\TBFUNC", &dev), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_tb_open_interface(tb, &GUID_TB_TEST_IFACE, 0, 0, &h), STATUS_SUCCESS);
    char buf[8];
    ULONG bytes = 99;
    assert_int_equal(owdf_user_read(h, buf, sizeof buf, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 0);
    assert_int_equal(owdf_tb_close(tb, h), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_open_interface(tb, &GUID_TB_TEST_IFACE, 1, 0, &h), STATUS_NO_MORE_ENTRIES);
    assert_int_equal(owdf_tb_open(tb, "\\\\.\\NoSuchDevice", 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(owdf_tb_close(tb, (HANDLE)0x1234), STATUS_INVALID_HANDLE);
}

static void test_dump_has_log_and_reports(void **state)
{
    (void)state;
    (void)OWDF_VERIFY_REPORT("DEVICE_DOUBLE_DELETE", NULL, "DEVICE_OBJECT", NULL, "for the dump");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    owdf_tb_dump(tb, out, 16);
    fclose(out);
    assert_non_null(strstr(text, "for the dump"));
    assert_non_null(strstr(text, "debug log of driver TbFunc"));
    assert_non_null(strstr(text, "TbFunc: DriverEntry"));
    free(text);
    assert_int_equal(owdf_dbg_log_count_matching(owdf_tb_driver_log(func), "DriverEntry"), 1);
    owdf_tb_clear_reports(tb);
    /* After the unload the bench still has the log. */
    assert_int_equal(owdf_tb_unload_driver(func), STATUS_SUCCESS);
    func = NULL;
    text = NULL;
    out = open_memstream(&text, &size);
    owdf_tb_dump(tb, out, 0);
    fclose(out);
    assert_non_null(strstr(text, "debug log (at unload) of driver TbFunc"));
    assert_non_null(strstr(text, "TbFunc: DriverEntry"));
    free(text);
}

static void test_parameters(void **state)
{
    (void)state;
    assert_int_equal(owdf_tb_set_parameter_dword(tb, "TbParam", "Mode", 7), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_set_parameter_string(tb, "TbParam", "Name", "x"), STATUS_SUCCESS);
    assert_int_equal(owdf_tb_set_parameter_dword(tb, "Bad\\Name", "Mode", 7), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_set_parameter_dword(tb, "TbParam", NULL, 7), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_tb_set_parameter_string(tb, "TbParam", "Name", NULL), STATUS_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_destroy_clean),
        cmocka_unit_test(test_one_bench_at_a_time),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_counting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_override_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_fail_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_leak_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_pool_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_nth_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_bus_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_device_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_start_then_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_vetoed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_with_open_handle_vetoed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_surprise_removal_waits_for_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_surprise_removal_without_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unload_removes_devices_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unload_waits_for_open_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_closes_left_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_by_interface_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_has_log_and_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parameters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
