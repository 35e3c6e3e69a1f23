/*
 * core_testlib.c - see core_testlib.h.
 */
#include "core_testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- callback log ------------------------------------------------------------------------------- */

#define TL_LOG_MAX 256
#define TL_LOG_TEXT 96

static char tl_entries[TL_LOG_MAX][TL_LOG_TEXT];
static size_t tl_entry_count;
static pthread_mutex_t tl_log_lock = PTHREAD_MUTEX_INITIALIZER;

void tl_log_reset(void)
{
    pthread_mutex_lock(&tl_log_lock);
    tl_entry_count = 0;
    pthread_mutex_unlock(&tl_log_lock);
}

void tl_log(const char *fmt, ...)
{
    pthread_mutex_lock(&tl_log_lock);
    if (tl_entry_count < TL_LOG_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tl_entries[tl_entry_count++], TL_LOG_TEXT, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&tl_log_lock);
}

size_t tl_log_count(const char *event)
{
    size_t n = 0;
    pthread_mutex_lock(&tl_log_lock);
    for (size_t i = 0; i < tl_entry_count; i++)
        n += strcmp(tl_entries[i], event) == 0;
    pthread_mutex_unlock(&tl_log_lock);
    return n;
}

void tl_log_dump(void)
{
    fprintf(stderr, "callback log (%zu entries):\n", tl_entry_count);
    for (size_t i = 0; i < tl_entry_count; i++)
        fprintf(stderr, "  %2zu %s\n", i, tl_entries[i]);
}

void tl_log_verify_seen_in_order_at(const char *file, int line, ...)
{
    va_list ap;
    va_start(ap, line);
    size_t at = 0;
    const char *event;
    while ((event = va_arg(ap, const char *)) != NULL) {
        while (at < tl_entry_count && strcmp(tl_entries[at], event) != 0)
            at++;
        if (at == tl_entry_count) {
            va_end(ap);
            tl_log_dump();
            _fail(file, line);
            return;
        }
        at++;
    }
    va_end(ap);
}

void tl_log_verify_exact_at(const char *file, int line, ...)
{
    va_list ap;
    va_start(ap, line);
    size_t at = 0;
    const char *event;
    BOOLEAN ok = TRUE;
    while ((event = va_arg(ap, const char *)) != NULL) {
        if (at >= tl_entry_count || strcmp(tl_entries[at], event) != 0) {
            fprintf(stderr, "expected entry %zu to be \"%s\"\n", at, event);
            ok = FALSE;
            break;
        }
        at++;
    }
    va_end(ap);
    if (ok && at != tl_entry_count) {
        fprintf(stderr, "%zu unexpected entries after the expected ones\n", tl_entry_count - at);
        ok = FALSE;
    }
    if (!ok) {
        tl_log_dump();
        _fail(file, line);
    }
}

/* ---- verifier ----------------------------------------------------------------------------------- */

#define TL_MESSAGES 32

static struct {
    char rule[48];
    char message[OWDF_VERIFIER_MESSAGE_MAX];
} tl_messages[TL_MESSAGES];
static size_t tl_message_next;
static volatile size_t tl_stops;

static void tl_sink(const owdf_verifier_report *report, void *context)
{
    (void)context;
    pthread_mutex_lock(&tl_log_lock);
    size_t i = tl_message_next++ % TL_MESSAGES;
    snprintf(tl_messages[i].rule, sizeof tl_messages[i].rule, "%s", report->rule);
    snprintf(tl_messages[i].message, sizeof tl_messages[i].message, "%s", report->message);
    pthread_mutex_unlock(&tl_log_lock);
    if (getenv("TL_VERBOSE") != NULL)
        fprintf(stderr, "report %s: %s\n", report->rule, report->message);
}

static void tl_stop(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
    __atomic_add_fetch(&tl_stops, 1, __ATOMIC_RELAXED);
}

void tl_verifier_setup(void)
{
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(tl_sink, NULL);
    owdf_verifier_set_stop_handler(tl_stop, NULL);
    pthread_mutex_lock(&tl_log_lock);
    memset(tl_messages, 0, sizeof tl_messages);
    tl_message_next = 0;
    pthread_mutex_unlock(&tl_log_lock);
    tl_stops = 0;
}

size_t tl_reports(const char *rule)
{
    return owdf_verifier_report_count(rule);
}

size_t tl_total_reports(void)
{
    return owdf_verifier_report_count(NULL);
}

const char *tl_last_message(const char *rule)
{
    const char *found = "";
    pthread_mutex_lock(&tl_log_lock);
    for (size_t k = 0; k < TL_MESSAGES && k < tl_message_next; k++) {
        size_t i = (tl_message_next - 1 - k) % TL_MESSAGES;
        if (strcmp(tl_messages[i].rule, rule) == 0) {
            found = tl_messages[i].message;
            break;
        }
    }
    pthread_mutex_unlock(&tl_log_lock);
    return found;
}

size_t tl_stop_requests(void)
{
    return tl_stops;
}

/* ---- the bus driver ------------------------------------------------------------------------------ */

tl_bus_stats tl_bus;
NTSTATUS tl_bus_io_status = STATUS_SUCCESS;
NTSTATUS tl_bus_start_status = STATUS_SUCCESS;
NTSTATUS tl_bus_create_status = STATUS_SUCCESS;
static PDRIVER_OBJECT tl_bus_driver;

static NTSTATUS tl_bus_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    __atomic_add_fetch(&tl_bus.irps[stack->MajorFunction], 1, __ATOMIC_RELAXED);
    __atomic_store_n(&tl_bus.last_major, stack->MajorFunction, __ATOMIC_RELAXED);
    __atomic_store_n(&tl_bus.last_minor, stack->MinorFunction, __ATOMIC_RELAXED);
    NTSTATUS status;
    switch (stack->MajorFunction) {
    case IRP_MJ_PNP:
        if (stack->MinorFunction < 0x20)
            __atomic_add_fetch(&tl_bus.pnp[stack->MinorFunction], 1, __ATOMIC_RELAXED);
        tl_log("bus:PNP(0x%02x)", stack->MinorFunction);
        switch (stack->MinorFunction) {
        case IRP_MN_START_DEVICE:
            status = tl_bus_start_status;
            break;
        case IRP_MN_QUERY_REMOVE_DEVICE:
        case IRP_MN_REMOVE_DEVICE:
        case IRP_MN_CANCEL_REMOVE_DEVICE:
        case IRP_MN_SURPRISE_REMOVAL:
        case IRP_MN_STOP_DEVICE:
        case IRP_MN_QUERY_STOP_DEVICE:
        case IRP_MN_CANCEL_STOP_DEVICE:
            status = STATUS_SUCCESS;
            break;
        default:
            status = irp->IoStatus.Status; /* a PDO leaves what it does not handle as it is */
            break;
        }
        irp->IoStatus.Status = status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    case IRP_MJ_POWER:
        status = irp->IoStatus.Status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    case IRP_MJ_CREATE:
    case IRP_MJ_CLEANUP:
    case IRP_MJ_CLOSE:
        tl_log("bus:%s", stack->MajorFunction == IRP_MJ_CREATE    ? "CREATE"
                         : stack->MajorFunction == IRP_MJ_CLEANUP ? "CLEANUP"
                                                                  : "CLOSE");
        status = stack->MajorFunction == IRP_MJ_CREATE ? tl_bus_create_status : STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        break;
    default:
        tl_log("bus:IRP(0x%02x)", stack->MajorFunction);
        status = tl_bus_io_status;
        irp->IoStatus.Information = NT_SUCCESS(status) ? 7 : 0;
        break;
    }
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static void tl_bus_unload_routine(PDRIVER_OBJECT driver)
{
    while (driver->DeviceObject != NULL)
        IoDeleteDevice(driver->DeviceObject);
}

static NTSTATUS tl_bus_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    (void)registry_path;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = tl_bus_dispatch;
    driver->DriverUnload = tl_bus_unload_routine;
    return STATUS_SUCCESS;
}

void tl_bus_load(void)
{
    memset(&tl_bus, 0, sizeof tl_bus);
    tl_bus_io_status = STATUS_SUCCESS;
    tl_bus_start_status = STATUS_SUCCESS;
    tl_bus_create_status = STATUS_SUCCESS;
    assert_int_equal(owdf_io_load_driver("WcoreBus", tl_bus_entry, NULL, &tl_bus_driver), STATUS_SUCCESS);
}

void tl_bus_unload(void)
{
    assert_int_equal(owdf_io_unload_driver(tl_bus_driver), STATUS_SUCCESS);
    tl_bus_driver = NULL;
}

PDEVICE_OBJECT tl_bus_create_pdo(const char *name, ULONG extra_flags)
{
    WCHAR buffer[64];
    int n = snprintf(NULL, 0, "\\Device\\%s", name);
    assert_true(n > 0 && n < 64);
    char text[64];
    snprintf(text, sizeof text, "\\Device\\%s", name);
    for (int i = 0; i <= n; i++)
        buffer[i] = (WCHAR)text[i];
    UNICODE_STRING uname = {(USHORT)(n * sizeof(WCHAR)), (USHORT)((n + 1) * sizeof(WCHAR)), buffer};
    PDEVICE_OBJECT pdo;
    assert_int_equal(IoCreateDevice(tl_bus_driver, 0, &uname, FILE_DEVICE_BUS_EXTENDER, FILE_DEVICE_SECURE_OPEN,
                                    FALSE, &pdo),
                     STATUS_SUCCESS);
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE | extra_flags;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return pdo;
}

void tl_bus_delete_pdo(PDEVICE_OBJECT pdo)
{
    IoDeleteDevice(pdo);
}

/* ---- the WDF driver and IRPs -------------------------------------------------------------------- */

PDRIVER_OBJECT tl_wdf_load(const char *name, NTSTATUS *status_out)
{
    PDRIVER_OBJECT driver = NULL;
    NTSTATUS status = owdf_io_load_driver(name, FxDriverEntry, NULL, &driver);
    if (status_out != NULL)
        *status_out = status;
    return driver;
}

NTSTATUS tl_wdf_unload(PDRIVER_OBJECT driver)
{
    return owdf_io_unload_driver(driver);
}

NTSTATUS tl_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo)
{
    assert_non_null(driver->DriverExtension->AddDevice);
    return driver->DriverExtension->AddDevice(driver, pdo);
}

static NTSTATUS tl_send_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)device;
    (void)irp;
    KeSetEvent((PKEVENT)context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the sender frees the IRP */
}

/* An IRP of our own (any major function), sent to the top of the stack and waited for. */
static NTSTATUS tl_send(PDEVICE_OBJECT pdo, UCHAR major, UCHAR minor)
{
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    assert_non_null(irp);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = major;
    next->MinorFunction = minor;
    /* What the PnP manager starts every PnP IRP with. */
    irp->IoStatus.Status = major == IRP_MJ_PNP ? STATUS_NOT_SUPPORTED : STATUS_SUCCESS;
    IoSetCompletionRoutine(irp, tl_send_done, &event, TRUE, TRUE, TRUE);
    (void)IoCallDriver(top, irp);
    KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return status;
}

NTSTATUS tl_send_pnp(PDEVICE_OBJECT pdo, UCHAR minor)
{
    return tl_send(pdo, IRP_MJ_PNP, minor);
}

NTSTATUS tl_send_simple(PDEVICE_OBJECT pdo, UCHAR major)
{
    return tl_send(pdo, major, 0);
}
