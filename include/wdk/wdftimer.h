/*
 * wdftimer.h - framework timers (WDFTIMER), with the WDK's names. Implementation: src/wdf/timer.c.
 * A timer's parent is a device or an object whose parent chain leads to one. Its callback runs at
 * DISPATCH_LEVEL (a DPC), or at PASSIVE_LEVEL (a system work item) when the timer's attributes say
 * ExecutionLevel = WdfExecutionLevelPassive.
 */
#ifndef OPENWDF_WDFTIMER_H
#define OPENWDF_WDFTIMER_H

#include <wdfcore.h>
#include <wdfobject.h>

typedef void EVT_WDF_TIMER(WDFTIMER Timer);
typedef EVT_WDF_TIMER *PFN_WDF_TIMER;

#define TolerableDelayUnlimited ((ULONG)-1)

typedef struct _WDF_TIMER_CONFIG {
    ULONG Size;
    PFN_WDF_TIMER EvtTimerFunc;
    ULONG Period;                   /* ms; 0 = one-shot */
    BOOLEAN AutomaticSerialization; /* run EvtTimerFunc under the parent's callback lock */
    ULONG TolerableDelay;           /* ms the expiry may be coalesced (KMDF 1.11) */
    BOOLEAN UseHighResolutionTimer; /* KMDF 1.13 */
} WDF_TIMER_CONFIG, *PWDF_TIMER_CONFIG;

FORCEINLINE void WDF_TIMER_CONFIG_INIT(PWDF_TIMER_CONFIG Config, PFN_WDF_TIMER EvtTimerFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_TIMER_CONFIG));
    Config->Size = sizeof(WDF_TIMER_CONFIG);
    Config->EvtTimerFunc = EvtTimerFunc;
    Config->Period = 0;
    Config->AutomaticSerialization = TRUE;
    Config->TolerableDelay = 0;
}

FORCEINLINE void WDF_TIMER_CONFIG_INIT_PERIODIC(PWDF_TIMER_CONFIG Config, PFN_WDF_TIMER EvtTimerFunc,
                                                LONG Period)
{
    RtlZeroMemory(Config, sizeof(WDF_TIMER_CONFIG));
    Config->Size = sizeof(WDF_TIMER_CONFIG);
    Config->EvtTimerFunc = EvtTimerFunc;
    Config->Period = (ULONG)Period;
    Config->AutomaticSerialization = TRUE;
    Config->TolerableDelay = 0;
}

WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfTimerCreate(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_TIMER_CONFIG Config,
                                                PWDF_OBJECT_ATTRIBUTES Attributes, WDFTIMER *Timer);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfTimerStart(PWDF_DRIVER_GLOBALS DriverGlobals, WDFTIMER Timer,
                                              LONGLONG DueTime);
WDF_EXTERN_C WDFAPI BOOLEAN imp_WdfTimerStop(PWDF_DRIVER_GLOBALS DriverGlobals, WDFTIMER Timer, BOOLEAN Wait);
WDF_EXTERN_C WDFAPI WDFOBJECT imp_WdfTimerGetParentObject(PWDF_DRIVER_GLOBALS DriverGlobals, WDFTIMER Timer);

FORCEINLINE NTSTATUS WdfTimerCreate(PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                                    WDFTIMER *Timer)
{
    return imp_WdfTimerCreate(WdfDriverGlobals, Config, Attributes, Timer);
}

/* DueTime in NT time (WDF_REL_TIMEOUT_IN_MS...). TRUE if the timer was already set (it is reset). */
FORCEINLINE BOOLEAN WdfTimerStart(WDFTIMER Timer, LONGLONG DueTime)
{
    return imp_WdfTimerStart(WdfDriverGlobals, Timer, DueTime);
}

/* TRUE if the timer was set. Wait: also wait for queued/running callbacks (PASSIVE_LEVEL only). */
FORCEINLINE BOOLEAN WdfTimerStop(WDFTIMER Timer, BOOLEAN Wait)
{
    return imp_WdfTimerStop(WdfDriverGlobals, Timer, Wait);
}

FORCEINLINE WDFOBJECT WdfTimerGetParentObject(WDFTIMER Timer)
{
    return imp_WdfTimerGetParentObject(WdfDriverGlobals, Timer);
}

#endif /* OPENWDF_WDFTIMER_H */
