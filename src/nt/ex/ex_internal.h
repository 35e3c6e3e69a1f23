/*
 * ex_internal.h - the Ex layer's internal interface: the pool core that the WDK entry points, the
 * lookaside lists and the Rtl string routines share. Private to src/nt (hidden symbols).
 */
#ifndef OPENWDF_EX_INTERNAL_H
#define OPENWDF_EX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <wdm.h>

/* What kind of block to allocate. */
enum ex_pool_kind {
    EX_POOL_NONPAGED = 0,
    EX_POOL_PAGED = 1u << 0,
    EX_POOL_CACHE_ALIGNED = 1u << 1,
    EX_POOL_ZERO = 1u << 2,
    EX_POOL_RAISE = 1u << 3, /* Windows would raise on failure: report POOL_ALLOCATION_RAISED */
};

/*
 * Allocates a tagged block. `site` is the return address into the code that called the WDK routine
 * (recorded for leak reports); `api` names that routine in reports. Checks the IRQL (DDI_ABOVE_MAX_IRQL)
 * and fault injection. NULL on failure.
 */
void *ex_pool_allocate(unsigned kind, size_t size, ULONG tag, const void *site, const char *api);

/*
 * Frees a block: POOL_BAD_FREE / POOL_DOUBLE_FREE (nothing freed), POOL_CORRUPTION (canaries or header
 * damaged), POOL_TAG_MISMATCH when check_tag and the tag differs (freed all the same).
 */
void ex_pool_free(void *p, ULONG tag, bool check_tag, const void *site, const char *api);

/* The IRQL check shared with the lookaside lists: true if the call may proceed. */
bool ex_check_irql(bool paged, const char *api, const void *object);

/* Pulls ex_verifier_rules.c (and its registering constructor) into any static link that takes the
 * file using this macro. */
extern const char ex_verifier_rules_anchor;
#define EX_USES_VERIFIER_RULES \
    static const void *const ex_rules_ref_ __attribute__((used)) = &ex_verifier_rules_anchor

#endif /* OPENWDF_EX_INTERNAL_H */
