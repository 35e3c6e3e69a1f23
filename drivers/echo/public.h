/*
 * public.h - what programs that talk to the openwdf echo sample driver need: its device interface
 * class and its limits. Shared by the driver and its tests.
 *
 * The device stores what is written to it (up to ECHO_MAX_WRITE_LENGTH bytes; a longer write fails
 * with STATUS_INVALID_BUFFER_SIZE and leaves the stored data as it was) and returns it to readers
 * (a read returns min(its length, stored length) bytes; 0 bytes when nothing was written yet). The
 * data stays until the next write. Every request is held (cancelable) and completed by the device's
 * periodic timer, so requests take a little while and can be canceled.
 */
#ifndef ECHO_PUBLIC_H
#define ECHO_PUBLIC_H

#include <guiddef.h>

/* {8b66606d-1eec-43a5-863d-ea3aa36e9417} */
DEFINE_GUID(GUID_DEVINTERFACE_OWDF_ECHO, 0x8b66606d, 0x1eec, 0x43a5, 0x86, 0x3d, 0xea, 0x3a, 0xa3, 0x6e, 0x94, 0x17);

#define ECHO_MAX_WRITE_LENGTH (40u * 1024u)

/* Parameters: DWORD values under the service's Parameters key, read at DriverEntry (names as
 * narrow strings, e.g. for owdf_tb_set_parameter_dword):
 *   SynchronizationMode  ECHO_SYNC_QUEUE (default) or ECHO_SYNC_DRIVER
 *   TimerPeriodMs        the completion timer's period in ms (default ECHO_DEFAULT_PERIOD_MS);
 *                        a held request is completed at the latest by the next tick
 *   CompletionDelayUs    how long a request is held before the timer is brought forward to
 *                        complete it (default ECHO_DEFAULT_DELAY_US); ECHO_DELAY_PERIOD_ONLY: never
 *                        brought forward, requests wait for the periodic tick */
#define ECHO_PARAM_SYNC_MODE "SynchronizationMode"
#define ECHO_PARAM_TIMER_PERIOD_MS "TimerPeriodMs"
#define ECHO_PARAM_COMPLETION_DELAY_US "CompletionDelayUs"
#define ECHO_DEFAULT_PERIOD_MS 10u
#define ECHO_DEFAULT_DELAY_US 20u
#define ECHO_DELAY_PERIOD_ONLY 0xffffffffu
#define ECHO_SYNC_QUEUE 0u  /* queue-level automatic synchronization (SynchronizationScopeQueue) */
#define ECHO_SYNC_DRIVER 1u /* driver-managed: a WDFSPINLOCK and WdfRequestMarkCancelableEx */

#endif /* ECHO_PUBLIC_H */
