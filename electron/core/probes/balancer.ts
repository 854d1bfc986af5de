/**
 * The balancer's own view, read over SSH (verified host keys, argv quoted by shellJoin):
 *   - linux-haproxy: HAProxy's admin socket (`socat stdio UNIX-CONNECT:/run/haproxy/admin.sock`,
 *     the path shared/render/haproxy.ts writes) — `show stat`, `show servers state`, `show table`,
 *     `set server <bk>/<srv> state ...`; `ipvsadm -Ln` for DR (keepalived LVS).
 *   - loadbalancer-org: `lbcli --action list --function virtual --layer 4|7`, `ipvsadm -Ln` (Layer 4),
 *     the HAProxy stats socket /var/run/haproxy.stat (Layer 7), `lbcli --action halt|drain|online`.
 *   - capture of the health checks with tshark (tcpdump when tshark is missing) on the node.
 * Everything goes through a RemoteExec, so verify can run against fakes in unit tests.
 */
import type { RunContext } from '../engine/api.js';
import { SshConnector } from '../engine/connector.js';
import { isSshError } from '../ssh/errors.js';
import { shellJoin } from '../../../shared/quote/posix.js';
import type { BalancerNodeInfo } from '../../../shared/model/resolve.js';
import { HAPROXY_ADMIN_SOCKET } from '../../../shared/render/haproxy.js';
import { LBCLI_PATH } from '../../../shared/render/lbcli.js';
import { parseIpvsadm, parseLbcliList, type IpvsTable, type LbcliList } from '../../../shared/verify/appliance.js';
import { parseShowStat, parseShowTable, type StatRow, type StickTable } from '../../../shared/verify/haproxy.js';
import { TSHARK_FIELDS, parseTcpdump, parseTsharkFields, type Packet } from '../../../shared/verify/capture.js';

/** The Loadbalancer.org appliance's HAProxy stats socket (lbcli.md §3.1). */
export const LBORG_STATS_SOCKET = '/var/run/haproxy.stat';

export interface RemoteResult {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut?: boolean;
}

export type RemoteExec = (argv: readonly string[], opts?: { stdin?: string; timeoutMs?: number }) => Promise<RemoteResult>;

/** Opens a RemoteExec per balancer node (SSH in production, fakes in tests). */
export interface BalancerConnector {
  connect(node: BalancerNodeInfo): Promise<RemoteExec>;
  close(): Promise<void>;
}

export interface Evidence {
  command: string;
  output: string;
}

const MAX_EVIDENCE = 6000;

export function clip(s: string, max = MAX_EVIDENCE): string {
  const t = s.trimEnd();
  return t.length > max ? `${t.slice(0, max)}\n… (${t.length - max} more characters)` : t;
}

/** "ssh root@10.0.0.2 <argv>" as a human would type it (stdin shown as a here-string). */
export function sshCommandText(node: BalancerNodeInfo, argv: readonly string[], stdin?: string): string {
  const port = node.port !== 22 ? ` -p ${node.port}` : '';
  const input = stdin !== undefined ? ` <<< ${shellJoin([stdin.replace(/\n$/, '')])}` : '';
  return `ssh${port} ${node.user}@${node.address} ${shellJoin(argv)}${input}`;
}

/**
 * SSH connections from a RunContext, through the engine's SshConnector: the same host-key trust
 * as apply (PrintHA's known_hosts only, ctx.confirmHostKey for an unknown key or a key of a new
 * type, a changed key a hard stop) and the same credentials (key / agent / password, a key's
 * passphrase asked once, a failed login not tried again).
 */
export function sshConnector(ctx: RunContext, opts: { connectTimeoutMs?: number } = {}): BalancerConnector {
  const connector = new SshConnector({ connectTimeoutMs: opts.connectTimeoutMs ?? 15_000 });
  return {
    async connect(node) {
      const c = await connector.connect(node, ctx);
      return async (argv, o = {}) => {
        const r = await c.exec(argv, { timeoutMs: o.timeoutMs ?? 20_000, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
        return { stdout: r.stdout, stderr: r.stderr, code: r.code, timedOut: r.timedOut };
      };
    },
    close: () => connector.close(),
  };
}

/** A command that failed because a tool is missing on the node ("socat: not found", exit 127). */
export function missingTool(r: RemoteResult, tool: string): boolean {
  return r.code === 127 || new RegExp(`${tool}[^\\n]*(not found|No such file)`, 'i').test(r.stderr);
}

/** Sends HAProxy runtime API commands (joined with ";") to a socket on the node. */
export async function haproxyRuntime(exec: RemoteExec, node: BalancerNodeInfo, socket: string, commands: readonly string[], timeoutMs = 10_000): Promise<{ text: string; evidence: Evidence; error?: string }> {
  const argv = ['socat', '-t', '5', 'stdio', `UNIX-CONNECT:${socket}`];
  const stdin = `${commands.join(';')}\n`;
  const r = await exec(argv, { stdin, timeoutMs });
  const text = r.stdout + (r.stderr ? `\n[stderr] ${r.stderr}` : '');
  const evidence = { command: sshCommandText(node, argv, stdin), output: text.trim() === '' ? '(empty answer: for a set command, HAProxy accepted it)' : clip(text) };
  if (missingTool(r, 'socat')) return { text: '', evidence, error: `socat is not installed on ${node.name} (${node.address}): install it (apt install socat) to read HAProxy's runtime API` };
  if (r.code !== 0) return { text: r.stdout, evidence, error: `HAProxy's socket ${socket} on ${node.name} did not answer (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}` };
  return { text: r.stdout, evidence };
}

export async function readShowStat(exec: RemoteExec, node: BalancerNodeInfo, socket = HAPROXY_ADMIN_SOCKET): Promise<{ rows: StatRow[]; evidence: Evidence; error?: string }> {
  const r = await haproxyRuntime(exec, node, socket, ['show stat']);
  const rows = parseShowStat(r.text);
  if (!r.error && rows.length === 0) return { rows, evidence: r.evidence, error: `HAProxy on ${node.name} printed no statistics (is it running with the stats socket ${socket}?)` };
  return r.error ? { rows, evidence: r.evidence, error: r.error } : { rows, evidence: r.evidence };
}

export async function readStickTable(exec: RemoteExec, node: BalancerNodeInfo, socket: string, table: string): Promise<{ table?: StickTable; evidence: Evidence; error?: string }> {
  const r = await haproxyRuntime(exec, node, socket, [`show table ${table}`]);
  const t = parseShowTable(r.text).find((x) => x.name === table);
  if (r.error) return { evidence: r.evidence, error: r.error };
  return t ? { table: t, evidence: r.evidence } : { evidence: r.evidence, error: `no stick table ${table} on ${node.name}` };
}

/** True when the node has the VIP on an interface (`ip -o addr show`). */
export async function holdsVip(exec: RemoteExec, vip: string): Promise<boolean | undefined> {
  const r = await exec(['ip', '-o', 'addr', 'show'], { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  return r.stdout.split('\n').some((l) => new RegExp(`\\binet6? ${vip.replace(/[.:]/g, (c) => `\\${c}`)}/`).test(l));
}

export async function readLbcliList(exec: RemoteExec, node: BalancerNodeInfo, layer: 4 | 7): Promise<{ list: LbcliList; evidence: Evidence; error?: string }> {
  const argv = [LBCLI_PATH, '--action', 'list', '--function', 'virtual', '--layer', String(layer), '--method', 'api'];
  const r = await exec(argv, { timeoutMs: 30_000 });
  const evidence = { command: sshCommandText(node, argv), output: clip(r.stdout + (r.stderr ? `\n[stderr] ${r.stderr}` : '')) };
  const list = parseLbcliList(r.stdout);
  if (missingTool(r, 'lbcli')) return { list, evidence, error: `lbcli is not on ${node.name} (${LBCLI_PATH}): is this a Loadbalancer.org appliance?` };
  if (list.status !== 'success') return { list, evidence, error: `lbcli list on ${node.name} answered "${list.status}"${list.message ? `: ${list.message}` : ''}` };
  return { list, evidence };
}

export async function readIpvsadm(exec: RemoteExec, node: BalancerNodeInfo): Promise<{ table: IpvsTable; evidence: Evidence }> {
  const argv = ['ipvsadm', '-Ln'];
  const r = await exec(argv, { timeoutMs: 15_000 });
  const text = `${r.stdout}${r.stderr}`;
  const evidence = { command: sshCommandText(node, argv), output: clip(text) };
  if (missingTool(r, 'ipvsadm')) return { table: { available: false, reason: `ipvsadm is not installed on ${node.name}` }, evidence };
  const table = parseIpvsadm(text);
  if (table.available && r.code !== 0) return { table: { available: false, reason: text.trim() || `ipvsadm exited ${r.code}` }, evidence };
  return { table, evidence };
}

export interface CaptureResult {
  tool: 'tshark' | 'tcpdump';
  packets: Packet[];
  evidence: Evidence;
  error?: string;
}

/**
 * Captures TCP packets on the node for `seconds` (BPF `filter`), tshark first, tcpdump if tshark is
 * missing. Needs root (or the capture capability) on the node.
 */
export async function captureOnNode(exec: RemoteExec, node: BalancerNodeInfo, filter: string, seconds: number): Promise<CaptureResult> {
  const tshark = ['tshark', '-i', node.interface, '-n', '-l', '-f', filter, '-a', `duration:${seconds}`, '-T', 'fields', '-E', 'separator=/t', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
  const r = await exec(tshark, { timeoutMs: (seconds + 30) * 1000 });
  if (!missingTool(r, 'tshark')) {
    const evidence = { command: sshCommandText(node, tshark), output: clip(`${r.stdout}${r.stderr ? `\n[stderr] ${r.stderr.trim()}` : ''}`) };
    const packets = parseTsharkFields(r.stdout);
    if (r.code !== 0 && packets.length === 0) return { tool: 'tshark', packets, evidence, error: `tshark on ${node.name} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}` };
    return { tool: 'tshark', packets, evidence };
  }
  const tcpdump = ['timeout', String(seconds), 'tcpdump', '-i', node.interface, '-n', '-l', '-tt', filter];
  const d = await exec(tcpdump, { timeoutMs: (seconds + 30) * 1000 });
  const evidence = { command: sshCommandText(node, tcpdump), output: clip(`${d.stdout}${d.stderr ? `\n[stderr] ${d.stderr.trim()}` : ''}`) };
  if (missingTool(d, 'tcpdump')) return { tool: 'tcpdump', packets: [], evidence, error: `neither tshark nor tcpdump is installed on ${node.name}: apt install tshark` };
  return { tool: 'tcpdump', packets: parseTcpdump(d.stdout), evidence };
}

/** Message of an SSH (or other) error for the report: the SshError texts already name host and fix. */
export function errorText(e: unknown): string {
  if (isSshError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}
