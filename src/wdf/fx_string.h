/*
 * fx_string.h - WDFSTRING internals (owner: wdf-support, string.c), for framework code that fills a
 * driver's string object (e.g. WdfDeviceRetrieveDeviceName, WdfRegistryQueryString).
 */
#ifndef OPENWDF_FX_STRING_H
#define OPENWDF_FX_STRING_H

#include "fx_object.h"

typedef struct fx_string {
    fx_object object;     /* must be first */
    UNICODE_STRING value; /* Buffer owned by the object (pool, driver tag); NULL when empty */
    ULONG pool_tag;
} fx_string;

/* Validates a WDFSTRING handle (reports like fx_object_from_handle); NULL if invalid. */
fx_string *fx_string_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFSTRING handle, const char *caller);

/*
 * Replaces the string's value with a copy of `source` (NULL or empty: an empty string).
 * STATUS_INVALID_PARAMETER for a malformed UNICODE_STRING (odd Length, Length > MaximumLength,
 * NULL Buffer with Length), STATUS_INSUFFICIENT_RESOURCES. The old value is kept on failure.
 * IRQL <= DISPATCH_LEVEL; the caller serializes against other users of the same string.
 */
NTSTATUS fx_string_assign(fx_string *string, PCUNICODE_STRING source);

/* STATUS_SUCCESS if `s` is a well-formed counted string (see above), else STATUS_INVALID_PARAMETER. */
NTSTATUS fx_string_validate(PCUNICODE_STRING s);

#endif /* OPENWDF_FX_STRING_H */
