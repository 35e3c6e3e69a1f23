/*
 * core_rules.c - the verifier rules of wdf-core (driver, devices, device init, file objects,
 * dispatch, minimal PnP), registered once, and small string helpers those files share. Rules that
 * other files register too are listed again so they exist whatever is linked; the first wins.
 */
#include "fx_core.h"
#include "fx_rules.h"

const char fx_core_rules_linked = 1;

/* Referencing fx_rules_register keeps fx_rules.c (NULL_REQUIRED_PARAM, OBJECT_LEAK_AT_UNLOAD...) linked. */
static void (*const fx_core_rules_anchor)(void) __attribute__((used)) = fx_rules_register;

static const owdf_verifier_rule core_rules[] = {
    {"CONFIG_SIZE", "a WDF_*_CONFIG structure with a wrong Size (not initialized with its INIT function)",
     OWDF_POLICY_FAIL_CALL},
    {"INIT_ORDER",
     "a WDFDEVICE_INIT used out of order: after WdfDeviceCreate consumed it, freed twice, freed when the "
     "framework owns it, or a control-device init not freed after a failed WdfDeviceCreate",
     OWDF_POLICY_FAIL_CALL},
    {"DRIVER_CREATE_TWICE", "WdfDriverCreate called again for the same driver", OWDF_POLICY_LOG},
    {"DDI_INVALID_PARAMETER", "a DDI called with a value outside its documented range", OWDF_POLICY_FAIL_CALL},
    {"CONTROL_DEVICE_NOT_DELETED", "a PnP driver unloaded with a control device it did not delete",
     OWDF_POLICY_LOG},
    {"DRIVER_UNLOADED_WITH_DEVICES", "a driver unloaded while it still had devices", OWDF_POLICY_LOG},
    {"PNP_CALLBACK_INVALID_STATUS", "a PnP/power callback returned a status that is not an NTSTATUS it may return",
     OWDF_POLICY_LOG},
    {"OBJECT_LEAK_AT_UNLOAD", "framework objects still allocated when the driver unloads", OWDF_POLICY_LOG},
    {"NOT_IMPLEMENTED", "a DDI openwdf does not implement yet (fails with STATUS_NOT_IMPLEMENTED)",
     OWDF_POLICY_FAIL_CALL},
    {"NULL_REQUIRED_PARAM", "NULL passed for a required parameter", OWDF_POLICY_STOP_DRIVER},
};

__attribute__((constructor)) static void core_rules_register(void)
{
    owdf_verifier_register_rules(core_rules, sizeof core_rules / sizeof core_rules[0]);
}

/* ---- strings ------------------------------------------------------------------------------------ */

BOOLEAN fx_core_valid_string(PCUNICODE_STRING s)
{
    if (s == NULL)
        return FALSE;
    if ((s->Length & 1) || (s->MaximumLength & 1) || s->Length > s->MaximumLength)
        return FALSE;
    if (s->Length != 0 && s->Buffer == NULL)
        return FALSE;
    return TRUE;
}

NTSTATUS fx_core_copy_string(PUNICODE_STRING copy, PCUNICODE_STRING source)
{
    copy->Buffer = NULL;
    copy->Length = copy->MaximumLength = 0;
    if (source == NULL || source->Length == 0)
        return STATUS_SUCCESS;
    copy->Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)source->Length + sizeof(WCHAR), FX_CORE_TAG);
    if (copy->Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(copy->Buffer, source->Buffer, source->Length);
    copy->Buffer[source->Length / sizeof(WCHAR)] = 0;
    copy->Length = source->Length;
    copy->MaximumLength = (USHORT)(source->Length + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

void fx_core_free_string(PUNICODE_STRING copy)
{
    if (copy->Buffer != NULL)
        ExFreePoolWithTag(copy->Buffer, FX_CORE_TAG);
    copy->Buffer = NULL;
    copy->Length = copy->MaximumLength = 0;
}
