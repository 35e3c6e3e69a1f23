/*
 * string.c - WDFSTRING: a string object that owns a copy of a counted UTF-16 string. Drivers get
 * one from WdfStringCreate and pass it to DDIs that return strings (device name, registry values).
 */
#include "fx_string.h"
#include "fx_support.h"

static void string_destroy(fx_object *object)
{
    fx_string *string = (fx_string *)object;
    if (string->value.Buffer != NULL)
        ExFreePoolWithTag(string->value.Buffer, string->pool_tag);
    string->value.Buffer = NULL;
}

static const fx_object_ops string_ops = {
    .type = FX_TYPE_STRING,
    .name = "WDFSTRING",
    .destroy = string_destroy,
    .allows_parent = TRUE,
};

NTSTATUS fx_string_validate(PCUNICODE_STRING s)
{
    if (s == NULL)
        return STATUS_SUCCESS;
    if ((s->Length & 1) != 0 || (s->MaximumLength & 1) != 0 || s->Length > s->MaximumLength ||
        (s->Length != 0 && s->Buffer == NULL))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

NTSTATUS fx_string_assign(fx_string *string, PCUNICODE_STRING source)
{
    NTSTATUS status = fx_string_validate(source);
    if (!NT_SUCCESS(status))
        return status;
    PWCH buffer = NULL;
    USHORT length = source != NULL ? source->Length : 0;
    if (length != 0) {
        /* One spare WCHAR keeps the copy NUL-terminated for debugging; Length excludes it. */
        buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)length + sizeof(WCHAR), string->pool_tag);
        if (buffer == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        RtlCopyMemory(buffer, source->Buffer, length);
    }
    if (string->value.Buffer != NULL)
        ExFreePoolWithTag(string->value.Buffer, string->pool_tag);
    string->value.Buffer = buffer;
    string->value.Length = length;
    string->value.MaximumLength = length;
    return STATUS_SUCCESS;
}

fx_string *fx_string_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFSTRING handle, const char *caller)
{
    return (fx_string *)fx_object_from_handle_at(globals, (WDFOBJECT)handle, FX_TYPE_STRING, caller);
}

NTSTATUS imp_WdfStringCreate(PWDF_DRIVER_GLOBALS globals, PCUNICODE_STRING unicode_string,
                             PWDF_OBJECT_ATTRIBUTES attributes, WDFSTRING *string_out)
{
    if (string_out == NULL)
        return FX_NULL_PARAM(globals, "WdfStringCreate", "String");
    *string_out = NULL;
    if (!ke_check_max_irql(PASSIVE_LEVEL, "WdfStringCreate"))
        return STATUS_INVALID_DEVICE_REQUEST;
    NTSTATUS status = fx_string_validate(unicode_string);
    if (!NT_SUCCESS(status))
        return status;
    fx_string *string;
    status = fx_object_create(globals, &string_ops, sizeof *string, attributes,
                              fx_support_driver_object(globals), (void **)&string);
    if (!NT_SUCCESS(status))
        return status;
    string->pool_tag = fx_support_driver_tag(globals);
    status = fx_string_assign(string, unicode_string);
    if (!NT_SUCCESS(status)) {
        fx_object_delete(&string->object);
        return status;
    }
    fx_ifr_record(fx_support_ifr(globals), OWDF_IFR_OBJECT_CREATED, string->object.handle, FX_TYPE_STRING,
                  string->value.Length);
    *string_out = (WDFSTRING)string->object.handle;
    return STATUS_SUCCESS;
}

void imp_WdfStringGetUnicodeString(PWDF_DRIVER_GLOBALS globals, WDFSTRING handle,
                                   PUNICODE_STRING unicode_string)
{
    if (unicode_string == NULL) {
        (void)FX_NULL_PARAM(globals, "WdfStringGetUnicodeString", "UnicodeString");
        return;
    }
    fx_string *string = fx_string_from_handle_at(globals, handle, "WdfStringGetUnicodeString");
    if (string == NULL) {
        RtlZeroMemory(unicode_string, sizeof *unicode_string);
        return;
    }
    *unicode_string = string->value;
}
