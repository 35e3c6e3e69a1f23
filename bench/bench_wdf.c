/*
 * bench_wdf.c - the null request round trip through the whole driver pair, against the WDM paths,
 * measured in the same run.
 *
 * wdf_null_parallel_1t    application side (owdf_user_read) -> I/O manager -> Framework dispatch ->
 *                         parallel default queue -> EvtIoRead -> WdfRequestCompleteWithInformation
 *                         -> completion back to the caller; zero-length reads the queue accepts
 *                         (AllowZeroLengthRequests), so no buffer is involved.
 * wdf_null_parallel_2t    the same on two threads (aggregate), each with its own handle.
 * wdf_null_sequential_1t  a sequential default queue.
 * wdm_user_null_1t        the same application-side read to a WDM driver that completes at once:
 *                         the Framework's own cost is wdf / wdm_user.
 * irp_null_1t             IoAllocateIrp -> IoCallDriver -> complete -> IoFreeIrp (no application side).
 * direct_call_1t          an indirect call of a dispatch routine: the physical limit.
 * wdf_null_allocs_per_req heap allocations per Framework request in steady state.
 */
#include <ntddk.h>
#include <initguid.h>
#include <wdf.h>
#include <openwdf/io.h>
#include <openwdf/testbench.h>
#include <openwdf/user.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

/* Heap allocation counter (glibc's allocator sits under __libc_*). */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static atomic_ulong heap_allocations;
void *malloc(size_t n)
{
    atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    return __libc_realloc(p, n);
}

/* ---- the KMDF null driver (linked in with the driver stub) ----------------------------------- */
DEFINE_GUID(GUID_BENCH_PARALLEL, 0x5b1d7a10, 0x3c2e, 0x4f6a, 0x9d, 0x1e, 0x2a, 0x7b, 0x44, 0x0c, 0x61, 0x01);
DEFINE_GUID(GUID_BENCH_SEQUENTIAL, 0x5b1d7a10, 0x3c2e, 0x4f6a, 0x9d, 0x1e, 0x2a, 0x7b, 0x44, 0x0c, 0x61, 0x02);
DRIVER_INITIALIZE FxDriverEntry;
DRIVER_INITIALIZE DriverEntry;

static EVT_WDF_IO_QUEUE_IO_READ null_read;
static void null_read(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
}

static ULONG devices_added; /* the first device gets a parallel queue, the second a sequential one */

static NTSTATUS null_device_add(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    BOOLEAN parallel = devices_added++ == 0;
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status))
        return status;
    WDF_IO_QUEUE_CONFIG config;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&config, parallel ? WdfIoQueueDispatchParallel
                                                              : WdfIoQueueDispatchSequential);
    config.EvtIoRead = null_read;
    config.AllowZeroLengthRequests = TRUE;
    status = WdfIoQueueCreate(device, &config, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status))
        return status;
    return WdfDeviceCreateDeviceInterface(device, parallel ? &GUID_BENCH_PARALLEL : &GUID_BENCH_SEQUENTIAL, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, null_device_add);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/* ---- the WDM null driver, opened the same way -------------------------------------------------- */
static PDEVICE_OBJECT wdm_device;
static NTSTATUS wdm_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
static void wdm_unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\BenchWdmNull");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(wdm_device);
}
static NTSTATUS wdm_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\BenchWdmNull");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\BenchWdmNull");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &wdm_device);
    if (!NT_SUCCESS(status))
        return status;
    wdm_device->Flags |= DO_BUFFERED_IO;
    wdm_device->Flags &= ~DO_DEVICE_INITIALIZING;
    IoCreateSymbolicLink(&link, &name);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = wdm_dispatch;
    DriverObject->DriverUnload = wdm_unload;
    return STATUS_SUCCESS;
}

/* ---- measured bodies -------------------------------------------------------------------------------- */
static uint64_t user_reads(void *ctx, uint64_t n)
{
    HANDLE h = ctx;
    char byte;
    ULONG bytes;
    for (uint64_t i = 0; i < n; i++) {
        if (owdf_user_read(h, &byte, 0, NULL, &bytes) != STATUS_SUCCESS) {
            fprintf(stderr, "bench: a null read failed\n");
            exit(1);
        }
    }
    return n;
}

struct thread_run {
    pthread_barrier_t *start;
    HANDLE handle;
    uint64_t target_ns;
    double rate;
};

static void *reader_thread(void *arg)
{
    struct thread_run *run = arg;
    pthread_barrier_wait(run->start);
    run->rate = bench_rate(user_reads, run->handle, run->target_ns, 3);
    return NULL;
}

/* Two threads reading at once, each on its own handle; their aggregate rate. */
static double two_readers(HANDLE handles[2], uint64_t target_ns)
{
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    struct thread_run runs[2] = {{&start, handles[0], target_ns, 0}, {&start, handles[1], target_ns, 0}};
    pthread_t tid[2];
    for (int t = 0; t < 2; t++)
        pthread_create(&tid[t], NULL, reader_thread, &runs[t]);
    for (int t = 0; t < 2; t++)
        pthread_join(tid[t], NULL);
    pthread_barrier_destroy(&start);
    return runs[0].rate + runs[1].rate;
}

static PDEVICE_OBJECT null_irp_device;
static NTSTATUS claim_irp(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_MORE_PROCESSING_REQUIRED;
}
static uint64_t irp_round_trips(void *ctx, uint64_t n)
{
    (void)ctx;
    for (uint64_t i = 0; i < n; i++) {
        PIRP irp = IoAllocateIrp(null_irp_device->StackSize, FALSE);
        PIO_STACK_LOCATION sl = IoGetNextIrpStackLocation(irp);
        sl->MajorFunction = IRP_MJ_READ;
        IoSetCompletionRoutine(irp, claim_irp, NULL, TRUE, TRUE, TRUE);
        IoCallDriver(null_irp_device, irp);
        IoFreeIrp(irp);
    }
    return n;
}
static NTSTATUS direct_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    return STATUS_SUCCESS;
}
static uint64_t direct_calls(void *ctx, uint64_t n)
{
    (void)ctx;
    static IRP irp;
    NTSTATUS (*volatile dispatch)(PDEVICE_OBJECT, PIRP) = direct_dispatch; /* a real indirect call */
    for (uint64_t i = 0; i < n; i++)
        dispatch(null_irp_device, &irp);
    return n;
}

static void die(const char *what, NTSTATUS status)
{
    fprintf(stderr, "bench: %s failed: 0x%08x\n", what, (unsigned)status);
    exit(1);
}

int main(int argc, char **argv)
{
    owdf_tb *tb = owdf_tb_create(NULL);
    if (tb == NULL)
        die("owdf_tb_create", STATUS_UNSUCCESSFUL);
    owdf_tb_driver *kmdf, *wdm;
    owdf_tb_device *parallel_dev, *sequential_dev;
    NTSTATUS status;
    if (!NT_SUCCESS(status = owdf_tb_load_driver(tb, "BenchNull", FxDriverEntry, &kmdf)))
        die("loading the KMDF null driver", status);
    if (!NT_SUCCESS(status = owdf_tb_device_add(tb, kmdf, "ROOT\\BENCHNULL", &parallel_dev)))
        die("adding the parallel device", status);
    if (!NT_SUCCESS(status = owdf_tb_device_add(tb, kmdf, "ROOT\\BENCHNULL", &sequential_dev)))
        die("adding the sequential device", status);
    if (!NT_SUCCESS(status = owdf_tb_load_driver(tb, "BenchWdmNull", wdm_entry, &wdm)))
        die("loading the WDM null driver", status);
    null_irp_device = wdm_device;

    HANDLE par[2], seq, raw;
    for (int i = 0; i < 2; i++)
        if (!NT_SUCCESS(status = owdf_tb_device_open(parallel_dev, &GUID_BENCH_PARALLEL, 0, &par[i])))
            die("opening the parallel device", status);
    if (!NT_SUCCESS(status = owdf_tb_device_open(sequential_dev, &GUID_BENCH_SEQUENTIAL, 0, &seq)))
        die("opening the sequential device", status);
    if (!NT_SUCCESS(status = owdf_tb_open(tb, "\\\\.\\BenchWdmNull", 0, &raw)))
        die("opening the WDM device", status);

    /* `bench_wdf profile-1t|profile-2t`: only that loop, for about 3 s, to run under perf. */
    const char *profile = argc > 1 ? argv[1] : NULL;
    int profile_threads = profile == NULL ? 0 : strcmp(profile, "profile-2t") == 0 ? 2 : 1;
    if (profile_threads == 1) {
        bench_rate(user_reads, par[0], 1000000000ull, 3);
    } else if (profile_threads == 2) {
        (void)two_readers(par, 1000000000ull);
    }
    if (profile_threads != 0)
        goto teardown;

    printf("null request round trip through the driver pair (best of 3 runs of ~0.3 s; WDM and KMDF 1 thread: 21 alternating 50 ms windows, their ratio the median of adjacent pairs)\n");
    double direct = bench_rate(direct_calls, NULL, 300000000ull, 3);
    double irp = bench_rate(irp_round_trips, NULL, 300000000ull, 3);

    user_reads(par[0], 100000); /* warm the caches, then count allocations in steady state */
    unsigned long before = atomic_load(&heap_allocations);
    user_reads(par[0], 200000);
    double allocs = (double)(atomic_load(&heap_allocations) - before) / 200000.0;

    /* The Framework's own cost is a ratio: both sides in alternating 50 ms windows. */
    double wdm_user, wdf1;
    double wdf_vs_wdm = bench_rate_pair(user_reads, raw, user_reads, par[0], 50000000ull, 21, &wdm_user, &wdf1);
    double wdfseq = bench_rate(user_reads, seq, 300000000ull, 3);
    double wdf2 = two_readers(par, 300000000ull);

    bench_table_row("direct indirect call (physical limit)", direct);
    bench_table_row("WDM null IRP via IoCallDriver", irp);
    bench_table_row("WDM null driver, application-side read", wdm_user);
    bench_table_row("KMDF parallel queue, 1 thread", wdf1);
    bench_table_row("KMDF parallel queue, 2 threads (aggregate)", wdf2);
    bench_table_row("KMDF sequential queue, 1 thread", wdfseq);
    printf("ratios: KMDF/WDM (same application-side read) = %.2fx, KMDF/IoCallDriver IRP = %.2fx, "
           "2t/1t = %.2fx, %.3f heap allocations per request\n",
           wdf_vs_wdm, irp / wdf1, wdf2 / wdf1, allocs);
    bench_print("direct_call_1t", direct, "req/s");
    bench_print("irp_null_1t", irp, "req/s");
    bench_print("wdm_user_null_1t", wdm_user, "req/s");
    bench_print("wdf_null_parallel_1t", wdf1, "req/s");
    bench_print("wdf_null_parallel_2t", wdf2, "req/s");
    bench_print("wdf_null_sequential_1t", wdfseq, "req/s");
    bench_print("wdf_vs_wdm_user", wdf_vs_wdm, "ratio");
    bench_print("wdf_vs_irp_null", irp / wdf1, "ratio");
    bench_print("wdf_null_2t_scaling", wdf2 / wdf1, "ratio");
    bench_print("wdf_null_allocs_per_req", allocs, "count");

teardown:
    owdf_tb_close(tb, par[0]);
    owdf_tb_close(tb, par[1]);
    owdf_tb_close(tb, seq);
    owdf_tb_close(tb, raw);
    owdf_tb_device_remove(parallel_dev);
    owdf_tb_device_remove(sequential_dev);
    return owdf_tb_destroy(tb, NULL) == 0 ? 0 : 1;
}
