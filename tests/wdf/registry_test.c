/*
 * Tests for WDFKEY and the WdfRegistry* DDIs over the in-memory store: open/create (full paths and
 * subkeys, dispositions, missing keys), access rights, ULONG / string / multi-string / binary /
 * memory values and their type and size errors, value and key removal, IRQL, and a store swapped
 * behind fx_registry_set_store().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

#include "fx_registry.h"

static UNICODE_STRING service =
    RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Echo");

static WDFKEY create_key(PCUNICODE_STRING path, ACCESS_MASK access)
{
    WDFKEY key = NULL;
    ULONG disposition = 0;
    assert_int_equal(
        WdfRegistryCreateKey(NULL, path, access, REG_OPTION_NON_VOLATILE, &disposition, NULL, &key),
        STATUS_SUCCESS);
    return key;
}

static void create_open_and_dispositions(void **state)
{
    (void)state;
    UNICODE_STRING path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Test\\Open\\Leaf");
    WDFKEY key;
    assert_int_equal(WdfRegistryOpenKey(NULL, &path, KEY_READ, NULL, &key), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_null(key);
    ULONG disposition = 0;
    assert_int_equal(WdfRegistryCreateKey(NULL, &path, KEY_ALL_ACCESS, 0, &disposition, NULL, &key),
                     STATUS_SUCCESS);
    assert_int_equal(disposition, REG_CREATED_NEW_KEY);
    WdfRegistryClose(key);
    assert_int_equal(WdfRegistryCreateKey(NULL, &path, KEY_ALL_ACCESS, 0, &disposition, NULL, &key),
                     STATUS_SUCCESS);
    assert_int_equal(disposition, REG_OPENED_EXISTING_KEY);
    WdfRegistryClose(key);
    /* Case-insensitive, trailing backslash ignored; the parents were created too. */
    UNICODE_STRING other_case = RTL_CONSTANT_STRING(L"\\REGISTRY\\machine\\test\\OPEN\\leaf\\");
    assert_int_equal(WdfRegistryOpenKey(NULL, &other_case, KEY_READ, NULL, &key), STATUS_SUCCESS);
    WdfRegistryClose(key);
    UNICODE_STRING parent_path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Test\\Open");
    WDFKEY parent;
    assert_int_equal(WdfRegistryOpenKey(NULL, &parent_path, KEY_READ, NULL, &parent), STATUS_SUCCESS);
    UNICODE_STRING leaf = RTL_CONSTANT_STRING(L"Leaf");
    assert_int_equal(WdfRegistryOpenKey(parent, &leaf, KEY_READ, NULL, &key), STATUS_SUCCESS);
    WdfRegistryClose(key);
    WdfRegistryClose(parent);
}

static void open_parameter_errors(void **state)
{
    (void)state;
    WDFKEY key;
    UNICODE_STRING relative = RTL_CONSTANT_STRING(L"NoRoot");
    assert_int_equal(WdfRegistryOpenKey(NULL, &relative, KEY_READ, NULL, &key),
                     STATUS_OBJECT_PATH_SYNTAX_BAD);
    UNICODE_STRING empty = {0};
    assert_int_equal(WdfRegistryOpenKey(NULL, &empty, KEY_READ, NULL, &key), STATUS_OBJECT_NAME_INVALID);
    assert_no_reports();
    assert_int_equal(WdfRegistryOpenKey(NULL, NULL, KEY_READ, NULL, &key), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfRegistryOpenKey(NULL, &service, KEY_READ, NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfRegistryCreateKey(NULL, &service, KEY_READ, 0x100, NULL, NULL, &key),
                     STATUS_INVALID_PARAMETER);
    WDFKEY parent = create_key(&service, KEY_READ);
    UNICODE_STRING absolute_under_parent = RTL_CONSTANT_STRING(L"\\Parameters");
    assert_int_equal(WdfRegistryOpenKey(parent, &absolute_under_parent, KEY_READ, NULL, &key),
                     STATUS_OBJECT_PATH_SYNTAX_BAD);
    /* Creating a new subkey needs KEY_CREATE_SUB_KEY on the parent. */
    UNICODE_STRING sub = RTL_CONSTANT_STRING(L"NewSub");
    assert_int_equal(WdfRegistryCreateKey(parent, &sub, KEY_READ, 0, NULL, NULL, &key), STATUS_ACCESS_DENIED);
    WdfRegistryClose(parent);

    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_FAIL_CALL);
    NTSTATUS status = WdfRegistryOpenKey(NULL, &service, KEY_READ, NULL, &key);
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_STOP_DRIVER);
    KeLowerIrql(old);
    assert_int_equal(status, STATUS_INVALID_DEVICE_REQUEST);
    assert_one_report("DDI_ABOVE_MAX_IRQL");
}

static void ulong_values(void **state)
{
    (void)state;
    WDFKEY key = create_key(&service, KEY_ALL_ACCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"DebugLevel");
    ULONG value = 0;
    assert_int_equal(WdfRegistryQueryULong(key, &name, &value), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(WdfRegistryAssignULong(key, &name, 7), STATUS_SUCCESS);
    UNICODE_STRING other_case = RTL_CONSTANT_STRING(L"DEBUGLEVEL");
    assert_int_equal(WdfRegistryQueryULong(key, &other_case, &value), STATUS_SUCCESS);
    assert_int_equal(value, 7);
    ULONG type = 0, length = 0;
    ULONG raw = 0;
    assert_int_equal(WdfRegistryQueryValue(key, &name, sizeof raw, &raw, &length, &type), STATUS_SUCCESS);
    assert_int_equal(type, REG_DWORD);
    assert_int_equal(length, 4);
    assert_int_equal(raw, 7);
    /* A string is not a ULONG. */
    UNICODE_STRING text = RTL_CONSTANT_STRING(L"seven");
    assert_int_equal(WdfRegistryAssignUnicodeString(key, &name, &text), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryULong(key, &name, &value), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(WdfRegistryQueryULong(key, &name, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfRegistryRemoveValue(key, &name), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryRemoveValue(key, &name), STATUS_OBJECT_NAME_NOT_FOUND);
    WdfRegistryClose(key);
}

static void string_values(void **state)
{
    (void)state;
    WDFKEY key = create_key(&service, KEY_ALL_ACCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"DisplayName");
    UNICODE_STRING text = RTL_CONSTANT_STRING(L"Echo Device");
    assert_int_equal(WdfRegistryAssignUnicodeString(key, &name, &text), STATUS_SUCCESS);

    /* Stored with its NUL, as Windows stores REG_SZ. */
    ULONG type, length;
    assert_int_equal(WdfRegistryQueryValue(key, &name, 0, NULL, &length, &type), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(type, REG_SZ);
    assert_int_equal(length, text.Length + 2);

    USHORT byte_length = 0;
    WCHAR small[4];
    UNICODE_STRING too_small = {.Length = 0, .MaximumLength = sizeof small, .Buffer = small};
    assert_int_equal(WdfRegistryQueryUnicodeString(key, &name, &byte_length, &too_small),
                     STATUS_BUFFER_OVERFLOW);
    assert_int_equal(byte_length, text.Length);
    assert_int_equal(WdfRegistryQueryUnicodeString(key, &name, &byte_length, NULL), STATUS_BUFFER_OVERFLOW);
    WCHAR big[32];
    UNICODE_STRING out = {.Length = 0, .MaximumLength = sizeof big, .Buffer = big};
    assert_int_equal(WdfRegistryQueryUnicodeString(key, &name, NULL, &out), STATUS_SUCCESS);
    assert_int_equal(out.Length, text.Length);
    assert_memory_equal(out.Buffer, text.Buffer, text.Length);

    WDFSTRING string;
    assert_int_equal(WdfStringCreate(NULL, NULL, &string), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryString(key, &name, string), STATUS_SUCCESS);
    UNICODE_STRING view;
    WdfStringGetUnicodeString(string, &view);
    assert_int_equal(view.Length, text.Length);
    UNICODE_STRING copy_name = RTL_CONSTANT_STRING(L"Copy");
    assert_int_equal(WdfRegistryAssignString(key, &copy_name, string), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryUnicodeString(key, &copy_name, &byte_length, &out), STATUS_SUCCESS);
    assert_int_equal(byte_length, text.Length);

    UNICODE_STRING dword_name = RTL_CONSTANT_STRING(L"Number");
    assert_int_equal(WdfRegistryAssignULong(key, &dword_name, 1), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryUnicodeString(key, &dword_name, NULL, &out),
                     STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(WdfRegistryQueryString(key, &dword_name, string), STATUS_OBJECT_TYPE_MISMATCH);
    WdfObjectDelete(string);
    WdfRegistryClose(key);
}

static void multi_string_values(void **state)
{
    (void)state;
    WDFKEY key = create_key(&service, KEY_ALL_ACCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"UpperFilters");
    WDFCOLLECTION in;
    assert_int_equal(WdfCollectionCreate(NULL, &in), STATUS_SUCCESS);
    static const WCHAR *const words[] = {L"One", L"Two", L"Three"};
    WDF_OBJECT_ATTRIBUTES attributes = child_of(in);
    for (int i = 0; i < 3; i++) {
        UNICODE_STRING s;
        RtlInitUnicodeString(&s, words[i]);
        WDFSTRING string;
        assert_int_equal(WdfStringCreate(&s, &attributes, &string), STATUS_SUCCESS);
        assert_int_equal(WdfCollectionAdd(in, string), STATUS_SUCCESS);
    }
    assert_int_equal(WdfRegistryAssignMultiString(key, &name, in), STATUS_SUCCESS);
    ULONG type, length;
    assert_int_equal(WdfRegistryQueryValue(key, &name, 0, NULL, &length, &type), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(type, REG_MULTI_SZ);
    assert_int_equal(length, (4 + 4 + 6 + 1) * sizeof(WCHAR));

    WDFCOLLECTION out;
    assert_int_equal(WdfCollectionCreate(NULL, &out), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryMultiString(key, &name, NULL, out), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionGetCount(out), 3);
    UNICODE_STRING view;
    WdfStringGetUnicodeString((WDFSTRING)WdfCollectionGetItem(out, 2), &view);
    assert_int_equal(view.Length, 10);
    assert_memory_equal(view.Buffer, L"Three", 10);
    WdfObjectDelete(out); /* the strings were parented to it */

    /* A collection holding something else than strings cannot be stored. */
    WDFOBJECT not_a_string;
    assert_int_equal(WdfObjectCreate(&attributes, &not_a_string), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionAdd(in, not_a_string), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryAssignMultiString(key, &name, in), STATUS_INVALID_PARAMETER);
    UNICODE_STRING sz_name = RTL_CONSTANT_STRING(L"Single");
    UNICODE_STRING text = RTL_CONSTANT_STRING(L"x");
    assert_int_equal(WdfRegistryAssignUnicodeString(key, &sz_name, &text), STATUS_SUCCESS);
    assert_int_equal(WdfCollectionCreate(NULL, &out), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryMultiString(key, &sz_name, NULL, out), STATUS_OBJECT_TYPE_MISMATCH);
    WdfObjectDelete(out);
    WdfObjectDelete(in);
    WdfRegistryClose(key);
}

static void binary_and_memory_values(void **state)
{
    (void)state;
    WDFKEY key = create_key(&service, KEY_ALL_ACCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"Blob");
    UCHAR blob[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(WdfRegistryAssignValue(key, &name, REG_BINARY, sizeof blob, blob), STATUS_SUCCESS);
    UCHAR small[3];
    ULONG length = 0, type = 0;
    assert_int_equal(WdfRegistryQueryValue(key, &name, sizeof small, small, &length, &type),
                     STATUS_BUFFER_OVERFLOW);
    assert_int_equal(length, 6);
    assert_int_equal(WdfRegistryQueryValue(key, &name, 4, NULL, &length, &type), STATUS_INVALID_PARAMETER);

    WDFMEMORY memory;
    assert_int_equal(WdfRegistryQueryMemory(key, &name, NonPagedPoolNx, NULL, &memory, &type),
                     STATUS_SUCCESS);
    assert_int_equal(type, REG_BINARY);
    size_t size;
    assert_memory_equal(WdfMemoryGetBuffer(memory, &size), blob, 6);
    assert_int_equal(size, 6);

    /* Part of a memory object, through WDFMEMORY_OFFSET. */
    WDFMEMORY_OFFSET offsets = {.BufferOffset = 2, .BufferLength = 3};
    UNICODE_STRING part = RTL_CONSTANT_STRING(L"Part");
    assert_int_equal(WdfRegistryAssignMemory(key, &part, REG_BINARY, memory, &offsets), STATUS_SUCCESS);
    UCHAR back[3];
    assert_int_equal(WdfRegistryQueryValue(key, &part, sizeof back, back, &length, NULL), STATUS_SUCCESS);
    assert_int_equal(length, 3);
    assert_memory_equal(back, blob + 2, 3);
    offsets.BufferLength = 10;
    assert_int_equal(WdfRegistryAssignMemory(key, &part, REG_BINARY, memory, &offsets),
                     STATUS_BUFFER_TOO_SMALL);
    WdfObjectDelete(memory);

    UNICODE_STRING missing = RTL_CONSTANT_STRING(L"Missing");
    assert_int_equal(WdfRegistryQueryMemory(key, &missing, NonPagedPoolNx, NULL, &memory, NULL),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    assert_null(memory);
    UNICODE_STRING empty_name = RTL_CONSTANT_STRING(L"Empty");
    assert_int_equal(WdfRegistryAssignValue(key, &empty_name, REG_BINARY, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryMemory(key, &empty_name, NonPagedPoolNx, NULL, &memory, NULL),
                     STATUS_INVALID_BUFFER_SIZE);
    WdfRegistryClose(key);
}

static void access_rights_are_enforced(void **state)
{
    (void)state;
    WDFKEY writer = create_key(&service, KEY_ALL_ACCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"Guarded");
    assert_int_equal(WdfRegistryAssignULong(writer, &name, 1), STATUS_SUCCESS);
    WdfRegistryClose(writer);

    WDFKEY reader;
    assert_int_equal(WdfRegistryOpenKey(NULL, &service, KEY_READ, NULL, &reader), STATUS_SUCCESS);
    ULONG value;
    assert_int_equal(WdfRegistryQueryULong(reader, &name, &value), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryAssignULong(reader, &name, 2), STATUS_ACCESS_DENIED);
    assert_int_equal(WdfRegistryRemoveValue(reader, &name), STATUS_ACCESS_DENIED);
    assert_int_equal(WdfRegistryRemoveKey(reader), STATUS_ACCESS_DENIED);
    WdfRegistryClose(reader);

    WDFKEY write_only;
    assert_int_equal(WdfRegistryOpenKey(NULL, &service, KEY_SET_VALUE, NULL, &write_only), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryULong(write_only, &name, &value), STATUS_ACCESS_DENIED);
    WdfRegistryClose(write_only);

    WDFKEY generic;
    assert_int_equal(WdfRegistryOpenKey(NULL, &service, GENERIC_READ | GENERIC_WRITE, NULL, &generic),
                     STATUS_SUCCESS);
    assert_int_equal(WdfRegistryAssignULong(generic, &name, 3), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryQueryULong(generic, &name, &value), STATUS_SUCCESS);
    assert_int_equal(value, 3);
    WdfRegistryClose(generic);
}

static void remove_key(void **state)
{
    (void)state;
    UNICODE_STRING parent_path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Test\\Remove");
    UNICODE_STRING child_path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Test\\Remove\\Child");
    WDFKEY child = create_key(&child_path, KEY_ALL_ACCESS);
    WDFKEY parent;
    assert_int_equal(WdfRegistryOpenKey(NULL, &parent_path, KEY_ALL_ACCESS, NULL, &parent), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryRemoveKey(parent), STATUS_CANNOT_DELETE); /* it has a subkey */
    WDFKEY second;
    assert_int_equal(WdfRegistryOpenKey(NULL, &child_path, KEY_ALL_ACCESS, NULL, &second), STATUS_SUCCESS);
    assert_int_equal(WdfRegistryRemoveKey(child), STATUS_SUCCESS); /* deletes the WDFKEY too */
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"Late");
    assert_int_equal(WdfRegistryAssignULong(second, &name, 1), STATUS_KEY_DELETED);
    WdfRegistryClose(second);
    WDFKEY gone;
    assert_int_equal(WdfRegistryOpenKey(NULL, &child_path, KEY_READ, NULL, &gone),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(WdfRegistryRemoveKey(parent), STATUS_SUCCESS);
    WdfRegistryClose(child); /* already deleted with the key */
    assert_one_report("STALE_HANDLE");
}

static void key_handles(void **state)
{
    (void)state;
    WDFKEY key = create_key(&service, KEY_READ);
    assert_null(WdfRegistryWdmGetHandle(key));
    assert_one_report("NOT_IMPLEMENTED");
    WDFOBJECT object;
    assert_int_equal(WdfObjectCreate(NULL, &object), STATUS_SUCCESS);
    ULONG value;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"X");
    assert_int_equal(WdfRegistryQueryULong((WDFKEY)object, &name, &value), STATUS_INVALID_HANDLE);
    assert_one_report("WRONG_HANDLE_TYPE");
    assert_int_equal(WdfRegistryQueryULong(key, NULL, &value), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    UNICODE_STRING bad = {.Length = 3, .MaximumLength = 4, .Buffer = name.Buffer};
    assert_int_equal(WdfRegistryQueryULong(key, &bad, &value), STATUS_INVALID_PARAMETER);
    /* Keys go with their parent. */
    WDF_OBJECT_ATTRIBUTES attributes = child_of(object);
    WDFKEY child;
    assert_int_equal(WdfRegistryOpenKey(NULL, &service, KEY_READ, &attributes, &child), STATUS_SUCCESS);
    WdfObjectDelete(object);
    WdfRegistryClose(key);
}

/* A store that refuses everything: the DDIs go through whatever store is installed. */
static NTSTATUS refusing_open(PCUNICODE_STRING path, BOOLEAN create, BOOLEAN *created,
                              fx_registry_node **node)
{
    (void)path;
    (void)create;
    (void)created;
    *node = NULL;
    return STATUS_ACCESS_DENIED;
}

static void store_can_be_swapped(void **state)
{
    (void)state;
    fx_registry_store refusing = fx_registry_memory_store;
    refusing.open = refusing_open;
    fx_registry_set_store(&refusing);
    WDFKEY key;
    assert_int_equal(WdfRegistryOpenKey(NULL, &service, KEY_READ, NULL, &key), STATUS_ACCESS_DENIED);
    fx_registry_set_store(NULL);
    assert_ptr_equal(fx_registry_get_store(), &fx_registry_memory_store);
    assert_int_equal(
        fx_registry_open_key_object(WdfDriverGlobals, &service, KEY_READ, FALSE, NULL, NULL, &key),
        STATUS_SUCCESS);
    WdfRegistryClose(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SUPPORT_TEST(create_open_and_dispositions),
        SUPPORT_TEST(open_parameter_errors),
        SUPPORT_TEST(ulong_values),
        SUPPORT_TEST(string_values),
        SUPPORT_TEST(multi_string_values),
        SUPPORT_TEST(binary_and_memory_values),
        SUPPORT_TEST(access_rights_are_enforced),
        SUPPORT_TEST(remove_key),
        SUPPORT_TEST(key_handles),
        SUPPORT_TEST(store_can_be_swapped),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
