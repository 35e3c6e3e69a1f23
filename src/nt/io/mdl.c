/*
 * mdl.c - memory descriptor lists. openwdf runs in one address space, so an MDL's "physical pages"
 * are its virtual page numbers (VA >> PAGE_SHIFT), probing and locking only records the state
 * (MDL_PAGES_LOCKED) and mapping is the identity. The state is still checked as Windows checks
 * it: locking twice, unlocking an unlocked MDL, freeing a locked one, or a partial MDL outside its
 * source are MDL_INVALID_OPERATION reports.
 *
 * IRQL: <= DISPATCH_LEVEL (MmProbeAndLockPages of user buffers: <= APC_LEVEL on Windows).
 */
#include "io_internal.h"

#define IO_TAG_MDL 0x206c644d /* 'Mdl ' */
#define IO_MDL_MAX_LENGTH (0xffffffffu - PAGE_SIZE + 1)

static void io_mdl_report(PMDL mdl, const char *what)
{
    OWDF_VERIFY_REPORT("MDL_INVALID_OPERATION", mdl, "MDL", io_report_driver(), "%s (MDL %p, flags 0x%x)",
                       what, (void *)mdl, mdl != NULL ? (unsigned)(USHORT)mdl->MdlFlags : 0u);
}

static void io_mdl_fill_pfns(PMDL mdl)
{
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    SIZE_T pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    ULONG_PTR first = (ULONG_PTR)mdl->StartVa >> PAGE_SHIFT;
    for (SIZE_T i = 0; i < pages; i++)
        pfn[i] = first + i;
}

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length);
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
{
    (void)ChargeQuota;
    if (Length > IO_MDL_MAX_LENGTH)
        return NULL;
    SIZE_T size = MmSizeOfMdl(VirtualAddress, Length);
    if (size > 0x7fff)
        return NULL; /* Size is a CSHORT, as on Windows */
    PMDL mdl = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, IO_TAG_MDL);
    if (mdl == NULL)
        return NULL;
    MmInitializeMdl(mdl, VirtualAddress, Length);
    if (Irp != NULL) {
        if (!SecondaryBuffer) {
            Irp->MdlAddress = mdl;
        } else {
            PMDL *link = &Irp->MdlAddress;
            while (*link != NULL)
                link = &(*link)->Next;
            *link = mdl;
        }
    }
    return mdl;
}

void IoFreeMdl(PMDL Mdl)
{
    if (Mdl == NULL)
        return;
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED)
        io_mdl_report(Mdl, "IoFreeMdl of an MDL whose pages are still locked (call MmUnlockPages first)");
    ExFreePool(Mdl);
}

PMDL MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length)
{
    if (Length > IO_MDL_MAX_LENGTH)
        return NULL;
    if (MemoryDescriptorList == NULL) {
        MemoryDescriptorList = ExAllocatePool2(POOL_FLAG_NON_PAGED, MmSizeOfMdl(Base, Length), IO_TAG_MDL);
        if (MemoryDescriptorList == NULL)
            return NULL;
    }
    MmInitializeMdl(MemoryDescriptorList, Base, Length);
    return MemoryDescriptorList;
}

void MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    PMDL mdl = MemoryDescriptorList;
    if (mdl->MdlFlags &
        (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL | MDL_MAPPED_TO_SYSTEM_VA)) {
        io_mdl_report(mdl,
                      "MmBuildMdlForNonPagedPool of an MDL that is locked, mapped, partial or built already");
        return;
    }
    io_mdl_fill_pfns(mdl);
    mdl->MappedSystemVa = MmGetMdlVirtualAddress(mdl);
    mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

void MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    (void)AccessMode;
    PMDL mdl = MemoryDescriptorList;
    if (mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL)) {
        io_mdl_report(
            mdl, "MmProbeAndLockPages of an MDL that is locked already, built for nonpaged pool or partial");
        return;
    }
    io_mdl_fill_pfns(mdl);
    mdl->MdlFlags |= MDL_PAGES_LOCKED;
    if (Operation != IoReadAccess)
        mdl->MdlFlags |= MDL_WRITE_OPERATION;
}

void MmUnlockPages(PMDL MemoryDescriptorList)
{
    PMDL mdl = MemoryDescriptorList;
    if (!(mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        io_mdl_report(mdl, "MmUnlockPages of an MDL whose pages are not locked");
        return;
    }
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        mdl->MappedSystemVa = NULL;
    mdl->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_MAPPED_TO_SYSTEM_VA);
}

PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority)
{
    (void)CacheType;
    (void)RequestedAddress;
    (void)BugCheckOnFailure;
    (void)Priority;
    PMDL mdl = MemoryDescriptorList;
    if (!(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL | MDL_IO_SPACE))) {
        io_mdl_report(mdl, "mapping an MDL whose pages are not locked (MmProbeAndLockPages or "
                           "MmBuildMdlForNonPagedPool first)");
        return NULL;
    }
    PVOID va = MmGetMdlVirtualAddress(mdl);
    if (AccessMode == KernelMode &&
        !(mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))) {
        mdl->MappedSystemVa = va;
        mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
        if (mdl->MdlFlags & MDL_PARTIAL)
            mdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
    }
    return va;
}

PVOID MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode)
{
    return MmMapLockedPagesSpecifyCache(MemoryDescriptorList, AccessMode, MmCached, NULL, TRUE,
                                        NormalPagePriority);
}

void MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    (void)BaseAddress;
    PMDL mdl = MemoryDescriptorList;
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
        mdl->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
        mdl->MappedSystemVa = NULL;
    }
}

PVOID MmGetSystemAddressForMdlSafeEx(PMDL Mdl, ULONG Priority)
{
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return Mdl->MappedSystemVa;
    return MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, Priority);
}

void IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    PCHAR base = MmGetMdlVirtualAddress(SourceMdl);
    PCHAR va = VirtualAddress;
    if (va < base || va > base + SourceMdl->ByteCount) {
        io_mdl_report(SourceMdl, "IoBuildPartialMdl: VirtualAddress is outside the source MDL's buffer");
        return;
    }
    ULONG offset = (ULONG)(va - base);
    if (Length == 0)
        Length = SourceMdl->ByteCount - offset;
    if ((ULONGLONG)offset + Length > SourceMdl->ByteCount) {
        io_mdl_report(SourceMdl, "IoBuildPartialMdl: the range runs past the end of the source MDL's buffer");
        return;
    }
    if ((SIZE_T)(USHORT)TargetMdl->Size < MmSizeOfMdl(va, Length)) {
        io_mdl_report(TargetMdl, "IoBuildPartialMdl: the target MDL is too small for the range");
        return;
    }
    CSHORT keep = TargetMdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE;
    TargetMdl->Process = SourceMdl->Process;
    TargetMdl->StartVa = PAGE_ALIGN(va);
    TargetMdl->ByteOffset = BYTE_OFFSET(va);
    TargetMdl->ByteCount = Length;
    TargetMdl->MdlFlags = (CSHORT)(keep | MDL_PARTIAL |
                                   (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_IO_SPACE |
                                                           MDL_WRITE_OPERATION | MDL_IO_PAGE_READ)));
    TargetMdl->MappedSystemVa = NULL;
    if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) {
        TargetMdl->MappedSystemVa = (PCHAR)SourceMdl->MappedSystemVa + offset;
        if (SourceMdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
            TargetMdl->MdlFlags |= MDL_PARENT_MAPPED_SYSTEM_VA;
    }
    SIZE_T first = ((ULONG_PTR)PAGE_ALIGN(va) - (ULONG_PTR)SourceMdl->StartVa) >> PAGE_SHIFT;
    SIZE_T pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, Length);
    memcpy(MmGetMdlPfnArray(TargetMdl), MmGetMdlPfnArray(SourceMdl) + first, pages * sizeof(PFN_NUMBER));
}
