/**
 * The fields of an incomplete site that are valid on their own, for the rules' partial checks
 * (Rule.partial): each value is taken only when its own schema accepts it, so a partial check never
 * reasons about a value the schema refuses (that value has its own finding).
 */
import { IpAddress } from '../site/schema.js';

/** A host address named in the site file, with where it is. */
export interface SiteHost {
  path: string;
  what: string;
  address: string;
}

export interface PartialSite {
  vip?: string;
  prefixLength?: number;
  /** Balancer nodes and servers whose address is valid, in file order (balancer first). */
  hosts: SiteHost[];
  /** dns.server when valid. */
  dnsServer?: string;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function ip(v: unknown): string | undefined {
  return typeof v === 'string' && IpAddress.safeParse(v).success ? v : undefined;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 64) : '';
}

/** What a rule can check of `data` (anything: the wizard's draft, parsed YAML). */
export function partialSite(data: unknown): PartialSite {
  const d = rec(data) ?? {};
  const out: PartialSite = { hosts: [] };
  const vip = ip(d.vip);
  if (vip) out.vip = vip;
  const prefix = rec(d.network)?.prefixLength;
  if (typeof prefix === 'number' && Number.isInteger(prefix) && prefix >= 0 && prefix <= 128) out.prefixLength = prefix;
  const balancer = rec(d.balancer);
  for (const role of ['primary', 'secondary'] as const) {
    const n = rec(balancer?.[role]);
    const a = ip(n?.address);
    if (a) out.hosts.push({ path: `balancer.${role}.address`, what: `balancer ${role} ${text(n?.name)}`.trim(), address: a });
  }
  if (Array.isArray(d.servers))
    d.servers.forEach((s: unknown, i) => {
      const a = ip(rec(s)?.address);
      if (a) out.hosts.push({ path: `servers[${i}].address`, what: `server ${text(rec(s)?.label) || i + 1}`, address: a });
    });
  const dns = ip(rec(d.dns)?.server);
  if (dns) out.dnsServer = dns;
  return out;
}
