/*
 * wpp.c - the WPP tracing run time (openwdf/wpp.h, wpprecorder.h): formats WPP format strings,
 * writes traced messages to the current driver's debug log and hands them to the sink the Framework
 * installs, and keeps the registry of controls that WPP_INIT_TRACING registers.
 *
 * Standard conversions go through the Rtl printf engine (Windows length semantics), one conversion
 * at a time: this file reads each argument itself with the type the conversion names, so the
 * WPP extensions in between (%!STATUS!...) can consume theirs. Nothing here allocates or blocks on
 * the trace path, except that %!FLAGS! takes the registry mutex to read the flag names.
 */
#include "../nt/rtl/rtl_internal.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openwdf/dbglog.h>
#include <openwdf/status.h>
#include <openwdf/wpp.h>
#include <wpprecorder.h>

/* ---- output buffer ------------------------------------------------------------------------ */

struct wpp_out {
    char *buf;
    size_t cap; /* bytes that may be stored, terminator excluded */
    size_t len; /* bytes the whole text needs */
};

static void out_char(struct wpp_out *o, char c)
{
    if (o->len < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void out_mem(struct wpp_out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void out_str(struct wpp_out *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

/* One conversion of the Rtl engine, appended in place. */
static void out_rtl(struct wpp_out *o, const char *spec, ...)
{
    va_list ap;
    va_start(ap, spec);
    char *dst = o->len < o->cap ? o->buf + o->len : NULL;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    o->len += rtl_vformat(dst, room, false, true, spec, ap);
    va_end(ap);
}

/* ---- control registry --------------------------------------------------------------------- */

#define WPP_MAX_REGISTRATIONS 64

struct wpp_registration {
    owdf_wpp_control_block *blocks;
    const owdf_wpp_control_info *info;
    ULONG count;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wpp_registration registry[WPP_MAX_REGISTRATIONS];
static bool defaults_loaded;
static UCHAR default_level = TRACE_LEVEL_VERBOSE;
static ULONG default_flags = 0xFFFFFFFFu;

static const char *const level_names[] = {"TRACE_LEVEL_NONE",        "TRACE_LEVEL_CRITICAL",
                                          "TRACE_LEVEL_ERROR",       "TRACE_LEVEL_WARNING",
                                          "TRACE_LEVEL_INFORMATION", "TRACE_LEVEL_VERBOSE"};

/* OWDF_WPP_LEVEL: a number or a level name with or without its TRACE_LEVEL_ prefix. */
static bool parse_level(const char *text, UCHAR *level)
{
    char *end;
    unsigned long v = strtoul(text, &end, 0);
    if (end != text && *end == '\0' && v <= 255) {
        *level = (UCHAR)v;
        return true;
    }
    if (strncasecmp(text, "TRACE_LEVEL_", 12) == 0)
        text += 12;
    for (size_t i = 0; i < RTL_NUMBER_OF(level_names); i++) {
        if (strcasecmp(text, level_names[i] + 12) == 0) {
            *level = (UCHAR)i;
            return true;
        }
    }
    if (strcasecmp(text, "FATAL") == 0) {
        *level = TRACE_LEVEL_FATAL;
        return true;
    }
    return false;
}

/* Caller holds registry_lock. */
static void load_defaults_locked(void)
{
    if (defaults_loaded)
        return;
    defaults_loaded = true;
    const char *level = getenv("OWDF_WPP_LEVEL");
    if (level != NULL && level[0] != '\0' && !parse_level(level, &default_level))
        owdf_dbg_log_printf(owdf_dbg_log_process(), "wpp: OWDF_WPP_LEVEL=%s is not a level; using %u\n",
                            level, default_level);
    const char *flags = getenv("OWDF_WPP_FLAGS");
    if (flags != NULL && flags[0] != '\0') {
        char *end;
        unsigned long v = strtoul(flags, &end, 0);
        if (end != flags && *end == '\0')
            default_flags = (ULONG)v;
        else
            owdf_dbg_log_printf(owdf_dbg_log_process(), "wpp: OWDF_WPP_FLAGS=%s is not a number\n", flags);
    }
}

static void enable_block(owdf_wpp_control_block *block, UCHAR level, ULONG flags)
{
    __atomic_store_n(&block->Flags[0], flags, __ATOMIC_RELAXED);
    __atomic_store_n(&block->Level, level, __ATOMIC_RELAXED);
    __atomic_store_n(&block->AutoLogVerboseEnabled, (BOOLEAN)(level >= TRACE_LEVEL_VERBOSE),
                     __ATOMIC_RELAXED);
}

static struct owdf_wpp_recorder_log {
    char identifier[RECORDER_LOG_IDENTIFIER_MAX_CHARS];
} default_log;

void owdf_wpp_init_tracing(owdf_wpp_control_block *blocks, const owdf_wpp_control_info *info, ULONG count,
                           PVOID driver_object, const void *registry_path)
{
    (void)driver_object;
    (void)registry_path;
    if (blocks == NULL || info == NULL || count == 0)
        return;
    pthread_mutex_lock(&registry_lock);
    load_defaults_locked();
    struct wpp_registration *slot = NULL;
    for (size_t i = 0; i < WPP_MAX_REGISTRATIONS; i++) {
        if (registry[i].blocks == blocks) {
            slot = &registry[i];
            break;
        }
        if (slot == NULL && registry[i].blocks == NULL)
            slot = &registry[i];
    }
    if (slot == NULL) {
        pthread_mutex_unlock(&registry_lock);
        owdf_dbg_log_printf(owdf_dbg_log_current(),
                            "wpp: more than %d drivers trace at once; control %s stays disabled\n",
                            WPP_MAX_REGISTRATIONS, info[0].name != NULL ? info[0].name : "?");
        return;
    }
    slot->blocks = blocks;
    slot->info = info;
    slot->count = count;
    for (ULONG i = 0; i < count; i++) {
        __atomic_store_n(&blocks[i].Logger, (PVOID)&blocks[i], __ATOMIC_RELAXED);
        __atomic_store_n(&blocks[i].AutoLogContext, (PVOID)&default_log, __ATOMIC_RELAXED);
        enable_block(&blocks[i], default_level, default_flags);
    }
    pthread_mutex_unlock(&registry_lock);
}

void owdf_wpp_cleanup(owdf_wpp_control_block *blocks)
{
    if (blocks == NULL)
        return;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < WPP_MAX_REGISTRATIONS; i++) {
        if (registry[i].blocks != blocks)
            continue;
        for (ULONG c = 0; c < registry[i].count; c++) {
            enable_block(&blocks[c], 0, 0);
            __atomic_store_n(&blocks[c].Logger, NULL, __ATOMIC_RELAXED);
            __atomic_store_n(&blocks[c].AutoLogContext, NULL, __ATOMIC_RELAXED);
        }
        registry[i] = (struct wpp_registration){0};
    }
    pthread_mutex_unlock(&registry_lock);
}

NTSTATUS owdf_wpp_enable(const char *control, UCHAR level, ULONG flags)
{
    bool found = false;
    pthread_mutex_lock(&registry_lock);
    load_defaults_locked();
    if (control == NULL) {
        default_level = level;
        default_flags = flags;
    }
    for (size_t i = 0; i < WPP_MAX_REGISTRATIONS; i++) {
        for (ULONG c = 0; registry[i].blocks != NULL && c < registry[i].count; c++) {
            const char *name = registry[i].info[c].name;
            if (control == NULL || (name != NULL && strcmp(name, control) == 0)) {
                enable_block(&registry[i].blocks[c], level, flags);
                found = true;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return found || control == NULL ? STATUS_SUCCESS : STATUS_NOT_FOUND;
}

size_t owdf_wpp_registered_count(const char *control)
{
    size_t n = 0;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < WPP_MAX_REGISTRATIONS; i++) {
        for (ULONG c = 0; registry[i].blocks != NULL && c < registry[i].count; c++) {
            const char *name = registry[i].info[c].name;
            if (control == NULL || (name != NULL && strcmp(name, control) == 0))
                n++;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return n;
}

/* %!FLAGS!: the names of the set bits joined with '|', from the first registered control of that
 * name; bits without a name (or an unregistered control) print as hex. */
static void print_flags(struct wpp_out *o, const char *control, ULONG flags)
{
    if (flags == 0) {
        out_char(o, '0');
        return;
    }
    ULONG rest = flags;
    bool first = true;
    pthread_mutex_lock(&registry_lock);
    const owdf_wpp_control_info *info = NULL;
    for (size_t i = 0; control != NULL && info == NULL && i < WPP_MAX_REGISTRATIONS; i++) {
        for (ULONG c = 0; registry[i].blocks != NULL && c < registry[i].count; c++) {
            if (registry[i].info[c].name != NULL && strcmp(registry[i].info[c].name, control) == 0) {
                info = &registry[i].info[c];
                break;
            }
        }
    }
    for (ULONG bit = 0; info != NULL && bit < info->flag_count && bit < 32; bit++) {
        if ((flags & (1u << bit)) == 0 || info->flag_names == NULL || info->flag_names[bit] == NULL)
            continue;
        if (!first)
            out_char(o, '|');
        out_str(o, info->flag_names[bit]);
        rest &= ~(1u << bit);
        first = false;
    }
    pthread_mutex_unlock(&registry_lock);
    if (rest != 0) {
        if (!first)
            out_char(o, '|');
        out_rtl(o, "0x%X", (unsigned)rest);
    }
}

/* ---- value printers for the extensions ----------------------------------------------------- */

struct code_name {
    uint32_t code;
    const char *name;
};

static const struct code_name hresult_names[] = {
    {0x00000000u, "S_OK"},          {0x00000001u, "S_FALSE"},       {0x80004001u, "E_NOTIMPL"},
    {0x80004002u, "E_NOINTERFACE"}, {0x80004003u, "E_POINTER"},     {0x80004004u, "E_ABORT"},
    {0x80004005u, "E_FAIL"},        {0x8000FFFFu, "E_UNEXPECTED"},  {0x80070005u, "E_ACCESSDENIED"},
    {0x80070006u, "E_HANDLE"},      {0x8007000Eu, "E_OUTOFMEMORY"}, {0x80070057u, "E_INVALIDARG"},
};

static const struct code_name winerror_names[] = {
    {0, "ERROR_SUCCESS"},
    {1, "ERROR_INVALID_FUNCTION"},
    {2, "ERROR_FILE_NOT_FOUND"},
    {3, "ERROR_PATH_NOT_FOUND"},
    {5, "ERROR_ACCESS_DENIED"},
    {6, "ERROR_INVALID_HANDLE"},
    {8, "ERROR_NOT_ENOUGH_MEMORY"},
    {31, "ERROR_GEN_FAILURE"},
    {50, "ERROR_NOT_SUPPORTED"},
    {87, "ERROR_INVALID_PARAMETER"},
    {122, "ERROR_INSUFFICIENT_BUFFER"},
    {234, "ERROR_MORE_DATA"},
    {997, "ERROR_IO_PENDING"},
    {1168, "ERROR_NOT_FOUND"},
};

static const char *code_lookup(const struct code_name *table, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return table[i].name;
    return NULL;
}

static void print_guid(struct wpp_out *o, const GUID *g)
{
    if (g == NULL) {
        out_str(o, "(null)");
        return;
    }
    out_rtl(o, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)g->Data1, (unsigned)g->Data2,
            (unsigned)g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5],
            g->Data4[6], g->Data4[7]);
}

static void print_irql(struct wpp_out *o, unsigned irql)
{
    static const char *const names[] = {"PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL"};
    if (irql < RTL_NUMBER_OF(names))
        out_str(o, names[irql]);
    else if (irql == 12)
        out_str(o, "SYNCH_LEVEL");
    else if (irql == 13)
        out_str(o, "CLOCK_LEVEL");
    else if (irql == 14)
        out_str(o, "IPI_LEVEL");
    else if (irql == 15)
        out_str(o, "HIGH_LEVEL");
    else
        out_rtl(o, "IRQL_%u", irql);
}

/* A SID: Revision, SubAuthorityCount, IdentifierAuthority[6] (big-endian), SubAuthority[] (ULONG). */
static void print_sid(struct wpp_out *o, const UCHAR *sid)
{
    if (sid == NULL) {
        out_str(o, "(null)");
        return;
    }
    uint64_t authority = 0;
    for (int i = 0; i < 6; i++)
        authority = (authority << 8) | sid[2 + i];
    out_rtl(o, "S-%u-%I64u", (unsigned)sid[0], (unsigned long long)authority);
    unsigned count = sid[1] <= 15 ? sid[1] : 15;
    for (unsigned i = 0; i < count; i++) {
        ULONG sub;
        memcpy(&sub, sid + 8 + 4 * i, sizeof sub);
        out_rtl(o, "-%u", (unsigned)sub);
    }
}

/* Milliseconds as day~h:m:s.ms (%!delta!, %!WAITTIME!, %!due!). */
static void print_delta_ms(struct wpp_out *o, long long ms)
{
    uint64_t v = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    if (ms < 0)
        out_char(o, '-');
    out_rtl(o, "%I64u~%02u:%02u:%02u.%03u", (unsigned long long)(v / 86400000u),
            (unsigned)(v / 3600000u % 24), (unsigned)(v / 60000u % 60), (unsigned)(v / 1000u % 60),
            (unsigned)(v % 1000u));
}

/* A system time (100 ns units since 1601-01-01 UTC) as "YYYY-MM-DD HH:MM:SS.mmm" UTC; a negative
 * (relative) value as a delta. */
static void print_time(struct wpp_out *o, long long t)
{
    if (t < 0) {
        print_delta_ms(o, t / 10000);
        return;
    }
    const long long epoch_diff = 11644473600LL; /* seconds from 1601 to 1970 */
    time_t secs = (time_t)(t / 10000000LL - epoch_diff);
    unsigned ms = (unsigned)(t / 10000LL % 1000);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL) {
        out_rtl(o, "%I64d", t);
        return;
    }
    out_rtl(o, "%04d-%02d-%02d %02d:%02d:%02d.%03u", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, ms);
}

static void print_hexdump(struct wpp_out *o, owdf_wpp_hexdump hd)
{
    static const char digits[] = "0123456789abcdef";
    if (hd.buffer == NULL) {
        out_str(o, hd.length == 0 ? "" : "(null)");
        return;
    }
    const UCHAR *p = hd.buffer;
    size_t n = hd.length < OWDF_WPP_HEXDUMP_MAX ? hd.length : OWDF_WPP_HEXDUMP_MAX;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            out_char(o, ' ');
        out_char(o, digits[p[i] >> 4]);
        out_char(o, digits[p[i] & 15]);
    }
    if (hd.length > n)
        out_str(o, " ...");
}

static const char *base_name(const char *path)
{
    if (path == NULL)
        return "";
    const char *slash = strrchr(path, '/');
    const char *bslash = strrchr(path, '\\');
    if (bslash != NULL && (slash == NULL || bslash > slash))
        slash = bslash;
    return slash != NULL ? slash + 1 : path;
}

/* ---- the extensions ----------------------------------------------------------------------- */

enum wpp_ext {
    EXT_UNKNOWN,
    /* no argument */
    EXT_FUNC,
    EXT_FILE,
    EXT_LINE,
    EXT_LEVEL,
    EXT_FLAGS,
    EXT_COMPNAME,
    EXT_STDPREFIX,
    /* one argument */
    EXT_STATUS,
    EXT_HRESULT,
    EXT_WINERROR,
    EXT_BOOL,
    EXT_GUID,
    EXT_IPADDR,
    EXT_PORT,
    EXT_HEXDUMP,
    EXT_IRQL,
    EXT_SID,
    EXT_TIME,
    EXT_DELTA,
};

static const struct {
    const char *name;
    enum wpp_ext ext;
} ext_names[] = {
    {"FUNC", EXT_FUNC},           {"FILE", EXT_FILE},       {"LINE", EXT_LINE},
    {"LEVEL", EXT_LEVEL},         {"FLAGS", EXT_FLAGS},     {"COMPNAME", EXT_COMPNAME},
    {"STDPREFIX", EXT_STDPREFIX}, {"STATUS", EXT_STATUS},   {"NDIS_STATUS", EXT_STATUS},
    {"NTSTATUS", EXT_STATUS},     {"HRESULT", EXT_HRESULT}, {"WINERROR", EXT_WINERROR},
    {"bool", EXT_BOOL},           {"BOOLEAN", EXT_BOOL},    {"GUID", EXT_GUID},
    {"CLSID", EXT_GUID},          {"IID", EXT_GUID},        {"LIBID", EXT_GUID},
    {"IPADDR", EXT_IPADDR},       {"PORT", EXT_PORT},       {"HEXDUMP", EXT_HEXDUMP},
    {"irql", EXT_IRQL},           {"SID", EXT_SID},         {"TIME", EXT_TIME},
    {"timestamp", EXT_TIME},      {"datetime", EXT_TIME},   {"delta", EXT_DELTA},
    {"WAITTIME", EXT_DELTA},      {"due", EXT_DELTA},
};

static enum wpp_ext ext_lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < RTL_NUMBER_OF(ext_names); i++)
        if (strlen(ext_names[i].name) == n && strncasecmp(ext_names[i].name, name, n) == 0)
            return ext_names[i].ext;
    return EXT_UNKNOWN;
}

static void print_ext(struct wpp_out *o, enum wpp_ext ext, const char *name, size_t n,
                      const owdf_wpp_context *where, va_list *ap)
{
    switch (ext) {
    case EXT_FUNC:
        out_str(o, where != NULL && where->func != NULL ? where->func : "");
        break;
    case EXT_FILE:
        out_str(o, base_name(where != NULL ? where->file : NULL));
        break;
    case EXT_LINE:
        out_rtl(o, "%d", where != NULL ? where->line : 0);
        break;
    case EXT_LEVEL: {
        ULONG level = where != NULL ? where->level : 0;
        if (level < RTL_NUMBER_OF(level_names))
            out_str(o, level_names[level]);
        else
            out_rtl(o, "TRACE_LEVEL_%u", (unsigned)level);
        break;
    }
    case EXT_FLAGS:
        print_flags(o, where != NULL ? where->control : NULL, where != NULL ? where->flags : 0);
        break;
    case EXT_COMPNAME:
        out_str(o, where != NULL && where->control != NULL ? where->control : "");
        break;
    case EXT_STDPREFIX:
        break;
    case EXT_STATUS:
        out_str(o, owdf_status_name((NTSTATUS)va_arg(*ap, int)));
        break;
    case EXT_HRESULT: {
        uint32_t hr = va_arg(*ap, unsigned int);
        const char *s = code_lookup(hresult_names, RTL_NUMBER_OF(hresult_names), hr);
        if (s != NULL)
            out_str(o, s);
        else
            out_rtl(o, "0x%08X", (unsigned)hr);
        break;
    }
    case EXT_WINERROR: {
        uint32_t err = va_arg(*ap, unsigned int);
        const char *s = code_lookup(winerror_names, RTL_NUMBER_OF(winerror_names), err);
        if (s != NULL)
            out_str(o, s);
        else
            out_rtl(o, "%u", (unsigned)err);
        break;
    }
    case EXT_BOOL:
        out_str(o, va_arg(*ap, int) != 0 ? "TRUE" : "FALSE");
        break;
    case EXT_GUID:
        print_guid(o, va_arg(*ap, const GUID *));
        break;
    case EXT_IPADDR: {
        /* A ULONG holding the address in network byte order: print its bytes in memory order. */
        uint32_t addr = va_arg(*ap, unsigned int);
        UCHAR b[4];
        memcpy(b, &addr, sizeof b);
        out_rtl(o, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        break;
    }
    case EXT_PORT:
        out_rtl(o, "%u", (unsigned)ntohs((uint16_t)va_arg(*ap, unsigned int)));
        break;
    case EXT_HEXDUMP:
        print_hexdump(o, va_arg(*ap, owdf_wpp_hexdump));
        break;
    case EXT_IRQL:
        print_irql(o, (UCHAR)va_arg(*ap, unsigned int));
        break;
    case EXT_SID:
        print_sid(o, va_arg(*ap, const UCHAR *));
        break;
    case EXT_TIME:
        print_time(o, va_arg(*ap, long long));
        break;
    case EXT_DELTA:
        print_delta_ms(o, va_arg(*ap, long long));
        break;
    case EXT_UNKNOWN:
        out_char(o, '<');
        out_mem(o, name, n);
        out_str(o, "?>");
        break;
    }
}

/* ---- standard conversions ----------------------------------------------------------------- */

enum arg_kind { ARG_NONE, ARG_INT, ARG_INT64, ARG_PTR, ARG_DOUBLE, ARG_LDOUBLE };

#define SPEC_MAX 40

/*
 * Parses the conversion at fmt (just after '%') into `spec` ("%...c"); returns its length in the
 * format (0 when it does not fit: the caller prints it as text). Sets the argument kind and the
 * number of '*' (int) arguments that come first.
 */
static size_t parse_spec(const char *fmt, char *spec, enum arg_kind *kind, int *stars)
{
    size_t i = 0;
    bool wide64 = false, long_double = false;
    *stars = 0;
    while (fmt[i] != '\0' && strchr("-+ #0", fmt[i]) != NULL)
        i++;
    if (fmt[i] == '*') {
        (*stars)++;
        i++;
    } else {
        while (fmt[i] >= '0' && fmt[i] <= '9')
            i++;
    }
    if (fmt[i] == '.') {
        i++;
        if (fmt[i] == '*') {
            (*stars)++;
            i++;
        } else {
            while (fmt[i] >= '0' && fmt[i] <= '9')
                i++;
        }
    }
    for (bool more = true; more && fmt[i] != '\0';) {
        switch (fmt[i]) {
        case 'h':
        case 'w':
            i++;
            break;
        case 'l':
            if (fmt[i + 1] == 'l') {
                wide64 = true;
                i++;
            }
            i++;
            break;
        case 'L':
            long_double = true;
            wide64 = true;
            i++;
            break;
        case 'I':
            if (fmt[i + 1] == '3' && fmt[i + 2] == '2') {
                i += 3;
            } else if (fmt[i + 1] == '6' && fmt[i + 2] == '4') {
                wide64 = true;
                i += 3;
            } else {
                wide64 = true;
                i++;
            }
            break;
        case 'z':
        case 't':
        case 'j':
        case 'q':
            wide64 = true;
            i++;
            break;
        default:
            more = false;
            break;
        }
    }
    char conv = fmt[i];
    if (conv == '\0' || i + 2 >= SPEC_MAX)
        return 0;
    i++;
    spec[0] = '%';
    memcpy(spec + 1, fmt, i);
    spec[i + 1] = '\0';
    switch (conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        *kind = wide64 ? ARG_INT64 : ARG_INT;
        break;
    case 'c':
    case 'C':
        *kind = ARG_INT;
        break;
    case 'p':
    case 's':
    case 'S':
    case 'Z':
    case 'n':
        *kind = ARG_PTR;
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
        *kind = long_double ? ARG_LDOUBLE : ARG_DOUBLE;
        break;
    default:
        *kind = ARG_NONE; /* '%' or an unknown conversion: printed as text */
        break;
    }
    return i;
}

/* Calls out_rtl with the '*' arguments first, then the value. */
#define OUT_WITH_STARS(o, spec, stars, s0, s1, value)                                                        \
    do {                                                                                                     \
        if ((stars) == 0)                                                                                    \
            out_rtl(o, spec, value);                                                                         \
        else if ((stars) == 1)                                                                               \
            out_rtl(o, spec, s0, value);                                                                     \
        else                                                                                                 \
            out_rtl(o, spec, s0, s1, value);                                                                 \
    } while (0)

static void print_standard(struct wpp_out *o, const char *spec, enum arg_kind kind, int stars, va_list *ap)
{
    int s0 = 0, s1 = 0;
    if (stars > 0)
        s0 = va_arg(*ap, int);
    if (stars > 1)
        s1 = va_arg(*ap, int);
    switch (kind) {
    case ARG_NONE:
        OUT_WITH_STARS(o, spec, stars, s0, s1, 0);
        break;
    case ARG_INT: {
        int v = va_arg(*ap, int);
        OUT_WITH_STARS(o, spec, stars, s0, s1, v);
        break;
    }
    case ARG_INT64: {
        long long v = va_arg(*ap, long long);
        OUT_WITH_STARS(o, spec, stars, s0, s1, v);
        break;
    }
    case ARG_PTR: {
        void *v = va_arg(*ap, void *);
        if (spec[strlen(spec) - 1] == 'n')
            break; /* %n writes nothing */
        OUT_WITH_STARS(o, spec, stars, s0, s1, v);
        break;
    }
    case ARG_DOUBLE: {
        double v = va_arg(*ap, double);
        OUT_WITH_STARS(o, spec, stars, s0, s1, v);
        break;
    }
    case ARG_LDOUBLE: {
        long double v = va_arg(*ap, long double);
        OUT_WITH_STARS(o, spec, stars, s0, s1, v);
        break;
    }
    }
}

static bool is_ext_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

size_t owdf_wpp_vformat(char *buffer, size_t size, const owdf_wpp_context *where, const char *fmt,
                        va_list args)
{
    struct wpp_out o = {.buf = buffer, .cap = (buffer != NULL && size > 0) ? size - 1 : 0};
    va_list ap;
    va_copy(ap, args);
    if (fmt == NULL)
        fmt = "(null)";
    for (size_t i = 0; fmt[i] != '\0';) {
        if (fmt[i] != '%') {
            size_t run = i;
            while (fmt[run] != '\0' && fmt[run] != '%')
                run++;
            out_mem(&o, fmt + i, run - i);
            i = run;
            continue;
        }
        if (fmt[i + 1] == '!') {
            size_t n = 0;
            while (is_ext_name_char(fmt[i + 2 + n]))
                n++;
            if (n > 0 && fmt[i + 2 + n] == '!') {
                const char *name = fmt + i + 2;
                print_ext(&o, ext_lookup(name, n), name, n, where, &ap);
                i += n + 3;
                continue;
            }
            out_mem(&o, "%!", 2); /* not an extension: literal text */
            i += 2;
            continue;
        }
        char spec[SPEC_MAX];
        enum arg_kind kind;
        int stars;
        size_t used = parse_spec(fmt + i + 1, spec, &kind, &stars);
        if (used == 0) {
            /* Incomplete or oversized conversion: the rest is text. */
            out_str(&o, fmt + i);
            break;
        }
        print_standard(&o, spec, kind, stars, &ap);
        i += 1 + used;
    }
    va_end(ap);
    if (buffer != NULL && size > 0)
        buffer[o.len < o.cap ? o.len : o.cap] = '\0';
    return o.len;
}

size_t owdf_wpp_format(char *buffer, size_t size, const owdf_wpp_context *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = owdf_wpp_vformat(buffer, size, where, fmt, ap);
    va_end(ap);
    return n;
}

/* ---- emission ----------------------------------------------------------------------------- */

static owdf_wpp_sink_fn wpp_sink;

owdf_wpp_sink_fn owdf_wpp_set_sink(owdf_wpp_sink_fn sink)
{
    return __atomic_exchange_n(&wpp_sink, sink, __ATOMIC_ACQ_REL);
}

static void emit(const char *log_identifier, const owdf_wpp_context *where, const char *fmt, va_list ap)
{
    char text[OWDF_WPP_MESSAGE_MAX + 1];
    size_t n = owdf_wpp_vformat(text, OWDF_WPP_MESSAGE_MAX, where, fmt, ap);
    if (n > OWDF_WPP_MESSAGE_MAX - 1)
        n = OWDF_WPP_MESSAGE_MAX - 1;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    /* One write with its newline, so lines from other threads cannot land inside it. */
    text[n] = '\n';
    owdf_dbg_log_write(owdf_dbg_log_current(), text, n + 1);
    text[n] = '\0';
    owdf_wpp_sink_fn sink = __atomic_load_n(&wpp_sink, __ATOMIC_ACQUIRE);
    if (sink != NULL) {
        owdf_wpp_message message = {
            .where = *where, .recorder_log = log_identifier, .text = text, .length = n};
        sink(&message);
    }
}

void owdf_wpp_vtrace(const char *control, ULONG level, ULONG flags, const char *file, int line,
                     const char *func, const char *fmt, va_list args)
{
    owdf_wpp_context where = {control, level, flags, file, line, func};
    emit(NULL, &where, fmt, args);
}

void owdf_wpp_trace(const char *control, ULONG level, ULONG flags, const char *file, int line,
                    const char *func, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    owdf_wpp_vtrace(control, level, flags, file, line, func, fmt, ap);
    va_end(ap);
}

void owdf_wpp_trace_log(PVOID log, const char *control, ULONG level, ULONG flags, const char *file, int line,
                        const char *func, const char *fmt, ...)
{
    owdf_wpp_context where = {control, level, flags, file, line, func};
    const struct owdf_wpp_recorder_log *rl = log;
    va_list ap;
    va_start(ap, fmt);
    emit(rl != NULL && rl != &default_log ? rl->identifier : NULL, &where, fmt, ap);
    va_end(ap);
}

/* ---- the recorder API (wpprecorder.h) ----------------------------------------------------- */

NTSTATUS WppRecorderLogCreate(PRECORDER_LOG_CREATE_PARAMS CreateParams, RECORDER_LOG *RecorderLog)
{
    if (RecorderLog == NULL)
        return STATUS_INVALID_PARAMETER;
    *RecorderLog = &default_log;
    if (CreateParams == NULL || CreateParams->Size != sizeof *CreateParams)
        return STATUS_INVALID_PARAMETER;
    struct owdf_wpp_recorder_log *log = calloc(1, sizeof *log);
    if (log == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    size_t max =
        CreateParams->LogIdentifierSize != 0 && CreateParams->LogIdentifierSize < sizeof log->identifier
            ? CreateParams->LogIdentifierSize
            : sizeof log->identifier;
    size_t n = strnlen(CreateParams->LogIdentifier, max);
    if (n == sizeof log->identifier)
        n--;
    memcpy(log->identifier, CreateParams->LogIdentifier, n);
    if (CreateParams->LogIdentifierAppendValueSet) {
        char suffix[24];
        size_t k = (size_t)snprintf(suffix, sizeof suffix, "%lx",
                                    (unsigned long)CreateParams->LogIdentifierAppendValue);
        size_t room = sizeof log->identifier - 1 - n;
        memcpy(log->identifier + n, suffix, k < room ? k : room);
    }
    *RecorderLog = log;
    return STATUS_SUCCESS;
}

void WppRecorderLogDelete(RECORDER_LOG RecorderLog)
{
    if (RecorderLog != NULL && RecorderLog != &default_log)
        free(RecorderLog);
}

NTSTATUS WppRecorderLogSetIdentifier(RECORDER_LOG RecorderLog, PCSTR LogIdentifier)
{
    if (RecorderLog == NULL || RecorderLog == &default_log || LogIdentifier == NULL)
        return STATUS_INVALID_PARAMETER;
    size_t n = strnlen(LogIdentifier, sizeof RecorderLog->identifier - 1);
    memcpy(RecorderLog->identifier, LogIdentifier, n);
    RecorderLog->identifier[n] = '\0';
    return STATUS_SUCCESS;
}

RECORDER_LOG WppRecorderLogGetDefault(void)
{
    return &default_log;
}

BOOLEAN WppRecorderIsDefaultLogAvailable(void)
{
    return TRUE;
}

void WppRecorderConfigure(PRECORDER_CONFIGURE_PARAMS ConfigureParams)
{
    (void)ConfigureParams;
}

PCSTR owdf_wpp_recorder_log_identifier(RECORDER_LOG RecorderLog)
{
    return RecorderLog != NULL ? RecorderLog->identifier : "";
}
