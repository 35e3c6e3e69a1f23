/*
 * openwdf/mof.h - MOF class definitions embedded in a driver binary.
 *
 * A driver built with openwdf-cc from sources that include FILE.mof carries, for each such file, one
 * owdf_mof_resource record in the ELF section "owdf_mof" of the driver binary (what the .bmf resource
 * named in the driver's .rc is on Windows). Code linked into the driver (the driver stub) finds them
 * between the linker-made symbols __start_owdf_mof and __stop_owdf_mof (declare them weak and hidden:
 * they exist only when the driver has a .mof), and hands them to the WMI layer, which registers the
 * classes when the driver calls WdfDeviceAssignMofResourceName with the same resource name.
 */
#ifndef OPENWDF_MOF_H
#define OPENWDF_MOF_H

#include <stddef.h>
#include <stdint.h>

#define OWDF_MOF_RESOURCE_MAGIC 0x31666f4du /* "Mof1" */

typedef struct owdf_mof_resource {
    uint32_t magic;            /* OWDF_MOF_RESOURCE_MAGIC */
    const char *resource_name; /* openwdf-cc --mof-resource=NAME; default "MofResourceName" */
    const char *file_name;     /* the .mof file's name, without directories */
    const char *text;          /* the MOF source, UTF-8, terminated */
    size_t length;             /* bytes in text, terminator excluded */
} owdf_mof_resource;

#endif /* OPENWDF_MOF_H */
