/*
 * names_test.h - fixtures of the names half's tests: UTF-16 helpers, and "tdrv", a tiny test driver
 * whose devices log every IRP they see and answer as the test configures them:
 *   CREATE   completes with dev->create_status / create_information (and records what it got);
 *   CLEANUP  completes what it still holds for that file object (STATUS_CANCELLED), then succeeds;
 *   CLOSE    succeeds;
 *   READ     copies from the device's data, or pends (dev->pend_reads) with a cancel routine;
 *   WRITE    stores into the device's data;
 *   IOCTL    TDRV_IOCTL_* below: each buffer method echoes input+1 to the output; others pend,
 *            overflow, fail.
 * Pending IRPs sit on the device's list (a spin lock, cancel routines as the WDK describes) and are
 * completed by tdrv_complete_one from any thread, optionally at DISPATCH_LEVEL.
 */
#ifndef OPENWDF_NAMES_TEST_H
#define OPENWDF_NAMES_TEST_H

#include "io_test.h"

#include <openwdf/user.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- strings ---------------------------------------------------------------------------------- */

/* A UNICODE_STRING over a static-per-call buffer: ring of 8 so a test can hold several. */
static inline PUNICODE_STRING us(const char *text)
{
    static __thread WCHAR bufs[8][512];
    static __thread UNICODE_STRING strs[8];
    static __thread int next;
    int i = next++ & 7;
    io_test_init_unicode(&strs[i], bufs[i], text);
    return &strs[i];
}

/* Compares a counted UTF-16 string with ASCII text. */
static inline int us_equals(PCUNICODE_STRING s, const char *text)
{
    size_t n = strlen(text);
    if (s == NULL || s->Length != n * sizeof(WCHAR))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s->Buffer[i] != (WCHAR)(unsigned char)text[i])
            return 0;
    }
    return 1;
}

/* ASCII copy of a counted UTF-16 string (non-ASCII as '?'). */
static inline const char *us_ascii(PCUNICODE_STRING s)
{
    static __thread char out[4][512];
    static __thread int next;
    char *o = out[next++ & 3];
    size_t n = s != NULL ? s->Length / sizeof(WCHAR) : 0;
    if (n > 511)
        n = 511;
    for (size_t i = 0; i < n; i++)
        o[i] = s->Buffer[i] < 128 ? (char)s->Buffer[i] : '?';
    o[n] = 0;
    return o;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the test driver -------------------------------------------------------------------------- */

#define TDRV_IOCTL(fn, method, access) CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800 + (fn), method, access)
#define TDRV_IOCTL_BUFFERED TDRV_IOCTL(0, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define TDRV_IOCTL_IN_DIRECT TDRV_IOCTL(1, METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define TDRV_IOCTL_OUT_DIRECT TDRV_IOCTL(2, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define TDRV_IOCTL_NEITHER TDRV_IOCTL(3, METHOD_NEITHER, FILE_ANY_ACCESS)
#define TDRV_IOCTL_OVERFLOW TDRV_IOCTL(4, METHOD_BUFFERED, FILE_ANY_ACCESS)  /* fills out, BUFFER_OVERFLOW */
#define TDRV_IOCTL_TOO_SMALL TDRV_IOCTL(5, METHOD_BUFFERED, FILE_ANY_ACCESS) /* fills out, BUFFER_TOO_SMALL */
#define TDRV_IOCTL_NEEDS_READ TDRV_IOCTL(6, METHOD_BUFFERED, FILE_READ_ACCESS)
#define TDRV_IOCTL_NEEDS_WRITE TDRV_IOCTL(7, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define TDRV_IOCTL_NEEDS_BOTH TDRV_IOCTL(8, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define TDRV_IOCTL_PEND TDRV_IOCTL(9, METHOD_BUFFERED, FILE_ANY_ACCESS)          /* pends, cancelable */
#define TDRV_IOCTL_PEND_UNCANCELABLE TDRV_IOCTL(10, METHOD_BUFFERED, FILE_ANY_ACCESS) /* pends, no routine */
#define TDRV_IOCTL_INFO_TOO_BIG TDRV_IOCTL(11, METHOD_BUFFERED, FILE_ANY_ACCESS) /* Information > out */
#define TDRV_IOCTL_MODE TDRV_IOCTL(12, METHOD_BUFFERED, FILE_ANY_ACCESS) /* out[0] = RequestorMode */

#define TDRV_LOG_MAX 64
#define TDRV_DATA_MAX 4096

typedef struct tdev {
    PDEVICE_OBJECT device;
    pthread_mutex_t log_lock;
    UCHAR log[TDRV_LOG_MAX];
    PFILE_OBJECT log_file[TDRV_LOG_MAX];
    volatile LONG log_count;
    /* CREATE */
    NTSTATUS create_status;
    ULONG_PTR create_information;
    char create_name[256];        /* FileName of the last create */
    ULONG create_options;
    USHORT create_share;
    ACCESS_MASK create_access;
    KPROCESSOR_MODE create_mode;
    PFILE_OBJECT create_related;
    UCHAR create_sl_flags;
    /* READ/WRITE */
    UCHAR data[TDRV_DATA_MAX];
    ULONG data_length;
    LONGLONG last_offset;
    ULONG last_length;
    ULONG last_irp_flags;
    BOOLEAN pend_reads;
    BOOLEAN stateless; /* concurrency tests: record nothing, reads return 0 bytes, writes succeed */
    /* pending IRPs */
    KSPIN_LOCK pending_lock;
    LIST_ENTRY pending;
    volatile LONG pending_count;
    volatile LONG cancelled_count;
} tdev;

static inline tdev *tdev_of(PDEVICE_OBJECT device)
{
    return *(tdev **)device->DeviceExtension;
}

static inline void tdev_log(tdev *t, UCHAR major, PFILE_OBJECT fo)
{
    pthread_mutex_lock(&t->log_lock);
    if (t->log_count < TDRV_LOG_MAX) {
        t->log[t->log_count] = major;
        t->log_file[t->log_count] = fo;
        t->log_count++;
    }
    pthread_mutex_unlock(&t->log_lock);
}

/* "CR,CU,CL" style summary of the log. */
static inline const char *tdev_log_string(tdev *t)
{
    static __thread char s[TDRV_LOG_MAX * 3 + 1];
    size_t n = 0;
    pthread_mutex_lock(&t->log_lock);
    for (LONG i = 0; i < t->log_count; i++) {
        const char *m;
        switch (t->log[i]) {
        case IRP_MJ_CREATE: m = "CR"; break;
        case IRP_MJ_CLEANUP: m = "CU"; break;
        case IRP_MJ_CLOSE: m = "CL"; break;
        case IRP_MJ_READ: m = "RD"; break;
        case IRP_MJ_WRITE: m = "WR"; break;
        case IRP_MJ_DEVICE_CONTROL: m = "IO"; break;
        default: m = "??"; break;
        }
        if (n)
            s[n++] = ',';
        s[n++] = m[0];
        s[n++] = m[1];
    }
    pthread_mutex_unlock(&t->log_lock);
    s[n] = 0;
    return s;
}

static inline void tdev_log_clear(tdev *t)
{
    pthread_mutex_lock(&t->log_lock);
    t->log_count = 0;
    pthread_mutex_unlock(&t->log_lock);
}

/* Waits (up to ~5 s) until the log reads `expected`. */
static inline int tdev_wait_log(tdev *t, const char *expected)
{
    for (int i = 0; i < 5000; i++) {
        if (strcmp(tdev_log_string(t), expected) == 0)
            return 1;
        sleep_ms(1);
    }
    return 0;
}

static DRIVER_CANCEL tdrv_cancel;
static void tdrv_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    tdev *t = tdev_of(DeviceObject);
    KIRQL old;
    KeAcquireSpinLock(&t->pending_lock, &old);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&t->pending_lock, old);
    __atomic_sub_fetch(&t->pending_count, 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&t->cancelled_count, 1, __ATOMIC_ACQ_REL);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static inline NTSTATUS tdrv_pend(tdev *t, PIRP irp, BOOLEAN cancelable)
{
    IoMarkIrpPending(irp);
    KIRQL old;
    KeAcquireSpinLock(&t->pending_lock, &old);
    InsertTailList(&t->pending, &irp->Tail.Overlay.ListEntry);
    __atomic_add_fetch(&t->pending_count, 1, __ATOMIC_ACQ_REL);
    /* Remembered so that tdrv_take never reads CancelRoutine to decide: IoCancelIrp may have
     * exchanged it to NULL already, and the IRP then belongs to the running cancel routine. */
    irp->Tail.Overlay.DriverContext[0] = cancelable ? (PVOID)1 : NULL;
    if (cancelable) {
        IoSetCancelRoutine(irp, tdrv_cancel);
        if (__atomic_load_n(&irp->Cancel, __ATOMIC_ACQUIRE) && IoSetCancelRoutine(irp, NULL) != NULL) {
            RemoveEntryList(&irp->Tail.Overlay.ListEntry);
            __atomic_sub_fetch(&t->pending_count, 1, __ATOMIC_ACQ_REL);
            KeReleaseSpinLock(&t->pending_lock, old);
            irp->IoStatus.Status = STATUS_CANCELLED;
            irp->IoStatus.Information = 0;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
            return STATUS_PENDING;
        }
    }
    KeReleaseSpinLock(&t->pending_lock, old);
    return STATUS_PENDING;
}

/* Takes the oldest pending IRP (optionally only one of `file`) away from its cancel routine. */
static inline PIRP tdrv_take(tdev *t, PFILE_OBJECT file)
{
    KIRQL old;
    KeAcquireSpinLock(&t->pending_lock, &old);
    PIRP found = NULL;
    for (PLIST_ENTRY e = t->pending.Flink; e != &t->pending; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (file != NULL && IoGetCurrentIrpStackLocation(irp)->FileObject != file)
            continue;
        if (irp->Tail.Overlay.DriverContext[0] != NULL && IoSetCancelRoutine(irp, NULL) == NULL)
            continue; /* its cancel routine is running */
        RemoveEntryList(e);
        __atomic_sub_fetch(&t->pending_count, 1, __ATOMIC_ACQ_REL);
        found = irp;
        break;
    }
    KeReleaseSpinLock(&t->pending_lock, old);
    return found;
}

/* Completes the oldest pending IRP with status/information (a read gets data copied first).
 * at_dispatch: from DISPATCH_LEVEL, as a DPC would. Returns FALSE when none was pending. */
static inline BOOLEAN tdrv_complete_one(tdev *t, NTSTATUS status, ULONG_PTR information, BOOLEAN at_dispatch)
{
    PIRP irp = tdrv_take(t, NULL);
    if (irp == NULL)
        return FALSE;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_READ && NT_SUCCESS(status)) {
        PVOID buffer = irp->AssociatedIrp.SystemBuffer != NULL ? irp->AssociatedIrp.SystemBuffer
                       : irp->MdlAddress != NULL ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority)
                                                 : irp->UserBuffer;
        ULONG n = sp->Parameters.Read.Length < t->data_length ? sp->Parameters.Read.Length : t->data_length;
        memcpy(buffer, t->data, n);
        information = n;
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    KIRQL old = PASSIVE_LEVEL;
    if (at_dispatch)
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    if (at_dispatch)
        KeLowerIrql(old);
    return TRUE;
}

static inline PVOID tdrv_out_buffer(PIRP irp, PIO_STACK_LOCATION sp)
{
    switch (METHOD_FROM_CTL_CODE(sp->Parameters.DeviceIoControl.IoControlCode)) {
    case METHOD_BUFFERED:
        return irp->AssociatedIrp.SystemBuffer;
    case METHOD_IN_DIRECT:
    case METHOD_OUT_DIRECT:
        return irp->MdlAddress != NULL ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority) : NULL;
    default:
        return irp->UserBuffer;
    }
}

static inline PVOID tdrv_in_buffer(PIRP irp, PIO_STACK_LOCATION sp)
{
    if (METHOD_FROM_CTL_CODE(sp->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER)
        return sp->Parameters.DeviceIoControl.Type3InputBuffer;
    return irp->AssociatedIrp.SystemBuffer;
}

static inline NTSTATUS tdrv_finish(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static DRIVER_DISPATCH tdrv_dispatch;
static NTSTATUS tdrv_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    tdev *t = tdev_of(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    tdev_log(t, sp->MajorFunction, sp->FileObject);
    if (t->stateless) {
        switch (sp->MajorFunction) {
        case IRP_MJ_CREATE:
        case IRP_MJ_CLOSE:
            return tdrv_finish(Irp, STATUS_SUCCESS, 0);
        case IRP_MJ_READ:
            return tdrv_finish(Irp, STATUS_SUCCESS, 0);
        case IRP_MJ_WRITE:
            return tdrv_finish(Irp, STATUS_SUCCESS, sp->Parameters.Write.Length);
        default:
            break; /* CLEANUP, IOCTLs: as usual (they keep no state) */
        }
    }
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE: {
        PCUNICODE_STRING name = &sp->FileObject->FileName;
        size_t n = name->Length / sizeof(WCHAR);
        if (n > sizeof t->create_name - 1)
            n = sizeof t->create_name - 1;
        for (size_t i = 0; i < n; i++)
            t->create_name[i] = name->Buffer[i] < 128 ? (char)name->Buffer[i] : '?';
        t->create_name[n] = 0;
        t->create_options = sp->Parameters.Create.Options;
        t->create_share = sp->Parameters.Create.ShareAccess;
        t->create_access = sp->Parameters.Create.SecurityContext->DesiredAccess;
        t->create_mode = Irp->RequestorMode;
        t->create_related = sp->FileObject->RelatedFileObject;
        t->create_sl_flags = sp->Flags;
        return tdrv_finish(Irp, t->create_status, t->create_information);
    }
    case IRP_MJ_CLEANUP: {
        PIRP held;
        while ((held = tdrv_take(t, sp->FileObject)) != NULL)
            tdrv_finish(held, STATUS_CANCELLED, 0);
        return tdrv_finish(Irp, STATUS_SUCCESS, 0);
    }
    case IRP_MJ_CLOSE:
        return tdrv_finish(Irp, STATUS_SUCCESS, 0);
    case IRP_MJ_READ: {
        t->last_offset = sp->Parameters.Read.ByteOffset.QuadPart;
        t->last_length = sp->Parameters.Read.Length;
        t->last_irp_flags = Irp->Flags;
        if (t->pend_reads)
            return tdrv_pend(t, Irp, TRUE);
        PVOID buffer = (DeviceObject->Flags & DO_BUFFERED_IO) ? Irp->AssociatedIrp.SystemBuffer
                       : (DeviceObject->Flags & DO_DIRECT_IO)
                           ? (Irp->MdlAddress ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority) : NULL)
                           : Irp->UserBuffer;
        ULONG n = sp->Parameters.Read.Length < t->data_length ? sp->Parameters.Read.Length : t->data_length;
        if (n != 0)
            memcpy(buffer, t->data, n);
        return tdrv_finish(Irp, STATUS_SUCCESS, n);
    }
    case IRP_MJ_WRITE: {
        t->last_offset = sp->Parameters.Write.ByteOffset.QuadPart;
        t->last_length = sp->Parameters.Write.Length;
        t->last_irp_flags = Irp->Flags;
        PVOID buffer = (DeviceObject->Flags & DO_BUFFERED_IO) ? Irp->AssociatedIrp.SystemBuffer
                       : (DeviceObject->Flags & DO_DIRECT_IO)
                           ? (Irp->MdlAddress ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority) : NULL)
                           : Irp->UserBuffer;
        ULONG n = sp->Parameters.Write.Length < TDRV_DATA_MAX ? sp->Parameters.Write.Length : TDRV_DATA_MAX;
        if (n != 0)
            memcpy(t->data, buffer, n);
        t->data_length = n;
        return tdrv_finish(Irp, STATUS_SUCCESS, n);
    }
    case IRP_MJ_DEVICE_CONTROL: {
        ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
        ULONG in_len = sp->Parameters.DeviceIoControl.InputBufferLength;
        ULONG out_len = sp->Parameters.DeviceIoControl.OutputBufferLength;
        UCHAR *in = tdrv_in_buffer(Irp, sp);
        UCHAR *out = tdrv_out_buffer(Irp, sp);
        switch (code) {
        case TDRV_IOCTL_BUFFERED:
        case TDRV_IOCTL_IN_DIRECT:
        case TDRV_IOCTL_OUT_DIRECT:
        case TDRV_IOCTL_NEITHER:
        case TDRV_IOCTL_NEEDS_READ:
        case TDRV_IOCTL_NEEDS_WRITE:
        case TDRV_IOCTL_NEEDS_BOTH: {
            ULONG n = in_len < out_len ? in_len : out_len;
            for (ULONG i = 0; i < n; i++)
                out[i] = (UCHAR)(in[i] + 1);
            return tdrv_finish(Irp, STATUS_SUCCESS, n);
        }
        case TDRV_IOCTL_OVERFLOW:
            memset(out, 0x5a, out_len);
            return tdrv_finish(Irp, STATUS_BUFFER_OVERFLOW, out_len);
        case TDRV_IOCTL_TOO_SMALL:
            if (out != NULL)
                memset(out, 0x5a, out_len);
            return tdrv_finish(Irp, STATUS_BUFFER_TOO_SMALL, out_len);
        case TDRV_IOCTL_INFO_TOO_BIG:
            memset(out, 0x33, out_len);
            return tdrv_finish(Irp, STATUS_SUCCESS, (ULONG_PTR)out_len + 100);
        case TDRV_IOCTL_MODE:
            out[0] = (UCHAR)Irp->RequestorMode;
            return tdrv_finish(Irp, STATUS_SUCCESS, 1);
        case TDRV_IOCTL_PEND:
            return tdrv_pend(t, Irp, TRUE);
        case TDRV_IOCTL_PEND_UNCANCELABLE:
            return tdrv_pend(t, Irp, FALSE);
        default:
            return tdrv_finish(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        }
    }
    default:
        return tdrv_finish(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static DRIVER_UNLOAD tdrv_unload;
static void tdrv_unload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

static DRIVER_INITIALIZE tdrv_entry;
static NTSTATUS tdrv_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = tdrv_dispatch;
    DriverObject->DriverUnload = tdrv_unload;
    return STATUS_SUCCESS;
}

static inline PDRIVER_OBJECT tdrv_load(const char *name)
{
    PDRIVER_OBJECT driver = NULL;
    assert_int_equal(owdf_io_load_driver(name, tdrv_entry, NULL, &driver), STATUS_SUCCESS);
    return driver;
}

/* A device of the test driver: name (NULL for none), DO_* I/O flags, exclusive. */
static inline tdev *tdev_create(PDRIVER_OBJECT driver, const char *name, ULONG io_flags, BOOLEAN exclusive)
{
    tdev *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    pthread_mutex_init(&t->log_lock, NULL);
    KeInitializeSpinLock(&t->pending_lock);
    InitializeListHead(&t->pending);
    t->create_status = STATUS_SUCCESS;
    assert_int_equal(IoCreateDevice(driver, sizeof(tdev *), name ? us(name) : NULL, FILE_DEVICE_UNKNOWN, 0, exclusive,
                                    &t->device),
                     STATUS_SUCCESS);
    *(tdev **)t->device->DeviceExtension = t;
    t->device->Flags |= io_flags;
    t->device->Flags &= ~DO_DEVICE_INITIALIZING;
    return t;
}

static inline void tdev_delete(tdev *t)
{
    if (t == NULL)
        return;
    assert_int_equal(t->pending_count, 0);
    IoDeleteDevice(t->device);
    pthread_mutex_destroy(&t->log_lock);
    free(t);
}

#endif /* OPENWDF_NAMES_TEST_H */
