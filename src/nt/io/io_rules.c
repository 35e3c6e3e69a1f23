/*
 * io_rules.c - the I/O manager's verifier rules. Where Windows bug-checks (MULTIPLE_IRP_COMPLETE_REQUESTS,
 * NO_MORE_IRP_STACK_LOCATIONS, DRIVER_VERIFIER_IOMANAGER_VIOLATION...) the default is STOP_DRIVER;
 * mistakes Windows tolerates or only Driver Verifier notices are LOG.
 */
#include "io_internal.h"

static const owdf_verifier_rule io_rules[] = {
    {"SYSTEM_BUFFER_OVERRUN", "a driver wrote past the end of a buffered request's system buffer",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_DOUBLE_COMPLETE", "IoCompleteRequest on an IRP that is already completed or owned by no driver",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_COMPLETE_PENDING", "IoCompleteRequest with IoStatus.Status == STATUS_PENDING",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_COMPLETE_WITH_CANCEL_ROUTINE", "IoCompleteRequest on an IRP that still has a cancel routine",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_STACK_OVERFLOW", "IoCallDriver with no stack location left (NO_MORE_IRP_STACK_LOCATIONS)",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_PENDING_NOT_PROPAGATED",
     "a completion routine saw PendingReturned but did not mark its own stack location pending",
     OWDF_POLICY_LOG},
    {"IRP_FREE_INVALID", "IoFreeIrp of a freed IRP or of one not allocated by IoAllocateIrp",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_FREE_IN_USE", "IoFreeIrp of an IRP still held by a driver or with a cancel routine",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_INVALID_MAJOR_FUNCTION", "IoCallDriver with a MajorFunction above IRP_MJ_MAXIMUM_FUNCTION",
     OWDF_POLICY_STOP_DRIVER},
    {"IRP_INFO_EXCEEDS_BUFFER", "IoStatus.Information larger than the caller's output buffer (copy cut)",
     OWDF_POLICY_LOG},
    {"DRIVER_UNLOADED_WITH_DEVICES", "a driver unloaded (or failed DriverEntry) leaving device objects",
     OWDF_POLICY_LOG},
    {"DEVICE_DOUBLE_DELETE", "IoDeleteDevice on a device already deleted", OWDF_POLICY_STOP_DRIVER},
    {"DEVICE_DELETED_WHILE_ATTACHED", "IoDeleteDevice on a device still attached in a device stack",
     OWDF_POLICY_LOG},
    {"DEVICE_DETACH_NOT_ATTACHED", "IoDetachDevice on a device with nothing attached to it", OWDF_POLICY_LOG},
    {"OB_NOT_AN_OBJECT", "ObReference/ObDereference on something that is not an object",
     OWDF_POLICY_STOP_DRIVER},
    {"OB_REFERENCE_UNDERFLOW", "ObDereferenceObject below zero references", OWDF_POLICY_STOP_DRIVER},
    {"IO_WORKITEM_ALREADY_QUEUED", "IoQueueWorkItem of a work item that is already queued",
     OWDF_POLICY_STOP_DRIVER},
    {"IO_WORKITEM_FREED_WHILE_QUEUED", "IoFreeWorkItem/IoUninitializeWorkItem of a queued work item",
     OWDF_POLICY_STOP_DRIVER},
    {"MDL_INVALID_OPERATION",
     "MDL misuse: locking a locked MDL, unlocking an unlocked one, freeing a locked one, partial MDL out of "
     "range",
     OWDF_POLICY_STOP_DRIVER},
};

const char io_rules_anchor __attribute__((visibility("hidden"))) = 0;

__attribute__((constructor)) static void io_rules_register(void)
{
    owdf_verifier_register_rules(io_rules, sizeof io_rules / sizeof io_rules[0]);
}
