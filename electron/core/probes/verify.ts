/**
 * verifySite: prove the print service works through the VIP (DESIGN.md step 6, seed 000 §12):
 *   1. the balancer's own view of every real server (System Overview) on every node;
 *   2. DNS: the share name resolves to the VIP on the site's DNS server and on this machine;
 *   3. TCP connect to every balanced port on every server and through the VIP (bounded sweep);
 *   4. SMB share listing on each server, through \\VIP and through \\ShareName;
 *   5. persistence: repeated connections from this client to several ports land on one server;
 *   6. health-check form on the wire where the profile demands it (Paragon: half-open, RST not FIN);
 *   7. optional failover drill (`drill: true`): halt the server this client uses, watch new
 *      connections move, restore it, report the timings;
 *   8. Windows-side checks: verify.ps1 on every server over PowerShell remoting, through the same
 *      server engine (sessions, trust, credentials) as apply, in parallel with the balancer checks;
 *      each of its checks becomes a report check. Without PowerShell here, or in the balancer-only
 *      scope, they are not applicable with the reason (the offline pack path: `printha import`).
 * Every check says target, expectation, observation, pass / fail / not-applicable (with why) and
 * its evidence (command + output). The Engine's verify() delegates here.
 */
import { performance } from 'node:perf_hooks';
import type { JournalEvent } from '../../../shared/journal/events.js';
import { resolveSite, type BalancerNodeInfo, type ResolvedSite, type ResolvedVip } from '../../../shared/model/resolve.js';
import { canonicalIp, isIPv6 } from '../../../shared/net/ip.js';
import { effectiveCheckPorts } from '../../../shared/render/balancer-common.js';
import { HAPROXY_ADMIN_SOCKET } from '../../../shared/render/haproxy.js';
import { LBCLI_PATH } from '../../../shared/render/lbcli.js';
import type { Site } from '../../../shared/site/schema.js';
import { expandRanges, formatRange, formatRanges, type PortRange } from '../../../shared/site/ports.js';
import { checkFlows, judgeHalfOpen } from '../../../shared/verify/capture.js';
import type { IpvsTable } from '../../../shared/verify/appliance.js';
import { overviewFromIpvs, overviewFromLbcli, overviewFromStat, overviewUnknown } from '../../../shared/verify/overview.js';
import type { BalancerView, OverviewRow, PortProbe, VerifyCheck, VerifyReport } from '../../../shared/verify/report.js';
import { printerShares, smbNeedsCredentials, smbStatusWords } from '../../../shared/verify/smb.js';
import type { RunContext } from '../engine/api.js';
import { defaultServerEngine, type ServerEngine, type ServerVerification } from '../engine/servers.js';
import {
  LBORG_STATS_SOCKET,
  captureOnNode,
  clip,
  errorText,
  haproxyRuntime,
  holdsVip,
  readIpvsadm,
  readLbcliList,
  readShowStat,
  readStickTable,
  sshCommandText,
  sshConnector,
  type BalancerConnector,
  type Evidence,
  type RemoteExec,
} from './balancer.js';
import { queryDns, systemLookup, type DnsQueryResult } from './dns.js';
import { platformSmbLister, type SmbCredentials, type SmbLister, type SmbListResult, type SmbTarget } from './smb.js';
import { tcpConnect, tcpSweep, type TcpResult } from './tcp.js';

export interface VerifyOptions {
  /** Run the failover drill (halts one server through the balancer, then restores it). Never by default. */
  drill?: boolean;
  /** Seconds of health-check capture (default: 3 check intervals + 1, 4..60). */
  captureSeconds?: number;
  /** TCP connect timeout (default 2000 ms) and sweep concurrency (default 128). */
  tcpTimeoutMs?: number;
  tcpConcurrency?: number;
  /** Test seams: balancer access, SMB listing, DNS. */
  connector?: BalancerConnector;
  dns?: { query?: typeof queryDns; lookup?: typeof systemLookup };
  tcp?: { sweep?: typeof tcpSweep; connect?: typeof tcpConnect };
  smb?: SmbLister;
  /** Runs verify.ps1 on the print servers (default: this machine's server engine, defaultServerEngine). */
  servers?: Pick<ServerEngine, 'verify'>;
  /** The scope (the wizard's choice, --only). `balancer`: the Windows-side checks are skipped, saying so. */
  only?: 'balancer' | 'servers';
}

type Check = VerifyCheck;

/** Connections to the balancer nodes, opened once per node and reused (verify, drill, watch). */
export class BalancerNodes {
  private readonly execs = new Map<string, Promise<RemoteExec>>();
  constructor(
    readonly r: ResolvedSite,
    readonly connector: BalancerConnector,
  ) {}

  /** The nodes verify talks to: both of a linux-haproxy pair; the primary (active) appliance for loadbalancer-org. */
  nodes(): BalancerNodeInfo[] {
    if (this.r.site.balancer.platform === 'loadbalancer-org') return this.r.nodes.slice(0, 1);
    return this.r.nodes;
  }

  exec(node: BalancerNodeInfo): Promise<RemoteExec> {
    let p = this.execs.get(node.name);
    if (!p) {
      p = this.connector.connect(node);
      // a failed connect is retried on the next call (e.g. the next watch refresh)
      p.catch(() => this.execs.delete(node.name));
      this.execs.set(node.name, p);
    }
    return p;
  }

  close(): Promise<void> {
    return this.connector.close();
  }
}

export interface NodeView extends BalancerView {
  info: BalancerNodeInfo;
  evidence: Evidence[];
  ipvs?: IpvsTable;
  /** no IPVS on the node: the DR data path cannot run there */
  noIpvs?: string;
  reachable: boolean;
}

function drMode(r: ResolvedSite): boolean {
  return r.site.mode === 'dr';
}

/** Reads one node's System Overview (HAProxy show stat, lbcli list, ipvsadm). */
export async function readNodeView(r: ResolvedSite, nodes: BalancerNodes, node: BalancerNodeInfo): Promise<NodeView> {
  const base = { node: node.name, address: node.address, info: node, evidence: [] as Evidence[] };
  let exec: RemoteExec;
  try {
    exec = await nodes.exec(node);
  } catch (e) {
    return { ...base, source: 'ssh', rows: overviewUnknown(r, `cannot reach ${node.name}`), error: errorText(e), reachable: false };
  }
  try {
    const vipHere = await holdsVip(exec, r.site.vip);
    const withVip = vipHere === undefined ? {} : { holdsVip: vipHere };
    const platform = r.site.balancer.platform;
    if (platform === 'linux-haproxy' && !drMode(r)) {
      const st = await readShowStat(exec, node, HAPROXY_ADMIN_SOCKET);
      const v: NodeView = { ...base, ...withVip, source: 'HAProxy show stat', rows: st.error ? overviewUnknown(r, st.error) : overviewFromStat(r, st.rows), evidence: [st.evidence], reachable: true };
      if (st.error) v.error = st.error;
      return v;
    }
    if (platform === 'linux-haproxy') {
      const ip = await readIpvsadm(exec, node);
      const v: NodeView = { ...base, ...withVip, source: 'ipvsadm -Ln', rows: overviewFromIpvs(r, ip.table), evidence: [ip.evidence], ipvs: ip.table, reachable: true };
      if (!ip.table.available) v.noIpvs = ip.table.reason;
      return v;
    }
    if (platform === 'loadbalancer-org') {
      const layer = drMode(r) ? 4 : 7;
      const l = await readLbcliList(exec, node, layer);
      const v: NodeView = { ...base, ...withVip, source: `lbcli list --layer ${layer}`, rows: overviewUnknown(r, l.error ?? 'no answer'), evidence: [l.evidence], reachable: true };
      if (layer === 4) {
        const ip = await readIpvsadm(exec, node);
        v.evidence.push(ip.evidence);
        v.ipvs = ip.table;
        if (!ip.table.available) v.noIpvs = ip.table.reason;
        if (!l.error) v.rows = overviewFromLbcli(r, l.list, ip.table);
      } else if (!l.error) {
        v.rows = overviewFromLbcli(r, l.list);
        // connections per VIP/RIP from the appliance's HAProxy stats socket
        const st = await readShowStat(exec, node, LBORG_STATS_SOCKET);
        v.evidence.push(st.evidence);
        if (!st.error) {
          const fromStat = overviewFromStat(r, st.rows);
          for (const row of v.rows) {
            const s = fromStat.find((x) => x.label === row.label);
            if (!s) continue;
            row.conns = s.conns;
            for (const real of row.reals) {
              const sr = s.reals.find((x) => x.label === real.label);
              if (sr) real.conns = sr.conns;
              if (sr?.reason && !real.reason && real.state !== 'up') real.reason = sr.reason;
            }
          }
        }
      }
      if (l.error) v.error = l.error;
      return v;
    }
    return { ...base, source: 'none', rows: overviewUnknown(r, `${platform} is generation-only in PrintHA`), error: `${platform} cannot be read by PrintHA`, reachable: true };
  } catch (e) {
    return { ...base, source: 'ssh', rows: overviewUnknown(r, errorText(e)), error: errorText(e), reachable: true };
  }
}

export async function readViews(r: ResolvedSite, nodes: BalancerNodes): Promise<NodeView[]> {
  return Promise.all(nodes.nodes().map((n) => readNodeView(r, nodes, n)));
}

/** The view the report's overview shows: the node that holds the VIP, else the first reachable. */
export function activeView(views: readonly NodeView[]): NodeView | undefined {
  return views.find((v) => v.holdsVip && !v.error) ?? views.find((v) => v.holdsVip) ?? views.find((v) => v.reachable && !v.error) ?? views[0];
}

export function toBalancerView(v: NodeView): BalancerView {
  const out: BalancerView = { node: v.node, address: v.address, source: v.source, rows: v.rows };
  if (v.holdsVip !== undefined) out.holdsVip = v.holdsVip;
  if (v.error) out.error = v.error;
  return out;
}

// --------------------------------------------------------------------------------------------

/** Ports of a VIP without its passive FTP range (only open during a transfer). */
function trafficRanges(v: ResolvedVip): PortRange[] {
  if (!v.passivePorts) return v.ports;
  const p = v.passivePorts;
  const out: PortRange[] = [];
  for (const r of v.ports) {
    if (r.to < p.from || r.from > p.to) out.push(r);
    else {
      if (r.from < p.from) out.push({ from: r.from, to: p.from - 1 });
      if (r.to > p.to) out.push({ from: p.to + 1, to: r.to });
    }
  }
  return out;
}

const MAX_PORTS_PER_TARGET = 1024;

function portsOf(ranges: readonly PortRange[]): number[] {
  return expandRanges(ranges).slice(0, MAX_PORTS_PER_TARGET);
}

function summarizePorts(results: readonly TcpResult[]): { open: number[]; closed: TcpResult[] } {
  return { open: results.filter((x) => x.open).map((x) => x.port), closed: results.filter((x) => !x.open) };
}

function closedText(closed: readonly TcpResult[]): string {
  return closed.map((c) => `${c.port} (${c.error ?? 'closed'})`).join(', ');
}

function ipEq(a: string, b: string): boolean {
  return canonicalIp(a).toLowerCase() === canonicalIp(b).toLowerCase();
}

/** The first word of a banner ("pha-ps1 515" -> "pha-ps1"). */
function bannerServer(b: string | undefined): string | undefined {
  const w = b?.trim().split(/\s+/)[0];
  return w ? w : undefined;
}

/** Site server label for a name a server gave (its hostname's first label, or its label). */
function serverOfName(site: Site, name: string): string | undefined {
  const n = name.toLowerCase();
  return site.servers.find((s) => s.label.toLowerCase() === n || s.hostname?.toLowerCase() === n || s.hostname?.toLowerCase().split('.')[0] === n)?.label;
}

interface Ctx {
  r: ResolvedSite;
  ctx: RunContext;
  opts: VerifyOptions;
  checks: Check[];
  run: string;
  emit(e: Omit<JournalEvent, 't' | 'run' | 'verb'>): void;
}

async function phase<T>(c: Ctx, step: string, title: string, fn: () => Promise<T>, host?: string): Promise<T> {
  const t0 = performance.now();
  c.emit({ kind: 'step-start', step, title, ...(host ? { host } : {}) });
  try {
    const v = await fn();
    c.emit({ kind: 'step-end', step, title, result: 'ok', durationMs: Math.round(performance.now() - t0), ...(host ? { host } : {}) });
    return v;
  } catch (e) {
    c.emit({ kind: 'step-end', step, title, result: 'failed', message: errorText(e), durationMs: Math.round(performance.now() - t0), ...(host ? { host } : {}) });
    throw e;
  }
}

function add(c: Ctx, check: Omit<Check, 'evidence'> & { evidence?: Evidence[] }): Check {
  const full: Check = { ...check, evidence: check.evidence ?? [] };
  c.checks.push(full);
  return full;
}

// ------------------------------------------------------------------ balancer view checks

function viewChecks(c: Ctx, views: readonly NodeView[]): void {
  const { r } = c;
  for (const v of views) {
    if (!v.reachable || (v.error && v.rows.every((row) => row.reals.every((x) => x.state === 'unknown')))) {
      add(c, {
        id: `balancer-${v.node}`,
        category: 'balancer',
        target: `${v.node} (${v.address})`,
        expectation: `the balancer reports the state of every real server (${v.source})`,
        observation: v.error ?? 'no answer',
        status: 'fail',
        evidence: v.evidence,
      });
      continue;
    }
    if (v.noIpvs && drMode(r) && r.site.balancer.platform === 'linux-haproxy') {
      add(c, {
        id: `balancer-${v.node}`,
        category: 'balancer',
        target: `${v.node} (${v.address}) IPVS table`,
        expectation: 'keepalived (LVS) holds every real server with weight > 0',
        observation: `ipvsadm: ${v.noIpvs}`,
        status: 'not-applicable',
        why: `not verifiable here: no IPVS in this kernel on ${v.node}, so the DR data path and its table cannot run (the configuration can still be checked with keepalived -t)`,
        evidence: v.evidence,
      });
      continue;
    }
    for (const s of r.site.servers) {
      const per = v.rows.map((row) => ({ label: row.label, real: row.reals.find((x) => x.label === s.label) }));
      const states = per.map((p) => `${p.label}: ${p.real ? p.real.state.toUpperCase() : 'absent'}${p.real?.reason ? ` (${p.real.reason})` : ''}`);
      const allUp = per.every((p) => p.real?.state === 'up');
      const unknownOnly = per.every((p) => p.real?.state === 'unknown');
      const l4NoIpvs = !!v.noIpvs && unknownOnly;
      add(c, {
        id: `balancer-${v.node}-${s.label}`,
        category: 'balancer',
        target: `${s.label} (${s.address}) as ${v.node} sees it`,
        expectation: `UP in ${per.map((p) => p.label).join(', ')}`,
        observation: states.join('; '),
        status: allUp ? 'pass' : l4NoIpvs ? 'not-applicable' : 'fail',
        ...(l4NoIpvs ? { why: `not verifiable here: the appliance's Layer 4 health lives in IPVS and this kernel has none (${v.noIpvs})` } : {}),
        evidence: v.evidence,
      });
    }
  }
}

// ------------------------------------------------------------------ DNS

interface DnsOutcome {
  siteAddresses: string[];
  systemAddresses: string[];
}

async function dnsChecks(c: Ctx): Promise<DnsOutcome> {
  const { site } = c.r;
  const type = isIPv6(site.vip) ? 'AAAA' : 'A';
  const out: DnsOutcome = { siteAddresses: [], systemAddresses: [] };
  const fmt = (q: DnsQueryResult): string =>
    q.response
      ? `${q.response.rcodeName}${q.response.authoritative ? ' (authoritative)' : ''}: ${q.response.answers.map((a) => `${a.name} ${a.ttl} ${a.type} ${a.data}`).join('; ') || 'no records'}`
      : `no answer: ${q.error ?? '?'}`;
  if (!site.dns) {
    add(c, {
      id: 'dns-site',
      category: 'dns',
      target: `${site.shareName} on the site's DNS server`,
      expectation: `${site.shareName} resolves to ${site.vip}`,
      observation: 'the site file has no dns section',
      status: 'not-applicable',
      why: 'no DNS server in the site file (dns.server, dns.zone): the DNS record is a manual step',
    });
  } else {
    const fqdn = `${site.shareName}.${site.dns.zone}`.toLowerCase();
    const q = await (c.opts.dns?.query ?? queryDns)(site.dns.server, fqdn, type);
    out.siteAddresses = q.response?.answers.filter((a) => a.type === type).map((a) => a.data) ?? [];
    const ok = out.siteAddresses.some((a) => ipEq(a, site.vip));
    add(c, {
      id: 'dns-site',
      category: 'dns',
      target: `${fqdn} ${type} on ${site.dns.server}`,
      expectation: `resolves to the VIP ${site.vip}`,
      observation: fmt(q),
      status: ok ? 'pass' : 'fail',
      evidence: [{ command: q.command, output: fmt(q) }],
      durationMs: q.ms,
    });
  }
  const sys = await (c.opts.dns?.lookup ?? systemLookup)(site.shareName);
  out.systemAddresses = sys.addresses;
  const sysOk = sys.addresses.some((a) => ipEq(a, site.vip));
  const usesSiteDns = !!site.dns && sys.servers.some((s) => ipEq(s.replace(/^\[|\](:\d+)?$/g, '').replace(/:53$/, ''), site.dns!.server));
  const obs = sys.addresses.length ? `resolves to ${sys.addresses.join(', ')}` : `does not resolve (${sys.error ?? 'no address'})`;
  const evidence = [{ command: `getaddrinfo("${site.shareName}")  # node:dns lookup; system DNS servers: ${sys.servers.join(', ') || 'none'}`, output: obs }];
  // This machine can only be expected to know the name when its resolver asks the site's DNS server
  // (or already resolves the name some other way, e.g. the hosts file).
  if (sys.addresses.length > 0 || usesSiteDns) {
    add(c, {
      id: 'dns-system',
      category: 'dns',
      target: `${site.shareName} via this machine's resolver`,
      expectation: `resolves to the VIP ${site.vip} (what a client typing \\\\${site.shareName} uses)`,
      observation: obs,
      status: sysOk ? 'pass' : 'fail',
      evidence,
      durationMs: sys.ms,
    });
  } else {
    add(c, {
      id: 'dns-system',
      category: 'dns',
      target: `${site.shareName} via this machine's resolver`,
      expectation: `resolves to the VIP ${site.vip}`,
      observation: obs,
      status: 'not-applicable',
      why: site.dns
        ? `this machine's resolver (DNS servers ${sys.servers.join(', ') || 'none'}) does not use the site's DNS server ${site.dns.server}, so it cannot know the zone ${site.dns.zone}; run verify from a client in the customer's network`
        : `the site file names no DNS server and this machine's resolver (DNS servers ${sys.servers.join(', ') || 'none'}) does not know ${site.shareName}; run verify from a client in the customer's network`,
      evidence,
      durationMs: sys.ms,
    });
  }
  return out;
}

// ------------------------------------------------------------------ TCP

async function tcpChecks(c: Ctx, views: readonly NodeView[]): Promise<PortProbe[]> {
  const { r } = c;
  const { site } = r;
  const direct: { label: string; vip: ResolvedVip; host: string; port: number; check: boolean }[] = [];
  const viaVip: { vip: ResolvedVip; port: number }[] = [];
  for (const v of r.vips) {
    const traffic = v.backendPort !== undefined ? [v.backendPort] : portsOf(trafficRanges(v));
    const checkPorts = effectiveCheckPorts(v).filter((p) => !traffic.includes(p));
    for (const s of site.servers) {
      for (const p of traffic) direct.push({ label: s.label, vip: v, host: s.address, port: p, check: false });
      for (const p of checkPorts) direct.push({ label: s.label, vip: v, host: s.address, port: p, check: true });
    }
    for (const p of portsOf(trafficRanges(v))) viaVip.push({ vip: v, port: p });
  }
  const noIpvs = drMode(r) ? views.find((v) => v.noIpvs)?.noIpvs : undefined;
  const targets = [...direct.map((d) => ({ host: d.host, port: d.port })), ...(noIpvs ? [] : viaVip.map((v) => ({ host: site.vip, port: v.port })))];
  const t0 = performance.now();
  const results = await (c.opts.tcp?.sweep ?? tcpSweep)(targets, { concurrency: c.opts.tcpConcurrency ?? 128, timeoutMs: c.opts.tcpTimeoutMs ?? 2000 });
  const sweepMs = Math.round(performance.now() - t0);
  const probes: PortProbe[] = [];
  const res = (i: number): TcpResult => results[i]!;
  direct.forEach((d, i) => {
    const x = res(i);
    probes.push({ via: 'direct', target: d.label, host: d.host, port: d.port, open: x.open, ms: x.ms, ...(x.error ? { error: x.error } : {}) });
  });
  if (!noIpvs) viaVip.forEach((v, i) => {
    const x = res(direct.length + i);
    probes.push({ via: 'vip', target: v.vip.label, host: site.vip, port: v.port, open: x.open, ms: x.ms, ...(x.error ? { error: x.error } : {}) });
  });

  const sweepCmd = `TCP connect sweep (node:net, ${targets.length} connects, concurrency ${c.opts.tcpConcurrency ?? 128}, timeout ${c.opts.tcpTimeoutMs ?? 2000} ms) in ${sweepMs} ms`;
  for (const v of r.vips) {
    for (const s of site.servers) {
      const mine = direct.map((d, i) => ({ d, x: res(i) })).filter((e) => e.d.vip === v && e.d.label === s.label);
      const { open, closed } = summarizePorts(mine.map((e) => e.x));
      const checkPorts = mine.filter((e) => e.d.check).map((e) => e.d.port);
      const ports = mine.filter((e) => !e.d.check).map((e) => e.d.port);
      add(c, {
        id: `tcp-direct-${s.label}-${v.label}`,
        category: 'tcp',
        target: `${s.label} ${s.address} TCP ${formatRanges(v.backendPort !== undefined ? [{ from: v.backendPort, to: v.backendPort }] : trafficRanges(v))}${checkPorts.length ? ` + check port ${checkPorts.join(', ')}` : ''} (${v.label})`,
        expectation: `every ${v.label} port${checkPorts.length ? ' and its health-check port' : ''} accepts a TCP connection on the server itself`,
        observation: closed.length === 0 ? `${open.length}/${mine.length} open` : `${open.length}/${mine.length} open; failing: ${closedText(closed)}`,
        status: closed.length === 0 ? 'pass' : 'fail',
        evidence: [{ command: sweepCmd, output: mine.map((e) => `${s.address}:${e.x.port} ${e.x.open ? `open ${e.x.ms} ms` : e.x.error ?? 'closed'}`).join('\n') }],
      });
      void ports;
    }
    if (noIpvs) {
      add(c, {
        id: `tcp-vip-${v.label}`,
        category: 'tcp',
        target: `VIP ${site.vip} TCP ${formatRanges(trafficRanges(v))} (${v.label}, DR)`,
        expectation: 'every port accepts a TCP connection through the VIP',
        observation: 'not probed',
        status: 'not-applicable',
        why: `not verifiable here: the DR data path needs IPVS and this kernel has none (${noIpvs})`,
      });
    } else {
      const mine = viaVip.map((x, i) => ({ x, t: res(direct.length + i) })).filter((e) => e.x.vip === v);
      const { open, closed } = summarizePorts(mine.map((e) => e.t));
      add(c, {
        id: `tcp-vip-${v.label}`,
        category: 'tcp',
        target: `VIP ${site.vip} TCP ${formatRanges(trafficRanges(v))} (${v.label})`,
        expectation: 'every port accepts a TCP connection through the VIP',
        observation: closed.length === 0 ? `${open.length}/${mine.length} open` : `${open.length}/${mine.length} open; failing: ${closedText(closed)}`,
        status: closed.length === 0 ? 'pass' : 'fail',
        evidence: [{ command: sweepCmd, output: mine.map((e) => `${site.vip}:${e.t.port} ${e.t.open ? `open ${e.t.ms} ms` : e.t.error ?? 'closed'}`).join('\n') }],
      });
    }
    if (v.passivePorts) {
      add(c, {
        id: `tcp-passive-${v.label}`,
        category: 'tcp',
        target: `passive FTP data ports ${formatRange(v.passivePorts)} (${v.label})`,
        expectation: 'reachable through the VIP during an FTP transfer',
        observation: 'not probed',
        status: 'not-applicable',
        why: 'an FTP server opens a passive data port only after a PASV command, so a plain connect sweep would report them closed; the balancer binds the range (see the overview)',
      });
    }
  }
  return probes;
}

// ------------------------------------------------------------------ SMB

async function smbChecks(c: Ctx, dns: Promise<DnsOutcome>, views: readonly NodeView[]): Promise<VerifyReport['shares']> {
  const { site } = c.r;
  const shares: VerifyReport['shares'] = [];
  const smbVips = c.r.vips.filter((v) => v.ports.some((p) => p.from <= 445 && p.to >= 445));
  const ids = ['smb-vip', 'smb-sharename'];
  if (smbVips.length === 0) {
    for (const id of ids)
      add(c, { id, category: 'smb', target: id === 'smb-vip' ? `\\\\${site.vip}` : `\\\\${site.shareName}`, expectation: 'the printer shares are listed', observation: 'not listed', status: 'not-applicable', why: 'no VIP of this site balances SMB (TCP 445)' });
    return shares;
  }
  const lister = c.opts.smb ?? platformSmbLister();
  const why = await lister.unavailable();
  if (why) {
    for (const id of [...site.servers.map((s) => `smb-direct-${s.label}`), ...ids])
      add(c, { id, category: 'smb', target: id, expectation: 'the printer shares are listed', observation: 'not listed', status: 'not-applicable', why });
    return shares;
  }
  let creds: SmbCredentials | undefined;
  let askedCreds = false;
  const list = async (t: SmbTarget): Promise<SmbListResult> => {
    let res = await lister.list(t, creds ? { credentials: creds } : {});
    if (!res.ok && smbNeedsCredentials(res.status) && lister.tool === 'smbclient') {
      if (!askedCreds) {
        askedCreds = true;
        const pw = await c.ctx.credential({ kind: 'windows-password', host: t.name, user: site.windows.user });
        if (pw !== undefined) creds = { user: site.windows.user, password: pw };
      }
      if (creds && !res.authenticated) res = await lister.list(t, { credentials: creds });
    }
    return res;
  };
  const ev = (res: SmbListResult): Evidence => ({ command: res.command, output: clip(res.output) });
  const words = (res: SmbListResult): string => `listing failed: ${res.error ?? 'no shares'}${res.status ? ` — ${smbStatusWords(res.status)}` : ''}`;

  const direct = await Promise.all(site.servers.map(async (s) => ({ s, res: await list({ name: s.address }) })));
  const answered = direct.filter((d) => d.res.ok);
  for (const { s, res } of direct) {
    const pr = printerShares(res.shares);
    if (res.ok) shares.push({ via: `\\\\${s.address}`, shares: pr });
    add(c, {
      id: `smb-direct-${s.label}`,
      category: 'smb',
      target: `\\\\${s.address} (${s.label})`,
      expectation: 'the server lists its printer shares',
      observation: res.ok ? `${pr.length} printer shares: ${pr.join(', ') || '(none)'}` : words(res),
      status: res.ok && pr.length > 0 ? 'pass' : 'fail',
      evidence: [ev(res)],
      durationMs: res.ms,
    });
  }
  // The shares every answering server has (the guide: names and permissions the same on all servers).
  const sets = answered.map((d) => printerShares(d.res.shares));
  const expected = sets.length ? sets.reduce((acc, s) => acc.filter((x) => s.includes(x))) : [];
  if (answered.length >= 2) {
    const union = [...new Set(sets.flat())].sort();
    const differ = union.filter((x) => !expected.includes(x));
    add(c, {
      id: 'smb-consistent',
      category: 'smb',
      target: `printer shares of ${answered.map((d) => d.s.label).join(', ')}`,
      expectation: 'every server shares the same printer names (seed 000 §10.1 / §11.1)',
      observation: differ.length === 0 ? `identical: ${expected.length} shares` : `differ: ${differ.map((x) => `${x} only on ${answered.filter((d) => printerShares(d.res.shares).includes(x)).map((d) => d.s.label).join('+')}`).join('; ')}`,
      status: differ.length === 0 ? 'pass' : 'fail',
    });
  }
  const judge = (id: string, via: string, target: string, res: SmbListResult, extra?: string): void => {
    const pr = printerShares(res.shares);
    if (res.ok) shares.push({ via, shares: pr });
    const missing = expected.filter((x) => !pr.includes(x));
    const ok = res.ok && pr.length > 0 && missing.length === 0;
    add(c, {
      id,
      category: 'smb',
      target,
      expectation: expected.length ? `lists the printer shares every server has: ${expected.join(', ')}` : 'lists the printer shares',
      observation: (res.ok ? `${pr.length} printer shares: ${pr.join(', ') || '(none)'}${missing.length ? `; missing: ${missing.join(', ')}` : ''}` : words(res)) + (extra ? ` ${extra}` : ''),
      status: ok ? 'pass' : 'fail',
      evidence: [ev(res)],
      durationMs: res.ms,
    });
  };
  // DR without IPVS on the balancer: nothing forwards the VIP's packets, so a listing through it
  // (by address or by the name that resolves to it) cannot run here — never a pass, never a fail.
  const noIpvs = drMode(c.r) ? views.find((v) => v.noIpvs)?.noIpvs : undefined;
  if (noIpvs) {
    await dns;
    for (const [id, target] of [['smb-vip', `\\\\${site.vip} (the VIP)`], ['smb-sharename', `\\\\${site.shareName}`]] as const)
      add(c, { id, category: 'smb', target, expectation: expected.length ? `lists the printer shares every server has: ${expected.join(', ')}` : 'lists the printer shares', observation: 'not listed', status: 'not-applicable', why: `not verifiable here: the DR data path needs IPVS and this kernel has none (${noIpvs}); the name and the VIP are checked by the DNS checks` });
    return shares;
  }
  const [vipRes, d] = await Promise.all([list({ name: site.vip }), dns]);
  judge('smb-vip', `\\\\${site.vip}`, `\\\\${site.vip} (the VIP)`, vipRes);

  // Through the share name: resolve it like a client would (site DNS first, then this machine), then list.
  const resolved = d.siteAddresses[0] ?? d.systemAddresses[0];
  if (lister.tool === 'smbclient' && !resolved && !site.dns && c.checks.find((x) => x.id === 'dns-system')?.status === 'not-applicable') {
    add(c, {
      id: 'smb-sharename',
      category: 'smb',
      target: `\\\\${site.shareName}`,
      expectation: `${site.shareName} resolves to the VIP and lists the printer shares`,
      observation: `${site.shareName} does not resolve here`,
      status: 'not-applicable',
      why: 'the site file names no DNS server and this machine cannot resolve the share name; run verify from a client in the customer\'s network',
    });
  } else if (lister.tool === 'smbclient' && !resolved) {
    add(c, {
      id: 'smb-sharename',
      category: 'smb',
      target: `\\\\${site.shareName}`,
      expectation: `${site.shareName} resolves to the VIP and lists the printer shares`,
      observation: `${site.shareName} does not resolve (site DNS ${site.dns?.server ?? 'not configured'}, this machine's resolver), so \\\\${site.shareName} cannot be reached`,
      status: 'fail',
    });
  } else {
    const t: SmbTarget = resolved && lister.tool === 'smbclient' ? { name: site.shareName, address: resolved } : { name: site.shareName };
    const res = await list(t);
    const viaOther = resolved && !ipEq(resolved, site.vip) ? `(but ${site.shareName} resolves to ${resolved}, not the VIP ${site.vip})` : undefined;
    judge('smb-sharename', `\\\\${site.shareName}`, `\\\\${site.shareName}${resolved ? ` (resolved to ${resolved})` : ''}`, res, viaOther);
    if (viaOther) c.checks[c.checks.length - 1]!.status = 'fail';
  }
  return shares;
}

// ------------------------------------------------------------------ persistence

interface Persistence {
  /** server label this client is stuck to, when known */
  server?: string;
  /** a VIP port whose answers name the server (lab listeners) */
  bannerPort?: number;
  localAddress?: string;
}

async function stickEntries(c: Ctx, nodes: BalancerNodes, views: readonly NodeView[], client: string): Promise<{ server?: string; evidence: Evidence[]; found: boolean; readable: boolean; detail: string[] }> {
  const { r } = c;
  const evidence: Evidence[] = [];
  const detail: string[] = [];
  const servers = new Set<string>();
  let readable = false;
  for (const v of views.filter((x) => x.reachable)) {
    let exec: RemoteExec;
    try {
      exec = await nodes.exec(v.info);
    } catch {
      continue;
    }
    const tables = r.site.balancer.platform === 'linux-haproxy' ? [{ socket: HAPROXY_ADMIN_SOCKET, name: r.persistenceGroup }] : r.vips.map((x) => ({ socket: LBORG_STATS_SOCKET, name: x.label }));
    for (const t of tables) {
      const st = await readStickTable(exec, v.info, t.socket, t.name);
      evidence.push(st.evidence);
      if (!st.table) continue;
      readable = true;
      const e = st.table.entries.find((x) => ipEq(x.key, client));
      if (e?.serverKey) {
        servers.add(e.serverKey);
        detail.push(`${v.node} ${t.name}: ${client} -> ${e.serverKey}${e.expMs !== undefined ? ` (expires in ${Math.round(e.expMs / 60000)} min)` : ''}`);
      } else detail.push(`${v.node} ${t.name}: no entry for ${client}`);
    }
  }
  const server = servers.size === 1 ? [...servers][0] : undefined;
  return { ...(server ? { server } : {}), evidence, found: servers.size > 0, readable, detail: servers.size > 1 ? [...detail, `DIFFERENT servers: ${[...servers].join(', ')}`] : detail };
}

async function persistenceCheck(c: Ctx, nodes: BalancerNodes, views: readonly NodeView[]): Promise<Persistence> {
  const { r } = c;
  const { site } = r;
  const minutes = Math.max(0, ...r.vips.map((v) => v.persistenceMinutes));
  const target = `this client -> VIP ${site.vip}, several ports`;
  if (minutes === 0) {
    add(c, { id: 'persistence', category: 'persistence', target, expectation: 'one server per client', observation: 'not tested', status: 'not-applicable', why: 'no VIP of this site is persistent (persistenceMinutes 0)' });
    return {};
  }
  const noIpvs = drMode(r) ? views.find((v) => v.noIpvs)?.noIpvs : undefined;
  if (noIpvs) {
    add(c, { id: 'persistence', category: 'persistence', target, expectation: 'one server per client', observation: 'not tested', status: 'not-applicable', why: `not verifiable here: the DR data path needs IPVS and this kernel has none (${noIpvs})` });
    return {};
  }
  // Up to 8 ports spread over the VIP labels (445 last: SMB sends no banner).
  const perVip = r.vips.map((v) => portsOf(trafficRanges(v)).sort((a, b) => (a === 445 ? 1 : 0) - (b === 445 ? 1 : 0)));
  const ports: number[] = [];
  for (let i = 0; ports.length < 8 && perVip.some((p) => p.length > i); i++) for (const p of perVip) if (p[i] !== undefined && ports.length < 8 && !ports.includes(p[i]!)) ports.push(p[i]!);
  const seen: TcpResult[] = [];
  for (const p of ports) seen.push(await (c.opts.tcp?.connect ?? tcpConnect)(site.vip, p, { timeoutMs: c.opts.tcpTimeoutMs ?? 2000, bannerMs: 800 }));
  const local = seen.find((x) => x.localAddress)?.localAddress;
  const named = seen.filter((x) => bannerServer(x.banner));
  const names = [...new Set(named.map((x) => bannerServer(x.banner)!))];
  const stick = local ? await stickEntries(c, nodes, views, local) : { evidence: [], found: false, readable: false, detail: [] as string[] };
  const lines = seen.map((x) => `${site.vip}:${x.port} ${x.open ? (x.banner ? `answered "${x.banner}"` : 'open, no banner') : x.error ?? 'closed'}`);
  const evidence: Evidence[] = [{ command: `${seen.length} TCP connections from this client (${local ?? '?'}) to ${site.vip}, one after another, reading the first line`, output: lines.join('\n') }, ...stick.evidence];
  const bannerServerLabel = names.length === 1 ? serverOfName(site, names[0]!) : undefined;
  const conflicts: string[] = [];
  if (names.length > 1) conflicts.push(`answers came from ${names.join(' and ')}`);
  if (stick.detail.some((d) => d.startsWith('DIFFERENT'))) conflicts.push('the balancers disagree');
  if (stick.server && bannerServerLabel && stick.server !== bannerServerLabel) conflicts.push(`the stick table says ${stick.server}, the answers came from ${names[0]}`);
  const evidenceEnough = named.length >= 2 || stick.found;
  const obsParts = [named.length ? `${named.length} ports answered from ${names.join(', ')}` : 'no port named its server', ...stick.detail];
  add(c, {
    id: 'persistence',
    category: 'persistence',
    target,
    expectation: `every connection of one client lands on one server (source-IP persistence, ${minutes} min)`,
    observation: conflicts.length ? `${conflicts.join('; ')} — ${obsParts.join('; ')}` : obsParts.join('; '),
    status: conflicts.length ? 'fail' : evidenceEnough ? 'pass' : 'not-applicable',
    ...(!conflicts.length && !evidenceEnough ? { why: 'the servers send no banner that names them and the balancer has no readable stick table entry for this client (NAT between this machine and the balancer?)' } : {}),
    evidence,
  });
  const out: Persistence = {};
  const srv = stick.server ?? bannerServerLabel;
  if (srv) out.server = srv;
  const bp = named[0]?.port;
  if (bp !== undefined) out.bannerPort = bp;
  if (local) out.localAddress = local;
  return out;
}

// ------------------------------------------------------------------ health-check capture

async function healthCheckCapture(c: Ctx, nodes: BalancerNodes, views: readonly NodeView[]): Promise<void> {
  const { r } = c;
  const half = r.vips.filter((v) => v.check.kind === 'half-open');
  if (half.length === 0) {
    add(c, {
      id: 'healthcheck-form',
      category: 'healthcheck',
      target: 'health checks on the wire',
      expectation: 'the form the profile demands',
      observation: 'not captured',
      status: 'not-applicable',
      why: `the ${r.site.profile} profile does not demand half-open checks; the check results are in the balancer view`,
    });
    return;
  }
  const ports = [...new Set(half.flatMap((v) => effectiveCheckPorts(v)))].sort((a, b) => a - b);
  const interval = Math.max(...half.map((v) => v.check.intervalSeconds));
  const seconds = c.opts.captureSeconds ?? Math.min(60, Math.max(4, interval * 3 + 1));
  const servers = r.site.servers.map((s) => s.address);
  const filter = `tcp and (${ports.map((p) => `port ${p}`).join(' or ')}) and (${servers.map((s) => `host ${s}`).join(' or ')})`;
  const targets = views.filter((v) => v.reachable);
  if (targets.length === 0) {
    add(c, { id: 'healthcheck-halfopen', category: 'healthcheck', target: `checks on ${ports.join(', ')}`, expectation: 'SYN, SYN-ACK, RST', observation: 'no balancer node reachable', status: 'fail' });
    return;
  }
  await Promise.all(
    targets.map(async (v) => {
      let exec: RemoteExec;
      try {
        exec = await nodes.exec(v.info);
      } catch (e) {
        add(c, { id: `healthcheck-halfopen-${v.node}`, category: 'healthcheck', target: `checks from ${v.node}`, expectation: 'SYN, SYN-ACK, RST', observation: errorText(e), status: 'fail' });
        return;
      }
      const cap = await captureOnNode(exec, v.info, filter, seconds);
      const flows = checkFlows(cap.packets, servers, ports);
      const verdicts = judgeHalfOpen(flows, servers, ports);
      const sample = flows
        .filter((f) => !f.traffic)
        .slice(0, 12)
        .map((f) => `${f.t.toFixed(3)} ${f.balancer}:${f.balancerPort} -> ${f.server}:${f.port}  ${f.sequence.join(' ')}  => ${f.verdict}`);
      const noChecks = cap.packets.length === 0;
      for (const pv of verdicts) {
        const dr = drMode(r) && v.noIpvs !== undefined;
        const na = cap.error !== undefined || (dr && pv.counts['half-open'] === 0 && noChecks);
        add(c, {
          id: `healthcheck-halfopen-${v.node}-${pv.port}`,
          category: 'healthcheck',
          target: `health checks from ${v.node} to ${r.site.servers.map((s) => s.label).join(', ')} on TCP ${pv.port}`,
          expectation: 'half-open (seed 003): SYN, SYN-ACK, RST — no completed handshake, never FIN',
          observation: cap.error ?? `${pv.summary} in ${seconds} s${pv.serversUnanswered.length ? `; no answered check for ${pv.serversUnanswered.map((ip) => r.site.servers.find((s) => s.address === ip)?.label ?? ip).join(', ')}` : ''}`,
          status: na ? 'not-applicable' : pv.ok ? 'pass' : 'fail',
          ...(na ? { why: cap.error ? `the capture could not run: ${cap.error}` : `not verifiable here: the DR health checker (keepalived LVS) cannot run without IPVS (${v.noIpvs})` } : {}),
          evidence: [{ command: cap.evidence.command, output: clip(`${sample.join('\n')}\n--- raw (${cap.tool}) ---\n${cap.evidence.output}`) }],
          durationMs: seconds * 1000,
        });
      }
    }),
  );
}

// ------------------------------------------------------------------ drill

async function setServerState(c: Ctx, nodes: BalancerNodes, views: readonly NodeView[], server: string, state: 'maint' | 'ready'): Promise<Evidence[]> {
  const { r } = c;
  const ev: Evidence[] = [];
  if (r.site.balancer.platform === 'linux-haproxy') {
    for (const v of views.filter((x) => x.reachable)) {
      const exec = await nodes.exec(v.info);
      const res = await haproxyRuntime(exec, v.info, HAPROXY_ADMIN_SOCKET, r.vips.map((x) => `set server ${x.label}/${server} state ${state}`));
      ev.push(res.evidence);
      if (res.error) throw new Error(res.error);
      if (res.text.trim() !== '' && !/^\s*$/.test(res.text.replace(/\n/g, ''))) throw new Error(`HAProxy on ${v.node} refused: ${res.text.trim()}`);
    }
  } else {
    const node = views.find((x) => x.reachable)!.info;
    const exec = await nodes.exec(node);
    const argv = [LBCLI_PATH, '--action', state === 'maint' ? 'halt' : 'online', '--vip', r.vips[0]!.label, '--rip', server, '--services', 'all', '--method', 'api'];
    const res = await exec(argv, { timeoutMs: 60_000 });
    ev.push({ command: sshCommandText(node, argv), output: clip(res.stdout + res.stderr) });
    if (!/"status"\s*:\s*"success"/.test(res.stdout)) throw new Error(`lbcli ${argv[2]} on ${node.name} did not succeed: ${res.stdout.trim().slice(0, 300)}`);
  }
  return ev;
}

/** The server is UP (no transition like "UP 1/3") in every VIP label on every reachable node. */
async function fullyUp(c: Ctx, nodes: BalancerNodes, views: readonly NodeView[], server: string): Promise<boolean> {
  const { r } = c;
  for (const v of views.filter((x) => x.reachable)) {
    if (r.site.balancer.platform === 'linux-haproxy') {
      const st = await readShowStat(await nodes.exec(v.info), v.info, HAPROXY_ADMIN_SOCKET);
      if (st.error) return false;
      for (const vip of r.vips) if (st.rows.find((x) => x.proxy === vip.label && x.server === server)?.status !== 'UP') return false;
    } else {
      const nv = await readNodeView(r, nodes, v.info);
      if (!nv.rows.every((row) => row.reals.find((x) => x.label === server)?.state === 'up')) return false;
    }
  }
  return true;
}

async function drill(c: Ctx, nodes: BalancerNodes, views: readonly NodeView[], pers: Persistence): Promise<void> {
  const { r } = c;
  const { site } = r;
  const platform = site.balancer.platform;
  const na = (why: string): void => {
    for (const id of ['drill-move', 'drill-restore']) add(c, { id, category: 'drill', target: 'failover drill', expectation: 'new connections move away from a halted server, which then comes back', observation: 'not run', status: 'not-applicable', why });
  };
  if (platform !== 'linux-haproxy' && platform !== 'loadbalancer-org') return na(`${platform} is generation-only in PrintHA: drain the member in the balancer's own console`);
  const noIpvs = drMode(r) ? views.find((v) => v.noIpvs)?.noIpvs : undefined;
  if (noIpvs) return na(`not verifiable here: the DR data path needs IPVS and this kernel has none (${noIpvs})`);
  const active = activeView(views);
  const upServers = site.servers.filter((s) => active?.rows.every((row) => row.reals.find((x) => x.label === s.label)?.state === 'up'));
  const victim = pers.server && upServers.some((s) => s.label === pers.server) ? pers.server : upServers[0]?.label;
  if (!victim || upServers.length < 2) {
    add(c, { id: 'drill-move', category: 'drill', target: 'failover drill', expectation: 'two healthy servers before the drill', observation: `healthy in the balancer's view: ${upServers.map((s) => s.label).join(', ') || 'none'}`, status: 'fail' });
    return;
  }
  const obsPort = pers.bannerPort ?? portsOf(trafficRanges(r.vips[0]!))[0]!;
  const whoServes = async (): Promise<{ server?: string; line: string }> => {
    const t = await (c.opts.tcp?.connect ?? tcpConnect)(site.vip, obsPort, { timeoutMs: 1500, bannerMs: pers.bannerPort !== undefined ? 800 : 0 });
    if (!t.open) return { line: `connect ${site.vip}:${obsPort}: ${t.error}` };
    if (pers.bannerPort !== undefined) {
      const n = bannerServer(t.banner);
      const label = n ? serverOfName(site, n) ?? n : undefined;
      return { ...(label ? { server: label } : {}), line: `${site.vip}:${obsPort} answered "${t.banner ?? ''}"` };
    }
    const st = await stickEntries(c, nodes, views, t.localAddress ?? '');
    return { ...(st.server ? { server: st.server } : {}), line: `${site.vip}:${obsPort} open; ${st.detail.join('; ')}` };
  };
  const evidence: Evidence[] = [];
  const before = await whoServes();
  evidence.push({ command: `who serves this client before the drill`, output: before.line });
  const t0 = performance.now();
  let moved: { ms: number; to: string } | undefined;
  let restored: number | undefined;
  const trail: string[] = [];
  let halted = false;
  try {
    evidence.push(...(await setServerState(c, nodes, views, victim, 'maint')));
    halted = true;
    c.emit({ kind: 'note', message: `drill: ${victim} halted through the balancer; watching new connections to ${site.vip}:${obsPort}` });
    while (performance.now() - t0 < 30_000) {
      const w = await whoServes();
      trail.push(`${((performance.now() - t0) / 1000).toFixed(2)} s: ${w.line}`);
      if (w.server && w.server !== victim) {
        moved = { ms: Math.round(performance.now() - t0), to: w.server };
        break;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    evidence.push({ command: `new connections to ${site.vip}:${obsPort} every 250 ms after the halt`, output: trail.join('\n') });
    const during = await readNodeView(r, nodes, active!.info);
    evidence.push({ command: `balancer view on ${active!.node} during the drill (${during.source})`, output: during.rows.map((row) => `${row.label}: ${row.reals.map((x) => `${x.label} ${x.state.toUpperCase()}${x.reason ? ` (${x.reason})` : ''}`).join(', ')}`).join('\n') });
  } finally {
    if (halted) {
      const t1 = performance.now();
      try {
        evidence.push(...(await setServerState(c, nodes, views, victim, 'ready')));
        // Back means fully UP on every node: HAProxy shows "UP 1/3" after a maint -> ready until
        // the next check passes, and each node checks on its own.
        while (performance.now() - t1 < 60_000) {
          if (await fullyUp(c, nodes, views, victim)) {
            restored = Math.round(performance.now() - t1);
            break;
          }
          await new Promise((res) => setTimeout(res, 250));
        }
      } catch (e) {
        evidence.push({ command: `restore ${victim}`, output: `FAILED: ${errorText(e)} — put ${victim} back by hand: ${platform === 'linux-haproxy' ? `echo "set server <label>/${victim} state ready" | socat stdio UNIX-CONNECT:${HAPROXY_ADMIN_SOCKET} on every node` : `lbcli --action online --vip ${r.vips[0]!.label} --rip ${victim} --services all`}` });
      }
    }
  }
  if (!trail.length) evidence.push({ command: `new connections to ${site.vip}:${obsPort} after the halt`, output: 'none: the halt did not go through' });
  add(c, {
    id: 'drill-move',
    category: 'drill',
    target: `this client (served by ${before.server ?? victim}) while ${victim} is halted (${platform === 'linux-haproxy' ? 'HAProxy state maint on every node' : 'lbcli halt --services all'})`,
    expectation: 'new connections go to another server',
    observation: moved ? `moved to ${moved.to} ${(moved.ms / 1000).toFixed(2)} s after the halt` : halted ? 'still on the halted server after 30 s' : 'the halt was refused',
    status: moved ? 'pass' : 'fail',
    evidence,
    ...(moved ? { durationMs: moved.ms } : {}),
  });
  add(c, {
    id: 'drill-restore',
    category: 'drill',
    target: `${victim} after the drill`,
    expectation: 'UP again in the balancer view (state ready / online)',
    observation: restored !== undefined ? `UP in every VIP label on every node ${(restored / 1000).toFixed(2)} s after the restore` : `NOT back up within 60 s: check ${victim} in the balancer now`,
    status: restored !== undefined ? 'pass' : 'fail',
    ...(restored !== undefined ? { durationMs: restored } : {}),
  });
}

// ------------------------------------------------------------------ Windows side

function shown(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

const WINDOWS_EXPECTATION = 'Print Server role, shared printers, the product services, registry, NetBIOS and (DR) loopback/weak host as prepared';

/** verify.ps1 on every server (the server engine) — or why it cannot run in this scope. */
async function runWindowsVerify(c: Ctx): Promise<ServerVerification[] | undefined> {
  if (c.opts.only === 'balancer') return undefined;
  return (c.opts.servers ?? defaultServerEngine()).verify(c.r, c.ctx);
}

/** Each verify.ps1 check as a report check, plus one per server for the run itself. */
function windowsChecks(c: Ctx, results: readonly ServerVerification[] | undefined): void {
  const { site } = c.r;
  for (const s of site.servers) {
    const host = `${s.label} (${s.hostname ?? s.address})`;
    const target = `${host}: servers/${s.label}/verify.ps1 over PowerShell remoting (${site.windows.transport})`;
    const v = results?.find((x) => x.label === s.label);
    if (!v) {
      add(c, {
        id: `windows-verify-${s.label}`,
        category: 'windows',
        target,
        expectation: WINDOWS_EXPECTATION,
        observation: 'not run',
        status: 'not-applicable',
        why: `balancer-only scope: PrintHA does not reach the print servers in this run; run servers/${s.label}/verify.ps1 on ${s.label} and import its JSON (printha import)`,
      });
      continue;
    }
    const evidence: Evidence[] = [{ command: v.command, output: clip(v.output ?? v.error ?? '') }];
    if (!v.report) {
      const noShell = /PowerShell remoting is not available|not part of this build/.test(v.error ?? '');
      add(c, {
        id: `windows-verify-${s.label}`,
        category: 'windows',
        target,
        expectation: WINDOWS_EXPECTATION,
        observation: v.unreachable ? `${s.label} could not be reached: ${v.error}` : `verify.ps1 did not answer: ${v.error}`,
        status: noShell ? 'not-applicable' : 'fail',
        ...(noShell ? { why: v.error ?? '' } : {}),
        evidence,
        durationMs: v.ms,
      });
      continue;
    }
    const rep = v.report;
    const bad = rep.checks.filter((x) => !x.ok);
    const parts = [`${rep.checks.length - bad.length}/${rep.checks.length} checks passed`];
    if (bad.length) parts.push(`failing: ${bad.map((x) => x.id).join(', ')}`);
    if (rep.errors.length) parts.push(`not collected: ${rep.errors.join('; ')}`);
    if (rep.facts.lastBootTime) parts.push(`booted ${rep.facts.lastBootTime}`);
    if (rep.facts.pendingReboot) parts.push(`a restart is pending${rep.pendingRebootReasons?.length ? ` (${rep.pendingRebootReasons.join(', ')})` : ''}: prepared settings such as OptionalNames take effect after it`);
    add(c, {
      id: `windows-verify-${s.label}`,
      category: 'windows',
      target,
      expectation: WINDOWS_EXPECTATION,
      observation: parts.join('; '),
      status: bad.length === 0 && rep.errors.length === 0 && rep.checks.length > 0 ? 'pass' : 'fail',
      evidence,
      durationMs: v.ms,
    });
    for (const x of rep.checks)
      add(c, {
        id: `windows-${s.label}-${x.id}`,
        category: 'windows',
        target: `${s.label}: ${x.id}`,
        expectation: `${x.message || x.id}: ${shown(x.expected)}`,
        observation: shown(x.actual),
        status: x.ok ? 'pass' : 'fail',
      });
  }
}

// ------------------------------------------------------------------ entry points

/**
 * Verifies a site. Engine.verify(site, ctx, { drill }) delegates here.
 * Never throws for a failing check; throws only for a programming error.
 */
export async function verifySite(site: Site, ctx: RunContext, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const started = new Date();
  const t0 = performance.now();
  const r = resolveSite(site);
  const run = `verify-${started.toISOString()}`;
  const c: Ctx = {
    r,
    ctx,
    opts,
    checks: [],
    run,
    emit: (e) => ctx.onEvent({ t: new Date().toISOString(), run, verb: 'verify', ...e } as JournalEvent),
  };
  ctx.onEvent({ t: started.toISOString(), run, verb: 'verify', kind: 'run-start', message: `verify ${site.name}` });
  const nodes = new BalancerNodes(r, opts.connector ?? sshConnector(ctx));
  let views: NodeView[] = [];
  let probes: PortProbe[] = [];
  let shares: VerifyReport['shares'] = [];
  try {
    views = await phase(c, 'balancer-view', "Read the balancer's view of every real server", () => readViews(r, nodes));
    viewChecks(c, views);
    // verify.ps1 on the print servers runs alongside the balancer-side checks (seconds per server).
    const windows = opts.only === 'balancer' ? Promise.resolve(undefined) : phase(c, 'windows', 'Run verify.ps1 on every print server', () => runWindowsVerify(c));
    windows.catch(() => undefined);
    const dns = phase(c, 'dns', `Resolve ${site.shareName}`, () => dnsChecks(c));
    const [p, s] = await Promise.all([
      phase(c, 'tcp', 'TCP connect to every balanced port, direct and through the VIP', () => tcpChecks(c, views)),
      phase(c, 'smb', `List the shares through \\\\${site.vip} and \\\\${site.shareName}`, () => smbChecks(c, dns, views)),
      dns,
    ]);
    probes = p;
    shares = s;
    const pers = await phase(c, 'persistence', 'Persistence: one client, several ports, one server', () => persistenceCheck(c, nodes, views));
    await phase(c, 'healthcheck', 'Capture the health checks on the balancer', () => healthCheckCapture(c, nodes, views));
    if (opts.drill) await phase(c, 'drill', 'Failover drill: halt one server, watch clients move, restore it', () => drill(c, nodes, views, pers));
    windowsChecks(c, await windows);
  } finally {
    await nodes.close().catch(() => undefined);
  }
  const active = activeView(views);
  const report: VerifyReport = {
    site: site.name,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    ok: c.checks.every((x) => x.status !== 'fail'),
    checks: c.checks,
    overview: active?.rows ?? overviewUnknown(r, 'no balancer view'),
    shares,
    ports: probes,
    views: views.map(toBalancerView),
  };
  ctx.onEvent({ t: new Date().toISOString(), run, verb: 'verify', kind: 'run-end', result: report.ok ? 'ok' : 'failed', durationMs: report.durationMs, message: `${c.checks.filter((x) => x.status === 'pass').length} passed, ${c.checks.filter((x) => x.status === 'fail').length} failed, ${c.checks.filter((x) => x.status === 'not-applicable').length} not applicable` });
  return report;
}

export interface OverviewFrame {
  at: Date;
  /** the view of the node holding the VIP (or the first reachable) */
  active?: BalancerView;
  views: BalancerView[];
}

/**
 * Reads the overview every `intervalSeconds` until the signal aborts, reusing one SSH connection
 * per node. For `printha verify --watch`.
 */
export async function watchOverview(site: Site, ctx: RunContext, intervalSeconds: number, onFrame: (f: OverviewFrame) => void, signal: AbortSignal, opts: { connector?: BalancerConnector } = {}): Promise<void> {
  const r = resolveSite(site);
  const nodes = new BalancerNodes(r, opts.connector ?? sshConnector(ctx));
  try {
    while (!signal.aborted) {
      const views = await readViews(r, nodes);
      const active = activeView(views);
      onFrame({ at: new Date(), ...(active ? { active: toBalancerView(active) } : {}), views: views.map(toBalancerView) });
      await new Promise<void>((res) => {
        const t = setTimeout(res, intervalSeconds * 1000);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            res();
          },
          { once: true },
        );
      });
    }
  } finally {
    await nodes.close().catch(() => undefined);
  }
}

export type { OverviewRow };
