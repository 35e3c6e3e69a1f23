/*
 * core_device_test.c - WDFDEVICE_INIT and WdfDeviceCreate for FDOs, filters and control devices:
 * each init call and what it does to the WDM device, the INIT_ORDER rules, failures that leave
 * nothing behind, names, symbolic links, device interfaces, and the calls on a device.
 */
#include "core_testlib.h"

#include <initguid.h>

#include "fx_device.h"
#include "fx_driver.h"
#include "fx_object.h"

#include <string.h>

DEFINE_GUID(TEST_INTERFACE_GUID, 0x6c1ed5e4, 0x2b1f, 0x4a0e, 0x9b, 0x3e, 0x1f, 0x60, 0x4f, 0x3a, 0x2d, 0x11);

typedef struct DEVICE_CONTEXT {
    ULONG magic;
} DEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, GetDeviceContext)

/* ---- the test driver: EvtDriverDeviceAdd runs the current test's body ------------------------- */

typedef NTSTATUS add_fn(WDFDRIVER driver, PWDFDEVICE_INIT init);
static add_fn *current_add;
static WDFDEVICE added_device;
static PWDFDEVICE_INIT saved_init;

static NTSTATUS EvtAdd(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    tl_log("EvtDriverDeviceAdd");
    return current_add != NULL ? current_add(driver, init) : STATUS_SUCCESS;
}

static void EvtUnload(WDFDRIVER driver)
{
    (void)driver;
    tl_log("EvtDriverUnload");
}

static void EvtDeviceCleanup(WDFOBJECT object)
{
    (void)object;
    tl_log("EvtDeviceCleanup");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, EvtAdd);
    config.EvtDriverUnload = EvtUnload;
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

static PDRIVER_OBJECT drv;
static PDEVICE_OBJECT pdo;

static int setup(void **state)
{
    (void)state;
    tl_log_reset();
    tl_verifier_setup();
    current_add = NULL;
    added_device = NULL;
    saved_init = NULL;
    tl_bus_load();
    pdo = tl_bus_create_pdo("WcorePdo0", 0);
    NTSTATUS status;
    drv = tl_wdf_load("WcoreDev", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_bus_unload();
    assert_null(WdfDriverGlobals);
    assert_int_equal(owdf_io_loaded_driver_count(), 0);
    assert_int_equal(fx_object_live_count(NULL), 0);
    return 0;
}

/* Adds the device with `add` as EvtDriverDeviceAdd's body, then starts and (later) removes it. */
static NTSTATUS add_with(add_fn *add)
{
    current_add = add;
    return tl_add_device(drv, pdo);
}

static void remove_device(void)
{
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_null(pdo->AttachedDevice);
}

/* ---- FDOs ---------------------------------------------------------------------------------------- */

static NTSTATUS add_plain(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    assert_ptr_equal(WdfFdoInitWdmGetPhysicalDevice(init), pdo);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DEVICE_CONTEXT);
    attributes.EvtCleanupCallback = EvtDeviceCleanup;
    NTSTATUS status = WdfDeviceCreate(&init, &attributes, &added_device);
    if (NT_SUCCESS(status)) {
        assert_null(init);
        GetDeviceContext(added_device)->magic = 0x1234;
        /* Still initializing until EvtDriverDeviceAdd returns. */
        assert_true(WdfDeviceWdmGetDeviceObject(added_device)->Flags & DO_DEVICE_INITIALIZING);
    }
    return status;
}

static void fdo_defaults(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_plain), STATUS_SUCCESS);
    WDFDEVICE device = added_device;
    assert_non_null(device);
    PDEVICE_OBJECT fdo = WdfDeviceWdmGetDeviceObject(device);
    assert_non_null(fdo);
    assert_ptr_equal(pdo->AttachedDevice, fdo);
    assert_ptr_equal(WdfDeviceWdmGetAttachedDevice(device), pdo);
    assert_ptr_equal(WdfDeviceWdmGetPhysicalDevice(device), pdo);
    assert_ptr_equal(WdfWdmDeviceGetWdfDeviceHandle(fdo), device);
    assert_null(WdfWdmDeviceGetWdfDeviceHandle(pdo)); /* not a framework device */
    assert_ptr_equal(WdfDeviceGetDriver(device), WdfGetDriver());
    assert_int_equal(GetDeviceContext(device)->magic, 0x1234);
    /* KMDF's defaults: buffered I/O, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, pageable. */
    assert_true(fdo->Flags & DO_BUFFERED_IO);
    assert_false(fdo->Flags & DO_DIRECT_IO);
    assert_true(fdo->Flags & DO_POWER_PAGABLE);
    assert_false(fdo->Flags & DO_DEVICE_INITIALIZING);
    assert_int_equal(fdo->DeviceType, FILE_DEVICE_UNKNOWN);
    assert_int_equal(fdo->Characteristics, FILE_DEVICE_SECURE_OPEN);
    assert_int_equal(fdo->StackSize, pdo->StackSize + 1);
    assert_null(WdfDeviceGetDefaultQueue(device));
    /* A PnP device belongs to the framework. */
    WdfObjectDelete(device);
    assert_int_equal(tl_reports("DELETE_FRAMEWORK_OWNED"), 1);
    remove_device();
    tl_log_verify_exact("EvtDriverDeviceAdd", "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static NTSTATUS add_configured(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WdfDeviceInitSetIoType(init, WdfDeviceIoDirect);
    WdfDeviceInitSetExclusive(init, TRUE);
    WdfDeviceInitSetDeviceType(init, FILE_DEVICE_DISK);
    WdfDeviceInitSetCharacteristics(init, FILE_REMOVABLE_MEDIA, TRUE);
    WdfDeviceInitSetPowerNotPageable(init);
    DECLARE_CONST_UNICODE_STRING(name, L"\\Device\\WcoreFdo");
    assert_int_equal(WdfDeviceInitAssignName(init, &name), STATUS_SUCCESS);
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)");
    assert_int_equal(WdfDeviceInitAssignSDDLString(init, &sddl), STATUS_SUCCESS);
    WdfDeviceInitSetDeviceClass(init, &TEST_INTERFACE_GUID);
    return WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
}

static void fdo_init_calls(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_configured), STATUS_SUCCESS);
    PDEVICE_OBJECT fdo = WdfDeviceWdmGetDeviceObject(added_device);
    assert_true(fdo->Flags & DO_DIRECT_IO);
    assert_false(fdo->Flags & DO_BUFFERED_IO);
    assert_true(fdo->Flags & DO_EXCLUSIVE);
    assert_false(fdo->Flags & DO_POWER_PAGABLE);
    assert_int_equal(fdo->DeviceType, FILE_DEVICE_DISK);
    assert_int_equal(fdo->Characteristics, FILE_DEVICE_SECURE_OPEN | FILE_REMOVABLE_MEDIA);
    assert_true(fdo->Flags & DO_DEVICE_HAS_NAME);

    WDFSTRING name;
    assert_int_equal(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &name), STATUS_SUCCESS);
    assert_int_equal(WdfDeviceRetrieveDeviceName(added_device, name), STATUS_SUCCESS);
    UNICODE_STRING text;
    WdfStringGetUnicodeString(name, &text);
    DECLARE_CONST_UNICODE_STRING(expected, L"\\Device\\WcoreFdo");
    assert_true(RtlEqualUnicodeString(&text, &expected, FALSE));

    /* One symbolic link per device; it goes with the device. */
    DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\WcoreFdoLink");
    assert_int_equal(WdfDeviceCreateSymbolicLink(added_device, &link), STATUS_SUCCESS);
    assert_int_equal(WdfDeviceCreateSymbolicLink(added_device, &link), STATUS_INVALID_DEVICE_REQUEST);
    WdfObjectDelete(name);
    remove_device();
    /* The link is gone: opening it fails. */
    HANDLE h;
    assert_int_equal(owdf_user_open("\\\\.\\WcoreFdoLink", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

static NTSTATUS add_neither_io(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WdfDeviceInitSetIoType(init, WdfDeviceIoNeither);
    WdfDeviceInitSetCharacteristics(init, FILE_READ_ONLY_DEVICE, FALSE);
    WdfDeviceInitSetIoType(init, (WDF_DEVICE_IO_TYPE)9); /* ignored, reported */
    return WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
}

static void fdo_neither_io(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_neither_io), STATUS_SUCCESS);
    PDEVICE_OBJECT fdo = WdfDeviceWdmGetDeviceObject(added_device);
    assert_false(fdo->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO));
    assert_int_equal(fdo->Characteristics, FILE_READ_ONLY_DEVICE);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 1);
    remove_device();
}

static NTSTATUS add_then_misuse_init(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    saved_init = init;
    NTSTATUS status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
    assert_int_equal(status, STATUS_SUCCESS);
    /* Init calls after WdfDeviceCreate consumed it. */
    WdfDeviceInitSetIoType(saved_init, WdfDeviceIoDirect);
    assert_int_equal(tl_reports("INIT_ORDER"), 1);
    /* A second WdfDeviceCreate with the consumed init (the variable is NULL now). */
    WDFDEVICE second;
    assert_int_equal(WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &second), STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("INIT_ORDER"), 2);
    /* ... or with the saved pointer. */
    PWDFDEVICE_INIT again = saved_init;
    assert_int_equal(WdfDeviceCreate(&again, WDF_NO_OBJECT_ATTRIBUTES, &second), STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("INIT_ORDER"), 3);
    /* EvtDriverDeviceAdd's init is the framework's to free. */
    WdfDeviceInitFree(saved_init);
    assert_int_equal(tl_reports("INIT_ORDER"), 4);
    return status;
}

static void init_order_rules(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_then_misuse_init), STATUS_SUCCESS);
    /* After EvtDriverDeviceAdd the init is gone: using it is caught without touching freed memory. */
    WdfDeviceInitSetExclusive(saved_init, TRUE);
    assert_int_equal(tl_reports("INIT_ORDER"), 5);
    assert_false(WdfDeviceWdmGetDeviceObject(added_device)->Flags & (DO_DIRECT_IO | DO_EXCLUSIVE));
    remove_device();
}

static NTSTATUS add_then_fail(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.EvtCleanupCallback = EvtDeviceCleanup;
    assert_int_equal(WdfDeviceCreate(&init, &attributes, &added_device), STATUS_SUCCESS);
    return STATUS_DEVICE_CONFIGURATION_ERROR;
}

static void failed_add_deletes_the_device(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_then_fail), STATUS_DEVICE_CONFIGURATION_ERROR);
    assert_null(pdo->AttachedDevice);
    tl_log_verify_exact("EvtDriverDeviceAdd", "EvtDeviceCleanup");
    assert_null(drv->DeviceObject);
    assert_int_equal(tl_total_reports(), 0);
}

static NTSTATUS add_nothing(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    (void)init;
    return STATUS_SUCCESS; /* a filter that decides not to attach */
}

static void add_without_device(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_nothing), STATUS_SUCCESS);
    assert_null(pdo->AttachedDevice);
    assert_int_equal(tl_total_reports(), 0);
}

static NTSTATUS add_bad_attributes(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = WdfGetDriver();
    NTSTATUS status = WdfDeviceCreate(&init, &attributes, &added_device);
    assert_int_equal(status, STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED);
    assert_non_null(init); /* not consumed */
    attributes.ParentObject = NULL;
    attributes.Size = 8;
    status = WdfDeviceCreate(&init, &attributes, &added_device);
    assert_int_equal(status, STATUS_INFO_LENGTH_MISMATCH);
    /* The failures left nothing: a good create with the same init still works. */
    assert_null(pdo->AttachedDevice);
    return WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
}

static void create_errors_leave_nothing(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_bad_attributes), STATUS_SUCCESS);
    assert_int_equal(tl_reports("OBJECT_ATTRIBUTES_SIZE"), 1);
    assert_non_null(pdo->AttachedDevice);
    remove_device();
}

static NTSTATUS add_null_params(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    assert_int_equal(WdfDeviceCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &added_device), STATUS_INVALID_PARAMETER);
    assert_int_equal(WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, NULL), STATUS_INVALID_PARAMETER);
    WdfDeviceInitSetIoType(NULL, WdfDeviceIoDirect);
    WdfDeviceInitSetFileObjectConfig(init, NULL, NULL);
    WdfDeviceInitSetPnpPowerEventCallbacks(init, NULL);
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.Size = 12;
    WdfDeviceInitSetPnpPowerEventCallbacks(init, &pnp);
    WDF_FILEOBJECT_CONFIG file;
    WDF_FILEOBJECT_CONFIG_INIT(&file, NULL, NULL, NULL);
    file.FileObjectClass = (WDF_FILEOBJECT_CLASS)7;
    WdfDeviceInitSetFileObjectConfig(init, &file, NULL);
    return STATUS_SUCCESS;
}

static void null_and_bad_parameters(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_null_params), STATUS_SUCCESS);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 5);
    assert_int_equal(tl_reports("CONFIG_SIZE"), 1);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 1);
}

/* ---- filters ------------------------------------------------------------------------------------- */

static NTSTATUS add_filter(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WdfFdoInitSetFilter(init);
    WdfDeviceInitSetIoType(init, WdfDeviceIoBuffered); /* a filter takes the lower device's method */
    return WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
}

static void filter_copies_lower_device(void **state)
{
    (void)state;
    tl_bus_delete_pdo(pdo);
    pdo = tl_bus_create_pdo("WcorePdoDirect", DO_DIRECT_IO | DO_POWER_PAGABLE);
    assert_int_equal(add_with(add_filter), STATUS_SUCCESS);
    PDEVICE_OBJECT filter = WdfDeviceWdmGetDeviceObject(added_device);
    assert_true(filter->Flags & DO_DIRECT_IO);
    assert_false(filter->Flags & DO_BUFFERED_IO);
    assert_true(filter->Flags & DO_POWER_PAGABLE);
    assert_int_equal(filter->DeviceType, FILE_DEVICE_BUS_EXTENDER);
    remove_device();
}

/* ---- control devices ---------------------------------------------------------------------------- */

static WDFDEVICE create_control(const WCHAR *name, NTSTATUS *status_out, PWDFDEVICE_INIT *init_out)
{
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(WdfGetDriver(), &sddl);
    assert_non_null(init);
    UNICODE_STRING uname;
    RtlInitUnicodeString(&uname, name);
    assert_int_equal(WdfDeviceInitAssignName(init, &uname), STATUS_SUCCESS);
    WDFDEVICE device = NULL;
    *status_out = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (init_out != NULL)
        *init_out = init;
    return device;
}

static void control_device_lifecycle(void **state)
{
    (void)state;
    NTSTATUS status;
    WDFDEVICE control = create_control(L"\\Device\\WcoreCtl", &status, NULL);
    assert_int_equal(status, STATUS_SUCCESS);
    PDEVICE_OBJECT wdm = WdfDeviceWdmGetDeviceObject(control);
    assert_null(WdfDeviceWdmGetAttachedDevice(control));
    assert_null(WdfDeviceWdmGetPhysicalDevice(control));
    /* No device instance: no hardware or software key. */
    WDFKEY key = (WDFKEY)1;
    assert_int_equal(WdfDeviceOpenRegistryKey(control, PLUGPLAY_REGKEY_DEVICE, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES,
                                              &key),
                     STATUS_INVALID_DEVICE_REQUEST);
    assert_null(key);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 1);
    tl_verifier_setup();
    DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\WcoreCtl");
    assert_int_equal(WdfDeviceCreateSymbolicLink(control, &link), STATUS_SUCCESS);
    /* Not usable before WdfControlFinishInitializing. */
    assert_true(wdm->Flags & DO_DEVICE_INITIALIZING);
    HANDLE h;
    assert_int_equal(owdf_user_open("\\\\.\\WcoreCtl", GENERIC_READ, 0, 0, &h), STATUS_NO_SUCH_DEVICE);
    WdfControlFinishInitializing(control);
    assert_false(wdm->Flags & DO_DEVICE_INITIALIZING);
    assert_int_equal(owdf_user_open("\\\\.\\WcoreCtl", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    /* No queue: reads fail as KMDF fails them. */
    char buffer[4];
    ULONG bytes;
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* Interfaces need a PDO. */
    assert_int_equal(WdfDeviceCreateDeviceInterface(control, &TEST_INTERFACE_GUID, NULL),
                     STATUS_INVALID_DEVICE_REQUEST);
    /* The driver deletes its control device; name and link go with it. */
    WdfObjectDelete(control);
    assert_int_equal(owdf_user_open("\\\\.\\WcoreCtl", GENERIC_READ, 0, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_null(drv->DeviceObject);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 1);
}

static void control_device_failed_create(void **state)
{
    (void)state;
    NTSTATUS status;
    WDFDEVICE first = create_control(L"\\Device\\WcoreCtl", &status, NULL);
    assert_int_equal(status, STATUS_SUCCESS);
    PWDFDEVICE_INIT init;
    WDFDEVICE second = create_control(L"\\Device\\WcoreCtl", &status, &init);
    assert_int_equal(status, STATUS_OBJECT_NAME_COLLISION);
    assert_null(second);
    assert_non_null(init); /* still the driver's: it must free it */
    WdfDeviceInitFree(init);
    WdfDeviceInitFree(init); /* twice */
    assert_int_equal(tl_reports("INIT_ORDER"), 1);
    WdfObjectDelete(first);
}

static void control_init_errors(void **state)
{
    (void)state;
    assert_null(WdfControlDeviceInitAllocate(WdfGetDriver(), NULL));
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 1);
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(WdfGetDriver(), &sddl);
    assert_non_null(init);
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    WdfDeviceInitSetPnpPowerEventCallbacks(init, &pnp);
    WdfFdoInitSetFilter(init);
    WdfControlDeviceInitSetShutdownNotification(init, NULL, WdfDeviceShutdown);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 2);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 2);
    WdfDeviceInitFree(init);
}

/* ---- interfaces and device calls ---------------------------------------------------------------- */

static NTSTATUS add_with_interface(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    NTSTATUS status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
    if (NT_SUCCESS(status))
        status = WdfDeviceCreateDeviceInterface(added_device, &TEST_INTERFACE_GUID, NULL);
    return status;
}

static void interface_enabled_at_start_disabled_at_remove(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(add_with(add_with_interface), STATUS_SUCCESS);
    assert_int_equal(owdf_user_interface_path(&TEST_INTERFACE_GUID, 0, path, sizeof path, NULL),
                     STATUS_NO_MORE_ENTRIES);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    assert_int_equal(owdf_user_interface_path(&TEST_INTERFACE_GUID, 0, path, sizeof path, NULL), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_user_open_interface(&TEST_INTERFACE_GUID, 0, GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &string), STATUS_SUCCESS);
    assert_int_equal(WdfDeviceRetrieveDeviceInterfaceString(added_device, &TEST_INTERFACE_GUID, NULL, string),
                     STATUS_SUCCESS);
    WdfObjectDelete(string);
    /* The driver may switch it off and on. */
    WdfDeviceSetDeviceInterfaceState(added_device, &TEST_INTERFACE_GUID, NULL, FALSE);
    assert_int_equal(owdf_user_interface_path(&TEST_INTERFACE_GUID, 0, path, sizeof path, NULL),
                     STATUS_NO_MORE_ENTRIES);
    WdfDeviceSetDeviceInterfaceState(added_device, &TEST_INTERFACE_GUID, NULL, TRUE);
    assert_int_equal(owdf_user_interface_path(&TEST_INTERFACE_GUID, 0, path, sizeof path, NULL), STATUS_SUCCESS);
    /* The same interface twice. */
    assert_int_equal(WdfDeviceCreateDeviceInterface(added_device, &TEST_INTERFACE_GUID, NULL),
                     STATUS_OBJECT_NAME_COLLISION);
    remove_device();
    assert_int_equal(owdf_user_interface_path(&TEST_INTERFACE_GUID, 0, path, sizeof path, NULL),
                     STATUS_NO_MORE_ENTRIES);
}

static void device_state_and_capabilities(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_plain), STATUS_SUCCESS);
    WDFDEVICE device = added_device;
    WDF_DEVICE_STATE st;
    WDF_DEVICE_STATE_INIT(&st);
    WdfDeviceGetDeviceState(device, &st);
    assert_int_equal(st.Disabled, WdfFalse);
    assert_int_equal(st.NotDisableable, WdfFalse);
    WDF_DEVICE_STATE_INIT(&st);
    st.NotDisableable = WdfTrue;
    WdfDeviceSetDeviceState(device, &st);
    WDF_DEVICE_STATE_INIT(&st);
    st.DontDisplayInUI = WdfTrue;
    WdfDeviceSetDeviceState(device, &st); /* WdfUseDefault fields stay */
    WDF_DEVICE_STATE_INIT(&st);
    WdfDeviceGetDeviceState(device, &st);
    assert_int_equal(st.NotDisableable, WdfTrue);
    assert_int_equal(st.DontDisplayInUI, WdfTrue);
    assert_int_equal(st.Failed, WdfFalse);
    st.Size = 3;
    WdfDeviceSetDeviceState(device, &st);
    WdfDeviceGetDeviceState(device, &st);
    assert_int_equal(tl_reports("CONFIG_SIZE"), 2);

    WDF_DEVICE_PNP_CAPABILITIES pnp;
    WDF_DEVICE_PNP_CAPABILITIES_INIT(&pnp);
    pnp.SurpriseRemovalOK = WdfTrue;
    WdfDeviceSetPnpCapabilities(device, &pnp);
    assert_int_equal(((fx_device *)fx_object_lookup(device))->pnp_capabilities.SurpriseRemovalOK, WdfTrue);
    pnp.Size = 0;
    WdfDeviceSetPnpCapabilities(device, &pnp);
    WDF_DEVICE_POWER_CAPABILITIES power;
    WDF_DEVICE_POWER_CAPABILITIES_INIT(&power);
    assert_int_equal(power.DeviceState[PowerSystemWorking], PowerDeviceMaximum);
    WdfDeviceSetPowerCapabilities(device, &power);
    assert_int_equal(tl_reports("CONFIG_SIZE"), 3);

    WdfDeviceSetAlignmentRequirement(device, FILE_QUAD_ALIGNMENT);
    assert_int_equal(WdfDeviceGetAlignmentRequirement(device), FILE_QUAD_ALIGNMENT);
    assert_int_equal(WdfDeviceWdmGetDeviceObject(device)->AlignmentRequirement, FILE_QUAD_ALIGNMENT);

    assert_null(WdfDeviceGetIoTarget(device));
    assert_int_equal(tl_reports("NOT_IMPLEMENTED"), 1);
    WDFKEY key; /* device_registry_keys tests the keys */
    assert_int_equal(WdfDeviceOpenRegistryKey(device, PLUGPLAY_REGKEY_DEVICE, KEY_READ, NULL, &key), STATUS_SUCCESS);
    WdfRegistryClose(key);
    /* Unnamed device. */
    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &string), STATUS_SUCCESS);
    assert_int_equal(WdfDeviceRetrieveDeviceName(device, string), STATUS_INVALID_DEVICE_STATE);
    DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\WcoreNoName");
    assert_int_equal(WdfDeviceCreateSymbolicLink(device, &link), STATUS_INVALID_DEVICE_STATE);
    WdfObjectDelete(string);
    /* A wrong handle type. */
    assert_null(WdfDeviceWdmGetDeviceObject((WDFDEVICE)WdfGetDriver()));
    assert_int_equal(tl_reports("WRONG_HANDLE_TYPE"), 1);
    remove_device();
}

static void unremoved_device_at_unload(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_plain), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    /* Unloading with the device still present: reported, and the device is torn down. */
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    assert_int_equal(tl_reports("DRIVER_UNLOADED_WITH_DEVICES"), 1);
    assert_null(pdo->AttachedDevice);
    tl_log_verify_seen_in_order("EvtDriverUnload", "EvtDeviceCleanup");
    NTSTATUS status;
    drv = tl_wdf_load("WcoreDev", &status); /* for teardown */
    assert_int_equal(status, STATUS_SUCCESS);
}

/* ---- A handle open across removal ---------------------------------------------------------------- */

static volatile LONG device_destroyed;

static void EvtDeviceDestroy(WDFOBJECT object)
{
    (void)object;
    __atomic_store_n(&device_destroyed, 1, __ATOMIC_RELEASE);
    tl_log("EvtDeviceDestroy");
}

static NTSTATUS add_named_with_destroy(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    DECLARE_CONST_UNICODE_STRING(name, L"\\Device\\WcoreKept");
    assert_int_equal(WdfDeviceInitAssignName(init, &name), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.EvtDestroyCallback = EvtDeviceDestroy;
    return WdfDeviceCreate(&init, &attributes, &added_device);
}

/* The WDFDEVICE lives as long as its device object: a handle still open after the removal keeps it,
 * and the I/O and the CLOSE that still reach the device find it (deleted), not freed memory. */
static void handle_open_across_removal_keeps_the_device(void **state)
{
    (void)state;
    device_destroyed = 0;
    assert_int_equal(add_with(add_named_with_destroy), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcoreKept", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    PDEVICE_OBJECT fdo = WdfDeviceWdmGetDeviceObject(added_device);
    remove_device();
    assert_int_equal(device_destroyed, 0); /* deleted, kept by the open handle */
    assert_ptr_equal(fx_device_from_wdm(fdo), fx_object_lookup(added_device));
    char buffer[4];
    ULONG bytes = 1;
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(bytes, 0);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS); /* CLEANUP and CLOSE reach the device */
    assert_int_equal(device_destroyed, 1);                 /* with the device object's last reference */
    assert_int_equal(tl_total_reports(), 0);
}

/* ---- registry keys of the device instance ---------------------------------------------------------- */

#define WCORE_ENUM L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\ROOT\\WCOREPDO0\\0000"
#define WCORE_CLASS_KEY L"{4d36e97d-e325-11ce-bfc1-08002be10318}\\0007"

static ULONG query_ulong_at(PCWSTR path, PCWSTR value_name)
{
    UNICODE_STRING upath, uname;
    RtlInitUnicodeString(&upath, path);
    RtlInitUnicodeString(&uname, value_name);
    WDFKEY key;
    assert_int_equal(WdfRegistryOpenKey(NULL, &upath, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key), STATUS_SUCCESS);
    ULONG value = 0;
    assert_int_equal(WdfRegistryQueryULong(key, &uname, &value), STATUS_SUCCESS);
    WdfRegistryClose(key);
    return value;
}

static NTSTATUS add_opening_keys(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    WDFKEY key;
    assert_int_equal(WdfFdoInitOpenRegistryKey(init, PLUGPLAY_REGKEY_DEVICE, KEY_READ | KEY_WRITE,
                                               WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    DECLARE_CONST_UNICODE_STRING(name, L"FromInit");
    assert_int_equal(WdfRegistryAssignULong(key, &name, 7), STATUS_SUCCESS);
    WdfRegistryClose(key);
    return WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &added_device);
}

static void device_registry_keys(void **state)
{
    (void)state;
    assert_int_equal(add_with(add_opening_keys), STATUS_SUCCESS);
    /* The hardware key: Enum\<instance>\Device Parameters, the one the init opened. */
    WDFKEY key;
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DEVICE, KEY_READ,
                                              WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    DECLARE_CONST_UNICODE_STRING(from_init, L"FromInit");
    ULONG value = 0;
    assert_int_equal(WdfRegistryQueryULong(key, &from_init, &value), STATUS_SUCCESS);
    assert_int_equal(value, 7);
    WdfRegistryClose(key);
    assert_int_equal(query_ulong_at(WCORE_ENUM L"\\Device Parameters", L"FromInit"), 7);

    /* The software key: none until the instance key names one ("Driver", written by installers). */
    key = (WDFKEY)1;
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DRIVER, KEY_READ,
                                              WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    assert_null(key);
    DECLARE_CONST_UNICODE_STRING(instance, WCORE_ENUM);
    assert_int_equal(WdfRegistryOpenKey(NULL, &instance, KEY_SET_VALUE, WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    DECLARE_CONST_UNICODE_STRING(driver_name, L"Driver");
    DECLARE_CONST_UNICODE_STRING(driver_value, WCORE_CLASS_KEY);
    assert_int_equal(WdfRegistryAssignUnicodeString(key, &driver_name, &driver_value), STATUS_SUCCESS);
    WdfRegistryClose(key);
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DRIVER, KEY_READ | KEY_WRITE,
                                              WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    DECLARE_CONST_UNICODE_STRING(soft, L"Soft");
    assert_int_equal(WdfRegistryAssignULong(key, &soft, 9), STATUS_SUCCESS);
    WdfRegistryClose(key);
    assert_int_equal(
        query_ulong_at(L"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class\\" WCORE_CLASS_KEY, L"Soft"),
        9);

    /* The current hardware profile's copy is another key. */
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_CURRENT_HWPROFILE,
                                              KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryULong(key, &from_init, &value), STATUS_OBJECT_NAME_NOT_FOUND);
    WdfRegistryClose(key);

    /* Bad input. */
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER,
                                              KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DEVICE | WDF_REGKEY_DEVICE_SUBKEY,
                                              KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_INVALID_PARAMETER); /* UMDF's */
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, 0, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 3);
    assert_int_equal(WdfDeviceOpenRegistryKey(added_device, PLUGPLAY_REGKEY_DEVICE, KEY_READ,
                                              WDF_NO_OBJECT_ATTRIBUTES, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 1);
    remove_device();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fdo_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(fdo_init_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(fdo_neither_io, setup, teardown),
        cmocka_unit_test_setup_teardown(init_order_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_add_deletes_the_device, setup, teardown),
        cmocka_unit_test_setup_teardown(add_without_device, setup, teardown),
        cmocka_unit_test_setup_teardown(create_errors_leave_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(null_and_bad_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(filter_copies_lower_device, setup, teardown),
        cmocka_unit_test_setup_teardown(control_device_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(control_device_failed_create, setup, teardown),
        cmocka_unit_test_setup_teardown(control_init_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(interface_enabled_at_start_disabled_at_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(device_state_and_capabilities, setup, teardown),
        cmocka_unit_test_setup_teardown(unremoved_device_at_unload, setup, teardown),
        cmocka_unit_test_setup_teardown(handle_open_across_removal_keeps_the_device, setup, teardown),
        cmocka_unit_test_setup_teardown(device_registry_keys, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
