/**
 * Helpers of the appliance integration tests (test/integration/appliance-*.test.ts): put the lab's
 * balancers back to their state right after `lab.sh up` (so every test starts from a clean lab
 * without tearing the namespaces down), run the engine in-process against it, and look at the
 * result from the client namespace. Uses only test/lab/lab.ts (labExec, inClient, labEnv).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEvent } from '../../shared/journal/events.js';
import { loadSiteYaml } from '../../shared/site/load.js';
import type { Site } from '../../shared/site/schema.js';
import type { RunContext } from '../../electron/core/engine/api.js';
import { PrintHaEngine, type EngineOptions } from '../../electron/core/engine/engine.js';
import { LAB_SH, LAB_VIP, inClient, labEnv, labExec, waitFor, type LabEnv, type LabNode } from '../lab/lab.js';

export const BALANCERS: readonly LabNode[] = ['pha-lb1', 'pha-lb2'];

const RESET_SCRIPT = `s=$1
rm -rf /var/backups/printha /var/lib/printha /usr/local/lib/printha
rm -f /etc/sysctl.d/99-printha.conf /etc/haproxy/.*printha* /etc/keepalived/.*printha* /etc/sysctl.d/.*printha* \\
  /etc/haproxy/.printha-lab-fill /etc/loadbalancer.org/.printha-lab-fill /var/lib/loadbalancer.org/check/printha-* \\
  /etc/loadbalancer.org/rip_state.json /etc/loadbalancer.org/lb_config.xml.old /etc/loadbalancer.org/emulator.json \\
  /etc/haproxy/haproxy.md5 /etc/ha.d/conf/ldirectord.cf /etc/ha.d/conf/ldirectord.md5
cp "$s/etc/haproxy/haproxy.cfg" /etc/haproxy/haproxy.cfg
cp "$s/etc/keepalived/keepalived.conf" /etc/keepalived/keepalived.conf
cp "$s/etc/loadbalancer.org/lb_config.xml" /etc/loadbalancer.org/lb_config.xml
systemctl stop keepalived
systemctl restart haproxy`;

/** The balancers' files, services and VIP as right after `lab.sh up` (VIP on pha-lb1). */
export async function resetBalancers(): Promise<void> {
  const env = await labEnv();
  for (const n of BALANCERS) {
    await labExec(n, ['sh', '-c', 'ip link set eth0 up 2>/dev/null; true']);
    const r = await labExec(n, ['sh', '-c', RESET_SCRIPT, 'sh', join(env.PRINTHA_LAB_DIR, 'nodes', n, 'seed')], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`resetting ${n} failed: ${r.stderr}`);
  }
  const up1 = await labExec('pha-lb1', ['systemctl', 'start', 'keepalived']);
  if (up1.code !== 0) throw new Error(`keepalived on pha-lb1: ${up1.stderr}`);
  await waitFor('the VIP on pha-lb1', async () => (await labExec('pha-lb1', ['ip', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(` ${LAB_VIP}/`), 20_000, 200);
  const up2 = await labExec('pha-lb2', ['systemctl', 'start', 'keepalived']);
  if (up2.code !== 0) throw new Error(`keepalived on pha-lb2: ${up2.stderr}`);
}

/** A file on a node (null when absent). */
export async function nodeFile(node: LabNode, path: string): Promise<string | null> {
  const r = await labExec(node, ['sh', '-c', 'if [ -f "$1" ]; then cat -- "$1"; else echo "@@ABSENT@@"; fi', 'sh', path]);
  return r.stdout === '@@ABSENT@@\n' ? null : r.stdout;
}

export async function vipHolders(): Promise<LabNode[]> {
  const out: LabNode[] = [];
  for (const n of BALANCERS) if ((await labExec(n, ['ip', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(` ${LAB_VIP}/`)) out.push(n);
  return out;
}

/** Runs argv in a node in the background (setsid); returns the PID inside the node. */
export async function startInNode(node: LabNode, argv: readonly string[]): Promise<string> {
  const r = await labExec(node, ['sh', '-c', 'setsid "$@" </dev/null >/dev/null 2>&1 & echo $!', 'sh', ...argv]);
  return r.stdout.trim();
}

/** A process that holds 0.0.0.0:<port> (no SO_REUSEPORT) on the node, so HAProxy cannot bind <vip>:<port>. */
export async function squatPort(node: LabNode, port: number): Promise<string> {
  const pid = await startInNode(node, [
    'python3',
    '-c',
    'import socket,sys,time\ns=socket.socket()\ns.bind(("0.0.0.0",int(sys.argv[1])))\ns.listen()\ntime.sleep(900)',
    String(port),
  ]);
  await waitFor(`a listener on ${node}:${port}`, async () => (await labExec(node, ['sh', '-c', `ss -Hltn 'sport = :${port}' | grep -q .`])).code === 0, 5000, 100);
  return pid;
}

export async function killInNode(node: LabNode, pid: string): Promise<void> {
  await labExec(node, ['kill', pid]);
}

/** A known_hosts file for PrintHA pre-filled from the lab's (the state after a trusted first run). */
export function trustedKnownHosts(env: LabEnv, dir: string): string {
  const p = join(dir, 'known_hosts');
  copyFileSync(env.PRINTHA_LAB_KNOWN_HOSTS, p);
  return p;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestRun {
  ctx: RunContext;
  events: JournalEvent[];
  /** Host-key prompts the engine asked (host, fingerprint). */
  prompts: { host: string; fingerprint: string }[];
}

/** A RunContext for tests: the lab key (or a given password), a known_hosts file, events collected. */
export function testContext(o: { knownHostsPath: string; keyPath?: string; password?: string; acceptUnknown?: boolean; onEvent?: (e: JournalEvent) => void }): TestRun {
  const events: JournalEvent[] = [];
  const prompts: { host: string; fingerprint: string }[] = [];
  const ctx: RunContext = {
    knownHostsPath: o.knownHostsPath,
    ...(o.keyPath ? { sshKeyPath: o.keyPath } : {}),
    credential: async (req) => (req.kind === 'ssh-password' ? o.password : undefined),
    confirmHostKey: async (host, _port, fingerprint) => {
      prompts.push({ host, fingerprint });
      return o.acceptUnknown ?? false;
    },
    onEvent: (e) => {
      events.push(e);
      o.onEvent?.(e);
    },
  };
  return { ctx, events, prompts };
}

export function engineFor(stateDir: string, extra: Partial<EngineOptions> = {}): PrintHaEngine {
  return new PrintHaEngine({ stateDir, agentSocket: '', commandTimeoutMs: 30_000, vipSettleMs: 20_000, ...extra });
}

export function siteFromExample(name: string, edit?: (text: string) => string): Site {
  let text = readFileSync(join(process.cwd(), 'examples', name), 'utf8');
  if (edit) text = edit(text);
  const r = loadSiteYaml(text);
  if (!r.ok) throw new Error(`example ${name} does not load: ${JSON.stringify(r.findings)}`);
  return r.site;
}

/** smbclient -L through the VIP from the client namespace. */
export async function smbList(target = LAB_VIP): Promise<string> {
  const r = await inClient(['smbclient', '-L', `//${target}`, '-N'], { timeoutMs: 30_000 });
  return r.stdout + r.stderr;
}

/** First line a lab listener sends on ip:port ("pha-ps1 515"), or an error text. */
export async function banner(ip: string, port: number): Promise<string> {
  const r = await inClient(['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1" && head -n1 <&3', ip, String(port)]);
  return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim() || `exit ${r.code}`}`;
}

export async function tcpOpen(ip: string, port: number): Promise<boolean> {
  return (await inClient(['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', ip, String(port)])).code === 0;
}

/** lab.sh link-down/up, synchronously (used from inside an engine event, before the next command is sent). */
export function linkSync(node: LabNode, up: boolean): void {
  const r = spawnSync('bash', [LAB_SH, up ? 'link-up' : 'link-down', node], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lab.sh link-${up ? 'up' : 'down'} ${node}: ${r.stderr}`);
}

export function writeTemp(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The step ids of one run that ended with the given result. */
export function stepsOf(events: readonly JournalEvent[], run: string, result?: JournalEvent['result']): string[] {
  return events.filter((e) => e.run === run && e.kind === 'step-end' && (result === undefined || e.result === result)).map((e) => `${e.host}:${e.step}`);
}
