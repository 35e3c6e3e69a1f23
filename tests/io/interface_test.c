/* Device interfaces and their notifications: link names, registering twice, enable/disable (and
 * the link object two reference strings share), opening through interfaces, enumeration, aliases,
 * arrival/removal callbacks (existing interfaces, ordering, re-entrancy, unregistering while a
 * callback runs), interfaces of a deleted device, and the errors. */
#include "names_test.h"

#include <wdmguid.h>

/* {cdc35b6e-0be4-4936-bf5f-5537380a7c1a} and two more. */
static const GUID guid_a = {0xcdc35b6e, 0x0be4, 0x4936, {0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a}};
static const GUID guid_b = {0x12345678, 0x9abc, 0xdef0, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}};
static const GUID guid_none = {0xdeadbeef, 0, 0, {0, 0, 0, 0, 0, 0, 0, 1}};
#define GUID_A_TEXT "{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}"

static PDRIVER_OBJECT driver;
static tdev *dev;
static owdf_pool_mark mark;
static ULONG entries_before; /* namespace entries other than ours (a permanent test directory) */

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    entries_before = io_namespace_user_entry_count();
    driver = tdrv_load("IfTest");
    dev = tdev_create(driver, "\\Device\\IfDev", 0, FALSE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_open_handle_count(), 0);
    tdev_delete(dev);
    assert_int_equal(io_interface_count(), 0);
    assert_int_equal(io_pnp_notification_count(), 0);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), 0);
    ULONG entries = io_namespace_user_entry_count();
    assert_true(entries == entries_before || entries == entries_before + 1); /* + \IfTestDir once */
    io_irp_cache_trim();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static UNICODE_STRING reg(PDEVICE_OBJECT pdo, const GUID *g, const char *ref)
{
    UNICODE_STRING link = {0};
    assert_int_equal(IoRegisterDeviceInterface(pdo, g, ref ? us(ref) : NULL, &link), STATUS_SUCCESS);
    return link;
}

/* ---- registration ---------------------------------------------------------------------------- */

static void link_names(void **state)
{
    (void)state;
    UNICODE_STRING l1 = reg(dev->device, &guid_a, NULL);
    assert_string_equal(us_ascii(&l1), "\\??\\ROOT#IFDEV#0000#" GUID_A_TEXT);
    assert_int_equal(l1.MaximumLength, l1.Length + sizeof(WCHAR));
    assert_int_equal(l1.Buffer[l1.Length / 2], 0);
    UNICODE_STRING l2 = reg(dev->device, &guid_a, NULL);
    assert_true(RtlEqualUnicodeString(&l1, &l2, FALSE)); /* registering twice: the same link */
    assert_ptr_not_equal(l1.Buffer, l2.Buffer);
    UNICODE_STRING l3 = reg(dev->device, &guid_a, "Ref1");
    assert_string_equal(us_ascii(&l3), "\\??\\ROOT#IFDEV#0000#" GUID_A_TEXT "\\Ref1");
    UNICODE_STRING l4 = reg(dev->device, &guid_a, "REF1"); /* reference strings compare without case */
    assert_true(RtlEqualUnicodeString(&l3, &l4, FALSE));
    UNICODE_STRING l5 = reg(dev->device, &guid_a, ""); /* empty = none */
    assert_true(RtlEqualUnicodeString(&l1, &l5, FALSE));
    assert_int_equal(io_interface_count(), 2);
    RtlFreeUnicodeString(&l1);
    RtlFreeUnicodeString(&l2);
    RtlFreeUnicodeString(&l3);
    RtlFreeUnicodeString(&l4);
    RtlFreeUnicodeString(&l5);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void instance_numbers_and_names(void **state)
{
    (void)state;
    assert_int_equal(io_namespace_create_directory(us("\\IfTestDir")), STATUS_SUCCESS);
    tdev *twin = tdev_create(driver, "\\IfTestDir\\ifdev", 0, FALSE);
    tdev *odd = tdev_create(driver, "\\Device\\My Dev#1", 0, FALSE);
    UNICODE_STRING a = reg(dev->device, &guid_a, NULL);
    UNICODE_STRING b = reg(twin->device, &guid_a, NULL);
    UNICODE_STRING c = reg(odd->device, &guid_b, NULL);
    assert_string_equal(us_ascii(&b), "\\??\\ROOT#IFDEV#0001#" GUID_A_TEXT);
    assert_string_equal(us_ascii(&c), "\\??\\ROOT#MY_DEV_1#0000#{12345678-9abc-def0-0123-456789abcdef}");
    RtlFreeUnicodeString(&a);
    RtlFreeUnicodeString(&b);
    RtlFreeUnicodeString(&c);
    tdev_delete(twin);
    tdev_delete(odd);
}

static NTSTATUS provider(PDEVICE_OBJECT pdo, PUNICODE_STRING out)
{
    (void)pdo;
    return RtlCreateUnicodeString(out, L"PCI\\VEN_1234&DEV_5678\\3&11583659&0&10") ? STATUS_SUCCESS
                                                                                   : STATUS_INSUFFICIENT_RESOURCES;
}

static void instance_id_from_the_pnp_layer(void **state)
{
    (void)state;
    io_interface_set_instance_id_provider(provider);
    UNICODE_STRING a = reg(dev->device, &guid_a, NULL);
    io_interface_set_instance_id_provider(NULL);
    assert_string_equal(us_ascii(&a), "\\??\\PCI#VEN_1234&DEV_5678#3&11583659&0&10#" GUID_A_TEXT);
    RtlFreeUnicodeString(&a);
}

static void registration_errors(void **state)
{
    (void)state;
    UNICODE_STRING link;
    assert_int_equal(IoRegisterDeviceInterface(NULL, &guid_a, NULL, &link), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(IoRegisterDeviceInterface((PDEVICE_OBJECT)driver, &guid_a, NULL, &link),
                     STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(IoRegisterDeviceInterface(dev->device, NULL, NULL, &link), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterDeviceInterface(dev->device, &guid_a, NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterDeviceInterface(dev->device, &guid_a, us("a\\b"), &link), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterDeviceInterface(dev->device, &guid_a, us("a/b"), &link), STATUS_INVALID_PARAMETER);
    UNICODE_STRING odd = *us("abc");
    odd.Length = 3;
    assert_int_equal(IoRegisterDeviceInterface(dev->device, &guid_a, &odd, &link), STATUS_INVALID_PARAMETER);
    tdev *unnamed = tdev_create(driver, NULL, 0, FALSE);
    assert_int_equal(IoRegisterDeviceInterface(unnamed->device, &guid_a, NULL, &link), STATUS_INVALID_DEVICE_REQUEST);
    tdev_delete(unnamed);
    assert_int_equal(io_interface_count(), 0);
}

/* ---- state ----------------------------------------------------------------------------------- */

static void enable_open_disable(void **state)
{
    (void)state;
    UNICODE_STRING link = reg(dev->device, &guid_a, NULL);
    HANDLE h = (HANDLE)1;
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT, GENERIC_READ, 0, 0, &h),
                     STATUS_OBJECT_NAME_NOT_FOUND); /* registered, not enabled */
    assert_int_equal(IoSetDeviceInterfaceState(&link, TRUE), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&link, TRUE), STATUS_OBJECT_NAME_EXISTS);
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT, GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "");
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    /* The kernel form of the name opens too (case does not matter). */
    assert_int_equal(owdf_user_open("\\??\\root#ifdev#0000#" GUID_A_TEXT, GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&link, FALSE), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT, GENERIC_READ, 0, 0, &h),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    /* The Win32 form is accepted by IoSetDeviceInterfaceState as well. */
    assert_int_equal(IoSetDeviceInterfaceState(us("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT), TRUE), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    /* Errors. */
    assert_int_equal(IoSetDeviceInterfaceState(us("\\??\\ROOT#NOPE#0000#" GUID_A_TEXT), TRUE),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(IoSetDeviceInterfaceState(us("\\Device\\IfDev"), TRUE), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(IoSetDeviceInterfaceState(NULL, TRUE), STATUS_INVALID_PARAMETER);
    RtlFreeUnicodeString(&link);
    assert_string_equal(tdev_log_string(dev), "CR,CU,CL,CR,CU,CL");
}

static void reference_strings_share_the_link_object(void **state)
{
    (void)state;
    UNICODE_STRING plain = reg(dev->device, &guid_a, NULL);
    UNICODE_STRING sub = reg(dev->device, &guid_a, "Sub");
    assert_int_equal(IoSetDeviceInterfaceState(&plain, TRUE), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&sub, TRUE), STATUS_SUCCESS);
    HANDLE h;
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT "\\Sub", GENERIC_READ, 0, 0, &h),
                     STATUS_SUCCESS);
    assert_string_equal(dev->create_name, "\\Sub"); /* the reference string reaches the driver */
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&plain, FALSE), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT "\\Sub", GENERIC_READ, 0, 0, &h),
                     STATUS_SUCCESS);
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&sub, FALSE), STATUS_SUCCESS);
    /* The link object is gone: its name is a missing directory of the path. */
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT "\\Sub", GENERIC_READ, 0, 0, &h),
                     STATUS_OBJECT_PATH_NOT_FOUND);
    RtlFreeUnicodeString(&plain);
    RtlFreeUnicodeString(&sub);
}

/* ---- queries --------------------------------------------------------------------------------- */

static int multi_sz_count(PCZZWSTR list)
{
    int n = 0;
    for (PCWSTR s = list; *s; n++) {
        while (*s)
            s++;
        s++;
    }
    return n;
}

static void enumeration(void **state)
{
    (void)state;
    tdev *other = tdev_create(driver, "\\Device\\IfOther", 0, FALSE);
    UNICODE_STRING a = reg(dev->device, &guid_a, NULL);
    UNICODE_STRING b = reg(dev->device, &guid_a, "Two");
    UNICODE_STRING c = reg(other->device, &guid_a, NULL);
    UNICODE_STRING d = reg(other->device, &guid_b, NULL);
    assert_int_equal(IoSetDeviceInterfaceState(&a, TRUE), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&c, TRUE), STATUS_SUCCESS);
    PZZWSTR list;
    assert_int_equal(IoGetDeviceInterfaces(&guid_a, NULL, 0, &list), STATUS_SUCCESS);
    assert_int_equal(multi_sz_count(list), 2);
    UNICODE_STRING first;
    RtlInitUnicodeString(&first, list);
    assert_true(RtlEqualUnicodeString(&first, &a, FALSE)); /* registration order */
    ExFreePool(list);
    assert_int_equal(IoGetDeviceInterfaces(&guid_a, NULL, DEVICE_INTERFACE_INCLUDE_NONACTIVE, &list), STATUS_SUCCESS);
    assert_int_equal(multi_sz_count(list), 3);
    ExFreePool(list);
    assert_int_equal(IoGetDeviceInterfaces(&guid_a, other->device, DEVICE_INTERFACE_INCLUDE_NONACTIVE, &list),
                     STATUS_SUCCESS);
    assert_int_equal(multi_sz_count(list), 1);
    ExFreePool(list);
    assert_int_equal(IoGetDeviceInterfaces(&guid_none, NULL, 0, &list), STATUS_SUCCESS);
    assert_int_equal(list[0], 0); /* empty list */
    ExFreePool(list);
    list = (PZZWSTR)1;
    assert_int_equal(IoGetDeviceInterfaces(&guid_a, NULL, 2, &list), STATUS_INVALID_PARAMETER);
    assert_null(list);
    assert_int_equal(IoGetDeviceInterfaces(NULL, NULL, 0, &list), STATUS_INVALID_PARAMETER);
    assert_int_equal(IoGetDeviceInterfaces(&guid_a, NULL, 0, NULL), STATUS_INVALID_PARAMETER);

    /* The user side's view. */
    char path[200];
    size_t needed;
    assert_int_equal(owdf_user_interface_path(&guid_a, 0, path, sizeof path, &needed), STATUS_SUCCESS);
    assert_string_equal(path, "\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT);
    assert_int_equal(needed, strlen(path) + 1);
    assert_int_equal(owdf_user_interface_path(&guid_a, 1, path, sizeof path, NULL), STATUS_SUCCESS);
    assert_string_equal(path, "\\\\?\\ROOT#IFOTHER#0000#" GUID_A_TEXT);
    assert_int_equal(owdf_user_interface_path(&guid_a, 2, path, sizeof path, NULL), STATUS_NO_MORE_ENTRIES);
    assert_int_equal(owdf_user_interface_path(&guid_a, 0, path, 10, &needed), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(needed, strlen("\\\\?\\ROOT#IFDEV#0000#" GUID_A_TEXT) + 1);
    assert_int_equal(owdf_user_interface_path(&guid_a, 0, NULL, 0, &needed), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(owdf_user_interface_path(NULL, 0, path, sizeof path, NULL), STATUS_INVALID_PARAMETER);
    HANDLE h;
    assert_int_equal(owdf_user_open_interface(&guid_a, 1, GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    assert_string_equal(tdev_log_string(other), "CR");
    assert_int_equal(owdf_user_close(h), STATUS_SUCCESS);
    assert_int_equal(owdf_user_open_interface(&guid_a, 2, GENERIC_READ, 0, 0, &h), STATUS_NO_MORE_ENTRIES);
    assert_int_equal(owdf_user_open_interface(&guid_b, 0, GENERIC_READ, 0, 0, &h), STATUS_NO_MORE_ENTRIES);
    assert_int_equal(owdf_user_open_interface(NULL, 0, GENERIC_READ, 0, 0, &h), STATUS_INVALID_PARAMETER);

    RtlFreeUnicodeString(&a);
    RtlFreeUnicodeString(&b);
    RtlFreeUnicodeString(&c);
    RtlFreeUnicodeString(&d);
    tdev_delete(other);
}

static void aliases(void **state)
{
    (void)state;
    UNICODE_STRING a = reg(dev->device, &guid_a, "R");
    UNICODE_STRING b = reg(dev->device, &guid_b, "r");
    UNICODE_STRING a0 = reg(dev->device, &guid_a, NULL);
    UNICODE_STRING alias;
    assert_int_equal(IoGetDeviceInterfaceAlias(&a, &guid_b, &alias), STATUS_SUCCESS);
    assert_true(RtlEqualUnicodeString(&alias, &b, FALSE));
    RtlFreeUnicodeString(&alias);
    assert_int_equal(IoGetDeviceInterfaceAlias(&b, &guid_a, &alias), STATUS_SUCCESS);
    assert_true(RtlEqualUnicodeString(&alias, &a, FALSE));
    RtlFreeUnicodeString(&alias);
    /* Same device and class, but another reference string: no alias. */
    assert_int_equal(IoGetDeviceInterfaceAlias(&a0, &guid_b, &alias), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(IoGetDeviceInterfaceAlias(&a, &guid_none, &alias), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(IoGetDeviceInterfaceAlias(us("\\??\\NotAnInterface"), &guid_b, &alias), STATUS_INVALID_HANDLE);
    assert_int_equal(IoGetDeviceInterfaceAlias(&a, NULL, &alias), STATUS_INVALID_PARAMETER);
    RtlFreeUnicodeString(&a);
    RtlFreeUnicodeString(&b);
    RtlFreeUnicodeString(&a0);
}

/* ---- notifications --------------------------------------------------------------------------- */

#define MAX_SEEN 16
struct seen {
    int count;
    BOOLEAN arrival[MAX_SEEN];
    char link[MAX_SEEN][128];
    GUID cls[MAX_SEEN];
    USHORT version, size;
    PDRIVER_OBJECT current;
    KIRQL irql;
};

static NTSTATUS note(PVOID structure, PVOID context)
{
    struct seen *s = context;
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION n = structure;
    assert_true(s->count < MAX_SEEN);
    s->version = n->Version;
    s->size = n->Size;
    s->current = owdf_io_current_driver();
    s->irql = KeGetCurrentIrql();
    if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_ARRIVAL))
        s->arrival[s->count] = TRUE;
    else if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_REMOVAL))
        s->arrival[s->count] = FALSE;
    else
        fail_msg("unexpected event GUID");
    s->cls[s->count] = n->InterfaceClassGuid;
    snprintf(s->link[s->count], sizeof s->link[0], "%s", us_ascii(n->SymbolicLinkName));
    assert_int_equal(n->SymbolicLinkName->Buffer[n->SymbolicLinkName->Length / 2], 0);
    s->count++;
    return STATUS_SUCCESS;
}

static PVOID listen(const GUID *g, ULONG flags, struct seen *s)
{
    PVOID entry = NULL;
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, flags, (PVOID)g, driver, note,
                                                    s, &entry),
                     STATUS_SUCCESS);
    assert_non_null(entry);
    return entry;
}

static void arrival_and_removal(void **state)
{
    (void)state;
    struct seen s = {0}, other = {0};
    LONG_PTR refs = io_object_reference_count(driver);
    PVOID e = listen(&guid_a, 0, &s);
    PVOID e2 = listen(&guid_b, 0, &other);
    assert_int_equal(io_object_reference_count(driver), refs + 2); /* the driver is referenced */
    UNICODE_STRING link = reg(dev->device, &guid_a, NULL);
    assert_int_equal(s.count, 0); /* registering is not enabling */
    assert_int_equal(IoSetDeviceInterfaceState(&link, TRUE), STATUS_SUCCESS);
    assert_int_equal(s.count, 1); /* delivered before IoSetDeviceInterfaceState returned */
    assert_true(s.arrival[0]);
    assert_string_equal(s.link[0], us_ascii(&link));
    assert_true(IsEqualGUID(&s.cls[0], &guid_a));
    assert_int_equal(s.version, 1);
    assert_int_equal(s.size, sizeof(DEVICE_INTERFACE_CHANGE_NOTIFICATION));
    assert_ptr_equal(s.current, driver);
    assert_int_equal(s.irql, PASSIVE_LEVEL);
    assert_int_equal(IoSetDeviceInterfaceState(&link, TRUE), STATUS_OBJECT_NAME_EXISTS);
    assert_int_equal(s.count, 1); /* no change, no notification */
    assert_int_equal(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    assert_int_equal(s.count, 2);
    assert_false(s.arrival[1]);
    assert_string_equal(s.link[1], us_ascii(&link));
    assert_int_equal(other.count, 0);
    assert_int_equal(IoUnregisterPlugPlayNotification(e), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&link, TRUE), STATUS_SUCCESS);
    assert_int_equal(s.count, 2); /* unregistered */
    assert_int_equal(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    assert_int_equal(IoUnregisterPlugPlayNotificationEx(e2), STATUS_SUCCESS);
    assert_int_equal(io_object_reference_count(driver), refs);
    RtlFreeUnicodeString(&link);
}

static void existing_interfaces(void **state)
{
    (void)state;
    UNICODE_STRING a = reg(dev->device, &guid_a, NULL);
    UNICODE_STRING b = reg(dev->device, &guid_a, "B");
    UNICODE_STRING c = reg(dev->device, &guid_a, "C"); /* not enabled */
    assert_int_equal(IoSetDeviceInterfaceState(&a, TRUE), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&b, TRUE), STATUS_SUCCESS);
    struct seen with = {0}, without = {0};
    PVOID e1 = listen(&guid_a, PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES, &with);
    PVOID e2 = listen(&guid_a, 0, &without);
    assert_int_equal(with.count, 2);
    assert_true(with.arrival[0] && with.arrival[1]);
    assert_string_equal(with.link[0], us_ascii(&a));
    assert_string_equal(with.link[1], us_ascii(&b));
    assert_int_equal(without.count, 0);
    /* Later changes reach both, once. */
    assert_int_equal(IoSetDeviceInterfaceState(&c, TRUE), STATUS_SUCCESS);
    assert_int_equal(with.count, 3);
    assert_int_equal(without.count, 1);
    assert_int_equal(IoUnregisterPlugPlayNotification(e1), STATUS_SUCCESS);
    assert_int_equal(IoUnregisterPlugPlayNotification(e2), STATUS_SUCCESS);
    for (int i = 0; i < 3; i++)
        assert_int_equal(IoSetDeviceInterfaceState(i == 0 ? &a : i == 1 ? &b : &c, FALSE), STATUS_SUCCESS);
    RtlFreeUnicodeString(&a);
    RtlFreeUnicodeString(&b);
    RtlFreeUnicodeString(&c);
}

static void deleted_device_loses_its_interfaces(void **state)
{
    (void)state;
    tdev *gone = tdev_create(driver, "\\Device\\IfGone", 0, FALSE);
    UNICODE_STRING a = reg(gone->device, &guid_a, NULL);
    UNICODE_STRING b = reg(gone->device, &guid_a, "Off"); /* registered only */
    assert_int_equal(IoSetDeviceInterfaceState(&a, TRUE), STATUS_SUCCESS);
    struct seen s = {0};
    PVOID e = listen(&guid_a, 0, &s);
    tdev_delete(gone);
    assert_int_equal(s.count, 1);
    assert_false(s.arrival[0]);
    assert_string_equal(s.link[0], us_ascii(&a));
    PZZWSTR list;
    assert_int_equal(IoGetDeviceInterfaces(&guid_a, NULL, DEVICE_INTERFACE_INCLUDE_NONACTIVE, &list), STATUS_SUCCESS);
    assert_int_equal(list[0], 0);
    ExFreePool(list);
    assert_int_equal(IoSetDeviceInterfaceState(&a, TRUE), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_interface_count(), 0);
    HANDLE h;
    assert_int_equal(owdf_user_open("\\\\?\\ROOT#IFGONE#0000#" GUID_A_TEXT, GENERIC_READ, 0, 0, &h),
                     STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(IoUnregisterPlugPlayNotification(e), STATUS_SUCCESS);
    RtlFreeUnicodeString(&a);
    RtlFreeUnicodeString(&b);
}

/* A callback that changes interfaces itself, and one that unregisters itself. */
static UNICODE_STRING nested_link;
static struct seen nested_seen;
static PVOID self_entry;
static int self_calls;

static NTSTATUS nesting_note(PVOID structure, PVOID context)
{
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION n = structure;
    note(structure, &nested_seen);
    if (IsEqualGUID(&n->InterfaceClassGuid, &guid_a) && IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_ARRIVAL)) {
        assert_int_equal(IoSetDeviceInterfaceState(&nested_link, TRUE), STATUS_SUCCESS);
        /* Queued, not delivered from inside this callback. */
        assert_int_equal(nested_seen.count, *(int *)context);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS self_unregistering_note(PVOID structure, PVOID context)
{
    (void)structure;
    (void)context;
    self_calls++;
    assert_int_equal(IoUnregisterPlugPlayNotificationEx(self_entry), STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

static void reentrant_callbacks(void **state)
{
    (void)state;
    memset(&nested_seen, 0, sizeof nested_seen);
    UNICODE_STRING a = reg(dev->device, &guid_a, NULL);
    nested_link = reg(dev->device, &guid_b, NULL);
    int expect_inside = 1;
    PVOID ea, eb;
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&guid_a, driver,
                                                    nesting_note, &expect_inside, &ea),
                     STATUS_SUCCESS);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&guid_b, driver,
                                                    nesting_note, &expect_inside, &eb),
                     STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&a, TRUE), STATUS_SUCCESS);
    /* Both delivered, in the order of the changes. */
    assert_int_equal(nested_seen.count, 2);
    assert_true(IsEqualGUID(&nested_seen.cls[0], &guid_a));
    assert_true(IsEqualGUID(&nested_seen.cls[1], &guid_b));

    self_calls = 0;
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                                    PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES,
                                                    (PVOID)&guid_a, driver, self_unregistering_note, NULL,
                                                    &self_entry),
                     STATUS_SUCCESS);
    assert_int_equal(self_calls, 1);
    assert_int_equal(IoSetDeviceInterfaceState(&a, FALSE), STATUS_SUCCESS);
    assert_int_equal(self_calls, 1);

    assert_int_equal(IoUnregisterPlugPlayNotification(ea), STATUS_SUCCESS);
    assert_int_equal(IoUnregisterPlugPlayNotification(eb), STATUS_SUCCESS);
    assert_int_equal(IoSetDeviceInterfaceState(&nested_link, FALSE), STATUS_SUCCESS);
    RtlFreeUnicodeString(&a);
    RtlFreeUnicodeString(&nested_link);
}

/* Unregistering waits for a callback running on another thread. */
static volatile LONG slow_entered, unregister_returned, returned_while_running;

static NTSTATUS slow_note(PVOID structure, PVOID context)
{
    (void)structure;
    (void)context;
    __atomic_store_n(&slow_entered, 1, __ATOMIC_RELEASE);
    sleep_ms(50);
    if (__atomic_load_n(&unregister_returned, __ATOMIC_ACQUIRE))
        __atomic_store_n(&returned_while_running, 1, __ATOMIC_RELEASE);
    return STATUS_SUCCESS;
}

static void *enable_main(void *arg)
{
    assert_int_equal(IoSetDeviceInterfaceState(arg, TRUE), STATUS_SUCCESS);
    return NULL;
}

static void unregister_waits_for_a_running_callback(void **state)
{
    (void)state;
    UNICODE_STRING a = reg(dev->device, &guid_a, NULL);
    PVOID e;
    slow_entered = unregister_returned = returned_while_running = 0;
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&guid_a, driver,
                                                    slow_note, NULL, &e),
                     STATUS_SUCCESS);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, enable_main, &a), 0);
    for (int i = 0; i < 5000 && !__atomic_load_n(&slow_entered, __ATOMIC_ACQUIRE); i++)
        sleep_ms(1);
    assert_int_equal(IoUnregisterPlugPlayNotificationEx(e), STATUS_SUCCESS);
    __atomic_store_n(&unregister_returned, 1, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(slow_entered, 1);
    assert_int_equal(returned_while_running, 0);
    assert_int_equal(IoSetDeviceInterfaceState(&a, FALSE), STATUS_SUCCESS);
    RtlFreeUnicodeString(&a);
}

static void notification_errors(void **state)
{
    (void)state;
    struct seen s = {0};
    PVOID e = (PVOID)1;
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&guid_a, NULL, note,
                                                    &s, &e),
                     STATUS_INVALID_PARAMETER);
    assert_null(e);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&guid_a, driver,
                                                    NULL, &s, &e),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, NULL, driver, note, &s, &e),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0x10, (PVOID)&guid_a, driver,
                                                    note, &s, &e),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&guid_a, driver,
                                                    note, &s, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryReserved, 0, (PVOID)&guid_a, driver, note, &s, &e),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryTargetDeviceChange, 0, (PVOID)&guid_a, driver, note,
                                                    &s, &e),
                     STATUS_NOT_IMPLEMENTED);
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryHardwareProfileChange, 0, NULL, driver, note, &s, &e),
                     STATUS_NOT_IMPLEMENTED);
    assert_int_equal(owdf_verifier_report_count("IO_NOT_IMPLEMENTED"), 2);
    assert_int_equal(io_pnp_notification_count(), 0);

    int not_an_entry;
    assert_int_equal(IoUnregisterPlugPlayNotification(&not_an_entry), STATUS_INVALID_PARAMETER);
    assert_int_equal(owdf_verifier_report_count("IO_BAD_NOTIFICATION_ENTRY"), 1);
    PVOID good = listen(&guid_a, 0, &s);
    assert_int_equal(IoUnregisterPlugPlayNotification(good), STATUS_SUCCESS);
    assert_int_equal(IoUnregisterPlugPlayNotificationEx(good), STATUS_INVALID_PARAMETER); /* twice */
    assert_int_equal(owdf_verifier_report_count("IO_BAD_NOTIFICATION_ENTRY"), 2);
    assert_int_equal(io_test_stop_calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(link_names, setup, teardown),
        cmocka_unit_test_setup_teardown(instance_numbers_and_names, setup, teardown),
        cmocka_unit_test_setup_teardown(instance_id_from_the_pnp_layer, setup, teardown),
        cmocka_unit_test_setup_teardown(registration_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(enable_open_disable, setup, teardown),
        cmocka_unit_test_setup_teardown(reference_strings_share_the_link_object, setup, teardown),
        cmocka_unit_test_setup_teardown(enumeration, setup, teardown),
        cmocka_unit_test_setup_teardown(aliases, setup, teardown),
        cmocka_unit_test_setup_teardown(arrival_and_removal, setup, teardown),
        cmocka_unit_test_setup_teardown(existing_interfaces, setup, teardown),
        cmocka_unit_test_setup_teardown(deleted_device_loses_its_interfaces, setup, teardown),
        cmocka_unit_test_setup_teardown(reentrant_callbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(unregister_waits_for_a_running_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(notification_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
