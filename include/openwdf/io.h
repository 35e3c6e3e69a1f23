/*
 * openwdf/io.h - loading and unloading drivers into the I/O manager (for the host and the test
 * bench), and the I/O manager's view of stopped drivers.
 *
 * A loaded driver is a DRIVER_OBJECT named "\Driver\<name>", with its own debug log
 * (openwdf/dbglog.h, named <name>) that is current on every thread while the driver's code runs.
 *
 * Stopping: when a verifier rule with policy STOP_DRIVER fires, the I/O manager's stop handler
 * (installed by the first load, or by owdf_io_install_stop_handler) marks the driver named in the
 * report (or, when the report names none, the driver whose code is running) stopped: every
 * MajorFunction entry is switched to a routine that completes the IRP with STATUS_DEVICE_REMOVED,
 * so further IRPs sent to its devices fail at once. The driver's completion routines, DPCs and
 * work items already queued still run. Unloading a stopped driver works as usual.
 */
#ifndef OPENWDF_PUBLIC_IO_H
#define OPENWDF_PUBLIC_IO_H

#include <wdm.h>
#include <openwdf/verifier.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Creates the driver object for `name` ("Echo" or "\Driver\Echo"), creates its debug log and calls
 * entry (DriverEntry) at PASSIVE_LEVEL with the log current. registry_path NULL means
 * "\Registry\Machine\System\CurrentControlSet\Services\<name>"; DriverEntry gets a copy that is
 * freed when it returns (as on Windows: a driver keeps its own copy).
 * Errors: STATUS_INVALID_PARAMETER (NULL name/entry/out, empty or over-long name),
 * STATUS_IMAGE_ALREADY_LOADED (a driver with that name is loaded), STATUS_INSUFFICIENT_RESOURCES,
 * or DriverEntry's failure status - then the driver object and log are freed, and devices the
 * driver left behind are reported (DRIVER_UNLOADED_WITH_DEVICES) and deleted.
 * After success, NULL MajorFunction entries are set to the default routine, which completes
 * with STATUS_INVALID_DEVICE_REQUEST. PASSIVE_LEVEL.
 */
OWDF_API NTSTATUS owdf_io_load_driver(const char *name, PDRIVER_INITIALIZE entry,
                                      PCUNICODE_STRING registry_path, PDRIVER_OBJECT *out);

/*
 * Calls DriverUnload, then reports DRIVER_UNLOADED_WITH_DEVICES (naming each device left, which is
 * then detached and deleted), destroys the debug log and drops the load's reference on the driver
 * object (its memory goes with the last reference). A driver without DriverUnload cannot be
 * unloaded: STATUS_INVALID_DEVICE_REQUEST, and it stays loaded. PASSIVE_LEVEL.
 */
OWDF_API NTSTATUS owdf_io_unload_driver(PDRIVER_OBJECT driver);

/* The loaded driver named `name` ("Echo" or "\Driver\Echo"), or NULL. Not referenced. */
OWDF_API PDRIVER_OBJECT owdf_io_find_driver(const char *name);

/* The driver's service name ("Echo") and debug log. */
OWDF_API const char *owdf_io_driver_name(PDRIVER_OBJECT driver);
OWDF_API struct owdf_dbg_log *owdf_io_driver_log(PDRIVER_OBJECT driver);

/* The driver whose code runs on this thread (dispatch, completion, cancel, DriverEntry...), or NULL. */
OWDF_API PDRIVER_OBJECT owdf_io_current_driver(void);

/* Stop handling (see above). Installs the I/O manager's handler as the verifier's stop handler. */
OWDF_API void owdf_io_install_stop_handler(void);
/* The handler itself, for hosts/tests that install their own and chain to it. */
OWDF_API void owdf_io_stop_handler(const owdf_verifier_report *report, void *context);
/* Marks a driver stopped directly (as the handler does). */
OWDF_API void owdf_io_stop_driver(PDRIVER_OBJECT driver, const char *reason);
OWDF_API BOOLEAN owdf_io_driver_stopped(PDRIVER_OBJECT driver);

/* Number of drivers loaded now (leak audits). */
OWDF_API ULONG owdf_io_loaded_driver_count(void);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_PUBLIC_IO_H */
