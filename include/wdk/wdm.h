/*
 * wdm.h - the kernel API a WDM or KMDF driver sees: Rtl, Ex (pool), Ke (IRQL, locks, waits, DPCs,
 * timers), Io (driver/device objects, IRPs, names). openwdf splits it into one header per layer
 * under owdf/; drivers include this file (or ntddk.h), never those directly.
 */
#ifndef OPENWDF_WDM_H
#define OPENWDF_WDM_H

#include <ntdef.h>
#include <ntstatus.h>
#include <owdf/rtl.h>
#include <owdf/ke.h>
#include <owdf/ex.h>
#include <owdf/worker.h>
#include <owdf/io.h>
#include <owdf/zw.h>

#endif /* OPENWDF_WDM_H */
