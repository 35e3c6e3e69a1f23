/* helper.c - a second source of the test driver: its own helper.tmh, the same control block. */
#include <ntddk.h>

#include "trace.h"
#include "helper.tmh"

void TestDrvHelper(ULONG value);

void TestDrvHelper(ULONG value)
{
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DEVICE, "%!FUNC! from %!FILE! value=%u irql=%!irql!", value,
                KeGetCurrentIrql());
}
