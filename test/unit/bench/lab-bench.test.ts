/**
 * The pieces of the lab benchmarks that can be checked without the lab: the baseline configs are
 * accepted by the real daemons' config checks, and the python probes measure what they claim
 * (against 127.0.0.1 and a fake HAProxy admin socket).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { minimalConfig, printServers, MINIMAL_PORT, BENCH_PORT } from '../../../bench/lab-bench.js';
import { responderConfig } from '../../../bench/dataplane.js';
import { textbookKeepalived } from '../../../bench/failover.js';
import { machineInfo } from '../../../bench/machine.js';

const PROBE = fileURLToPath(new URL('../../../bench/probes/labprobe.py', import.meta.url));
const PY = '/usr/bin/python3';
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasHaproxy = has('haproxy');
const hasKeepalived = has('keepalived');
const hasPy = spawnSync(PY, ['-c', 'pass']).status === 0;
if (!hasHaproxy) console.warn('haproxy not installed: the baseline HAProxy config checks are skipped');
if (!hasKeepalived) console.warn('keepalived not installed: the textbook keepalived config check is skipped');
if (!hasPy) console.warn(`${PY} missing: the probe tests are skipped`);

const dir = mkdtempSync(join(tmpdir(), 'printha-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function runProbe(args: string[]): Promise<{ first: string; json: unknown }> {
  return new Promise((resolve, reject) => {
    const c = spawn(PY, [PROBE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.on('close', (code) => {
      const lines = out.trim().split('\n');
      if (code !== 0) reject(new Error(`probe exit ${code}: ${err}`));
      else resolve({ first: lines[0] ?? '', json: JSON.parse(lines[lines.length - 1] ?? 'null') });
    });
  });
}

function listen(server: Server, at: number | string): Promise<void> {
  return new Promise((r) => {
    if (typeof at === 'number') server.listen(at, '127.0.0.1', () => r());
    else server.listen(at, () => r());
  });
}

describe('baseline configurations', () => {
  it.skipIf(!hasHaproxy)('the minimal untuned HAProxy has one listen, one bind, two servers, and haproxy -c accepts it', () => {
    const cfg = minimalConfig(printServers(2));
    expect(cfg.match(/^listen /gm)).toHaveLength(1);
    expect(cfg.match(/^\s+bind /gm)).toHaveLength(1);
    expect(cfg).toContain(`bind 10.99.0.10:${MINIMAL_PORT}`);
    expect(cfg.match(/^\s+server /gm)).toEqual(['    server ', '    server ']);
    expect(cfg).toContain(`10.99.0.22:${BENCH_PORT} check port 445`);
    expect(cfg).not.toMatch(/splice|tune\.|nbthread/);
    const f = join(dir, 'min.cfg');
    writeFileSync(f, cfg);
    const r = check('haproxy', ['-c', '-f', f]);
    expect(r.status, r.out).toBe(0);
  });

  it.skipIf(!hasHaproxy)('the HTTP responder of the connection-rate bench passes haproxy -c', () => {
    const f = join(dir, 'resp.cfg');
    writeFileSync(f, responderConfig('pha-ps1'));
    const r = check('haproxy', ['-c', '-f', f]);
    expect(r.status, r.out).toBe(0);
  });

  it.skipIf(!hasKeepalived)('the textbook keepalived baseline passes keepalived -t on both nodes', () => {
    for (const n of ['pha-lb1', 'pha-lb2'] as const) {
      const conf = textbookKeepalived(n);
      expect(conf).toContain(n === 'pha-lb1' ? 'state MASTER' : 'state BACKUP');
      expect(conf).not.toContain('nopreempt');
      const f = join(dir, `${n}.conf`);
      writeFileSync(f, conf);
      const r = check('keepalived', ['-t', '-e', '-f', f]);
      expect(r.status, r.out).toBe(0);
    }
  });
});

describe.skipIf(!hasPy)('labprobe.py', () => {
  it('client: every attempt against a server that answers a line succeeds; against a closed port every one fails', async () => {
    const server = createServer((s) => s.end('pha-ps1 515\n'));
    await listen(server, 0);
    const port = (server.address() as { port: number }).port;
    try {
      const { first, json } = await runProbe(['client', '127.0.0.1', String(port), '0.6']);
      expect(first).toBe('ready');
      const r = json as { seq: [number, number, boolean][]; par: [number, number, boolean][] };
      expect(r.seq.length).toBeGreaterThan(5);
      expect(r.par.length).toBeGreaterThan(5);
      expect(r.seq.every(([s, e, ok]) => ok && e >= s)).toBe(true);
      expect(r.par.every(([, , ok]) => ok)).toBe(true);
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
    const { json } = await runProbe(['client', '127.0.0.1', String(port), '0.3']);
    const r = json as { seq: [number, number, boolean][] };
    expect(r.seq.length).toBeGreaterThan(2);
    expect(r.seq.every(([, , ok]) => !ok)).toBe(true);
  });

  it('vip-wait finds a local address at once and gives up on one that is not local', async () => {
    const local = (await runProbe(['vip-wait', '127.0.0.1', '2'])).json as { t: number | null };
    expect(local.t).not.toBeNull();
    expect(Math.abs(local.t! - Date.now() / 1000)).toBeLessThan(5);
    const absent = (await runProbe(['vip-wait', '192.0.2.77', '0.2'])).json as { t: number | null };
    expect(absent.t).toBeNull();
  });

  it('hastate records each change of a server state from `show servers state` and stops when all are DOWN', async () => {
    let queries = 0;
    const sock = join(dir, 'admin.sock');
    const server = createServer((s) => {
      s.once('data', (d) => {
        queries++;
        expect(d.toString()).toBe('show servers state PrintServers\n');
        const ps1 = queries < 3 ? 2 : 0; // UP for two polls, then DOWN
        s.end(
          `1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state\n` +
            `3 PrintServers 1 PS1 10.0.0.1 ${ps1} 0 100 100\n3 PrintServers 2 PS2 10.0.0.2 0 0 100 100\n3 PrintServers 3 PS3 10.0.0.3 2 0 100 100\n\n`,
        );
      });
    });
    await listen(server, sock);
    try {
      const { json } = await runProbe(['hastate', '5', 'down', `${sock}:PrintServers:PS1,PS2`]);
      const r = json as { events: [number, string, string, string, number][]; done: boolean };
      expect(r.done).toBe(true);
      expect(r.events.map(([, , b, n, op]) => `${b}/${n}=${op}`)).toEqual([
        'PrintServers/PS1=2',
        'PrintServers/PS2=0',
        'PrintServers/PS1=0',
      ]);
      expect(queries).toBe(3);
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
  });
});

describe('the machine line', () => {
  it('machineInfo reads CPUs, kernel and load average', () => {
    const m = machineInfo();
    expect(m.nproc).toBeGreaterThan(0);
    expect(m.kernel).not.toBe('');
    expect(m.load).toHaveLength(3);
  });
});
