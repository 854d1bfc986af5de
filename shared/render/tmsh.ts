/**
 * F5 BIG-IP generator: balancer/tmsh.txt (shared/reference/platforms.md §4).
 *
 * The file is in the BIG-IP configuration syntax (what `list` prints), not a list of `create`
 * commands, because that syntax loads with a dry run and is idempotent:
 *   tmsh load sys config merge file <f> verify   -> validates, changes nothing
 *   tmsh load sys config merge file <f>          -> creates or replaces exactly these objects
 * A `create` batch fails on its second run ("already exists"); a merge re-applies the same state.
 *
 * Per VIP label (every object named printha_<label>_...):
 * - monitors: one per check port, `tcp-half-open` (SYN, SYN-ACK, RST) for half-open checks and
 *   `tcp` otherwise, `destination *:<port>` so members on any port are probed on the check port,
 *   interval = the check interval, timeout = fall x interval + 1 (16 for 5 s / 3), time-until-up =
 *   the warm-up; the pool requires all of them (`monitor A and B`).
 * - pool: least-connections-member (ratio-* when weights differ, round-robin for rr), slow-ramp-time
 *   = the warm-up, members <ip>:<port> for a one-port VIP and <ip>:any otherwise.
 * - virtual: a one-port VIP gets `destination <vip>:<port>`; a multi-port VIP gets a `net port-list`
 *   and an `ltm traffic-matching-criteria` (BIG-IP 14.1+, platforms.md §4 option 3) so exactly
 *   its ports are balanced, and translate-port disabled so each connection keeps its port.
 * Site-wide: one source-addr persistence profile per timeout, `match-across-services enabled` (all
 * ports of one client on the VIP address go to one node) and `match-across-virtuals enabled` (the
 * per-label virtuals share the records; the profile is PrintHA's own, used by no other virtual).
 * DR = nPath: fastL4 profile with loose-initialization and loose-close, translate-address disabled,
 * translate-port disabled, no SNAT. SNAT = source-address-translation automap.
 */
import type { ResolvedSite, ResolvedVip } from '../model/resolve.js';
import type { Scheduler } from '../site/schema.js';
import { formatRange } from '../site/ports.js';
import { commentText, effectiveCheckPorts, portCount } from './balancer-common.js';

const P = '/Common/';
const NPATH_PROFILE = 'printha_fastl4_npath';

export function tmshName(label: string, suffix: string): string {
  return `printha_${label}_${suffix}`;
}

export function tmshPersistName(seconds: number): string {
  return `printha_persist_${seconds}s`;
}

/** address:port as tmsh writes it (IPv6 uses a dot before the port). */
function addrPort(r: ResolvedSite, ip: string, port: number | 'any'): string {
  return `${ip}${r.family === 6 ? '.' : ':'}${port}`;
}

function allWeightsEqual(r: ResolvedSite): boolean {
  return r.site.servers.every((s) => s.weight === r.site.servers[0]!.weight);
}

export function tmshLbMode(s: Scheduler, equalWeights: boolean): string {
  switch (s) {
    case 'lc':
      return 'least-connections-member';
    case 'wlc':
      return equalWeights ? 'least-connections-member' : 'ratio-least-connections-member';
    case 'rr':
      return 'round-robin';
    case 'wrr':
      return equalWeights ? 'round-robin' : 'ratio-member';
  }
}

function monitorName(v: ResolvedVip, port: number): string {
  return tmshName(v.label, `mon_${port}`);
}

function monitors(r: ResolvedSite, v: ResolvedVip): string[] {
  const out: string[] = [];
  const half = v.check.kind === 'half-open';
  const timeout = v.check.fall * v.check.intervalSeconds + 1;
  for (const port of effectiveCheckPorts(v)) {
    out.push(
      `ltm monitor ${half ? 'tcp-half-open' : 'tcp'} ${P}${monitorName(v, port)} {`,
      `    defaults-from ${P}${half ? 'tcp_half_open' : 'tcp'}`,
      `    destination ${r.family === 6 ? `*.${port}` : `*:${port}`}`,
      `    interval ${v.check.intervalSeconds}`,
      `    time-until-up ${v.check.riseSeconds}`,
      `    timeout ${timeout}`,
      '}',
    );
  }
  return out;
}

/** The pool member port: the one VIP port (or SNAT backendPort), else any (the client's port is kept). */
function memberPort(r: ResolvedSite, v: ResolvedVip): number | 'any' {
  if (r.site.mode === 'snat' && v.backendPort !== undefined) return v.backendPort;
  const only = v.ports.length === 1 && v.ports[0]!.from === v.ports[0]!.to ? v.ports[0]!.from : undefined;
  return only ?? 'any';
}

function pool(r: ResolvedSite, v: ResolvedVip): string[] {
  const eq = allWeightsEqual(r);
  const mode = tmshLbMode(v.scheduler, eq);
  const ratio = mode.startsWith('ratio');
  const port = memberPort(r, v);
  const out = [`ltm pool ${P}${tmshName(v.label, 'pool')} {`, `    load-balancing-mode ${mode}`, '    members {'];
  for (const s of r.site.servers) {
    out.push(`        ${P}${addrPort(r, s.address, port)} {`, `            address ${s.address}`);
    if (ratio && s.weight > 0) out.push(`            ratio ${s.weight}`);
    if (s.weight === 0) out.push('            session user-disabled');
    out.push('        }');
  }
  out.push('    }');
  const mons = effectiveCheckPorts(v).map((p) => `${P}${monitorName(v, p)}`);
  out.push(`    monitor ${mons.join(' and ')}`);
  if (v.check.riseSeconds > 0) out.push(`    slow-ramp-time ${v.check.riseSeconds}`);
  out.push('}');
  return out;
}

function virtual(r: ResolvedSite, v: ResolvedVip): string[] {
  const dr = r.site.mode === 'dr';
  const single = v.ports.length === 1 && v.ports[0]!.from === v.ports[0]!.to;
  const out: string[] = [];
  const vsName = tmshName(v.label, 'vs');
  if (!single) {
    out.push(`net port-list ${P}${tmshName(v.label, 'ports')} {`, '    ports {');
    for (const pr of v.ports) out.push(`        ${formatRange(pr)} { }`);
    out.push('    }', '}');
    out.push(
      `ltm traffic-matching-criteria ${P}${tmshName(v.label, 'tmc')} {`,
      `    destination-address-inline ${r.site.vip}`,
      `    destination-port-list ${P}${tmshName(v.label, 'ports')}`,
      '    protocol tcp',
      `    source-address-inline ${r.family === 6 ? '::' : '0.0.0.0'}`,
      '}',
    );
  }
  out.push(`ltm virtual ${P}${vsName} {`);
  if (single) {
    out.push(`    destination ${P}${addrPort(r, r.site.vip, v.ports[0]!.from)}`);
    out.push(`    mask ${r.family === 6 ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255'}`);
  }
  out.push('    ip-protocol tcp');
  if (v.persistenceMinutes > 0) out.push('    persist {', `        ${P}${tmshPersistName(v.persistenceMinutes * 60)} {`, '            default yes', '        }', '    }');
  out.push(`    pool ${P}${tmshName(v.label, 'pool')}`);
  out.push('    profiles {', `        ${P}${dr ? NPATH_PROFILE : 'fastL4'} { }`, '    }');
  if (single) out.push(`    source ${r.family === 6 ? '::/0' : '0.0.0.0/0'}`);
  out.push(`    source-address-translation {`, `        type ${dr ? 'none' : 'automap'}`, '    }');
  if (!single) out.push(`    traffic-matching-criteria ${P}${tmshName(v.label, 'tmc')}`);
  out.push(`    translate-address ${dr ? 'disabled' : 'enabled'}`);
  // DR never translates; a multi-port virtual keeps the client's port (members are :any).
  const keepPort = dr || memberPort(r, v) === 'any';
  out.push(`    translate-port ${keepPort ? 'disabled' : 'enabled'}`);
  out.push('}');
  return out;
}

export function renderTmsh(r: ResolvedSite): string {
  const dr = r.site.mode === 'dr';
  const name = commentText(r.site.name);
  const lines: string[] = [
    `# PrintHA: F5 BIG-IP configuration for site "${name}".`,
    '# Generated by PrintHA from the site file: re-render instead of editing.',
    dr
      ? '# Mode: DR = nPath (direct server return): fastL4 with loose initiation/close, no address or port translation,'
      : '# Mode: SNAT: source-address-translation automap (the servers see a BIG-IP self IP as the client).',
    ...(dr
      ? [
          '#   no SNAT. Each server holds the VIP on a loopback adapter (weak host send/receive, no ARP for it) and its',
          '#   default route must not point at the BIG-IP (F5 nPath, platforms.md §4).',
        ]
      : []),
    `# VIP address ${r.site.vip}:`,
    ...r.vips.map(
      (v) =>
        `#   ${v.label}: TCP ${v.ports.map((p) => formatRange(p)).join(',')} (${portCount(v.ports)} port(s)), ${v.check.kind === 'half-open' ? 'half-open' : 'TCP'} check on ${effectiveCheckPorts(v).join(', ')}`,
    ),
    '# Multi-port VIPs use a port-list and traffic-matching-criteria: BIG-IP 14.1 or later.',
    '# Before 14.1: one virtual per port sharing the persistence profile (match-across-services), or an any-port',
    '# virtual (destination <vip>:0) with an iRule that rejects the other ports (platforms.md §4).',
    '#',
    '# Load it (nothing changes before the second command; objects are created or replaced, others untouched):',
    '#   tmsh load sys config merge file /var/tmp/printha-tmsh.txt verify',
    '#   tmsh load sys config merge file /var/tmp/printha-tmsh.txt',
    '#   tmsh save sys config',
    '# Nodes are named by their address, as tmsh names them itself; if a node with the same address exists under',
    '# another name, the verify step says so: rename the members below to that node name.',
    '',
  ];
  for (const s of r.site.servers) lines.push(`ltm node ${P}${s.address} {`, `    address ${s.address}`, '}');
  const timeouts = [...new Set(r.vips.filter((v) => v.persistenceMinutes > 0).map((v) => v.persistenceMinutes * 60))];
  for (const t of timeouts)
    lines.push(
      `ltm persistence source-addr ${P}${tmshPersistName(t)} {`,
      `    defaults-from ${P}source_addr`,
      '    match-across-services enabled',
      '    match-across-virtuals enabled',
      `    timeout ${t}`,
      '}',
    );
  if (dr)
    lines.push(
      `ltm profile fastl4 ${P}${NPATH_PROFILE} {`,
      `    defaults-from ${P}fastL4`,
      '    loose-close enabled',
      '    loose-initialization enabled',
      '}',
    );
  for (const v of r.vips) {
    lines.push('', `# VIP ${v.label}`);
    lines.push(...monitors(r, v), ...pool(r, v), ...virtual(r, v));
  }
  lines.push('');
  return lines.join('\n');
}
