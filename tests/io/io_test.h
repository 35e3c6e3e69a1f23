/*
 * io_test.h - what the I/O manager's tests share: a quiet verifier sink, a recording stop handler,
 * and small helpers to load throw-away drivers.
 */
#ifndef OPENWDF_IO_TEST_H
#define OPENWDF_IO_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <wdm.h>
#include <openwdf/dbglog.h>
#include <openwdf/io.h>
#include <openwdf/pool.h>
#include <openwdf/verifier.h>

#include "io/io_internal.h"

static int io_test_stop_calls;
static const void *io_test_stopped_driver;
static const char *io_test_last_stop_rule;
static BOOLEAN io_test_chain_stop; /* pass stops on to the I/O manager's handler */

static void io_test_sink(const owdf_verifier_report *report, void *context)
{
    (void)report;
    (void)context;
}

static void io_test_stop(const owdf_verifier_report *report, void *context)
{
    io_test_stop_calls++;
    io_test_stopped_driver = report->driver;
    io_test_last_stop_rule = report->rule;
    if (io_test_chain_stop)
        owdf_io_stop_handler(report, context);
}

static int io_test_setup(void **state)
{
    (void)state;
    owdf_verifier_clear_reports();
    owdf_verifier_set_sink(io_test_sink, NULL);
    owdf_verifier_set_stop_handler(io_test_stop, NULL);
    io_test_stop_calls = 0;
    io_test_stopped_driver = NULL;
    io_test_last_stop_rule = NULL;
    io_test_chain_stop = FALSE;
    return 0;
}

/* The message of the last report made for `rule`, or "" if none. */
static inline const char *io_test_last_message(const char *rule)
{
    static owdf_verifier_report r;
    size_t n = owdf_verifier_report_count(NULL);
    for (size_t i = n; i-- > 0;) {
        if (owdf_verifier_get_report(i, &r) == 0 && strcmp(r.rule, rule) == 0)
            return r.message;
    }
    return "";
}

static inline const void *io_test_last_driver(const char *rule)
{
    owdf_verifier_report r;
    size_t n = owdf_verifier_report_count(NULL);
    for (size_t i = n; i-- > 0;) {
        if (owdf_verifier_get_report(i, &r) == 0 && strcmp(r.rule, rule) == 0)
            return r.driver;
    }
    return NULL;
}

static inline void io_test_init_unicode(PUNICODE_STRING s, WCHAR *buffer, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i <= n; i++)
        buffer[i] = (WCHAR)(unsigned char)text[i];
    s->Buffer = buffer;
    s->Length = (USHORT)(n * sizeof(WCHAR));
    s->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
}

/* A driver that does nothing in DriverEntry but accept unloading. */
static DRIVER_UNLOAD io_test_unload_nothing;
static void io_test_unload_nothing(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

static DRIVER_INITIALIZE io_test_entry_plain;
static NTSTATUS io_test_entry_plain(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = io_test_unload_nothing;
    return STATUS_SUCCESS;
}

static inline PDRIVER_OBJECT io_test_load(const char *name)
{
    PDRIVER_OBJECT driver = NULL;
    assert_int_equal(owdf_io_load_driver(name, io_test_entry_plain, NULL, &driver), STATUS_SUCCESS);
    assert_non_null(driver);
    return driver;
}

static inline PDEVICE_OBJECT io_test_device(PDRIVER_OBJECT driver, ULONG extension)
{
    PDEVICE_OBJECT device = NULL;
    assert_int_equal(IoCreateDevice(driver, extension, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device),
                     STATUS_SUCCESS);
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return device;
}

/* Top-level completion routine of io_test_send: keeps the IRP for the sender. */
static IO_COMPLETION_ROUTINE io_test_top_done;
static NTSTATUS io_test_top_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    *(BOOLEAN *)Context = TRUE;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Sends a fresh IRP (major, minor) to `device` and returns its final status; the IRP must be
 * completed synchronously. */
static inline NTSTATUS io_test_send(PDEVICE_OBJECT device, UCHAR major, UCHAR minor, ULONG_PTR *information)
{
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    assert_non_null(irp);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = major;
    sp->MinorFunction = minor;
    BOOLEAN done = FALSE;
    IoSetCompletionRoutine(irp, io_test_top_done, &done, TRUE, TRUE, TRUE);
    NTSTATUS returned = IoCallDriver(device, irp);
    assert_true(done);
    NTSTATUS status = irp->IoStatus.Status;
    assert_int_equal(returned, status);
    if (information != NULL)
        *information = irp->IoStatus.Information;
    IoFreeIrp(irp);
    return status;
}

#endif /* OPENWDF_IO_TEST_H */
