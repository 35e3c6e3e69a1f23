/*
 * core_testlib.h - helpers for wdf-core's tests (tests/wdf/core_*_test.c): a callback log with
 * order checks (like nbdkit's log_verify_seen_in_order), verifier report capture, a tiny WDM bus
 * driver that makes root "PDOs" and records what reaches them, and PnP/IRP senders.
 *
 * The test program links the driver stub: it is the WDF driver (DriverEntry is the test's); the bus
 * driver is a plain WDM driver in the same program.
 */
#ifndef CORE_TESTLIB_H
#define CORE_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <ntddk.h>
#include <wdf.h>
#include <openwdf/io.h>
#include <openwdf/user.h>
#include <openwdf/verifier.h>

/* ---- callback log ------------------------------------------------------------------------------- */
void tl_log_reset(void);
void tl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Entries equal to `event`. */
size_t tl_log_count(const char *event);
/* The events (NULL-terminated list) appear in the log in this order (others may come between). */
#define tl_log_verify_seen_in_order(...) tl_log_verify_seen_in_order_at(__FILE__, __LINE__, __VA_ARGS__, NULL)
void tl_log_verify_seen_in_order_at(const char *file, int line, ...);
/* The log is exactly these events. */
#define tl_log_verify_exact(...) tl_log_verify_exact_at(__FILE__, __LINE__, __VA_ARGS__, NULL)
void tl_log_verify_exact_at(const char *file, int line, ...);
void tl_log_dump(void);

/* ---- verifier ----------------------------------------------------------------------------------- */
/* Clears the reports, installs a quiet sink (keeps the last message per report) and a stop handler
 * that only counts (the driver is not stopped). */
void tl_verifier_setup(void);
size_t tl_reports(const char *rule);
size_t tl_total_reports(void);
/* The message of the last report of `rule` ("" if none). */
const char *tl_last_message(const char *rule);
size_t tl_stop_requests(void);

/* ---- the bus driver ------------------------------------------------------------------------------ */
typedef struct tl_bus_stats {
    ULONG irps[IRP_MJ_MAXIMUM_FUNCTION + 1]; /* IRPs the PDOs received, per major function */
    ULONG pnp[0x20];                         /* IRP_MJ_PNP per minor */
    UCHAR last_major, last_minor;
} tl_bus_stats;

extern tl_bus_stats tl_bus;
/* What the PDOs answer to READ/WRITE/DEVICE_CONTROL/FLUSH: this status and Information 7. */
extern NTSTATUS tl_bus_io_status;
/* What a PDO answers to IRP_MJ_CREATE. */
extern NTSTATUS tl_bus_create_status;
/* What a PDO answers to IRP_MN_START_DEVICE. */
extern NTSTATUS tl_bus_start_status;

void tl_bus_load(void);
void tl_bus_unload(void);
/* A named root PDO "\Device\<name>" (DO_DEVICE_INITIALIZING cleared), with extra DO_ flags. */
PDEVICE_OBJECT tl_bus_create_pdo(const char *name, ULONG extra_flags);
void tl_bus_delete_pdo(PDEVICE_OBJECT pdo);

/* The loaded WDF driver (the test's). */
PDRIVER_OBJECT tl_wdf_load(const char *name, NTSTATUS *status_out);
NTSTATUS tl_wdf_unload(PDRIVER_OBJECT driver);

/* Calls the WDF driver's AddDevice for pdo, as the PnP manager does. */
NTSTATUS tl_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo);
/* Sends an IRP_MJ_PNP (minor) to the top of pdo's stack, synchronously; returns the final status. */
NTSTATUS tl_send_pnp(PDEVICE_OBJECT pdo, UCHAR minor);
/* Sends an IRP with only a major function (FLUSH_BUFFERS, SHUTDOWN) to the top of pdo's stack. */
NTSTATUS tl_send_simple(PDEVICE_OBJECT pdo, UCHAR major);

#endif /* CORE_TESTLIB_H */
