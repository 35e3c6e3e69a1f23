/*
 * ifr.c - the in-flight recorder: a per-driver ring of fixed-size records.
 *
 * Writers claim a slot with one atomic increment and publish it by storing its sequence number
 * last (release); readers copy a slot and keep it only if the sequence is unchanged afterwards, so
 * a record overwritten while being read is dropped rather than shown torn. All recorders are on a
 * list (under a mutex) so tools can find a driver's by name.
 */
#include "fx_ifr.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fx_ifr {
    struct fx_ifr *next;
    char name[32];
    size_t mask;
    uint64_t next_sequence; /* atomic */
    owdf_ifr_record *ring;
};

static pthread_mutex_t ifr_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fx_ifr *ifr_list;

struct fx_ifr *fx_ifr_create(const char *driver_name, size_t entries)
{
    size_t size = 1;
    if (entries == 0)
        entries = 4096;
    while (size < entries)
        size <<= 1;
    struct fx_ifr *ifr = calloc(1, sizeof *ifr);
    if (ifr == NULL)
        return NULL;
    ifr->ring = calloc(size, sizeof *ifr->ring);
    if (ifr->ring == NULL) {
        free(ifr);
        return NULL;
    }
    ifr->mask = size - 1;
    snprintf(ifr->name, sizeof ifr->name, "%s", driver_name ? driver_name : "?");
    pthread_mutex_lock(&ifr_list_lock);
    ifr->next = ifr_list;
    ifr_list = ifr;
    pthread_mutex_unlock(&ifr_list_lock);
    return ifr;
}

void fx_ifr_destroy(struct fx_ifr *ifr)
{
    if (ifr == NULL)
        return;
    pthread_mutex_lock(&ifr_list_lock);
    for (struct fx_ifr **link = &ifr_list; *link != NULL; link = &(*link)->next) {
        if (*link == ifr) {
            *link = ifr->next;
            break;
        }
    }
    pthread_mutex_unlock(&ifr_list_lock);
    free(ifr->ring);
    free(ifr);
}

/* Field stores and loads are relaxed atomics so a reader racing a writer is well-defined (the
 * sequence check then discards what it read). The text moves as 8-byte words for the same reason. */
#define STORE(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELAXED)
#define LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define TEXT_WORDS (sizeof(((owdf_ifr_record *)0)->text) / sizeof(uint64_t))

static owdf_ifr_record *claim(struct fx_ifr *ifr, uint64_t *sequence)
{
    *sequence = __atomic_add_fetch(&ifr->next_sequence, 1, __ATOMIC_RELAXED);
    owdf_ifr_record *r = &ifr->ring[(*sequence - 1) & ifr->mask];
    __atomic_store_n(&r->sequence, 0, __ATOMIC_RELAXED); /* being written */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    STORE(r->time_ns, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
    return r;
}


static void store_text(owdf_ifr_record *r, const char *text)
{
    uint64_t words[TEXT_WORDS];
    memcpy(words, text, sizeof words);
    uint64_t *dst = (uint64_t *)(void *)r->text;
    for (size_t i = 0; i < TEXT_WORDS; i++)
        __atomic_store_n(&dst[i], words[i], __ATOMIC_RELAXED);
}

static void load_record(owdf_ifr_record *out, owdf_ifr_record *r)
{
    out->time_ns = LOAD(r->time_ns);
    out->event = LOAD(r->event);
    out->object = LOAD(r->object);
    out->arg1 = LOAD(r->arg1);
    out->arg2 = LOAD(r->arg2);
    uint64_t *src = (uint64_t *)(void *)r->text;
    uint64_t words[TEXT_WORDS] = {0};
    for (size_t i = 0; i < TEXT_WORDS; i++)
        words[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
    memcpy(out->text, words, sizeof words);
    out->text[sizeof out->text - 1] = 0;
}

static void publish(owdf_ifr_record *r, uint64_t sequence)
{
    __atomic_store_n(&r->sequence, sequence, __ATOMIC_RELEASE);
}

void fx_ifr_record(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, uintptr_t arg1, uintptr_t arg2)
{
    if (ifr == NULL)
        return;
    uint64_t sequence;
    owdf_ifr_record *r = claim(ifr, &sequence);
    STORE(r->event, event);
    STORE(r->object, (uintptr_t)object);
    STORE(r->arg1, arg1);
    STORE(r->arg2, arg2);
    STORE(((uint64_t *)(void *)r->text)[0], 0);
    publish(r, sequence);
}

void fx_ifr_printf(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, const char *fmt, ...)
{
    if (ifr == NULL)
        return;
    uint64_t sequence;
    owdf_ifr_record *r = claim(ifr, &sequence);
    STORE(r->event, event);
    STORE(r->object, (uintptr_t)object);
    STORE(r->arg1, 0);
    STORE(r->arg2, 0);
    char text[sizeof r->text] = {0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    store_text(r, text);
    publish(r, sequence);
}

const char *owdf_ifr_event_name(owdf_ifr_event event)
{
    static const char *const names[OWDF_IFR_EVENT_MAX] = {
        [OWDF_IFR_OBJECT_CREATED] = "object-created",
        [OWDF_IFR_OBJECT_DELETED] = "object-deleted",
        [OWDF_IFR_REQUEST_PRESENTED] = "request-presented",
        [OWDF_IFR_REQUEST_COMPLETED] = "request-completed",
        [OWDF_IFR_REQUEST_FORWARDED] = "request-forwarded",
        [OWDF_IFR_REQUEST_REQUEUED] = "request-requeued",
        [OWDF_IFR_REQUEST_CANCELED] = "request-canceled",
        [OWDF_IFR_QUEUE_STATE] = "queue-state",
        [OWDF_IFR_DEVICE_STATE] = "device-state",
        [OWDF_IFR_CALLBACK] = "callback",
        [OWDF_IFR_VERIFIER] = "verifier",
        [OWDF_IFR_TRACE] = "trace",
    };
    return (event > 0 && event < OWDF_IFR_EVENT_MAX) ? names[event] : "?";
}

/* Copies the kept records of one recorder, oldest first, skipping any overwritten meanwhile. */
static size_t copy_records(struct fx_ifr *ifr, owdf_ifr_record *out, size_t max)
{
    uint64_t last = __atomic_load_n(&ifr->next_sequence, __ATOMIC_ACQUIRE);
    uint64_t kept = last < ifr->mask + 1 ? last : ifr->mask + 1;
    size_t n = 0;
    for (uint64_t s = last - kept + 1; s <= last && n < max; s++) {
        owdf_ifr_record *r = &ifr->ring[(s - 1) & ifr->mask];
        if (__atomic_load_n(&r->sequence, __ATOMIC_ACQUIRE) != s)
            continue;
        load_record(&out[n], r);
        out[n].sequence = s;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&r->sequence, __ATOMIC_RELAXED) == s)
            n++;
    }
    return n;
}

static int name_matches(const struct fx_ifr *ifr, const char *name)
{
    return name == NULL || strcmp(ifr->name, name) == 0;
}

size_t owdf_ifr_snapshot(const char *driver_name, owdf_ifr_record *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&ifr_list_lock);
    for (struct fx_ifr *ifr = ifr_list; ifr != NULL && n < max; ifr = ifr->next) {
        if (name_matches(ifr, driver_name))
            n += copy_records(ifr, out + n, max - n);
    }
    pthread_mutex_unlock(&ifr_list_lock);
    return n;
}

size_t owdf_ifr_count(const char *driver_name, owdf_ifr_event event)
{
    size_t count = 0;
    pthread_mutex_lock(&ifr_list_lock);
    for (struct fx_ifr *ifr = ifr_list; ifr != NULL; ifr = ifr->next) {
        if (!name_matches(ifr, driver_name))
            continue;
        uint64_t last = __atomic_load_n(&ifr->next_sequence, __ATOMIC_ACQUIRE);
        uint64_t kept = last < ifr->mask + 1 ? last : ifr->mask + 1;
        for (uint64_t s = last - kept + 1; s <= last; s++) {
            owdf_ifr_record *r = &ifr->ring[(s - 1) & ifr->mask];
            if (__atomic_load_n(&r->sequence, __ATOMIC_ACQUIRE) == s && (event == 0 || LOAD(r->event) == event))
                count++;
        }
    }
    pthread_mutex_unlock(&ifr_list_lock);
    return count;
}

size_t owdf_ifr_dump(const char *driver_name, FILE *out, size_t last_n)
{
    size_t printed = 0;
    pthread_mutex_lock(&ifr_list_lock);
    for (struct fx_ifr *ifr = ifr_list; ifr != NULL; ifr = ifr->next) {
        if (!name_matches(ifr, driver_name))
            continue;
        size_t capacity = ifr->mask + 1;
        owdf_ifr_record *records = malloc(capacity * sizeof *records);
        if (records == NULL)
            break;
        size_t n = copy_records(ifr, records, capacity);
        size_t first = (last_n != 0 && n > last_n) ? n - last_n : 0;
        fprintf(out, "in-flight recorder of %s (%zu records)\n", ifr->name, n - first);
        for (size_t i = first; i < n; i++) {
            owdf_ifr_record *r = &records[i];
            fprintf(out, "  #%llu %llu.%06llu %-18s %#lx %#lx %#lx %s\n", (unsigned long long)r->sequence,
                    (unsigned long long)(r->time_ns / 1000000000ull),
                    (unsigned long long)(r->time_ns % 1000000000ull / 1000), owdf_ifr_event_name(r->event),
                    (unsigned long)r->object, (unsigned long)r->arg1, (unsigned long)r->arg2, r->text);
            printed++;
        }
        free(records);
    }
    pthread_mutex_unlock(&ifr_list_lock);
    return printed;
}
