/*
 * names_rules.c - the verifier rules of the I/O manager's names half (namespace, interfaces,
 * notifications, file objects, handles, user side, Zw). Where Windows bug-checks (an invalid
 * kernel handle closed) the default is STOP_DRIVER; the rest fail the call or only log.
 */
#include "io_internal.h"

static const owdf_verifier_rule io_names_rules[] = {
    {"IO_NOT_IMPLEMENTED", "a feature of an I/O routine openwdf does not implement yet (the call fails with "
                           "STATUS_NOT_IMPLEMENTED)",
     OWDF_POLICY_LOG},
    {"IO_INVALID_KERNEL_HANDLE", "ZwClose of a handle that is not open (INVALID_KERNEL_HANDLE on Windows)",
     OWDF_POLICY_STOP_DRIVER},
    {"IO_BAD_NOTIFICATION_ENTRY", "IoUnregisterPlugPlayNotification(Ex) of an entry that is not registered",
     OWDF_POLICY_STOP_DRIVER},
    {"IO_NOTIFICATION_LOST", "no memory to queue or deliver a PnP notification: it was dropped", OWDF_POLICY_LOG},
    {"IO_USER_IO_IN_FLIGHT", "an owdf_user_io reused while its request is still in flight", OWDF_POLICY_FAIL_CALL},
    {"IO_FINAL_IRP_LOST", "no memory for a file's IRP_MJ_CLEANUP or IRP_MJ_CLOSE: not sent", OWDF_POLICY_LOG},
};

/* namespace.c refers to this so the table is linked wherever the names half is. */
const char io_names_rules_anchor __attribute__((visibility("hidden"))) = 0;

__attribute__((constructor)) static void io_names_rules_register(void)
{
    owdf_verifier_register_rules(io_names_rules, sizeof io_names_rules / sizeof io_names_rules[0]);
}
