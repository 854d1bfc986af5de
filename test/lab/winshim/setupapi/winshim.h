/*
 * Shared declarations of the setupapi.dll / newdev.dll stand-ins: a TEST DOUBLE for the PrintHA lab.
 * Layouts are the Windows x64 ones (as .NET marshals them on Linux x64 too).
 */
#ifndef PRINTHA_WINSHIM_H
#define PRINTHA_WINSHIM_H
#include <stdint.h>

typedef int BOOL; /* Win32 BOOL: 32-bit, what .NET marshals bool to by default */

typedef struct { /* GUID: Data1 (LE uint32), Data2, Data3 (LE uint16), Data4[8]; .NET System.Guid has this layout */
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t data4[8];
} shim_guid;

typedef struct { /* SP_DEVINFO_DATA, sizeof 32 on x64 */
  uint32_t cbSize;
  shim_guid ClassGuid;
  uint32_t DevInst;
  uintptr_t Reserved;
} SP_DEVINFO_DATA;

_Static_assert(sizeof(SP_DEVINFO_DATA) == 32, "SP_DEVINFO_DATA must have the Windows x64 size");

/* winerror.h */
#define ERROR_SUCCESS 0u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_PATH_NOT_FOUND 3u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_INVALID_DATA 13u
#define ERROR_GEN_FAILURE 31u
#define ERROR_DISK_FULL 112u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_CALL_NOT_IMPLEMENTED 120u
#define ERROR_FILENAME_EXCED_RANGE 206u
#define ERROR_INVALID_FLAGS 1004u
#define ERROR_INVALID_WINDOW_HANDLE 1400u
#define ERROR_INVALID_USER_BUFFER 1784u
/* setupapi.h: APPLICATION_ERROR_MASK | ERROR_SEVERITY_ERROR | n (negative as a .NET int) */
#define ERROR_CLASS_MISMATCH 0xE0000201u
#define ERROR_INVALID_DEVINST_NAME 0xE0000205u
#define ERROR_INVALID_CLASS 0xE0000206u
#define ERROR_DEVINST_ALREADY_EXISTS 0xE0000207u
#define ERROR_INVALID_REG_PROPERTY 0xE0000209u
#define ERROR_NO_SUCH_DEVINST 0xE000020Bu
#define ERROR_NO_DEVICE_SELECTED 0xE0000211u
#define ERROR_NO_COMPAT_DRIVERS 0xE0000228u

/* the bridge newdev.c calls (exported by the setupapi stand-in, where the devnodes live) */
BOOL PrintHAWinShim_UpdateDriverW(void *hwndParent, const uint16_t *HardwareId, const uint16_t *FullInfPath,
                                  uint32_t InstallFlags, BOOL *bRebootRequired);
#endif
