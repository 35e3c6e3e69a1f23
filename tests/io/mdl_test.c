/* MDLs: allocation and chaining on IRPs, nonpaged build, probe/lock/unlock, mapping, partial MDLs,
 * and the misuse reports. */
#include "io_test.h"

#include <stdlib.h>

static size_t pool_at_start;

static int setup(void **state)
{
    io_test_setup(state);
    pool_at_start = owdf_pool_outstanding(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(owdf_pool_outstanding(0), pool_at_start);
    return 0;
}

static void allocate_describes_the_buffer(void **state)
{
    (void)state;
    unsigned char *buffer = aligned_alloc(PAGE_SIZE, 3 * PAGE_SIZE);
    PVOID va = buffer + 100;
    ULONG length = 2 * PAGE_SIZE; /* 100 .. 8292: spans 3 pages */
    PMDL mdl = IoAllocateMdl(va, length, FALSE, FALSE, NULL);
    assert_non_null(mdl);
    assert_null(mdl->Next);
    assert_ptr_equal(mdl->StartVa, buffer);
    assert_int_equal(mdl->ByteOffset, 100);
    assert_int_equal(MmGetMdlByteOffset(mdl), 100);
    assert_int_equal(MmGetMdlByteCount(mdl), length);
    assert_ptr_equal(MmGetMdlVirtualAddress(mdl), va);
    assert_int_equal(mdl->Size, sizeof(MDL) + 3 * sizeof(PFN_NUMBER));
    assert_int_equal(MmSizeOfMdl(va, length), sizeof(MDL) + 3 * sizeof(PFN_NUMBER));
    assert_int_equal(MmSizeOfMdl(buffer, PAGE_SIZE), sizeof(MDL) + sizeof(PFN_NUMBER));
    assert_int_equal(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA), 0);

    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    assert_true(mdl->MdlFlags & MDL_PAGES_LOCKED);
    assert_true(mdl->MdlFlags & MDL_WRITE_OPERATION);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    assert_int_equal(pfn[0], (ULONG_PTR)buffer >> PAGE_SHIFT);
    assert_int_equal(pfn[2], ((ULONG_PTR)buffer >> PAGE_SHIFT) + 2);
    PVOID mapped = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    assert_ptr_equal(mapped, va);
    assert_true(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    assert_ptr_equal(MmGetSystemAddressForMdl(mdl), va);
    MmUnlockPages(mdl);
    assert_int_equal(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_WRITE_OPERATION), 0);
    IoFreeMdl(mdl);
    free(buffer);
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
}

static void allocate_chains_on_the_irp(void **state)
{
    (void)state;
    char a[16], b[16], c[16];
    PIRP irp = IoAllocateIrp(1, FALSE);
    PMDL first = IoAllocateMdl(a, sizeof a, FALSE, FALSE, irp);
    assert_ptr_equal(irp->MdlAddress, first);
    PMDL second = IoAllocateMdl(b, sizeof b, TRUE, FALSE, irp);
    PMDL third = IoAllocateMdl(c, sizeof c, TRUE, FALSE, irp);
    assert_ptr_equal(first->Next, second);
    assert_ptr_equal(second->Next, third);
    assert_null(third->Next);
    IoFreeMdl(first);
    IoFreeMdl(second);
    IoFreeMdl(third);
    IoFreeIrp(irp);
    assert_null(IoAllocateMdl(a, 0xffffffffu, FALSE, FALSE, NULL));
}

static void nonpaged_pool_mdl_is_mapped(void **state)
{
    (void)state;
    PVOID block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 300, 0x74736554);
    PMDL mdl = IoAllocateMdl(block, 300, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    assert_true(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    assert_ptr_equal(mdl->MappedSystemVa, block);
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), block);
    /* Building twice, or locking a nonpaged MDL, is misuse. */
    MmBuildMdlForNonPagedPool(mdl);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 2);
    IoFreeMdl(mdl);
    ExFreePool(block);
}

static void lock_unlock_misuse_is_reported(void **state)
{
    (void)state;
    char data[64];
    PMDL mdl = IoAllocateMdl(data, sizeof data, FALSE, FALSE, NULL);
    MmUnlockPages(mdl);
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 1);
    assert_null(MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority));
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 2);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    assert_false(mdl->MdlFlags & MDL_WRITE_OPERATION);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 3);
    IoFreeMdl(mdl); /* still locked: reported, freed anyway */
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 4);
    assert_int_equal(io_test_stop_calls, 4);
}

static void map_and_unmap(void **state)
{
    (void)state;
    char data[64];
    PMDL mdl = IoAllocateMdl(data + 3, 40, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoModifyAccess);
    assert_ptr_equal(MmMapLockedPagesSpecifyCache(mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority),
                     data + 3);
    assert_false(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA); /* a user mapping is not the system one */
    PVOID va = MmMapLockedPages(mdl, KernelMode);
    assert_ptr_equal(va, data + 3);
    assert_true(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    MmUnmapLockedPages(va, mdl);
    assert_false(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    assert_null(mdl->MappedSystemVa);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

static void partial_mdl_describes_a_sub_range(void **state)
{
    (void)state;
    unsigned char *buffer = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);
    PMDL source = IoAllocateMdl(buffer + 8, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(source, KernelMode, IoWriteAccess);
    PVOID mapped = MmGetSystemAddressForMdlSafe(source, NormalPagePriority);
    assert_non_null(mapped);
    PVOID sub = buffer + PAGE_SIZE + 16;
    PMDL partial = IoAllocateMdl(sub, 200, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, partial, sub, 200);
    assert_true(partial->MdlFlags & MDL_PARTIAL);
    assert_true(partial->MdlFlags & MDL_PARENT_MAPPED_SYSTEM_VA);
    assert_ptr_equal(MmGetMdlVirtualAddress(partial), sub);
    assert_int_equal(MmGetMdlByteCount(partial), 200);
    assert_ptr_equal(partial->MappedSystemVa, sub);
    assert_int_equal(MmGetMdlPfnArray(partial)[0], MmGetMdlPfnArray(source)[1]);
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(partial, NormalPagePriority), sub);
    /* Length 0: to the end of the source. */
    PMDL rest = IoAllocateMdl(sub, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, rest, sub, 0);
    assert_int_equal(MmGetMdlByteCount(rest), 3 * PAGE_SIZE - (PAGE_SIZE + 8));
    assert_int_equal(owdf_verifier_report_count(NULL), 0);
    /* Out of range. */
    IoBuildPartialMdl(source, partial, buffer, 10);
    IoBuildPartialMdl(source, partial, sub, 3 * PAGE_SIZE);
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 2);
    /* Target too small for the range. */
    PMDL tiny = IoAllocateMdl(buffer, 1, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, tiny, buffer + 8, 2 * PAGE_SIZE);
    assert_int_equal(owdf_verifier_report_count("MDL_INVALID_OPERATION"), 3);
    IoFreeMdl(tiny);
    IoFreeMdl(rest);
    IoFreeMdl(partial);
    MmUnlockPages(source);
    IoFreeMdl(source);
    free(buffer);
}

static void initialize_and_create(void **state)
{
    (void)state;
    char data[10];
    union {
        MDL mdl;
        char space[sizeof(MDL) + 2 * sizeof(PFN_NUMBER)];
    } on_stack;
    MmInitializeMdl(&on_stack.mdl, data, sizeof data);
    assert_ptr_equal(MmGetMdlVirtualAddress(&on_stack.mdl), data);
    assert_int_equal(on_stack.mdl.ByteCount, 10);
    MmBuildMdlForNonPagedPool(&on_stack.mdl);
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(&on_stack.mdl, HighPagePriority), data);
    PMDL created = MmCreateMdl(NULL, data, sizeof data);
    assert_non_null(created);
    assert_int_equal(created->ByteCount, 10);
    ExFreePool(created);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(allocate_describes_the_buffer),
        T(allocate_chains_on_the_irp),
        T(nonpaged_pool_mdl_is_mapped),
        T(lock_unlock_misuse_is_reported),
        T(map_and_unmap),
        T(partial_mdl_describes_a_sub_range),
        T(initialize_and_create),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
