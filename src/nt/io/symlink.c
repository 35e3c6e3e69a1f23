/*
 * symlink.c - IoCreateSymbolicLink and friends: drivers name their devices for applications
 * ("\DosDevices\Echo" -> "\Device\Echo"). Links live in the object namespace (namespace.c) and
 * are resolved on every open that passes through them; a link may dangle (its target need not
 * exist), exactly as on Windows, and a device's links are the driver's to delete.
 *
 * All routines: IRQL == PASSIVE_LEVEL.
 */
#include "io_names.h"

NTKERNELAPI NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    PAGED_CODE();
    if (SymbolicLinkName == NULL || DeviceName == NULL)
        return STATUS_INVALID_PARAMETER;
    return io_namespace_create_link(SymbolicLinkName, DeviceName);
}

/* Windows gives this link a security descriptor anyone may change; openwdf has no object
 * security yet, so it is the same link. */
NTKERNELAPI NTSTATUS IoCreateUnprotectedSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    return IoCreateSymbolicLink(SymbolicLinkName, DeviceName);
}

NTKERNELAPI NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    PAGED_CODE();
    if (SymbolicLinkName == NULL)
        return STATUS_INVALID_PARAMETER;
    return io_namespace_delete_link(SymbolicLinkName);
}
