/*
 * casefold.c - upper/lower case mapping of single UTF-16 units, as the case-insensitive string
 * routines (RtlCompareUnicodeString, RtlEqualUnicodeString, object names) need it.
 *
 * Windows folds with the NLS upcase table; we cover the scripts driver names and IDs actually use:
 * ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and fullwidth Latin. Other units map to
 * themselves (so comparison stays exact there).
 */
#include "rtl_internal.h"

/* Latin Extended-A pairs: TRUE if c (in 0x100..0x17F) is the lower-case member of its pair. */
static bool latin_ext_a_is_lower(unsigned c)
{
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return (c & 1) != 0;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) == 0;
    return false;
}

static bool latin_ext_a_is_upper(unsigned c)
{
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return (c & 1) == 0;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) != 0;
    return false;
}

WCHAR rtl_upcase(WCHAR wc)
{
    unsigned c = (unsigned short)wc;
    if (c < 0x80)
        return (WCHAR)((c >= 'a' && c <= 'z') ? c - 0x20 : c);
    if (c <= 0xFF) {
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
            return (WCHAR)(c - 0x20);
        if (c == 0xFF)
            return (WCHAR)0x178;
        return wc;
    }
    if (c <= 0x17F)
        return latin_ext_a_is_lower(c) ? (WCHAR)(c - 1) : wc;
    if (c >= 0x3AC && c <= 0x3CE) { /* Greek */
        if (c == 0x3AC)
            return (WCHAR)0x386;
        if (c >= 0x3AD && c <= 0x3AF)
            return (WCHAR)(c - 0x25);
        if (c == 0x3C2)
            return (WCHAR)0x3A3;
        if (c >= 0x3B1 && c <= 0x3CB)
            return (WCHAR)(c - 0x20);
        if (c == 0x3CC)
            return (WCHAR)0x38C;
        if (c >= 0x3CD)
            return (WCHAR)(c - 0x3F);
        return wc;
    }
    if (c >= 0x430 && c <= 0x44F) /* Cyrillic */
        return (WCHAR)(c - 0x20);
    if (c >= 0x450 && c <= 0x45F)
        return (WCHAR)(c - 0x50);
    if (((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF)) && (c & 1))
        return (WCHAR)(c - 1);
    if (c >= 0xFF41 && c <= 0xFF5A) /* fullwidth */
        return (WCHAR)(c - 0x20);
    return wc;
}

WCHAR rtl_downcase(WCHAR wc)
{
    unsigned c = (unsigned short)wc;
    if (c < 0x80)
        return (WCHAR)((c >= 'A' && c <= 'Z') ? c + 0x20 : c);
    if (c <= 0xFF)
        return (WCHAR)((c >= 0xC0 && c <= 0xDE && c != 0xD7) ? c + 0x20 : c);
    if (c == 0x178)
        return (WCHAR)0xFF;
    if (c <= 0x17F)
        return latin_ext_a_is_upper(c) ? (WCHAR)(c + 1) : wc;
    if (c >= 0x386 && c <= 0x3AB) { /* Greek */
        if (c == 0x386)
            return (WCHAR)0x3AC;
        if (c >= 0x388 && c <= 0x38A)
            return (WCHAR)(c + 0x25);
        if (c == 0x38C)
            return (WCHAR)0x3CC;
        if (c == 0x38E || c == 0x38F)
            return (WCHAR)(c + 0x3F);
        if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
            return (WCHAR)(c + 0x20);
        return wc;
    }
    if (c >= 0x410 && c <= 0x42F) /* Cyrillic */
        return (WCHAR)(c + 0x20);
    if (c >= 0x400 && c <= 0x40F)
        return (WCHAR)(c + 0x50);
    if (((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF)) && !(c & 1))
        return (WCHAR)(c + 1);
    if (c >= 0xFF21 && c <= 0xFF3A)
        return (WCHAR)(c + 0x20);
    return wc;
}

WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    return rtl_upcase(SourceCharacter);
}

WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter)
{
    return rtl_downcase(SourceCharacter);
}

/* ANSI is ISO-8859-1: the Latin-1 letters fold too, except U+00FF whose capital is not in the set. */
CHAR RtlUpperChar(CHAR Character)
{
    unsigned char c = (unsigned char)Character;
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return (CHAR)(c - 0x20);
    return Character;
}
