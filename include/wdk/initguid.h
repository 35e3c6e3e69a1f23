/*
 * initguid.h - include before headers that use DEFINE_GUID to define (not just declare) the GUIDs.
 */
#define INITGUID
#include <guiddef.h>
