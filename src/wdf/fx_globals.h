/*
 * fx_globals.h - the Framework's private view of a driver: what WdfDriverGlobals points into.
 *
 * Each driver binary's stub (src/wdf/stub) gets one fx_driver_globals from the Framework before its
 * DriverEntry runs; every Wdf call passes it back, which is how the Framework knows the caller.
 */
#ifndef OPENWDF_FX_GLOBALS_H
#define OPENWDF_FX_GLOBALS_H

#include <wdf.h>
#include <openwdf/dbglog.h>

struct fx_driver;
struct fx_ifr;

typedef struct fx_driver_globals {
    WDF_DRIVER_GLOBALS public;       /* what the driver sees; must stay first */
    uint32_t magic;                  /* FX_GLOBALS_MAGIC */
    PDRIVER_OBJECT wdm_driver;       /* the WDM driver object the pair occupies */
    struct fx_driver *driver;        /* set by WdfDriverCreate */
    struct fx_ifr *ifr;              /* the in-flight recorder */
} fx_driver_globals;

#define FX_GLOBALS_MAGIC 0x6c624746u /* "FGbl" */

static inline fx_driver_globals *fx_globals(PWDF_DRIVER_GLOBALS g)
{
    return CONTAINING_RECORD(g, fx_driver_globals, public);
}

/* The WDM driver object a verifier report should name (what the I/O manager's stop handler stops). */
static inline PDRIVER_OBJECT fx_report_driver(PWDF_DRIVER_GLOBALS g)
{
    return (g != NULL && fx_globals(g)->magic == FX_GLOBALS_MAGIC) ? fx_globals(g)->wdm_driver : NULL;
}

#endif /* OPENWDF_FX_GLOBALS_H */
