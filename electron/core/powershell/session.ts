/**
 * PowerShellRemoteShell: the real RemoteShell — one long-lived local PowerShell (runner.ts) holding
 * one PSSession per Windows server (remoting.ts), reused across steps and reopened when it broke
 * (a reboot, a network cut, a restarted local shell).
 *
 * Generated scripts run as remote jobs (Invoke-Command -Session … -AsJob), so several servers work
 * at the same time although the local shell executes one command at a time: a single poller waits
 * on all running jobs (Wait-Job -Any -Timeout 1) and hands every finished job's JSON back to its
 * caller. A job that runs out of time is stopped and its session dropped; the local shell stays.
 *
 * Credentials: the Windows password is asked from the RunContext (vault, environment or prompt)
 * once per server and run, and reaches PowerShell only as a SecureString built inside the block
 * that opens the session (runner.ts). PowerShell over SSH uses a key file (no password prompt is
 * possible without a terminal).
 */
import type { Site } from '../../../shared/site/schema.js';
import type { RunContext } from '../engine/api.js';
import type { SshTrustCheck } from './ssh-trust.js';
import { PowerShellRunError, lastJsonObject, type PowerShellRunner } from './runner.js';
import {
  CLOSE_SESSIONS_SCRIPT,
  localScriptBody,
  openSessionScript,
  pollJobsScript,
  RemoteError,
  remoteErrorFrom,
  remoteTarget,
  remotingSupport,
  startJobScript,
  stopJobScript,
  type RemoteShell,
  type RemoteTarget,
} from './remoting.js';

export interface SessionOptions {
  runner: PowerShellRunner;
  site: Site;
  ctx: RunContext;
  platform?: NodeJS.Platform;
  /** ssh transport: private key for -KeyFilePath (default: PRINTHA_WINDOWS_SSH_KEY, else ctx.sshKeyPath). */
  sshKeyPath?: string;
  /** ssh transport: known_hosts file for strict host key checking (PowerShell 7.3+). */
  knownHostsFile?: string;
  /** ssh transport: checks (and on first contact confirms) the server's host key before pwsh connects. */
  sshTrust?: SshTrustCheck;
  /** Opening a session may take this long (WinRM OpenTimeout / SSH ConnectingTimeout). Default 30 s. */
  openTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

interface Pending {
  server: string;
  deadline: number;
  timeoutMs: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface JobReport {
  id: string;
  state: string;
  output?: unknown;
  errors?: unknown;
  reason?: unknown;
  reasonType?: unknown;
}

function asArray(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && 'value' in v && Array.isArray((v as { value: unknown }).value)) return (v as { value: unknown[] }).value;
  return [v];
}

function versionAtLeast(v: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

/** The lines ssh printed (the last few, each ending in '. '), for the error message; '' when none. */
function sshSaid(stderr: string | undefined): string {
  const lines = (stderr ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.length === 0 ? '' : `${lines.slice(-3).join(' ').replace(/\.?$/, '.')} `;
}

export class PowerShellRemoteShell implements RemoteShell {
  private readonly runner: PowerShellRunner;
  private readonly platform: NodeJS.Platform;
  /** runner.generation the session of each server was opened in (absent: not open). */
  private readonly sessionGen = new Map<string, number>();
  private readonly passwords = new Map<string, string | undefined>();
  private readonly pending = new Map<string, Pending>();
  private polling = false;
  private jobSeq = 0;

  constructor(private readonly o: SessionOptions) {
    this.runner = o.runner;
    this.platform = o.platform ?? process.platform;
  }

  private target(server: string): RemoteTarget {
    const env = this.o.env ?? process.env;
    const key = this.o.sshKeyPath ?? env.PRINTHA_WINDOWS_SSH_KEY ?? this.o.ctx.sshKeyPath;
    const version = this.runner.info?.psVersion;
    const t = remoteTarget(this.o.site, server, {
      ...(key ? { keyFilePath: key } : {}),
      ...(this.o.knownHostsFile && versionAtLeast(version, 7, 3) ? { knownHostsFile: this.o.knownHostsFile } : {}),
      // -ConnectingTimeout exists from PowerShell 7.2; WinRM's OpenTimeout always.
      ...(this.o.site.windows.transport !== 'ssh' || versionAtLeast(version, 7, 2)
        ? { openTimeoutMs: this.o.openTimeoutMs ?? 30_000 }
        : {}),
    });
    return t;
  }

  private async password(t: RemoteTarget): Promise<string | undefined> {
    if (this.passwords.has(t.label)) return this.passwords.get(t.label);
    const p = await this.o.ctx.credential({ kind: 'windows-password', host: t.label, user: t.user });
    if (p) this.runner.addSecret(p);
    this.passwords.set(t.label, p);
    return p;
  }

  private isOpen(server: string): boolean {
    return this.sessionGen.get(server) === this.runner.generation && this.runner.generation > 0;
  }

  private async openSession(server: string): Promise<void> {
    const support = remotingSupport(this.runner.exe, this.platform, this.o.site.windows.transport);
    if (support) throw new RemoteError('unsupported', server, support);
    let t = this.target(server);
    if (t.transport === 'ssh' && !t.keyFilePath)
      throw new RemoteError(
        'config',
        server,
        `windows.transport is ssh but no key file is set for ${server}: set PRINTHA_WINDOWS_SSH_KEY to the private key whose public key is in ${t.user}'s authorized_keys on the server (PowerShell over SSH cannot answer a password prompt)`,
      );
    if (t.transport === 'ssh' && this.o.sshTrust) await this.o.sshTrust(t);
    let secret: string | undefined;
    if (t.transport !== 'ssh') {
      secret = await this.password(t);
      if (secret === undefined && this.platform !== 'win32')
        throw new RemoteError(
          'config',
          server,
          `no Windows password for ${t.user} on ${server}: set PRINTHA_WINDOWS_PASSWORD, store it in the vault, or answer the prompt`,
        );
    }
    try {
      // The first run starts the shell; the target depends on its version (-ConnectingTimeout, -Options).
      if (!this.runner.info)
        await this.runner.run("ConvertTo-Json -InputObject ([pscustomobject]@{ kind = 'printha.ping' }) -Compress", { timeoutMs: 60_000 });
      t = this.target(server);
      const credential = secret !== undefined;
      const timeoutMs = (t.openTimeoutMs ?? 30_000) + 30_000;
      const r = await this.runner.run(openSessionScript(t, { credential }), { timeoutMs, ...(credential ? { secret } : {}) });
      if (r.value.kind !== 'printha.session' || r.value.state !== 'Opened')
        throw remoteErrorFrom(`the session did not open (state ${String(r.value.state ?? 'unknown')})`, t, 'unreachable');
      this.sessionGen.set(server, this.runner.generation);
    } catch (e) {
      this.sessionGen.delete(server);
      if (e instanceof RemoteError) throw e;
      // ssh writes why it failed (refused key, unknown host key, no route) to the shell's stderr, not
      // into the error record ("The SSH transport process has abruptly terminated"): classify both.
      if (e instanceof PowerShellRunError && e.kind === 'script')
        throw remoteErrorFrom(sshSaid(e.detail.stderr) + `${e.message} ${e.detail.errorId ?? ''}`.trim(), t);
      if (e instanceof PowerShellRunError && e.kind === 'timeout') throw remoteErrorFrom(e.message, t, 'unreachable');
      throw new RemoteError('shell', server, e instanceof Error ? e.message : String(e));
    }
  }

  async invoke(server: string, scriptText: string, timeoutMs: number): Promise<unknown> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.isOpen(server)) await this.openSession(server);
      const id = `j${++this.jobSeq}`;
      let started: Record<string, unknown>;
      try {
        started = (await this.runner.run(startJobScript(server, id, scriptText), { timeoutMs: 60_000 })).value;
      } catch (e) {
        this.sessionGen.delete(server);
        throw new RemoteError('shell', server, `could not start the script on ${server}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (started.started !== true) {
        // The session broke since it was opened (reboot, network): reopen once.
        this.sessionGen.delete(server);
        continue;
      }
      return new Promise<unknown>((resolve, reject) => {
        this.pending.set(id, { server, deadline: Date.now() + timeoutMs, timeoutMs, resolve, reject });
        void this.pollLoop();
      });
    }
    throw remoteErrorFrom('the session broke again right after it was reopened', this.target(server), 'connection-lost');
  }

  private settle(id: string, report: JobReport): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const t = this.target(p.server);
    const output = asArray(report.output).map(String).join('\n');
    const errors = asArray(report.errors).map(String);
    const reason = typeof report.reason === 'string' ? report.reason : '';
    if (report.state === 'Missing') {
      this.sessionGen.delete(p.server);
      p.reject(
        new RemoteError('shell', p.server, `the local PowerShell was restarted while a script ran on ${p.server}; run the step again`),
      );
      return;
    }
    if (report.state === 'Failed' || report.state === 'Stopped' || report.state === 'Disconnected') {
      this.sessionGen.delete(p.server);
      const raw = reason || errors.join(' ') || `the remote job ended in state ${report.state}`;
      const kind = /Transport|Broken|Remoting/i.test(String(report.reasonType ?? '')) ? 'connection-lost' : undefined;
      p.reject(remoteErrorFrom(this.runner.redact(raw), t, kind));
      return;
    }
    const value = lastJsonObject(output);
    if (!value) {
      const why = this.runner.redact(errors.join(' | ') || output.slice(-400) || 'no output');
      p.reject(new RemoteError('script', p.server, `${p.server}: the script printed no JSON result: ${why}`));
      return;
    }
    p.resolve(value);
  }

  private async pollLoop(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.pending.size > 0) {
        const ids = [...this.pending.keys()];
        let jobs: JobReport[];
        try {
          const r = await this.runner.run(pollJobsScript(ids, 1), { timeoutMs: 60_000 });
          jobs = asArray(r.value.jobs).filter(
            (j): j is JobReport => typeof j === 'object' && j !== null && typeof (j as JobReport).id === 'string',
          );
        } catch (e) {
          const m = e instanceof Error ? e.message : String(e);
          for (const [id, p] of this.pending) {
            this.pending.delete(id);
            this.sessionGen.delete(p.server);
            p.reject(new RemoteError('shell', p.server, `lost track of the script on ${p.server}: ${m}`));
          }
          return;
        }
        for (const j of jobs) if (!['NotStarted', 'Running', 'Stopping'].includes(j.state)) this.settle(j.id, j);
        const now = Date.now();
        for (const [id, p] of [...this.pending]) {
          if (now < p.deadline) continue;
          this.pending.delete(id);
          this.sessionGen.delete(p.server);
          await this.runner.run(stopJobScript(p.server, id), { timeoutMs: 60_000 }).catch(() => undefined);
          p.reject(
            new RemoteError(
              'timeout',
              p.server,
              `the script on ${p.server} did not finish within ${Math.round(p.timeoutMs / 1000)} s; it was stopped (the server may be partly changed: run the step again, every step is idempotent)`,
            ),
          );
        }
      }
    } finally {
      this.polling = false;
    }
  }

  async invokeLocal(scriptText: string, timeoutMs: number): Promise<unknown> {
    try {
      return (await this.runner.run(localScriptBody(scriptText), { timeoutMs })).value;
    } catch (e) {
      throw new RemoteError(
        e instanceof PowerShellRunError && e.kind === 'timeout' ? 'timeout' : 'script',
        'local',
        `on this machine: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  forget(server: string): void {
    // A session whose server restarted may still say Opened; a job started in it waits on a dead transport.
    this.sessionGen.delete(server);
  }

  async close(): Promise<void> {
    if (this.runner.info) await this.runner.run(CLOSE_SESSIONS_SCRIPT, { timeoutMs: 30_000 }).catch(() => undefined);
    this.sessionGen.clear();
    await this.runner.close();
  }
}
