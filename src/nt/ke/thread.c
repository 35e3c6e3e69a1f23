/*
 * thread.c - the per-thread Ke state other threads can reach (struct ke_thread), its wake
 * primitive (a futex word), and thread creation for the substrate and the layers above.
 *
 * A ke_thread is created at thread start by ke_thread_create, or lazily the first time a thread
 * we did not create needs one (a wait, a mutex, KeGetCurrentThread). At thread exit a pthread key
 * destructor abandons the KMUTEXes it still owns and puts the struct on a free list: it is reused,
 * never freed, because a signaler may still call futex-wake on it right after the waiter left.
 */
#include "ke_internal.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_key_t ke_thread_key;
static pthread_once_t ke_thread_key_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t ke_free_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ke_thread *ke_free_threads; /* under ke_free_lock */

int ke_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *deadline)
{
    long r = syscall(SYS_futex, word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, deadline, NULL,
                     FUTEX_BITSET_MATCH_ANY);
    if (r == -1 && errno == ETIMEDOUT)
        return ETIMEDOUT;
    return 0;
}

void ke_futex_wake(uint32_t *word, int count)
{
    syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, count, NULL, NULL, 0);
}

/*
 * Wakes a thread its signaler has unwaited (status already stored). After the exchange the waiter
 * may return and even exit: nothing of `t` is touched afterwards but the futex address.
 */
void ke_thread_wake(struct ke_thread *t)
{
    uint32_t old = __atomic_exchange_n(&t->wake, KE_WAKE_WOKEN, __ATOMIC_SEQ_CST);
    if (old == KE_WAKE_SLEEPING)
        ke_futex_wake(&t->wake, 1);
}

static void ke_thread_exit(void *p)
{
    struct ke_thread *t = p;
    if (t->mutex_count != 0)
        ke_thread_abandon_mutexes(t);
    ke_tls.thread = NULL;
    pthread_mutex_lock(&ke_free_lock);
    t->free_next = ke_free_threads;
    ke_free_threads = t;
    pthread_mutex_unlock(&ke_free_lock);
}

static void ke_thread_key_create(void)
{
    if (pthread_key_create(&ke_thread_key, ke_thread_exit) != 0) {
        fprintf(stderr, "openwdf: cannot create the Ke thread key\n");
        abort();
    }
}

static struct ke_thread *ke_thread_alloc(void)
{
    pthread_mutex_lock(&ke_free_lock);
    struct ke_thread *t = ke_free_threads;
    if (t != NULL)
        ke_free_threads = t->free_next;
    pthread_mutex_unlock(&ke_free_lock);
    if (t == NULL) {
        t = calloc(1, sizeof *t);
        if (t == NULL)
            return NULL;
    } else {
        memset(t, 0, sizeof *t);
    }
    ke_list_init(&t->owned_mutexes);
    return t;
}

static void ke_thread_bind(struct ke_thread *t, unsigned flags)
{
    pthread_once(&ke_thread_key_once, ke_thread_key_create);
    t->tid = (pid_t)syscall(SYS_gettid);
    t->flags = flags;
    ke_tls.thread = t;
    pthread_setspecific(ke_thread_key, t);
}

struct ke_thread *ke_thread_attach_lazy(void)
{
    struct ke_thread *t = ke_thread_alloc();
    if (t == NULL) {
        fprintf(stderr, "openwdf: out of memory for a thread's Ke state\n");
        abort();
    }
    ke_thread_bind(t, 0);
    return t;
}

struct ke_thread_start {
    void *(*start)(void *);
    void *arg;
    struct ke_thread *thread;
    unsigned flags;
    char name[16];
};

static void *ke_thread_trampoline(void *p)
{
    struct ke_thread_start s = *(struct ke_thread_start *)p;
    free(p);
    ke_thread_bind(s.thread, s.flags);
    if (s.name[0] != '\0')
        pthread_setname_np(pthread_self(), s.name);
    return s.start(s.arg);
}

NTSTATUS ke_thread_create_flags(pthread_t *thread, const char *name, unsigned flags, void *(*start)(void *),
                                void *arg)
{
    struct ke_thread_start *s = calloc(1, sizeof *s);
    if (s == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    s->thread = ke_thread_alloc();
    if (s->thread == NULL) {
        free(s);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    s->start = start;
    s->arg = arg;
    s->flags = flags | KE_THREAD_OURS;
    if (name != NULL)
        snprintf(s->name, sizeof s->name, "%s", name);
    struct ke_thread *t = s->thread;
    if (pthread_create(thread, NULL, ke_thread_trampoline, s) != 0) {
        free(s);
        pthread_mutex_lock(&ke_free_lock);
        t->free_next = ke_free_threads;
        ke_free_threads = t;
        pthread_mutex_unlock(&ke_free_lock);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

NTSTATUS ke_thread_create(pthread_t *thread, const char *name, void *(*start)(void *), void *arg)
{
    return ke_thread_create_flags(thread, name, 0, start, arg);
}

PVOID KeGetCurrentThread(void)
{
    return ke_current_thread();
}

HANDLE PsGetCurrentThreadId(void)
{
    struct ke_thread *t = ke_current_thread();
    return (HANDLE)(ULONG_PTR)t->tid;
}

HANDLE PsGetCurrentProcessId(void)
{
    return (HANDLE)(ULONG_PTR)getpid();
}
