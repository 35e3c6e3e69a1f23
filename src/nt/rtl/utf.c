/*
 * utf.c - UTF-8 <-> UTF-16: the WDK routines RtlUTF8ToUnicodeN / RtlUnicodeToUTF8N and our wrappers in
 * openwdf/unicode.h that the host, the I/O manager and tests use for names.
 *
 * Decoding is strict (no overlong forms, no encoded surrogates, nothing above U+10FFFF); each maximal
 * invalid subsequence becomes one U+FFFD and the call reports STATUS_SOME_NOT_MAPPED. A lone surrogate
 * in UTF-16 is replaced the same way. Output never ends in the middle of a character.
 */
#include "rtl_internal.h"

#include <stdlib.h>

#include <openwdf/unicode.h>

size_t rtl_utf8_encode(unsigned int cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes one code point from s[0..n); sets *used (>= 1). Returns 0xFFFD and *bad for invalid input. */
static unsigned int utf8_decode(const unsigned char *s, size_t n, size_t *used, bool *bad)
{
    unsigned int c = s[0];
    *bad = false;
    *used = 1;
    if (c < 0x80)
        return c;
    size_t need;
    unsigned int cp, lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* <= U+10FFFF */
    } else {
        *bad = true;
        return 0xFFFD;
    }
    for (size_t k = 1; k <= need; k++) {
        if (k >= n) {
            *bad = true;
            *used = k;
            return 0xFFFD;
        }
        unsigned int b = s[k];
        unsigned int l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            *bad = true;
            *used = k;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    *used = need + 1;
    return cp;
}

/* Decodes one code point from UTF-16 w[0..n). */
static unsigned int utf16_decode(const WCHAR *w, size_t n, size_t *used, bool *bad)
{
    unsigned int c = (unsigned short)w[0];
    *used = 1;
    *bad = false;
    if (c >= 0xD800 && c <= 0xDBFF && n > 1) {
        unsigned int d = (unsigned short)w[1];
        if (d >= 0xDC00 && d <= 0xDFFF) {
            *used = 2;
            return 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        }
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
        *bad = true;
        return 0xFFFD;
    }
    return c;
}

/* Core conversions: counts in units; dst NULL measures. Returns SUCCESS / SOME_NOT_MAPPED /
 * BUFFER_TOO_SMALL; *written = units produced (or needed when measuring). */
static NTSTATUS utf8_to_utf16(const char *src, size_t n, WCHAR *dst, size_t cap, size_t *written)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t out = 0;
    bool replaced = false;
    for (size_t i = 0; i < n;) {
        size_t used;
        bool bad;
        unsigned int cp = utf8_decode(s + i, n - i, &used, &bad);
        replaced |= bad;
        size_t units = cp >= 0x10000 ? 2 : 1;
        if (dst != NULL) {
            if (out + units > cap) {
                *written = out;
                return STATUS_BUFFER_TOO_SMALL;
            }
            if (units == 2) {
                dst[out] = (WCHAR)(0xD800 + ((cp - 0x10000) >> 10));
                dst[out + 1] = (WCHAR)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else {
                dst[out] = (WCHAR)cp;
            }
        }
        out += units;
        i += used;
    }
    *written = out;
    return replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}

static NTSTATUS utf16_to_utf8(const WCHAR *src, size_t n, char *dst, size_t cap, size_t *written)
{
    size_t out = 0;
    bool replaced = false;
    for (size_t i = 0; i < n;) {
        size_t used;
        bool bad;
        unsigned int cp = utf16_decode(src + i, n - i, &used, &bad);
        replaced |= bad;
        char tmp[4];
        size_t k = rtl_utf8_encode(cp, tmp);
        if (dst != NULL) {
            if (out + k > cap) {
                *written = out;
                return STATUS_BUFFER_TOO_SMALL;
            }
            memcpy(dst + out, tmp, k);
        }
        out += k;
        i += used;
    }
    *written = out;
    return replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}

NTSTATUS RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                           PULONG UnicodeStringActualByteCount, PCCH UTF8StringSource, ULONG UTF8StringByteCount)
{
    if (UnicodeStringDestination == NULL && UnicodeStringActualByteCount == NULL)
        return STATUS_INVALID_PARAMETER;
    if (UTF8StringSource == NULL)
        return STATUS_INVALID_PARAMETER_4;
    size_t units;
    NTSTATUS status = utf8_to_utf16(UTF8StringSource, UTF8StringByteCount, UnicodeStringDestination,
                                    UnicodeStringMaxByteCount / sizeof(WCHAR), &units);
    if (UnicodeStringActualByteCount != NULL)
        *UnicodeStringActualByteCount = (ULONG)(units * sizeof(WCHAR));
    return status;
}

NTSTATUS RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                           PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource, ULONG UnicodeStringByteCount)
{
    if (UTF8StringDestination == NULL && UTF8StringActualByteCount == NULL)
        return STATUS_INVALID_PARAMETER;
    if (UnicodeStringSource == NULL)
        return STATUS_INVALID_PARAMETER_4;
    if (UnicodeStringByteCount % sizeof(WCHAR) != 0)
        return STATUS_INVALID_PARAMETER_5;
    size_t bytes;
    NTSTATUS status = utf16_to_utf8(UnicodeStringSource, UnicodeStringByteCount / sizeof(WCHAR),
                                    UTF8StringDestination, UTF8StringMaxByteCount, &bytes);
    if (UTF8StringActualByteCount != NULL)
        *UTF8StringActualByteCount = (ULONG)bytes;
    return status;
}

/* ---- openwdf/unicode.h ---------------------------------------------------------------------- */

size_t owdf_wcslen(const WCHAR *s)
{
    return rtl_wcslen(s);
}

NTSTATUS owdf_utf8_to_utf16(const char *src, size_t length, WCHAR *dst, size_t dst_cch, size_t *out_cch)
{
    if (src == NULL || (dst == NULL && dst_cch != 0))
        return STATUS_INVALID_PARAMETER;
    if (length == (size_t)-1)
        length = strlen(src);
    size_t needed;
    NTSTATUS status = utf8_to_utf16(src, length, NULL, 0, &needed);
    if (out_cch != NULL)
        *out_cch = needed;
    if (dst == NULL)
        return status;
    if (dst_cch == 0)
        return STATUS_BUFFER_TOO_SMALL;
    size_t written;
    status = utf8_to_utf16(src, length, dst, dst_cch - 1, &written);
    dst[written] = UNICODE_NULL;
    return status;
}

NTSTATUS owdf_utf16_to_utf8(const WCHAR *src, size_t cch, char *dst, size_t dst_size, size_t *out_len)
{
    if (src == NULL || (dst == NULL && dst_size != 0))
        return STATUS_INVALID_PARAMETER;
    if (cch == (size_t)-1)
        cch = rtl_wcslen(src);
    size_t needed;
    NTSTATUS status = utf16_to_utf8(src, cch, NULL, 0, &needed);
    if (out_len != NULL)
        *out_len = needed;
    if (dst == NULL)
        return status;
    if (dst_size == 0)
        return STATUS_BUFFER_TOO_SMALL;
    size_t written;
    status = utf16_to_utf8(src, cch, dst, dst_size - 1, &written);
    dst[written] = '\0';
    return status;
}

NTSTATUS owdf_unicode_string_from_utf8(PUNICODE_STRING out, const char *utf8)
{
    if (out == NULL || utf8 == NULL)
        return STATUS_INVALID_PARAMETER;
    size_t units;
    utf8_to_utf16(utf8, strlen(utf8), NULL, 0, &units);
    if (units > UNICODE_STRING_MAX_CHARS - 1)
        return STATUS_NAME_TOO_LONG;
    WCHAR *buffer = rtl_string_alloc((units + 1) * sizeof(WCHAR), __builtin_return_address(0));
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    size_t written;
    NTSTATUS status = utf8_to_utf16(utf8, strlen(utf8), buffer, units, &written);
    buffer[written] = UNICODE_NULL;
    out->Buffer = buffer;
    out->Length = (USHORT)(written * sizeof(WCHAR));
    out->MaximumLength = (USHORT)((units + 1) * sizeof(WCHAR));
    return status == STATUS_SOME_NOT_MAPPED ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}

char *owdf_unicode_string_to_utf8(PCUNICODE_STRING string)
{
    const WCHAR *src = (string != NULL && string->Buffer != NULL) ? string->Buffer : NULL;
    size_t cch = src != NULL ? string->Length / sizeof(WCHAR) : 0;
    size_t needed = 0;
    if (src != NULL)
        utf16_to_utf8(src, cch, NULL, 0, &needed);
    char *out = malloc(needed + 1);
    if (out == NULL)
        return NULL;
    size_t written = 0;
    if (src != NULL)
        utf16_to_utf8(src, cch, out, needed, &written);
    out[written] = '\0';
    return out;
}

LONG owdf_unicode_string_compare_ci(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    return RtlCompareUnicodeString(a, b, TRUE);
}

BOOLEAN owdf_unicode_string_equal_ci(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    return RtlEqualUnicodeString(a, b, TRUE);
}
