/* Unit tests for the in-flight recorder: recording, wrap-around, per-driver lookup, concurrency. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fx_ifr.h"

static void records_are_kept_in_order_and_named(void **state)
{
    (void)state;
    struct fx_ifr *ifr = fx_ifr_create("IfrOrder", 16);
    assert_non_null(ifr);
    fx_ifr_record(ifr, OWDF_IFR_REQUEST_PRESENTED, (void *)0x15, 1, 2);
    fx_ifr_printf(ifr, OWDF_IFR_TRACE, NULL, "hello %d", 42);
    owdf_ifr_record r[4];
    assert_int_equal(owdf_ifr_snapshot("IfrOrder", r, 4), 2);
    assert_int_equal(r[0].event, OWDF_IFR_REQUEST_PRESENTED);
    assert_int_equal(r[0].object, 0x15);
    assert_int_equal(r[0].arg2, 2);
    assert_string_equal(r[1].text, "hello 42");
    assert_true(r[1].sequence == r[0].sequence + 1);
    assert_int_equal(owdf_ifr_count("IfrOrder", OWDF_IFR_TRACE), 1);
    assert_int_equal(owdf_ifr_count("NoSuchDriver", 0), 0);
    char buffer[1024] = {0};
    FILE *out = fmemopen(buffer, sizeof buffer - 1, "w");
    assert_int_equal(owdf_ifr_dump("IfrOrder", out, 0), 2);
    fclose(out);
    assert_non_null(strstr(buffer, "request-presented"));
    assert_non_null(strstr(buffer, "hello 42"));
    fx_ifr_destroy(ifr);
    assert_int_equal(owdf_ifr_count("IfrOrder", 0), 0);
}

static void ring_keeps_the_newest(void **state)
{
    (void)state;
    struct fx_ifr *ifr = fx_ifr_create("IfrWrap", 8);
    for (uintptr_t i = 1; i <= 20; i++)
        fx_ifr_record(ifr, OWDF_IFR_REQUEST_COMPLETED, NULL, i, 0);
    owdf_ifr_record r[16];
    assert_int_equal(owdf_ifr_snapshot("IfrWrap", r, 16), 8);
    assert_int_equal(r[0].arg1, 13);
    assert_int_equal(r[7].arg1, 20);
    fx_ifr_record(NULL, OWDF_IFR_TRACE, NULL, 0, 0); /* no recorder: nothing happens */
    fx_ifr_destroy(ifr);
}

/* A request completed inside its presentation: stored as one record, read as its two. */
static void completion_inside_the_presentation_reads_as_two_records(void **state)
{
    (void)state;
    struct fx_ifr *ifr = fx_ifr_create("IfrMerge", 16);
    void *request = (void *)0x25, *queue = (void *)0x35;
    fx_ifr_record_presenting(ifr, request, 3, queue, fx_ifr_ticks());
    fx_ifr_record(ifr, OWDF_IFR_REQUEST_COMPLETED, request, 0xC0000120, 7);
    fx_ifr_presentation_end(request);
    owdf_ifr_record r[4];
    assert_int_equal(owdf_ifr_snapshot("IfrMerge", r, 4), 2);
    assert_int_equal(r[0].event, OWDF_IFR_REQUEST_PRESENTED);
    assert_int_equal(r[0].object, 0x25);
    assert_int_equal(r[0].arg1, 3);
    assert_int_equal(r[0].arg2, 0x35);
    assert_string_equal(r[0].text, "");
    assert_int_equal(r[1].event, OWDF_IFR_REQUEST_COMPLETED);
    assert_int_equal(r[1].object, 0x25);
    assert_int_equal(r[1].arg1, 0xC0000120);
    assert_int_equal(r[1].arg2, 7);
    assert_true(r[1].time_ns == r[0].time_ns); /* the presentation's time */
    assert_int_equal(r[0].sequence, 1);
    assert_int_equal(r[1].sequence, 2);
    assert_int_equal(owdf_ifr_count("IfrMerge", 0), 2);
    assert_int_equal(owdf_ifr_count("IfrMerge", OWDF_IFR_REQUEST_PRESENTED), 1);
    assert_int_equal(owdf_ifr_count("IfrMerge", OWDF_IFR_REQUEST_COMPLETED), 1);
    char buffer[1024] = {0};
    FILE *out = fmemopen(buffer, sizeof buffer - 1, "w");
    assert_int_equal(owdf_ifr_dump("IfrMerge", out, 0), 2);
    fclose(out);
    assert_non_null(strstr(buffer, "request-completed"));
    assert_non_null(strstr(buffer, "0x25 0xc0000120 0x7"));
    fx_ifr_destroy(ifr);
}

/* Something recorded in between, another request's completion, or a completion after the callback
 * returned: separate records, in order. */
static void other_completions_get_records_of_their_own(void **state)
{
    (void)state;
    struct fx_ifr *ifr = fx_ifr_create("IfrApart", 16);
    void *a = (void *)0xa0, *b = (void *)0xb0;
    fx_ifr_record_presenting(ifr, a, 3, NULL, fx_ifr_ticks());
    fx_ifr_printf(ifr, OWDF_IFR_TRACE, a, "inside");
    fx_ifr_record(ifr, OWDF_IFR_REQUEST_COMPLETED, a, 0, 1);
    fx_ifr_presentation_end(a);
    fx_ifr_record_presenting(ifr, b, 4, NULL, fx_ifr_ticks());
    fx_ifr_record(ifr, OWDF_IFR_REQUEST_COMPLETED, a, 0, 2); /* not the one being presented */
    fx_ifr_presentation_end(b);
    fx_ifr_record(ifr, OWDF_IFR_REQUEST_COMPLETED, b, 0, 3); /* after its callback returned */
    owdf_ifr_record r[8];
    assert_int_equal(owdf_ifr_snapshot("IfrApart", r, 8), 6);
    const owdf_ifr_event expected[] = {OWDF_IFR_REQUEST_PRESENTED, OWDF_IFR_TRACE,
                                       OWDF_IFR_REQUEST_COMPLETED, OWDF_IFR_REQUEST_PRESENTED,
                                       OWDF_IFR_REQUEST_COMPLETED, OWDF_IFR_REQUEST_COMPLETED};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(r[i].event, expected[i]);
        assert_int_equal(r[i].sequence, (uint64_t)i + 1);
    }
    assert_int_equal(r[2].arg2, 1);
    assert_int_equal(r[4].arg2, 2);
    assert_int_equal(r[5].object, 0xb0);
    assert_true(r[5].time_ns >= r[3].time_ns);
    fx_ifr_destroy(ifr);
}

static struct fx_ifr *shared;
static pthread_barrier_t writers_alive; /* both writers live (and keep their slots) while writing */
static void *writer(void *arg)
{
    pthread_barrier_wait(&writers_alive);
    for (uintptr_t i = 0; i < 20000; i++)
        fx_ifr_record(shared, OWDF_IFR_REQUEST_PRESENTED, arg, i, i);
    pthread_barrier_wait(&writers_alive);
    return NULL;
}

static void concurrent_writers_and_reader(void **state)
{
    (void)state;
    shared = fx_ifr_create("IfrThreads", 256);
    pthread_barrier_init(&writers_alive, NULL, 2);
    pthread_t t[2];
    pthread_create(&t[0], NULL, writer, (void *)1);
    pthread_create(&t[1], NULL, writer, (void *)2);
    owdf_ifr_record r[256];
    for (int i = 0; i < 200; i++) {
        size_t n = owdf_ifr_snapshot("IfrThreads", r, 256);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(r[k].arg1, r[k].arg2); /* never torn */
    }
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    pthread_barrier_destroy(&writers_alive);
    /* Each writer thread has a ring of its own, which keeps its newest 256. */
    assert_int_equal(owdf_ifr_count("IfrThreads", OWDF_IFR_REQUEST_PRESENTED), 2 * 256);
    size_t n = owdf_ifr_snapshot("IfrThreads", r, 256);
    assert_int_equal(n, 256); /* the newest 256 of the merged history */
    for (size_t k = 1; k < n; k++) {
        assert_true(r[k].time_ns >= r[k - 1].time_ns); /* merged in time order */
        assert_int_equal(r[k].sequence, r[k - 1].sequence + 1);
    }
    assert_int_equal(r[n - 1].sequence, 2 * 20000); /* numbered from all the records ever written */
    fx_ifr_destroy(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_are_kept_in_order_and_named),
        cmocka_unit_test(ring_keeps_the_newest),
        cmocka_unit_test(completion_inside_the_presentation_reads_as_two_records),
        cmocka_unit_test(other_completions_get_records_of_their_own),
        cmocka_unit_test(concurrent_writers_and_reader),
    };
    return cmocka_run_group_tests_name("wdf_ifr", tests, NULL, NULL);
}
