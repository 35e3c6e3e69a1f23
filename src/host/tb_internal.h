/*
 * tb_internal.h - private interface of the test bench (src/host/testbench*.c): the bench, its
 * drivers and devices, and the seam between the public device API (testbench_pnp.c) and the
 * built-in root bus (testbench_rootbus.c). The real PnP manager replaces testbench_pnp.c and
 * testbench_rootbus.c; nothing outside this folder knows about them.
 *
 * Locks: tb->pnp_lock (a pthread mutex) serializes every driver and device operation (load,
 * unload, add, start, remove) and guards the driver and device lists; it is held across calls into
 * driver code made by those operations (DriverEntry, AddDevice, PnP IRPs), exactly as the PnP
 * manager serializes them on its one worker; it is never taken from driver code or I/O paths.
 * tb->report_lock guards the report records (the verifier sink takes it from any thread).
 */
#ifndef OPENWDF_TB_INTERNAL_H
#define OPENWDF_TB_INTERNAL_H

#include <pthread.h>

#include <wdm.h>
#include <openwdf/io.h>
#include <openwdf/pool.h>
#include <openwdf/testbench.h>

#define TB_POOL_TAG ((ULONG)0x6e654254) /* "TBen" */
#define TB_MAX_RULES 128
#define TB_MAX_POLICIES 32
#define TB_MAX_PARAMS 32

struct owdf_tb_driver {
    owdf_tb *tb;
    struct owdf_tb_driver *next;      /* tb->drivers, under pnp_lock */
    char name[64];
    PDRIVER_OBJECT object;
    void *image;                      /* dlopen handle, or NULL */
    BOOLEAN unload_pending;           /* unload waits for its surprise-removed devices' handles */
};

/* What is kept of an unloaded driver for owdf_tb_dump. */
typedef struct tb_driver_record {
    struct tb_driver_record *next;
    char name[64];
    char *ifr_text;                   /* malloc'd, may be NULL */
    char *log_text;                   /* malloc'd, may be NULL */
    FILE *tail;                       /* while unloading: the log's lines written meanwhile */
    char *tail_text;                  /* its memstream buffer */
    size_t tail_size;
} tb_driver_record;

typedef enum tb_device_state {
    TB_DEV_ADDED = 0,                 /* stack built, not started */
    TB_DEV_STARTED,
    TB_DEV_START_FAILED,
    TB_DEV_SURPRISE_REMOVED,          /* REMOVE_DEVICE still due */
} tb_device_state;

#define TB_MAX_STACK 16

struct owdf_tb_device {
    owdf_tb *tb;
    struct owdf_tb_device *next;      /* tb->devices, under pnp_lock (newest first) */
    owdf_tb_driver *stack_drivers[TB_MAX_STACK]; /* bottom (lower filters) to top */
    size_t stack_driver_count;
    PDEVICE_OBJECT pdo;
    tb_device_state state;
    char instance_id[128];            /* "ROOT\ECHO\0000" */
};

struct owdf_tb {
    owdf_tb_options opts;
    FILE *out;
    pthread_mutex_t pnp_lock;
    pthread_mutex_t report_lock;

    /* Baselines for the leak audit. */
    owdf_pool_mark pool_mark;
    ULONG base_handles, base_files, base_drivers;
    LONG base_devices;
    ULONG base_objects;

    /* Reports since creation or the last clear (report_lock). */
    owdf_verifier_report kept[OWDF_TB_KEPT_REPORTS];
    size_t total_reports;
    size_t all_reports;               /* never cleared: for the final count */
    struct { const char *rule; size_t count; } rules[TB_MAX_RULES];
    size_t rule_count;

    /* Policies changed through owdf_tb_set_policy, to restore. */
    struct { char rule[64]; owdf_verifier_policy old; } policies[TB_MAX_POLICIES];
    size_t policy_count;

    /* Services whose Parameters keys the bench created, to delete. */
    char param_services[TB_MAX_PARAMS][64];
    size_t param_service_count;

    owdf_tb_driver *drivers;
    owdf_tb_device *devices;
    tb_driver_record *records;

    /* Handles opened through the bench (handle_lock). */
    pthread_mutex_t handle_lock;
    HANDLE *handles;
    size_t handle_count, handle_capacity;

    BOOLEAN runtime_started;
};

/* testbench.c */
void tb_print_reports(owdf_tb *tb, FILE *out);

/* testbench_driver.c */
/* Captures the driver's recorder and log into tb->records before its unload; the log's lines
 * written during the unload are captured too once tb_driver_capture_end runs after it. */
tb_driver_record *tb_driver_capture(owdf_tb *tb, owdf_tb_driver *drv);
void tb_driver_capture_end(tb_driver_record *rec, owdf_dbg_log *log_if_still_loaded);
/* Unloads every driver (newest first) and deletes the registry keys the bench made. pnp_lock held. */
void tb_drivers_teardown(owdf_tb *tb);
void tb_records_free(owdf_tb *tb);
NTSTATUS tb_unload_driver_locked(owdf_tb_driver *drv);

/* testbench_pnp.c: the PnP manager's part */
/* Sends the removals that were waiting for handles to close, then the unloads waiting for them.
 * pnp_lock held. */
void tb_process_deferred(owdf_tb *tb);
/* Devices whose stack holds drv. pnp_lock held. */
size_t tb_devices_of_driver(owdf_tb *tb, owdf_tb_driver *drv);
/* Removes every device (newest first), forcing removal. pnp_lock held. */
void tb_devices_teardown(owdf_tb *tb);
/* Removes the devices whose stack holds drv; stacks with handles open are surprise-removed and left
 * for tb_process_deferred. pnp_lock held. */
void tb_devices_remove_for_driver(owdf_tb *tb, owdf_tb_driver *drv);
/* Sends a PnP IRP to the top of pdo's stack and waits; *information gets Information. */
NTSTATUS tb_pnp_send(PDEVICE_OBJECT pdo, UCHAR minor, PIO_STACK_LOCATION params, ULONG_PTR *information);
/* Opens (file objects) on the stack above and including pdo. */
LONG tb_stack_open_count(PDEVICE_OBJECT pdo);

/* testbench_rootbus.c: the built-in root bus driver */
NTSTATUS tb_rootbus_start(owdf_tb *tb);
void tb_rootbus_stop(owdf_tb *tb);
/* A new PDO with this hardware ID (and compatible ID, may be NULL); instance_out gets the
 * instance ID ("ROOT\ECHO\0000"). */
NTSTATUS tb_rootbus_create_pdo(const char *hardware_id, const char *compatible_id, PDEVICE_OBJECT *pdo_out,
                               char *instance_out, size_t instance_size);
/* The device is gone: its next IRP_MN_REMOVE_DEVICE is the last; then tb_rootbus_delete_if_missing
 * deletes the PDO. */
void tb_rootbus_mark_missing(PDEVICE_OBJECT pdo);
void tb_rootbus_delete_if_missing(PDEVICE_OBJECT pdo);
/* TRUE for a live PDO of the root bus. */
BOOLEAN tb_rootbus_pdo_is_ours(PDEVICE_OBJECT pdo);

#endif /* OPENWDF_TB_INTERNAL_H */
