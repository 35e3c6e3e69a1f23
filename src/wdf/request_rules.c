/*
 * request_rules.c - the verifier rules of the I/O package (queues and requests), ids from
 * shared/VERIFIER.md "Requests" and "Queues". What KMDF would bug-check (WDF_VIOLATION) stops the
 * driver by default; what KMDF only breaks into the debugger for fails the call; the rest logs.
 * Registered once by a constructor; fx_queue.h makes every I/O package file pull this one in.
 */
#include <openwdf/verifier.h>

const char fx_io_rules_linked = 1;

static const owdf_verifier_rule fx_io_rules[] = {
    {"REQ_DOUBLE_COMPLETE", "a request completed twice", OWDF_POLICY_STOP_DRIVER},
    {"REQ_NOT_OWNED", "complete/forward/requeue/cancelable on a request the driver does not own (queued, found, "
                      "sent)", OWDF_POLICY_STOP_DRIVER},
    {"REQ_COMPLETE_WHILE_CANCELABLE", "completing a request still marked cancelable (call "
                                      "WdfRequestUnmarkCancelable first)", OWDF_POLICY_STOP_DRIVER},
    {"REQ_COMPLETE_AFTER_CANCEL", "completing outside EvtRequestCancel after WdfRequestUnmarkCancelable returned "
                                  "STATUS_CANCELLED", OWDF_POLICY_STOP_DRIVER},
    {"REQ_DOUBLE_MARK_CANCELABLE", "WdfRequestMarkCancelable(Ex) on a request already cancelable",
     OWDF_POLICY_STOP_DRIVER},
    {"REQ_NOT_CANCELABLE", "WdfRequestUnmarkCancelable on a request that is not cancelable", OWDF_POLICY_FAIL_CALL},
    {"REQ_ISCANCELED_ON_CANCELABLE", "WdfRequestIsCanceled on a request marked cancelable (the cancel routine "
                                     "tells)", OWDF_POLICY_LOG},
    {"REQ_USE_AFTER_COMPLETE", "a request handle used after the request was completed", OWDF_POLICY_STOP_DRIVER},
    {"REQ_INFO_EXCEEDS_BUFFER", "completion Information larger than the request's output buffer",
     OWDF_POLICY_STOP_DRIVER},
    {"REQ_COMPLETE_DRIVER_CREATED", "WdfRequestComplete on a driver-created request (delete it instead)",
     OWDF_POLICY_STOP_DRIVER},
    {"REQ_LEAK_AT_TEARDOWN", "a request neither completed nor acknowledged when its queue stops, purges or the "
                             "device leaves", OWDF_POLICY_LOG},
    {"UNSAFE_BUFFER_OUTSIDE_CALLER_CONTEXT", "RetrieveUnsafeUser*Buffer/ProbeAndLockUserBuffer* outside "
                                             "EvtIoInCallerContext", OWDF_POLICY_FAIL_CALL},
    {"STOPACK_OUTSIDE_EVTIOSTOP", "WdfRequestStopAcknowledge outside EvtIoStop", OWDF_POLICY_STOP_DRIVER},
    {"EVTIOSTOP_NO_ACTION", "EvtIoStop returned without completing, requeuing or acknowledging the request",
     OWDF_POLICY_LOG},
    {"MANUAL_ONLY_API", "a DDI valid only on a manual queue used on another kind", OWDF_POLICY_FAIL_CALL},
    {"RETRIEVE_FOUND_WITHOUT_FIND", "WdfIoQueueRetrieveFoundRequest with a request WdfIoQueueFindRequest did not "
                                    "return", OWDF_POLICY_FAIL_CALL},
    {"FORWARD_SAME_OR_NONPARENT", "forwarding a request to its own queue or to another device's queue",
     OWDF_POLICY_FAIL_CALL},
    {"CONCURRENT_QUEUE_STATE_CHANGE", "a second Stop/Purge/Drain callback while one is outstanding, or "
                                      "ReadyNotify registered twice", OWDF_POLICY_FAIL_CALL},
    {"QUEUE_CONFIG_INVALID", "WdfIoQueueCreate with an invalid configuration", OWDF_POLICY_FAIL_CALL},
};

__attribute__((constructor)) static void fx_io_rules_register(void)
{
    owdf_verifier_register_rules(fx_io_rules, sizeof fx_io_rules / sizeof fx_io_rules[0]);
}
