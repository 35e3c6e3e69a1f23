/*
 * core_file_test.c - framework file objects and the Framework's dispatch routine, driven from the
 * user side (owdf_user_open/read/ioctl/close) on a root PDO from a tiny WDM bus driver:
 * EvtFileCleanup/EvtFileClose and file object contexts, FILE_OBJECT lookups, filters forwarding what
 * they do not handle versus FDOs failing it, and WDM IRP preprocessing.
 */
#include "core_testlib.h"

#include "fx_device.h"
#include "fx_object.h"

#include <string.h>

typedef struct FILE_CONTEXT {
    ULONG opens;
    PFILE_OBJECT wdm;
} FILE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(FILE_CONTEXT, GetFileContext)

/* ---- the test driver ------------------------------------------------------------------------------ */

static struct {
    BOOLEAN filter;
    BOOLEAN file_config;
    WDF_FILEOBJECT_CLASS file_class;
    WDF_TRI_STATE auto_forward;
    BOOLEAN preprocess;        /* EvtDeviceWdmIrpPreprocess for DEVICE_CONTROL */
    BOOLEAN postprocess;       /* ... that sets a completion routine */
    BOOLEAN preprocess_completes;
    UCHAR preprocess_minor;    /* 0xff: every minor */
    BOOLEAN file_create;       /* EvtDeviceFileCreate */
    BOOLEAN create_queue;      /* a queue configured for WdfRequestTypeCreate */
    BOOLEAN read_queue;        /* a default queue with EvtIoRead */
    NTSTATUS create_status;    /* what EvtDeviceFileCreate / the create queue completes with */
    BOOLEAN create_file_seen;  /* WdfRequestGetFileObject matched the WDFFILEOBJECT */
    BOOLEAN in_caller_context; /* EvtIoInCallerContext, which enqueues */
    NTSTATUS enqueue_status;
    WDFDEVICE device;
    WDFFILEOBJECT last_file;
    WDFFILEOBJECT cleanup_file;
    NTSTATUS completion_status;
} cfg;

static void EvtFileCleanup(WDFFILEOBJECT file)
{
    cfg.cleanup_file = file;
    FILE_CONTEXT *context = GetFileContext(file);
    tl_log("EvtFileCleanup(%lu)", (unsigned long)context->opens);
    /* The WDM FILE_OBJECT and the device are reachable from the callback. */
    assert_ptr_equal(WdfFileObjectGetDevice(file), cfg.device);
    assert_ptr_equal(WdfDeviceGetFileObject(cfg.device, WdfFileObjectWdmGetFileObject(file)), file);
}

static void EvtFileClose(WDFFILEOBJECT file)
{
    assert_ptr_equal(file, cfg.cleanup_file);
    tl_log("EvtFileClose");
}

static void EvtFileContextCleanup(WDFOBJECT object)
{
    (void)object;
    tl_log("FileContextCleanup");
}

static NTSTATUS PostprocessCompletion(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)device;
    (void)context;
    if (irp->PendingReturned)
        IoMarkIrpPending(irp);
    cfg.completion_status = irp->IoStatus.Status;
    tl_log("PostprocessCompletion");
    return STATUS_CONTINUE_COMPLETION;
}

static NTSTATUS EvtPreprocess(WDFDEVICE device, PIRP irp)
{
    tl_log("EvtDeviceWdmIrpPreprocess");
    if (cfg.preprocess_completes) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    if (cfg.postprocess) {
        IoCopyCurrentIrpStackLocationToNext(irp);
        IoSetCompletionRoutine(irp, PostprocessCompletion, NULL, TRUE, TRUE, TRUE);
    } else {
        IoSkipCurrentIrpStackLocation(irp);
    }
    return WdfDeviceWdmDispatchPreprocessedIrp(device, irp);
}

static void EvtDeviceFileCreate(WDFDEVICE device, WDFREQUEST request, WDFFILEOBJECT file)
{
    assert_ptr_equal(device, cfg.device);
    assert_non_null(file);
    cfg.create_file_seen = WdfRequestGetFileObject(request) == file;
    GetFileContext(file)->opens = 5;
    tl_log("EvtDeviceFileCreate");
    WdfRequestComplete(request, cfg.create_status);
}

static void EvtIoDefaultCreate(WDFQUEUE queue, WDFREQUEST request)
{
    (void)queue;
    WDF_REQUEST_PARAMETERS params;
    WDF_REQUEST_PARAMETERS_INIT(&params);
    WdfRequestGetParameters(request, &params);
    tl_log("EvtIoDefault(type %d)", (int)params.Type);
    cfg.create_file_seen = WdfRequestGetFileObject(request) != NULL;
    WdfRequestComplete(request, cfg.create_status);
}

static void EvtIoRead(WDFQUEUE queue, WDFREQUEST request, size_t length)
{
    (void)queue;
    tl_log("EvtIoRead(%zu)", length);
    WdfRequestCompleteWithInformation(request, STATUS_SUCCESS, 3);
}

static void EvtIoInCallerContext(WDFDEVICE device, WDFREQUEST request)
{
    tl_log("EvtIoInCallerContext");
    cfg.enqueue_status = WdfDeviceEnqueueRequest(device, request);
    if (!NT_SUCCESS(cfg.enqueue_status))
        WdfRequestComplete(request, cfg.enqueue_status);
}

static NTSTATUS EvtAdd(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
    (void)driver;
    if (cfg.in_caller_context)
        WdfDeviceInitSetIoInCallerContextCallback(init, EvtIoInCallerContext);
    if (cfg.filter)
        WdfFdoInitSetFilter(init);
    if (cfg.file_config) {
        WDF_FILEOBJECT_CONFIG config;
        WDF_FILEOBJECT_CONFIG_INIT(&config, cfg.file_create ? EvtDeviceFileCreate : NULL, EvtFileClose,
                                   EvtFileCleanup);
        if (cfg.file_class != WdfFileObjectInvalid)
            config.FileObjectClass = cfg.file_class;
        config.AutoForwardCleanupClose = cfg.auto_forward;
        WDF_OBJECT_ATTRIBUTES attributes;
        WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, FILE_CONTEXT);
        attributes.EvtCleanupCallback = EvtFileContextCleanup;
        WdfDeviceInitSetFileObjectConfig(init, &config, &attributes);
    }
    if (cfg.preprocess) {
        UCHAR minor = cfg.preprocess_minor;
        assert_int_equal(WdfDeviceInitAssignWdmIrpPreprocessCallback(init, EvtPreprocess, IRP_MJ_DEVICE_CONTROL,
                                                                     minor == 0xff ? NULL : &minor,
                                                                     minor == 0xff ? 0 : 1),
                         STATUS_SUCCESS);
    }
    NTSTATUS status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &cfg.device);
    if (!NT_SUCCESS(status))
        return status;
    if (cfg.create_queue) {
        WDF_IO_QUEUE_CONFIG queue_config;
        WDF_IO_QUEUE_CONFIG_INIT(&queue_config, WdfIoQueueDispatchSequential);
        queue_config.EvtIoDefault = EvtIoDefaultCreate;
        WDFQUEUE queue;
        status = WdfIoQueueCreate(cfg.device, &queue_config, WDF_NO_OBJECT_ATTRIBUTES, &queue);
        if (NT_SUCCESS(status))
            status = WdfDeviceConfigureRequestDispatching(cfg.device, queue, WdfRequestTypeCreate);
    }
    if (NT_SUCCESS(status) && cfg.read_queue) {
        WDF_IO_QUEUE_CONFIG queue_config;
        WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue_config, WdfIoQueueDispatchParallel);
        queue_config.EvtIoRead = EvtIoRead;
        WDFQUEUE queue;
        status = WdfIoQueueCreate(cfg.device, &queue_config, WDF_NO_OBJECT_ATTRIBUTES, &queue);
        if (NT_SUCCESS(status))
            assert_ptr_equal(WdfDeviceGetDefaultQueue(cfg.device), queue);
    }
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
    cfg.auto_forward = WdfUseDefault;
    cfg.preprocess_minor = 0xff;
    tl_log_reset();
    tl_verifier_setup();
    tl_bus_load();
    pdo = tl_bus_create_pdo("WcorePdo1", 0);
    NTSTATUS status;
    drv = tl_wdf_load("WcoreFile", &status);
    assert_int_equal(status, STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_REMOVE_DEVICE), STATUS_SUCCESS);
    assert_int_equal(tl_wdf_unload(drv), STATUS_SUCCESS);
    tl_bus_unload();
    assert_int_equal(owdf_user_open_handle_count(), 0);
    assert_int_equal(owdf_user_live_file_count(), 0);
    assert_int_equal(fx_object_live_count(NULL), 0);
    assert_int_equal(owdf_io_loaded_driver_count(), 0);
    return 0;
}

static void start(void)
{
    assert_int_equal(tl_add_device(drv, pdo), STATUS_SUCCESS);
    assert_int_equal(tl_send_pnp(pdo, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    tl_log_reset();
}

/* ---- file objects -------------------------------------------------------------------------------- */

static void cleanup_close_and_context(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1\\some\\name", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    /* The framework completed the create itself (no EvtDeviceFileCreate): one WDFFILEOBJECT. */
    fx_device *device = (fx_device *)fx_object_lookup(cfg.device);
    assert_false(IsListEmpty(&device->file_objects));
    fx_fileobject *file = CONTAINING_RECORD(device->file_objects.Flink, fx_fileobject, device_link);
    WDFFILEOBJECT handle = (WDFFILEOBJECT)file->object.handle;
    GetFileContext(handle)->opens = 1;
    PUNICODE_STRING name = WdfFileObjectGetFileName(handle);
    DECLARE_CONST_UNICODE_STRING(expected, L"\\some\\name");
    assert_true(RtlEqualUnicodeString(name, &expected, FALSE));
    assert_true(WdfFileObjectGetFlags(handle) & FO_SYNCHRONOUS_IO);
    assert_non_null(WdfFileObjectWdmGetFileObject(handle));
    assert_ptr_equal(WdfFileObjectGetDevice(handle), cfg.device);
    /* Only the framework deletes file objects. */
    WdfObjectDelete(handle);
    assert_int_equal(tl_reports("DELETE_FRAMEWORK_OWNED"), 1);

    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact("EvtFileCleanup(1)", "EvtFileClose", "FileContextCleanup");
    assert_true(IsListEmpty(&device->file_objects));
    /* An FDO completes cleanup and close itself: the bus never saw them. */
    assert_int_equal(tl_bus.irps[IRP_MJ_CLEANUP], 0);
    assert_int_equal(tl_bus.irps[IRP_MJ_CLOSE], 0);
    assert_int_equal(tl_bus.irps[IRP_MJ_CREATE], 0);
}

static void two_opens_two_file_objects(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    start();
    HANDLE a, b;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &a), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &b), STATUS_SUCCESS);
    fx_device *device = (fx_device *)fx_object_lookup(cfg.device);
    fx_fileobject *first = CONTAINING_RECORD(device->file_objects.Flink, fx_fileobject, device_link);
    fx_fileobject *second = CONTAINING_RECORD(device->file_objects.Blink, fx_fileobject, device_link);
    assert_ptr_not_equal(first, second);
    assert_ptr_equal(fx_device_file_object(device, first->wdm_file), first);
    assert_ptr_equal(fx_device_file_object(device, second->wdm_file), second);
    GetFileContext((WDFFILEOBJECT)first->object.handle)->opens = 1;
    GetFileContext((WDFFILEOBJECT)second->object.handle)->opens = 2;
    assert_int_equal(owdf_user_close(b), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(a), STATUS_SUCCESS);
    tl_log_verify_exact("EvtFileCleanup(2)", "EvtFileClose", "FileContextCleanup", "EvtFileCleanup(1)",
                        "EvtFileClose", "FileContextCleanup");
}

static void fscontext_class(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    cfg.file_class = WdfFileObjectWdfCanUseFsContext2;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    fx_device *device = (fx_device *)fx_object_lookup(cfg.device);
    fx_fileobject *file = CONTAINING_RECORD(device->file_objects.Flink, fx_fileobject, device_link);
    assert_ptr_equal(file->wdm_file->FsContext2, file);
    assert_null(file->wdm_file->FsContext);
    assert_ptr_equal(fx_device_file_object(device, file->wdm_file), file);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact("EvtFileCleanup(0)", "EvtFileClose", "FileContextCleanup");
}

static void no_file_config_no_file_objects(void **state)
{
    (void)state;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    fx_device *device = (fx_device *)fx_object_lookup(cfg.device);
    assert_true(IsListEmpty(&device->file_objects)); /* WdfFileObjectNotRequired */
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact(NULL);
}

static void filter_forwards_file_requests(void **state)
{
    (void)state;
    cfg.filter = TRUE;
    cfg.file_config = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* A filter lets the lower driver decide the create, and forwards cleanup and close (default
     * AutoForwardCleanupClose) after its own callbacks. */
    tl_log_verify_exact("bus:CREATE", "EvtFileCleanup(0)", "bus:CLEANUP", "EvtFileClose", "FileContextCleanup",
                        "bus:CLOSE");
}

static void filter_create_failure_drops_file_object(void **state)
{
    (void)state;
    cfg.filter = TRUE;
    cfg.file_config = TRUE;
    start();
    tl_bus_create_status = STATUS_ACCESS_DENIED;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_ACCESS_DENIED);
    /* The WDFFILEOBJECT went with the failed create: its context cleanup ran, no cleanup/close. */
    tl_log_verify_exact("bus:CREATE", "FileContextCleanup");
    fx_device *device = (fx_device *)fx_object_lookup(cfg.device);
    assert_true(IsListEmpty(&device->file_objects));
}

static void fdo_auto_forward_true(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    cfg.auto_forward = WdfTrue;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* The FDO completed the create itself but forwards cleanup and close down. */
    tl_log_verify_exact("EvtFileCleanup(0)", "bus:CLEANUP", "EvtFileClose", "FileContextCleanup", "bus:CLOSE");
}

static void evt_device_file_create_success(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    cfg.file_create = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_true(cfg.create_file_seen);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact("EvtDeviceFileCreate", "EvtFileCleanup(5)", "EvtFileClose", "FileContextCleanup");
}

static void evt_device_file_create_failure(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    cfg.file_create = TRUE;
    cfg.create_status = STATUS_SHARING_VIOLATION;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SHARING_VIOLATION);
    /* The failed create dropped its file object: no cleanup, no close. */
    tl_log_verify_exact("EvtDeviceFileCreate", "FileContextCleanup");
    fx_device *device = (fx_device *)fx_object_lookup(cfg.device);
    assert_true(IsListEmpty(&device->file_objects));
}

static void create_dispatched_to_a_queue(void **state)
{
    (void)state;
    cfg.file_config = TRUE;
    cfg.file_create = TRUE; /* a create queue takes precedence over EvtDeviceFileCreate */
    cfg.create_queue = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_true(cfg.create_file_seen);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact("EvtIoDefault(type 0)", "EvtFileCleanup(0)", "EvtFileClose", "FileContextCleanup");
    cfg.create_status = STATUS_ACCESS_DENIED;
    tl_log_reset();
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_ACCESS_DENIED);
    tl_log_verify_exact("EvtIoDefault(type 0)", "FileContextCleanup");
}

static void reads_reach_the_default_queue_once_started(void **state)
{
    (void)state;
    cfg.read_queue = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    char buffer[8];
    ULONG bytes = 0;
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 3);
    /* The queue has no EvtIoDeviceControl: an FDO fails the IOCTL. */
    assert_int_equal(owdf_user_ioctl(h, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS),
                                     buffer, 4, buffer, 4, &bytes),
                     STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact("EvtIoRead(8)");
}

static void in_caller_context_then_queue(void **state)
{
    (void)state;
    cfg.read_queue = TRUE;
    cfg.in_caller_context = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    char buffer[8];
    ULONG bytes = 0;
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 3);
    assert_int_equal(cfg.enqueue_status, STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    tl_log_verify_exact("EvtIoInCallerContext", "EvtIoRead(8)");
    /* Outside EvtIoInCallerContext, WdfDeviceEnqueueRequest has nothing to take. */
    assert_int_equal(WdfDeviceEnqueueRequest(cfg.device, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(tl_reports("NULL_REQUIRED_PARAM"), 1);
}

/* ---- dispatch routing ---------------------------------------------------------------------------- */

#define TEST_IOCTL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

static void fdo_fails_unhandled_requests(void **state)
{
    (void)state;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ | GENERIC_WRITE, 0, 0, &h), STATUS_SUCCESS);
    char buffer[16];
    ULONG bytes = 99;
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(bytes, 0);
    assert_int_equal(owdf_user_write(h, buffer, sizeof buffer, NULL, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_user_ioctl(h, TEST_IOCTL, buffer, 4, buffer, 4, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_send_simple(pdo, IRP_MJ_FLUSH_BUFFERS), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* Nothing reached the bus driver. */
    assert_int_equal(tl_bus.irps[IRP_MJ_READ] + tl_bus.irps[IRP_MJ_WRITE] + tl_bus.irps[IRP_MJ_DEVICE_CONTROL] +
                         tl_bus.irps[IRP_MJ_FLUSH_BUFFERS],
                     0);
}

static void filter_forwards_unhandled_requests(void **state)
{
    (void)state;
    cfg.filter = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ | GENERIC_WRITE, 0, 0, &h), STATUS_SUCCESS);
    char buffer[16];
    ULONG bytes = 0;
    assert_int_equal(owdf_user_read(h, buffer, sizeof buffer, NULL, &bytes), STATUS_SUCCESS);
    assert_int_equal(bytes, 7); /* the bus driver's answer */
    assert_int_equal(tl_bus.irps[IRP_MJ_READ], 1);
    tl_bus_io_status = STATUS_DEVICE_BUSY;
    assert_int_equal(owdf_user_ioctl(h, TEST_IOCTL, buffer, 4, buffer, 4, &bytes), STATUS_DEVICE_BUSY);
    assert_int_equal(tl_bus.irps[IRP_MJ_DEVICE_CONTROL], 1);
    tl_bus_io_status = STATUS_SUCCESS;
    assert_int_equal(tl_send_simple(pdo, IRP_MJ_FLUSH_BUFFERS), STATUS_SUCCESS);
    assert_int_equal(tl_bus.irps[IRP_MJ_FLUSH_BUFFERS], 1);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void control_device_has_no_pnp(void **state)
{
    (void)state;
    start();
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(WdfGetDriver(), &sddl);
    DECLARE_CONST_UNICODE_STRING(name, L"\\Device\\WcoreCtl1");
    assert_int_equal(WdfDeviceInitAssignName(init, &name), STATUS_SUCCESS);
    WDFDEVICE control;
    assert_int_equal(WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &control), STATUS_SUCCESS);
    WdfControlFinishInitializing(control);
    PDEVICE_OBJECT wdm = WdfDeviceWdmGetDeviceObject(control);
    assert_int_equal(tl_send_pnp(wdm, IRP_MN_QUERY_CAPABILITIES), STATUS_NOT_SUPPORTED);
    assert_int_equal(tl_send_simple(wdm, IRP_MJ_FLUSH_BUFFERS), STATUS_INVALID_DEVICE_REQUEST);
    WdfObjectDelete(control);
}

/* ---- WDM IRP preprocessing ------------------------------------------------------------------------- */

static void preprocess_then_framework(void **state)
{
    (void)state;
    cfg.preprocess = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    char buffer[4];
    ULONG bytes;
    /* Preprocessed, then handed back: the framework (no queue) fails it, as without preprocessing. */
    assert_int_equal(owdf_user_ioctl(h, TEST_IOCTL, buffer, 4, buffer, 4, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    tl_log_verify_exact("EvtDeviceWdmIrpPreprocess");
    /* A read is not preprocessed. */
    assert_int_equal(owdf_user_read(h, buffer, 4, NULL, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_log_count("EvtDeviceWdmIrpPreprocess"), 1);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void postprocess_sees_the_result(void **state)
{
    (void)state;
    cfg.preprocess = TRUE;
    cfg.postprocess = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    char buffer[4];
    ULONG bytes;
    assert_int_equal(owdf_user_ioctl(h, TEST_IOCTL, buffer, 4, buffer, 4, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    tl_log_verify_exact("EvtDeviceWdmIrpPreprocess", "PostprocessCompletion");
    assert_int_equal(cfg.completion_status, STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void preprocess_completes_itself(void **state)
{
    (void)state;
    cfg.preprocess = TRUE;
    cfg.preprocess_completes = TRUE;
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    char buffer[4];
    ULONG bytes;
    assert_int_equal(owdf_user_ioctl(h, TEST_IOCTL, buffer, 4, buffer, 4, &bytes), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

static void preprocess_minor_filter(void **state)
{
    (void)state;
    cfg.preprocess = TRUE;
    cfg.preprocess_minor = 5; /* IOCTLs come with minor 0: not preprocessed */
    start();
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\WcorePdo1", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    char buffer[4];
    ULONG bytes;
    assert_int_equal(owdf_user_ioctl(h, TEST_IOCTL, buffer, 4, buffer, 4, &bytes), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(tl_log_count("EvtDeviceWdmIrpPreprocess"), 0);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cleanup_close_and_context, setup, teardown),
        cmocka_unit_test_setup_teardown(two_opens_two_file_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(fscontext_class, setup, teardown),
        cmocka_unit_test_setup_teardown(no_file_config_no_file_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(filter_forwards_file_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(filter_create_failure_drops_file_object, setup, teardown),
        cmocka_unit_test_setup_teardown(fdo_auto_forward_true, setup, teardown),
        cmocka_unit_test_setup_teardown(evt_device_file_create_success, setup, teardown),
        cmocka_unit_test_setup_teardown(evt_device_file_create_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(create_dispatched_to_a_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_reach_the_default_queue_once_started, setup, teardown),
        cmocka_unit_test_setup_teardown(in_caller_context_then_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(fdo_fails_unhandled_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(filter_forwards_unhandled_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(control_device_has_no_pnp, setup, teardown),
        cmocka_unit_test_setup_teardown(preprocess_then_framework, setup, teardown),
        cmocka_unit_test_setup_teardown(postprocess_sees_the_result, setup, teardown),
        cmocka_unit_test_setup_teardown(preprocess_completes_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(preprocess_minor_filter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
