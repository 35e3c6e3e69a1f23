/* Driver objects: loading (DriverEntry), unloading, default dispatch, extensions, stopping, Ob references. */
#include "io_test.h"

#include <stdlib.h>

static PDRIVER_OBJECT seen_driver;
static PDRIVER_OBJECT seen_current;
static owdf_dbg_log *seen_log;
static UNICODE_STRING seen_regpath;
static WCHAR seen_regpath_buffer[256];
static int unload_calls;
static PDRIVER_OBJECT unload_current;

static DRIVER_UNLOAD record_unload;
static void record_unload(PDRIVER_OBJECT DriverObject)
{
    unload_calls++;
    unload_current = owdf_io_current_driver();
    (void)DriverObject;
}

static DRIVER_INITIALIZE record_entry;
static NTSTATUS record_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    seen_driver = DriverObject;
    seen_current = owdf_io_current_driver();
    seen_log = owdf_dbg_log_current();
    owdf_dbg_log_printf(owdf_dbg_log_current(), "hello from DriverEntry\n");
    memcpy(seen_regpath_buffer, RegistryPath->Buffer, RegistryPath->Length);
    seen_regpath = *RegistryPath;
    seen_regpath.Buffer = seen_regpath_buffer;
    DriverObject->DriverUnload = record_unload;
    return STATUS_SUCCESS;
}

static int setup(void **state)
{
    io_test_setup(state);
    seen_driver = seen_current = unload_current = NULL;
    seen_log = NULL;
    unload_calls = 0;
    return 0;
}

static BOOLEAN unicode_equals(PCUNICODE_STRING s, const char *text)
{
    size_t n = strlen(text);
    if (s->Length != n * sizeof(WCHAR))
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        if (s->Buffer[i] != (WCHAR)text[i])
            return FALSE;
    }
    return TRUE;
}

static void load_fills_driver_object_and_calls_entry(void **state)
{
    (void)state;
    ULONG before = owdf_io_loaded_driver_count();
    PDRIVER_OBJECT driver = NULL;
    assert_int_equal(owdf_io_load_driver("Echo", record_entry, NULL, &driver), STATUS_SUCCESS);
    assert_ptr_equal(driver, seen_driver);
    assert_ptr_equal(seen_current, driver);
    assert_ptr_equal(seen_log, owdf_io_driver_log(driver));
    assert_int_equal(owdf_dbg_log_count_matching(owdf_io_driver_log(driver), "hello from DriverEntry"), 1);
    assert_null(owdf_io_current_driver());
    assert_int_equal(driver->Type, IO_TYPE_DRIVER);
    assert_true(unicode_equals(&driver->DriverName, "\\Driver\\Echo"));
    assert_true(unicode_equals(&driver->DriverExtension->ServiceKeyName, "Echo"));
    assert_ptr_equal(driver->DriverExtension->DriverObject, driver);
    assert_non_null(driver->HardwareDatabase);
    assert_ptr_equal(driver->DriverInit, record_entry);
    assert_true(driver->Flags & DRVO_INITIALIZED);
    assert_true(
        unicode_equals(&seen_regpath, "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Echo"));
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        assert_non_null(driver->MajorFunction[i]);
    assert_string_equal(owdf_io_driver_name(driver), "Echo");
    assert_int_equal(owdf_io_loaded_driver_count(), before + 1);
    assert_ptr_equal(owdf_io_find_driver("Echo"), driver);
    assert_ptr_equal(owdf_io_find_driver("\\Driver\\echo"), driver);
    assert_int_equal(io_object_type(driver), IO_OB_DRIVER);

    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(unload_calls, 1);
    assert_ptr_equal(unload_current, seen_driver);
    assert_null(owdf_io_find_driver("Echo"));
    assert_int_equal(owdf_io_loaded_driver_count(), before);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void load_accepts_full_name_and_given_registry_path(void **state)
{
    (void)state;
    WCHAR buffer[64];
    UNICODE_STRING path;
    io_test_init_unicode(&path, buffer, "\\Registry\\Machine\\Custom\\Key");
    PDRIVER_OBJECT driver = NULL;
    assert_int_equal(owdf_io_load_driver("\\Driver\\Toaster", record_entry, &path, &driver), STATUS_SUCCESS);
    assert_true(unicode_equals(&driver->DriverName, "\\Driver\\Toaster"));
    assert_true(unicode_equals(&seen_regpath, "\\Registry\\Machine\\Custom\\Key"));
    assert_ptr_equal(owdf_io_find_driver("Toaster"), driver);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
}

static void load_rejects_bad_parameters(void **state)
{
    (void)state;
    PDRIVER_OBJECT driver = (PDRIVER_OBJECT)1;
    assert_int_equal(owdf_io_load_driver(NULL, record_entry, NULL, &driver), STATUS_INVALID_PARAMETER);
    assert_null(driver);
    assert_int_equal(owdf_io_load_driver("", record_entry, NULL, &driver), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_io_load_driver("\\Driver\\", record_entry, NULL, &driver),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_io_load_driver("a b", record_entry, NULL, &driver), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_io_load_driver("x\\y", record_entry, NULL, &driver), STATUS_INVALID_PARAMETER);
    char longname[80];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(owdf_io_load_driver(longname, record_entry, NULL, &driver), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_io_load_driver("Ok", NULL, NULL, &driver), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_io_load_driver("Ok", record_entry, NULL, NULL), STATUS_INVALID_PARAMETER);
    UNICODE_STRING empty = {0, 0, NULL};
    assert_int_equal(owdf_io_load_driver("Ok", record_entry, &empty, &driver), STATUS_INVALID_PARAMETER);
    assert_null(seen_driver);
}

static void load_twice_is_already_loaded(void **state)
{
    (void)state;
    PDRIVER_OBJECT first = io_test_load("Twice");
    PDRIVER_OBJECT second = (PDRIVER_OBJECT)1;
    assert_int_equal(owdf_io_load_driver("twice", record_entry, NULL, &second), STATUS_IMAGE_ALREADY_LOADED);
    assert_null(second);
    assert_null(seen_driver);
    assert_int_equal(owdf_io_unload_driver(first), STATUS_SUCCESS);
}

static DRIVER_INITIALIZE failing_entry;
static NTSTATUS failing_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    return STATUS_DEVICE_CONFIGURATION_ERROR;
}

static void failing_driver_entry_frees_everything(void **state)
{
    (void)state;
    LONG drivers = io_object_live_count(IO_OB_DRIVER);
    size_t pool = owdf_pool_outstanding(0);
    ULONG loaded = owdf_io_loaded_driver_count();
    PDRIVER_OBJECT driver = (PDRIVER_OBJECT)1;
    assert_int_equal(owdf_io_load_driver("Fails", failing_entry, NULL, &driver),
                     STATUS_DEVICE_CONFIGURATION_ERROR);
    assert_null(driver);
    assert_int_equal(io_object_live_count(IO_OB_DRIVER), drivers);
    assert_int_equal(owdf_pool_outstanding(0), pool);
    assert_int_equal(owdf_io_loaded_driver_count(), loaded);
    assert_null(owdf_io_find_driver("Fails"));
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
    /* The name is free again. */
    driver = io_test_load("Fails");
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
}

static DRIVER_INITIALIZE failing_entry_with_device;
static NTSTATUS failing_entry_with_device(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    WCHAR buffer[32];
    UNICODE_STRING name;
    io_test_init_unicode(&name, buffer, "\\Device\\LeftBehind");
    PDEVICE_OBJECT device;
    assert_int_equal(IoCreateDevice(DriverObject, 16, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device),
                     STATUS_SUCCESS);
    return STATUS_INSUFFICIENT_RESOURCES;
}

static void failing_driver_entry_with_device_reports_and_frees(void **state)
{
    (void)state;
    LONG devices = io_object_live_count(IO_OB_DEVICE);
    LONG drivers = io_object_live_count(IO_OB_DRIVER);
    size_t pool = owdf_pool_outstanding(0);
    PDRIVER_OBJECT driver;
    assert_int_equal(owdf_io_load_driver("FailsDev", failing_entry_with_device, NULL, &driver),
                     STATUS_INSUFFICIENT_RESOURCES);
    assert_int_equal(owdf_verifier_report_count("DRIVER_UNLOADED_WITH_DEVICES"), 1);
    assert_non_null(strstr(io_test_last_message("DRIVER_UNLOADED_WITH_DEVICES"), "\\Device\\LeftBehind"));
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), devices);
    assert_int_equal(io_object_live_count(IO_OB_DRIVER), drivers);
    assert_int_equal(owdf_pool_outstanding(0), pool);
}

static DRIVER_INITIALIZE entry_with_null_read;
static NTSTATUS entry_with_null_read(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->MajorFunction[IRP_MJ_READ] = NULL;
    DriverObject->DriverUnload = io_test_unload_nothing;
    PDEVICE_OBJECT device;
    assert_int_equal(IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device),
                     STATUS_SUCCESS);
    assert_true(device->Flags & DO_DEVICE_INITIALIZING);
    return STATUS_SUCCESS;
}

static void null_and_default_dispatch_fail_invalid_device_request(void **state)
{
    (void)state;
    PDRIVER_OBJECT driver;
    assert_int_equal(owdf_io_load_driver("NullRead", entry_with_null_read, NULL, &driver), STATUS_SUCCESS);
    assert_non_null(driver->MajorFunction[IRP_MJ_READ]);
    PDEVICE_OBJECT device = driver->DeviceObject;
    assert_non_null(device);
    /* Devices made in DriverEntry are ready once it returns. */
    assert_false(device->Flags & DO_DEVICE_INITIALIZING);
    assert_int_equal(io_test_send(device, IRP_MJ_READ, 0, NULL), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(io_test_send(device, IRP_MJ_DEVICE_CONTROL, 0, NULL), STATUS_INVALID_DEVICE_REQUEST);
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void unload_without_unload_routine_is_refused(void **state)
{
    (void)state;
    PDRIVER_OBJECT driver = io_test_load("NoUnload");
    driver->DriverUnload = NULL;
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_INVALID_DEVICE_REQUEST);
    assert_ptr_equal(owdf_io_find_driver("NoUnload"), driver);
    driver->DriverUnload = record_unload;
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(unload_calls, 1);
    assert_null(owdf_io_find_driver("NoUnload"));
}

static void unload_twice_or_bad_pointer_is_invalid_parameter(void **state)
{
    (void)state;
    assert_int_equal(owdf_io_unload_driver(NULL), STATUS_INVALID_PARAMETER);
    PDRIVER_OBJECT driver = io_test_load("Once");
    ObReferenceObject(driver);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(driver);
}

static void unload_with_devices_reports_them(void **state)
{
    (void)state;
    LONG devices = io_object_live_count(IO_OB_DEVICE);
    LONG drivers = io_object_live_count(IO_OB_DRIVER);
    PDRIVER_OBJECT driver = io_test_load("Leaky");
    WCHAR buffer[32];
    UNICODE_STRING name;
    io_test_init_unicode(&name, buffer, "\\Device\\LeakyOne");
    PDEVICE_OBJECT named, unnamed;
    assert_int_equal(IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &named), STATUS_SUCCESS);
    unnamed = io_test_device(driver, 8);
    /* Someone still holds the unnamed device: its memory (and the driver object's) outlives unload. */
    ObReferenceObject(unnamed);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("DRIVER_UNLOADED_WITH_DEVICES"), 1);
    const char *message = io_test_last_message("DRIVER_UNLOADED_WITH_DEVICES");
    assert_non_null(strstr(message, "Leaky"));
    assert_non_null(strstr(message, "\\Device\\LeakyOne"));
    assert_non_null(strstr(message, "2 device"));
    assert_ptr_equal(io_test_last_driver("DRIVER_UNLOADED_WITH_DEVICES"), driver);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), devices + 1);
    assert_int_equal(io_object_live_count(IO_OB_DRIVER), drivers + 1);
    assert_true(io_device_is_deleting(unnamed));
    ObDereferenceObject(unnamed);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), devices);
    assert_int_equal(io_object_live_count(IO_OB_DRIVER), drivers);
}

static void driver_object_extensions(void **state)
{
    (void)state;
    size_t pool = owdf_pool_outstanding(0);
    PDRIVER_OBJECT driver = io_test_load("Ext");
    static int id1, id2;
    PVOID a = NULL, b = NULL, c = (PVOID)1;
    assert_int_equal(IoAllocateDriverObjectExtension(driver, &id1, 32, &a), STATUS_SUCCESS);
    assert_non_null(a);
    assert_int_equal(((char *)a)[31], 0);
    assert_int_equal(((ULONG_PTR)a) & 15, 0);
    assert_int_equal(IoAllocateDriverObjectExtension(driver, &id2, 8, &b), STATUS_SUCCESS);
    assert_int_equal(IoAllocateDriverObjectExtension(driver, &id1, 8, &c), STATUS_OBJECT_NAME_COLLISION);
    assert_null(c);
    assert_ptr_equal(IoGetDriverObjectExtension(driver, &id1), a);
    assert_ptr_equal(IoGetDriverObjectExtension(driver, &id2), b);
    assert_null(IoGetDriverObjectExtension(driver, &pool));
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_pool_outstanding(0), pool);
}

static DRIVER_DISPATCH complete_success;
static NTSTATUS complete_success(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static DRIVER_DISPATCH complete_twice;
static NTSTATUS complete_twice(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    /* Keep the IRP alive past its completion so the second completion finds it. */
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static void stop_driver_fails_further_irps_with_device_removed(void **state)
{
    (void)state;
    PDRIVER_OBJECT driver = io_test_load("Stoppable");
    driver->MajorFunction[IRP_MJ_CREATE] = complete_success;
    PDEVICE_OBJECT device = io_test_device(driver, 0);
    assert_int_equal(io_test_send(device, IRP_MJ_CREATE, 0, NULL), STATUS_SUCCESS);
    assert_false(owdf_io_driver_stopped(driver));
    owdf_io_stop_driver(driver, "test");
    assert_true(owdf_io_driver_stopped(driver));
    assert_int_equal(owdf_dbg_log_count_matching(owdf_io_driver_log(driver), "stopped: test"), 1);
    assert_int_equal(io_test_send(device, IRP_MJ_CREATE, 0, NULL), STATUS_DEVICE_REMOVED);
    assert_int_equal(io_test_send(device, IRP_MJ_READ, 0, NULL), STATUS_DEVICE_REMOVED);
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
}

static void verifier_stop_names_and_stops_the_running_driver(void **state)
{
    (void)state;
    io_test_chain_stop = TRUE;
    PDRIVER_OBJECT driver = io_test_load("Buggy");
    driver->MajorFunction[IRP_MJ_WRITE] = complete_twice;
    PDEVICE_OBJECT device = io_test_device(driver, 0);
    assert_int_equal(io_test_send(device, IRP_MJ_WRITE, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count("IRP_DOUBLE_COMPLETE"), 1);
    assert_int_equal(io_test_stop_calls, 1);
    assert_ptr_equal(io_test_stopped_driver, driver);
    assert_true(owdf_io_driver_stopped(driver));
    assert_int_equal(io_test_send(device, IRP_MJ_WRITE, 0, NULL), STATUS_DEVICE_REMOVED);
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
}

static void stop_handler_without_driver_is_harmless(void **state)
{
    (void)state;
    owdf_verifier_report report;
    memset(&report, 0, sizeof report);
    report.rule = "TEST";
    owdf_io_stop_handler(&report, NULL);
    owdf_io_stop_driver(NULL, "nothing");
    PDRIVER_OBJECT driver = io_test_load("Unrelated");
    assert_false(owdf_io_driver_stopped(driver));
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
}

static int kept_delete_calls;
static void keep_memory(PVOID body)
{
    (void)body;
    kept_delete_calls++;
}

static void ob_references(void **state)
{
    (void)state;
    PVOID object = io_object_allocate(IO_OB_OTHER, 24, keep_memory);
    assert_non_null(object);
    assert_int_equal(io_object_type(object), IO_OB_OTHER);
    assert_int_equal(ObReferenceObject(object), 2);
    assert_int_equal(ObReferenceObjectWithTag(object, 0x74736554), 3);
    assert_int_equal(ObDereferenceObjectWithTag(object, 0x74736554), 2);
    assert_int_equal(ObDereferenceObject(object), 1);
    assert_int_equal(ObReferenceObjectByPointer(object, 0, *IoFileObjectType, KernelMode),
                     STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(ObReferenceObjectByPointer(object, 0, NULL, KernelMode), STATUS_SUCCESS);
    ObDereferenceObjectDeferDelete(object);
    assert_int_equal(kept_delete_calls, 0);
    ObDereferenceObject(object);
    assert_int_equal(kept_delete_calls, 1);
    /* The delete routine kept the memory: one more dereference is an underflow. */
    assert_int_equal(ObDereferenceObject(object), 0);
    assert_int_equal(owdf_verifier_report_count("OB_REFERENCE_UNDERFLOW"), 1);
    assert_int_equal(io_test_stop_calls, 1);
    io_object_free(object);

    unsigned char *block = calloc(1, 96);
    assert_int_equal(ObReferenceObject(block + 48), 0);
    assert_int_equal(owdf_verifier_report_count("OB_NOT_AN_OBJECT"), 1);
    assert_int_equal(io_object_type(block + 48), IO_OB_NONE);
    free(block);

    PDRIVER_OBJECT driver = io_test_load("ObTypes");
    PDEVICE_OBJECT device = io_test_device(driver, 0);
    assert_int_equal(ObReferenceObjectByPointer(device, 0, *IoDeviceObjectType, KernelMode), STATUS_SUCCESS);
    assert_int_equal(ObReferenceObjectByPointer(driver, 0, *IoDriverObjectType, KernelMode), STATUS_SUCCESS);
    assert_int_equal(ObReferenceObjectByPointer(driver, 0, *IoDeviceObjectType, KernelMode),
                     STATUS_OBJECT_TYPE_MISMATCH);
    ObDereferenceObject(device);
    ObDereferenceObject(driver);
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
}

static void wdm_version(void **state)
{
    (void)state;
    assert_true(IoIsWdmVersionAvailable(1, 0x30));
    assert_true(IoIsWdmVersionAvailable(6, 0x30));
    assert_false(IoIsWdmVersionAvailable(6, 0x31));
    assert_false(IoIsWdmVersionAvailable(7, 0));
    assert_non_null(IoGetCurrentProcess());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(load_fills_driver_object_and_calls_entry, setup),
        cmocka_unit_test_setup(load_accepts_full_name_and_given_registry_path, setup),
        cmocka_unit_test_setup(load_rejects_bad_parameters, setup),
        cmocka_unit_test_setup(load_twice_is_already_loaded, setup),
        cmocka_unit_test_setup(failing_driver_entry_frees_everything, setup),
        cmocka_unit_test_setup(failing_driver_entry_with_device_reports_and_frees, setup),
        cmocka_unit_test_setup(null_and_default_dispatch_fail_invalid_device_request, setup),
        cmocka_unit_test_setup(unload_without_unload_routine_is_refused, setup),
        cmocka_unit_test_setup(unload_twice_or_bad_pointer_is_invalid_parameter, setup),
        cmocka_unit_test_setup(unload_with_devices_reports_them, setup),
        cmocka_unit_test_setup(driver_object_extensions, setup),
        cmocka_unit_test_setup(stop_driver_fails_further_irps_with_device_removed, setup),
        cmocka_unit_test_setup(verifier_stop_names_and_stops_the_running_driver, setup),
        cmocka_unit_test_setup(stop_handler_without_driver_is_harmless, setup),
        cmocka_unit_test_setup(ob_references, setup),
        cmocka_unit_test_setup(wdm_version, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
