/*
 * irp.c - IRP allocation (IoAllocateIrp / IoFreeIrp / IoReuseIrp / IoInitializeIrp /
 * IoMakeAssociatedIrp) and IoCallDriver.
 *
 * Allocation is the hot path of every request, so IRPs come from a per-thread cache with one list
 * per stack count (0..IO_IRP_CACHE_MAX_STACK): no lock, no atomic, no malloc in steady state. An
 * IRP freed on another thread goes to that thread's cache (bounded); overflow goes to a global list
 * per stack count (one mutex, taken only when a thread cache is full or empty, and then for a batch),
 * and past that bound back to memory. Larger IRPs are allocated and freed individually.
 * The cached memory is plain malloc'd memory, not pool: it is the I/O manager's own, as
 * Windows' IRP lookaside lists are, and is kept for the life of the process.
 */
#include "io_internal.h"

#include <pthread.h>
#include <stdlib.h>

#define IO_IRP_CACHE_MAX_STACK 16
#define IO_IRP_THREAD_MAX 64   /* per stack count, per thread */
#define IO_IRP_GLOBAL_MAX 1024 /* per stack count */
#define IO_IRP_BATCH 16

struct io_irp_bucket {
    PIRP head;
    ULONG count;
};

struct io_irp_thread_cache {
    struct io_irp_bucket buckets[IO_IRP_CACHE_MAX_STACK + 1];
    UCHAR state; /* 0: unregistered, 1: live (destructor registered), 2: thread exiting */
};

static __thread struct io_irp_thread_cache io_irp_tls __attribute__((tls_model("initial-exec")));

static pthread_mutex_t io_irp_global_lock = PTHREAD_MUTEX_INITIALIZER;
static struct io_irp_bucket io_irp_global[IO_IRP_CACHE_MAX_STACK + 1];
static pthread_key_t io_irp_key;
static pthread_once_t io_irp_key_once = PTHREAD_ONCE_INIT;
static uint64_t io_irp_pool_allocs;
static uint64_t io_irp_pool_frees;

#define IO_IRP_NEXT(irp) (*(PIRP *)&(irp)->Owdf.Cache)

static void io_irp_global_put(ULONG stack, PIRP list, PIRP last, ULONG count)
{
    pthread_mutex_lock(&io_irp_global_lock);
    struct io_irp_bucket *g = &io_irp_global[stack];
    if (g->count + count <= IO_IRP_GLOBAL_MAX) {
        IO_IRP_NEXT(last) = g->head;
        g->head = list;
        g->count += count;
        list = NULL;
    }
    pthread_mutex_unlock(&io_irp_global_lock);
    while (list != NULL) {
        PIRP next = IO_IRP_NEXT(list);
        free(list);
        __atomic_add_fetch(&io_irp_pool_frees, 1, __ATOMIC_RELAXED);
        list = next;
    }
}

/* Thread exit: hand this thread's IRPs to the global lists. */
static void io_irp_thread_exit(void *arg)
{
    struct io_irp_thread_cache *c = arg;
    c->state = 2;
    for (ULONG s = 0; s <= IO_IRP_CACHE_MAX_STACK; s++) {
        struct io_irp_bucket *b = &c->buckets[s];
        if (b->head == NULL)
            continue;
        PIRP last = b->head;
        while (IO_IRP_NEXT(last) != NULL)
            last = IO_IRP_NEXT(last);
        io_irp_global_put(s, b->head, last, b->count);
        b->head = NULL;
        b->count = 0;
    }
}

static void io_irp_make_key(void)
{
    pthread_key_create(&io_irp_key, io_irp_thread_exit);
}

/* Cache-line aligned and sized, so IRPs of different threads never share a line. */
static PIRP io_irp_memory(SIZE_T size)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (size + 63) & ~(SIZE_T)63) != 0)
        return NULL;
    __atomic_add_fetch(&io_irp_pool_allocs, 1, __ATOMIC_RELAXED);
    return p;
}

/* Thread cache empty for `stack`: take a batch from the global list, else fresh memory. */
static void io_irp_register_thread(struct io_irp_thread_cache *c)
{
    pthread_once(&io_irp_key_once, io_irp_make_key);
    pthread_setspecific(io_irp_key, c);
    c->state = 1;
}

static __attribute__((noinline)) PIRP io_irp_refill(ULONG stack)
{
    struct io_irp_thread_cache *c = &io_irp_tls;
    if (c->state == 0)
        io_irp_register_thread(c);
    PIRP irp = NULL;
    pthread_mutex_lock(&io_irp_global_lock);
    struct io_irp_bucket *g = &io_irp_global[stack];
    if (g->head != NULL) {
        irp = g->head;
        g->head = IO_IRP_NEXT(irp);
        g->count--;
        if (c->state == 1) {
            struct io_irp_bucket *b = &c->buckets[stack];
            for (int i = 1; i < IO_IRP_BATCH && g->head != NULL; i++) {
                PIRP more = g->head;
                g->head = IO_IRP_NEXT(more);
                g->count--;
                IO_IRP_NEXT(more) = b->head;
                b->head = more;
                b->count++;
            }
        }
    }
    pthread_mutex_unlock(&io_irp_global_lock);
    if (irp == NULL)
        irp = io_irp_memory(IoSizeOfIrp(stack));
    return irp;
}

static inline void io_irp_init(PIRP irp, USHORT size, CCHAR stack)
{
    memset(irp, 0, size);
    irp->Type = IO_TYPE_IRP;
    irp->Size = size;
    irp->StackCount = stack;
    irp->CurrentLocation = (CHAR)(stack + 1);
    irp->ThreadListEntry.Flink = &irp->ThreadListEntry;
    irp->ThreadListEntry.Blink = &irp->ThreadListEntry;
    irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(irp + 1) + stack;
}

PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)ChargeQuota;
    ULONG stack = (UCHAR)StackSize;
    PIRP irp;
    if (IO_LIKELY(stack <= IO_IRP_CACHE_MAX_STACK)) {
        struct io_irp_bucket *b = &io_irp_tls.buckets[stack];
        irp = b->head;
        if (IO_LIKELY(irp != NULL)) {
            b->head = IO_IRP_NEXT(irp);
            b->count--;
        } else {
            irp = io_irp_refill(stack);
            if (irp == NULL)
                return NULL;
        }
        io_irp_init(irp, IoSizeOfIrp(stack), StackSize);
        irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE | IRP_LOOKASIDE_ALLOCATION;
        irp->Owdf.State = IO_IRP_STATE_CACHED;
        return irp;
    }
    if (StackSize < 0)
        return NULL;
    irp = io_irp_memory(IoSizeOfIrp(stack));
    if (irp == NULL)
        return NULL;
    io_irp_init(irp, IoSizeOfIrp(stack), StackSize);
    irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE;
    irp->Owdf.State = IO_IRP_STATE_POOL;
    return irp;
}

PIRP IoAllocateIrpEx(PDEVICE_OBJECT DeviceObject, CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)DeviceObject;
    return IoAllocateIrp(StackSize, ChargeQuota);
}

void IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    io_irp_init(Irp, PacketSize, StackSize);
}

static __attribute__((noinline)) void io_irp_bad_free(PIRP irp)
{
    if (irp == NULL || irp->Type != IO_TYPE_IRP)
        OWDF_VERIFY_REPORT("IRP_FREE_INVALID", irp, "IRP", io_report_driver(),
                           "IoFreeIrp(%p): not an IRP (already freed?)", (void *)irp);
    else
        OWDF_VERIFY_REPORT(
            "IRP_FREE_INVALID", irp, "IRP", io_report_driver(),
            "IoFreeIrp(%p): the IRP was not allocated by IoAllocateIrp (IoInitializeIrp on the "
            "caller's memory)",
            (void *)irp);
}

void IoFreeIrp(PIRP Irp)
{
    if (IO_UNLIKELY(Irp == NULL || Irp->Type != IO_TYPE_IRP ||
                    !(Irp->Owdf.State & (IO_IRP_STATE_CACHED | IO_IRP_STATE_POOL)))) {
        io_irp_bad_free(Irp);
        return;
    }
    if (IO_UNLIKELY(__atomic_load_n(&Irp->CancelRoutine, __ATOMIC_RELAXED) != NULL)) {
        OWDF_VERIFY_REPORT("IRP_FREE_IN_USE", Irp, "IRP", io_report_driver(),
                           "IoFreeIrp(%p): the IRP still has a cancel routine", (void *)Irp);
        return;
    }
    /* The I/O manager's system buffer goes with the IRP (a completion routine that frees an
     * IoBuildAsynchronousFsdRequest IRP would otherwise leak it). */
    if (IO_UNLIKELY(Irp->Flags & IRP_DEALLOCATE_BUFFER) && Irp->AssociatedIrp.SystemBuffer != NULL &&
        !(Irp->Flags & IRP_ASSOCIATED_IRP))
        io_system_buffer_release(Irp);
    Irp->Type = 0;
    ULONG stack = (UCHAR)Irp->StackCount;
    if (IO_LIKELY(Irp->Owdf.State & IO_IRP_STATE_CACHED)) {
        struct io_irp_thread_cache *c = &io_irp_tls;
        struct io_irp_bucket *b = &c->buckets[stack];
        if (IO_LIKELY(b->count < IO_IRP_THREAD_MAX && c->state == 1)) {
            IO_IRP_NEXT(Irp) = b->head;
            b->head = Irp;
            b->count++;
            return;
        }
        if (c->state == 0) {
            io_irp_register_thread(c);
            IO_IRP_NEXT(Irp) = b->head;
            b->head = Irp;
            b->count++;
            return;
        }
        IO_IRP_NEXT(Irp) = NULL;
        io_irp_global_put(stack, Irp, Irp, 1);
        return;
    }
    free(Irp);
    __atomic_add_fetch(&io_irp_pool_frees, 1, __ATOMIC_RELAXED);
}

void IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    UCHAR allocation = Irp->AllocationFlags;
    io_system_buffer_release(Irp); /* the init below would otherwise forget it */
    ULONG state = Irp->Owdf.State & (IO_IRP_STATE_CACHED | IO_IRP_STATE_POOL);
    io_irp_init(Irp, Irp->Size, Irp->StackCount);
    Irp->AllocationFlags = allocation;
    Irp->Owdf.State = state;
    Irp->IoStatus.Status = Iostatus;
}

PIRP IoMakeAssociatedIrp(PIRP Irp, CCHAR StackSize)
{
    PIRP irp = IoAllocateIrp(StackSize, FALSE);
    if (irp == NULL)
        return NULL;
    irp->Flags |= IRP_ASSOCIATED_IRP;
    irp->Owdf.State |= IO_IRP_STATE_ASSOCIATED;
    irp->AssociatedIrp.MasterIrp = Irp;
    irp->RequestorMode = Irp->RequestorMode;
    irp->Tail.Overlay.Thread = Irp->Tail.Overlay.Thread;
    irp->Tail.Overlay.OriginalFileObject = Irp->Tail.Overlay.OriginalFileObject;
    return irp;
}

void io_irp_cache_get_stats(io_irp_cache_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    for (ULONG s = 0; s <= IO_IRP_CACHE_MAX_STACK; s++)
        stats->thread_cached += io_irp_tls.buckets[s].count;
    pthread_mutex_lock(&io_irp_global_lock);
    for (ULONG s = 0; s <= IO_IRP_CACHE_MAX_STACK; s++)
        stats->global_cached += io_irp_global[s].count;
    pthread_mutex_unlock(&io_irp_global_lock);
    stats->pool_allocs = __atomic_load_n(&io_irp_pool_allocs, __ATOMIC_RELAXED);
    stats->pool_frees = __atomic_load_n(&io_irp_pool_frees, __ATOMIC_RELAXED);
}

static void io_irp_free_list(PIRP list)
{
    while (list != NULL) {
        PIRP next = IO_IRP_NEXT(list);
        free(list);
        __atomic_add_fetch(&io_irp_pool_frees, 1, __ATOMIC_RELAXED);
        list = next;
    }
}

void io_irp_cache_trim(void)
{
    for (ULONG s = 0; s <= IO_IRP_CACHE_MAX_STACK; s++) {
        io_irp_free_list(io_irp_tls.buckets[s].head);
        io_irp_tls.buckets[s].head = NULL;
        io_irp_tls.buckets[s].count = 0;
    }
    pthread_mutex_lock(&io_irp_global_lock);
    for (ULONG s = 0; s <= IO_IRP_CACHE_MAX_STACK; s++) {
        io_irp_free_list(io_irp_global[s].head);
        io_irp_global[s].head = NULL;
        io_irp_global[s].count = 0;
    }
    pthread_mutex_unlock(&io_irp_global_lock);
}

/* ---- IoCallDriver ------------------------------------------------------------------------------ */

static __attribute__((noinline)) NTSTATUS io_call_overflow(PDEVICE_OBJECT device, PIRP irp)
{
    irp->CurrentLocation++;
    OWDF_VERIFY_REPORT("IRP_STACK_OVERFLOW", irp, "IRP", io_report_driver(),
                       "IoCallDriver(%p, IRP %p): no stack location left (StackCount %d); the IRP stays "
                       "with the caller",
                       (void *)device, (void *)irp, irp->StackCount);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static __attribute__((noinline)) PDRIVER_DISPATCH io_call_bad_major(PIRP irp, UCHAR major)
{
    OWDF_VERIFY_REPORT("IRP_INVALID_MAJOR_FUNCTION", irp, "IRP", io_report_driver(),
                       "IoCallDriver: IRP %p has MajorFunction 0x%x", (void *)irp, major);
    return io_dispatch_invalid_request;
}

NTSTATUS IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (IO_UNLIKELY(--Irp->CurrentLocation <= 0))
        return io_call_overflow(DeviceObject, Irp);
    PIO_STACK_LOCATION sp = --Irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = DeviceObject;
    PDRIVER_OBJECT driver = DeviceObject->DriverObject;
    UCHAR major = sp->MajorFunction;
    PDRIVER_DISPATCH dispatch = IO_LIKELY(major <= IRP_MJ_MAXIMUM_FUNCTION)
                                    ? __atomic_load_n(&driver->MajorFunction[major], __ATOMIC_RELAXED)
                                    : io_call_bad_major(Irp, major);
    io_driver_call call;
    io_enter_driver(driver, &call);
    NTSTATUS status = dispatch(DeviceObject, Irp);
    io_leave_driver(&call, "dispatch routine");
    return status;
}
