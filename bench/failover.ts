/**
 * bench/failover (lab): how fast what PrintHA deploys reacts to failures, measured against
 * baselines in the same run, alternating, medians.
 *
 * (a) VRRP: stop keepalived on the balancer holding the VIP; time from the stop to the first new
 *     client connection answered through the other balancer (the VIP seen there, then a fresh
 *     connection to VIP:515 answered), and the failed connections of a print client retrying every
 *     20 ms (1 s connect/read timeout). Ours = the generated keepalived.conf (unicast, both BACKUP,
 *     nopreempt); baseline = the textbook config the lab starts with (MASTER/BACKUP, multicast,
 *     preempt). Target: < 2 s, <= 2 failed connections.
 * (b) health-check detection: stop smbd (the checked port, 445) on every print server at once; time
 *     from each stop to HAProxy marking that server DOWN. Ours = the generated checks (profile
 *     inter 5 s, fall 3), target <= inter x fall + inter; baseline = HAProxy's default check timing
 *     (inter 2 s, fall 3) of the minimal config watching the same service at the same moment.
 * (c) recovery: start smbd again; time to UP (ours: rise x inter, then slowstart warm-up before
 *     full weight; baseline: HAProxy defaults, rise 2 x 2 s, no warm-up).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { validateSiteYaml } from '../shared/rules/index.js';
import { riseCount } from '../shared/render/balancer-common.js';
import { resolveSite } from '../shared/model/resolve.js';
import { LAB_SH, LAB_VIP, CLIENT_NETNS, type LabNode } from '../test/lab/lab.js';
import {
  BALANCERS,
  LAB_SITE,
  MIN_SOCK,
  OUR_SOCK,
  PY,
  ensureLabSnat,
  load1,
  loadNote,
  mustExec,
  printServers,
  settledOwner,
  startMinimal,
  stopMinimal,
  timedExec,
  writeNodeFile,
} from './lab-bench.js';
import { median, round, type BenchResults } from './lib.js';

export const needsLab = { servers: 2 };

const VRRP_REPS = 3;
const HC_REPS = 2;
const PROBE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'probes', 'labprobe.py'), 'utf8');

/** A probe running in the background: resolves when it printed "ready"; `result` is its JSON. */
interface Probe {
  ready: Promise<void>;
  result: Promise<unknown>;
}

function probe(node: LabNode, args: readonly string[], timeoutMs: number): Probe {
  const argv =
    node === CLIENT_NETNS
      ? ['ip', 'netns', 'exec', CLIENT_NETNS, PY, '-c', PROBE, ...args]
      : ['bash', LAB_SH, 'exec', node, PY, '-c', PROBE, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  let onFail: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const result = new Promise<unknown>((res, rej) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        res(JSON.parse(last));
      } catch (e) {
        const why = new Error(
          `probe ${args[0] ?? ''} in ${node} failed (${e instanceof Error ? e.message : String(e)}): ${err.trim().slice(-400)}`,
        );
        onFail(why);
        rej(why);
      }
    });
  });
  result.catch(() => undefined);
  return { ready, result };
}

const other = (n: LabNode): LabNode => (n === 'pha-lb1' ? 'pha-lb2' : 'pha-lb1');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ (a) VRRP
/** The keepalived.conf the lab starts with (test/lab/lab.sh gen_keepalived): the textbook MASTER/BACKUP pair. */
export function textbookKeepalived(node: LabNode): string {
  const master = node === 'pha-lb1';
  return `# PrintHA bench baseline: textbook keepalived (MASTER/BACKUP, multicast, preempt)
global_defs {
    router_id ${node}
    enable_script_security
    script_user root
}
vrrp_script chk_haproxy {
    script "/usr/bin/killall -0 haproxy"
    interval 1
    fall 2
    rise 2
}
vrrp_instance VI_PRINTHA {
    state ${master ? 'MASTER' : 'BACKUP'}
    interface eth0
    virtual_router_id 51
    priority ${master ? 150 : 100}
    advert_int 1
    virtual_ipaddress {
        ${LAB_VIP}/24 dev eth0
    }
    track_script {
        chk_haproxy
    }
}
`;
}

async function useKeepalived(confs: Record<string, string>): Promise<LabNode> {
  for (const n of BALANCERS) await mustExec(n, ['systemctl', 'stop', 'keepalived']);
  for (const n of BALANCERS) await writeNodeFile(n, '/etc/keepalived/keepalived.conf', confs[n]!);
  for (const n of BALANCERS) await mustExec(n, ['systemctl', 'start', 'keepalived']);
  await sleep(500);
  return settledOwner(30_000);
}

interface VrrpSample {
  seconds: number;
  failed: number;
}

type Attempt = [number, number, boolean];

/** One failover away from `owner`: stop its keepalived, measure, start it again. */
async function vrrpFailover(owner: LabNode, textbook: boolean): Promise<VrrpSample> {
  const to = other(owner);
  const client = probe(CLIENT_NETNS, ['client', LAB_VIP, '515', '4.5'], 30_000);
  await client.ready;
  const watch = probe(to, ['vip-wait', LAB_VIP, '10'], 30_000);
  await watch.ready;
  await sleep(400); // the client sees a working VIP first
  const tStop = await timedExec(owner, ['systemctl', 'stop', 'keepalived']);
  const { t: tVip } = (await watch.result) as { t: number | null };
  const res = (await client.result) as { seq: Attempt[]; par: Attempt[] };
  if (tVip === null) throw new Error(`VRRP: the VIP did not move to ${to} within 10 s after keepalived stopped on ${owner}`);
  const first = res.par.filter(([s, , ok]) => ok && s >= tVip).sort((a, b) => a[1] - b[1])[0];
  if (!first) throw new Error(`VRRP: no client connection through ${to} succeeded within 4 s of the stop on ${owner}`);
  const failed = res.seq.filter(([, , ok]) => !ok).length;
  await mustExec(owner, ['systemctl', 'start', 'keepalived']);
  if (textbook) {
    // preempt: the MASTER takes the VIP back (a second move); wait for it before the next sample
    await sleep(1000);
    const back = await settledOwner(30_000);
    if (back !== owner) await sleep(4000);
  }
  await sleep(1500); // the restarted node settles as BACKUP (ours: nopreempt keeps the VIP where it is)
  return { seconds: first[1] - tStop, failed };
}

// ------------------------------------------------------------------ (b) + (c) health checks
interface HcSample {
  down: number[];
  up: number[];
  full: number[];
}

type HaEvent = [number, string, string, string, number];

function firstAfter(events: HaEvent[], sock: string, server: string, t0: number, pred: (op: number) => boolean): number | undefined {
  const e = events.find(([t, s, , name, op]) => s === sock && name === server && t >= t0 && pred(op));
  return e ? e[0] - t0 : undefined;
}

async function healthRound(lb: LabNode, servers: readonly LabNode[], ours: HcSample, base: HcSample): Promise<void> {
  const oursNames = servers.map((_, i) => `PS${i + 1}`);
  const minNames = servers.map((_, i) => `s${i + 1}`);
  const specs = [`${OUR_SOCK}:PrintServers:${oursNames.join(',')}`, `${MIN_SOCK}:bench-minimal:${minNames.join(',')}`];
  // (b) stop the checked service on every server at once
  const downWatch = probe(lb, ['hastate', '40', 'down', ...specs], 60_000);
  await downWatch.ready;
  const tStop = await Promise.all(servers.map((s) => timedExec(s, ['systemctl', 'stop', 'smbd'])));
  const down = (await downWatch.result) as { events: HaEvent[]; done: boolean };
  // (c) start it again: UP (slow start begins), then full weight
  const upWatch = probe(lb, ['hastate', '60', 'full', ...specs], 90_000);
  await upWatch.ready;
  const tStart = await Promise.all(servers.map((s) => timedExec(s, ['systemctl', 'start', 'smbd'])));
  const up = (await upWatch.result) as { events: HaEvent[]; done: boolean };
  if (!down.done) throw new Error(`health checks: not every server was marked DOWN within 40 s of stopping smbd`);
  if (!up.done) throw new Error(`health checks: not every server was back UP at full weight within 60 s of starting smbd`);
  // Per server: DOWN after the stop, UP after the start, full weight (op 2) after the start; ours and the minimal config.
  const wanted: [number[], HaEvent[], string, readonly string[], readonly number[], (op: number) => boolean, string][] = [
    [ours.down, down.events, OUR_SOCK, oursNames, tStop, (op) => op === 0, 'DOWN (ours)'],
    [base.down, down.events, MIN_SOCK, minNames, tStop, (op) => op === 0, 'DOWN (minimal)'],
    [ours.up, up.events, OUR_SOCK, oursNames, tStart, (op) => op !== 0, 'UP (ours)'],
    [base.up, up.events, MIN_SOCK, minNames, tStart, (op) => op !== 0, 'UP (minimal)'],
    [ours.full, up.events, OUR_SOCK, oursNames, tStart, (op) => op === 2, 'full weight (ours)'],
    [base.full, up.events, MIN_SOCK, minNames, tStart, (op) => op === 2, 'full weight (minimal)'],
  ];
  servers.forEach((_, i) => {
    for (const [arr, events, sock, names, since, op, what] of wanted) {
      const v = firstAfter(events, sock, names[i]!, since[i]!, op);
      if (v === undefined) throw new Error(`health checks: no ${what} event for server ${i + 1}`);
      arr.push(v);
    }
  });
}

function checkTiming(): { inter: number; fall: number; rise: number; slow: number } {
  const v = validateSiteYaml(readFileSync(LAB_SITE, 'utf8'));
  if (!v.site) throw new Error('examples/lab-snat.yaml is not valid');
  const vip = resolveSite(v.site).vips.find((x) => x.label === 'PrintServers');
  if (!vip) throw new Error('examples/lab-snat.yaml has no PrintServers VIP label');
  const c = vip.check;
  return { inter: c.intervalSeconds, fall: c.fall, rise: riseCount(c), slow: c.riseSeconds };
}

export async function run(): Promise<BenchResults> {
  const applied = await ensureLabSnat();
  const servers = printServers(needsLab.servers);
  const timing = checkTiming();
  const out: BenchResults = {};

  // (b) + (c) first: they need the VIP holder stable.
  await startMinimal(servers);
  const lHc = load1();
  const ours: HcSample = { down: [], up: [], full: [] };
  const base: HcSample = { down: [], up: [], full: [] };
  try {
    const lb = await settledOwner();
    for (let i = 0; i < HC_REPS; i++) await healthRound(lb, servers, ours, base);
  } finally {
    for (const s of servers) await mustExec(s, ['systemctl', 'start', 'smbd']);
    await stopMinimal();
  }
  const hcLoad = loadNote(lHc);
  const n = servers.length * HC_REPS;
  const bound = timing.inter * timing.fall;
  const od = median(ours.down);
  out['healthcheck-detect'] = {
    value: round(od, 2),
    unit: 's',
    baseline: round(median(base.down), 2),
    ratio: round(od / median(base.down), 2),
    target: `<=${bound + timing.inter} s (inter ${timing.inter} s x fall ${timing.fall} + inter)`,
    ok: Math.max(...ours.down) <= bound + timing.inter,
    note: `smbd stopped on ${servers.length} servers at once -> DOWN on the VIP holder (generated check: inter ${timing.inter} s fall ${timing.fall}, configured ${bound} s; max ${round(Math.max(...ours.down), 2)} s) vs HAProxy default check timing (inter 2 s fall 3) of the minimal config; median of ${n} (${ours.down.map((x) => round(x, 1)).join(', ')}); ${hcLoad}`,
  };
  const riseBound = timing.rise * timing.inter;
  const ou = median(ours.up);
  out['healthcheck-recover'] = {
    value: round(ou, 2),
    unit: 's',
    baseline: round(median(base.up), 2),
    ratio: round(ou / median(base.up), 2),
    target: `<=${riseBound + timing.inter} s (rise ${timing.rise} x inter + inter)`,
    ok: Math.max(...ours.up) <= riseBound + timing.inter,
    note: `smbd started -> UP again (generated: rise ${timing.rise} x inter ${timing.inter} s) vs HAProxy defaults (rise 2 x 2 s); median of ${n} (${ours.up.map((x) => round(x, 1)).join(', ')}); ${hcLoad}`,
  };
  const of = median(ours.full);
  out['healthcheck-warmup'] = {
    value: round(of, 2),
    unit: 's',
    baseline: round(median(base.full), 2),
    ratio: round(of / median(base.full), 2),
    target: `${riseBound}-${riseBound + timing.slow + 2 * timing.inter} s (UP, then slowstart ${timing.slow} s)`,
    ok: Math.min(...ours.full) >= riseBound - timing.inter && Math.max(...ours.full) <= riseBound + timing.slow + 2 * timing.inter,
    note: `smbd started -> full weight after the slowstart warm-up (generated slowstart ${timing.slow} s) vs the minimal config (no warm-up); median of ${n} (${ours.full.map((x) => round(x, 1)).join(', ')}); ${hcLoad}`,
  };

  // (a) VRRP, alternating ours / textbook, one failover each per round
  const lV = load1();
  const oursV: VrrpSample[] = [];
  const bookV: VrrpSample[] = [];
  const book = Object.fromEntries(BALANCERS.map((b) => [b, textbookKeepalived(b)]));
  try {
    let owner = await settledOwner();
    for (let i = 0; i < VRRP_REPS; i++) {
      oursV.push(await vrrpFailover(owner, false));
      owner = await useKeepalived(book);
      bookV.push(await vrrpFailover(owner, true));
      owner = await useKeepalived(applied.keepalived);
    }
  } finally {
    for (const b of BALANCERS) await writeNodeFile(b, '/etc/keepalived/keepalived.conf', applied.keepalived[b]!);
    for (const b of BALANCERS) await mustExec(b, ['systemctl', 'restart', 'keepalived']);
    await settledOwner(30_000);
  }
  const vLoad = loadNote(lV);
  const os_ = median(oursV.map((s) => s.seconds));
  const bs = median(bookV.map((s) => s.seconds));
  const of_ = median(oursV.map((s) => s.failed));
  const bf = median(bookV.map((s) => s.failed));
  out['vrrp-failover'] = {
    value: round(os_, 2),
    unit: 's',
    baseline: round(bs, 2),
    ratio: round(os_ / bs, 2),
    target: '<2 s',
    ok: Math.max(...oursV.map((s) => s.seconds)) < 2,
    note: `keepalived stopped on the VIP holder -> a new connection to VIP:515 answered through the other balancer; generated keepalived.conf vs the textbook MASTER/BACKUP one; median of ${VRRP_REPS} (ours ${oursV.map((s) => round(s.seconds, 2)).join(', ')}); ${vLoad}`,
  };
  out['vrrp-failed-connections'] = {
    value: of_,
    unit: 'conns',
    baseline: bf,
    // 0 of 0 is "the same"; otherwise failures per baseline failure
    ratio: bf > 0 ? round(of_ / bf, 2) : of_ === 0 ? 1 : of_,
    target: '<=2',
    ok: Math.max(...oursV.map((s) => s.failed)) <= 2,
    note: `failed connections of a client retrying every 20 ms (1 s timeout) during one failover; ours ${oursV.map((s) => s.failed).join(', ')} vs textbook ${bookV.map((s) => s.failed).join(', ')}${bf > 0 ? '' : '; baseline 0: ratio = value'}; ${vLoad}`,
  };
  return out;
}
