/*
 * numbers.c - integers and GUIDs to and from text: RtlIntegerToUnicodeString, RtlUnicodeStringToInteger,
 * RtlStringFromGUID, RtlGUIDFromString and their relatives, with Windows' statuses.
 */
#include "rtl_internal.h"

#include <stdio.h>

static bool valid_base(ULONG base)
{
    return base == 2 || base == 8 || base == 10 || base == 16;
}

/* Digits of value in base, most significant first, upper case; returns the count (<= 64). */
static size_t to_digits(ULONGLONG value, ULONG base, char out[65])
{
    char tmp[65];
    size_t n = 0;
    do {
        tmp[n++] = "0123456789ABCDEF"[value % base];
        value /= base;
    } while (value != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static NTSTATUS int_to_unicode(ULONGLONG value, ULONG base, PUNICODE_STRING string)
{
    if (base == 0)
        base = 10;
    if (!valid_base(base))
        return STATUS_INVALID_PARAMETER;
    char digits[65];
    size_t n = to_digits(value, base, digits);
    /* The digits and a terminator must fit. */
    if ((n + 1) * sizeof(WCHAR) > string->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (size_t i = 0; i < n; i++)
        string->Buffer[i] = (WCHAR)digits[i];
    string->Buffer[n] = UNICODE_NULL;
    string->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    return int_to_unicode(Value, Base, String);
}

NTSTATUS RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String)
{
    return int_to_unicode(Value, Base, String);
}

NTSTATUS RtlIntegerToChar(ULONG Value, ULONG Base, LONG Length, PSZ String)
{
    if (Base == 0)
        Base = 10;
    if (!valid_base(Base))
        return STATUS_INVALID_PARAMETER;
    char digits[65];
    size_t n = to_digits(Value, Base, digits);
    if (Length < 0 || (size_t)Length < n)
        return STATUS_BUFFER_OVERFLOW;
    if (String == NULL)
        return STATUS_ACCESS_VIOLATION;
    memcpy(String, digits, n);
    if ((size_t)Length > n)
        String[n] = ANSI_NULL;
    return STATUS_SUCCESS;
}

static int digit_value(unsigned c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return 99;
}

/* The parser shared by the Unicode and ANSI forms; unit(i) reads the i-th character, n the count. */
static NTSTATUS parse_integer(const void *text, bool wide, size_t n, ULONG base, PULONG value)
{
#define UNIT(i) (wide ? (unsigned)(unsigned short)((const WCHAR *)text)[i] : (unsigned)(unsigned char)((const char *)text)[i])
    size_t i = 0;
    while (i < n && UNIT(i) <= ' ')
        i++;
    bool negative = false;
    if (i < n && (UNIT(i) == '-' || UNIT(i) == '+')) {
        negative = UNIT(i) == '-';
        i++;
    }
    if (base == 0) {
        base = 10;
        if (i + 1 < n && UNIT(i) == '0') {
            unsigned p = UNIT(i + 1);
            if (p == 'x' || p == 'X')
                base = 16;
            else if (p == 'o' || p == 'O')
                base = 8;
            else if (p == 'b' || p == 'B')
                base = 2;
            if (base != 10)
                i += 2;
        }
    } else if (!valid_base(base)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (value == NULL)
        return STATUS_ACCESS_VIOLATION;
    ULONG result = 0;
    for (; i < n; i++) {
        int d = digit_value(UNIT(i));
        if (d >= (int)base)
            break;
        result = result * base + (ULONG)d;
    }
    *value = negative ? (ULONG)(0U - result) : result;
    return STATUS_SUCCESS;
#undef UNIT
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    return parse_integer(String->Buffer, true, String->Length / sizeof(WCHAR), Base, Value);
}

NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value)
{
    return parse_integer(String, false, strlen(String), Base, Value);
}

/* ---- GUIDs ---------------------------------------------------------------------------------- */

#define GUID_STRING_CHARS 38 /* {8-4-4-4-12} */

NTSTATUS RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString)
{
    char text[GUID_STRING_CHARS + 1];
    snprintf(text, sizeof text, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)Guid->Data1,
             Guid->Data2, Guid->Data3, Guid->Data4[0], Guid->Data4[1], Guid->Data4[2], Guid->Data4[3],
             Guid->Data4[4], Guid->Data4[5], Guid->Data4[6], Guid->Data4[7]);
    WCHAR *buffer = rtl_string_alloc((GUID_STRING_CHARS + 1) * sizeof(WCHAR), __builtin_return_address(0));
    if (buffer == NULL)
        return STATUS_NO_MEMORY;
    for (size_t i = 0; i <= GUID_STRING_CHARS; i++)
        buffer[i] = (WCHAR)text[i];
    GuidString->Buffer = buffer;
    GuidString->Length = GUID_STRING_CHARS * sizeof(WCHAR);
    GuidString->MaximumLength = (GUID_STRING_CHARS + 1) * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

static bool hex_field(const WCHAR *s, size_t count, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < count; i++) {
        int d = digit_value((unsigned short)s[i]);
        if (d > 15)
            return false;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return true;
}

NTSTATUS RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid)
{
    if (GuidString->Length != GUID_STRING_CHARS * sizeof(WCHAR) || GuidString->Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    const WCHAR *s = GuidString->Buffer;
    if (s[0] != '{' || s[9] != '-' || s[14] != '-' || s[19] != '-' || s[24] != '-' || s[37] != '}')
        return STATUS_INVALID_PARAMETER;
    uint64_t d1, d2, d3, b;
    GUID g;
    if (!hex_field(s + 1, 8, &d1) || !hex_field(s + 10, 4, &d2) || !hex_field(s + 15, 4, &d3))
        return STATUS_INVALID_PARAMETER;
    g.Data1 = (uint32_t)d1;
    g.Data2 = (uint16_t)d2;
    g.Data3 = (uint16_t)d3;
    static const unsigned char offsets[8] = {20, 22, 25, 27, 29, 31, 33, 35};
    for (size_t i = 0; i < 8; i++) {
        if (!hex_field(s + offsets[i], 2, &b))
            return STATUS_INVALID_PARAMETER;
        g.Data4[i] = (uint8_t)b;
    }
    *Guid = g;
    return STATUS_SUCCESS;
}
