import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPowerShell, isFound } from '../../../electron/core/powershell/find.js';

const exes = (...paths: string[]) => {
  const set = new Set(paths);
  return (p: string) => set.has(p);
};

describe('findPowerShell (file checks only, nothing is spawned)', () => {
  it('Linux: pwsh on PATH first', () => {
    const r = findPowerShell(
      { PATH: '/usr/local/bin:/opt/microsoft/powershell/7', HOME: '/home/eng' },
      { platform: 'linux', isExecutable: exes('/opt/microsoft/powershell/7/pwsh', '/home/eng/.dotnet/tools/pwsh') },
    );
    expect(r).toEqual({ path: '/opt/microsoft/powershell/7/pwsh', kind: 'pwsh' });
  });
  it('Linux: the .NET global tool when pwsh is not on PATH', () => {
    const r = findPowerShell(
      { PATH: '/usr/bin', HOME: '/home/eng' },
      { platform: 'linux', isExecutable: exes('/home/eng/.dotnet/tools/pwsh') },
    );
    expect(r).toEqual({ path: '/home/eng/.dotnet/tools/pwsh', kind: 'pwsh' });
  });
  it('Linux: none — says where it looked and what to install', () => {
    const r = findPowerShell({ PATH: '/usr/bin:/bin', HOME: '/home/eng' }, { platform: 'linux', isExecutable: exes() });
    expect(isFound(r)).toBe(false);
    expect(r).toEqual({
      missing:
        'no PowerShell found (looked for pwsh on PATH, /home/eng/.dotnet/tools/pwsh). Install PowerShell 7 (pwsh; packages at https://aka.ms/powershell) or set PRINTHA_PWSH to its path. From Linux/macOS the Windows servers are reached over PowerShell-over-SSH only.',
    });
  });
  it('Windows: pwsh.exe before Windows PowerShell', () => {
    const env = {
      Path: 'C:\\Program Files\\PowerShell\\7;C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
      USERPROFILE: 'C:\\Users\\eng',
      SystemRoot: 'C:\\Windows',
    };
    const r = findPowerShell(env, {
      platform: 'win32',
      isExecutable: exes('C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'),
    });
    expect(r).toEqual({ path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', kind: 'pwsh' });
  });
  it('Windows: the .NET tool, then powershell.exe on PATH, then the in-box Windows PowerShell', () => {
    const env = { PATH: 'C:\\tools', USERPROFILE: 'C:\\Users\\eng' };
    expect(findPowerShell(env, { platform: 'win32', isExecutable: exes('C:\\Users\\eng\\.dotnet\\tools\\pwsh.exe') })).toEqual({
      path: 'C:\\Users\\eng\\.dotnet\\tools\\pwsh.exe',
      kind: 'pwsh',
    });
    expect(findPowerShell(env, { platform: 'win32', isExecutable: exes('C:\\tools\\powershell.exe') })).toEqual({
      path: 'C:\\tools\\powershell.exe',
      kind: 'windows-powershell',
    });
    expect(
      findPowerShell(env, { platform: 'win32', isExecutable: exes('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe') }),
    ).toEqual({
      path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      kind: 'windows-powershell',
    });
    const none = findPowerShell(env, { platform: 'win32', isExecutable: exes() });
    expect('missing' in none && none.missing).toContain('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  });
  it('PRINTHA_PWSH wins, and a wrong one is reported, not silently skipped', () => {
    expect(
      findPowerShell(
        { PRINTHA_PWSH: '/opt/pwsh7/pwsh', PATH: '/usr/bin' },
        { platform: 'linux', isExecutable: exes('/opt/pwsh7/pwsh', '/usr/bin/pwsh') },
      ),
    ).toEqual({ path: '/opt/pwsh7/pwsh', kind: 'pwsh' });
    expect(findPowerShell({ PRINTHA_PWSH: '/nope/pwsh' }, { platform: 'linux', isExecutable: exes() })).toEqual({
      missing: 'PRINTHA_PWSH is set to /nope/pwsh, which is not an executable file: point it at pwsh (PowerShell 7) or unset it',
    });
  });

  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  it('on the real file system: needs an executable FILE (not a directory, not a plain file)', () => {
    const d = mkdtempSync(join(tmpdir(), 'printha-find-'));
    dirs.push(d);
    const a = join(d, 'a');
    const b = join(d, 'b');
    mkdirSync(a);
    mkdirSync(join(a, 'pwsh')); // a directory named pwsh
    mkdirSync(b);
    writeFileSync(join(b, 'pwsh'), ''); // not executable yet
    const env = { PATH: `${a}:${b}`, HOME: d };
    expect(isFound(findPowerShell(env, { platform: 'linux' }))).toBe(false);
    chmodSync(join(b, 'pwsh'), 0o755);
    expect(findPowerShell(env, { platform: 'linux' })).toEqual({ path: join(b, 'pwsh'), kind: 'pwsh' });
  });
});
