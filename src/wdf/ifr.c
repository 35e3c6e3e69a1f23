/*
 * ifr.c - the in-flight recorder: per driver, a ring of fixed-size records for each thread slot.
 *
 * The recorder sits on the I/O path (a request presented, a request completed), so writing must
 * share nothing between threads: each thread writes the ring of its thread slot (fx_thread_slot.h;
 * allocated when first written), claiming a record with a plain store when the slot is the thread's
 * alone and with one atomic increment in the shared slot.
 * Records carry the CPU's time-stamp counter, a few cycles to read, where clock_gettime costs tens
 * of nanoseconds; readers turn it into CLOCK_MONOTONIC time and merge the slots in time order. A
 * request completed inside its own presentation (the driver's Evt callback, same thread), with
 * nothing recorded in between on its thread, is folded into the presentation's record (readers see
 * both, at the presentation's time): one clock read and one record per request on the I/O path.
 * A slot keeps its newest `entries` records (256 by default, about 36 KB a thread: the recent past
 * stays in cache, as KMDF's few-page recorder does).
 *
 * Writers publish a record by storing its slot sequence number last (release); readers copy a
 * record and keep it only if the sequence is unchanged afterwards, so a record overwritten while
 * being read is dropped rather than shown torn. All recorders are on a list (under a mutex) so
 * tools can find a driver's by name.
 */
#include "fx_ifr.h"
#include "fx_thread_slot.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IFR_SLOTS FX_THREAD_SLOTS

struct ifr_slot {
    _Alignas(64) uint64_t next_sequence; /* atomic; records written to this slot */
    owdf_ifr_record *ring;               /* atomic pointer; NULL until first written */
    uint64_t merged;                     /* atomic; completions folded into their presentation */
};

/*
 * A request completed inside its own presentation, with nothing recorded in between on its thread
 * (an exclusive slot), is folded into the presentation's record: the record is re-published as a
 * new version (MERGED in its event, status and information in its first two text words) and readers
 * show it as the two records it stands for, both at the presentation's time.
 */
#define IFR_MERGED 0x100u
#define IFR_AMENDED (1ull << 63) /* in a record's sequence: the merged version */

struct fx_ifr {
    struct fx_ifr *next;
    char name[32];
    size_t mask;
    struct ifr_slot slots[IFR_SLOTS];
};

static pthread_mutex_t ifr_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fx_ifr *ifr_list;

/* ---- Time ------------------------------------------------------------------------------------- */

/* The first (ticks, ns) pair of the process; a reader pairs it with a fresh one to convert. */
static pthread_once_t ifr_epoch_once = PTHREAD_ONCE_INIT;
static uint64_t epoch_ticks, epoch_ns;

static void ifr_take_epoch(void)
{
    epoch_ns = fx_ifr_monotonic_ns();
    epoch_ticks = fx_ifr_ticks();
}

typedef struct ifr_clock {
    double ns_per_tick;
} ifr_clock;

static ifr_clock ifr_clock_now(void)
{
    ifr_clock c = {1.0};
#ifdef FX_IFR_TICKS_ARE_TSC
    uint64_t ns = fx_ifr_monotonic_ns(), ticks = fx_ifr_ticks();
    if (ns - epoch_ns < 2000000u) {
        /* Too close to the epoch to measure the rate well: take 2 ms more. */
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
        ns = fx_ifr_monotonic_ns();
        ticks = fx_ifr_ticks();
    }
    if (ticks > epoch_ticks)
        c.ns_per_tick = (double)(ns - epoch_ns) / (double)(ticks - epoch_ticks);
#endif
    return c;
}

static uint64_t ifr_ticks_to_ns(const ifr_clock *c, uint64_t ticks)
{
#ifdef FX_IFR_TICKS_ARE_TSC
    if (ticks < epoch_ticks)
        return epoch_ns - (uint64_t)((double)(epoch_ticks - ticks) * c->ns_per_tick);
    return epoch_ns + (uint64_t)((double)(ticks - epoch_ticks) * c->ns_per_tick);
#else
    (void)c;
    return ticks;
#endif
}

/* ---- Recorders -------------------------------------------------------------------------------- */

struct fx_ifr *fx_ifr_create(const char *driver_name, size_t entries)
{
    pthread_once(&ifr_epoch_once, ifr_take_epoch);
    size_t size = 1;
    if (entries == 0)
        entries = 256;
    while (size < entries)
        size <<= 1;
    struct fx_ifr *ifr = aligned_alloc(_Alignof(struct fx_ifr), sizeof *ifr); /* slots on their own lines */
    if (ifr == NULL)
        return NULL;
    memset(ifr, 0, sizeof *ifr);
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
    for (int i = 0; i < IFR_SLOTS; i++)
        free(ifr->slots[i].ring);
    free(ifr);
}

/* Field stores and loads are relaxed atomics so a reader racing a writer is well-defined (the
 * sequence check then discards what it read). The text moves as 8-byte words for the same reason. */
#define STORE(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELAXED)
#define LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define TEXT_WORDS (sizeof(((owdf_ifr_record *)0)->text) / sizeof(uint64_t))


static owdf_ifr_record *slot_ring(struct fx_ifr *ifr, struct ifr_slot *slot)
{
    owdf_ifr_record *ring = __atomic_load_n(&slot->ring, __ATOMIC_ACQUIRE);
    if (__builtin_expect(ring != NULL, 1))
        return ring;
    /* First record of this slot: once per slot and recorder, not per request. */
    owdf_ifr_record *fresh = calloc(ifr->mask + 1, sizeof *fresh);
    if (fresh == NULL)
        return NULL; /* the record is lost, the driver is not disturbed */
    if (!__atomic_compare_exchange_n(&slot->ring, &ring, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(fresh);
        return ring;
    }
    return fresh;
}

static owdf_ifr_record *claim(struct fx_ifr *ifr, uint64_t *sequence, uint64_t ticks)
{
    unsigned index = fx_thread_slot();
    struct ifr_slot *slot = &ifr->slots[index];
    owdf_ifr_record *ring = slot_ring(ifr, slot);
    if (ring == NULL)
        return NULL;
    if (fx_thread_slot_is_exclusive(index)) {
        /* Only this thread writes the slot: no read-modify-write needed. */
        *sequence = __atomic_load_n(&slot->next_sequence, __ATOMIC_RELAXED) + 1;
        __atomic_store_n(&slot->next_sequence, *sequence, __ATOMIC_RELAXED);
    } else {
        *sequence = __atomic_add_fetch(&slot->next_sequence, 1, __ATOMIC_RELAXED);
    }
    owdf_ifr_record *r = &ring[(*sequence - 1) & ifr->mask];
    __atomic_store_n(&r->sequence, 0, __ATOMIC_RELAXED); /* being written */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    STORE(r->time_ns, ticks); /* ticks until a reader converts them */
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

/* The request this thread is presenting to the driver (its handle) and the record that says so. */
static _Thread_local struct {
    const void *request;
    struct fx_ifr *ifr;
    owdf_ifr_record *record;
    uint64_t sequence;
} presenting;

static owdf_ifr_record *record_at(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, uintptr_t arg1,
                                  uintptr_t arg2, uint64_t ticks, uint64_t *sequence_out)
{
    uint64_t sequence;
    owdf_ifr_record *r = claim(ifr, &sequence, ticks);
    if (r == NULL)
        return NULL;
    STORE(r->event, event);
    STORE(r->object, (uintptr_t)object);
    STORE(r->arg1, arg1);
    STORE(r->arg2, arg2);
    STORE(((uint64_t *)(void *)r->text)[0], 0);
    publish(r, sequence);
    *sequence_out = sequence;
    return r;
}

/* Folds a completion into the presentation record `r` (this thread's newest, exclusive slot). */
static void merge_completion(struct ifr_slot *slot, owdf_ifr_record *r, uint64_t sequence, uintptr_t status,
                             uintptr_t information)
{
    __atomic_store_n(&r->sequence, 0, __ATOMIC_RELAXED); /* being rewritten */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    uint64_t *words = (uint64_t *)(void *)r->text;
    STORE(words[0], (uint64_t)status);
    STORE(words[1], (uint64_t)information);
    STORE(r->event, (owdf_ifr_event)(OWDF_IFR_REQUEST_PRESENTED | IFR_MERGED));
    publish(r, sequence | IFR_AMENDED);
    __atomic_store_n(&slot->merged, __atomic_load_n(&slot->merged, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

void fx_ifr_record(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, uintptr_t arg1, uintptr_t arg2)
{
    if (ifr == NULL)
        return;
    if (event == OWDF_IFR_REQUEST_COMPLETED && object != NULL && object == presenting.request) {
        /* Completed inside its own presentation with nothing recorded since on this thread: no clock
         * read and no record of its own (anything in between would then be out of time order). */
        presenting.request = NULL;
        unsigned index = fx_thread_slot();
        struct ifr_slot *slot = &ifr->slots[index];
        if (presenting.ifr == ifr && presenting.record != NULL && fx_thread_slot_is_exclusive(index) &&
            __atomic_load_n(&slot->next_sequence, __ATOMIC_RELAXED) == presenting.sequence) {
            merge_completion(slot, presenting.record, presenting.sequence, arg1, arg2);
            return;
        }
    }
    uint64_t sequence;
    (void)record_at(ifr, event, object, arg1, arg2, fx_ifr_ticks(), &sequence);
}

void fx_ifr_record_presenting(struct fx_ifr *ifr, const void *request, uintptr_t major, const void *queue,
                              uint64_t ticks)
{
    if (ifr == NULL)
        return;
    presenting.request = request;
    presenting.ifr = ifr;
    presenting.record =
        record_at(ifr, OWDF_IFR_REQUEST_PRESENTED, request, major, (uintptr_t)queue, ticks, &presenting.sequence);
}

void fx_ifr_presentation_end(const void *request)
{
    if (presenting.request == request)
        presenting.request = NULL;
}

void fx_ifr_printf(struct fx_ifr *ifr, owdf_ifr_event event, const void *object, const char *fmt, ...)
{
    if (ifr == NULL)
        return;
    uint64_t sequence;
    owdf_ifr_record *r = claim(ifr, &sequence, fx_ifr_ticks());
    if (r == NULL)
        return;
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

/* ---- Reading ---------------------------------------------------------------------------------- */

/* Appends the kept records of one slot (oldest first, time still in ticks, `sequence` twice the
 * slot's, plus one for the completion half of a merged record) to out[*n..max), skipping any
 * overwritten meanwhile. Returns how many records the slot ever stood for. */
static uint64_t copy_slot(struct fx_ifr *ifr, struct ifr_slot *slot, owdf_ifr_record *out, size_t *n, size_t max)
{
    owdf_ifr_record *ring = __atomic_load_n(&slot->ring, __ATOMIC_ACQUIRE);
    uint64_t merged = __atomic_load_n(&slot->merged, __ATOMIC_ACQUIRE);
    uint64_t last = __atomic_load_n(&slot->next_sequence, __ATOMIC_ACQUIRE);
    if (ring == NULL)
        return 0;
    uint64_t kept = last < ifr->mask + 1 ? last : ifr->mask + 1;
    for (uint64_t s = last - kept + 1; s <= last && *n + 2 <= max; s++) {
        owdf_ifr_record *r = &ring[(s - 1) & ifr->mask];
        uint64_t version = __atomic_load_n(&r->sequence, __ATOMIC_ACQUIRE);
        if ((version & ~IFR_AMENDED) != s)
            continue;
        owdf_ifr_record copy;
        load_record(&copy, r);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&r->sequence, __ATOMIC_RELAXED) != version)
            continue;
        copy.sequence = s << 1;
        if (!((unsigned)copy.event & IFR_MERGED)) {
            out[(*n)++] = copy;
            continue;
        }
        uint64_t words[2];
        memcpy(words, copy.text, sizeof words);
        memset(copy.text, 0, sizeof copy.text);
        copy.event = OWDF_IFR_REQUEST_PRESENTED;
        out[(*n)++] = copy;
        copy.event = OWDF_IFR_REQUEST_COMPLETED;
        copy.arg1 = (uintptr_t)words[0];
        copy.arg2 = (uintptr_t)words[1];
        copy.sequence = (s << 1) | 1;
        out[(*n)++] = copy;
    }
    return last + merged;
}

static int by_time(const void *a, const void *b)
{
    const owdf_ifr_record *x = a, *y = b;
    if (x->time_ns != y->time_ns)
        return x->time_ns < y->time_ns ? -1 : 1;
    return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

/* Room for every record the slots written so far may hold (a merged record reads as two). */
static size_t ifr_capacity(struct fx_ifr *ifr)
{
    size_t used = 0;
    for (int i = 0; i < IFR_SLOTS; i++)
        used += __atomic_load_n(&ifr->slots[i].ring, __ATOMIC_ACQUIRE) != NULL;
    return 2 * used * (ifr->mask + 1);
}

/*
 * Copies the kept records of one recorder into out (up to max, oldest first): all slots merged in
 * time order, times converted to CLOCK_MONOTONIC ns, and numbered in that order from the count of
 * records the recorder ever wrote (so with nothing overwritten, record k of the driver is number k).
 */
static size_t copy_records(struct fx_ifr *ifr, owdf_ifr_record *out, size_t max)
{
    size_t capacity = ifr_capacity(ifr), n = 0;
    owdf_ifr_record *all = malloc(capacity * sizeof *all);
    if (all == NULL)
        return 0;
    uint64_t written = 0;
    for (int i = 0; i < IFR_SLOTS; i++)
        written += copy_slot(ifr, &ifr->slots[i], all, &n, capacity);
    qsort(all, n, sizeof *all, by_time);
    ifr_clock clock = ifr_clock_now();
    size_t skip = n > max ? n - max : 0; /* the newest `max` are the ones worth keeping */
    uint64_t first_number = written - n + 1;
    for (size_t i = skip; i < n; i++) {
        owdf_ifr_record *r = &out[i - skip];
        *r = all[i];
        r->sequence = first_number + i;
        r->time_ns = ifr_ticks_to_ns(&clock, all[i].time_ns);
    }
    free(all);
    return n - skip;
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
        for (int i = 0; i < IFR_SLOTS; i++) {
            struct ifr_slot *slot = &ifr->slots[i];
            owdf_ifr_record *ring = __atomic_load_n(&slot->ring, __ATOMIC_ACQUIRE);
            uint64_t last = __atomic_load_n(&slot->next_sequence, __ATOMIC_ACQUIRE);
            if (ring == NULL)
                continue;
            uint64_t kept = last < ifr->mask + 1 ? last : ifr->mask + 1;
            for (uint64_t s = last - kept + 1; s <= last; s++) {
                owdf_ifr_record *r = &ring[(s - 1) & ifr->mask];
                if ((__atomic_load_n(&r->sequence, __ATOMIC_ACQUIRE) & ~IFR_AMENDED) != s)
                    continue;
                unsigned e = (unsigned)LOAD(r->event);
                if (e & IFR_MERGED) /* a presentation and its completion */
                    count += event == 0 ? 2
                                        : (event == OWDF_IFR_REQUEST_PRESENTED || event == OWDF_IFR_REQUEST_COMPLETED);
                else if (event == 0 || e == (unsigned)event)
                    count++;
            }
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
        size_t capacity = ifr_capacity(ifr);
        owdf_ifr_record *records = malloc((capacity != 0 ? capacity : 1) * sizeof *records);
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
