/*
 * irql.c - per-thread IRQL, its rules, and the checks other layers run around calls into drivers.
 *
 * The IRQL is a number in this thread's TLS block: raising never masks anything (user space has
 * nothing to mask), it only records what the driver may and may not do, so the verifier can say
 * when it breaks a rule. DPCs do not run on the raising thread: they run on the virtual
 * processors (dpc.c), which sit at DISPATCH_LEVEL while they run them.
 */
#include "ke_internal.h"

#include <dlfcn.h>
#include <stdio.h>

KIRQL KeGetCurrentIrql(void)
{
    return ke_tls.irql;
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = ke_tls.irql;
    if (KE_UNLIKELY(NewIrql < old)) {
        /* Windows bug-checks; here the IRQL stays where it was. */
        OWDF_VERIFY_REPORT("IRQL_NOT_GREATER_OR_EQUAL", NULL, "KIRQL", NULL,
                           "KeRaiseIrql(%u) at IRQL %u: cannot raise to a lower IRQL", NewIrql, old);
        return old;
    }
    ke_tls.irql = NewIrql;
    return old;
}

void KeLowerIrql(KIRQL NewIrql)
{
    KIRQL cur = ke_tls.irql;
    if (KE_UNLIKELY(NewIrql > cur)) {
        OWDF_VERIFY_REPORT("IRQL_NOT_LESS_OR_EQUAL", NULL, "KIRQL", NULL,
                           "KeLowerIrql(%u) at IRQL %u: cannot lower to a higher IRQL", NewIrql, cur);
        return;
    }
    ke_tls.irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}

void ke_check_paged_code(const char *function, const char *file, int line)
{
    if (KE_LIKELY(ke_tls.irql <= APC_LEVEL))
        return;
    owdf_verifier_report_at("PAGED_CODE_AT_DISPATCH", NULL, NULL, NULL, file, line, function,
                            "pageable routine %s entered at IRQL %u (PAGED_CODE requires <= APC_LEVEL)",
                            function, ke_tls.irql);
}

BOOLEAN ke_report_max_irql(KIRQL max, const char *ddi_name)
{
    owdf_verifier_policy p =
        OWDF_VERIFY_REPORT("DDI_ABOVE_MAX_IRQL", NULL, NULL, NULL, "%s called at IRQL %u; its maximum is %u",
                           ddi_name, ke_tls.irql, max);
    return p == OWDF_POLICY_LOG;
}

BOOLEAN ke_check_max_irql(KIRQL max, const char *ddi_name)
{
    return KE_CHECK_MAX_IRQL(max, ddi_name);
}

void ke_report_blocking(const char *ddi, const void *object)
{
    if (ke_tls.irql > DISPATCH_LEVEL)
        ke_report_max_irql(DISPATCH_LEVEL, ddi);
    else
        OWDF_VERIFY_REPORT("BLOCKING_CALL_AT_DISPATCH", object, NULL, NULL,
                           "%s with a non-zero timeout at IRQL %u (waits must be below DISPATCH_LEVEL)", ddi,
                           ke_tls.irql);
}

BOOLEAN ke_report_not_initialized(const void *object, const char *type, const char *ddi)
{
    OWDF_VERIFY_REPORT("KE_OBJECT_NOT_INITIALIZED", object, type, NULL,
                       "%s: %s %p was not initialized (or is not a %s)", ddi, type, object, type);
    return FALSE;
}

BOOLEAN ke_irql_check_restored(KIRQL before, const char *what)
{
    KIRQL now = ke_tls.irql;
    if (KE_LIKELY(now == before))
        return TRUE;
    OWDF_VERIFY_REPORT("IRQL_NOT_RESTORED", NULL, NULL, NULL,
                       "%s returned at IRQL %u; it was called at IRQL %u", what, now, before);
    ke_tls.irql = before;
    return FALSE;
}

ULONG ke_spin_locks_held(void)
{
    return ke_tls.spin_locks;
}

void ke_callback_enter(ke_callback_frame *frame)
{
    struct ke_thread *t = ke_tls.thread;
    frame->irql = ke_tls.irql;
    frame->spin_locks = ke_tls.spin_locks;
    frame->critical_regions = ke_tls.critical_regions;
    frame->mutexes = t ? t->mutex_count : 0;
}

BOOLEAN ke_callback_check_return(const ke_callback_frame *frame, const char *what)
{
    BOOLEAN clean = TRUE;
    struct ke_thread *t = ke_tls.thread;
    ULONG mutexes = t ? t->mutex_count : 0;
    if (KE_UNLIKELY(ke_tls.spin_locks > frame->spin_locks || mutexes > frame->mutexes)) {
        ULONG spins = ke_tls.spin_locks > frame->spin_locks ? ke_tls.spin_locks - frame->spin_locks : 0;
        ULONG muts = mutexes > frame->mutexes ? mutexes - frame->mutexes : 0;
        OWDF_VERIFY_REPORT("LOCK_HELD_ON_CALLBACK_RETURN", NULL, NULL, NULL,
                           "%s returned holding %u spin lock(s) and %u mutex(es) it acquired", what, spins,
                           muts);
        /* The counts follow the caller's view again, so one leak is reported once. */
        ke_tls.spin_locks = frame->spin_locks;
        clean = FALSE;
    }
    if (KE_UNLIKELY(ke_tls.critical_regions != frame->critical_regions)) {
        OWDF_VERIFY_REPORT("APC_DISABLE_NOT_RESTORED", NULL, NULL, NULL,
                           "%s returned with critical region depth %d; it was called at %d", what,
                           ke_tls.critical_regions, frame->critical_regions);
        ke_tls.critical_regions = frame->critical_regions;
        clean = FALSE;
    }
    if (!ke_irql_check_restored(frame->irql, what))
        clean = FALSE;
    return clean;
}

void KeEnterCriticalRegion(void)
{
    ke_tls.critical_regions++;
}

void KeLeaveCriticalRegion(void)
{
    if (KE_UNLIKELY(ke_tls.critical_regions <= 0)) {
        OWDF_VERIFY_REPORT("CRITICAL_REGION_UNBALANCED", NULL, NULL, NULL,
                           "KeLeaveCriticalRegion without a matching KeEnterCriticalRegion");
        return;
    }
    ke_tls.critical_regions--;
}

BOOLEAN KeAreApcsDisabled(void)
{
    struct ke_thread *t = ke_tls.thread;
    return ke_tls.irql >= APC_LEVEL || ke_tls.critical_regions > 0 || (t != NULL && t->mutex_count > 0);
}

const char *ke_routine_name(const void *routine, char *buf, size_t size)
{
    Dl_info info;
    if (size == 0)
        return buf;
    if (routine != NULL && dladdr(routine, &info) != 0 && info.dli_sname != NULL) {
        size_t off = (size_t)((const char *)routine - (const char *)info.dli_saddr);
        if (off == 0)
            snprintf(buf, size, "%s", info.dli_sname);
        else
            snprintf(buf, size, "%s+0x%zx", info.dli_sname, off);
    } else {
        snprintf(buf, size, "%p", routine);
    }
    return buf;
}
