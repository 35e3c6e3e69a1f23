/*
 * fx_registry.h - the registry store behind WDFKEY (owner: wdf-support, registry_store.c and
 * registry.c). The store is a tree of keys named by full path (\Registry\Machine\..., compared
 * case-insensitively), each with typed values. The default store lives in memory; the host can
 * install another (e.g. SQLite-backed) with fx_registry_set_store() before any driver loads.
 * Every function runs at PASSIVE_LEVEL and is thread-safe.
 */
#ifndef OPENWDF_FX_REGISTRY_H
#define OPENWDF_FX_REGISTRY_H

#include "fx_object.h"

#include <wdfregistry.h>

typedef struct fx_registry_node fx_registry_node; /* an open key, opaque to callers */

typedef struct fx_registry_store {
    /* Opens `path`; with create, creates it (and missing parents), setting *created. Errors:
     * STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_NAME_INVALID (empty path), STATUS_INSUFFICIENT_RESOURCES.
     */
    NTSTATUS (*open)(PCUNICODE_STRING path, BOOLEAN create, BOOLEAN *created, fx_registry_node **node);
    void (*close)(fx_registry_node *node);
    /* *length: in, the capacity of data (data may be NULL with 0); out, the value's size. Copies when
     * it fits, else STATUS_BUFFER_OVERFLOW. STATUS_OBJECT_NAME_NOT_FOUND, STATUS_KEY_DELETED. */
    NTSTATUS (*query)(fx_registry_node *node, PCUNICODE_STRING name, ULONG *type, void *data, ULONG *length);
    NTSTATUS (*set)
    (fx_registry_node *node, PCUNICODE_STRING name, ULONG type, const void *data, ULONG length);
    NTSTATUS (*delete_value)(fx_registry_node *node, PCUNICODE_STRING name);
    /* STATUS_CANNOT_DELETE while the key has subkeys; afterwards the node answers STATUS_KEY_DELETED. */
    NTSTATUS (*delete_key)(fx_registry_node *node);
    /* The key's full path (valid while the node is open). */
    void (*path)(fx_registry_node *node, PUNICODE_STRING path);
} fx_registry_store;

/* The in-memory store (the default). */
extern const fx_registry_store fx_registry_memory_store;

/* Installs a store (NULL: the in-memory one). Call before any key is opened. */
void fx_registry_set_store(const fx_registry_store *store);
const fx_registry_store *fx_registry_get_store(void);

/*
 * Opens (or creates) the key at the full `path` as a WDFKEY for the driver, e.g. for
 * WdfDriverOpenParametersRegistryKey / WdfDeviceOpenRegistryKey. Parent: attributes->ParentObject or
 * the driver. access: as for ZwOpenKey (GENERIC_* mapped to KEY_*); the WDFKEY refuses operations
 * the access does not allow (STATUS_ACCESS_DENIED).
 */
NTSTATUS fx_registry_open_key_object(PWDF_DRIVER_GLOBALS globals, PCUNICODE_STRING path, ACCESS_MASK access,
                                     BOOLEAN create, PULONG disposition,
                                     const WDF_OBJECT_ATTRIBUTES *attributes, WDFKEY *key_out);

/* a + b + s + c as one NUL-terminated path in pool with `tag` (b, s and c may be NULL), e.g. a key
 * path built from a root, a separator, an instance path and a subkey. STATUS_NAME_TOO_LONG past a
 * UNICODE_STRING's reach. */
NTSTATUS fx_registry_join_path(ULONG tag, UNICODE_STRING *out, const WCHAR *a, const WCHAR *b, PCUNICODE_STRING s,
                               const WCHAR *c);

#endif /* OPENWDF_FX_REGISTRY_H */
