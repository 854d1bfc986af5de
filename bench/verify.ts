/**
 * bench/verify: the TCP sweep of `printha verify` (every balanced port of examples/lab-snat.yaml on
 * every print server of the lab + the VIP) against `nmap -sT -Pn -n` over the same targets and
 * ports, alternating, medians. Target: no slower than nmap.
 *
 * Needs the lab (best with 10 servers: `npm run lab:up -- --servers 10`); with fewer servers it
 * says so and uses what is there. The measurement runs inside the lab's client namespace: when
 * this process is not there, it re-runs itself under `ip netns exec pha-client` and reads the JSON.
 * Both sides must find the same open ports (checked once per run), otherwise the bench fails.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tcpSweep, type TcpTarget } from '../electron/core/probes/tcp.js';
import { resolveSite } from '../shared/model/resolve.js';
import { loadSiteYaml } from '../shared/site/load.js';
import { expandRanges } from '../shared/site/ports.js';
import { CLIENT_NETNS, LAB_VIP, inClientNetns, labEnv, labIsUp, nodeIp, type LabNode } from '../test/lab/lab.js';
import { alternate, round, type BenchResults } from './lib.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WANT_SERVERS = 10;
const REPS = 15;

function sitePorts(): number[] {
  const r = loadSiteYaml(readFileSync(join(HERE, '../examples/lab-snat.yaml'), 'utf8'));
  if (!r.ok) throw new Error('examples/lab-snat.yaml is not a valid site');
  return [...new Set(resolveSite(r.site).vips.flatMap((v) => expandRanges(v.ports)))].sort((a, b) => a - b);
}

function runProc(cmd: string, args: string[], timeoutMs = 120_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

/** open "host:port" of an nmap -oX run, and nmap's own elapsed seconds */
function parseNmapXml(xml: string): { open: Set<string>; elapsed: number } {
  const open = new Set<string>();
  for (const h of xml.split('<host ').slice(1)) {
    const addr = /<address addr="([^"]+)"/.exec(h)?.[1];
    for (const m of h.matchAll(/<port protocol="tcp" portid="(\d+)"><state state="(\w+)"/g)) if (addr && m[2] === 'open') open.add(`${addr}:${m[1]}`);
  }
  return { open, elapsed: Number(/elapsed="([\d.]+)"/.exec(xml)?.[1] ?? NaN) };
}

interface Inner {
  servers: number;
  hosts: number;
  ports: number;
  connects: number;
  oursMs: number;
  nmapMs: number;
  nmapElapsedMs: number;
  openOurs: number;
  openNmap: number;
  sameOpen: boolean;
}

async function measure(servers: number): Promise<Inner> {
  const ports = sitePorts();
  const hosts = [...Array.from({ length: servers }, (_, i) => nodeIp(`pha-ps${i + 1}` as LabNode)), LAB_VIP];
  const targets: TcpTarget[] = hosts.flatMap((host) => ports.map((port) => ({ host, port })));
  const nmapArgs = ['-sT', '-Pn', '-n', '-p', ports.join(','), '-oX', '-', ...hosts];
  const ours = () => tcpSweep(targets, { concurrency: 128, timeoutMs: 2000 });
  const nmap = async () => {
    const r = await runProc('nmap', nmapArgs);
    if (r.code !== 0) throw new Error(`nmap failed (${r.code}): ${r.err.trim()}`);
    return r.out;
  };
  // correctness first: both must see the same open ports
  const mine = new Set((await ours()).filter((x) => x.open).map((x) => `${x.host}:${x.port}`));
  const theirs = parseNmapXml(await nmap());
  const sameOpen = mine.size === theirs.open.size && [...mine].every((x) => theirs.open.has(x));
  const elapsed: number[] = [];
  const { a, b } = await alternate(ours, async () => elapsed.push(parseNmapXml(await nmap()).elapsed * 1000), REPS);
  elapsed.sort((x, y) => x - y);
  return {
    servers,
    hosts: hosts.length,
    ports: ports.length,
    connects: targets.length,
    oursMs: a,
    nmapMs: b,
    nmapElapsedMs: elapsed[elapsed.length >> 1] ?? NaN,
    openOurs: mine.size,
    openNmap: theirs.open.size,
    sameOpen,
  };
}

export async function run(): Promise<BenchResults> {
  if (!(await labIsUp())) throw new Error(`the lab is not up: run \`npm run lab:up -- --servers ${WANT_SERVERS}\` (as root) first`);
  const servers = Number((await labEnv()).PRINTHA_LAB_SERVERS);
  let m: Inner;
  if (inClientNetns()) m = await measure(servers);
  else {
    const r = await runProc('ip', ['netns', 'exec', CLIENT_NETNS, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), '--inner', String(servers)], 300_000);
    const line = r.out.trim().split('\n').pop() ?? '';
    if (r.code !== 0 || !line.startsWith('{')) throw new Error(`the measurement in ${CLIENT_NETNS} failed (exit ${r.code}): ${r.err.trim().split('\n').slice(-3).join(' ')}`);
    m = JSON.parse(line) as Inner;
  }
  const few = servers < WANT_SERVERS ? ` — the lab has ${servers} print servers, not ${WANT_SERVERS} (npm run lab:up -- --servers ${WANT_SERVERS}); measured with what is there` : '';
  if (few) process.stderr.write(`bench verify: the lab has ${servers} print servers, not ${WANT_SERVERS}; measuring with what is there\n`);
  const what = `${m.connects} connects (${m.hosts} hosts = ${m.servers} servers + VIP, × ${m.ports} ports); open: ours ${m.openOurs}, nmap ${m.openNmap}${m.sameOpen ? ' (same set)' : ' (DIFFERENT sets)'}${few}`;
  return {
    'verify-tcp-sweep-vs-nmap': {
      value: round(m.oursMs),
      unit: 'ms',
      baseline: round(m.nmapMs),
      ratio: round(m.oursMs / m.nmapMs),
      target: '<= 1.0 x nmap -sT -Pn',
      ok: m.sameOpen && m.oursMs <= m.nmapMs,
      note: `median of ${REPS}, alternating; nmap wall clock (process included); ${what}`,
    },
    'verify-tcp-sweep-vs-nmap-scan-only': {
      value: round(m.oursMs),
      unit: 'ms',
      baseline: round(m.nmapElapsedMs),
      ratio: round(m.oursMs / m.nmapElapsedMs),
      target: '<= 1.0 x nmap scan time',
      ok: m.sameOpen && m.oursMs <= m.nmapElapsedMs,
      note: 'against the scan time nmap itself reports (elapsed=, 10 ms resolution, no process start)',
    },
  };
}

if (process.argv.includes('--inner')) {
  measure(Number(process.argv[process.argv.indexOf('--inner') + 1])).then(
    (m) => process.stdout.write(`${JSON.stringify(m)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
