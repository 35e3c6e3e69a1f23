/* Unit tests for the per-driver debug logs (openwdf/dbglog.h): lines, ring bound, sinks, current log. */
#include "verifier_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <wdm.h>
#include <openwdf/dbglog.h>

static void lines_are_split_and_joined(void **state)
{
    (void)state;
    owdf_dbg_log *log = owdf_dbg_log_create("split");
    assert_string_equal(owdf_dbg_log_name(log), "split");
    owdf_dbg_log_write(log, "one\ntwo\n", 8);
    owdf_dbg_log_write(log, "thr", 3);
    assert_int_equal(owdf_dbg_log_line_count(log), 2); /* "thr" is pending */
    owdf_dbg_log_write(log, "ee\r\n", 4);
    assert_int_equal(owdf_dbg_log_line_count(log), 3);
    char buf[32];
    assert_int_equal(owdf_dbg_log_read(log, 0, buf, sizeof buf), 3);
    assert_string_equal(buf, "one");
    owdf_dbg_log_read(log, 2, buf, sizeof buf);
    assert_string_equal(buf, "three"); /* joined, '\r' dropped */
    assert_int_equal(owdf_dbg_log_read(log, 3, buf, sizeof buf), -1);
    owdf_dbg_log_write(log, "\n", 1); /* an empty line is a line */
    assert_int_equal(owdf_dbg_log_read(log, 3, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    char *all = owdf_dbg_log_snapshot(log);
    assert_string_equal(all, "one\ntwo\nthree\n\n");
    free(all);
    /* Reading into a small buffer cuts but reports the full length. */
    assert_int_equal(owdf_dbg_log_read(log, 2, buf, 3), 5);
    assert_string_equal(buf, "th");
    owdf_dbg_log_destroy(log);
}

static void ring_keeps_the_newest_lines(void **state)
{
    (void)state;
    owdf_dbg_log *log = owdf_dbg_log_create_ex("ring", 3);
    for (int i = 0; i < 10; i++)
        owdf_dbg_log_printf(log, "line %d\n", i);
    assert_int_equal(owdf_dbg_log_line_count(log), 3);
    assert_int_equal(owdf_dbg_log_total_lines(log), 10);
    char buf[32];
    owdf_dbg_log_read(log, 0, buf, sizeof buf);
    assert_string_equal(buf, "line 7");
    owdf_dbg_log_read(log, 2, buf, sizeof buf);
    assert_string_equal(buf, "line 9");
    assert_int_equal(owdf_dbg_log_count_matching(log, "line"), 3);
    assert_int_equal(owdf_dbg_log_count_matching(log, "line 8"), 1);
    owdf_dbg_log_clear(log);
    assert_int_equal(owdf_dbg_log_line_count(log), 0);
    assert_int_equal(owdf_dbg_log_total_lines(log), 0);
    owdf_dbg_log_destroy(log);
}

static void long_lines_are_cut(void **state)
{
    (void)state;
    owdf_dbg_log *log = owdf_dbg_log_create("long");
    char text[3000];
    memset(text, 'x', sizeof text);
    owdf_dbg_log_write(log, text, sizeof text);
    owdf_dbg_log_write(log, "\n", 1);
    char buf[4000];
    assert_int_equal(owdf_dbg_log_read(log, 0, buf, sizeof buf), OWDF_DBG_LINE_MAX - 1);
    owdf_dbg_log_destroy(log);
}

static void destroy_flushes_pending_text_to_sinks(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    owdf_dbg_log *log = owdf_dbg_log_create("sink");
    owdf_dbg_log_set_file(log, f);
    owdf_dbg_log_write(log, "a\nb", 3);
    owdf_dbg_log_destroy(log);
    rewind(f);
    char buf[32] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    assert_int_equal(n, 4);
    assert_string_equal(buf, "a\nb\n");
    fclose(f);
}

static void fd_sink(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    owdf_dbg_log *log = owdf_dbg_log_create("fd");
    owdf_dbg_log_set_fd(log, fds[1]);
    owdf_dbg_log_write(log, "via fd\n", 7);
    owdf_dbg_log_set_fd(log, -1);
    owdf_dbg_log_write(log, "not sent\n", 9);
    close(fds[1]);
    char buf[32] = {0};
    assert_int_equal(read(fds[0], buf, sizeof buf - 1), 7);
    assert_string_equal(buf, "via fd\n");
    close(fds[0]);
    assert_int_equal(owdf_dbg_log_line_count(log), 2);
    owdf_dbg_log_destroy(log);
}

static void current_log_is_thread_local_and_nests(void **state)
{
    (void)state;
    owdf_dbg_log *a = owdf_dbg_log_create("a"), *b = owdf_dbg_log_create("b");
    assert_ptr_equal(owdf_dbg_log_current(), owdf_dbg_log_process());
    assert_null(owdf_dbg_log_set_current(a));
    assert_ptr_equal(owdf_dbg_log_current(), a);
    assert_ptr_equal(owdf_dbg_log_set_current(b), a);
    owdf_dbg_log_write(NULL, "to b\n", 5); /* NULL = the current log */
    assert_ptr_equal(owdf_dbg_log_set_current(a), b);
    assert_ptr_equal(owdf_dbg_log_set_current(NULL), a);
    assert_int_equal(owdf_dbg_log_count_matching(b, "to b"), 1);
    assert_int_equal(owdf_dbg_log_line_count(a), 0);
    /* Destroying the current log forgets it on this thread. */
    owdf_dbg_log_set_current(a);
    owdf_dbg_log_destroy(a);
    assert_ptr_equal(owdf_dbg_log_current(), owdf_dbg_log_process());
    owdf_dbg_log_destroy(b);
    owdf_dbg_log_destroy(NULL);
    owdf_dbg_log_destroy(owdf_dbg_log_process()); /* refused */
    owdf_dbg_log_write(owdf_dbg_log_process(), "still alive\n", 12);
    assert_true(owdf_dbg_log_count_matching(owdf_dbg_log_process(), "still alive") >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_are_split_and_joined),
        cmocka_unit_test(ring_keeps_the_newest_lines),
        cmocka_unit_test(long_lines_are_cut),
        cmocka_unit_test(destroy_flushes_pending_text_to_sinks),
        cmocka_unit_test(fd_sink),
        cmocka_unit_test(current_log_is_thread_local_and_nests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
