/* owdf/rtl.h - placeholder, filled in by its layer. */
#ifndef OPENWDF_RTL_H
#define OPENWDF_RTL_H
#include <ntdef.h>
#include <ntstatus.h>
#endif
