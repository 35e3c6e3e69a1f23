/*
 * registry_store.c - the in-memory registry store (fx_registry.h): what the host's persistent
 * store will replace. Keys are kept by full path in one list under one mutex (registry access is
 * rare and PASSIVE_LEVEL only); an open node references its key, so a deleted key stays readable
 * as "deleted" until its last node closes. Memory is the host's (malloc), not a driver's pool.
 */
#include "fx_registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct reg_value {
    struct reg_value *next;
    UNICODE_STRING name; /* Buffer owned */
    ULONG type;
    ULONG length;
    unsigned char *data; /* owned; NULL when length is 0 */
};

struct fx_registry_node {
    struct fx_registry_node *next; /* all keys, under store_lock */
    UNICODE_STRING path;           /* Buffer owned */
    struct reg_value *values;
    LONG opens; /* open nodes (this struct is the node) */
    BOOLEAN deleted;
};

static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fx_registry_node *all_keys;

static WCHAR upcase(WCHAR c)
{
    return (c >= L'a' && c <= L'z') ? (WCHAR)(c - (L'a' - L'A')) : c;
}

static BOOLEAN names_equal(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    if (a->Length != b->Length)
        return FALSE;
    for (ULONG i = 0; i < a->Length / sizeof(WCHAR); i++) {
        if (upcase(a->Buffer[i]) != upcase(b->Buffer[i]))
            return FALSE;
    }
    return TRUE;
}

/* `path` without trailing backslashes. */
static UNICODE_STRING trimmed(PCUNICODE_STRING path)
{
    UNICODE_STRING t = *path;
    while (t.Length >= sizeof(WCHAR) && t.Buffer[t.Length / sizeof(WCHAR) - 1] == L'\\')
        t.Length -= sizeof(WCHAR);
    t.MaximumLength = t.Length;
    return t;
}

static BOOLEAN copy_string(UNICODE_STRING *dst, PCUNICODE_STRING src)
{
    dst->Buffer = malloc(src->Length + sizeof(WCHAR));
    if (dst->Buffer == NULL)
        return FALSE;
    if (src->Length != 0)
        memcpy(dst->Buffer, src->Buffer, src->Length);
    dst->Buffer[src->Length / sizeof(WCHAR)] = 0;
    dst->Length = src->Length;
    dst->MaximumLength = src->Length;
    return TRUE;
}

static struct fx_registry_node *find_locked(PCUNICODE_STRING path)
{
    for (struct fx_registry_node *k = all_keys; k != NULL; k = k->next) {
        if (names_equal(&k->path, path))
            return k;
    }
    return NULL;
}

static void free_key(struct fx_registry_node *k)
{
    struct reg_value *v = k->values;
    while (v != NULL) {
        struct reg_value *next = v->next;
        free(v->name.Buffer);
        free(v->data);
        free(v);
        v = next;
    }
    free(k->path.Buffer);
    free(k);
}

static struct fx_registry_node *create_locked(PCUNICODE_STRING path)
{
    struct fx_registry_node *k = calloc(1, sizeof *k);
    if (k == NULL || !copy_string(&k->path, path)) {
        free(k);
        return NULL;
    }
    k->next = all_keys;
    all_keys = k;
    return k;
}

static NTSTATUS mem_open(PCUNICODE_STRING path_in, BOOLEAN create, BOOLEAN *created, fx_registry_node **node)
{
    *node = NULL;
    if (created != NULL)
        *created = FALSE;
    UNICODE_STRING path = trimmed(path_in);
    if (path.Length == 0)
        return STATUS_OBJECT_NAME_INVALID;
    pthread_mutex_lock(&store_lock);
    struct fx_registry_node *k = find_locked(&path);
    if (k == NULL && create) {
        /* Create missing ancestors first, so that a later RemoveKey sees the tree. */
        for (ULONG i = 1; i < path.Length / sizeof(WCHAR); i++) {
            if (path.Buffer[i] != L'\\')
                continue;
            UNICODE_STRING prefix = {.Length = (USHORT)(i * sizeof(WCHAR)), .Buffer = path.Buffer};
            prefix.MaximumLength = prefix.Length;
            if (find_locked(&prefix) == NULL && create_locked(&prefix) == NULL) {
                pthread_mutex_unlock(&store_lock);
                return STATUS_INSUFFICIENT_RESOURCES;
            }
        }
        k = create_locked(&path);
        if (k == NULL) {
            pthread_mutex_unlock(&store_lock);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if (created != NULL)
            *created = TRUE;
    }
    if (k == NULL) {
        pthread_mutex_unlock(&store_lock);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    k->opens++;
    pthread_mutex_unlock(&store_lock);
    *node = k;
    return STATUS_SUCCESS;
}

static void mem_close(fx_registry_node *k)
{
    pthread_mutex_lock(&store_lock);
    BOOLEAN free_it = --k->opens == 0 && k->deleted;
    pthread_mutex_unlock(&store_lock);
    if (free_it)
        free_key(k);
}

static struct reg_value *find_value(struct fx_registry_node *k, PCUNICODE_STRING name,
                                    struct reg_value ***link_out)
{
    struct reg_value **link = &k->values;
    for (; *link != NULL; link = &(*link)->next) {
        if (names_equal(&(*link)->name, name)) {
            if (link_out != NULL)
                *link_out = link;
            return *link;
        }
    }
    return NULL;
}

static NTSTATUS mem_query(fx_registry_node *k, PCUNICODE_STRING name, ULONG *type, void *data, ULONG *length)
{
    pthread_mutex_lock(&store_lock);
    NTSTATUS status;
    struct reg_value *v = k->deleted ? NULL : find_value(k, name, NULL);
    if (k->deleted) {
        status = STATUS_KEY_DELETED;
    } else if (v == NULL) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        ULONG capacity = *length;
        *length = v->length;
        if (type != NULL)
            *type = v->type;
        if (v->length > capacity || (data == NULL && v->length != 0)) {
            status = STATUS_BUFFER_OVERFLOW;
        } else {
            if (v->length != 0)
                memcpy(data, v->data, v->length);
            status = STATUS_SUCCESS;
        }
    }
    pthread_mutex_unlock(&store_lock);
    return status;
}

static NTSTATUS mem_set(fx_registry_node *k, PCUNICODE_STRING name, ULONG type, const void *data,
                        ULONG length)
{
    unsigned char *copy = NULL;
    if (length != 0) {
        copy = malloc(length);
        if (copy == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(copy, data, length);
    }
    pthread_mutex_lock(&store_lock);
    if (k->deleted) {
        pthread_mutex_unlock(&store_lock);
        free(copy);
        return STATUS_KEY_DELETED;
    }
    struct reg_value *v = find_value(k, name, NULL);
    if (v == NULL) {
        v = calloc(1, sizeof *v);
        if (v == NULL || !copy_string(&v->name, name)) {
            pthread_mutex_unlock(&store_lock);
            free(v);
            free(copy);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        v->next = k->values;
        k->values = v;
    }
    free(v->data);
    v->data = copy;
    v->length = length;
    v->type = type;
    pthread_mutex_unlock(&store_lock);
    return STATUS_SUCCESS;
}

static NTSTATUS mem_delete_value(fx_registry_node *k, PCUNICODE_STRING name)
{
    pthread_mutex_lock(&store_lock);
    struct reg_value **link = NULL;
    NTSTATUS status = STATUS_OBJECT_NAME_NOT_FOUND;
    if (k->deleted) {
        status = STATUS_KEY_DELETED;
    } else if (find_value(k, name, &link) != NULL) {
        struct reg_value *v = *link;
        *link = v->next;
        free(v->name.Buffer);
        free(v->data);
        free(v);
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&store_lock);
    return status;
}

static NTSTATUS mem_delete_key(fx_registry_node *k)
{
    pthread_mutex_lock(&store_lock);
    if (k->deleted) {
        pthread_mutex_unlock(&store_lock);
        return STATUS_KEY_DELETED;
    }
    USHORT n = k->path.Length / sizeof(WCHAR);
    for (struct fx_registry_node *o = all_keys; o != NULL; o = o->next) {
        if (o == k || o->path.Length <= k->path.Length || o->path.Buffer[n] != L'\\')
            continue;
        UNICODE_STRING prefix = {
            .Length = k->path.Length, .MaximumLength = k->path.Length, .Buffer = o->path.Buffer};
        if (names_equal(&prefix, &k->path)) {
            pthread_mutex_unlock(&store_lock);
            return STATUS_CANNOT_DELETE;
        }
    }
    struct fx_registry_node **link = &all_keys;
    while (*link != NULL && *link != k)
        link = &(*link)->next;
    if (*link != NULL)
        *link = k->next;
    k->deleted = TRUE;
    pthread_mutex_unlock(&store_lock);
    return STATUS_SUCCESS;
}

static void mem_path(fx_registry_node *k, PUNICODE_STRING path)
{
    *path = k->path;
}

const fx_registry_store fx_registry_memory_store = {
    .open = mem_open,
    .close = mem_close,
    .query = mem_query,
    .set = mem_set,
    .delete_value = mem_delete_value,
    .delete_key = mem_delete_key,
    .path = mem_path,
};

static const fx_registry_store *current_store = &fx_registry_memory_store;

void fx_registry_set_store(const fx_registry_store *store)
{
    __atomic_store_n(&current_store, store != NULL ? store : &fx_registry_memory_store, __ATOMIC_RELEASE);
}

const fx_registry_store *fx_registry_get_store(void)
{
    return __atomic_load_n(&current_store, __ATOMIC_ACQUIRE);
}
