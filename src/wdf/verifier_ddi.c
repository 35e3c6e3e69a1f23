/*
 * verifier_ddi.c - the verifier DDIs a driver calls itself (wdfverifier.h). On Windows they break
 * into the debugger or bug-check; here each is a verifier report naming the driver and the call
 * site, with the policy deciding what happens (see support_rules.c).
 */
#include "fx_support.h"

#include <wdfverifier.h>

void imp_WdfVerifierDbgBreakPoint(PWDF_DRIVER_GLOBALS globals)
{
    fx_ifr_printf(fx_support_ifr(globals), OWDF_IFR_VERIFIER, NULL, "WdfVerifierDbgBreakPoint");
    OWDF_VERIFY_REPORT("VERIFIER_DBG_BREAKPOINT", NULL, NULL, fx_report_driver(globals),
                       "%s called WdfVerifierDbgBreakPoint",
                       globals != NULL ? globals->DriverName : "a driver");
}

void imp_WdfVerifierKeBugCheck(PWDF_DRIVER_GLOBALS globals, ULONG code, ULONG_PTR p1, ULONG_PTR p2,
                               ULONG_PTR p3, ULONG_PTR p4)
{
    fx_ifr_printf(fx_support_ifr(globals), OWDF_IFR_VERIFIER, NULL, "WdfVerifierKeBugCheck 0x%x",
                  (unsigned)code);
    OWDF_VERIFY_REPORT("DRIVER_BUGCHECK", NULL, NULL, fx_report_driver(globals),
                       "%s called WdfVerifierKeBugCheck(0x%08x, %#lx, %#lx, %#lx, %#lx)",
                       globals != NULL ? globals->DriverName : "a driver", (unsigned)code, (unsigned long)p1,
                       (unsigned long)p2, (unsigned long)p3, (unsigned long)p4);
}

PVOID imp_WdfGetTriageInfo(PWDF_DRIVER_GLOBALS globals)
{
    OWDF_VERIFY_REPORT("NOT_IMPLEMENTED", NULL, NULL, fx_report_driver(globals),
                       "WdfGetTriageInfo: openwdf has no debugger triage block; returning NULL");
    return NULL;
}

void owdf_wdfverify_failed(PWDF_DRIVER_GLOBALS globals, const char *expression, const char *file, int line)
{
    fx_ifr_printf(fx_support_ifr(globals), OWDF_IFR_VERIFIER, NULL, "WDFVERIFY(%s) %s:%d", expression, file,
                  line);
    OWDF_VERIFY_REPORT("WDFVERIFY_FAILED", NULL, NULL, fx_report_driver(globals),
                       "WDFVERIFY(%s) failed in %s, line %d", expression, file, line);
}
