/*
 * fx_core.h - helpers shared by wdf-core's files (driver.c, device_init.c, device.c, fileobject.c,
 * dispatch.c, pnp_minimal.c, core_rules.c): reports naming the driver, calls into driver code, the
 * pool tag. Private to those files.
 *
 * Including this header also links core_rules.c (the rules these files report) and fx_rules.c into
 * any program that uses one of these files: both are otherwise unreferenced archive members that a
 * static link would drop.
 */
#ifndef OPENWDF_FX_CORE_H
#define OPENWDF_FX_CORE_H

#include "fx_call.h"
#include "fx_device.h"
#include "fx_driver.h"
#include "fx_ifr.h"
#include "fx_object.h"

#include <openwdf/nt.h>

extern const char fx_core_rules_linked;
static const char *const fx_core_rules_link __attribute__((used, unused)) = &fx_core_rules_linked;

#define FX_CORE_TAG 'CxFW'


/* The WDM driver object a report names (the I/O manager's stop handler stops that driver). */
#define FX_REPORT(rule, object, type, globals, ...) \
    OWDF_VERIFY_REPORT(rule, object, type, fx_report_driver(globals), __VA_ARGS__)

/* NULL_REQUIRED_PARAM naming the DDI and the parameter. */
#define FX_NULL_REPORT(globals, ddi, what) \
    FX_REPORT("NULL_REQUIRED_PARAM", NULL, NULL, globals, "%s: %s is NULL", ddi, what)

static inline struct fx_ifr *fx_core_ifr(PWDF_DRIVER_GLOBALS globals)
{
    return globals != NULL ? fx_globals(globals)->ifr : NULL;
}

/*
 * Calls driver code: `call` is the statement making the call (e.g. `status = cb(handle)`). The
 * event is recorded in the recorder, the driver is current while it runs, and IRQL/locks are
 * checked when it returns (reports name `what`). No framework lock may be held by the caller.
 */
#define FX_CALL_DRIVER(globals, what, handle, call) \
    do { \
        fx_driver_call fx_call_frame_; \
        fx_ifr_printf(fx_core_ifr(globals), OWDF_IFR_CALLBACK, (const void *)(handle), "%s", what); \
        fx_enter_driver(globals, &fx_call_frame_); \
        call; \
        fx_leave_driver(&fx_call_frame_, what); \
    } while (0)

/* Assigns a value to a driver's WDFSTRING (wdf-support's string object); reports a bad handle. */
NTSTATUS fx_core_assign_string(PWDF_DRIVER_GLOBALS globals, WDFSTRING string, PCUNICODE_STRING value,
                               const char *caller);

/* A UNICODE_STRING copied into pool (NUL-terminated); Buffer NULL for an empty source. */
NTSTATUS fx_core_copy_string(PUNICODE_STRING copy, PCUNICODE_STRING source);
void fx_core_free_string(PUNICODE_STRING copy);
/* TRUE when s is a valid UNICODE_STRING (even length, Length <= MaximumLength, Buffer set if Length). */
BOOLEAN fx_core_valid_string(PCUNICODE_STRING s);

#endif /* OPENWDF_FX_CORE_H */
