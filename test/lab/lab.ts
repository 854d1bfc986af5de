/**
 * Thin TypeScript wrappers over test/lab/lab.sh for tests (see test/lab/README.md).
 *
 * Every network action goes through the lab's client namespace (`inClient`) or a node
 * (`labExec`): nothing here ever sends a packet from the root network namespace.
 * Needs Linux and root, like lab.sh.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellJoin } from '../../shared/quote/posix.js';

export const LAB_SH = join(dirname(fileURLToPath(import.meta.url)), 'lab.sh');
export const LAB_VIP = '10.99.0.10';
export const LAB_ZONE = 'lab.printha.test';
export const CLIENT_NETNS = 'pha-client';
/** TCP ports the print-server listeners answer on with "<node> <port>\n". */
export const LISTENER_PORTS: readonly number[] = [
  21,
  25,
  53,
  80,
  443,
  465,
  515,
  587,
  ...range(5011, 5025),
  5555,
  5610,
  ...range(50000, 50020),
  50808,
  50809,
];
export const DEFAULT_SHARES: readonly string[] = [
  'HP-LaserJet-4th-Floor',
  'KM-C458-Finance',
  'KM-bizhub-C308-Reception',
  'Canon-iRADV-C5535-Plotroom',
  'FollowMe-Secure',
];

export type LabNode = 'pha-client' | 'pha-lb1' | 'pha-lb2' | 'pha-dns' | `pha-ps${number}`;
export type LabService = 'sshd' | 'haproxy' | 'keepalived' | 'smbd' | 'nmbd' | 'listeners' | 'haplog' | 'dnsmasq';
/** Nodes that run the Windows stand-in (test/lab/winshim/README.md). */
export type WinNode = 'pha-dns' | `pha-ps${number}`;
/** Fault switches of the Windows stand-in (`lab.sh win-fault`). */
export type WinFault = 'reboot-never-returns' | 'fail-cmdlet' | 'wrong-credentials' | 'unreachable';
/** Where the stand-in keeps a node's state (node.json, registry.json, net.json, boot-time, events.log, faults/). */
export const WINSHIM_STATE = '/var/lib/printha-winshim';
/** One line of the stand-in's events.log. */
export interface WinEvent {
  /** ISO 8601 UTC with milliseconds */
  t: string;
  /** reboot-requested, down, up, never-returns, boot-hook-failed, effect records ... */
  event: string;
  [key: string]: unknown;
}
/** node.json of a stand-in node. */
export interface WinNodeInfo {
  computerName: string;
  role: 'print-server' | 'dns-server';
  domain: string;
  lan: { name: string; ifIndex: number; mac: string; address: string; prefixLength: number; guid: string };
  os: { caption: string; version: string; buildNumber: string };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** exit code; -1 when the process was killed (timeout) */
  code: number;
}
export interface ExecOptions {
  /** written to the command's stdin */
  input?: string;
  /** default 60 s */
  timeoutMs?: number;
  /** extra environment variables */
  env?: Record<string, string>;
}

/** The `export` lines of `lab.sh env`, as a record. */
export interface LabEnv {
  PRINTHA_LAB: string;
  PRINTHA_LAB_DIR: string;
  PRINTHA_SSH_KEY: string;
  PRINTHA_KNOWN_HOSTS: string;
  PRINTHA_LAB_KNOWN_HOSTS: string;
  PRINTHA_LAB_USER: string;
  PRINTHA_LAB_PASSWORD: string;
  PRINTHA_LAB_VIP: string;
  PRINTHA_LAB_NETNS: string;
  PRINTHA_LAB_SERVERS: string;
  /** test/lab/winshim/rsat first: the laptop-side RSAT stand-in (DnsServer cmdlets) */
  PSModulePath: string;
  [key: string]: string;
}

export class LabError extends Error {
  constructor(
    message: string,
    readonly result?: ExecResult,
  ) {
    super(message);
    this.name = 'LabError';
  }
}
/** A fault the kernel of this machine cannot produce (e.g. latency without sch_netem). */
export class LabUnsupportedError extends LabError {
  override name = 'LabUnsupportedError';
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** Address of a lab node. */
export function nodeIp(node: LabNode): string {
  if (node === 'pha-client') return '10.99.0.100';
  if (node === 'pha-lb1') return '10.99.0.11';
  if (node === 'pha-lb2') return '10.99.0.12';
  if (node === 'pha-dns') return '10.99.0.53';
  const k = Number(node.slice('pha-ps'.length));
  if (!Number.isInteger(k) || k < 1 || k > 20) throw new LabError(`unknown lab node ${node}`);
  return `10.99.0.${20 + k}`;
}

/** Run a program (no shell) and collect its output; never throws for a non-zero exit. */
export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new LabError('run: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      if (child.pid !== undefined) child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LabError(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: killed ? -1 : (code ?? -1) });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Run lab.sh with arguments; throws LabError with lab.sh's message when it fails. */
export async function labSh(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await run(['bash', LAB_SH, ...args], opts);
  if (r.code !== 0) {
    const msg = (r.stderr.trim().split('\n').pop() ?? '').replace(/^\S+ lab: (error: )?/, '');
    const err = r.code === 3 ? LabUnsupportedError : LabError;
    throw new err(`lab.sh ${args[0] ?? ''} failed (exit ${r.code}): ${msg || r.stdout.trim()}`, r);
  }
  return r;
}

function parseSeconds(text: string, what: string): number {
  const m = new RegExp(`lab ${what} in ([0-9.]+) s`).exec(text);
  return m?.[1] ? Number(m[1]) : NaN;
}

/** Build the lab (tears down an old one first). Returns lab.sh's own bring-up time. */
export async function labUp(opts: { servers?: number; reuse?: boolean } = {}): Promise<{ seconds: number; log: string }> {
  const args = ['up'];
  if (opts.servers !== undefined) args.push('--servers', String(opts.servers));
  if (opts.reuse) args.push('--reuse');
  envCache = undefined;
  const r = await labSh(args, { timeoutMs: 180_000 });
  return { seconds: parseSeconds(r.stderr, 'up'), log: r.stderr };
}

/** Tear the lab down: no namespace, process or mount is left. */
export async function labDown(): Promise<{ seconds: number; log: string }> {
  envCache = undefined;
  const r = await labSh(['down'], { timeoutMs: 60_000 });
  return { seconds: parseSeconds(r.stderr, 'down'), log: r.stderr };
}

export async function labIsUp(): Promise<boolean> {
  return (await run(['bash', LAB_SH, 'is-up'])).code === 0;
}

export async function labStatus(): Promise<string> {
  const r = await run(['bash', LAB_SH, 'status']);
  return r.stdout;
}

let envCache: Promise<LabEnv> | undefined;

/** The environment `npm run --silent lab:env` exports (cached until labUp/labDown). */
export function labEnv(): Promise<LabEnv> {
  envCache ??= readLabEnv().catch((e: unknown) => {
    envCache = undefined;
    throw e;
  });
  return envCache;
}

async function readLabEnv(): Promise<LabEnv> {
  const r = await labSh(['env']);
  const env: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^export ([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    let v = m[2];
    if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1).replaceAll("'\\''", "'");
    env[m[1]] = v;
  }
  return env as LabEnv;
}

/** Run argv inside a node (its namespaces and root; pha-client: `ip netns exec`). */
export function labExec(node: LabNode, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return run(['bash', LAB_SH, 'exec', node, ...argv], opts);
}

/** True when this process already runs in the lab's client network namespace. */
export function inClientNetns(): boolean {
  try {
    const self = statSync('/proc/self/ns/net');
    const client = statSync(`/run/netns/${CLIENT_NETNS}`);
    return self.ino === client.ino && self.dev === client.dev;
  } catch {
    return false;
  }
}

/**
 * A path to the network namespace the lab was started from (the root one): /proc/<pid>/ns/net of
 * this process or of its nearest ancestor outside pha-client (under run-in-lab.sh the test process
 * itself is inside pha-client, its launcher is not). Only for read-only checks such as "the root
 * namespace has no address in the lab".
 */
export function rootNetnsPath(): string {
  let client: number | undefined;
  try {
    client = statSync(`/run/netns/${CLIENT_NETNS}`).ino;
  } catch {
    client = undefined;
  }
  let pid = process.pid;
  for (let depth = 0; depth < 64 && pid > 1; depth++) {
    const path = `/proc/${pid}/ns/net`;
    try {
      if (statSync(path).ino !== client) return path;
    } catch {
      /* not readable: go on up */
    }
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  throw new LabError('cannot find a process outside the lab client namespace');
}

/** Run argv in the client namespace (directly when this process is already there). */
export function inClient(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return inClientNetns() ? run(argv, opts) : run(['ip', 'netns', 'exec', CLIENT_NETNS, ...argv], opts);
}

/** ssh/scp options for the lab: its key, no prompt, host keys checked against `knownHosts` (default: the lab's pre-filled file). */
export function labSshOptions(env: LabEnv, knownHosts: string = env.PRINTHA_LAB_KNOWN_HOSTS): string[] {
  return [
    '-F',
    'none',
    '-i',
    env.PRINTHA_SSH_KEY,
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
  ];
}

/**
 * ssh root@node from the client with the lab key and the lab's pre-filled known_hosts.
 * `remote` is an argv: it is quoted with shellJoin for the remote shell.
 */
export async function labSsh(node: LabNode, remote: readonly string[], opts: ExecOptions & { user?: string } = {}): Promise<ExecResult> {
  const env = await labEnv();
  return inClient(
    ['ssh', ...labSshOptions(env), '-o', 'ConnectTimeout=5', `${opts.user ?? 'root'}@${nodeIp(node)}`, shellJoin(remote)],
    opts,
  );
}

// ------------------------------------------------------------------ faults and helpers
export async function stopService(node: LabNode, service: LabService): Promise<void> {
  await labSh(['stop', node, service]);
}
export async function startService(node: LabNode, service: LabService): Promise<void> {
  await labSh(['start', node, service]);
}
export async function restartService(node: LabNode, service: LabService): Promise<void> {
  await labSh(['restart', node, service]);
}
/** Pull the node's cable (its switch port goes down; the node sees NO-CARRIER). */
export async function cutLink(node: LabNode): Promise<void> {
  await labSh(['link-down', node]);
}
export async function restoreLink(node: LabNode): Promise<void> {
  await labSh(['link-up', node]);
}
/** netem delay on the node's eth0; throws LabUnsupportedError when the kernel has no sch_netem. */
export async function addLatency(node: LabNode, ms: number): Promise<void> {
  await labSh(['latency', node, String(Math.round(ms))]);
}
export async function clearLatency(node: LabNode): Promise<void> {
  await labSh(['latency-clear', node]);
}
/** Rate-limit the node's eth0 (tc tbf), e.g. 64 kbit/s: a slow link that works on this kernel. */
export async function throttle(node: LabNode, kbit: number): Promise<void> {
  await labSh(['throttle', node, String(Math.round(kbit))]);
}
export async function clearThrottle(node: LabNode): Promise<void> {
  await labSh(['throttle-clear', node]);
}
/** Fill a small tmpfs on the node (default /etc/haproxy on balancers, /tmp elsewhere) until ENOSPC. */
export async function fillDisk(node: LabNode, path?: string): Promise<void> {
  await labSh(['disk-fill', node, ...(path ? [path] : [])]);
}
export async function freeDisk(node: LabNode, path?: string): Promise<void> {
  await labSh(['disk-free', node, ...(path ? [path] : [])]);
}
/** New SSH host key on the node (sshd restarted); updates the lab known_hosts. Returns the SHA256 fingerprint. */
export async function replaceHostKey(node: LabNode): Promise<string> {
  return (await labSh(['hostkey-replace', node])).stdout.trim();
}
export async function dnsAdd(name: string, ip: string): Promise<void> {
  await labSh(['dns-add', name, ip]);
}
export async function dnsDel(name: string): Promise<void> {
  await labSh(['dns-del', name]);
}
/** Make one print server's printer shares differ from the others. */
export async function setShares(node: LabNode, shares: readonly string[]): Promise<void> {
  await labSh(['shares', node, ...shares]);
}
export async function resetShares(node: LabNode): Promise<void> {
  await labSh(['shares', node, '--reset']);
}
/**
 * Samba `netbios aliases` of one print server (none at up, as a clean Windows server has no
 * OptionalNames; `[]` removes them): the engineer's manual step of a balancer-only scope.
 */
export async function setAliases(node: LabNode, names: readonly string[]): Promise<void> {
  await labSh(['aliases', node, ...names]);
}
/** Which balancer holds the VIP now. */
export async function vipOwner(): Promise<'pha-lb1' | 'pha-lb2' | 'none'> {
  return (await labSh(['vip-owner'])).stdout.trim() as 'pha-lb1' | 'pha-lb2' | 'none';
}

// ------------------------------------------------------------------ Windows stand-in (test/lab/winshim/README.md)
/** Turn a stand-in fault on or off (`fail-cmdlet` takes the cmdlet name as value). */
export async function winFault(node: WinNode, fault: WinFault, on: boolean, value?: string): Promise<void> {
  await labSh(['win-fault', node, fault, on ? 'on' : 'off', ...(value !== undefined ? [value] : [])]);
}
/** Every stand-in fault of the node off (root's key back, TCP 22 open, faults/ empty). */
export async function winFaultReset(node: WinNode): Promise<void> {
  await labSh(['win-fault', node, '--reset']);
}
/** The node's stand-in back to a clean Windows server (registry, adapters, VIP on lo, aliases, DNS records; services running). Faults stay: winFaultReset. */
export async function winReset(node: WinNode): Promise<void> {
  await labSh(['win-reset', node]);
}
/** A server whose restart never came back is switched on at its console: fault off, it boots (new boot time). */
export async function winPowerOn(node: WinNode): Promise<void> {
  await labSh(['win-power-on', node]);
}
/** A state file of the node's stand-in (path relative to /var/lib/printha-winshim; default node.json). */
export async function winState(node: WinNode, file = 'node.json'): Promise<string> {
  return (await labSh(['win-state', node, file])).stdout;
}
export async function winNodeInfo(node: WinNode): Promise<WinNodeInfo> {
  return JSON.parse(await winState(node, 'node.json')) as WinNodeInfo;
}
/** The node's last boot (boot-time: ISO UTC, written at node start and by every emulated reboot). */
export async function winBootTime(node: WinNode): Promise<string> {
  return (await winState(node, 'boot-time')).trim();
}
/** events.log as records, oldest first. */
export async function winEvents(node: WinNode): Promise<WinEvent[]> {
  const text = await winState(node, 'events.log');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as WinEvent;
      } catch {
        throw new LabError(`${node}: events.log line ${i + 1} is not JSON: ${l}`);
      }
    });
}
/** Seconds the emulated reboot stays down (/etc/printha-winshim/reboot-seconds; default 4). */
export async function winRebootSeconds(node: WinNode, seconds: number): Promise<void> {
  const r = await labExec(node, ['sh', '-c', 'printf "%s\\n" "$1" > /etc/printha-winshim/reboot-seconds', 'sh', String(seconds)]);
  if (r.code !== 0) throw new LabError(`${node}: cannot set the reboot seconds: ${r.stderr}`, r);
}

/** Poll `probe` until it returns true; returns the seconds it took, throws after timeoutMs. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 100): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await probe()) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > timeoutMs) throw new LabError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** pwsh on PATH? Required by `lab.sh up` (the Windows stand-in); CI installs it as a dotnet global tool. */
export function hasPwsh(): boolean {
  return spawnSync('sh', ['-c', 'command -v pwsh'], { stdio: 'ignore' }).status === 0;
}

/** Reason the lab cannot run in this process, or undefined when it can. */
export function labUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the lab needs root (network namespaces, mounts)';
  return undefined;
}
