/*
 * unicode.c - counted strings (UNICODE_STRING, ANSI_STRING / STRING): initialization, copy, append,
 * comparison and case mapping, with the statuses Windows documents.
 *
 * Lengths are in bytes and need not be terminated; routines terminate the destination only where
 * Windows does and only when the terminator fits. Any IRQL for routines that do not allocate;
 * allocating ones (Allocate = TRUE) use paged pool, so PASSIVE/APC_LEVEL.
 */
#include "rtl_internal.h"

#include <ex/ex_internal.h>

#define MAX_USTRING_BYTES ((MAXUSHORT & ~1) - sizeof(WCHAR)) /* 65532: a terminator still fits */
#define MAX_ASTRING_BYTES (MAXUSHORT - sizeof(CHAR))          /* 65534 */

size_t rtl_wcslen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n] != 0)
        n++;
    return n;
}

size_t rtl_wcsnlen(const WCHAR *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != 0)
        n++;
    return n;
}

void *rtl_string_alloc(size_t bytes, const void *site)
{
    return ex_pool_allocate(EX_POOL_PAGED, bytes, OWDF_RTL_STRING_TAG, site, "Rtl string allocation");
}

void rtl_string_free(void *buffer)
{
    ex_pool_free(buffer, OWDF_RTL_STRING_TAG, true, __builtin_return_address(0), "RtlFreeUnicodeString");
}

/* ---- initialization ------------------------------------------------------------------------ */

void RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        DestinationString->Buffer = NULL;
        return;
    }
    size_t bytes = rtl_wcsnlen(SourceString, MAX_USTRING_BYTES / sizeof(WCHAR) + 1) * sizeof(WCHAR);
    if (bytes > MAX_USTRING_BYTES)
        bytes = MAX_USTRING_BYTES;
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    DestinationString->Buffer = (PWCH)SourceString;
}

NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    DestinationString->Length = DestinationString->MaximumLength = 0;
    DestinationString->Buffer = (PWCH)SourceString;
    if (SourceString == NULL)
        return STATUS_SUCCESS;
    size_t bytes = rtl_wcsnlen(SourceString, MAX_USTRING_BYTES / sizeof(WCHAR) + 1) * sizeof(WCHAR);
    if (bytes > MAX_USTRING_BYTES)
        return STATUS_NAME_TOO_LONG;
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

void RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        DestinationString->Buffer = NULL;
        return;
    }
    size_t bytes = strnlen(SourceString, MAX_ASTRING_BYTES + 1);
    if (bytes > MAX_ASTRING_BYTES)
        bytes = MAX_ASTRING_BYTES;
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + 1);
    DestinationString->Buffer = (PCHAR)SourceString;
}

NTSTATUS RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString)
{
    DestinationString->Length = DestinationString->MaximumLength = 0;
    DestinationString->Buffer = (PCHAR)SourceString;
    if (SourceString == NULL)
        return STATUS_SUCCESS;
    size_t bytes = strnlen(SourceString, MAX_ASTRING_BYTES + 1);
    if (bytes > MAX_ASTRING_BYTES)
        return STATUS_NAME_TOO_LONG;
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + 1);
    return STATUS_SUCCESS;
}

void RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    RtlInitAnsiString(DestinationString, SourceString);
}

/* ---- copy and append ----------------------------------------------------------------------- */

void RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (SourceString == NULL || SourceString->Buffer == NULL) {
        DestinationString->Length = 0;
        return;
    }
    size_t n = SourceString->Length;
    if (n > DestinationString->MaximumLength)
        n = DestinationString->MaximumLength;
    n &= ~(size_t)1;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = (USHORT)n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = UNICODE_NULL;
}

void RtlCopyString(PSTRING DestinationString, const STRING *SourceString)
{
    if (SourceString == NULL || SourceString->Buffer == NULL) {
        DestinationString->Length = 0;
        return;
    }
    size_t n = SourceString->Length;
    if (n > DestinationString->MaximumLength)
        n = DestinationString->MaximumLength;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = (USHORT)n;
    if (n < DestinationString->MaximumLength)
        DestinationString->Buffer[n] = ANSI_NULL;
}

static NTSTATUS append_units(PUNICODE_STRING Destination, const WCHAR *src, size_t bytes)
{
    if (bytes == 0)
        return STATUS_SUCCESS;
    size_t total = (size_t)Destination->Length + bytes;
    if (total > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove((char *)Destination->Buffer + Destination->Length, src, bytes);
    Destination->Length = (USHORT)total;
    if (total + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[total / sizeof(WCHAR)] = UNICODE_NULL;
    return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    return append_units(Destination, Source->Buffer, Source->Length);
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    if (Source == NULL)
        return STATUS_SUCCESS;
    size_t bytes = rtl_wcsnlen(Source, MAXUSHORT / sizeof(WCHAR) + 1) * sizeof(WCHAR);
    return append_units(Destination, Source, bytes);
}

NTSTATUS RtlAppendStringToString(PSTRING Destination, const STRING *Source)
{
    if (Source->Length == 0)
        return STATUS_SUCCESS;
    size_t total = (size_t)Destination->Length + Source->Length;
    if (total > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove(Destination->Buffer + Destination->Length, Source->Buffer, Source->Length);
    Destination->Length = (USHORT)total;
    return STATUS_SUCCESS;
}

/* ---- comparison ---------------------------------------------------------------------------- */

LONG RtlCompareUnicodeStrings(PCWCH String1, SIZE_T String1Length, PCWCH String2, SIZE_T String2Length,
                              BOOLEAN CaseInSensitive)
{
    size_t n = String1Length < String2Length ? String1Length : String2Length;
    for (size_t i = 0; i < n; i++) {
        WCHAR a = String1[i], b = String2[i];
        if (a != b && CaseInSensitive) {
            a = rtl_upcase(a);
            b = rtl_upcase(b);
        }
        if (a != b)
            return (LONG)(unsigned short)a - (LONG)(unsigned short)b;
    }
    if (String1Length == String2Length)
        return 0;
    return String1Length < String2Length ? -1 : 1;
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    return RtlCompareUnicodeStrings(String1->Buffer, String1->Length / sizeof(WCHAR), String2->Buffer,
                                    String2->Length / sizeof(WCHAR), CaseInSensitive);
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    return RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length > String2->Length)
        return FALSE;
    size_t n = String1->Length / sizeof(WCHAR);
    return RtlCompareUnicodeStrings(String1->Buffer, n, String2->Buffer, n, CaseInSensitive) == 0;
}

static LONG compare_ansi(const CHAR *a, size_t na, const CHAR *b, size_t nb, BOOLEAN ci)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        CHAR x = a[i], y = b[i];
        if (x != y && ci) {
            x = RtlUpperChar(x);
            y = RtlUpperChar(y);
        }
        if (x != y)
            return (LONG)(unsigned char)x - (LONG)(unsigned char)y;
    }
    if (na == nb)
        return 0;
    return na < nb ? -1 : 1;
}

LONG RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    return compare_ansi(String1->Buffer, String1->Length, String2->Buffer, String2->Length, CaseInSensitive);
}

BOOLEAN RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    return RtlCompareString(String1, String2, CaseInSensitive) == 0;
}

BOOLEAN RtlPrefixString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length > String2->Length)
        return FALSE;
    return compare_ansi(String1->Buffer, String1->Length, String2->Buffer, String1->Length, CaseInSensitive) == 0;
}

/* ---- case mapping -------------------------------------------------------------------------- */

static NTSTATUS map_case(PUNICODE_STRING Dest, PCUNICODE_STRING Src, BOOLEAN Allocate, WCHAR (*map)(WCHAR),
                         const void *site)
{
    size_t n = Src->Length / sizeof(WCHAR);
    const WCHAR *src = Src->Buffer;
    if (Allocate) {
        WCHAR *buffer = rtl_string_alloc(Src->Length, site);
        if (buffer == NULL)
            return STATUS_NO_MEMORY;
        Dest->Buffer = buffer;
        Dest->MaximumLength = Src->Length;
    } else if (Src->Length > Dest->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < n; i++)
        Dest->Buffer[i] = map(src[i]);
    Dest->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                BOOLEAN AllocateDestinationString)
{
    return map_case(DestinationString, SourceString, AllocateDestinationString, rtl_upcase,
                    __builtin_return_address(0));
}

NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                  BOOLEAN AllocateDestinationString)
{
    return map_case(DestinationString, SourceString, AllocateDestinationString, rtl_downcase,
                    __builtin_return_address(0));
}

/* ---- pool-backed strings ------------------------------------------------------------------- */

void RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer != NULL)
        ex_pool_free(UnicodeString->Buffer, OWDF_RTL_STRING_TAG, true, __builtin_return_address(0),
                     "RtlFreeUnicodeString");
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

void RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer != NULL)
        ex_pool_free(AnsiString->Buffer, OWDF_RTL_STRING_TAG, true, __builtin_return_address(0),
                     "RtlFreeAnsiString");
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

BOOLEAN RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    size_t bytes = (rtl_wcsnlen(SourceString, MAXUSHORT / sizeof(WCHAR) + 1) + 1) * sizeof(WCHAR);
    if (bytes > MAXUSHORT)
        return FALSE;
    WCHAR *buffer = rtl_string_alloc(bytes, __builtin_return_address(0));
    if (buffer == NULL)
        return FALSE;
    memcpy(buffer, SourceString, bytes);
    DestinationString->Buffer = buffer;
    DestinationString->Length = (USHORT)(bytes - sizeof(WCHAR));
    DestinationString->MaximumLength = (USHORT)bytes;
    return TRUE;
}

NTSTATUS RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn, PUNICODE_STRING StringOut)
{
    const ULONG valid = RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE | RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING;
    if (StringIn == NULL || StringOut == NULL || (Flags & ~valid) != 0 || StringIn->Length > StringIn->MaximumLength ||
        (StringIn->Length & 1) != 0 || (StringIn->Length != 0 && StringIn->Buffer == NULL))
        return STATUS_INVALID_PARAMETER;
    /* An empty string is allocated only when both flags ask for a terminated empty buffer. */
    if (StringIn->Length == 0 && Flags != valid) {
        StringOut->Length = StringOut->MaximumLength = 0;
        StringOut->Buffer = NULL;
        return STATUS_SUCCESS;
    }
    size_t bytes = StringIn->Length;
    if (Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE)
        bytes += sizeof(WCHAR);
    if (bytes > MAXUSHORT)
        return STATUS_NAME_TOO_LONG;
    WCHAR *buffer = rtl_string_alloc(bytes, __builtin_return_address(0));
    if (buffer == NULL)
        return STATUS_NO_MEMORY;
    if (StringIn->Length != 0)
        memcpy(buffer, StringIn->Buffer, StringIn->Length);
    if (Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE)
        buffer[StringIn->Length / sizeof(WCHAR)] = UNICODE_NULL;
    StringOut->Buffer = buffer;
    StringOut->Length = StringIn->Length;
    StringOut->MaximumLength = (USHORT)bytes;
    return STATUS_SUCCESS;
}

/* ---- ANSI <-> Unicode ---------------------------------------------------------------------- */

ULONG RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString)
{
    return (ULONG)(UnicodeString->Length / sizeof(WCHAR)) + 1;
}

ULONG RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString)
{
    return ((ULONG)AnsiString->Length + 1) * (ULONG)sizeof(WCHAR);
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    ULONG size = RtlxUnicodeStringToAnsiSize(SourceString);
    NTSTATUS status = STATUS_SUCCESS;
    if (size > MAXUSHORT)
        return STATUS_INVALID_PARAMETER_2;
    size_t length = size - 1;
    if (AllocateDestinationString) {
        char *buffer = rtl_string_alloc(size, __builtin_return_address(0));
        if (buffer == NULL)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buffer;
        DestinationString->MaximumLength = (USHORT)size;
    } else if (length >= DestinationString->MaximumLength) {
        if (DestinationString->MaximumLength == 0)
            return STATUS_BUFFER_OVERFLOW;
        status = STATUS_BUFFER_OVERFLOW;
        length = DestinationString->MaximumLength - 1U;
    }
    for (size_t i = 0; i < length; i++) {
        unsigned short w = (unsigned short)SourceString->Buffer[i];
        DestinationString->Buffer[i] = (CHAR)(w <= 0xFF ? w : '?');
    }
    DestinationString->Buffer[length] = ANSI_NULL;
    DestinationString->Length = (USHORT)length;
    return status;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    ULONG size = RtlxAnsiStringToUnicodeSize(SourceString);
    if (size > MAXUSHORT)
        return STATUS_INVALID_PARAMETER_2;
    size_t length = size - sizeof(WCHAR);
    if (AllocateDestinationString) {
        WCHAR *buffer = rtl_string_alloc(size, __builtin_return_address(0));
        if (buffer == NULL)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buffer;
        DestinationString->MaximumLength = (USHORT)size;
    } else if (length >= DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    size_t n = length / sizeof(WCHAR);
    for (size_t i = 0; i < n; i++)
        DestinationString->Buffer[i] = (WCHAR)(unsigned char)SourceString->Buffer[i];
    if (length + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n] = UNICODE_NULL;
    DestinationString->Length = (USHORT)length;
    return STATUS_SUCCESS;
}
