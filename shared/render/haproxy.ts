/**
 * linux-haproxy generator, SNAT mode: balancer/haproxy.cfg (HAProxy in TCP mode).
 * Reference: shared/reference/platforms.md §1 and §6; lab notes in reference/lab-prototype/NOTES.md.
 *
 * Shape of the file:
 * - global: master-worker, admin socket with `expose-fd listeners` (seamless reload),
 *   `hard-stop-after` longer than the persistence so old workers cannot linger for ever.
 *   `localpeer` is NOT written: the same file serves both balancers, and HAProxy picks its own
 *   peer entry by hostname (node names must equal the hostnames) or by `-L <node name>`.
 * - defaults: mode tcp, long client/server timeouts (SMB and print sessions idle for minutes),
 *   redispatch + retries, TCP keep-alives, kernel splicing in both directions (splice-request and
 *   splice-response, not splice-auto: measured in docs/PERFORMANCE.md).
 * - peers (nodes of the site): the stick table survives reloads and is shared by the pair.
 * - one stick-table backend (ResolvedSite.persistenceGroup) used by every VIP label: a client's
 *   connections on all ports and labels land on one server. Server names are the site's server
 *   labels in every `listen`, because a table entry is matched by server name.
 * - one `listen <VIP label>` per ResolvedVip, binding every port; servers without a port, so a
 *   connection goes to the port the client used (unless backendPort is set).
 *
 * Health checks (docs/HALF-OPEN.md has the packet traces):
 * - connect, one port: `check port N`. Several ports: `option tcp-check` + one
 *   `tcp-check connect port N` per port (all must answer). Closes with RST, never FIN.
 * - half-open, one port: `check port N` — HAProxy clears TCP_QUICKACK for a lone connect, the
 *   kernel holds back the handshake ACK and the close sends RST: SYN, SYN-ACK, RST on the wire.
 * - half-open, several ports: HAProxy 2.6 clears TCP_QUICKACK only on the LAST connect rule of a
 *   tcp-check (strace + tshark, HAProxy 2.6.12), so the other ports would see a full handshake.
 *   Instead a check-only backend `halfopen.<label>.<ports>` runs printha-halfopen-check as an
 *   external check (every port SYN, SYN-ACK, RST, probed in parallel) and the traffic servers
 *   `track` it. External checks need `external-check` and `insecure-fork-wanted` in global; the
 *   option `multiPortHalfOpen: 'tcp-check'` trades that for the native form described above.
 * - timing: `inter <interval>s fall <fall> rise <riseCount: ceil(riseSeconds / interval) + 1>`, `slowstart` =
 *   the warm-up, `on-marked-down shutdown-sessions` (clients move at once, like the seed asks).
 */
import type { ResolvedSite, ResolvedVip } from '../model/resolve.js';
import { isIPv6 } from '../net/ip.js';
import { formatRange, type PortRange } from '../site/ports.js';
import type { Scheduler } from '../site/schema.js';
import { commentText, effectiveCheckPorts, riseCount } from './balancer-common.js';
import { HALFOPEN_BACKEND_PREFIX, HALFOPEN_CHECK_PATH } from './halfopen.js';

export interface HaproxyRenderOptions {
  /** Version of HAProxy on the balancers ("2.6.12"). From 3.2 the IPv4 stick table type is `ipv4`. Default: 2.6. */
  haproxyVersion?: string;
  /**
   * How several half-open check ports of one server are probed:
   * 'external-check' (default): every port half-open, needs `insecure-fork-wanted`;
   * 'tcp-check': native, no fork, but only the last port is half-open (the others RST-close).
   */
  multiPortHalfOpen?: 'external-check' | 'tcp-check';
  /** Where printha-halfopen-check is installed (default HALFOPEN_CHECK_PATH). */
  checkScriptPath?: string;
}

export const HAPROXY_PEERS_SECTION = 'printha';
export const HAPROXY_PEER_PORT = 10000;
export const HAPROXY_ADMIN_SOCKET = '/run/haproxy/admin.sock';
export const HAPROXY_STICK_TABLE_SIZE = '200k';

/** HAProxy `balance` for a scheduler: lc/wlc -> leastconn, rr/wrr -> roundrobin (weights apply to both). */
export function haproxyBalance(s: Scheduler): 'leastconn' | 'roundrobin' {
  return s === 'lc' || s === 'wlc' ? 'leastconn' : 'roundrobin';
}

/** An address as HAProxy writes it: IPv6 in brackets (a bare IPv6 address loses its last group to the port). */
export function haproxyAddr(ip: string, port?: number | string): string {
  const a = isIPv6(ip) ? `[${ip}]` : ip;
  return port === undefined ? a : `${a}:${port}`;
}

/** Name of the check-only backend for a VIP's half-open ports; the probe script reads the ports from it. */
export function halfOpenBackendName(label: string, ports: readonly number[]): string {
  return [HALFOPEN_BACKEND_PREFIX, label, ...ports.map(String)].join('.');
}

/** True when `version` (e.g. "3.2.1") is at least major.minor; undefined means the baseline 2.6. */
export function haproxyVersionAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '2.6');
  if (!m) return false;
  const ma = Number(m[1]);
  const mi = Number(m[2]);
  return ma > major || (ma === major && mi >= minor);
}

export type HaproxyCheckForm =
  | { form: 'check-port'; port: number }
  | { form: 'tcp-check'; ports: number[] }
  | { form: 'external'; ports: number[]; backend: string };

/** Which HAProxy check form a VIP gets (see the file comment). */
export function haproxyCheckForm(v: ResolvedVip, opts: HaproxyRenderOptions = {}): HaproxyCheckForm {
  // No check port = the port the traffic uses; with backendPort that is the server's port.
  const ports = v.check.ports.length === 0 && v.backendPort !== undefined ? [v.backendPort] : effectiveCheckPorts(v);
  if (ports.length <= 1) return { form: 'check-port', port: ports[0] ?? v.backendPort ?? 0 };
  if (v.check.kind === 'half-open' && (opts.multiPortHalfOpen ?? 'external-check') === 'external-check')
    return { form: 'external', ports, backend: halfOpenBackendName(v.label, ports) };
  return { form: 'tcp-check', ports };
}

/** Longest persistence of the site's VIPs (minutes); 0 = no VIP is sticky. */
export function sitePersistenceMinutes(r: ResolvedSite): number {
  return r.vips.reduce((m, v) => Math.max(m, v.persistenceMinutes), 0);
}

function bindList(vip: string, ports: readonly PortRange[]): string {
  return ports.map((p) => haproxyAddr(vip, formatRange(p))).join(',');
}

function portsText(ports: readonly PortRange[]): string {
  return ports.map((p) => formatRange(p)).join(', ');
}

export function renderHaproxyCfg(r: ResolvedSite, opts: HaproxyRenderOptions = {}): string {
  const site = r.site;
  const persist = sitePersistenceMinutes(r);
  const forms = new Map(r.vips.map((v) => [v.label, haproxyCheckForm(v, opts)] as const));
  const external = [...forms.values()].some((f) => f.form === 'external');
  const script = opts.checkScriptPath ?? HALFOPEN_CHECK_PATH;
  const tableType = r.family === 6 ? 'ipv6' : haproxyVersionAtLeast(opts.haproxyVersion, 3, 2) ? 'ipv4' : 'ip';
  const usePeers = persist > 0;
  const nodeNames = r.nodes.map((n) => n.name);
  const L: string[] = [];
  const out = (s = ''): void => {
    L.push(s);
  };

  out(`# haproxy.cfg generated by PrintHA for site "${commentText(site.name)}"`);
  out(`# (profile ${site.profile}, SNAT mode: HAProxy in TCP mode, VIP ${site.vip}).`);
  out('# DO NOT EDIT BY HAND: PrintHA replaces this file on every apply and reports hand edits as drift.');
  out('# Change the site file and apply again instead.');
  out('#');
  out(`# The same file serves every balancer node (${nodeNames.join(', ')}). HAProxy finds its own entry`);
  out(`# in "peers ${HAPROXY_PEERS_SECTION}" by the machine's hostname, so each node's hostname must equal its node`);
  out('# name, or haproxy must run with -L <node name> (Debian: EXTRAOPTS="-S /run/haproxy-master.sock -L <node name>"');
  out('# in /etc/default/haproxy, which keeps the packaged master socket).');
  out('# keepalived moves the VIP between the nodes; net.ipv4.ip_nonlocal_bind=1 (and net.ipv6.ip_nonlocal_bind=1');
  out('# for an IPv6 VIP) lets HAProxy on the node without the VIP bind it as well.');
  out();
  out('global');
  out('    log /dev/log local0 info');
  out('    master-worker');
  out('    user haproxy');
  out('    group haproxy');
  if (!external) out('    chroot /var/lib/haproxy');
  out(`    stats socket ${HAPROXY_ADMIN_SOCKET} mode 600 level admin expose-fd listeners`);
  out('    stats timeout 30s');
  out('    # After a reload the old worker keeps serving existing sessions; stop it after the persistence + 5 min.');
  out(`    hard-stop-after ${Math.max(persist, 30) + 5}m`);
  if (external) {
    out('    # Several half-open check ports need printha-halfopen-check as an external check (see the halfopen.*');
    out('    # backends below); HAProxy only runs external programs with these two settings.');
    out('    external-check');
    out('    insecure-fork-wanted');
  }
  out();
  out('defaults');
  out('    mode tcp');
  out('    log global');
  out('    option tcplog');
  out('    option dontlognull');
  out('    # A connection whose server is down or refuses goes to another server (and its stick entry moves).');
  out('    option redispatch');
  out('    retries 3');
  out('    # Print and SMB sessions idle for minutes: long timeouts plus TCP keep-alives on both sides.');
  out('    option tcpka');
  out('    timeout connect 5s');
  out('    timeout client 1h');
  out('    timeout server 1h');
  out('    # Data (print jobs, SMB) is spliced in the kernel instead of copied through user space, always:');
  out('    # splice-auto rarely engages on a single stream (docs/PERFORMANCE.md: ~0.65 of direct vs ~0.43).');
  out('    option splice-request');
  out('    option splice-response');
  out();

  if (persist > 0) {
    if (usePeers) {
      out(`# Stick-table replication: between the nodes, and from the old to the new process on a reload.`);
      out(`peers ${HAPROXY_PEERS_SECTION}`);
      for (const n of r.nodes) out(`    peer ${n.name} ${haproxyAddr(n.address, HAPROXY_PEER_PORT)}`);
      out();
    }
    const distinct = new Set(r.vips.filter((v) => v.persistenceMinutes > 0).map((v) => v.persistenceMinutes));
    out(`# One source-IP table for every VIP label: all connections of a client (every port, every label)`);
    out(`# go to the same server for ${persist} minutes after its last connection.`);
    if (distinct.size > 1) out(`# The VIP labels ask for ${[...distinct].sort((a, b) => a - b).join(', ')} minutes; one shared table uses the longest.`);
    out(`backend ${r.persistenceGroup}`);
    out(`    stick-table type ${tableType} size ${HAPROXY_STICK_TABLE_SIZE} expire ${persist}m${usePeers ? ` peers ${HAPROXY_PEERS_SECTION}` : ''}`);
    out();
  }

  for (const v of r.vips) {
    const form = forms.get(v.label)!;
    const c = v.check;
    const rise = riseCount(c);
    const timing = `inter ${c.intervalSeconds}s fall ${c.fall} rise ${rise}`;
    const slow = c.riseSeconds > 0 ? ` slowstart ${c.riseSeconds}s` : '';
    const portList = form.form === 'check-port' ? [form.port] : form.ports;

    if (form.form === 'external') {
      out(`# Half-open health check of ${v.label}: SYN, SYN-ACK, RST on ${form.ports.join(' and ')} (all must answer),`);
      out(`# every ${c.intervalSeconds}s, down after ${c.fall} failures, up after ${rise} good checks. printha-halfopen-check reads`);
      out(`# the ports from this backend's name; the traffic servers of ${v.label} track these servers.`);
      out(`backend ${form.backend}`);
      out('    option external-check');
      out('    external-check path "/usr/bin:/bin"');
      out(`    external-check command ${script}`);
      for (const s of site.servers) out(`    server ${s.label} ${haproxyAddr(s.address, form.ports[0])} check ${timing}`);
      out();
    }

    out(`# VIP label ${v.label} (services ${v.serviceIds.join(', ')}): TCP ${portsText(v.ports)}`);
    if (v.passivePorts) out(`# Passive FTP data ports ${formatRange(v.passivePorts)} are bound too; the FTP server must announce the VIP in PASV replies.`);
    out(`# ${c.kind === 'half-open' ? 'Half-open' : 'Connect'} health check on ${portList.join(', ')} every ${c.intervalSeconds}s, down after ${c.fall} failures, up after ${rise} good checks${c.riseSeconds > 0 ? `, then ${c.riseSeconds}s slow start` : ''}.`);
    if (form.form === 'tcp-check' && c.kind === 'half-open')
      out(`# NOTE: with tcp-check only the last port (${portList[portList.length - 1]}) is half-open; the others complete the handshake, then RST.`);
    out(`listen ${v.label}`);
    out(`    bind ${bindList(site.vip, v.ports)}`);
    out(`    balance ${haproxyBalance(v.scheduler)}`);
    if (v.persistenceMinutes > 0) out(`    stick on src table ${r.persistenceGroup}`);
    if (form.form === 'tcp-check') {
      out('    option tcp-check');
      for (const p of form.ports) out(`    tcp-check connect port ${p}`);
    }
    for (const s of site.servers) {
      const addr = haproxyAddr(s.address, v.backendPort);
      const tail = `${slow} on-marked-down shutdown-sessions`;
      if (form.form === 'external') {
        out(`    server ${s.label} ${addr} weight ${s.weight} track ${form.backend}/${s.label}${tail}`);
      } else if (form.form === 'tcp-check') {
        out(`    server ${s.label} ${addr} weight ${s.weight} check ${timing}${tail}`);
      } else {
        out(`    server ${s.label} ${addr} weight ${s.weight} check port ${form.port} ${timing}${tail}`);
      }
    }
    out();
  }
  return L.join('\n');
}
