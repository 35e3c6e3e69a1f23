/*
 * wdfverifier.h - the driver's own calls into the verifier, with the WDK's names:
 * WdfVerifierDbgBreakPoint (a LOG report: openwdf has no debugger to break into),
 * WdfVerifierKeBugCheck (a DRIVER_BUGCHECK report whose default policy stops the driver),
 * WdfGetTriageInfo, and the WDFVERIFY() assertion (always checked: the verifier is always on).
 * Implementation: src/wdf/verifier_ddi.c.
 */
#ifndef OPENWDF_WDFVERIFIER_H
#define OPENWDF_WDFVERIFIER_H

#include <wdftypes.h>

WDF_EXTERN_C WDFAPI void imp_WdfVerifierDbgBreakPoint(PWDF_DRIVER_GLOBALS DriverGlobals);
WDF_EXTERN_C WDFAPI void imp_WdfVerifierKeBugCheck(PWDF_DRIVER_GLOBALS DriverGlobals, ULONG BugCheckCode,
                                                   ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                                                   ULONG_PTR BugCheckParameter3,
                                                   ULONG_PTR BugCheckParameter4);
WDF_EXTERN_C WDFAPI PVOID imp_WdfGetTriageInfo(PWDF_DRIVER_GLOBALS DriverGlobals);
/* openwdf: what WDFVERIFY calls when its expression is false (reports WDFVERIFY_FAILED). */
WDF_EXTERN_C WDFAPI void owdf_wdfverify_failed(PWDF_DRIVER_GLOBALS DriverGlobals, const char *Expression,
                                               const char *File, int Line);

FORCEINLINE void WdfVerifierDbgBreakPoint(void)
{
    imp_WdfVerifierDbgBreakPoint(WdfDriverGlobals);
}

FORCEINLINE void WdfVerifierKeBugCheck(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
                                       ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3,
                                       ULONG_PTR BugCheckParameter4)
{
    imp_WdfVerifierKeBugCheck(WdfDriverGlobals, BugCheckCode, BugCheckParameter1, BugCheckParameter2,
                              BugCheckParameter3, BugCheckParameter4);
}

FORCEINLINE PVOID WdfGetTriageInfo(void)
{
    return imp_WdfGetTriageInfo(WdfDriverGlobals);
}

#define WDFVERIFY(exp)                                                                                       \
    do {                                                                                                     \
        if (!(exp))                                                                                          \
            owdf_wdfverify_failed(WdfDriverGlobals, #exp, __FILE__, __LINE__);                               \
    } while (0)

#define VERIFY_IS_IRQL_PASSIVE_LEVEL() WDFVERIFY(KeGetCurrentIrql() == PASSIVE_LEVEL)

#endif /* OPENWDF_WDFVERIFIER_H */
