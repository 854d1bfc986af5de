/**
 * One verified, authenticated SSH connection (ssh2 Client) and the primitives the appliance
 * drivers build on: exec (argv only, quoted by shellJoin), atomic upload, readFile.
 *
 * Host keys: our hostVerifier is ALWAYS installed (ssh2 accepts any key without one), `hostHash`
 * is never set so we get the raw key blob, and `ready` is refused unless our verifier approved
 * the key. Authentication: only the configured methods, in the order key → agent → password;
 * no `none` probe, no keyboard-interactive, no retry after a failure.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import ssh2, { Client, type AnyAuthMethod, type ClientChannel, type ConnectConfig, type SFTPWrapper, type ServerHostKeyAlgorithm, type Stats } from 'ssh2';
import { shellJoin } from '../../../shared/quote/posix.js';
import {
  SshError,
  authFailedError,
  connectTimeoutError,
  disconnectedError,
  diskFullError,
  hostKeyChangedError,
  hostKeyRevokedError,
  hostKeyUnknownError,
  sftpFailedError,
  unreachableError,
  commandTimeoutError,
} from './errors.js';
import { type KnownHostKey, type KnownHosts, fingerprintSha256, keyTypeOfBlob, normalizeFingerprint } from './known-hosts.js';

// ssh2 is CommonJS: Node's ESM loader (tsx, the CLI) only sees the exports it can detect statically,
// and `utils` is not one of them, so it is read from the default export.
const ssh2utils = ssh2.utils;

// ---------------------------------------------------------------------------------------------
// Types

export interface SshTarget {
  host: string;
  port: number;
  user: string;
}

/** Credentials. Only what is set is tried, in the order key → agent → password. */
export interface SshAuth {
  /** Path of an OpenSSH/PEM/PPK private key file (`~/` expanded). */
  privateKeyPath?: string;
  /** The private key itself (wins over privateKeyPath). */
  privateKey?: string | Buffer;
  passphrase?: string;
  password?: string;
  /** ssh-agent socket path (pass process.env.SSH_AUTH_SOCK) or "pageant" on Windows. */
  agent?: string;
}

export interface UnknownHostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** key types already known for this host (OpenSSH warns when this is not empty) */
  otherKeyTypes: string[];
  /**
   * The keys of those types with their fingerprints. Not empty: the host IS known, but it now
   * presents a key of a type PrintHA has never seen for it (a man-in-the-middle, or a re-installed
   * server) — ask louder than on first contact.
   */
  otherKeys: KnownHostKey[];
}

/** true = trust and save to known_hosts; 'accept-once' = trust for this connection only. */
export type HostKeyDecision = boolean | 'accept-and-save' | 'accept-once' | 'reject';

/**
 * What to do with a host key that known_hosts does not know. A CHANGED or REVOKED key is always a
 * hard stop, whatever the policy.
 *  - 'strict': refuse (HOST_KEY_UNKNOWN); for non-interactive runs.
 *  - 'accept-new': trust on first use without asking and save (OpenSSH StrictHostKeyChecking=accept-new).
 *  - 'accept-fingerprint:SHA256:…': trust and save only if the key has exactly this fingerprint
 *    (pre-seeded from the appliance console or a site sheet); another key → HOST_KEY_CHANGED.
 *  - { onUnknown }: ask (UI prompt / CLI question). The connect deadline is paused while asking;
 *    `decisionTimeoutMs` (default 5 min) bounds the wait.
 */
export type HostKeyPolicy =
  | 'strict'
  | 'accept-new'
  | `accept-fingerprint:${string}`
  | {
      onUnknown: (info: UnknownHostKeyInfo) => HostKeyDecision | Promise<HostKeyDecision>;
      decisionTimeoutMs?: number;
    };

/** Counters per host:port:user, kept by the pool (also after close) for benchmarks. */
export interface SshStats {
  /** SSH connections established (TCP + handshake + auth) */
  connections: number;
  /** connect attempts that failed */
  connectFailures: number;
  /** exec channels opened (including the layer's own helpers such as `mv -f`) */
  commands: number;
  uploads: number;
  reads: number;
  bytesUploaded: number;
}

export function emptyStats(): SshStats {
  return { connections: 0, connectFailures: 0, commands: 0, uploads: 0, reads: 0, bytesUploaded: 0 };
}

export interface ConnectOptions {
  knownHosts: KnownHosts;
  hostKeyPolicy: HostKeyPolicy;
  /** TCP + handshake + authentication deadline (paused while a host-key prompt waits). Default 20000. */
  connectTimeoutMs?: number;
  /** SSH-level keepalive interval; 0 disables. Default 15000. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is considered dead. Default 3. */
  keepaliveCountMax?: number;
  /** Concurrent exec channels per connection (OpenSSH MaxSessions is 10; SFTP uses one). Default 6. */
  maxConcurrentExec?: number;
  /** Counters to increment (the pool passes its per-host record). */
  stats?: SshStats;
}

export interface ExecOptions {
  /** Kill the command after this long (channel closed, TERM sent) and report timedOut. Required. */
  timeoutMs: number;
  /** Sent to the command's stdin, then EOF. Without it stdin is closed at once. Put secrets here, never in argv/env. */
  stdin?: string | Buffer;
  /** Environment, applied as `env NAME=value argv…` (ssh env requests are ignored by most sshd configs). */
  env?: Record<string, string>;
  /** Cancels like a timeout (result.aborted). */
  signal?: AbortSignal;
  /** Streaming output for progress display. */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Stop collecting output beyond this many bytes per stream (result.truncated). Default 32 MiB. */
  maxOutputBytes?: number;
  /** 'throw' turns a timeout into a COMMAND_TIMEOUT error. Default 'return'. */
  onTimeout?: 'return' | 'throw';
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** exit status; null when the command was killed by a signal, timed out or the server sent none */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface UploadOptions {
  /** File mode of the result (e.g. 0o640). Default: the existing file's mode, else 0o644. */
  mode?: number;
  /** Deadline for the whole upload. Default 120000. */
  timeoutMs?: number;
}

export type UploadMethod = 'sftp-posix-rename' | 'sftp-mv' | 'exec-cat';

export interface UploadResult {
  /** the path actually replaced (symlinks are resolved so the link survives) */
  remotePath: string;
  bytes: number;
  mode: number;
  method: UploadMethod;
  fsynced: boolean;
}

export interface HostKeyInfo {
  keyType: string;
  fingerprint: string;
  /** how it was trusted on this connection */
  trust: 'known' | 'accepted-saved' | 'accepted-once';
}

// ---------------------------------------------------------------------------------------------
// Helpers

const DEFAULT_HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Host key algorithms, with the ones known_hosts already has for this host first (as OpenSSH does). */
function hostKeyAlgorithmOrder(knownTypes: string[]): string[] {
  const keyTypeOf = (algo: string): string => (algo.startsWith('rsa-sha2-') ? 'ssh-rsa' : algo);
  const preferred = DEFAULT_HOST_KEY_ALGOS.filter((a) => knownTypes.includes(keyTypeOf(a)));
  return [...preferred, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferred.includes(a))];
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p;
}

interface PreparedAuth {
  handlers: AnyAuthMethod[];
  methods: string[];
}

function prepareAuth(target: SshTarget, auth: SshAuth): PreparedAuth {
  const handlers: AnyAuthMethod[] = [];
  const methods: string[] = [];
  const fail = (reason: string): never => {
    throw authFailedError({ host: target.host, port: target.port, user: target.user, methods: [], reason });
  };
  if (auth.privateKey !== undefined || auth.privateKeyPath !== undefined) {
    const label = auth.privateKeyPath !== undefined && auth.privateKey === undefined ? `the private key ${auth.privateKeyPath}` : 'the private key';
    let data: string | Buffer;
    if (auth.privateKey !== undefined) {
      data = auth.privateKey;
    } else {
      const path = expandHome(auth.privateKeyPath as string);
      try {
        data = readFileSync(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        return fail(`${label} cannot be read (${code}). Check the path and its permissions.`);
      }
    }
    const parsed = ssh2utils.parseKey(data, auth.passphrase);
    if (parsed instanceof Error) {
      const m = parsed.message;
      if (/no passphrase/i.test(m)) return fail(`${label} is encrypted: give its passphrase.`);
      if (/decrypt|passphrase|bad decrypt/i.test(m)) return fail(`the passphrase for ${label} is wrong.`);
      return fail(`${label} is not a private key PrintHA can read (${m}).`);
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || !key.isPrivateKey()) return fail(`${label} is a public key; give the private key file.`);
    handlers.push({ type: 'publickey', username: target.user, key });
    methods.push('publickey');
  }
  if (auth.agent !== undefined && auth.agent !== '') {
    handlers.push({ type: 'agent', username: target.user, agent: auth.agent });
    methods.push('agent');
  }
  if (auth.password !== undefined) {
    handlers.push({ type: 'password', username: target.user, password: auth.password });
    methods.push('password');
  }
  if (handlers.length === 0) fail('no password, key or agent was given. Enter a password or choose a key.');
  return { handlers, methods };
}

function validateTarget(t: SshTarget): void {
  if (typeof t.host !== 'string' || t.host.trim() === '' || /\s/.test(t.host)) throw new TypeError(`invalid SSH host: ${JSON.stringify(t.host)}`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new TypeError(`invalid SSH port for ${t.host}: ${t.port}`);
  if (typeof t.user !== 'string' || t.user === '' || /[\s@]/.test(t.user)) throw new TypeError(`invalid SSH user for ${t.host}: ${JSON.stringify(t.user)}`);
}

/** A deadline that can be paused (while a human decides about a host key). */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private remaining: number;
  private startedAt = 0;
  constructor(
    ms: number,
    private readonly onExpire: () => void,
  ) {
    this.remaining = ms;
  }
  start(): void {
    if (this.timer || this.remaining <= 0) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.remaining = 0;
      this.onExpire();
    }, this.remaining);
  }
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = Math.max(1, this.remaining - (Date.now() - this.startedAt));
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = 0;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string | number;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

function mapConnectError(err: Ssh2Error, target: SshTarget, methods: string[], timeoutMs: number): SshError {
  if (err instanceof SshError) return err;
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (err.level === 'client-authentication') return authFailedError({ ...target, methods });
  if (err.level === 'client-timeout' || code === 'ETIMEDOUT') return connectTimeoutError({ host: target.host, port: target.port, timeoutMs });
  if (code && UNREACHABLE_CODES.has(code)) return unreachableError({ host: target.host, port: target.port, cause: code });
  if (err.level === 'client-dns') return unreachableError({ host: target.host, port: target.port, cause: code ?? 'ENOTFOUND' });
  if (code === 'ECONNRESET') return disconnectedError({ ...target, reason: 'the host reset the connection during login' });
  if (err.level === 'agent') return authFailedError({ ...target, methods, reason: `the SSH agent could not be used (${err.message}). Check that it runs and holds the key.` });
  return disconnectedError({ ...target, reason: `SSH handshake failed: ${err.message}` });
}

/**
 * Channel.signal() in ssh2 silently does nothing once stdin was ended (it checks `writable`), but
 * SSH allows a "signal" request on any open channel after EOF. Send it through the protocol
 * object the same way Channel.signal() does, falling back to the public method.
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL' | 'INT'): void {
  const ch = channel as unknown as {
    type?: string;
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  };
  try {
    const proto = ch._client?._protocol;
    if (ch.type === 'session' && (ch.outgoing?.state === 'open' || ch.outgoing?.state === 'eof') && typeof ch.outgoing.id === 'number' && typeof proto?.signal === 'function') {
      proto.signal(ch.outgoing.id, name);
    } else {
      channel.signal(name);
    }
  } catch {
    /* not supported or already closed */
  }
}

const sftpUnsupported = (err: unknown): boolean => err instanceof Error && /does not support this extended request/i.test(err.message);

// ---------------------------------------------------------------------------------------------
// connect()

/**
 * Opens a verified, authenticated connection. Rejects with SshError: HOST_KEY_UNKNOWN /
 * HOST_KEY_CHANGED / HOST_KEY_REVOKED, AUTH_FAILED, CONNECT_TIMEOUT, UNREACHABLE, DISCONNECTED.
 */
export async function connect(target: SshTarget, auth: SshAuth, opts: ConnectOptions): Promise<SshConnection> {
  validateTarget(target);
  const prepared = prepareAuth(target, auth);
  const stats = opts.stats;
  let preapproved: Preapproval | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const conn = await connectOnce(target, prepared, opts, preapproved);
      if (stats) stats.connections++;
      return conn;
    } catch (err) {
      // The host may have dropped us (LoginGraceTime) while the engineer was reading the
      // fingerprint: retry once with the fingerprint they approved. Never retry auth failures.
      const approval = approvalsOfFailures.get(err as object);
      if (attempt === 0 && approval && err instanceof SshError && (err.code === 'DISCONNECTED' || err.code === 'CONNECT_TIMEOUT')) {
        preapproved = approval;
        continue;
      }
      if (stats) stats.connectFailures++;
      throw err;
    }
  }
}

interface Preapproval {
  fingerprint: string;
  save: boolean;
}

/** Host keys a human approved on an attempt that then failed (the host dropped us meanwhile). */
const approvalsOfFailures = new WeakMap<object, Preapproval>();

function connectOnce(target: SshTarget, prepared: PreparedAuth, opts: ConnectOptions, preapproved: Preapproval | undefined): Promise<SshConnection> {
  const { knownHosts, hostKeyPolicy } = opts;
  const timeoutMs = opts.connectTimeoutMs ?? 20_000;
  const client = new Client();
  let approved: HostKeyInfo | undefined;
  let verifierError: SshError | undefined;
  let settled = false;
  // While a human looks at the fingerprint, a dropped connection is remembered, not reported.
  let prompting = false;
  let deferred: SshError | undefined;

  return new Promise<SshConnection>((resolve, reject) => {
    const fail = (err: SshError): void => {
      if (settled) return;
      settled = true;
      deadline.stop();
      if (approved && approved.trust !== 'known') approvalsOfFailures.set(err, { fingerprint: approved.fingerprint, save: approved.trust === 'accepted-saved' });
      client.removeAllListeners('ready');
      client.on('error', () => undefined); // late errors after we gave up
      client.destroy();
      reject(err);
    };
    const deadline = new Deadline(timeoutMs, () => fail(connectTimeoutError({ host: target.host, port: target.port, timeoutMs })));

    const decideUnknown = async (
      keyType: string,
      fingerprint: string,
      otherKeyTypes: string[],
      otherKeys: KnownHostKey[],
    ): Promise<'save' | 'once' | SshError> => {
      const unknown = (reason?: string): SshError =>
        hostKeyUnknownError({ host: target.host, port: target.port, keyType, fingerprint, otherKeyTypes, otherKeys, knownHostsPath: knownHosts.path, ...(reason ? { reason } : {}) });
      if (preapproved !== undefined && preapproved.fingerprint === fingerprint) return preapproved.save ? 'save' : 'once';
      if (hostKeyPolicy === 'strict') return unknown('The host-key policy is strict, so unknown hosts are refused.');
      if (hostKeyPolicy === 'accept-new') return 'save';
      if (typeof hostKeyPolicy === 'string') {
        const m = /^accept-fingerprint:(.+)$/.exec(hostKeyPolicy);
        if (!m?.[1]) return unknown(`The host-key policy ${JSON.stringify(hostKeyPolicy)} is not valid.`);
        const want = normalizeFingerprint(m[1]);
        if (want === fingerprint) return 'save';
        return hostKeyChangedError({ host: target.host, port: target.port, keyType, actual: fingerprint, expected: [want], source: 'expected-fingerprint' });
      }
      const waitMs = hostKeyPolicy.decisionTimeoutMs ?? 300_000;
      deadline.pause();
      prompting = true;
      let decision: HostKeyDecision;
      try {
        decision = await withTimeout(
          Promise.resolve().then(() => hostKeyPolicy.onUnknown({ host: target.host, port: target.port, keyType, fingerprint, otherKeyTypes, otherKeys })),
          waitMs,
          () => unknown(`Nobody confirmed the fingerprint within ${Math.round(waitMs / 1000)} s.`),
        );
      } catch (err) {
        return err instanceof SshError ? err : unknown('The confirmation prompt failed.');
      } finally {
        prompting = false;
      }
      deadline.start();
      if (decision === true || decision === 'accept-and-save') return 'save';
      if (decision === 'accept-once') return 'once';
      return unknown('The fingerprint was not accepted.');
    };

    const verifyKey = async (key: Buffer): Promise<boolean> => {
      const keyType = keyTypeOfBlob(key);
      const fingerprint = fingerprintSha256(key);
      // re-key on an established connection: the key must be the one approved at login
      if (approved) return approved.fingerprint === fingerprint;
      const res = knownHosts.verify(target.host, target.port, keyType, key);
      switch (res.status) {
        case 'match':
          approved = { keyType, fingerprint, trust: 'known' };
          return true;
        case 'revoked':
          verifierError = hostKeyRevokedError({ host: target.host, port: target.port, keyType, fingerprint, file: res.file, line: res.line });
          return false;
        case 'mismatch':
          verifierError = hostKeyChangedError({
            host: target.host,
            port: target.port,
            keyType,
            actual: res.actual,
            expected: res.expected,
            locations: res.locations,
            source: 'known_hosts',
          });
          return false;
        case 'unknown': {
          const d = await decideUnknown(keyType, fingerprint, res.otherKeyTypes, res.otherKeys);
          if (d instanceof SshError) {
            verifierError = d;
            if (deferred) fail(d);
            return false;
          }
          if (d === 'save') {
            try {
              await knownHosts.add(target.host, target.port, keyType, key);
            } catch (err) {
              const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
              verifierError = disconnectedError({ ...target, reason: `the accepted host key could not be saved to ${knownHosts.path} (${code})` });
              if (deferred) fail(verifierError);
              return false;
            }
            approved = { keyType, fingerprint, trust: 'accepted-saved' };
          } else {
            approved = { keyType, fingerprint, trust: 'accepted-once' };
          }
          if (deferred) {
            fail(deferred);
            return false;
          }
          return true;
        }
      }
    };

    let knownTypes: string[];
    try {
      knownTypes = knownHosts.knownKeyTypes(target.host, target.port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      fail(disconnectedError({ ...target, reason: `the known_hosts file ${knownHosts.path} cannot be read (${code})` }));
      return;
    }

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      // hostHash deliberately unset: the verifier receives the raw key blob
      hostVerifier: (key: Buffer, callback: (valid: boolean) => void) => {
        // Once we gave up on this attempt (fail() destroyed the client) ssh2 must not be called back.
        verifyKey(key).then(
          (ok) => {
            if (!settled) callback(ok);
          },
          (err: unknown) => {
            verifierError ??= disconnectedError({ ...target, reason: `host key check failed: ${err instanceof Error ? err.message : String(err)}` });
            if (!settled) callback(false);
          },
        );
      },
      authHandler: prepared.handlers,
      tryKeyboard: false,
      readyTimeout: 0, // our Deadline covers TCP + handshake + auth and pauses during the prompt
      keepaliveInterval: opts.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: opts.keepaliveCountMax ?? 3,
      algorithms: { serverHostKey: hostKeyAlgorithmOrder(knownTypes) as ServerHostKeyAlgorithm[] },
    };

    client.on('ready', () => {
      if (settled) return;
      if (!approved) {
        // Defence in depth: never proceed on a connection our verifier did not approve.
        fail(disconnectedError({ ...target, reason: 'the host key was not verified' }));
        return;
      }
      settled = true;
      deadline.stop();
      resolve(new SshConnection(client, target, approved, opts));
    });
    client.on('error', (err: Ssh2Error) => {
      if (settled) return;
      const mapped = verifierError ?? mapConnectError(err, target, prepared.methods, timeoutMs);
      if (prompting) deferred ??= mapped;
      else fail(mapped);
    });
    client.on('close', () => {
      if (settled) return;
      const mapped = verifierError ?? disconnectedError({ ...target, reason: 'the host closed the connection during login' });
      if (prompting) deferred ??= mapped;
      else fail(mapped);
    });

    deadline.start();
    try {
      client.connect(config);
    } catch (err) {
      fail(disconnectedError({ ...target, reason: err instanceof Error ? err.message : String(err) }));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// SshConnection

type RawExecResult = Omit<ExecResult, 'stdout' | 'stderr'> & { stdout: Buffer; stderr: Buffer };

/** The server refused to open a session channel (nothing ran; safe to try again). */
function isChannelOpenRefusal(err: unknown): boolean {
  return err instanceof SshError && /channel open failure/i.test(String(err.details.reason ?? ''));
}

/** The exit status of one exec channel, filled by the listener attached in the exec callback. */
interface ExitSeen {
  seen: boolean;
  code: number | null;
  signal: string | null;
}

export class SshConnection {
  readonly target: SshTarget;
  readonly hostKey: HostKeyInfo;
  private readonly client: Client;
  private readonly stats: SshStats;
  private readonly maxExec: number;
  private running = 0;
  private readonly waiters: (() => void)[] = [];
  private closedFlag = false;
  private closeReason = 'closed';
  private readonly closeListeners = new Set<(reason: string) => void>();
  private sftpPromise: Promise<SFTPWrapper | null> | undefined;

  /** Use connect() or SshPool.connect(). */
  constructor(client: Client, target: SshTarget, hostKey: HostKeyInfo, opts: Pick<ConnectOptions, 'stats' | 'maxConcurrentExec'>) {
    this.client = client;
    this.target = { ...target };
    this.hostKey = hostKey;
    this.stats = opts.stats ?? emptyStats();
    this.maxExec = Math.max(1, opts.maxConcurrentExec ?? 6);
    client.on('error', (err: Ssh2Error) => {
      this.closeReason = err.level === 'client-timeout' ? 'keepalive timeout: the host stopped answering' : err.message;
    });
    client.on('close', () => {
      this.closedFlag = true;
      this.sftpPromise = undefined;
      for (const l of this.closeListeners) l(this.closeReason);
      this.closeListeners.clear();
    });
  }

  get isOpen(): boolean {
    return !this.closedFlag;
  }

  /** Called once when the connection closes (for whatever reason). */
  onClose(listener: (reason: string) => void): () => void {
    if (this.closedFlag) {
      queueMicrotask(() => listener(this.closeReason));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    this.closeReason = 'closed by PrintHA';
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, 2000);
      this.onClose(() => {
        clearTimeout(t);
        resolve();
      });
      this.client.end();
    });
  }

  private disconnected(): SshError {
    return disconnectedError({ ...this.target, reason: this.closeReason });
  }

  private async acquire(): Promise<() => void> {
    if (this.running >= this.maxExec) await new Promise<void>((r) => this.waiters.push(r));
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.waiters.shift()?.();
    };
  }

  /**
   * Runs argv on the host. The command line is built ONLY with shellJoin (one POSIX-quoted word per
   * argv element). Never throws for a non-zero exit; throws DISCONNECTED if the connection drops and
   * COMMAND_TIMEOUT only with `onTimeout: 'throw'`.
   */
  async exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    const raw = await this.execRaw(argv, opts);
    return { ...raw, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8') };
  }

  private async execRaw(argv: readonly string[], opts: ExecOptions): Promise<RawExecResult> {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) throw new TypeError('exec: argv must be a non-empty array of strings');
    if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) throw new TypeError('exec: timeoutMs must be a positive number');
    const envWords: string[] = [];
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TypeError(`exec: invalid environment variable name ${JSON.stringify(k)}`);
      envWords.push(`${k}=${v}`);
    }
    const command = shellJoin(envWords.length > 0 ? ['env', ...envWords, ...argv] : argv);
    const program = argv[0] as string;
    if (this.closedFlag) throw this.disconnected();
    const release = await this.acquire();
    try {
      if (this.closedFlag) throw this.disconnected();
      const started = Date.now();
      const exit: ExitSeen = { seen: false, code: null, signal: null };
      const channel = await this.openChannel(command, program, exit);
      this.stats.commands++;
      const result = await this.runChannel(channel, exit, opts, started);
      if (result.timedOut && opts.onTimeout === 'throw') {
        throw commandTimeoutError({ host: this.target.host, port: this.target.port, program, timeoutMs: opts.timeoutMs });
      }
      return result;
    } finally {
      release();
    }
  }

  /**
   * Opens an exec channel. A refused channel open (the server still counts sessions it has not
   * finished closing against MaxSessions) is retried a few times: nothing ran yet.
   */
  private async openChannel(command: string, program: string, exit: ExitSeen): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<ClientChannel>((resolve, reject) => {
          try {
            this.client.exec(command, (err, ch) => {
              if (err) return reject(this.closedFlag ? this.disconnected() : this.channelError(err, program));
              // Listen for 'exit' here, synchronously: ssh2 may parse the exit-status packet in the same
              // chunk as the exec confirmation, before an awaiting caller resumes, and 'exit' is a plain
              // event that is not replayed (fast commands then looked like "no exit status" under load).
              ch.on('exit', (c: number | null, s?: string) => {
                exit.seen = true;
                if (typeof c === 'number') exit.code = c;
                if (typeof s === 'string') exit.signal = s;
              });
              resolve(ch);
            });
          } catch (err) {
            reject(this.closedFlag ? this.disconnected() : this.channelError(err as Error, program));
          }
        });
      } catch (err) {
        if (this.closedFlag || attempt >= 4 || !isChannelOpenRefusal(err)) throw err;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  private channelError(err: Error, program: string): SshError {
    return disconnectedError({ ...this.target, reason: `the host refused to run '${program}': ${err.message}` });
  }

  private runChannel(channel: ClientChannel, exit: ExitSeen, opts: ExecOptions, started: number): Promise<RawExecResult> {
    const max = opts.maxOutputBytes ?? 32 * 1024 * 1024;
    return new Promise<RawExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let truncated = false;
      let timedOut = false;
      let aborted = false;
      let finished = false;
      let grace: NodeJS.Timeout | undefined;

      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (grace) clearTimeout(grace);
        opts.signal?.removeEventListener('abort', onAbort);
        unlisten();
        if (!exit.seen && !timedOut && !aborted && this.closedFlag) {
          reject(this.disconnected());
          return;
        }
        resolve({
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err),
          code: exit.code,
          signal: exit.signal,
          timedOut,
          aborted,
          truncated,
          durationMs: Date.now() - started,
        });
      };
      const stop = (): void => {
        sendSignal(channel, 'TERM');
        try {
          channel.close();
        } catch {
          /* already closed */
        }
        // Do not wait forever for the server to confirm the close.
        grace = setTimeout(finish, 2000);
      };
      const timer = setTimeout(() => {
        if (finished) return;
        timedOut = true;
        stop();
      }, opts.timeoutMs);
      const onAbort = (): void => {
        if (finished || timedOut) return;
        aborted = true;
        stop();
      };
      if (opts.signal?.aborted) queueMicrotask(onAbort);
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      const unlisten = this.onClose(() => {
        // connection lost: the channel close follows; make sure we settle even if it does not
        setTimeout(finish, 50);
      });

      channel.on('data', (d: Buffer) => {
        if (outLen + d.length > max) truncated = true;
        else {
          out.push(d);
          outLen += d.length;
        }
        opts.onStdout?.(d.toString('utf8'));
      });
      channel.stderr.on('data', (d: Buffer) => {
        if (errLen + d.length > max) truncated = true;
        else {
          err.push(d);
          errLen += d.length;
        }
        opts.onStderr?.(d.toString('utf8'));
      });
      channel.on('close', finish);
      channel.on('error', () => undefined);
      if (opts.stdin !== undefined) channel.end(opts.stdin);
      else channel.end();
    });
  }

  // ----- SFTP ------------------------------------------------------------------------------

  /** The SFTP session of this connection, or null when the host has no SFTP subsystem. */
  private getSftp(): Promise<SFTPWrapper | null> {
    if (this.closedFlag) return Promise.reject(this.disconnected());
    this.sftpPromise ??= new Promise<SFTPWrapper | null>((resolve, reject) => {
      try {
        this.client.sftp((err, sftp) => {
          if (err) {
            if (/subsystem/i.test(err.message)) {
              resolve(null);
              return;
            }
            this.sftpPromise = undefined;
            reject(this.closedFlag ? this.disconnected() : this.channelError(err, 'sftp'));
            return;
          }
          sftp.on('close', () => {
            if (this.sftpPromise && !this.closedFlag) this.sftpPromise = undefined;
          });
          sftp.on('error', () => undefined);
          resolve(sftp);
        });
      } catch (err) {
        this.sftpPromise = undefined;
        reject(this.closedFlag ? this.disconnected() : this.channelError(err as Error, 'sftp'));
      }
    });
    return this.sftpPromise;
  }

  /** true when the host offers the SFTP subsystem (opens it once per connection). */
  async hasSftp(): Promise<boolean> {
    return (await this.getSftp()) !== null;
  }

  private mapSftpError(err: unknown, remotePath: string, action: string, writing: boolean): SshError {
    if (err instanceof SshError) return err;
    if (this.closedFlag) return this.disconnected();
    const e = err as { code?: unknown; message?: string };
    const status = typeof e.code === 'number' ? e.code : undefined;
    const msg = e.message ?? String(err);
    if (/no space|disk full|quota/i.test(msg) || e.code === 'ENOSPC') {
      return diskFullError({ host: this.target.host, port: this.target.port, remotePath, detail: msg, ...(status !== undefined ? { sftpStatus: status } : {}) });
    }
    // OpenSSH's sftp-server reports ENOSPC as a bare SSH_FX_FAILURE ("Failure").
    if (writing && status === 4) {
      return diskFullError({ host: this.target.host, port: this.target.port, remotePath, detail: `the server answered "${msg}" while writing`, sftpStatus: status });
    }
    return sftpFailedError({
      host: this.target.host,
      port: this.target.port,
      remotePath,
      action,
      serverMessage: msg,
      ...(status !== undefined ? { sftpStatus: status } : {}),
      ...(status === 2 ? { notFound: true } : {}),
    });
  }

  /**
   * Replaces remotePath atomically: the content goes to `.<name>.printha-<rand>` in the same
   * directory (mode 600 while written), is fsynced when the server supports it, gets its final
   * mode (and the old file's owner when allowed), its size is checked, then it is renamed over the
   * target (posix-rename@openssh.com, else `mv -f`). Without SFTP: `sh -c 'cat > tmp && mv -f'`.
   * The temp file is removed on any failure; the original is never left partial.
   */
  async upload(remotePath: string, content: string | Buffer, opts: UploadOptions = {}): Promise<UploadResult> {
    if (typeof remotePath !== 'string' || remotePath === '' || remotePath.endsWith('/') || remotePath.includes('\0')) {
      throw new TypeError(`upload: invalid remote path ${JSON.stringify(remotePath)}`);
    }
    if (opts.mode !== undefined && (!Number.isInteger(opts.mode) || opts.mode < 0 || opts.mode > 0o7777)) throw new TypeError(`upload: invalid mode ${opts.mode}`);
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const sftp = await this.getSftp();
    // On timeout the SFTP sequence stops before the rename (and removes its temp file), so a late
    // completion can never replace the target after we reported a failure.
    const state = { timedOut: false };
    const work = sftp ? this.uploadSftp(sftp, remotePath, data, opts.mode, timeoutMs, state) : this.uploadExec(remotePath, data, opts.mode, timeoutMs);
    const result = await withTimeout(work, timeoutMs, () => {
      state.timedOut = true;
      return sftpFailedError({ host: this.target.host, port: this.target.port, remotePath, action: 'upload', serverMessage: `no progress within ${Math.round(timeoutMs / 1000)} s` });
    });
    this.stats.uploads++;
    this.stats.bytesUploaded += data.length;
    return result;
  }

  private async uploadSftp(
    sftp: SFTPWrapper,
    remotePath: string,
    data: Buffer,
    mode: number | undefined,
    timeoutMs: number,
    state: { timedOut: boolean },
  ): Promise<UploadResult> {
    const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const onClose = this.onClose(() => reject(this.disconnected()));
        try {
          fn((err, v) => {
            onClose();
            if (err) reject(err);
            else resolve(v as T);
          });
        } catch (err) {
          onClose();
          reject(err);
        }
      });

    // Resolve a symlinked target so the link itself survives the replace.
    let target = remotePath;
    let existing: { mode: number; uid: number; gid: number } | undefined;
    try {
      const l = await call<Stats>((cb) => sftp.lstat(remotePath, cb));
      if (l.isSymbolicLink()) target = await call<string>((cb) => sftp.realpath(remotePath, cb));
      const st = l.isSymbolicLink() ? await call<Stats>((cb) => sftp.stat(target, cb)) : l;
      if (st.isDirectory()) throw sftpFailedError({ host: this.target.host, port: this.target.port, remotePath, action: 'replace', serverMessage: 'it is a directory' });
      existing = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    } catch (err) {
      if (err instanceof SshError) throw err;
      if ((err as { code?: unknown }).code !== 2) throw this.mapSftpError(err, remotePath, 'inspect', false);
    }
    const finalMode = mode ?? existing?.mode ?? 0o644;
    const slash = target.lastIndexOf('/');
    const dir = slash >= 0 ? target.slice(0, slash + 1) : '';
    const base = target.slice(slash + 1);
    const tmp = `${dir}.${base}.printha-${randomBytes(6).toString('hex')}`;

    let handle: Buffer | undefined;
    let created = false;
    let fsynced = false;
    let phase = 'create a temporary file next to';
    try {
      handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
      created = true;
      phase = 'write';
      if (data.length > 0) await call<number>((cb) => sftp.write(handle as Buffer, data, 0, data.length, 0, cb));
      try {
        await call<unknown>((cb) => sftp.ext_openssh_fsync(handle as Buffer, (err) => cb(err)));
        fsynced = true;
      } catch (err) {
        if (!sftpUnsupported(err)) throw err;
      }
      phase = 'set the mode of';
      const withOwner = existing ? { mode: finalMode, uid: existing.uid, gid: existing.gid } : { mode: finalMode };
      try {
        await call<void>((cb) => sftp.fsetstat(handle as Buffer, withOwner, cb));
      } catch (err) {
        if (!existing) throw err;
        await call<void>((cb) => sftp.fsetstat(handle as Buffer, { mode: finalMode }, cb));
      }
      phase = 'write';
      const h = handle;
      handle = undefined;
      await call<void>((cb) => sftp.close(h, cb));
      const st = await call<Stats>((cb) => sftp.stat(tmp, cb));
      if (st.size !== data.length) {
        throw diskFullError({ host: this.target.host, port: this.target.port, remotePath, detail: `only ${st.size} of ${data.length} bytes were written` });
      }
      phase = 'replace';
      if (state.timedOut) throw new Error('upload timed out before the rename');
      let method: UploadMethod = 'sftp-posix-rename';
      try {
        await call<void>((cb) => sftp.ext_openssh_rename(tmp, target, cb));
      } catch (err) {
        if (!sftpUnsupported(err)) throw err;
        method = 'sftp-mv';
        const r = await this.execRaw(['mv', '-f', '--', tmp, target], { timeoutMs });
        if (r.code !== 0) {
          throw sftpFailedError({
            host: this.target.host,
            port: this.target.port,
            remotePath,
            action: 'replace',
            serverMessage: `mv failed: ${r.stderr.toString('utf8').trim() || (r.timedOut ? 'timed out' : `exit ${r.code}`)}`,
          });
        }
      }
      return { remotePath: target, bytes: data.length, mode: finalMode, method, fsynced };
    } catch (err) {
      const mapped = this.mapSftpError(err, remotePath, phase, phase === 'write');
      if (handle) await call<void>((cb) => sftp.close(handle as Buffer, cb)).catch(() => undefined);
      if (created && !this.closedFlag) {
        await call<void>((cb) => sftp.unlink(tmp, cb)).catch(async () => {
          await this.execRaw(['rm', '-f', '--', tmp], { timeoutMs: 15_000 }).catch(() => undefined);
        });
      }
      throw mapped;
    }
  }

  private async uploadExec(remotePath: string, data: Buffer, mode: number | undefined, timeoutMs: number): Promise<UploadResult> {
    const slash = remotePath.lastIndexOf('/');
    const dir = slash >= 0 ? remotePath.slice(0, slash + 1) : '';
    const tmp = `${dir}.${remotePath.slice(slash + 1)}.printha-${randomBytes(6).toString('hex')}`;
    // $1 tmp, $2 final, $3 mode (octal, may be empty → keep the old file's mode or 644), $4 size
    const script = [
      'umask 077',
      'm=$3',
      'if [ -z "$m" ]; then m=$(stat -c %a -- "$2" 2>/dev/null) || m=644; [ -n "$m" ] || m=644; fi',
      'if [ -e "$1" ]; then echo "temporary file $1 exists" >&2; exit 17; fi',
      'if cat > "$1" && n=$(wc -c < "$1") && [ "$((n))" -eq "$4" ] && chmod "$m" "$1" && mv -f -- "$1" "$2"; then echo "$m"; exit 0',
      'else rc=$?; rm -f -- "$1"; exit $rc; fi',
    ].join('\n');
    const modeArg = mode === undefined ? '' : mode.toString(8);
    const r = await this.execRaw(['sh', '-c', script, 'sh', tmp, remotePath, modeArg, String(data.length)], { timeoutMs, stdin: data });
    if (r.code !== 0) {
      const stderr = r.stderr.toString('utf8').trim();
      if (/no space|disk full|quota/i.test(stderr)) {
        throw diskFullError({ host: this.target.host, port: this.target.port, remotePath, detail: stderr });
      }
      if (r.code === 1 && stderr === '') {
        throw diskFullError({ host: this.target.host, port: this.target.port, remotePath, detail: 'the written size did not match' });
      }
      // best effort: the script removes tmp itself, but not if it was killed
      if (r.timedOut) await this.execRaw(['rm', '-f', '--', tmp], { timeoutMs: 15_000 }).catch(() => undefined);
      throw sftpFailedError({
        host: this.target.host,
        port: this.target.port,
        remotePath,
        action: 'write (shell fallback, no SFTP on this host)',
        serverMessage: stderr || (r.timedOut ? 'timed out' : `exit ${r.code}`),
      });
    }
    const written = parseInt(r.stdout.toString('utf8').trim(), 8);
    return { remotePath, bytes: data.length, mode: Number.isNaN(written) ? (mode ?? 0o644) : written, method: 'exec-cat', fsynced: false };
  }

  /** Reads a whole remote file (SFTP; `cat` when the host has no SFTP). SFTP_FAILED with details.notFound when missing. */
  async readFile(remotePath: string, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const sftp = await this.getSftp();
    let buf: Buffer;
    if (sftp) {
      const p = new Promise<Buffer>((resolve, reject) => {
        const off = this.onClose(() => reject(this.disconnected()));
        try {
          sftp.readFile(remotePath, (err, b) => {
            off();
            if (err) reject(this.mapSftpError(err, remotePath, 'read', false));
            else resolve(b);
          });
        } catch (err) {
          off();
          reject(this.mapSftpError(err, remotePath, 'read', false));
        }
      });
      buf = await withTimeout(p, timeoutMs, () =>
        sftpFailedError({ host: this.target.host, port: this.target.port, remotePath, action: 'read', serverMessage: `no answer within ${Math.round(timeoutMs / 1000)} s` }),
      );
    } else {
      const r = await this.execRaw(['cat', '--', remotePath], { timeoutMs });
      if (r.code !== 0) {
        const stderr = r.stderr.toString('utf8').trim();
        throw sftpFailedError({
          host: this.target.host,
          port: this.target.port,
          remotePath,
          action: 'read',
          serverMessage: stderr || (r.timedOut ? 'timed out' : `exit ${r.code}`),
          ...(/no such file/i.test(stderr) ? { notFound: true } : {}),
        });
      }
      buf = r.stdout;
    }
    this.stats.reads++;
    return buf;
  }

  /** readFile, but null when the file does not exist. */
  async readFileIfExists(remotePath: string, opts: { timeoutMs?: number } = {}): Promise<Buffer | null> {
    try {
      return await this.readFile(remotePath, opts);
    } catch (err) {
      if (err instanceof SshError && err.details.notFound) return null;
      throw err;
    }
  }
}
