/*
 * wdfstring.h - framework string objects (WDFSTRING): a counted UTF-16 string the framework owns,
 * with the WDK's names. Implementation: src/wdf/string.c.
 */
#ifndef OPENWDF_WDFSTRING_H
#define OPENWDF_WDFSTRING_H

#include <wdfobject.h>

WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfStringCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                 PCUNICODE_STRING UnicodeString,
                                                 PWDF_OBJECT_ATTRIBUTES StringAttributes, WDFSTRING *String);
WDF_EXTERN_C WDFAPI void imp_WdfStringGetUnicodeString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFSTRING String,
                                                       PUNICODE_STRING UnicodeString);

/* Creates a string object holding a copy of UnicodeString (NULL: an empty string). PASSIVE_LEVEL. */
FORCEINLINE NTSTATUS WdfStringCreate(PCUNICODE_STRING UnicodeString, PWDF_OBJECT_ATTRIBUTES StringAttributes,
                                     WDFSTRING *String)
{
    return imp_WdfStringCreate(WdfDriverGlobals, UnicodeString, StringAttributes, String);
}

/* Fills UnicodeString with a view of the object's string (valid while the object lives). */
FORCEINLINE void WdfStringGetUnicodeString(WDFSTRING String, PUNICODE_STRING UnicodeString)
{
    imp_WdfStringGetUnicodeString(WdfDriverGlobals, String, UnicodeString);
}

#endif /* OPENWDF_WDFSTRING_H */
