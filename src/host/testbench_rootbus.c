/*
 * testbench_rootbus.c - the test bench's built-in root bus: a tiny WDM bus driver ("OwdfTbRoot")
 * whose PDOs stand for root-enumerated devices. A PDO answers what the PnP manager and the drivers
 * above ask a PDO (IRP_MN_QUERY_ID, QUERY_CAPABILITIES, QUERY_DEVICE_RELATIONS/TargetDeviceRelation,
 * QUERY_DEVICE_TEXT, QUERY_PNP_DEVICE_STATE, the start/stop/remove family, power IRPs) and succeeds
 * CREATE/CLEANUP/CLOSE that filters forward down to it. A PDO goes only once the device is reported
 * missing (tb_rootbus_mark_missing) and IRP_MN_REMOVE_DEVICE has come back up the stack
 * (tb_rootbus_delete_if_missing): the drivers above detach after passing the removal down, so the
 * PDO is deleted when nothing is attached to it any more.
 *
 * It also tells the I/O manager a PDO's instance ID (interface links read
 * "\??\ROOT#ECHO#0000#{guid}"), through the I/O manager's instance-ID provider hook.
 * The real PnP manager replaces this file (its root enumerator plays this part).
 *
 * IRQL: PnP IRPs at PASSIVE_LEVEL; power IRPs at <= DISPATCH_LEVEL. The PDO list is guarded by a
 * pthread mutex never held across a call into other code.
 */
#include "tb_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../nt/io/io_names.h"

#define TB_PDO_MAGIC 0x4f4450746f6f5242ull /* "BRootPDO" */
#define TB_ID_CHARS 96

typedef struct tb_pdo_ext {
    uint64_t magic;
    PDEVICE_OBJECT self;
    LIST_ENTRY link;                   /* tb_bus.pdos, under tb_bus.lock */
    char device_id[TB_ID_CHARS];       /* "ROOT\ECHO" (the hardware ID) */
    char compatible_id[TB_ID_CHARS];   /* may be empty */
    ULONG instance;                    /* 0, 1, ... per device ID */
    volatile LONG missing;             /* reported gone: REMOVE_DEVICE deletes the PDO */
    BOOLEAN started;
} tb_pdo_ext;

static struct {
    pthread_mutex_t lock;
    LIST_ENTRY pdos;
    PDRIVER_OBJECT driver;
} tb_bus = {.lock = PTHREAD_MUTEX_INITIALIZER, .pdos = {&tb_bus.pdos, &tb_bus.pdos}};

static tb_pdo_ext *tb_pdo(PDEVICE_OBJECT device)
{
    if (device == NULL || tb_bus.driver == NULL || device->DriverObject != tb_bus.driver)
        return NULL;
    tb_pdo_ext *ext = device->DeviceExtension;
    return ext != NULL && ext->magic == TB_PDO_MAGIC ? ext : NULL;
}

BOOLEAN tb_rootbus_pdo_is_ours(PDEVICE_OBJECT pdo)
{
    return tb_pdo(pdo) != NULL;
}

static size_t tb_ascii_length(const char *s)
{
    return s != NULL ? strlen(s) : 0;
}

/* A pool copy of `a` (and `b` after it, each NUL-terminated, and a final NUL when multi),
 * as WCHARs: what QUERY_ID / QUERY_DEVICE_TEXT return (the caller frees it with ExFreePool). */
static PWCHAR tb_wide_dup(const char *a, const char *b, BOOLEAN multi)
{
    size_t la = tb_ascii_length(a), lb = tb_ascii_length(b);
    size_t chars = la + 1 + (b != NULL ? lb + 1 : 0) + (multi ? 1 : 0);
    PWCHAR w = ExAllocatePool2(POOL_FLAG_PAGED, chars * sizeof(WCHAR), TB_POOL_TAG);
    if (w == NULL)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < la; i++)
        w[at++] = (WCHAR)(unsigned char)a[i];
    w[at++] = 0;
    if (b != NULL) {
        for (size_t i = 0; i < lb; i++)
            w[at++] = (WCHAR)(unsigned char)b[i];
        w[at++] = 0;
    }
    if (multi)
        w[at++] = 0;
    return w;
}

/* ---- the instance-ID provider ------------------------------------------------------------------ */

static void tb_instance_text(const tb_pdo_ext *ext, char *out, size_t size)
{
    snprintf(out, size, "%s\\%04lu", ext->device_id, (unsigned long)ext->instance);
}

/* Called by the I/O manager (under its interface registry lock) while a driver registers an
 * interface of a device on this PDO. */
static NTSTATUS tb_instance_provider(PDEVICE_OBJECT pdo, PUNICODE_STRING out)
{
    tb_pdo_ext *ext = tb_pdo(pdo);
    if (ext == NULL)
        return STATUS_NOT_FOUND;
    char text[TB_ID_CHARS + 16];
    tb_instance_text(ext, text, sizeof text);
    PWCHAR w = tb_wide_dup(text, NULL, FALSE);
    if (w == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    USHORT bytes = (USHORT)(strlen(text) * sizeof(WCHAR));
    out->Buffer = w;
    out->Length = bytes;
    out->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ---- dispatch ----------------------------------------------------------------------------------- */

static NTSTATUS tb_complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS tb_pdo_query_id(tb_pdo_ext *ext, PIRP irp, PIO_STACK_LOCATION stack)
{
    PWCHAR id = NULL;
    char instance[16];
    switch (stack->Parameters.QueryId.IdType) {
    case BusQueryDeviceID:
        id = tb_wide_dup(ext->device_id, NULL, FALSE);
        break;
    case BusQueryHardwareIDs:
        id = tb_wide_dup(ext->device_id, NULL, TRUE);
        break;
    case BusQueryCompatibleIDs:
        if (ext->compatible_id[0] == 0)
            return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
        id = tb_wide_dup(ext->compatible_id, NULL, TRUE);
        break;
    case BusQueryInstanceID:
        snprintf(instance, sizeof instance, "%04lu", (unsigned long)ext->instance);
        id = tb_wide_dup(instance, NULL, FALSE);
        break;
    default: /* serial number, container ID: none */
        return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    }
    if (id == NULL)
        return tb_complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    return tb_complete(irp, STATUS_SUCCESS, (ULONG_PTR)id);
}

static NTSTATUS tb_pdo_query_capabilities(PIRP irp, PIO_STACK_LOCATION stack)
{
    PDEVICE_CAPABILITIES caps = stack->Parameters.DeviceCapabilities.Capabilities;
    if (caps == NULL || caps->Version != 1 || caps->Size < sizeof(DEVICE_CAPABILITIES))
        return tb_complete(irp, STATUS_UNSUCCESSFUL, 0);
    /* A root-enumerated software device: not removable, no wake, D0 while working, D3 otherwise. */
    caps->DeviceD1 = 0;
    caps->DeviceD2 = 0;
    caps->LockSupported = 0;
    caps->EjectSupported = 0;
    caps->Removable = 0;
    caps->DockDevice = 0;
    caps->UniqueID = 0;
    caps->SilentInstall = 1;
    caps->RawDeviceOK = 0;
    caps->SurpriseRemovalOK = 1;
    caps->WakeFromD0 = caps->WakeFromD1 = caps->WakeFromD2 = caps->WakeFromD3 = 0;
    caps->HardwareDisabled = 0;
    caps->Address = 0xffffffffu;
    caps->UINumber = 0xffffffffu;
    caps->DeviceState[PowerSystemUnspecified] = PowerDeviceUnspecified;
    caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
    for (int s = PowerSystemWorking + 1; s < PowerSystemMaximum; s++)
        caps->DeviceState[s] = PowerDeviceD3;
    caps->SystemWake = PowerSystemUnspecified;
    caps->DeviceWake = PowerDeviceUnspecified;
    caps->D1Latency = caps->D2Latency = caps->D3Latency = 0;
    return tb_complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS tb_pdo_pnp(PDEVICE_OBJECT device, tb_pdo_ext *ext, PIRP irp, PIO_STACK_LOCATION stack)
{
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        ext->started = TRUE;
        return tb_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MN_STOP_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        ext->started = FALSE;
        return tb_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        return tb_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MN_REMOVE_DEVICE:
        /* A missing device's PDO is deleted once the IRP is back (tb_rootbus_delete_if_missing),
         * after the drivers above detached on their way back. */
        ext->started = FALSE;
        return tb_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MN_QUERY_ID:
        return tb_pdo_query_id(ext, irp, stack);
    case IRP_MN_QUERY_CAPABILITIES:
        return tb_pdo_query_capabilities(irp, stack);
    case IRP_MN_QUERY_PNP_DEVICE_STATE:
        return tb_complete(irp, STATUS_SUCCESS, irp->IoStatus.Information);
    case IRP_MN_QUERY_DEVICE_TEXT: {
        if (stack->Parameters.QueryDeviceText.DeviceTextType != DeviceTextDescription)
            return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
        PWCHAR text = tb_wide_dup(ext->device_id, NULL, FALSE);
        return text != NULL ? tb_complete(irp, STATUS_SUCCESS, (ULONG_PTR)text)
                            : tb_complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    case IRP_MN_QUERY_DEVICE_RELATIONS: {
        if (stack->Parameters.QueryDeviceRelations.Type != TargetDeviceRelation)
            return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
        PDEVICE_RELATIONS rel = ExAllocatePool2(POOL_FLAG_PAGED, sizeof(DEVICE_RELATIONS), TB_POOL_TAG);
        if (rel == NULL)
            return tb_complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        rel->Count = 1;
        rel->Objects[0] = device;
        ObReferenceObject(device); /* the PnP manager dereferences it */
        return tb_complete(irp, STATUS_SUCCESS, (ULONG_PTR)rel);
    }
    case IRP_MN_QUERY_RESOURCES:
    case IRP_MN_QUERY_RESOURCE_REQUIREMENTS:
        /* No hardware resources: success with no list. */
        return tb_complete(irp, STATUS_SUCCESS, 0);
    default:
        /* A PDO leaves what it does not handle as the IRP came (STATUS_NOT_SUPPORTED). */
        return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    }
}

static NTSTATUS tb_pdo_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    tb_pdo_ext *ext = tb_pdo(device);
    if (ext == NULL)
        return tb_complete(irp, STATUS_NO_SUCH_DEVICE, 0);
    switch (stack->MajorFunction) {
    case IRP_MJ_PNP:
        return tb_pdo_pnp(device, ext, irp, stack);
    case IRP_MJ_POWER:
        if (stack->MinorFunction == IRP_MN_SET_POWER || stack->MinorFunction == IRP_MN_QUERY_POWER)
            return tb_complete(irp, STATUS_SUCCESS, 0);
        return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    case IRP_MJ_SYSTEM_CONTROL:
        return tb_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    case IRP_MJ_CREATE:
    case IRP_MJ_CLEANUP:
    case IRP_MJ_CLOSE:
        return tb_complete(irp, STATUS_SUCCESS, 0);
    default:
        return tb_complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static void tb_bus_unload(PDRIVER_OBJECT driver)
{
    /* Every PDO left (the bench removes the devices first; this is the backstop). */
    while (driver->DeviceObject != NULL) {
        PDEVICE_OBJECT d = driver->DeviceObject;
        tb_pdo_ext *ext = d->DeviceExtension;
        pthread_mutex_lock(&tb_bus.lock);
        if (ext->magic == TB_PDO_MAGIC)
            RemoveEntryList(&ext->link);
        pthread_mutex_unlock(&tb_bus.lock);
        ext->magic = 0;
        IoDeleteDevice(d);
    }
}

static NTSTATUS tb_bus_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNREFERENCED_PARAMETER(registry_path);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = tb_pdo_dispatch;
    driver->DriverUnload = tb_bus_unload;
    return STATUS_SUCCESS;
}

/* ---- the bench's side ---------------------------------------------------------------------------- */

NTSTATUS tb_rootbus_start(owdf_tb *tb)
{
    UNREFERENCED_PARAMETER(tb);
    PDRIVER_OBJECT driver;
    NTSTATUS status = owdf_io_load_driver("OwdfTbRoot", tb_bus_entry, NULL, &driver);
    if (!NT_SUCCESS(status))
        return status;
    tb_bus.driver = driver;
    io_interface_set_instance_id_provider(tb_instance_provider);
    return STATUS_SUCCESS;
}

void tb_rootbus_stop(owdf_tb *tb)
{
    UNREFERENCED_PARAMETER(tb);
    if (tb_bus.driver == NULL)
        return;
    io_interface_set_instance_id_provider(NULL);
    (void)owdf_io_unload_driver(tb_bus.driver);
    tb_bus.driver = NULL;
}

NTSTATUS tb_rootbus_create_pdo(const char *hardware_id, const char *compatible_id, PDEVICE_OBJECT *pdo_out,
                               char *instance_out, size_t instance_size)
{
    if (tb_bus.driver == NULL)
        return STATUS_INVALID_DEVICE_STATE;
    if (hardware_id == NULL || hardware_id[0] == 0 || strlen(hardware_id) >= TB_ID_CHARS ||
        (compatible_id != NULL && strlen(compatible_id) >= TB_ID_CHARS))
        return STATUS_INVALID_PARAMETER;
    for (const char *c = hardware_id; *c; c++) {
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == ',')
            return STATUS_INVALID_PARAMETER; /* device IDs are printable ASCII without spaces or commas */
    }

    /* The PDO's name is made by the I/O manager (FILE_AUTOGENERATED_DEVICE_NAME), as for Windows PDOs. */
    PDEVICE_OBJECT pdo;
    NTSTATUS status = IoCreateDevice(tb_bus.driver, sizeof(tb_pdo_ext), NULL, FILE_DEVICE_BUS_EXTENDER,
                                     FILE_DEVICE_SECURE_OPEN | FILE_AUTOGENERATED_DEVICE_NAME, FALSE, &pdo);
    if (!NT_SUCCESS(status))
        return status;
    tb_pdo_ext *ext = pdo->DeviceExtension;
    memset(ext, 0, sizeof *ext);
    ext->self = pdo;
    snprintf(ext->device_id, sizeof ext->device_id, "%s", hardware_id);
    if (compatible_id != NULL)
        snprintf(ext->compatible_id, sizeof ext->compatible_id, "%s", compatible_id);

    /* Instance number: the smallest not taken by a live PDO with this device ID. */
    pthread_mutex_lock(&tb_bus.lock);
    for (ext->instance = 0;; ext->instance++) {
        BOOLEAN taken = FALSE;
        for (PLIST_ENTRY e = tb_bus.pdos.Flink; e != &tb_bus.pdos && !taken; e = e->Flink) {
            tb_pdo_ext *o = CONTAINING_RECORD(e, tb_pdo_ext, link);
            taken = o->instance == ext->instance && strcasecmp(o->device_id, ext->device_id) == 0;
        }
        if (!taken)
            break;
    }
    ext->magic = TB_PDO_MAGIC;
    InsertTailList(&tb_bus.pdos, &ext->link);
    pthread_mutex_unlock(&tb_bus.lock);

    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE | DO_POWER_PAGABLE;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    tb_instance_text(ext, instance_out, instance_size);
    *pdo_out = pdo;
    return STATUS_SUCCESS;
}

void tb_rootbus_delete_if_missing(PDEVICE_OBJECT pdo)
{
    tb_pdo_ext *ext = tb_pdo(pdo);
    if (ext == NULL || __atomic_load_n(&ext->missing, __ATOMIC_ACQUIRE) == 0)
        return;
    pthread_mutex_lock(&tb_bus.lock);
    RemoveEntryList(&ext->link);
    pthread_mutex_unlock(&tb_bus.lock);
    ext->magic = 0;
    IoDeleteDevice(pdo);
}

void tb_rootbus_mark_missing(PDEVICE_OBJECT pdo)
{
    tb_pdo_ext *ext = tb_pdo(pdo);
    if (ext != NULL)
        __atomic_store_n(&ext->missing, 1, __ATOMIC_RELEASE);
}
