/* owdf/io.h - placeholder, filled in by its layer. */
#ifndef OPENWDF_IO_H
#define OPENWDF_IO_H
#include <ntdef.h>
#include <ntstatus.h>
#endif
