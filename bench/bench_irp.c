/*
 * bench_irp.c - the WDM null IRP round trip against its baselines, measured in the same run.
 *
 * irp_null_1t      IoAllocateIrp (per-thread cache) -> IoSetCompletionRoutine -> IoCallDriver -> the
 *                  driver completes at once (IoCompleteRequest) -> our completion routine claims the IRP
 *                  (STATUS_MORE_PROCESSING_REQUIRED) -> IoFreeIrp. The whole path a request takes.
 * irp_null_2t      the same on two threads at once (aggregate rate), one device shared.
 * direct_call_1t   the physical limit: an indirect call of a dispatch routine of the same shape.
 * io_uring_nop_b32 a peer: Linux io_uring NOP requests, submitted and reaped in batches of 32.
 * irp_null_allocs_per_req  heap allocations (malloc family, counted by interposition) per round trip
 *                  in steady state: the I/O path is meant to allocate nothing.
 */
#include <ntddk.h>
#include <openwdf/io.h>
#include <openwdf/nt.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef OWDF_HAVE_LIBURING
#include <liburing.h>
#endif

#include "bench_util.h"

/* ---- heap allocation counter (glibc's real allocator sits under __libc_*) ------------------- */
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

/* ---- the null driver ------------------------------------------------------------------------- */
static PDEVICE_OBJECT null_device;

static NTSTATUS null_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static void null_unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    IoDeleteDevice(null_device);
}

static NTSTATUS null_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = null_dispatch;
    DriverObject->DriverUnload = null_unload;
    return IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &null_device);
}

/* ---- the measured bodies ---------------------------------------------------------------------- */
static NTSTATUS claim_irp(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    ++*(uint64_t *)Context;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static uint64_t irp_round_trips(void *ctx, uint64_t n)
{
    (void)ctx;
    uint64_t completed = 0;
    CCHAR stack = null_device->StackSize;
    for (uint64_t i = 0; i < n; i++) {
        PIRP irp = IoAllocateIrp(stack, FALSE);
        PIO_STACK_LOCATION sl = IoGetNextIrpStackLocation(irp);
        sl->MajorFunction = IRP_MJ_READ;
        sl->Parameters.Read.Length = 0;
        IoSetCompletionRoutine(irp, claim_irp, &completed, TRUE, TRUE, TRUE);
        IoCallDriver(null_device, irp);
        IoFreeIrp(irp);
    }
    if (completed != n) {
        fprintf(stderr, "bench: %llu of %llu IRPs completed\n", (unsigned long long)completed,
                (unsigned long long)n);
        exit(1);
    }
    return n;
}

/* The same dispatch shape without the I/O manager under it: set the status, return. */
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
    /* volatile: the compiler must make a real indirect call every time. */
    NTSTATUS (*volatile dispatch)(PDEVICE_OBJECT, PIRP) = direct_dispatch;
    for (uint64_t i = 0; i < n; i++)
        dispatch(null_device, &irp);
    return n;
}

struct thread_run {
    pthread_barrier_t *start;
    double rate;
};

static void *irp_thread(void *arg)
{
    struct thread_run *run = arg;
    pthread_barrier_wait(run->start);
    run->rate = bench_rate(irp_round_trips, NULL, 300000000ull, 3);
    return NULL;
}

static double irp_rate_threads(int threads)
{
    pthread_t tid[8];
    struct thread_run runs[8];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (int t = 0; t < threads; t++) {
        runs[t].start = &start;
        pthread_create(&tid[t], NULL, irp_thread, &runs[t]);
    }
    double total = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        total += runs[t].rate;
    }
    pthread_barrier_destroy(&start);
    return total;
}

#ifdef OWDF_HAVE_LIBURING
static uint64_t uring_nops(void *ctx, uint64_t n)
{
    struct io_uring *ring = ctx;
    uint64_t done = 0;
    while (done < n) {
        for (int i = 0; i < 32; i++)
            io_uring_prep_nop(io_uring_get_sqe(ring));
        io_uring_submit_and_wait(ring, 32);
        struct io_uring_cqe *cqes[32];
        unsigned got = io_uring_peek_batch_cqe(ring, cqes, 32);
        io_uring_cq_advance(ring, got);
        done += got;
    }
    return done;
}
#endif

int main(void)
{
    owdf_nt_start(NULL);
    UNICODE_STRING registry_path;
    RtlInitUnicodeString(&registry_path, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\NullBench");
    PDRIVER_OBJECT driver;
    NTSTATUS status = owdf_io_load_driver("NullBench", null_driver_entry, &registry_path, &driver);
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, "bench: loading the null driver failed: 0x%08x\n", (unsigned)status);
        return 1;
    }

    printf("null request round trip (best of 3, ~0.3 s each)\n");
    double direct = bench_rate(direct_calls, NULL, 300000000ull, 3);
    bench_table_row("direct indirect call (physical limit)", direct);

    /* Warm the caches, then count heap allocations over a steady-state run. */
    irp_round_trips(NULL, 100000);
    unsigned long before = atomic_load(&heap_allocations);
    irp_round_trips(NULL, 1000000);
    double allocs_per_req = (double)(atomic_load(&heap_allocations) - before) / 1e6;

    double irp1 = bench_rate(irp_round_trips, NULL, 300000000ull, 3);
    bench_table_row("WDM null IRP, 1 thread", irp1);
    double irp2 = irp_rate_threads(2);
    bench_table_row("WDM null IRP, 2 threads (aggregate)", irp2);

    double uring = 0;
#ifdef OWDF_HAVE_LIBURING
    struct io_uring ring;
    if (io_uring_queue_init(64, &ring, 0) == 0) {
        uring = bench_rate(uring_nops, &ring, 300000000ull, 3);
        io_uring_queue_exit(&ring);
        bench_table_row("io_uring NOP, batches of 32 (peer)", uring);
    } else {
        printf("  io_uring unavailable here: peer baseline skipped\n");
    }
#endif

    printf("ratios: IRP/direct = %.2fx slower, 2t/1t = %.2fx, IRP vs io_uring NOP = %.2fx faster, "
           "%.3f heap allocations per IRP\n",
           direct / irp1, irp2 / irp1, uring > 0 ? irp1 / uring : 0.0, allocs_per_req);
    bench_print("direct_call_1t", direct, "req/s");
    bench_print("irp_null_1t", irp1, "req/s");
    bench_print("irp_null_2t", irp2, "req/s");
    if (uring > 0)
        bench_print("io_uring_nop_b32", uring, "req/s");
    bench_print("irp_null_1t_ns", 1e9 / irp1, "ns");
    bench_print("irp_null_2t_scaling", irp2 / irp1, "ratio");
    bench_print("irp_null_vs_direct", direct / irp1, "ratio");
    if (uring > 0)
        bench_print("irp_null_vs_io_uring", irp1 / uring, "ratio");
    bench_print("irp_null_allocs_per_req", allocs_per_req, "count");

    owdf_io_unload_driver(driver);
    owdf_nt_stop();
    return 0;
}
