/*
 * openwdf/wpp.h - WPP software tracing at run time.
 *
 * KMDF drivers trace with WPP: a trace header names the provider ("control") and its flags
 * (WPP_CONTROL_GUIDS), a `begin_wpp config` block names the trace functions (TraceEvents...), and
 * each source includes a generated "x.tmh". openwdf-cc generates those .tmh files
 * (scripts/wpp/owdf-wpp.py); they expand every trace call into a check of the control block below
 * and a call to owdf_wpp_trace(), which formats the WPP format string at run time and writes the
 * message to the current driver's debug log (openwdf/dbglog.h) and to the trace sink the Framework
 * installs (its in-flight recorder). Nothing here depends on the Framework.
 *
 * Format strings: printf with Windows semantics (the Rtl formatter: `l` is 32-bit, I64, %ws, %wZ,
 * %p...) plus the WPP extensions %!STATUS! %!HRESULT! %!WINERROR! %!bool! %!BOOLEAN! %!GUID!
 * %!CLSID! %!IID! %!LIBID! %!IPADDR! %!PORT! %!HEXDUMP! %!irql! %!SID! %!TIME! %!timestamp!
 * %!datetime! %!delta! %!WAITTIME! %!due! (each consumes one argument) and %!FUNC! %!FILE!
 * %!LINE! %!LEVEL! %!FLAGS! %!COMPNAME! %!STDPREFIX! (no argument). Extension names match
 * case-insensitively. An unknown %!X! consumes nothing and prints "<X?>" (the generator warns at
 * build time). Messages longer than OWDF_WPP_MESSAGE_MAX bytes are cut.
 *
 * All functions: any IRQL, any thread; they never allocate.
 */
#ifndef OPENWDF_WPP_H
#define OPENWDF_WPP_H

#include <stdarg.h>
#include <stddef.h>

#include <ntdef.h>
#include <guiddef.h>

EXTERN_C_START

#define OWDF_WPP_API __attribute__((visibility("default")))

/* Trace levels, as evntrace.h defines them. */
#ifndef TRACE_LEVEL_NONE
#define TRACE_LEVEL_NONE 0
#define TRACE_LEVEL_CRITICAL 1
#define TRACE_LEVEL_FATAL 1
#define TRACE_LEVEL_ERROR 2
#define TRACE_LEVEL_WARNING 3
#define TRACE_LEVEL_INFORMATION 4
#define TRACE_LEVEL_VERBOSE 5
#define TRACE_LEVEL_RESERVED6 6
#define TRACE_LEVEL_RESERVED7 7
#define TRACE_LEVEL_RESERVED8 8
#define TRACE_LEVEL_RESERVED9 9
#endif

/* A formatted message is cut to this many bytes (terminator included). */
#define OWDF_WPP_MESSAGE_MAX 1024
/* Flags a control may define (WPP_DEFINE_BIT): one 32-bit word. */
#define OWDF_WPP_MAX_FLAGS 32

/*
 * The per-control block the generated macros read: WPP_CONTROL(WPP_BIT_x).Level / .Flags[0]
 * (trace headers use these names in their WPP_..._ENABLED macros). All zero (nothing enabled)
 * until WPP_INIT_TRACING registers the control, and again after WPP_CLEANUP.
 */
typedef struct owdf_wpp_control_block {
    volatile ULONG Flags[1];                /* enabled flags, bit i = WPP_DEFINE_BIT number i */
    volatile UCHAR Level;                   /* messages with level <= Level are enabled */
    volatile BOOLEAN AutoLogVerboseEnabled; /* the recorder also keeps TRACE_LEVEL_VERBOSE */
    UCHAR Reserved[2];
    PVOID volatile Logger;         /* non-NULL while registered */
    PVOID volatile AutoLogContext; /* the control's default recorder log (WppRecorderLogGetDefault) */
} owdf_wpp_control_block;

/* What a generated .tmh tells the run time about one control (WPP_DEFINE_CONTROL_GUID). */
typedef struct owdf_wpp_control_info {
    const char *name; /* the control name, e.g. "EchoTraceGuid" */
    GUID guid;
    ULONG flag_count;              /* <= OWDF_WPP_MAX_FLAGS */
    const char *const *flag_names; /* flag_names[i]: the name given to WPP_DEFINE_BIT number i */
} owdf_wpp_control_info;

/* Where a message comes from: what the %!FUNC!-style extensions print. */
typedef struct owdf_wpp_context {
    const char *control; /* control name (NULL prints as "") */
    ULONG level;         /* TRACE_LEVEL_* */
    ULONG flags;         /* the message's flag mask within its control */
    const char *file;    /* __FILE__; %!FILE! prints its last path component */
    int line;
    const char *func; /* __func__ */
} owdf_wpp_context;

/* A traced message, as the sink receives it. `text` has no trailing newline. */
typedef struct owdf_wpp_message {
    owdf_wpp_context where;
    const char *recorder_log; /* identifier of the recorder log (NULL: the default log) */
    const char *text;
    size_t length;
} owdf_wpp_message;

/* Receives every traced message after it went to the debug log; called on the tracing thread,
 * with no lock held, at the caller's IRQL. Must not trace. */
typedef void (*owdf_wpp_sink_fn)(const owdf_wpp_message *message);

/* Installs the sink (NULL = none); returns the previous one. The Framework connects its in-flight
 * recorder here. */
OWDF_WPP_API owdf_wpp_sink_fn owdf_wpp_set_sink(owdf_wpp_sink_fn sink);

/*
 * Formats a WPP format string like snprintf: writes at most `size` bytes including the terminator
 * (nothing when size == 0) and returns the length the whole text needs. `where` may be NULL (the
 * context extensions then print empty / 0).
 */
OWDF_WPP_API size_t owdf_wpp_format(char *buffer, size_t size, const owdf_wpp_context *where, const char *fmt,
                                    ...);
OWDF_WPP_API size_t owdf_wpp_vformat(char *buffer, size_t size, const owdf_wpp_context *where,
                                     const char *fmt, va_list args);

/* Formats and emits one message (what the generated trace macros call once the message is enabled). */
OWDF_WPP_API void owdf_wpp_trace(const char *control, ULONG level, ULONG flags, const char *file, int line,
                                 const char *func, const char *fmt, ...);
OWDF_WPP_API void owdf_wpp_vtrace(const char *control, ULONG level, ULONG flags, const char *file, int line,
                                  const char *func, const char *fmt, va_list args);
/* The same, naming a recorder log (trace functions with an IFRLOG parameter). log may be NULL. */
OWDF_WPP_API void owdf_wpp_trace_log(PVOID log, const char *control, ULONG level, ULONG flags,
                                     const char *file, int line, const char *func, const char *fmt, ...);

/*
 * WPP_INIT_TRACING / WPP_CLEANUP. Registration enables each control at the default level and
 * flags (TRACE_LEVEL_VERBOSE and all flags, or the environment's OWDF_WPP_LEVEL, a number or a
 * name such as "ERROR", and OWDF_WPP_FLAGS, a number). `blocks` and `info` must stay valid until
 * cleanup (the generated .tmh also cleans up when the driver binary unloads). Registering the same
 * blocks twice re-enables them; cleanup of unregistered blocks does nothing.
 */
OWDF_WPP_API void owdf_wpp_init_tracing(owdf_wpp_control_block *blocks, const owdf_wpp_control_info *info,
                                        ULONG count, PVOID driver_object, const void *registry_path);
OWDF_WPP_API void owdf_wpp_cleanup(owdf_wpp_control_block *blocks);

/*
 * Sets the level and flags of every registered control named `control` (NULL = all controls, and
 * the default for controls registered later). STATUS_NOT_FOUND when no registered control has
 * that name (the default is still updated for NULL).
 */
OWDF_WPP_API NTSTATUS owdf_wpp_enable(const char *control, UCHAR level, ULONG flags);
/* Number of registered controls named `control` (NULL = all). For tests and tools. */
OWDF_WPP_API size_t owdf_wpp_registered_count(const char *control);

/* The argument %!HEXDUMP! takes: LOG_HEXDUMP(buffer, length), LOG_HEXDUMP((buffer, length)) or
 * WppHexDump(buffer, length). At most OWDF_WPP_HEXDUMP_MAX bytes are printed, then "...". */
typedef struct owdf_wpp_hexdump {
    const void *buffer;
    USHORT length;
} owdf_wpp_hexdump;
#define OWDF_WPP_HEXDUMP_MAX 256

#define WppHexDump(buffer, length) ((owdf_wpp_hexdump){(const void *)(buffer), (USHORT)(length)})
#define OWDF_WPP_HD_PAIR_(buffer, length) WppHexDump(buffer, length)
#define OWDF_WPP_HD_1_(pair) OWDF_WPP_HD_PAIR_ pair
#define OWDF_WPP_HD_2_(buffer, length) WppHexDump(buffer, length)
#define OWDF_WPP_HD_PICK_(_1, _2, name, ...) name
#define LOG_HEXDUMP(...) OWDF_WPP_HD_PICK_(__VA_ARGS__, OWDF_WPP_HD_2_, OWDF_WPP_HD_1_, unused)(__VA_ARGS__)

/* The names the generated .tmh and trace headers use (real tracewpp's layout): WPP_BIT_<FLAG> is
 * (control index << 16) | bit number. */
#define WPP_CONTROL(CTL) (WPP_MAIN_CB[((ULONG)(CTL)) >> 16])
#define WPP_MASK(CTL) ((ULONG)1 << (((ULONG)(CTL)&0xFFFF) % 32))
#define WPP_FLAG_NO(CTL) ((0xFFFF & (ULONG)(CTL)) / 32)
/* Relaxed atomic reads: the host may change a control's enablement while drivers trace. */
#define OWDF_WPP_LOAD_(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WPP_LEVEL_ENABLED(FLAG)                                                                              \
    ((OWDF_WPP_LOAD_(WPP_CONTROL(WPP_BIT_##FLAG).Flags[WPP_FLAG_NO(WPP_BIT_##FLAG)]) &                       \
      WPP_MASK(WPP_BIT_##FLAG)) != 0)
#define WPP_LEVEL_LOGGER(FLAG) (WPP_CONTROL(WPP_BIT_##FLAG).Logger),
#define WPP_GLOBAL_Control ((PVOID)WPP_MAIN_CB)

EXTERN_C_END

#endif /* OPENWDF_WPP_H */
