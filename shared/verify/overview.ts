/**
 * The System Overview (seed 000 §12.2): one row per virtual service (label, IP, ports, conns,
 * protocol, method, mode) and under it each real server (label, IP, ports, weight, conns, state),
 * built from what the balancer itself reports (HAProxy `show stat`, lbcli list, ipvsadm -Ln), and
 * printed as a text table for the CLI and the watch mode.
 */
import type { ResolvedSite, ResolvedVip } from '../model/resolve.js';
import { lvsServices } from '../render/keepalived.js';
import { formatRanges, portInRanges } from '../site/ports.js';
import { lbcliRipState, type IpvsTable, type LbcliList } from './appliance.js';
import { haproxyReason, haproxyStatusToState, type StatRow } from './haproxy.js';
import type { OverviewRow, RealServerState } from './report.js';

type Real = OverviewRow['reals'][number];

export function overviewMethod(r: ResolvedSite): OverviewRow['method'] {
  return r.site.mode === 'dr' ? 'Layer 4' : 'Layer 7';
}

function baseRow(r: ResolvedSite, v: ResolvedVip): Omit<OverviewRow, 'reals' | 'conns'> {
  return { label: v.label, ip: r.site.vip, ports: formatRanges(v.ports), protocol: 'TCP', method: overviewMethod(r), mode: r.site.mode === 'dr' ? 'DR' : 'SNAT' };
}

function realPorts(v: ResolvedVip): string {
  return v.backendPort !== undefined ? String(v.backendPort) : formatRanges(v.ports);
}

/** Every VIP and server of the site with state unknown and the reason (no view could be read). */
export function overviewUnknown(r: ResolvedSite, reason: string): OverviewRow[] {
  return r.vips.map((v) => ({
    ...baseRow(r, v),
    conns: 0,
    reals: r.site.servers.map((s) => ({ label: s.label, ip: s.address, ports: realPorts(v), weight: s.weight, conns: 0, state: 'unknown' as RealServerState, reason })),
  }));
}

/** From HAProxy `show stat` (linux-haproxy, or a Loadbalancer.org appliance's Layer 7). */
export function overviewFromStat(r: ResolvedSite, rows: readonly StatRow[]): OverviewRow[] {
  return r.vips.map((v) => {
    const fe = rows.find((x) => x.proxy === v.label && x.server === 'FRONTEND');
    const reals: Real[] = r.site.servers.map((s) => {
      const row = rows.find((x) => x.proxy === v.label && x.server === s.label);
      if (!row) return { label: s.label, ip: s.address, ports: realPorts(v), weight: s.weight, conns: 0, state: 'unknown', reason: `HAProxy has no server ${v.label}/${s.label} (configuration not applied?)` };
      const real: Real = { label: s.label, ip: s.address, ports: realPorts(v), weight: row.weight, conns: row.scur, state: haproxyStatusToState(row.status) };
      const reason = haproxyReason(row);
      if (reason) real.reason = reason;
      return real;
    });
    return { ...baseRow(r, v), conns: fe?.scur ?? reals.reduce((n, x) => n + x.conns, 0), reals };
  });
}

/** From `lbcli --action list --function virtual` (a Loadbalancer.org appliance). */
export function overviewFromLbcli(r: ResolvedSite, list: LbcliList, ipvs?: IpvsTable): OverviewRow[] {
  return r.vips.map((v) => {
    const lv = list.virtuals.find((x) => x.label === v.label);
    const reals: Real[] = r.site.servers.map((s) => {
      const rip = lv?.rips.find((x) => x.label === s.label);
      if (!rip) return { label: s.label, ip: s.address, ports: realPorts(v), weight: s.weight, conns: 0, state: 'unknown', reason: lv ? `the appliance has no RIP ${s.label} in ${v.label}` : `the appliance has no VIP ${v.label}` };
      let conns = 0;
      let state = lbcliRipState(rip);
      let reason = rip.health && state !== 'up' ? rip.health : undefined;
      if (ipvs?.available) {
        const reals = ipvs.services.filter((x) => x.vip === r.site.vip && portInRanges(x.port, v.ports)).flatMap((x) => x.reals.filter((y) => y.ip === s.address));
        conns = reals.reduce((n, y) => n + y.activeConn, 0);
        if (state === 'unknown' && reals.length > 0) {
          state = reals.every((y) => y.weight > 0) ? 'up' : 'drain';
          reason = reals.every((y) => y.weight > 0) ? undefined : 'weight 0 in IPVS (quiescent: failed check, drain or halt)';
        }
      }
      const real: Real = { label: s.label, ip: rip.ip || s.address, ports: rip.port || realPorts(v), weight: rip.weight, conns, state };
      if (reason) real.reason = reason;
      return real;
    });
    return { ...baseRow(r, v), conns: reals.reduce((n, x) => n + x.conns, 0), reals };
  });
}

/** From `ipvsadm -Ln` (linux-haproxy DR: keepalived LVS). */
export function overviewFromIpvs(r: ResolvedSite, t: IpvsTable): OverviewRow[] {
  if (!t.available) return overviewUnknown(r, `no IPVS: ${t.reason}`);
  const lvs = lvsServices(r);
  return r.vips.map((v) => {
    const svc = lvs.find((x) => x.vip.label === v.label);
    const services = t.services.filter((x) => (svc?.kind === 'fwmark' ? x.fwmark === svc.fwmark : x.vip === r.site.vip && portInRanges(x.port, v.ports)));
    const reals: Real[] = r.site.servers.map((s) => {
      const rs = services.flatMap((x) => x.reals.filter((y) => y.ip === s.address));
      if (rs.length === 0) return { label: s.label, ip: s.address, ports: realPorts(v), weight: s.weight, conns: 0, state: services.length ? 'down' : 'unknown', reason: services.length ? 'not in the IPVS table (removed by the health check)' : `IPVS has no service for ${v.label}` };
      const weight = Math.min(...rs.map((y) => y.weight));
      const real: Real = { label: s.label, ip: s.address, ports: realPorts(v), weight, conns: rs.reduce((n, y) => n + y.activeConn, 0), state: weight > 0 ? 'up' : 'drain' };
      if (weight === 0) real.reason = 'weight 0 (quiescent: failed check or drained)';
      return real;
    });
    return { ...baseRow(r, v), conns: reals.reduce((n, x) => n + x.conns, 0), reals };
  });
}

const STATE_WORD: Record<RealServerState, string> = { up: 'UP', down: 'DOWN', drain: 'DRAIN', maint: 'HALT', unknown: '?' };

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/**
 * The overview as text, in the guide's shape: a marker (↑ up, ↓ down, ~ drain, ■ halt, ? unknown),
 * then VIRTUAL SERVICE, IP, PORTS, CONNS, PROTOCOL, METHOD, MODE and the real servers under it.
 */
export function formatOverview(rows: readonly OverviewRow[], opts: { maxPorts?: number } = {}): string {
  const max = opts.maxPorts ?? 40;
  const cut = (s: string): string => (s.length > max ? `${s.slice(0, max - 2)}..` : s);
  const mark = (s: RealServerState): string => ({ up: '↑', down: '↓', drain: '~', maint: '■', unknown: '?' })[s];
  const out: string[][] = [];
  for (const o of rows) {
    const worst: RealServerState = o.reals.every((x) => x.state === 'up') ? 'up' : o.reals.some((x) => x.state === 'up') ? 'drain' : o.reals.every((x) => x.state === 'unknown') ? 'unknown' : 'down';
    out.push([mark(worst), o.label, o.ip, cut(o.ports), String(o.conns), o.protocol, o.method, o.mode]);
    out.push(['', '  REAL SERVER', 'IP', 'PORTS', 'WEIGHT', 'CONNS', 'STATE', 'REASON']);
    for (const x of o.reals) out.push([mark(x.state), `  ${x.label}`, x.ip, cut(x.ports), String(x.weight), String(x.conns), STATE_WORD[x.state], x.reason ?? '']);
  }
  return table([['', 'VIRTUAL SERVICE', 'IP', 'PORTS', 'CONNS', 'PROTOCOL', 'METHOD', 'MODE'], ...out]);
}
