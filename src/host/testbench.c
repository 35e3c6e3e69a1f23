/*
 * testbench.c - the test bench's life cycle (create: substrate, verifier sink, stop handler, root
 * bus, fault injection; destroy: ordered teardown and the leak audit), its record of verifier
 * reports, the I/O conveniences over openwdf/user.h and the diagnostics dump. Drivers are
 * testbench_driver.c's, devices testbench_pnp.c's, the root bus testbench_rootbus.c's.
 *
 * One bench at a time (tb_current, under tb_global_lock): it owns the process-wide verifier sink
 * and stop handler. The sink may run on any thread at any IRQL: it takes only tb->report_lock and
 * writes to the bench's output.
 */
#include "tb_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openwdf/nt.h>

#include "../nt/io/io_internal.h"
#include "../wdf/fx_object.h"

/* wdf-io (src/wdf/fx_queue.h): the removal watchdog's timeout. */
OWDF_API void owdf_io_set_teardown_timeout(ULONG milliseconds);
#define TB_DEFAULT_TEARDOWN_TIMEOUT_MS 5000

static pthread_mutex_t tb_global_lock = PTHREAD_MUTEX_INITIALIZER;
static owdf_tb *tb_current;

/* ---- verifier sink and stop handler --------------------------------------------------------------- */

static void tb_sink(const owdf_verifier_report *report, void *context)
{
    owdf_tb *tb = context;
    pthread_mutex_lock(&tb->report_lock);
    if (tb->total_reports < OWDF_TB_KEPT_REPORTS)
        tb->kept[tb->total_reports] = *report;
    tb->total_reports++;
    tb->all_reports++;
    size_t i;
    for (i = 0; i < tb->rule_count; i++) {
        if (strcmp(tb->rules[i].rule, report->rule) == 0)
            break;
    }
    if (i == tb->rule_count && i < TB_MAX_RULES) {
        tb->rules[i].rule = report->rule;
        tb->rules[i].count = 0;
        tb->rule_count++;
    }
    if (i < TB_MAX_RULES)
        tb->rules[i].count++;
    pthread_mutex_unlock(&tb->report_lock);
    if (!tb->opts.quiet)
        fprintf(tb->out, "openwdf verifier: %s: %s [%s %p] at %s:%d in %s()\n", report->rule, report->message,
                report->object_type ? report->object_type : "-", report->object, report->file, report->line,
                report->function);
}

static void tb_stop_handler(const owdf_verifier_report *report, void *context)
{
    owdf_tb *tb = context;
    switch (tb->opts.stop_mode) {
    case OWDF_TB_STOP_RECORD:
        return;
    case OWDF_TB_STOP_ABORT:
        fprintf(tb->out, "openwdf testbench: %s with policy STOP_DRIVER: stopping the process\n", report->rule);
        owdf_tb_dump(tb, NULL, 64);
        fflush(tb->out);
        abort();
    case OWDF_TB_STOP_DRIVER:
    default:
        owdf_io_stop_handler(report, NULL);
        return;
    }
}

/* ---- create / destroy ---------------------------------------------------------------------------- */

owdf_tb *owdf_tb_create(const owdf_tb_options *opts)
{
    if (opts != NULL && opts->size != sizeof(owdf_tb_options)) {
        fprintf(stderr, "openwdf testbench: owdf_tb_options.size is %zu, expected %zu\n", opts->size,
                sizeof(owdf_tb_options));
        return NULL;
    }
    if (opts != NULL && (int)opts->stop_mode > OWDF_TB_STOP_ABORT) {
        fprintf(stderr, "openwdf testbench: unknown stop_mode %d\n", (int)opts->stop_mode);
        return NULL;
    }
    pthread_mutex_lock(&tb_global_lock);
    if (tb_current != NULL) {
        pthread_mutex_unlock(&tb_global_lock);
        fprintf(stderr, "openwdf testbench: a test bench already exists (one at a time)\n");
        return NULL;
    }
    owdf_tb *tb = calloc(1, sizeof *tb);
    if (tb == NULL) {
        pthread_mutex_unlock(&tb_global_lock);
        return NULL;
    }
    if (opts != NULL)
        tb->opts = *opts;
    tb->opts.size = sizeof tb->opts;
    tb->out = tb->opts.out != NULL ? tb->opts.out : stderr;
    pthread_mutex_init(&tb->pnp_lock, NULL);
    pthread_mutex_init(&tb->report_lock, NULL);
    pthread_mutex_init(&tb->handle_lock, NULL);

    tb->base_handles = owdf_user_open_handle_count();
    tb->base_files = owdf_user_live_file_count();
    tb->base_drivers = owdf_io_loaded_driver_count();
    tb->base_devices = io_object_live_count(IO_OB_DEVICE);
    tb->base_objects = fx_object_live_count(NULL);
    tb->pool_mark = owdf_pool_mark_now();

    owdf_verifier_set_sink(tb_sink, tb);
    owdf_verifier_set_stop_handler(tb_stop_handler, tb);

    owdf_nt_config cfg = {.size = sizeof cfg, .processors = tb->opts.processors, .workers = tb->opts.workers};
    NTSTATUS status = owdf_nt_start(&cfg);
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, "openwdf testbench: the substrate did not start (0x%08x)\n", (unsigned)status);
        goto fail;
    }
    tb->runtime_started = TRUE;
    owdf_io_set_teardown_timeout(tb->opts.teardown_timeout_ms != 0 ? tb->opts.teardown_timeout_ms
                                                                   : TB_DEFAULT_TEARDOWN_TIMEOUT_MS);
    status = tb_rootbus_start(tb);
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, "openwdf testbench: the root bus did not load (0x%08x)\n", (unsigned)status);
        goto fail;
    }
    tb_current = tb;
    pthread_mutex_unlock(&tb_global_lock);

    /* Last, so that the n-th allocation counts from the test's first call. */
    if (tb->opts.pool_fail_tag != 0)
        owdf_pool_fail_tag(tb->opts.pool_fail_tag);
    if (tb->opts.pool_fail_nth != 0)
        owdf_pool_fail_nth(tb->opts.pool_fail_nth);
    return tb;

fail:
    if (tb->runtime_started)
        (void)owdf_nt_stop();
    owdf_verifier_set_sink(NULL, NULL);
    owdf_io_install_stop_handler();
    pthread_mutex_unlock(&tb_global_lock);
    pthread_mutex_destroy(&tb->pnp_lock);
    pthread_mutex_destroy(&tb->report_lock);
    pthread_mutex_destroy(&tb->handle_lock);
    free(tb);
    return NULL;
}

static int tb_sum_block(const owdf_pool_block *block, void *context)
{
    *(size_t *)context += block->size;
    return 0;
}

/* Closes the handles opened through the bench that the test left open; returns how many. */
static ULONG tb_close_tracked(owdf_tb *tb)
{
    ULONG closed = 0;
    for (;;) {
        pthread_mutex_lock(&tb->handle_lock);
        HANDLE h = tb->handle_count != 0 ? tb->handles[--tb->handle_count] : NULL;
        pthread_mutex_unlock(&tb->handle_lock);
        if (h == NULL)
            break;
        if (NT_SUCCESS(owdf_user_close(h)))
            closed++;
    }
    return closed;
}

int owdf_tb_destroy(owdf_tb *tb, owdf_tb_result *result_or_null)
{
    if (tb == NULL)
        return 0;
    owdf_tb_result r;
    memset(&r, 0, sizeof r);
    owdf_pool_fail_nth(0);
    owdf_pool_fail_tag(0);

    ULONG left_open = tb_close_tracked(tb);
    if (left_open != 0)
        fprintf(tb->out, "openwdf testbench: %u handle(s) opened through the bench were still open\n",
                (unsigned)left_open);

    pthread_mutex_lock(&tb->pnp_lock);
    tb_devices_teardown(tb);
    tb_drivers_teardown(tb);
    pthread_mutex_unlock(&tb->pnp_lock);
    tb_rootbus_stop(tb);

    NTSTATUS runtime = owdf_nt_stop();
    r.runtime_clean = NT_SUCCESS(runtime);
    if (!r.runtime_clean)
        fprintf(tb->out, "openwdf testbench: the substrate stopped with work left (0x%08x)\n", (unsigned)runtime);

    /* The audit. */
    r.pool_blocks = owdf_pool_for_each(tb->pool_mark, tb_sum_block, &r.pool_bytes);
    ULONG objects = fx_object_live_count(NULL);
    r.objects = objects > tb->base_objects ? objects - tb->base_objects : 0;
    ULONG handles = owdf_user_open_handle_count();
    r.handles = (handles > tb->base_handles ? handles - tb->base_handles : 0) + left_open;
    ULONG files = owdf_user_live_file_count();
    r.files = files > tb->base_files ? files - tb->base_files : 0;
    ULONG drivers = owdf_io_loaded_driver_count();
    r.drivers = drivers > tb->base_drivers ? drivers - tb->base_drivers : 0;
    LONG devices = io_object_live_count(IO_OB_DEVICE);
    r.devices = devices > tb->base_devices ? devices - tb->base_devices : 0;
    pthread_mutex_lock(&tb->report_lock);
    r.reports = tb->all_reports;
    pthread_mutex_unlock(&tb->report_lock);

    size_t problems = r.pool_blocks + r.objects + r.handles + r.files + r.drivers + (size_t)r.devices + r.reports +
                      (r.runtime_clean ? 0 : 1);
    FILE *out = tb->out;
    if (r.pool_blocks != 0)
        (void)owdf_pool_leak_report(out, tb->pool_mark);
    if (r.objects != 0) {
        fprintf(out, "openwdf testbench: %zu Framework object(s) leaked:\n", r.objects);
        fx_object_dump_tree(NULL, out);
    }
    if (r.handles || r.files || r.drivers || r.devices)
        fprintf(out, "openwdf testbench: left behind: %u handle(s), %u file object(s), %u driver(s), %ld device(s)\n",
                (unsigned)r.handles, (unsigned)r.files, (unsigned)r.drivers, (long)r.devices);
    const char *dump_env = getenv("OWDF_TB_DUMP");
    BOOLEAN dump = dump_env != NULL && strcmp(dump_env, "0") != 0;
    if (problems != 0 || dump) {
        if (r.reports != 0)
            fprintf(out, "openwdf testbench: %zu verifier report(s) during the test\n", r.reports);
        owdf_tb_dump(tb, out, 64);
        fprintf(out, "openwdf testbench: %zu problem(s)\n", problems);
    }
    fflush(out);

    /* Restore what the bench changed. */
    owdf_verifier_set_sink(NULL, NULL);
    owdf_io_install_stop_handler();
    for (size_t i = tb->policy_count; i-- > 0;)
        (void)owdf_verifier_set_policy(tb->policies[i].rule, tb->policies[i].old);
    owdf_io_set_teardown_timeout(TB_DEFAULT_TEARDOWN_TIMEOUT_MS);

    pthread_mutex_lock(&tb_global_lock);
    tb_current = NULL;
    pthread_mutex_unlock(&tb_global_lock);
    tb_records_free(tb);
    free(tb->handles);
    pthread_mutex_destroy(&tb->pnp_lock);
    pthread_mutex_destroy(&tb->report_lock);
    pthread_mutex_destroy(&tb->handle_lock);
    free(tb);
    if (result_or_null != NULL)
        *result_or_null = r;
    return problems > (size_t)0x7fffffff ? 0x7fffffff : (int)problems;
}

/* ---- reports ---------------------------------------------------------------------------------------- */

size_t owdf_tb_report_count(owdf_tb *tb, const char *rule_or_null)
{
    if (tb == NULL)
        return 0;
    size_t n = 0;
    pthread_mutex_lock(&tb->report_lock);
    if (rule_or_null == NULL) {
        n = tb->total_reports;
    } else {
        for (size_t i = 0; i < tb->rule_count; i++) {
            if (strcmp(tb->rules[i].rule, rule_or_null) == 0)
                n = tb->rules[i].count;
        }
    }
    pthread_mutex_unlock(&tb->report_lock);
    return n;
}

int owdf_tb_report_get(owdf_tb *tb, size_t index, owdf_verifier_report *out)
{
    if (tb == NULL || out == NULL)
        return -1;
    int result = -1;
    pthread_mutex_lock(&tb->report_lock);
    if (index < tb->total_reports && index < OWDF_TB_KEPT_REPORTS) {
        *out = tb->kept[index];
        result = 0;
    }
    pthread_mutex_unlock(&tb->report_lock);
    return result;
}

void owdf_tb_clear_reports(owdf_tb *tb)
{
    if (tb == NULL)
        return;
    pthread_mutex_lock(&tb->report_lock);
    tb->all_reports -= tb->total_reports;
    tb->total_reports = 0;
    tb->rule_count = 0;
    pthread_mutex_unlock(&tb->report_lock);
}

int owdf_tb_set_policy(owdf_tb *tb, const char *rule, owdf_verifier_policy policy)
{
    if (tb == NULL || rule == NULL || strlen(rule) >= sizeof tb->policies[0].rule)
        return -1;
    owdf_verifier_policy old = owdf_verifier_get_policy(rule);
    if (owdf_verifier_set_policy(rule, policy) != 0)
        return -1;
    pthread_mutex_lock(&tb->pnp_lock);
    BOOLEAN known = FALSE;
    for (size_t i = 0; i < tb->policy_count; i++)
        known |= strcmp(tb->policies[i].rule, rule) == 0;
    if (!known && tb->policy_count < TB_MAX_POLICIES) {
        snprintf(tb->policies[tb->policy_count].rule, sizeof tb->policies[0].rule, "%s", rule);
        tb->policies[tb->policy_count++].old = old;
    }
    pthread_mutex_unlock(&tb->pnp_lock);
    return 0;
}

void tb_print_reports(owdf_tb *tb, FILE *out)
{
    pthread_mutex_lock(&tb->report_lock);
    size_t n = tb->total_reports < OWDF_TB_KEPT_REPORTS ? tb->total_reports : OWDF_TB_KEPT_REPORTS;
    for (size_t i = 0; i < n; i++) {
        const owdf_verifier_report *r = &tb->kept[i];
        fprintf(out, "  report %zu: %s: %s [%s %p] at %s:%d in %s()\n", i, r->rule, r->message,
                r->object_type ? r->object_type : "-", r->object, r->file, r->line, r->function);
    }
    if (tb->total_reports > n)
        fprintf(out, "  ... and %zu more\n", tb->total_reports - n);
    pthread_mutex_unlock(&tb->report_lock);
}

BOOLEAN owdf_tb_expect_clean(owdf_tb *tb)
{
    if (tb == NULL)
        return FALSE;
    size_t reports = owdf_tb_report_count(tb, NULL);
    ULONG handles = owdf_user_open_handle_count();
    ULONG files = owdf_user_live_file_count();
    BOOLEAN clean = reports == 0 && handles <= tb->base_handles && files <= tb->base_files;
    if (!clean) {
        fprintf(tb->out, "openwdf testbench: not clean: %zu verifier report(s), %u handle(s) and %u file object(s) "
                         "open beyond the %u/%u at creation\n",
                reports, (unsigned)handles, (unsigned)files, (unsigned)tb->base_handles, (unsigned)tb->base_files);
        tb_print_reports(tb, tb->out);
    }
    return clean;
}

void owdf_tb_fail_pool_nth(owdf_tb *tb, unsigned long n)
{
    if (tb != NULL)
        owdf_pool_fail_nth(n);
}

void owdf_tb_fail_pool_tag(owdf_tb *tb, ULONG tag)
{
    if (tb != NULL)
        owdf_pool_fail_tag(tag);
}

/* ---- I/O ----------------------------------------------------------------------------------------- */

static NTSTATUS tb_track(owdf_tb *tb, NTSTATUS status, HANDLE h)
{
    if (!NT_SUCCESS(status))
        return status;
    pthread_mutex_lock(&tb->handle_lock);
    if (tb->handle_count == tb->handle_capacity) {
        size_t capacity = tb->handle_capacity ? tb->handle_capacity * 2 : 16;
        HANDLE *grown = realloc(tb->handles, capacity * sizeof *grown);
        if (grown == NULL) {
            pthread_mutex_unlock(&tb->handle_lock);
            (void)owdf_user_close(h);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        tb->handles = grown;
        tb->handle_capacity = capacity;
    }
    tb->handles[tb->handle_count++] = h;
    pthread_mutex_unlock(&tb->handle_lock);
    return status;
}

static void tb_untrack(owdf_tb *tb, HANDLE h)
{
    pthread_mutex_lock(&tb->handle_lock);
    for (size_t i = 0; i < tb->handle_count; i++) {
        if (tb->handles[i] == h) {
            tb->handles[i] = tb->handles[--tb->handle_count];
            break;
        }
    }
    pthread_mutex_unlock(&tb->handle_lock);
}

#define TB_ACCESS (GENERIC_READ | GENERIC_WRITE)
#define TB_SHARE (FILE_SHARE_READ | FILE_SHARE_WRITE)

NTSTATUS owdf_tb_open(owdf_tb *tb, const char *path, ULONG flags, HANDLE *out)
{
    if (tb == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = owdf_user_open(path, TB_ACCESS, TB_SHARE, flags, out);
    return tb_track(tb, status, *out);
}

NTSTATUS owdf_tb_open_interface(owdf_tb *tb, const GUID *iface, ULONG index, ULONG flags, HANDLE *out)
{
    if (tb == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = owdf_user_open_interface(iface, index, TB_ACCESS, TB_SHARE, flags, out);
    return tb_track(tb, status, *out);
}

/* "ROOT\ECHO\0000" -> "\\?\ROOT#ECHO#0000#{" : the start of the device's interface paths. */
static BOOLEAN tb_path_is_device(const char *path, const char *instance_id)
{
    if (strncmp(path, "\\\\?\\", 4) != 0)
        return FALSE;
    path += 4;
    for (; *instance_id; instance_id++, path++) {
        char c = *instance_id == '\\' ? '#' : *instance_id;
        if (*path == 0 || strncasecmp(path, &c, 1) != 0)
            return FALSE;
    }
    return path[0] == '#' && path[1] == '{';
}

NTSTATUS owdf_tb_device_open(owdf_tb_device *dev, const GUID *iface, ULONG flags, HANDLE *out)
{
    if (dev == NULL || out == NULL)
        return STATUS_INVALID_PARAMETER;
    *out = NULL;
    owdf_tb *tb = dev->tb;
    char path[512];
    if (iface == NULL) {
        /* The stack through its PDO's name (the create goes to the top of the stack). */
        PCUNICODE_STRING name = io_device_name(dev->pdo);
        if (name == NULL || name->Length == 0)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        ULONG written = 0;
        if (!NT_SUCCESS(RtlUnicodeToUTF8N(path, sizeof path - 1, &written, name->Buffer, name->Length)))
            return STATUS_OBJECT_NAME_INVALID;
        path[written] = 0;
        return owdf_tb_open(tb, path, flags, out);
    }
    for (ULONG index = 0;; index++) {
        size_t needed = 0;
        NTSTATUS status = owdf_user_interface_path(iface, index, path, sizeof path, &needed);
        if (status == STATUS_NO_MORE_ENTRIES)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        if (!NT_SUCCESS(status))
            continue; /* too long to be ours */
        if (tb_path_is_device(path, dev->instance_id))
            return owdf_tb_open(tb, path, flags, out);
    }
}

NTSTATUS owdf_tb_close(owdf_tb *tb, HANDLE handle)
{
    if (tb == NULL)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = owdf_user_close(handle);
    if (NT_SUCCESS(status))
        tb_untrack(tb, handle);
    pthread_mutex_lock(&tb->pnp_lock);
    tb_process_deferred(tb);
    pthread_mutex_unlock(&tb->pnp_lock);
    return status;
}

/* ---- diagnostics ------------------------------------------------------------------------------------ */

static void tb_print_text(FILE *out, const char *title, const char *name, const char *text)
{
    fprintf(out, "---- %s of driver %s ----\n", title, name);
    if (text == NULL || text[0] == 0)
        fprintf(out, "  (empty)\n");
    else
        fputs(text, out);
}

void owdf_tb_dump(owdf_tb *tb, FILE *out, size_t last_n)
{
    if (tb == NULL)
        return;
    if (out == NULL)
        out = tb->out;
    fprintf(out, "==== openwdf testbench dump ====\n");
    fprintf(out, "---- verifier reports: %zu ----\n", owdf_tb_report_count(tb, NULL));
    tb_print_reports(tb, out);
    /* Drivers still loaded: live recorder and log. The list is read without pnp_lock on purpose (the
     * dump is also made from the stop handler, which may run under a PnP operation); entries only go
     * away in unload, which a failing test is not running concurrently with its own dump. */
    for (owdf_tb_driver *drv = tb->drivers; drv != NULL; drv = drv->next) {
        fprintf(out, "---- in-flight recorder of driver %s ----\n", drv->name);
        if (owdf_ifr_dump(drv->name, out, last_n) == 0)
            fprintf(out, "  (empty)\n");
        char *log = owdf_dbg_log_snapshot(owdf_io_driver_log(drv->object));
        tb_print_text(out, "debug log", drv->name, log);
        free(log);
    }
    for (tb_driver_record *rec = tb->records; rec != NULL; rec = rec->next) {
        tb_print_text(out, "in-flight recorder (at unload)", rec->name, rec->ifr_text);
        tb_print_text(out, "debug log (at unload)", rec->name, rec->log_text);
    }
    fprintf(out, "==== end of dump ====\n");
}
