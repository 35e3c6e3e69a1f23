/*
 * core_driver_test.c - the WDFDRIVER and the driver stub: binding through FxDriverEntry,
 * WdfDriverCreate (what it takes over, its errors), unload (EvtDriverUnload, leak and control-device
 * reports), the WdfDriver* calls, and the WPP sink into the in-flight recorder.
 */
#include "core_testlib.h"

#include <openwdf/ifr.h>
#include <openwdf/wpp.h>

#include "fx_device.h"
#include "fx_driver.h"
#include "fx_object.h"

#include <string.h>

/* ---- the test driver -------------------------------------------------------------------------- */

static struct {
    ULONG init_flags;
    BOOLEAN no_unload_callback;
    BOOLEAN no_add_callback;
    ULONG config_size;        /* 0: the right size */
    BOOLEAN create_twice;
    BOOLEAN null_config;
    NTSTATUS fail_after_create; /* DriverEntry's status after a successful WdfDriverCreate */
    BOOLEAN driver_cleanup;   /* DriverAttributes with an EvtCleanupCallback */
    BOOLEAN leak_object;      /* a WDFOBJECT with an extra tagged reference */
    BOOLEAN leftover_control_init;
    BOOLEAN leftover_control_device;
    BOOLEAN trace;            /* a WPP message from DriverEntry */
    BOOLEAN wdm_unload;       /* a WDM DriverUnload set before WdfDriverCreate */
    NTSTATUS create_status;
    NTSTATUS second_status;
    WDFOBJECT leaked;
} cfg;

static EVT_WDF_DRIVER_DEVICE_ADD EvtAdd;
static EVT_WDF_DRIVER_UNLOAD EvtUnload;

static NTSTATUS EvtAdd(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    (void)init;
    tl_log("EvtDriverDeviceAdd");
    return STATUS_SUCCESS;
}

static void EvtUnload(WDFDRIVER driver)
{
    assert_ptr_equal(driver, WdfGetDriver());
    tl_log("EvtDriverUnload");
}

static void EvtDriverCleanup(WDFOBJECT object)
{
    (void)object;
    tl_log("EvtDriverCleanup");
}

static void WdmUnload(PDRIVER_OBJECT driver)
{
    (void)driver;
    tl_log("DriverUnload");
}

static const char leak_tag[] = "leak-tag";

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    tl_log("DriverEntry");
    if (cfg.trace)
        owdf_wpp_trace("TestControl", TRACE_LEVEL_INFORMATION, 1, __FILE__, __LINE__, __func__, "hello %d", 42);
    if (cfg.wdm_unload)
        DriverObject->DriverUnload = WdmUnload;
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, cfg.no_add_callback ? NULL : EvtAdd);
    config.EvtDriverUnload = cfg.no_unload_callback ? NULL : EvtUnload;
    config.DriverInitFlags = cfg.init_flags;
    if (cfg.config_size != 0)
        config.Size = cfg.config_size;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.EvtCleanupCallback = EvtDriverCleanup;
    WDFDRIVER driver = (WDFDRIVER)(uintptr_t)1;
    NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, cfg.driver_cleanup ? &attributes : NULL,
                                      cfg.null_config ? NULL : &config, &driver);
    cfg.create_status = status;
    if (!NT_SUCCESS(status))
        return status; /* as KMDF, *Driver is only written once the early checks passed */
    assert_ptr_equal(driver, WdfGetDriver());
    if (cfg.create_twice) {
        WDFDRIVER second;
        cfg.second_status = WdfDriverCreate(DriverObject, RegistryPath, NULL, &config, &second);
    }
    if (cfg.leak_object) {
        assert_int_equal(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &cfg.leaked), STATUS_SUCCESS);
        WdfObjectReferenceWithTag(cfg.leaked, (PVOID)leak_tag);
    }
    if (cfg.leftover_control_init) {
        DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)");
        assert_non_null(WdfControlDeviceInitAllocate(driver, &sddl));
    }
    if (cfg.leftover_control_device) {
        DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)");
        PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(driver, &sddl);
        assert_non_null(init);
        WDFDEVICE device;
        assert_int_equal(WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &device), STATUS_SUCCESS);
        assert_null(init);
        WdfControlFinishInitializing(device);
    }
    return cfg.fail_after_create;
}

/* ---- fixtures ---------------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    memset(&cfg, 0, sizeof cfg);
    tl_log_reset();
    tl_verifier_setup();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_null(WdfDriverGlobals);
    assert_int_equal(owdf_io_loaded_driver_count(), 0);
    fx_driver_reap_globals();
    assert_int_equal(fx_object_live_count(NULL), 0);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------------- */

static void create_and_unload(void **state)
{
    (void)state;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_non_null(WdfDriverGlobals);
    WDFDRIVER driver = WdfGetDriver();
    assert_non_null(driver);
    assert_string_equal(WdfDriverGlobals->DriverName, "WcoreDrv");
    assert_ptr_equal(WdfDriverWdmGetDriverObject(driver), drv);
    assert_ptr_equal(WdfWdmDriverGetWdfDriverHandle(drv), driver);
    /* The Framework owns the dispatch table, AddDevice and DriverUnload. */
    for (int i = 1; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        assert_ptr_equal(drv->MajorFunction[i], drv->MajorFunction[0]);
    assert_ptr_equal(drv->MajorFunction[0], fx_dispatch);
    assert_ptr_equal(drv->DriverExtension->AddDevice, fx_driver_add_device);
    assert_non_null(drv->DriverUnload);
    /* The registry path is the Framework's copy (DriverEntry's copy is freed on return). */
    PWSTR path = WdfDriverGetRegistryPath(driver);
    assert_non_null(path);
    static const char expected[] = "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\WcoreDrv";
    for (size_t i = 0; i < sizeof expected; i++)
        assert_int_equal(path[i], (WCHAR)expected[i]);
    /* The driver object cannot be deleted by the driver. */
    WdfObjectDelete(driver);
    assert_int_equal(tl_reports("DELETE_FRAMEWORK_OWNED"), 1);
    assert_int_equal(owdf_ifr_count("WcoreDrv", OWDF_IFR_OBJECT_CREATED), 1);

    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_log_verify_exact("DriverEntry", "EvtDriverUnload");
    assert_int_equal(tl_reports("OBJECT_LEAK_AT_UNLOAD"), 0);
    assert_int_equal(tl_total_reports(), 1);
}

static void load_again_after_unload(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        NTSTATUS status;
        PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
        assert_int_equal(status, STATUS_SUCCESS);
        assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    }
    assert_int_equal(tl_log_count("EvtDriverUnload"), 3);
    assert_int_equal(tl_total_reports(), 0);
}

static void stub_refuses_second_binding(void **state)
{
    (void)state;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    /* One driver per binary: the same binary loaded under another name is refused. */
    PDRIVER_OBJECT other = tl_wdf_load("WcoreDrv2", &status);
    assert_int_equal(status, STATUS_IMAGE_ALREADY_LOADED);
    assert_null(other);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
}

static void create_twice_fails(void **state)
{
    (void)state;
    cfg.create_twice = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_int_equal(cfg.second_status, STATUS_DRIVER_INTERNAL_ERROR);
    assert_int_equal(tl_reports("DRIVER_CREATE_TWICE"), 1);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
}

static void config_size_mismatch(void **state)
{
    (void)state;
    cfg.config_size = sizeof(WDF_DRIVER_CONFIG) - 4;
    NTSTATUS status;
    assert_null(tl_wdf_load("WcoreDrv", &status));
    assert_int_equal(status, STATUS_INFO_LENGTH_MISMATCH);
    assert_int_equal(tl_reports("CONFIG_SIZE"), 1);
    /* Nothing was created, nothing is left: the stub unbound. */
    assert_int_equal(tl_reports("OBJECT_LEAK_AT_UNLOAD"), 0);
}

static void invalid_flags(void **state)
{
    (void)state;
    cfg.init_flags = 0x100;
    NTSTATUS status;
    assert_null(tl_wdf_load("WcoreDrv", &status));
    assert_int_equal(status, STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("DDI_INVALID_PARAMETER"), 1);
}

static void nonpnp_with_device_add_fails(void **state)
{
    (void)state;
    cfg.init_flags = WdfDriverInitNonPnpDriver;
    NTSTATUS status;
    assert_null(tl_wdf_load("WcoreDrv", &status));
    assert_int_equal(status, STATUS_INVALID_PARAMETER);
}

static void null_config_is_reported(void **state)
{
    (void)state;
    cfg.null_config = TRUE;
    NTSTATUS status;
    assert_null(tl_wdf_load("WcoreDrv", &status));
    assert_int_equal(status, STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 1);
    assert_int_equal(tl_stop_requests(), 1); /* KMDF bug-checks: the policy stops the driver */
}

static void nonpnp_driver(void **state)
{
    (void)state;
    cfg.init_flags = WdfDriverInitNonPnpDriver;
    cfg.no_add_callback = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_null(drv->DriverExtension->AddDevice);
    assert_ptr_equal(drv->MajorFunction[IRP_MJ_CREATE], fx_dispatch);
    assert_int_equal(WdfDriverGlobals->DriverFlags & WdfDriverInitNonPnpDriver, WdfDriverInitNonPnpDriver);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_log_verify_exact("DriverEntry", "EvtDriverUnload");
}

static void nonpnp_without_unload_cannot_unload(void **state)
{
    (void)state;
    cfg.init_flags = WdfDriverInitNonPnpDriver;
    cfg.no_add_callback = TRUE;
    cfg.no_unload_callback = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_null(drv->DriverUnload);
    assert_int_equal(tl_wdf_unload(drv), STATUS_INVALID_DEVICE_REQUEST);
    /* Clean up by hand: unbind as the stub would, then let the I/O manager unload it. */
    PWDF_DRIVER_GLOBALS globals = WdfDriverGlobals;
    WdfDriverGlobals = NULL;
    imp_fx_driver_unbind(globals);
    drv->DriverUnload = WdmUnload;
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
}

static void no_dispatch_override(void **state)
{
    (void)state;
    cfg.init_flags = WdfDriverInitNoDispatchOverride;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_ptr_not_equal(drv->MajorFunction[IRP_MJ_CREATE], fx_dispatch);
    assert_null(drv->DriverExtension->AddDevice);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS); /* EvtDriverUnload given: unloadable */
    assert_int_equal(tl_log_count("EvtDriverUnload"), 1);
}

static void wdm_unload_runs_after_evt_unload(void **state)
{
    (void)state;
    cfg.wdm_unload = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_log_verify_exact("DriverEntry", "EvtDriverUnload", "DriverUnload");
}

static void failed_driver_entry_after_create(void **state)
{
    (void)state;
    cfg.fail_after_create = STATUS_DEVICE_CONFIGURATION_ERROR;
    cfg.driver_cleanup = TRUE;
    NTSTATUS status;
    assert_null(tl_wdf_load("WcoreDrv", &status));
    assert_int_equal(status, STATUS_DEVICE_CONFIGURATION_ERROR);
    /* The WDFDRIVER is deleted (its cleanup runs); EvtDriverUnload is not called. */
    tl_log_verify_exact("DriverEntry", "EvtDriverCleanup");
    assert_int_equal(tl_total_reports(), 0);
}

static void leak_reported_at_unload(void **state)
{
    (void)state;
    cfg.leak_object = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    WDFOBJECT leaked = cfg.leaked;
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    assert_int_equal(tl_reports("OBJECT_LEAK_AT_UNLOAD"), 1);
    const char *message = tl_last_message("OBJECT_LEAK_AT_UNLOAD");
    assert_non_null(strstr(message, "2 framework object(s)")); /* the object and the WDFDRIVER it holds */
    assert_non_null(strstr(message, "WDFOBJECT"));
    assert_non_null(strstr(message, "reference tag"));
    assert_non_null(strstr(message, "core_driver_test.c"));
    /* The leaked object still lives; once released, its driver's globals can go too. */
    fx_object *object = fx_object_lookup(leaked);
    assert_non_null(object);
    FX_DEREF(object, leak_tag);
    fx_driver_reap_globals();
}

static void leftover_control_init_reported(void **state)
{
    (void)state;
    cfg.leftover_control_init = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    assert_int_equal(tl_reports("INIT_ORDER"), 1);
    assert_non_null(strstr(tl_last_message("INIT_ORDER"), "neither passed"));
}

static void control_device_left_by_pnp_driver(void **state)
{
    (void)state;
    cfg.leftover_control_device = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_non_null(drv->DeviceObject);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    assert_int_equal(tl_reports("CONTROL_DEVICE_NOT_DELETED"), 1);
    assert_int_equal(tl_reports("OBJECT_LEAK_AT_UNLOAD"), 0);
}

static void control_device_left_by_nonpnp_driver(void **state)
{
    (void)state;
    cfg.leftover_control_device = TRUE;
    cfg.init_flags = WdfDriverInitNonPnpDriver;
    cfg.no_add_callback = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    /* A non-PnP driver's control devices are the Framework's to delete at unload. */
    assert_int_equal(tl_reports("CONTROL_DEVICE_NOT_DELETED"), 0);
    assert_int_equal(tl_total_reports(), 0);
}

static void version_calls(void **state)
{
    (void)state;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    WDFDRIVER driver = WdfGetDriver();
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS params;
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&params, 1, 33);
    assert_true(WdfDriverIsVersionAvailable(driver, &params));
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&params, 1, 0);
    assert_true(WdfDriverIsVersionAvailable(driver, &params));
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&params, 1, 34);
    assert_false(WdfDriverIsVersionAvailable(driver, &params));
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&params, 2, 0);
    assert_false(WdfDriverIsVersionAvailable(driver, &params));
    params.Size = 4;
    assert_false(WdfDriverIsVersionAvailable(driver, &params));
    assert_int_equal(tl_reports("CONFIG_SIZE"), 1);

    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &string), STATUS_SUCCESS);
    assert_int_equal(WdfDriverRetrieveVersionString(driver, string), STATUS_SUCCESS);
    UNICODE_STRING text;
    WdfStringGetUnicodeString(string, &text);
    static const char prefix[] = "Kernel Mode Driver Framework";
    assert_true(text.Length >= (sizeof prefix - 1) * sizeof(WCHAR));
    for (size_t i = 0; i < sizeof prefix - 1; i++)
        assert_int_equal(text.Buffer[i], (WCHAR)prefix[i]);
    assert_int_equal(text.Buffer[text.Length / sizeof(WCHAR) - 1], L'3'); /* "...1.33" */
    WdfObjectDelete(string);

    assert_int_equal(WdfDriverRetrieveVersionString(driver, (WDFSTRING)driver), STATUS_INVALID_HANDLE);
    assert_int_equal(tl_reports("WRONG_HANDLE_TYPE"), 1);
    assert_int_equal(WdfDriverRegisterTraceInfo(drv, NULL, NULL), STATUS_NOT_SUPPORTED);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
}

static void parameters_key(void **state)
{
    (void)state;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    WDFKEY key;
    assert_int_equal(WdfDriverOpenParametersRegistryKey(WdfGetDriver(), KEY_READ | KEY_WRITE,
                                                        WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    DECLARE_CONST_UNICODE_STRING(name, L"Answer");
    assert_int_equal(WdfRegistryAssignULong(key, &name, 42), STATUS_SUCCESS);
    WdfRegistryClose(key);
    assert_int_equal(WdfDriverOpenParametersRegistryKey(WdfGetDriver(), KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key),
                     STATUS_SUCCESS);
    ULONG value = 0;
    assert_int_equal(WdfRegistryQueryULong(key, &name, &value), STATUS_SUCCESS);
    assert_int_equal(value, 42);
    WdfRegistryClose(key);
    assert_int_equal(WdfDriverOpenParametersRegistryKey(WdfGetDriver(), KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 1);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
}

static void wpp_messages_reach_the_recorder(void **state)
{
    (void)state;
    cfg.trace = TRUE;
    NTSTATUS status;
    PDRIVER_OBJECT drv = tl_wdf_load("WcoreDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    owdf_ifr_record records[64];
    size_t n = owdf_ifr_snapshot("WcoreDrv", records, 64);
    BOOLEAN found = FALSE;
    for (size_t i = 0; i < n; i++)
        found |= records[i].event == OWDF_IFR_TRACE && strstr(records[i].text, "hello 42") != NULL;
    assert_true(found);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_and_unload, setup, teardown),
        cmocka_unit_test_setup_teardown(load_again_after_unload, setup, teardown),
        cmocka_unit_test_setup_teardown(stub_refuses_second_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(create_twice_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(config_size_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(nonpnp_with_device_add_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(null_config_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(nonpnp_driver, setup, teardown),
        cmocka_unit_test_setup_teardown(nonpnp_without_unload_cannot_unload, setup, teardown),
        cmocka_unit_test_setup_teardown(no_dispatch_override, setup, teardown),
        cmocka_unit_test_setup_teardown(wdm_unload_runs_after_evt_unload, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_driver_entry_after_create, setup, teardown),
        cmocka_unit_test_setup_teardown(leak_reported_at_unload, setup, teardown),
        cmocka_unit_test_setup_teardown(leftover_control_init_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(control_device_left_by_pnp_driver, setup, teardown),
        cmocka_unit_test_setup_teardown(control_device_left_by_nonpnp_driver, setup, teardown),
        cmocka_unit_test_setup_teardown(version_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(parameters_key, setup, teardown),
        cmocka_unit_test_setup_teardown(wpp_messages_reach_the_recorder, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
