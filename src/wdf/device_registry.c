/*
 * device_registry.c - a device's registry keys (WdfDeviceOpenRegistryKey, WdfFdoInitOpenRegistryKey),
 * where IoOpenDeviceRegistryKey puts them on Windows:
 *   PLUGPLAY_REGKEY_DEVICE  the hardware key: ...\Enum\<device instance path>\Device Parameters
 *                           (created when missing);
 *   PLUGPLAY_REGKEY_DRIVER  the software key: ...\Control\Class\<the instance key's "Driver" value>
 *                           (STATUS_OBJECT_NAME_NOT_FOUND while the device has no driver key: the
 *                           installer writes "Driver");
 *   | PLUGPLAY_REGKEY_CURRENT_HWPROFILE  the same under ...\Hardware Profiles\Current\System\...
 * The instance path comes from the PnP layer (io_device_instance_path). WDF_REGKEY_*_SUBKEY are
 * UMDF's: a KMDF driver passing them gets STATUS_INVALID_PARAMETER, as for any other bad flag.
 */
#include "fx_core.h"
#include "fx_registry.h"
#include "fx_support.h"

#include "../nt/io/io_names.h"


#include <string.h>

#define CCS L"\\Registry\\Machine\\System\\CurrentControlSet"
#define HWPROFILE L"\\Registry\\Machine\\System\\CurrentControlSet\\Hardware Profiles\\Current\\System\\CurrentControlSet"

/* The instance key's "Driver" value (REG_SZ, e.g. "{guid}\0000"), as pool. */
static NTSTATUS driver_value(PCUNICODE_STRING instance_key, UNICODE_STRING *out)
{
    const fx_registry_store *store = fx_registry_get_store();
    fx_registry_node *node;
    NTSTATUS status = store->open(instance_key, FALSE, NULL, &node);
    if (!NT_SUCCESS(status))
        return STATUS_OBJECT_NAME_NOT_FOUND;
    DECLARE_CONST_UNICODE_STRING(name, L"Driver");
    WCHAR value[256];
    ULONG type = 0, length = sizeof value - sizeof(WCHAR);
    status = store->query(node, &name, &type, value, &length);
    store->close(node);
    if (!NT_SUCCESS(status) || type != REG_SZ || length < sizeof(WCHAR))
        return STATUS_OBJECT_NAME_NOT_FOUND;
    USHORT chars = (USHORT)(length / sizeof(WCHAR));
    while (chars > 0 && value[chars - 1] == 0)
        chars--;
    if (chars == 0)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    UNICODE_STRING text = {(USHORT)(chars * sizeof(WCHAR)), (USHORT)(chars * sizeof(WCHAR)), value};
    return fx_registry_join_path(FX_CORE_TAG, out, L"", NULL, &text, NULL);
}

NTSTATUS fx_device_open_registry_key(PWDF_DRIVER_GLOBALS globals, PDEVICE_OBJECT pdo, ULONG key_type,
                                     ACCESS_MASK access, PWDF_OBJECT_ATTRIBUTES attributes, WDFKEY *key,
                                     const void *object, const char *type_name, const char *ddi)
{
    if (key == NULL) {
        FX_NULL_REPORT(globals, ddi, "Key");
        return STATUS_INVALID_PARAMETER;
    }
    *key = NULL;
    if (!ke_check_max_irql(PASSIVE_LEVEL, ddi))
        return STATUS_INVALID_DEVICE_REQUEST;
    ULONG which = key_type & (PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER);
    if ((key_type & ~(PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER | PLUGPLAY_REGKEY_CURRENT_HWPROFILE)) != 0 ||
        (which != PLUGPLAY_REGKEY_DEVICE && which != PLUGPLAY_REGKEY_DRIVER)) {
        FX_REPORT("DDI_INVALID_PARAMETER", object, type_name, globals,
                  "%s: DeviceInstanceKeyType 0x%lx must be PLUGPLAY_REGKEY_DEVICE or PLUGPLAY_REGKEY_DRIVER, "
                  "optionally with PLUGPLAY_REGKEY_CURRENT_HWPROFILE",
                  ddi, (unsigned long)key_type);
        return STATUS_INVALID_PARAMETER;
    }
    if (pdo == NULL) {
        FX_REPORT("DDI_INVALID_PARAMETER", object, type_name, globals,
                  "%s: a control device has no device instance, hence no hardware or software key", ddi);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    UNICODE_STRING instance;
    NTSTATUS status = io_device_instance_path(pdo, &instance);
    if (!NT_SUCCESS(status))
        return status;
    const WCHAR *root = (key_type & PLUGPLAY_REGKEY_CURRENT_HWPROFILE) ? HWPROFILE : CCS;
    UNICODE_STRING path = {0};
    if (which == PLUGPLAY_REGKEY_DEVICE) {
        status = fx_registry_join_path(FX_CORE_TAG, &path, root, L"\\Enum\\", &instance, L"\\Device Parameters");
    } else {
        UNICODE_STRING instance_key, driver = {0};
        status = fx_registry_join_path(FX_CORE_TAG, &instance_key, CCS, L"\\Enum\\", &instance, NULL);
        if (NT_SUCCESS(status)) {
            status = driver_value(&instance_key, &driver);
            ExFreePoolWithTag(instance_key.Buffer, FX_CORE_TAG);
        }
        if (NT_SUCCESS(status)) {
            status = fx_registry_join_path(FX_CORE_TAG, &path, root, L"\\Control\\Class\\", &driver, NULL);
            ExFreePoolWithTag(driver.Buffer, FX_CORE_TAG);
        }
    }
    ExFreePool(instance.Buffer);
    if (!NT_SUCCESS(status))
        return status;
    status = fx_registry_open_key_object(globals, &path, access, TRUE, NULL, attributes, key);
    ExFreePoolWithTag(path.Buffer, FX_CORE_TAG);
    return status;
}
