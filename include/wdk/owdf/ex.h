/* owdf/ex.h - placeholder, filled in by its layer. */
#ifndef OPENWDF_EX_H
#define OPENWDF_EX_H
#include <ntdef.h>
#include <ntstatus.h>
#endif
