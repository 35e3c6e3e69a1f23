/*
 * driver_check.c - loads a driver binary that openwdf-cc built (tests/tools/driver) the way a host
 * does: dlopen, look up the entry point, owdf_io_load_driver, then reads back what the driver logged
 * (WPP messages and KdPrint, through the driver's debug log and the WPP sink) and unloads it.
 *
 *   driver_check kmdf|wdm DRIVER.so [all|errors]
 *
 * `errors`: the run has OWDF_WPP_LEVEL=ERROR, so only error-level messages (and DoTraceMessage,
 * which has no level) may appear. Links the shared libopenwdf, as the driver does. Exit 0 = pass.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wdm.h>
#include <openwdf/dbglog.h>
#include <openwdf/ifr.h>
#include <openwdf/io.h>
#include <openwdf/status.h>
#include <openwdf/wpp.h>

static int failures;
static int sink_messages;
static char last_sink_control[64];
static owdf_wpp_sink_fn chained_sink;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            failures++;                                                                                      \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                  \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fputc('\n', stderr);                                                                             \
        }                                                                                                    \
    } while (0)

/* Counts messages, then passes them on to the sink installed before (the Framework's, in KMDF runs). */
static void sink(const owdf_wpp_message *message)
{
    sink_messages++;
    snprintf(last_sink_control, sizeof last_sink_control, "%s", message->where.control);
    if (chained_sink != NULL)
        chained_sink(message);
}

static void expect_lines(owdf_dbg_log *log, const char *needle, size_t count)
{
    size_t n = owdf_dbg_log_count_matching(log, needle);
    CHECK(n == count, "expected %zu line(s) containing \"%s\", found %zu", count, needle, n);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "kmdf") != 0 && strcmp(argv[1], "wdm") != 0)) {
        fprintf(stderr, "usage: %s kmdf|wdm DRIVER.so [all|errors]\n", argv[0]);
        return 2;
    }
    int kmdf = strcmp(argv[1], "kmdf") == 0;
    int only_errors = argc > 3 && strcmp(argv[3], "errors") == 0;

    void *image = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (image == NULL) {
        fprintf(stderr, "FAIL: dlopen(%s): %s\n", argv[2], dlerror());
        return 1;
    }
    /* Only the entry point is exported. */
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)dlsym(image, kmdf ? "FxDriverEntry" : "DriverEntry");
    CHECK(entry != NULL, "entry point not exported");
    if (kmdf)
        CHECK(dlsym(image, "DriverEntry") == NULL, "DriverEntry must stay hidden behind FxDriverEntry");
    CHECK(dlsym(image, "WPP_MAIN_CB") == NULL, "WPP_MAIN_CB exported");
    CHECK(dlsym(image, "TestDrvHelper") == NULL, "TestDrvHelper exported");
    CHECK(dlsym(image, "TestDrvInformation_GUID") == NULL, "GUID exported");
    if (entry == NULL)
        return 1;

    /* WDM: our sink sees every message. KMDF: the Framework installs its own sink (its in-flight
     * recorder) when the driver binds, so DriverEntry's messages are counted in the recorder, and
     * our sink, chained in front of the Framework's after the load, sees the unload message. */
    if (!kmdf)
        owdf_wpp_set_sink(sink);
    PDRIVER_OBJECT driver = NULL;
    NTSTATUS status = owdf_io_load_driver("TestDrv", entry, NULL, &driver);
    CHECK(status == STATUS_SUCCESS, "load: %s", owdf_status_name(status));
    if (status != STATUS_SUCCESS)
        return 1;
    CHECK(owdf_wpp_registered_count("TestDrvTraceGuid") == 1, "control not registered by WPP_INIT_TRACING");

    owdf_dbg_log *log = owdf_io_driver_log(driver);
    char *text = owdf_dbg_log_snapshot(log);
    printf("--- driver log ---\n%s--- end ---\n", text != NULL ? text : "(none)");
    free(text);

    expect_lines(log, "testdrv: KdPrint says hello, wchar=2 len=14 wide", 1);
    expect_lines(log,
                 "DriverEntry simulated failure STATUS_INSUFFICIENT_RESOURCES flags=TRACE_DEVICE "
                 "level=TRACE_LEVEL_ERROR",
                 1);
    expect_lines(log, "DoTraceMessage works", 1);
    int wpp_lines = 2; /* the error and DoTraceMessage */
    size_t all = only_errors ? 0 : 1;
    expect_lines(log, "DriverEntry starting STATUS_SUCCESS name=TestDrv", all);
    expect_lines(log, "verbose bytes=00 11 ab ff guid=5d3f8a61-2b4c-4e1f-9a0d-6c7b8e9f0a1b TRUE", all);
    expect_lines(log, "Trace with a fixed flag, 42%", all);
    expect_lines(log, "[DriverEntry] --> entry", all);
    expect_lines(log, "mof size=22 guid=2c7a5a31-8e7f-4b2d-9c1e-7f3a0b6d5e41", all);
    expect_lines(log, "TestDrvHelper from helper.c value=7 irql=PASSIVE_LEVEL", all);
    wpp_lines += only_errors ? 0 : 6;
    if (kmdf) {
        expect_lines(log, "kmdf globals bound=TRUE", all);
        wpp_lines += only_errors ? 0 : 1;
    }
    expect_lines(log, "<", 0); /* no unknown-extension marker */
    if (kmdf) {
        /* Every WPP message is also in the driver's in-flight recorder (the Framework records its own
         * trace events there too, so count ours by text). */
        static owdf_ifr_record records[256];
        size_t n = owdf_ifr_snapshot("TestDrv", records, 256);
        static const char *const traced[] = {
            "DriverEntry starting STATUS_SUCCESS",
            "DriverEntry simulated failure",
            "verbose bytes=00 11 ab ff",
            "Trace with a fixed flag",
            "[DriverEntry] --> entry",
            "DoTraceMessage works",
            "mof size=22",
            "kmdf globals bound=TRUE",
            "TestDrvHelper from helper.c",
        };
        for (size_t t = 0; t < sizeof traced / sizeof traced[0]; t++) {
            size_t found = 0;
            for (size_t r = 0; r < n; r++)
                found += records[r].event == OWDF_IFR_TRACE &&
                         strncmp(records[r].text, traced[t], strlen(traced[t])) == 0;
            CHECK(found == 1, "in-flight recorder has %zu records \"%s...\"", found, traced[t]);
        }
        if (failures != 0)
            owdf_ifr_dump("TestDrv", stderr, 0);
        chained_sink = owdf_wpp_set_sink(sink);
        CHECK(chained_sink != NULL, "the Framework installed no WPP sink");
    } else {
        CHECK(sink_messages == wpp_lines, "sink got %d messages, expected %d", sink_messages, wpp_lines);
        CHECK(strcmp(last_sink_control, "TestDrvTraceGuid") == 0, "sink control \"%s\"", last_sink_control);
        sink_messages = 0;
    }

    status = owdf_io_unload_driver(driver);
    CHECK(status == STATUS_SUCCESS, "unload: %s", owdf_status_name(status));
    CHECK(sink_messages == (only_errors ? 0 : 1), "unload message: %d", sink_messages);
    CHECK(owdf_wpp_registered_count("TestDrvTraceGuid") == 0, "control still registered after WPP_CLEANUP");
    owdf_wpp_set_sink(chained_sink);
    CHECK(dlclose(image) == 0, "dlclose: %s", dlerror());

    if (failures == 0)
        printf("PASS: %s driver %s (%s)\n", argv[1], argv[2], only_errors ? "errors only" : "all levels");
    return failures == 0 ? 0 : 1;
}
