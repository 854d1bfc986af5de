/**
 * bench/discovery: Windows print-server discovery for 10 servers against 2 (the server engine runs
 * PowerShell on every server in parallel). It cannot run on this machine, and no number is made up
 * for it: `unavailable()` gives the reason, which bench/run.ts prints (human table, or stderr with
 * --json) instead of an entry.
 */
import { hasPwsh } from '../test/lab/lab.js';
import type { BenchResults } from './lib.js';

export const title = 'discovery-10-servers';

/** Why the benchmark cannot run here, or undefined when it could. */
export function unavailable(): string | undefined {
  const why: string[] = [];
  if (!hasPwsh()) why.push('pwsh is not installed (no PowerShell package in the NuGet feed this machine reaches)');
  why.push('the lab has no Windows print servers (its print servers are Linux/Samba), so the Windows engine has nothing to discover');
  return `discovery 2 vs 10 Windows print servers cannot be measured here: ${why.join('; ')}`;
}

export function run(): Promise<BenchResults> {
  return Promise.reject(new Error(unavailable() ?? 'no Windows print servers to discover'));
}
