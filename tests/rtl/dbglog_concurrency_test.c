/* Concurrency tests for debug logs and DbgPrint: per-thread current logs, no lost or torn lines. */
#include "verifier_capture.h"

#include <pthread.h>
#include <stdio.h>

#include <wdm.h>
#include <openwdf/dbglog.h>

#define THREADS 4
#define LINES 500

static owdf_dbg_log *shared_log;
static owdf_dbg_log *own_logs[THREADS];

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < LINES; i++) {
        owdf_dbg_log_set_current(own_logs[id]);
        DbgPrint("thread %d own %d\n", id, i);
        owdf_dbg_log_set_current(shared_log);
        DbgPrint("thread %d shared %d\n", id, i);
    }
    owdf_dbg_log_set_current(NULL);
    return NULL;
}

static void threads_write_to_their_current_logs(void **state)
{
    (void)state;
    shared_log = owdf_dbg_log_create_ex("shared", THREADS * LINES);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        char name[16];
        snprintf(name, sizeof name, "own%d", i);
        own_logs[i] = owdf_dbg_log_create(name);
        pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(owdf_dbg_log_total_lines(shared_log), THREADS * LINES);
    for (int i = 0; i < THREADS; i++) {
        char needle[32];
        snprintf(needle, sizeof needle, "thread %d own", i);
        assert_int_equal(owdf_dbg_log_total_lines(own_logs[i]), LINES);
        assert_int_equal(owdf_dbg_log_count_matching(own_logs[i], "own"), LINES < 1024 ? LINES : 1024);
        assert_int_equal(owdf_dbg_log_count_matching(own_logs[i], needle), LINES);
        snprintf(needle, sizeof needle, "thread %d shared", i);
        assert_int_equal(owdf_dbg_log_count_matching(shared_log, needle), LINES);
        owdf_dbg_log_destroy(own_logs[i]);
    }
    owdf_dbg_log_destroy(shared_log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_write_to_their_current_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
