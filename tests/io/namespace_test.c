/* The object namespace: skeleton, insert/lookup/remove, case-insensitivity, syntax errors, device
 * remaining paths, symbolic link chains, loops and the reparse limit, directories, enumeration. */
#include "names_test.h"

static PDRIVER_OBJECT driver;
static ULONG baseline_entries;
static ULONG entry_delta; /* entries a test leaves on purpose (permanent directories) */

static int setup(void **state)
{
    io_test_setup(state);
    driver = tdrv_load("NsTest");
    baseline_entries = io_namespace_user_entry_count();
    entry_delta = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    assert_int_equal(io_object_live_count(IO_OB_DEVICE), 0);
    assert_int_equal(io_object_live_count(IO_OB_OTHER), 0);
    /* Only the driver's "\Driver\NsTest" entry was there at setup. */
    assert_int_equal(io_namespace_user_entry_count(), baseline_entries - 1 + entry_delta);
    return 0;
}

static PVOID new_object(void)
{
    PVOID o = io_object_allocate(IO_OB_OTHER, 16, NULL);
    assert_non_null(o);
    return o;
}

static NTSTATUS lookup(const char *name, ULONG flags, io_ns_result *r)
{
    return io_namespace_lookup(us(name), flags, r);
}

static io_object_kind kind_of(const char *name, ULONG flags)
{
    io_ns_result r;
    NTSTATUS status = lookup(name, flags, &r);
    if (!NT_SUCCESS(status))
        return IO_OBJ_NONE;
    io_object_kind k = r.kind;
    io_ns_result_release(&r);
    return k;
}

static void skeleton(void **state)
{
    (void)state;
    assert_int_equal(kind_of("\\", 0), IO_OBJ_DIRECTORY);
    assert_int_equal(kind_of("\\Device", 0), IO_OBJ_DIRECTORY);
    assert_int_equal(kind_of("\\Driver", 0), IO_OBJ_DIRECTORY);
    assert_int_equal(kind_of("\\GLOBAL??", 0), IO_OBJ_DIRECTORY);
    /* \?? and \DosDevices are links leading to \GLOBAL??. */
    assert_int_equal(kind_of("\\??", 0), IO_OBJ_DIRECTORY);
    assert_int_equal(kind_of("\\??", IO_NS_OPEN_LINK), IO_OBJ_SYMLINK);
    assert_int_equal(kind_of("\\DosDevices", 0), IO_OBJ_DIRECTORY);
    assert_int_equal(kind_of("\\DosDevices", IO_NS_OPEN_LINK), IO_OBJ_SYMLINK);
    UNICODE_STRING target;
    assert_int_equal(io_namespace_query_link(us("\\DosDevices"), &target), STATUS_SUCCESS);
    assert_true(us_equals(&target, "\\??"));
    RtlFreeUnicodeString(&target);
    /* The loaded driver is named too. */
    io_ns_result r;
    assert_int_equal(lookup("\\Driver\\NsTest", 0, &r), STATUS_SUCCESS);
    assert_int_equal(r.kind, IO_OBJ_DRIVER);
    assert_ptr_equal(r.object, driver);
    io_ns_result_release(&r);
}

static void insert_lookup_remove(void **state)
{
    (void)state;
    PVOID o = new_object();
    assert_int_equal(io_namespace_insert(us("\\Device\\Thing"), IO_OBJ_OTHER, o), STATUS_SUCCESS);
    assert_int_equal(io_namespace_user_entry_count(), baseline_entries + 1);
    io_ns_result r;
    assert_int_equal(lookup("\\Device\\Thing", 0, &r), STATUS_SUCCESS);
    assert_int_equal(r.kind, IO_OBJ_OTHER);
    assert_ptr_equal(r.object, o);
    assert_int_equal(io_object_reference_count(o), 2); /* the lookup's reference */
    io_ns_result_release(&r);
    assert_int_equal(io_object_reference_count(o), 1);
    /* Case-insensitive, both for lookups and collisions. */
    assert_int_equal(lookup("\\DEVICE\\tHiNg", 0, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, o);
    io_ns_result_release(&r);
    PVOID o2 = new_object();
    assert_int_equal(io_namespace_insert(us("\\device\\THING"), IO_OBJ_OTHER, o2), STATUS_OBJECT_NAME_COLLISION);
    /* Removing checks the object. */
    assert_int_equal(io_namespace_remove(us("\\Device\\Thing"), o2), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(io_namespace_remove(us("\\Device\\thing"), o), STATUS_SUCCESS);
    assert_int_equal(lookup("\\Device\\Thing", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_namespace_remove(us("\\Device\\Thing"), o), STATUS_OBJECT_NAME_NOT_FOUND);
    /* The name is free again. */
    assert_int_equal(io_namespace_insert(us("\\Device\\Thing"), IO_OBJ_OTHER, o2), STATUS_SUCCESS);
    assert_int_equal(io_namespace_remove(us("\\Device\\Thing"), NULL), STATUS_SUCCESS);
    ObDereferenceObject(o);
    ObDereferenceObject(o2);
}

static void non_ascii_names_fold(void **state)
{
    (void)state;
    PVOID o = new_object();
    WCHAR upper[] = L"\\Device\\\x00C9T\x00C9";  /* ÉTÉ */
    WCHAR lower[] = L"\\device\\\x00E9t\x00E9";  /* été */
    UNICODE_STRING u = {sizeof upper - 2, sizeof upper, upper};
    UNICODE_STRING l = {sizeof lower - 2, sizeof lower, lower};
    assert_int_equal(io_namespace_insert(&u, IO_OBJ_OTHER, o), STATUS_SUCCESS);
    io_ns_result r;
    assert_int_equal(io_namespace_lookup(&l, 0, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, o);
    io_ns_result_release(&r);
    assert_int_equal(io_namespace_remove(&l, o), STATUS_SUCCESS);
    ObDereferenceObject(o);
}

static void syntax_errors(void **state)
{
    (void)state;
    io_ns_result r;
    assert_int_equal(lookup("", 0, &r), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(lookup("Device\\X", 0, &r), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(lookup("\\Device\\\\X", 0, &r), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(lookup("\\Device\\", 0, &r), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(lookup("\\\\", 0, &r), STATUS_OBJECT_NAME_INVALID);
    UNICODE_STRING odd = *us("\\Device\\X");
    odd.Length = 3;
    assert_int_equal(io_namespace_lookup(&odd, 0, &r), STATUS_OBJECT_NAME_INVALID);
    UNICODE_STRING null_buffer = {4, 4, NULL};
    assert_int_equal(io_namespace_lookup(&null_buffer, 0, &r), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(io_namespace_lookup(NULL, 0, &r), STATUS_INVALID_PARAMETER);
    assert_int_equal(io_namespace_lookup(us("\\Device"), 0, NULL), STATUS_INVALID_PARAMETER);
    PVOID o = new_object();
    assert_int_equal(io_namespace_insert(us("NoSlash"), IO_OBJ_OTHER, o), STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert_int_equal(io_namespace_insert(us("\\Device\\"), IO_OBJ_OTHER, o), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(io_namespace_insert(us("\\"), IO_OBJ_OTHER, o), STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(io_namespace_insert(us("\\Device\\Y"), IO_OBJ_DIRECTORY, o), STATUS_INVALID_PARAMETER);
    assert_int_equal(io_namespace_insert(us("\\Device\\Y"), IO_OBJ_OTHER, NULL), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(o);
}

static void not_found_errors(void **state)
{
    (void)state;
    io_ns_result r;
    assert_int_equal(lookup("\\Device\\Missing", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(lookup("\\NoSuchDir\\X", 0, &r), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(lookup("\\NoSuchDir\\X\\Y", 0, &r), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(lookup("\\Device\\Missing\\X", 0, &r), STATUS_OBJECT_PATH_NOT_FOUND);
    PVOID o = new_object();
    assert_int_equal(io_namespace_insert(us("\\NoSuchDir\\X"), IO_OBJ_OTHER, o), STATUS_OBJECT_PATH_NOT_FOUND);
    /* Below an object that is neither a directory nor a device. */
    assert_int_equal(io_namespace_insert(us("\\Device\\Leaf"), IO_OBJ_OTHER, o), STATUS_SUCCESS);
    assert_int_equal(lookup("\\Device\\Leaf\\X", 0, &r), STATUS_OBJECT_TYPE_MISMATCH);
    PVOID o2 = new_object();
    assert_int_equal(io_namespace_insert(us("\\Device\\Leaf\\X"), IO_OBJ_OTHER, o2), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(io_namespace_remove(us("\\Device\\Leaf"), o), STATUS_SUCCESS);
    /* Built-in names stay. */
    assert_int_equal(io_namespace_delete_link(us("\\DosDevices")), STATUS_ACCESS_DENIED);
    assert_int_equal(io_namespace_remove(us("\\Device"), NULL), STATUS_ACCESS_DENIED);
    assert_int_equal(io_namespace_remove(us("\\"), NULL), STATUS_OBJECT_TYPE_MISMATCH);
    ObDereferenceObject(o);
    ObDereferenceObject(o2);
}

static void device_remaining_path(void **state)
{
    (void)state;
    tdev *t = tdev_create(driver, "\\Device\\NsDev", 0, FALSE);
    io_ns_result r;
    assert_int_equal(lookup("\\Device\\NsDev\\a\\b", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_int_equal(r.kind, IO_OBJ_DEVICE);
    assert_ptr_equal(r.object, t->device);
    assert_true(us_equals(&r.remaining, "\\a\\b"));
    assert_int_equal(r.remaining.Buffer[r.remaining.Length / 2], 0); /* terminated */
    io_ns_result_release(&r);
    assert_int_equal(lookup("\\Device\\NsDev\\", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_true(us_equals(&r.remaining, "\\"));
    io_ns_result_release(&r);
    assert_int_equal(lookup("\\Device\\NsDev", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_null(r.remaining.Buffer);
    io_ns_result_release(&r);
    /* Without WANT_REMAINING nothing is allocated. */
    assert_int_equal(lookup("\\Device\\nsdev\\x", 0, &r), STATUS_SUCCESS);
    assert_null(r.remaining.Buffer);
    io_ns_result_release(&r);
    /* No inserting below a device. */
    PVOID o = new_object();
    assert_int_equal(io_namespace_insert(us("\\Device\\NsDev\\Sub"), IO_OBJ_OTHER, o), STATUS_OBJECT_TYPE_MISMATCH);
    ObDereferenceObject(o);
    tdev_delete(t);
    assert_int_equal(lookup("\\Device\\NsDev", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void link_chains(void **state)
{
    (void)state;
    tdev *t = tdev_create(driver, "\\Device\\ChainDev", 0, FALSE);
    assert_int_equal(io_namespace_create_link(us("\\??\\B"), us("\\Device\\ChainDev")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_create_link(us("\\DosDevices\\A"), us("\\??\\B")), STATUS_SUCCESS);
    io_ns_result r;
    assert_int_equal(lookup("\\??\\A", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, t->device);
    assert_null(r.remaining.Buffer);
    io_ns_result_release(&r);
    assert_int_equal(lookup("\\GLOBAL??\\a\\sub\\file", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, t->device);
    assert_true(us_equals(&r.remaining, "\\sub\\file"));
    io_ns_result_release(&r);
    /* GLOBALROOT leads back to the root. */
    assert_int_equal(lookup("\\??\\GLOBALROOT\\Device\\ChainDev\\x", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, t->device);
    assert_true(us_equals(&r.remaining, "\\x"));
    io_ns_result_release(&r);
    /* The link itself, with OPEN_LINK. */
    assert_int_equal(lookup("\\??\\A", IO_NS_OPEN_LINK, &r), STATUS_SUCCESS);
    assert_int_equal(r.kind, IO_OBJ_SYMLINK);
    assert_null(r.object);
    io_ns_result_release(&r);
    /* A link to a directory works as the directory. */
    assert_int_equal(io_namespace_create_link(us("\\??\\Devs"), us("\\Device")), STATUS_SUCCESS);
    assert_int_equal(lookup("\\??\\Devs\\ChainDev", 0, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, t->device);
    io_ns_result_release(&r);
    /* Dangling once the device goes. */
    tdev_delete(t);
    assert_int_equal(lookup("\\??\\A", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(lookup("\\??\\A\\x", 0, &r), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(io_namespace_delete_link(us("\\??\\A")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_delete_link(us("\\GLOBAL??\\b")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_delete_link(us("\\??\\Devs")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_delete_link(us("\\??\\Devs")), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void link_loops_and_reparse_limit(void **state)
{
    (void)state;
    io_ns_result r;
    assert_int_equal(io_namespace_create_link(us("\\GLOBAL??\\Self"), us("\\GLOBAL??\\Self")), STATUS_SUCCESS);
    assert_int_equal(lookup("\\GLOBAL??\\Self", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_namespace_create_link(us("\\GLOBAL??\\L1"), us("\\??\\L2")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_create_link(us("\\GLOBAL??\\L2"), us("\\DosDevices\\L1")), STATUS_SUCCESS);
    assert_int_equal(lookup("\\??\\L1\\x", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_namespace_delete_link(us("\\??\\Self")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_delete_link(us("\\??\\L1")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_delete_link(us("\\??\\L2")), STATUS_SUCCESS);

    /* C0 -> C1 -> ... -> C(n-1) -> \Device\Deep: n reparses from "\GLOBAL??\C0". */
    tdev *t = tdev_create(driver, "\\Device\\Deep", 0, FALSE);
    char name[64], target[64];
    for (int i = 0; i < IO_NS_MAX_REPARSE + 1; i++) {
        snprintf(name, sizeof name, "\\GLOBAL??\\C%d", i);
        if (i == IO_NS_MAX_REPARSE)
            snprintf(target, sizeof target, "\\Device\\Deep");
        else
            snprintf(target, sizeof target, "\\GLOBAL??\\C%d", i + 1);
        assert_int_equal(io_namespace_create_link(us(name), us(target)), STATUS_SUCCESS);
    }
    assert_int_equal(lookup("\\GLOBAL??\\C1", 0, &r), STATUS_SUCCESS); /* exactly the limit */
    assert_ptr_equal(r.object, t->device);
    io_ns_result_release(&r);
    assert_int_equal(lookup("\\GLOBAL??\\C0", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND); /* one more */
    for (int i = 0; i < IO_NS_MAX_REPARSE + 1; i++) {
        snprintf(name, sizeof name, "\\GLOBAL??\\C%d", i);
        assert_int_equal(io_namespace_delete_link(us(name)), STATUS_SUCCESS);
    }
    tdev_delete(t);
}

/* A heap UNICODE_STRING for texts longer than us() holds; free() it. */
static PUNICODE_STRING us_alloc(const char *text)
{
    size_t n = strlen(text);
    PUNICODE_STRING s = malloc(sizeof(*s) + (n + 1) * sizeof(WCHAR));
    assert_non_null(s);
    io_test_init_unicode(s, (WCHAR *)(s + 1), text);
    return s;
}

static void long_reparsed_names(void **state)
{
    (void)state;
    tdev *t = tdev_create(driver, "\\Device\\LongDev", 0, FALSE);
    /* Targets longer than the walk's inline buffer: chains of "\GLOBAL??\GLOBALROOT" (one reparse
     * each, back to the root) before the device's name. */
    static char target[4096];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(target + n, sizeof target - n, "\\GLOBAL??\\GLOBALROOT");
    snprintf(target + n, sizeof target - n, "\\Device\\LongDev");
    /* That target reparses 100 times: over the limit. */
    PUNICODE_STRING long_target = us_alloc(target);
    assert_int_equal(io_namespace_create_link(us("\\??\\TooDeep"), long_target), STATUS_SUCCESS);
    free(long_target);
    io_ns_result r;
    assert_int_equal(lookup("\\??\\TooDeep", 0, &r), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_namespace_delete_link(us("\\??\\TooDeep")), STATUS_SUCCESS);
    /* A long target within the limit (20 reparses, > 256 characters). */
    n = 0;
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(target + n, sizeof target - n, "\\GLOBAL??\\GLOBALROOT");
    snprintf(target + n, sizeof target - n, "\\Device\\LongDev");
    assert_true(strlen(target) > 256);
    long_target = us_alloc(target);
    assert_int_equal(io_namespace_create_link(us("\\??\\Longish"), long_target), STATUS_SUCCESS);
    free(long_target);
    assert_int_equal(lookup("\\??\\Longish\\tail", IO_NS_WANT_REMAINING, &r), STATUS_SUCCESS);
    assert_ptr_equal(r.object, t->device);
    assert_true(us_equals(&r.remaining, "\\tail"));
    io_ns_result_release(&r);
    assert_int_equal(io_namespace_delete_link(us("\\??\\Longish")), STATUS_SUCCESS);

    /* target + rest over 32767 characters. */
    WCHAR *big = malloc(32000 * sizeof(WCHAR));
    assert_non_null(big);
    big[0] = L'\\';
    for (int i = 1; i < 32000; i++)
        big[i] = L'x';
    UNICODE_STRING bt = {32000 * sizeof(WCHAR), 32000 * sizeof(WCHAR), big};
    assert_int_equal(io_namespace_create_link(us("\\??\\Big"), &bt), STATUS_SUCCESS);
    WCHAR *probe = malloc(2000 * sizeof(WCHAR));
    assert_non_null(probe);
    const char *head = "\\??\\Big\\";
    size_t hl = strlen(head);
    for (size_t i = 0; i < 2000; i++)
        probe[i] = i < hl ? (WCHAR)head[i] : L'y';
    UNICODE_STRING pn = {2000 * sizeof(WCHAR), 2000 * sizeof(WCHAR), probe};
    assert_int_equal(io_namespace_lookup(&pn, 0, &r), STATUS_NAME_TOO_LONG);
    free(probe);
    free(big);
    assert_int_equal(io_namespace_delete_link(us("\\??\\Big")), STATUS_SUCCESS);
    tdev_delete(t);
}

static void query_and_delete_link_errors(void **state)
{
    (void)state;
    UNICODE_STRING target;
    assert_int_equal(io_namespace_query_link(us("\\??\\Nope"), &target), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_namespace_query_link(us("\\Device"), &target), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(io_namespace_query_link(us("\\Device"), NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(io_namespace_delete_link(us("\\Device")), STATUS_ACCESS_DENIED);
    assert_int_equal(io_namespace_delete_link(us("\\Driver\\NsTest")), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(io_namespace_create_link(us("\\??\\Q"), NULL), STATUS_INVALID_PARAMETER);
    assert_int_equal(io_namespace_create_link(us("\\??\\Q"), us("\\Device\\Whatever")), STATUS_SUCCESS);
    assert_int_equal(io_namespace_create_link(us("\\DosDevices\\q"), us("\\Device\\Other")),
                     STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(io_namespace_query_link(us("\\GLOBAL??\\Q"), &target), STATUS_SUCCESS);
    assert_true(us_equals(&target, "\\Device\\Whatever"));
    RtlFreeUnicodeString(&target);
    /* Removing a link as an object is refused. */
    assert_int_equal(io_namespace_remove(us("\\??\\Q"), NULL), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(io_namespace_delete_link(us("\\??\\Q")), STATUS_SUCCESS);
}

static void directories(void **state)
{
    (void)state;
    assert_int_equal(io_namespace_create_directory(us("\\NsTestDir")), STATUS_SUCCESS);
    entry_delta = 1;
    assert_int_equal(io_namespace_create_directory(us("\\nstestdir")), STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(io_namespace_create_directory(us("\\Missing\\Dir")), STATUS_OBJECT_PATH_NOT_FOUND);
    PVOID o = new_object();
    assert_int_equal(io_namespace_insert(us("\\NsTestDir\\Obj"), IO_OBJ_OTHER, o), STATUS_SUCCESS);
    assert_int_equal(kind_of("\\NsTestDir", 0), IO_OBJ_DIRECTORY);
    assert_int_equal(kind_of("\\NsTestDir\\obj", 0), IO_OBJ_OTHER);
    assert_int_equal(io_namespace_remove(us("\\NsTestDir\\Obj"), o), STATUS_SUCCESS);
    ObDereferenceObject(o);
    /* Directories cannot be removed (they are permanent); the test's stays for the process. */
}

struct enum_seen {
    int devices;
    int found_ours;
};

static void enum_fn(PCUNICODE_STRING name, io_object_kind kind, PVOID object, void *context)
{
    struct enum_seen *seen = context;
    (void)object;
    if (kind == IO_OBJ_DEVICE)
        seen->devices++;
    if (us_equals(name, "EnumDev"))
        seen->found_ours = 1;
}

static void enumerate(void **state)
{
    (void)state;
    tdev *t = tdev_create(driver, "\\Device\\EnumDev", 0, FALSE);
    struct enum_seen seen = {0};
    assert_int_equal(io_namespace_enumerate(us("\\Device"), enum_fn, &seen), STATUS_SUCCESS);
    assert_int_equal(seen.devices, 1);
    assert_true(seen.found_ours);
    assert_int_equal(io_namespace_enumerate(us("\\Device\\EnumDev"), enum_fn, &seen), STATUS_OBJECT_TYPE_MISMATCH);
    assert_int_equal(io_namespace_enumerate(us("\\Nope"), enum_fn, &seen), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(io_namespace_enumerate(us("\\Device"), NULL, &seen), STATUS_INVALID_PARAMETER);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(io_namespace_enumerate(us("\\DosDevices"), enum_fn, &seen), STATUS_SUCCESS);
    tdev_delete(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(skeleton, setup, teardown),
        cmocka_unit_test_setup_teardown(insert_lookup_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(non_ascii_names_fold, setup, teardown),
        cmocka_unit_test_setup_teardown(syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(not_found_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(device_remaining_path, setup, teardown),
        cmocka_unit_test_setup_teardown(link_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(link_loops_and_reparse_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(long_reparsed_names, setup, teardown),
        cmocka_unit_test_setup_teardown(query_and_delete_link_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(directories, setup, teardown),
        cmocka_unit_test_setup_teardown(enumerate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
