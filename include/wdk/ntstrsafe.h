/*
 * ntstrsafe.h - the kernel's safe string functions: bounded copy, concatenation, length and printf for
 * char (A) and WCHAR (W) buffers counted in characters (Cch) or bytes (Cb), and for UNICODE_STRINGs.
 *
 * Contract, as in the WDK: the destination is always terminated when its size is valid; a result that
 * does not fit is truncated, terminated and reported as STATUS_BUFFER_OVERFLOW; a size of 0 or above
 * NTSTRSAFE_MAX_CCH (UNICODE_STRINGs: NTSTRSAFE_UNICODE_STRING_MAX_CCH) is STATUS_INVALID_PARAMETER.
 * Where the WDK would dereference a NULL source or destination, these return STATUS_INVALID_PARAMETER
 * instead (unless STRSAFE_IGNORE_NULLS says to treat it as empty).
 *
 * The printf family uses openwdf's formatter (Windows conventions: %ws/%wZ/%Z, `l` is 32 bits, I64,
 * %s follows the function's width...; see src/nt/rtl/format.c). Any IRQL unless a %wZ/%ws argument
 * itself is pageable.
 */
#ifndef OPENWDF_NTSTRSAFE_H
#define OPENWDF_NTSTRSAFE_H

#include <stdarg.h>

#include <ntdef.h>
#include <ntstatus.h>

EXTERN_C_START

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_MAX_LENGTH (NTSTRSAFE_MAX_CCH - 1)
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH (0xffff / sizeof(WCHAR))

#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000
#define STRSAFE_FILL_BYTE(x) ((DWORD)(((x) & 0x000000FF) | STRSAFE_FILL_BEHIND_NULL))
#define STRSAFE_FAILURE_BYTE(x) ((DWORD)(((x) & 0x000000FF) | STRSAFE_FILL_ON_FAILURE))
#define STRSAFE_GET_FILL_PATTERN(dwFlags) ((int)((dwFlags) & 0x000000FF))
#define STRSAFE_VALID_FLAGS \
    (0x000000FF | STRSAFE_IGNORE_NULLS | STRSAFE_FILL_BEHIND_NULL | STRSAFE_FILL_ON_FAILURE | \
     STRSAFE_NULL_ON_FAILURE | STRSAFE_NO_TRUNCATION)

typedef char *NTSTRSAFE_PSTR;
typedef const char *NTSTRSAFE_PCSTR;
typedef WCHAR *NTSTRSAFE_PWSTR;
typedef const WCHAR *NTSTRSAFE_PCWSTR;
typedef const WCHAR *NTSTRSAFE_PCUWSTR;

/* The formatter (exported by libopenwdf): writes at most cch units, no terminator; returns the units
 * the whole output needs. */
NTKERNELAPI size_t owdf_rtl_vformat_a(char *dest, size_t cch, const char *fmt, va_list ap);
NTKERNELAPI size_t owdf_rtl_vformat_w(WCHAR *dest, size_t cch, const WCHAR *fmt, va_list ap);

/* ---- one worker set per width ---------------------------------------------------------------- */
#define OWDF_STRSAFE_OP_COPY 0
#define OWDF_STRSAFE_OP_CAT 1
#define OWDF_STRSAFE_OP_PRINTF 2

#define OWDF_STRSAFE_WORKERS(S, T, VFORMAT) \
    static inline size_t owdf_strsafe_len_##S(const T *p, size_t max) \
    { \
        size_t n = 0; \
        while (n < max && p[n] != 0) \
            n++; \
        return n; \
    } \
    /* Copies src (at most max units) into dst[cap] and terminates; *written = units copied. */ \
    static inline NTSTATUS owdf_strsafe_copy_##S(T *dst, size_t cap, const T *src, size_t max, size_t *written) \
    { \
        size_t n = 0; \
        while (n < max && src[n] != 0 && n + 1 < cap) { \
            dst[n] = src[n]; \
            n++; \
        } \
        dst[n] = 0; \
        *written = n; \
        return (n < max && src[n] != 0) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS; \
    } \
    static inline NTSTATUS owdf_strsafe_vprintf_##S(T *dst, size_t cap, const T *fmt, va_list ap, size_t *written) \
    { \
        size_t needed = VFORMAT(dst, cap - 1, fmt, ap); \
        size_t n = needed < cap - 1 ? needed : cap - 1; \
        dst[n] = 0; \
        *written = n; \
        return needed > cap - 1 ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS; \
    } \
    /* The plain (non-Ex) functions: validate, run the operation. */ \
    static inline NTSTATUS owdf_strsafe_run_##S(T *dst, size_t cch, int op, const T *src, size_t max, const T *fmt, \
                                                va_list ap) \
    { \
        if (dst == NULL || cch == 0 || cch > NTSTRSAFE_MAX_CCH) \
            return STATUS_INVALID_PARAMETER; \
        size_t at = 0, written; \
        if (op == OWDF_STRSAFE_OP_CAT) { \
            at = owdf_strsafe_len_##S(dst, cch); \
            if (at == cch) \
                return STATUS_INVALID_PARAMETER; /* the destination is not terminated */ \
        } \
        if (max > NTSTRSAFE_MAX_LENGTH || (op == OWDF_STRSAFE_OP_PRINTF ? fmt == NULL : src == NULL)) { \
            if (op != OWDF_STRSAFE_OP_CAT) \
                dst[0] = 0; \
            return STATUS_INVALID_PARAMETER; \
        } \
        if (op == OWDF_STRSAFE_OP_PRINTF) \
            return owdf_strsafe_vprintf_##S(dst, cch, fmt, ap, &written); \
        return owdf_strsafe_copy_##S(dst + at, cch - at, src, max, &written); \
    } \
    /* The Ex functions: flags, end pointer and remaining count as the WDK documents them. */ \
    static inline NTSTATUS owdf_strsafe_run_ex_##S(T *dst, size_t cch, int op, const T *src, size_t max, \
                                                   const T *fmt, va_list ap, T **end_out, size_t *remaining_out, \
                                                   DWORD flags) \
    { \
        static const T empty_text[1] = {0}; \
        if ((flags & ~(DWORD)STRSAFE_VALID_FLAGS) != 0 || cch > NTSTRSAFE_MAX_CCH || max > NTSTRSAFE_MAX_LENGTH) \
            return STATUS_INVALID_PARAMETER; \
        if (flags & STRSAFE_IGNORE_NULLS) { \
            if (src == NULL) \
                src = empty_text; \
            if (fmt == NULL) \
                fmt = empty_text; \
        } \
        if ((op == OWDF_STRSAFE_OP_PRINTF ? fmt == NULL : src == NULL) || (dst == NULL && cch != 0)) \
            return STATUS_INVALID_PARAMETER; \
        size_t at = 0, written = 0; \
        if (op == OWDF_STRSAFE_OP_CAT && cch != 0) { \
            at = owdf_strsafe_len_##S(dst, cch); \
            if (at == cch) \
                return STATUS_INVALID_PARAMETER; \
        } \
        NTSTATUS status; \
        if (cch == 0) { \
            /* Only with STRSAFE_IGNORE_NULLS: succeeds only if there is nothing to write. */ \
            if (!(flags & STRSAFE_IGNORE_NULLS)) \
                return STATUS_INVALID_PARAMETER; \
            if (op == OWDF_STRSAFE_OP_PRINTF) \
                status = VFORMAT(NULL, 0, fmt, ap) != 0 ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS; \
            else \
                status = (max != 0 && src[0] != 0) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS; \
            if (end_out != NULL) \
                *end_out = dst; \
            if (remaining_out != NULL) \
                *remaining_out = 0; \
            return status; \
        } \
        if (op == OWDF_STRSAFE_OP_PRINTF) \
            status = owdf_strsafe_vprintf_##S(dst, cch, fmt, ap, &written); \
        else \
            status = owdf_strsafe_copy_##S(dst + at, cch - at, src, max, &written); \
        T *end = dst + at + written; \
        size_t remaining = cch - at - written; \
        if (NT_SUCCESS(status)) { \
            if ((flags & STRSAFE_FILL_BEHIND_NULL) && remaining > 1) \
                memset(end + 1, STRSAFE_GET_FILL_PATTERN(flags), (remaining - 1) * sizeof(T)); \
        } else { \
            if (flags & STRSAFE_FILL_ON_FAILURE) { \
                memset(dst, STRSAFE_GET_FILL_PATTERN(flags), cch * sizeof(T)); \
                if (STRSAFE_GET_FILL_PATTERN(flags) == 0) { \
                    end = dst; \
                    remaining = cch; \
                } else { \
                    end = dst + cch - 1; \
                    remaining = 1; \
                    *end = 0; \
                } \
            } \
            if (flags & STRSAFE_NULL_ON_FAILURE) { \
                end = dst; \
                remaining = cch; \
                *end = 0; \
            } else if (flags & STRSAFE_NO_TRUNCATION) { \
                end = (op == OWDF_STRSAFE_OP_CAT) ? dst + at : dst; \
                remaining = cch - (size_t)(end - dst); \
                *end = 0; \
            } \
        } \
        if (end_out != NULL) \
            *end_out = end; \
        if (remaining_out != NULL) \
            *remaining_out = remaining; \
        return status; \
    }

OWDF_STRSAFE_WORKERS(a, char, owdf_rtl_vformat_a)
OWDF_STRSAFE_WORKERS(w, WCHAR, owdf_rtl_vformat_w)
#undef OWDF_STRSAFE_WORKERS

/* va_list placeholder for the operations that take none. */
static inline NTSTATUS owdf_strsafe_plain_a(char *d, size_t cch, int op, const char *s, size_t max, ...)
{
    va_list ap;
    va_start(ap, max);
    NTSTATUS status = owdf_strsafe_run_a(d, cch, op, s, max, NULL, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS owdf_strsafe_plain_w(WCHAR *d, size_t cch, int op, const WCHAR *s, size_t max, ...)
{
    va_list ap;
    va_start(ap, max);
    NTSTATUS status = owdf_strsafe_run_w(d, cch, op, s, max, NULL, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS owdf_strsafe_plain_ex_a(char *d, size_t cch, int op, const char *s, size_t max, char **end,
                                               size_t *remaining, DWORD flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    NTSTATUS status = owdf_strsafe_run_ex_a(d, cch, op, s, max, NULL, ap, end, remaining, flags);
    va_end(ap);
    return status;
}
static inline NTSTATUS owdf_strsafe_plain_ex_w(WCHAR *d, size_t cch, int op, const WCHAR *s, size_t max, WCHAR **end,
                                               size_t *remaining, DWORD flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    NTSTATUS status = owdf_strsafe_run_ex_w(d, cch, op, s, max, NULL, ap, end, remaining, flags);
    va_end(ap);
    return status;
}

/* ---- Copy ------------------------------------------------------------------------------------ */
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return owdf_strsafe_plain_w(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return owdf_strsafe_plain_a(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlStringCchCopyW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlStringCchCopyA(pszDest, cbDest, pszSrc);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                         size_t cchToCopy)
{
    return owdf_strsafe_plain_w(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, cchToCopy);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                         size_t cchToCopy)
{
    return owdf_strsafe_plain_a(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, cchToCopy);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                        size_t cbToCopy)
{
    return RtlStringCchCopyNW(pszDest, cbDest / sizeof(WCHAR), pszSrc, cbToCopy / sizeof(WCHAR));
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToCopy)
{
    return RtlStringCchCopyNA(pszDest, cbDest, pszSrc, cbToCopy);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                          NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags)
{
    return owdf_strsafe_plain_ex_w(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, NTSTRSAFE_MAX_LENGTH, ppszDestEnd,
                                   pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                          NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags)
{
    return owdf_strsafe_plain_ex_a(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, NTSTRSAFE_MAX_LENGTH, ppszDestEnd,
                                   pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                         NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags)
{
    size_t remaining = 0;
    NTSTATUS status = RtlStringCchCopyExW(pszDest, cbDest / sizeof(WCHAR), pszSrc, ppszDestEnd, &remaining, dwFlags);
    if (pcbRemaining != NULL)
        *pcbRemaining = remaining * sizeof(WCHAR) + (cbDest % sizeof(WCHAR));
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                                         NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags)
{
    return RtlStringCchCopyExA(pszDest, cbDest, pszSrc, ppszDestEnd, pcbRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyNExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                           size_t cchToCopy, NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining,
                                           DWORD dwFlags)
{
    return owdf_strsafe_plain_ex_w(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, cchToCopy, ppszDestEnd,
                                   pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyNExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                           size_t cchToCopy, NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining,
                                           DWORD dwFlags)
{
    return owdf_strsafe_plain_ex_a(pszDest, cchDest, OWDF_STRSAFE_OP_COPY, pszSrc, cchToCopy, ppszDestEnd,
                                   pcchRemaining, dwFlags);
}

/* ---- Cat ------------------------------------------------------------------------------------- */
NTSTRSAFEDDI NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return owdf_strsafe_plain_w(pszDest, cchDest, OWDF_STRSAFE_OP_CAT, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return owdf_strsafe_plain_a(pszDest, cchDest, OWDF_STRSAFE_OP_CAT, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlStringCchCatW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlStringCchCatA(pszDest, cbDest, pszSrc);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCatNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                        size_t cchToAppend)
{
    return owdf_strsafe_plain_w(pszDest, cchDest, OWDF_STRSAFE_OP_CAT, pszSrc, cchToAppend);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCatNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                        size_t cchToAppend)
{
    return owdf_strsafe_plain_a(pszDest, cchDest, OWDF_STRSAFE_OP_CAT, pszSrc, cchToAppend);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCatNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                       size_t cbToAppend)
{
    return RtlStringCchCatNW(pszDest, cbDest / sizeof(WCHAR), pszSrc, cbToAppend / sizeof(WCHAR));
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCatNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToAppend)
{
    return RtlStringCchCatNA(pszDest, cbDest, pszSrc, cbToAppend);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCatExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                         NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags)
{
    return owdf_strsafe_plain_ex_w(pszDest, cchDest, OWDF_STRSAFE_OP_CAT, pszSrc, NTSTRSAFE_MAX_LENGTH, ppszDestEnd,
                                   pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchCatExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                         NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags)
{
    return owdf_strsafe_plain_ex_a(pszDest, cchDest, OWDF_STRSAFE_OP_CAT, pszSrc, NTSTRSAFE_MAX_LENGTH, ppszDestEnd,
                                   pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCatExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                        NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags)
{
    size_t remaining = 0;
    NTSTATUS status = RtlStringCchCatExW(pszDest, cbDest / sizeof(WCHAR), pszSrc, ppszDestEnd, &remaining, dwFlags);
    if (pcbRemaining != NULL)
        *pcbRemaining = remaining * sizeof(WCHAR) + (cbDest % sizeof(WCHAR));
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCbCatExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                                        NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags)
{
    return RtlStringCchCatExA(pszDest, cbDest, pszSrc, ppszDestEnd, pcbRemaining, dwFlags);
}

/* ---- Length ---------------------------------------------------------------------------------- */
/* STATUS_INVALID_PARAMETER (and *pcchLength = 0) for a NULL string, a bad cchMax, or no terminator
 * within cchMax characters. */
NTSTRSAFEDDI NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (psz != NULL && cchMax != 0 && cchMax <= NTSTRSAFE_MAX_CCH) {
        n = owdf_strsafe_len_w(psz, cchMax);
        if (n < cchMax)
            status = STATUS_SUCCESS;
    }
    if (pcchLength != NULL)
        *pcchLength = NT_SUCCESS(status) ? n : 0;
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (psz != NULL && cchMax != 0 && cchMax <= NTSTRSAFE_MAX_CCH) {
        n = owdf_strsafe_len_a(psz, cchMax);
        if (n < cchMax)
            status = STATUS_SUCCESS;
    }
    if (pcchLength != NULL)
        *pcchLength = NT_SUCCESS(status) ? n : 0;
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t cch = 0;
    NTSTATUS status = RtlStringCchLengthW(psz, cbMax / sizeof(WCHAR), &cch);
    if (pcbLength != NULL)
        *pcbLength = cch * sizeof(WCHAR);
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return RtlStringCchLengthA(psz, cbMax, pcbLength);
}

/* ---- Printf ---------------------------------------------------------------------------------- */
NTSTRSAFEDDI NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat,
                                           va_list argList)
{
    return owdf_strsafe_run_w(pszDest, cchDest, OWDF_STRSAFE_OP_PRINTF, NULL, 0, pszFormat, argList);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat,
                                           va_list argList)
{
    return owdf_strsafe_run_a(pszDest, cchDest, OWDF_STRSAFE_OP_PRINTF, NULL, 0, pszFormat, argList);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat,
                                          va_list argList)
{
    return owdf_strsafe_run_w(pszDest, cbDest / sizeof(WCHAR), OWDF_STRSAFE_OP_PRINTF, NULL, 0, pszFormat, argList);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat,
                                          va_list argList)
{
    return owdf_strsafe_run_a(pszDest, cbDest, OWDF_STRSAFE_OP_PRINTF, NULL, 0, pszFormat, argList);
}
static inline NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCchVPrintfW(pszDest, cchDest, pszFormat, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCchVPrintfA(pszDest, cchDest, pszFormat, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCbVPrintfW(pszDest, cbDest, pszFormat, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCbVPrintfA(pszDest, cbDest, pszFormat, ap);
    va_end(ap);
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCchVPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                             size_t *pcchRemaining, DWORD dwFlags, NTSTRSAFE_PCWSTR pszFormat,
                                             va_list argList)
{
    return owdf_strsafe_run_ex_w(pszDest, cchDest, OWDF_STRSAFE_OP_PRINTF, NULL, 0, pszFormat, argList, ppszDestEnd,
                                 pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCchVPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                             size_t *pcchRemaining, DWORD dwFlags, NTSTRSAFE_PCSTR pszFormat,
                                             va_list argList)
{
    return owdf_strsafe_run_ex_a(pszDest, cchDest, OWDF_STRSAFE_OP_PRINTF, NULL, 0, pszFormat, argList, ppszDestEnd,
                                 pcchRemaining, dwFlags);
}
NTSTRSAFEDDI NTSTATUS RtlStringCbVPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                            size_t *pcbRemaining, DWORD dwFlags, NTSTRSAFE_PCWSTR pszFormat,
                                            va_list argList)
{
    size_t remaining = 0;
    NTSTATUS status = RtlStringCchVPrintfExW(pszDest, cbDest / sizeof(WCHAR), ppszDestEnd, &remaining, dwFlags,
                                             pszFormat, argList);
    if (pcbRemaining != NULL)
        *pcbRemaining = remaining * sizeof(WCHAR) + (cbDest % sizeof(WCHAR));
    return status;
}
NTSTRSAFEDDI NTSTATUS RtlStringCbVPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                            size_t *pcbRemaining, DWORD dwFlags, NTSTRSAFE_PCSTR pszFormat,
                                            va_list argList)
{
    return RtlStringCchVPrintfExA(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, pszFormat, argList);
}
static inline NTSTATUS RtlStringCchPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                             size_t *pcchRemaining, DWORD dwFlags, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCchVPrintfExW(pszDest, cchDest, ppszDestEnd, pcchRemaining, dwFlags, pszFormat, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS RtlStringCchPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                             size_t *pcchRemaining, DWORD dwFlags, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCchVPrintfExA(pszDest, cchDest, ppszDestEnd, pcchRemaining, dwFlags, pszFormat, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS RtlStringCbPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PWSTR *ppszDestEnd,
                                            size_t *pcbRemaining, DWORD dwFlags, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCbVPrintfExW(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, pszFormat, ap);
    va_end(ap);
    return status;
}
static inline NTSTATUS RtlStringCbPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PSTR *ppszDestEnd,
                                            size_t *pcbRemaining, DWORD dwFlags, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlStringCbVPrintfExA(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, pszFormat, ap);
    va_end(ap);
    return status;
}

/* ---- UNICODE_STRING -------------------------------------------------------------------------- */
/* Valid: even Length <= MaximumLength <= NTSTRSAFE_UNICODE_STRING_MAX_CCH * 2, and a Buffer whenever
 * either length is non-zero. Results are never terminated (a UNICODE_STRING need not be). */
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringValidate(PCUNICODE_STRING SourceString)
{
    if (SourceString == NULL || (SourceString->Length % sizeof(WCHAR)) != 0 ||
        (SourceString->MaximumLength % sizeof(WCHAR)) != 0 || SourceString->Length > SourceString->MaximumLength ||
        SourceString->MaximumLength > NTSTRSAFE_UNICODE_STRING_MAX_CCH * sizeof(WCHAR) ||
        (SourceString->Buffer == NULL && (SourceString->Length != 0 || SourceString->MaximumLength != 0)))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* Length = characters * 2, MaximumLength = Length + 2, Buffer = pszSrc; NULL gives an empty string.
 * STATUS_INVALID_PARAMETER (and an empty string) when pszSrc has NTSTRSAFE_UNICODE_STRING_MAX_CCH or more
 * characters, or DestinationString is NULL. */
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringInit(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    if (DestinationString == NULL)
        return STATUS_INVALID_PARAMETER;
    DestinationString->Length = DestinationString->MaximumLength = 0;
    DestinationString->Buffer = NULL;
    if (pszSrc == NULL)
        return STATUS_SUCCESS;
    size_t n = owdf_strsafe_len_w(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH);
    if (n == NTSTRSAFE_UNICODE_STRING_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    DestinationString->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    DestinationString->Buffer = (PWCH)pszSrc;
    return STATUS_SUCCESS;
}

/* Writes src (n units) at offset `at` (units) of Dest, truncating at MaximumLength. */
static inline NTSTATUS owdf_strsafe_ustring_put(PUNICODE_STRING Dest, size_t at, const WCHAR *src, size_t n)
{
    size_t cap = Dest->MaximumLength / sizeof(WCHAR);
    size_t room = cap - at;
    size_t k = n < room ? n : room;
    for (size_t i = 0; i < k; i++)
        Dest->Buffer[at + i] = src[i];
    Dest->Length = (USHORT)((at + k) * sizeof(WCHAR));
    return k < n ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || !NT_SUCCESS(RtlUnicodeStringValidate(SourceString)))
        return STATUS_INVALID_PARAMETER;
    return owdf_strsafe_ustring_put(DestinationString, 0, SourceString->Buffer, SourceString->Length / sizeof(WCHAR));
}

NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || pszSrc == NULL)
        return STATUS_INVALID_PARAMETER;
    return owdf_strsafe_ustring_put(DestinationString, 0, pszSrc,
                                    owdf_strsafe_len_w(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH + 1));
}

NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || !NT_SUCCESS(RtlUnicodeStringValidate(SourceString)))
        return STATUS_INVALID_PARAMETER;
    return owdf_strsafe_ustring_put(DestinationString, DestinationString->Length / sizeof(WCHAR),
                                    SourceString->Buffer, SourceString->Length / sizeof(WCHAR));
}

NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || pszSrc == NULL)
        return STATUS_INVALID_PARAMETER;
    return owdf_strsafe_ustring_put(DestinationString, DestinationString->Length / sizeof(WCHAR), pszSrc,
                                    owdf_strsafe_len_w(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH + 1));
}

NTSTRSAFEDDI NTSTATUS RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat,
                                              va_list argList)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidate(DestinationString)) || pszFormat == NULL)
        return STATUS_INVALID_PARAMETER;
    size_t cap = DestinationString->MaximumLength / sizeof(WCHAR);
    size_t needed = owdf_rtl_vformat_w(DestinationString->Buffer, cap, pszFormat, argList);
    size_t n = needed < cap ? needed : cap;
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    return needed > cap ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

static inline NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS status = RtlUnicodeStringVPrintf(DestinationString, pszFormat, ap);
    va_end(ap);
    return status;
}

EXTERN_C_END

#endif /* OPENWDF_NTSTRSAFE_H */
