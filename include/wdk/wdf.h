/*
 * wdf.h - the Kernel-Mode Driver Framework API, as KMDF drivers include it (after ntddk.h).
 * One header per area, with the WDK's names; see docs/wdf-design.md for how calls find their driver.
 */
#ifndef OPENWDF_WDF_H
#define OPENWDF_WDF_H

#include <ntddk.h>
#include <wdfstatus.h>
#include <wdftypes.h>
#include <wdfobject.h>
#include <wdfmemory.h>
#include <wdfsync.h>
#include <wdfstring.h>
#include <wdfcollection.h>
#include <wdfcore.h>
#include <wdftimer.h>
#include <wdfdpc.h>
#include <wdfworkitem.h>
#include <wdfverifier.h>
#include <wdfregistry.h>
#include <wdfrequest.h>
#include <wdfio.h>
#include <wdfglobals.h>
#include <wdfdriver.h>
#include <wdffileobject.h>
#include <wdfdevice.h>
#include <wdfcontrol.h>
#include <wdffdo.h>
#include <wdfpdo.h>
#include <wdfresource.h>

#endif /* OPENWDF_WDF_H */
