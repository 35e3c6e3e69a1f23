/*
 * workitem.c - I/O work items (IoAllocateWorkItem, IoQueueWorkItem(Ex), IoInitializeWorkItem...) on
 * the system worker threads (ExQueueWorkItem, owdf/worker.h).
 *
 * The point of an I/O work item over ExQueueWorkItem: it holds a reference on its device (or driver)
 * object from the queue call until the routine has returned, so the object - and the driver that owns
 * the routine - cannot go away under it. The routine runs at PASSIVE_LEVEL with its driver current.
 * It may free or requeue its own work item.
 */
#include "io_internal.h"

#define IO_TAG_WORKITEM 0x6b574f49 /* 'IOWk' */
#define IO_WORKITEM_MAGIC 0x6b726f77u

ULONG IoSizeofWorkItem(void)
{
    return sizeof(struct _IO_WORKITEM);
}

void IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem)
{
    memset(IoWorkItem, 0, sizeof *IoWorkItem);
    IoWorkItem->io_object = IoObject;
    IoWorkItem->magic = IO_WORKITEM_MAGIC;
}

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    PIO_WORKITEM item = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *item, IO_TAG_WORKITEM);
    if (item != NULL)
        IoInitializeWorkItem(DeviceObject, item);
    return item;
}

static BOOLEAN io_workitem_check_idle(PIO_WORKITEM item, const char *call)
{
    if (__atomic_load_n(&item->queued, __ATOMIC_ACQUIRE) == 0)
        return TRUE;
    OWDF_VERIFY_REPORT("IO_WORKITEM_FREED_WHILE_QUEUED", item, "IO_WORKITEM", io_report_driver(),
                       "%s(%p): the work item is queued or its routine has not started", call, (void *)item);
    return FALSE;
}

void IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem)
{
    if (io_workitem_check_idle(IoWorkItem, "IoUninitializeWorkItem"))
        IoWorkItem->magic = 0;
}

void IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    if (!io_workitem_check_idle(IoWorkItem, "IoFreeWorkItem"))
        return; /* leaking beats a use after free by the worker */
    IoWorkItem->magic = 0;
    ExFreePool(IoWorkItem);
}

static void io_workitem_run(PVOID parameter)
{
    PIO_WORKITEM item = parameter;
    PVOID object = item->io_object;
    PIO_WORKITEM_ROUTINE routine = item->routine;
    PIO_WORKITEM_ROUTINE_EX routine_ex = item->routine_ex;
    PVOID context = item->context;
    /* From here the item may be requeued or freed, by the routine or by another thread. */
    __atomic_store_n(&item->queued, 0, __ATOMIC_RELEASE);

    PDRIVER_OBJECT driver = NULL;
    if (io_object_type(object) == IO_OB_DEVICE)
        driver = ((PDEVICE_OBJECT)object)->DriverObject;
    else if (io_object_type(object) == IO_OB_DRIVER)
        driver = object;
    io_driver_call call;
    io_enter_driver(driver, &call);
    if (routine_ex != NULL)
        routine_ex(object, context, item);
    else
        routine((PDEVICE_OBJECT)object, context);
    io_leave_driver(&call, "I/O work item routine");
    ObDereferenceObject(object);
}

static BOOLEAN io_workitem_queue(PIO_WORKITEM item, PIO_WORKITEM_ROUTINE routine,
                                 PIO_WORKITEM_ROUTINE_EX routine_ex, WORK_QUEUE_TYPE type, PVOID context,
                                 BOOLEAN report)
{
    LONG expected = 0;
    if (!__atomic_compare_exchange_n(&item->queued, &expected, 1, FALSE, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        if (report)
            OWDF_VERIFY_REPORT("IO_WORKITEM_ALREADY_QUEUED", item, "IO_WORKITEM", io_report_driver(),
                               "IoQueueWorkItem(%p): already queued; this call is ignored", (void *)item);
        return FALSE;
    }
    item->routine = routine;
    item->routine_ex = routine_ex;
    item->context = context;
    ObReferenceObject(item->io_object);
    ExInitializeWorkItem(&item->item, io_workitem_run, item);
    ExQueueWorkItem(&item->item, type);
    return TRUE;
}

void IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                     PVOID Context)
{
    io_workitem_queue(IoWorkItem, WorkerRoutine, NULL, QueueType, Context, TRUE);
}

void IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                       WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    io_workitem_queue(IoWorkItem, NULL, WorkerRoutine, QueueType, Context, TRUE);
}

BOOLEAN IoTryQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                           WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    return io_workitem_queue(IoWorkItem, NULL, WorkerRoutine, QueueType, Context, FALSE);
}
