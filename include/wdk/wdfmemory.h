/*
 * wdfmemory.h - framework memory objects (WDFMEMORY), memory descriptors and lookaside lists
 * (WDFLOOKASIDE), with the WDK's names. Implementation: src/wdf/memory.c, src/wdf/lookaside.c.
 */
#ifndef OPENWDF_WDFMEMORY_H
#define OPENWDF_WDFMEMORY_H

#include <wdfobject.h>

typedef enum _WDF_MEMORY_DESCRIPTOR_TYPE {
    WdfMemoryDescriptorTypeInvalid = 0,
    WdfMemoryDescriptorTypeBuffer,
    WdfMemoryDescriptorTypeMdl,
    WdfMemoryDescriptorTypeHandle,
} WDF_MEMORY_DESCRIPTOR_TYPE;

typedef struct _WDFMEMORY_OFFSET {
    size_t BufferOffset;
    size_t BufferLength;
} WDFMEMORY_OFFSET, *PWDFMEMORY_OFFSET;

typedef struct _WDF_MEMORY_DESCRIPTOR {
    WDF_MEMORY_DESCRIPTOR_TYPE Type;
    union {
        struct {
            PVOID Buffer;
            ULONG Length;
        } BufferType;
        struct {
            PMDL Mdl;
            ULONG BufferLength;
        } MdlType;
        struct {
            WDFMEMORY Memory;
            PWDFMEMORY_OFFSET Offsets;
        } HandleType;
    } u;
} WDF_MEMORY_DESCRIPTOR, *PWDF_MEMORY_DESCRIPTOR;

FORCEINLINE void WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(PWDF_MEMORY_DESCRIPTOR Descriptor, PVOID Buffer,
                                                   ULONG BufferLength)
{
    RtlZeroMemory(Descriptor, sizeof(WDF_MEMORY_DESCRIPTOR));
    Descriptor->Type = WdfMemoryDescriptorTypeBuffer;
    Descriptor->u.BufferType.Buffer = Buffer;
    Descriptor->u.BufferType.Length = BufferLength;
}

FORCEINLINE void WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(PWDF_MEMORY_DESCRIPTOR Descriptor, WDFMEMORY Memory,
                                                   PWDFMEMORY_OFFSET Offsets)
{
    RtlZeroMemory(Descriptor, sizeof(WDF_MEMORY_DESCRIPTOR));
    Descriptor->Type = WdfMemoryDescriptorTypeHandle;
    Descriptor->u.HandleType.Memory = Memory;
    Descriptor->u.HandleType.Offsets = Offsets;
}

FORCEINLINE void WDF_MEMORY_DESCRIPTOR_INIT_MDL(PWDF_MEMORY_DESCRIPTOR Descriptor, PMDL Mdl,
                                                ULONG BufferLength)
{
    RtlZeroMemory(Descriptor, sizeof(WDF_MEMORY_DESCRIPTOR));
    Descriptor->Type = WdfMemoryDescriptorTypeMdl;
    Descriptor->u.MdlType.Mdl = Mdl;
    Descriptor->u.MdlType.BufferLength = BufferLength;
}

/* Implementations (src/wdf/memory.c, lookaside.c); drivers call the WdfXxx wrappers below. */
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfMemoryCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                 PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType,
                                                 ULONG PoolTag, size_t BufferSize, WDFMEMORY *Memory,
                                                 PVOID *Buffer);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfMemoryCreatePreallocated(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                             PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
                                                             size_t BufferSize, WDFMEMORY *Memory);
WDF_EXTERN_C WDFAPI PVOID imp_WdfMemoryGetBuffer(PWDF_DRIVER_GLOBALS DriverGlobals, WDFMEMORY Memory,
                                                 size_t *BufferSize);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfMemoryAssignBuffer(PWDF_DRIVER_GLOBALS DriverGlobals, WDFMEMORY Memory,
                                                       PVOID Buffer, size_t BufferSize);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfMemoryCopyToBuffer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                       WDFMEMORY SourceMemory, size_t SourceOffset,
                                                       PVOID Buffer, size_t NumBytesToCopyTo);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfMemoryCopyFromBuffer(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                         WDFMEMORY DestinationMemory,
                                                         size_t DestinationOffset, PVOID Buffer,
                                                         size_t NumBytesToCopyFrom);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfLookasideListCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                        PWDF_OBJECT_ATTRIBUTES LookasideAttributes,
                                                        size_t BufferSize, POOL_TYPE PoolType,
                                                        PWDF_OBJECT_ATTRIBUTES MemoryAttributes,
                                                        ULONG PoolTag, WDFLOOKASIDE *Lookaside);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfMemoryCreateFromLookaside(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                              WDFLOOKASIDE Lookaside, WDFMEMORY *Memory);

/* Creates a memory object with a buffer of BufferSize bytes from PoolType, tagged PoolTag (0 = the
 * driver's tag). Parent: Attributes->ParentObject, else the driver. IRQL <= DISPATCH_LEVEL
 * (PagedPool: <= APC_LEVEL). */
FORCEINLINE NTSTATUS WdfMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType, ULONG PoolTag,
                                     size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer)
{
    return imp_WdfMemoryCreate(WdfDriverGlobals, Attributes, PoolType, PoolTag, BufferSize, Memory, Buffer);
}

FORCEINLINE NTSTATUS WdfMemoryCreatePreallocated(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
                                                 size_t BufferSize, WDFMEMORY *Memory)
{
    return imp_WdfMemoryCreatePreallocated(WdfDriverGlobals, Attributes, Buffer, BufferSize, Memory);
}

FORCEINLINE PVOID WdfMemoryGetBuffer(WDFMEMORY Memory, size_t *BufferSize)
{
    return imp_WdfMemoryGetBuffer(WdfDriverGlobals, Memory, BufferSize);
}

FORCEINLINE NTSTATUS WdfMemoryAssignBuffer(WDFMEMORY Memory, PVOID Buffer, size_t BufferSize)
{
    return imp_WdfMemoryAssignBuffer(WdfDriverGlobals, Memory, Buffer, BufferSize);
}

FORCEINLINE NTSTATUS WdfMemoryCopyToBuffer(WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer,
                                           size_t NumBytesToCopyTo)
{
    return imp_WdfMemoryCopyToBuffer(WdfDriverGlobals, SourceMemory, SourceOffset, Buffer, NumBytesToCopyTo);
}

FORCEINLINE NTSTATUS WdfMemoryCopyFromBuffer(WDFMEMORY DestinationMemory, size_t DestinationOffset,
                                             PVOID Buffer, size_t NumBytesToCopyFrom)
{
    return imp_WdfMemoryCopyFromBuffer(WdfDriverGlobals, DestinationMemory, DestinationOffset, Buffer,
                                       NumBytesToCopyFrom);
}

FORCEINLINE NTSTATUS WdfLookasideListCreate(PWDF_OBJECT_ATTRIBUTES LookasideAttributes, size_t BufferSize,
                                            POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes,
                                            ULONG PoolTag, WDFLOOKASIDE *Lookaside)
{
    return imp_WdfLookasideListCreate(WdfDriverGlobals, LookasideAttributes, BufferSize, PoolType,
                                      MemoryAttributes, PoolTag, Lookaside);
}

FORCEINLINE NTSTATUS WdfMemoryCreateFromLookaside(WDFLOOKASIDE Lookaside, WDFMEMORY *Memory)
{
    return imp_WdfMemoryCreateFromLookaside(WdfDriverGlobals, Lookaside, Memory);
}

#endif /* OPENWDF_WDFMEMORY_H */
