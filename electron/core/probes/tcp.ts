/**
 * TCP probes (node:net): one connect with a timeout, an optional first-line read (the lab's
 * listeners answer "<node> <port>"), and a sweep over many host:port pairs with a concurrency limit.
 * A probe that connected is closed with RST (resetAndDestroy), like `nmap -sT`: no TIME_WAIT left on
 * this machine and no half-closed session left on the server.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { mapLimit } from './limit.js';

export interface TcpTarget {
  host: string;
  port: number;
}

export interface TcpResult extends TcpTarget {
  open: boolean;
  /** connect time (or time until failure) in ms */
  ms: number;
  /** ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ... */
  error?: string;
  /** first line the server sent, when asked for */
  banner?: string;
  /** this machine's address on the connection (what the balancer sees as the source in SNAT) */
  localAddress?: string;
}

export interface TcpConnectOptions {
  timeoutMs?: number;
  /** read the first line the server sends (waits up to this many ms after connecting) */
  bannerMs?: number;
  signal?: AbortSignal;
}

function closeHard(s: Socket): void {
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed && s.readyState === 'open') s.resetAndDestroy();
  else s.destroy();
}

export function tcpConnect(host: string, port: number, opts: TcpConnectOptions = {}): Promise<TcpResult> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  return new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    let connectedMs = 0;
    let banner = '';
    const sock = connect({ host, port, noDelay: true });
    const finish = (r: Omit<TcpResult, 'host' | 'port' | 'ms'>, ms?: number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const local = sock.localAddress;
      closeHard(sock);
      const out: TcpResult = { host, port, ms: Math.round((ms ?? performance.now() - t0) * 100) / 100, ...r };
      if (r.open && local) out.localAddress = local;
      resolve(out);
    };
    const onAbort = (): void => finish({ open: false, error: 'ABORTED' });
    const timer = setTimeout(() => finish(connectedMs ? { open: true, banner } : { open: false, error: 'ETIMEDOUT' }, connectedMs || undefined), timeoutMs + (opts.bannerMs ?? 0));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => {
      connectedMs = performance.now() - t0;
      if (!opts.bannerMs) return finish({ open: true }, connectedMs);
      clearTimeout(timer);
      const bt = setTimeout(() => finish({ open: true, ...(banner ? { banner } : {}) }, connectedMs), opts.bannerMs);
      sock.on('data', (d: Buffer) => {
        banner += d.toString('latin1');
        const nl = banner.indexOf('\n');
        if (nl >= 0 || banner.length > 512) {
          clearTimeout(bt);
          finish({ open: true, banner: (nl >= 0 ? banner.slice(0, nl) : banner).replace(/\r$/, '') }, connectedMs);
        }
      });
      sock.once('end', () => {
        clearTimeout(bt);
        finish({ open: true, ...(banner ? { banner: banner.trim() } : {}) }, connectedMs);
      });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      if (connectedMs) finish({ open: true, ...(banner ? { banner: banner.trim() } : {}) }, connectedMs);
      else finish({ open: false, error: e.code ?? e.message });
    });
  });
}

export interface SweepOptions {
  /** connects in flight at once (default 128) */
  concurrency?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Connects to every target with bounded concurrency; results in the order of `targets`. */
export function tcpSweep(targets: readonly TcpTarget[], opts: SweepOptions = {}): Promise<TcpResult[]> {
  const o: TcpConnectOptions = { timeoutMs: opts.timeoutMs ?? 2000 };
  if (opts.signal) o.signal = opts.signal;
  return mapLimit(targets, opts.concurrency ?? 128, (t) => tcpConnect(t.host, t.port, o));
}
