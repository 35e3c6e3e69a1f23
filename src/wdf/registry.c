/*
 * registry.c - WDFKEY and the WdfRegistry* DDIs over the registry store (fx_registry.h).
 *
 * A WDFKEY remembers the access it was opened with (GENERIC_* mapped to KEY_*): queries need
 * KEY_QUERY_VALUE, assignments and value removal KEY_SET_VALUE, creating a subkey under it
 * KEY_CREATE_SUB_KEY, removing it DELETE; otherwise STATUS_ACCESS_DENIED, as Zw* would answer.
 * Strings are stored as on Windows: REG_SZ with a terminating NUL, REG_MULTI_SZ with a double one;
 * the query DDIs strip them again. WdfRegistryWdmGetHandle has no Zw handle to give (no Zw
 * registry in the substrate): it returns NULL with a NOT_IMPLEMENTED report.
 */
#include "fx_memory.h"
#include "fx_registry.h"

#include <openwdf/unicode.h>
#include "fx_string.h"
#include "fx_support.h"

#include <wdfcollection.h>
#include <wdfstring.h>

typedef struct fx_key {
    fx_object object;
    fx_registry_node *node;
    ACCESS_MASK access; /* KEY_* after mapping */
} fx_key;

static void key_destroy(fx_object *object)
{
    fx_key *key = (fx_key *)object;
    if (key->node != NULL)
        fx_registry_get_store()->close(key->node);
    key->node = NULL;
}

static const fx_object_ops key_ops = {
    .type = FX_TYPE_KEY,
    .name = "WDFKEY",
    .destroy = key_destroy,
    .allows_parent = TRUE,
};

static ACCESS_MASK map_access(ACCESS_MASK access)
{
    if (access & (GENERIC_ALL | MAXIMUM_ALLOWED))
        access |= KEY_ALL_ACCESS;
    if (access & GENERIC_READ)
        access |= KEY_READ;
    if (access & GENERIC_WRITE)
        access |= KEY_WRITE;
    if (access & GENERIC_EXECUTE)
        access |= KEY_EXECUTE;
    return access & ~(GENERIC_ALL | GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | MAXIMUM_ALLOWED);
}

static fx_key *key_from(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, const char *ddi)
{
    return (fx_key *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_KEY, ddi);
}

/* Common entry checks: PASSIVE_LEVEL, a valid key with `needed` access, a well-formed value name. */
static NTSTATUS enter(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, ACCESS_MASK needed,
                      PCUNICODE_STRING value_name, BOOLEAN name_required, const char *ddi, fx_key **key_out)
{
    *key_out = NULL;
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_key *key = key_from(globals, handle, ddi);
    if (key == NULL)
        return STATUS_INVALID_HANDLE;
    if (name_required && value_name == NULL)
        return FX_NULL_PARAM(globals, ddi, "ValueName");
    if (value_name != NULL && !NT_SUCCESS(fx_string_validate(value_name)))
        return STATUS_INVALID_PARAMETER;
    if ((key->access & needed) != needed)
        return STATUS_ACCESS_DENIED;
    *key_out = key;
    return STATUS_SUCCESS;
}

NTSTATUS fx_registry_open_key_object(PWDF_DRIVER_GLOBALS globals, PCUNICODE_STRING path, ACCESS_MASK access,
                                     BOOLEAN create, PULONG disposition,
                                     const WDF_OBJECT_ATTRIBUTES *attributes, WDFKEY *key_out)
{
    *key_out = NULL;
    const fx_registry_store *store = fx_registry_get_store();
    fx_registry_node *node;
    BOOLEAN created = FALSE;
    NTSTATUS status = store->open(path, create, &created, &node);
    if (!NT_SUCCESS(status))
        return status;
    fx_key *key;
    status = fx_object_create(globals, &key_ops, sizeof *key, attributes, fx_support_driver_object(globals),
                              (void **)&key);
    if (!NT_SUCCESS(status)) {
        store->close(node);
        return status;
    }
    key->node = node;
    key->access = map_access(access);
    if (disposition != NULL)
        *disposition = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, key->object.handle, FX_TYPE_KEY, created);
    *key_out = (WDFKEY)key->object.handle;
    return STATUS_SUCCESS;
}

NTSTATUS fx_registry_join_path(ULONG tag, UNICODE_STRING *out, const WCHAR *a, const WCHAR *b, PCUNICODE_STRING s,
                               const WCHAR *c)
{
    size_t la = owdf_wcslen(a), lb = b != NULL ? owdf_wcslen(b) : 0, ls = s != NULL ? s->Length / sizeof(WCHAR) : 0,
           lc = c != NULL ? owdf_wcslen(c) : 0;
    size_t chars = la + lb + ls + lc;
    if (chars >= 0x7fff)
        return STATUS_NAME_TOO_LONG;
    PWCH buffer = ExAllocatePool2(POOL_FLAG_PAGED, (chars + 1) * sizeof(WCHAR), tag);
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    PWCH p = buffer;
    memcpy(p, a, la * sizeof(WCHAR));
    p += la;
    if (lb != 0)
        memcpy(p, b, lb * sizeof(WCHAR));
    p += lb;
    if (ls != 0)
        memcpy(p, s->Buffer, ls * sizeof(WCHAR));
    p += ls;
    if (lc != 0)
        memcpy(p, c, lc * sizeof(WCHAR));
    buffer[chars] = 0;
    out->Buffer = buffer;
    out->Length = (USHORT)(chars * sizeof(WCHAR));
    out->MaximumLength = (USHORT)((chars + 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* parent path + '\' + name, or name alone (which must then be a full path). Pool, driver tag. */
static NTSTATUS build_path(PWDF_DRIVER_GLOBALS globals, fx_key *parent, PCUNICODE_STRING name,
                           UNICODE_STRING *out)
{
    if (!NT_SUCCESS(fx_string_validate(name)) || name->Length == 0)
        return STATUS_OBJECT_NAME_INVALID;
    UNICODE_STRING base = {0};
    if (parent != NULL)
        fx_registry_get_store()->path(parent->node, &base);
    else if (name->Buffer[0] != L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    if (parent != NULL && name->Buffer[0] == L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    size_t length = (size_t)base.Length + (parent != NULL ? sizeof(WCHAR) : 0) + name->Length;
    if (length > 0xfffe)
        return STATUS_OBJECT_NAME_INVALID;
    PWCH buffer = ExAllocatePool2(POOL_FLAG_PAGED, length, fx_support_driver_tag(globals));
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    size_t at = 0;
    if (parent != NULL) {
        RtlCopyMemory(buffer, base.Buffer, base.Length);
        at = base.Length / sizeof(WCHAR);
        buffer[at++] = L'\\';
    }
    RtlCopyMemory(buffer + at, name->Buffer, name->Length);
    out->Buffer = buffer;
    out->Length = out->MaximumLength = (USHORT)length;
    return STATUS_SUCCESS;
}

static NTSTATUS open_or_create(PWDF_DRIVER_GLOBALS globals, WDFKEY parent_handle, PCUNICODE_STRING name,
                               ACCESS_MASK access, BOOLEAN create, PULONG disposition,
                               PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key_out, const char *ddi)
{
    if (key_out == NULL)
        return FX_NULL_PARAM(globals, ddi, "Key");
    *key_out = NULL;
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (name == NULL)
        return FX_NULL_PARAM(globals, ddi, "KeyName");
    fx_key *parent = NULL;
    if (parent_handle != NULL) {
        parent = key_from(globals, parent_handle, ddi);
        if (parent == NULL)
            return STATUS_INVALID_HANDLE;
    }
    UNICODE_STRING path;
    NTSTATUS status = build_path(globals, parent, name, &path);
    if (!NT_SUCCESS(status))
        return status;
    if (create && parent != NULL && !(parent->access & KEY_CREATE_SUB_KEY)) {
        /* Creating under a key needs KEY_CREATE_SUB_KEY on it; opening an existing one does not. */
        fx_registry_node *existing;
        if (NT_SUCCESS(fx_registry_get_store()->open(&path, FALSE, NULL, &existing))) {
            fx_registry_get_store()->close(existing);
        } else {
            ExFreePoolWithTag(path.Buffer, fx_support_driver_tag(globals));
            return STATUS_ACCESS_DENIED;
        }
    }
    status = fx_registry_open_key_object(globals, &path, access, create, disposition, attributes, key_out);
    ExFreePoolWithTag(path.Buffer, fx_support_driver_tag(globals));
    return status;
}

NTSTATUS imp_WdfRegistryOpenKey(PWDF_DRIVER_GLOBALS globals, WDFKEY parent, PCUNICODE_STRING name,
                                ACCESS_MASK access, PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key)
{
    return open_or_create(globals, parent, name, access, FALSE, NULL, attributes, key, "WdfRegistryOpenKey");
}

NTSTATUS imp_WdfRegistryCreateKey(PWDF_DRIVER_GLOBALS globals, WDFKEY parent, PCUNICODE_STRING name,
                                  ACCESS_MASK access, ULONG options, PULONG disposition,
                                  PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key)
{
    if (options & ~(REG_OPTION_VOLATILE | REG_OPTION_BACKUP_RESTORE)) {
        if (key != NULL)
            *key = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    return open_or_create(globals, parent, name, access, TRUE, disposition, attributes, key,
                          "WdfRegistryCreateKey");
}

void imp_WdfRegistryClose(PWDF_DRIVER_GLOBALS globals, WDFKEY handle)
{
    if (!ke_check_max_irql(PASSIVE_LEVEL, "WdfRegistryClose"))
        return;
    fx_key *key = key_from(globals, handle, "WdfRegistryClose");
    if (key != NULL)
        fx_object_delete(&key->object);
}

HANDLE imp_WdfRegistryWdmGetHandle(PWDF_DRIVER_GLOBALS globals, WDFKEY handle)
{
    if (key_from(globals, handle, "WdfRegistryWdmGetHandle") == NULL)
        return NULL;
    OWDF_VERIFY_REPORT(
        "NOT_IMPLEMENTED", handle, "WDFKEY", fx_report_driver(globals),
        "WdfRegistryWdmGetHandle: openwdf keys have no Zw handle (no Zw registry); returning NULL");
    return NULL;
}

NTSTATUS imp_WdfRegistryRemoveKey(PWDF_DRIVER_GLOBALS globals, WDFKEY handle)
{
    fx_key *key;
    NTSTATUS status = enter(globals, handle, DELETE, NULL, FALSE, "WdfRegistryRemoveKey", &key);
    if (!NT_SUCCESS(status))
        return status;
    status = fx_registry_get_store()->delete_key(key->node);
    if (NT_SUCCESS(status))
        fx_object_delete(&key->object); /* the key is gone, and so is the WDFKEY */
    return status;
}

NTSTATUS imp_WdfRegistryRemoveValue(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name)
{
    fx_key *key;
    NTSTATUS status = enter(globals, handle, KEY_SET_VALUE, name, TRUE, "WdfRegistryRemoveValue", &key);
    if (!NT_SUCCESS(status))
        return status;
    return fx_registry_get_store()->delete_value(key->node, name);
}

/* ---- queries ---------------------------------------------------------------------------------- */

/* Reads a whole value into pool memory (driver tag); *data NULL for an empty value. */
static NTSTATUS read_value(PWDF_DRIVER_GLOBALS globals, fx_key *key, PCUNICODE_STRING name, ULONG *type,
                           void **data, ULONG *length)
{
    const fx_registry_store *store = fx_registry_get_store();
    *data = NULL;
    for (;;) {
        ULONG size = 0;
        NTSTATUS status = store->query(key->node, name, type, NULL, &size);
        if (status == STATUS_SUCCESS) {
            *length = 0;
            return STATUS_SUCCESS;
        }
        if (status != STATUS_BUFFER_OVERFLOW)
            return status;
        void *buffer = ExAllocatePool2(POOL_FLAG_PAGED, size, fx_support_driver_tag(globals));
        if (buffer == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        ULONG got = size;
        status = store->query(key->node, name, type, buffer, &got);
        if (status == STATUS_SUCCESS) {
            *data = buffer;
            *length = got;
            return STATUS_SUCCESS;
        }
        ExFreePoolWithTag(buffer, fx_support_driver_tag(globals));
        if (status != STATUS_BUFFER_OVERFLOW)
            return status; /* else the value grew meanwhile: again */
    }
}

static void free_value(PWDF_DRIVER_GLOBALS globals, void *data)
{
    if (data != NULL)
        ExFreePoolWithTag(data, fx_support_driver_tag(globals));
}

NTSTATUS imp_WdfRegistryQueryValue(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                   ULONG value_length, PVOID value, PULONG value_length_queried,
                                   PULONG value_type)
{
    fx_key *key;
    NTSTATUS status = enter(globals, handle, KEY_QUERY_VALUE, name, TRUE, "WdfRegistryQueryValue", &key);
    if (!NT_SUCCESS(status))
        return status;
    if (value == NULL && value_length != 0)
        return STATUS_INVALID_PARAMETER;
    ULONG type = REG_NONE, length = value_length;
    status = fx_registry_get_store()->query(key->node, name, &type, value, &length);
    if (status == STATUS_SUCCESS || status == STATUS_BUFFER_OVERFLOW) {
        if (value_length_queried != NULL)
            *value_length_queried = length;
        if (value_type != NULL)
            *value_type = type;
    }
    return status;
}

NTSTATUS imp_WdfRegistryQueryULong(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                   PULONG value)
{
    fx_key *key;
    NTSTATUS status = enter(globals, handle, KEY_QUERY_VALUE, name, TRUE, "WdfRegistryQueryULong", &key);
    if (!NT_SUCCESS(status))
        return status;
    if (value == NULL)
        return FX_NULL_PARAM(globals, "WdfRegistryQueryULong", "Value");
    ULONG type = REG_NONE, data = 0, length = sizeof data;
    status = fx_registry_get_store()->query(key->node, name, &type, &data, &length);
    if (status == STATUS_BUFFER_OVERFLOW)
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (!NT_SUCCESS(status))
        return status;
    if (type != REG_DWORD || length != sizeof data)
        return STATUS_OBJECT_TYPE_MISMATCH;
    *value = data;
    return STATUS_SUCCESS;
}

/* A REG_SZ / REG_EXPAND_SZ value without its terminating NUL(s). */
static NTSTATUS read_string_value(PWDF_DRIVER_GLOBALS globals, fx_key *key, PCUNICODE_STRING name,
                                  void **data, UNICODE_STRING *view)
{
    ULONG type = REG_NONE, length = 0;
    NTSTATUS status = read_value(globals, key, name, &type, data, &length);
    if (!NT_SUCCESS(status))
        return status;
    if ((type != REG_SZ && type != REG_EXPAND_SZ) || (length & 1) != 0 || length > 0xfffe) {
        free_value(globals, *data);
        *data = NULL;
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    PWCH chars = *data;
    ULONG count = length / sizeof(WCHAR);
    while (count > 0 && chars[count - 1] == 0)
        count--;
    view->Buffer = chars;
    view->Length = view->MaximumLength = (USHORT)(count * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRegistryQueryUnicodeString(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                           PUSHORT value_byte_length, PUNICODE_STRING value)
{
    fx_key *key;
    NTSTATUS status =
        enter(globals, handle, KEY_QUERY_VALUE, name, TRUE, "WdfRegistryQueryUnicodeString", &key);
    if (!NT_SUCCESS(status))
        return status;
    void *data;
    UNICODE_STRING view;
    status = read_string_value(globals, key, name, &data, &view);
    if (!NT_SUCCESS(status))
        return status;
    if (value_byte_length != NULL)
        *value_byte_length = view.Length;
    if (value == NULL || value->Buffer == NULL || value->MaximumLength < view.Length) {
        status = STATUS_BUFFER_OVERFLOW;
    } else {
        RtlCopyMemory(value->Buffer, view.Buffer, view.Length);
        value->Length = view.Length;
    }
    free_value(globals, data);
    return status;
}

NTSTATUS imp_WdfRegistryQueryString(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                    WDFSTRING string_handle)
{
    fx_key *key;
    NTSTATUS status = enter(globals, handle, KEY_QUERY_VALUE, name, TRUE, "WdfRegistryQueryString", &key);
    if (!NT_SUCCESS(status))
        return status;
    fx_string *string = fx_string_from_handle_at(globals, string_handle, "WdfRegistryQueryString");
    if (string == NULL)
        return STATUS_INVALID_HANDLE;
    void *data;
    UNICODE_STRING view;
    status = read_string_value(globals, key, name, &data, &view);
    if (!NT_SUCCESS(status))
        return status;
    status = fx_string_assign(string, &view);
    free_value(globals, data);
    return status;
}

NTSTATUS imp_WdfRegistryQueryMemory(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                    POOL_TYPE pool_type, PWDF_OBJECT_ATTRIBUTES memory_attributes,
                                    WDFMEMORY *memory, PULONG value_type)
{
    if (memory == NULL)
        return FX_NULL_PARAM(globals, "WdfRegistryQueryMemory", "Memory");
    *memory = NULL;
    fx_key *key;
    NTSTATUS status = enter(globals, handle, KEY_QUERY_VALUE, name, TRUE, "WdfRegistryQueryMemory", &key);
    if (!NT_SUCCESS(status))
        return status;
    void *data;
    ULONG type, length;
    status = read_value(globals, key, name, &type, &data, &length);
    if (!NT_SUCCESS(status))
        return status;
    if (length == 0) /* a memory object cannot be empty */
        return STATUS_INVALID_BUFFER_SIZE;
    PVOID buffer;
    status = imp_WdfMemoryCreate(globals, memory_attributes, pool_type, 0, length, memory, &buffer);
    if (NT_SUCCESS(status)) {
        RtlCopyMemory(buffer, data, length);
        if (value_type != NULL)
            *value_type = type;
    }
    free_value(globals, data);
    return status;
}

NTSTATUS imp_WdfRegistryQueryMultiString(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                         PWDF_OBJECT_ATTRIBUTES strings_attributes, WDFCOLLECTION collection)
{
    fx_key *key;
    NTSTATUS status =
        enter(globals, handle, KEY_QUERY_VALUE, name, TRUE, "WdfRegistryQueryMultiString", &key);
    if (!NT_SUCCESS(status))
        return status;
    if (fx_object_from_handle_at(globals, collection, FX_TYPE_COLLECTION, "WdfRegistryQueryMultiString") ==
        NULL)
        return STATUS_INVALID_HANDLE;
    void *data;
    ULONG type, length;
    status = read_value(globals, key, name, &type, &data, &length);
    if (!NT_SUCCESS(status))
        return status;
    if (type != REG_MULTI_SZ || (length & 1) != 0) {
        free_value(globals, data);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    /* Strings are parented to the collection unless the attributes name a parent. */
    WDF_OBJECT_ATTRIBUTES attributes;
    if (strings_attributes != NULL)
        attributes = *strings_attributes;
    else
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    if (attributes.Size == sizeof attributes && attributes.ParentObject == NULL)
        attributes.ParentObject = collection;
    PWCH chars = data;
    ULONG count = length / sizeof(WCHAR), start = 0;
    for (ULONG i = 0; i <= count && NT_SUCCESS(status); i++) {
        if (i < count && chars[i] != 0)
            continue;
        if (i == start)
            break; /* the empty string that ends the list (or the end of the data) */
        UNICODE_STRING s = {.Buffer = chars + start, .Length = (USHORT)((i - start) * sizeof(WCHAR))};
        s.MaximumLength = s.Length;
        WDFSTRING string;
        status = imp_WdfStringCreate(globals, &s, &attributes, &string);
        if (NT_SUCCESS(status)) {
            status = imp_WdfCollectionAdd(globals, collection, string);
            if (!NT_SUCCESS(status))
                fx_object_delete(fx_object_lookup(string));
        }
        start = i + 1;
    }
    free_value(globals, data);
    return status;
}

/* ---- assignments ------------------------------------------------------------------------------ */

static NTSTATUS assign(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name, ULONG type,
                       const void *data, ULONG length, const char *ddi)
{
    fx_key *key;
    NTSTATUS status = enter(globals, handle, KEY_SET_VALUE, name, TRUE, ddi, &key);
    if (!NT_SUCCESS(status))
        return status;
    if (data == NULL && length != 0)
        return STATUS_INVALID_PARAMETER;
    return fx_registry_get_store()->set(key->node, name, type, data, length);
}

NTSTATUS imp_WdfRegistryAssignValue(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                    ULONG type, ULONG length, PVOID value)
{
    return assign(globals, handle, name, type, value, length, "WdfRegistryAssignValue");
}

NTSTATUS imp_WdfRegistryAssignULong(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                    ULONG value)
{
    return assign(globals, handle, name, REG_DWORD, &value, sizeof value, "WdfRegistryAssignULong");
}

/* Stores `s` as REG_SZ with its terminating NUL. */
static NTSTATUS assign_sz(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                          PCUNICODE_STRING s, const char *ddi)
{
    if (s == NULL)
        return FX_NULL_PARAM(globals, ddi, "Value");
    if (!NT_SUCCESS(fx_string_validate(s)))
        return STATUS_INVALID_PARAMETER;
    ULONG length = s->Length + sizeof(WCHAR);
    PWCH copy = ExAllocatePool2(POOL_FLAG_PAGED, length, fx_support_driver_tag(globals));
    if (copy == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (s->Length != 0)
        RtlCopyMemory(copy, s->Buffer, s->Length);
    copy[s->Length / sizeof(WCHAR)] = 0;
    NTSTATUS status = assign(globals, handle, name, REG_SZ, copy, length, ddi);
    ExFreePoolWithTag(copy, fx_support_driver_tag(globals));
    return status;
}

NTSTATUS imp_WdfRegistryAssignUnicodeString(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                            PCUNICODE_STRING value)
{
    return assign_sz(globals, handle, name, value, "WdfRegistryAssignUnicodeString");
}

NTSTATUS imp_WdfRegistryAssignString(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                     WDFSTRING string_handle)
{
    fx_string *string = fx_string_from_handle_at(globals, string_handle, "WdfRegistryAssignString");
    if (string == NULL)
        return STATUS_INVALID_HANDLE;
    return assign_sz(globals, handle, name, &string->value, "WdfRegistryAssignString");
}

NTSTATUS imp_WdfRegistryAssignMemory(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                     ULONG type, WDFMEMORY memory, PWDFMEMORY_OFFSET offsets)
{
    WDF_MEMORY_DESCRIPTOR descriptor;
    WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(&descriptor, memory, offsets);
    void *buffer;
    size_t length;
    NTSTATUS status =
        fx_memory_descriptor_resolve(globals, &descriptor, &buffer, &length, NULL, "WdfRegistryAssignMemory");
    if (!NT_SUCCESS(status))
        return status;
    if (length > MAXULONG)
        return STATUS_INVALID_PARAMETER;
    return assign(globals, handle, name, type, buffer, (ULONG)length, "WdfRegistryAssignMemory");
}

NTSTATUS imp_WdfRegistryAssignMultiString(PWDF_DRIVER_GLOBALS globals, WDFKEY handle, PCUNICODE_STRING name,
                                          WDFCOLLECTION collection)
{
    if (fx_object_from_handle_at(globals, collection, FX_TYPE_COLLECTION, "WdfRegistryAssignMultiString") ==
        NULL)
        return STATUS_INVALID_HANDLE;
    ULONG count = imp_WdfCollectionGetCount(globals, collection);
    size_t length = sizeof(WCHAR); /* the final empty string */
    for (ULONG i = 0; i < count; i++) {
        fx_object *item = fx_object_lookup(imp_WdfCollectionGetItem(globals, collection, i));
        if (item == NULL || item->type != FX_TYPE_STRING)
            return STATUS_INVALID_PARAMETER; /* every item must be a WDFSTRING */
        length += ((fx_string *)item)->value.Length + sizeof(WCHAR);
    }
    if (length > MAXULONG)
        return STATUS_INVALID_PARAMETER;
    PWCH data = ExAllocatePool2(POOL_FLAG_PAGED, length, fx_support_driver_tag(globals));
    if (data == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    size_t at = 0;
    for (ULONG i = 0; i < count; i++) {
        fx_string *s = (fx_string *)fx_object_lookup(imp_WdfCollectionGetItem(globals, collection, i));
        if (s == NULL || at + s->value.Length / sizeof(WCHAR) + 2 > length / sizeof(WCHAR)) {
            ExFreePoolWithTag(data, fx_support_driver_tag(globals));
            return STATUS_INVALID_PARAMETER; /* the collection changed under us */
        }
        if (s->value.Length != 0)
            RtlCopyMemory(data + at, s->value.Buffer, s->value.Length);
        at += s->value.Length / sizeof(WCHAR);
        data[at++] = 0;
    }
    data[at++] = 0;
    NTSTATUS status = assign(globals, handle, name, REG_MULTI_SZ, data, (ULONG)(at * sizeof(WCHAR)),
                             "WdfRegistryAssignMultiString");
    ExFreePoolWithTag(data, fx_support_driver_tag(globals));
    return status;
}
