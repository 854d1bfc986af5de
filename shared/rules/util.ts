/**
 * Small helpers the rule modules share: site-file paths for findings, IP comparison,
 * Windows-style globs and appliance port lists. Pure (no I/O).
 */
import { canonicalIp, ipFamily } from '../net/ip.js';
import type { ResolvedService } from '../model/resolve.js';
import { formatRanges, type PortRange } from '../site/ports.js';
import type { Site } from '../site/schema.js';

/** Path of a field in overrides.<service>. */
export function overridePath(serviceId: string, key: string): string {
  return `overrides.${serviceId}.${key}`;
}

/** Path of the `services` entry that selects a service (or `services`/`profile` when it comes from defaults). */
export function servicePath(site: Site, serviceId: string): string {
  if (!site.services) return 'services';
  const i = site.services.indexOf(serviceId);
  return i >= 0 ? `services[${i}]` : 'services';
}

/** The path that made a service's traffic ports what they are: its ports override, else its `services` entry. */
export function portsPath(site: Site, serviceId: string): string {
  return site.overrides?.[serviceId]?.ports ? overridePath(serviceId, 'ports') : servicePath(site, serviceId);
}

/** Path of an override key when the site sets it, else the service's `services` entry. */
export function overrideOrService(site: Site, serviceId: string, key: keyof NonNullable<Site['overrides']>[string]): string {
  return site.overrides?.[serviceId]?.[key] !== undefined ? overridePath(serviceId, key) : servicePath(site, serviceId);
}

/** "10.0.0.5/32" -> "10.0.0.5" (facts sometimes carry a prefix). */
export function stripPrefix(addr: string): string {
  const i = addr.indexOf('/');
  return (i >= 0 ? addr.slice(0, i) : addr).trim();
}

/** Equal IP addresses (canonical compare; tolerates a /prefix suffix; IPv6 case and compression ignored). */
export function sameIp(a: string, b: string): boolean {
  const x = stripPrefix(a);
  const y = stripPrefix(b);
  if (ipFamily(x) === null || ipFamily(y) === null) return x.toLowerCase() === y.toLowerCase();
  return canonicalIp(x) === canonicalIp(y);
}

/** Windows-style glob ('Dispatcher*', 'SPOC?') to a case-insensitive whole-string RegExp. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * Ports as the appliance reports them: "445", "80:443" (colon list), "800-900" (range), mixes such as
 * "80:90-100:3443", or commas. Unparseable items are ignored.
 */
export function parseApplianceRanges(spec: string | undefined): PortRange[] {
  if (!spec) return [];
  const out: PortRange[] = [];
  for (const item of spec.split(/[,:;\s]+/)) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (from >= 1 && to <= 65535 && from <= to) out.push({ from, to });
  }
  return out;
}

/** The ports of `a` that are also in `b`, as ranges. */
export function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const x of a)
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from <= to) out.push({ from, to });
    }
  return out.sort((p, q) => p.from - q.from);
}

export function portsText(rs: readonly PortRange[]): string {
  return formatRanges(rs, ', ');
}

/** Traffic ports of a service including its passive FTP range. */
export function allServicePorts(s: ResolvedService): PortRange[] {
  return s.passivePorts ? [...s.ports, s.passivePorts] : [...s.ports];
}

/** Index of the site server with this label (case-insensitive), or -1. */
export function serverIndex(site: Site, label: string): number {
  const l = label.toLowerCase();
  return site.servers.findIndex((s) => s.label.toLowerCase() === l);
}

/** "PS1 (192.168.81.184)" */
export function serverName(site: Site, i: number): string {
  const s = site.servers[i];
  return s ? `${s.label} (${s.address})` : `server ${i + 1}`;
}

/** English list: "a", "a and b", "a, b and c". */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
