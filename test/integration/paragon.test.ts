/**
 * Issue 9 — Dispatcher Paragon end to end on the lab (linux-haproxy, SNAT): examples/lab-paragon.yaml
 * applied with `printha apply --yes --only balancer`, then the seed-003 requirements proven on the
 * wire and in HAProxy's own view:
 *   - one client's connections to 5011, 5610, 21, a passive port and 515 land on ONE node; a second
 *     client address lands on the other node (least connections) and sticks across all its ports;
 *   - tshark on pha-lb1: the checks on 5555, 5022 (terminal) and 515 (fsp) are SYN, SYN-ACK, RST
 *     with no FIN and no ACK from the balancer after the SYN-ACK;
 *   - listeners stopped on pha-ps1: DOWN after 3 failed checks (inter 5 s);
 *   - listeners started again: no new connection reaches pha-ps1 before riseSeconds (15) since it
 *     started answering, and it takes new clients again after the warm-up (+ slowstart).
 * Measured timings are printed with the prefix [paragon]. Every test undoes its lab changes in
 * afterEach (listeners started, holders killed, stick table cleared); afterAll puts the balancers
 * back to the lab's seed state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { checkFlows, judgeHalfOpen, type CheckFlow } from '../../shared/verify/capture.js';
import { parseServersState, parseShowStat, type ServerStateRow } from '../../shared/verify/haproxy.js';
import { resolveSite } from '../../shared/model/resolve.js';
import { captureOnNode, type RemoteExec } from '../../electron/core/probes/balancer.js';
import { HAPROXY_ADMIN_SOCKET } from '../../shared/render/haproxy.js';
import {
  CLIENT_NETNS,
  LAB_VIP,
  inClient,
  inClientNetns,
  labEnv,
  labExec,
  startService,
  stopService,
  vipOwner,
  waitFor,
  type LabNode,
} from '../lab/lab.js';
import { resetBalancers, siteFromExample, tempDir, trustedKnownHosts } from './appliance-lab.js';

const unavailable = inject('labUnavailable');
if (unavailable) console.warn(`[paragon] skipped: ${unavailable}`);

const log = (msg: string): void => console.log(`[paragon] ${msg}`);

const site = siteFromExample('lab-paragon.yaml');
const resolved = resolveSite(site);
const terminal = resolved.vips.find((v) => v.label === 'ParagonTerminal')!;
const fsp = resolved.vips.find((v) => v.label === 'ParagonFSP')!;
/** The check-only backend of the terminal's two half-open ports (shared/render/haproxy.ts). */
const HALFOPEN_BACKEND = 'halfopen.ParagonTerminal.5555.5022';
const TABLE = resolved.persistenceGroup;
const INTER_S = terminal.check.intervalSeconds;
const FALL = terminal.check.fall;
const RISE_S = terminal.check.riseSeconds;
const PS1 = '10.99.0.21';
const PS2 = '10.99.0.22';
/** Client addresses added to pha-client's interface (removed in afterAll). */
const CLIENT_A = '10.99.0.100';
const CLIENT_B = '10.99.0.101';
const HOLDER = '10.99.0.102';
/** One fresh source address per warm-up poll: a new client that only least connections places. */
const POLL_POOL = Array.from({ length: 90 }, (_, i) => `10.99.0.${150 + i}`);
const EXTRA_ADDRS = [CLIENT_B, HOLDER, ...POLL_POOL];
/** The ports of one Paragon client: terminal 5011 + 5610 (WebDAV) + 21 (FTP) + passive data, and FSP 515. */
const CLIENT_PORTS = [5011, 5610, 21, 50000, 50020, 5025, 515];

// ------------------------------------------------------------------ helpers

/** HAProxy runtime API of a balancer node (commands separated by ";"). */
async function hap(node: LabNode, commands: string): Promise<string> {
  const r = await labExec(node, ['socat', '-t', '3', 'stdio', `UNIX-CONNECT:${HAPROXY_ADMIN_SOCKET}`], {
    input: `${commands}\n`,
    timeoutMs: 15_000,
  });
  if (r.code !== 0) throw new Error(`admin socket on ${node}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * The balancer that carries the traffic: keepalived runs with nopreempt, so after an apply (secondary
 * first) the VIP may stay on pha-lb2. Both nodes check the servers; the VIP holder's view decides.
 */
let lb: LabNode = 'pha-lb1';
async function refreshVipHolder(): Promise<LabNode> {
  const o = await vipOwner();
  if (o === 'none') throw new Error('no balancer holds the VIP');
  lb = o;
  return lb;
}

async function serversState(node: LabNode = lb): Promise<ServerStateRow[]> {
  return parseServersState(await hap(node, 'show servers state'));
}

function srv(rows: readonly ServerStateRow[], backend: string, server: string): ServerStateRow | undefined {
  return rows.find((r) => r.backend === backend && r.server === server);
}

/** Every server of every Paragon proxy up on the node: running (`full`), or running or in slow start. */
async function allUp(node: LabNode, full = true): Promise<boolean> {
  const rows = await serversState(node);
  const mine = rows.filter((r) => [HALFOPEN_BACKEND, terminal.label, fsp.label].includes(r.backend));
  return mine.length === 6 && mine.every((r) => (r.opState === 2 || (!full && r.opState === 1)) && r.adminState === 0);
}

/** Python: the first line a lab listener sends ("pha-ps1 5011"), read with a 3 s timeout. */
const BANNER_PY = `
def banner(s):
    s.settimeout(3)
    data = b""
    while not data.endswith(b"\\n"):
        chunk = s.recv(200)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()
`;

/** Python in pha-client: connect from `src` to VIP:port for each port, print the banner lines as JSON. */
const CONNECT_PY = `
import json, socket, sys
${BANNER_PY}src, vip, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
out = []
for p in ports:
    try:
        s = socket.create_connection((vip, int(p)), timeout=3, source_address=(src, 0))
        line = banner(s)
        s.close()
        out.append(line or "error: closed without a banner")
    except Exception as e:
        out.append("error: %s" % e)
print(json.dumps(out))
`;

/** Banners ("pha-ps1 5011") of one connection per port from `src` to the VIP. */
async function banners(src: string, ports: readonly number[]): Promise<string[]> {
  const r = await inClient(['python3', '-c', CONNECT_PY, src, LAB_VIP, ...ports.map(String)], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`client connections from ${src} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const nodeOf = (banner: string): string => banner.split(' ')[0] ?? '';

/**
 * Python in pha-client: `n` connections from `src` to VIP:port, kept open (a byte every 2 s, so
 * the listener's 10 s idle timeout never closes them); prints the banners as JSON once all are open.
 */
const HOLD_PY = `
import json, socket, sys, time
${BANNER_PY}src, vip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
socks, out = [], []
for _ in range(n):
    s = socket.create_connection((vip, port), timeout=3, source_address=(src, 0))
    out.append(banner(s))
    socks.append(s)
print(json.dumps(out), flush=True)
while True:
    time.sleep(2)
    for s in socks:
        try:
            s.send(b".")
        except OSError:
            pass
`;

interface Holder {
  child: ChildProcess;
  banners: string[];
}
const holders: Holder[] = [];

/** Opens `n` long-lived connections from `src` (killed in afterEach). */
async function hold(src: string, port: number, n: number): Promise<Holder> {
  const argv = ['python3', '-c', HOLD_PY, src, LAB_VIP, String(port), String(n)];
  const full = inClientNetns() ? argv : ['ip', 'netns', 'exec', CLIENT_NETNS, ...argv];
  const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const h: Holder = { child, banners: [] };
  holders.push(h);
  h.banners = await new Promise<string[]>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`holder from ${src}: no banners after 15 s: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(out.split('\n')[0]!) as string[]);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`holder from ${src} exited (${code}): ${err}`));
    });
  });
  return h;
}

async function killHolders(): Promise<void> {
  for (const h of holders.splice(0)) {
    if (h.child.exitCode === null && h.child.pid !== undefined) {
      const gone = new Promise((r) => h.child.once('exit', r));
      h.child.kill('SIGTERM');
      await gone;
    }
  }
}

async function clientDev(): Promise<string> {
  const r = await inClient(['ip', '-o', '-4', 'addr', 'show', 'to', CLIENT_A]);
  const dev = r.stdout.trim().split(/\s+/)[1];
  if (!dev) throw new Error(`no interface with ${CLIENT_A} in ${CLIENT_NETNS}: ${r.stdout}${r.stderr}`);
  return dev;
}

async function setClientAddrs(add: boolean): Promise<void> {
  const dev = await clientDev();
  const batch = EXTRA_ADDRS.map((a) => `addr ${add ? 'replace' : 'del'} ${a}/32 dev ${dev}`).join('\n') + '\n';
  const r = await inClient(['ip', '-force', '-batch', '-'], { input: batch });
  if (add && r.code !== 0) throw new Error(`adding client addresses failed: ${r.stderr}`);
}

/** Seconds since the epoch at which the listeners on the node created their ready file (all ports bound). */
async function listenersReadyAt(node: LabNode): Promise<number> {
  const r = await labExec(node, ['python3', '-c', 'import os; print(os.stat("/run/printha-listeners.ready").st_mtime)']);
  const t = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isFinite(t)) throw new Error(`listeners ready file on ${node}: ${r.stderr}`);
  return t;
}

async function listenersRunning(node: LabNode): Promise<boolean> {
  return (await labExec(node, ['systemctl', 'is-active', 'listeners'])).code === 0;
}

/** The wire's flags of a flow, for the log: ">S <SA >RA". */
const seq = (f: CheckFlow): string => f.sequence.join(' ');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => Date.now() / 1000;

// ------------------------------------------------------------------ tests

describe.skipIf(!!unavailable)('Dispatcher Paragon on linux-haproxy in the lab (issue 9)', () => {
  beforeAll(async () => {
    const env = await labEnv();
    const dir = tempDir('printha-paragon-');
    await resetBalancers();
    const t0 = now();
    // exactly what an engineer runs: printha apply <site> --yes (balancer only: no Windows here)
    const res = await inClient(
      [
        join(process.cwd(), 'node_modules/.bin/tsx'),
        'electron/cli/main.ts',
        'apply',
        'examples/lab-paragon.yaml',
        '--yes',
        '--only',
        'balancer',
        '--json',
      ],
      {
        timeoutMs: 170_000,
        env: {
          PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY,
          PRINTHA_KNOWN_HOSTS: trustedKnownHosts(env, dir),
          PRINTHA_STATE_DIR: join(dir, 'state'),
          SSH_AUTH_SOCK: '',
        },
      },
    );
    expect(res.code, `printha apply failed:\n${res.stdout}\n${res.stderr}`).toBe(0);
    const out = JSON.parse(res.stdout) as { ok: boolean; changed: boolean; hostStates: { host: string; ok: boolean; state: string }[] };
    expect(out.ok).toBe(true);
    expect(out.changed).toBe(true);
    log(
      `printha apply examples/lab-paragon.yaml --yes --only balancer: ${(now() - t0).toFixed(1)} s; ${out.hostStates.map((h) => `${h.host}: ${h.state}`).join('; ')}`,
    );
    for (const n of ['pha-lb1', 'pha-lb2'] as const) {
      const cfg = (await labExec(n, ['cat', '/etc/haproxy/haproxy.cfg'])).stdout;
      expect(cfg).toContain(`backend ${HALFOPEN_BACKEND}`);
      expect(cfg).toContain('listen ParagonTerminal');
    }
    await setClientAddrs(true);
    log(`the VIP is on ${await refreshVipHolder()} (keepalived nopreempt): HAProxy state is read there`);
    const t1 = now();
    for (const n of ['pha-lb1', 'pha-lb2'] as const) await waitFor(`every Paragon server UP on ${n}`, () => allUp(n), 90_000, 500);
    log(`all Paragon servers UP on both balancers ${(now() - t1).toFixed(1)} s after apply`);
  });

  beforeEach(async () => {
    await refreshVipHolder();
  });

  afterEach(async () => {
    await killHolders();
    for (const n of ['pha-ps1', 'pha-ps2'] as const) if (!(await listenersRunning(n))) await startService(n, 'listeners');
    // a stopped server must be back (FSP: rise 12 x 5 s) before the next test; its slow start may still ramp
    for (const n of ['pha-lb1', 'pha-lb2'] as const) await waitFor(`every Paragon server UP on ${n}`, () => allUp(n, false), 120_000, 500);
    for (const n of ['pha-lb1', 'pha-lb2'] as const) await hap(n, `clear table ${TABLE}`);
  });

  afterAll(async () => {
    await killHolders();
    await setClientAddrs(false).catch(() => undefined);
    for (const n of ['pha-ps1', 'pha-ps2'] as const) if (!(await listenersRunning(n))) await startService(n, 'listeners');
    await resetBalancers();
  });

  it('one client: every port (5011, 5610, 21, passive, 515) on ONE node; a second client elsewhere (least connections), also on one node', async () => {
    // least connections with equal weights: no server may still be in slow start
    await waitFor(`every Paragon server UP (slow start over) on ${lb}`, () => allUp(lb), 90_000, 500);
    for (const n of ['pha-lb1', 'pha-lb2'] as const) await hap(n, `clear table ${TABLE}`);
    const a1 = await banners(CLIENT_A, CLIENT_PORTS);
    log(`client ${CLIENT_A}: ${a1.join(' | ')}`);
    CLIENT_PORTS.forEach((p, i) => expect(a1[i], `port ${p}`).toMatch(new RegExp(`^pha-ps[12] ${p}$`)));
    const nodeA = nodeOf(a1[0]!);
    expect(new Set(a1.map(nodeOf))).toEqual(new Set([nodeA]));

    // A keeps one connection open, so least connections must send the new client B to the other node
    const h = await hold(CLIENT_A, 5012, 1);
    expect(nodeOf(h.banners[0]!)).toBe(nodeA);
    const b1 = await banners(CLIENT_B, CLIENT_PORTS);
    log(`client ${CLIENT_B} (while ${CLIENT_A} holds one connection on ${nodeA}): ${b1.join(' | ')}`);
    CLIENT_PORTS.forEach((p, i) => expect(b1[i], `port ${p}`).toMatch(new RegExp(`^pha-ps[12] ${p}$`)));
    const nodeB = nodeOf(b1[0]!);
    expect(new Set(b1.map(nodeOf))).toEqual(new Set([nodeB]));
    expect(nodeB, 'least connections: the second client goes to the server without connections').not.toBe(nodeA);
    await killHolders();

    // both still stick, port by port, in another order, after A's connections are gone
    const order = [...CLIENT_PORTS].reverse();
    const a2 = await banners(CLIENT_A, order);
    const b2 = await banners(CLIENT_B, order);
    expect(new Set(a2.map(nodeOf))).toEqual(new Set([nodeA]));
    expect(new Set(b2.map(nodeOf))).toEqual(new Set([nodeB]));

    // HAProxy's table: one entry per client, 30-minute expiry, the server each stuck to
    const table = await hap(lb, `show table ${TABLE}`);
    log(`show table ${TABLE} on ${lb}:\n${table.trim()}`);
    const label = (node: string): string => (node === 'pha-ps1' ? 'PS1' : 'PS2');
    expect(table).toMatch(new RegExp(`key=${CLIENT_A.replace(/\./g, '\\.')} .*server_key=${label(nodeA)}`));
    expect(table).toMatch(new RegExp(`key=${CLIENT_B.replace(/\./g, '\\.')} .*server_key=${label(nodeB)}`));
    const exp = [...table.matchAll(/ exp=(\d+)/g)].map((m) => Number(m[1]));
    expect(exp.length).toBeGreaterThanOrEqual(2);
    for (const ms of exp) expect(ms).toBeGreaterThan(29 * 60_000);
  });

  it('tshark on pha-lb1: checks on 5555, 5022 and 515 are SYN, SYN-ACK, RST (no FIN, no ACK after the SYN-ACK)', async () => {
    const node = resolved.nodes.find((n) => n.name === 'pha-lb1')!;
    const exec: RemoteExec = async (argv, opts) => {
      const r = await labExec('pha-lb1', argv, {
        timeoutMs: opts?.timeoutMs ?? 60_000,
        ...(opts?.stdin !== undefined ? { input: opts.stdin } : {}),
      });
      return { stdout: r.stdout, stderr: r.stderr, code: r.code, ...(r.code === -1 ? { timedOut: true } : {}) };
    };
    const seconds = 3 * INTER_S + 2; // three check intervals and a margin
    const ports = [5555, 5022, 515];
    const filter = `tcp and (host ${PS1} or host ${PS2}) and (port ${ports.join(' or port ')})`;
    const cap = await captureOnNode(exec, { ...node, interface: 'eth0' }, filter, seconds);
    expect(cap.error, cap.evidence.output).toBeUndefined();
    expect(cap.tool).toBe('tshark');
    const flows = checkFlows(cap.packets, [PS1, PS2], ports);
    const verdicts = judgeHalfOpen(flows, [PS1, PS2], ports);
    log(`tshark on pha-lb1 eth0 for ${seconds} s (${cap.packets.length} packets): ${verdicts.map((v) => v.summary).join('; ')}`);
    for (const p of ports)
      for (const s of [PS1, PS2]) {
        const mine = flows.filter((f) => f.port === p && f.server === s && f.verdict !== 'incomplete');
        log(`  ${s}:${p}: ${mine.length} checks, e.g. ${mine[0] ? seq(mine[0]) : '-'}`);
        // every check interval shows up (one may be cut by the capture window)
        expect(mine.length, `${s}:${p} checks in ${seconds} s`).toBeGreaterThanOrEqual(3);
        for (const f of mine) {
          expect(f.traffic, `${s}:${p} ${seq(f)}`).toBe(false);
          expect(f.verdict, `${s}:${p} ${seq(f)}`).toBe('half-open');
          // exactly SYN, SYN-ACK, RST: no bare ACK of the handshake, no FIN, nothing else
          expect(f.sequence, `${s}:${p}`).toEqual(['>S', '<SA', expect.stringMatching(/^>RA?$/)]);
        }
      }
    for (const v of verdicts) {
      expect(v.ok, v.summary).toBe(true);
      expect(v.counts.fin + v.counts['handshake-then-rst'], v.summary).toBe(0);
    }
  });

  it(`listeners stopped on pha-ps1: DOWN after ${FALL} failed checks (inter ${INTER_S} s), within [10 s, 21 s]`, async () => {
    const before = await serversState();
    expect(srv(before, HALFOPEN_BACKEND, 'PS1')?.opState).toBe(2);
    const tStop0 = now();
    await stopService('pha-ps1', 'listeners');
    const tStop = now(); // the ports are closed once the stop returns (the process is gone)
    const seen: Record<string, number> = {};
    const watch = [
      [HALFOPEN_BACKEND, 'PS1'],
      [terminal.label, 'PS1'],
      [fsp.label, 'PS1'],
    ] as const;
    while (Object.keys(seen).length < watch.length && now() - tStop < 40) {
      const rows = await serversState();
      const t = now() - tStop;
      for (const [b, s] of watch) if (seen[`${b}/${s}`] === undefined && srv(rows, b, s)?.opState === 0) seen[`${b}/${s}`] = t;
      // PS2 is untouched all along
      for (const b of [HALFOPEN_BACKEND, terminal.label, fsp.label]) expect(srv(rows, b, 'PS2')?.opState, `${b}/PS2`).toBe(2);
      await sleep(250);
    }
    const stat = parseShowStat(await hap(lb, 'show stat'));
    const row = (b: string): string => {
      const r = stat.find((x) => x.proxy === b && x.server === 'PS1');
      return r
        ? `${r.status} (${[r.checkStatus + (r.lastChk ? `: ${r.lastChk}` : ''), r.tracked ? `tracks ${r.tracked}` : ''].filter(Boolean).join('; ')})`
        : '?';
    };
    const budget = INTER_S * FALL + INTER_S;
    log(
      `stop listeners on pha-ps1 (stop took ${(tStop - tStop0).toFixed(2)} s) -> DOWN on ${lb}: ` +
        watch.map(([b, s]) => `${b}/${s} ${seen[`${b}/${s}`]?.toFixed(2) ?? 'never'} s`).join(', ') +
        ` (inter ${INTER_S} s x fall ${FALL} = ${INTER_S * FALL} s, + one interval = ${budget} s)`,
    );
    log(
      `show stat PS1: ${HALFOPEN_BACKEND}: ${row(HALFOPEN_BACKEND)}; ${terminal.label}: ${row(terminal.label)}; ${fsp.label}: ${row(fsp.label)}`,
    );
    for (const [b, s] of watch) {
      const t = seen[`${b}/${s}`];
      expect(t, `${b}/${s} never went DOWN`).toBeDefined();
      expect(t!, `${b}/${s}`).toBeGreaterThanOrEqual(10);
      expect(t!, `${b}/${s}`).toBeLessThanOrEqual(21);
    }
    expect(stat.find((x) => x.proxy === terminal.label && x.server === 'PS1')?.status).toMatch(/^DOWN/);
    // and a client that was on PS1 is served by PS2 now (redispatch)
    const after = await banners(POLL_POOL[0]!, [5011, 515]);
    expect(after.map(nodeOf)).toEqual(['pha-ps2', 'pha-ps2']);
  });

  it(`listeners started on pha-ps1 again: no new connection before riseSeconds (${RISE_S} s), back in use after the warm-up`, async () => {
    await stopService('pha-ps1', 'listeners');
    const tStop = now();
    await waitFor(`PS1 DOWN on ${lb}`, async () => srv(await serversState(), terminal.label, 'PS1')?.opState === 0, 30_000, 250);
    log(`warm-up test: PS1 DOWN ${(now() - tStop).toFixed(2)} s after the stop`);
    // PS2 carries 8 open connections, so least connections prefers PS1 as soon as HAProxy lets it take traffic
    const h = await hold(HOLDER, 5011, 8);
    expect(new Set(h.banners.map(nodeOf))).toEqual(new Set(['pha-ps2']));

    await startService('pha-ps1', 'listeners');
    const tAnswer = await listenersReadyAt('pha-ps1'); // all ports bound: pha-ps1 answers from here on
    const polls: { t: number; node: string; op: number | undefined; weight: string }[] = [];
    let tUp: number | undefined; // first state other than DOWN (starting: slowstart)
    let tRunning: number | undefined; // slowstart over
    let firstOnPs1: number | undefined;
    let i = 1;
    while (now() - tAnswer < 3 * RISE_S + 30) {
      const tick = now();
      const src = POLL_POOL[i++ % POLL_POOL.length]!;
      const [rows, b] = await Promise.all([serversState(), banners(src, [5011])]);
      // the poll's start: the connection and the state read happened after it (conservative for "too early")
      const t = tick - tAnswer;
      const s = srv(rows, terminal.label, 'PS1');
      const node = nodeOf(b[0] ?? '');
      polls.push({ t, node, op: s?.opState, weight: s?.fields.srv_uweight ?? '?' });
      if (tUp === undefined && s && s.opState !== 0) tUp = t;
      if (tRunning === undefined && s?.opState === 2) tRunning = t;
      if (node === 'pha-ps1' && firstOnPs1 === undefined) firstOnPs1 = t;
      if (firstOnPs1 !== undefined && tRunning !== undefined) break;
      await sleep(Math.max(0, 500 - (now() - tick) * 1000));
    }
    const early = polls.filter((p) => p.node === 'pha-ps1' && p.t < RISE_S);
    const fmt = (x: number | undefined): string => (x === undefined ? 'never' : `${x.toFixed(2)} s`);
    log(
      `start listeners on pha-ps1 -> (times since it answered) ParagonTerminal/PS1 out of DOWN at ${fmt(tUp)}, ` +
        `slowstart over at ${fmt(tRunning)}, first new client on pha-ps1 at ${fmt(firstOnPs1)}; ${polls.length} polls every 0.5 s, ` +
        `${polls.filter((p) => p.node === 'pha-ps1').length} reached pha-ps1, ${early.length} of them before ${RISE_S} s`,
    );
    log(`polls (t: node/op state): ${polls.map((p) => `${p.t.toFixed(1)}:${p.node.replace('pha-', '')}/${p.op ?? '?'}`).join(' ')}`);
    // rise = N good checks at inter: the first comes 0..inter after the server answers, so N checks
    // span only (N-1) x inter + that phase; riseSeconds is guaranteed only when (N-1) x inter >= riseSeconds
    const rise = Number(
      / rise (\d+)/.exec((await labExec(lb, ['grep', '-m1', `server PS1 ${PS1}:5555 check`, '/etc/haproxy/haproxy.cfg'])).stdout)?.[1],
    );
    log(
      `generated check: rise ${rise} x inter ${INTER_S} s for riseSeconds ${RISE_S}: HAProxy may take the server back after (rise-1) x inter = ${(rise - 1) * INTER_S} s + the phase of the first good check (0..${INTER_S} s)`,
    );
    expect(polls.length).toBeGreaterThan(10);
    expect(
      early.map((p) => p.t.toFixed(2)),
      `new connections reached pha-ps1 before the ${RISE_S} s warm-up`,
    ).toEqual([]);
    expect(tUp, 'PS1 never left DOWN').toBeDefined();
    expect(
      tUp!,
      `HAProxy took PS1 back ${tUp!.toFixed(2)} s after it answered, before riseSeconds ${RISE_S} (rise ${rise} x inter ${INTER_S} s)`,
    ).toBeGreaterThanOrEqual(RISE_S);
    expect(firstOnPs1, 'no new client reached pha-ps1 after the warm-up').toBeDefined();
    expect(tRunning, 'slowstart never ended').toBeDefined();
    // the warm-up is not much longer than asked: UP within riseSeconds + one interval (+ poll slack)
    expect(tUp!).toBeLessThanOrEqual(RISE_S + INTER_S + 1.5);
  });
});
