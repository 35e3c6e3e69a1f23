/*
 * dbgprint.c - DbgPrint, DbgPrintEx, vDbgPrintEx(WithPrefix), the component filter and DbgBreakPoint.
 *
 * A message passes the filter when its level bit is set in its component's mask or in the global mask
 * (Windows' "WIN2000" mask, component id (ULONG)-1). Default: every component keeps levels 0-3
 * (ERROR, WARNING, TRACE, INFO), so KdPrint output shows as in a checked build with an open filter;
 * the global mask keeps ERROR. Filtered messages are not formatted. Text goes, as UTF-8, to the
 * current thread's debug log (openwdf/dbglog.h), at most 512 bytes per call as on Windows.
 * Any IRQL.
 */
#include "rtl_internal.h"

#include <dlfcn.h>

#include <openwdf/dbglog.h>
#include <openwdf/status.h>
#include <openwdf/verifier.h>

RTL_USES_VERIFIER_RULES;

#define DBG_COMPONENTS DPFLTR_ENDOFTABLE_ID
#define DBG_DEFAULT_COMPONENT_MASK 0xFU
#define DBG_DEFAULT_GLOBAL_MASK 0x1U
#define DBG_PRINT_MAX 512

static ULONG component_masks[DBG_COMPONENTS] = {[0 ... DBG_COMPONENTS - 1] = DBG_DEFAULT_COMPONENT_MASK};
static ULONG global_mask = DBG_DEFAULT_GLOBAL_MASK;

static ULONG level_mask(ULONG level)
{
    if (level <= 31)
        return 1U << level;
    return level & ~(ULONG)DPFLTR_MASK;
}

static bool passes_filter(ULONG component, ULONG level)
{
    ULONG mask = level_mask(level);
    ULONG enabled = __atomic_load_n(&global_mask, __ATOMIC_RELAXED);
    if (component < DBG_COMPONENTS)
        enabled |= __atomic_load_n(&component_masks[component], __ATOMIC_RELAXED);
    return (mask & enabled) != 0;
}

static ULONG *mask_of(ULONG component)
{
    if (component == (ULONG)-1)
        return &global_mask;
    if (component < DBG_COMPONENTS)
        return &component_masks[component];
    return NULL;
}

NTSTATUS DbgQueryDebugFilterState(ULONG ComponentId, ULONG Level)
{
    ULONG *mask = mask_of(ComponentId);
    if (mask == NULL)
        return STATUS_INVALID_PARAMETER_1;
    return (__atomic_load_n(mask, __ATOMIC_RELAXED) & level_mask(Level)) != 0 ? (NTSTATUS)TRUE : (NTSTATUS)FALSE;
}

NTSTATUS DbgSetDebugFilterState(ULONG ComponentId, ULONG Level, BOOLEAN State)
{
    ULONG *mask = mask_of(ComponentId);
    if (mask == NULL)
        return STATUS_INVALID_PARAMETER_1;
    if (State)
        __atomic_fetch_or(mask, level_mask(Level), __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(mask, ~level_mask(Level), __ATOMIC_RELAXED);
    return STATUS_SUCCESS;
}

ULONG vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist)
{
    if (!passes_filter(ComponentId, Level))
        return STATUS_SUCCESS;
    char text[DBG_PRINT_MAX];
    size_t n = Prefix != NULL ? strnlen(Prefix, sizeof text - 1) : 0;
    if (n > 0)
        memcpy(text, Prefix, n);
    size_t needed = rtl_vformat(text + n, sizeof text - 1 - n, false, true, Format, arglist);
    n += needed < sizeof text - 1 - n ? needed : sizeof text - 1 - n;
    owdf_dbg_log_write(owdf_dbg_log_current(), text, n);
    return STATUS_SUCCESS;
}

ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist)
{
    return vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, arglist);
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG status = vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, ap);
    va_end(ap);
    return status;
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG status = vDbgPrintExWithPrefix(NULL, DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, Format, ap);
    va_end(ap);
    return status;
}

static void report_breakpoint(const void *caller, const char *what)
{
    Dl_info info;
    const char *symbol = "?";
    if (dladdr(caller, &info) != 0 && info.dli_sname != NULL)
        symbol = info.dli_sname;
    owdf_dbg_log_printf(owdf_dbg_log_current(), "*** %s hit (called from %s, %p)\n", what, symbol, caller);
    owdf_verifier_report_at("DBG_BREAKPOINT", caller, "CODE", NULL, "?", 0, symbol, "%s called from %s (%p)", what,
                            symbol, caller);
}

void DbgBreakPoint(void)
{
    report_breakpoint(__builtin_return_address(0), "DbgBreakPoint");
}

void DbgBreakPointWithStatus(ULONG Status)
{
    char what[64];
    snprintf(what, sizeof what, "DbgBreakPointWithStatus(%s)", owdf_status_name((NTSTATUS)Status));
    report_breakpoint(__builtin_return_address(0), what);
}
