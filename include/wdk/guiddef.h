/*
 * guiddef.h - GUID and DEFINE_GUID.
 *
 * DEFINE_GUID only declares the GUID, unless initguid.h was included first, in which case it
 * defines it (as in the WDK). Definitions are weak so two translation units that both include
 * initguid.h link cleanly.
 */
#ifndef OPENWDF_GUIDDEF_H
#define OPENWDF_GUIDDEF_H

#include <stdint.h>
#include <string.h>

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif

typedef GUID *LPGUID;
typedef const GUID *LPCGUID;
typedef GUID IID, *LPIID, CLSID, *LPCLSID;
typedef GUID *PGUID;
typedef const GUID *PCGUID;
#define REFGUID const GUID *
#define REFIID const IID *
#define REFCLSID const IID *

#define DEFINE_OLEGUID(name, l, w1, w2) DEFINE_GUID(name, l, w1, w2, 0xC0, 0, 0, 0, 0, 0, 0, 0x46)

static inline int IsEqualGUID(const GUID *a, const GUID *b)
{
    return memcmp(a, b, sizeof(GUID)) == 0;
}
#define InlineIsEqualGUID(a, b) IsEqualGUID(a, b)
#define IsEqualIID(a, b) IsEqualGUID(a, b)
#define IsEqualCLSID(a, b) IsEqualGUID(a, b)

#endif /* OPENWDF_GUIDDEF_H */

/* Outside the guard: initguid.h re-includes this file to switch DEFINE_GUID to definitions. */
#undef DEFINE_GUID
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    const GUID name __attribute__((weak, visibility("default"))) = { \
        l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) extern const GUID name
#endif

