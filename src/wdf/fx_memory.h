/*
 * fx_memory.h - WDFMEMORY objects (private to src/wdf; owner: wdf-support, memory.c).
 *
 * A memory object describes a buffer: one it allocated (WdfMemoryCreate, lookaside), one the driver
 * gave (WdfMemoryCreatePreallocated) or one the framework points it at (a request's input/output
 * buffer). Request memory ("embedded") is created ONCE per cached request object, as a child of the
 * request, and only re-pointed per I/O (no allocation on the I/O path); the driver cannot delete it
 * (DELETE_FRAMEWORK_OWNED). Read-only memory (e.g. a request's input buffer) refuses writes:
 * WdfMemoryCopyFromBuffer into it is STATUS_ACCESS_VIOLATION + MEMORY_READ_ONLY_WRITE report.
 */
#ifndef OPENWDF_FX_MEMORY_H
#define OPENWDF_FX_MEMORY_H

#include "fx_object.h"

#include <wdfmemory.h>

/* fx_memory.flags */
#define FX_MEMORY_READ_ONLY 0x01u      /* writes through the DDIs are refused */
#define FX_MEMORY_OWNS_BUFFER 0x02u    /* buffer allocated by WdfMemoryCreate; freed on destroy */
#define FX_MEMORY_PREALLOCATED 0x04u   /* the driver's buffer (WdfMemoryCreatePreallocated) */
#define FX_MEMORY_EMBEDDED 0x08u       /* framework-owned (a request's memory); not deletable by the driver */
#define FX_MEMORY_FROM_LOOKASIDE 0x10u /* buffer returned to `lookaside` on destroy */

struct fx_lookaside;

typedef struct fx_memory {
    fx_object object; /* must be first */
    void *buffer;     /* NULL only for an embedded memory not pointed anywhere */
    size_t length;
    ULONG flags;                    /* FX_MEMORY_* */
    ULONG pool_tag;                 /* of an owned buffer */
    struct fx_lookaside *lookaside; /* FX_MEMORY_FROM_LOOKASIDE: referenced until destroy */
} fx_memory;

/*
 * Creates a framework-owned memory object as a child of `owner` (e.g. a request), pointing nowhere
 * yet. Allocates; call when the owner is created/cached, not per I/O. IRQL <= DISPATCH_LEVEL.
 * STATUS_INSUFFICIENT_RESOURCES. It is deleted with its owner.
 */
NTSTATUS fx_memory_create_embedded(PWDF_DRIVER_GLOBALS globals, fx_object *owner, fx_memory **memory_out);

/*
 * Points an embedded memory object at a buffer for one I/O (flags: FX_MEMORY_READ_ONLY or 0) and
 * gives it a NEW handle, so a handle the driver kept from an earlier I/O is stale (STALE_HANDLE).
 * Returns the handle to give the driver. No allocation, no lock; any IRQL. buffer NULL / length 0
 * detaches it (call at completion so later use through an old handle is caught).
 */
WDFMEMORY fx_memory_init_embedded(fx_memory *memory, void *buffer, size_t length, ULONG flags);

/* Validates a WDFMEMORY handle (reports as fx_object_from_handle); NULL if invalid. */
fx_memory *fx_memory_from_handle_at(PWDF_DRIVER_GLOBALS globals, WDFMEMORY handle, const char *caller);
#define fx_memory_from_handle(globals, handle) fx_memory_from_handle_at(globals, handle, __func__)

/*
 * Resolves a WDF_MEMORY_DESCRIPTOR (BUFFER, MDL, or HANDLE with optional WDFMEMORY_OFFSET) to a
 * flat buffer and length, checking the offset against the memory object's size
 * (STATUS_INVALID_PARAMETER / STATUS_BUFFER_TOO_SMALL), for I/O-target sends. *read_only_out (may
 * be NULL) says whether the memory refuses writes. IRQL <= DISPATCH_LEVEL.
 */
NTSTATUS fx_memory_descriptor_resolve(PWDF_DRIVER_GLOBALS globals, const WDF_MEMORY_DESCRIPTOR *descriptor,
                                      void **buffer_out, size_t *length_out, BOOLEAN *read_only_out,
                                      const char *caller);

/* ---- between memory.c and lookaside.c (wdf-support only) ------------------------------------- */

/*
 * Creates a memory object describing `buffer` (already allocated as `flags` says), under the
 * attributes' parent or the driver. On failure nothing is taken over: the caller still owns buffer.
 */
NTSTATUS fx_memory_create_object(PWDF_DRIVER_GLOBALS globals, const WDF_OBJECT_ATTRIBUTES *attributes,
                                 void *buffer, size_t length, ULONG flags, ULONG pool_tag,
                                 struct fx_lookaside *lookaside, fx_memory **memory_out);

/* Returns a buffer to its lookaside list and drops the memory object's reference on the list. */
void fx_lookaside_return_buffer(struct fx_lookaside *lookaside, void *buffer);

#endif /* OPENWDF_FX_MEMORY_H */
