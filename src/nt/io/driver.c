/*
 * driver.c - driver objects: loading (DriverEntry), unloading (DriverUnload), driver object
 * extensions, the default dispatch routine, the per-thread "current driver", and the verifier's
 * stop-driver handler (a stopped driver's devices fail every new IRP with STATUS_DEVICE_REMOVED).
 *
 * A driver object is one allocation: DRIVER_OBJECT, DRIVER_EXTENSION, struct io_driver_private and
 * the two name buffers. It is an object with a header (object.c): the load holds one reference,
 * each of its device objects holds one, and the memory (and the driver's debug log) goes with the
 * last. Loaded drivers are on one list under io_driver_lock (PASSIVE_LEVEL only, never held across
 * a call into the driver).
 */
#include "io_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

__thread PDRIVER_OBJECT io_tls_current_driver
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

static pthread_mutex_t io_driver_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY io_driver_list = {&io_driver_list, &io_driver_list};
static ULONG io_driver_count;

#define IO_DRIVER_PREFIX L"\\Driver\\"
#define IO_DRIVER_PREFIX_CHARS 8
#define IO_SERVICES_PREFIX L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"
#define IO_SERVICES_PREFIX_CHARS 52
#define IO_TAG_REGPATH 0x67655249 /* 'IReg' */
#define IO_TAG_DRVEXT 0x78454449  /* 'IDEx' */

static WCHAR io_hardware_database_buffer[] = L"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM";
static UNICODE_STRING io_hardware_database = {sizeof io_hardware_database_buffer - sizeof(WCHAR),
                                              sizeof io_hardware_database_buffer,
                                              io_hardware_database_buffer};

struct io_driver_extension_entry {
    struct io_driver_extension_entry *next;
    PVOID id;
    /* extension memory follows, 16-byte aligned */
} __attribute__((aligned(16)));

struct io_driver_block {
    DRIVER_OBJECT driver;
    DRIVER_EXTENSION extension;
    struct io_driver_private priv;
    WCHAR driver_name[IO_DRIVER_PREFIX_CHARS + 64];
    WCHAR service_name[64];
};

/* ---- Default dispatch routines ----------------------------------------------------------------- */

NTSTATUS io_dispatch_invalid_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

NTSTATUS io_dispatch_device_removed(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_DEVICE_REMOVED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_DEVICE_REMOVED;
}

/* ---- Lookup ------------------------------------------------------------------------------------ */

/* "Echo" or "\Driver\Echo" -> "Echo"; NULL if empty, too long or not printable ASCII. */
static const char *io_service_name(const char *name)
{
    if (name == NULL)
        return NULL;
    if (strncmp(name, "\\Driver\\", 8) == 0)
        name += 8;
    size_t n = strlen(name);
    if (n == 0 || n >= 64)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (name[i] <= ' ' || name[i] > '~' || name[i] == '\\')
            return NULL;
    }
    return name;
}

static PDRIVER_OBJECT io_find_locked(const char *service)
{
    for (PLIST_ENTRY e = io_driver_list.Flink; e != &io_driver_list; e = e->Flink) {
        struct io_driver_private *p = CONTAINING_RECORD(e, struct io_driver_private, link);
        if (strcasecmp(p->name, service) == 0)
            return &CONTAINING_RECORD(p, struct io_driver_block, priv)->driver;
    }
    return NULL;
}

static BOOLEAN io_is_loaded_locked(PDRIVER_OBJECT driver)
{
    for (PLIST_ENTRY e = io_driver_list.Flink; e != &io_driver_list; e = e->Flink) {
        if (&CONTAINING_RECORD(e, struct io_driver_block, priv.link)->driver == driver)
            return TRUE;
    }
    return FALSE;
}

PDRIVER_OBJECT owdf_io_find_driver(const char *name)
{
    const char *service = io_service_name(name);
    if (service == NULL)
        return NULL;
    pthread_mutex_lock(&io_driver_lock);
    PDRIVER_OBJECT driver = io_find_locked(service);
    pthread_mutex_unlock(&io_driver_lock);
    return driver;
}

ULONG owdf_io_loaded_driver_count(void)
{
    pthread_mutex_lock(&io_driver_lock);
    ULONG n = io_driver_count;
    pthread_mutex_unlock(&io_driver_lock);
    return n;
}

const char *owdf_io_driver_name(PDRIVER_OBJECT driver)
{
    return driver != NULL && driver->OwdfPrivate != NULL ? io_driver_private(driver)->name : NULL;
}

struct owdf_dbg_log *owdf_io_driver_log(PDRIVER_OBJECT driver)
{
    return driver != NULL && driver->OwdfPrivate != NULL ? io_driver_private(driver)->log : NULL;
}

PDRIVER_OBJECT owdf_io_current_driver(void)
{
    return io_tls_current_driver;
}

/* ---- Lifetime ------------------------------------------------------------------------------------ */

/* Last reference gone: no device and no load holds the driver any more. */
static void io_driver_delete(PVOID body)
{
    PDRIVER_OBJECT driver = body;
    struct io_driver_private *p = io_driver_private(driver);
    struct io_driver_extension_entry *x = p->extensions;
    while (x != NULL) {
        struct io_driver_extension_entry *next = x->next;
        ExFreePool(x);
        x = next;
    }
    owdf_dbg_log_destroy(p->log);
    io_object_free(driver);
}

static void io_unlink_driver(PDRIVER_OBJECT driver)
{
    struct io_driver_private *p = io_driver_private(driver);
    pthread_mutex_lock(&io_driver_lock);
    RemoveEntryList(&p->link);
    io_driver_count--;
    pthread_mutex_unlock(&io_driver_lock);
    io_namespace_remove(&driver->DriverName, driver);
}

/* Devices created during DriverEntry are ready once it returns (as IopReadyDeviceObjects). */
static void io_ready_devices(PDRIVER_OBJECT driver)
{
    io_database_lock();
    for (PDEVICE_OBJECT d = driver->DeviceObject; d != NULL; d = d->NextDevice)
        d->Flags &= ~DO_DEVICE_INITIALIZING;
    io_database_unlock();
}

static NTSTATUS io_copy_registry_path(const char *service, PCUNICODE_STRING given, PUNICODE_STRING copy)
{
    size_t chars = given != NULL ? given->Length / sizeof(WCHAR) : IO_SERVICES_PREFIX_CHARS + strlen(service);
    copy->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, (chars + 1) * sizeof(WCHAR), IO_TAG_REGPATH);
    if (copy->Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (given != NULL) {
        memcpy(copy->Buffer, given->Buffer, given->Length);
    } else {
        memcpy(copy->Buffer, IO_SERVICES_PREFIX, IO_SERVICES_PREFIX_CHARS * sizeof(WCHAR));
        for (size_t i = 0; service[i] != 0; i++)
            copy->Buffer[IO_SERVICES_PREFIX_CHARS + i] = (WCHAR)(unsigned char)service[i];
    }
    copy->Buffer[chars] = 0;
    copy->Length = (USHORT)(chars * sizeof(WCHAR));
    copy->MaximumLength = (USHORT)((chars + 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS owdf_io_load_driver(const char *name, PDRIVER_INITIALIZE entry, PCUNICODE_STRING registry_path,
                             PDRIVER_OBJECT *out)
{
    if (out != NULL)
        *out = NULL;
    const char *service = io_service_name(name);
    if (service == NULL || entry == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    if (registry_path != NULL && (registry_path->Length == 0 || registry_path->Buffer == NULL ||
                                  registry_path->Length > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR)))
        return STATUS_INVALID_PARAMETER;
    if (!ke_check_max_irql(PASSIVE_LEVEL, "owdf_io_load_driver"))
        return STATUS_INVALID_DEVICE_STATE;

    struct io_driver_block *b = io_object_allocate(IO_OB_DRIVER, sizeof *b, io_driver_delete);
    if (b == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(b, 0, sizeof *b);
    PDRIVER_OBJECT driver = &b->driver;
    struct io_driver_private *p = &b->priv;
    size_t n = strlen(service);
    memcpy(p->name, service, n + 1);
    memcpy(b->driver_name, IO_DRIVER_PREFIX, IO_DRIVER_PREFIX_CHARS * sizeof(WCHAR));
    for (size_t i = 0; i < n; i++) {
        b->driver_name[IO_DRIVER_PREFIX_CHARS + i] = (WCHAR)(unsigned char)service[i];
        b->service_name[i] = (WCHAR)(unsigned char)service[i];
    }

    driver->Type = IO_TYPE_DRIVER;
    driver->Size = sizeof(DRIVER_OBJECT);
    driver->DriverExtension = &b->extension;
    driver->DriverName.Buffer = b->driver_name;
    driver->DriverName.Length = (USHORT)((IO_DRIVER_PREFIX_CHARS + n) * sizeof(WCHAR));
    driver->DriverName.MaximumLength = sizeof b->driver_name;
    driver->HardwareDatabase = &io_hardware_database;
    driver->DriverInit = entry;
    driver->DriverStart = (PVOID)entry;
    driver->OwdfPrivate = p;
    b->extension.DriverObject = driver;
    b->extension.ServiceKeyName.Buffer = b->service_name;
    b->extension.ServiceKeyName.Length = (USHORT)(n * sizeof(WCHAR));
    b->extension.ServiceKeyName.MaximumLength = sizeof b->service_name;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = io_dispatch_invalid_request;

    p->log = owdf_dbg_log_create(service);
    if (p->log == NULL) {
        io_object_free(driver);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    UNICODE_STRING regpath;
    NTSTATUS status = io_copy_registry_path(service, registry_path, &regpath);
    if (!NT_SUCCESS(status))
        goto err_regpath;

    pthread_mutex_lock(&io_driver_lock);
    if (io_find_locked(service) != NULL) {
        pthread_mutex_unlock(&io_driver_lock);
        status = STATUS_IMAGE_ALREADY_LOADED;
        goto err_duplicate;
    }
    InsertTailList(&io_driver_list, &p->link);
    io_driver_count++;
    pthread_mutex_unlock(&io_driver_lock);

    status = io_namespace_insert(&driver->DriverName, IO_OBJ_DRIVER, driver);
    if (!NT_SUCCESS(status)) {
        pthread_mutex_lock(&io_driver_lock);
        RemoveEntryList(&p->link);
        io_driver_count--;
        pthread_mutex_unlock(&io_driver_lock);
        goto err_duplicate;
    }

    io_driver_call call;
    io_enter_driver(driver, &call);
    status = entry(driver, &regpath);
    io_leave_driver(&call, "DriverEntry");
    ExFreePool(regpath.Buffer);

    if (!NT_SUCCESS(status)) {
        if (driver->DeviceObject != NULL)
            io_device_delete_all(driver);
        io_unlink_driver(driver);
        ObDereferenceObject(driver);
        return status;
    }

    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        if (driver->MajorFunction[i] == NULL)
            driver->MajorFunction[i] = io_dispatch_invalid_request;
    }
    driver->Flags |= DRVO_INITIALIZED;
    io_ready_devices(driver);
    *out = driver;
    return STATUS_SUCCESS;

err_duplicate:
    ExFreePool(regpath.Buffer);
err_regpath:
    owdf_dbg_log_destroy(p->log);
    io_object_free(driver);
    return status;
}

NTSTATUS owdf_io_unload_driver(PDRIVER_OBJECT driver)
{
    if (driver == NULL || io_object_type(driver) != IO_OB_DRIVER)
        return STATUS_INVALID_PARAMETER;
    if (!ke_check_max_irql(PASSIVE_LEVEL, "owdf_io_unload_driver"))
        return STATUS_INVALID_DEVICE_STATE;
    struct io_driver_private *p = io_driver_private(driver);
    pthread_mutex_lock(&io_driver_lock);
    BOOLEAN loaded = io_is_loaded_locked(driver) && !p->unloading;
    if (loaded && driver->DriverUnload != NULL)
        p->unloading = TRUE;
    pthread_mutex_unlock(&io_driver_lock);
    if (!loaded)
        return STATUS_INVALID_PARAMETER;
    /* Windows refuses to unload a driver that has no unload routine. */
    if (driver->DriverUnload == NULL)
        return STATUS_INVALID_DEVICE_REQUEST;

    driver->Flags |= DRVO_UNLOAD_INVOKED;
    io_driver_call call;
    io_enter_driver(driver, &call);
    driver->DriverUnload(driver);
    io_leave_driver(&call, "DriverUnload");

    if (driver->DeviceObject != NULL)
        io_device_delete_all(driver);
    io_unlink_driver(driver);
    ObDereferenceObject(driver);
    return STATUS_SUCCESS;
}

/* ---- Driver object extensions ------------------------------------------------------------------- */

static pthread_mutex_t io_extension_lock = PTHREAD_MUTEX_INITIALIZER;

NTSTATUS IoAllocateDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress,
                                         ULONG DriverObjectExtensionSize, PVOID *DriverObjectExtension)
{
    *DriverObjectExtension = NULL;
    if (DriverObject == NULL || DriverObject->OwdfPrivate == NULL)
        return STATUS_INVALID_PARAMETER;
    struct io_driver_private *p = io_driver_private(DriverObject);
    struct io_driver_extension_entry *x =
        ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *x + DriverObjectExtensionSize, IO_TAG_DRVEXT);
    if (x == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    x->id = ClientIdentificationAddress;
    pthread_mutex_lock(&io_extension_lock);
    for (struct io_driver_extension_entry *e = p->extensions; e != NULL; e = e->next) {
        if (e->id == ClientIdentificationAddress) {
            pthread_mutex_unlock(&io_extension_lock);
            ExFreePool(x);
            return STATUS_OBJECT_NAME_COLLISION;
        }
    }
    x->next = p->extensions;
    p->extensions = x;
    pthread_mutex_unlock(&io_extension_lock);
    *DriverObjectExtension = x + 1;
    return STATUS_SUCCESS;
}

PVOID IoGetDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress)
{
    if (DriverObject == NULL || DriverObject->OwdfPrivate == NULL)
        return NULL;
    PVOID found = NULL;
    pthread_mutex_lock(&io_extension_lock);
    for (struct io_driver_extension_entry *e = io_driver_private(DriverObject)->extensions; e != NULL;
         e = e->next) {
        if (e->id == ClientIdentificationAddress) {
            found = e + 1;
            break;
        }
    }
    pthread_mutex_unlock(&io_extension_lock);
    return found;
}

BOOLEAN IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion)
{
    /* WDM 6.0x30: Windows 10. */
    return MajorVersion < 6 || (MajorVersion == 6 && MinorVersion <= 0x30);
}

PEPROCESS IoGetCurrentProcess(void)
{
    static char io_system_process;
    return (PEPROCESS)&io_system_process;
}

/* ---- Stopping drivers -------------------------------------------------------------------------- */

BOOLEAN owdf_io_driver_stopped(PDRIVER_OBJECT driver)
{
    return io_driver_is_stopped(driver);
}

void owdf_io_stop_driver(PDRIVER_OBJECT driver, const char *reason)
{
    pthread_mutex_lock(&io_driver_lock);
    BOOLEAN loaded = driver != NULL && io_is_loaded_locked(driver);
    if (loaded && __atomic_exchange_n(&io_driver_private(driver)->stopped, 1, __ATOMIC_ACQ_REL) == 0) {
        for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
            __atomic_store_n(&driver->MajorFunction[i], io_dispatch_device_removed, __ATOMIC_RELEASE);
        owdf_dbg_log_printf(io_driver_private(driver)->log, "openwdf: driver %s stopped: %s\n",
                            io_driver_private(driver)->name, reason != NULL ? reason : "(no reason)");
    }
    pthread_mutex_unlock(&io_driver_lock);
}

void owdf_io_stop_handler(const owdf_verifier_report *report, void *context)
{
    (void)context;
    /* A report may name its driver by something other than a loaded DRIVER_OBJECT (the Framework's
     * layers pass their driver globals): then the driver whose code is running is the offender. */
    PDRIVER_OBJECT driver = (PDRIVER_OBJECT)report->driver;
    pthread_mutex_lock(&io_driver_lock);
    if (driver != NULL && !io_is_loaded_locked(driver))
        driver = NULL;
    pthread_mutex_unlock(&io_driver_lock);
    if (driver == NULL)
        driver = io_tls_current_driver;
    if (driver == NULL) {
        fprintf(stderr,
                "openwdf: verifier asked to stop a driver for %s, but no driver is known; continuing\n",
                report->rule);
        return;
    }
    owdf_io_stop_driver(driver, report->rule);
}

void owdf_io_install_stop_handler(void)
{
    owdf_verifier_set_stop_handler(owdf_io_stop_handler, NULL);
}

/* The library starts with the I/O manager's handler; hosts and tests may install their own. */
__attribute__((constructor)) static void io_driver_init(void)
{
    owdf_io_install_stop_handler();
}
