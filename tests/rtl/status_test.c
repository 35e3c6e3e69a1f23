/* Unit tests for owdf_status_name. */
#include "verifier_capture.h"

#include <pthread.h>

#include <ntstatus.h>
#include <openwdf/status.h>

static void known_values_have_names(void **state)
{
    (void)state;
    assert_string_equal(owdf_status_name(STATUS_SUCCESS), "STATUS_SUCCESS");
    assert_string_equal(owdf_status_name(STATUS_PENDING), "STATUS_PENDING");
    assert_string_equal(owdf_status_name(STATUS_BUFFER_OVERFLOW), "STATUS_BUFFER_OVERFLOW");
    assert_string_equal(owdf_status_name(STATUS_INVALID_PARAMETER), "STATUS_INVALID_PARAMETER");
    assert_string_equal(owdf_status_name(STATUS_INTEGER_OVERFLOW), "STATUS_INTEGER_OVERFLOW");
}

static void unknown_values_are_hex(void **state)
{
    (void)state;
    assert_string_equal(owdf_status_name((NTSTATUS)0xC0FFEE01), "0xC0FFEE01");
    assert_string_equal(owdf_status_name((NTSTATUS)0x00001234), "0x00001234");
}

static void *other_thread(void *arg)
{
    (void)arg;
    return (void *)owdf_status_name((NTSTATUS)0xE0000002);
}

static void the_hex_buffer_is_per_thread(void **state)
{
    (void)state;
    const char *mine = owdf_status_name((NTSTATUS)0xE0000001);
    pthread_t t;
    void *theirs;
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, &theirs);
    assert_ptr_not_equal(mine, theirs);
    assert_string_equal(mine, "0xE0000001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_values_have_names),
        cmocka_unit_test(unknown_values_are_hex),
        cmocka_unit_test(the_hex_buffer_is_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
