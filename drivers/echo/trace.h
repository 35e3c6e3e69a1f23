/*
 * trace.h - the echo sample's WPP configuration: its trace provider (control GUID) and flags, and
 * the TraceEvents function the sources use (each source includes its generated "x.tmh": openwdf-cc
 * generates them for echo.so, the meson custom_target echo_tmh for the test-linked library).
 * Hot paths (EvtIoRead/EvtIoWrite, the timer, cancel) do not trace: a trace is formatted into the
 * driver's debug log and in-flight recorder.
 */
#ifndef ECHO_TRACE_H
#define ECHO_TRACE_H

#define WPP_CONTROL_GUIDS                                                   \
    WPP_DEFINE_CONTROL_GUID(                                                \
        OwdfEchoTraceGuid, (3c2e9f4a,7b1d,4e6a,8f25,d0c4b7a91e36),          \
        WPP_DEFINE_BIT(TRACE_DRIVER)                                        \
        WPP_DEFINE_BIT(TRACE_DEVICE)                                        \
        WPP_DEFINE_BIT(TRACE_QUEUE)                                         \
        )

#define WPP_LEVEL_FLAGS_LOGGER(lvl, flags) WPP_LEVEL_LOGGER(flags)
#define WPP_LEVEL_FLAGS_ENABLED(lvl, flags)                                 \
    (WPP_LEVEL_ENABLED(flags) && WPP_CONTROL(WPP_BIT_ ## flags).Level >= lvl)

//
// begin_wpp config
// FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
// end_wpp
//

#endif /* ECHO_TRACE_H */
