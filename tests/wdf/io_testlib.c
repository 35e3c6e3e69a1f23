/*
 * io_testlib.c - see io_testlib.h. Also the test driver's DriverEntry and EvtDriverDeviceAdd.
 */
#include "io_testlib.h"

#include "fx_driver.h"
#include "fx_object.h"
#include "fx_queue.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

WDFDEVICE io_tl_device;
PDEVICE_OBJECT io_tl_pdo;
PDRIVER_OBJECT io_tl_driver;
HANDLE io_tl_handle;
static const io_tl_config *io_tl_cfg;
static void io_tl_sleep_ms(int ms);
static BOOLEAN io_tl_is_up;

/* ---- the test driver ------------------------------------------------------------------------- */

static NTSTATUS io_tl_device_add(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    if (io_tl_cfg->filter)
        WdfFdoInitSetFilter(init);
    if (io_tl_cfg->io_type != 0)
        WdfDeviceInitSetIoType(init, io_tl_cfg->io_type);
    if (io_tl_cfg->init != NULL)
        io_tl_cfg->init(init);
    WDFDEVICE device;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    if (io_tl_cfg->device_scope != 0)
        attributes.SynchronizationScope = io_tl_cfg->device_scope;
    NTSTATUS status = WdfDeviceCreate(&init, &attributes, &device);
    if (!NT_SUCCESS(status))
        return status;
    io_tl_device = device;
    if (io_tl_cfg->queues != NULL)
        io_tl_cfg->queues(device);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, io_tl_device_add);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/* ---- bring up / tear down ------------------------------------------------------------------------ */

void io_tl_open(void)
{
    assert_int_equal(owdf_user_open("\\Device\\WioPdo", GENERIC_READ | GENERIC_WRITE, 0, OWDF_USER_OVERLAPPED,
                                    &io_tl_handle),
                     STATUS_SUCCESS);
}

void io_tl_up(const io_tl_config *config)
{
    static const io_tl_config none;
    io_tl_cfg = config != NULL ? config : &none;
    io_tl_device = NULL;
    io_tl_handle = NULL;
    tl_log_reset();
    tl_verifier_setup();
    owdf_io_set_teardown_timeout(5000);
    tl_bus_load();
    io_tl_is_up = TRUE;
    NTSTATUS status;
    io_tl_driver = tl_wdf_load("WioDrv", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    io_tl_pdo = tl_bus_create_pdo("WioPdo", 0);
    assert_int_equal(tl_add_device(io_tl_driver, io_tl_pdo), STATUS_SUCCESS);
    assert_non_null(io_tl_device);
    if (!io_tl_cfg->no_start)
        io_tl_start();
    if (!io_tl_cfg->no_open)
        io_tl_open();
}

void io_tl_start(void)
{
    assert_int_equal(tl_send_pnp(io_tl_pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
}

void io_tl_stop(void)
{
    assert_int_equal(tl_send_pnp(io_tl_pdo, IRP_MN_QUERY_STOP_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(io_tl_pdo, IRP_MN_STOP_DEVICE), STATUS_SUCCESS);
}

void io_tl_remove(void)
{
    (void)tl_send_pnp(io_tl_pdo, IRP_MN_QUERY_REMOVE_DEVICE);
    assert_int_equal(tl_send_pnp(io_tl_pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    io_tl_device = NULL;
}

void io_tl_down(void)
{
    if (io_tl_handle != NULL) {
        assert_int_equal(owdf_user_close(io_tl_handle), STATUS_SUCCESS);
        io_tl_handle = NULL;
    }
    if (io_tl_device != NULL) {
        (void)tl_send_pnp(io_tl_pdo, IRP_MN_QUERY_REMOVE_DEVICE);
        assert_int_equal(tl_send_pnp(io_tl_pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    }
    /* IRP_MJ_CLOSE goes out from a worker once the last request is done: wait for it, so nothing of
     * this test reaches the (shared) test bus after it. */
    for (int i = 0; i < 5000 && owdf_user_live_file_count() != 0; i++)
        io_tl_sleep_ms(1);
    assert_int_equal(owdf_user_live_file_count(), 0);
    tl_bus_delete_pdo(io_tl_pdo);
    io_tl_pdo = NULL;
    assert_int_equal(tl_wdf_unload(io_tl_driver), STATUS_SUCCESS);
    io_tl_driver = NULL;
    tl_bus_unload();
    io_tl_is_up = FALSE;
    fx_driver_reap_globals();
    assert_int_equal(tl_reports("OBJECT_LEAK_AT_UNLOAD"), 0);
    assert_int_equal(fx_object_live_count(NULL), 0);
    io_tl_device = NULL;
}

/* ---- I/O ----------------------------------------------------------------------------------------- */

NTSTATUS io_tl_read(void *buffer, ULONG length, ULONG *bytes)
{
    LONGLONG offset = 0;
    return owdf_user_read(io_tl_handle, buffer, length, &offset, bytes);
}

NTSTATUS io_tl_write(const void *buffer, ULONG length, ULONG *bytes)
{
    LONGLONG offset = 0;
    return owdf_user_write(io_tl_handle, buffer, length, &offset, bytes);
}

NTSTATUS io_tl_ioctl(ULONG code, const void *in, ULONG in_length, void *out, ULONG out_length, ULONG *bytes)
{
    return owdf_user_ioctl(io_tl_handle, code, in, in_length, out, out_length, bytes);
}

static void io_tl_async_done(owdf_user_io *io, void *context)
{
    (void)io;
    io_tl_async *a = context;
    __atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
}

static NTSTATUS io_tl_async_started(io_tl_async *a, NTSTATUS status)
{
    if (status != STATUS_PENDING)
        __atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
    return status;
}

NTSTATUS io_tl_read_async(io_tl_async *a, void *buffer, ULONG length)
{
    __atomic_store_n(&a->done, 0, __ATOMIC_RELAXED);
    owdf_user_io_init(&a->io, io_tl_async_done, a);
    LONGLONG offset = 0;
    return io_tl_async_started(a, owdf_user_read_async(io_tl_handle, buffer, length, &offset, &a->io));
}

NTSTATUS io_tl_ioctl_async(io_tl_async *a, ULONG code, const void *in, ULONG in_length, void *out,
                           ULONG out_length)
{
    __atomic_store_n(&a->done, 0, __ATOMIC_RELAXED);
    owdf_user_io_init(&a->io, io_tl_async_done, a);
    return io_tl_async_started(a, owdf_user_ioctl_async(io_tl_handle, code, in, in_length, out, out_length, &a->io));
}

static void io_tl_sleep_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

void io_tl_wait_flag(volatile LONG *flag)
{
    for (int i = 0; i < 5000 && __atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0; i++)
        io_tl_sleep_ms(1);
    assert_true(__atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0);
}

NTSTATUS io_tl_wait(io_tl_async *a)
{
    io_tl_wait_flag(&a->done);
    return a->io.status;
}

BOOLEAN io_tl_pending(io_tl_async *a)
{
    io_tl_sleep_ms(20);
    return __atomic_load_n(&a->done, __ATOMIC_ACQUIRE) == 0;
}

WDFQUEUE io_tl_queue(WDFDEVICE device, WDF_IO_QUEUE_DISPATCH_TYPE type, BOOLEAN is_default,
                     PFN_WDF_IO_QUEUE_IO_DEFAULT io_default, PFN_WDF_IO_QUEUE_IO_READ read,
                     PFN_WDF_IO_QUEUE_IO_WRITE write, PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL ioctl)
{
    WDF_IO_QUEUE_CONFIG config;
    if (is_default)
        WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&config, type);
    else
        WDF_IO_QUEUE_CONFIG_INIT(&config, type);
    config.EvtIoDefault = io_default;
    config.EvtIoRead = read;
    config.EvtIoWrite = write;
    config.EvtIoDeviceControl = ioctl;
    WDFQUEUE queue = NULL;
    assert_int_equal(WdfIoQueueCreate(device, &config, WDF_NO_OBJECT_ATTRIBUTES, &queue), STATUS_SUCCESS);
    return queue;
}

int io_tl_cleanup(void **state)
{
    (void)state;
    if (!io_tl_is_up)
        return 0;
    fprintf(stderr, "io_tl_cleanup: tearing down after a failed test\n");
    owdf_io_set_teardown_timeout(200);
    if (io_tl_handle != NULL)
        (void)owdf_user_close(io_tl_handle);
    io_tl_handle = NULL;
    if (io_tl_device != NULL && io_tl_pdo != NULL)
        (void)tl_send_pnp(io_tl_pdo, IRP_MN_REMOVE_DEVICE);
    io_tl_device = NULL;
    if (io_tl_pdo != NULL)
        tl_bus_delete_pdo(io_tl_pdo);
    io_tl_pdo = NULL;
    if (io_tl_driver != NULL)
        (void)tl_wdf_unload(io_tl_driver);
    io_tl_driver = NULL;
    PDRIVER_OBJECT bus = owdf_io_find_driver("WcoreBus");
    if (bus != NULL)
        (void)owdf_io_unload_driver(bus);
    fx_driver_reap_globals();
    io_tl_is_up = FALSE;
    return 0;
}
