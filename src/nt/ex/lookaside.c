/*
 * lookaside.c - lookaside lists (NPAGED_LOOKASIDE_LIST, PAGED_LOOKASIDE_LIST, LOOKASIDE_LIST_EX): a
 * bounded cache of fixed-size entries in front of the pool.
 *
 * The hot path is an SLIST pop or push (a 16-byte CAS; a pop also takes the SLIST's short pop mutex,
 * see slist.c) plus relaxed counter updates; the pool (or the driver's Allocate/Free routine) is
 * called only on a miss or when the list is full.
 * Entries cached in a list stay ordinary pool blocks, so a list that is never deleted shows up in the
 * pool leak report under its tag. TotalAllocates - TotalFrees counts entries handed out and not yet
 * returned (exact: both are atomic), which ExDelete* checks (LOOKASIDE_LEAK).
 *
 * IRQL: non-paged lists <= DISPATCH_LEVEL, paged lists <= APC_LEVEL (checked on the paged lists; the
 * non-paged hot path does not pay for a check the pool makes on a miss anyway).
 */
#include "ex_internal.h"

#include <openwdf/pool.h>
#include <openwdf/verifier.h>

EX_USES_VERIFIER_RULES;

#define STATE_LIVE 0x4C4B4153u    /* "SAKL": initialized */
#define STATE_DELETED 0x4C4B4144u /* "DAKL": deleted, its routines still valid */

enum list_kind { KIND_NPAGED = 1, KIND_PAGED = 2, KIND_EX = 3 };

static const char *kind_name(ULONG kind)
{
    switch (kind) {
    case KIND_NPAGED:
        return "NPAGED_LOOKASIDE_LIST";
    case KIND_PAGED:
        return "PAGED_LOOKASIDE_LIST";
    default:
        return "LOOKASIDE_LIST_EX";
    }
}

static void init_common(PGENERAL_LOOKASIDE L, POOL_TYPE type, SIZE_T size, ULONG tag, USHORT depth, ULONG kind)
{
    memset(L, 0, sizeof *L);
    InitializeSListHead(&L->ListHead);
    L->Depth = depth != 0 ? depth : LOOKASIDE_DEFAULT_DEPTH;
    L->MaximumDepth = L->Depth;
    L->Type = type;
    L->Tag = tag;
    L->Size = (ULONG)(size < sizeof(SLIST_ENTRY) ? sizeof(SLIST_ENTRY) : size);
    InitializeListHead(&L->ListEntry);
    L->OwdfFlags = kind;
    __atomic_store_n(&L->OwdfState, STATE_LIVE, __ATOMIC_RELEASE);
}

static bool check_live(PGENERAL_LOOKASIDE L, const char *api)
{
    ULONG state = __atomic_load_n(&L->OwdfState, __ATOMIC_ACQUIRE);
    if (state == STATE_LIVE)
        return true;
    OWDF_VERIFY_REPORT("LOOKASIDE_BAD_LIST", L, "LOOKASIDE_LIST", NULL, "%s(%p): the list is %s", api, (void *)L,
                       state == STATE_DELETED ? "already deleted" : "not initialized");
    return false;
}

static void *allocate_entry(PGENERAL_LOOKASIDE L, const void *site, const char *api)
{
    if (L->OwdfFlags == KIND_EX && L->AllocateEx != NULL)
        return L->AllocateEx(L->Type, L->Size, L->Tag, (PLOOKASIDE_LIST_EX)L);
    if (L->OwdfFlags != KIND_EX && L->Allocate != NULL)
        return L->Allocate(L->Type, L->Size, L->Tag);
    unsigned kind = ((L->Type & 1) ? EX_POOL_PAGED : 0) | ((L->Type & POOL_RAISE_IF_ALLOCATION_FAILURE) ? EX_POOL_RAISE : 0);
    return ex_pool_allocate(kind, L->Size, L->Tag, site, api);
}

static void free_entry(PGENERAL_LOOKASIDE L, void *entry, const void *site, const char *api)
{
    if (L->OwdfFlags == KIND_EX && L->FreeEx != NULL)
        L->FreeEx(entry, (PLOOKASIDE_LIST_EX)L);
    else if (L->OwdfFlags != KIND_EX && L->Free != NULL)
        L->Free(entry);
    else
        ex_pool_free(entry, L->Tag, true, site, api);
}

static void *lookaside_allocate(PGENERAL_LOOKASIDE L, const void *site, const char *api)
{
    if (!check_live(L, api))
        return NULL;
    void *entry = InterlockedPopEntrySList(&L->ListHead);
    if (entry == NULL) {
        __atomic_add_fetch(&L->AllocateMisses, 1, __ATOMIC_RELAXED);
        entry = allocate_entry(L, site, api);
        if (entry == NULL)
            return NULL;
    }
    __atomic_add_fetch(&L->TotalAllocates, 1, __ATOMIC_RELAXED);
    return entry;
}

static void lookaside_free(PGENERAL_LOOKASIDE L, void *entry, const void *site, const char *api)
{
    ULONG state = __atomic_load_n(&L->OwdfState, __ATOMIC_ACQUIRE);
    if (state != STATE_LIVE) {
        check_live(L, api);
        /* After deletion the list's routines are still known: give the entry back rather than leak it. */
        if (state == STATE_DELETED)
            free_entry(L, entry, site, api);
        return;
    }
    __atomic_add_fetch(&L->TotalFrees, 1, __ATOMIC_RELAXED);
    if (QueryDepthSList(&L->ListHead) >= L->Depth) {
        __atomic_add_fetch(&L->FreeMisses, 1, __ATOMIC_RELAXED);
        free_entry(L, entry, site, api);
        return;
    }
    InterlockedPushEntrySList(&L->ListHead, entry);
}

static void flush_entries(PGENERAL_LOOKASIDE L, const void *site, const char *api)
{
    PSLIST_ENTRY entry = InterlockedFlushSList(&L->ListHead);
    while (entry != NULL) {
        PSLIST_ENTRY next = entry->Next;
        free_entry(L, entry, site, api);
        entry = next;
    }
}

static void lookaside_delete(PGENERAL_LOOKASIDE L, const void *site, const char *api)
{
    if (!check_live(L, api))
        return;
    __atomic_store_n(&L->OwdfState, STATE_DELETED, __ATOMIC_RELEASE);
    flush_entries(L, site, api);
    ULONG outstanding = __atomic_load_n(&L->TotalAllocates, __ATOMIC_RELAXED) -
                        __atomic_load_n(&L->TotalFrees, __ATOMIC_RELAXED);
    if (outstanding != 0) {
        char tag_text[5];
        owdf_pool_tag_text(L->Tag, tag_text);
        OWDF_VERIFY_REPORT("LOOKASIDE_LEAK", L, kind_name(L->OwdfFlags), NULL,
                           "%s(%p): %u entr%s (tag '%s', %u bytes) still allocated from the list", api, (void *)L,
                           (unsigned)outstanding, outstanding == 1 ? "y" : "ies", tag_text, (unsigned)L->Size);
    }
}

/* ---- NPAGED_LOOKASIDE_LIST ---------------------------------------------------------------- */

void ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    init_common(&Lookaside->L, (POOL_TYPE)(NonPagedPool | Flags), Size, Tag, Depth, KIND_NPAGED);
    Lookaside->L.Allocate = Allocate;
    Lookaside->L.Free = Free;
}

PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return lookaside_allocate(&Lookaside->L, __builtin_return_address(0), "ExAllocateFromNPagedLookasideList");
}

void ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    lookaside_free(&Lookaside->L, Entry, __builtin_return_address(0), "ExFreeToNPagedLookasideList");
}

void ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    lookaside_delete(&Lookaside->L, __builtin_return_address(0), "ExDeleteNPagedLookasideList");
}

/* ---- PAGED_LOOKASIDE_LIST ----------------------------------------------------------------- */

void ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free,
                                    ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    init_common(&Lookaside->L, (POOL_TYPE)(PagedPool | Flags), Size, Tag, Depth, KIND_PAGED);
    Lookaside->L.Allocate = Allocate;
    Lookaside->L.Free = Free;
}

PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    if (!ex_check_irql(true, "ExAllocateFromPagedLookasideList", Lookaside))
        return NULL;
    return lookaside_allocate(&Lookaside->L, __builtin_return_address(0), "ExAllocateFromPagedLookasideList");
}

void ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    (void)ex_check_irql(true, "ExFreeToPagedLookasideList", Lookaside);
    lookaside_free(&Lookaside->L, Entry, __builtin_return_address(0), "ExFreeToPagedLookasideList");
}

void ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    lookaside_delete(&Lookaside->L, __builtin_return_address(0), "ExDeletePagedLookasideList");
}

/* ---- LOOKASIDE_LIST_EX -------------------------------------------------------------------- */

NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                     PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth)
{
    const ULONG both = EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE;
    if ((Flags & ~both) != 0 || Flags == both)
        return STATUS_INVALID_PARAMETER_5;
    POOL_TYPE type = PoolType;
    if (Flags & EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL)
        type = (POOL_TYPE)(type | POOL_RAISE_IF_ALLOCATION_FAILURE);
    else if (Flags & EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)
        type = (POOL_TYPE)(type | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);
    init_common(&Lookaside->L, type, Size, Tag, Depth, KIND_EX);
    Lookaside->L.AllocateEx = Allocate;
    Lookaside->L.FreeEx = Free;
    return STATUS_SUCCESS;
}

PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    const void *site = __builtin_return_address(0);
    if ((Lookaside->L.Type & 1) && !ex_check_irql(true, "ExAllocateFromLookasideListEx", Lookaside))
        return NULL;
    return lookaside_allocate(&Lookaside->L, site, "ExAllocateFromLookasideListEx");
}

void ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry)
{
    lookaside_free(&Lookaside->L, Entry, __builtin_return_address(0), "ExFreeToLookasideListEx");
}

void ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    if (check_live(&Lookaside->L, "ExFlushLookasideListEx"))
        flush_entries(&Lookaside->L, __builtin_return_address(0), "ExFlushLookasideListEx");
}

void ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    lookaside_delete(&Lookaside->L, __builtin_return_address(0), "ExDeleteLookasideListEx");
}
