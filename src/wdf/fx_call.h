/*
 * fx_call.h - how the Framework calls into a driver. Every Evt callback goes through
 * fx_enter_driver / fx_leave_driver: the driver becomes "current" on the thread (its DbgPrint log,
 * verifier reports naming it), and on return the IRQL and spin locks are checked
 * (IRQL_NOT_RESTORED, LOCK_HELD_ON_CALLBACK_RETURN). Callers record the event in the in-flight
 * recorder (fx_ifr.h) and apply the KMDF default when the driver left a callback NULL.
 */
#ifndef OPENWDF_FX_CALL_H
#define OPENWDF_FX_CALL_H

#include "fx_globals.h"
#include "../nt/io/io_internal.h"

typedef io_driver_call fx_driver_call;

static inline void fx_enter_driver(PWDF_DRIVER_GLOBALS globals, fx_driver_call *call)
{
    io_enter_driver(globals != NULL ? fx_globals(globals)->wdm_driver : NULL, call);
}

/* `what` names the callback in reports, e.g. "EvtIoRead". */
static inline void fx_leave_driver(fx_driver_call *call, const char *what)
{
    io_leave_driver(call, what);
}

#endif /* OPENWDF_FX_CALL_H */
