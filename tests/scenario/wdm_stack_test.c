/*
 * Scenario: a three-driver WDM stack - an upper filter over a function driver over a bus-like bottom
 * driver - as the I/O manager runs it. The filter and the function driver forward every IRP with a
 * completion routine (the function driver also handles one IOCTL itself); the bottom completes READs
 * at once, WRITEs later from a DPC and DEVICE_CONTROLs from a timer's DPC. Checked: completion order
 * across levels, DeviceObject and IRQL seen by each routine, PendingReturned, statuses and
 * information reaching the IoBuild* caller, many requests in flight at once, and a clean teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <wdm.h>
#include <openwdf/io.h>
#include <openwdf/nt.h>
#include <openwdf/pool.h>
#include <openwdf/verifier.h>

#define IOCTL_BUS_PING CTL_CODE(FILE_DEVICE_BUS_EXTENDER, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_FUNC_LOCAL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define MAX_EVENTS 4096
#define IN_FLIGHT 64

/* ---- The event log all three drivers write to ------------------------------------------------ */
enum who { EV_BOTTOM_DISPATCH = 1, EV_BOTTOM_COMPLETE, EV_FUNC_ROUTINE, EV_FILTER_ROUTINE };
static struct event {
    enum who who;
    PIRP irp;
    PDEVICE_OBJECT device;
    KIRQL irql;
    BOOLEAN pending_returned;
    NTSTATUS status;
} events[MAX_EVENTS];
static volatile LONG nevents;
static KSPIN_LOCK log_lock;

static void log_event(enum who who, PIRP irp, PDEVICE_OBJECT device)
{
    KIRQL irql = KeGetCurrentIrql();
    KIRQL old;
    KeAcquireSpinLock(&log_lock, &old);
    LONG i = nevents++;
    if (i < MAX_EVENTS)
        events[i] = (struct event){who, irp, device, irql, irp->PendingReturned, irp->IoStatus.Status};
    KeReleaseSpinLock(&log_lock, old);
}

/* The events of one IRP, in order. */
static int events_of(PIRP irp, struct event *out, int max)
{
    int n = 0;
    KIRQL old;
    KeAcquireSpinLock(&log_lock, &old);
    for (LONG i = 0; i < nevents && i < MAX_EVENTS; i++) {
        if (events[i].irp == irp && n < max)
            out[n++] = events[i];
    }
    KeReleaseSpinLock(&log_lock, old);
    return n;
}

/* ---- Bottom (bus-like) driver --------------------------------------------------------------- */
typedef struct {
    KSPIN_LOCK lock;
    LIST_ENTRY pending; /* IRPs waiting for the DPC / timer */
    KDPC dpc;
    KTIMER timer;
    KDPC timer_dpc;
} BUS_EXTENSION;

static PDRIVER_OBJECT bottom_driver, func_driver, filter_driver;
static PDEVICE_OBJECT bottom, func, filter;
static PDEVICE_OBJECT func_lower, filter_lower;

static void bus_complete_pending(PDEVICE_OBJECT device, NTSTATUS status)
{
    BUS_EXTENSION *ext = device->DeviceExtension;
    for (;;) {
        KeAcquireSpinLockAtDpcLevel(&ext->lock);
        PLIST_ENTRY e = IsListEmpty(&ext->pending) ? NULL : RemoveHeadList(&ext->pending);
        KeReleaseSpinLockFromDpcLevel(&ext->lock);
        if (e == NULL)
            return;
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
        irp->IoStatus.Status = status;
        irp->IoStatus.Information =
            sp->MajorFunction == IRP_MJ_WRITE ? sp->Parameters.Write.Length : sizeof(ULONG);
        if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL)
            *(ULONG *)irp->AssociatedIrp.SystemBuffer = 0xb05b05;
        log_event(EV_BOTTOM_COMPLETE, irp, device);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

static KDEFERRED_ROUTINE bus_dpc;
static void bus_dpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc;
    (void)Arg1;
    (void)Arg2;
    bus_complete_pending(Context, STATUS_SUCCESS);
}

static DRIVER_DISPATCH bus_dispatch;
static NTSTATUS bus_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    BUS_EXTENSION *ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    log_event(EV_BOTTOM_DISPATCH, Irp, DeviceObject);
    switch (sp->MajorFunction) {
    case IRP_MJ_READ:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = sp->Parameters.Read.Length;
        memset(Irp->AssociatedIrp.SystemBuffer ? Irp->AssociatedIrp.SystemBuffer : Irp->UserBuffer, 'b',
               sp->Parameters.Read.Length);
        log_event(EV_BOTTOM_COMPLETE, Irp, DeviceObject);
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    case IRP_MJ_WRITE:
    case IRP_MJ_DEVICE_CONTROL: {
        if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL &&
            sp->Parameters.DeviceIoControl.IoControlCode != IOCTL_BUS_PING)
            break;
        IoMarkIrpPending(Irp);
        KIRQL old;
        KeAcquireSpinLock(&ext->lock, &old);
        InsertTailList(&ext->pending, &Irp->Tail.Overlay.ListEntry);
        KeReleaseSpinLock(&ext->lock, old);
        if (sp->MajorFunction == IRP_MJ_WRITE) {
            KeInsertQueueDpc(&ext->dpc, NULL, NULL);
        } else {
            LARGE_INTEGER due;
            due.QuadPart = -10000; /* 1 ms */
            KeSetTimer(&ext->timer, due, &ext->timer_dpc);
        }
        return STATUS_PENDING;
    }
    default:
        break;
    }
    NTSTATUS status =
        Irp->IoStatus.Status == STATUS_NOT_SUPPORTED ? STATUS_NOT_SUPPORTED : STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* ---- Function driver ------------------------------------------------------------------------- */
static IO_COMPLETION_ROUTINE func_done;
static NTSTATUS func_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)Context;
    log_event(EV_FUNC_ROUTINE, Irp, DeviceObject);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    if (NT_SUCCESS(Irp->IoStatus.Status) && IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_WRITE)
        Irp->IoStatus.Information += 1000; /* the function driver adds its own accounting */
    return STATUS_CONTINUE_COMPLETION;
}

static DRIVER_DISPATCH func_dispatch;
static NTSTATUS func_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL &&
        sp->Parameters.DeviceIoControl.IoControlCode == IOCTL_FUNC_LOCAL) {
        *(ULONG *)Irp->AssociatedIrp.SystemBuffer = 0xf00d;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = sizeof(ULONG);
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, func_done, NULL, TRUE, TRUE, TRUE);
    return IoCallDriver(func_lower, Irp);
}

/* ---- Upper filter ---------------------------------------------------------------------------- */
static IO_COMPLETION_ROUTINE filter_done;
static NTSTATUS filter_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)Context;
    log_event(EV_FILTER_ROUTINE, Irp, DeviceObject);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

static DRIVER_DISPATCH filter_dispatch;
static NTSTATUS filter_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, filter_done, NULL, TRUE, TRUE, TRUE);
    return IoCallDriver(filter_lower, Irp);
}

static DRIVER_UNLOAD unload;
static void unload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

static PDRIVER_DISPATCH entry_dispatch;
static DRIVER_INITIALIZE entry;
static NTSTATUS entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = entry_dispatch;
    DriverObject->DriverUnload = unload;
    return STATUS_SUCCESS;
}

static PDRIVER_OBJECT load(const char *name, PDRIVER_DISPATCH dispatch)
{
    PDRIVER_OBJECT driver = NULL;
    entry_dispatch = dispatch;
    assert_int_equal(owdf_io_load_driver(name, entry, NULL, &driver), STATUS_SUCCESS);
    return driver;
}

static void quiet(const owdf_verifier_report *report, void *context)
{
    (void)context;
    print_message("verifier: %s: %s\n", report->rule, report->message);
}

static size_t pool_at_start;

static int setup(void **state)
{
    (void)state;
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(quiet, NULL);
    pool_at_start = owdf_pool_outstanding(0);
    KeInitializeSpinLock(&log_lock);
    nevents = 0;
    bottom_driver = load("ScnBus", bus_dispatch);
    func_driver = load("ScnFunc", func_dispatch);
    filter_driver = load("ScnFilter", filter_dispatch);
    assert_int_equal(IoCreateDevice(bottom_driver, sizeof(BUS_EXTENSION), NULL, FILE_DEVICE_BUS_EXTENDER, 0,
                                    FALSE, &bottom),
                     STATUS_SUCCESS);
    BUS_EXTENSION *ext = bottom->DeviceExtension;
    KeInitializeSpinLock(&ext->lock);
    InitializeListHead(&ext->pending);
    KeInitializeDpc(&ext->dpc, bus_dpc, bottom);
    KeInitializeTimer(&ext->timer);
    KeInitializeDpc(&ext->timer_dpc, bus_dpc, bottom);
    bottom->Flags &= ~DO_DEVICE_INITIALIZING;
    assert_int_equal(IoCreateDevice(func_driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &func),
                     STATUS_SUCCESS);
    func->Flags |= DO_BUFFERED_IO;
    func_lower = IoAttachDeviceToDeviceStack(func, bottom);
    assert_ptr_equal(func_lower, bottom);
    func->Flags &= ~DO_DEVICE_INITIALIZING;
    assert_int_equal(IoCreateDevice(filter_driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &filter),
                     STATUS_SUCCESS);
    filter->Flags |= func->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    filter_lower = IoAttachDeviceToDeviceStack(filter, bottom);
    assert_ptr_equal(filter_lower, func);
    assert_int_equal(filter->StackSize, 3);
    filter->Flags &= ~DO_DEVICE_INITIALIZING;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* The bus's DPC may still be finishing its loop after the last completion woke us. */
    KeCancelTimer(&((BUS_EXTENSION *)bottom->DeviceExtension)->timer);
    KeFlushQueuedDpcs();
    /* PnP-style removal, top down. */
    IoDetachDevice(func);
    IoDeleteDevice(filter);
    IoDetachDevice(bottom);
    IoDeleteDevice(func);
    IoDeleteDevice(bottom);
    assert_int_equal(owdf_io_unload_driver(filter_driver), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(func_driver), STATUS_SUCCESS);
    assert_int_equal(owdf_io_unload_driver(bottom_driver), STATUS_SUCCESS);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
    assert_int_equal(owdf_pool_outstanding(0), pool_at_start);
    return 0;
}

static void expect_chain(PIRP irp, BOOLEAN async, KIRQL routine_irql)
{
    struct event ev[8];
    int n = events_of(irp, ev, 8);
    assert_int_equal(n, 4);
    assert_int_equal(ev[0].who, EV_BOTTOM_DISPATCH);
    assert_ptr_equal(ev[0].device, bottom);
    assert_int_equal(ev[1].who, EV_BOTTOM_COMPLETE);
    assert_int_equal(ev[2].who, EV_FUNC_ROUTINE);
    assert_ptr_equal(ev[2].device, func);
    assert_int_equal(ev[2].irql, routine_irql);
    assert_int_equal(ev[2].pending_returned, async);
    assert_int_equal(ev[3].who, EV_FILTER_ROUTINE);
    assert_ptr_equal(ev[3].device, filter);
    assert_int_equal(ev[3].irql, routine_irql);
    assert_int_equal(ev[3].pending_returned, async);
}

static void synchronous_read_completes_inline_through_all_levels(void **state)
{
    (void)state;
    UCHAR data[16] = {0};
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    /* The filter's device has DO_BUFFERED_IO: the bottom writes into the system buffer. */
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, filter, data, sizeof data, NULL, &event, &iosb);
    assert_non_null(irp);
    assert_int_equal(IoCallDriver(filter, irp), STATUS_SUCCESS);
    expect_chain(irp, FALSE, PASSIVE_LEVEL);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(iosb.Information, sizeof data);
    assert_int_equal(data[15], 'b');
}

static void write_completes_from_a_dpc(void **state)
{
    (void)state;
    UCHAR data[8];
    memset(data, 'w', sizeof data);
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, filter, data, sizeof data, NULL, &event, &iosb);
    NTSTATUS status = IoCallDriver(filter, irp);
    assert_int_equal(status, STATUS_PENDING);
    assert_int_equal(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    expect_chain(irp, TRUE, DISPATCH_LEVEL);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(iosb.Information, sizeof data + 1000);
}

static void ioctls_complete_from_a_timer_or_in_the_function_driver(void **state)
{
    (void)state;
    ULONG out = 0;
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BUS_PING, filter, NULL, 0, &out, sizeof out, FALSE, &event,
                                             &iosb);
    assert_int_equal(IoCallDriver(filter, irp), STATUS_PENDING);
    KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    expect_chain(irp, TRUE, DISPATCH_LEVEL);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(out, 0xb05b05);

    /* Handled by the function driver: the bottom never sees it, only the filter's routine runs.
     * (IRPs are recycled: start a fresh log so an old IRP's events do not match.) */
    nevents = 0;
    KeClearEvent(&event);
    irp = IoBuildDeviceIoControlRequest(IOCTL_FUNC_LOCAL, filter, NULL, 0, &out, sizeof out, FALSE, &event,
                                        &iosb);
    assert_int_equal(IoCallDriver(filter, irp), STATUS_SUCCESS);
    struct event ev[4];
    assert_int_equal(events_of(irp, ev, 4), 1);
    assert_int_equal(ev[0].who, EV_FILTER_ROUTINE);
    assert_false(ev[0].pending_returned);
    assert_int_equal(out, 0xf00d);

    /* Unknown IOCTL: the bottom fails it, every routine sees the error. */
    nevents = 0;
    irp = IoBuildDeviceIoControlRequest(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x999, METHOD_NEITHER, FILE_ANY_ACCESS),
                                        filter, NULL, 0, NULL, 0, FALSE, &event, &iosb);
    assert_int_equal(IoCallDriver(filter, irp), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(events_of(irp, ev, 4), 3);
    assert_int_equal(ev[2].who, EV_FILTER_ROUTINE);
    assert_int_equal(ev[2].status, STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(iosb.Status, STATUS_INVALID_DEVICE_REQUEST);
}

static void many_requests_in_flight(void **state)
{
    (void)state;
    static UCHAR data[IN_FLIGHT][16];
    static IO_STATUS_BLOCK iosb[IN_FLIGHT];
    static KEVENT done[IN_FLIGHT];
    static ULONG out[IN_FLIGHT];
    int pending = 0;
    for (int i = 0; i < IN_FLIGHT; i++) {
        KeInitializeEvent(&done[i], NotificationEvent, FALSE);
        PIRP irp;
        if (i % 3 == 0) {
            irp = IoBuildDeviceIoControlRequest(IOCTL_BUS_PING, filter, NULL, 0, &out[i], sizeof(ULONG),
                                                FALSE, &done[i], &iosb[i]);
        } else {
            memset(data[i], 'w', sizeof data[i]);
            irp = IoBuildSynchronousFsdRequest(i % 3 == 1 ? IRP_MJ_WRITE : IRP_MJ_READ, filter, data[i],
                                               (ULONG)(1 + i % 16), NULL, &done[i], &iosb[i]);
        }
        if (IoCallDriver(filter, irp) == STATUS_PENDING)
            pending++;
    }
    assert_true(pending >= IN_FLIGHT / 2);
    for (int i = 0; i < IN_FLIGHT; i++) {
        assert_int_equal(KeWaitForSingleObject(&done[i], Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        assert_int_equal(iosb[i].Status, STATUS_SUCCESS);
        if (i % 3 == 0)
            assert_int_equal(out[i], 0xb05b05);
        else if (i % 3 == 1)
            assert_int_equal(iosb[i].Information, 1 + i % 16 + 1000);
        else
            assert_int_equal(data[i][i % 16], 'b');
    }
    /* Each IRP: 4 events, and no routine ran before the level below it. */
    assert_int_equal(nevents, 4 * IN_FLIGHT);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(synchronous_read_completes_inline_through_all_levels),
        T(write_completes_from_a_dpc),
        T(ioctls_complete_from_a_timer_or_in_the_function_driver),
        T(many_requests_in_flight),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (owdf_nt_running())
        owdf_nt_stop();
    return failed;
}
