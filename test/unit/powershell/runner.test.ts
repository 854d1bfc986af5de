/**
 * The runner's own logic. No PowerShell runs here (none can be installed on this machine): the
 * process-handling tests use CannedShell, a stand-in for node-powershell's process OBJECT that
 * returns canned buffers — it does not interpret PowerShell, it only lets the tests check what the
 * runner sends and how it reacts to answers, stderr, hangs and exits. The spawn-failure test uses
 * the real node-powershell with a path that does not exist.
 */
import { describe, expect, it } from 'vitest';
import {
  encodedInvocation,
  envelope,
  INIT_SCRIPT,
  lastJsonObject,
  PowerShellRunError,
  PowerShellRunner,
  shellOptions,
  type ShellLike,
} from '../../../electron/core/powershell/runner.js';
import { lintPs3 } from '../../../electron/core/powershell/ps3lint.js';
import { secretPipeLines } from '../../../electron/core/powershell/secret-pipe.js';
import { quotePwsh } from '../../../shared/quote/powershell.js';

const EXE = { path: '/opt/pwsh/pwsh', kind: 'pwsh' as const };
const INVOCATION_RE =
  /^& \(\[scriptblock\]::Create\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)\)\)$/;

function decodeLine(line: string): string {
  const m = INVOCATION_RE.exec(line);
  if (!m) throw new Error(`not a base64 script block invocation: ${line.slice(0, 80)}`);
  return Buffer.from(m[1]!, 'base64').toString('utf8');
}

type Answer = { stdout?: string; stderr?: string } | 'hang' | 'exit' | Error;

class CannedShell implements ShellLike {
  readonly history: unknown[] = [];
  readonly sent: string[] = [];
  disposed = false;
  constructor(private readonly answer: (cmd: string) => Answer) {}
  invoke(command: string) {
    this.sent.push(command);
    this.history.unshift({ command });
    const a = this.answer(command);
    if (a === 'hang') return new Promise<never>(() => undefined);
    if (a instanceof Error) return Promise.reject(a);
    if (a === 'exit') return Promise.resolve({ raw: '', hadErrors: false });
    return Promise.resolve({
      stdout: Buffer.from(a.stdout ?? ''),
      stderr: Buffer.from(a.stderr ?? ''),
      raw: a.stdout ?? '',
      hadErrors: !!a.stderr,
    });
  }
  async dispose() {
    this.disposed = true;
  }
}

const SHELL_INFO = '{"kind":"printha.shell","version":1,"psVersion":"7.4.6","edition":"Core","platform":"Unix"}';

/** `answer` gets the script body and the number of scripts run so far (init scripts not counted). */
function runnerWith(answer: (body: string, n: number) => Answer) {
  const shells: CannedShell[] = [];
  let count = 0;
  const runner = new PowerShellRunner(EXE, {
    factory: () => {
      const s = new CannedShell((cmd) => {
        if (cmd === 'Clear-History') return { stdout: '' };
        const body = decodeLine(cmd);
        if (body.startsWith('try { [Console]::OutputEncoding')) return { stdout: SHELL_INFO };
        return answer(body, ++count);
      });
      shells.push(s);
      return s;
    },
    redact: (t) => t.replace(/hunter2/g, '[REDACTED]'),
  });
  return { runner, shells };
}

describe('encoding of what reaches the shell', () => {
  it('one line: a base64 UTF-8 script block, invoked', () => {
    const script = '$a = \'ünï\'\nif ($a) {\n  "{0}" -f $a\n}';
    const line = encodedInvocation(script);
    expect(line).not.toContain('\n');
    expect(decodeLine(line)).toBe(script);
  });
  it('the envelope catches a terminating error and prints it as one JSON object; a secret arrives over a pipe, never in the text', () => {
    const lines = secretPipeLines({ pipeName: '/tmp/printha-x/s', nonce: 'ab'.repeat(16) }, quotePwsh);
    const e = envelope('Get-Thing', lines);
    expect(e.split('\n').slice(0, 3)).toEqual([
      "$ErrorActionPreference = 'Stop'",
      'try {',
      "$phaPipe = New-Object System.IO.Pipes.NamedPipeClientStream -ArgumentList @('.', '/tmp/printha-x/s', [System.IO.Pipes.PipeDirection]::InOut)",
    ]);
    expect(e).toContain('$phaSecret.MakeReadOnly()');
    expect(e).not.toContain('FromBase64String');
    expect(e).toContain("kind = 'printha.error'");
    expect(envelope('Get-Thing')).not.toContain('phaSecret');
    expect(() => secretPipeLines({ pipeName: 'x', nonce: "x'); Remove-Item C:\\" }, quotePwsh)).toThrow('32 hex digits');
  });
  it('the init and envelope scripts parse, and use nothing newer than Windows PowerShell 5.1 allows', async () => {
    for (const t of [INIT_SCRIPT, envelope('Get-Date', secretPipeLines({ pipeName: 'p', nonce: '0'.repeat(32) }, quotePwsh))]) {
      const r = await lintPs3(t);
      expect(r.parseErrors).toEqual([]);
      expect(r.violations).toEqual([]);
    }
  });
  it('node-powershell options: -NoProfile -NonInteractive, UTF-8, stderr does not throw, no debug log', () => {
    const o = shellOptions(EXE, {});
    expect(o).toMatchObject({
      executable: '/opt/pwsh/pwsh',
      executableOptions: { '-NoLogo': true, '-NoProfile': true, '-NonInteractive': true },
      throwOnInvocationError: false,
      debug: false,
      inputEncoding: 'utf-8',
      outputEncoding: 'utf-8',
    });
  });
  it('lastJsonObject: the last JSON object line wins; other output is ignored', () => {
    expect(lastJsonObject('WARNING: x\n{"a":1}\n{not json\n{"b":2}\r\n\n')).toEqual({ b: 2 });
    expect(lastJsonObject('[1,2]\nhello')).toBeUndefined();
  });
});

describe('PowerShellRunner (CannedShell in place of the node-powershell process)', () => {
  it('starts the shell with the init script once, then runs each script as one invocation; stderr is captured, not thrown', async () => {
    const { runner, shells } = runnerWith(() => ({ stdout: 'noise\n{"kind":"x","n":1}\n', stderr: 'WARNING: something odd' }));
    const r = await runner.run('Get-X', { timeoutMs: 1000 });
    expect(r.value).toEqual({ kind: 'x', n: 1 });
    expect(r.stderr).toBe('WARNING: something odd');
    await runner.run('Get-Y', { timeoutMs: 1000 });
    expect(shells).toHaveLength(1);
    expect(runner.generation).toBe(1);
    expect(runner.info).toEqual({ psVersion: '7.4.6', edition: 'Core', platform: 'Unix' });
    expect(decodeLine(shells[0]!.sent[0]!)).toBe(INIT_SCRIPT);
    expect(decodeLine(shells[0]!.sent[1]!)).toBe(envelope('Get-X'));
    // node-powershell's command history is emptied after every invocation
    expect(shells[0]!.history).toEqual([]);
  });

  it('a printha.error object becomes a PowerShellRunError of kind script, redacted', async () => {
    const { runner } = runnerWith(() => ({
      stdout: '{"kind":"printha.error","message":"bad hunter2","errorId":"X,Y","exception":"System.Exception"}',
    }));
    const e = (await runner.run('Get-X', { timeoutMs: 1000 }).catch((x: unknown) => x)) as PowerShellRunError;
    expect(e).toBeInstanceOf(PowerShellRunError);
    expect(e.kind).toBe('script');
    expect(e.message).toBe('bad [REDACTED]');
    expect(e.detail.errorId).toBe('X,Y');
  });

  it('no JSON at all: a clear error with the (redacted) stderr tail', async () => {
    const { runner } = runnerWith(() => ({ stdout: '', stderr: 'The term Get-X is not recognized, hunter2' }));
    await expect(runner.run('Get-X', { timeoutMs: 1000 })).rejects.toThrow(
      'the script printed no JSON result: The term Get-X is not recognized, [REDACTED]',
    );
  });

  it('a timeout disposes the shell; the next run starts a new one (generation 2)', async () => {
    const { runner, shells } = runnerWith((_b, n) => (n === 1 ? 'hang' : { stdout: '{"kind":"ok"}' }));
    const t0 = Date.now();
    const e = (await runner.run('Slow', { timeoutMs: 200 }).catch((x: unknown) => x)) as PowerShellRunError;
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('PowerShell did not finish running a script within 0.2 s; the local shell was restarted');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(shells[0]!.disposed).toBe(true);
    const r = await runner.run('Fast', { timeoutMs: 1000 });
    expect(r.value).toEqual({ kind: 'ok' });
    expect(shells).toHaveLength(2);
    expect(runner.generation).toBe(2);
    expect(decodeLine(shells[1]!.sent[0]!)).toBe(INIT_SCRIPT);
  });

  it('runs are serialised: a second run waits for the first', async () => {
    const order: string[] = [];
    const { runner } = runnerWith((body) => {
      order.push(body.includes('First') ? 'first' : 'second');
      return { stdout: '{"kind":"ok"}' };
    });
    await Promise.all([runner.run('First', { timeoutMs: 1000 }), runner.run('Second', { timeoutMs: 1000 })]);
    expect(order).toEqual(['first', 'second']);
  });

  it('a process that exits mid-invocation is reported and replaced', async () => {
    const { runner, shells } = runnerWith((_b, n) => (n === 1 ? 'exit' : { stdout: '{"kind":"ok"}' }));
    await expect(runner.run('X', { timeoutMs: 1000 })).rejects.toMatchObject({ kind: 'process' });
    await expect(runner.run('X', { timeoutMs: 1000 })).resolves.toMatchObject({ value: { kind: 'ok' } });
    expect(shells).toHaveLength(2);
  });

  it('a secret never reaches the shell in clear, the history is cleared after it, and it is redacted from errors', async () => {
    const secret = 'S3cret-Pa55!';
    const { runner, shells } = runnerWith(() => ({
      stdout: '',
      stderr: `failed for S3cret-Pa55! / ${Buffer.from(secret).toString('base64')}`,
    }));
    const e = (await runner.run('New-Thing', { timeoutMs: 1000, secret }).catch((x: unknown) => x)) as Error;
    const sent = shells[0]!.sent;
    expect(sent.some((l) => l.includes(secret))).toBe(false);
    const body = decodeLine(sent[1]!);
    expect(body).not.toContain(secret);
    expect(body).not.toContain(Buffer.from(secret).toString('base64'));
    expect(body).toContain('NamedPipeClientStream');
    expect(sent[2]).toBe('Clear-History');
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain(Buffer.from(secret).toString('base64'));
    expect(e.message).toContain('[REDACTED]');
    expect(shells[0]!.history).toEqual([]);
  });

  it('the real node-powershell with a missing executable: a clear error, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runner = new PowerShellRunner({ path: '/nonexistent/printha/pwsh', kind: 'pwsh' });
      const e = (await runner.run('Get-Date', { timeoutMs: 5000 }).catch((x: unknown) => x)) as PowerShellRunError;
      expect(e).toBeInstanceOf(PowerShellRunError);
      expect(e.kind).toBe('process');
      expect(e.message).toMatch(
        /^PowerShell \(\/nonexistent\/printha\/pwsh\) failed while starting PowerShell: the executable was not found \(spawn \/nonexistent\/printha\/pwsh ENOENT\)$/,
      );
      await runner.close();
      await new Promise((res) => setTimeout(res, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
