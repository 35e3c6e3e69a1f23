/*
 * status.c - owdf_status_name(): NTSTATUS values as their names (status_names.inc lists one name per
 * value, generated from ntstatus.h), or as hex text.
 */
#include <stdio.h>

#include <ntstatus.h>
#include <openwdf/status.h>

const char *owdf_status_name(NTSTATUS status)
{
    switch (status) {
#define STATUS_NAME(x) \
    case x: \
        return #x;
#include "status_names.inc"
#undef STATUS_NAME
    default:
        break;
    }
    static _Thread_local char text[16];
    snprintf(text, sizeof text, "0x%08X", (unsigned)status);
    return text;
}
