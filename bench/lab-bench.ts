/**
 * Helpers of the lab benchmarks (bench/dataplane.ts, bench/failover.ts). The lab itself is brought
 * up (and locked) once by bench/run.ts; everything here assumes it is up.
 *
 * - `ensureLabSnat()`: the lab balancers run what PrintHA generates for examples/lab-snat.yaml,
 *   deployed the way a user deploys it: `printha apply --only balancer` from inside pha-client
 *   (skipped when the balancers already run exactly those files).
 * - the "minimal untuned HAProxy" baseline: a second haproxy process on each balancer with one
 *   hand-written `listen` (one bind on VIP:5201, two servers, HAProxy defaults everywhere else).
 * - small node helpers (files, background processes, a timestamped command).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSite } from '../shared/render/index.js';
import { validateSiteYaml } from '../shared/rules/index.js';
import { LAB_VIP, inClient, labEnv, labExec, nodeIp, waitFor, type LabNode } from '../test/lab/lab.js';
import { round } from './lib.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LAB_SITE = join(ROOT, 'examples', 'lab-snat.yaml');
export const BALANCERS: readonly LabNode[] = ['pha-lb1', 'pha-lb2'];
/** Port the minimal baseline HAProxy binds on the VIP (not a port of any profile). */
export const MINIMAL_PORT = 5201;
/** Server port both configurations forward the benchmark traffic to (balanced by lab-snat's Dispatcher VIP label). */
export const BENCH_PORT = 50808;
export const MIN_CFG = '/tmp/printha-bench-minimal.cfg';
export const MIN_PID = '/tmp/printha-bench-minimal.pid';
export const MIN_SOCK = '/tmp/printha-bench-minimal.sock';
export const OUR_SOCK = '/run/haproxy/admin.sock';
const PY = '/usr/bin/python3';

export const load1 = (): number => round(loadavg()[0] ?? NaN, 2);

/** The load average (1 min) before and after a measurement, for the notes. */
export function loadNote(before: number): string {
  return `load avg ${before}->${load1()}`;
}

export async function mustExec(node: LabNode, argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await labExec(node, argv, opts);
  if (r.code !== 0)
    throw new Error(`${node}: \`${argv.join(' ').slice(0, 120)}\` failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 400)}`);
  return r.stdout;
}

export async function writeNodeFile(node: LabNode, path: string, content: string): Promise<void> {
  await mustExec(node, ['sh', '-c', 'cat >"$1"', 'sh', path], { input: content });
}

export async function nodeFile(node: LabNode, path: string): Promise<string | null> {
  const r = await labExec(node, ['sh', '-c', 'if [ -f "$1" ]; then cat -- "$1"; else echo "@@ABSENT@@"; fi', 'sh', path]);
  return r.stdout === '@@ABSENT@@\n' ? null : r.stdout;
}

/** Runs a command in a node and returns the (host-wide) wall-clock time just before it started, in seconds. */
export async function timedExec(node: LabNode, argv: readonly string[]): Promise<number> {
  const out = await mustExec(node, ['sh', '-c', 'date +%s.%N; exec "$@" >/dev/null', 'sh', ...argv]);
  return Number(out.trim().split('\n')[0]);
}

export async function vipHolders(): Promise<LabNode[]> {
  const out: LabNode[] = [];
  for (const n of BALANCERS)
    if ((await labExec(n, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(` ${LAB_VIP}/`)) out.push(n);
  return out;
}

/** Waits until exactly one balancer holds the VIP and returns it. */
export async function settledOwner(timeoutMs = 20_000): Promise<LabNode> {
  let owner: LabNode | undefined;
  await waitFor(
    'the VIP on exactly one balancer',
    async () => {
      const h = await vipHolders();
      owner = h.length === 1 ? h[0] : undefined;
      return owner !== undefined;
    },
    timeoutMs,
    100,
  );
  return owner!;
}

export async function waitTcp(addr: string, port: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `${addr}:${port} to accept connections`,
    async () => (await inClient(['timeout', '1', 'bash', '-c', `exec 3<>/dev/tcp/${addr}/${port}`])).code === 0,
    timeoutMs,
    100,
  );
}

/** First line a listener sends ("pha-ps1 515"): which server the VIP sent this client to. */
export async function bannerVia(addr: string, port: number): Promise<string> {
  const r = await inClient(['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${addr}/${port}; head -n1 <&3`]);
  return r.stdout.trim();
}

export function printServers(n: number): LabNode[] {
  return Array.from({ length: n }, (_, i) => `pha-ps${i + 1}` as LabNode);
}

// ------------------------------------------------------------------ our configuration, deployed by printha apply
function rendered(): Map<string, string> {
  const v = validateSiteYaml(readFileSync(LAB_SITE, 'utf8'));
  if (!v.ok || !v.site)
    throw new Error(
      `examples/lab-snat.yaml is not valid: ${v.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join('; ')}`,
    );
  return new Map(renderSite(v.site, v.findings).map((a) => [a.path, a.content] as const));
}

export interface Applied {
  /** Seconds `printha apply` took (0 when the balancers already ran the generated files). */
  applySeconds: number;
  haproxyCfg: string;
  keepalived: Record<string, string>;
}

async function upToDate(files: Map<string, string>): Promise<boolean> {
  for (const n of BALANCERS) {
    if ((await nodeFile(n, '/etc/haproxy/haproxy.cfg'))?.trimEnd() !== files.get('balancer/haproxy.cfg')?.trimEnd()) return false;
    if ((await nodeFile(n, '/etc/keepalived/keepalived.conf'))?.trimEnd() !== files.get(`balancer/keepalived-${n}.conf`)?.trimEnd())
      return false;
    if ((await labExec(n, ['systemctl', 'is-active', 'haproxy'])).code !== 0) return false;
    if ((await labExec(n, ['systemctl', 'is-active', 'keepalived'])).code !== 0) return false;
  }
  return true;
}

async function applyLabSnat(): Promise<Applied> {
  const files = rendered();
  const cfg = files.get('balancer/haproxy.cfg');
  if (!cfg) throw new Error('the renderer wrote no balancer/haproxy.cfg for examples/lab-snat.yaml');
  const keepalived = Object.fromEntries(BALANCERS.map((n) => [n, files.get(`balancer/keepalived-${n}.conf`) ?? '']));
  let applySeconds = 0;
  if (!(await upToDate(files))) {
    const env = await labEnv();
    const t0 = performance.now();
    const r = await inClient(
      [
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        join(ROOT, 'electron', 'cli', 'main.ts'),
        'apply',
        LAB_SITE,
        '--yes',
        '--only',
        'balancer',
      ],
      {
        timeoutMs: 180_000,
        env: {
          ...env,
          PRINTHA_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS,
          PRINTHA_STATE_DIR: mkdtempSync(join(tmpdir(), 'printha-bench-state-')),
        },
      },
    );
    applySeconds = round((performance.now() - t0) / 1000, 1);
    if (r.code !== 0)
      throw new Error(
        `printha apply examples/lab-snat.yaml --only balancer failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-15).join('\n')}`,
      );
    if (!(await upToDate(files))) throw new Error('after printha apply the balancers do not run the generated haproxy.cfg/keepalived.conf');
  }
  await settledOwner();
  // Backends start after HAProxy reloads: wait until every server is UP on the VIP holder.
  await waitServersUp(await settledOwner(), OUR_SOCK, 'PrintServers', 30_000);
  return { applySeconds, haproxyCfg: cfg, keepalived };
}

/**
 * The balancers run PrintHA's generated files for examples/lab-snat.yaml: checked at the start of
 * every lab bench (another bench, e.g. bench/apply.ts, may have reset the balancers), applied with
 * `printha apply` only when they differ.
 */
export function ensureLabSnat(): Promise<Applied> {
  return applyLabSnat();
}

// ------------------------------------------------------------------ HAProxy runtime API
export interface ServerState {
  backend: string;
  server: string;
  /** 0 stopped (DOWN), 1 starting (slow start), 2 running, 3 stopping */
  opState: number;
}

export async function serversState(node: LabNode, sock: string, backend: string): Promise<ServerState[]> {
  const out = await mustExec(node, ['sh', '-c', 'echo "show servers state $2" | socat -t 2 stdio "unix-connect:$1"', 'sh', sock, backend]);
  return out
    .split('\n')
    .filter((l) => /^\d+ /.test(l))
    .map((l) => l.split(' '))
    .map((f) => ({ backend: f[1] ?? '', server: f[3] ?? '', opState: Number(f[5]) }));
}

export async function waitServersUp(node: LabNode, sock: string, backend: string, timeoutMs: number): Promise<void> {
  await waitFor(
    `every server of ${backend} UP on ${node}`,
    async () => {
      const s = await serversState(node, sock, backend);
      return s.length > 0 && s.every((x) => x.opState === 2);
    },
    timeoutMs,
    200,
  );
}

// ------------------------------------------------------------------ the minimal untuned baseline
/** The baseline: what someone writes by hand from the HAProxy docs. `balance source` keeps a client's connections on one server (iperf3 needs that), `check port 445` follows the same service as ours. */
export function minimalConfig(servers: readonly LabNode[]): string {
  return [
    '# PrintHA bench baseline: a minimal, untuned HAProxy TCP proxy (HAProxy defaults everywhere).',
    'global',
    `    stats socket ${MIN_SOCK} level admin`,
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 1m',
    '    timeout server 1m',
    'listen bench-minimal',
    `    bind ${LAB_VIP}:${MINIMAL_PORT}`,
    '    balance source',
    ...servers.map((s, i) => `    server s${i + 1} ${nodeIp(s)}:${BENCH_PORT} check port 445`),
    '',
  ].join('\n');
}

export async function startMinimal(servers: readonly LabNode[]): Promise<void> {
  for (const n of BALANCERS) {
    await stopMinimal(n);
    await writeNodeFile(n, MIN_CFG, minimalConfig(servers));
    await mustExec(n, ['haproxy', '-D', '-f', MIN_CFG, '-p', MIN_PID]);
  }
  for (const n of BALANCERS) await waitServersUp(n, MIN_SOCK, 'bench-minimal', 20_000);
}

export async function stopMinimal(node?: LabNode): Promise<void> {
  for (const n of node ? [node] : BALANCERS)
    await labExec(n, [
      'sh',
      '-c',
      'if [ -f "$1" ]; then kill $(cat "$1") 2>/dev/null; rm -f "$1" "$2" "$3"; fi; true',
      'sh',
      MIN_PID,
      MIN_CFG,
      MIN_SOCK,
    ]);
}

// ------------------------------------------------------------------ background processes in a node
/** Starts argv in the background inside a node; returns a stop function (kills by PID). */
export async function bgInNode(node: LabNode, argv: readonly string[]): Promise<() => Promise<void>> {
  const pid = (await mustExec(node, ['sh', '-c', 'setsid "$@" </dev/null >/dev/null 2>&1 & echo $!', 'sh', ...argv])).trim();
  if (!/^\d+$/.test(pid)) throw new Error(`${node}: could not start ${argv[0] ?? ''}`);
  return async () => {
    await labExec(node, [
      'sh',
      '-c',
      'kill "$1" 2>/dev/null; for i in $(seq 50); do kill -0 "$1" 2>/dev/null || exit 0; sleep 0.05; done; kill -9 "$1" 2>/dev/null; true',
      'sh',
      pid,
    ]);
  };
}

export { PY };
