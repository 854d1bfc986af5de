/**
 * pwsh for the tests. PowerShell 7 is REQUIRED (`.ci/run` installs it): a test that needs it fails
 * with this message when it is missing instead of skipping, so a CI machine without it is red.
 */
import { findPowerShell, isFound } from '../../electron/core/powershell/find.js';

export const PWSH_INSTALL =
  'install it with `dotnet tool install --global PowerShell --version 7.6.10` and put ~/.dotnet/tools on PATH (.ci/run does both)';

/** The pwsh executable; throws (fails the test file) with how to install it when there is none. */
export function requirePwsh(): string {
  const found = findPowerShell();
  if (!isFound(found) || found.kind !== 'pwsh')
    throw new Error(`pwsh (PowerShell 7) is required by this test and was not found: ${PWSH_INSTALL}`);
  return found.path;
}
