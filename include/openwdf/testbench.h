/*
 * openwdf/testbench.h - the test bench: an in-process openwdf machine for driver authors' own unit
 * tests (cmocka or any other framework). See docs/testbench.md for a complete example.
 *
 * A bench starts the NT substrate (virtual processors, timers, workers), records every verifier
 * report, can inject pool allocation failures, loads drivers (linked into the test program, or
 * binaries built by openwdf-cc), enumerates root devices for them on a built-in root bus (as the
 * PnP manager would: the bus creates the PDO, answers QUERY_ID / QUERY_CAPABILITIES..., the
 * drivers' AddDevice routines build the stack, IRP_MN_START_DEVICE starts it), and at the end tears
 * everything down in order and reports what leaked:
 *
 *     owdf_tb *tb = owdf_tb_create(NULL);
 *     owdf_tb_driver *drv;
 *     owdf_tb_load_driver(tb, "Echo", FxDriverEntry, &drv);    // the KMDF stub's entry point
 *     owdf_tb_device *dev;
 *     owdf_tb_device_add(tb, drv, "ROOT\\ECHO", &dev);
 *     HANDLE h;
 *     owdf_tb_device_open(dev, &GUID_DEVINTERFACE_ECHO, 0, &h);
 *     ... owdf_user_write(h, ...), owdf_user_read(h, ...) (openwdf/user.h) ...
 *     owdf_user_close(h);
 *     assert(owdf_tb_destroy(tb, NULL) == 0);                  // 0 leaks, 0 verifier reports
 *
 * One bench exists at a time (it owns the process-wide verifier sink and stop handler). Every call
 * is PASSIVE_LEVEL, from a thread that is not a substrate thread (a DPC, timer or work routine);
 * calls on one bench's drivers and devices are serialized by the bench (PnP operations run one at a
 * time, as the PnP manager runs them), I/O calls (openwdf/user.h) may come from any thread.
 *
 * The device API is the PnP manager's contract, not its implementation: the built-in root bus and
 * the synchronous IRP sequence inside will be replaced by the real PnP manager without changing it.
 */
#ifndef OPENWDF_TESTBENCH_H
#define OPENWDF_TESTBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <wdm.h>
#include <openwdf/dbglog.h>
#include <openwdf/ifr.h>
#include <openwdf/user.h>
#include <openwdf/verifier.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct owdf_tb owdf_tb;
typedef struct owdf_tb_driver owdf_tb_driver;
typedef struct owdf_tb_device owdf_tb_device;

/* What a STOP_DRIVER verifier report (what KMDF would bug-check for) does in the bench. */
typedef enum owdf_tb_stop_mode {
    OWDF_TB_STOP_DRIVER = 0, /* default: the I/O manager stops the offending driver (its IRPs fail
                                with STATUS_DEVICE_REMOVED), the test goes on */
    OWDF_TB_STOP_RECORD,     /* only record the report (the driver keeps running) */
    OWDF_TB_STOP_ABORT,      /* abort the process, as a bug check would */
} owdf_tb_stop_mode;

/* Options; a zeroed struct (or NULL) means every default. size = sizeof(owdf_tb_options). */
typedef struct owdf_tb_options {
    size_t size;
    unsigned processors;           /* virtual processors; 0 = the CPUs this process may use */
    unsigned workers;              /* system worker threads; 0 = the default */
    unsigned long pool_fail_nth;   /* fault injection: the n-th pool allocation after owdf_tb_create
                                      returns fails (once); 0 = none (see owdf_tb_fail_pool_nth) */
    ULONG pool_fail_tag;           /* every allocation with this pool tag fails; 0 = none */
    owdf_tb_stop_mode stop_mode;
    int quiet;                     /* non-zero: do not print verifier reports as they are made */
    ULONG teardown_timeout_ms;     /* how long device removal waits for requests the driver still
                                      owns before naming them (REQ_LEAK_AT_TEARDOWN); 0 = 5000 */
    FILE *out;                     /* where reports, leak reports and dumps go; NULL = stderr */
} owdf_tb_options;

/* Creates the bench: starts the substrate, installs the verifier sink and stop handler, takes the
 * pool mark leaks are counted from. NULL (with a message on stderr) if a bench already exists, the
 * options are invalid (size) or the substrate does not start. */
OWDF_API owdf_tb *owdf_tb_create(const owdf_tb_options *opts_or_null);

/* What owdf_tb_destroy found. Leaks count what is left after the teardown, since owdf_tb_create. */
typedef struct owdf_tb_result {
    size_t pool_blocks;       /* pool blocks still allocated */
    size_t pool_bytes;
    size_t objects;           /* Framework objects still allocated */
    ULONG handles;            /* open handles more than at creation */
    ULONG files;              /* live file objects more than at creation */
    ULONG drivers;            /* drivers still loaded more than at creation */
    LONG devices;             /* device objects still allocated more than at creation */
    size_t reports;           /* verifier reports made during the bench's life (teardown included) */
    int runtime_clean;        /* the substrate stopped with no DPC, timer or work item left */
} owdf_tb_result;

/*
 * Tears down in order: removes every device still present (surprise removal and removal when
 * handles are still open, query-remove and removal otherwise), unloads every driver (their unload
 * routines run), stops the substrate, then measures the leaks and prints a report (leaked pool
 * blocks with their allocation sites, leaked objects, the verifier reports, and - when anything is
 * wrong or OWDF_TB_DUMP=1 is set - each driver's in-flight recorder and debug log) to opts->out.
 * Restores the verifier sink, stop handler, policies and fault injection it changed.
 * Returns the number of problems: leaked pool blocks + objects + handles + files + drivers +
 * verifier reports (+1 when the substrate did not stop clean); 0 means clean. result may be NULL.
 * NULL tb returns 0.
 */
OWDF_API int owdf_tb_destroy(owdf_tb *tb, owdf_tb_result *result_or_null);

/* ---- verifier reports and fault injection --------------------------------------------------- */

/* Reports made since creation (or the last clear) with this rule id; NULL = all rules. */
OWDF_API size_t owdf_tb_report_count(owdf_tb *tb, const char *rule_or_null);
/* Copies the index-th kept report (0 = oldest since creation/clear; the bench keeps the first
 * OWDF_TB_KEPT_REPORTS). 0 on success, -1 out of range. */
#define OWDF_TB_KEPT_REPORTS 256
OWDF_API int owdf_tb_report_get(owdf_tb *tb, size_t index, owdf_verifier_report *out);
/* Forgets the reports counted so far (e.g. after a test that expects some). */
OWDF_API void owdf_tb_clear_reports(owdf_tb *tb);
/* Overrides a rule's policy ("*" = all) until owdf_tb_destroy restores it. -1 for an unknown rule. */
OWDF_API int owdf_tb_set_policy(owdf_tb *tb, const char *rule, owdf_verifier_policy policy);

/*
 * The state now: TRUE when no verifier report was made since creation (or the last clear) and no
 * more handles / file objects are open than at creation. Otherwise prints what is wrong (and the
 * reports) to the bench's output and returns FALSE. Use it between phases of a test; only
 * owdf_tb_destroy can count leaks.
 */
OWDF_API BOOLEAN owdf_tb_expect_clean(owdf_tb *tb);

/* The n-th pool allocation from now (1 = the next one) fails, once; 0 = off. */
OWDF_API void owdf_tb_fail_pool_nth(owdf_tb *tb, unsigned long n);
/* Every allocation with this tag fails until called with 0. */
OWDF_API void owdf_tb_fail_pool_tag(owdf_tb *tb, ULONG tag);

/* ---- drivers ------------------------------------------------------------------------------- */

/*
 * Loads a driver linked into the test program: entry is its entry point - for a KMDF driver the
 * stub's FxDriverEntry (link libopenwdf_driver_stub.a, as openwdf-cc does), for a WDM driver its
 * DriverEntry. name is the service name ("Echo"); its registry path is
 * "\Registry\Machine\System\CurrentControlSet\Services\<name>" (set Parameters before loading with
 * owdf_tb_set_parameter_*). Errors: STATUS_INVALID_PARAMETER (NULL argument), then as
 * owdf_io_load_driver (STATUS_IMAGE_ALREADY_LOADED, DriverEntry's failure status...).
 */
OWDF_API NTSTATUS owdf_tb_load_driver(owdf_tb *tb, const char *name, PDRIVER_INITIALIZE entry, owdf_tb_driver **out);

/*
 * Loads a driver binary built by openwdf-cc (dlopen): its entry point is FxDriverEntry (KMDF) or
 * DriverEntry (openwdf-cc --wdm). The test program must link the shared libopenwdf (the binary
 * does), not the static archive. Errors: STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_NOT_FOUND
 * (cannot be opened: the dlerror text is printed), STATUS_INVALID_IMAGE_FORMAT (no entry point),
 * then as owdf_tb_load_driver. The image is closed when the driver is unloaded.
 */
OWDF_API NTSTATUS owdf_tb_load_driver_file(owdf_tb *tb, const char *name, const char *path, owdf_tb_driver **out);

/*
 * Unloads a driver as the PnP manager does: first removes every device whose stack it is in (newest
 * first, query-remove + removal), then calls its unload routine; drv is invalid afterwards. Its
 * in-flight recorder and debug log are kept by the bench (for owdf_tb_dump) until destroy.
 * A stack with handles still open is surprise-removed instead, and its removal and the unload wait
 * (as on Windows) until those handles are closed through owdf_tb_close: STATUS_PENDING is returned
 * and drv stays valid until then. STATUS_INVALID_DEVICE_REQUEST if the driver has no unload routine
 * (its devices are removed, it stays loaded).
 */
OWDF_API NTSTATUS owdf_tb_unload_driver(owdf_tb_driver *drv);

OWDF_API PDRIVER_OBJECT owdf_tb_driver_object(owdf_tb_driver *drv);
OWDF_API const char *owdf_tb_driver_name(owdf_tb_driver *drv);
/* The driver's debug log (DbgPrint/KdPrint output; openwdf/dbglog.h), e.g. for
 * owdf_dbg_log_count_matching. Valid until the driver is unloaded. */
OWDF_API owdf_dbg_log *owdf_tb_driver_log(owdf_tb_driver *drv);

/* Registry values under the service's Parameters key (what WdfDriverOpenParametersRegistryKey
 * opens), set before the driver loads; removed by owdf_tb_destroy. STATUS_INVALID_PARAMETER,
 * STATUS_INSUFFICIENT_RESOURCES. */
OWDF_API NTSTATUS owdf_tb_set_parameter_dword(owdf_tb *tb, const char *service, const char *value_name, ULONG value);
OWDF_API NTSTATUS owdf_tb_set_parameter_string(owdf_tb *tb, const char *service, const char *value_name,
                                               const char *value);

/* ---- devices (root-enumerated) ------------------------------------------------------------- */

/* Extra settings of a device; zeroed (or NULL) = defaults. size = sizeof(owdf_tb_device_options). */
typedef struct owdf_tb_device_options {
    size_t size;
    owdf_tb_driver *const *upper_filters; /* AddDevice'd above the function driver, in order */
    size_t upper_filter_count;
    owdf_tb_driver *const *lower_filters; /* AddDevice'd below it (above the PDO), in order */
    size_t lower_filter_count;
    const char *compatible_ids;           /* one ID; NULL = none */
    int no_start;                         /* non-zero: AddDevice only; owdf_tb_device_start starts */
} owdf_tb_device_options;

/*
 * Enumerates a device on the root bus with this hardware ID ("ROOT\ECHO"; its instance ID is
 * "ROOT\ECHO\0000", the next free number) and builds its stack as the PnP manager does: the bus
 * creates the PDO, answers IRP_MN_QUERY_ID and IRP_MN_QUERY_CAPABILITIES, the lower filters', the
 * function driver's (drv) and the upper filters' AddDevice run in that order, then
 * IRP_MN_START_DEVICE goes down the stack (followed by IRP_MN_QUERY_CAPABILITIES and
 * IRP_MN_QUERY_PNP_DEVICE_STATE). Errors: STATUS_INVALID_PARAMETER, STATUS_INVALID_DEVICE_REQUEST
 * (a driver has no AddDevice), an AddDevice's status (the devices added are then removed), the
 * start's status (the stack is then removed; *out is NULL in every failure).
 */
OWDF_API NTSTATUS owdf_tb_device_add(owdf_tb *tb, owdf_tb_driver *drv, const char *hardware_id, owdf_tb_device **out);
OWDF_API NTSTATUS owdf_tb_device_add_ex(owdf_tb *tb, owdf_tb_driver *drv, const char *hardware_id,
                                        const owdf_tb_device_options *opts, owdf_tb_device **out);

/* Starts a device added with no_start (or stopped): IRP_MN_START_DEVICE. */
OWDF_API NTSTATUS owdf_tb_device_start(owdf_tb_device *dev);

/*
 * Orderly removal (device uninstalled): IRP_MN_QUERY_REMOVE_DEVICE; when a driver vetoes it, or a
 * handle to the stack is still open (as Windows' PnP manager vetoes), IRP_MN_CANCEL_REMOVE_DEVICE
 * follows and the veto status is returned (STATUS_DEVICE_BUSY for open handles), the device stays.
 * Otherwise IRP_MN_REMOVE_DEVICE: the drivers detach and delete their devices, the bus deletes the
 * PDO; dev is invalid afterwards. On a surprise-removed device: IRP_MN_REMOVE_DEVICE at once, or
 * STATUS_PENDING while handles to it are still open (it is removed when they are closed).
 */
OWDF_API NTSTATUS owdf_tb_device_remove(owdf_tb_device *dev);

/*
 * The device disappeared: IRP_MN_SURPRISE_REMOVAL now; IRP_MN_REMOVE_DEVICE when the last handle
 * to the stack is closed through owdf_tb_close (or at once when none is open; or by owdf_tb_destroy,
 * after it closed the handles opened through the bench). Returns the surprise removal's status. dev
 * stays valid until the removal.
 */
OWDF_API NTSTATUS owdf_tb_device_surprise_remove(owdf_tb_device *dev);

/* TRUE between a successful add/start and the removal (FALSE once surprise-removed). */
OWDF_API BOOLEAN owdf_tb_device_started(owdf_tb_device *dev);
/* The PDO and the top of the stack (not referenced). */
OWDF_API PDEVICE_OBJECT owdf_tb_device_pdo(owdf_tb_device *dev);
OWDF_API PDEVICE_OBJECT owdf_tb_device_top(owdf_tb_device *dev);
/* "ROOT\ECHO\0000" */
OWDF_API const char *owdf_tb_device_instance_id(owdf_tb_device *dev);

/* Sends a PnP IRP (minor) down the stack synchronously, as the PnP manager does (status starts as
 * STATUS_NOT_SUPPORTED). Information (e.g. a QUERY_ID string) goes to *information and becomes the
 * caller's (ExFreePool). For tests of PnP handling not covered above. */
OWDF_API NTSTATUS owdf_tb_device_send_pnp(owdf_tb_device *dev, UCHAR minor, ULONG_PTR *information_or_null);

/* ---- I/O (openwdf/user.h does the rest) ---------------------------------------------------- */

/*
 * Opening, for reading and writing (GENERIC_READ | GENERIC_WRITE, shared read/write); flags is
 * OWDF_USER_OVERLAPPED or 0. owdf_tb_device_open opens the device's interface of class iface (its
 * first one with that class, or its first interface for NULL), owdf_tb_open_interface the index-th
 * enabled interface of a class, owdf_tb_open a path (owdf_user_open). Errors as owdf_user_open;
 * STATUS_OBJECT_NAME_NOT_FOUND when the device has no such enabled interface.
 * Then: owdf_user_read / write / ioctl (synchronous), owdf_user_*_async with an owdf_user_io
 * (completion callback or owdf_user_wait), owdf_user_cancel.
 */
OWDF_API NTSTATUS owdf_tb_device_open(owdf_tb_device *dev, const GUID *iface_or_null, ULONG flags, HANDLE *out);
OWDF_API NTSTATUS owdf_tb_open_interface(owdf_tb *tb, const GUID *iface, ULONG index, ULONG flags, HANDLE *out);
OWDF_API NTSTATUS owdf_tb_open(owdf_tb *tb, const char *path, ULONG flags, HANDLE *out);
/* owdf_user_close, then the removal of a surprise-removed device whose last handle this was (and
 * the unload of a driver waiting for it). Use it for handles from the bench and from owdf_user_open. */
OWDF_API NTSTATUS owdf_tb_close(owdf_tb *tb, HANDLE handle);
/* Handles opened through the bench are tracked: owdf_tb_destroy closes those still open first (they
 * count as leaked handles in its result). Handles from owdf_user_open are not tracked. */

/* ---- diagnostics --------------------------------------------------------------------------- */

/* Prints the verifier reports, then for each driver (loaded or already unloaded) its in-flight
 * recorder (last `last_n` records, 0 = all kept) and its debug log, to out (NULL = the bench's). */
OWDF_API void owdf_tb_dump(owdf_tb *tb, FILE *out_or_null, size_t last_n);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_TESTBENCH_H */
