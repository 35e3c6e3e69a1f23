/*
 * Scenario: cancellation racing completion, many times. A driver pends each IRP with a cancel
 * routine; then this thread completes it (taking the cancel routine back first, as a correct driver
 * does) while another thread calls IoCancelIrp on it, with varying head starts. Every round must end
 * with exactly one completion, with STATUS_SUCCESS exactly when IoCancelIrp did not call the routine
 * and STATUS_CANCELLED exactly when it did, and nothing may leak. 100000 rounds (about 3 s under
 * ThreadSanitizer, so no reduction is needed there).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>

#include <wdm.h>
#include <openwdf/io.h>
#include <openwdf/pool.h>
#include <openwdf/verifier.h>

#define ROUNDS 100000

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;

static DRIVER_CANCEL race_cancel;
static void race_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static DRIVER_DISPATCH race_dispatch;
static NTSTATUS race_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, race_cancel);
    if (__atomic_load_n(&Irp->Cancel, __ATOMIC_ACQUIRE) && IoSetCancelRoutine(Irp, NULL) != NULL) {
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    return STATUS_PENDING;
}

/* Completion side of the driver. */
static BOOLEAN driver_complete(PIRP irp)
{
    if (IoSetCancelRoutine(irp, NULL) == NULL)
        return FALSE; /* the cancel routine owns it */
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 1;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return TRUE;
}

struct round {
    volatile LONG completions;
    volatile NTSTATUS status;
};

static IO_COMPLETION_ROUTINE originator_done;
static NTSTATUS originator_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    struct round *r = Context;
    __atomic_store_n(&r->status, Irp->IoStatus.Status, __ATOMIC_RELAXED);
    __atomic_add_fetch(&r->completions, 1, __ATOMIC_RELEASE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Hand-off between this thread and the canceller. */
static PIRP volatile current_irp;
static volatile LONG go;         /* round number the canceller may start */
static volatile LONG cancelled;  /* round number the canceller finished */
static volatile LONG cancelling; /* round number the canceller is about to cancel */
static volatile BOOLEAN cancel_result;
static volatile BOOLEAN stop;

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

static void wait_for(volatile LONG *word, LONG value)
{
    unsigned tries = 0;
    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != value) {
        if (++tries > 64)
            sched_yield();
    }
}

static void *canceller(void *arg)
{
    (void)arg;
    for (LONG round = 1;; round++) {
        unsigned tries = 0;
        while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) != round) {
            if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
                return NULL;
            if (++tries > 64)
                sched_yield();
        }
        PIRP irp = __atomic_load_n(&current_irp, __ATOMIC_ACQUIRE);
        spin((unsigned)(round * 7) % 64);
        __atomic_store_n(&cancelling, round, __ATOMIC_RELEASE);
        spin((unsigned)(round * 11) % 1024);
        BOOLEAN result = IoCancelIrp(irp);
        __atomic_store_n(&cancel_result, result, __ATOMIC_RELAXED);
        __atomic_store_n(&cancelled, round, __ATOMIC_RELEASE);
    }
}

static DRIVER_UNLOAD race_unload;
static void race_unload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

static DRIVER_INITIALIZE race_entry;
static NTSTATUS race_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->MajorFunction[IRP_MJ_READ] = race_dispatch;
    DriverObject->DriverUnload = race_unload;
    return IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}

static void sink(const owdf_verifier_report *report, void *context)
{
    (void)context;
    print_message("verifier: %s: %s\n", report->rule, report->message);
}

static void cancel_races_completion(void **state)
{
    (void)state;
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(sink, NULL);
    size_t pool = owdf_pool_outstanding(0);
    assert_int_equal(owdf_io_load_driver("CancelRace", race_entry, NULL, &driver), STATUS_SUCCESS);

    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, canceller, NULL), 0);
    ULONG by_completion = 0, by_cancel = 0;
    for (LONG round = 1; round <= ROUNDS; round++) {
        struct round r = {0, STATUS_PENDING};
        PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
        IoSetCompletionRoutine(irp, originator_done, &r, TRUE, TRUE, TRUE);
        assert_int_equal(IoCallDriver(device, irp), STATUS_PENDING);

        __atomic_store_n(&current_irp, irp, __ATOMIC_RELEASE);
        __atomic_store_n(&go, round, __ATOMIC_RELEASE);
        /* Head starts: in half the rounds this side goes at once (it usually wins); in the other half it
         * and the canceller start from the same point, each after its own short delay, so that the two
         * really overlap and either may win, whatever the relative speed of the threads. */
        if (round & 1) {
            wait_for(&cancelling, round);
            spin((unsigned)(round * 37) % 256);
        }
        BOOLEAN completed = driver_complete(irp);
        wait_for(&cancelled, round);
        wait_for(&r.completions, 1);
        BOOLEAN routine_called = __atomic_load_n(&cancel_result, __ATOMIC_RELAXED);

        /* Exactly one side completed it, and the status says which. */
        assert_int_equal(__atomic_load_n(&r.completions, __ATOMIC_ACQUIRE), 1);
        assert_true(completed != routine_called);
        assert_int_equal(r.status, completed ? STATUS_SUCCESS : STATUS_CANCELLED);
        assert_true(irp->Cancel);
        assert_null(irp->CancelRoutine);
        if (completed)
            by_completion++;
        else
            by_cancel++;
        IoFreeIrp(irp);
    }
    __atomic_store_n(&stop, TRUE, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(thread, NULL), 0);
    print_message("%d rounds: %u completed by the driver, %u by the cancel routine\n", ROUNDS, by_completion,
                  by_cancel);
    assert_int_equal(by_completion + by_cancel, ROUNDS);
    assert_true(by_completion > 0);
    assert_true(by_cancel > 0);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);

    IoDeleteDevice(device);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(owdf_pool_outstanding(0), pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cancel_races_completion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
