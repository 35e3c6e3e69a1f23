/*
 * fx_support.h - helpers shared by the support objects (memory, strings, collections, locks,
 * timers, DPCs, work items, registry, verifier DDIs); private to those files (owner: wdf-support).
 *
 * Including this header also links support_rules.c (the verifier rules these files report) and the
 * Framework's common rules (fx_rules.c) into any program that uses one of these objects: both are
 * otherwise unreferenced archive members that a static link would drop.
 */
#ifndef OPENWDF_FX_SUPPORT_H
#define OPENWDF_FX_SUPPORT_H

#include "fx_call.h"
#include "fx_globals.h"
#include "fx_ifr.h"
#include "fx_object.h"

#include <openwdf/nt.h>

extern const char fx_support_rules_linked;
static const char *const fx_support_rules_link __attribute__((used, unused)) = &fx_support_rules_linked;

/* The pool tag used when a driver passes 0: the driver's tag, else 'FxDr' (as KMDF documents). */
#define FX_DEFAULT_DRIVER_TAG 'rDxF'

static inline ULONG fx_support_driver_tag(PWDF_DRIVER_GLOBALS globals)
{
    return (globals != NULL && globals->DriverTag != 0) ? globals->DriverTag : FX_DEFAULT_DRIVER_TAG;
}

/* The driver's in-flight recorder (NULL-safe). */
static inline struct fx_ifr *fx_support_ifr(PWDF_DRIVER_GLOBALS globals)
{
    return globals != NULL ? fx_globals(globals)->ifr : NULL;
}

/* The driver object: the default parent of memory, strings, collections, locks, lookasides. */
static inline fx_object *fx_support_driver_object(PWDF_DRIVER_GLOBALS globals)
{
    return globals != NULL ? fx_object_lookup((WDFOBJECT)globals->Driver) : NULL;
}

/* Reports NULL_REQUIRED_PARAM for `what` of `ddi`; returns STATUS_INVALID_PARAMETER. */
#define FX_NULL_PARAM(globals, ddi, what)                                                                    \
    (OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", NULL, NULL, globals, "%s: %s is NULL", ddi, what),            \
     STATUS_INVALID_PARAMETER)

/*
 * Validates the Size of a config struct: sizeof current or one of the older sizes KMDF accepts.
 * A wrong size is reported (CONFIG_SIZE) and the caller fails with STATUS_INFO_LENGTH_MISMATCH.
 */
BOOLEAN fx_support_check_config_size(PWDF_DRIVER_GLOBALS globals, const char *ddi, const char *type,
                                     const void *object, ULONG size, const size_t *accepted,
                                     size_t accepted_count);

/* The common case: only the current size of struct T is accepted (x points to a T). */
#define fx_support_check_exact_size(globals, ddi, T, x) \
    fx_support_check_config_size(globals, ddi, #T, x, (x)->Size, (const size_t[]){sizeof(T)}, 1)

#endif /* OPENWDF_FX_SUPPORT_H */
