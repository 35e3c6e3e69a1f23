/*
 * runtime.c - starting and stopping the substrate's threads (virtual processors, the timer
 * service, system workers): owdf_nt_start / owdf_nt_stop, and the lazy start on first use.
 *
 * Stopping drains, it does not cancel silently: it waits (bounded) for queued and running DPCs
 * and work items to finish, then reports every timer still set and every DPC or work item still
 * queued or running (SHUTDOWN_WORK_PENDING), removes what was still queued, waits for the
 * routines still running, joins the threads, and sweeps once more for anything those routines
 * queued meanwhile. Starting or stopping must not race with new DPCs, timers or work items.
 */
#include "ke_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define KE_DEFAULT_DRAIN_MS 2000u

static pthread_mutex_t ke_rt_lock = PTHREAD_MUTEX_INITIALIZER;
int ke_runtime_running;     /* atomics; written under ke_rt_lock */
long ke_outstanding;        /* atomics */
static unsigned ke_rt_refs; /* under ke_rt_lock; 0 with running = lazily started */
static unsigned ke_rt_drain_ms = KE_DEFAULT_DRAIN_MS;

static bool ke_on_runtime_thread(void)
{
    struct ke_thread *t = ke_tls.thread;
    return t != NULL && (t->flags & KE_THREAD_RUNTIME) != 0;
}

/* Runtime lock held, not running. */
static NTSTATUS ke_runtime_start_locked(unsigned processors, unsigned workers)
{
    if (processors == 0)
        processors = ke_default_processors();
    if (workers == 0)
        workers = processors < 2 ? 2 : processors;
    if (workers > OWDF_NT_MAX_WORKERS)
        workers = OWDF_NT_MAX_WORKERS;
    NTSTATUS status = ke_vps_start(processors);
    if (!NT_SUCCESS(status))
        return status;
    status = ke_timer_service_start();
    if (!NT_SUCCESS(status))
        goto err_timer;
    status = ex_workers_start(workers);
    if (!NT_SUCCESS(status))
        goto err_workers;
    __atomic_store_n(&ke_runtime_running, 1, __ATOMIC_RELEASE);
    return STATUS_SUCCESS;

err_workers:
    ke_timer_service_stop();
err_timer:
    ke_vps_stop();
    ke_vps_clear();
    return status;
}

NTSTATUS owdf_nt_start(const owdf_nt_config *cfg)
{
    unsigned processors = 0, workers = 0, drain_ms = KE_DEFAULT_DRAIN_MS;
    if (cfg != NULL) {
        if (cfg->size < OWDF_NT_CONFIG_V1_SIZE)
            return STATUS_INVALID_PARAMETER;
        processors = cfg->processors;
        workers = cfg->workers;
        if (cfg->size >= offsetof(owdf_nt_config, drain_timeout_ms) + sizeof cfg->drain_timeout_ms &&
            cfg->drain_timeout_ms != 0)
            drain_ms = cfg->drain_timeout_ms;
    }
    if (processors > MAXIMUM_PROCESSORS || workers > OWDF_NT_MAX_WORKERS)
        return STATUS_INVALID_PARAMETER;
    if (ke_on_runtime_thread())
        return STATUS_INVALID_DEVICE_STATE;

    NTSTATUS status = STATUS_SUCCESS;
    pthread_mutex_lock(&ke_rt_lock);
    if (__atomic_load_n(&ke_runtime_running, __ATOMIC_ACQUIRE)) {
        ke_rt_refs++;
    } else {
        status = ke_runtime_start_locked(processors, workers);
        if (NT_SUCCESS(status)) {
            ke_rt_refs = 1;
            ke_rt_drain_ms = drain_ms;
        }
    }
    pthread_mutex_unlock(&ke_rt_lock);
    return status;
}

void ke_runtime_lazy_start(void)
{
    pthread_mutex_lock(&ke_rt_lock);
    if (!__atomic_load_n(&ke_runtime_running, __ATOMIC_ACQUIRE)) {
        NTSTATUS status = ke_runtime_start_locked(0, 0);
        if (!NT_SUCCESS(status)) {
            fprintf(stderr, "openwdf: cannot start the NT runtime threads (status 0x%08x)\n",
                    (unsigned)status);
            abort();
        }
        ke_rt_refs = 0;
        ke_rt_drain_ms = KE_DEFAULT_DRAIN_MS;
    }
    pthread_mutex_unlock(&ke_rt_lock);
}

BOOLEAN owdf_nt_running(void)
{
    return __atomic_load_n(&ke_runtime_running, __ATOMIC_ACQUIRE) ? TRUE : FALSE;
}

static void ke_runtime_drain(unsigned drain_ms)
{
    uint64_t deadline = ke_interrupt_time() + (uint64_t)drain_ms * 10000u;
    const struct timespec tick = {0, 500000};
    while (__atomic_load_n(&ke_outstanding, __ATOMIC_ACQUIRE) > 0 && ke_interrupt_time() < deadline)
        nanosleep(&tick, NULL);
}

NTSTATUS owdf_nt_stop(void)
{
    if (ke_on_runtime_thread())
        return STATUS_INVALID_DEVICE_STATE; /* it would wait for itself */
    pthread_mutex_lock(&ke_rt_lock);
    if (!__atomic_load_n(&ke_runtime_running, __ATOMIC_ACQUIRE)) {
        pthread_mutex_unlock(&ke_rt_lock);
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (ke_rt_refs > 1) {
        ke_rt_refs--;
        pthread_mutex_unlock(&ke_rt_lock);
        return STATUS_SUCCESS;
    }
    ke_rt_refs = 0;

    ke_runtime_drain(ke_rt_drain_ms);
    unsigned pending = ke_timers_report_pending();
    ke_timer_service_stop();
    pending += ke_vps_report_pending();
    pending += ex_workers_report_pending();
    ke_vps_stop();
    ex_workers_stop();
    /* Routines that were still running may have queued more. */
    pending += ke_timers_report_pending();
    pending += ke_vps_report_pending();
    pending += ex_workers_report_pending();
    ke_vps_clear();
    __atomic_store_n(&ke_runtime_running, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ke_rt_lock);
    return pending != 0 ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}
