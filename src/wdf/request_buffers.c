/*
 * request_buffers.c - a request's buffers as KMDF hands them out: WdfRequestRetrieve{Input,Output}
 * {Buffer,Memory,WdmMdl}, the unsafe user buffers of EvtIoInCallerContext
 * (WdfRequestRetrieveUnsafeUser{Input,Output}Buffer) and WdfRequestProbeAndLockUserBufferFor{Read,Write}.
 *
 * Where the buffer is (as the I/O manager set the IRP up):
 *   READ/WRITE: buffered device -> SystemBuffer; direct -> MdlAddress mapped; neither -> UserBuffer,
 *     which KMDF gives out for kernel-mode requests only (user mode: EvtIoInCallerContext).
 *   IOCTL input: SystemBuffer for BUFFERED/IN_DIRECT/OUT_DIRECT; METHOD_NEITHER Type3InputBuffer
 *     (kernel mode or internal IOCTLs only). IOCTL output: SystemBuffer (BUFFERED), MdlAddress
 *     (IN/OUT_DIRECT), UserBuffer (NEITHER, kernel mode or internal only).
 * Errors: the input of a READ / output of a WRITE -> STATUS_INVALID_DEVICE_REQUEST; a zero-length
 * buffer or one shorter than the minimum -> STATUS_BUFFER_TOO_SMALL. A WDFMEMORY of a request lives
 * inside it (created once per cached request object) and goes stale at completion; the input one is
 * read-only. MDLs built for buffered I/O are freed at completion.
 */
#include "fx_call.h"
#include "fx_request.h"

#include <openwdf/nt.h>

enum io_kind { IO_BUFFERED, IO_DIRECT, IO_NEITHER };

static enum io_kind device_io_kind(const fx_request *request)
{
    PDEVICE_OBJECT device = request->device != NULL ? request->device->wdm_device : NULL;
    if (device == NULL)
        return IO_BUFFERED;
    if (device->Flags & DO_BUFFERED_IO)
        return IO_BUFFERED;
    if (device->Flags & DO_DIRECT_IO)
        return IO_DIRECT;
    return IO_NEITHER;
}

static NTSTATUS mdl_address(PMDL mdl, void **buffer)
{
    if (mdl == NULL)
        return STATUS_BUFFER_TOO_SMALL;
    *buffer = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    return *buffer != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* The buffer of a READ or WRITE. */
static NTSTATUS transfer_buffer(const fx_request *request, ULONG length, void **buffer, size_t *out_length,
                                PMDL *mdl)
{
    PIRP irp = request->irp;
    if (length == 0)
        return STATUS_BUFFER_TOO_SMALL;
    *out_length = length;
    switch (device_io_kind(request)) {
    case IO_DIRECT:
        *mdl = irp->MdlAddress;
        return mdl_address(irp->MdlAddress, buffer);
    case IO_NEITHER:
        if (irp->RequestorMode == UserMode)
            return STATUS_INVALID_DEVICE_REQUEST; /* only in EvtIoInCallerContext */
        *buffer = irp->UserBuffer;
        return STATUS_SUCCESS;
    default:
        *buffer = irp->AssociatedIrp.SystemBuffer;
        return STATUS_SUCCESS;
    }
}

static NTSTATUS input_buffer(const fx_request *request, void **buffer, size_t *length, PMDL *mdl)
{
    PIO_STACK_LOCATION stack = fx_request_stack(request);
    PIRP irp = request->irp;
    *mdl = NULL;
    switch (request->major) {
    case IRP_MJ_WRITE:
        return transfer_buffer(request, stack->Parameters.Write.Length, buffer, length, mdl);
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        ULONG len = stack->Parameters.DeviceIoControl.InputBufferLength;
        if (len == 0)
            return STATUS_BUFFER_TOO_SMALL;
        *length = len;
        if (METHOD_FROM_CTL_CODE(stack->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER) {
            if (irp->RequestorMode == UserMode && request->major == IRP_MJ_DEVICE_CONTROL)
                return STATUS_INVALID_DEVICE_REQUEST;
            *buffer = stack->Parameters.DeviceIoControl.Type3InputBuffer;
            return STATUS_SUCCESS;
        }
        *buffer = irp->AssociatedIrp.SystemBuffer;
        return STATUS_SUCCESS;
    }
    default:
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}

static NTSTATUS output_buffer(const fx_request *request, void **buffer, size_t *length, PMDL *mdl)
{
    PIO_STACK_LOCATION stack = fx_request_stack(request);
    PIRP irp = request->irp;
    *mdl = NULL;
    switch (request->major) {
    case IRP_MJ_READ:
        return transfer_buffer(request, stack->Parameters.Read.Length, buffer, length, mdl);
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        ULONG len = stack->Parameters.DeviceIoControl.OutputBufferLength;
        if (len == 0)
            return STATUS_BUFFER_TOO_SMALL;
        *length = len;
        switch (METHOD_FROM_CTL_CODE(stack->Parameters.DeviceIoControl.IoControlCode)) {
        case METHOD_IN_DIRECT:
        case METHOD_OUT_DIRECT:
            *mdl = irp->MdlAddress;
            return mdl_address(irp->MdlAddress, buffer);
        case METHOD_NEITHER:
            if (irp->RequestorMode == UserMode && request->major == IRP_MJ_DEVICE_CONTROL)
                return STATUS_INVALID_DEVICE_REQUEST;
            *buffer = irp->UserBuffer;
            return STATUS_SUCCESS;
        default:
            *buffer = irp->AssociatedIrp.SystemBuffer;
            return STATUS_SUCCESS;
        }
    }
    default:
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}

/* ---- Buffers ----------------------------------------------------------------------------------- */

static NTSTATUS retrieve_buffer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, BOOLEAN input, size_t minimum,
                                PVOID *buffer, size_t *length, const char *caller)
{
    if (buffer == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: Buffer is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    *buffer = NULL;
    if (length != NULL)
        *length = 0;
    if (!ke_check_max_irql(DISPATCH_LEVEL, caller))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle_at(globals, handle, caller);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED))
        return STATUS_INVALID_DEVICE_REQUEST;
    void *b = NULL;
    size_t len = 0;
    PMDL mdl;
    NTSTATUS status = input ? input_buffer(request, &b, &len, &mdl) : output_buffer(request, &b, &len, &mdl);
    if (!NT_SUCCESS(status))
        return status;
    if (len < minimum)
        return STATUS_BUFFER_TOO_SMALL;
    *buffer = b;
    if (length != NULL)
        *length = len;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestRetrieveInputBuffer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, size_t minimum,
                                           PVOID *buffer, size_t *length)
{
    return retrieve_buffer(globals, request, TRUE, minimum, buffer, length, "WdfRequestRetrieveInputBuffer");
}

NTSTATUS imp_WdfRequestRetrieveOutputBuffer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, size_t minimum,
                                            PVOID *buffer, size_t *length)
{
    return retrieve_buffer(globals, request, FALSE, minimum, buffer, length, "WdfRequestRetrieveOutputBuffer");
}

/* ---- WDFMEMORY ---------------------------------------------------------------------------------- */

static NTSTATUS retrieve_memory(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, BOOLEAN input, WDFMEMORY *memory,
                                const char *caller)
{
    if (memory == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: Memory is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    *memory = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, caller))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle_at(globals, handle, caller);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED))
        return STATUS_INVALID_DEVICE_REQUEST;
    void *b = NULL;
    size_t len = 0;
    PMDL mdl;
    NTSTATUS status = input ? input_buffer(request, &b, &len, &mdl) : output_buffer(request, &b, &len, &mdl);
    if (!NT_SUCCESS(status))
        return status;
    fx_memory **slot = input ? &request->input_memory : &request->output_memory;
    if (*slot == NULL) {
        /* Once per cached request object: later uses only re-point it. */
        status = fx_memory_create_embedded(globals, &request->object, slot);
        if (!NT_SUCCESS(status))
            return status;
    }
    *memory = fx_memory_init_embedded(*slot, b, len, input ? FX_MEMORY_READ_ONLY : 0);
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestRetrieveInputMemory(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, WDFMEMORY *memory)
{
    return retrieve_memory(globals, request, TRUE, memory, "WdfRequestRetrieveInputMemory");
}

NTSTATUS imp_WdfRequestRetrieveOutputMemory(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, WDFMEMORY *memory)
{
    return retrieve_memory(globals, request, FALSE, memory, "WdfRequestRetrieveOutputMemory");
}

/* ---- MDLs ------------------------------------------------------------------------------------------ */

static NTSTATUS retrieve_mdl(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, BOOLEAN input, PMDL *mdl_out,
                             const char *caller)
{
    if (mdl_out == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: Mdl is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    *mdl_out = NULL;
    if (!ke_check_max_irql(DISPATCH_LEVEL, caller))
        return STATUS_INVALID_DEVICE_REQUEST;
    fx_request *request = fx_request_from_handle_at(globals, handle, caller);
    if (request == NULL)
        return STATUS_INVALID_HANDLE;
    if (fx_request_has_flag(request, FX_REQ_DRIVER_CREATED))
        return STATUS_INVALID_DEVICE_REQUEST;
    void *b = NULL;
    size_t len = 0;
    PMDL mdl = NULL;
    NTSTATUS status = input ? input_buffer(request, &b, &len, &mdl) : output_buffer(request, &b, &len, &mdl);
    if (!NT_SUCCESS(status))
        return status;
    if (mdl == NULL) {
        /* Buffered (or kernel-mode neither) I/O: an MDL describing the buffer, freed at completion. */
        PMDL *slot = input ? &request->input_mdl : &request->output_mdl;
        if (*slot == NULL) {
            PMDL built = IoAllocateMdl(b, (ULONG)len, FALSE, FALSE, NULL);
            if (built == NULL)
                return STATUS_INSUFFICIENT_RESOURCES;
            MmBuildMdlForNonPagedPool(built);
            *slot = built;
        }
        mdl = *slot;
    }
    *mdl_out = mdl;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestRetrieveInputWdmMdl(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, PMDL *mdl)
{
    return retrieve_mdl(globals, request, TRUE, mdl, "WdfRequestRetrieveInputWdmMdl");
}

NTSTATUS imp_WdfRequestRetrieveOutputWdmMdl(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, PMDL *mdl)
{
    return retrieve_mdl(globals, request, FALSE, mdl, "WdfRequestRetrieveOutputWdmMdl");
}

/* ---- EvtIoInCallerContext: the caller's buffers ---------------------------------------------------- */

/* The request, if the caller is in its EvtIoInCallerContext (else UNSAFE_BUFFER_OUTSIDE_CALLER_CONTEXT). */
static fx_request *in_caller_context(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, const char *caller,
                                     NTSTATUS *status)
{
    *status = STATUS_INVALID_DEVICE_REQUEST;
    if (!ke_check_max_irql(PASSIVE_LEVEL, caller))
        return NULL;
    fx_request *request = fx_request_from_handle_at(globals, handle, caller);
    if (request == NULL) {
        *status = STATUS_INVALID_HANDLE;
        return NULL;
    }
    if (!fx_request_has_flag(request, FX_REQ_IN_CALLER_CONTEXT) ||
        !fx_request_on_thread(&request->caller_context_thread)) {
        OWDF_VERIFY_REPORT(
            "UNSAFE_BUFFER_OUTSIDE_CALLER_CONTEXT", handle, "WDFREQUEST", fx_report_driver(globals),
            "%s: WDFREQUEST %p is not in its EvtIoInCallerContext on this thread; the caller's "
            "buffers are only valid there",
            caller, (void *)handle);
        return NULL;
    }
    *status = STATUS_SUCCESS;
    return request;
}

static NTSTATUS unsafe_buffer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, BOOLEAN input, size_t minimum,
                              PVOID *buffer, size_t *length, const char *caller)
{
    if (buffer == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: Buffer is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    *buffer = NULL;
    if (length != NULL)
        *length = 0;
    NTSTATUS status;
    fx_request *request = in_caller_context(globals, handle, caller, &status);
    if (request == NULL)
        return status;
    PIO_STACK_LOCATION stack = fx_request_stack(request);
    PIRP irp = request->irp;
    UCHAR major = request->major;
    void *b;
    size_t len;
    if (major == IRP_MJ_DEVICE_CONTROL &&
        METHOD_FROM_CTL_CODE(stack->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER) {
        b = input ? stack->Parameters.DeviceIoControl.Type3InputBuffer : irp->UserBuffer;
        len = input ? stack->Parameters.DeviceIoControl.InputBufferLength
                    : stack->Parameters.DeviceIoControl.OutputBufferLength;
    } else if (input && major == IRP_MJ_WRITE && device_io_kind(request) == IO_NEITHER) {
        b = irp->UserBuffer;
        len = stack->Parameters.Write.Length;
    } else if (!input && major == IRP_MJ_READ && device_io_kind(request) == IO_NEITHER) {
        b = irp->UserBuffer;
        len = stack->Parameters.Read.Length;
    } else {
        return STATUS_INVALID_DEVICE_REQUEST; /* only METHOD_NEITHER IOCTLs and neither-I/O transfers */
    }
    if (len < minimum)
        return STATUS_BUFFER_TOO_SMALL;
    *buffer = b;
    if (length != NULL)
        *length = len;
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestRetrieveUnsafeUserInputBuffer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, size_t minimum,
                                                     PVOID *buffer, size_t *length)
{
    return unsafe_buffer(globals, request, TRUE, minimum, buffer, length, "WdfRequestRetrieveUnsafeUserInputBuffer");
}

NTSTATUS imp_WdfRequestRetrieveUnsafeUserOutputBuffer(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request,
                                                      size_t minimum, PVOID *buffer, size_t *length)
{
    return unsafe_buffer(globals, request, FALSE, minimum, buffer, length,
                         "WdfRequestRetrieveUnsafeUserOutputBuffer");
}

static NTSTATUS probe_and_lock(PWDF_DRIVER_GLOBALS globals, WDFREQUEST handle, PVOID buffer, size_t length,
                               WDFMEMORY *memory, BOOLEAN for_read, const char *caller)
{
    if (memory == NULL) {
        OWDF_VERIFY_REPORT("NULL_REQUIRED_PARAM", handle, "WDFREQUEST", fx_report_driver(globals),
                           "%s: MemoryObject is NULL", caller);
        return STATUS_INVALID_PARAMETER;
    }
    *memory = NULL;
    NTSTATUS status;
    fx_request *request = in_caller_context(globals, handle, caller, &status);
    if (request == NULL)
        return status;
    if (buffer == NULL || length == 0 || length > 0xffffffffu)
        return STATUS_INVALID_PARAMETER;
    PMDL mdl = IoAllocateMdl(buffer, (ULONG)length, FALSE, FALSE, NULL);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmProbeAndLockPages(mdl, request->irp->RequestorMode, for_read ? IoReadAccess : IoWriteAccess);
    fx_memory *mem;
    status = fx_memory_create_embedded(globals, &request->object, &mem);
    if (!NT_SUCCESS(status)) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return status;
    }
    mdl->Next = request->locked_mdls;
    request->locked_mdls = mdl;
    *memory = fx_memory_init_embedded(mem, buffer, length, for_read ? FX_MEMORY_READ_ONLY : 0);
    return STATUS_SUCCESS;
}

NTSTATUS imp_WdfRequestProbeAndLockUserBufferForRead(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request, PVOID buffer,
                                                     size_t length, WDFMEMORY *memory)
{
    return probe_and_lock(globals, request, buffer, length, memory, TRUE, "WdfRequestProbeAndLockUserBufferForRead");
}

NTSTATUS imp_WdfRequestProbeAndLockUserBufferForWrite(PWDF_DRIVER_GLOBALS globals, WDFREQUEST request,
                                                      PVOID buffer, size_t length, WDFMEMORY *memory)
{
    return probe_and_lock(globals, request, buffer, length, memory, FALSE,
                          "WdfRequestProbeAndLockUserBufferForWrite");
}
