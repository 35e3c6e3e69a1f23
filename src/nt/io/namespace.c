/*
 * namespace.c - the object namespace: a tree of directories naming devices, drivers and symbolic
 * links, as Windows' object manager keeps it (\Device\X, \Driver\X, \GLOBAL??\X with \?? and
 * \DosDevices leading there).
 *
 * Every open walks a name, so the tree is reader-mostly: one reader/writer lock (writers
 * preferred) guards it; walks take it shared, inserts and removals exclusive. A walk that meets a
 * symbolic link rebuilds the path as target + rest and starts again from the root (at most
 * IO_NS_MAX_REPARSE times). The namespace takes no reference on the objects it names; a lookup
 * references the object it returns while still holding the lock, so an owner that removes the
 * name before freeing (IoDeleteDevice does) never races a lookup.
 *
 * The skeleton, built once: \Device, \Driver, \GLOBAL??, \GLOBAL??\GLOBALROOT -> "" (so
 * "\??\GLOBALROOT\Device\X" works as on Windows), \?? -> \GLOBAL??, \DosDevices -> \??.
 * Internal memory comes from the C heap: it belongs to the system, not to a driver's pool.
 */
#include "io_names.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NS_BUCKETS 37
#define NS_INLINE_CHARS 256
#define NS_MAX_CHARS (UNICODE_STRING_MAX_BYTES / sizeof(WCHAR))

struct ns_entry {
    struct ns_entry *next; /* chain in the parent's bucket */
    struct ns_entry *parent;
    io_object_kind kind;
    ULONG hash;
    BOOLEAN builtin;
    UNICODE_STRING name;        /* one component; the characters follow the struct */
    PVOID object;               /* DEVICE, DRIVER, OTHER */
    UNICODE_STRING target;      /* SYMLINK; heap copy (Buffer may be NULL for "") */
    struct ns_entry **buckets;  /* DIRECTORY */
    ULONG count;                /* DIRECTORY: entries */
};

/* A path being walked: inline storage, spilling to the heap for long reparsed names. */
struct ns_buf {
    WCHAR *chars;
    size_t capacity;
    WCHAR inline_chars[NS_INLINE_CHARS];
};

struct ns_walk {
    struct ns_entry *entry;     /* found object (lookup) */
    struct ns_entry *dir;       /* parent directory (parent mode) */
    const WCHAR *leaf;          /* last component (parent mode) */
    USHORT leaf_len;            /* characters */
    const WCHAR *rest;          /* remaining path after a device, "\..." */
    USHORT rest_len;            /* characters */
    struct ns_buf buf[2];
};

static pthread_once_t ns_once = PTHREAD_ONCE_INIT;
static pthread_rwlock_t ns_lock;
static struct ns_entry *ns_root;
static ULONG ns_user_entries; /* under ns_lock (exclusive to write) */

/* ---- helpers --------------------------------------------------------------------------------- */

static inline WCHAR ns_upcase(WCHAR c)
{
    if (c < 0x80)
        return (c >= L'a' && c <= L'z') ? (WCHAR)(c - (L'a' - L'A')) : c;
    return RtlUpcaseUnicodeChar(c);
}

static ULONG ns_hash(const WCHAR *s, USHORT len)
{
    ULONG h = 0;
    for (USHORT i = 0; i < len; i++)
        h = h * 31u + ns_upcase(s[i]);
    return h;
}

static BOOLEAN ns_equal(const WCHAR *a, USHORT alen, const WCHAR *b, USHORT blen)
{
    if (alen != blen)
        return FALSE;
    for (USHORT i = 0; i < alen; i++) {
        if (a[i] != b[i] && ns_upcase(a[i]) != ns_upcase(b[i]))
            return FALSE;
    }
    return TRUE;
}

static struct ns_entry *ns_find(struct ns_entry *dir, const WCHAR *s, USHORT len)
{
    ULONG h = ns_hash(s, len);
    for (struct ns_entry *e = dir->buckets[h % NS_BUCKETS]; e != NULL; e = e->next) {
        if (e->hash == h && ns_equal(e->name.Buffer, e->name.Length / sizeof(WCHAR), s, len))
            return e;
    }
    return NULL;
}

static struct ns_entry *ns_new_entry(const WCHAR *s, USHORT len, io_object_kind kind)
{
    struct ns_entry *e = calloc(1, sizeof(*e) + (size_t)len * sizeof(WCHAR));
    if (e == NULL)
        return NULL;
    e->kind = kind;
    e->name.Buffer = (PWCH)(e + 1);
    e->name.Length = e->name.MaximumLength = (USHORT)(len * sizeof(WCHAR));
    memcpy(e->name.Buffer, s, (size_t)len * sizeof(WCHAR));
    e->hash = ns_hash(s, len);
    if (kind == IO_OBJ_DIRECTORY) {
        e->buckets = calloc(NS_BUCKETS, sizeof(*e->buckets));
        if (e->buckets == NULL) {
            free(e);
            return NULL;
        }
    }
    return e;
}

static void ns_free_entry(struct ns_entry *e)
{
    free(e->target.Buffer);
    free(e->buckets);
    free(e);
}

static void ns_link_into(struct ns_entry *dir, struct ns_entry *e)
{
    struct ns_entry **head = &dir->buckets[e->hash % NS_BUCKETS];
    e->parent = dir;
    e->next = *head;
    *head = e;
    dir->count++;
    if (!e->builtin)
        ns_user_entries++;
}

static void ns_unlink(struct ns_entry *e)
{
    struct ns_entry *dir = e->parent;
    for (struct ns_entry **pp = &dir->buckets[e->hash % NS_BUCKETS]; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            dir->count--;
            if (!e->builtin)
                ns_user_entries--;
            return;
        }
    }
}

static BOOLEAN ns_set_target(struct ns_entry *e, PCUNICODE_STRING target)
{
    size_t bytes = target != NULL ? target->Length : 0;
    if (bytes == 0)
        return TRUE;
    e->target.Buffer = malloc(bytes);
    if (e->target.Buffer == NULL)
        return FALSE;
    memcpy(e->target.Buffer, target->Buffer, bytes);
    e->target.Length = e->target.MaximumLength = (USHORT)bytes;
    return TRUE;
}

/* ---- skeleton -------------------------------------------------------------------------------- */

static struct ns_entry *ns_builtin(struct ns_entry *dir, const WCHAR *name, io_object_kind kind, const WCHAR *target)
{
    USHORT len = 0;
    while (name[len] != 0)
        len++;
    struct ns_entry *e = ns_new_entry(name, len, kind);
    if (e == NULL)
        abort(); /* at start-up, before any driver: nothing sensible to fall back to */
    e->builtin = TRUE;
    if (target != NULL) {
        UNICODE_STRING t = {0, 0, (PWCH)target};
        while (target[t.Length / sizeof(WCHAR)] != 0)
            t.Length += sizeof(WCHAR);
        t.MaximumLength = t.Length;
        if (!ns_set_target(e, &t))
            abort();
    }
    if (dir != NULL)
        ns_link_into(dir, e);
    return e;
}

extern const char io_names_rules_anchor;

static void ns_init(void)
{
    (void)*(volatile const char *)&io_names_rules_anchor; /* links names_rules.c */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&ns_lock, &attr);
    pthread_rwlockattr_destroy(&attr);

    ns_root = ns_builtin(NULL, L"", IO_OBJ_DIRECTORY, NULL);
    ns_builtin(ns_root, L"Device", IO_OBJ_DIRECTORY, NULL);
    ns_builtin(ns_root, L"Driver", IO_OBJ_DIRECTORY, NULL);
    ns_builtin(ns_root, L"FileSystem", IO_OBJ_DIRECTORY, NULL);
    ns_builtin(ns_root, L"Callback", IO_OBJ_DIRECTORY, NULL);
    struct ns_entry *global = ns_builtin(ns_root, L"GLOBAL??", IO_OBJ_DIRECTORY, NULL);
    ns_builtin(global, L"GLOBALROOT", IO_OBJ_SYMLINK, L"");
    ns_builtin(ns_root, L"??", IO_OBJ_SYMLINK, L"\\GLOBAL??");
    ns_builtin(ns_root, L"DosDevices", IO_OBJ_SYMLINK, L"\\??");
}

static inline void ns_ensure(void)
{
    pthread_once(&ns_once, ns_init);
}

static void ns_read_lock(void)
{
    ns_ensure();
    pthread_rwlock_rdlock(&ns_lock);
}

static void ns_write_lock(void)
{
    ns_ensure();
    pthread_rwlock_wrlock(&ns_lock);
}

static void ns_unlock(void)
{
    pthread_rwlock_unlock(&ns_lock);
}

/* ---- the walk -------------------------------------------------------------------------------- */

static void ns_walk_init(struct ns_walk *w)
{
    memset(w, 0, offsetof(struct ns_walk, buf));
    for (int i = 0; i < 2; i++) {
        w->buf[i].chars = w->buf[i].inline_chars;
        w->buf[i].capacity = NS_INLINE_CHARS;
    }
}

static void ns_walk_done(struct ns_walk *w)
{
    for (int i = 0; i < 2; i++) {
        if (w->buf[i].chars != w->buf[i].inline_chars)
            free(w->buf[i].chars);
    }
}

static BOOLEAN ns_buf_reserve(struct ns_buf *b, size_t chars)
{
    if (chars <= b->capacity)
        return TRUE;
    WCHAR *n = malloc(chars * sizeof(WCHAR));
    if (n == NULL)
        return FALSE;
    if (b->chars != b->inline_chars)
        free(b->chars);
    b->chars = n;
    b->capacity = chars;
    return TRUE;
}

/*
 * Walks name from the root. parent_mode: stop before the last component and return its directory
 * and text (for inserts: links in the parent path are followed, devices are not parsed). Else
 * find the object; a device ends the walk with the rest of the path in w->rest.
 * Caller holds ns_lock (either mode).
 */
static NTSTATUS ns_walk_path(struct ns_walk *w, PCUNICODE_STRING name, ULONG flags, BOOLEAN parent_mode)
{
    if (name == NULL)
        return STATUS_INVALID_PARAMETER;
    if (name->Length & 1)
        return STATUS_OBJECT_NAME_INVALID;
    if (name->Length == 0 || name->Buffer == NULL || name->Buffer[0] != L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;

    const WCHAR *p = name->Buffer;
    size_t len = name->Length / sizeof(WCHAR);
    int next_buf = 0;
    int reparses = 0;

restart:
    if (len == 1) {
        if (parent_mode)
            return STATUS_OBJECT_NAME_COLLISION; /* "\" always exists */
        w->entry = ns_root;
        return STATUS_SUCCESS;
    }
    struct ns_entry *dir = ns_root;
    size_t i = 1;
    for (;;) {
        size_t start = i;
        while (i < len && p[i] != L'\\')
            i++;
        USHORT comp_len = (USHORT)(i - start);
        if (comp_len == 0)
            return STATUS_OBJECT_NAME_INVALID;
        BOOLEAN more = i < len;
        if (parent_mode && !more) {
            w->dir = dir;
            w->leaf = p + start;
            w->leaf_len = comp_len;
            return STATUS_SUCCESS;
        }
        struct ns_entry *e = ns_find(dir, p + start, comp_len);
        if (e == NULL)
            return more ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_OBJECT_NAME_NOT_FOUND;

        switch (e->kind) {
        case IO_OBJ_DIRECTORY:
            if (!more) {
                w->entry = e;
                return STATUS_SUCCESS;
            }
            dir = e;
            i++;
            continue;

        case IO_OBJ_SYMLINK: {
            if (!more && (flags & IO_NS_OPEN_LINK)) {
                w->entry = e;
                return STATUS_SUCCESS;
            }
            if (++reparses > IO_NS_MAX_REPARSE)
                return STATUS_OBJECT_NAME_NOT_FOUND;
            size_t tlen = e->target.Length / sizeof(WCHAR);
            size_t rlen = len - i; /* the rest, starting at its '\' */
            if (tlen + rlen > NS_MAX_CHARS)
                return STATUS_NAME_TOO_LONG;
            if (tlen + rlen == 0)
                return STATUS_OBJECT_NAME_NOT_FOUND;
            struct ns_buf *b = &w->buf[next_buf];
            if (!ns_buf_reserve(b, tlen + rlen))
                return STATUS_INSUFFICIENT_RESOURCES;
            /* p may point into the other buffer, never into b. */
            if (tlen != 0)
                memcpy(b->chars, e->target.Buffer, tlen * sizeof(WCHAR));
            if (rlen != 0)
                memcpy(b->chars + tlen, p + i, rlen * sizeof(WCHAR));
            p = b->chars;
            len = tlen + rlen;
            next_buf ^= 1;
            if (p[0] != L'\\')
                return STATUS_OBJECT_NAME_NOT_FOUND;
            goto restart;
        }

        case IO_OBJ_DEVICE:
            if (more && parent_mode)
                return STATUS_OBJECT_TYPE_MISMATCH;
            w->entry = e;
            w->rest = more ? p + i : NULL;
            w->rest_len = more ? (USHORT)(len - i) : 0;
            return STATUS_SUCCESS;

        default:
            if (more)
                return STATUS_OBJECT_TYPE_MISMATCH;
            w->entry = e;
            return STATUS_SUCCESS;
        }
    }
}

/* ---- public (internal) API ------------------------------------------------------------------- */

static BOOLEAN ns_kind_is_object(io_object_kind kind)
{
    return kind == IO_OBJ_DEVICE || kind == IO_OBJ_DRIVER || kind == IO_OBJ_OTHER;
}

/* Inserts a new leaf under the write lock; e is consumed on failure. */
static NTSTATUS ns_insert_entry(PCUNICODE_STRING name, io_object_kind kind, PVOID object, PCUNICODE_STRING target)
{
    struct ns_walk w;
    ns_walk_init(&w);
    ns_write_lock();
    NTSTATUS status = ns_walk_path(&w, name, 0, TRUE);
    if (NT_SUCCESS(status)) {
        if (ns_find(w.dir, w.leaf, w.leaf_len) != NULL) {
            status = STATUS_OBJECT_NAME_COLLISION;
        } else {
            struct ns_entry *e = ns_new_entry(w.leaf, w.leaf_len, kind);
            if (e == NULL || (kind == IO_OBJ_SYMLINK && !ns_set_target(e, target))) {
                if (e != NULL)
                    ns_free_entry(e);
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                e->object = object;
                ns_link_into(w.dir, e);
            }
        }
    }
    ns_unlock();
    ns_walk_done(&w);
    return status;
}

NTSTATUS io_namespace_insert(PCUNICODE_STRING name, io_object_kind kind, PVOID object)
{
    if (!ns_kind_is_object(kind) || object == NULL)
        return STATUS_INVALID_PARAMETER;
    return ns_insert_entry(name, kind, object, NULL);
}

NTSTATUS io_namespace_create_directory(PCUNICODE_STRING name)
{
    return ns_insert_entry(name, IO_OBJ_DIRECTORY, NULL, NULL);
}

NTSTATUS io_namespace_create_link(PCUNICODE_STRING link_name, PCUNICODE_STRING target)
{
    if (target == NULL || (target->Length & 1) || (target->Length != 0 && target->Buffer == NULL))
        return STATUS_INVALID_PARAMETER;
    return ns_insert_entry(link_name, IO_OBJ_SYMLINK, NULL, target);
}

/* Removes the leaf named name: a link (want_link) or an object (which must be `object` when that
 * is not NULL); *kind and *removed tell what it was. */
static NTSTATUS ns_remove_leaf(PCUNICODE_STRING name, BOOLEAN want_link, PVOID object, io_object_kind *kind,
                               PVOID *removed)
{
    struct ns_walk w;
    ns_walk_init(&w);
    ns_write_lock();
    NTSTATUS status = ns_walk_path(&w, name, 0, TRUE);
    struct ns_entry *victim = NULL;
    if (status == STATUS_OBJECT_NAME_COLLISION) {
        status = STATUS_OBJECT_TYPE_MISMATCH; /* the root */
    } else if (NT_SUCCESS(status)) {
        struct ns_entry *e = ns_find(w.dir, w.leaf, w.leaf_len);
        if (e == NULL)
            status = STATUS_OBJECT_NAME_NOT_FOUND;
        else if (e->builtin)
            status = STATUS_ACCESS_DENIED;
        else if (want_link ? e->kind != IO_OBJ_SYMLINK
                           : (!ns_kind_is_object(e->kind) || (object != NULL && e->object != object)))
            status = STATUS_OBJECT_TYPE_MISMATCH;
        else {
            ns_unlink(e);
            victim = e;
            if (kind != NULL)
                *kind = e->kind;
            if (removed != NULL)
                *removed = e->object;
        }
    }
    ns_unlock();
    ns_walk_done(&w);
    if (victim != NULL)
        ns_free_entry(victim);
    return status;
}

NTSTATUS io_namespace_remove(PCUNICODE_STRING name, PVOID object)
{
    io_object_kind kind = IO_OBJ_NONE;
    PVOID removed = NULL;
    NTSTATUS status = ns_remove_leaf(name, FALSE, object, &kind, &removed);
    /* A device's name goes when IoDeleteDevice deletes it: its interfaces go too (only a named
     * device can have interfaces). Outside the namespace lock: this takes the registry lock. */
    if (NT_SUCCESS(status) && kind == IO_OBJ_DEVICE)
        io_interface_device_deleted(removed);
    return status;
}

NTSTATUS io_namespace_delete_link(PCUNICODE_STRING link_name)
{
    return ns_remove_leaf(link_name, TRUE, NULL, NULL, NULL);
}

NTSTATUS io_namespace_lookup(PCUNICODE_STRING name, ULONG flags, io_ns_result *result)
{
    if (result == NULL)
        return STATUS_INVALID_PARAMETER;
    memset(result, 0, sizeof(*result));
    struct ns_walk w;
    ns_walk_init(&w);
    ns_read_lock();
    NTSTATUS status = ns_walk_path(&w, name, flags, FALSE);
    if (NT_SUCCESS(status)) {
        struct ns_entry *e = w.entry;
        if (w.rest_len != 0 && (flags & IO_NS_WANT_REMAINING)) {
            size_t bytes = (size_t)w.rest_len * sizeof(WCHAR);
            result->remaining.Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, bytes + sizeof(WCHAR), IO_NAME_POOL_TAG);
            if (result->remaining.Buffer == NULL) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                memcpy(result->remaining.Buffer, w.rest, bytes);
                result->remaining.Buffer[w.rest_len] = UNICODE_NULL;
                result->remaining.Length = (USHORT)bytes;
                result->remaining.MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
            }
        }
        if (NT_SUCCESS(status)) {
            result->kind = e->kind;
            if (ns_kind_is_object(e->kind)) {
                result->object = e->object;
                ObReferenceObject(e->object);
            }
        }
    }
    ns_unlock();
    ns_walk_done(&w);
    return status;
}

void io_ns_result_release(io_ns_result *result)
{
    if (result == NULL)
        return;
    if (result->object != NULL)
        ObDereferenceObject(result->object);
    if (result->remaining.Buffer != NULL)
        ExFreePoolWithTag(result->remaining.Buffer, IO_NAME_POOL_TAG);
    memset(result, 0, sizeof(*result));
}

NTSTATUS io_namespace_query_link(PCUNICODE_STRING link_name, PUNICODE_STRING target)
{
    if (target == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ns_walk w;
    ns_walk_init(&w);
    ns_read_lock();
    NTSTATUS status = ns_walk_path(&w, link_name, IO_NS_OPEN_LINK, FALSE);
    if (NT_SUCCESS(status) && w.entry->kind != IO_OBJ_SYMLINK)
        status = STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(status)) {
        USHORT bytes = w.entry->target.Length;
        target->Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)bytes + sizeof(WCHAR), OWDF_RTL_STRING_TAG);
        if (target->Buffer == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            if (bytes != 0)
                memcpy(target->Buffer, w.entry->target.Buffer, bytes);
            target->Buffer[bytes / sizeof(WCHAR)] = UNICODE_NULL;
            target->Length = bytes;
            target->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
        }
    }
    ns_unlock();
    ns_walk_done(&w);
    return status;
}

NTSTATUS io_namespace_enumerate(PCUNICODE_STRING directory, io_ns_enum_fn *fn, void *context)
{
    if (fn == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ns_walk w;
    ns_walk_init(&w);
    ns_read_lock();
    NTSTATUS status = ns_walk_path(&w, directory, 0, FALSE);
    if (NT_SUCCESS(status) && (w.entry->kind != IO_OBJ_DIRECTORY || w.rest_len != 0))
        status = STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(status)) {
        for (int b = 0; b < NS_BUCKETS; b++) {
            for (struct ns_entry *e = w.entry->buckets[b]; e != NULL; e = e->next)
                fn(&e->name, e->kind, e->object, context);
        }
    }
    ns_unlock();
    ns_walk_done(&w);
    return status;
}

ULONG io_namespace_user_entry_count(void)
{
    ns_read_lock();
    ULONG n = ns_user_entries;
    ns_unlock();
    return n;
}
