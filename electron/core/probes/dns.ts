/**
 * DNS probes: a direct A/AAAA query over UDP to the site's DNS server (node:dgram + the codec in
 * shared/verify/dns-wire.ts, so the answer's RCODE and AA bit are evidence), and the system
 * resolver (node:dns lookup = getaddrinfo: hosts file, search suffixes, the OS's DNS servers),
 * which is what a Windows client typing \\Dispatcher relies on.
 */
import { createSocket } from 'node:dgram';
import { promises as dnsp, getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isIPv6 } from '../../../shared/net/ip.js';
import { buildDnsQuery, parseDnsResponse, type DnsResponse, type DnsType } from '../../../shared/verify/dns-wire.js';

export interface DnsQueryResult {
  server: string;
  name: string;
  type: DnsType;
  response?: DnsResponse;
  /** ETIMEDOUT, ECONNREFUSED (ICMP port unreachable), a decode error, ... */
  error?: string;
  ms: number;
  /** the command a human would type to repeat it */
  command: string;
}

export async function queryDns(server: string, name: string, type: DnsType, opts: { timeoutMs?: number; retries?: number; port?: number } = {}): Promise<DnsQueryResult> {
  const timeoutMs = opts.timeoutMs ?? 1500;
  const port = opts.port ?? 53;
  // What a human would type to ask the same question (PrintHA sends the query itself).
  const command = `dig @${server}${port !== 53 ? ` -p ${port}` : ''} ${name} ${type}`;
  const t0 = performance.now();
  let lastError = 'no answer';
  for (let attempt = 0; attempt <= (opts.retries ?? 2); attempt++) {
    const id = randomInt(0, 0x10000);
    const q = buildDnsQuery(id, name, type);
    const r = await new Promise<{ resp?: DnsResponse; error?: string }>((resolve) => {
      const sock = createSocket(isIPv6(server) ? 'udp6' : 'udp4');
      const timer = setTimeout(() => done({ error: 'ETIMEDOUT' }), timeoutMs);
      let finished = false;
      function done(v: { resp?: DnsResponse; error?: string }): void {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        sock.close();
        resolve(v);
      }
      sock.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
      sock.on('message', (msg) => {
        try {
          const resp = parseDnsResponse(msg);
          if (resp.id !== id) return; // not ours: keep waiting
          done({ resp });
        } catch (e) {
          done({ error: `undecodable answer: ${(e as Error).message}` });
        }
      });
      sock.send(q, port, server, (err) => {
        if (err) done({ error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
    if (r.resp) return { server, name, type, response: r.resp, ms: Math.round(performance.now() - t0), command };
    lastError = r.error ?? lastError;
    if (lastError !== 'ETIMEDOUT') break;
  }
  return { server, name, type, error: lastError, ms: Math.round(performance.now() - t0), command };
}

export interface SystemLookupResult {
  name: string;
  addresses: string[];
  error?: string;
  /** the DNS servers node (c-ares) reads from the system configuration */
  servers: string[];
  ms: number;
}

/** getaddrinfo through node:dns lookup (hosts file, search domains, the system's DNS servers). */
export async function systemLookup(name: string, timeoutMs = 5000): Promise<SystemLookupResult> {
  const t0 = performance.now();
  const servers = getServers();
  try {
    const res = await Promise.race([
      dnsp.lookup(name, { all: true }),
      new Promise<never>((_, rej) => setTimeout(() => rej(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs).unref()),
    ]);
    return { name, addresses: res.map((a) => a.address), servers, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { name, addresses: [], error: (e as NodeJS.ErrnoException).code ?? (e as Error).message, servers, ms: Math.round(performance.now() - t0) };
  }
}
