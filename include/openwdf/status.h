/*
 * openwdf/status.h - NTSTATUS values as text, for logs, reports and test failure messages.
 */
#ifndef OPENWDF_STATUS_H
#define OPENWDF_STATUS_H

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "STATUS_PENDING" for a known value (the first name when several share a value, e.g. STATUS_SUCCESS
 * rather than STATUS_WAIT_0); "0xC0001234" for an unknown one, in a per-thread buffer that the next
 * call on the same thread overwrites. Never NULL. Any IRQL. */
__attribute__((visibility("default"))) const char *owdf_status_name(NTSTATUS status);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_STATUS_H */
