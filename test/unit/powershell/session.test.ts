/**
 * PowerShellRemoteShell refuses what cannot work BEFORE it starts PowerShell (the runner's factory
 * throws if it is ever called). Its behaviour with a live shell needs pwsh and Windows servers: see
 * test/integration/windows-engine.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../../electron/core/engine/api.js';
import { RemoteError } from '../../../electron/core/powershell/remoting.js';
import { PowerShellRunner } from '../../../electron/core/powershell/runner.js';
import { PowerShellRemoteShell } from '../../../electron/core/powershell/session.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';

const ROOT = join(import.meta.dirname, '../../..');

function site(file: string): Site {
  const r = loadSiteYaml(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(file);
  return r.site;
}

function neverStarted(kind: 'pwsh' | 'windows-powershell' = 'pwsh') {
  let started = 0;
  const runner = new PowerShellRunner(
    { path: kind === 'pwsh' ? '/usr/bin/pwsh' : 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', kind },
    {
      factory: () => {
        started++;
        throw new Error('PowerShell must not be started for this case');
      },
    },
  );
  return { runner, started: () => started };
}

const asked: string[] = [];
const ctx: RunContext = {
  knownHostsPath: '/nonexistent',
  credential: async (req) => {
    asked.push(req.host);
    return undefined;
  },
  confirmHostKey: async () => false,
  onEvent: () => undefined,
};

describe('PowerShellRemoteShell: refusals before anything starts', () => {
  it('WinRM from Linux: unsupported, with the way out', async () => {
    const { runner, started } = neverStarted();
    const sh = new PowerShellRemoteShell({ runner, site: site('phoenix-dr.yaml'), ctx, platform: 'linux', env: {} });
    const e = (await sh.invoke('PS1', 'Get-Date', 1000).catch((x: unknown) => x)) as RemoteError;
    expect(e).toBeInstanceOf(RemoteError);
    expect(e.kind).toBe('unsupported');
    expect(e.message).toContain('use windows.transport: ssh');
    expect(started()).toBe(0);
  });
  it('SSH with Windows PowerShell only: unsupported', async () => {
    const { runner, started } = neverStarted('windows-powershell');
    const sh = new PowerShellRemoteShell({ runner, site: site('lab-lborg-dr.yaml'), ctx, platform: 'win32', env: {} });
    await expect(sh.invoke('PS1', 'Get-Date', 1000)).rejects.toMatchObject({
      kind: 'unsupported',
      message: expect.stringContaining('needs PowerShell 7 (pwsh)'),
    });
    expect(started()).toBe(0);
  });
  it('SSH without a key file: says which variable to set', async () => {
    const { runner, started } = neverStarted();
    const sh = new PowerShellRemoteShell({ runner, site: site('lab-lborg-dr.yaml'), ctx, platform: 'linux', env: {} });
    await expect(sh.invoke('PS2', 'Get-Date', 1000)).rejects.toMatchObject({
      kind: 'config',
      server: 'PS2',
      message: expect.stringContaining('set PRINTHA_WINDOWS_SSH_KEY'),
    });
    expect(started()).toBe(0);
  });
  it('WinRM on Windows: the password is asked per server first; a shell that cannot start is a clear "shell" error', async () => {
    const { runner, started } = neverStarted();
    const s = site('phoenix-dr.yaml');
    const sh = new PowerShellRemoteShell({ runner, site: s, ctx, platform: 'win32', env: {} });
    asked.length = 0;
    const e = (await sh.invoke('PS1', 'Get-Date', 1000).catch((x: unknown) => x)) as RemoteError;
    expect(asked).toEqual(['PS1']);
    expect(started()).toBe(1);
    expect(e.kind).toBe('shell');
    expect(e.message).toContain('PowerShell must not be started for this case');
  });
});
