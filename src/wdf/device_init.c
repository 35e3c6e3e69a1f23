/*
 * device_init.c - WDFDEVICE_INIT: what a driver configures before WdfDeviceCreate. FDO inits are made
 * by the Framework for EvtDriverDeviceAdd and freed by it when the callback returns; control-device
 * inits are the driver's (WdfControlDeviceInitAllocate) until WdfDeviceCreate consumes one, or until
 * WdfDeviceInitFree (required after a failed WdfDeviceCreate). PDO inits are not implemented yet.
 *
 * Every valid init is on one list, so a pointer used after it was consumed or freed is recognised
 * without reading freed memory (INIT_ORDER report), as is an init freed twice. All DDIs here are
 * PASSIVE_LEVEL; the list lock is a mutex never held across driver code.
 */
#include "fx_core.h"
#include "fx_support.h"

#include <pthread.h>

static pthread_mutex_t fx_init_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY fx_init_live = {&fx_init_live, &fx_init_live};

static BOOLEAN fx_init_is_live(PWDFDEVICE_INIT init)
{
    BOOLEAN found = FALSE;
    pthread_mutex_lock(&fx_init_lock);
    for (PLIST_ENTRY e = fx_init_live.Flink; e != &fx_init_live; e = e->Flink) {
        if (CONTAINING_RECORD(e, struct WDFDEVICE_INIT, live_link) == init) {
            found = TRUE;
            break;
        }
    }
    pthread_mutex_unlock(&fx_init_lock);
    return found;
}

static PWDFDEVICE_INIT fx_init_allocate(fx_driver *driver, fx_device_init_kind kind)
{
    PWDFDEVICE_INIT init = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *init, FX_CORE_TAG);
    if (init == NULL)
        return NULL;
    init->magic = FX_DEVICE_INIT_MAGIC;
    init->kind = kind;
    init->driver = driver;
    init->globals = driver->globals;
    init->device_type = FILE_DEVICE_UNKNOWN;
    init->characteristics = FILE_DEVICE_SECURE_OPEN;
    init->io_type = WdfDeviceIoBuffered;
    InitializeListHead(&init->link);
    pthread_mutex_lock(&fx_init_lock);
    InsertTailList(&fx_init_live, &init->live_link);
    pthread_mutex_unlock(&fx_init_lock);
    return init;
}

PWDFDEVICE_INIT fx_device_init_allocate_fdo(fx_driver *driver, PDEVICE_OBJECT pdo)
{
    PWDFDEVICE_INIT init = fx_init_allocate(driver, FX_INIT_FDO);
    if (init != NULL)
        init->pdo = pdo;
    return init;
}

void fx_device_init_free(PWDFDEVICE_INIT init)
{
    if (init == NULL)
        return;
    pthread_mutex_lock(&fx_init_lock);
    RemoveEntryList(&init->live_link);
    pthread_mutex_unlock(&fx_init_lock);
    if (init->kind == FX_INIT_CONTROL && init->driver != NULL) {
        KIRQL irql;
        KeAcquireSpinLock(&init->driver->object.lock, &irql);
        RemoveEntryList(&init->link);
        InitializeListHead(&init->link);
        KeReleaseSpinLock(&init->driver->object.lock, irql);
    }
    fx_core_free_string(&init->name);
    fx_core_free_string(&init->sddl);
    init->magic = 0;
    ExFreePoolWithTag(init, FX_CORE_TAG);
}

/* Frees the control inits a driver never used nor freed (at unload), reporting each. */
void fx_device_init_free_leftovers(fx_driver *driver)
{
    PWDF_DRIVER_GLOBALS globals = &driver->globals->public;
    for (;;) {
        PWDFDEVICE_INIT init = NULL;
        KIRQL irql;
        KeAcquireSpinLock(&driver->object.lock, &irql);
        if (!IsListEmpty(&driver->control_inits))
            init = CONTAINING_RECORD(driver->control_inits.Flink, struct WDFDEVICE_INIT, link);
        KeReleaseSpinLock(&driver->object.lock, irql);
        if (init == NULL)
            break;
        FX_REPORT("INIT_ORDER", init, "WDFDEVICE_INIT", globals,
                  "driver %s unloaded with a control-device WDFDEVICE_INIT %p it neither passed to a successful "
                  "WdfDeviceCreate nor freed with WdfDeviceInitFree%s",
                  globals->DriverName, (void *)init, init->create_failed ? " (after a failed WdfDeviceCreate)" : "");
        fx_device_init_free(init);
    }
}

BOOLEAN fx_device_init_check(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, const char *caller)
{
    if (init == NULL) {
        FX_NULL_REPORT(globals, caller, "DeviceInit");
        return FALSE;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, caller))
        return FALSE;
    if (!fx_init_is_live(init)) {
        FX_REPORT("INIT_ORDER", init, "WDFDEVICE_INIT", globals,
                  "%s: WDFDEVICE_INIT %p is not valid: already consumed by WdfDeviceCreate, freed, or never "
                  "allocated",
                  caller, (void *)init);
        return FALSE;
    }
    if (init->globals != fx_globals(globals)) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "%s: WDFDEVICE_INIT %p belongs to another driver", caller, (void *)init);
        return FALSE;
    }
    if (init->created) {
        FX_REPORT("INIT_ORDER", init, "WDFDEVICE_INIT", globals,
                  "%s: called after WdfDeviceCreate already consumed WDFDEVICE_INIT %p", caller, (void *)init);
        return FALSE;
    }
    return TRUE;
}

/* An init of the wrong kind for an FDO- or control-only call. */
static BOOLEAN fx_init_kind_check(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, fx_device_init_kind kind,
                                  const char *caller)
{
    if (init->kind == kind)
        return TRUE;
    FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals, "%s: WDFDEVICE_INIT %p is not a%s init",
              caller, (void *)init, kind == FX_INIT_FDO ? "n FDO (EvtDriverDeviceAdd)" : " control-device");
    return FALSE;
}

static BOOLEAN fx_attributes_size_ok(PWDF_DRIVER_GLOBALS globals, const WDF_OBJECT_ATTRIBUTES *a, const char *caller)
{
    if (a->Size == sizeof(WDF_OBJECT_ATTRIBUTES))
        return TRUE;
    FX_REPORT("OBJECT_ATTRIBUTES_SIZE", a, "WDF_OBJECT_ATTRIBUTES", globals,
              "%s: WDF_OBJECT_ATTRIBUTES.Size is %u, expected %zu (use WDF_OBJECT_ATTRIBUTES_INIT)", caller, a->Size,
              sizeof(WDF_OBJECT_ATTRIBUTES));
    return FALSE;
}

/* ---- WdfDeviceInit* ------------------------------------------------------------------------------- */

void imp_WdfDeviceInitFree(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init)
{
    static const char ddi[] = "WdfDeviceInitFree";
    if (init == NULL) {
        FX_NULL_REPORT(globals, ddi, "DeviceInit");
        return;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return;
    if (!fx_init_is_live(init)) {
        FX_REPORT("INIT_ORDER", init, "WDFDEVICE_INIT", globals,
                  "%s: WDFDEVICE_INIT %p was already freed, or consumed by a successful WdfDeviceCreate", ddi,
                  (void *)init);
        return;
    }
    if (init->kind == FX_INIT_FDO) {
        FX_REPORT("INIT_ORDER", init, "WDFDEVICE_INIT", globals,
                  "%s: the framework owns EvtDriverDeviceAdd's WDFDEVICE_INIT %p; only control-device and PDO "
                  "inits are freed by the driver",
                  ddi, (void *)init);
        return;
    }
    fx_device_init_free(init);
}

void imp_WdfDeviceInitSetIoType(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, WDF_DEVICE_IO_TYPE io_type)
{
    static const char ddi[] = "WdfDeviceInitSetIoType";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (io_type != WdfDeviceIoNeither && io_type != WdfDeviceIoBuffered && io_type != WdfDeviceIoDirect) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "%s: IoType %d is not WdfDeviceIoNeither, WdfDeviceIoBuffered or WdfDeviceIoDirect", ddi,
                  (int)io_type);
        return;
    }
    init->io_type = io_type;
}

void imp_WdfDeviceInitSetExclusive(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, BOOLEAN exclusive)
{
    if (fx_device_init_check(globals, init, "WdfDeviceInitSetExclusive"))
        init->exclusive = exclusive ? TRUE : FALSE;
}

void imp_WdfDeviceInitSetDeviceType(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, DEVICE_TYPE device_type)
{
    if (fx_device_init_check(globals, init, "WdfDeviceInitSetDeviceType"))
        init->device_type = device_type;
}

void imp_WdfDeviceInitSetCharacteristics(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, ULONG characteristics,
                                         BOOLEAN or_in_values)
{
    if (!fx_device_init_check(globals, init, "WdfDeviceInitSetCharacteristics"))
        return;
    if (or_in_values)
        init->characteristics |= characteristics;
    else
        init->characteristics = characteristics;
}

NTSTATUS imp_WdfDeviceInitAssignName(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING name)
{
    static const char ddi[] = "WdfDeviceInitAssignName";
    if (!fx_device_init_check(globals, init, ddi))
        return STATUS_INVALID_PARAMETER;
    if (name != NULL && !fx_core_valid_string(name)) {
        FX_REPORT("DDI_INVALID_PARAMETER", name, "UNICODE_STRING", globals, "%s: DeviceName is malformed", ddi);
        return STATUS_INVALID_PARAMETER;
    }
    /* NULL removes a name assigned before. */
    UNICODE_STRING copy;
    NTSTATUS status = fx_core_copy_string(&copy, name);
    if (!NT_SUCCESS(status))
        return status;
    fx_core_free_string(&init->name);
    init->name = copy;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfDeviceInitAssignSDDLString(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING sddl)
{
    static const char ddi[] = "WdfDeviceInitAssignSDDLString";
    if (!fx_device_init_check(globals, init, ddi))
        return STATUS_INVALID_PARAMETER;
    if (sddl != NULL && !fx_core_valid_string(sddl)) {
        FX_REPORT("DDI_INVALID_PARAMETER", sddl, "UNICODE_STRING", globals, "%s: SDDLString is malformed", ddi);
        return STATUS_INVALID_PARAMETER;
    }
    /* Stored only: openwdf has no security descriptors yet. */
    UNICODE_STRING copy;
    NTSTATUS status = fx_core_copy_string(&copy, sddl);
    if (!NT_SUCCESS(status))
        return status;
    fx_core_free_string(&init->sddl);
    init->sddl = copy;
    return STATUS_SUCCESS;
}

void imp_WdfDeviceInitSetDeviceClass(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, const GUID *device_class)
{
    static const char ddi[] = "WdfDeviceInitSetDeviceClass";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (device_class == NULL) {
        FX_NULL_REPORT(globals, ddi, "DeviceClassGuid");
        return;
    }
    init->device_class = *device_class;
    init->has_device_class = TRUE;
}

void imp_WdfDeviceInitSetFileObjectConfig(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                          PWDF_FILEOBJECT_CONFIG config, PWDF_OBJECT_ATTRIBUTES attributes)
{
    static const char ddi[] = "WdfDeviceInitSetFileObjectConfig";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (config == NULL) {
        FX_NULL_REPORT(globals, ddi, "FileObjectConfig");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_FILEOBJECT_CONFIG, config))
        return;
    ULONG cls = (ULONG)config->FileObjectClass & WDF_FILEOBJECT_CLASS_MASK;
    if (cls < WdfFileObjectNotRequired || cls > WdfFileObjectWdfCannotUseFsContexts) {
        FX_REPORT("DDI_INVALID_PARAMETER", config, "WDF_FILEOBJECT_CONFIG", globals,
                  "%s: FileObjectClass 0x%x is not a WDF_FILEOBJECT_CLASS", ddi, (unsigned)config->FileObjectClass);
        return;
    }
    if (config->AutoForwardCleanupClose != WdfFalse && config->AutoForwardCleanupClose != WdfTrue &&
        config->AutoForwardCleanupClose != WdfUseDefault) {
        FX_REPORT("DDI_INVALID_PARAMETER", config, "WDF_FILEOBJECT_CONFIG", globals,
                  "%s: AutoForwardCleanupClose %d is not a WDF_TRI_STATE", ddi, (int)config->AutoForwardCleanupClose);
        return;
    }
    if (attributes != NULL) {
        if (!fx_attributes_size_ok(globals, attributes, ddi))
            return;
        if (attributes->ParentObject != NULL) {
            FX_REPORT("DDI_INVALID_PARAMETER", attributes, "WDF_OBJECT_ATTRIBUTES", globals,
                      "%s: file objects cannot have a ParentObject (their parent is the device)", ddi);
            return;
        }
        init->file_attributes = *attributes;
        init->has_file_attributes = TRUE;
    } else {
        init->has_file_attributes = FALSE;
    }
    init->file_config = *config;
    init->has_file_config = TRUE;
}

void imp_WdfDeviceInitSetRequestAttributes(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                           PWDF_OBJECT_ATTRIBUTES attributes)
{
    static const char ddi[] = "WdfDeviceInitSetRequestAttributes";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (attributes == NULL) {
        FX_NULL_REPORT(globals, ddi, "RequestAttributes");
        return;
    }
    if (!fx_attributes_size_ok(globals, attributes, ddi))
        return;
    if (attributes->ParentObject != NULL) {
        FX_REPORT("DDI_INVALID_PARAMETER", attributes, "WDF_OBJECT_ATTRIBUTES", globals,
                  "%s: request attributes cannot name a ParentObject", ddi);
        return;
    }
    init->request_attributes = *attributes;
    init->has_request_attributes = TRUE;
}

void imp_WdfDeviceInitSetIoInCallerContextCallback(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                                   PFN_WDF_IO_IN_CALLER_CONTEXT callback)
{
    static const char ddi[] = "WdfDeviceInitSetIoInCallerContextCallback";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (callback == NULL) {
        FX_NULL_REPORT(globals, ddi, "EvtIoInCallerContext");
        return;
    }
    init->io_in_caller_context = callback;
}

void imp_WdfDeviceInitSetPnpPowerEventCallbacks(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                                PWDF_PNPPOWER_EVENT_CALLBACKS callbacks)
{
    static const char ddi[] = "WdfDeviceInitSetPnpPowerEventCallbacks";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (callbacks == NULL) {
        FX_NULL_REPORT(globals, ddi, "PnpPowerEventCallbacks");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_PNPPOWER_EVENT_CALLBACKS, callbacks))
        return;
    if (init->kind == FX_INIT_CONTROL) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "%s: control devices take no PnP or power callbacks", ddi);
        return;
    }
    init->pnp_callbacks = *callbacks;
}

void imp_WdfDeviceInitSetPowerPolicyEventCallbacks(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                                   PWDF_POWER_POLICY_EVENT_CALLBACKS callbacks)
{
    static const char ddi[] = "WdfDeviceInitSetPowerPolicyEventCallbacks";
    if (!fx_device_init_check(globals, init, ddi))
        return;
    if (callbacks == NULL) {
        FX_NULL_REPORT(globals, ddi, "PowerPolicyEventCallbacks");
        return;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_POWER_POLICY_EVENT_CALLBACKS, callbacks))
        return;
    if (init->kind == FX_INIT_CONTROL) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "%s: control devices take no power policy callbacks", ddi);
        return;
    }
    /* Stored: the power policy state machine (next round) calls them. */
    init->power_policy_callbacks = *callbacks;
}

void imp_WdfDeviceInitSetPowerPolicyOwnership(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, BOOLEAN owner)
{
    if (!fx_device_init_check(globals, init, "WdfDeviceInitSetPowerPolicyOwnership"))
        return;
    init->power_policy_owner_set = TRUE;
    init->power_policy_owner = owner ? TRUE : FALSE;
}

void imp_WdfDeviceInitSetPowerNotPageable(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init)
{
    if (!fx_device_init_check(globals, init, "WdfDeviceInitSetPowerNotPageable"))
        return;
    init->power_pageable_set = TRUE;
    init->power_pageable = FALSE;
}

void imp_WdfDeviceInitSetPowerPageable(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init)
{
    if (!fx_device_init_check(globals, init, "WdfDeviceInitSetPowerPageable"))
        return;
    init->power_pageable_set = TRUE;
    init->power_pageable = TRUE;
}

void imp_WdfDeviceInitSetPowerInrush(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init)
{
    if (!fx_device_init_check(globals, init, "WdfDeviceInitSetPowerInrush"))
        return;
    /* An inrush device is never pageable (DO_POWER_INRUSH excludes DO_POWER_PAGABLE). */
    init->power_inrush = TRUE;
    init->power_pageable_set = TRUE;
    init->power_pageable = FALSE;
}

NTSTATUS imp_WdfDeviceInitAssignWdmIrpPreprocessCallback(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                                         PFN_WDFDEVICE_WDM_IRP_PREPROCESS callback,
                                                         UCHAR major_function, PUCHAR minor_functions,
                                                         ULONG minor_count)
{
    static const char ddi[] = "WdfDeviceInitAssignWdmIrpPreprocessCallback";
    if (!fx_device_init_check(globals, init, ddi))
        return STATUS_INVALID_PARAMETER;
    if (callback == NULL) {
        FX_NULL_REPORT(globals, ddi, "EvtDeviceWdmIrpPreprocess");
        return STATUS_INVALID_PARAMETER;
    }
    if (major_function > IRP_MJ_MAXIMUM_FUNCTION) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals, "%s: MajorFunction 0x%x is out of range",
                  ddi, major_function);
        return STATUS_INVALID_PARAMETER;
    }
    if (minor_count != 0 && minor_functions == NULL) {
        FX_NULL_REPORT(globals, ddi, "MinorFunctions (NumMinorFunctions is not 0)");
        return STATUS_INVALID_PARAMETER;
    }
    fx_irp_preprocess *p = &init->preprocess[major_function];
    if (p->callback != NULL && p->callback != callback) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "%s: another EvtDeviceWdmIrpPreprocess is already assigned to major function 0x%x", ddi,
                  major_function);
        return STATUS_INVALID_PARAMETER;
    }
    if (p->callback != NULL && (p->minor_count == 0 || minor_count == 0)) {
        /* Every minor code already, or now. */
        p->minor_count = 0;
        return STATUS_SUCCESS;
    }
    if (p->minor_count + minor_count > sizeof p->minors)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = 0; i < minor_count; i++)
        p->minors[p->minor_count + i] = minor_functions[i];
    p->minor_count += minor_count;
    p->callback = callback;
    return STATUS_SUCCESS;
}

/* ---- Control devices ------------------------------------------------------------------------------ */

PWDFDEVICE_INIT imp_WdfControlDeviceInitAllocate(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle,
                                                 const UNICODE_STRING *sddl)
{
    static const char ddi[] = "WdfControlDeviceInitAllocate";
    fx_driver *driver = (fx_driver *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_DRIVER, ddi);
    if (driver == NULL)
        return NULL;
    if (sddl == NULL) {
        FX_NULL_REPORT(globals, ddi, "SDDLString");
        return NULL;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return NULL;
    if (!fx_core_valid_string(sddl)) {
        FX_REPORT("DDI_INVALID_PARAMETER", sddl, "UNICODE_STRING", globals, "%s: SDDLString is malformed", ddi);
        return NULL;
    }
    PWDFDEVICE_INIT init = fx_init_allocate(driver, FX_INIT_CONTROL);
    if (init == NULL)
        return NULL;
    if (!NT_SUCCESS(fx_core_copy_string(&init->sddl, sddl))) {
        fx_device_init_free(init);
        return NULL;
    }
    KIRQL irql;
    KeAcquireSpinLock(&driver->object.lock, &irql);
    InsertTailList(&driver->control_inits, &init->link);
    KeReleaseSpinLock(&driver->object.lock, irql);
    return init;
}

void imp_WdfControlDeviceInitSetShutdownNotification(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                                     PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION notification, UCHAR flags)
{
    static const char ddi[] = "WdfControlDeviceInitSetShutdownNotification";
    if (!fx_device_init_check(globals, init, ddi) || !fx_init_kind_check(globals, init, FX_INIT_CONTROL, ddi))
        return;
    if (notification == NULL) {
        FX_NULL_REPORT(globals, ddi, "Notification");
        return;
    }
    if (flags == 0 || (flags & ~(WdfDeviceShutdown | WdfDeviceLastChanceShutdown)) != 0) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals,
                  "%s: Flags 0x%x must be WdfDeviceShutdown and/or WdfDeviceLastChanceShutdown", ddi, flags);
        return;
    }
    /* Stored: openwdf has no system shutdown yet. */
    init->shutdown_notification = notification;
    init->shutdown_flags = flags;
}

/* ---- FDO inits -------------------------------------------------------------------------------------- */

void imp_WdfFdoInitSetFilter(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init)
{
    static const char ddi[] = "WdfFdoInitSetFilter";
    if (fx_device_init_check(globals, init, ddi) && fx_init_kind_check(globals, init, FX_INIT_FDO, ddi))
        init->filter = TRUE;
}

PDEVICE_OBJECT imp_WdfFdoInitWdmGetPhysicalDevice(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init)
{
    static const char ddi[] = "WdfFdoInitWdmGetPhysicalDevice";
    if (!fx_device_init_check(globals, init, ddi) || !fx_init_kind_check(globals, init, FX_INIT_FDO, ddi))
        return NULL;
    return init->pdo;
}

NTSTATUS imp_WdfFdoInitQueryProperty(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init,
                                     DEVICE_REGISTRY_PROPERTY property, ULONG length, PVOID buffer, PULONG result)
{
    UNREFERENCED_PARAMETER(property);
    UNREFERENCED_PARAMETER(length);
    UNREFERENCED_PARAMETER(buffer);
    if (result != NULL)
        *result = 0;
    FX_REPORT("NOT_IMPLEMENTED", init, "WDFDEVICE_INIT", globals,
              "WdfFdoInitQueryProperty: device properties are not implemented yet");
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS imp_WdfFdoInitOpenRegistryKey(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, ULONG key_type,
                                       ACCESS_MASK access, PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key)
{
    static const char ddi[] = "WdfFdoInitOpenRegistryKey";
    if (key != NULL)
        *key = NULL;
    if (!fx_device_init_check(globals, init, ddi))
        return STATUS_INVALID_PARAMETER;
    if (init->kind != FX_INIT_FDO) {
        FX_REPORT("DDI_INVALID_PARAMETER", init, "WDFDEVICE_INIT", globals, "%s: not an FDO's WDFDEVICE_INIT", ddi);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return fx_device_open_registry_key(globals, init->pdo, key_type, access, attributes, key, init,
                                       "WDFDEVICE_INIT", ddi);
}

/* ---- PDO inits (not implemented this round) --------------------------------------------------------- */

#define FX_PDO_NOT_IMPLEMENTED(globals, object, ddi) \
    FX_REPORT("NOT_IMPLEMENTED", object, "WDFDEVICE_INIT", globals, "%s: PDOs (bus drivers) are not implemented yet", \
              ddi)

PWDFDEVICE_INIT imp_WdfPdoInitAllocate(PWDF_DRIVER_GLOBALS globals, WDFDEVICE parent)
{
    FX_PDO_NOT_IMPLEMENTED(globals, parent, "WdfPdoInitAllocate");
    return NULL;
}

NTSTATUS imp_WdfPdoInitAssignDeviceID(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING id)
{
    UNREFERENCED_PARAMETER(id);
    FX_PDO_NOT_IMPLEMENTED(globals, init, "WdfPdoInitAssignDeviceID");
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS imp_WdfPdoInitAssignInstanceID(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING id)
{
    UNREFERENCED_PARAMETER(id);
    FX_PDO_NOT_IMPLEMENTED(globals, init, "WdfPdoInitAssignInstanceID");
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS imp_WdfPdoInitAddHardwareID(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING id)
{
    UNREFERENCED_PARAMETER(id);
    FX_PDO_NOT_IMPLEMENTED(globals, init, "WdfPdoInitAddHardwareID");
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS imp_WdfPdoInitAddCompatibleID(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING id)
{
    UNREFERENCED_PARAMETER(id);
    FX_PDO_NOT_IMPLEMENTED(globals, init, "WdfPdoInitAddCompatibleID");
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS imp_WdfPdoInitAddDeviceText(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, PCUNICODE_STRING description,
                                     PCUNICODE_STRING location, LCID locale)
{
    UNREFERENCED_PARAMETER(description);
    UNREFERENCED_PARAMETER(location);
    UNREFERENCED_PARAMETER(locale);
    FX_PDO_NOT_IMPLEMENTED(globals, init, "WdfPdoInitAddDeviceText");
    return STATUS_NOT_IMPLEMENTED;
}

void imp_WdfPdoInitSetDefaultLocale(PWDF_DRIVER_GLOBALS globals, PWDFDEVICE_INIT init, LCID locale)
{
    UNREFERENCED_PARAMETER(locale);
    FX_PDO_NOT_IMPLEMENTED(globals, init, "WdfPdoInitSetDefaultLocale");
}

NTSTATUS imp_WdfPdoMarkMissing(PWDF_DRIVER_GLOBALS globals, WDFDEVICE device)
{
    FX_PDO_NOT_IMPLEMENTED(globals, device, "WdfPdoMarkMissing");
    return STATUS_NOT_IMPLEMENTED;
}

void imp_WdfPdoRequestEject(PWDF_DRIVER_GLOBALS globals, WDFDEVICE device)
{
    FX_PDO_NOT_IMPLEMENTED(globals, device, "WdfPdoRequestEject");
}
