/**
 * One long-lived local PowerShell (pwsh or Windows PowerShell) driven through node-powershell v5,
 * used by the Windows server engine for a whole run. The traps of node-powershell
 * (shared/reference/windows.md §7) and how this runner avoids them:
 *
 *  - stdin mode runs statement by statement and an incomplete statement hangs the invocation:
 *    every script goes as ONE line, a base64-encoded script block
 *    `& ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('…'))))`,
 *    so no multi-line input, quoting or code page ever reaches the shell's reader.
 *  - any stderr byte becomes an exception by default: `throwOnInvocationError: false`; stderr is
 *    captured (redacted) and only used in messages.
 *  - `exit` kills the shell: no script of PrintHA contains it; every script returns ONE JSON object,
 *    the runner parses the last JSON line of stdout. A terminating error inside the script is caught
 *    by the envelope and returned as `{ kind: 'printha.error', … }`.
 *  - a timed-out invocation leaves the process busy (and node-powershell's queue stuck): on timeout
 *    the runner disposes the process and the next run starts a fresh one (`generation` + 1; sessions
 *    opened in the old process are gone, the remoting layer reopens them).
 *  - node-powershell keeps every command text in `history` (and the shell its own history): the
 *    runner empties `history` after every invocation, runs `Clear-History` after a block that carried
 *    a secret, starts with -NoProfile -NonInteractive, and turns off PSReadLine history saving when
 *    the module is loaded. A secret never appears in a script's text (PowerShell logs script blocks,
 *    event 4104): the block reads it from a one-shot local pipe into a SecureString (secret-pipe.ts).
 *    It is never logged — every text that leaves the runner passes the redactor, which knows the
 *    secret and its base64 form.
 *  - an instance that is never invoked leaks an unhandledRejection when the spawn fails: the runner
 *    invokes the init script right after spawning and observes the exit promise.
 */
import { PowerShell } from 'node-powershell';
import { childEnv } from '../runner/child-env.js';
import type { Redactor } from '../runner/redact.js';
import { quotePwsh } from '../../../shared/quote/powershell.js';
import type { PowerShellFound } from './find.js';
import { secretPipeLines, serveSecretOnce, type SecretPipe } from './secret-pipe.js';

/** What the runner needs of a node-powershell instance (the factory is injected by unit tests). */
export interface ShellLike {
  invoke(command: string): Promise<{ stdout?: Buffer; stderr?: Buffer; raw: string; hadErrors: boolean }>;
  dispose(signal?: NodeJS.Signals): Promise<void>;
  readonly history: unknown[];
}

export type ShellFactory = (exe: PowerShellFound) => ShellLike;

/**
 * The shell's environment: pwsh 7.6 in node-powershell's stdin mode writes `ESC[?1h ESC[?1l` before
 * every output line unless TERM is dumb (also with TERM unset), and PSStyle colours error text; both
 * are switched off here (and stripped again when read, for shells that ignore them).
 */
export function shellEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // PrintHA's secrets never reach the shell's environment (the password arrives over secret-pipe.ts).
  return { ...childEnv(env), TERM: 'dumb', NO_COLOR: '1', __SuppressAnsiEscapeSequences: '1' };
}

/** node-powershell options of the runner: no profile, non-interactive, UTF-8, no throw on stderr. */
export function shellOptions(exe: PowerShellFound, env: NodeJS.ProcessEnv = process.env) {
  return {
    executable: exe.path,
    executableOptions: { '-NoLogo': true, '-NoProfile': true, '-NonInteractive': true },
    spawnOptions: { windowsHide: true, env: shellEnv(env) },
    inputEncoding: 'utf-8' as const,
    outputEncoding: 'utf-8' as const,
    throwOnInvocationError: false,
    invocationTimeout: 0,
    debug: false,
  };
}

export const nodePowerShellFactory: ShellFactory = (exe) => {
  const ps = new PowerShell(shellOptions(exe));
  // Observe the exit promise: a spawn failure must not become an unhandledRejection.
  (ps as unknown as { exitPromise?: Promise<unknown> }).exitPromise?.catch(() => undefined);
  return ps;
};

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The one line sent to the shell for a script: a base64-encoded script block, invoked. */
export function encodedInvocation(script: string): string {
  return `& ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64(script)}'))))`;
}

/**
 * The script block every run executes: errors stop the block and come back as one JSON object.
 * `script` must not have a param() block (remoting.ts wraps full generated scripts for that).
 */
export function envelope(script: string, secretLines?: string): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    'try {',
    ...(secretLines !== undefined ? [secretLines] : []),
    script,
    '} catch {',
    '  $phaE = $_',
    '  $phaErr = [pscustomobject]@{',
    "    kind = 'printha.error'",
    '    message = [string]$phaE.Exception.Message',
    '    errorId = [string]$phaE.FullyQualifiedErrorId',
    '    category = [string]$phaE.CategoryInfo.Category',
    '    exception = [string]$phaE.Exception.GetType().FullName',
    '  }',
    '  ConvertTo-Json -InputObject $phaErr -Compress',
    '}',
  ].join('\n');
}

/** First script of every new shell: UTF-8 output, no progress, no history, the session tables. */
export const INIT_SCRIPT = [
  'try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList @($false) } catch { $null = $_ }',
  '$global:OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList @($false)',
  "$global:ProgressPreference = 'SilentlyContinue'",
  "$global:WarningPreference = 'SilentlyContinue'",
  "$global:InformationPreference = 'SilentlyContinue'",
  // PowerShell 7.2+: plain text for every formatted line (no colour sequences in error records).
  "$phaStyle = Get-Variable -Name 'PSStyle' -ValueOnly -ErrorAction SilentlyContinue",
  "if ($null -ne $phaStyle) { $phaStyle.OutputRendering = 'PlainText' }",
  "try { Remove-TypeData -TypeName 'System.Array' -ErrorAction SilentlyContinue } catch { $null = $_ }",
  "if ($null -ne (Get-Module -Name 'PSReadLine')) { try { Set-PSReadLineOption -HistorySaveStyle SaveNothing } catch { $null = $_ } }",
  'Clear-History',
  '$global:PrintHASessions = @{}',
  '$global:PrintHAJobs = @{}',
  '$phaInfo = [pscustomobject]@{',
  "  kind = 'printha.shell'",
  '  version = 1',
  '  psVersion = $PSVersionTable.PSVersion.ToString()',
  '  edition = [string]$PSVersionTable.PSEdition',
  '  platform = [string][System.Environment]::OSVersion.Platform',
  '}',
  'ConvertTo-Json -InputObject $phaInfo -Compress',
].join('\n');

export interface ShellInfo {
  psVersion: string;
  edition: string;
  platform: string;
}

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \\), and the two-byte ESC sequences (ESC =, ESC >, …).
// eslint-disable-next-line no-control-regex
const TERMINAL_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_=>]/g;

/** What a shell printed, without terminal control sequences, a byte-order mark or NULs. */
export function plainOutput(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(TERMINAL_SEQUENCE, '').replace(/\uFEFF/g, '').replace(/\u0000/g, '');
}

/** The last line of the text that is a JSON object, parsed; undefined when there is none. */
export function lastJsonObject(text: string): Record<string, unknown> | undefined {
  const lines = plainOutput(text).split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l.startsWith('{')) continue;
    try {
      const v = JSON.parse(l) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON: keep looking */
    }
  }
  return undefined;
}

export class PowerShellRunError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'process' | 'no-output' | 'script',
    /** For 'script': what PowerShell reported (FullyQualifiedErrorId, exception type). */
    readonly detail: { errorId?: string; exception?: string; stderr?: string } = {},
  ) {
    super(message);
    this.name = 'PowerShellRunError';
  }
}

export interface RunResult {
  value: Record<string, unknown>;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunnerOptions {
  factory?: ShellFactory;
  redact?: Redactor;
  /** Time the shell may take to start and run the init script. Default 60 s. */
  startTimeoutMs?: number;
}

export class PowerShellRunner {
  private shell: ShellLike | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly secrets = new Set<string>();
  /** Increments with every new PowerShell process: sessions live only as long as their process. */
  generation = 0;
  info: ShellInfo | undefined;

  constructor(
    readonly exe: PowerShellFound,
    private readonly opts: RunnerOptions = {},
  ) {}

  /** Registers a secret (and its base64 form) for redaction of everything the runner reports. */
  addSecret(secret: string): void {
    if (secret.length < 4) return;
    this.secrets.add(secret);
    this.secrets.add(b64(secret));
  }

  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[REDACTED]');
    return this.opts.redact ? this.opts.redact(out) : out;
  }

  /**
   * Runs a script (no param block) in the long-lived shell, one at a time, and returns the JSON
   * object it printed last. With `secret`, `$phaSecret` is a SecureString of it inside the script.
   */
  run(script: string, o: { timeoutMs: number; secret?: string }): Promise<RunResult> {
    const next = this.chain.then(
      () => this.runNow(script, o),
      () => this.runNow(script, o),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async ensureShell(): Promise<ShellLike> {
    if (this.shell) return this.shell;
    const factory = this.opts.factory ?? nodePowerShellFactory;
    let shell: ShellLike;
    try {
      shell = factory(this.exe);
    } catch (e) {
      throw new PowerShellRunError(
        `could not start PowerShell at ${this.exe.path}: ${e instanceof Error ? e.message : String(e)}`,
        'process',
      );
    }
    this.shell = shell;
    this.generation++;
    const r = await this.invokeLine(shell, encodedInvocation(INIT_SCRIPT), this.opts.startTimeoutMs ?? 60_000, 'starting PowerShell');
    const v = lastJsonObject(r.stdout);
    if (!v || v.kind !== 'printha.shell') {
      await this.kill();
      throw new PowerShellRunError(
        `PowerShell at ${this.exe.path} started but did not answer the init script${r.stderr ? `: ${this.redact(r.stderr).trim().slice(0, 500)}` : ''}`,
        'no-output',
      );
    }
    this.info = { psVersion: String(v.psVersion ?? ''), edition: String(v.edition ?? ''), platform: String(v.platform ?? '') };
    return shell;
  }

  private async kill(): Promise<void> {
    const s = this.shell;
    this.shell = undefined;
    this.info = undefined;
    if (s) await s.dispose('SIGTERM').catch(() => undefined);
  }

  /** One invocation with a timeout; on timeout or process death the shell is disposed. */
  private async invokeLine(
    shell: ShellLike,
    line: string,
    timeoutMs: number,
    what: string,
  ): Promise<{ stdout: string; stderr: string; durationMs: number }> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((res) => {
      timer = setTimeout(() => res('timeout'), timeoutMs);
    });
    const call = shell.invoke(line);
    call.catch(() => undefined);
    let rec: Awaited<ReturnType<ShellLike['invoke']>> | 'timeout';
    try {
      rec = await Promise.race([call, timeout]);
    } catch (e) {
      await this.kill();
      // node-powershell's ProcessError: "Shell process <pid> exited.\n<cause>"; the cause is what matters.
      const cause = (e as { originalError?: unknown }).originalError;
      const raw = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
      const m = /ENOENT/.test(raw) ? `the executable was not found (${raw})` : raw;
      throw new PowerShellRunError(
        `PowerShell (${this.exe.path}) failed while ${what}: ${this.redact(m).replace(/\s+/g, ' ').trim() || 'the process exited'}`,
        'process',
      );
    } finally {
      if (timer) clearTimeout(timer);
      // node-powershell keeps every command (secrets included) in history: never let it grow.
      shell.history.splice(0);
    }
    if (rec === 'timeout') {
      await this.kill();
      throw new PowerShellRunError(
        `PowerShell did not finish ${what} within ${seconds(timeoutMs)}; the local shell was restarted`,
        'timeout',
      );
    }
    if (rec.stdout === undefined) {
      // The process exited during the invocation (node-powershell resolves with no buffers then).
      await this.kill();
      throw new PowerShellRunError(`the local PowerShell exited while ${what}; it will be restarted for the next step`, 'process');
    }
    return {
      stdout: plainOutput(rec.stdout.toString('utf8')),
      stderr: plainOutput(rec.stderr?.toString('utf8') ?? ''),
      durationMs: performance.now() - t0,
    };
  }

  private async runNow(script: string, o: { timeoutMs: number; secret?: string }): Promise<RunResult> {
    const shell = await this.ensureShell();
    let pipe: SecretPipe | undefined;
    if (o.secret !== undefined) {
      this.addSecret(o.secret);
      pipe = await serveSecretOnce(o.secret);
    }
    let r: { stdout: string; stderr: string; durationMs: number };
    try {
      const lines = pipe ? secretPipeLines(pipe, quotePwsh) : undefined;
      r = await this.invokeLine(shell, encodedInvocation(envelope(script, lines)), o.timeoutMs, 'running a script');
    } finally {
      pipe?.close();
      if (pipe && this.shell === shell) {
        await this.invokeLine(shell, 'Clear-History', 15_000, 'clearing the history').catch(() => undefined);
      }
    }
    const value = lastJsonObject(r.stdout);
    const stderr = this.redact(r.stderr);
    if (!value) {
      const tail = (stderr || this.redact(r.stdout)).trim().split(/\r?\n/).slice(-5).join(' | ');
      throw new PowerShellRunError(`the script printed no JSON result${tail ? `: ${tail.slice(0, 800)}` : ''}`, 'no-output', { stderr });
    }
    if (value.kind === 'printha.error') {
      const errorId = typeof value.errorId === 'string' ? value.errorId : undefined;
      const exception = typeof value.exception === 'string' ? value.exception : undefined;
      throw new PowerShellRunError(this.redact(String(value.message ?? 'unknown PowerShell error')), 'script', {
        ...(errorId ? { errorId } : {}),
        ...(exception ? { exception } : {}),
        stderr,
      });
    }
    return { value, stdout: this.redact(r.stdout), stderr, durationMs: r.durationMs };
  }

  /** Disposes the process (sessions in it end with it). */
  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.kill();
  }
}
