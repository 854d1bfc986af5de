/*
 * newdev.dll stand-in: a TEST DOUBLE for the PrintHA lab (see setupapi.c, which holds the devnodes).
 * Exports exactly UpdateDriverForPlugAndPlayDevicesW with the Windows parameter list:
 *   BOOL UpdateDriverForPlugAndPlayDevicesW(HWND hwndParent, LPCWSTR HardwareId, LPCWSTR FullInfPath,
 *                                           DWORD InstallFlags, PBOOL bRebootRequired);
 * Like the real newdev.dll it imports setupapi.dll (here: DT_NEEDED libsetupapi.dll.so, RUNPATH $ORIGIN).
 */
#include "winshim.h"

__attribute__((visibility("default"))) BOOL UpdateDriverForPlugAndPlayDevicesW(void *hwndParent, const uint16_t *HardwareId,
                                                                              const uint16_t *FullInfPath, uint32_t InstallFlags,
                                                                              BOOL *bRebootRequired) {
  return PrintHAWinShim_UpdateDriverW(hwndParent, HardwareId, FullInfPath, InstallFlags, bRebootRequired);
}
