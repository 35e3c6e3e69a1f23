/*
 * rtl_internal.h - what the Rtl layer's files share: the formatter engine, case folding, string
 * buffer allocation and the debug-print plumbing. Private to src/nt (hidden symbols).
 */
#ifndef OPENWDF_RTL_INTERNAL_H
#define OPENWDF_RTL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <wdm.h>

/*
 * The printf engine with Windows semantics (see format.c). Formats `fmt` (WCHAR units when `wide`,
 * else bytes) into `dst`, writing at most `cap` units and no terminator; returns the number of units
 * the whole output needs. With `utf8` (narrow output only) WCHAR strings are written as UTF-8 instead
 * of ANSI (ISO-8859-1 with '?' for the rest).
 */
size_t rtl_vformat(void *dst, size_t cap, bool wide, bool utf8, const void *fmt, va_list ap);

/* Simple case folding (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic, fullwidth Latin). */
WCHAR rtl_upcase(WCHAR c);
WCHAR rtl_downcase(WCHAR c);

/* Pool buffers for strings the Rtl routines allocate (PagedPool, OWDF_RTL_STRING_TAG), recorded with
 * the given call site so leak reports name the driver's call, not ours. */
void *rtl_string_alloc(size_t bytes, const void *site);
void rtl_string_free(void *buffer);

size_t rtl_wcslen(const WCHAR *s);
size_t rtl_wcsnlen(const WCHAR *s, size_t max);

/* Encodes one code point (<= 0x10FFFF) as UTF-8 into out[4]; returns the byte count. */
size_t rtl_utf8_encode(unsigned int cp, char *out);

/* Pulls rtl_verifier_rules.c (and its registering constructor) into any static link that takes the
 * file using this macro. */
extern const char rtl_verifier_rules_anchor;
#define RTL_USES_VERIFIER_RULES \
    static const void *const rtl_rules_ref_ __attribute__((used)) = &rtl_verifier_rules_anchor

#endif /* OPENWDF_RTL_INTERNAL_H */
