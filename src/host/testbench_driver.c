/*
 * testbench_driver.c - drivers in the test bench: loading one linked into the test program or one
 * built by openwdf-cc (dlopen, entry point FxDriverEntry or DriverEntry), its service's Parameters
 * values in the registry, unloading in the PnP manager's order (devices first), and what the bench
 * keeps of an unloaded driver for diagnostics (its in-flight recorder and debug log as text).
 *
 * All at PASSIVE_LEVEL; the driver list is guarded by tb->pnp_lock (held across DriverEntry and
 * the unload routine, as the I/O manager serializes driver loading).
 */
#include "tb_internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "../wdf/fx_registry.h"

static const char tb_services_root[] = "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\";

/* ---- loading --------------------------------------------------------------------------------------- */

static NTSTATUS tb_load(owdf_tb *tb, const char *name, PDRIVER_INITIALIZE entry, void *image, owdf_tb_driver **out)
{
    if (strlen(name) >= sizeof(((owdf_tb_driver *)0)->name))
        return STATUS_INVALID_PARAMETER;
    owdf_tb_driver *drv = calloc(1, sizeof *drv);
    if (drv == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    drv->tb = tb;
    drv->image = image;
    snprintf(drv->name, sizeof drv->name, "%s", name);
    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status = owdf_io_load_driver(name, entry, NULL, &drv->object);
    if (NT_SUCCESS(status)) {
        drv->next = tb->drivers;
        tb->drivers = drv;
    }
    pthread_mutex_unlock(&tb->pnp_lock);
    if (!NT_SUCCESS(status)) {
        free(drv);
        return status;
    }
    *out = drv;
    return STATUS_SUCCESS;
}

NTSTATUS owdf_tb_load_driver(owdf_tb *tb, const char *name, PDRIVER_INITIALIZE entry, owdf_tb_driver **out)
{
    if (out != NULL)
        *out = NULL;
    if (tb == NULL || name == NULL || entry == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    return tb_load(tb, name, entry, NULL, out);
}

NTSTATUS owdf_tb_load_driver_file(owdf_tb *tb, const char *name, const char *path, owdf_tb_driver **out)
{
    if (out != NULL)
        *out = NULL;
    if (tb == NULL || name == NULL || path == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    /* RTLD_LOCAL: each driver binary keeps its own WdfDriverGlobals and stub. */
    void *image = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (image == NULL) {
        fprintf(tb->out, "openwdf testbench: cannot load %s: %s\n", path, dlerror());
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)dlsym(image, "FxDriverEntry");
    if (entry == NULL)
        entry = (PDRIVER_INITIALIZE)dlsym(image, "DriverEntry");
    if (entry == NULL) {
        fprintf(tb->out, "openwdf testbench: %s exports neither FxDriverEntry nor DriverEntry\n", path);
        dlclose(image);
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    NTSTATUS status = tb_load(tb, name, entry, image, out);
    if (!NT_SUCCESS(status))
        dlclose(image);
    return status;
}

PDRIVER_OBJECT owdf_tb_driver_object(owdf_tb_driver *drv)
{
    return drv != NULL ? drv->object : NULL;
}

const char *owdf_tb_driver_name(owdf_tb_driver *drv)
{
    return drv != NULL ? drv->name : NULL;
}

owdf_dbg_log *owdf_tb_driver_log(owdf_tb_driver *drv)
{
    return drv != NULL && drv->object != NULL ? owdf_io_driver_log(drv->object) : NULL;
}

/* ---- unloading ------------------------------------------------------------------------------------- */

tb_driver_record *tb_driver_capture(owdf_tb *tb, owdf_tb_driver *drv)
{
    tb_driver_record *rec = calloc(1, sizeof *rec);
    if (rec == NULL)
        return NULL;
    snprintf(rec->name, sizeof rec->name, "%s", drv->name);
    size_t size = 0;
    FILE *mem = open_memstream(&rec->ifr_text, &size);
    if (mem != NULL) {
        (void)owdf_ifr_dump(drv->name, mem, 0);
        fclose(mem);
    }
    owdf_dbg_log *log = owdf_io_driver_log(drv->object);
    if (log != NULL) {
        rec->log_text = owdf_dbg_log_snapshot(log);
        /* What the driver prints while it unloads reaches this stream (the log is destroyed then). */
        rec->tail = open_memstream(&rec->tail_text, &rec->tail_size);
        if (rec->tail != NULL)
            owdf_dbg_log_set_file(log, rec->tail);
    }
    /* Oldest first in the dump: append. */
    tb_driver_record **link = &tb->records;
    while (*link != NULL)
        link = &(*link)->next;
    *link = rec;
    return rec;
}

void tb_driver_capture_end(tb_driver_record *rec, owdf_dbg_log *log_if_still_loaded)
{
    if (rec == NULL || rec->tail == NULL)
        return;
    if (log_if_still_loaded != NULL)
        owdf_dbg_log_set_file(log_if_still_loaded, NULL);
    fclose(rec->tail);
    rec->tail = NULL;
    if (rec->tail_text != NULL && rec->tail_text[0] != 0) {
        size_t a = rec->log_text != NULL ? strlen(rec->log_text) : 0, b = strlen(rec->tail_text);
        char *joined = malloc(a + b + 1);
        if (joined != NULL) {
            if (a != 0)
                memcpy(joined, rec->log_text, a);
            memcpy(joined + a, rec->tail_text, b + 1);
            free(rec->log_text);
            rec->log_text = joined;
        }
    }
    free(rec->tail_text);
    rec->tail_text = NULL;
}

NTSTATUS tb_unload_driver_locked(owdf_tb_driver *drv)
{
    owdf_tb *tb = drv->tb;
    tb_devices_remove_for_driver(tb, drv);
    if (tb_devices_of_driver(tb, drv) != 0) {
        drv->unload_pending = TRUE; /* waits for its surprise-removed devices' handles */
        return STATUS_PENDING;
    }
    if (drv->object->DriverUnload == NULL) {
        drv->unload_pending = FALSE;
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    tb_driver_record *rec = tb_driver_capture(tb, drv);
    NTSTATUS status = owdf_io_unload_driver(drv->object);
    tb_driver_capture_end(rec, NT_SUCCESS(status) ? NULL : owdf_io_driver_log(drv->object));
    if (!NT_SUCCESS(status)) {
        drv->unload_pending = FALSE;
        return status;
    }
    for (owdf_tb_driver **link = &tb->drivers; *link != NULL; link = &(*link)->next) {
        if (*link == drv) {
            *link = drv->next;
            break;
        }
    }
    if (drv->image != NULL)
        dlclose(drv->image);
    free(drv);
    return STATUS_SUCCESS;
}

NTSTATUS owdf_tb_unload_driver(owdf_tb_driver *drv)
{
    if (drv == NULL)
        return STATUS_INVALID_PARAMETER;
    owdf_tb *tb = drv->tb;
    pthread_mutex_lock(&tb->pnp_lock);
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    for (owdf_tb_driver *d = tb->drivers; d != NULL; d = d->next) {
        if (d == drv) {
            status = drv->unload_pending ? STATUS_PENDING : tb_unload_driver_locked(drv);
            break;
        }
    }
    pthread_mutex_unlock(&tb->pnp_lock);
    return status;
}

void tb_records_free(owdf_tb *tb)
{
    while (tb->records != NULL) {
        tb_driver_record *rec = tb->records;
        tb->records = rec->next;
        tb_driver_capture_end(rec, NULL);
        free(rec->ifr_text);
        free(rec->log_text);
        free(rec);
    }
}

/* ---- registry parameters --------------------------------------------------------------------------- */

/* A UTF-16 copy of UTF-8 text (malloc'd) in *out. */
static NTSTATUS tb_to_unicode(const char *text, UNICODE_STRING *out)
{
    size_t bytes = strlen(text);
    if (bytes > 0x7ff0 / sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    PWCHAR buffer = malloc((bytes + 1) * sizeof(WCHAR));
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG written = 0;
    NTSTATUS status = RtlUTF8ToUnicodeN(buffer, (ULONG)(bytes * sizeof(WCHAR)), &written, text, (ULONG)bytes);
    if (!NT_SUCCESS(status)) {
        free(buffer);
        return status;
    }
    buffer[written / sizeof(WCHAR)] = 0;
    out->Buffer = buffer;
    out->Length = (USHORT)written;
    out->MaximumLength = (USHORT)(written + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

static NTSTATUS tb_open_service_key(const char *service, const char *subkey, BOOLEAN create, fx_registry_node **node)
{
    char path[256];
    int n = snprintf(path, sizeof path, "%s%s%s%s", tb_services_root, service, subkey ? "\\" : "", subkey ? subkey : "");
    if (n < 0 || (size_t)n >= sizeof path)
        return STATUS_INVALID_PARAMETER;
    UNICODE_STRING upath;
    NTSTATUS status = tb_to_unicode(path, &upath);
    if (!NT_SUCCESS(status))
        return status;
    BOOLEAN created = FALSE;
    status = fx_registry_get_store()->open(&upath, create, &created, node);
    free(upath.Buffer);
    return status;
}

static NTSTATUS tb_set_parameter(owdf_tb *tb, const char *service, const char *value_name, ULONG type,
                                 const void *data, ULONG length)
{
    if (tb == NULL || service == NULL || value_name == NULL || service[0] == 0 || strlen(service) >= 64 ||
        strchr(service, '\\') != NULL)
        return STATUS_INVALID_PARAMETER;
    UNICODE_STRING uname;
    NTSTATUS status = tb_to_unicode(value_name, &uname);
    if (!NT_SUCCESS(status))
        return status;
    fx_registry_node *node;
    pthread_mutex_lock(&tb->pnp_lock);
    status = tb_open_service_key(service, "Parameters", TRUE, &node);
    if (NT_SUCCESS(status)) {
        const fx_registry_store *store = fx_registry_get_store();
        status = store->set(node, &uname, type, data, length);
        store->close(node);
    }
    if (NT_SUCCESS(status)) {
        BOOLEAN known = FALSE;
        for (size_t i = 0; i < tb->param_service_count; i++)
            known |= strcasecmp(tb->param_services[i], service) == 0;
        if (!known && tb->param_service_count < TB_MAX_PARAMS)
            snprintf(tb->param_services[tb->param_service_count++], 64, "%s", service);
    }
    pthread_mutex_unlock(&tb->pnp_lock);
    free(uname.Buffer);
    return status;
}

NTSTATUS owdf_tb_set_parameter_dword(owdf_tb *tb, const char *service, const char *value_name, ULONG value)
{
    return tb_set_parameter(tb, service, value_name, REG_DWORD, &value, sizeof value);
}

NTSTATUS owdf_tb_set_parameter_string(owdf_tb *tb, const char *service, const char *value_name, const char *value)
{
    if (value == NULL)
        return STATUS_INVALID_PARAMETER;
    UNICODE_STRING uvalue;
    NTSTATUS status = tb_to_unicode(value, &uvalue);
    if (!NT_SUCCESS(status))
        return status;
    status = tb_set_parameter(tb, service, value_name, REG_SZ, uvalue.Buffer, uvalue.MaximumLength);
    free(uvalue.Buffer);
    return status;
}

/* ---- teardown ------------------------------------------------------------------------------------- */

static void tb_delete_key(const char *service, const char *subkey)
{
    fx_registry_node *node;
    if (NT_SUCCESS(tb_open_service_key(service, subkey, FALSE, &node))) {
        const fx_registry_store *store = fx_registry_get_store();
        (void)store->delete_key(node); /* fails (and stays) if something else made subkeys */
        store->close(node);
    }
}

void tb_drivers_teardown(owdf_tb *tb)
{
    while (tb->drivers != NULL) {
        /* Off the list first (the devices are all gone: the unload does not wait). */
        owdf_tb_driver *drv = tb->drivers;
        tb->drivers = drv->next;
        drv->next = NULL;
        if (!NT_SUCCESS(tb_unload_driver_locked(drv))) {
            /* Cannot be unloaded (no unload routine): it stays loaded; the bench forgets it. */
            fprintf(tb->out, "openwdf testbench: driver %s cannot be unloaded (no unload routine)\n", drv->name);
            tb_driver_capture_end(tb_driver_capture(tb, drv), owdf_io_driver_log(drv->object));
            free(drv);
        }
    }
    for (size_t i = 0; i < tb->param_service_count; i++) {
        tb_delete_key(tb->param_services[i], "Parameters");
        tb_delete_key(tb->param_services[i], NULL);
    }
    tb->param_service_count = 0;
}
