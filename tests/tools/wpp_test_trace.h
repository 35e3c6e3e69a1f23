/*
 * wpp_test_trace.h - the WPP configuration of wpp_trace_test.c: two controls, fixed-parameter and
 * custom-parameter trace functions, a suffix with an argument, a recorder filter, a function called
 * with double parentheses (like KdPrint), one declared without FUNC, PRE/POST hooks.
 */
#ifndef WPP_TEST_TRACE_H
#define WPP_TEST_TRACE_H

#define WPP_CONTROL_GUIDS \
    WPP_DEFINE_CONTROL_GUID(TestCtlA, (11111111,2222,3333,4444,555555555555), \
        WPP_DEFINE_BIT(A_INIT) \
        WPP_DEFINE_BIT(A_IO)) \
    WPP_DEFINE_CONTROL_GUID(TestCtlB, (aaaaaaaa,bbbb,cccc,dddd,eeeeeeeeeeee), \
        WPP_DEFINE_BIT(B_ONE) \
        WPP_DEFINE_BIT(B_TWO) \
        WPP_DEFINE_BIT(B_THREE))

/* The recorder keeps everything below VERBOSE, whatever the control's level says. */
#define WPP_RECORDER_LEVEL_FLAG_FILTER(lvl, flag) \
    ((lvl) < TRACE_LEVEL_VERBOSE || WPP_CONTROL(WPP_BIT_##flag).AutoLogVerboseEnabled)

/* PRE / POST hooks of the FLAG-only functions: PRE's declaration stays in the caller's scope. */
#define WPP_FLAG_PRE(flag) int wpp_pre_##flag = 40;
#define WPP_FLAG_POST(flag) ; wpp_post_count++
#define WPP_TEST_DEPTH(n) ((n) + 1)

/*
 * begin_wpp config
 * FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
 * FUNC TraceA{FLAGS=A_IO}(LEVEL, MSG, ...);
 * FUNC TraceExit{LEVEL=TRACE_LEVEL_INFORMATION}(FLAGS, STATUS, MSG, ...);
 * USESUFFIX(TraceExit, " -> %!STATUS!", STATUS);
 * FUNC TraceRec(LEVEL, FLAG, MSG, ...);
 * USEPREFIX(TraceRec, "%!STDPREFIX! rec:");
 * FUNC TraceInfo{LEVEL=TRACE_LEVEL_INFORMATION, FLAGS=B_ONE}(MSG, ...);
 * FUNC TraceKd((MSG, ...));
 * USEPREFIX (TraceKd, "%!STDPREFIX! kd(%d):", WPP_TEST_DEPTH(WPP_TEST_DEPTH(1)));
 * TraceFlagOnly(FLAG, MSG, ...);
 * end_wpp
 */

#endif
