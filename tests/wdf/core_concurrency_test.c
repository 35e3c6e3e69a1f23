/*
 * core_concurrency_test.c - wdf-core under concurrent use: many threads opening and closing a device
 * (WDFFILEOBJECT creation, lookup and deletion on the device's list), concurrent reads through a
 * filter's pass-through dispatch, and concurrent device-interface state changes. Runs under TSan.
 */
#include "core_testlib.h"

#include <initguid.h>
#include <pthread.h>

#include "fx_device.h"
#include "fx_object.h"

#include <string.h>

DEFINE_GUID(CONC_INTERFACE_GUID, 0x0b8f6a3e, 0x77c2, 0x4f4b, 0x8a, 0x11, 0x5e, 0x2f, 0x90, 0x01, 0x3c, 0x42);

#define THREADS 4
#define ROUNDS 150

static volatile LONG cleanups, closes, context_cleanups, errors;
static BOOLEAN filter;
static WDFDEVICE device;

typedef struct FILE_CONTEXT {
    volatile LONG touched;
} FILE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(FILE_CONTEXT, GetFileContext)

static void EvtFileCleanup(WDFFILEOBJECT file)
{
    InterlockedIncrement(&GetFileContext(file)->touched);
    /* No cmocka assertions off the main thread: count mismatches instead. */
    if (WdfDeviceGetFileObject(device, WdfFileObjectWdmGetFileObject(file)) != file)
        InterlockedIncrement(&errors);
    InterlockedIncrement(&cleanups);
}

static void EvtFileClose(WDFFILEOBJECT file)
{
    if (GetFileContext(file)->touched != 1)
        InterlockedIncrement(&errors);
    InterlockedIncrement(&closes);
}

static void EvtFileContextCleanup(WDFOBJECT object)
{
    (void)object;
    InterlockedIncrement(&context_cleanups);
}

static NTSTATUS EvtAdd(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    if (filter)
        WdfFdoInitSetFilter(init);
    WDF_FILEOBJECT_CONFIG config;
    WDF_FILEOBJECT_CONFIG_INIT(&config, NULL, EvtFileClose, EvtFileCleanup);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, FILE_CONTEXT);
    attributes.EvtCleanupCallback = EvtFileContextCleanup;
    WdfDeviceInitSetFileObjectConfig(init, &config, &attributes);
    NTSTATUS status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (NT_SUCCESS(status))
        status = WdfDeviceCreateDeviceInterface(device, &CONC_INTERFACE_GUID, NULL);
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

static void bring_up(BOOLEAN as_filter)
{
    cleanups = closes = context_cleanups = errors = 0;
    filter = as_filter;
    tl_verifier_setup();
    tl_bus_load();
    pdo = tl_bus_create_pdo("WcorePdoC", 0);
    NTSTATUS status;
    drv = tl_wdf_load("WcoreConc", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    assert_int_equal(tl_add_device(drv, pdo), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
}

static void bring_down(void)
{
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_bus_unload();
    assert_int_equal(fx_object_live_count(NULL), 0);
    assert_int_equal(owdf_user_open_handle_count(), 0);
    assert_int_equal(tl_total_reports(), 0);
}

static void *opener(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        HANDLE h;
        NTSTATUS status = owdf_user_open("\\Device\\WcorePdoC", GENERIC_READ, FILE_SHARE_READ, 0, &h);
        if (status != STATUS_SUCCESS)
            return (void *)(intptr_t)status;
        if (filter) {
            char buffer[8];
            ULONG bytes;
            status = owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes);
            if (status != STATUS_SUCCESS || bytes != 7)
                return (void *)(intptr_t)STATUS_UNSUCCESSFUL;
        }
        status = owdf_user_close(h);
        if (status != STATUS_SUCCESS)
            return (void *)(intptr_t)status;
    }
    return NULL;
}

static void run_openers(void)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, opener, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        void *result;
        pthread_join(threads[i], &result);
        assert_null(result);
    }
    assert_int_equal(cleanups, THREADS * ROUNDS);
    assert_int_equal(closes, THREADS * ROUNDS);
    assert_int_equal(context_cleanups, THREADS * ROUNDS);
    assert_int_equal(errors, 0);
}

static void concurrent_opens_fdo(void **state)
{
    (void)state;
    bring_up(FALSE);
    run_openers();
    bring_down();
}

static void concurrent_opens_and_reads_filter(void **state)
{
    (void)state;
    bring_up(TRUE);
    run_openers();
    assert_int_equal(tl_bus.irps[IRP_MJ_READ], THREADS * ROUNDS);
    bring_down();
}

static volatile LONG toggler_stop;

static void *toggler(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS && !toggler_stop; i++)
        WdfDeviceSetDeviceInterfaceState(device, &CONC_INTERFACE_GUID, NULL, (i & 1) != 0);
    return NULL;
}

static void concurrent_interface_toggles(void **state)
{
    (void)state;
    bring_up(FALSE);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, toggler, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    WdfDeviceSetDeviceInterfaceState(device, &CONC_INTERFACE_GUID, NULL, TRUE);
    char path[256];
    assert_int_equal(owdf_user_interface_path(&CONC_INTERFACE_GUID, 0, path, sizeof path, NULL), STATUS_SUCCESS);
    bring_down();
    assert_int_equal(owdf_user_interface_path(&CONC_INTERFACE_GUID, 0, path, sizeof path, NULL),
                     STATUS_NO_MORE_ENTRIES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_opens_fdo),
        cmocka_unit_test(concurrent_opens_and_reads_filter),
        cmocka_unit_test(concurrent_interface_toggles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
