/*
 * pool_api.c - the WDK pool routines (ExAllocatePool2/3, ExAllocatePoolWithTag and relatives,
 * ExFreePool*): parameter validation as Windows documents it, then the pool core (pool.c).
 * Each entry point records its caller's return address as the allocation site.
 */
#include "ex_internal.h"

#include "pool_internal.h"

#define TAG_NONE ((ULONG)0x656E6F4E) /* 'None' */

/* ExAllocatePool2's flags: known required bits only, exactly one pool type. */
static bool flags_to_kind(POOL_FLAGS flags, unsigned *kind)
{
    const POOL_FLAGS known = POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION |
                             POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE | POOL_FLAG_NON_PAGED |
                             POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED;
    POOL_FLAGS required = flags & 0xFFFFFFFFull;
    if ((required & ~known) != 0)
        return false;
    POOL_FLAGS types = flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    if (types == 0 || (types & (types - 1)) != 0)
        return false;
    *kind = (types == POOL_FLAG_PAGED ? EX_POOL_PAGED : 0) |
            ((flags & POOL_FLAG_CACHE_ALIGNED) ? EX_POOL_CACHE_ALIGNED : 0) |
            ((flags & POOL_FLAG_UNINITIALIZED) ? 0 : EX_POOL_ZERO) |
            ((flags & POOL_FLAG_RAISE_ON_FAILURE) ? EX_POOL_RAISE : 0);
    return true;
}

static void *allocate2(POOL_FLAGS flags, SIZE_T size, ULONG tag, const void *site, const char *api)
{
    unsigned kind;
    if (!flags_to_kind(flags, &kind) || tag == 0) {
        if (flags & POOL_FLAG_RAISE_ON_FAILURE)
            ex_pool_report_raise(api, size, tag, site);
        return NULL;
    }
    return ex_pool_allocate(kind, size, tag, site, api);
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate2(Flags, NumberOfBytes, Tag, __builtin_return_address(0), "ExAllocatePool2");
}

PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                      ULONG ExtendedParametersCount)
{
    const void *site = __builtin_return_address(0);
    if ((ExtendedParameters == NULL) != (ExtendedParametersCount == 0))
        return NULL;
    for (ULONG i = 0; i < ExtendedParametersCount; i++) {
        const POOL_EXTENDED_PARAMETER *p = &ExtendedParameters[i];
        bool understood = p->Type == PoolExtendedParameterPriority || p->Type == PoolExtendedParameterNumaNode;
        if (!understood && !p->Optional)
            return NULL;
    }
    return allocate2(Flags, NumberOfBytes, Tag, site, "ExAllocatePool3");
}

/* A POOL_TYPE (with modifier bits) as a pool kind; false for the types Windows rejects. */
static bool type_to_kind(POOL_TYPE type, bool raise_by_default, unsigned *kind)
{
    unsigned t = (unsigned)type;
    unsigned base = t & ~(unsigned)(POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE |
                                    POOL_COLD_ALLOCATION | POOL_NX_ALLOCATION | POOL_ZERO_ALLOCATION | 32u);
    if (base >= MaxPoolType || base == DontUseThisType)
        return false;
    bool must_succeed = base == NonPagedPoolMustSucceed || base == NonPagedPoolCacheAlignedMustS;
    bool raise = (t & POOL_RAISE_IF_ALLOCATION_FAILURE) || must_succeed ||
                 (raise_by_default && !(t & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE));
    *kind = ((base & 1) ? EX_POOL_PAGED : 0) | ((base & 4) ? EX_POOL_CACHE_ALIGNED : 0) |
            ((t & POOL_ZERO_ALLOCATION) ? EX_POOL_ZERO : 0) | (raise ? EX_POOL_RAISE : 0);
    return true;
}

static void *allocate_typed(POOL_TYPE type, SIZE_T size, ULONG tag, bool zero, bool quota, const void *site,
                            const char *api)
{
    unsigned kind;
    if (!type_to_kind(type, quota, &kind))
        return NULL;
    if (zero)
        kind |= EX_POOL_ZERO;
    return ex_pool_allocate(kind, size, tag, site, api);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, false, __builtin_return_address(0),
                          "ExAllocatePoolWithTag");
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, true, __builtin_return_address(0),
                          "ExAllocatePoolWithQuotaTag");
}

PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, false, __builtin_return_address(0),
                          "ExAllocatePoolWithTagPriority");
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return allocate_typed(PoolType, NumberOfBytes, TAG_NONE, false, false, __builtin_return_address(0),
                          "ExAllocatePool");
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_typed(PoolType, NumberOfBytes, Tag, true, false, __builtin_return_address(0),
                          "ExAllocatePoolZero");
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, false, __builtin_return_address(0),
                          "ExAllocatePoolUninitialized");
}

PVOID ExAllocatePoolQuotaZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_typed(PoolType, NumberOfBytes, Tag, true, true, __builtin_return_address(0),
                          "ExAllocatePoolQuotaZero");
}

PVOID ExAllocatePoolQuotaUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, true, __builtin_return_address(0),
                          "ExAllocatePoolQuotaUninitialized");
}

void ExFreePool(PVOID P)
{
    ex_pool_free(P, 0, false, __builtin_return_address(0), "ExFreePool");
}

void ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ex_pool_free(P, Tag, true, __builtin_return_address(0), "ExFreePoolWithTag");
}

void ExFreePool2(PVOID P, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    (void)ExtendedParameters;
    (void)ExtendedParametersCount;
    ex_pool_free(P, Tag, true, __builtin_return_address(0), "ExFreePool2");
}

SIZE_T owdf_pool_block_size(PVOID P)
{
    return ex_pool_lookup_size(P);
}
