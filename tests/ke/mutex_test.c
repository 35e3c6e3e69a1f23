/* KMUTEX: recursive ownership, release rules, hand-over between threads, abandonment at thread
 * exit, and APC disabling while owned. */
#include "ke_test.h"

static void recursive_ownership(void **state)
{
    (void)state;
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    assert_int_equal(KeReadStateMutex(&m), 1);
    assert_false(KeAreApcsDisabled());
    assert_int_equal(KeWaitForMutexObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    assert_int_equal(KeReadStateMutex(&m), 0);
    assert_ptr_equal(m.OwnerThread, KeGetCurrentThread());
    assert_true(KeAreApcsDisabled());
    assert_int_equal(kt_wait_ms(&m, 0), STATUS_WAIT_0); /* again: recursion */
    assert_int_equal(KeReadStateMutex(&m), -1);
    assert_int_equal(KeReleaseMutex(&m, FALSE), -1);
    assert_int_equal(KeReadStateMutex(&m), 0);
    assert_true(KeAreApcsDisabled());
    assert_int_equal(KeReleaseMutex(&m, FALSE), 0); /* zero: it is now signaled */
    assert_int_equal(KeReadStateMutex(&m), 1);
    assert_null(m.OwnerThread);
    assert_false(KeAreApcsDisabled());
    kt_assert_no_reports();
}

static void release_when_not_owned_is_reported(void **state)
{
    (void)state;
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    assert_int_equal(KeReleaseMutex(&m, FALSE), 1);
    kt_assert_reports("MUTANT_NOT_OWNED", 1);
    assert_non_null(strstr(kt_last_message("MUTANT_NOT_OWNED"), "it is not owned"));
    assert_int_equal(KeReadStateMutex(&m), 1);
    KMUTEX z;
    memset(&z, 0, sizeof z);
    KeReleaseMutex(&z, FALSE);
    kt_assert_reports("KE_OBJECT_NOT_INITIALIZED", 1);
}

struct owner {
    PRKMUTEX mutex;
    KEVENT acquired;
    KEVENT release;
    int exit_owning;    /* return without releasing */
    unsigned linger_ms; /* before that return */
    NTSTATUS status;
};

static void *owner_thread(void *arg)
{
    struct owner *o = arg;
    o->status = KeWaitForSingleObject(o->mutex, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&o->acquired, 0, FALSE);
    if (o->exit_owning) {
        kt_sleep_ms(o->linger_ms);
        return NULL;
    }
    KeWaitForSingleObject(&o->release, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(o->mutex, FALSE);
    return NULL;
}

static void release_by_other_thread_and_handover(void **state)
{
    (void)state;
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    struct owner o = {.mutex = &m};
    KeInitializeEvent(&o.acquired, NotificationEvent, FALSE);
    KeInitializeEvent(&o.release, NotificationEvent, FALSE);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, owner_thread, &o), 0);
    assert_int_equal(kt_wait_ms(&o.acquired, 5000), STATUS_WAIT_0);
    assert_int_equal(o.status, STATUS_WAIT_0);
    assert_int_equal(KeReleaseMutex(&m, FALSE), 0);
    kt_assert_reports("MUTANT_NOT_OWNED", 1);
    assert_non_null(strstr(kt_last_message("MUTANT_NOT_OWNED"), "another thread owns it"));
    assert_int_equal(kt_wait_ms(&m, 20), STATUS_TIMEOUT); /* still owned by the other thread */
    KeSetEvent(&o.release, 0, FALSE);
    assert_int_equal(kt_wait_ms(&m, 5000), STATUS_WAIT_0); /* handed over on release */
    assert_ptr_equal(m.OwnerThread, KeGetCurrentThread());
    pthread_join(th, NULL);
    KeReleaseMutex(&m, FALSE);
    assert_int_equal(KeReadStateMutex(&m), 1);
    kt_assert_reports(NULL, 1);
}

static void exit_while_owning_abandons(void **state)
{
    (void)state;
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    struct owner o = {.mutex = &m, .exit_owning = 1};
    KeInitializeEvent(&o.acquired, NotificationEvent, FALSE);
    KeInitializeEvent(&o.release, NotificationEvent, FALSE);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, owner_thread, &o), 0);
    pthread_join(th, NULL);
    kt_assert_reports("THREAD_EXIT_HELD_MUTEX", 1);
    assert_int_equal(KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_ABANDONED_WAIT_0);
    assert_ptr_equal(m.OwnerThread, KeGetCurrentThread());
    KeReleaseMutex(&m, FALSE);
    assert_int_equal(kt_wait_ms(&m, 0), STATUS_WAIT_0); /* abandonment is reported once */
    KeReleaseMutex(&m, FALSE);
}

static void *exit_owning_while_waited(void *arg)
{
    return owner_thread(arg);
}

static void abandoned_while_another_waits(void **state)
{
    (void)state;
    KMUTEX m;
    KEVENT other;
    KeInitializeMutex(&m, 0);
    KeInitializeEvent(&other, NotificationEvent, FALSE);
    struct owner o = {.mutex = &m, .exit_owning = 0};
    KeInitializeEvent(&o.acquired, NotificationEvent, FALSE);
    KeInitializeEvent(&o.release, NotificationEvent, FALSE);
    o.exit_owning = 1;
    o.linger_ms = 30; /* so that this thread is already waiting */
    pthread_t th;
    /* Hold the mutex on another thread first, then wait for it (WaitAny with an event) here. */
    assert_int_equal(pthread_create(&th, NULL, exit_owning_while_waited, &o), 0);
    assert_int_equal(kt_wait_ms(&o.acquired, 5000), STATUS_WAIT_0);
    PVOID objs[2] = {&other, &m};
    NTSTATUS st = KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
    pthread_join(th, NULL);
    assert_int_equal(st, STATUS_ABANDONED_WAIT_0 + 1);
    KeReleaseMutex(&m, FALSE);
    kt_assert_reports("THREAD_EXIT_HELD_MUTEX", 1);
}

static void apcs_disabled_while_owned_and_callback_check(void **state)
{
    (void)state;
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    ke_callback_frame f;
    ke_callback_enter(&f);
    KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL);
    assert_false(ke_callback_check_return(&f, "EvtHoldsMutex"));
    kt_assert_reports("LOCK_HELD_ON_CALLBACK_RETURN", 1);
    assert_string_equal(kt_last_message("LOCK_HELD_ON_CALLBACK_RETURN"),
                        "EvtHoldsMutex returned holding 0 spin lock(s) and 1 mutex(es) it acquired");
    KeReleaseMutex(&m, FALSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(recursive_ownership, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(release_when_not_owned_is_reported, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(release_by_other_thread_and_handover, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(exit_while_owning_abandons, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(abandoned_while_another_waits, kt_setup, kt_teardown),
        cmocka_unit_test_setup_teardown(apcs_disabled_while_owned_and_callback_check, kt_setup, kt_teardown),
    };
    return cmocka_run_group_tests_name("ke_mutex", tests, NULL, NULL);
}
