/*
 * fx_device.h - the Framework's device object (WDFDEVICE), its init structure (WDFDEVICE_INIT), its
 * file objects (WDFFILEOBJECT). Private to src/wdf; owner: wdf-core (device.c, device_init.c,
 * dispatch.c, fileobject.c, pnp_minimal.c). The contract with the I/O package (wdf-io) is the section
 * "From the I/O package" below and fx_queue.h; the device's callback lock is an fx_sync_lock
 * (fx_sync.h, wdf-support).
 *
 * Locks: device->object.lock (a KSPIN_LOCK) guards the file object list and the driver's device list
 * links; device interfaces are changed under one passive lock in device.c (IoSetDeviceInterfaceState
 * delivers notifications). Neither is held across a call into driver code. Inits are PASSIVE_LEVEL.
 */
#ifndef OPENWDF_FX_DEVICE_H
#define OPENWDF_FX_DEVICE_H

#include <wdf.h>

#include "fx_driver.h"
#include "fx_object.h"

#include "fx_sync.h"

struct fx_queue;   /* wdf-io (fx_queue.h) */
struct fx_fileobject;

/* ---- WDFDEVICE_INIT ------------------------------------------------------------------------- */

typedef enum fx_device_init_kind {
    FX_INIT_FDO = 1,     /* from EvtDriverDeviceAdd (FDO, or filter after WdfFdoInitSetFilter) */
    FX_INIT_CONTROL,     /* WdfControlDeviceInitAllocate */
    FX_INIT_PDO,         /* WdfPdoInitAllocate (not implemented this round) */
} fx_device_init_kind;

/* A WDM IRP preprocess registration (WdfDeviceInitAssignWdmIrpPreprocessCallback). */
typedef struct fx_irp_preprocess {
    PFN_WDFDEVICE_WDM_IRP_PREPROCESS callback;
    ULONG minor_count;   /* 0: every minor code */
    UCHAR minors[32];
} fx_irp_preprocess;

/* What the driver sets between getting an init and WdfDeviceCreate. Drivers see PWDFDEVICE_INIT. */
struct WDFDEVICE_INIT {
    uint32_t magic;                       /* FX_DEVICE_INIT_MAGIC while valid */
    fx_device_init_kind kind;
    fx_driver_globals *globals;
    fx_driver *driver;
    PDEVICE_OBJECT pdo;                   /* FDO/filter: the PDO from AddDevice */
    BOOLEAN filter;
    BOOLEAN exclusive;
    BOOLEAN power_policy_owner_set, power_policy_owner;
    BOOLEAN created;                      /* WdfDeviceCreate succeeded with it (init calls now late) */
    BOOLEAN create_failed;                /* a WdfDeviceCreate with it failed (driver must free it) */
    struct fx_device *created_device;     /* what WdfDeviceCreate made from it */
    BOOLEAN power_pageable_set, power_pageable, power_inrush;
    DEVICE_TYPE device_type;
    ULONG characteristics;
    WDF_DEVICE_IO_TYPE io_type;
    UNICODE_STRING name;                  /* pool copy; Buffer NULL when unnamed */
    UNICODE_STRING sddl;                  /* pool copy, stored only */
    GUID device_class;
    BOOLEAN has_device_class;
    WDF_FILEOBJECT_CONFIG file_config;
    BOOLEAN has_file_config;
    WDF_OBJECT_ATTRIBUTES file_attributes;
    BOOLEAN has_file_attributes;
    WDF_OBJECT_ATTRIBUTES request_attributes;
    BOOLEAN has_request_attributes;
    PFN_WDF_IO_IN_CALLER_CONTEXT io_in_caller_context;
    WDF_PNPPOWER_EVENT_CALLBACKS pnp_callbacks;
    WDF_POWER_POLICY_EVENT_CALLBACKS power_policy_callbacks;
    PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION shutdown_notification;
    UCHAR shutdown_flags;
    fx_irp_preprocess preprocess[IRP_MJ_MAXIMUM_FUNCTION + 1];
    LIST_ENTRY link;                      /* control inits: in driver->control_inits until freed/used */
    LIST_ENTRY live_link;                 /* in the list of valid inits (device_init.c) */
};

#define FX_DEVICE_INIT_MAGIC 0x74696e49u /* "Init" */

/* ---- WDFDEVICE ---------------------------------------------------------------------------------- */

/* device->flags (set at WdfDeviceCreate, constant afterwards) */
#define FX_DEVICE_FILTER 0x0001u      /* unhandled requests are forwarded to the lower device */
#define FX_DEVICE_CONTROL 0x0002u     /* a control device: no PnP, deleted by the driver or at unload */
#define FX_DEVICE_EXCLUSIVE 0x0004u
#define FX_DEVICE_PDO 0x0008u
#define FX_DEVICE_POWER_POLICY_OWNER 0x0010u

/* device->pnp_state: the minimal PnP handling's view (pnp_minimal.c) */
typedef enum fx_device_pnp_state {
    FX_PNP_ADDED = 0,         /* created, not started (control devices: until WdfControlFinishInitializing) */
    FX_PNP_STARTED,           /* started (D0, queues powered up) */
    FX_PNP_SURPRISE_REMOVED,
    FX_PNP_REMOVED,           /* IRP_MN_REMOVE_DEVICE processed; the WDFDEVICE is being deleted */
    FX_PNP_FAILED,            /* start failed */
    FX_PNP_STOPPED,           /* IRP_MN_STOP_DEVICE (rebalance): hardware released, may start again */
} fx_device_pnp_state;

typedef struct fx_device {
    fx_object object;                 /* FX_TYPE_DEVICE; must stay first */
    fx_driver *driver;
    LIST_ENTRY driver_link;           /* in driver->devices, under driver->object.lock */
    PDEVICE_OBJECT wdm_device;        /* ours (its extension points back here) */
    PDEVICE_OBJECT attached_device;   /* FDO/filter: the device we attached to (next lower); else NULL */
    PDEVICE_OBJECT pdo;               /* FDO/filter: the PDO; PDO: wdm_device; control: NULL */
    ULONG flags;                      /* FX_DEVICE_* */
    WDF_DEVICE_IO_TYPE io_type;       /* Buffered (default), Direct or Neither, as the WDM flags say */
    ULONG alignment_requirement;

    /* Request objects: context attributes from WdfDeviceInitSetRequestAttributes (wdf-io reads
     * these when it builds the device's request cache). has_request_attributes FALSE: no context. */
    WDF_OBJECT_ATTRIBUTES request_attributes;
    BOOLEAN has_request_attributes;

    /* File objects (fileobject.c). */
    WDF_FILEOBJECT_CONFIG file_config;     /* FileObjectClass resolved; AutoForwardCleanupClose resolved */
    WDF_OBJECT_ATTRIBUTES file_attributes;
    BOOLEAN has_file_attributes;
    LIST_ENTRY file_objects;               /* struct fx_fileobject.device_link, under object.lock */

    /* The I/O package (wdf-io, fx_queue.h). wdf-io owns these fields: it sets default_queue (a queue
     * created with DefaultQueue TRUE) and dispatch_queues[major] (WdfDeviceConfigureRequestDispatching)
     * under object.lock with release stores, and io_package for its own per-device state (created on
     * first use as a child object of the device). wdf-core only reads them. */
    struct fx_queue *volatile default_queue;
    struct fx_queue *volatile dispatch_queues[IRP_MJ_MAXIMUM_FUNCTION + 1];
    void *volatile io_package;
    PFN_WDF_IO_IN_CALLER_CONTEXT io_in_caller_context; /* the I/O package presents requests to it */
    fx_irp_preprocess preprocess[IRP_MJ_MAXIMUM_FUNCTION + 1];

    /* The device's callback lock (SynchronizationScopeDevice; WdfObjectAcquireLock on the device):
     * a spin lock, or a passive lock when the device's ExecutionLevel is passive. Initialized by
     * WdfDeviceCreate; fx_sync_object_lock(&device->object) returns it. */
    fx_sync_lock sync_lock;

    /* PnP/power (pnp_minimal.c; the state machines replace it). */
    WDF_PNPPOWER_EVENT_CALLBACKS pnp_callbacks;
    WDF_POWER_POLICY_EVENT_CALLBACKS power_policy_callbacks;
    PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION shutdown_notification;
    UCHAR shutdown_flags;
    volatile LONG pnp_state;          /* fx_device_pnp_state */
    volatile LONG in_d0;              /* TRUE while in D0: power-managed queues may dispatch */
    WDF_DEVICE_STATE device_state;     /* WdfDeviceSetDeviceState (stored) */
    WDF_DEVICE_PNP_CAPABILITIES pnp_capabilities;     /* stored */
    WDF_DEVICE_POWER_CAPABILITIES power_capabilities; /* stored */
    WDFCMRESLIST resources_raw, resources_translated; /* empty lists for EvtDevicePrepareHardware */
    LIST_ENTRY interfaces;            /* struct fx_interface (device.c), under object.lock */
    UNICODE_STRING symbolic_link;     /* WdfDeviceCreateSymbolicLink (one per device, as KMDF); deleted
                                         when the device is removed */
    BOOLEAN interfaces_enabled;       /* between start and remove: new interfaces are enabled at once */
    BOOLEAN io_removed;               /* fx_io_device_removed ran */
    BOOLEAN smio_initialized;         /* EvtDeviceSelfManagedIoInit was called (Flush/Cleanup due) */
    BOOLEAN hardware_prepared;        /* EvtDevicePrepareHardware was called (ReleaseHardware due) */
    BOOLEAN stoppable;                /* WdfDeviceSetStaticStopRemove (default TRUE) */
    BOOLEAN deleting;                 /* fx_device_destroy / dispose started */
    UNICODE_STRING name;              /* WdfDeviceInitAssignName, pool copy; Buffer NULL if unnamed */
    UNICODE_STRING sddl;              /* stored */
} fx_device;

/* The extension of every WDM device object the Framework creates. */
typedef struct fx_device_extension {
    uint64_t magic;                   /* FX_DEVICE_EXTENSION_MAGIC */
    fx_device *device;
} fx_device_extension;

#define FX_DEVICE_EXTENSION_MAGIC 0x6e74784563766544ull /* "DevcExtn" */

/* The WDFDEVICE of a WDM device object the Framework created, or NULL (any IRQL). */
fx_device *fx_device_from_wdm(PDEVICE_OBJECT device_object);

/* WdfDeviceOpenRegistryKey / WdfFdoInitOpenRegistryKey for the device instance of `pdo` (NULL: a
 * control device); `object`/`type_name` name the caller's object in reports (device_registry.c). */
NTSTATUS fx_device_open_registry_key(PWDF_DRIVER_GLOBALS globals, PDEVICE_OBJECT pdo, ULONG key_type,
                                     ACCESS_MASK access, PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key,
                                     const void *object, const char *type_name, const char *ddi);

/* A driver-supplied WDFDEVICE (verifier report naming the caller and NULL when invalid). */
#define fx_device_from_handle(globals, handle) \
    ((fx_device *)fx_object_from_handle(globals, handle, FX_TYPE_DEVICE))

static inline WDFDEVICE fx_device_handle(const fx_device *device)
{
    return (WDFDEVICE)device->object.handle;
}

static inline BOOLEAN fx_device_is_filter(const fx_device *device)
{
    return (device->flags & FX_DEVICE_FILTER) != 0;
}

static inline BOOLEAN fx_device_in_d0(const fx_device *device)
{
    return __atomic_load_n(&device->in_d0, __ATOMIC_ACQUIRE) != 0;
}

/* Forwards an IRP to the lower device (filters: what is not handled goes down). Returns IoCallDriver's
 * status. The IRP must not be in any queue. IRQL <= DISPATCH_LEVEL. */
NTSTATUS fx_device_forward_irp(fx_device *device, PIRP irp);

/* ---- WDFFILEOBJECT (fileobject.c) ------------------------------------------------------------- */

typedef struct fx_fileobject {
    fx_object object;                 /* FX_TYPE_FILEOBJECT; must stay first */
    fx_device *device;
    PFILE_OBJECT wdm_file;            /* may be NULL (WdfFileObjectCanBeOptional) */
    LIST_ENTRY device_link;           /* in device->file_objects, under device->object.lock */
    BOOLEAN create_completed;         /* the create request succeeded: cleanup/close will come */
    BOOLEAN cleanup_done;
} fx_fileobject;

/* The WDFFILEOBJECT the Framework made for a FILE_OBJECT on this device, or NULL (for
 * WdfFileObjectNotRequired, a NULL FILE_OBJECT, or one it did not see created). wdf-io uses this
 * for WdfRequestGetFileObject. IRQL <= DISPATCH_LEVEL; takes device->object.lock briefly. */
fx_fileobject *fx_device_file_object(struct fx_device *device, PFILE_OBJECT file_object);
WDFFILEOBJECT fx_fileobject_handle_for(struct fx_device *device, PFILE_OBJECT file_object);

/*
 * wdf-io calls this just before it completes the IRP of an IRP_MJ_CREATE request (whether the driver
 * completed it from EvtDeviceFileCreate or from a queue): on failure the WDFFILEOBJECT is deleted (no
 * EvtFileCleanup/EvtFileClose will come for it), on success it is marked open. IRQL <= DISPATCH_LEVEL.
 */
void fx_file_create_completing(fx_device *device, PIRP irp, NTSTATUS status);

/* fileobject.c, for dispatch.c: IRP_MJ_CREATE/CLEANUP/CLOSE. */
NTSTATUS fx_file_dispatch_create(fx_device *device, PIRP irp);
NTSTATUS fx_file_dispatch_cleanup(fx_device *device, PIRP irp);
NTSTATUS fx_file_dispatch_close(fx_device *device, PIRP irp);

/* ---- From the I/O package (wdf-io, io_package.c) --------------------------------------------------
 *   NTSTATUS fx_io_dispatch(fx_device *device, PIRP irp);   READ/WRITE/(INTERNAL_)DEVICE_CONTROL, and
 *       CREATE when a queue was configured for it (fx_io_dispatches_create). Takes the IRP: returns
 *       STATUS_PENDING or the status it was completed with. KMDF's routing is the package's:
 *       EvtIoInCallerContext, the configured queue, the default queue, else a filter forwards and any
 *       other device fails with STATUS_INVALID_DEVICE_REQUEST.
 *   void fx_io_power_up(fx_device *device);       the device entered D0 (start)
 *   void fx_io_power_down(fx_device *device);     leaving D0: power-managed queues stop (EvtIoStop)
 *   void fx_io_device_removed(fx_device *device); removed: every queue purged, new requests fail
 *   NTSTATUS fx_io_request_from_irp(fx_device *device, PIRP irp, WDFREQUEST *request);
 *       a driver-owned request for EvtDeviceFileCreate (the IRP is marked pending); completing it
 *       calls fx_file_create_completing first.
 *   NTSTATUS fx_io_enqueue_request(fx_device *device, WDFREQUEST request);  WdfDeviceEnqueueRequest.
 * wdf-io implements imp_WdfDeviceConfigureRequestDispatching; wdf-core implements
 * imp_WdfDeviceGetDefaultQueue and imp_WdfDeviceEnqueueRequest on top of the above.
 */
NTSTATUS fx_io_dispatch(fx_device *device, PIRP irp);
void fx_io_power_up(fx_device *device);
void fx_io_power_down(fx_device *device);
void fx_io_device_removed(fx_device *device);
NTSTATUS fx_io_request_from_irp(fx_device *device, PIRP irp, WDFREQUEST *request);
NTSTATUS fx_io_enqueue_request(fx_device *device, WDFREQUEST request);
BOOLEAN fx_io_dispatches_create(fx_device *device);

/* ---- Inside wdf-core ------------------------------------------------------------------------------ */

/* The Framework's dispatch routine: every MajorFunction entry of a WDF driver (dispatch.c). */
DRIVER_DISPATCH fx_dispatch;
/* IRP_MJ_PNP and IRP_MJ_POWER (pnp_minimal.c). */
NTSTATUS fx_pnp_dispatch(fx_device *device, PIRP irp);
NTSTATUS fx_power_dispatch(fx_device *device, PIRP irp);
/* Control devices: made usable by WdfControlFinishInitializing (DO_DEVICE_INITIALIZING cleared). */
void fx_pnp_control_device_ready(fx_device *device);
/* Tears a device down: the WDFDEVICE is deleted, then the WDM device (detached first). */
void fx_device_destroy(fx_device *device);
/* Device interfaces (device.c): enabled at start, disabled at remove. */
void fx_device_set_interfaces_state(fx_device *device, BOOLEAN enable);

/* Empty resource lists for EvtDevicePrepareHardware (pnp_minimal.c); children of the device. */
NTSTATUS fx_pnp_device_init(fx_device *device);
/* Frees an init (used or not); NULL is ignored. */
void fx_device_init_free(PWDFDEVICE_INIT init);
/* At unload: reports (INIT_ORDER) and frees the control-device inits the driver never used. */
void fx_device_init_free_leftovers(fx_driver *driver);
/* Makes the init for EvtDriverDeviceAdd. */
PWDFDEVICE_INIT fx_device_init_allocate_fdo(fx_driver *driver, PDEVICE_OBJECT pdo);
/* Validates a driver-supplied init: NULL/garbage -> report and FALSE. */
BOOLEAN fx_device_init_check(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, const char *caller);

#endif /* OPENWDF_FX_DEVICE_H */
