/* IRPs across threads: frees on another thread land in that thread's cache, a thread's cache is
 * handed to the global list when it exits, and concurrent round trips stay clean. */
#include "io_test.h"

#include <pthread.h>

#define HANDOFF 300

static PIRP handed[HANDOFF];

static void *free_them(void *arg)
{
    (void)arg;
    for (int i = 0; i < HANDOFF; i++)
        IoFreeIrp(handed[i]);
    io_irp_cache_stats stats;
    io_irp_cache_get_stats(&stats);
    /* This thread's cache is bounded; the rest went to the global list. */
    assert_true(stats.thread_cached > 0 && stats.thread_cached < HANDOFF);
    return NULL;
}

static void irps_freed_elsewhere_come_back(void **state)
{
    (void)state;
    io_irp_cache_trim();
    for (int i = 0; i < HANDOFF; i++)
        handed[i] = IoAllocateIrp(3, FALSE);
    io_irp_cache_stats before, after;
    io_irp_cache_get_stats(&before);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, free_them, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    /* The freeing thread exited: everything it cached is on the global list now. */
    io_irp_cache_get_stats(&after);
    assert_int_equal(after.global_cached - before.global_cached + (after.pool_frees - before.pool_frees),
                     HANDOFF);
    for (int i = 0; i < HANDOFF; i++)
        handed[i] = IoAllocateIrp(3, FALSE);
    io_irp_cache_get_stats(&after);
    assert_int_equal(after.pool_allocs - before.pool_allocs, after.pool_frees - before.pool_frees);
    for (int i = 0; i < HANDOFF; i++)
        IoFreeIrp(handed[i]);
    io_irp_cache_trim();
}

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;

static DRIVER_DISPATCH complete_now;
static NTSTATUS complete_now(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

#define ROUND_TRIPS 100000

static void *round_trips(void *arg)
{
    ULONG id = (ULONG)(ULONG_PTR)arg;
    for (ULONG i = 0; i < ROUND_TRIPS; i++) {
        PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_READ;
        sp->Parameters.Read.Length = id + i;
        BOOLEAN done = FALSE;
        IoSetCompletionRoutine(irp, io_test_top_done, &done, TRUE, TRUE, TRUE);
        if (IoCallDriver(device, irp) != STATUS_SUCCESS || !done || irp->IoStatus.Information != id + i)
            return (void *)1;
        IoFreeIrp(irp);
    }
    return NULL;
}

static void concurrent_round_trips(void **state)
{
    (void)state;
    driver = io_test_load("Threads");
    driver->MajorFunction[IRP_MJ_READ] = complete_now;
    device = io_test_device(driver, 0);
    pthread_t t[2];
    for (ULONG i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, round_trips, (void *)(ULONG_PTR)(i * 1000000)), 0);
    for (int i = 0; i < 2; i++) {
        void *result;
        assert_int_equal(pthread_join(t[i], &result), 0);
        assert_null(result);
    }
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    io_irp_cache_trim();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(irps_freed_elsewhere_come_back, io_test_setup),
        cmocka_unit_test_setup(concurrent_round_trips, io_test_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
