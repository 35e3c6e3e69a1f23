/*
 * dbglog.c - per-driver debug logs (openwdf/dbglog.h): a bounded ring of lines, optional FILE* or fd
 * sinks, a thread-local current log and the process log.
 *
 * Locking: one mutex per log guards its ring, pending line and sinks; sinks are written under it so
 * lines keep their order. Debug output is not on the I/O path (it is a driver's diagnostic), so a
 * mutex and a line copy per line are fine. Ring slots keep their buffers and reuse them once the ring
 * is full, so steady logging does not allocate.
 */
#include "rtl_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include <openwdf/dbglog.h>

struct line_slot {
    char *text;
    size_t length;
    size_t capacity;
};

struct owdf_dbg_log {
    pthread_mutex_t lock;
    char *name;
    struct line_slot *slots;
    size_t capacity; /* slots */
    size_t first;    /* index of the oldest kept line */
    size_t count;    /* lines kept */
    uint64_t total;  /* lines written since creation / clear */
    char pending[OWDF_DBG_LINE_MAX];
    size_t pending_length;
    FILE *file;
    int fd;
    bool to_stderr; /* the process log with OWDF_DBG_STDERR=1 */
    bool is_process;
};

static __thread owdf_dbg_log *current_log __attribute__((tls_model("initial-exec")));

static owdf_dbg_log process_log_storage;
static pthread_once_t process_log_once = PTHREAD_ONCE_INIT;

static bool log_init(owdf_dbg_log *log, const char *name, size_t capacity)
{
    memset(log, 0, sizeof *log);
    if (capacity == 0)
        capacity = 1;
    log->name = strdup(name != NULL ? name : "");
    log->slots = calloc(capacity, sizeof *log->slots);
    if (log->name == NULL || log->slots == NULL) {
        free(log->name);
        free(log->slots);
        return false;
    }
    pthread_mutex_init(&log->lock, NULL);
    log->capacity = capacity;
    log->fd = -1;
    return true;
}

static void process_log_setup(void)
{
    if (!log_init(&process_log_storage, "openwdf", OWDF_DBG_DEFAULT_CAPACITY)) {
        fprintf(stderr, "openwdf: cannot allocate the process debug log\n");
        abort();
    }
    process_log_storage.is_process = true;
    const char *env = getenv("OWDF_DBG_STDERR");
    process_log_storage.to_stderr = env != NULL && strcmp(env, "1") == 0;
}

owdf_dbg_log *owdf_dbg_log_process(void)
{
    pthread_once(&process_log_once, process_log_setup);
    return &process_log_storage;
}

owdf_dbg_log *owdf_dbg_log_create_ex(const char *name, size_t capacity_lines)
{
    owdf_dbg_log *log = malloc(sizeof *log);
    if (log == NULL)
        return NULL;
    if (!log_init(log, name, capacity_lines)) {
        free(log);
        return NULL;
    }
    return log;
}

owdf_dbg_log *owdf_dbg_log_create(const char *name)
{
    return owdf_dbg_log_create_ex(name, OWDF_DBG_DEFAULT_CAPACITY);
}

static void commit_pending_locked(owdf_dbg_log *log);

void owdf_dbg_log_destroy(owdf_dbg_log *log)
{
    if (log == NULL || log->is_process)
        return;
    pthread_mutex_lock(&log->lock);
    if (log->pending_length > 0)
        commit_pending_locked(log);
    pthread_mutex_unlock(&log->lock);
    if (current_log == log)
        current_log = NULL;
    for (size_t i = 0; i < log->capacity; i++)
        free(log->slots[i].text);
    free(log->slots);
    free(log->name);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

const char *owdf_dbg_log_name(const owdf_dbg_log *log)
{
    return log->name;
}

owdf_dbg_log *owdf_dbg_log_set_current(owdf_dbg_log *log)
{
    owdf_dbg_log *previous = current_log;
    current_log = log;
    return previous;
}

owdf_dbg_log *owdf_dbg_log_current(void)
{
    owdf_dbg_log *log = current_log;
    return log != NULL ? log : owdf_dbg_log_process();
}

void owdf_dbg_log_set_file(owdf_dbg_log *log, FILE *file)
{
    pthread_mutex_lock(&log->lock);
    log->file = file;
    pthread_mutex_unlock(&log->lock);
}

void owdf_dbg_log_set_fd(owdf_dbg_log *log, int fd)
{
    pthread_mutex_lock(&log->lock);
    log->fd = fd;
    pthread_mutex_unlock(&log->lock);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            return; /* a log sink that fails loses the line; nothing better to do */
        p += k;
        n -= (size_t)k;
    }
}

/* Moves the pending text into the ring as one line and copies it to the sinks. */
static void commit_pending_locked(owdf_dbg_log *log)
{
    size_t n = log->pending_length;
    if (n > 0 && log->pending[n - 1] == '\r')
        n--;
    struct line_slot *slot;
    if (log->count < log->capacity) {
        slot = &log->slots[(log->first + log->count) % log->capacity];
        log->count++;
    } else {
        slot = &log->slots[log->first];
        log->first = (log->first + 1) % log->capacity;
    }
    if (slot->capacity < n + 1) {
        size_t want = n + 1 < 64 ? 64 : n + 1;
        char *text = realloc(slot->text, want);
        if (text == NULL) {
            /* Keep the slot as an empty line rather than lose the ring's order. */
            n = 0;
        } else {
            slot->text = text;
            slot->capacity = want;
        }
    }
    if (slot->text != NULL) {
        memcpy(slot->text, log->pending, n);
        slot->text[n] = '\0';
    }
    slot->length = n;
    log->total++;

    if (log->file != NULL) {
        fwrite(log->pending, 1, n, log->file);
        fputc('\n', log->file);
        fflush(log->file);
    }
    if (log->fd >= 0) {
        write_all(log->fd, log->pending, n);
        write_all(log->fd, "\n", 1);
    }
    if (log->to_stderr)
        fprintf(stderr, "[%s] %.*s\n", log->name, (int)n, log->pending);
    log->pending_length = 0;
}

void owdf_dbg_log_write(owdf_dbg_log *log, const char *text, size_t length)
{
    if (log == NULL)
        log = owdf_dbg_log_current();
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == '\n') {
            commit_pending_locked(log);
            continue;
        }
        if (log->pending_length < OWDF_DBG_LINE_MAX - 1) /* longer lines are cut */
            log->pending[log->pending_length++] = c;
    }
    pthread_mutex_unlock(&log->lock);
}

void owdf_dbg_log_printf(owdf_dbg_log *log, const char *fmt, ...)
{
    char text[OWDF_DBG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    owdf_dbg_log_write(log, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

size_t owdf_dbg_log_line_count(owdf_dbg_log *log)
{
    pthread_mutex_lock(&log->lock);
    size_t n = log->count;
    pthread_mutex_unlock(&log->lock);
    return n;
}

uint64_t owdf_dbg_log_total_lines(owdf_dbg_log *log)
{
    pthread_mutex_lock(&log->lock);
    uint64_t n = log->total;
    pthread_mutex_unlock(&log->lock);
    return n;
}

int owdf_dbg_log_read(owdf_dbg_log *log, size_t index, char *buffer, size_t size)
{
    int result = -1;
    pthread_mutex_lock(&log->lock);
    if (index < log->count) {
        const struct line_slot *slot = &log->slots[(log->first + index) % log->capacity];
        const char *text = slot->text != NULL ? slot->text : "";
        if (size > 0) {
            size_t n = slot->length < size - 1 ? slot->length : size - 1;
            memcpy(buffer, text, n);
            buffer[n] = '\0';
        }
        result = (int)slot->length;
    }
    pthread_mutex_unlock(&log->lock);
    return result;
}

char *owdf_dbg_log_snapshot(owdf_dbg_log *log)
{
    pthread_mutex_lock(&log->lock);
    size_t total = 1;
    for (size_t i = 0; i < log->count; i++)
        total += log->slots[(log->first + i) % log->capacity].length + 1;
    char *out = malloc(total);
    if (out != NULL) {
        size_t at = 0;
        for (size_t i = 0; i < log->count; i++) {
            const struct line_slot *slot = &log->slots[(log->first + i) % log->capacity];
            if (slot->length > 0)
                memcpy(out + at, slot->text, slot->length);
            at += slot->length;
            out[at++] = '\n';
        }
        out[at] = '\0';
    }
    pthread_mutex_unlock(&log->lock);
    return out;
}

size_t owdf_dbg_log_count_matching(owdf_dbg_log *log, const char *needle)
{
    size_t matches = 0;
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < log->count; i++) {
        const struct line_slot *slot = &log->slots[(log->first + i) % log->capacity];
        if (slot->text != NULL && strstr(slot->text, needle) != NULL)
            matches++;
    }
    pthread_mutex_unlock(&log->lock);
    return matches;
}

void owdf_dbg_log_clear(owdf_dbg_log *log)
{
    pthread_mutex_lock(&log->lock);
    log->first = log->count = 0;
    log->total = 0;
    log->pending_length = 0;
    pthread_mutex_unlock(&log->lock);
}
