/*
 * owdf-demo.c - the main job until the driver host exists: two WDM drivers form a device stack
 * (an upper filter over a function driver), and an application sends them real I/O through the
 * I/O manager: open, write, read back, an IOCTL, an I/O the driver pends and completes from a timer
 * DPC, a cancel, a bad request, close. Each driver's DbgPrint output is shown as it happens, and the
 * run ends with the leak and verifier audits.
 */
#include <ntddk.h>
#include <openwdf/dbglog.h>
#include <openwdf/io.h>
#include <openwdf/nt.h>
#include <openwdf/pool.h>
#include <openwdf/status.h>
#include <openwdf/user.h>
#include <openwdf/verifier.h>

#include <stdio.h>
#include <string.h>

#define DEMO_TAG 'omeD'
#define IOCTL_DEMO_GET_STATS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DEMO_DELAYED_READ CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)

typedef struct DEMO_STATS {
    ULONG Creates, Reads, Writes, Ioctls, BytesStored;
} DEMO_STATS;

static const char *major_name(UCHAR major)
{
    static const char *const names[] = {
        [IRP_MJ_CREATE] = "IRP_MJ_CREATE", [IRP_MJ_CLOSE] = "IRP_MJ_CLOSE",
        [IRP_MJ_READ] = "IRP_MJ_READ", [IRP_MJ_WRITE] = "IRP_MJ_WRITE",
        [IRP_MJ_DEVICE_CONTROL] = "IRP_MJ_DEVICE_CONTROL", [IRP_MJ_CLEANUP] = "IRP_MJ_CLEANUP",
    };
    return (major < sizeof names / sizeof names[0] && names[major]) ? names[major] : "IRP_MJ_?";
}

/* ---- the function driver: stores what is written, returns it on read --------------------------- */

typedef struct STORE_EXTENSION {
    KSPIN_LOCK Lock;
    UCHAR Data[256];
    ULONG Length;
    DEMO_STATS Stats;
    KTIMER Timer;
    KDPC Dpc;
    PIRP Delayed; /* the IRP the timer completes; guarded by Lock */
} STORE_EXTENSION;

static PDEVICE_OBJECT store_device;

static NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static void store_cancel_delayed(PDEVICE_OBJECT device, PIRP irp)
{
    STORE_EXTENSION *ext = device->DeviceExtension;
    IoReleaseCancelSpinLock(irp->CancelIrql);
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    BOOLEAN mine = ext->Delayed == irp;
    if (mine)
        ext->Delayed = NULL;
    KeReleaseSpinLock(&ext->Lock, irql);
    if (mine) {
        KeCancelTimer(&ext->Timer);
        DbgPrint("cancel routine: completing the delayed IRP with STATUS_CANCELLED\n");
        complete(irp, STATUS_CANCELLED, 0);
    }
}

static void store_timer_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(arg1);
    UNREFERENCED_PARAMETER(arg2);
    STORE_EXTENSION *ext = context;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    PIRP irp = ext->Delayed;
    ext->Delayed = NULL;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    if (irp == NULL || IoSetCancelRoutine(irp, NULL) == NULL)
        return; /* the cancel routine owns it */
    ULONG n = min(ext->Length, IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.OutputBufferLength);
    RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, ext->Data, n);
    DbgPrint("timer DPC at IRQL %u: completing the delayed IRP with %lu bytes\n", KeGetCurrentIrql(), n);
    complete(irp, STATUS_SUCCESS, n);
}

static NTSTATUS store_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    STORE_EXTENSION *ext = device->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    DbgPrint("%s\n", major_name(sl->MajorFunction));
    KIRQL irql;
    switch (sl->MajorFunction) {
    case IRP_MJ_CREATE:
        InterlockedIncrement((LONG *)&ext->Stats.Creates);
        return complete(irp, STATUS_SUCCESS, 0);
    case IRP_MJ_CLEANUP:
    case IRP_MJ_CLOSE:
        return complete(irp, STATUS_SUCCESS, 0);
    case IRP_MJ_WRITE: {
        ULONG n = sl->Parameters.Write.Length;
        if (n > sizeof ext->Data)
            return complete(irp, STATUS_BUFFER_OVERFLOW, 0);
        KeAcquireSpinLock(&ext->Lock, &irql);
        RtlCopyMemory(ext->Data, irp->AssociatedIrp.SystemBuffer, n);
        ext->Length = n;
        ext->Stats.Writes++;
        ext->Stats.BytesStored = n;
        KeReleaseSpinLock(&ext->Lock, irql);
        DbgPrint("stored %lu bytes\n", n);
        return complete(irp, STATUS_SUCCESS, n);
    }
    case IRP_MJ_READ: {
        KeAcquireSpinLock(&ext->Lock, &irql);
        ULONG n = min(ext->Length, sl->Parameters.Read.Length);
        RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, ext->Data, n);
        ext->Stats.Reads++;
        KeReleaseSpinLock(&ext->Lock, irql);
        return complete(irp, STATUS_SUCCESS, n);
    }
    case IRP_MJ_DEVICE_CONTROL: {
        ULONG code = sl->Parameters.DeviceIoControl.IoControlCode;
        InterlockedIncrement((LONG *)&ext->Stats.Ioctls);
        if (code == IOCTL_DEMO_GET_STATS) {
            if (sl->Parameters.DeviceIoControl.OutputBufferLength < sizeof(DEMO_STATS))
                return complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
            KeAcquireSpinLock(&ext->Lock, &irql);
            RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, &ext->Stats, sizeof(DEMO_STATS));
            KeReleaseSpinLock(&ext->Lock, irql);
            return complete(irp, STATUS_SUCCESS, sizeof(DEMO_STATS));
        }
        if (code == IOCTL_DEMO_DELAYED_READ) {
            IoMarkIrpPending(irp);
            KeAcquireSpinLock(&ext->Lock, &irql);
            ext->Delayed = irp;
            IoSetCancelRoutine(irp, store_cancel_delayed);
            KeReleaseSpinLock(&ext->Lock, irql);
            if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
                KeAcquireSpinLock(&ext->Lock, &irql);
                ext->Delayed = NULL;
                KeReleaseSpinLock(&ext->Lock, irql);
                complete(irp, STATUS_CANCELLED, 0);
                return STATUS_PENDING;
            }
            LARGE_INTEGER due = {.QuadPart = -50 * 10000LL}; /* 50 ms from now */
            KeSetTimer(&ext->Timer, due, &ext->Dpc);
            DbgPrint("pending the IRP; a timer DPC completes it in 50 ms\n");
            return STATUS_PENDING;
        }
        DbgPrint("unknown IOCTL %#lx\n", code);
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    default:
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static void store_unload(PDRIVER_OBJECT driver)
{
    UNREFERENCED_PARAMETER(driver);
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\DemoStore");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(store_device);
    DbgPrint("unloaded\n");
}

static NTSTATUS store_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNREFERENCED_PARAMETER(registry_path);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\DemoStore");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\DemoStore");
    NTSTATUS status =
        IoCreateDevice(driver, sizeof(STORE_EXTENSION), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &store_device);
    if (!NT_SUCCESS(status))
        return status;
    STORE_EXTENSION *ext = store_device->DeviceExtension;
    KeInitializeSpinLock(&ext->Lock);
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->Dpc, store_timer_dpc, ext);
    store_device->Flags |= DO_BUFFERED_IO;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(store_device);
        return status;
    }
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = store_dispatch;
    driver->DriverUnload = store_unload;
    store_device->Flags &= ~DO_DEVICE_INITIALIZING;
    DbgPrint("created \\Device\\DemoStore and \\DosDevices\\DemoStore\n");
    return STATUS_SUCCESS;
}

/* ---- the upper filter: passes everything down, watching completions ----------------------------- */

typedef struct FILTER_EXTENSION {
    PDEVICE_OBJECT Lower;
    LONG Seen;
} FILTER_EXTENSION;

static PDEVICE_OBJECT filter_device;

static NTSTATUS filter_completion(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    UNREFERENCED_PARAMETER(device);
    if (irp->PendingReturned)
        IoMarkIrpPending(irp);
    DbgPrint("completion: %s -> %s, %lu bytes\n", major_name((UCHAR)(ULONG_PTR)context),
             owdf_status_name(irp->IoStatus.Status), (ULONG)irp->IoStatus.Information);
    return STATUS_CONTINUE_COMPLETION;
}

static NTSTATUS filter_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    FILTER_EXTENSION *ext = device->DeviceExtension;
    UCHAR major = IoGetCurrentIrpStackLocation(irp)->MajorFunction;
    InterlockedIncrement(&ext->Seen);
    DbgPrint("%s: passing it down with a completion routine\n", major_name(major));
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, filter_completion, (PVOID)(ULONG_PTR)major, TRUE, TRUE, TRUE);
    return IoCallDriver(ext->Lower, irp);
}

static void filter_unload(PDRIVER_OBJECT driver)
{
    UNREFERENCED_PARAMETER(driver);
    FILTER_EXTENSION *ext = filter_device->DeviceExtension;
    LONG seen = ext->Seen;
    IoDetachDevice(ext->Lower);
    IoDeleteDevice(filter_device);
    DbgPrint("detached and unloaded after %ld IRPs\n", seen);
}

static NTSTATUS filter_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNREFERENCED_PARAMETER(registry_path);
    NTSTATUS status =
        IoCreateDevice(driver, sizeof(FILTER_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &filter_device);
    if (!NT_SUCCESS(status))
        return status;
    FILTER_EXTENSION *ext = filter_device->DeviceExtension;
    ext->Lower = IoAttachDeviceToDeviceStack(filter_device, store_device);
    if (ext->Lower == NULL) {
        IoDeleteDevice(filter_device);
        return STATUS_NO_SUCH_DEVICE;
    }
    filter_device->Flags |= ext->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = filter_dispatch;
    driver->DriverUnload = filter_unload;
    filter_device->Flags &= ~DO_DEVICE_INITIALIZING;
    DbgPrint("attached above %s\n", "\\Device\\DemoStore");
    return STATUS_SUCCESS;
}

/* ---- showing each driver's DbgPrint output as it happens ------------------------------------------ */

/* A stdout stream that starts every line with "[driver] ", given to the driver's log as its sink. */
struct prefixed {
    const char *name;
    BOOLEAN at_line_start;
};

static ssize_t prefixed_write(void *cookie, const char *buffer, size_t size)
{
    struct prefixed *p = cookie;
    for (size_t i = 0; i < size; i++) {
        if (p->at_line_start)
            printf("   [%s] ", p->name);
        putchar(buffer[i]);
        p->at_line_start = buffer[i] == '\n';
    }
    return (ssize_t)size;
}

static FILE *show_log(owdf_dbg_log *log, struct prefixed *state)
{
    state->name = owdf_dbg_log_name(log);
    state->at_line_start = TRUE;
    FILE *stream = fopencookie(state, "w", (cookie_io_functions_t){.write = prefixed_write});
    setvbuf(stream, NULL, _IOLBF, 0);
    /* Lines written before the sink existed (DriverEntry's), then everything from now on. */
    char line[OWDF_DBG_LINE_MAX];
    for (size_t i = 0; owdf_dbg_log_read(log, i, line, sizeof line) >= 0; i++)
        fprintf(stream, "%s\n", line);
    owdf_dbg_log_set_file(log, stream);
    return stream;
}

/* ---- the application side ------------------------------------------------------------------------ */

static int failures;

static void step(const char *what)
{
    printf("\n== %s\n", what);
}

static void expect(const char *what, NTSTATUS got, NTSTATUS want)
{
    printf("   %s -> %s%s\n", what, owdf_status_name(got), got == want ? "" : "   <-- UNEXPECTED");
    if (got != want)
        failures++;
}

static void print_stack(PDEVICE_OBJECT top)
{
    printf("   device stack, top to bottom:\n");
    for (PDEVICE_OBJECT d = top; d != NULL; d = IoGetLowerDeviceObject(d)) {
        printf("     %-22s StackSize %d%s\n", owdf_io_driver_name(d->DriverObject), d->StackSize,
               d == store_device ? "  (\\Device\\DemoStore, \\DosDevices\\DemoStore)" : "");
        if (d != top)
            ObDereferenceObject(d);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("openwdf demo: two WDM drivers in one device stack, driven by an application\n");
    owdf_pool_mark mark = owdf_pool_mark_now();
    owdf_nt_start(NULL);

    step("load the drivers (DriverEntry runs; their DbgPrint lines are prefixed with the driver's name)");
    PDRIVER_OBJECT store, filter;
    struct prefixed store_state, filter_state;
    expect("load DemoStore", owdf_io_load_driver("DemoStore", store_entry, NULL, &store), STATUS_SUCCESS);
    FILE *store_log = show_log(owdf_io_driver_log(store), &store_state);
    expect("load DemoFilter", owdf_io_load_driver("DemoFilter", filter_entry, NULL, &filter), STATUS_SUCCESS);
    FILE *filter_log = show_log(owdf_io_driver_log(filter), &filter_state);
    print_stack(filter_device);

    step("open \\\\.\\DemoStore (IRP_MJ_CREATE enters at the top of the stack)");
    HANDLE h = NULL;
    expect("owdf_user_open", owdf_user_open("\\\\.\\DemoStore", GENERIC_READ | GENERIC_WRITE, 0, 0, &h),
           STATUS_SUCCESS);

    step("write, then read back (buffered I/O: the I/O manager copies in and out)");
    const char message[] = "hello from openwdf";
    ULONG bytes = 0;
    expect("owdf_user_write", owdf_user_write(h, message, sizeof message, NULL, &bytes), STATUS_SUCCESS);
    char back[64] = {0};
    expect("owdf_user_read", owdf_user_read(h, back, sizeof back, NULL, &bytes), STATUS_SUCCESS);
    printf("   read %lu bytes: \"%s\"\n", (unsigned long)bytes, back);
    if (strcmp(back, message) != 0)
        failures++;

    step("IOCTL_DEMO_GET_STATS (METHOD_BUFFERED)");
    DEMO_STATS stats = {0};
    expect("owdf_user_ioctl", owdf_user_ioctl(h, IOCTL_DEMO_GET_STATS, NULL, 0, &stats, sizeof stats, &bytes),
           STATUS_SUCCESS);
    printf("   creates %lu, reads %lu, writes %lu, ioctls %lu, bytes stored %lu\n", (unsigned long)stats.Creates,
           (unsigned long)stats.Reads, (unsigned long)stats.Writes, (unsigned long)stats.Ioctls,
           (unsigned long)stats.BytesStored);
    expect("too small an output buffer",
           owdf_user_ioctl(h, IOCTL_DEMO_GET_STATS, NULL, 0, &stats, 4, &bytes), STATUS_BUFFER_TOO_SMALL);

    step("an IOCTL the driver pends and completes from a timer DPC");
    owdf_user_io io;
    owdf_user_io_init(&io, NULL, NULL);
    char delayed[64] = {0};
    expect("owdf_user_ioctl_async",
           owdf_user_ioctl_async(h, IOCTL_DEMO_DELAYED_READ, NULL, 0, delayed, sizeof delayed, &io), STATUS_PENDING);
    expect("owdf_user_wait", owdf_user_wait(&io, 5000), STATUS_SUCCESS);
    printf("   completed with %lu bytes: \"%s\"\n", (unsigned long)io.information, delayed);

    step("the same IOCTL, canceled by the application before the timer fires");
    owdf_user_io_init(&io, NULL, NULL);
    expect("owdf_user_ioctl_async",
           owdf_user_ioctl_async(h, IOCTL_DEMO_DELAYED_READ, NULL, 0, delayed, sizeof delayed, &io), STATUS_PENDING);
    expect("owdf_user_cancel", owdf_user_cancel(h, &io), STATUS_SUCCESS);
    expect("owdf_user_wait", owdf_user_wait(&io, 5000), STATUS_CANCELLED);

    step("bad requests get Windows' answers");
    expect("unknown IOCTL", owdf_user_ioctl(h, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x9ff, METHOD_BUFFERED, 0), NULL, 0,
                                            NULL, 0, &bytes),
           STATUS_INVALID_DEVICE_REQUEST);
    HANDLE none = NULL;
    expect("open \\\\.\\NoSuchDevice", owdf_user_open("\\\\.\\NoSuchDevice", GENERIC_READ, 0, 0, &none),
           STATUS_OBJECT_NAME_NOT_FOUND);

    step("close (IRP_MJ_CLEANUP, then IRP_MJ_CLOSE)");
    expect("owdf_user_close", owdf_user_close(h), STATUS_SUCCESS);
    expect("read on the closed handle", owdf_user_read(h, back, sizeof back, NULL, &bytes), STATUS_INVALID_HANDLE);

    step("unload (filter first, then the function driver) and audit");
    expect("unload DemoFilter", owdf_io_unload_driver(filter), STATUS_SUCCESS);
    fclose(filter_log);
    expect("unload DemoStore", owdf_io_unload_driver(store), STATUS_SUCCESS);
    fclose(store_log);
    expect("owdf_nt_stop", owdf_nt_stop(), STATUS_SUCCESS);
    size_t leaked = owdf_pool_leak_report(stdout, mark);
    size_t reports = owdf_verifier_report_count(NULL);
    printf("   pool blocks leaked: %zu, verifier reports: %zu\n", leaked, reports);
    if (leaked != 0 || reports != 0)
        failures++;

    printf("\n%s\n", failures == 0 ? "demo finished: every step behaved as expected" : "demo FAILED");
    return failures == 0 ? 0 : 1;
}
