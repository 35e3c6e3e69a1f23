/*
 * wdfsync.h - framework spin locks (WDFSPINLOCK), wait locks (WDFWAITLOCK) and the object locks
 * behind synchronization scope (WdfObjectAcquireLock), with the WDK's names. Implementation:
 * src/wdf/sync.c.
 */
#ifndef OPENWDF_WDFSYNC_H
#define OPENWDF_WDFSYNC_H

#include <wdfobject.h>

WDF_EXTERN_C WDFAPI void imp_WdfObjectAcquireLock(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object);
WDF_EXTERN_C WDFAPI void imp_WdfObjectReleaseLock(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfWaitLockCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                   PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfWaitLockAcquire(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWAITLOCK Lock,
                                                    PLONGLONG Timeout);
WDF_EXTERN_C WDFAPI void imp_WdfWaitLockRelease(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWAITLOCK Lock);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfSpinLockCreate(PWDF_DRIVER_GLOBALS DriverGlobals,
                                                   PWDF_OBJECT_ATTRIBUTES SpinLockAttributes,
                                                   WDFSPINLOCK *SpinLock);
WDF_EXTERN_C WDFAPI void imp_WdfSpinLockAcquire(PWDF_DRIVER_GLOBALS DriverGlobals, WDFSPINLOCK SpinLock);
WDF_EXTERN_C WDFAPI void imp_WdfSpinLockRelease(PWDF_DRIVER_GLOBALS DriverGlobals, WDFSPINLOCK SpinLock);

/* Takes the synchronization lock of a device or queue (its callback lock). */
FORCEINLINE void WdfObjectAcquireLock(WDFOBJECT Object)
{
    imp_WdfObjectAcquireLock(WdfDriverGlobals, Object);
}

FORCEINLINE void WdfObjectReleaseLock(WDFOBJECT Object)
{
    imp_WdfObjectReleaseLock(WdfDriverGlobals, Object);
}

FORCEINLINE NTSTATUS WdfWaitLockCreate(PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock)
{
    return imp_WdfWaitLockCreate(WdfDriverGlobals, LockAttributes, Lock);
}

/* Timeout: NULL waits forever; 0 tries once; otherwise NT time (negative = relative, 100 ns units).
 * STATUS_SUCCESS when acquired, STATUS_TIMEOUT when not. */
FORCEINLINE NTSTATUS WdfWaitLockAcquire(WDFWAITLOCK Lock, PLONGLONG Timeout)
{
    return imp_WdfWaitLockAcquire(WdfDriverGlobals, Lock, Timeout);
}

FORCEINLINE void WdfWaitLockRelease(WDFWAITLOCK Lock)
{
    imp_WdfWaitLockRelease(WdfDriverGlobals, Lock);
}

FORCEINLINE NTSTATUS WdfSpinLockCreate(PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK *SpinLock)
{
    return imp_WdfSpinLockCreate(WdfDriverGlobals, SpinLockAttributes, SpinLock);
}

FORCEINLINE void WdfSpinLockAcquire(WDFSPINLOCK SpinLock)
{
    imp_WdfSpinLockAcquire(WdfDriverGlobals, SpinLock);
}

FORCEINLINE void WdfSpinLockRelease(WDFSPINLOCK SpinLock)
{
    imp_WdfSpinLockRelease(WdfDriverGlobals, SpinLock);
}

#endif /* OPENWDF_WDFSYNC_H */
