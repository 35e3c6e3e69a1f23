/*
 * wpprecorder.h - the WPP recorder (Inflight Trace Recorder) API drivers call when built with
 * ENABLE_WPP_RECORDER=1 (openwdf-cc --wpp-define=ENABLE_WPP_RECORDER=1).
 *
 * openwdf keeps no separate recorder buffers: every traced message already goes to the driver's debug
 * log and to the Framework's in-flight recorder (openwdf/wpp.h). A RECORDER_LOG only names the log a
 * message was written to (its identifier travels with the message to the sink). Logs are small heap
 * objects; delete the ones you create. Callable at IRQL <= DISPATCH_LEVEL.
 */
#ifndef OPENWDF_WPPRECORDER_H
#define OPENWDF_WPPRECORDER_H

#include <ntdef.h>
#include <openwdf/wpp.h>

EXTERN_C_START

typedef struct owdf_wpp_recorder_log *RECORDER_LOG;

#define RECORDER_LOG_IDENTIFIER_MAX_CHARS 16
#define RECORDER_LOG_DEFAULT_BUFFER_SIZE 1024
#define RECORDER_LOG_DEFAULT_ERROR_PARTITION_SIZE 200

typedef enum _WPP_RECORDER_TRI_STATE {
    WppRecorderFalse = 0,
    WppRecorderTrue,
    WppRecorderDefault
} WPP_RECORDER_TRI_STATE;

typedef struct _RECORDER_LOG_CREATE_PARAMS {
    ULONG Size;
    ULONG LogTag;
    ULONG TotalBufferSize;
    ULONG ErrorPartitionSize;
    ULONG_PTR LogIdentifierAppendValue;
    BOOLEAN LogIdentifierAppendValueSet;
    ULONG LogIdentifierSize;
    CHAR LogIdentifier[RECORDER_LOG_IDENTIFIER_MAX_CHARS];
    WPP_RECORDER_TRI_STATE UseTimeStamp;
    WPP_RECORDER_TRI_STATE PreciseTimeStamp;
} RECORDER_LOG_CREATE_PARAMS, *PRECORDER_LOG_CREATE_PARAMS;

typedef struct _RECORDER_CONFIGURE_PARAMS {
    ULONG Size;
    BOOLEAN CreateDefaultLog;
} RECORDER_CONFIGURE_PARAMS, *PRECORDER_CONFIGURE_PARAMS;

FORCEINLINE VOID RECORDER_LOG_CREATE_PARAMS_INIT(PRECORDER_LOG_CREATE_PARAMS Params, PCSTR LogIdentifier)
{
    memset(Params, 0, sizeof *Params);
    Params->Size = sizeof *Params;
    Params->TotalBufferSize = RECORDER_LOG_DEFAULT_BUFFER_SIZE;
    Params->ErrorPartitionSize = RECORDER_LOG_DEFAULT_ERROR_PARTITION_SIZE;
    Params->LogIdentifierSize = RECORDER_LOG_IDENTIFIER_MAX_CHARS;
    Params->UseTimeStamp = WppRecorderDefault;
    Params->PreciseTimeStamp = WppRecorderDefault;
    if (LogIdentifier != NULL) {
        size_t i = 0;
        for (; i + 1 < RECORDER_LOG_IDENTIFIER_MAX_CHARS && LogIdentifier[i] != '\0'; i++)
            Params->LogIdentifier[i] = LogIdentifier[i];
        Params->LogIdentifier[i] = '\0';
    }
}

FORCEINLINE VOID RECORDER_LOG_CREATE_PARAMS_INIT_APPEND_POINTER(PRECORDER_LOG_CREATE_PARAMS Params,
                                                                PVOID Pointer)
{
    RECORDER_LOG_CREATE_PARAMS_INIT(Params, NULL);
    Params->LogIdentifierAppendValue = (ULONG_PTR)Pointer;
    Params->LogIdentifierAppendValueSet = TRUE;
}

FORCEINLINE VOID RECORDER_CONFIGURE_PARAMS_INIT(PRECORDER_CONFIGURE_PARAMS Params)
{
    memset(Params, 0, sizeof *Params);
    Params->Size = sizeof *Params;
    Params->CreateDefaultLog = TRUE;
}

/* STATUS_INVALID_PARAMETER for a NULL argument or a Size other than sizeof(RECORDER_LOG_CREATE_PARAMS);
 * STATUS_INSUFFICIENT_RESOURCES when out of memory. On failure *RecorderLog is the default log. */
NTKERNELAPI NTSTATUS WppRecorderLogCreate(PRECORDER_LOG_CREATE_PARAMS CreateParams,
                                          RECORDER_LOG *RecorderLog);
/* Deleting NULL or the default log does nothing. */
NTKERNELAPI VOID WppRecorderLogDelete(RECORDER_LOG RecorderLog);
/* Sets the identifier (cut to RECORDER_LOG_IDENTIFIER_MAX_CHARS - 1). STATUS_INVALID_PARAMETER for
 * NULL arguments or the default log. */
NTKERNELAPI NTSTATUS WppRecorderLogSetIdentifier(RECORDER_LOG RecorderLog, PCSTR LogIdentifier);
NTKERNELAPI RECORDER_LOG WppRecorderLogGetDefault(void);
NTKERNELAPI BOOLEAN WppRecorderIsDefaultLogAvailable(void);
/* Accepted and ignored (the default log always exists). */
NTKERNELAPI VOID WppRecorderConfigure(PRECORDER_CONFIGURE_PARAMS ConfigureParams);
/* The identifier a log's messages carry ("" for the default log). For tests and tools. */
NTKERNELAPI PCSTR owdf_wpp_recorder_log_identifier(RECORDER_LOG RecorderLog);

EXTERN_C_END

#endif /* OPENWDF_WPPRECORDER_H */
