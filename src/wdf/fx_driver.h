/*
 * fx_driver.h - the Framework's driver object (WDFDRIVER) and the binding of a driver binary to the
 * Framework, private to src/wdf (and the driver stub in src/wdf/stub).
 *
 * Binding (docs/wdf-core.md): each driver binary links the stub (libopenwdf_driver_stub.a), which
 * defines the driver's hidden `WdfDriverGlobals` and the entry point the loader calls,
 * `FxDriverEntry`. FxDriverEntry calls imp_fx_driver_bind() (a fx_driver_globals with its in-flight
 * recorder, named after the service), then the driver's DriverEntry; if DriverEntry fails, or when
 * the driver unloads, the stub calls imp_fx_driver_unbind() last.
 *
 * WdfDriverCreate makes the one struct fx_driver of a binding: it owns the dispatch table, AddDevice
 * and DriverUnload of the WDM driver object (see driver.c for the exact rules).
 */
#ifndef OPENWDF_FX_DRIVER_H
#define OPENWDF_FX_DRIVER_H

#include <wdf.h>

#include "fx_globals.h"
#include "fx_object.h"

typedef struct fx_driver {
    fx_object object;                 /* FX_TYPE_DRIVER; must stay first */
    fx_driver_globals *globals;
    PDRIVER_OBJECT wdm_driver;
    WDF_DRIVER_CONFIG config;         /* as given (Size-checked), callbacks may be NULL */
    UNICODE_STRING registry_path;     /* our NUL-terminated copy (DriverEntry's is freed on return) */
    PDRIVER_UNLOAD previous_unload;   /* DriverUnload as DriverEntry had set it before WdfDriverCreate */
    LIST_ENTRY devices;               /* struct fx_device.driver_link, under object.lock */
    LIST_ENTRY control_inits;         /* WdfControlDeviceInitAllocate inits not yet used or freed, under
                                         object.lock (an init left at unload is an INIT_ORDER report) */
    volatile LONG unloading;          /* the Framework's unload routine is running */
} fx_driver;

/*
 * Called by the stub's FxDriverEntry before the driver's DriverEntry: allocates and fills the
 * driver's globals (DriverName from the service name, an in-flight recorder) and returns them in
 * *globals_out (which the stub points WdfDriverGlobals at). Errors: STATUS_INVALID_PARAMETER (NULL
 * arguments), STATUS_INSUFFICIENT_RESOURCES. PASSIVE_LEVEL.
 */
WDF_EXTERN_C WDFAPI NTSTATUS imp_fx_driver_bind(PDRIVER_OBJECT driver_object, PUNICODE_STRING registry_path,
                                                PWDF_DRIVER_GLOBALS *globals_out);

/*
 * The stub's last act (failed DriverEntry, or after the unload routine): deletes a WDFDRIVER still
 * left (failed DriverEntry after WdfDriverCreate), reports OBJECT_LEAK_AT_UNLOAD for any framework
 * object of the driver still allocated, destroys the recorder and frees the globals. PASSIVE_LEVEL.
 */
WDF_EXTERN_C WDFAPI void imp_fx_driver_unbind(PWDF_DRIVER_GLOBALS globals);

/* The WDFDRIVER of a bound driver, or NULL before WdfDriverCreate. */
static inline fx_driver *fx_driver_of(PWDF_DRIVER_GLOBALS globals)
{
    return globals != NULL ? fx_globals(globals)->driver : NULL;
}

/* The WDFDRIVER created on a WDM driver object, or NULL (any IRQL <= DISPATCH_LEVEL). */
fx_driver *fx_driver_from_wdm(PDRIVER_OBJECT driver_object);

/* Frees the globals of unloaded drivers whose leaked objects are all gone (also done by every
 * bind/unbind). PASSIVE_LEVEL. */
void fx_driver_reap_globals(void);

/* The Framework's unload routine (DriverObject->DriverUnload after WdfDriverCreate). */
DRIVER_UNLOAD fx_driver_unload;
/* The Framework's AddDevice (DriverExtension->AddDevice after WdfDriverCreate, PnP drivers). */
DRIVER_ADD_DEVICE fx_driver_add_device;

#endif /* OPENWDF_FX_DRIVER_H */
