/*
 * owdf/rtl.h - the run-time library drivers see: lists, ASSERT, memory, interlocked operations,
 * counted strings, UTF-8 conversion and debug output (DbgPrint, KdPrint). Included by wdm.h.
 *
 * Our builds behave like a checked build: DBG defaults to 1, so ASSERT and KdPrint are active
 * (compile a driver with -DDBG=0 to remove them, as a free build would). Where Windows would bug-check
 * (a failed ASSERT, a corrupt list entry) the verifier reports instead; see openwdf/verifier.h.
 *
 * "ANSI" strings are ISO-8859-1 here: a WCHAR above U+00FF converts to '?'. Real UTF-8 conversion is
 * RtlUTF8ToUnicodeN / RtlUnicodeToUTF8N.
 */
#ifndef OPENWDF_RTL_H
#define OPENWDF_RTL_H

#include <ntdef.h>
#include <ntstatus.h>

#ifndef DBG
#define DBG 1
#endif

EXTERN_C_START

/* ---- Doubly and singly linked lists -------------------------------------------------------- */

/* Reports LIST_ENTRY_CORRUPT (a neighbour does not point back at Entry), as FAST_FAIL_CORRUPT_LIST_ENTRY
 * would bug-check. The list operation that found it is then skipped. */
NTKERNELAPI void owdf_rtl_list_corrupt(const void *Entry, const char *Operation);

FORCEINLINE void InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* Returns TRUE if the list is empty after the removal. */
FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink, Blink = Entry->Blink;
    if (Flink->Blink != Entry || Blink->Flink != Entry) {
        owdf_rtl_list_corrupt(Entry, "RemoveEntryList");
        return FALSE;
    }
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return (BOOLEAN)(Flink == Blink);
}

/* On an empty list both return the head itself, as on Windows. */
FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink, Flink = Entry->Flink;
    if (Entry->Blink != ListHead || Flink->Blink != Entry) {
        owdf_rtl_list_corrupt(ListHead, "RemoveHeadList");
        return ListHead;
    }
    ListHead->Flink = Flink;
    Flink->Blink = ListHead;
    return Entry;
}

FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink, Blink = Entry->Blink;
    if (Entry->Flink != ListHead || Blink->Flink != Entry) {
        owdf_rtl_list_corrupt(ListHead, "RemoveTailList");
        return ListHead;
    }
    ListHead->Blink = Blink;
    Blink->Flink = ListHead;
    return Entry;
}

FORCEINLINE void InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    if (Blink->Flink != ListHead) {
        owdf_rtl_list_corrupt(ListHead, "InsertTailList");
        return;
    }
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}

FORCEINLINE void InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    if (Flink->Blink != ListHead) {
        owdf_rtl_list_corrupt(ListHead, "InsertHeadList");
        return;
    }
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}

/* Appends the circular chain that ListToAppend is part of (it has no head of its own). */
FORCEINLINE void AppendTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;
    ListHead->Blink->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}

FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;
    if (FirstEntry != NULL)
        ListHead->Next = FirstEntry->Next;
    return FirstEntry;
}

FORCEINLINE void PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

/* ---- Assertions ---------------------------------------------------------------------------- */

/* A failed assertion: verifier report ASSERTION_FAILED (default policy STOP_DRIVER) naming the
 * expression, file and line. Returns if the policy (or the stop handler) lets it. */
NTSYSAPI void RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage);
NTKERNELAPI void owdf_rtl_assert_failed(const char *Expression, const char *File, int Line, const char *Function,
                                        const char *Message);

#if DBG
#define ASSERT(exp) \
    ((void)((exp) ? 1 : (owdf_rtl_assert_failed(#exp, __FILE__, __LINE__, __func__, NULL), 0)))
#define ASSERTMSG(msg, exp) \
    ((void)((exp) ? 1 : (owdf_rtl_assert_failed(#exp, __FILE__, __LINE__, __func__, (msg)), 0)))
#define RTL_SOFT_ASSERT(exp) ASSERT(exp)
#define RTL_SOFT_ASSERTMSG(msg, exp) ASSERTMSG(msg, exp)
#define RTL_VERIFY ASSERT
#define RTL_VERIFYMSG ASSERTMSG
#define NT_VERIFY(exp) \
    ((exp) ? TRUE : (owdf_rtl_assert_failed(#exp, __FILE__, __LINE__, __func__, NULL), FALSE))
#define NT_VERIFYMSG(msg, exp) \
    ((exp) ? TRUE : (owdf_rtl_assert_failed(#exp, __FILE__, __LINE__, __func__, (msg)), FALSE))
#else
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#define RTL_SOFT_ASSERT(exp) ((void)0)
#define RTL_SOFT_ASSERTMSG(msg, exp) ((void)0)
#define RTL_VERIFY(exp) ((exp) ? TRUE : FALSE)
#define RTL_VERIFYMSG(msg, exp) ((exp) ? TRUE : FALSE)
#define NT_VERIFY(exp) ((exp) ? TRUE : FALSE)
#define NT_VERIFYMSG(msg, exp) ((exp) ? TRUE : FALSE)
#endif
#define NT_ASSERT(exp) ASSERT(exp)
#define NT_ASSERTMSG(msg, exp) ASSERTMSG(msg, exp)
#define NT_ASSERTMSGW(msg, exp) ASSERT(exp)
#define NT_ASSERT_NOASSUME(exp) ASSERT(exp)
#define NT_ASSERTMSG_NOASSUME(msg, exp) ASSERTMSG(msg, exp)
#define NT_FRE_ASSERT(exp) ASSERT(exp)

/* ---- Memory -------------------------------------------------------------------------------- */
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory
#define RtlCopyMemoryNonTemporal RtlCopyMemory

/* Returns the number of leading bytes that match. */
NTSYSAPI SIZE_T RtlCompareMemory(const void *Source1, const void *Source2, SIZE_T Length);
NTSYSAPI SIZE_T RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern);
NTSYSAPI void RtlFillMemoryUlong(PVOID Destination, SIZE_T Length, ULONG Pattern);

/* Zeroes in a way the compiler cannot drop as a dead store. */
FORCEINLINE PVOID RtlSecureZeroMemory(PVOID ptr, SIZE_T cnt)
{
    volatile char *vptr = (volatile char *)ptr;
    while (cnt != 0) {
        *vptr++ = 0;
        cnt--;
    }
    return ptr;
}

FORCEINLINE USHORT RtlUshortByteSwap(USHORT Source)
{
    return __builtin_bswap16(Source);
}
FORCEINLINE ULONG RtlUlongByteSwap(ULONG Source)
{
    return __builtin_bswap32(Source);
}
FORCEINLINE ULONGLONG RtlUlonglongByteSwap(ULONGLONG Source)
{
    return __builtin_bswap64(Source);
}

/* ---- Interlocked operations and barriers ---------------------------------------------------- */
/* LONG is 32-bit (LLP64). The plain forms are full barriers, as on Windows; the Acquire, Release
 * and NoFence forms have the ordering their names say. Increment/Decrement/Add return the new
 * value; Exchange, ExchangeAdd, CompareExchange, Or, And, Xor return the old one. */
#define OWDF_RTL_INTERLOCKED_FORMS(Suffix, Order) \
    FORCEINLINE LONG InterlockedIncrement##Suffix(LONG volatile *Addend) \
    { \
        return __atomic_add_fetch(Addend, 1, Order); \
    } \
    FORCEINLINE LONG InterlockedDecrement##Suffix(LONG volatile *Addend) \
    { \
        return __atomic_sub_fetch(Addend, 1, Order); \
    } \
    FORCEINLINE LONG InterlockedExchange##Suffix(LONG volatile *Target, LONG Value) \
    { \
        return __atomic_exchange_n(Target, Value, Order); \
    } \
    FORCEINLINE LONG InterlockedExchangeAdd##Suffix(LONG volatile *Addend, LONG Value) \
    { \
        return __atomic_fetch_add(Addend, Value, Order); \
    } \
    FORCEINLINE LONG InterlockedAdd##Suffix(LONG volatile *Addend, LONG Value) \
    { \
        return __atomic_add_fetch(Addend, Value, Order); \
    } \
    FORCEINLINE LONG InterlockedCompareExchange##Suffix(LONG volatile *Destination, LONG Exchange, \
                                                        LONG Comperand) \
    { \
        __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, Order, __ATOMIC_RELAXED); \
        return Comperand; \
    } \
    FORCEINLINE LONG InterlockedOr##Suffix(LONG volatile *Destination, LONG Value) \
    { \
        return __atomic_fetch_or(Destination, Value, Order); \
    } \
    FORCEINLINE LONG InterlockedAnd##Suffix(LONG volatile *Destination, LONG Value) \
    { \
        return __atomic_fetch_and(Destination, Value, Order); \
    } \
    FORCEINLINE LONG InterlockedXor##Suffix(LONG volatile *Destination, LONG Value) \
    { \
        return __atomic_fetch_xor(Destination, Value, Order); \
    } \
    FORCEINLINE LONG64 InterlockedIncrement64##Suffix(LONG64 volatile *Addend) \
    { \
        return __atomic_add_fetch(Addend, 1, Order); \
    } \
    FORCEINLINE LONG64 InterlockedDecrement64##Suffix(LONG64 volatile *Addend) \
    { \
        return __atomic_sub_fetch(Addend, 1, Order); \
    } \
    FORCEINLINE LONG64 InterlockedExchange64##Suffix(LONG64 volatile *Target, LONG64 Value) \
    { \
        return __atomic_exchange_n(Target, Value, Order); \
    } \
    FORCEINLINE LONG64 InterlockedExchangeAdd64##Suffix(LONG64 volatile *Addend, LONG64 Value) \
    { \
        return __atomic_fetch_add(Addend, Value, Order); \
    } \
    FORCEINLINE LONG64 InterlockedAdd64##Suffix(LONG64 volatile *Addend, LONG64 Value) \
    { \
        return __atomic_add_fetch(Addend, Value, Order); \
    } \
    FORCEINLINE LONG64 InterlockedCompareExchange64##Suffix(LONG64 volatile *Destination, LONG64 Exchange, \
                                                            LONG64 Comperand) \
    { \
        __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, Order, __ATOMIC_RELAXED); \
        return Comperand; \
    } \
    FORCEINLINE LONG64 InterlockedOr64##Suffix(LONG64 volatile *Destination, LONG64 Value) \
    { \
        return __atomic_fetch_or(Destination, Value, Order); \
    } \
    FORCEINLINE LONG64 InterlockedAnd64##Suffix(LONG64 volatile *Destination, LONG64 Value) \
    { \
        return __atomic_fetch_and(Destination, Value, Order); \
    } \
    FORCEINLINE LONG64 InterlockedXor64##Suffix(LONG64 volatile *Destination, LONG64 Value) \
    { \
        return __atomic_fetch_xor(Destination, Value, Order); \
    } \
    FORCEINLINE PVOID InterlockedExchangePointer##Suffix(PVOID volatile *Target, PVOID Value) \
    { \
        return __atomic_exchange_n(Target, Value, Order); \
    } \
    FORCEINLINE PVOID InterlockedCompareExchangePointer##Suffix(PVOID volatile *Destination, PVOID Exchange, \
                                                                PVOID Comperand) \
    { \
        __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, Order, __ATOMIC_RELAXED); \
        return Comperand; \
    }

OWDF_RTL_INTERLOCKED_FORMS(, __ATOMIC_SEQ_CST)
OWDF_RTL_INTERLOCKED_FORMS(Acquire, __ATOMIC_ACQUIRE)
OWDF_RTL_INTERLOCKED_FORMS(Release, __ATOMIC_RELEASE)
OWDF_RTL_INTERLOCKED_FORMS(NoFence, __ATOMIC_RELAXED)
#undef OWDF_RTL_INTERLOCKED_FORMS

FORCEINLINE SHORT InterlockedIncrement16(SHORT volatile *Addend)
{
    return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
FORCEINLINE SHORT InterlockedDecrement16(SHORT volatile *Addend)
{
    return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
FORCEINLINE SHORT InterlockedCompareExchange16(SHORT volatile *Destination, SHORT Exchange, SHORT Comperand)
{
    __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    return Comperand;
}
FORCEINLINE SHORT InterlockedExchange16(SHORT volatile *Target, SHORT Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
FORCEINLINE CHAR InterlockedExchange8(CHAR volatile *Target, CHAR Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
FORCEINLINE CHAR InterlockedOr8(CHAR volatile *Destination, CHAR Value)
{
    return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST);
}
FORCEINLINE CHAR InterlockedAnd8(CHAR volatile *Destination, CHAR Value)
{
    return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);
}
FORCEINLINE SHORT InterlockedOr16(SHORT volatile *Destination, SHORT Value)
{
    return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST);
}
FORCEINLINE SHORT InterlockedAnd16(SHORT volatile *Destination, SHORT Value)
{
    return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);
}

/* Returns the bit's previous value. */
FORCEINLINE BOOLEAN InterlockedBitTestAndSet(LONG volatile *Base, LONG Offset)
{
    LONG mask = (LONG)(1U << (Offset & 31));
    return (BOOLEAN)((__atomic_fetch_or(&Base[Offset >> 5], mask, __ATOMIC_SEQ_CST) & mask) != 0);
}
FORCEINLINE BOOLEAN InterlockedBitTestAndReset(LONG volatile *Base, LONG Offset)
{
    LONG mask = (LONG)(1U << (Offset & 31));
    return (BOOLEAN)((__atomic_fetch_and(&Base[Offset >> 5], ~mask, __ATOMIC_SEQ_CST) & mask) != 0);
}
FORCEINLINE BOOLEAN InterlockedBitTestAndComplement(LONG volatile *Base, LONG Offset)
{
    LONG mask = (LONG)(1U << (Offset & 31));
    return (BOOLEAN)((__atomic_fetch_xor(&Base[Offset >> 5], mask, __ATOMIC_SEQ_CST) & mask) != 0);
}
FORCEINLINE BOOLEAN InterlockedBitTestAndSet64(LONG64 volatile *Base, LONG64 Offset)
{
    LONG64 mask = (LONG64)(1ULL << (Offset & 63));
    return (BOOLEAN)((__atomic_fetch_or(&Base[Offset >> 6], mask, __ATOMIC_SEQ_CST) & mask) != 0);
}
FORCEINLINE BOOLEAN InterlockedBitTestAndReset64(LONG64 volatile *Base, LONG64 Offset)
{
    LONG64 mask = (LONG64)(1ULL << (Offset & 63));
    return (BOOLEAN)((__atomic_fetch_and(&Base[Offset >> 6], ~mask, __ATOMIC_SEQ_CST) & mask) != 0);
}

#define InterlockedExchangeAddSizeT(a, b) ((SIZE_T)InterlockedExchangeAdd64((LONG64 volatile *)(a), (LONG64)(b)))
#define InterlockedIncrementSizeT(a) ((SIZE_T)InterlockedIncrement64((LONG64 volatile *)(a)))
#define InterlockedDecrementSizeT(a) ((SIZE_T)InterlockedDecrement64((LONG64 volatile *)(a)))
#define InterlockedExchangeAddULongPtr InterlockedExchangeAddSizeT
#define InterlockedIncrementULongPtr InterlockedIncrementSizeT
#define InterlockedDecrementULongPtr InterlockedDecrementSizeT
#define _InterlockedIncrement InterlockedIncrement
#define _InterlockedDecrement InterlockedDecrement
#define _InterlockedExchange InterlockedExchange
#define _InterlockedExchangeAdd InterlockedExchangeAdd
#define _InterlockedCompareExchange InterlockedCompareExchange
#define _InterlockedOr InterlockedOr
#define _InterlockedAnd InterlockedAnd
#define _InterlockedXor InterlockedXor

/* Single loads and stores with the ordering their names say (ReadNoFence = relaxed atomic load). */
#define OWDF_RTL_READ_WRITE(Name, Type) \
    FORCEINLINE Type Read##Name##NoFence(Type const volatile *Source) \
    { \
        return __atomic_load_n(Source, __ATOMIC_RELAXED); \
    } \
    FORCEINLINE Type Read##Name##Acquire(Type const volatile *Source) \
    { \
        return __atomic_load_n(Source, __ATOMIC_ACQUIRE); \
    } \
    FORCEINLINE void Write##Name##NoFence(Type volatile *Destination, Type Value) \
    { \
        __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); \
    } \
    FORCEINLINE void Write##Name##Release(Type volatile *Destination, Type Value) \
    { \
        __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); \
    }
OWDF_RTL_READ_WRITE(, LONG)
OWDF_RTL_READ_WRITE(ULong, ULONG)
OWDF_RTL_READ_WRITE(Boolean, BOOLEAN)
OWDF_RTL_READ_WRITE(Pointer, PVOID)
OWDF_RTL_READ_WRITE(ULong64, ULONG64)
OWDF_RTL_READ_WRITE(SizeT, SIZE_T)
#undef OWDF_RTL_READ_WRITE
FORCEINLINE CHAR ReadNoFence8(CHAR const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE SHORT ReadNoFence16(SHORT const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE LONG64 ReadNoFence64(LONG64 const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE LONG64 ReadAcquire64(LONG64 const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_ACQUIRE);
}
FORCEINLINE void WriteNoFence8(CHAR volatile *Destination, CHAR Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}
FORCEINLINE void WriteNoFence16(SHORT volatile *Destination, SHORT Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}
FORCEINLINE void WriteNoFence64(LONG64 volatile *Destination, LONG64 Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}
FORCEINLINE void WriteRelease64(LONG64 volatile *Destination, LONG64 Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELEASE);
}

FORCEINLINE void KeMemoryBarrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#define KeMemoryBarrierWithoutFence() __asm__ __volatile__("" ::: "memory")
#define MemoryBarrier() KeMemoryBarrier()
#define _ReadWriteBarrier() __asm__ __volatile__("" ::: "memory")
#define _ReadBarrier() _ReadWriteBarrier()
#define _WriteBarrier() _ReadWriteBarrier()
#if defined(__x86_64__) || defined(__i386__)
#define YieldProcessor() __builtin_ia32_pause()
#else
#define YieldProcessor() __asm__ __volatile__("" ::: "memory")
#endif

/* ---- Counted strings ----------------------------------------------------------------------- */
/* Buffers that Rtl routines allocate (AllocateDestinationString, RtlCreateUnicodeString...) come from
 * the pool with this tag ("Strg"); free them with RtlFreeUnicodeString / RtlFreeAnsiString. */
#define OWDF_RTL_STRING_TAG ((ULONG)0x67727453)

FORCEINLINE void RtlInitEmptyUnicodeString(PUNICODE_STRING UnicodeString, PWCHAR Buffer, USHORT BufferSize)
{
    UnicodeString->Length = 0;
    UnicodeString->MaximumLength = BufferSize;
    UnicodeString->Buffer = Buffer;
}
FORCEINLINE void RtlInitEmptyAnsiString(PANSI_STRING AnsiString, PCHAR Buffer, USHORT BufferSize)
{
    AnsiString->Length = 0;
    AnsiString->MaximumLength = BufferSize;
    AnsiString->Buffer = Buffer;
}

/* Length = characters * 2 (capped at 65532), MaximumLength = Length + 2; NULL gives an empty string. */
NTSYSAPI void RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
/* As above, but STATUS_NAME_TOO_LONG instead of capping. */
NTSYSAPI NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTSYSAPI void RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString);
NTSYSAPI NTSTATUS RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString);
NTSYSAPI void RtlInitString(PSTRING DestinationString, PCSZ SourceString);

/* Copies what fits in Destination->MaximumLength; terminates if there is room. */
NTSYSAPI void RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSYSAPI void RtlCopyString(PSTRING DestinationString, const STRING *SourceString);
/* STATUS_BUFFER_TOO_SMALL (destination unchanged) when the result would not fit. */
NTSYSAPI NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTSYSAPI NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
NTSYSAPI NTSTATUS RtlAppendStringToString(PSTRING Destination, const STRING *Source);

/* Case-insensitive comparison folds ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and fullwidth
 * Latin letters (RtlUpcaseUnicodeChar). */
NTSYSAPI LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTSYSAPI LONG RtlCompareUnicodeStrings(PCWCH String1, SIZE_T String1Length, PCWCH String2, SIZE_T String2Length,
                                       BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
/* TRUE if String1 is a prefix of String2. */
NTSYSAPI BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTSYSAPI LONG RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN RtlPrefixString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);
NTSYSAPI WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI CHAR RtlUpperChar(CHAR Character);
NTSYSAPI NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                         BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                           BOOLEAN AllocateDestinationString);

/* ANSI (ISO-8859-1) <-> UTF-16. With AllocateDestinationString the buffer comes from the pool
 * (OWDF_RTL_STRING_TAG); otherwise STATUS_BUFFER_OVERFLOW when it does not fit (Unicode->ANSI converts
 * what fits). STATUS_INVALID_PARAMETER_2 when the result cannot be a counted string. */
NTSYSAPI NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                               BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                               BOOLEAN AllocateDestinationString);
NTSYSAPI void RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
NTSYSAPI void RtlFreeAnsiString(PANSI_STRING AnsiString);
NTSYSAPI ULONG RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString);
NTSYSAPI ULONG RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString);
#define RtlUnicodeStringToAnsiSize(String) RtlxUnicodeStringToAnsiSize(String)
#define RtlAnsiStringToUnicodeSize(String) RtlxAnsiStringToUnicodeSize(String)
/* Pool copy of a terminated string (MaximumLength includes the terminator). FALSE on no memory. */
NTSYSAPI BOOLEAN RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);

#define RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE 0x00000001
#define RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING 0x00000002
NTSYSAPI NTSTATUS RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn, PUNICODE_STRING StringOut);

/* Base 0 means 10; 2, 8, 10, 16 are valid (STATUS_INVALID_PARAMETER otherwise). STATUS_BUFFER_OVERFLOW
 * when the digits and a terminator do not fit. Hex digits are upper case. */
NTSYSAPI NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
NTSYSAPI NTSTATUS RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String);
/* Length is the buffer size in bytes; the terminator is written when it fits. */
NTSYSAPI NTSTATUS RtlIntegerToChar(ULONG Value, ULONG Base, LONG Length, PSZ String);
/* Skips leading white space, takes an optional sign; Base 0 reads a 0x/0o/0b prefix (default 10).
 * Stops at the first character that is not a digit of the base. */
NTSYSAPI NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);
NTSYSAPI NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value);

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", upper case, pool-allocated (free with RtlFreeUnicodeString). */
NTSYSAPI NTSTATUS RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString);
/* Accepts exactly the braced form (either case); STATUS_INVALID_PARAMETER otherwise. */
NTSYSAPI NTSTATUS RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid);

/* UTF-8 <-> UTF-16. A NULL destination asks for the size needed. Invalid input becomes U+FFFD and
 * the call returns STATUS_SOME_NOT_MAPPED; STATUS_BUFFER_TOO_SMALL converts what fits. */
NTSYSAPI NTSTATUS RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                                    PULONG UnicodeStringActualByteCount, PCCH UTF8StringSource,
                                    ULONG UTF8StringByteCount);
NTSYSAPI NTSTATUS RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                                    PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                                    ULONG UnicodeStringByteCount);

/* ---- Debug output -------------------------------------------------------------------------- */
/* Output goes to the current driver's log (openwdf/dbglog.h). Format: Windows printf semantics
 * (%ws, %wZ, %Z, l = 32 bits, I64...). At most 512 bytes per call, as on Windows. */
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000

typedef enum _DPFLTR_TYPE {
    DPFLTR_SYSTEM_ID = 0,
    DPFLTR_SMSS_ID = 1,
    DPFLTR_SETUP_ID = 2,
    DPFLTR_NTFS_ID = 3,
    DPFLTR_FSTUB_ID = 4,
    DPFLTR_CRASHDUMP_ID = 5,
    DPFLTR_CDAUDIO_ID = 6,
    DPFLTR_CDROM_ID = 7,
    DPFLTR_CLASSPNP_ID = 8,
    DPFLTR_DISK_ID = 9,
    DPFLTR_REDBOOK_ID = 10,
    DPFLTR_STORPROP_ID = 11,
    DPFLTR_SCSIPORT_ID = 12,
    DPFLTR_SCSIMINIPORT_ID = 13,
    DPFLTR_CONFIG_ID = 14,
    DPFLTR_I8042PRT_ID = 15,
    DPFLTR_SERMOUSE_ID = 16,
    DPFLTR_LSERMOUS_ID = 17,
    DPFLTR_KBDHID_ID = 18,
    DPFLTR_MOUHID_ID = 19,
    DPFLTR_KBDCLASS_ID = 20,
    DPFLTR_MOUCLASS_ID = 21,
    DPFLTR_TWOTRACK_ID = 22,
    DPFLTR_WMILIB_ID = 23,
    DPFLTR_ACPI_ID = 24,
    DPFLTR_AMLI_ID = 25,
    DPFLTR_HALIA64_ID = 26,
    DPFLTR_VIDEO_ID = 27,
    DPFLTR_SVCHOST_ID = 28,
    DPFLTR_VIDEOPRT_ID = 29,
    DPFLTR_TCPIP_ID = 30,
    DPFLTR_DMSYNTH_ID = 31,
    DPFLTR_NTOSPNP_ID = 32,
    DPFLTR_FASTFAT_ID = 33,
    DPFLTR_SAMSS_ID = 34,
    DPFLTR_PNPMGR_ID = 35,
    DPFLTR_NETAPI_ID = 36,
    DPFLTR_SCSERVER_ID = 37,
    DPFLTR_SCCLIENT_ID = 38,
    DPFLTR_SERIAL_ID = 39,
    DPFLTR_SERENUM_ID = 40,
    DPFLTR_UHCD_ID = 41,
    DPFLTR_RPCPROXY_ID = 42,
    DPFLTR_AUTOCHK_ID = 43,
    DPFLTR_DCOMSS_ID = 44,
    DPFLTR_UNIMODEM_ID = 45,
    DPFLTR_SIS_ID = 46,
    DPFLTR_FLTMGR_ID = 47,
    DPFLTR_WMICORE_ID = 48,
    DPFLTR_BURNENG_ID = 49,
    DPFLTR_IMAPI_ID = 50,
    DPFLTR_SXS_ID = 51,
    DPFLTR_FUSION_ID = 52,
    DPFLTR_IDLETASK_ID = 53,
    DPFLTR_SOFTPCI_ID = 54,
    DPFLTR_TAPE_ID = 55,
    DPFLTR_MCHGR_ID = 56,
    DPFLTR_IDEP_ID = 57,
    DPFLTR_PCIIDE_ID = 58,
    DPFLTR_FLOPPY_ID = 59,
    DPFLTR_FDC_ID = 60,
    DPFLTR_TERMSRV_ID = 61,
    DPFLTR_W32TIME_ID = 62,
    DPFLTR_PREFETCHER_ID = 63,
    DPFLTR_RSFILTER_ID = 64,
    DPFLTR_FCPORT_ID = 65,
    DPFLTR_PCI_ID = 66,
    DPFLTR_DMIO_ID = 67,
    DPFLTR_DMCONFIG_ID = 68,
    DPFLTR_DMADMIN_ID = 69,
    DPFLTR_WSOCKTRANSPORT_ID = 70,
    DPFLTR_VSS_ID = 71,
    DPFLTR_PNPMEM_ID = 72,
    DPFLTR_PROCESSOR_ID = 73,
    DPFLTR_DMSERVER_ID = 74,
    DPFLTR_SR_ID = 75,
    DPFLTR_INFINIBAND_ID = 76,
    DPFLTR_IHVDRIVER_ID = 77,
    DPFLTR_IHVVIDEO_ID = 78,
    DPFLTR_IHVAUDIO_ID = 79,
    DPFLTR_IHVNETWORK_ID = 80,
    DPFLTR_IHVSTREAMING_ID = 81,
    DPFLTR_IHVBUS_ID = 82,
    DPFLTR_HPS_ID = 83,
    DPFLTR_RTLTHREADPOOL_ID = 84,
    DPFLTR_LDR_ID = 85,
    DPFLTR_TCPIP6_ID = 86,
    DPFLTR_ISAPNP_ID = 87,
    DPFLTR_SHPC_ID = 88,
    DPFLTR_STORPORT_ID = 89,
    DPFLTR_STORMINIPORT_ID = 90,
    DPFLTR_PRINTSPOOLER_ID = 91,
    DPFLTR_VSSDYNDISK_ID = 92,
    DPFLTR_VERIFIER_ID = 93,
    DPFLTR_VDS_ID = 94,
    DPFLTR_VDSBAS_ID = 95,
    DPFLTR_VDSDYN_ID = 96,
    DPFLTR_VDSDYNDR_ID = 97,
    DPFLTR_VDSLDR_ID = 98,
    DPFLTR_VDSUTIL_ID = 99,
    DPFLTR_DFRGIFC_ID = 100,
    DPFLTR_DEFAULT_ID = 101,
    DPFLTR_MM_ID = 102,
    DPFLTR_DFSC_ID = 103,
    DPFLTR_WOW64_ID = 104,
    DPFLTR_ENDOFTABLE_ID = 139
} DPFLTR_TYPE;

/* DbgPrint is DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, ...). Always STATUS_SUCCESS. No
 * format(printf) attribute: Windows formats (%ws, %wZ, %I64d, 32-bit %ld) are not glibc's. */
NTSYSAPI ULONG DbgPrint(PCSTR Format, ...);
NTSYSAPI ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
NTSYSAPI ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist);
NTSYSAPI ULONG vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist);
/* Level 0..31 names one level (bit 1 << Level); a larger value is itself a mask. A message passes when
 * its level bit is in the component's mask or in the global (DPFLTR_DEFAULT_ID-independent) mask.
 * Default: every component keeps ERROR, WARNING, TRACE and INFO (mask 0xF) - like a checked build
 * with a debugger whose filter is open, so KdPrint output is visible. */
NTSYSAPI NTSTATUS DbgQueryDebugFilterState(ULONG ComponentId, ULONG Level);
NTSYSAPI NTSTATUS DbgSetDebugFilterState(ULONG ComponentId, ULONG Level, BOOLEAN State);
/* A verifier report DBG_BREAKPOINT (default policy LOG), not a trap. */
NTSYSAPI void DbgBreakPoint(void);
NTSYSAPI void DbgBreakPointWithStatus(ULONG Status);

#if DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define vKdPrintEx(_x_) vDbgPrintEx _x_
#define vKdPrintExWithPrefix(_x_) vDbgPrintExWithPrefix _x_
#define KdBreakPoint() DbgBreakPoint()
#define KdBreakPointWithStatus(s) DbgBreakPointWithStatus(s)
#else
#define KdPrint(_x_) ((void)0)
#define KdPrintEx(_x_) ((void)0)
#define vKdPrintEx(_x_) ((void)0)
#define vKdPrintExWithPrefix(_x_) ((void)0)
#define KdBreakPoint() ((void)0)
#define KdBreakPointWithStatus(s) ((void)0)
#endif
#define KdRefreshDebuggerNotPresent() ((BOOLEAN)TRUE)

EXTERN_C_END

#endif /* OPENWDF_RTL_H */
