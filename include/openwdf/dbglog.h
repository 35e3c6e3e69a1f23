/*
 * openwdf/dbglog.h - per-driver debug logs: where DbgPrint, DbgPrintEx and KdPrint output goes.
 *
 * A log keeps its last lines in a bounded in-memory ring (tests read them back) and may also copy each
 * line to a FILE* or a file descriptor. The I/O manager makes a driver's log current on the calling
 * thread around every call into that driver (owdf_dbg_log_set_current: one thread-local store); output
 * made with no current log goes to the process log, which copies to stderr only when the environment
 * has OWDF_DBG_STDERR=1 (otherwise it is kept in memory).
 *
 * Lines: text is split at '\n'; text without a newline stays pending in the log until the next newline
 * (so DbgPrint("a"); DbgPrint("b\n"); is one line "ab"). Lines longer than OWDF_DBG_LINE_MAX bytes are
 * cut. All functions are thread-safe; a log must not be destroyed while it is current on any thread.
 */
#ifndef OPENWDF_DBGLOG_H
#define OPENWDF_DBGLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWDF_DBGLOG_API __attribute__((visibility("default")))

typedef struct owdf_dbg_log owdf_dbg_log;

#define OWDF_DBG_LINE_MAX 1024
#define OWDF_DBG_DEFAULT_CAPACITY 1024

/* A log named `name` (copied; e.g. the driver's service name) keeping the last
 * OWDF_DBG_DEFAULT_CAPACITY lines. NULL on no memory. */
OWDF_DBGLOG_API owdf_dbg_log *owdf_dbg_log_create(const char *name);
OWDF_DBGLOG_API owdf_dbg_log *owdf_dbg_log_create_ex(const char *name, size_t capacity_lines);
/* Flushes a pending partial line, then frees. NULL is ignored; the process log cannot be destroyed. */
OWDF_DBGLOG_API void owdf_dbg_log_destroy(owdf_dbg_log *log);
OWDF_DBGLOG_API const char *owdf_dbg_log_name(const owdf_dbg_log *log);

/* The process log (never NULL). */
OWDF_DBGLOG_API owdf_dbg_log *owdf_dbg_log_process(void);
/* Makes `log` (NULL = none, i.e. the process log) current on this thread; returns the previous one. */
OWDF_DBGLOG_API owdf_dbg_log *owdf_dbg_log_set_current(owdf_dbg_log *log);
/* The log output goes to on this thread: the current one, or the process log. */
OWDF_DBGLOG_API owdf_dbg_log *owdf_dbg_log_current(void);

/* Sinks: every complete line is also written (with '\n') to `file` / `fd`. NULL / -1 removes it.
 * The log does not close them. */
OWDF_DBGLOG_API void owdf_dbg_log_set_file(owdf_dbg_log *log, FILE *file);
OWDF_DBGLOG_API void owdf_dbg_log_set_fd(owdf_dbg_log *log, int fd);

/* Appends text (split into lines as described above). */
OWDF_DBGLOG_API void owdf_dbg_log_write(owdf_dbg_log *log, const char *text, size_t length);
OWDF_DBGLOG_API void owdf_dbg_log_printf(owdf_dbg_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reading back. Index 0 is the oldest line kept. */
OWDF_DBGLOG_API size_t owdf_dbg_log_line_count(owdf_dbg_log *log);
/* Lines written since creation or the last clear, including those the ring has dropped. */
OWDF_DBGLOG_API uint64_t owdf_dbg_log_total_lines(owdf_dbg_log *log);
/* Copies line `index` (terminated, cut to size) and returns its full length, or -1 if out of range. */
OWDF_DBGLOG_API int owdf_dbg_log_read(owdf_dbg_log *log, size_t index, char *buffer, size_t size);
/* All kept lines, each followed by '\n', in one malloc'd string (free() it). NULL on no memory. */
OWDF_DBGLOG_API char *owdf_dbg_log_snapshot(owdf_dbg_log *log);
/* Number of kept lines containing `needle`. */
OWDF_DBGLOG_API size_t owdf_dbg_log_count_matching(owdf_dbg_log *log, const char *needle);
/* Drops the kept lines and any pending partial line. */
OWDF_DBGLOG_API void owdf_dbg_log_clear(owdf_dbg_log *log);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_DBGLOG_H */
