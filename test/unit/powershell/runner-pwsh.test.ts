/**
 * The runner against REAL pwsh (7.6, through node-powershell): what the canned-shell tests in
 * runner.test.ts cannot show — the init script, terminal sequences and stray host output around the
 * JSON line, UTF-8 both ways, a timeout that restarts the shell, the secret as a SecureString that
 * never appears in a script's text, and one long-lived process per runner.
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PowerShellRunError, PowerShellRunner, nodePowerShellFactory } from '../../../electron/core/powershell/runner.js';
import { requirePwsh } from '../../support/pwsh.js';

const exe = { path: requirePwsh(), kind: 'pwsh' as const };
const runners: PowerShellRunner[] = [];
function runner(): PowerShellRunner {
  const r = new PowerShellRunner(exe);
  runners.push(r);
  return r;
}
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
});

const json = (expr: string): string => `ConvertTo-Json -InputObject (${expr}) -Compress`;

describe('PowerShellRunner on real pwsh', () => {
  it('starts with the init script (also when this process has TERM=xterm) and reports the shell', async () => {
    const saved = process.env.TERM;
    process.env.TERM = 'xterm-256color';
    process.env.PRINTHA_WINDOWS_PASSWORD = 'must-not-reach-pwsh';
    try {
      const r = runner();
      const v = await r.run(json("[pscustomobject]@{ kind = 'x'; term = [string]$env:TERM; pw = [string]$env:PRINTHA_WINDOWS_PASSWORD }"), {
        timeoutMs: 60_000,
      });
      // TERM=dumb (no terminal sequences), and PrintHA's secrets are not in the shell's environment
      expect(v.value).toEqual({ kind: 'x', term: 'dumb', pw: '' });
      expect(r.info?.psVersion).toMatch(/^7\.\d+/);
      expect(r.info?.edition).toBe('Core');
      // nothing of a terminal reaches what the runner returns
      expect(v.stdout).not.toContain('\u001b');
    } finally {
      delete process.env.PRINTHA_WINDOWS_PASSWORD;
      if (saved === undefined) delete process.env.TERM;
      else process.env.TERM = saved;
    }
  });

  it('finds the JSON line among host output, warnings, errors and raw escape sequences', async () => {
    const r = runner();
    const script = [
      "Write-Host 'host text {not json'",
      "Write-Warning 'a warning'",
      "Write-Information 'info'",
      "[Console]::Error.WriteLine('to stderr')",
      '[Console]::Out.Write([char]27 + "[?1h" + [char]27 + "=")',
      json("[pscustomobject]@{ kind = 'ok'; n = 3 }"),
      "Write-Host 'after'",
    ].join('\n');
    const v = await r.run(script, { timeoutMs: 60_000 });
    expect(v.value).toEqual({ kind: 'ok', n: 3 });
    expect(v.stderr).toContain('to stderr');
  });

  it('UTF-8 both ways: the script text and the JSON it prints', async () => {
    const text = 'Zürich ✓ 日本語 Ærø – “quotes” \u2028 end';
    const r = runner();
    const v = await r.run(json(`[pscustomobject]@{ kind = 'utf'; s = '${text}'; len = '${text}'.Length }`), { timeoutMs: 60_000 });
    expect(v.value).toEqual({ kind: 'utf', s: text, len: text.length });
  });

  it('a terminating error comes back as a script error with its id; the shell keeps running', async () => {
    const r = runner();
    const pid1 = (await r.run(json("[pscustomobject]@{ kind = 'pid'; pid = $PID }"), { timeoutMs: 60_000 })).value.pid;
    const e = (await r
      .run("Get-Item -Path '/nonexistent/printha' | Out-Null\n'{}'", { timeoutMs: 60_000 })
      .catch((x: unknown) => x)) as PowerShellRunError;
    expect(e).toBeInstanceOf(PowerShellRunError);
    expect(e.kind).toBe('script');
    expect(e.detail.errorId).toMatch(/PathNotFound/);
    const pid2 = (await r.run(json("[pscustomobject]@{ kind = 'pid'; pid = $PID }"), { timeoutMs: 60_000 })).value.pid;
    expect(pid2).toBe(pid1);
    expect(r.generation).toBe(1);
  });

  it('one long-lived shell: state set by one script is there in the next', async () => {
    const r = runner();
    await r.run('$global:phaTestValue = 41\n' + json("[pscustomobject]@{ kind = 'set' }"), { timeoutMs: 60_000 });
    const v = await r.run(json("[pscustomobject]@{ kind = 'get'; v = $global:phaTestValue + 1 }"), { timeoutMs: 60_000 });
    expect(v.value).toEqual({ kind: 'get', v: 42 });
  });

  it('a timeout kills the shell within seconds; the next script gets a fresh one', async () => {
    const r = runner();
    const pid1 = (await r.run(json("[pscustomobject]@{ kind = 'pid'; pid = $PID }"), { timeoutMs: 60_000 })).value.pid;
    const t0 = Date.now();
    const e = (await r.run('Start-Sleep -Seconds 60', { timeoutMs: 1_500 }).catch((x: unknown) => x)) as PowerShellRunError;
    expect(e).toBeInstanceOf(PowerShellRunError);
    expect(e.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(10_000);
    const pid2 = (await r.run(json("[pscustomobject]@{ kind = 'pid'; pid = $PID }"), { timeoutMs: 60_000 })).value.pid;
    expect(pid2).not.toBe(pid1);
    expect(r.generation).toBe(2);
  });

  it('the secret becomes a read-only SecureString, never part of a script or of the shell history', async () => {
    const secret = `Pä$$ w0rd'"\`;${'x'.repeat(40)}`;
    const r = runner();
    const script = [
      '$phaB = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($phaSecret)',
      'try { $phaPlain = [Runtime.InteropServices.Marshal]::PtrToStringBSTR($phaB) } finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($phaB) }',
      "$phaHash = -join ([Security.Cryptography.SHA256]::Create().ComputeHash([Text.Encoding]::UTF8.GetBytes($phaPlain)) | ForEach-Object { $_.ToString('x2') })",
      json("[pscustomobject]@{ kind = 's'; type = $phaSecret.GetType().FullName; readOnly = $phaSecret.IsReadOnly(); sha = $phaHash }"),
    ].join('\n');
    const v = await r.run(script, { timeoutMs: 60_000, secret });
    expect(v.value).toEqual({
      kind: 's',
      type: 'System.Security.SecureString',
      readOnly: true,
      sha: createHash('sha256').update(secret, 'utf8').digest('hex'),
    });
    // The shell's history holds the command lines (base64 script blocks): none of them, decoded, has the secret.
    // (sent back base64: node-powershell cuts the output at its own delimiter, which history holds)
    const h = await r.run(
      json(
        "[pscustomobject]@{ kind = 'h'; b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((@(Get-History | ForEach-Object { $_.CommandLine }) -join [char]10))) }",
      ),
      { timeoutMs: 60_000 },
    );
    const lines = Buffer.from(String(h.value.b64), 'base64').toString('utf8').split('\n');
    const decoded = lines.flatMap((l) =>
      [...l.matchAll(/'([A-Za-z0-9+/=]{8,})'/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')),
    );
    expect(lines).toContain('Clear-History'); // ran after the block that used the secret
    for (const t of [...lines, ...decoded]) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain(Buffer.from(secret, 'utf8').toString('base64'));
    }
  });

  it('the node-powershell factory spawns pwsh with -NoProfile -NonInteractive', async () => {
    const shell = nodePowerShellFactory(exe);
    try {
      const out = await shell.invoke('[Environment]::GetCommandLineArgs() -join " "');
      expect(out.raw).toMatch(/-NoProfile/);
      expect(out.raw).toMatch(/-NonInteractive/);
    } finally {
      await shell.dispose('SIGTERM');
    }
  });
});
