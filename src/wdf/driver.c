/*
 * driver.c - the WDFDRIVER: binding a driver binary to the Framework (imp_fx_driver_bind/unbind,
 * called by the stub), WdfDriverCreate (the Framework takes the dispatch table, AddDevice and
 * DriverUnload), the Framework's AddDevice and unload routines, and the WdfDriver* calls.
 *
 * Unload order (as KMDF): EvtDriverUnload, then the driver's own WDM unload routine if it had set one
 * before WdfDriverCreate, then the devices still left are deleted (a control device a PnP driver did
 * not delete is CONTROL_DEVICE_NOT_DELETED; a PnP device still present is DRIVER_UNLOADED_WITH_DEVICES),
 * then the WDFDRIVER and its children; objects still allocated after that are reported
 * (OBJECT_LEAK_AT_UNLOAD, with the object tree in the report and the driver's debug log).
 *
 * Globals whose driver leaked objects cannot be freed while those objects live (the objects point
 * at them): they wait on a list and are freed by the next bind/unbind (or fx_driver_reap_globals())
 * once their last object is gone.
 */
#include "fx_core.h"
#include "fx_support.h"
#include "fx_registry.h"
#include "fx_string.h"

#include <openwdf/dbglog.h>
#include <openwdf/io.h>
#include <openwdf/wpp.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The driver object extension (IoAllocateDriverObjectExtension) that maps a DRIVER_OBJECT to its
 * WDFDRIVER; the address of this variable is the extension's id. */
static const char fx_driver_extension_id;

struct fx_driver_extension {
    fx_driver *volatile driver;             /* set by WdfDriverCreate */
    fx_driver_globals *volatile globals;    /* set by the binding, cleared by unbind */
};

static struct fx_driver_extension *fx_driver_extension(PDRIVER_OBJECT driver_object)
{
    return driver_object != NULL ? IoGetDriverObjectExtension(driver_object, (PVOID)&fx_driver_extension_id) : NULL;
}

/* WPP messages traced by a bound driver's code also go to its in-flight recorder. */
static void fx_wpp_sink(const owdf_wpp_message *message)
{
    struct fx_driver_extension *x = fx_driver_extension(owdf_io_current_driver());
    fx_driver_globals *g = x != NULL ? x->globals : NULL;
    if (g != NULL)
        fx_ifr_printf(g->ifr, OWDF_IFR_TRACE, NULL, "%.*s", (int)message->length, message->text);
}

static pthread_once_t fx_wpp_sink_once = PTHREAD_ONCE_INIT;

static void fx_wpp_sink_install(void)
{
    owdf_wpp_set_sink(fx_wpp_sink);
}

/* ---- globals ------------------------------------------------------------------------------------ */

struct fx_zombie {
    struct fx_zombie *next;
    fx_driver_globals *globals;
};

static pthread_mutex_t fx_zombie_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fx_zombie *fx_zombies;

static void fx_globals_free(fx_driver_globals *g)
{
    fx_ifr_destroy(g->ifr);
    g->magic = 0;
    ExFreePoolWithTag(g, FX_CORE_TAG);
}

void fx_driver_reap_globals(void)
{
    pthread_mutex_lock(&fx_zombie_lock);
    struct fx_zombie **link = &fx_zombies, *z;
    while ((z = *link) != NULL) {
        if (fx_object_live_count(&z->globals->public) == 0) {
            *link = z->next;
            fx_globals_free(z->globals);
            free(z);
        } else {
            link = &z->next;
        }
    }
    pthread_mutex_unlock(&fx_zombie_lock);
}

/* The pool tag KMDF derives from the service name: its first four characters. */
static ULONG fx_tag_from_name(const char *name)
{
    size_t length = strlen(name);
    ULONG tag = 0;
    for (size_t i = 0; i < 4; i++)
        tag |= (ULONG)(i < length ? (unsigned char)name[i] : ' ') << (8 * i);
    return tag;
}

NTSTATUS imp_fx_driver_bind(PDRIVER_OBJECT driver_object, PUNICODE_STRING registry_path,
                            PWDF_DRIVER_GLOBALS *globals_out)
{
    UNREFERENCED_PARAMETER(registry_path);
    if (globals_out != NULL)
        *globals_out = NULL;
    if (driver_object == NULL || globals_out == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!ke_check_max_irql(PASSIVE_LEVEL, "FxDriverEntry"))
        return STATUS_INVALID_DEVICE_STATE;
    fx_driver_reap_globals();

    fx_driver_globals *g = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *g, FX_CORE_TAG);
    if (g == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    const char *name = owdf_io_driver_name(driver_object);
    if (name == NULL)
        name = "driver";
    g->magic = FX_GLOBALS_MAGIC;
    g->wdm_driver = driver_object;
    snprintf(g->public.DriverName, sizeof g->public.DriverName, "%s", name);
    g->public.DriverTag = fx_tag_from_name(name);
    g->ifr = fx_ifr_create(name, 0);
    if (g->ifr == NULL) {
        ExFreePoolWithTag(g, FX_CORE_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    struct fx_driver_extension *x = fx_driver_extension(driver_object);
    if (x == NULL) {
        NTSTATUS status = IoAllocateDriverObjectExtension(driver_object, (PVOID)&fx_driver_extension_id, sizeof *x,
                                                          (PVOID *)&x);
        if (!NT_SUCCESS(status)) {
            fx_ifr_destroy(g->ifr);
            ExFreePoolWithTag(g, FX_CORE_TAG);
            return status;
        }
    }
    x->driver = NULL;
    x->globals = g;
    pthread_once(&fx_wpp_sink_once, fx_wpp_sink_install);
    fx_ifr_printf(g->ifr, OWDF_IFR_TRACE, NULL, "bound driver %s", name);
    *globals_out = &g->public;
    return STATUS_SUCCESS;
}

/* Reports the objects a driver still has, with their tree. */
static void fx_driver_report_leaks(PWDF_DRIVER_GLOBALS globals)
{
    ULONG count = fx_object_live_count(globals);
    if (count == 0)
        return;
    char *tree = NULL;
    size_t tree_size = 0;
    FILE *f = open_memstream(&tree, &tree_size);
    if (f != NULL) {
        fx_object_dump_tree(globals, f);
        fclose(f);
    }
    owdf_dbg_log *log = owdf_io_driver_log(fx_globals(globals)->wdm_driver);
    if (log != NULL && tree != NULL) {
        owdf_dbg_log_printf(log, "openwdf: %u framework object(s) still allocated at unload:\n", (unsigned)count);
        owdf_dbg_log_write(log, tree, tree_size);
    }
    FX_REPORT("OBJECT_LEAK_AT_UNLOAD", NULL, "WDFDRIVER", globals,
              "driver %s unloaded with %u framework object(s) still allocated:\n%s", globals->DriverName,
              (unsigned)count, tree != NULL ? tree : "");
    free(tree);
}

/* Deletes the devices a driver left (reports as the header says), then the WDFDRIVER. */
static void fx_driver_teardown(fx_driver *driver);

void imp_fx_driver_unbind(PWDF_DRIVER_GLOBALS globals)
{
    if (globals == NULL)
        return;
    fx_driver_globals *g = fx_globals(globals);
    if (g->magic != FX_GLOBALS_MAGIC)
        return;
    /* A WDFDRIVER still here: DriverEntry failed after WdfDriverCreate, or the unload routine was
     * not the Framework's. No WDFDRIVER ever: objects made without one are leaks too. An unload
     * that went through fx_driver_unload already reported. */
    BOOLEAN report = g->driver != NULL || globals->Driver == NULL;
    if (g->driver != NULL)
        fx_driver_teardown(g->driver);
    if (report)
        fx_driver_report_leaks(globals);
    fx_ifr_printf(g->ifr, OWDF_IFR_TRACE, NULL, "unbound driver %s", globals->DriverName);
    struct fx_driver_extension *x = fx_driver_extension(g->wdm_driver);
    if (x != NULL && x->globals == g)
        x->globals = NULL;
    if (fx_object_live_count(globals) == 0) {
        fx_globals_free(g);
    } else {
        struct fx_zombie *z = malloc(sizeof *z);
        if (z != NULL) {
            z->globals = g;
            pthread_mutex_lock(&fx_zombie_lock);
            z->next = fx_zombies;
            fx_zombies = z;
            pthread_mutex_unlock(&fx_zombie_lock);
        }
    }
    fx_driver_reap_globals();
}

/* ---- the WDFDRIVER object ------------------------------------------------------------------------ */

static void fx_driver_destroy(fx_object *object)
{
    fx_driver *driver = (fx_driver *)object;
    if (driver->globals->driver == driver)
        driver->globals->driver = NULL;
    fx_core_free_string(&driver->registry_path);
    ObDereferenceObject(driver->wdm_driver); /* taken by WdfDriverCreate */
}

static BOOLEAN fx_driver_may_delete(fx_object *object)
{
    UNREFERENCED_PARAMETER(object);
    return FALSE;
}

static const fx_object_ops fx_driver_ops = {
    .type = FX_TYPE_DRIVER,
    .name = "WDFDRIVER",
    .destroy = fx_driver_destroy,
    .driver_may_delete = fx_driver_may_delete,
    .allows_execution_level = TRUE,
    .allows_synchronization_scope = TRUE,
    .allows_parent = FALSE,
};

fx_driver *fx_driver_from_wdm(PDRIVER_OBJECT driver_object)
{
    if (driver_object == NULL)
        return NULL;
    struct fx_driver_extension *x = fx_driver_extension(driver_object);
    return x != NULL ? x->driver : NULL;
}

static fx_driver *fx_driver_from_handle(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle, const char *caller)
{
    return (fx_driver *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_DRIVER, caller);
}

NTSTATUS imp_WdfDriverCreate(PWDF_DRIVER_GLOBALS globals, PDRIVER_OBJECT driver_object, PCUNICODE_STRING registry_path,
                             PWDF_OBJECT_ATTRIBUTES attributes, PWDF_DRIVER_CONFIG config, WDFDRIVER *driver_out)
{
    static const char ddi[] = "WdfDriverCreate";
    if (globals == NULL || fx_globals(globals)->magic != FX_GLOBALS_MAGIC) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", NULL, "WDFDRIVER", NULL,
                           "%s: the driver is not bound to the Framework (WdfDriverGlobals is NULL: was the driver "
                           "entered through FxDriverEntry?)", ddi);
        return STATUS_INVALID_PARAMETER;
    }
    if (driver_object == NULL || registry_path == NULL || config == NULL) {
        FX_NULL_REPORT(globals, ddi,
                       driver_object == NULL ? "DriverObject" : registry_path == NULL ? "RegistryPath" : "DriverConfig");
        return STATUS_INVALID_PARAMETER;
    }
    if (!fx_support_check_exact_size(globals, ddi, WDF_DRIVER_CONFIG, config))
        return STATUS_INFO_LENGTH_MISMATCH;
    const ULONG valid_flags = WdfDriverInitNonPnpDriver | WdfDriverInitNoDispatchOverride;
    if ((config->DriverInitFlags & ~valid_flags) != 0) {
        FX_REPORT("DDI_INVALID_PARAMETER", config, "WDF_DRIVER_CONFIG", globals,
                  "%s: DriverInitFlags 0x%x has bits outside 0x%x", ddi, config->DriverInitFlags, valid_flags);
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!fx_core_valid_string(registry_path)) {
        FX_REPORT("DDI_INVALID_PARAMETER", registry_path, "UNICODE_STRING", globals, "%s: RegistryPath is malformed",
                  ddi);
        return STATUS_INVALID_PARAMETER;
    }
    fx_driver_globals *g = fx_globals(globals);
    if (g->driver != NULL || globals->Driver != NULL) {
        FX_REPORT("DRIVER_CREATE_TWICE", driver_object, "DRIVER_OBJECT", globals,
                  "%s: called again for driver %s; it may be called once per driver object", ddi,
                  globals->DriverName);
        return STATUS_DRIVER_INTERNAL_ERROR;
    }
    if (driver_out != NULL)
        *driver_out = NULL;
    if (!(config->DriverInitFlags & WdfDriverInitNoDispatchOverride) &&
        (config->DriverInitFlags & WdfDriverInitNonPnpDriver) && config->EvtDriverDeviceAdd != NULL) {
        FX_REPORT("DDI_INVALID_PARAMETER", config, "WDF_DRIVER_CONFIG", globals,
                  "%s: a non-PnP driver (WdfDriverInitNonPnpDriver) cannot have EvtDriverDeviceAdd", ddi);
        return STATUS_INVALID_PARAMETER;
    }
    if (attributes != NULL && attributes->ParentObject != NULL)
        return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;

    fx_driver *driver;
    NTSTATUS status =
        fx_object_create(globals, &fx_driver_ops, sizeof(fx_driver), attributes, NULL, (void **)&driver);
    if (!NT_SUCCESS(status))
        return status;
    driver->globals = g;
    driver->wdm_driver = driver_object;
    ObReferenceObject(driver_object); /* the DRIVER_OBJECT outlives its WDFDRIVER (leaked children) */
    driver->config = *config;
    InitializeListHead(&driver->devices);
    InitializeListHead(&driver->control_inits);
    status = fx_core_copy_string(&driver->registry_path, registry_path);
    if (!NT_SUCCESS(status))
        goto fail;

    struct fx_driver_extension *x = fx_driver_extension(driver_object);
    if (x == NULL || x->globals != g) {
        FX_REPORT("DDI_INVALID_PARAMETER", driver_object, "DRIVER_OBJECT", globals,
                  "%s: DriverObject %p is not the driver object this driver was bound with", ddi,
                  (void *)driver_object);
        status = STATUS_INVALID_PARAMETER;
        goto fail;
    }
    x->driver = driver;

    if (config->DriverPoolTag != 0 && config->DriverPoolTag != ' kdD')
        globals->DriverTag = config->DriverPoolTag;

    if (!(config->DriverInitFlags & WdfDriverInitNoDispatchOverride)) {
        for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
            driver_object->MajorFunction[i] = fx_dispatch;
        if (!(config->DriverInitFlags & WdfDriverInitNonPnpDriver) && config->EvtDriverDeviceAdd != NULL)
            driver_object->DriverExtension->AddDevice = fx_driver_add_device;
    }
    /* The Framework takes the unload routine unless the driver is non-PnP (or keeps its dispatch
     * table) and has no EvtDriverUnload: such a driver can only be unloaded by its own routine. */
    if (!(config->DriverInitFlags & (WdfDriverInitNoDispatchOverride | WdfDriverInitNonPnpDriver)) ||
        config->EvtDriverUnload != NULL) {
        globals->DisplaceDriverUnload = TRUE;
        if (driver_object->DriverUnload != fx_driver_unload)
            driver->previous_unload = driver_object->DriverUnload;
        driver_object->DriverUnload = fx_driver_unload;
    }

    g->driver = driver;
    globals->Driver = (WDFDRIVER)driver->object.handle;
    globals->DriverFlags |= config->DriverInitFlags;
    fx_ifr_record(g->ifr, OWDF_IFR_OBJECT_CREATED, driver->object.handle, FX_TYPE_DRIVER, 0);
    if (driver_out != NULL)
        *driver_out = globals->Driver;
    return STATUS_SUCCESS;

fail:
    fx_object_delete(&driver->object);
    return status;
}

/* ---- AddDevice and unload ------------------------------------------------------------------------ */

NTSTATUS fx_driver_add_device(PDRIVER_OBJECT driver_object, PDEVICE_OBJECT pdo)
{
    fx_driver *driver = fx_driver_from_wdm(driver_object);
    if (driver == NULL || driver->config.EvtDriverDeviceAdd == NULL)
        return STATUS_INVALID_DEVICE_REQUEST;
    PWDF_DRIVER_GLOBALS globals = &driver->globals->public;
    PWDFDEVICE_INIT init = fx_device_init_allocate_fdo(driver, pdo);
    if (init == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;

    NTSTATUS status;
    FX_CALL_DRIVER(globals, "EvtDriverDeviceAdd", driver->object.handle,
                   status = driver->config.EvtDriverDeviceAdd((WDFDRIVER)driver->object.handle, init));

    fx_device *device = init->created_device;
    if (!NT_SUCCESS(status)) {
        /* KMDF deletes a device created by an EvtDriverDeviceAdd that then failed. */
        if (device != NULL)
            fx_device_destroy(device);
    } else if (device != NULL) {
        /* The device is ready once EvtDriverDeviceAdd returned (KMDF's FinishInitializing). */
        device->wdm_device->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    /* A filter may return success without creating a device (it does not attach). */
    fx_device_init_free(init);
    return status;
}

static void fx_driver_teardown(fx_driver *driver)
{
    PWDF_DRIVER_GLOBALS globals = &driver->globals->public;
    BOOLEAN nonpnp = (driver->config.DriverInitFlags & WdfDriverInitNonPnpDriver) != 0;
    for (;;) {
        fx_device *device = NULL;
        KIRQL irql;
        KeAcquireSpinLock(&driver->object.lock, &irql);
        if (!IsListEmpty(&driver->devices))
            device = CONTAINING_RECORD(driver->devices.Flink, fx_device, driver_link);
        KeReleaseSpinLock(&driver->object.lock, irql);
        if (device == NULL)
            break;
        if (device->flags & FX_DEVICE_CONTROL) {
            if (!nonpnp)
                FX_REPORT("CONTROL_DEVICE_NOT_DELETED", device->object.handle, "WDFDEVICE", globals,
                          "driver %s unloaded without deleting control device %p (delete it with WdfObjectDelete "
                          "before unload)", globals->DriverName, device->object.handle);
        } else {
            FX_REPORT("DRIVER_UNLOADED_WITH_DEVICES", device->object.handle, "WDFDEVICE", globals,
                      "driver %s unloaded while its device %p was still present (never removed)",
                      globals->DriverName, device->object.handle);
        }
        fx_device_destroy(device); /* unlinks it from driver->devices */
    }
    fx_device_init_free_leftovers(driver);
    /* Deleted (even while leaked children keep it allocated): no longer the driver's WDFDRIVER. */
    if (driver->globals->driver == driver)
        driver->globals->driver = NULL;
    struct fx_driver_extension *x = fx_driver_extension(driver->wdm_driver);
    if (x != NULL && x->driver == driver)
        x->driver = NULL;
    fx_ifr_record(driver->globals->ifr, OWDF_IFR_OBJECT_DELETED, driver->object.handle, FX_TYPE_DRIVER, 0);
    fx_object_delete(&driver->object);
}

void fx_driver_unload(PDRIVER_OBJECT driver_object)
{
    fx_driver *driver = fx_driver_from_wdm(driver_object);
    if (driver == NULL)
        return;
    PWDF_DRIVER_GLOBALS globals = &driver->globals->public;
    __atomic_store_n(&driver->unloading, 1, __ATOMIC_RELEASE);
    if (driver->config.EvtDriverUnload != NULL)
        FX_CALL_DRIVER(globals, "EvtDriverUnload", driver->object.handle,
                       driver->config.EvtDriverUnload((WDFDRIVER)driver->object.handle));
    if (driver->previous_unload != NULL)
        FX_CALL_DRIVER(globals, "DriverUnload", driver->object.handle, driver->previous_unload(driver_object));
    fx_driver_teardown(driver);
    fx_driver_report_leaks(globals);
}

/* ---- WdfDriver* ------------------------------------------------------------------------------------ */

PWSTR imp_WdfDriverGetRegistryPath(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle)
{
    fx_driver *driver = fx_driver_from_handle(globals, handle, "WdfDriverGetRegistryPath");
    if (driver == NULL || !ke_check_max_irql(PASSIVE_LEVEL, "WdfDriverGetRegistryPath"))
        return NULL;
    return driver->registry_path.Buffer;
}

PDRIVER_OBJECT imp_WdfDriverWdmGetDriverObject(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle)
{
    fx_driver *driver = fx_driver_from_handle(globals, handle, "WdfDriverWdmGetDriverObject");
    return driver != NULL ? driver->wdm_driver : NULL;
}

WDFDRIVER imp_WdfWdmDriverGetWdfDriverHandle(PWDF_DRIVER_GLOBALS globals, PDRIVER_OBJECT driver_object)
{
    if (driver_object == NULL) {
        FX_NULL_REPORT(globals, "WdfWdmDriverGetWdfDriverHandle", "DriverObject");
        return NULL;
    }
    if (!ke_check_max_irql(DISPATCH_LEVEL, "WdfWdmDriverGetWdfDriverHandle"))
        return NULL;
    fx_driver *driver = fx_driver_from_wdm(driver_object);
    return driver != NULL ? (WDFDRIVER)driver->object.handle : NULL;
}

NTSTATUS imp_WdfDriverOpenParametersRegistryKey(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle, ACCESS_MASK access,
                                                PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key)
{
    static const char ddi[] = "WdfDriverOpenParametersRegistryKey";
    if (key != NULL)
        *key = NULL;
    fx_driver *driver = fx_driver_from_handle(globals, handle, ddi);
    if (driver == NULL)
        return STATUS_INVALID_HANDLE;
    if (key == NULL) {
        FX_NULL_REPORT(globals, ddi, "Key");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    /* <service key>\Parameters, created when missing (as KMDF does). */
    UNICODE_STRING path;
    NTSTATUS status = fx_registry_join_path(FX_CORE_TAG, &path, L"", NULL, &driver->registry_path, L"\\Parameters");
    if (!NT_SUCCESS(status))
        return status;
    status = fx_registry_open_key_object(globals, &path, access, TRUE, NULL, attributes, key);
    ExFreePoolWithTag(path.Buffer, FX_CORE_TAG);
    return status;
}

BOOLEAN imp_WdfDriverIsVersionAvailable(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle,
                                        PWDF_DRIVER_VERSION_AVAILABLE_PARAMS params)
{
    static const char ddi[] = "WdfDriverIsVersionAvailable";
    if (fx_driver_from_handle(globals, handle, ddi) == NULL)
        return FALSE;
    if (params == NULL) {
        FX_NULL_REPORT(globals, ddi, "VersionAvailableParams");
        return FALSE;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return FALSE;
    if (!fx_support_check_exact_size(globals, ddi, WDF_DRIVER_VERSION_AVAILABLE_PARAMS, params))
        return FALSE;
    /* One major version; every minor version up to ours. */
    return params->MajorVersion == OWDF_KMDF_VERSION_MAJOR && params->MinorVersion <= OWDF_KMDF_VERSION_MINOR;
}

NTSTATUS fx_core_assign_string(PWDF_DRIVER_GLOBALS globals, WDFSTRING string, PCUNICODE_STRING value,
                               const char *caller)
{
    fx_string *s = fx_string_from_handle_at(globals, string, caller);
    if (s == NULL)
        return STATUS_INVALID_HANDLE;
    return fx_string_assign(s, value);
}

NTSTATUS imp_WdfDriverRetrieveVersionString(PWDF_DRIVER_GLOBALS globals, WDFDRIVER handle, WDFSTRING string)
{
    static const char ddi[] = "WdfDriverRetrieveVersionString";
    static const WCHAR text[] = L"Kernel Mode Driver Framework (openwdf) version 1.33";
    if (fx_driver_from_handle(globals, handle, ddi) == NULL)
        return STATUS_INVALID_HANDLE;
    if (string == NULL) {
        FX_NULL_REPORT(globals, ddi, "String");
        return STATUS_INVALID_PARAMETER;
    }
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    UNICODE_STRING value = {sizeof text - sizeof(WCHAR), sizeof text, (PWCH)text};
    return fx_core_assign_string(globals, string, &value, ddi);
}

NTSTATUS imp_WdfDriverRegisterTraceInfo(PWDF_DRIVER_GLOBALS globals, PDRIVER_OBJECT driver_object,
                                        PFN_WDF_TRACE_CALLBACK callback, PVOID control_block)
{
    UNREFERENCED_PARAMETER(globals);
    UNREFERENCED_PARAMETER(driver_object);
    UNREFERENCED_PARAMETER(callback);
    UNREFERENCED_PARAMETER(control_block);
    return STATUS_NOT_SUPPORTED; /* as KMDF */
}
