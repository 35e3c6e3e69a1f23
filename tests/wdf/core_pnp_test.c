/*
 * core_pnp_test.c - the minimal PnP handling: the exact order of the driver's callbacks at start,
 * removal, surprise removal and stop/restart (KMDF's documented sequences), start failures, query
 * vetoes, and the empty resource lists EvtDevicePrepareHardware gets.
 */
#include "core_testlib.h"

#include "fx_object.h"

#include <string.h>

/* ---- the test driver: logs every PnP/power callback ----------------------------------------------- */

static struct {
    NTSTATUS prepare_status, d0_entry_status, smio_init_status, query_remove_status, query_stop_status;
    BOOLEAN static_stop_remove_disabled;
    WDFDEVICE device;
    ULONG raw_count, translated_count;
    BOOLEAN descriptor_null;
} cfg;

static const char *power_name(WDF_POWER_DEVICE_STATE state)
{
    switch (state) {
    case WdfPowerDeviceD0:
        return "D0";
    case WdfPowerDeviceD3:
        return "D3";
    case WdfPowerDeviceD3Final:
        return "D3Final";
    default:
        return "?";
    }
}

static NTSTATUS EvtPrepareHardware(WDFDEVICE device, WDFCMRESLIST raw, WDFCMRESLIST translated)
{
    (void)device;
    cfg.raw_count = WdfCmResourceListGetCount(raw);
    cfg.translated_count = WdfCmResourceListGetCount(translated);
    cfg.descriptor_null = WdfCmResourceListGetDescriptor(translated, 0) == NULL;
    tl_log("EvtDevicePrepareHardware");
    return cfg.prepare_status;
}

static NTSTATUS EvtReleaseHardware(WDFDEVICE device, WDFCMRESLIST translated)
{
    (void)device;
    (void)translated;
    tl_log("EvtDeviceReleaseHardware");
    return STATUS_SUCCESS;
}

static NTSTATUS EvtD0Entry(WDFDEVICE device, WDF_POWER_DEVICE_STATE previous)
{
    (void)device;
    tl_log("EvtDeviceD0Entry(%s)", power_name(previous));
    return cfg.d0_entry_status;
}

static NTSTATUS EvtD0EntryPostInterruptsEnabled(WDFDEVICE device, WDF_POWER_DEVICE_STATE previous)
{
    (void)device;
    tl_log("EvtDeviceD0EntryPostInterruptsEnabled(%s)", power_name(previous));
    return STATUS_SUCCESS;
}

static NTSTATUS EvtD0ExitPreInterruptsDisabled(WDFDEVICE device, WDF_POWER_DEVICE_STATE target)
{
    (void)device;
    tl_log("EvtDeviceD0ExitPreInterruptsDisabled(%s)", power_name(target));
    return STATUS_SUCCESS;
}

static NTSTATUS EvtD0Exit(WDFDEVICE device, WDF_POWER_DEVICE_STATE target)
{
    (void)device;
    tl_log("EvtDeviceD0Exit(%s)", power_name(target));
    return STATUS_SUCCESS;
}

static NTSTATUS EvtSmioInit(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceSelfManagedIoInit");
    return cfg.smio_init_status;
}

static NTSTATUS EvtSmioSuspend(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceSelfManagedIoSuspend");
    return STATUS_SUCCESS;
}

static NTSTATUS EvtSmioRestart(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceSelfManagedIoRestart");
    return STATUS_SUCCESS;
}

static void EvtSmioFlush(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceSelfManagedIoFlush");
}

static void EvtSmioCleanup(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceSelfManagedIoCleanup");
}

static void EvtSurpriseRemoval(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceSurpriseRemoval");
}

static NTSTATUS EvtQueryRemove(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceQueryRemove");
    return cfg.query_remove_status;
}

static NTSTATUS EvtQueryStop(WDFDEVICE device)
{
    (void)device;
    tl_log("EvtDeviceQueryStop");
    return cfg.query_stop_status;
}

static void EvtDeviceCleanup(WDFOBJECT object)
{
    (void)object;
    tl_log("EvtDeviceCleanup");
}

static NTSTATUS EvtAdd(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    tl_log("EvtDriverDeviceAdd");
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDevicePrepareHardware = EvtPrepareHardware;
    pnp.EvtDeviceReleaseHardware = EvtReleaseHardware;
    pnp.EvtDeviceD0Entry = EvtD0Entry;
    pnp.EvtDeviceD0EntryPostInterruptsEnabled = EvtD0EntryPostInterruptsEnabled;
    pnp.EvtDeviceD0ExitPreInterruptsDisabled = EvtD0ExitPreInterruptsDisabled;
    pnp.EvtDeviceD0Exit = EvtD0Exit;
    pnp.EvtDeviceSelfManagedIoInit = EvtSmioInit;
    pnp.EvtDeviceSelfManagedIoSuspend = EvtSmioSuspend;
    pnp.EvtDeviceSelfManagedIoRestart = EvtSmioRestart;
    pnp.EvtDeviceSelfManagedIoFlush = EvtSmioFlush;
    pnp.EvtDeviceSelfManagedIoCleanup = EvtSmioCleanup;
    pnp.EvtDeviceSurpriseRemoval = EvtSurpriseRemoval;
    pnp.EvtDeviceQueryRemove = EvtQueryRemove;
    pnp.EvtDeviceQueryStop = EvtQueryStop;
    WdfDeviceInitSetPnpPowerEventCallbacks(init, &pnp);
    WDF_POWER_POLICY_EVENT_CALLBACKS policy;
    WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(&policy);
    WdfDeviceInitSetPowerPolicyEventCallbacks(init, &policy);
    WdfDeviceInitSetPowerPolicyOwnership(init, TRUE);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.EvtCleanupCallback = EvtDeviceCleanup;
    NTSTATUS status = WdfDeviceCreate(&init, &attributes, &cfg.device);
    if (NT_SUCCESS(status) && cfg.static_stop_remove_disabled)
        WdfDeviceSetStaticStopRemove(cfg.device, FALSE);
    return status;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, EvtAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

static PDRIVER_OBJECT drv;
static PDEVICE_OBJECT pdo;

static int setup(void **state)
{
    (void)state;
    memset(&cfg, 0, sizeof cfg);
    tl_log_reset();
    tl_verifier_setup();
    tl_bus_load();
    pdo = tl_bus_create_pdo("WcorePdo2", 0);
    NTSTATUS status;
    drv = tl_wdf_load("WcorePnp", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_int_equal(tl_add_device(drv, pdo), STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_bus_unload();
    assert_int_equal(fx_object_live_count(NULL), 0);
    assert_int_equal(owdf_io_loaded_driver_count(), 0);
    return 0;
}

#define START_SEQUENCE \
    "bus:PNP(0x00)", "EvtDevicePrepareHardware", "EvtDeviceD0Entry(D3Final)", \
        "EvtDeviceD0EntryPostInterruptsEnabled(D3Final)", "EvtDeviceSelfManagedIoInit"

#define POWER_DOWN_SEQUENCE \
    "EvtDeviceSelfManagedIoSuspend", "EvtDeviceD0ExitPreInterruptsDisabled(D3Final)", "EvtDeviceD0Exit(D3Final)", \
        "EvtDeviceReleaseHardware"

static void start_and_remove_order(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    assert_int_equal(cfg.raw_count, 0);
    assert_int_equal(cfg.translated_count, 0);
    assert_true(cfg.descriptor_null);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    tl_log_verify_exact("EvtDriverDeviceAdd", START_SEQUENCE, "EvtDeviceQueryRemove", "bus:PNP(0x01)",
                        POWER_DOWN_SEQUENCE, "EvtDeviceSelfManagedIoFlush", "EvtDeviceSelfManagedIoCleanup",
                        "bus:PNP(0x02)", "EvtDeviceCleanup");
    assert_null(pdo->AttachedDevice);
    assert_int_equal(tl_total_reports(), 0);
}

static void other_pnp_irps_go_down(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    tl_log_reset();
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_CAPABILITIES), STATUS_NOT_SUPPORTED);
    assert_int_equal(tl_bus.pnp[IRP_MN_QUERY_CAPABILITIES], 1);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_CANCEL_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_bus.pnp[IRP_MN_CANCEL_REMOVE_DEVICE], 1);
    assert_int_equal(tl_send_simple(pdo, IRP_MJ_POWER), STATUS_SUCCESS);
    assert_int_equal(tl_bus.irps[IRP_MJ_POWER], 1);
    /* A second start while started is passed down and calls nothing. */
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    tl_log_verify_exact("bus:PNP(0x09)", "bus:PNP(0x03)", "bus:PNP(0x00)");
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
}

static void surprise_removal_order(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    tl_log_reset();
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_SURPRISE_REMOVAL), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    tl_log_verify_exact("EvtDeviceSurpriseRemoval", POWER_DOWN_SEQUENCE, "EvtDeviceSelfManagedIoFlush",
                        "bus:PNP(0x17)", "EvtDeviceSelfManagedIoCleanup", "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void stop_and_restart(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    tl_log_reset();
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_STOP_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_STOP_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    tl_log_verify_exact("EvtDeviceQueryStop", "bus:PNP(0x05)", POWER_DOWN_SEQUENCE, "bus:PNP(0x04)",
                        "bus:PNP(0x00)", "EvtDevicePrepareHardware", "EvtDeviceD0Entry(D3Final)",
                        "EvtDeviceD0EntryPostInterruptsEnabled(D3Final)", "EvtDeviceSelfManagedIoRestart",
                        POWER_DOWN_SEQUENCE, "EvtDeviceSelfManagedIoFlush", "EvtDeviceSelfManagedIoCleanup",
                        "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void query_remove_veto(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    cfg.query_remove_status = STATUS_DEVICE_BUSY;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_REMOVE_DEVICE), STATUS_DEVICE_BUSY);
    assert_int_equal(tl_bus.pnp[IRP_MN_QUERY_REMOVE_DEVICE], 0); /* vetoed: not passed down */
    cfg.query_stop_status = STATUS_UNSUCCESSFUL;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_STOP_DEVICE), STATUS_UNSUCCESSFUL);
    assert_int_equal(tl_bus.pnp[IRP_MN_QUERY_STOP_DEVICE], 0);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_CANCEL_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
}

static void static_stop_remove(void **state)
{
    (void)state;
    WdfDeviceSetStaticStopRemove(cfg.device, FALSE);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_REMOVE_DEVICE), STATUS_INVALID_DEVICE_STATE);
    assert_int_equal(tl_log_count("EvtDeviceQueryRemove"), 0);
    WdfDeviceSetStaticStopRemove(cfg.device, TRUE);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_QUERY_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
}

static void prepare_hardware_fails(void **state)
{
    (void)state;
    cfg.prepare_status = STATUS_DEVICE_CONFIGURATION_ERROR;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_DEVICE_CONFIGURATION_ERROR);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    /* ReleaseHardware follows a failed PrepareHardware; nothing else ran. */
    tl_log_verify_exact("EvtDriverDeviceAdd", "bus:PNP(0x00)", "EvtDevicePrepareHardware", "EvtDeviceReleaseHardware",
                        "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void prepare_hardware_not_supported_is_reported(void **state)
{
    (void)state;
    cfg.prepare_status = STATUS_NOT_SUPPORTED;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_UNSUCCESSFUL);
    assert_int_equal(tl_reports("PNP_CALLBACK_INVALID_STATUS"), 1);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
}

static void d0_entry_fails(void **state)
{
    (void)state;
    cfg.d0_entry_status = STATUS_DEVICE_NOT_READY;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_DEVICE_NOT_READY);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    /* No D0Exit after a failed D0Entry. */
    tl_log_verify_exact("EvtDriverDeviceAdd", "bus:PNP(0x00)", "EvtDevicePrepareHardware", "EvtDeviceD0Entry(D3Final)",
                        "EvtDeviceReleaseHardware", "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void self_managed_io_init_fails(void **state)
{
    (void)state;
    cfg.smio_init_status = STATUS_INSUFFICIENT_RESOURCES;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_INSUFFICIENT_RESOURCES);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    tl_log_verify_exact("EvtDriverDeviceAdd", START_SEQUENCE, POWER_DOWN_SEQUENCE, "EvtDeviceSelfManagedIoFlush",
                        "EvtDeviceSelfManagedIoCleanup", "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void lower_start_failure(void **state)
{
    (void)state;
    tl_bus_start_status = STATUS_DEVICE_POWER_FAILURE;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_DEVICE_POWER_FAILURE);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    /* The lower driver failed the start: the driver's start callbacks never ran. */
    tl_log_verify_exact("EvtDriverDeviceAdd", "bus:PNP(0x00)", "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void remove_without_start(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    tl_log_verify_exact("EvtDriverDeviceAdd", "bus:PNP(0x02)", "EvtDeviceCleanup");
}

static void resource_list_handles_checked(void **state)
{
    (void)state;
    assert_int_equal(WdfCmResourceListGetCount((WDFCMRESLIST)cfg.device), 0);
    assert_int_equal(tl_reports("WRONG_HANDLE_TYPE"), 1);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(start_and_remove_order, setup, teardown),
        cmocka_unit_test_setup_teardown(other_pnp_irps_go_down, setup, teardown),
        cmocka_unit_test_setup_teardown(surprise_removal_order, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_and_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(query_remove_veto, setup, teardown),
        cmocka_unit_test_setup_teardown(static_stop_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(prepare_hardware_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(prepare_hardware_not_supported_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(d0_entry_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(self_managed_io_init_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(lower_start_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(remove_without_start, setup, teardown),
        cmocka_unit_test_setup_teardown(resource_list_handles_checked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
