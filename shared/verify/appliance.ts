/**
 * Parsers for a Loadbalancer.org appliance's live status (shared/reference/lbcli.md §3.4):
 *   - `lbcli --action list --function virtual --layer 4|7`: the output format is not documented
 *     (lbcli.md §7 [U]); this parser follows the lab's lbcli test double (test/lab/lbcli/lbcli.py)
 *     and tolerates the XML-to-JSON quirks of the appliance (one item = an object, not an array;
 *     `real` instead of `rips`; `server` instead of `ip`).
 *   - `ipvsadm -Ln`: the LVS table (Layer 4). Each virtual service line
 *     `TCP  192.168.81.10:445 wlc persistent 1800` (or `FWM  1 wlc ...`) is followed by
 *     `  -> 192.168.81.184:445  Route 100 0 0` lines (Forward, Weight, ActiveConn, InActConn).
 *     When the kernel has no IPVS, ipvsadm prints "Can't initialize ipvs: Protocol not available".
 */
import { extractJsonDocuments } from '../render/lbcli-status.js';
import { haproxyStatusToState } from './haproxy.js';
import type { RealServerState } from './report.js';

export interface LbcliRip {
  label: string;
  ip: string;
  port: string;
  weight: number;
  /** Admin state the appliance keeps: online, drain, halt. */
  adminState: string;
  /** Health as the appliance reports it (HAProxy status for Layer 7). */
  health: string;
}

export interface LbcliVirtual {
  label: string;
  ip: string;
  ports: string;
  layer: 4 | 7;
  forwarding?: string;
  mode?: string;
  rips: LbcliRip[];
}

export interface LbcliList {
  status: string;
  message?: string;
  virtuals: LbcliVirtual[];
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Finds the result object (the one with `virtual`) in any of lbcli's JSON wrappers. */
function findResult(doc: unknown, depth = 0): Record<string, unknown> | undefined {
  if (depth > 8) return undefined;
  if (Array.isArray(doc)) {
    for (const d of doc) {
      const r = findResult(d, depth + 1);
      if (r) return r;
    }
    return undefined;
  }
  if (!isObj(doc)) return undefined;
  if ('virtual' in doc || (typeof doc.status === 'string' && doc.status !== 'success')) return doc;
  for (const k of ['lbcli', 'lbapi', 'result', 'results']) {
    if (k in doc) {
      const r = findResult(doc[k], depth + 1);
      if (r) return r;
    }
  }
  return undefined;
}

export function parseLbcliList(stdout: string): LbcliList {
  let result: Record<string, unknown> | undefined;
  for (const d of extractJsonDocuments(stdout)) {
    result = findResult(d);
    if (result) break;
  }
  if (!result) return { status: 'no-json', message: stdout.trim().slice(0, 300), virtuals: [] };
  const virtuals: LbcliVirtual[] = [];
  for (const v of asArray(result.virtual)) {
    if (!isObj(v)) continue;
    const layer = str(v.layer) === '4' ? 4 : 7;
    const rips: LbcliRip[] = [];
    for (const r of asArray(v.rips ?? v.real ?? v.reals)) {
      if (!isObj(r)) continue;
      rips.push({
        label: str(r.label),
        ip: str(r.ip ?? r.server),
        port: str(r.port),
        weight: Number(str(r.weight) || '0'),
        adminState: str(r.state) || 'online',
        health: str(r.status),
      });
    }
    const out: LbcliVirtual = { label: str(v.label), ip: str(v.ip ?? v.server), ports: str(v.ports), layer, rips };
    if (v.forwarding !== undefined || v.forwardingmethod !== undefined) out.forwarding = str(v.forwarding ?? v.forwardingmethod);
    if (v.mode !== undefined) out.mode = str(v.mode);
    virtuals.push(out);
  }
  const out: LbcliList = { status: str(result.status) || 'success', virtuals };
  const m = str(result.message) || str(result.error);
  if (m) out.message = m;
  return out;
}

/** State of one appliance RIP: halt/drain (admin) win over health; unknown health stays unknown. */
export function lbcliRipState(r: LbcliRip): RealServerState {
  const a = r.adminState.toLowerCase();
  if (a === 'halt' || a === 'maint') return 'maint';
  if (a === 'drain') return 'drain';
  return haproxyStatusToState(r.health);
}

export interface IpvsReal {
  ip: string;
  port: number;
  /** Route (DR), Masq (NAT), Tunnel, Local */
  forward: string;
  weight: number;
  activeConn: number;
  inactConn: number;
}

export interface IpvsService {
  protocol: 'TCP' | 'UDP' | 'FWM' | string;
  /** VIP address (empty for FWM), port (0 for FWM) */
  vip: string;
  port: number;
  fwmark?: number;
  scheduler: string;
  persistentSeconds?: number;
  reals: IpvsReal[];
}

export type IpvsTable = { available: true; services: IpvsService[] } | { available: false; reason: string };

function splitHostPort(s: string): { ip: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^(.+):(\d+)$/.exec(s);
  return m ? { ip: m[1]!, port: Number(m[2]) } : { ip: s, port: 0 };
}

/** Parses `ipvsadm -Ln` (stdout + stderr). Without IPVS: available false with ipvsadm's own words. */
export function parseIpvsadm(text: string): IpvsTable {
  if (/Can't initialize ipvs|Protocol not available|IP Virtual Server is built in the kernel|ipvsadm: (command )?not found|No such file or directory/i.test(text)) {
    const reason = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
    return { available: false, reason: reason || 'ipvsadm is not available' };
  }
  const services: IpvsService[] = [];
  let cur: IpvsService | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const svc = /^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(\S+)(.*)$/.exec(line);
    if (svc) {
      const flags = svc[4] ?? '';
      const pers = /persistent (\d+)/.exec(flags);
      const base: IpvsService = { protocol: svc[1]!, vip: '', port: 0, scheduler: svc[3]!, reals: [] };
      if (svc[1] === 'FWM') base.fwmark = Number(svc[2]);
      else {
        const hp = splitHostPort(svc[2]!);
        base.vip = hp.ip;
        base.port = hp.port;
      }
      if (pers) base.persistentSeconds = Number(pers[1]);
      cur = base;
      services.push(cur);
      continue;
    }
    const real = /^\s+->\s+(\S+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (real && cur && real[1] !== 'RemoteAddress:Port') {
      const hp = splitHostPort(real[1]!);
      cur.reals.push({ ip: hp.ip, port: hp.port, forward: real[2]!, weight: Number(real[3]), activeConn: Number(real[4]), inactConn: Number(real[5]) });
    }
  }
  return { available: true, services };
}
