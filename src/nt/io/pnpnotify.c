/*
 * pnpnotify.c - IoRegisterPlugPlayNotification for device interface changes: registrations, and
 * the queue that delivers arrival/removal notifications to them.
 *
 * Windows delivers these from a PnP worker, in order, never with the notifier's locks held. Here
 * a change is queued (under the interface registry lock, so the queue order is the order of the
 * changes) and delivered by whichever thread calls io_pnp_deliver() first with no delivery in
 * progress: the notifying thread in the common case, so a test sees its notification before
 * IoSetDeviceInterfaceState returns; a callback that changes interfaces itself only queues (the
 * delivering thread picks the new events up after the callback returns).
 *
 * A registration sees the broadcasts queued after it was made (sequence numbers) plus, with
 * PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES, one arrival per interface enabled when it
 * was made, queued for it alone under the same registry lock: no change is missed or seen twice.
 *
 * Unregistration waits until a callback of that registration running on another thread returns,
 * so after it returns the callback is never called again. The registration's memory and its
 * reference on the driver object go with the last reference (the list's, queued targeted events',
 * a delivery in progress).
 *
 * Lock: pnp_lock (a mutex, PASSIVE_LEVEL) guards the registrations and the queue; it may be taken
 * under the interface registry lock, never the reverse, and is never held across a callback.
 */
#include "io_internal.h"

/* openwdf defines the notification GUIDs here (drivers only need wdmguid.h). */
#include <initguid.h>
#include <wdmguid.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pnp_reg {
    LIST_ENTRY link;
    GUID class_guid;
    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE callback;
    PVOID context;
    PDRIVER_OBJECT driver;
    uint64_t start_seq;  /* broadcasts with a higher sequence number are for it */
    LONG refs;
    LONG running;        /* callbacks in progress (0 or 1: one thread delivers at a time) */
    pthread_t runner;
    BOOLEAN unregistered;
};

struct pnp_event {
    struct pnp_event *next;
    uint64_t seq;
    BOOLEAN arrival;
    GUID class_guid;
    struct pnp_reg *target; /* NULL: every matching registration; else only it (a reference) */
    UNICODE_STRING link;    /* NUL-terminated */
};

static pthread_mutex_t pnp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pnp_idle = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY pnp_regs = {&pnp_regs, &pnp_regs};
static struct pnp_event *pnp_head;
static struct pnp_event **pnp_tail = &pnp_head;
static uint64_t pnp_seq;
static BOOLEAN pnp_draining;

/* Under pnp_lock; returns TRUE when the caller must free reg (after unlocking). */
static BOOLEAN pnp_reg_release_locked(struct pnp_reg *reg)
{
    return --reg->refs == 0;
}

static void pnp_reg_free(struct pnp_reg *reg)
{
    ObDereferenceObject(reg->driver);
    free(reg);
}

static struct pnp_event *pnp_new_event(const GUID *class_guid, PCUNICODE_STRING link, BOOLEAN arrival)
{
    struct pnp_event *ev = calloc(1, sizeof(*ev) + link->Length + sizeof(WCHAR));
    if (ev == NULL) {
        OWDF_VERIFY_REPORT("IO_NOTIFICATION_LOST", NULL, "DEVICE_INTERFACE", NULL,
                           "no memory to queue a device interface %s notification: not delivered",
                           arrival ? "arrival" : "removal");
        return NULL;
    }
    ev->arrival = arrival;
    ev->class_guid = *class_guid;
    ev->link.Buffer = (PWCH)(ev + 1);
    memcpy(ev->link.Buffer, link->Buffer, link->Length);
    ev->link.Buffer[link->Length / sizeof(WCHAR)] = UNICODE_NULL;
    ev->link.Length = link->Length;
    ev->link.MaximumLength = (USHORT)(link->Length + sizeof(WCHAR));
    return ev;
}

/* Under pnp_lock. */
static void pnp_append_locked(struct pnp_event *ev)
{
    ev->seq = ++pnp_seq;
    *pnp_tail = ev;
    pnp_tail = &ev->next;
}

void io_pnp_queue_interface_change(const GUID *class_guid, PCUNICODE_STRING link, BOOLEAN arrival)
{
    struct pnp_event *ev = pnp_new_event(class_guid, link, arrival);
    if (ev == NULL)
        return;
    pthread_mutex_lock(&pnp_lock);
    pnp_append_locked(ev);
    pthread_mutex_unlock(&pnp_lock);
}

/* One callback, no lock held; the caller holds a reference on reg. */
static void pnp_deliver_one(struct pnp_reg *reg, const struct pnp_event *ev)
{
    pthread_mutex_lock(&pnp_lock);
    if (reg->unregistered) {
        pthread_mutex_unlock(&pnp_lock);
        return;
    }
    reg->running++;
    reg->runner = pthread_self();
    pthread_mutex_unlock(&pnp_lock);

    DEVICE_INTERFACE_CHANGE_NOTIFICATION n;
    memset(&n, 0, sizeof n);
    n.Version = PNP_NOTIFICATION_VERSION;
    n.Size = sizeof n;
    n.Event = ev->arrival ? GUID_DEVICE_INTERFACE_ARRIVAL : GUID_DEVICE_INTERFACE_REMOVAL;
    n.InterfaceClassGuid = ev->class_guid;
    UNICODE_STRING link = ev->link; /* the callback may not change ours */
    n.SymbolicLinkName = &link;
    io_driver_call call;
    io_enter_driver(reg->driver, &call);
    (void)reg->callback(&n, reg->context);
    io_leave_driver(&call, "PnP notification callback");

    pthread_mutex_lock(&pnp_lock);
    if (--reg->running == 0)
        pthread_cond_broadcast(&pnp_idle);
    pthread_mutex_unlock(&pnp_lock);
}

/* Under pnp_lock: the registrations a broadcast goes to, each referenced; *count of them. */
static struct pnp_reg **pnp_targets_locked(const struct pnp_event *ev, size_t *count)
{
    size_t n = 0;
    for (PLIST_ENTRY e = pnp_regs.Flink; e != &pnp_regs; e = e->Flink) {
        struct pnp_reg *reg = CONTAINING_RECORD(e, struct pnp_reg, link);
        if (!reg->unregistered && reg->start_seq < ev->seq && IsEqualGUID(&reg->class_guid, &ev->class_guid))
            n++;
    }
    *count = 0;
    if (n == 0)
        return NULL;
    struct pnp_reg **regs = malloc(n * sizeof(*regs));
    if (regs == NULL) {
        OWDF_VERIFY_REPORT("IO_NOTIFICATION_LOST", NULL, "DEVICE_INTERFACE", NULL,
                           "no memory to deliver a device interface notification to %zu registration(s)", n);
        return NULL;
    }
    for (PLIST_ENTRY e = pnp_regs.Flink; e != &pnp_regs; e = e->Flink) {
        struct pnp_reg *reg = CONTAINING_RECORD(e, struct pnp_reg, link);
        if (!reg->unregistered && reg->start_seq < ev->seq && IsEqualGUID(&reg->class_guid, &ev->class_guid)) {
            reg->refs++;
            regs[(*count)++] = reg;
        }
    }
    return regs;
}

void io_pnp_deliver(void)
{
    pthread_mutex_lock(&pnp_lock);
    if (pnp_draining) {
        pthread_mutex_unlock(&pnp_lock);
        return;
    }
    pnp_draining = TRUE;
    while (pnp_head != NULL) {
        struct pnp_event *ev = pnp_head;
        pnp_head = ev->next;
        if (pnp_head == NULL)
            pnp_tail = &pnp_head;
        struct pnp_reg *single = ev->target;
        struct pnp_reg **regs = NULL;
        size_t count = 0;
        if (single == NULL)
            regs = pnp_targets_locked(ev, &count);
        pthread_mutex_unlock(&pnp_lock);

        if (single != NULL)
            pnp_deliver_one(single, ev);
        for (size_t i = 0; i < count; i++)
            pnp_deliver_one(regs[i], ev);

        pthread_mutex_lock(&pnp_lock);
        struct pnp_reg *to_free[1 + 16];
        size_t nfree = 0;
        if (single != NULL && pnp_reg_release_locked(single))
            to_free[nfree++] = single;
        for (size_t i = 0; i < count; i++) {
            if (pnp_reg_release_locked(regs[i])) {
                if (nfree == RTL_NUMBER_OF(to_free)) {
                    /* Rare: flush what we have. */
                    pthread_mutex_unlock(&pnp_lock);
                    for (size_t j = 0; j < nfree; j++)
                        pnp_reg_free(to_free[j]);
                    nfree = 0;
                    pthread_mutex_lock(&pnp_lock);
                }
                to_free[nfree++] = regs[i];
            }
        }
        pthread_mutex_unlock(&pnp_lock);
        for (size_t j = 0; j < nfree; j++)
            pnp_reg_free(to_free[j]);
        free(regs);
        free(ev);
        pthread_mutex_lock(&pnp_lock);
    }
    pnp_draining = FALSE;
    pthread_mutex_unlock(&pnp_lock);
}

/* INCLUDE_EXISTING: an arrival for one registration (under the registry lock). */
static void pnp_queue_existing(PCUNICODE_STRING link, void *context)
{
    struct pnp_reg *reg = context;
    struct pnp_event *ev = pnp_new_event(&reg->class_guid, link, TRUE);
    if (ev == NULL)
        return;
    pthread_mutex_lock(&pnp_lock);
    ev->target = reg;
    reg->refs++;
    pnp_append_locked(ev);
    pthread_mutex_unlock(&pnp_lock);
}

NTKERNELAPI NTSTATUS IoRegisterPlugPlayNotification(IO_NOTIFICATION_EVENT_CATEGORY EventCategory,
                                                    ULONG EventCategoryFlags, PVOID EventCategoryData,
                                                    PDRIVER_OBJECT DriverObject,
                                                    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE CallbackRoutine,
                                                    PVOID Context, PVOID *NotificationEntry)
{
    PAGED_CODE();
    if (NotificationEntry == NULL)
        return STATUS_INVALID_PARAMETER;
    *NotificationEntry = NULL;
    if (EventCategory == EventCategoryHardwareProfileChange || EventCategory == EventCategoryTargetDeviceChange) {
        OWDF_VERIFY_REPORT("IO_NOT_IMPLEMENTED", DriverObject, "DRIVER_OBJECT", DriverObject,
                           "IoRegisterPlugPlayNotification: category %d (%s) is not supported yet",
                           (int)EventCategory,
                           EventCategory == EventCategoryHardwareProfileChange ? "hardware profile change"
                                                                               : "target device change");
        return STATUS_NOT_IMPLEMENTED;
    }
    if (EventCategory != EventCategoryDeviceInterfaceChange || DriverObject == NULL || CallbackRoutine == NULL ||
        EventCategoryData == NULL || (EventCategoryFlags & ~PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES))
        return STATUS_INVALID_PARAMETER;

    struct pnp_reg *reg = calloc(1, sizeof(*reg));
    if (reg == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    reg->class_guid = *(const GUID *)EventCategoryData;
    reg->callback = CallbackRoutine;
    reg->context = Context;
    reg->driver = DriverObject;
    reg->refs = 1; /* the list's */
    ObReferenceObject(DriverObject);

    io_interface_lock();
    pthread_mutex_lock(&pnp_lock);
    reg->start_seq = pnp_seq;
    InsertTailList(&pnp_regs, &reg->link);
    pthread_mutex_unlock(&pnp_lock);
    if (EventCategoryFlags & PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES)
        io_interface_for_each_enabled(&reg->class_guid, pnp_queue_existing, reg);
    io_interface_unlock();

    *NotificationEntry = reg;
    io_pnp_deliver();
    return STATUS_SUCCESS;
}

static NTSTATUS pnp_unregister(PVOID NotificationEntry, const char *call)
{
    PAGED_CODE();
    pthread_mutex_lock(&pnp_lock);
    struct pnp_reg *reg = NULL;
    for (PLIST_ENTRY e = pnp_regs.Flink; e != &pnp_regs; e = e->Flink) {
        if (CONTAINING_RECORD(e, struct pnp_reg, link) == NotificationEntry) {
            reg = NotificationEntry;
            break;
        }
    }
    if (reg == NULL) {
        pthread_mutex_unlock(&pnp_lock);
        OWDF_VERIFY_REPORT("IO_BAD_NOTIFICATION_ENTRY", NotificationEntry, "PNP_NOTIFICATION",
                           io_report_driver(), "%s(%p): not a registered notification (unregistered already?)", call,
                           NotificationEntry);
        return STATUS_INVALID_PARAMETER;
    }
    reg->unregistered = TRUE;
    RemoveEntryList(&reg->link);
    InitializeListHead(&reg->link);
    /* A callback of it running on another thread finishes first; from inside it, no wait. */
    while (reg->running != 0 && !pthread_equal(reg->runner, pthread_self()))
        pthread_cond_wait(&pnp_idle, &pnp_lock);
    BOOLEAN last = pnp_reg_release_locked(reg);
    pthread_mutex_unlock(&pnp_lock);
    if (last)
        pnp_reg_free(reg);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS IoUnregisterPlugPlayNotification(PVOID NotificationEntry)
{
    return pnp_unregister(NotificationEntry, "IoUnregisterPlugPlayNotification");
}

NTKERNELAPI NTSTATUS IoUnregisterPlugPlayNotificationEx(PVOID NotificationEntry)
{
    return pnp_unregister(NotificationEntry, "IoUnregisterPlugPlayNotificationEx");
}

ULONG io_pnp_notification_count(void)
{
    ULONG n = 0;
    pthread_mutex_lock(&pnp_lock);
    for (PLIST_ENTRY e = pnp_regs.Flink; e != &pnp_regs; e = e->Flink)
        n++;
    pthread_mutex_unlock(&pnp_lock);
    return n;
}
