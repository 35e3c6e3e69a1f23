/*
 * io_testlib.h - the fixture of wdf-io's tests (queues and requests): the test program is a WDF
 * driver (it links the driver stub) whose EvtDriverDeviceAdd builds a device the way the test asks
 * (init calls, then queues), on a root PDO of wdf-core's test bus (core_testlib.h), started by PnP
 * and opened through the user side, so I/O reaches the driver exactly as it would from an
 * application: owdf_user_read/write/ioctl -> IRP -> the Framework's dispatch -> the queues.
 */
#ifndef IO_TESTLIB_H
#define IO_TESTLIB_H

#include "core_testlib.h"
#include "fx_queue.h" /* owdf_io_set_teardown_timeout */

#include <openwdf/user.h>

typedef void io_tl_init_fn(PWDFDEVICE_INIT init);
typedef void io_tl_queues_fn(WDFDEVICE device);

typedef struct io_tl_config {
    io_tl_init_fn *init;      /* WdfDeviceInit* calls (may be NULL) */
    io_tl_queues_fn *queues;  /* queue creation after WdfDeviceCreate (may be NULL) */
    WDF_DEVICE_IO_TYPE io_type; /* 0: the default (buffered) */
    BOOLEAN filter;           /* WdfFdoInitSetFilter */
    BOOLEAN no_start;         /* leave the device added but not started (not in D0) */
    BOOLEAN no_open;          /* do not open a handle */
    WDF_SYNCHRONIZATION_SCOPE device_scope; /* the WDFDEVICE's SynchronizationScope (0: inherit) */
} io_tl_config;

extern WDFDEVICE io_tl_device;
extern PDEVICE_OBJECT io_tl_pdo;
extern PDRIVER_OBJECT io_tl_driver;
extern HANDLE io_tl_handle;

/* Brings the driver, the device and a handle up (asserts success); the verifier is set up quietly. */
void io_tl_up(const io_tl_config *config);
/* Closes the handle, removes the device, unloads the driver and checks nothing of the driver leaked
 * (no OBJECT_LEAK_AT_UNLOAD report). */
void io_tl_down(void);
/* cmocka teardown: if a failed test left things up, takes them down without asserting. */
int io_tl_cleanup(void **state);
/* Starts the device (after no_start) / stops it (leaves D0) / restarts it, through PnP IRPs. */
void io_tl_start(void);
void io_tl_stop(void);
void io_tl_open(void);
/* Removes the device now (query-remove + remove), with the handle still open; io_tl_down then only
 * closes the handle and unloads. */
void io_tl_remove(void);

/* I/O through the handle (synchronous). */
NTSTATUS io_tl_read(void *buffer, ULONG length, ULONG *bytes);
NTSTATUS io_tl_write(const void *buffer, ULONG length, ULONG *bytes);
NTSTATUS io_tl_ioctl(ULONG code, const void *in, ULONG in_length, void *out, ULONG out_length, ULONG *bytes);

/* Asynchronous I/O: a slot that records completion. */
typedef struct io_tl_async {
    owdf_user_io io;
    volatile LONG done;
} io_tl_async;
NTSTATUS io_tl_read_async(io_tl_async *a, void *buffer, ULONG length);
NTSTATUS io_tl_ioctl_async(io_tl_async *a, ULONG code, const void *in, ULONG in_length, void *out,
                           ULONG out_length);
/* Waits (bounded, asserts) until the async request finished; returns its final status. */
NTSTATUS io_tl_wait(io_tl_async *a);
/* TRUE while still in flight (after a short grace period for it to finish). */
BOOLEAN io_tl_pending(io_tl_async *a);

/* Waits (bounded) until *flag becomes nonzero. */
void io_tl_wait_flag(volatile LONG *flag);

/* Test IOCTL codes. */
#define IO_TL_IOCTL_BUFFERED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IO_TL_IOCTL_IN_DIRECT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define IO_TL_IOCTL_OUT_DIRECT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define IO_TL_IOCTL_NEITHER CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS)

/* Convenience: a queue config with the handlers set. */
WDFQUEUE io_tl_queue(WDFDEVICE device, WDF_IO_QUEUE_DISPATCH_TYPE type, BOOLEAN is_default,
                     PFN_WDF_IO_QUEUE_IO_DEFAULT io_default, PFN_WDF_IO_QUEUE_IO_READ read,
                     PFN_WDF_IO_QUEUE_IO_WRITE write, PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL ioctl);

#endif /* IO_TESTLIB_H */
