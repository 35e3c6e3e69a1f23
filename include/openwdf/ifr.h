/*
 * openwdf/ifr.h - the in-flight recorder: per driver, a ring of the Framework's recent events
 * (objects created/deleted, requests presented/completed/forwarded/canceled, queue and device
 * state changes, callbacks, verifier hits, WPP trace messages). Tests and tools read it.
 */
#ifndef OPENWDF_IFR_H
#define OPENWDF_IFR_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef OWDF_API
#define OWDF_API __attribute__((visibility("default")))
#endif

typedef enum owdf_ifr_event {
    OWDF_IFR_OBJECT_CREATED = 1,
    OWDF_IFR_OBJECT_DELETED,
    OWDF_IFR_REQUEST_PRESENTED,
    OWDF_IFR_REQUEST_COMPLETED,
    OWDF_IFR_REQUEST_FORWARDED,
    OWDF_IFR_REQUEST_REQUEUED,
    OWDF_IFR_REQUEST_CANCELED,
    OWDF_IFR_QUEUE_STATE,
    OWDF_IFR_DEVICE_STATE,
    OWDF_IFR_CALLBACK,
    OWDF_IFR_VERIFIER,
    OWDF_IFR_TRACE,
    OWDF_IFR_EVENT_MAX
} owdf_ifr_event;

typedef struct owdf_ifr_record {
    uint64_t sequence;     /* per driver, in time order; the newest is the count ever recorded */
    uint64_t time_ns;      /* CLOCK_MONOTONIC */
    owdf_ifr_event event;
    uintptr_t object;      /* a WDF handle, or 0 */
    uintptr_t arg1, arg2;  /* event-specific (e.g. status, information) */
    _Alignas(8) char text[96]; /* event-specific text, may be empty */
} owdf_ifr_record;

OWDF_API const char *owdf_ifr_event_name(owdf_ifr_event event);
/* Prints the last `last_n` records (0 = all kept) of the named driver (NULL = every driver). */
OWDF_API size_t owdf_ifr_dump(const char *driver_name, FILE *out, size_t last_n);
/* Number of kept records of `event` (0 = any) for the named driver; for tests. */
OWDF_API size_t owdf_ifr_count(const char *driver_name, owdf_ifr_event event);
/* Copies kept records oldest first; returns how many were copied. */
OWDF_API size_t owdf_ifr_snapshot(const char *driver_name, owdf_ifr_record *out, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* OPENWDF_IFR_H */
