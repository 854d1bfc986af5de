/**
 * Test helpers for the lab's Windows stand-in: find pwsh (REQUIRED: a missing pwsh fails the tests
 * with a clear message, it does not skip them), run it, and make a node state directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { NODE_MODULE, WINSHIM } from './winshim-signatures.js';

export const MODULE_PSD1 = join(NODE_MODULE, 'PrintHA.WindowsStandIn.psd1');
export const RSAT = join(WINSHIM, 'rsat');

export function findPwsh(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.dotnet', 'tools')];
  for (const d of dirs) if (d && existsSync(join(d, 'pwsh'))) return join(d, 'pwsh');
  throw new Error(
    'pwsh (PowerShell 7.4+) is required for the Windows stand-in tests and was not found on PATH or in ~/.dotnet/tools: install it (e.g. `dotnet tool install --global PowerShell`)',
  );
}

/** Runs a pwsh script file; returns stdout. Throws with stderr when pwsh exits non-zero. */
export function runPwsh(file: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(findPwsh(), ['-NoProfile', '-NonInteractive', '-File', file, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PRINTHA_WINSHIM_EFFECTS: 'off', PRINTHA_WINSHIM_CACHE: join(tmpdir(), 'printha-winshim-test-cache'), ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 170_000,
  });
}

/** Runs pwsh code (written to a temp file); returns stdout. */
export function runPwshCode(code: string, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'winshim-code-'));
  const f = join(dir, 'run.ps1');
  writeFileSync(f, code);
  return runPwsh(f, [], env);
}

export interface NodeSpec {
  computerName: string;
  role: 'print-server' | 'dns-server';
  address: string;
}

/** A fresh state directory holding node.json, as lab.sh up writes it. */
export function makeState(n: NodeSpec): string {
  const dir = mkdtempSync(join(tmpdir(), `winshim-${n.computerName}-`));
  mkdirSync(join(dir, 'faults'));
  const last = Number(n.address.split('.')[3]);
  writeFileSync(
    join(dir, 'node.json'),
    JSON.stringify({
      computerName: n.computerName,
      role: n.role,
      domain: 'lab.printha.test',
      lan: {
        name: 'Ethernet',
        ifIndex: 4,
        mac: `02-42-0A-63-00-${last.toString(16).padStart(2, '0').toUpperCase()}`,
        address: n.address,
        prefixLength: 24,
        guid: '{6B1D1F2C-1111-4C3B-9A55-0123456789AB}',
      },
      os: { caption: 'Microsoft Windows Server 2019 Standard', version: '10.0.17763', buildNumber: '17763' },
    }),
  );
  writeFileSync(join(dir, 'boot-time'), '2025-01-01T00:00:00Z\n');
  return dir;
}
