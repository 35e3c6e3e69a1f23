/* Concurrency tests for the Interlocked family: no lost updates, CAS-based spin lock excludes. */
#include "verifier_capture.h"

#include <pthread.h>

#include <wdm.h>

#define THREADS 4
#define ITERATIONS 20000

static volatile LONG counter;
static volatile LONG64 counter64;
static volatile LONG lock_word;
static long protected_value; /* plain: only touched under lock_word */

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERATIONS; i++) {
        InterlockedIncrement(&counter);
        InterlockedExchangeAdd64(&counter64, 2);
        while (InterlockedCompareExchangeAcquire(&lock_word, 1, 0) != 0)
            YieldProcessor();
        protected_value++;
        InterlockedExchange(&lock_word, 0);
        InterlockedDecrement(&counter);
    }
    return NULL;
}

static void no_lost_updates(void **state)
{
    (void)state;
    counter = 0;
    counter64 = 0;
    protected_value = 0;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(counter, 0);
    assert_true(counter64 == 2LL * THREADS * ITERATIONS);
    assert_int_equal(protected_value, THREADS * ITERATIONS);
}

static PVOID volatile slot;
static volatile LONG claims;

static void *claim_once(void *arg)
{
    if (InterlockedCompareExchangePointer(&slot, arg, NULL) == NULL)
        InterlockedIncrement(&claims);
    return NULL;
}

static void exactly_one_pointer_claim_wins(void **state)
{
    (void)state;
    int tokens[THREADS];
    pthread_t t[THREADS];
    slot = NULL;
    claims = 0;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, claim_once, &tokens[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(claims, 1);
    assert_non_null(slot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_lost_updates),
        cmocka_unit_test(exactly_one_pointer_claim_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
