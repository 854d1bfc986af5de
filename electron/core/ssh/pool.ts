/**
 * SshPool: one live SSH connection per host:port:user, reused by every step on that host.
 * Concurrent connects to the same key share one handshake. A connection that closed (network
 * loss, keepalive timeout, close()) is dropped and the next connect opens a new one.
 * Counters survive close so a benchmark can assert "one connection per node".
 */
import { type ConnectOptions, type SshAuth, type SshConnection, type SshStats, type SshTarget, connect, emptyStats } from './connection.js';

/** `host:port:user` (host lower-cased). */
export function poolKey(target: SshTarget): string {
  return `${target.host.trim().toLowerCase()}:${target.port}:${target.user}`;
}

export class SshPool {
  private readonly defaults: Partial<ConnectOptions>;
  private readonly live = new Map<string, SshConnection>();
  private readonly pending = new Map<string, Promise<SshConnection>>();
  private readonly counters = new Map<string, SshStats>();
  private closing = false;

  /** `defaults` (knownHosts, hostKeyPolicy, timeouts) apply to every connect unless overridden. */
  constructor(defaults: Partial<ConnectOptions> = {}) {
    this.defaults = defaults;
  }

  private statsFor(key: string): SshStats {
    let s = this.counters.get(key);
    if (!s) {
      s = emptyStats();
      this.counters.set(key, s);
    }
    return s;
  }

  /**
   * The live connection for target, or a new one. `auth` is only used when a new connection is
   * opened. Rejects with the SshError of connect() (HOST_KEY_*, AUTH_FAILED, …).
   */
  connect(target: SshTarget, auth: SshAuth, opts: Partial<ConnectOptions> = {}): Promise<SshConnection> {
    if (this.closing) return Promise.reject(new Error('SshPool is closed'));
    const key = poolKey(target);
    const existing = this.live.get(key);
    if (existing?.isOpen) return Promise.resolve(existing);
    if (existing) this.live.delete(key);
    const inflight = this.pending.get(key);
    if (inflight) return inflight;

    const merged = { ...this.defaults, ...opts };
    if (!merged.knownHosts || !merged.hostKeyPolicy) {
      return Promise.reject(new TypeError('SshPool.connect: knownHosts and hostKeyPolicy are required (in the pool defaults or the call)'));
    }
    const full: ConnectOptions = { ...merged, knownHosts: merged.knownHosts, hostKeyPolicy: merged.hostKeyPolicy, stats: this.statsFor(key) };
    const p = connect(target, auth, full).then(
      (conn) => {
        this.pending.delete(key);
        if (this.closing) {
          void conn.close();
          throw new Error('SshPool is closed');
        }
        this.live.set(key, conn);
        conn.onClose(() => {
          if (this.live.get(key) === conn) this.live.delete(key);
        });
        return conn;
      },
      (err: unknown) => {
        this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  /** The live connection for target, if any (never connects). */
  get(target: SshTarget): SshConnection | undefined {
    const c = this.live.get(poolKey(target));
    return c?.isOpen ? c : undefined;
  }

  /** Counters per `host:port:user` since the pool was created. */
  stats(): Record<string, SshStats> {
    const out: Record<string, SshStats> = {};
    for (const [k, v] of this.counters) out[k] = { ...v };
    return out;
  }

  async close(target: SshTarget): Promise<void> {
    const key = poolKey(target);
    const c = this.live.get(key);
    this.live.delete(key);
    if (c) await c.close();
  }

  /** Closes every connection; connects that are still in flight are closed when they finish. */
  async closeAll(): Promise<void> {
    this.closing = true;
    const conns = [...this.live.values()];
    this.live.clear();
    const inflight = [...this.pending.values()];
    await Promise.all([...conns.map((c) => c.close()), ...inflight.map((p) => p.then((c) => c.close()).catch(() => undefined))]);
    this.closing = false;
  }
}
