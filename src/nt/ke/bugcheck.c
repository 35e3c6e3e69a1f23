/*
 * bugcheck.c - KeBugCheckEx / KeBugCheck: the verifier's BUGCHECK report (policy STOP_DRIVER by
 * default, so the stop handler runs), then abort(): these routines never return, as on Windows.
 */
#include "ke_internal.h"

#include <stdio.h>
#include <stdlib.h>

void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    char caller[128];
    OWDF_VERIFY_REPORT("BUGCHECK", NULL, NULL, NULL,
                       "KeBugCheckEx(0x%08X, 0x%lx, 0x%lx, 0x%lx, 0x%lx) called from %s", BugCheckCode,
                       (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4,
                       ke_routine_name(__builtin_return_address(0), caller, sizeof caller));
    fprintf(stderr, "openwdf: bug check 0x%08X: stopping the process\n", BugCheckCode);
    abort();
}

void KeBugCheck(ULONG BugCheckCode)
{
    KeBugCheckEx(BugCheckCode, 0, 0, 0, 0);
}
