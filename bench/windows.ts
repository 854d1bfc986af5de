/**
 * bench/windows (lab): the Windows engine against the lab's Windows stand-in (test/lab/winshim/, a
 * test double reached over real PowerShell-over-SSH, pwsh 7.6 at both ends), 2 print servers against
 * 10, in one run:
 *
 * - discovery: WindowsServerEngine.discover() of examples/lab-snat.yaml with N servers (verify.ps1 +
 *   prepare.ps1 -DryRun per server, the DNS dry run on this machine), the local pwsh started and
 *   the sessions opened inside the timing, as the product does it;
 * - preparation without the reboot: apply() with `reboot: false` of the same site without its dns
 *   section (so apply is prepare.ps1 on every server and nothing else), after an untimed discovery.
 *
 * Every measured run starts from a clean stand-in (`lab.sh win-reset` on every print server, not
 * timed) and is checked (every server reachable; after apply every server prepared, nothing failed).
 * 10 servers run with the engine's default `parallel` (4) and with parallel=10. Around every run the
 * CPU time of the pwsh processes is read from /proc (the bench runs in the root PID namespace, so
 * the nodes' processes are visible): the remote shells (pwsh of the sshd PowerShell subsystem, and
 * sshd, in the print servers' network namespaces) and the local ones (the engine's pwsh, its ssh
 * clients), sampled every 200 ms (a process seen last in the final sample counts its whole life up to
 * then), plus the machine's busy CPU time from /proc/stat. The local pwsh's own busy time per kind of
 * command (session open, job start, job poll) comes from timing PowerShellRunner's runs.
 *
 * Like bench/verify the measurement runs inside pha-client (PowerShell over SSH needs the lab
 * network): this process re-runs itself with `--inner N` under `ip netns exec pha-client`.
 * PRINTHA_BENCH_WINDOWS_REPS: repetitions (default 2), medians.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext } from '../electron/core/engine/api.js';
import { findPowerShell, isFound } from '../electron/core/powershell/find.js';
import { PowerShellRunner } from '../electron/core/powershell/runner.js';
import { WindowsServerEngine } from '../electron/core/powershell/windows-engine.js';
import { resolveSite } from '../shared/model/resolve.js';
import { loadSiteYaml } from '../shared/site/load.js';
import type { Site } from '../shared/site/schema.js';
import { CLIENT_NETNS, hasPwsh, inClientNetns, labEnv, labIsUp, labUnavailableReason, winReset, type WinNode } from '../test/lab/lab.js';
import { median, round, type BenchEntry, type BenchResults } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SITE = join(ROOT, 'examples', 'lab-snat.yaml');
export const WANT_SERVERS = 10;
export const FEW_SERVERS = 2;
const DEFAULT_PARALLEL = 4;

export const title = 'windows';

export function unavailable(): string | undefined {
  const why = labUnavailableReason();
  if (why) return `needs the lab: ${why}`;
  if (!hasPwsh()) return 'pwsh is not installed (dotnet tool install --global PowerShell --version 7.6.10, ~/.dotnet/tools on PATH)';
  return undefined;
}

/** examples/lab-snat.yaml with servers PS1..PSn (10.99.0.21.., pha-psK.lab.printha.test); without its dns section when `dns` is false. */
export function siteFor(n: number, o: { dns?: boolean; text?: string } = {}): Site {
  const r = loadSiteYaml(o.text ?? readFileSync(SITE, 'utf8'));
  if (!r.ok) throw new Error('examples/lab-snat.yaml does not load');
  const s = structuredClone(r.site);
  const first = s.servers[0]!;
  s.servers = Array.from({ length: n }, (_, i) => ({
    ...first,
    label: `PS${i + 1}`,
    address: `10.99.0.${21 + i}`,
    hostname: `pha-ps${i + 1}.lab.printha.test`,
  }));
  if (o.dns === false) delete s.dns;
  return s;
}

// ------------------------------------------------------------------ CPU time from /proc

/** pid, comm, ppid, utime+stime (ticks) and start time of a /proc/PID/stat line; undefined when it does not parse. */
export function parseStat(line: string): { pid: number; comm: string; ppid: number; ticks: number; start: number } | undefined {
  const a = line.indexOf('(');
  const b = line.lastIndexOf(')');
  if (a < 0 || b < a) return undefined;
  const rest = line.slice(b + 2).split(' ');
  // rest[0] = state (field 3): ppid = field 4, utime/stime = 14/15, starttime = 22
  const num = (field: number): number => Number(rest[field - 3]);
  const v = { pid: Number(line.slice(0, a).trim()), comm: line.slice(a + 1, b), ppid: num(4), ticks: num(14) + num(15), start: num(22) };
  return Number.isFinite(v.pid) && Number.isFinite(v.ticks) && Number.isFinite(v.ppid) ? v : undefined;
}

/** Busy and total ticks of the first line of /proc/stat (busy = all but idle and iowait). */
export function parseProcStat(text: string): { busy: number; total: number } {
  const f = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((x, y) => x + (y || 0), 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

type Cat = 'remotePwsh' | 'remoteSshd' | 'localPwsh' | 'localSsh';
export interface CpuSeconds {
  remotePwsh: number;
  remoteSshd: number;
  localPwsh: number;
  localSsh: number;
  /** remote pwsh processes seen (one per session) */
  remoteShells: number;
  /** machine busy CPU seconds (all processes, this bench's and anybody else's) */
  machine: number;
}

const SHELL_COMMS = new Set(['pwsh', 'dotnet', 'sshd', 'ssh']);
const TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Samples /proc every 200 ms: CPU time of the remote and local shells between start() and stop(). */
class CpuSampler {
  private readonly seen = new Map<string, { cat: Cat; base: number; last: number }>();
  private readonly skip = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private machine0 = 0;
  constructor(private readonly nodeNets: ReadonlySet<string>) {}

  private scan(baseline: boolean): void {
    const procs: ReturnType<typeof parseStat>[] = [];
    for (const d of readdirSync('/proc')) {
      if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
      try {
        procs.push(parseStat(readFileSync(`/proc/${d}/stat`, 'utf8')));
      } catch {
        /* gone */
      }
    }
    const byPid = new Map(procs.filter((p) => p !== undefined).map((p) => [p.pid, p]));
    // The local shell is this process's child: ~/.dotnet/tools/pwsh is a dotnet-tool shim whose child
    // `dotnet pwsh.dll` is the real shell, and the ssh clients of the sessions are that child's children.
    const local = (pid: number): boolean => {
      for (let q = byPid.get(pid), depth = 0; q && depth < 8; q = byPid.get(q.ppid), depth++) if (q.ppid === process.pid) return true;
      return false;
    };
    for (const p of byPid.values()) {
      if (!SHELL_COMMS.has(p.comm)) continue;
      const key = `${p.pid}:${p.start}`;
      if (this.skip.has(key)) continue;
      let e = this.seen.get(key);
      if (!e) {
        let cat: Cat | undefined;
        if (local(p.pid)) cat = p.comm === 'ssh' ? 'localSsh' : p.comm === 'sshd' ? undefined : 'localPwsh';
        else {
          let net = '';
          try {
            net = readlinkSync(`/proc/${p.pid}/ns/net`);
          } catch {
            /* gone */
          }
          if (this.nodeNets.has(net)) cat = p.comm === 'sshd' ? 'remoteSshd' : p.comm === 'ssh' ? undefined : 'remotePwsh';
        }
        if (!cat) {
          this.skip.add(key);
          continue;
        }
        e = { cat, base: baseline ? p.ticks : 0, last: p.ticks };
        this.seen.set(key, e);
      }
      e.last = p.ticks;
    }
  }

  start(): void {
    this.seen.clear();
    this.skip.clear();
    this.scan(true);
    this.machine0 = parseProcStat(readFileSync('/proc/stat', 'utf8')).busy;
    this.timer = setInterval(() => this.scan(false), 200);
  }

  stop(): CpuSeconds {
    clearInterval(this.timer);
    this.scan(false);
    const out: CpuSeconds = { remotePwsh: 0, remoteSshd: 0, localPwsh: 0, localSsh: 0, remoteShells: 0, machine: 0 };
    for (const e of this.seen.values()) {
      out[e.cat] += (e.last - e.base) / TCK;
      if (e.cat === 'remotePwsh' && e.base === 0) out.remoteShells++;
    }
    out.machine = (parseProcStat(readFileSync('/proc/stat', 'utf8')).busy - this.machine0) / TCK;
    return out;
  }
}

// ------------------------------------------------------------------ the local shell's busy time

type RunKind = 'start' | 'open' | 'job' | 'poll' | 'close' | 'local';
export function runKind(script: string): RunKind {
  if (script.includes('printha.ping')) return 'start';
  if (script.includes('New-PSSession')) return 'open';
  if (script.includes('-AsJob')) return 'job';
  if (script.includes('Wait-Job')) return 'poll';
  if (script.includes('Remove-PSSession')) return 'close';
  return 'local';
}
type RunLog = Record<RunKind, number[]>;
const runLog: RunLog = { start: [], open: [], job: [], poll: [], close: [], local: [] };
function resetRunLog(): RunLog {
  const copy = Object.fromEntries(Object.entries(runLog).map(([k, v]) => [k, [...v]])) as RunLog;
  for (const v of Object.values(runLog)) v.splice(0);
  return copy;
}
/** Times every command the local pwsh executes (PowerShellRunner runs them one at a time); the product code is unchanged. */
function instrumentRunner(): void {
  type RunNow = (this: unknown, script: string, o: unknown) => Promise<unknown>;
  const proto = PowerShellRunner.prototype as unknown as { runNow: RunNow; __benchTimed?: boolean };
  if (proto.__benchTimed) return;
  const orig = proto.runNow;
  proto.runNow = async function (this: unknown, script: string, o: unknown) {
    const t = performance.now();
    try {
      return await orig.call(this, script, o);
    } finally {
      runLog[runKind(script)].push(performance.now() - t);
    }
  };
  proto.__benchTimed = true;
}

// ------------------------------------------------------------------ measurement (inside pha-client)

export interface Sample {
  ms: number;
  cpu: CpuSeconds;
  runs: Record<RunKind, { n: number; ms: number }>;
  /** the session opens, ms each, in order */
  opens: number[];
}
export type Config = 'd2' | 'd10' | 'd10p' | 'p2' | 'p10' | 'p10p';
export interface Inner {
  servers: number;
  reps: number;
  samples: Record<Config, Sample[]>;
}
const CONFIGS: Record<Config, { kind: 'discover' | 'prepare'; many: boolean; parallel: number }> = {
  d2: { kind: 'discover', many: false, parallel: DEFAULT_PARALLEL },
  d10: { kind: 'discover', many: true, parallel: DEFAULT_PARALLEL },
  d10p: { kind: 'discover', many: true, parallel: WANT_SERVERS },
  p2: { kind: 'prepare', many: false, parallel: DEFAULT_PARALLEL },
  p10: { kind: 'prepare', many: true, parallel: DEFAULT_PARALLEL },
  p10p: { kind: 'prepare', many: true, parallel: WANT_SERVERS },
};

async function measure(servers: number, reps: number): Promise<Inner> {
  const log = (s: string): void => void process.stderr.write(`bench windows: ${s}\n`);
  const env = await labEnv();
  // The engine's local pwsh inherits this process's environment: the RSAT stand-in (PSModulePath) and its key.
  for (const k of ['PSModulePath', 'PRINTHA_SSH_KEY', 'PRINTHA_LAB_KNOWN_HOSTS'] as const) process.env[k] = env[k];
  const found = findPowerShell();
  if (!isFound(found)) throw new Error('pwsh not found');
  instrumentRunner();
  const nodes = Array.from({ length: servers }, (_, i) => `pha-ps${i + 1}` as WinNode);
  // the remote shells: every print server's, and pha-dns's (the DNS dry run's session from the local RSAT stand-in)
  const nets = new Set([...nodes, 'pha-dns'].map((n) => `net:[${statSync(`/run/netns/${n}`).ino}]`));
  const sampler = new CpuSampler(nets);
  const ctx: RunContext = {
    knownHostsPath: env.PRINTHA_LAB_KNOWN_HOSTS,
    sshKeyPath: env.PRINTHA_SSH_KEY,
    credential: async () => undefined,
    confirmHostKey: async () => false,
    onEvent: () => undefined,
  };
  const engine = (parallel: number): WindowsServerEngine =>
    new WindowsServerEngine({
      found,
      env: { PRINTHA_WINDOWS_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_WINDOWS_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS },
      parallel,
      reboot: false,
    });
  const resetAll = async (): Promise<void> => {
    await Promise.all([...nodes, 'pha-dns' as const].map((n) => winReset(n)));
  };
  const unreachable = (facts: readonly { label: string; reachable: boolean; error?: string }[]): string[] =>
    facts.filter((f) => !f.reachable || f.error).map((f) => `${f.label}: ${f.error ?? 'unreachable'}`);

  const once = async (c: Config): Promise<Sample> => {
    const { kind, many, parallel } = CONFIGS[c];
    const n = many ? servers : FEW_SERVERS;
    await resetAll();
    const r = resolveSite(siteFor(n, { dns: kind === 'discover' }));
    const eng = engine(parallel);
    let facts = kind === 'prepare' ? await eng.discover(r, ctx) : [];
    if (kind === 'prepare' && unreachable(facts).length) throw new Error(`discovery before apply: ${unreachable(facts).join('; ')}`);
    resetRunLog();
    sampler.start();
    const t0 = performance.now();
    let bad: string[];
    if (kind === 'discover') {
      facts = await eng.discover(r, ctx);
      bad = facts.length === n ? unreachable(facts) : [`${facts.length} facts for ${n} servers`];
    } else {
      const out = await eng.apply(r, facts, ctx);
      const srv = out.filter((o) => o.host !== 'dns');
      bad =
        srv.length === n
          ? srv
              .filter((o) => !o.changed || !/^prepared: .*NOT restarted: restarts are turned off/.test(o.state))
              .map((o) => `${o.host}: ${o.state}`)
          : [`${srv.length} outcomes for ${n} servers`];
    }
    const ms = performance.now() - t0;
    const cpu = sampler.stop();
    const rl = resetRunLog();
    if (bad.length) throw new Error(`${c} (${kind} of ${n} servers) did not work: ${bad.join('; ').slice(0, 600)}`);
    const runs = Object.fromEntries(
      Object.entries(rl).map(([k, v]) => [k, { n: v.length, ms: round(v.reduce((x, y) => x + y, 0)) }]),
    ) as Sample['runs'];
    log(
      `${c}: ${kind} of ${n} servers, parallel ${parallel}: ${round(ms / 1000)} s; CPU s: remote pwsh ${round(cpu.remotePwsh)} (${cpu.remoteShells} shells), remote sshd ${round(cpu.remoteSshd)}, local pwsh ${round(cpu.localPwsh)}, local ssh ${round(cpu.localSsh)}, machine ${round(cpu.machine)}; local pwsh busy: ${Object.entries(
        runs,
      )
        .filter(([, v]) => v.n)
        .map(([k, v]) => `${k} ${v.n}x ${round(v.ms / 1000)} s`)
        .join(', ')}`,
    );
    return { ms, cpu, runs, opens: rl.open.map((x) => round(x)) };
  };

  try {
    log(`warm-up: one untimed discovery of ${servers} servers`);
    await resetAll();
    await engine(WANT_SERVERS).discover(resolveSite(siteFor(servers)), ctx);
    const samples = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, [] as Sample[]])) as Record<Config, Sample[]>;
    for (let i = 0; i < reps; i++) for (const c of Object.keys(CONFIGS) as Config[]) samples[c].push(await once(c));
    return { servers, reps, samples };
  } finally {
    await resetAll().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ entries (pure)

function med(xs: readonly Sample[], f: (s: Sample) => number): number {
  return median(xs.map(f));
}
const cpuOf = (s: Sample): number => s.cpu.remotePwsh + s.cpu.remoteSshd + s.cpu.localPwsh + s.cpu.localSsh;

/** The bench entries of one measurement (pure: unit-tested). */
export function entries(m: Inner, nproc: number): BenchResults {
  const S = m.samples;
  const wall = (c: Config): number => med(S[c], (s) => s.ms) / 1000;
  const few = m.servers < WANT_SERVERS ? ` — the lab has ${m.servers} print servers, not ${WANT_SERVERS}` : '';
  const cpuNote = (c: Config): string => {
    const x = S[c];
    const w = wall(c);
    return `CPU s (median): remote pwsh ${round(
      med(x, (s) => s.cpu.remotePwsh),
      1,
    )} in ${med(x, (s) => s.cpu.remoteShells)} shells, remote sshd ${round(
      med(x, (s) => s.cpu.remoteSshd),
      1,
    )}, local pwsh ${round(
      med(x, (s) => s.cpu.localPwsh),
      1,
    )}, local ssh ${round(
      med(x, (s) => s.cpu.localSsh),
      1,
    )}; machine busy ${round(med(x, (s) => s.cpu.machine) / w, 2)} of ${nproc} cores; local pwsh busy ${round(med(x, (s) => Object.values(s.runs).reduce((a, v) => a + v.ms, 0)) / 1000 / w, 2)} of the wall time (session opens ${round(med(x, (s) => s.runs.open.ms) / 1000, 1)} s)`;
  };
  const pair = (kind: string, few2: Config, many: Config, manyP: Config): BenchResults => {
    const a = wall(few2);
    const b = wall(many);
    const p = wall(manyP);
    const better = p < b * 0.9;
    return {
      [`windows-${kind}-${m.servers}-vs-2`]: {
        value: round(b, 1),
        unit: 's',
        baseline: round(a, 1),
        ratio: round(b / a),
        target: '<= 3x of 2 servers',
        ok: b / a <= 3,
        note: `${kind === 'discovery' ? 'discover() (verify.ps1 + prepare.ps1 -DryRun per server, DNS dry run)' : 'apply() with reboot: false (prepare.ps1 per server, no DNS)'} of ${m.servers} vs 2 servers, parallel ${DEFAULT_PARALLEL} (default), clean stand-in each run, median of ${m.reps}; ${cpuNote(many)}${few}`,
      },
      [`windows-${kind}-${m.servers}-parallel-${WANT_SERVERS}`]: {
        value: round(p, 1),
        unit: 's',
        baseline: round(b, 1),
        ratio: round(p / b),
        target: 'info',
        ok: true,
        note: `${m.servers} servers with parallel=${WANT_SERVERS} vs the default ${DEFAULT_PARALLEL} (ratio < 1: faster); ${round(p / a)}x of 2 servers; ${better ? `parallel=${WANT_SERVERS} is >10% faster` : `no gain >10% over parallel=${DEFAULT_PARALLEL}`}; ${cpuNote(manyP)}`,
      },
      [`windows-${kind}-${m.servers}-cpu`]: {
        value: round(med(S[many], cpuOf), 1),
        unit: 'cpu-s',
        baseline: round(med(S[few2], cpuOf), 1),
        ratio: round(med(S[many], cpuOf) / med(S[few2], cpuOf)),
        target: 'info',
        ok: true,
        note: `CPU seconds of the shells (remote pwsh + sshd, local pwsh + ssh), ${m.servers} vs 2 servers; capacity in the ${m.servers}-server wall time: ${round(b * nproc, 1)} cpu-s (${nproc} cores)`,
      },
    };
  };
  const out: BenchResults = { ...pair('discovery', 'd2', 'd10', 'd10p'), ...pair('prepare', 'p2', 'p10', 'p10p') };
  return out satisfies Record<string, BenchEntry>;
}

// ------------------------------------------------------------------ run (outside pha-client)

function runInner(servers: number, reps: number): Promise<Inner> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      'ip',
      [
        'netns',
        'exec',
        CLIENT_NETNS,
        process.execPath,
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        '--inner',
        String(servers),
        String(reps),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    const t = setTimeout(() => c.kill('SIGTERM'), 40 * 60_000);
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(t);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`the measurement in ${CLIENT_NETNS} failed (exit ${code}); its log is above`));
      else resolve(JSON.parse(line) as Inner);
    });
  });
}

export async function run(): Promise<BenchResults> {
  const why = unavailable();
  if (why) throw new Error(why);
  if (!(await labIsUp()))
    throw new Error(`the lab is not up: run the bench through \`npm run bench\`, which brings it up with ${WANT_SERVERS} print servers`);
  const have = Number((await labEnv()).PRINTHA_LAB_SERVERS);
  if (!(have >= FEW_SERVERS)) throw new Error(`the lab has ${have} print servers; at least ${FEW_SERVERS} are needed`);
  const servers = Math.min(have, WANT_SERVERS);
  if (servers < WANT_SERVERS)
    process.stderr.write(`bench windows: the lab has ${have} print servers, not ${WANT_SERVERS}; measuring with ${servers}\n`);
  const reps = Math.max(1, Number(process.env.PRINTHA_BENCH_WINDOWS_REPS ?? 2));
  const m = inClientNetns() ? await measure(servers, reps) : await runInner(servers, reps);
  return entries(m, availableParallelism());
}

if (process.argv.includes('--inner')) {
  const i = process.argv.indexOf('--inner');
  measure(Number(process.argv[i + 1]), Number(process.argv[i + 2]) || 2).then(
    (m) => process.stdout.write(`${JSON.stringify(m)}\n`),
    (e: unknown) => {
      process.stderr.write(`bench windows: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
