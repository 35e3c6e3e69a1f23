/*
 * memory.c - the Rtl memory routines that are functions on Windows (the rest are macros in owdf/rtl.h).
 * Any IRQL.
 */
#include "rtl_internal.h"

SIZE_T RtlCompareMemory(const void *Source1, const void *Source2, SIZE_T Length)
{
    const unsigned char *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

/* Bytes (a multiple of 4) from the start that match Pattern as ULONGs; Length is rounded down. */
SIZE_T RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern)
{
    const unsigned char *p = Source;
    SIZE_T n = Length & ~(SIZE_T)3, i = 0;
    while (i < n) {
        ULONG v;
        memcpy(&v, p + i, sizeof v);
        if (v != Pattern)
            break;
        i += sizeof v;
    }
    return i;
}

void RtlFillMemoryUlong(PVOID Destination, SIZE_T Length, ULONG Pattern)
{
    unsigned char *p = Destination;
    for (SIZE_T i = 0; i + sizeof Pattern <= Length; i += sizeof Pattern)
        memcpy(p + i, &Pattern, sizeof Pattern);
}
