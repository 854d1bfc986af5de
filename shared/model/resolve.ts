/**
 * site -> resolved model: which VIPs exist, on which ports, with which checks, persistence and
 * scheduler, after profile defaults and per-service overrides. Every generator and rule reads this,
 * so the profile/override logic exists once.
 */
import { getProfile, type CheckDef, type ProfileDef, type ServiceDef } from '../profiles/index.js';
import { normalizeRanges, parsePortSpec, type PortRange } from '../site/ports.js';
import type { Scheduler, Site } from '../site/schema.js';
import { ipFamily, type IpFamily } from '../net/ip.js';

export interface ResolvedService {
  def: ServiceDef;
  id: string;
  vipLabel: string;
  /** Traffic ports (without the passive FTP range). */
  ports: PortRange[];
  passivePorts?: PortRange;
  backendPort?: number;
  check: CheckDef;
  persistenceMinutes: number;
  scheduler: Scheduler;
}

/** One VIP label on the VIP address: the services sharing the label, merged. */
export interface ResolvedVip {
  label: string;
  serviceIds: string[];
  /** All balanced ports including the passive FTP range, merged and sorted. */
  ports: PortRange[];
  passivePorts?: PortRange;
  backendPort?: number;
  check: CheckDef;
  persistenceMinutes: number;
  scheduler: Scheduler;
}

export interface BalancerNodeInfo {
  role: 'primary' | 'secondary';
  name: string;
  address: string;
  port: number;
  user: string;
  interface: string;
  /** VRRP priority: primary higher. */
  priority: number;
}

export interface ResolvedSite {
  site: Site;
  profile: ProfileDef;
  family: IpFamily;
  services: ResolvedService[];
  vips: ResolvedVip[];
  nodes: BalancerNodeInfo[];
  /** Name of the one persistence group (stick table) every VIP of the site shares. */
  persistenceGroup: string;
}

/** Service ids the site selects (explicit list or the profile's default set); unknown ids dropped here, reported by rules. */
export function selectedServiceIds(site: Site, profile: ProfileDef = getProfile(site.profile)): string[] {
  const known = new Set(profile.services.map((s) => s.id));
  return (site.services ?? profile.defaultServices).filter((id) => known.has(id));
}

function rangesOf(specs: readonly (number | string)[]): PortRange[] {
  const out: PortRange[] = [];
  for (const s of specs) {
    const r = parsePortSpec(s);
    if (typeof r !== 'string') out.push(r);
  }
  return out;
}

export function resolveService(site: Site, def: ServiceDef): ResolvedService {
  const o = site.overrides?.[def.id] ?? {};
  const check: CheckDef = { ...def.check };
  if (o.checkPorts) check.ports = [...o.checkPorts];
  else if (o.checkPort !== undefined) check.ports = [o.checkPort];
  if (o.checkIntervalSeconds !== undefined) check.intervalSeconds = o.checkIntervalSeconds;
  if (o.fall !== undefined) check.fall = o.fall;
  if (o.riseSeconds !== undefined) check.riseSeconds = o.riseSeconds;
  const passive = o.passivePorts !== undefined ? parsePortSpec(o.passivePorts) : undefined;
  const rs: ResolvedService = {
    def,
    id: def.id,
    vipLabel: def.vipLabel,
    ports: normalizeRanges(rangesOf(o.ports ?? def.ports)),
    check,
    persistenceMinutes: o.persistenceMinutes ?? def.persistenceMinutes,
    scheduler: o.scheduler ?? def.scheduler,
  };
  if (passive && typeof passive !== 'string') rs.passivePorts = passive;
  if (o.backendPort !== undefined) rs.backendPort = o.backendPort;
  return rs;
}

function mergeVips(services: ResolvedService[]): ResolvedVip[] {
  const byLabel = new Map<string, ResolvedVip>();
  for (const s of services) {
    const all = s.passivePorts ? [...s.ports, s.passivePorts] : s.ports;
    const v = byLabel.get(s.vipLabel);
    if (!v) {
      const nv: ResolvedVip = {
        label: s.vipLabel,
        serviceIds: [s.id],
        ports: normalizeRanges(all),
        check: { ...s.check, ports: [...s.check.ports] },
        persistenceMinutes: s.persistenceMinutes,
        scheduler: s.scheduler,
      };
      if (s.passivePorts) nv.passivePorts = s.passivePorts;
      if (s.backendPort !== undefined) nv.backendPort = s.backendPort;
      byLabel.set(s.vipLabel, nv);
    } else {
      v.serviceIds.push(s.id);
      v.ports = normalizeRanges([...v.ports, ...all]);
      if (s.passivePorts && !v.passivePorts) v.passivePorts = s.passivePorts;
      // Shared label: the strictest values win, so merging never weakens a service's needs.
      v.persistenceMinutes = Math.max(v.persistenceMinutes, s.persistenceMinutes);
      for (const p of s.check.ports) if (!v.check.ports.includes(p)) v.check.ports.push(p);
    }
  }
  return [...byLabel.values()];
}

export function balancerNodes(site: Site): BalancerNodeInfo[] {
  const b = site.balancer;
  const nodes: BalancerNodeInfo[] = [
    { role: 'primary', name: b.primary.name ?? 'lb1', address: b.primary.address, port: b.primary.port, user: b.primary.user, interface: b.primary.interface, priority: 150 },
  ];
  if (b.secondary)
    nodes.push({ role: 'secondary', name: b.secondary.name ?? 'lb2', address: b.secondary.address, port: b.secondary.port, user: b.secondary.user, interface: b.secondary.interface, priority: 100 });
  return nodes;
}

export function resolveSite(site: Site): ResolvedSite {
  const profile = getProfile(site.profile);
  const ids = selectedServiceIds(site, profile);
  const services = profile.services.filter((d) => ids.includes(d.id)).map((d) => resolveService(site, d));
  return {
    site,
    profile,
    family: ipFamily(site.vip) ?? 4,
    services,
    vips: mergeVips(services),
    nodes: balancerNodes(site),
    persistenceGroup: 'st_printha',
  };
}
