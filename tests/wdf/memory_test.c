/*
 * Unit tests for WDFMEMORY and WDFLOOKASIDE: creation and its parameter errors, pool tags, parents,
 * buffer assignment, the copy DDIs' bounds, read-only (request) memory, framework-owned memory and
 * stale handles, memory descriptors, and lookaside lists (buffers returned on delete).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support_test.h"

#include "fx_memory.h"

static ULONG outstanding(ULONG tag)
{
    return (ULONG)owdf_pool_outstanding(tag);
}

/* ---- WdfMemoryCreate ---------------------------------------------------------------------------- */

static void create_allocates_tagged_buffer(void **state)
{
    (void)state;
    ULONG before = outstanding('1gaT');
    WDFMEMORY memory;
    PVOID buffer = NULL;
    assert_int_equal(WdfMemoryCreate(WDF_NO_OBJECT_ATTRIBUTES, NonPagedPoolNx, '1gaT', 100, &memory, &buffer),
                     STATUS_SUCCESS);
    assert_non_null(buffer);
    assert_int_equal(outstanding('1gaT'), before + 1);
    size_t size = 0;
    assert_ptr_equal(WdfMemoryGetBuffer(memory, &size), buffer);
    assert_int_equal(size, 100);
    memset(buffer, 0xab, 100); /* the whole buffer is usable */
    WdfObjectDelete(memory);
    assert_int_equal(outstanding('1gaT'), before);
}

static void create_with_zero_tag_uses_driver_tag(void **state)
{
    (void)state;
    ULONG before = outstanding(TEST_DRIVER_TAG);
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreate(NULL, PagedPool, 0, 16, &memory, NULL), STATUS_SUCCESS);
    assert_int_equal(outstanding(TEST_DRIVER_TAG), before + 1);
    WdfObjectDelete(memory);
    assert_int_equal(outstanding(TEST_DRIVER_TAG), before);
}

static void create_zero_size_is_invalid_parameter(void **state)
{
    (void)state;
    WDFMEMORY memory = (WDFMEMORY)1;
    PVOID buffer = (PVOID)1;
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 0, &memory, &buffer), STATUS_INVALID_PARAMETER);
    assert_null(memory);
    assert_null(buffer);
}

static void create_null_memory_pointer_is_reported(void **state)
{
    (void)state;
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 8, NULL, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
}

static void create_fails_cleanly_without_memory(void **state)
{
    (void)state;
    WDFMEMORY memory;
    owdf_pool_fail_tag('lFaT');
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 'lFaT', 8, &memory, NULL),
                     STATUS_INSUFFICIENT_RESOURCES);
    owdf_pool_fail_tag(0);
    assert_null(memory);
    assert_int_equal(outstanding('lFaT'), 0);
}

static void create_with_bad_attributes_frees_buffer(void **state)
{
    (void)state;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.Size = 3;
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreate(&attributes, NonPagedPoolNx, 'tBaT', 8, &memory, NULL),
                     STATUS_INFO_LENGTH_MISMATCH);
    assert_one_report("OBJECT_ATTRIBUTES_SIZE");
    assert_int_equal(outstanding('tBaT'), 0);
}

static void paged_memory_above_apc_is_reported(void **state)
{
    (void)state;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WDFMEMORY memory;
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_FAIL_CALL);
    NTSTATUS status = WdfMemoryCreate(NULL, PagedPool, 0, 8, &memory, NULL);
    owdf_verifier_set_policy("DDI_ABOVE_MAX_IRQL", OWDF_POLICY_STOP_DRIVER);
    KeLowerIrql(old);
    assert_int_equal(status, STATUS_INVALID_DEVICE_REQUEST);
    assert_one_report("DDI_ABOVE_MAX_IRQL");
}

static void memory_is_deleted_with_its_parent(void **state)
{
    (void)state;
    WDFOBJECT parent;
    assert_int_equal(WdfObjectCreate(NULL, &parent), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES attributes = child_of(parent);
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreate(&attributes, NonPagedPoolNx, 'rPaT', 32, &memory, NULL), STATUS_SUCCESS);
    assert_int_equal(outstanding('rPaT'), 1);
    WdfObjectDelete(parent);
    assert_int_equal(outstanding('rPaT'), 0);
}

typedef struct MEM_CONTEXT {
    int value;
} MEM_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE(MEM_CONTEXT)

static void memory_has_a_context(void **state)
{
    (void)state;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, MEM_CONTEXT);
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreate(&attributes, NonPagedPoolNx, 0, 4, &memory, NULL), STATUS_SUCCESS);
    MEM_CONTEXT *ctx = WdfObjectGet_MEM_CONTEXT(memory);
    assert_non_null(ctx);
    ctx->value = 7;
    WdfObjectDelete(memory);
}

/* ---- preallocated memory and AssignBuffer ------------------------------------------------------- */

static void preallocated_describes_driver_buffer(void **state)
{
    (void)state;
    char buffer[40] = "hello";
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreatePreallocated(NULL, buffer, sizeof buffer, &memory), STATUS_SUCCESS);
    size_t size;
    assert_ptr_equal(WdfMemoryGetBuffer(memory, &size), buffer);
    assert_int_equal(size, sizeof buffer);
    char other[8];
    assert_int_equal(WdfMemoryAssignBuffer(memory, other, sizeof other), STATUS_SUCCESS);
    assert_ptr_equal(WdfMemoryGetBuffer(memory, &size), other);
    assert_int_equal(size, sizeof other);
    WdfObjectDelete(memory); /* does not free either buffer (ASan would catch a free of stack memory) */
}

static void preallocated_parameter_errors(void **state)
{
    (void)state;
    char buffer[4];
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreatePreallocated(NULL, buffer, 0, &memory), STATUS_INVALID_PARAMETER);
    assert_null(memory);
    assert_int_equal(WdfMemoryCreatePreallocated(NULL, NULL, 4, &memory), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfMemoryCreatePreallocated(NULL, buffer, 4, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
}

static void assign_buffer_errors(void **state)
{
    (void)state;
    char buffer[4];
    WDFMEMORY allocated, preallocated;
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 4, &allocated, NULL), STATUS_SUCCESS);
    assert_int_equal(WdfMemoryAssignBuffer(allocated, buffer, sizeof buffer), STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(WdfMemoryCreatePreallocated(NULL, buffer, sizeof buffer, &preallocated), STATUS_SUCCESS);
    assert_int_equal(WdfMemoryAssignBuffer(preallocated, buffer, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(WdfMemoryAssignBuffer(preallocated, NULL, 4), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WdfObjectDelete(allocated);
    WdfObjectDelete(preallocated);
}

/* ---- copies ------------------------------------------------------------------------------------- */

static void copies_respect_bounds(void **state)
{
    (void)state;
    WDFMEMORY memory;
    PVOID raw;
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 8, &memory, &raw), STATUS_SUCCESS);
    const char in[8] = "abcdefg";
    char out[8] = {0};
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 0, (PVOID)in, 8), STATUS_SUCCESS);
    assert_int_equal(WdfMemoryCopyToBuffer(memory, 2, out, 6), STATUS_SUCCESS); /* ends exactly at the end */
    assert_memory_equal(out, "cdefg", 6);
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 6, (PVOID) "XY", 2), STATUS_SUCCESS);
    assert_memory_equal((char *)raw + 6, "XY", 2);

    assert_int_equal(WdfMemoryCopyToBuffer(memory, 1, out, 8), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(WdfMemoryCopyToBuffer(memory, 9, out, 1), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(WdfMemoryCopyToBuffer(memory, SIZE_MAX, out, 2), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 7, (PVOID)in, 2), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 9, (PVOID)in, 1), STATUS_INVALID_BUFFER_SIZE);
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 0, (PVOID)in, SIZE_MAX), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(WdfMemoryCopyToBuffer(memory, 0, out, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 0, (PVOID)in, 0), STATUS_INVALID_PARAMETER);
    assert_no_reports();
    assert_int_equal(WdfMemoryCopyToBuffer(memory, 0, NULL, 1), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 0, NULL, 1), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WdfObjectDelete(memory);
}

static void wrong_and_stale_handles_are_reported(void **state)
{
    (void)state;
    WDFOBJECT object;
    assert_int_equal(WdfObjectCreate(NULL, &object), STATUS_SUCCESS);
    char out[4];
    assert_int_equal(WdfMemoryCopyToBuffer((WDFMEMORY)object, 0, out, 1), STATUS_INVALID_HANDLE);
    assert_one_report("WRONG_HANDLE_TYPE");
    size_t size = 99;
    assert_null(WdfMemoryGetBuffer((WDFMEMORY)object, &size));
    assert_int_equal(size, 0);
    assert_one_report("WRONG_HANDLE_TYPE");
    WdfObjectDelete(object);

    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 4, &memory, NULL), STATUS_SUCCESS);
    WdfObjectDelete(memory);
    assert_null(WdfMemoryGetBuffer(memory, NULL));
    assert_one_report("STALE_HANDLE");
}

/* ---- framework-owned (request) memory ------------------------------------------------------------- */

static void request_input_memory_is_read_only(void **state)
{
    (void)state;
    WDFOBJECT owner;
    assert_int_equal(WdfObjectCreate(NULL, &owner), STATUS_SUCCESS);
    fx_memory *embedded;
    assert_int_equal(fx_memory_create_embedded(WdfDriverGlobals, fx_object_lookup(owner), &embedded),
                     STATUS_SUCCESS);
    char input[6] = "input";
    WDFMEMORY memory = fx_memory_init_embedded(embedded, input, sizeof input, FX_MEMORY_READ_ONLY);
    char out[6];
    assert_int_equal(WdfMemoryCopyToBuffer(memory, 0, out, sizeof out), STATUS_SUCCESS);
    assert_string_equal(out, "input");
    assert_int_equal(WdfMemoryCopyFromBuffer(memory, 0, (PVOID) "XXXXX", 5), STATUS_ACCESS_VIOLATION);
    assert_one_report("MEMORY_READ_ONLY_WRITE");
    assert_string_equal(input, "input"); /* untouched */

    /* The driver cannot delete it. */
    WdfObjectDelete(memory);
    assert_one_report("DELETE_FRAMEWORK_OWNED");

    /* Re-pointed for the next request: the old handle is stale, the new one writable. */
    char output[4];
    WDFMEMORY next = fx_memory_init_embedded(embedded, output, sizeof output, 0);
    assert_ptr_not_equal(next, memory);
    assert_null(WdfMemoryGetBuffer(memory, NULL));
    assert_one_report("STALE_HANDLE");
    assert_int_equal(WdfMemoryCopyFromBuffer(next, 0, (PVOID) "abc", 4), STATUS_SUCCESS);
    assert_string_equal(output, "abc");

    /* Detached at completion: no buffer. */
    WDFMEMORY detached = fx_memory_init_embedded(embedded, NULL, 0, 0);
    size_t size = 1;
    assert_null(WdfMemoryGetBuffer(detached, &size));
    assert_int_equal(size, 0);
    assert_int_equal(WdfMemoryCopyToBuffer(detached, 0, out, 1), STATUS_BUFFER_TOO_SMALL);
    WdfObjectDelete(owner); /* deletes the embedded memory with it */
}

/* ---- descriptors -------------------------------------------------------------------------------- */

static void descriptors_resolve(void **state)
{
    (void)state;
    WDFMEMORY memory;
    PVOID raw;
    assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 16, &memory, &raw), STATUS_SUCCESS);
    WDF_MEMORY_DESCRIPTOR d;
    void *buffer;
    size_t length;
    BOOLEAN read_only = TRUE;

    char flat[5];
    WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&d, flat, sizeof flat);
    assert_int_equal(d.Type, WdfMemoryDescriptorTypeBuffer);
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, &read_only, "test"),
                     STATUS_SUCCESS);
    assert_ptr_equal(buffer, flat);
    assert_int_equal(length, 5);
    assert_false(read_only);

    WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(&d, memory, NULL);
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_SUCCESS);
    assert_ptr_equal(buffer, raw);
    assert_int_equal(length, 16);

    WDFMEMORY_OFFSET offsets = {.BufferOffset = 4, .BufferLength = 8};
    WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(&d, memory, &offsets);
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_SUCCESS);
    assert_ptr_equal(buffer, (char *)raw + 4);
    assert_int_equal(length, 8);
    offsets.BufferLength = 0; /* the rest */
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_SUCCESS);
    assert_int_equal(length, 12);
    offsets.BufferLength = 13;
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_BUFFER_TOO_SMALL);
    offsets.BufferOffset = 17;
    offsets.BufferLength = 0;
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_BUFFER_TOO_SMALL);

    WDF_MEMORY_DESCRIPTOR_INIT_MDL(&d, NULL, 4);
    assert_int_equal(d.Type, WdfMemoryDescriptorTypeMdl);
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_INVALID_PARAMETER);
    d.Type = (WDF_MEMORY_DESCRIPTOR_TYPE)9;
    assert_int_equal(fx_memory_descriptor_resolve(WdfDriverGlobals, &d, &buffer, &length, NULL, "test"),
                     STATUS_INVALID_PARAMETER);
    assert_no_reports();
    WdfObjectDelete(memory);
}

/* ---- lookaside lists ---------------------------------------------------------------------------- */

static void lookaside_hands_out_and_takes_back(void **state)
{
    (void)state;
    WDF_OBJECT_ATTRIBUTES memory_attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&memory_attributes, MEM_CONTEXT);
    WDFLOOKASIDE lookaside;
    assert_int_equal(WdfLookasideListCreate(NULL, 48, NonPagedPoolNx, &memory_attributes, 'kLaT', &lookaside),
                     STATUS_SUCCESS);
    WDFMEMORY a, b;
    assert_int_equal(WdfMemoryCreateFromLookaside(lookaside, &a), STATUS_SUCCESS);
    assert_int_equal(WdfMemoryCreateFromLookaside(lookaside, &b), STATUS_SUCCESS);
    size_t size;
    PVOID buffer_a = WdfMemoryGetBuffer(a, &size);
    assert_int_equal(size, 48);
    assert_non_null(WdfObjectGet_MEM_CONTEXT(a)); /* the MemoryAttributes apply */
    assert_int_equal(outstanding('kLaT'), 2);
    WdfObjectDelete(a); /* back to the list (cached, not freed) */
    WDFMEMORY c;
    assert_int_equal(WdfMemoryCreateFromLookaside(lookaside, &c), STATUS_SUCCESS);
    assert_ptr_equal(WdfMemoryGetBuffer(c, NULL), buffer_a); /* the same buffer, reused */
    assert_int_equal(outstanding('kLaT'), 2);

    /* Deleting the list while memory is out: the memory stays valid until deleted. */
    WdfObjectDelete(lookaside);
    assert_int_equal(WdfMemoryCopyFromBuffer(b, 0, (PVOID) "still here", 11), STATUS_SUCCESS);
    WdfObjectDelete(b);
    WdfObjectDelete(c);
    assert_int_equal(outstanding('kLaT'), 0);
}

static void lookaside_parameter_errors(void **state)
{
    (void)state;
    WDFLOOKASIDE lookaside;
    assert_int_equal(WdfLookasideListCreate(NULL, 0, NonPagedPoolNx, NULL, 0, &lookaside),
                     STATUS_INVALID_PARAMETER);
    assert_null(lookaside);
    WDFOBJECT parent;
    assert_int_equal(WdfObjectCreate(NULL, &parent), STATUS_SUCCESS);
    WDF_OBJECT_ATTRIBUTES with_parent = child_of(parent);
    assert_int_equal(WdfLookasideListCreate(NULL, 8, NonPagedPoolNx, &with_parent, 0, &lookaside),
                     STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED);
    WDF_OBJECT_ATTRIBUTES bad;
    WDF_OBJECT_ATTRIBUTES_INIT(&bad);
    bad.Size = 1;
    assert_int_equal(WdfLookasideListCreate(NULL, 8, NonPagedPoolNx, &bad, 0, &lookaside),
                     STATUS_INFO_LENGTH_MISMATCH);
    assert_one_report("OBJECT_ATTRIBUTES_SIZE");
    assert_int_equal(WdfLookasideListCreate(NULL, 8, NonPagedPoolNx, NULL, 0, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");

    /* A lookaside list under a parent goes with it; default tag is the driver's. */
    ULONG before = outstanding(TEST_DRIVER_TAG);
    assert_int_equal(WdfLookasideListCreate(&with_parent, 8, PagedPool, NULL, 0, &lookaside), STATUS_SUCCESS);
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreateFromLookaside(lookaside, &memory), STATUS_SUCCESS);
    assert_int_equal(outstanding(TEST_DRIVER_TAG), before + 1);
    assert_int_equal(WdfMemoryCreateFromLookaside(lookaside, NULL), STATUS_INVALID_PARAMETER);
    assert_one_report("NULL_REQUIRED_PARAM");
    WDFMEMORY other;
    assert_int_equal(WdfMemoryCreateFromLookaside((WDFLOOKASIDE)memory, &other), STATUS_INVALID_HANDLE);
    assert_null(other);
    assert_one_report("WRONG_HANDLE_TYPE");
    WdfObjectDelete(parent); /* deletes the list; the memory (its parent is the driver) still holds it */
    assert_int_equal(outstanding(TEST_DRIVER_TAG), before + 1);
    WdfObjectDelete(memory);
    assert_int_equal(outstanding(TEST_DRIVER_TAG), before);
}

static void lookaside_allocation_failure(void **state)
{
    (void)state;
    WDFLOOKASIDE lookaside;
    assert_int_equal(WdfLookasideListCreate(NULL, 24, NonPagedPoolNx, NULL, 'fLaT', &lookaside),
                     STATUS_SUCCESS);
    owdf_pool_fail_tag('fLaT');
    WDFMEMORY memory;
    assert_int_equal(WdfMemoryCreateFromLookaside(lookaside, &memory), STATUS_INSUFFICIENT_RESOURCES);
    owdf_pool_fail_tag(0);
    assert_null(memory);
    WdfObjectDelete(lookaside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SUPPORT_TEST(create_allocates_tagged_buffer),
        SUPPORT_TEST(create_with_zero_tag_uses_driver_tag),
        SUPPORT_TEST(create_zero_size_is_invalid_parameter),
        SUPPORT_TEST(create_null_memory_pointer_is_reported),
        SUPPORT_TEST(create_fails_cleanly_without_memory),
        SUPPORT_TEST(create_with_bad_attributes_frees_buffer),
        SUPPORT_TEST(paged_memory_above_apc_is_reported),
        SUPPORT_TEST(memory_is_deleted_with_its_parent),
        SUPPORT_TEST(memory_has_a_context),
        SUPPORT_TEST(preallocated_describes_driver_buffer),
        SUPPORT_TEST(preallocated_parameter_errors),
        SUPPORT_TEST(assign_buffer_errors),
        SUPPORT_TEST(copies_respect_bounds),
        SUPPORT_TEST(wrong_and_stale_handles_are_reported),
        SUPPORT_TEST(request_input_memory_is_read_only),
        SUPPORT_TEST(descriptors_resolve),
        SUPPORT_TEST(lookaside_hands_out_and_takes_back),
        SUPPORT_TEST(lookaside_parameter_errors),
        SUPPORT_TEST(lookaside_allocation_failure),
    };
    return cmocka_run_group_tests(tests, support_group_setup, support_group_teardown);
}
