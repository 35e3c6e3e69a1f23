/*
 * echo_test.h - helpers shared by the echo sample's scenario tests (tests/echo/, the *_test.c programs): a bench
 * with the echo driver (linked in, loaded through the driver stub's FxDriverEntry) in one of its two
 * synchronization variants, one device, and self-checking data patterns.
 *
 * A cmocka group state is an echo_variant*: each test runs once per variant.
 */
#ifndef ECHO_TEST_H
#define ECHO_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ntddk.h>
#include <openwdf/pool.h>
#include <openwdf/testbench.h>

#include "public.h"

DRIVER_INITIALIZE FxDriverEntry;

typedef struct echo_variant {
    const char *name;
    ULONG sync_mode;          /* ECHO_SYNC_QUEUE / ECHO_SYNC_DRIVER */
} echo_variant;

static const echo_variant echo_queue_sync = {"queue-level synchronization", ECHO_SYNC_QUEUE};
static const echo_variant echo_driver_sync = {"driver-managed synchronization", ECHO_SYNC_DRIVER};

typedef struct echo_bench {
    owdf_tb *tb;
    owdf_tb_driver *drv;
    owdf_tb_device *dev;
} echo_bench;

/* The bench of the running test, destroyed by echo_teardown when a failed assertion left it. */
static owdf_tb *echo_current_tb;

static inline int echo_teardown(void **state)
{
    (void)state;
    if (echo_current_tb != NULL) {
        (void)owdf_tb_destroy(echo_current_tb, NULL);
        echo_current_tb = NULL;
    }
    return 0;
}

/* A bench, the echo driver in `variant` with the given timer settings (0 = the driver's
 * defaults), and one started device. */
static inline void echo_bench_start(echo_bench *b, const echo_variant *variant, ULONG period_ms, ULONG delay_us,
                                    BOOLEAN use_delay)
{
    owdf_tb_options o = {.size = sizeof o, .stop_mode = OWDF_TB_STOP_RECORD};
    b->tb = owdf_tb_create(&o);
    assert_non_null(b->tb);
    echo_current_tb = b->tb;
    assert_int_equal(owdf_tb_set_parameter_dword(b->tb, "Echo", ECHO_PARAM_SYNC_MODE, variant->sync_mode),
                     STATUS_SUCCESS);
    if (period_ms != 0)
        assert_int_equal(owdf_tb_set_parameter_dword(b->tb, "Echo", ECHO_PARAM_TIMER_PERIOD_MS, period_ms),
                         STATUS_SUCCESS);
    if (use_delay)
        assert_int_equal(owdf_tb_set_parameter_dword(b->tb, "Echo", ECHO_PARAM_COMPLETION_DELAY_US, delay_us),
                         STATUS_SUCCESS);
    assert_int_equal(owdf_tb_load_driver(b->tb, "Echo", FxDriverEntry, &b->drv), STATUS_SUCCESS);
    /* The driver read the variant from its Parameters key. */
    const char *expect = variant->sync_mode == ECHO_SYNC_DRIVER ? "driver-managed synchronization"
                                                                : "queue-level synchronization";
    assert_int_equal(owdf_dbg_log_count_matching(owdf_tb_driver_log(b->drv), expect), 1);
    assert_int_equal(owdf_tb_device_add(b->tb, b->drv, "ROOT\\ECHO", &b->dev), STATUS_SUCCESS);
}

/* Destroys the bench and checks: nothing leaked, no verifier report. */
static inline void echo_bench_finish(echo_bench *b)
{
    owdf_tb_result r;
    int problems = owdf_tb_destroy(b->tb, &r);
    b->tb = NULL;
    echo_current_tb = NULL;
    assert_int_equal(r.pool_blocks, 0);
    assert_int_equal(r.objects, 0);
    assert_int_equal(r.handles, 0);
    assert_int_equal(r.files, 0);
    assert_int_equal(r.devices, 0);
    assert_int_equal(r.drivers, 0);
    assert_int_equal(r.reports, 0);
    assert_int_equal(problems, 0);
}

static inline HANDLE echo_open(echo_bench *b, ULONG flags)
{
    HANDLE h;
    assert_int_equal(owdf_tb_device_open(b->dev, &GUID_DEVINTERFACE_OWDF_ECHO, flags, &h), STATUS_SUCCESS);
    return h;
}

/* A self-checking buffer: an 8-byte sequence number, then bytes derived from it and the offset, so
 * any buffer read back can be checked on its own. */
static inline void echo_fill(unsigned char *buf, size_t length, uint64_t seq)
{
    size_t i = 0;
    for (; i < 8 && i < length; i++)
        buf[i] = (unsigned char)(seq >> (8 * i));
    for (; i < length; i++)
        buf[i] = (unsigned char)(seq * 31u + i * 7u + (i >> 8));
}

/* TRUE when buf (length bytes) is what echo_fill wrote for some sequence number. */
static inline BOOLEAN echo_check(const unsigned char *buf, size_t length)
{
    if (length < 8)
        return TRUE;
    uint64_t seq = 0;
    for (size_t i = 0; i < 8; i++)
        seq |= (uint64_t)buf[i] << (8 * i);
    for (size_t i = 8; i < length; i++) {
        if (buf[i] != (unsigned char)(seq * 31u + i * 7u + (i >> 8)))
            return FALSE;
    }
    return TRUE;
}

static inline unsigned long echo_env_ulong(const char *name, unsigned long fallback)
{
    const char *v = getenv(name);
    if (v == NULL || *v == 0)
        return fallback;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    return *end == 0 ? n : fallback;
}

#endif /* ECHO_TEST_H */
