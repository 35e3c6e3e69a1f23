/* Several threads on one device: open/IO/close storms, handles closed while other threads use
 * them, asynchronous requests raced by cancels and completions (each callback exactly once), and
 * an interface switched on and off while others open it. Meant for ThreadSanitizer as much as for
 * its assertions; kept short (2 CPUs). */
#include "names_test.h"

#include <wdmguid.h>

#define THREADS 4

static PDRIVER_OBJECT driver;
static tdev *dev;
static owdf_pool_mark mark;

static int setup(void **state)
{
    io_test_setup(state);
    mark = owdf_pool_mark_now();
    driver = tdrv_load("ConcTest");
    dev = tdev_create(driver, "\\Device\\ConcDev", DO_BUFFERED_IO, FALSE);
    dev->stateless = TRUE;
    assert_int_equal(IoCreateSymbolicLink(us("\\DosDevices\\ConcLink"), us("\\Device\\ConcDev")), STATUS_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_user_open_handle_count(), 0);
    for (int i = 0; i < 5000 && owdf_user_live_file_count() != 0; i++)
        sleep_ms(1);
    assert_int_equal(owdf_user_live_file_count(), 0);
    assert_int_equal(IoDeleteSymbolicLink(us("\\DosDevices\\ConcLink")), STATUS_SUCCESS);
    tdev_delete(dev);
    assert_int_equal(owdf_io_unload_driver(driver), STATUS_SUCCESS);
    io_irp_cache_trim();
    assert_int_equal(owdf_pool_leak_report(stderr, mark), 0);
    return 0;
}

static void run_threads(void *(*fn)(void *), void *arg, int n)
{
    pthread_t t[THREADS + 2];
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fn, arg), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

/* ---- open / IO / close ------------------------------------------------------------------------ */

static volatile LONG storm_failures;

static void *storm_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < 150; i++) {
        HANDLE h;
        if (owdf_user_open(i & 1 ? "\\\\.\\ConcLink" : "\\Device\\ConcDev", GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, 0, &h) != STATUS_SUCCESS) {
            __atomic_add_fetch(&storm_failures, 1, __ATOMIC_RELAXED);
            continue;
        }
        char buf[16] = "0123456789";
        UCHAR out[4];
        ULONG n;
        if (owdf_user_write(h, buf, 10, NULL, &n) != STATUS_SUCCESS || n != 10 ||
            owdf_user_read(h, buf, sizeof buf, NULL, &n) != STATUS_SUCCESS ||
            owdf_user_ioctl(h, TDRV_IOCTL_BUFFERED, buf, 4, out, 4, &n) != STATUS_SUCCESS || n != 4 ||
            out[0] != '1')
            __atomic_add_fetch(&storm_failures, 1, __ATOMIC_RELAXED);
        if (owdf_user_close(h) != STATUS_SUCCESS)
            __atomic_add_fetch(&storm_failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void open_io_close_storm(void **state)
{
    (void)state;
    storm_failures = 0;
    run_threads(storm_main, NULL, THREADS);
    assert_int_equal(storm_failures, 0);
    assert_int_equal(dev->device->ReferenceCount, 0);
}

/* ---- handles closed under other threads' feet ------------------------------------------------- */

static volatile HANDLE shared_handle;
static volatile LONG race_stop, race_bad;

static void *user_of_shared_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
        HANDLE h = __atomic_load_n(&shared_handle, __ATOMIC_ACQUIRE);
        UCHAR in = 1, out = 0;
        NTSTATUS status = owdf_user_ioctl(h, TDRV_IOCTL_BUFFERED, &in, 1, &out, 1, NULL);
        if (status == STATUS_SUCCESS ? out != 2 : (status != STATUS_INVALID_HANDLE && status != STATUS_FILE_CLOSED))
            __atomic_add_fetch(&race_bad, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void handles_closed_while_in_use(void **state)
{
    (void)state;
    race_stop = race_bad = 0;
    HANDLE h;
    assert_int_equal(owdf_user_open("\\Device\\ConcDev", GENERIC_READ, 0, 0, &h), STATUS_SUCCESS);
    __atomic_store_n(&shared_handle, h, __ATOMIC_RELEASE);
    pthread_t t[THREADS - 1];
    for (int i = 0; i < THREADS - 1; i++)
        assert_int_equal(pthread_create(&t[i], NULL, user_of_shared_main, NULL), 0);
    for (int i = 0; i < 100; i++) {
        HANDLE next;
        assert_int_equal(owdf_user_open("\\Device\\ConcDev", GENERIC_READ, 0, 0, &next), STATUS_SUCCESS);
        HANDLE old = __atomic_exchange_n(&shared_handle, next, __ATOMIC_ACQ_REL);
        assert_int_equal(owdf_user_close(old), STATUS_SUCCESS);
    }
    __atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < THREADS - 1; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(owdf_user_close(__atomic_load_n(&shared_handle, __ATOMIC_ACQUIRE)), STATUS_SUCCESS);
    assert_int_equal(race_bad, 0);
}

/* ---- async requests, cancels and completions -------------------------------------------------- */

#define ASYNC_PER_THREAD 60

struct slot {
    owdf_user_io io;
    volatile LONG calls;
};

static HANDLE async_handle;
static volatile LONG async_pending, async_inline, async_stop, async_bad;

static void slot_cb(owdf_user_io *io, void *context)
{
    struct slot *s = context;
    if (io->status != STATUS_CANCELLED && io->status != STATUS_SUCCESS)
        __atomic_add_fetch(&async_bad, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->calls, 1, __ATOMIC_ACQ_REL);
}

static void *async_issuer_main(void *arg)
{
    struct slot *slots = arg;
    for (int i = 0; i < ASYNC_PER_THREAD; i++) {
        owdf_user_io_init(&slots[i].io, slot_cb, &slots[i]);
        NTSTATUS status = owdf_user_ioctl_async(async_handle, TDRV_IOCTL_PEND, NULL, 0, NULL, 0, &slots[i].io);
        if (status == STATUS_PENDING)
            __atomic_add_fetch(&async_pending, 1, __ATOMIC_RELAXED);
        else if (status == STATUS_CANCELLED || status == STATUS_SUCCESS) /* ended before we returned */
            __atomic_add_fetch(&async_inline, 1, __ATOMIC_RELAXED);
        else
            __atomic_add_fetch(&async_bad, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *async_canceller_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&async_stop, __ATOMIC_ACQUIRE)) {
        NTSTATUS status = owdf_user_cancel(async_handle, NULL);
        if (status != STATUS_SUCCESS && status != STATUS_NOT_FOUND)
            __atomic_add_fetch(&async_bad, 1, __ATOMIC_RELAXED);
        sched_yield();
    }
    return NULL;
}

static void *async_completer_main(void *arg)
{
    (void)arg;
    int i = 0;
    while (!__atomic_load_n(&async_stop, __ATOMIC_ACQUIRE)) {
        if (!tdrv_complete_one(dev, STATUS_SUCCESS, 0, (i++ & 1) != 0))
            sched_yield();
    }
    return NULL;
}

static void async_cancel_and_complete_races(void **state)
{
    (void)state;
    async_pending = async_inline = async_stop = async_bad = 0;
    assert_int_equal(owdf_user_open("\\Device\\ConcDev", GENERIC_READ, 0, OWDF_USER_OVERLAPPED, &async_handle),
                     STATUS_SUCCESS);
    static struct slot slots[2][ASYNC_PER_THREAD];
    memset(slots, 0, sizeof slots);
    pthread_t issuers[2], canceller, completer;
    assert_int_equal(pthread_create(&canceller, NULL, async_canceller_main, NULL), 0);
    assert_int_equal(pthread_create(&completer, NULL, async_completer_main, NULL), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&issuers[i], NULL, async_issuer_main, slots[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(issuers[i], NULL), 0);
    /* Let the rest finish, then close (which cancels whatever is left). */
    sleep_ms(20);
    __atomic_store_n(&async_stop, 1, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(canceller, NULL), 0);
    assert_int_equal(pthread_join(completer, NULL), 0);
    assert_int_equal(owdf_user_close(async_handle), STATUS_SUCCESS);
    assert_int_equal(async_bad, 0);
    assert_int_equal(async_pending + async_inline, 2 * ASYNC_PER_THREAD);
    /* Every request that returned STATUS_PENDING got exactly one callback; the others none. */
    LONG callbacks = 0;
    for (int w = 0; w < 5000; w++) {
        callbacks = 0;
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < ASYNC_PER_THREAD; i++) {
                LONG c = __atomic_load_n(&slots[t][i].calls, __ATOMIC_ACQUIRE);
                assert_true(c <= 1);
                callbacks += c;
            }
        }
        if (callbacks >= async_pending)
            break;
        sleep_ms(1);
    }
    assert_int_equal(callbacks, async_pending);
    assert_int_equal(dev->pending_count, 0);
}

/* ---- an interface switched on and off while others open it ------------------------------------ */

static const GUID conc_guid = {0x0badf00d, 0x1111, 0x2222, {0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66}};
static volatile LONG iface_stop, iface_bad, iface_opened, arrivals, removals;

static NTSTATUS count_note(PVOID structure, PVOID context)
{
    (void)context;
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION n = structure;
    if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_ARRIVAL))
        __atomic_add_fetch(&arrivals, 1, __ATOMIC_RELAXED);
    else
        __atomic_add_fetch(&removals, 1, __ATOMIC_RELAXED);
    return STATUS_SUCCESS;
}

static void *iface_opener_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&iface_stop, __ATOMIC_ACQUIRE)) {
        HANDLE h;
        NTSTATUS status = owdf_user_open_interface(&conc_guid, 0, GENERIC_READ, 0, 0, &h);
        if (status == STATUS_SUCCESS) {
            __atomic_add_fetch(&iface_opened, 1, __ATOMIC_RELAXED);
            if (owdf_user_close(h) != STATUS_SUCCESS)
                __atomic_add_fetch(&iface_bad, 1, __ATOMIC_RELAXED);
        } else if (status != STATUS_NO_MORE_ENTRIES && status != STATUS_OBJECT_NAME_NOT_FOUND) {
            __atomic_add_fetch(&iface_bad, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void interface_toggled_while_opened(void **state)
{
    (void)state;
    iface_stop = iface_bad = iface_opened = arrivals = removals = 0;
    UNICODE_STRING link;
    assert_int_equal(IoRegisterDeviceInterface(dev->device, &conc_guid, NULL, &link), STATUS_SUCCESS);
    PVOID entry;
    assert_int_equal(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, (PVOID)&conc_guid, driver,
                                                    count_note, NULL, &entry),
                     STATUS_SUCCESS);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, iface_opener_main, NULL), 0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(IoSetDeviceInterfaceState(&link, TRUE), STATUS_SUCCESS);
        sched_yield();
        assert_int_equal(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    }
    __atomic_store_n(&iface_stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
    assert_int_equal(iface_bad, 0);
    assert_int_equal(arrivals, 100);
    assert_int_equal(removals, 100);
    RtlFreeUnicodeString(&link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(open_io_close_storm, setup, teardown),
        cmocka_unit_test_setup_teardown(handles_closed_while_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(async_cancel_and_complete_races, setup, teardown),
        cmocka_unit_test_setup_teardown(interface_toggled_while_opened, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
