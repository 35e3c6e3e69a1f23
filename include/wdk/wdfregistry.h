/*
 * wdfregistry.h - framework registry keys (WDFKEY) and the registry constants drivers use with
 * them, with the WDK's names. Implementation: src/wdf/registry.c, over the host's registry store
 * (in memory for now; src/wdf/fx_registry.h is the interface a persistent store plugs into).
 * Every WdfRegistry* DDI runs at PASSIVE_LEVEL.
 */
#ifndef OPENWDF_WDFREGISTRY_H
#define OPENWDF_WDFREGISTRY_H

#include <wdfobject.h>
#include <wdfmemory.h>

/* Key access rights (winnt.h / wdm.h values). */
#ifndef KEY_QUERY_VALUE
#define KEY_QUERY_VALUE 0x0001
#define KEY_SET_VALUE 0x0002
#define KEY_CREATE_SUB_KEY 0x0004
#define KEY_ENUMERATE_SUB_KEYS 0x0008
#define KEY_NOTIFY 0x0010
#define KEY_CREATE_LINK 0x0020
#define KEY_WOW64_64KEY 0x0100
#define KEY_WOW64_32KEY 0x0200
#define KEY_READ                                                                                             \
    ((STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY) & (~SYNCHRONIZE))
#define KEY_WRITE ((STANDARD_RIGHTS_WRITE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY) & (~SYNCHRONIZE))
#define KEY_EXECUTE ((KEY_READ) & (~SYNCHRONIZE))
#define KEY_ALL_ACCESS                                                                                       \
    ((STANDARD_RIGHTS_ALL | KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_ENUMERATE_SUB_KEYS |  \
      KEY_NOTIFY | KEY_CREATE_LINK) &                                                                        \
     (~SYNCHRONIZE))
#endif

/* Value types. */
#ifndef REG_NONE
#define REG_NONE 0
#define REG_SZ 1
#define REG_EXPAND_SZ 2
#define REG_BINARY 3
#define REG_DWORD 4
#define REG_DWORD_LITTLE_ENDIAN 4
#define REG_DWORD_BIG_ENDIAN 5
#define REG_LINK 6
#define REG_MULTI_SZ 7
#define REG_RESOURCE_LIST 8
#define REG_FULL_RESOURCE_DESCRIPTOR 9
#define REG_RESOURCE_REQUIREMENTS_LIST 10
#define REG_QWORD 11
#define REG_QWORD_LITTLE_ENDIAN 11
#endif

#ifndef REG_OPTION_NON_VOLATILE
#define REG_OPTION_RESERVED 0x00000000L
#define REG_OPTION_NON_VOLATILE 0x00000000L
#define REG_OPTION_VOLATILE 0x00000001L
#define REG_OPTION_CREATE_LINK 0x00000002L
#define REG_OPTION_BACKUP_RESTORE 0x00000004L
#define REG_OPTION_OPEN_LINK 0x00000008L
#define REG_CREATED_NEW_KEY 0x00000001L
#define REG_OPENED_EXISTING_KEY 0x00000002L
#endif

/* PLUGPLAY_REGKEY_* and WDF_REGKEY_*_SUBKEY (WdfDeviceOpenRegistryKey) are in wdfdevice.h. */

WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryOpenKey(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY ParentKey,
                                                    PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
                                                    PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryCreateKey(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY ParentKey,
                                                      PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
                                                      ULONG CreateOptions, PULONG CreateDisposition,
                                                      PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);
WDF_EXTERN_C WDFAPI void imp_WdfRegistryClose(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key);
WDF_EXTERN_C WDFAPI HANDLE imp_WdfRegistryWdmGetHandle(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryRemoveKey(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryRemoveValue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                        PCUNICODE_STRING ValueName);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryQueryValue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                       PCUNICODE_STRING ValueName, ULONG ValueLength,
                                                       PVOID Value, PULONG ValueLengthQueried,
                                                       PULONG ValueType);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryQueryMemory(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                        PCUNICODE_STRING ValueName, POOL_TYPE PoolType,
                                                        PWDF_OBJECT_ATTRIBUTES MemoryAttributes,
                                                        WDFMEMORY *Memory, PULONG ValueType);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryQueryMultiString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                             PCUNICODE_STRING ValueName,
                                                             PWDF_OBJECT_ATTRIBUTES StringsAttributes,
                                                             WDFCOLLECTION Collection);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryQueryUnicodeString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                               PCUNICODE_STRING ValueName,
                                                               PUSHORT ValueByteLength,
                                                               PUNICODE_STRING Value);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryQueryString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                        PCUNICODE_STRING ValueName, WDFSTRING String);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryQueryULong(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                       PCUNICODE_STRING ValueName, PULONG Value);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryAssignValue(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                        PCUNICODE_STRING ValueName, ULONG ValueType,
                                                        ULONG ValueLength, PVOID Value);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryAssignMemory(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                         PCUNICODE_STRING ValueName, ULONG ValueType,
                                                         WDFMEMORY Memory, PWDFMEMORY_OFFSET MemoryOffsets);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryAssignMultiString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                              PCUNICODE_STRING ValueName,
                                                              WDFCOLLECTION StringsCollection);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryAssignUnicodeString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                                PCUNICODE_STRING ValueName,
                                                                PCUNICODE_STRING Value);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryAssignString(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                         PCUNICODE_STRING ValueName, WDFSTRING String);
WDF_EXTERN_C WDFAPI NTSTATUS imp_WdfRegistryAssignULong(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key,
                                                        PCUNICODE_STRING ValueName, ULONG Value);

/* ParentKey NULL: KeyName is a full path (\Registry\Machine\...). STATUS_OBJECT_NAME_NOT_FOUND if absent. */
FORCEINLINE NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
                                        PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    return imp_WdfRegistryOpenKey(WdfDriverGlobals, ParentKey, KeyName, DesiredAccess, KeyAttributes, Key);
}

FORCEINLINE NTSTATUS WdfRegistryCreateKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName,
                                          ACCESS_MASK DesiredAccess, ULONG CreateOptions,
                                          PULONG CreateDisposition, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                          WDFKEY *Key)
{
    return imp_WdfRegistryCreateKey(WdfDriverGlobals, ParentKey, KeyName, DesiredAccess, CreateOptions,
                                    CreateDisposition, KeyAttributes, Key);
}

FORCEINLINE void WdfRegistryClose(WDFKEY Key)
{
    imp_WdfRegistryClose(WdfDriverGlobals, Key);
}

FORCEINLINE HANDLE WdfRegistryWdmGetHandle(WDFKEY Key)
{
    return imp_WdfRegistryWdmGetHandle(WdfDriverGlobals, Key);
}

FORCEINLINE NTSTATUS WdfRegistryRemoveKey(WDFKEY Key)
{
    return imp_WdfRegistryRemoveKey(WdfDriverGlobals, Key);
}

FORCEINLINE NTSTATUS WdfRegistryRemoveValue(WDFKEY Key, PCUNICODE_STRING ValueName)
{
    return imp_WdfRegistryRemoveValue(WdfDriverGlobals, Key, ValueName);
}

FORCEINLINE NTSTATUS WdfRegistryQueryValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength,
                                           PVOID Value, PULONG ValueLengthQueried, PULONG ValueType)
{
    return imp_WdfRegistryQueryValue(WdfDriverGlobals, Key, ValueName, ValueLength, Value, ValueLengthQueried,
                                     ValueType);
}

FORCEINLINE NTSTATUS WdfRegistryQueryMemory(WDFKEY Key, PCUNICODE_STRING ValueName, POOL_TYPE PoolType,
                                            PWDF_OBJECT_ATTRIBUTES MemoryAttributes, WDFMEMORY *Memory,
                                            PULONG ValueType)
{
    return imp_WdfRegistryQueryMemory(WdfDriverGlobals, Key, ValueName, PoolType, MemoryAttributes, Memory,
                                      ValueType);
}

FORCEINLINE NTSTATUS WdfRegistryQueryMultiString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                                 PWDF_OBJECT_ATTRIBUTES StringsAttributes,
                                                 WDFCOLLECTION Collection)
{
    return imp_WdfRegistryQueryMultiString(WdfDriverGlobals, Key, ValueName, StringsAttributes, Collection);
}

FORCEINLINE NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                                   PUSHORT ValueByteLength, PUNICODE_STRING Value)
{
    return imp_WdfRegistryQueryUnicodeString(WdfDriverGlobals, Key, ValueName, ValueByteLength, Value);
}

FORCEINLINE NTSTATUS WdfRegistryQueryString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String)
{
    return imp_WdfRegistryQueryString(WdfDriverGlobals, Key, ValueName, String);
}

FORCEINLINE NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value)
{
    return imp_WdfRegistryQueryULong(WdfDriverGlobals, Key, ValueName, Value);
}

FORCEINLINE NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
                                            ULONG ValueLength, PVOID Value)
{
    return imp_WdfRegistryAssignValue(WdfDriverGlobals, Key, ValueName, ValueType, ValueLength, Value);
}

FORCEINLINE NTSTATUS WdfRegistryAssignMemory(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
                                             WDFMEMORY Memory, PWDFMEMORY_OFFSET MemoryOffsets)
{
    return imp_WdfRegistryAssignMemory(WdfDriverGlobals, Key, ValueName, ValueType, Memory, MemoryOffsets);
}

FORCEINLINE NTSTATUS WdfRegistryAssignMultiString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                                  WDFCOLLECTION StringsCollection)
{
    return imp_WdfRegistryAssignMultiString(WdfDriverGlobals, Key, ValueName, StringsCollection);
}

FORCEINLINE NTSTATUS WdfRegistryAssignUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                                    PCUNICODE_STRING Value)
{
    return imp_WdfRegistryAssignUnicodeString(WdfDriverGlobals, Key, ValueName, Value);
}

FORCEINLINE NTSTATUS WdfRegistryAssignString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String)
{
    return imp_WdfRegistryAssignString(WdfDriverGlobals, Key, ValueName, String);
}

FORCEINLINE NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value)
{
    return imp_WdfRegistryAssignULong(WdfDriverGlobals, Key, ValueName, Value);
}

#endif /* OPENWDF_WDFREGISTRY_H */
