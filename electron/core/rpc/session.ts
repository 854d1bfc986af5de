/**
 * One connected UI (an Electron window, a browser tab on the bridge, the CLI): its event sink,
 * its running operations (cancel), its pending prompts (host key, credential) with timeouts,
 * the credentials entered in it (memory only) and the redactor that keeps them out of every
 * event, output, error and log line.
 */
import { randomUUID } from 'node:crypto';
import { EVENTS, type EventName, type EventPayload } from '../../../shared/contract/index.js';
import type { CredentialRequest, HostKeyQuestion } from '../engine/api.js';
import { credentialKey } from '../vault/types.js';
import { Redactor } from './redact.js';

export const DEFAULT_PROMPT_TIMEOUT_MS = 120_000;

export type EmitFn = (event: EventName, payload: unknown) => void;

interface PendingHostKey {
  kind: 'hostKey';
  resolve(accept: boolean): void;
  timer: ReturnType<typeof setTimeout>;
}
interface PendingCredential {
  kind: 'credential';
  key: string;
  resolve(answer: { secret: string; remember: boolean } | undefined): void;
  timer: ReturnType<typeof setTimeout>;
}
type Pending = PendingHostKey | PendingCredential;

export interface SessionOptions {
  emit: EmitFn;
  promptTimeoutMs?: number;
  log?: (line: string) => void;
  /** Whether the vault can remember a credential (shown in the credential dialog). */
  rememberStatus?: () => { canStore: boolean; reason?: string };
}

export class Session {
  readonly id = randomUUID();
  readonly redactor = new Redactor();
  readonly promptTimeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  private readonly ops = new Map<string, AbortController>();
  private readonly creds = new Map<string, string>();
  private closed = false;

  constructor(private readonly opts: SessionOptions) {
    this.promptTimeoutMs = opts.promptTimeoutMs ?? DEFAULT_PROMPT_TIMEOUT_MS;
  }

  /** Sends an event after checking it against the contract and removing every secret of this session. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (this.closed) return;
    const parsed = EVENTS[event].safeParse(payload);
    if (!parsed.success) {
      this.opts.log?.(`event ${event} dropped: it does not match the contract (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    try {
      this.opts.emit(event, this.redactor.value(parsed.data));
    } catch (e) {
      this.opts.log?.(`event ${event} could not be delivered: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // ---- operations -------------------------------------------------------------------------

  /** Registers a running operation; its signal aborts on cancel or when the session closes. */
  startOp(opId: string): AbortController {
    if (this.ops.has(opId)) throw Object.assign(new Error(`Operation "${opId}" is already running.`), { code: 'bad-input' });
    const ac = new AbortController();
    if (this.closed) ac.abort();
    this.ops.set(opId, ac);
    return ac;
  }

  endOp(opId: string): void {
    this.ops.delete(opId);
  }

  cancel(opId: string): boolean {
    const ac = this.ops.get(opId);
    if (!ac) return false;
    ac.abort();
    return true;
  }

  get runningOps(): string[] {
    return [...this.ops.keys()];
  }

  // ---- prompts ----------------------------------------------------------------------------

  /**
   * Asks the UI to accept an unknown host key (with its type and, for a key of a new type for a
   * known host, the known keys). Resolves false on reject, timeout, cancel or close.
   */
  confirmHostKey(
    host: string,
    port: number,
    fingerprint: string,
    opId?: string,
    signal?: AbortSignal,
    key?: HostKeyQuestion,
  ): Promise<boolean> {
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    const id = randomUUID();
    return new Promise<boolean>((resolve) => {
      const finish = this.track(id, signal, (v: boolean) => resolve(v), false);
      this.pending.set(id, { kind: 'hostKey', resolve: finish, timer: this.timer(id, () => finish(false)) });
      this.emit('hostKey.confirm', {
        id,
        ...(opId ? { opId } : {}),
        host,
        port,
        fingerprint,
        ...(key ? { keyType: key.keyType } : {}),
        ...(key && key.knownKeys.length > 0
          ? { knownKeys: key.knownKeys.map((k) => ({ keyType: k.keyType, fingerprint: k.fingerprint })) }
          : {}),
        timeoutMs: this.promptTimeoutMs,
      });
    });
  }

  /** Asks the UI for a secret. Resolves undefined on cancel, timeout or close. */
  askCredential(req: CredentialRequest, opId?: string, signal?: AbortSignal): Promise<{ secret: string; remember: boolean } | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const id = randomUUID();
    const remember = this.opts.rememberStatus?.() ?? { canStore: false };
    return new Promise((resolve) => {
      const finish = this.track(id, signal, resolve, undefined);
      this.pending.set(id, {
        kind: 'credential',
        key: credentialKey(req),
        resolve: finish,
        timer: this.timer(id, () => finish(undefined)),
      });
      this.emit('credential.request', {
        id,
        ...(opId ? { opId } : {}),
        kind: req.kind,
        host: req.host,
        user: req.user,
        timeoutMs: this.promptTimeoutMs,
        canRemember: remember.canStore,
        ...(remember.reason ? { rememberNote: remember.reason } : {}),
      });
    });
  }

  answerHostKey(id: string, accept: boolean): boolean {
    const p = this.pending.get(id);
    if (!p || p.kind !== 'hostKey') return false;
    this.close1(id, 'answered');
    p.resolve(accept);
    return true;
  }

  /** Returns the credential key of the answered prompt (for the vault), or undefined if none was pending. */
  answerCredential(id: string, secret: string | null, remember: boolean): { key: string } | undefined {
    const p = this.pending.get(id);
    if (!p || p.kind !== 'credential') return undefined;
    if (secret !== null) {
      this.redactor.add(secret);
      this.creds.set(p.key, secret);
    }
    this.close1(id, 'answered');
    p.resolve(secret === null ? undefined : { secret, remember });
    return { key: p.key };
  }

  get pendingPrompts(): number {
    return this.pending.size;
  }

  /** A credential entered earlier in this session (memory only). */
  cachedCredential(key: string): string | undefined {
    return this.creds.get(key);
  }

  rememberSecret(secret: string): void {
    this.redactor.add(secret);
  }

  /** Ends the session: cancels its operations and closes its prompts. */
  close(): void {
    if (this.closed) return;
    for (const ac of this.ops.values()) ac.abort();
    for (const [id, p] of [...this.pending]) {
      this.close1(id, 'cancelled');
      if (p.kind === 'hostKey') p.resolve(false);
      else p.resolve(undefined);
    }
    this.closed = true;
    this.creds.clear();
  }

  private timer(id: string, onTimeout: () => void): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      if (!this.pending.has(id)) return;
      this.opts.log?.(`prompt ${id} expired after ${this.promptTimeoutMs} ms`);
      this.close1(id, 'timeout');
      onTimeout();
    }, this.promptTimeoutMs);
    t.unref?.();
    return t;
  }

  /** Wraps a resolver so it runs once and also fires when the operation's signal aborts. */
  private track<T>(id: string, signal: AbortSignal | undefined, resolve: (v: T) => void, onAbort: T): (v: T) => void {
    let done = false;
    const onAbortFn = () => {
      if (!this.pending.has(id)) return;
      this.close1(id, 'cancelled');
      finish(onAbort);
    };
    const finish = (v: T) => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbortFn);
      resolve(v);
    };
    signal?.addEventListener('abort', onAbortFn, { once: true });
    return finish;
  }

  private close1(id: string, reason: 'answered' | 'timeout' | 'cancelled'): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    this.emit('prompt.closed', { id, reason });
  }
}
