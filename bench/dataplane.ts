/**
 * bench/dataplane (lab): the data plane of what PrintHA deploys in SNAT mode, against going to the
 * print server directly and against a minimal untuned HAProxy, all measured in the same run,
 * alternating (the order rotates every repetition), medians.
 *
 * - throughput: iperf3 (Debian) from pha-client, one TCP stream, through the VIP to a print server
 *   (port 50808, balanced by lab-snat's Dispatcher VIP label), through the minimal HAProxy
 *   (VIP:5201 -> server:50808) and straight to that server. Target: >= 0.8 of direct.
 * - connection rate: wrk (Debian) with `Connection: close`, so every request is a new TCP connection
 *   (connect, a short request and answer, close: what print clients do), against a tiny HAProxy
 *   HTTP responder on the print servers' port 50808. Target: >= 0.5 of direct.
 *
 * The lab's listeners hold port 50808 on the print servers, so they are stopped while iperf3 and
 * the responder use it, and started again afterwards (health checks use 445 and are not touched).
 */
import { inClient, LAB_VIP, nodeIp, type LabNode } from '../test/lab/lab.js';
import {
  BENCH_PORT,
  MINIMAL_PORT,
  bannerVia,
  bgInNode,
  ensureLabSnat,
  load1,
  loadNote,
  mustExec,
  printServers,
  startMinimal,
  stopMinimal,
  waitTcp,
  writeNodeFile,
} from './lab-bench.js';
import { median, round, type BenchResults } from './lib.js';

export const needsLab = { servers: 2 };

const REPS = 5;
const IPERF_SECONDS = 3;
const WRK_SECONDS = 3;
const WRK_CONNS = 8;
const RESP_CFG = '/tmp/printha-bench-responder.cfg';

type Variant = 'ours' | 'minimal' | 'direct';
interface Target {
  addr: string;
  port: number;
}

function targets(server: LabNode): Record<Variant, Target> {
  return {
    ours: { addr: LAB_VIP, port: BENCH_PORT },
    minimal: { addr: LAB_VIP, port: MINIMAL_PORT },
    direct: { addr: nodeIp(server), port: BENCH_PORT },
  };
}

/** Runs `measure` for every variant, REPS times, rotating the order each time; medians. */
async function alternateVariants(measure: (v: Variant) => Promise<number>): Promise<Record<Variant, { median: number; all: number[] }>> {
  const order: Variant[] = ['ours', 'minimal', 'direct'];
  const got: Record<Variant, number[]> = { ours: [], minimal: [], direct: [] };
  for (let i = 0; i < REPS; i++) {
    for (let k = 0; k < order.length; k++) {
      const v = order[(i + k) % order.length]!;
      got[v].push(await measure(v));
    }
  }
  const res = {} as Record<Variant, { median: number; all: number[] }>;
  for (const v of order) res[v] = { median: median(got[v]), all: got[v] };
  return res;
}

export async function iperfGbps(t: Target, seconds = IPERF_SECONDS): Promise<number> {
  const r = await inClient(['iperf3', '-c', t.addr, '-p', String(t.port), '-t', String(seconds), '-O', '1', '-J'], {
    timeoutMs: (seconds + 20) * 1000,
  });
  let j: { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  try {
    j = JSON.parse(r.stdout) as typeof j;
  } catch {
    throw new Error(`iperf3 to ${t.addr}:${t.port} printed no JSON (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
  }
  const bps = j.end?.sum_received?.bits_per_second;
  if (j.error || typeof bps !== 'number' || bps <= 0)
    throw new Error(`iperf3 to ${t.addr}:${t.port} failed: ${j.error ?? 'no throughput in its report'}`);
  return bps / 1e9;
}

export async function wrkConnsPerSecond(t: Target, seconds = WRK_SECONDS, conns = WRK_CONNS, threads = 1): Promise<number> {
  const r = await inClient(
    ['wrk', '-t', String(threads), '-c', String(conns), '-d', `${seconds}s`, '-H', 'Connection: close', `http://${t.addr}:${t.port}/`],
    {
      timeoutMs: (seconds + 20) * 1000,
    },
  );
  const m = /Requests\/sec:\s+([0-9.]+)/.exec(r.stdout);
  if (r.code !== 0 || !m?.[1])
    throw new Error(`wrk to ${t.addr}:${t.port} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  const failed = (errors ? Number(errors[1]) + Number(errors[4]) : 0) + (bad ? Number(bad[1]) : 0);
  const done = /(\d+) requests in/.exec(r.stdout);
  if (done && failed > Number(done[1]) * 0.01) throw new Error(`wrk to ${t.addr}:${t.port}: ${failed} of ${done[1]} connections failed`);
  return Number(m[1]);
}

export function responderConfig(node: LabNode): string {
  return [
    '# PrintHA bench: answers every HTTP request with one short line and closes (Connection: close).',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 10s',
    '    timeout server 10s',
    'frontend responder',
    `    bind :${BENCH_PORT}`,
    `    http-request return status 200 content-type text/plain string "${node} ${BENCH_PORT}"`,
    '',
  ].join('\n');
}

/**
 * One load generator stands in for many print clients: with one source address, wrk's closed
 * connections sit in TIME_WAIT for 60 s per (source port, destination) and exhaust the client's
 * ephemeral range after ~28k connections, after which that destination collapses to a few hundred
 * connections per second (seen here: the VIP at ~200/s in later repetitions while direct stayed at
 * ~7000/s). For the connection-rate runs the client namespace (only it) reuses TIME_WAIT ports and has
 * the full port range, for every variant alike; the previous values are restored afterwards.
 */
async function withClientPortReuse<T>(fn: () => Promise<T>): Promise<T> {
  const keys = ['net.ipv4.tcp_tw_reuse', 'net.ipv4.ip_local_port_range'];
  const before = await inClient(['sysctl', '-n', ...keys]);
  const [reuse, range] = before.stdout.trim().split('\n');
  if (before.code !== 0 || !reuse || !range) throw new Error(`cannot read ${keys.join(', ')} in the client namespace: ${before.stderr.trim()}`);
  const set = async (r: string, p: string): Promise<void> => {
    const res = await inClient(['sysctl', '-q', '-w', `net.ipv4.tcp_tw_reuse=${r}`, `net.ipv4.ip_local_port_range=${p}`]);
    if (res.code !== 0) throw new Error(`sysctl in the client namespace failed: ${res.stderr.trim()}`);
  };
  await set('1', '1024 65023');
  try {
    return await fn();
  } finally {
    await set(reuse.trim(), range.trim().replace(/\s+/g, ' '));
  }
}

async function withListenersStopped<T>(servers: readonly LabNode[], fn: () => Promise<T>): Promise<T> {
  for (const s of servers) await mustExec(s, ['systemctl', 'stop', 'listeners']);
  try {
    return await fn();
  } finally {
    for (const s of servers) await mustExec(s, ['systemctl', 'start', 'listeners']);
  }
}

async function onServers<T>(
  servers: readonly LabNode[],
  start: (s: LabNode) => Promise<() => Promise<void>>,
  fn: () => Promise<T>,
): Promise<T> {
  const stops: (() => Promise<void>)[] = [];
  try {
    for (const s of servers) stops.push(await start(s));
    for (const s of servers) await waitTcp(nodeIp(s), BENCH_PORT);
    return await fn();
  } finally {
    for (const stop of stops) await stop();
  }
}

export async function run(): Promise<BenchResults> {
  await ensureLabSnat();
  const servers = printServers(needsLab.servers);
  // Which server the VIP sends this client to (source-IP persistence): the direct baseline uses it.
  const banner = await bannerVia(LAB_VIP, 515);
  const sticky = servers.find((s) => banner.startsWith(`${s} `));
  if (!sticky) throw new Error(`the VIP answered "${banner}" on port 515, not one of ${servers.join(', ')}`);
  const t = targets(sticky);
  await startMinimal(servers);
  try {
    return await withListenersStopped(servers, async () => {
      const l0 = load1();
      const tp = await onServers(
        servers,
        (s) => bgInNode(s, ['iperf3', '-s', '-p', String(BENCH_PORT)]),
        () => alternateVariants((v) => iperfGbps(t[v])),
      );
      const tpLoad = loadNote(l0);
      const l1 = load1();
      const cr = await onServers(
        servers,
        async (s) => {
          await writeNodeFile(s, RESP_CFG, responderConfig(s));
          return bgInNode(s, ['haproxy', '-db', '-f', RESP_CFG]);
        },
        () => withClientPortReuse(() => alternateVariants((v) => wrkConnsPerSecond(t[v]))),
      );
      const crLoad = loadNote(l1);
      const direct = `direct = client to ${sticky}:${BENCH_PORT}`;
      const tpr = (x: number): number => round(x / tp.direct.median, 3);
      const crr = (x: number): number => round(x / cr.direct.median, 3);
      return {
        'snat-throughput': {
          value: round(tp.ours.median, 2),
          unit: 'Gbit/s',
          baseline: round(tp.direct.median, 2),
          ratio: tpr(tp.ours.median),
          target: '>=0.8 of direct',
          ok: tp.ours.median >= 0.8 * tp.direct.median,
          note: `iperf3 1 stream ${IPERF_SECONDS} s through the VIP (generated haproxy.cfg, lab-snat) vs ${direct}; median of ${REPS}; ${tpLoad}`,
        },
        'snat-throughput-minimal': {
          value: round(tp.minimal.median, 2),
          unit: 'Gbit/s',
          baseline: round(tp.direct.median, 2),
          ratio: tpr(tp.minimal.median),
          target: 'generated config >=0.95 x this',
          ok: tp.ours.median >= 0.95 * tp.minimal.median,
          note: `the same through a minimal untuned HAProxy (one listen, one bind, two servers) on VIP:${MINIMAL_PORT}; ${tpLoad}`,
        },
        'vip-conn-rate': {
          value: round(cr.ours.median, 0),
          unit: 'conn/s',
          baseline: round(cr.direct.median, 0),
          ratio: crr(cr.ours.median),
          target: '>=0.5 of direct',
          ok: cr.ours.median >= 0.5 * cr.direct.median,
          note: `wrk ${WRK_CONNS} conns, Connection: close (one TCP connection per request) ${WRK_SECONDS} s through the VIP vs ${direct}; median of ${REPS}; ${crLoad}`,
        },
        'vip-conn-rate-minimal': {
          value: round(cr.minimal.median, 0),
          unit: 'conn/s',
          baseline: round(cr.direct.median, 0),
          ratio: crr(cr.minimal.median),
          target: 'generated config >=0.9 x this',
          ok: cr.ours.median >= 0.9 * cr.minimal.median,
          note: `the same through the minimal untuned HAProxy on VIP:${MINIMAL_PORT}; ${crLoad}`,
        },
      };
    });
  } finally {
    await stopMinimal();
  }
}
