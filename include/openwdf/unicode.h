/*
 * openwdf/unicode.h - string conversions between Linux (UTF-8) and NT (UTF-16 counted strings), for the
 * host, the I/O manager (names such as \Device\Foo) and tests.
 *
 * The WDK routines RtlUTF8ToUnicodeN / RtlUnicodeToUTF8N (owdf/rtl.h) do the work; these wrappers
 * size and allocate. Invalid input (bad UTF-8, lone surrogates) becomes U+FFFD.
 */
#ifndef OPENWDF_UNICODE_H
#define OPENWDF_UNICODE_H

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWDF_UNICODE_API __attribute__((visibility("default")))

/* UTF-8 (length bytes, or up to the terminator when length == (size_t)-1) to UTF-16 in dst[dst_cch],
 * always terminated when dst_cch > 0 (truncated output never splits a character). *out_cch (optional)
 * gets the units the whole conversion needs, without the terminator. Returns STATUS_SUCCESS,
 * STATUS_SOME_NOT_MAPPED (replacements made), STATUS_BUFFER_TOO_SMALL (truncated) or
 * STATUS_INVALID_PARAMETER (NULL src). dst may be NULL with dst_cch 0 to measure. */
OWDF_UNICODE_API NTSTATUS owdf_utf8_to_utf16(const char *src, size_t length, WCHAR *dst, size_t dst_cch,
                                             size_t *out_cch);
/* UTF-16 (cch units, or up to the terminator when cch == (size_t)-1) to UTF-8; same contract, in bytes. */
OWDF_UNICODE_API NTSTATUS owdf_utf16_to_utf8(const WCHAR *src, size_t cch, char *dst, size_t dst_size,
                                             size_t *out_len);

/* A UNICODE_STRING with a pool buffer (tag OWDF_RTL_STRING_TAG; free with RtlFreeUnicodeString),
 * terminated. STATUS_NAME_TOO_LONG beyond 32766 characters, STATUS_INSUFFICIENT_RESOURCES. */
OWDF_UNICODE_API NTSTATUS owdf_unicode_string_from_utf8(PUNICODE_STRING out, const char *utf8);
/* A malloc'd, terminated UTF-8 copy of a counted string (free() it); NULL on no memory. A NULL string or
 * buffer gives "". */
OWDF_UNICODE_API char *owdf_unicode_string_to_utf8(PCUNICODE_STRING string);

/* Case-insensitive comparison / equality of two counted strings (RtlUpcaseUnicodeChar folding). */
OWDF_UNICODE_API LONG owdf_unicode_string_compare_ci(PCUNICODE_STRING a, PCUNICODE_STRING b);
OWDF_UNICODE_API BOOLEAN owdf_unicode_string_equal_ci(PCUNICODE_STRING a, PCUNICODE_STRING b);
/* Number of WCHARs before the terminator (our wcslen: libc's assumes 32-bit wchar_t). */
OWDF_UNICODE_API size_t owdf_wcslen(const WCHAR *s);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_UNICODE_H */
