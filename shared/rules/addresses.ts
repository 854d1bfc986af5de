/** Addresses, labels and the network: unique, not clashing with the VIP, one address family, a sane prefix. */
import { canonicalIp, ipFamily, isIPv4, parseIPv6, sameSubnet } from '../net/ip.js';
import type { Site } from '../site/schema.js';
import type { Finding } from './finding.js';
import type { SiteHost } from './partial.js';
import { finding, type Rule } from './types.js';

type Host = SiteHost;

/** Every host address in the site file, in file order (balancer first, then servers). */
export function siteHosts(site: Site): Host[] {
  const out: Host[] = [{ path: 'balancer.primary.address', what: `balancer primary ${site.balancer.primary.name ?? ''}`.trim(), address: site.balancer.primary.address }];
  if (site.balancer.secondary)
    out.push({ path: 'balancer.secondary.address', what: `balancer secondary ${site.balancer.secondary.name ?? ''}`.trim(), address: site.balancer.secondary.address });
  site.servers.forEach((s, i) => out.push({ path: `servers[${i}].address`, what: `server ${s.label}`, address: s.address }));
  return out;
}

export const vipAddressClash: Rule = {
  id: 'vip-address-clash',
  severity: 'error',
  guards: 'The VIP must be an address of its own: if it equals a server, balancer or DNS server address, traffic for the VIP lands on that host instead of being balanced.',
  source: 'seed 000 §6.1, §10.2 (the VIP is a separate address held by the load balancer); DESIGN.md Rules',
  check({ site }) {
    return vipClashes(site.vip, siteHosts(site), site.dns?.server);
  },
  partial: (p) => (p.vip ? vipClashes(p.vip, p.hosts, p.dnsServer) : []),
};

function vipClashes(vipText: string, hosts: readonly Host[], dnsServer: string | undefined): Finding[] {
  const vip = canonicalIp(vipText);
  const all = dnsServer ? [...hosts, { path: 'dns.server', what: 'the DNS server', address: dnsServer }] : hosts;
  return all
    .filter((h) => canonicalIp(h.address) === vip)
    .map((h) => ({
      ...finding(
        vipAddressClash,
        'vip',
        `The VIP ${vipText} is the same address as ${h.what} (${h.path}); the VIP must be a free address that only the load balancer holds.`,
        `Choose an unused address in the servers' subnet for vip, or correct ${h.path}.`,
      ),
      also: [h.path],
    }));
}

export const duplicateLabel: Rule = {
  id: 'duplicate-label',
  severity: 'error',
  guards: 'Two servers (or two balancer nodes) with the same label: the balancer config and the per-server scripts are keyed by label, so one would overwrite the other.',
  source: 'DESIGN.md Rules ("unique labels and addresses"); seed 000 §10.2 (RIP labels PS1, PS2)',
  check({ site, resolved }) {
    const out: Finding[] = [];
    const seen = new Map<string, number>();
    site.servers.forEach((s, i) => {
      const k = s.label.toLowerCase();
      const first = seen.get(k);
      if (first !== undefined)
        out.push(
          finding(
            duplicateLabel,
            `servers[${i}].label`,
            `Server label "${s.label}" is used twice (servers[${first}] and servers[${i}]; labels are compared ignoring case).`,
            `Give servers[${i}] a unique label, e.g. PS${site.servers.length + 1}.`,
          ),
        );
      else seen.set(k, i);
    });
    const [p, s] = resolved.nodes;
    if (p && s && p.name.toLowerCase() === s.name.toLowerCase())
      out.push(
        finding(
          duplicateLabel,
          'balancer.secondary.name',
          `Both balancer nodes are named "${s.name}"; the HA peers and their keepalived-<node>.conf files need distinct names.`,
          'Set balancer.primary.name and balancer.secondary.name to the two nodes\' own host names (e.g. lb1 and lb2).',
        ),
      );
    return out;
  },
};

export const duplicateAddress: Rule = {
  id: 'duplicate-address',
  severity: 'error',
  guards: 'Two hosts (servers or balancer nodes) with the same address or server host name: a server would be balanced twice or a balancer would be its own peer.',
  source: 'DESIGN.md Rules ("unique labels and addresses")',
  check({ site }) {
    const out = duplicateAddresses(siteHosts(site));
    const names = new Map<string, number>();
    site.servers.forEach((s, i) => {
      if (!s.hostname) return;
      const k = s.hostname.toLowerCase().replace(/\.$/, '');
      const first = names.get(k);
      if (first !== undefined)
        out.push(
          finding(
            duplicateAddress,
            `servers[${i}].hostname`,
            `Host name ${s.hostname} of server ${s.label} is already used by server ${site.servers[first]?.label ?? first}.`,
            `Correct servers[${i}].hostname to the server's own DNS name.`,
          ),
        );
      else names.set(k, i);
    });
    return out;
  },
  partial: (p) => duplicateAddresses(p.hosts),
};

function duplicateAddresses(hosts: readonly Host[]): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, Host>();
  for (const h of hosts) {
    const k = canonicalIp(h.address);
    const first = seen.get(k);
    if (first)
      out.push(
        finding(
          duplicateAddress,
          h.path,
          `Address ${h.address} of ${h.what} is already used by ${first.what} (${first.path}).`,
          `Correct ${h.path}: every server and balancer node needs its own address.`,
        ),
      );
    else seen.set(k, h);
  }
  return out;
}

export const ipFamilyMismatch: Rule = {
  id: 'ip-family-mismatch',
  severity: 'error',
  guards: 'A VIP of one IP family (IPv4/IPv6) with servers or balancer nodes of the other: DR forwards frames on one subnet and cannot cross families; SNAT can, but it is unusual.',
  source: 'seed 000 §6.1 (DR: same subnet, layer 2), §6.2 (SNAT: full proxy), §15.1 (IPv4 and IPv6 loopback)',
  check({ site }) {
    const vf = ipFamily(site.vip);
    const out: Finding[] = [];
    for (const h of siteHosts(site)) {
      const hf = ipFamily(h.address);
      if (vf === null || hf === null || hf === vf) continue;
      const isServer = h.path.startsWith('servers');
      if (site.mode === 'dr')
        out.push(
          finding(
            ipFamilyMismatch,
            h.path,
            `The VIP ${site.vip} is IPv${vf} but ${h.what} has the IPv${hf} address ${h.address}; Layer 4 DR needs the VIP, servers and balancer on one IPv${vf} subnet.`,
            `Use the IPv${vf} address of ${h.what} in ${h.path}, or an IPv${hf} VIP.`,
          ),
        );
      else if (isServer)
        out.push(
          finding(
            ipFamilyMismatch,
            h.path,
            `The VIP ${site.vip} is IPv${vf} but ${h.what} has the IPv${hf} address ${h.address}; SNAT can proxy across families, but check the server really listens there.`,
            `Prefer the IPv${vf} address of ${h.what} in ${h.path}; keep it only if the server is reachable on IPv${hf} from the balancer.`,
            'warning',
          ),
        );
    }
    return out;
  },
};

export const prefixLengthInvalid: Rule = {
  id: 'prefix-length-invalid',
  severity: 'error',
  guards: 'A prefix length that does not fit the VIP\'s family (over 32 for IPv4): subnet checks and the netmask would be nonsense.',
  source: 'DESIGN.md "Site file" (network.prefixLength is the subnet of VIP, servers and balancer interface)',
  check({ site }) {
    return prefixFindings(site.vip, site.network.prefixLength);
  },
  partial: (p) => (p.vip && p.prefixLength !== undefined ? prefixFindings(p.vip, p.prefixLength) : []),
};

function prefixFindings(vip: string, p: number): Finding[] {
  if (ipFamily(vip) === 4 && p > 32)
    return [
      finding(
        prefixLengthInvalid,
        'network.prefixLength',
        `network.prefixLength is ${p} but the VIP ${vip} is IPv4, whose prefix is at most 32.`,
        'Set network.prefixLength to the subnet of the VIP and servers, e.g. 24 for 255.255.255.0.',
      ),
    ];
  return [];
}

function v4ToNum(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Why an address cannot be a host address, or null. */
function reservedReason(addr: string, vip: string, prefix: number): string | null {
  if (isIPv4(addr)) {
    const n = v4ToNum(addr);
    if (n === 0) return 'the unspecified address';
    if (n === 0xffffffff) return 'the broadcast address';
    if (n >= 0xe0000000 && n <= 0xefffffff) return 'a multicast address';
    if (prefix >= 1 && prefix <= 30 && isIPv4(vip) && sameSubnet(addr, vip, prefix)) {
      const size = 2 ** (32 - prefix);
      if (n % size === 0) return `the network address of the /${prefix} subnet`;
      if (n % size === size - 1) return `the broadcast address of the /${prefix} subnet`;
    }
    return null;
  }
  const g = parseIPv6(addr);
  if (!g) return null;
  if (g.every((x) => x === 0)) return 'the unspecified address';
  if ((g[0]! & 0xff00) === 0xff00) return 'a multicast address';
  return null;
}

export const addressReserved: Rule = {
  id: 'address-reserved',
  severity: 'error',
  guards: 'A VIP, server or balancer address that no host can hold (network or broadcast address of the subnet, multicast, unspecified).',
  source: 'DESIGN.md "Site file" (network.prefixLength); general IP addressing',
  check({ site }) {
    const hosts: Host[] = [{ path: 'vip', what: 'the VIP', address: site.vip }, ...siteHosts(site)];
    const out: Finding[] = [];
    for (const h of hosts) {
      const why = reservedReason(h.address, site.vip, site.network.prefixLength);
      if (why)
        out.push(
          finding(addressReserved, h.path, `${h.address} (${h.what}) is ${why}, which no host can use.`, `Correct ${h.path} to a usable host address.`),
        );
    }
    return out;
  },
};

export const ADDRESS_RULES: Rule[] = [vipAddressClash, duplicateLabel, duplicateAddress, ipFamilyMismatch, prefixLengthInvalid, addressReserved];
