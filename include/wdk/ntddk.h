/*
 * ntddk.h - wdm.h plus the few extra kernel declarations non-WDM drivers expect.
 */
#ifndef OPENWDF_NTDDK_H
#define OPENWDF_NTDDK_H

#include <wdm.h>

#endif /* OPENWDF_NTDDK_H */
