/*
 * Unit tests for the WPP format engine (src/wdf/wpp.c, owdf_wpp_format): standard conversions with
 * Windows semantics interleaved with every WPP extension, the context extensions, unknown
 * extensions, truncation and the snprintf-style return value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <wdm.h>
#include <openwdf/wpp.h>

static const owdf_wpp_context ctx = {
    .control = "FmtTraceGuid",
    .level = TRACE_LEVEL_WARNING,
    .flags = 0x6,
    .file = "/src/drivers/echo/queue.c",
    .line = 123,
    .func = "EchoEvtIoRead",
};

#define EXPECT(expected, ...)                                                                                \
    do {                                                                                                     \
        char buf_[512];                                                                                      \
        size_t n_ = owdf_wpp_format(buf_, sizeof buf_, &ctx, __VA_ARGS__);                                   \
        assert_string_equal(buf_, (expected));                                                               \
        assert_int_equal(n_, strlen(expected));                                                              \
    } while (0)

static void standard_conversions(void **state)
{
    (void)state;
    EXPECT("plain text", "plain text");
    EXPECT("42 -7 ff 0X1F 100%", "%d %i %x %#X %u%%", 42, -7, 255, 31, 100u);
    EXPECT("[  hi] [hi  ] [abc]", "[%4s] [%-4s] [%.3s]", "hi", "hi", "abcdef");
    EXPECT("[   7] [7   ] [07]", "[%*d] [%-*d] [%.*d]", 4, 7, 4, 7, 2, 7);
    EXPECT("[  07]", "[%*.*d]", 4, 2, 7);
    /* Windows length semantics: l is 32-bit, I64 and ll are 64-bit. */
    EXPECT("ffffffff 123456789abc 18446744073709551615", "%lx %I64x %llu", 0xFFFFFFFFu, 0x123456789abcULL,
           18446744073709551615ULL);
    EXPECT("wide and counted Echo", "%ws and %s %wZ", L"wide", "counted",
           &(UNICODE_STRING)RTL_CONSTANT_STRING(L"Echo"));
    EXPECT("0000000000001000", "%p", (void *)0x1000);
    EXPECT("1.50 x", "%.2f %c", 1.5, 'x');
    EXPECT("(null)", "%s", (const char *)NULL);
}

static void status_and_error_codes(void **state)
{
    (void)state;
    EXPECT("status=STATUS_SUCCESS", "status=%!STATUS!", STATUS_SUCCESS);
    EXPECT("STATUS_INVALID_PARAMETER then 5", "%!STATUS! then %d", STATUS_INVALID_PARAMETER, 5);
    EXPECT("0xC0DE0001", "%!STATUS!", (NTSTATUS)0xC0DE0001);
    EXPECT("STATUS_PENDING", "%!NTSTATUS!", STATUS_PENDING);
    EXPECT("S_OK E_INVALIDARG 0x80001234", "%!HRESULT! %!HRESULT! %!HRESULT!", 0, (LONG)0x80070057,
           (LONG)0x80001234);
    EXPECT("ERROR_ACCESS_DENIED 4242", "%!WINERROR! %!WINERROR!", 5, 4242);
}

static void booleans(void **state)
{
    (void)state;
    EXPECT("TRUE FALSE TRUE FALSE", "%!bool! %!bool! %!BOOLEAN! %!BOOLEAN!", 7, 0, (BOOLEAN)TRUE,
           (BOOLEAN)FALSE);
    EXPECT("TRUE", "%!Bool!", 1); /* names match case-insensitively */
}

static void guids(void **state)
{
    (void)state;
    static const GUID g = {0x0006a660, 0x8f12, 0x11d2, {0xb8, 0x54, 0x00, 0xc0, 0x4f, 0xad, 0x51, 0x71}};
    EXPECT("id=0006a660-8f12-11d2-b854-00c04fad5171.", "id=%!GUID!.", &g);
    EXPECT("(null) 0006a660-8f12-11d2-b854-00c04fad5171", "%!GUID! %!CLSID!", (const GUID *)NULL, &g);
}

static void network(void **state)
{
    (void)state;
    /* IPADDR: a ULONG holding the address in network byte order (as in_addr). PORT: network order. */
    const UCHAR addr_bytes[4] = {192, 168, 1, 20};
    ULONG addr;
    memcpy(&addr, addr_bytes, sizeof addr);
    const UCHAR port_bytes[2] = {0x1F, 0x90}; /* 8080 */
    USHORT port;
    memcpy(&port, port_bytes, sizeof port);
    EXPECT("192.168.1.20:8080", "%!IPADDR!:%!PORT!", addr, port);
}

static void hexdump(void **state)
{
    (void)state;
    const UCHAR bytes[] = {0x00, 0x7f, 0x80, 0xff, 0x10};
    EXPECT("[00 7f 80 ff 10]", "[%!HEXDUMP!]", LOG_HEXDUMP(bytes, sizeof bytes));
    EXPECT("[00 7f] next", "[%!HEXDUMP!] %s", LOG_HEXDUMP((bytes, 2)), "next");
    EXPECT("[]", "[%!HEXDUMP!]", WppHexDump(bytes, 0));
    EXPECT("[(null)]", "[%!HEXDUMP!]", WppHexDump(NULL, 4));
    /* Long buffers are cut at OWDF_WPP_HEXDUMP_MAX bytes. */
    UCHAR big[OWDF_WPP_HEXDUMP_MAX + 10];
    memset(big, 0xab, sizeof big);
    char buf[2048];
    owdf_wpp_format(buf, sizeof buf, &ctx, "%!HEXDUMP!", LOG_HEXDUMP(big, sizeof big));
    assert_int_equal(strlen(buf), OWDF_WPP_HEXDUMP_MAX * 3 - 1 + 4);
    assert_string_equal(buf + strlen(buf) - 9, "ab ab ...");
}

static void irql(void **state)
{
    (void)state;
    EXPECT("PASSIVE_LEVEL APC_LEVEL DISPATCH_LEVEL HIGH_LEVEL IRQL_9",
           "%!irql! %!irql! %!irql! %!irql! %!irql!", (KIRQL)PASSIVE_LEVEL, (KIRQL)APC_LEVEL,
           (KIRQL)DISPATCH_LEVEL, (KIRQL)HIGH_LEVEL, (KIRQL)9);
}

static void times(void **state)
{
    (void)state;
    /* 2001-09-09 01:46:40.123 UTC = Unix 1000000000 s. */
    LARGE_INTEGER t;
    t.QuadPart = (1000000000LL + 11644473600LL) * 10000000LL + 1230000;
    EXPECT("at 2001-09-09 01:46:40.123", "at %!TIME!", t.QuadPart);
    EXPECT("2001-09-09 01:46:40.123 2001-09-09 01:46:40.123", "%!timestamp! %!datetime!", t.QuadPart,
           t.QuadPart);
    /* A LARGE_INTEGER passed by value works too (it travels as its 64-bit QuadPart). */
    EXPECT("2001-09-09 01:46:40.123 ok", "%!TIME! %s", t, "ok");
    /* A negative (relative) time prints as a delta. */
    EXPECT("-0~00:00:01.500", "%!TIME!", -15000000LL);
    EXPECT("1~01:01:01.001 0~00:00:00.250", "%!delta! %!WAITTIME!", 90061001LL, 250LL);
}

static void sid(void **state)
{
    (void)state;
    /* S-1-5-32-544 (BUILTIN\Administrators). */
    const UCHAR sid[16] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0};
    EXPECT("S-1-5-32-544", "%!SID!", sid);
}

static void context_extensions(void **state)
{
    (void)state;
    EXPECT("EchoEvtIoRead queue.c:123", "%!FUNC! %!FILE!:%!LINE!");
    EXPECT("TRACE_LEVEL_WARNING FmtTraceGuid []", "%!LEVEL! %!COMPNAME! [%!STDPREFIX!]");
    /* Flags of an unregistered control print as hex. */
    EXPECT("0x6", "%!FLAGS!");
    /* No context at all. */
    char buf[64];
    owdf_wpp_format(buf, sizeof buf, NULL, "[%!FUNC!][%!FILE!][%!LINE!][%!FLAGS!][%!LEVEL!]");
    assert_string_equal(buf, "[][][0][0][TRACE_LEVEL_NONE]");
    owdf_wpp_context odd = ctx;
    odd.level = 9;
    odd.file = "C:\\drivers\\echo\\device.c";
    owdf_wpp_format(buf, sizeof buf, &odd, "%!LEVEL! %!FILE!");
    assert_string_equal(buf, "TRACE_LEVEL_9 device.c");
}

static void unknown_extensions(void **state)
{
    (void)state;
    /* An unknown type consumes no argument and is visible. */
    EXPECT("a <MYTYPE?> 5 b", "a %!MYTYPE! %d b", 5);
    /* Not an extension at all: printed as text. */
    EXPECT("50%! done %!", "50%! done %!");
    EXPECT("x %!-bad! y", "x %!-bad! y");
}

static void truncation_and_size(void **state)
{
    (void)state;
    char small[8];
    size_t n = owdf_wpp_format(small, sizeof small, &ctx, "%!STATUS!", STATUS_SUCCESS);
    assert_int_equal(n, strlen("STATUS_SUCCESS"));
    assert_string_equal(small, "STATUS_");
    n = owdf_wpp_format(small, sizeof small, &ctx, "ab%dcd%s", 12345, "tail");
    assert_int_equal(n, strlen("ab12345cdtail"));
    assert_string_equal(small, "ab12345");
    /* Size 0 / NULL buffer: only the length. */
    assert_int_equal(owdf_wpp_format(NULL, 0, &ctx, "%!FUNC!"), strlen("EchoEvtIoRead"));
    char untouched[4] = "xyz";
    assert_int_equal(owdf_wpp_format(untouched, 0, &ctx, "abc"), 3);
    assert_string_equal(untouched, "xyz");
    /* An incomplete conversion at the end prints as text. */
    EXPECT("tail 5%", "tail %d%", 5);
}

static void vformat_wrapper(const char *expected, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[128];
    owdf_wpp_vformat(buf, sizeof buf, &ctx, fmt, ap);
    va_end(ap);
    assert_string_equal(buf, expected);
}

static void vformat(void **state)
{
    (void)state;
    vformat_wrapper("STATUS_TIMEOUT 3 TRUE", "%!STATUS! %u %!bool!", STATUS_TIMEOUT, 3u, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(standard_conversions),
        cmocka_unit_test(status_and_error_codes),
        cmocka_unit_test(booleans),
        cmocka_unit_test(guids),
        cmocka_unit_test(network),
        cmocka_unit_test(hexdump),
        cmocka_unit_test(irql),
        cmocka_unit_test(times),
        cmocka_unit_test(sid),
        cmocka_unit_test(context_extensions),
        cmocka_unit_test(unknown_extensions),
        cmocka_unit_test(truncation_and_size),
        cmocka_unit_test(vformat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
