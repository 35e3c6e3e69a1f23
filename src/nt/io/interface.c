/*
 * interface.c - device interfaces: IoRegisterDeviceInterface, IoSetDeviceInterfaceState,
 * IoGetDeviceInterfaces, IoGetDeviceInterfaceAlias. Windows keeps registrations in the registry;
 * openwdf keeps them in memory for the life of the device.
 *
 * A registration is (device, interface class GUID, reference string). Its symbolic link name is
 *     \??\<instance path with '\' as '#'>#{<class GUID, lower case>}[\<reference string>]
 * e.g. "\??\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}". The instance path is the
 * device's instance ID: from the PnP layer's provider when there is one, else derived from the
 * device's name: "ROOT\<last name component, upper case>\<NNNN>", NNNN the smallest number not
 * taken by another live device with that name (so "\Device\Echo" gives ROOT#ECHO#0000). The
 * device must be named (a PDO always is); registering the same triple again returns the same link.
 *
 * Enabling creates the symbolic link object "\GLOBAL??\<instance>#{guid}" (the name without the
 * reference string) to the device's name, so opening the full link reaches the device with
 * FILE_OBJECT.FileName "\<reference string>"; interfaces of one device and class differing only in
 * their reference string share that link object (created with the first enabled, deleted with the
 * last disabled). Arrival/removal notifications are queued under the registry lock, so listeners
 * see the changes in the order they happened, and delivered after it is released (pnpnotify.c).
 * Deleting a device disables and forgets its interfaces (io_interface_device_deleted).
 *
 * One mutex guards the registry (PASSIVE_LEVEL only); lock order: registry -> namespace ->
 * notification queue.
 */
#include "io_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define IF_GUID_CHARS 38 /* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} */
#define IF_LIST_TAG ((ULONG)0x66496f49) /* "IoIf" */

struct if_instance {
    LIST_ENTRY link;
    PDEVICE_OBJECT pdo;
    WCHAR *path;           /* "ROOT#ECHO#0000" */
    USHORT chars;
    WCHAR *stem;           /* "ROOT#ECHO" when derived from the name (numbering), else NULL */
    USHORT stem_chars;
    ULONG number;
};

struct if_entry {
    LIST_ENTRY link;       /* registration order */
    GUID class_guid;
    PDEVICE_OBJECT pdo;
    struct if_instance *instance;
    UNICODE_STRING ref;    /* may be empty */
    UNICODE_STRING name;   /* the full link, NUL-terminated */
    USHORT base_length;    /* bytes of name before "\<ref>" */
    BOOLEAN enabled;
};

static pthread_mutex_t if_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY if_entries = {&if_entries, &if_entries};
static LIST_ENTRY if_instances = {&if_instances, &if_instances};
static io_instance_id_fn *if_provider;

void io_interface_lock(void)
{
    pthread_mutex_lock(&if_lock);
}

void io_interface_unlock(void)
{
    pthread_mutex_unlock(&if_lock);
}

void io_interface_set_instance_id_provider(io_instance_id_fn *fn)
{
    pthread_mutex_lock(&if_lock);
    if_provider = fn;
    pthread_mutex_unlock(&if_lock);
}

/* ---- helpers ----------------------------------------------------------------------------------- */

static inline WCHAR if_upcase(WCHAR c)
{
    return (c >= L'a' && c <= L'z') ? (WCHAR)(c - (L'a' - L'A')) : RtlUpcaseUnicodeChar(c);
}

static BOOLEAN if_equal(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen)
{
    if (alen != blen)
        return FALSE;
    for (size_t i = 0; i < alen; i++) {
        if (a[i] != b[i] && if_upcase(a[i]) != if_upcase(b[i]))
            return FALSE;
    }
    return TRUE;
}

static void if_format_guid(const GUID *g, WCHAR *out)
{
    static const char hex[] = "0123456789abcdef";
    char s[IF_GUID_CHARS + 1];
    int n = 0;
    s[n++] = '{';
    for (int i = 7; i >= 0; i--)
        s[n++] = hex[(g->Data1 >> (i * 4)) & 0xf];
    s[n++] = '-';
    for (int i = 3; i >= 0; i--)
        s[n++] = hex[(g->Data2 >> (i * 4)) & 0xf];
    s[n++] = '-';
    for (int i = 3; i >= 0; i--)
        s[n++] = hex[(g->Data3 >> (i * 4)) & 0xf];
    s[n++] = '-';
    for (int i = 0; i < 8; i++) {
        if (i == 2)
            s[n++] = '-';
        s[n++] = hex[g->Data4[i] >> 4];
        s[n++] = hex[g->Data4[i] & 0xf];
    }
    s[n++] = '}';
    for (int i = 0; i < IF_GUID_CHARS; i++)
        out[i] = (WCHAR)s[i];
}

/* A pool copy of a string as Rtl would allocate it (free with RtlFreeUnicodeString). */
static NTSTATUS if_copy_out(PCUNICODE_STRING src, PUNICODE_STRING dst)
{
    dst->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, (SIZE_T)src->Length + sizeof(WCHAR), OWDF_RTL_STRING_TAG);
    if (dst->Buffer == NULL) {
        dst->Length = dst->MaximumLength = 0;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(dst->Buffer, src->Buffer, src->Length);
    dst->Buffer[src->Length / sizeof(WCHAR)] = UNICODE_NULL;
    dst->Length = src->Length;
    dst->MaximumLength = (USHORT)(src->Length + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

static BOOLEAN if_is_separator(WCHAR c)
{
    return c == L'\\' || c == L'/';
}

/* Finds a registration by its link name; "\\?\" (the Win32 form) is taken for "\??\". */
static struct if_entry *if_find_by_name(PCUNICODE_STRING name)
{
    size_t len = name->Length / sizeof(WCHAR);
    if (len < 4)
        return NULL;
    const WCHAR *s = name->Buffer;
    if (!(s[0] == L'\\' && (s[1] == L'?' || s[1] == L'\\') && s[2] == L'?' && s[3] == L'\\'))
        return NULL;
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink) {
        struct if_entry *f = CONTAINING_RECORD(e, struct if_entry, link);
        size_t flen = f->name.Length / sizeof(WCHAR);
        if (flen == len && if_equal(f->name.Buffer + 4, flen - 4, s + 4, len - 4))
            return f;
    }
    return NULL;
}

/* ---- instance paths ---------------------------------------------------------------------------- */

static struct if_instance *if_find_instance(PDEVICE_OBJECT pdo)
{
    for (PLIST_ENTRY e = if_instances.Flink; e != &if_instances; e = e->Flink) {
        struct if_instance *in = CONTAINING_RECORD(e, struct if_instance, link);
        if (in->pdo == pdo)
            return in;
    }
    return NULL;
}

static void if_free_instance(struct if_instance *in)
{
    RemoveEntryList(&in->link);
    free(in->path);
    free(in->stem);
    free(in);
}

/* "ROOT#<NAME>" from the device's name: its last component, upper case, characters an instance ID
 * cannot hold replaced by '_'. */
static WCHAR *if_stem_from_name(PCUNICODE_STRING name, USHORT *chars)
{
    size_t len = name->Length / sizeof(WCHAR);
    size_t start = len;
    while (start > 0 && name->Buffer[start - 1] != L'\\')
        start--;
    size_t comp = len - start;
    if (comp == 0)
        return NULL;
    static const WCHAR root[] = L"ROOT#";
    size_t rlen = RTL_NUMBER_OF(root) - 1;
    WCHAR *stem = malloc((rlen + comp) * sizeof(WCHAR));
    if (stem == NULL)
        return NULL;
    memcpy(stem, root, rlen * sizeof(WCHAR));
    for (size_t i = 0; i < comp; i++) {
        WCHAR c = if_upcase(name->Buffer[start + i]);
        BOOLEAN ok = (c >= L'A' && c <= L'Z') || (c >= L'0' && c <= L'9') || c == L'_' || c == L'-' || c == L'.' ||
                     c == L'&';
        stem[rlen + i] = ok ? c : L'_';
    }
    *chars = (USHORT)(rlen + comp);
    return stem;
}

/* Under if_lock: the device's instance record, made on its first registration. */
static NTSTATUS if_get_instance(PDEVICE_OBJECT pdo, PCUNICODE_STRING device_name, struct if_instance **out)
{
    struct if_instance *in = if_find_instance(pdo);
    if (in != NULL) {
        *out = in;
        return STATUS_SUCCESS;
    }
    in = calloc(1, sizeof(*in));
    if (in == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    in->pdo = pdo;

    UNICODE_STRING id = {0};
    if (if_provider != NULL && NT_SUCCESS(if_provider(pdo, &id)) && id.Length != 0) {
        size_t chars = id.Length / sizeof(WCHAR);
        in->path = malloc(chars * sizeof(WCHAR));
        if (in->path != NULL) {
            for (size_t i = 0; i < chars; i++)
                in->path[i] = id.Buffer[i] == L'\\' ? L'#' : id.Buffer[i];
            in->chars = (USHORT)chars;
        }
    }
    if (id.Buffer != NULL)
        ExFreePool(id.Buffer);

    if (in->path == NULL) {
        in->stem = if_stem_from_name(device_name, &in->stem_chars);
        if (in->stem == NULL) {
            free(in);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        /* The smallest number no live instance with this stem has. */
        for (in->number = 0;; in->number++) {
            BOOLEAN taken = FALSE;
            for (PLIST_ENTRY e = if_instances.Flink; e != &if_instances && !taken; e = e->Flink) {
                struct if_instance *o = CONTAINING_RECORD(e, struct if_instance, link);
                taken = o->stem != NULL && o->number == in->number &&
                        if_equal(o->stem, o->stem_chars, in->stem, in->stem_chars);
            }
            if (!taken)
                break;
        }
        in->chars = (USHORT)(in->stem_chars + 5);
        in->path = malloc(in->chars * sizeof(WCHAR));
        if (in->path == NULL) {
            free(in->stem);
            free(in);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memcpy(in->path, in->stem, in->stem_chars * sizeof(WCHAR));
        in->path[in->stem_chars] = L'#';
        ULONG n = in->number;
        for (int i = 4; i >= 1; i--) {
            in->path[in->stem_chars + i] = (WCHAR)(L'0' + n % 10);
            n /= 10;
        }
    }
    InsertTailList(&if_instances, &in->link);
    *out = in;
    return STATUS_SUCCESS;
}

NTSTATUS io_device_instance_path(PDEVICE_OBJECT pdo, PUNICODE_STRING out)
{
    RtlZeroMemory(out, sizeof(*out));
    PCUNICODE_STRING name = io_device_name(pdo);
    io_interface_lock();
    struct if_instance *in = if_find_instance(pdo);
    NTSTATUS status = STATUS_SUCCESS;
    if (in == NULL && if_provider != NULL) {
        /* Asked directly: no record is made (records go with the device's name). */
        UNICODE_STRING id = {0};
        status = if_provider(pdo, &id);
        io_interface_unlock();
        if (NT_SUCCESS(status) && id.Length != 0) {
            *out = id;
            return STATUS_SUCCESS;
        }
        if (id.Buffer != NULL)
            ExFreePool(id.Buffer);
        io_interface_lock();
        in = if_find_instance(pdo);
    }
    if (in == NULL && name->Length == 0) {
        io_interface_unlock();
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (in == NULL)
        status = if_get_instance(pdo, name, &in);
    if (NT_SUCCESS(status)) {
        out->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, (in->chars + 1) * sizeof(WCHAR), OWDF_RTL_STRING_TAG);
        if (out->Buffer == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            /* The record keeps the path in its link-name form ('#' for '\\'). */
            for (USHORT i = 0; i < in->chars; i++)
                out->Buffer[i] = in->path[i] == L'#' ? L'\\' : in->path[i];
            out->Buffer[in->chars] = 0;
            out->Length = (USHORT)(in->chars * sizeof(WCHAR));
            out->MaximumLength = (USHORT)(out->Length + sizeof(WCHAR));
        }
    }
    io_interface_unlock();
    return status;
}

/* ---- registration ------------------------------------------------------------------------------ */

static void if_free_entry(struct if_entry *f)
{
    free(f->ref.Buffer);
    free(f->name.Buffer);
    free(f);
}

static NTSTATUS if_new_entry(PDEVICE_OBJECT pdo, const GUID *guid, PCUNICODE_STRING ref, struct if_instance *in,
                             struct if_entry **out)
{
    struct if_entry *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    f->class_guid = *guid;
    f->pdo = pdo;
    f->instance = in;
    size_t ref_chars = ref != NULL ? ref->Length / sizeof(WCHAR) : 0;
    if (ref_chars != 0) {
        f->ref.Buffer = malloc(ref->Length);
        if (f->ref.Buffer == NULL) {
            free(f);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memcpy(f->ref.Buffer, ref->Buffer, ref->Length);
        f->ref.Length = f->ref.MaximumLength = ref->Length;
    }
    size_t base = 4 + in->chars + 1 + IF_GUID_CHARS;
    size_t total = base + (ref_chars != 0 ? 1 + ref_chars : 0);
    if (total * sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR)) {
        if_free_entry(f);
        return STATUS_INVALID_PARAMETER;
    }
    WCHAR *s = malloc((total + 1) * sizeof(WCHAR));
    if (s == NULL) {
        if_free_entry(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(s, L"\\??\\", 4 * sizeof(WCHAR));
    memcpy(s + 4, in->path, in->chars * sizeof(WCHAR));
    s[4 + in->chars] = L'#';
    if_format_guid(guid, s + 4 + in->chars + 1);
    if (ref_chars != 0) {
        s[base] = L'\\';
        memcpy(s + base + 1, ref->Buffer, ref->Length);
    }
    s[total] = UNICODE_NULL;
    f->name.Buffer = s;
    f->name.Length = (USHORT)(total * sizeof(WCHAR));
    f->name.MaximumLength = (USHORT)((total + 1) * sizeof(WCHAR));
    f->base_length = (USHORT)(base * sizeof(WCHAR));
    *out = f;
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, CONST GUID *InterfaceClassGuid,
                                               PUNICODE_STRING ReferenceString, PUNICODE_STRING SymbolicLinkName)
{
    PAGED_CODE();
    if (PhysicalDeviceObject == NULL || io_object_type(PhysicalDeviceObject) != IO_OB_DEVICE)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (InterfaceClassGuid == NULL || SymbolicLinkName == NULL)
        return STATUS_INVALID_PARAMETER;
    if (ReferenceString != NULL && ReferenceString->Length != 0) {
        if ((ReferenceString->Length & 1) || ReferenceString->Buffer == NULL)
            return STATUS_INVALID_PARAMETER;
        for (ULONG i = 0; i < ReferenceString->Length / sizeof(WCHAR); i++) {
            if (if_is_separator(ReferenceString->Buffer[i]) || ReferenceString->Buffer[i] == UNICODE_NULL)
                return STATUS_INVALID_PARAMETER; /* a reference string is one path component */
        }
    }
    if (io_device_is_deleting(PhysicalDeviceObject))
        return STATUS_NO_SUCH_DEVICE;
    PCUNICODE_STRING device_name = io_device_name(PhysicalDeviceObject);
    if (device_name == NULL || device_name->Length == 0)
        return STATUS_INVALID_DEVICE_REQUEST; /* a PDO is always named; an unnamed device has no link target */

    size_t ref_chars = ReferenceString != NULL ? ReferenceString->Length / sizeof(WCHAR) : 0;
    NTSTATUS status = STATUS_SUCCESS;
    pthread_mutex_lock(&if_lock);
    struct if_entry *found = NULL;
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries && found == NULL; e = e->Flink) {
        struct if_entry *f = CONTAINING_RECORD(e, struct if_entry, link);
        if (f->pdo == PhysicalDeviceObject && IsEqualGUID(&f->class_guid, InterfaceClassGuid) &&
            if_equal(f->ref.Buffer, f->ref.Length / sizeof(WCHAR), ref_chars ? ReferenceString->Buffer : NULL,
                     ref_chars))
            found = f;
    }
    if (found == NULL) {
        struct if_instance *in;
        status = if_get_instance(PhysicalDeviceObject, device_name, &in);
        if (NT_SUCCESS(status))
            status = if_new_entry(PhysicalDeviceObject, InterfaceClassGuid, ref_chars ? ReferenceString : NULL, in,
                                  &found);
        if (NT_SUCCESS(status))
            InsertTailList(&if_entries, &found->link);
    }
    if (NT_SUCCESS(status))
        status = if_copy_out(&found->name, SymbolicLinkName);
    pthread_mutex_unlock(&if_lock);
    return status;
}

/* ---- state ------------------------------------------------------------------------------------- */

/* Under if_lock: whether another enabled registration uses f's link object. */
static BOOLEAN if_base_shared(struct if_entry *f)
{
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink) {
        struct if_entry *o = CONTAINING_RECORD(e, struct if_entry, link);
        if (o != f && o->enabled && o->pdo == f->pdo && IsEqualGUID(&o->class_guid, &f->class_guid))
            return TRUE;
    }
    return FALSE;
}

static UNICODE_STRING if_base_name(struct if_entry *f)
{
    UNICODE_STRING base = {f->base_length, f->base_length, f->name.Buffer};
    return base;
}

/* Under if_lock. */
static NTSTATUS if_enable(struct if_entry *f)
{
    if (f->enabled)
        return STATUS_OBJECT_NAME_EXISTS;
    if (!if_base_shared(f)) {
        UNICODE_STRING base = if_base_name(f);
        NTSTATUS status = io_namespace_create_link(&base, io_device_name(f->pdo));
        if (!NT_SUCCESS(status))
            return status;
    }
    f->enabled = TRUE;
    io_pnp_queue_interface_change(&f->class_guid, &f->name, TRUE);
    return STATUS_SUCCESS;
}

/* Under if_lock. */
static NTSTATUS if_disable(struct if_entry *f)
{
    if (!f->enabled)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    f->enabled = FALSE;
    if (!if_base_shared(f)) {
        UNICODE_STRING base = if_base_name(f);
        (void)io_namespace_delete_link(&base);
    }
    io_pnp_queue_interface_change(&f->class_guid, &f->name, FALSE);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable)
{
    PAGED_CODE();
    if (SymbolicLinkName == NULL || (SymbolicLinkName->Length & 1) ||
        (SymbolicLinkName->Length != 0 && SymbolicLinkName->Buffer == NULL))
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&if_lock);
    struct if_entry *f = if_find_by_name(SymbolicLinkName);
    NTSTATUS status;
    if (f == NULL)
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    else if (Enable && io_device_is_deleting(f->pdo))
        status = STATUS_NO_SUCH_DEVICE;
    else
        status = Enable ? if_enable(f) : if_disable(f);
    pthread_mutex_unlock(&if_lock);
    io_pnp_deliver();
    return status;
}

void io_interface_device_deleted(PDEVICE_OBJECT device)
{
    pthread_mutex_lock(&if_lock);
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries;) {
        struct if_entry *f = CONTAINING_RECORD(e, struct if_entry, link);
        e = e->Flink;
        if (f->pdo != device)
            continue;
        if (f->enabled)
            (void)if_disable(f);
        RemoveEntryList(&f->link);
        if_free_entry(f);
    }
    struct if_instance *in = if_find_instance(device);
    if (in != NULL)
        if_free_instance(in);
    pthread_mutex_unlock(&if_lock);
    io_pnp_deliver();
}

/* ---- queries ----------------------------------------------------------------------------------- */

NTKERNELAPI NTSTATUS IoGetDeviceInterfaces(CONST GUID *InterfaceClassGuid, PDEVICE_OBJECT PhysicalDeviceObject,
                                           ULONG Flags, PZZWSTR *SymbolicLinkList)
{
    PAGED_CODE();
    if (SymbolicLinkList != NULL)
        *SymbolicLinkList = NULL;
    if (InterfaceClassGuid == NULL || SymbolicLinkList == NULL || (Flags & ~DEVICE_INTERFACE_INCLUDE_NONACTIVE))
        return STATUS_INVALID_PARAMETER;
    BOOLEAN all = (Flags & DEVICE_INTERFACE_INCLUDE_NONACTIVE) != 0;
    pthread_mutex_lock(&if_lock);
    size_t chars = 1; /* the final empty string */
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink) {
        struct if_entry *f = CONTAINING_RECORD(e, struct if_entry, link);
        if (IsEqualGUID(&f->class_guid, InterfaceClassGuid) && (all || f->enabled) &&
            (PhysicalDeviceObject == NULL || f->pdo == PhysicalDeviceObject))
            chars += f->name.Length / sizeof(WCHAR) + 1;
    }
    PWSTR list = ExAllocatePool2(POOL_FLAG_PAGED, (chars + 1) * sizeof(WCHAR), IF_LIST_TAG);
    if (list != NULL) {
        PWSTR p = list;
        for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink) {
            struct if_entry *f = CONTAINING_RECORD(e, struct if_entry, link);
            if (IsEqualGUID(&f->class_guid, InterfaceClassGuid) && (all || f->enabled) &&
                (PhysicalDeviceObject == NULL || f->pdo == PhysicalDeviceObject)) {
                memcpy(p, f->name.Buffer, f->name.Length + sizeof(WCHAR));
                p += f->name.Length / sizeof(WCHAR) + 1;
            }
        }
        p[0] = UNICODE_NULL;
        p[1] = UNICODE_NULL;
    }
    pthread_mutex_unlock(&if_lock);
    if (list == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    *SymbolicLinkList = list;
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS IoGetDeviceInterfaceAlias(PUNICODE_STRING SymbolicLinkName, CONST GUID *AliasInterfaceClassGuid,
                                               PUNICODE_STRING AliasSymbolicLinkName)
{
    PAGED_CODE();
    if (SymbolicLinkName == NULL || AliasInterfaceClassGuid == NULL || AliasSymbolicLinkName == NULL ||
        (SymbolicLinkName->Length & 1))
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&if_lock);
    NTSTATUS status = STATUS_OBJECT_NAME_NOT_FOUND;
    struct if_entry *f = if_find_by_name(SymbolicLinkName);
    if (f == NULL) {
        status = STATUS_INVALID_HANDLE; /* not a registered interface */
    } else {
        for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink) {
            struct if_entry *o = CONTAINING_RECORD(e, struct if_entry, link);
            if (o->pdo == f->pdo && IsEqualGUID(&o->class_guid, AliasInterfaceClassGuid) &&
                if_equal(o->ref.Buffer, o->ref.Length / sizeof(WCHAR), f->ref.Buffer, f->ref.Length / sizeof(WCHAR))) {
                status = if_copy_out(&o->name, AliasSymbolicLinkName);
                break;
            }
        }
    }
    pthread_mutex_unlock(&if_lock);
    return status;
}

void io_interface_for_each_enabled(const GUID *class_guid, io_interface_visit_fn *fn, void *context)
{
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink) {
        struct if_entry *f = CONTAINING_RECORD(e, struct if_entry, link);
        if (f->enabled && IsEqualGUID(&f->class_guid, class_guid))
            fn(&f->name, context);
    }
}

ULONG io_interface_count(void)
{
    ULONG n = 0;
    pthread_mutex_lock(&if_lock);
    for (PLIST_ENTRY e = if_entries.Flink; e != &if_entries; e = e->Flink)
        n++;
    pthread_mutex_unlock(&if_lock);
    return n;
}
