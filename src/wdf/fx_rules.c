/*
 * fx_rules.c - the verifier rules of the Framework (ids from shared/VERIFIER.md where one fits).
 * Where KMDF would bug-check (WDF_VIOLATION), the default policy stops the driver.
 */
#include "fx_rules.h"

#include <openwdf/verifier.h>

static const owdf_verifier_rule fx_rules[] = {
    {"WRONG_HANDLE_TYPE", "a handle of another type, or not a framework handle at all", OWDF_POLICY_STOP_DRIVER},
    {"STALE_HANDLE", "a handle of an object that was deleted (or a request already completed)",
     OWDF_POLICY_STOP_DRIVER},
    {"NULL_REQUIRED_PARAM", "NULL passed for a required parameter", OWDF_POLICY_STOP_DRIVER},
    {"OBJECT_ATTRIBUTES_SIZE", "WDF_OBJECT_ATTRIBUTES.Size is wrong (not initialized with the INIT macro)",
     OWDF_POLICY_FAIL_CALL},
    {"DUPLICATE_CONTEXT", "a second context of the same type on one object", OWDF_POLICY_LOG},
    {"DELETE_FRAMEWORK_OWNED", "WdfObjectDelete on an object the framework owns", OWDF_POLICY_STOP_DRIVER},
    {"OBJECT_DOUBLE_DELETE", "an object deleted twice", OWDF_POLICY_STOP_DRIVER},
    {"DEREF_INSTEAD_OF_DELETE", "the creation reference released with WdfObjectDereference instead of deleting",
     OWDF_POLICY_LOG},
    {"OBJECT_REF_UNDERFLOW", "more dereferences than references", OWDF_POLICY_STOP_DRIVER},
    {"OBJECT_LEAK_AT_UNLOAD", "framework objects still allocated when the driver unloads", OWDF_POLICY_LOG},
    {"NOT_IMPLEMENTED", "a DDI openwdf does not implement yet (fails with STATUS_NOT_IMPLEMENTED)",
     OWDF_POLICY_FAIL_CALL},
};

__attribute__((constructor)) void fx_rules_register(void)
{
    owdf_verifier_register_rules(fx_rules, sizeof fx_rules / sizeof fx_rules[0]);
}
