/*
 * device.c - the WDFDEVICE: WdfDeviceCreate (the WDM device object, its extension pointing back here,
 * attachment to the PDO for FDOs and filters, the I/O package), device interfaces and symbolic
 * links, the calls on a device, and its teardown.
 *
 * Lifetime: the WDFDEVICE is a child of the WDFDRIVER. PnP devices are deleted by the Framework when
 * IRP_MN_REMOVE_DEVICE is processed (pnp_minimal.c); control devices by the driver (WdfObjectDelete)
 * or at unload. Deleting runs the driver's cleanup callbacks, then the dispose hook here (the I/O
 * package is told the device is gone, interfaces and the symbolic link go, the WDM device is detached
 * and deleted), then the children (queues, file objects). The WDM device object's memory is kept (a
 * reference) until the WDFDEVICE is destroyed, so late completions never touch freed memory.
 */
#include "fx_core.h"
#include "fx_support.h"
#include "fx_string.h"

#include <string.h>

struct fx_interface {
    LIST_ENTRY link;                  /* in device->interfaces */
    GUID guid;
    UNICODE_STRING reference;         /* pool copy; Buffer NULL when none */
    UNICODE_STRING link_name;         /* from IoRegisterDeviceInterface (RtlFreeUnicodeString) */
    BOOLEAN driver_disabled;          /* WdfDeviceSetDeviceInterfaceState(FALSE): not enabled at start */
    BOOLEAN active;                   /* enabled in the I/O manager now */
};

/* Serializes interface list changes and state changes; PASSIVE_LEVEL (a synchronization event, so
 * the holder may call IoSetDeviceInterfaceState, which delivers notifications). */
static KEVENT fx_interface_lock;

__attribute__((constructor)) static void fx_device_constructor(void);

static void fx_interface_acquire(void)
{
    KeWaitForSingleObject(&fx_interface_lock, Executive, KernelMode, FALSE, NULL);
}

static void fx_interface_release(void)
{
    KeSetEvent(&fx_interface_lock, IO_NO_INCREMENT, FALSE);
}

/* ---- the object ------------------------------------------------------------------------------------ */

/*
 * A WDFDEVICE lives at least as long as its DEVICE_OBJECT: it holds a reference on itself that the
 * device object drops when its own last reference goes (file objects of open handles keep it after
 * IoDeleteDevice). So an IRP the I/O manager dispatches to the device object - a CLOSE sent from a
 * worker after the device was removed, a read on a handle still open - always finds the WDFDEVICE
 * (deleted, its queues shut down), never freed memory.
 */
fx_device *fx_device_from_wdm(PDEVICE_OBJECT device_object)
{
    if (device_object == NULL || device_object->DeviceExtension == NULL ||
        device_object->Size < sizeof(DEVICE_OBJECT) + sizeof(fx_device_extension))
        return NULL;
    fx_device_extension *x = device_object->DeviceExtension;
    return x->magic == FX_DEVICE_EXTENSION_MAGIC ? x->device : NULL;
}

static void fx_device_wdm_gone(PDEVICE_OBJECT wdm, void *context)
{
    fx_device *device = context;
    fx_device_extension *x = wdm->DeviceExtension;
    x->magic = 0;
    x->device = NULL;
    device->wdm_device = NULL;
    FX_DEREF(&device->object, wdm);
}

static void fx_device_unlink(fx_device *device)
{
    fx_driver *driver = device->driver;
    KIRQL irql;
    KeAcquireSpinLock(&driver->object.lock, &irql);
    RemoveEntryList(&device->driver_link);
    InitializeListHead(&device->driver_link);
    KeReleaseSpinLock(&driver->object.lock, irql);
}

static void fx_device_dispose(fx_object *object)
{
    fx_device *device = (fx_device *)object;
    __atomic_store_n(&device->deleting, TRUE, __ATOMIC_RELEASE); /* read by dispatch without a lock */
    if (device->flags & FX_DEVICE_CONTROL)
        (void)ke_check_max_irql(PASSIVE_LEVEL, "WdfObjectDelete (control device)");
    __atomic_store_n(&device->pnp_state, FX_PNP_REMOVED, __ATOMIC_RELEASE);
    __atomic_store_n(&device->in_d0, 0, __ATOMIC_RELEASE);
    if (!device->io_removed) {
        device->io_removed = TRUE;
        fx_io_device_removed(device);
    }
    fx_device_set_interfaces_state(device, FALSE);
    if (device->symbolic_link.Buffer != NULL) {
        (void)IoDeleteSymbolicLink(&device->symbolic_link);
        fx_core_free_string(&device->symbolic_link);
    }
    fx_device_unlink(device);
    if (device->attached_device != NULL)
        IoDetachDevice(device->attached_device);
    IoDeleteDevice(device->wdm_device);
    fx_ifr_record(fx_core_ifr(object->globals), OWDF_IFR_OBJECT_DELETED, object->handle, FX_TYPE_DEVICE, 0);
}

static void fx_device_destroy_hook(fx_object *object)
{
    fx_device *device = (fx_device *)object;
    while (!IsListEmpty(&device->interfaces)) {
        struct fx_interface *i = CONTAINING_RECORD(RemoveHeadList(&device->interfaces), struct fx_interface, link);
        RtlFreeUnicodeString(&i->link_name);
        fx_core_free_string(&i->reference);
        ExFreePoolWithTag(i, FX_CORE_TAG);
    }
    fx_core_free_string(&device->name);
    fx_core_free_string(&device->sddl);
}

static BOOLEAN fx_device_may_delete(fx_object *object)
{
    return (((fx_device *)object)->flags & FX_DEVICE_CONTROL) != 0;
}

static const fx_object_ops fx_device_ops = {
    .type = FX_TYPE_DEVICE,
    .name = "WDFDEVICE",
    .dispose = fx_device_dispose,
    .destroy = fx_device_destroy_hook,
    .driver_may_delete = fx_device_may_delete,
    .allows_execution_level = TRUE,
    .allows_synchronization_scope = TRUE,
    .allows_parent = FALSE,
};

static fx_sync_lock *fx_device_lock_getter(fx_object *object)
{
    return &((fx_device *)object)->sync_lock;
}

static void fx_device_constructor(void)
{
    KeInitializeEvent(&fx_interface_lock, SynchronizationEvent, TRUE);
    fx_sync_register_lock_getter(&fx_device_ops, fx_device_lock_getter);
}

void fx_device_destroy(fx_device *device)
{
    /* Unlink first so the driver's teardown loop always progresses, even for a device already being
     * deleted by another path. */
    fx_device_unlink(device);
    fx_object_delete(&device->object);
}

/* ---- WdfDeviceCreate ------------------------------------------------------------------------------- */

/* The WDM device object for an init, attached when it is an FDO/filter. Undone by the caller with
 * IoDetachDevice / IoDeleteDevice on a later failure. */
static NTSTATUS fx_device_create_wdm(PWDFDEVICE_INIT init, PDEVICE_OBJECT *wdm_out, PDEVICE_OBJECT *lower_out)
{
    *wdm_out = NULL;
    *lower_out = NULL;
    PDEVICE_OBJECT wdm;
    NTSTATUS status = IoCreateDevice(init->driver->wdm_driver, sizeof(fx_device_extension),
                                     init->name.Buffer != NULL ? &init->name : NULL, init->device_type,
                                     init->characteristics, init->exclusive, &wdm);
    if (!NT_SUCCESS(status))
        return status;
    switch (init->io_type) {
    case WdfDeviceIoBuffered:
        wdm->Flags |= DO_BUFFERED_IO;
        break;
    case WdfDeviceIoDirect:
        wdm->Flags |= DO_DIRECT_IO;
        break;
    default:
        break;
    }
    if (init->power_inrush)
        wdm->Flags |= DO_POWER_INRUSH;
    else if (!init->power_pageable_set || init->power_pageable)
        wdm->Flags |= DO_POWER_PAGABLE;

    if (init->kind == FX_INIT_FDO) {
        PDEVICE_OBJECT lower = IoAttachDeviceToDeviceStack(wdm, init->pdo);
        if (lower == NULL) {
            IoDeleteDevice(wdm);
            return STATUS_NO_SUCH_DEVICE;
        }
        if (init->filter) {
            /* A filter is transparent: it takes the buffering method, power flags and (unless the
             * driver chose one) the device type of the device below it. */
            wdm->Flags &= ~(DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE | DO_POWER_INRUSH);
            wdm->Flags |= lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE | DO_POWER_INRUSH);
            if (init->device_type == FILE_DEVICE_UNKNOWN)
                wdm->DeviceType = lower->DeviceType;
        }
        *lower_out = lower;
    }
    /* A preprocess callback may post-process: it then needs a stack location of its own. */
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        if (init->preprocess[i].callback != NULL) {
            wdm->StackSize++;
            break;
        }
    }
    *wdm_out = wdm;
    return STATUS_SUCCESS;
}

static void fx_device_undo_wdm(PDEVICE_OBJECT wdm, PDEVICE_OBJECT lower)
{
    if (lower != NULL)
        IoDetachDevice(lower);
    IoDeleteDevice(wdm);
}

/* KMDF: file callbacks run at PASSIVE_LEVEL, so device-scope synchronization of them needs a passive
 * lock; a file object that would inherit a spin-lock scope must opt out in its attributes. */
static NTSTATUS fx_check_file_sync(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                   const WDF_OBJECT_ATTRIBUTES *device_attributes)
{
    if (!init->has_file_config)
        return STATUS_SUCCESS;
    const WDF_FILEOBJECT_CONFIG *c = &init->file_config;
    if (c->EvtDeviceFileCreate == NULL && c->EvtFileCleanup == NULL && c->EvtFileClose == NULL)
        return STATUS_SUCCESS;
    fx_object *driver_object = &init->driver->object;
    WDF_EXECUTION_LEVEL level = device_attributes ? device_attributes->ExecutionLevel : WdfExecutionLevelInheritFromParent;
    WDF_SYNCHRONIZATION_SCOPE scope =
        device_attributes ? device_attributes->SynchronizationScope : WdfSynchronizationScopeInheritFromParent;
    if (level == WdfExecutionLevelInheritFromParent)
        level = driver_object->execution_level;
    if (scope == WdfSynchronizationScopeInheritFromParent)
        scope = driver_object->synchronization_scope;
    if (init->has_file_attributes) {
        if (init->file_attributes.ExecutionLevel != WdfExecutionLevelInheritFromParent)
            level = init->file_attributes.ExecutionLevel;
        if (init->file_attributes.SynchronizationScope != WdfSynchronizationScopeInheritFromParent)
            scope = init->file_attributes.SynchronizationScope;
    }
    if (scope != WdfSynchronizationScopeNone && level != WdfExecutionLevelPassive) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "WdfDeviceCreate: file object callbacks would be synchronized with a spin lock (scope %d, "
                  "execution level %d); set WdfSynchronizationScopeNone or WdfExecutionLevelPassive in the file "
                  "object attributes",
                  (int)scope, (int)level);
        return STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
    }
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfDeviceCreate(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT *init_ptr, PWDF_OBJECT_ATTRIBUTES attributes,
                             WDFDEVICE *device_out)
{
    static const char ddi[] = "WdfDeviceCreate";
    if (init_ptr == NULL) {
        FX_NULL_REPORT(globals, ddi, "DeviceInit");
        return STATUS_INVALID_PARAMETER;
    }
    if (*init_ptr == NULL) {
        FX_REPORT("INIT_ORDER", init_ptr, "WDFDEVICE_INIT", globals,
                  "%s: *DeviceInit is NULL (already consumed by an earlier successful WdfDeviceCreate?)", ddi);
        return STATUS_INVALID_PARAMETER;
    }
    if (device_out == NULL) {
        FX_NULL_REPORT(globals, ddi, "Device");
        return STATUS_INVALID_PARAMETER;
    }
    *device_out = NULL;
    PWDFDEVICE_INIT init = *init_ptr;
    if (!fx_device_init_check(globals, init, ddi))
        return STATUS_INVALID_PARAMETER;
    if (init->kind == FX_INIT_PDO) {
        FX_REPORT("NOT_IMPLEMENTED", init, "WDFDEVICE_INIT", globals, "%s: PDOs are not implemented yet", ddi);
        return STATUS_NOT_IMPLEMENTED;
    }
    fx_driver *driver = init->driver;
    if (__atomic_load_n(&driver->unloading, __ATOMIC_ACQUIRE) || !fx_object_is_live(&driver->object))
        return STATUS_DELETE_PENDING;
    NTSTATUS status = fx_check_file_sync(globals, init, attributes);
    if (!NT_SUCCESS(status)) {
        init->create_failed = TRUE;
        return status;
    }

    PDEVICE_OBJECT wdm, lower;
    status = fx_device_create_wdm(init, &wdm, &lower);
    if (!NT_SUCCESS(status)) {
        init->create_failed = TRUE;
        return status;
    }

    fx_device *device;
    status = fx_object_create(globals, &fx_device_ops, sizeof(fx_device), attributes, &driver->object,
                              (void **)&device);
    if (!NT_SUCCESS(status)) {
        fx_device_undo_wdm(wdm, lower);
        init->create_failed = TRUE;
        return status;
    }
    FX_REF(&device->object, wdm); /* the device object's, dropped when it goes (fx_device_wdm_gone) */
    io_device_set_free_notify(wdm, fx_device_wdm_gone, device);
    device->driver = driver;
    InitializeListHead(&device->driver_link);
    InitializeListHead(&device->file_objects);
    InitializeListHead(&device->interfaces);
    device->wdm_device = wdm;
    device->attached_device = lower;
    device->pdo = init->kind == FX_INIT_FDO ? init->pdo : NULL;
    device->flags = (init->filter ? FX_DEVICE_FILTER : 0) | (init->kind == FX_INIT_CONTROL ? FX_DEVICE_CONTROL : 0) |
                    (init->exclusive ? FX_DEVICE_EXCLUSIVE : 0);
    /* The FDO owns power policy unless told otherwise; a filter does not. */
    if (init->power_policy_owner_set ? init->power_policy_owner : (init->kind == FX_INIT_FDO && !init->filter))
        device->flags |= FX_DEVICE_POWER_POLICY_OWNER;
    device->io_type = (wdm->Flags & DO_BUFFERED_IO) ? WdfDeviceIoBuffered
                      : (wdm->Flags & DO_DIRECT_IO) ? WdfDeviceIoDirect
                                                    : WdfDeviceIoNeither;
    device->alignment_requirement = wdm->AlignmentRequirement;
    device->request_attributes = init->request_attributes;
    device->has_request_attributes = init->has_request_attributes;
    if (init->has_file_config) {
        device->file_config = init->file_config;
    } else {
        WDF_FILEOBJECT_CONFIG_INIT(&device->file_config, NULL, NULL, NULL);
        device->file_config.FileObjectClass = WdfFileObjectNotRequired;
    }
    if (device->file_config.AutoForwardCleanupClose == WdfUseDefault)
        device->file_config.AutoForwardCleanupClose = init->filter ? WdfTrue : WdfFalse;
    device->file_attributes = init->file_attributes;
    device->has_file_attributes = init->has_file_attributes;
    device->io_in_caller_context = init->io_in_caller_context;
    memcpy(device->preprocess, init->preprocess, sizeof device->preprocess);
    device->pnp_callbacks = init->pnp_callbacks;
    device->power_policy_callbacks = init->power_policy_callbacks;
    device->shutdown_notification = init->shutdown_notification;
    device->shutdown_flags = init->shutdown_flags;
    device->stoppable = TRUE;
    device->pnp_state = FX_PNP_ADDED;
    WDF_DEVICE_STATE_INIT(&device->device_state);
    device->device_state.Disabled = device->device_state.DontDisplayInUI = device->device_state.Failed =
        device->device_state.NotDisableable = device->device_state.Removed = device->device_state.ResourcesChanged =
            WdfFalse;
    WDF_DEVICE_PNP_CAPABILITIES_INIT(&device->pnp_capabilities);
    WDF_DEVICE_POWER_CAPABILITIES_INIT(&device->power_capabilities);
    device->name = init->name;   /* moved from the init */
    init->name.Buffer = NULL;
    init->name.Length = init->name.MaximumLength = 0;
    device->sddl = init->sddl;
    init->sddl.Buffer = NULL;
    init->sddl.Length = init->sddl.MaximumLength = 0;
    fx_sync_lock_init(&device->sync_lock, device->object.execution_level == WdfExecutionLevelPassive,
                      &device->object, "device lock");

    fx_device_extension *x = wdm->DeviceExtension;
    x->device = device;
    x->magic = FX_DEVICE_EXTENSION_MAGIC;

    /* The I/O package is made by wdf-io on first use (a child of the device). */
    status = fx_pnp_device_init(device);
    if (!NT_SUCCESS(status)) {
        /* Put the names back so the driver may retry with the same init. */
        init->name = device->name;
        device->name.Buffer = NULL;
        init->sddl = device->sddl;
        device->sddl.Buffer = NULL;
        init->create_failed = TRUE;
        fx_object_delete(&device->object); /* dispose detaches and deletes the WDM device */
        return status;
    }

    KIRQL irql;
    KeAcquireSpinLock(&driver->object.lock, &irql);
    InsertTailList(&driver->devices, &device->driver_link);
    KeReleaseSpinLock(&driver->object.lock, irql);

    fx_ifr_record(fx_core_ifr(globals), OWDF_IFR_OBJECT_CREATED, device->object.handle, FX_TYPE_DEVICE,
                  (uintptr_t)wdm);
    *device_out = fx_device_handle(device);
    *init_ptr = NULL;
    if (init->kind == FX_INIT_CONTROL) {
        fx_device_init_free(init); /* consumed */
    } else {
        /* EvtDriverDeviceAdd's init: freed by the Framework when the callback returns. */
        init->created = TRUE;
        init->created_device = device;
    }
    return STATUS_SUCCESS;
}

/* ---- control devices ---------------------------------------------------------------------------------- */

void imp_WdfControlFinishInitializing(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    static const char ddi[] = "WdfControlFinishInitializing";
    fx_device *device = (fx_device *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_DEVICE, ddi);
    if (device == NULL)
        return;
    if (!(device->flags & FX_DEVICE_CONTROL)) {
        FX_REPORT("DDI_INVALID_PARAMETER", handle, "WDFDEVICE", globals, "%s: WDFDEVICE %p is not a control device",
                  ddi, (void *)handle);
        return;
    }
    fx_pnp_control_device_ready(device);
}

/* ---- interfaces and links -------------------------------------------------------------------------- */

void fx_device_set_interfaces_state(fx_device *device, BOOLEAN enable)
{
    fx_interface_acquire();
    device->interfaces_enabled = enable;
    for (PLIST_ENTRY e = device->interfaces.Flink; e != &device->interfaces; e = e->Flink) {
        struct fx_interface *i = CONTAINING_RECORD(e, struct fx_interface, link);
        BOOLEAN want = enable && !i->driver_disabled;
        if (want != i->active) {
            (void)IoSetDeviceInterfaceState(&i->link_name, want);
            i->active = want;
        }
    }
    fx_interface_release();
}

static BOOLEAN fx_same_reference(const UNICODE_STRING *a, PCUNICODE_STRING b)
{
    USHORT bl = b != NULL ? b->Length : 0;
    if (a->Length != bl)
        return FALSE;
    for (ULONG k = 0; k < bl / sizeof(WCHAR); k++) {
        if (RtlUpcaseUnicodeChar(a->Buffer[k]) != RtlUpcaseUnicodeChar(b->Buffer[k]))
            return FALSE;
    }
    return TRUE;
}

/* Under the interface lock. */
static struct fx_interface *fx_find_interface(fx_device *device, const GUID *guid, PCUNICODE_STRING reference)
{
    for (PLIST_ENTRY e = device->interfaces.Flink; e != &device->interfaces; e = e->Flink) {
        struct fx_interface *i = CONTAINING_RECORD(e, struct fx_interface, link);
        if (IsEqualGUID(&i->guid, guid) && fx_same_reference(&i->reference, reference))
            return i;
    }
    return NULL;
}

NTSTATUS imp_WdfDeviceCreateDeviceInterface(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, const GUID *guid,
                                            PCUNICODE_STRING reference)
{
    static const char ddi[] = "WdfDeviceCreateDeviceInterface";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (guid == NULL) {
        FX_NULL_REPORT(globals, ddi, "InterfaceClassGUID");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (reference != NULL && !fx_core_valid_string(reference))
        return STATUS_INVALID_PARAMETER;
    if (device->pdo == NULL) {
        /* Control devices have no PDO to register an interface on. */
        FX_REPORT("DDI_INVALID_PARAMETER", handle, "WDFDEVICE", globals,
                  "%s: device interfaces need a PnP device (a control device has no PDO)", ddi);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    struct fx_interface *i = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *i, FX_CORE_TAG);
    if (i == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    i->guid = *guid;
    NTSTATUS status = fx_core_copy_string(&i->reference, reference);
    if (NT_SUCCESS(status))
        status = IoRegisterDeviceInterface(device->pdo, guid, (PUNICODE_STRING)(reference != NULL && reference->Length
                                                                                     ? reference
                                                                                     : NULL),
                                           &i->link_name);
    if (!NT_SUCCESS(status)) {
        fx_core_free_string(&i->reference);
        ExFreePoolWithTag(i, FX_CORE_TAG);
        return status;
    }
    fx_interface_acquire();
    if (fx_find_interface(device, guid, reference) != NULL) {
        fx_interface_release();
        RtlFreeUnicodeString(&i->link_name);
        fx_core_free_string(&i->reference);
        ExFreePoolWithTag(i, FX_CORE_TAG);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    InsertTailList(&device->interfaces, &i->link);
    /* Created while started: enabled at once (KMDF enables interfaces when the device starts). */
    if (device->interfaces_enabled) {
        (void)IoSetDeviceInterfaceState(&i->link_name, TRUE);
        i->active = TRUE;
    }
    fx_interface_release();
    return STATUS_SUCCESS;
}

void imp_WdfDeviceSetDeviceInterfaceState(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, const GUID *guid,
                                          PCUNICODE_STRING reference, BOOLEAN enable)
{
    static const char ddi[] = "WdfDeviceSetDeviceInterfaceState";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return;
    if (guid == NULL) {
        FX_NULL_REPORT(globals, ddi, "InterfaceClassGUID");
        return;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return;
    fx_interface_acquire();
    struct fx_interface *i = fx_find_interface(device, guid, reference);
    if (i == NULL) {
        fx_interface_release();
        FX_REPORT("DDI_INVALID_PARAMETER", handle, "WDFDEVICE", globals,
                  "%s: no interface of that class and reference string was created on this device", ddi);
        return;
    }
    i->driver_disabled = !enable;
    BOOLEAN want = enable && device->interfaces_enabled;
    if (want != i->active) {
        (void)IoSetDeviceInterfaceState(&i->link_name, want);
        i->active = want;
    }
    fx_interface_release();
}

NTSTATUS imp_WdfDeviceRetrieveDeviceInterfaceString(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, const GUID *guid,
                                                    PCUNICODE_STRING reference, WDFSTRING string)
{
    static const char ddi[] = "WdfDeviceRetrieveDeviceInterfaceString";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (guid == NULL || string == NULL) {
        FX_NULL_REPORT(globals, ddi, guid == NULL ? "InterfaceClassGUID" : "String");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_interface_acquire();
    struct fx_interface *i = fx_find_interface(device, guid, reference);
    UNICODE_STRING copy = {0, 0, NULL};
    NTSTATUS status = i != NULL ? fx_core_copy_string(&copy, &i->link_name) : STATUS_OBJECT_NAME_NOT_FOUND;
    fx_interface_release();
    if (NT_SUCCESS(status))
        status = fx_core_assign_string(globals, string, &copy, ddi);
    fx_core_free_string(&copy);
    return status;
}

NTSTATUS imp_WdfDeviceCreateSymbolicLink(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, PCUNICODE_STRING link)
{
    static const char ddi[] = "WdfDeviceCreateSymbolicLink";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (link == NULL) {
        FX_NULL_REPORT(globals, ddi, "SymbolicLinkName");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!fx_core_valid_string(link) || link->Length == 0)
        return STATUS_INVALID_PARAMETER;
    PCUNICODE_STRING target = io_device_name(device->wdm_device);
    if (target == NULL || target->Length == 0) {
        FX_REPORT("DDI_INVALID_PARAMETER", handle, "WDFDEVICE", globals,
                  "%s: the device has no name (WdfDeviceInitAssignName) for the link to point at", ddi);
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (device->symbolic_link.Buffer != NULL)
        return STATUS_INVALID_DEVICE_REQUEST; /* KMDF keeps one symbolic link per device */
    UNICODE_STRING copy;
    NTSTATUS status = fx_core_copy_string(&copy, link);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&copy, (PUNICODE_STRING)target);
    if (!NT_SUCCESS(status)) {
        fx_core_free_string(&copy);
        return status;
    }
    device->symbolic_link = copy;
    return STATUS_SUCCESS;
}

/* ---- simple accessors ------------------------------------------------------------------------------ */

WDFDRIVER imp_WdfDeviceGetDriver(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    return device != NULL ? (WDFDRIVER)device->driver->object.handle : NULL;
}

PDEVICE_OBJECT imp_WdfDeviceWdmGetDeviceObject(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    return device != NULL ? device->wdm_device : NULL;
}

PDEVICE_OBJECT imp_WdfDeviceWdmGetAttachedDevice(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    return device != NULL ? device->attached_device : NULL;
}

PDEVICE_OBJECT imp_WdfDeviceWdmGetPhysicalDevice(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    return device != NULL ? device->pdo : NULL;
}

WDFDEVICE imp_WdfWdmDeviceGetWdfDeviceHandle(PWDF_DRIVER_GLOBALS globals, PDEVICE_OBJECT device_object)
{
    if (device_object == NULL) {
        FX_NULL_REPORT(globals, "WdfWdmDeviceGetWdfDeviceHandle", "DeviceObject");
        return NULL;
    }
    fx_device *device = fx_device_from_wdm(device_object);
    /* A device of another driver (or a plain WDM device) is not this driver's WDFDEVICE. */
    if (device == NULL || device->object.globals != globals)
        return NULL;
    return fx_device_handle(device);
}

WDFIOTARGET imp_WdfDeviceGetIoTarget(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    if (fx_device_from_handle(globals, handle) == NULL)
        return NULL;
    FX_REPORT("NOT_IMPLEMENTED", handle, "WDFDEVICE", globals,
              "WdfDeviceGetIoTarget: I/O targets are not implemented yet (returns NULL)");
    return NULL;
}

static BOOLEAN fx_tri_ok(WDF_TRI_STATE t)
{
    return t == WdfFalse || t == WdfTrue || t == WdfUseDefault;
}

void imp_WdfDeviceSetDeviceState(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, PWDF_DEVICE_STATE state)
{
    static const char ddi[] = "WdfDeviceSetDeviceState";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return;
    if (state == NULL) {
        FX_NULL_REPORT(globals, ddi, "DeviceState");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_DEVICE_STATE, state))
        return;
    WDF_DEVICE_STATE *stored = &device->device_state;
    const WDF_TRI_STATE *in[] = {&state->Disabled, &state->DontDisplayInUI, &state->Failed,
                                 &state->NotDisableable, &state->Removed, &state->ResourcesChanged};
    WDF_TRI_STATE *out[] = {&stored->Disabled, &stored->DontDisplayInUI, &stored->Failed,
                            &stored->NotDisableable, &stored->Removed, &stored->ResourcesChanged};
    for (size_t k = 0; k < ARRAYSIZE(in); k++) {
        if (!fx_tri_ok(*in[k])) {
            FX_REPORT("DDI_INVALID_PARAMETER", state, "WDF_DEVICE_STATE", globals,
                      "%s: field %d is %d, not a WDF_TRI_STATE", ddi, (int)k, (int)*in[k]);
            return;
        }
    }
    /* WdfUseDefault leaves a field as it is. */
    for (size_t k = 0; k < ARRAYSIZE(in); k++) {
        if (*in[k] != WdfUseDefault)
            *out[k] = *in[k];
    }
}

void imp_WdfDeviceGetDeviceState(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, PWDF_DEVICE_STATE state)
{
    static const char ddi[] = "WdfDeviceGetDeviceState";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return;
    if (state == NULL) {
        FX_NULL_REPORT(globals, ddi, "DeviceState");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_DEVICE_STATE, state))
        return;
    *state = device->device_state;
}

void imp_WdfDeviceSetPnpCapabilities(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle,
                                     PWDF_DEVICE_PNP_CAPABILITIES caps)
{
    static const char ddi[] = "WdfDeviceSetPnpCapabilities";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return;
    if (caps == NULL) {
        FX_NULL_REPORT(globals, ddi, "PnpCapabilities");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_DEVICE_PNP_CAPABILITIES, caps))
        return;
    /* Stored; reported to the PnP manager (IRP_MN_QUERY_CAPABILITIES) by the state machines. */
    device->pnp_capabilities = *caps;
}

void imp_WdfDeviceSetPowerCapabilities(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle,
                                       PWDF_DEVICE_POWER_CAPABILITIES caps)
{
    static const char ddi[] = "WdfDeviceSetPowerCapabilities";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return;
    if (caps == NULL) {
        FX_NULL_REPORT(globals, ddi, "PowerCapabilities");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_DEVICE_POWER_CAPABILITIES, caps))
        return;
    device->power_capabilities = *caps;
}

NTSTATUS imp_WdfDeviceRetrieveDeviceName(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, WDFSTRING string)
{
    static const char ddi[] = "WdfDeviceRetrieveDeviceName";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (string == NULL) {
        FX_NULL_REPORT(globals, ddi, "String");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    PCUNICODE_STRING name = io_device_name(device->wdm_device);
    if (name == NULL || name->Length == 0)
        return STATUS_INVALID_DEVICE_STATE; /* an unnamed device */
    return fx_core_assign_string(globals, string, name, ddi);
}

void imp_WdfDeviceSetAlignmentRequirement(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, ULONG alignment)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return;
    device->alignment_requirement = alignment;
    device->wdm_device->AlignmentRequirement = alignment;
}

ULONG imp_WdfDeviceGetAlignmentRequirement(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    return device != NULL ? device->wdm_device->AlignmentRequirement : 0;
}

WDFFILEOBJECT imp_WdfDeviceGetFileObject(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, PFILE_OBJECT file_object)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return NULL;
    if (file_object == NULL) {
        FX_NULL_REPORT(globals, "WdfDeviceGetFileObject", "FileObject");
        return NULL;
    }
    return fx_fileobject_handle_for(device, file_object);
}

void imp_WdfDeviceSetStaticStopRemove(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, BOOLEAN stoppable)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device != NULL)
        device->stoppable = stoppable ? TRUE : FALSE;
}

void imp_WdfDeviceSetFailed(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, WDF_DEVICE_FAILED_ACTION action)
{
    UNREFERENCED_PARAMETER(action);
    if (fx_device_from_handle(globals, handle) == NULL)
        return;
    FX_REPORT("NOT_IMPLEMENTED", handle, "WDFDEVICE", globals,
              "WdfDeviceSetFailed: needs the PnP state machine (next round); the device is left as it is");
}

NTSTATUS imp_WdfDeviceOpenRegistryKey(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, ULONG key_type,
                                      ACCESS_MASK access, PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key)
{
    static const char ddi[] = "WdfDeviceOpenRegistryKey";
    if (key != NULL)
        *key = NULL;
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    return fx_device_open_registry_key(globals, device->pdo, key_type, access, attributes, key, handle, "WDFDEVICE",
                                       ddi);
}

NTSTATUS imp_WdfFdoQueryForInterface(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, const GUID *type,
                                     PINTERFACE iface, USHORT size, USHORT version, PVOID data)
{
    UNREFERENCED_PARAMETER(type);
    UNREFERENCED_PARAMETER(iface);
    UNREFERENCED_PARAMETER(size);
    UNREFERENCED_PARAMETER(version);
    UNREFERENCED_PARAMETER(data);
    if (fx_device_from_handle(globals, handle) == NULL)
        return STATUS_INVALID_HANDLE;
    FX_REPORT("NOT_IMPLEMENTED", handle, "WDFDEVICE", globals,
              "WdfFdoQueryForInterface: IRP_MN_QUERY_INTERFACE is not implemented yet");
    return STATUS_NOT_IMPLEMENTED;
}

/* ---- the I/O package's device calls ---------------------------------------------------------------- */

WDFQUEUE imp_WdfDeviceGetDefaultQueue(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle)
{
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return NULL;
    /* A queue starts with its fx_object (fx_queue.h). */
    fx_object *queue = (fx_object *)__atomic_load_n(&device->default_queue, __ATOMIC_ACQUIRE);
    return queue != NULL ? (WDFQUEUE)queue->handle : NULL;
}

NTSTATUS imp_WdfDeviceEnqueueRequest(PWDF_DRIVER_GLOBALS globals, WDFDEVICE handle, WDFREQUEST request)
{
    static const char ddi[] = "WdfDeviceEnqueueRequest";
    fx_device *device = fx_device_from_handle(globals, handle);
    if (device == NULL)
        return STATUS_INVALID_HANDLE;
    if (request == NULL) {
        FX_NULL_REPORT(globals, ddi, "Request");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(DISPATCH_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    return fx_io_enqueue_request(device, request);
}
