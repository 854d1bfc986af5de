/**
 * StrictFakeHost: a FAKE balancer node for driver unit tests (not an SSH server). It replays an
 * exec/upload transcript in order and REJECTS any command it does not expect (wrong command,
 * wrong order, or one too many): the call throws and the violation is recorded, so a driver that
 * swallows the error still fails the test through `assertDone()`.
 */
import type { RemoteHost } from '../../../electron/core/drivers/types.js';
import type { ExecOptions, ExecResult, SshTarget, UploadOptions, UploadResult } from '../../../electron/core/ssh/index.js';
import { shellJoin } from '../../../shared/quote/posix.js';

export type FakeReply = Partial<Pick<ExecResult, 'stdout' | 'stderr' | 'code' | 'timedOut'>>;

export type Expectation =
  | { exec: RegExp; reply?: FakeReply | ((argv: readonly string[]) => FakeReply); throws?: Error; what?: string }
  | { upload: string; throws?: Error; check?: (content: string, opts?: UploadOptions) => void; what?: string };

export class StrictFakeError extends Error {
  override name = 'StrictFakeError';
}

export function ok(stdout = ''): FakeReply {
  return { stdout, stderr: '', code: 0 };
}

export class StrictFakeHost implements RemoteHost {
  readonly target: SshTarget;
  readonly calls: string[] = [];
  readonly uploads: { path: string; content: string; mode?: number }[] = [];
  readonly violations: string[] = [];
  private readonly script: Expectation[];

  constructor(
    readonly name: string,
    address: string,
    script: Expectation[],
  ) {
    this.target = { host: address, port: 22, user: 'root' };
    this.script = [...script];
  }

  /** Appends more expected calls (e.g. the rollback after a failure). */
  expect(...more: Expectation[]): this {
    this.script.push(...more);
    return this;
  }

  private reject(what: string): never {
    const next = this.script[0];
    const expected = !next ? 'nothing more' : 'exec' in next ? `exec ${next.what ?? next.exec}` : `upload ${next.upload}`;
    const msg = `StrictFakeHost(${this.name}): unexpected ${what} (call #${this.calls.length}); expected ${expected}`;
    this.violations.push(msg);
    throw new StrictFakeError(msg);
  }

  async exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    if (!(opts.timeoutMs > 0)) this.reject(`exec without a timeout: ${shellJoin(argv)}`);
    const line = shellJoin(argv);
    this.calls.push(`exec ${line}`);
    const next = this.script[0];
    if (!next || !('exec' in next) || !next.exec.test(line)) this.reject(`exec ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    this.script.shift();
    if (next.throws) throw next.throws;
    const r = typeof next.reply === 'function' ? next.reply(argv) : (next.reply ?? ok());
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code ?? 0, signal: null, timedOut: r.timedOut ?? false, aborted: false, truncated: false, durationMs: 1 };
  }

  async upload(remotePath: string, content: string | Buffer, opts?: UploadOptions): Promise<UploadResult> {
    this.calls.push(`upload ${remotePath}`);
    const next = this.script[0];
    if (!next || !('upload' in next) || next.upload !== remotePath) this.reject(`upload ${remotePath}`);
    this.script.shift();
    if (next.throws) throw next.throws;
    const text = typeof content === 'string' ? content : content.toString('utf8');
    next.check?.(text, opts);
    this.uploads.push({ path: remotePath, content: text, ...(opts?.mode !== undefined ? { mode: opts.mode } : {}) });
    return { remotePath, bytes: Buffer.byteLength(text), mode: opts?.mode ?? 0o644, method: 'sftp-posix-rename', fsynced: true };
  }

  /** Every expected call happened and nothing unexpected was tried. */
  assertDone(): void {
    const problems = [...this.violations];
    if (this.script.length > 0) problems.push(`StrictFakeHost(${this.name}): ${this.script.length} expected call(s) never happened, first: ${JSON.stringify(this.script[0], (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}`);
    if (problems.length > 0) throw new StrictFakeError(problems.join('\n'));
  }
}

/** What the linux-haproxy discovery script prints for a node. */
export function linuxDiscovery(o: {
  hostname: string;
  files: Record<string, string | null>;
  services?: Record<string, string>;
  holdsVip?: string;
  address: string;
  pending?: string;
  haproxyVersion?: string;
}): string {
  const L: string[] = [];
  L.push('@@hostname', o.hostname);
  L.push('@@haproxy-version', `HAProxy version ${o.haproxyVersion ?? '2.6.12-1+deb12u4'} 2026/10/17 - https://haproxy.org/`);
  L.push('@@keepalived-version', 'Keepalived v2.2.7 (01/16,2022)');
  L.push('@@services');
  for (const [s, st] of Object.entries(o.services ?? { haproxy: 'active', keepalived: 'active' })) L.push(`${s} ${st}`);
  L.push('@@addr', '1: lo    inet 127.0.0.1/8 scope host lo', `2: eth0    inet ${o.address}/24 scope global eth0`);
  if (o.holdsVip) L.push(`2: eth0    inet ${o.holdsVip}/32 scope global eth0`);
  L.push('@@pending');
  if (o.pending) L.push(o.pending);
  for (const [path, content] of Object.entries(o.files)) {
    if (content === null) L.push(`@@absent ${path}`);
    else L.push(`@@file ${path.includes('printha-halfopen-check') ? '755' : '644'} root ${path}`, Buffer.from(content).toString('base64'));
  }
  L.push('@@end');
  return L.join('\n') + '\n';
}
