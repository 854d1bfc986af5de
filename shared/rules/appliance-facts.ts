/**
 * Rules on discovered balancer facts (needsFacts): reachability and conflicts with VIPs that already
 * exist on the appliance. An HA pair reports the same (replicated) VIPs on both nodes, so conflicts are
 * reported once, naming every node that shows them.
 */
import type { BalancerNodeFacts, ExistingVip } from '../model/facts.js';
import type { BalancerNodeInfo, ResolvedSite } from '../model/resolve.js';
import type { PortRange } from '../site/ports.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';
import { intersectRanges, listText, parseApplianceRanges, portsText, sameIp } from './util.js';

/** The site's balancer node a facts entry belongs to (by address, else by name). */
export function nodeFor(resolved: ResolvedSite, f: BalancerNodeFacts): BalancerNodeInfo | undefined {
  return resolved.nodes.find((n) => sameIp(n.address, f.address)) ?? resolved.nodes.find((n) => n.name === f.name);
}

/** Reachable balancer facts with the VIPs they report. */
function existing(resolved: ResolvedSite, facts: BalancerNodeFacts[] | undefined): { node: string; vip: ExistingVip }[] {
  const out: { node: string; vip: ExistingVip }[] = [];
  for (const f of facts ?? []) {
    if (!f.reachable) continue;
    const node = nodeFor(resolved, f)?.name ?? f.name;
    for (const vip of f.existingVips ?? []) out.push({ node, vip });
  }
  return out;
}

/** Groups findings by a key so an HA pair's replicated VIPs give one finding naming both nodes. */
function byKey<T>(items: { key: string; node: string; item: T }[]): { item: T; nodes: string[] }[] {
  const m = new Map<string, { item: T; nodes: string[] }>();
  for (const { key, node, item } of items) {
    const e = m.get(key);
    if (e) {
      if (!e.nodes.includes(node)) e.nodes.push(node);
    } else m.set(key, { item, nodes: [node] });
  }
  return [...m.values()];
}

function ourLabels(resolved: ResolvedSite): Set<string> {
  return new Set(resolved.vips.map((v) => v.label.toLowerCase()));
}

function isOurs(resolved: ResolvedSite, v: ExistingVip): boolean {
  return ourLabels(resolved).has(v.label.toLowerCase()) && sameIp(v.ip, resolved.site.vip);
}

export const balancerUnreachable: Rule = {
  id: 'balancer-unreachable',
  severity: 'error',
  guards: 'A balancer node PrintHA cannot reach over SSH cannot be checked or configured.',
  source: 'DESIGN.md "Discover" (appliance version and existing VIPs are read over SSH)',
  needsFacts: true,
  check({ site, resolved, facts }) {
    const out: Finding[] = [];
    for (const f of facts?.balancer ?? []) {
      if (f.reachable) continue;
      const n = nodeFor(resolved, f);
      const role = n?.role ?? 'primary';
      const b = role === 'secondary' ? site.balancer.secondary : site.balancer.primary;
      out.push(
        finding(
          balancerUnreachable,
          `balancer.${role}.address`,
          `Balancer ${n?.name ?? f.name} (${f.address}) could not be reached over SSH${f.error ? `: ${f.error}` : ''}.`,
          `Check that ${f.address} is up, that SSH listens on port ${b?.port ?? 22} for user ${b?.user ?? 'root'}, and that the credentials are in the vault; then discover again.`,
        ),
      );
    }
    return out;
  },
};

/** How our VIPs are built on the appliance: SNAT mode = Layer 7 (HAProxy), DR = Layer 4 gate. */
function ourKind(resolved: ResolvedSite): { layer: 4 | 7; forwarding?: string } {
  return resolved.site.mode === 'snat' ? { layer: 7 } : { layer: 4, forwarding: 'gate' };
}

function isL4Snat(v: { layer: 4 | 7; forwarding?: string }): boolean {
  return v.layer === 4 && (v.forwarding ?? '').toLowerCase() === 'snat';
}

export const l7L4snatRipConflict: Rule = {
  id: 'l7-l4snat-rip-conflict',
  severity: 'error',
  guards: 'The same RIP:port used by a Layer 7 SNAT VIP and a Layer 4 SNAT VIP on one appliance: their firewall rules conflict.',
  source: 'seed 000 §6.2 ("You should not use the same RIP:PORT combination for layer 7 SNAT mode VIPs and layer 4 SNAT mode VIPs")',
  needsFacts: true,
  check({ site, resolved, facts }) {
    const ours = ourKind(resolved);
    const hits: { key: string; node: string; item: { i: number; other: ExistingVip; ports: PortRange[]; label: string } }[] = [];
    for (const { node, vip: other } of existing(resolved, facts?.balancer)) {
      if (isOurs(resolved, other)) continue;
      const clash = (ours.layer === 7 && isL4Snat(other)) || (isL4Snat(ours) && other.layer === 7);
      if (!clash) continue;
      const otherVipPorts = parseApplianceRanges(other.ports);
      site.servers.forEach((s, i) => {
        for (const real of other.reals) {
          if (!sameIp(real.ip, s.address)) continue;
          const realPorts = real.port ? parseApplianceRanges(real.port) : otherVipPorts;
          for (const v of resolved.vips) {
            const ourRipPorts: PortRange[] = v.backendPort !== undefined ? [{ from: v.backendPort, to: v.backendPort }] : v.ports;
            const overlap = intersectRanges(ourRipPorts, realPorts);
            if (overlap.length)
              hits.push({ key: `${other.label}|${i}|${v.label}`, node, item: { i, other, ports: overlap, label: v.label } });
          }
        }
      });
    }
    const fwd: Record<string, string> = { gate: 'DR', snat: 'SNAT', masq: 'NAT', ipip: 'TUN' };
    const layerText = (l: { layer: 4 | 7; forwarding?: string }): string =>
      l.layer === 7 ? 'Layer 7 SNAT' : `Layer 4 ${l.forwarding ? (fwd[l.forwarding.toLowerCase()] ?? l.forwarding) : ''}`.trim();
    return byKey(hits).map(({ item, nodes }) => {
      const s = site.servers[item.i]!;
      return finding(
        l7L4snatRipConflict,
        `servers[${item.i}].address`,
        `The existing ${layerText({ layer: item.other.layer, forwarding: item.other.forwarding })} VIP "${item.other.label}" on ${listText(nodes)} already uses ${s.label} ${s.address}:${portsText(item.ports)}, which our ${layerText(ours)} VIP ${item.label} would also use; the two kinds of VIP must not share a RIP:port because their firewall rules conflict.`,
        `Remove or change the RIP of "${item.other.label}" on the appliance, or use mode: dr for this site.`,
      );
    });
  },
};

export const vipLabelTaken: Rule = {
  id: 'vip-label-taken',
  severity: 'error',
  guards: 'An existing appliance VIP with one of our VIP labels but another address would be overwritten or clash when PrintHA creates its VIP.',
  source: 'seed 000 §10.2 / §10.3 (VIP labels PrintServers and Dispatcher); lbcli VIPs are addressed by label',
  needsFacts: true,
  check({ site, resolved, facts }) {
    const labels = ourLabels(resolved);
    const hits = existing(resolved, facts?.balancer)
      .filter(({ vip }) => labels.has(vip.label.toLowerCase()) && !sameIp(vip.ip, site.vip))
      .map(({ node, vip }) => ({ key: `${vip.label}|${vip.ip}`, node, item: vip }));
    return byKey(hits).map(({ item, nodes }) =>
      finding(
        vipLabelTaken,
        'vip',
        `The appliance ${listText(nodes)} already has a VIP labelled "${item.label}" on ${item.ip}, but this site needs "${item.label}" on ${site.vip}.`,
        `If "${item.label}" on ${item.ip} is an old deployment of this service, delete it on the appliance (or set vip to ${item.ip}); otherwise rename that VIP before applying.`,
      ),
    );
  },
};

export const vipIpInUse: Rule = {
  id: 'vip-ip-in-use',
  severity: 'warning',
  guards: 'A VIP of someone else on our VIP address and one of our ports: the two VIPs would compete for the same VIP:port.',
  source: 'seed 000 §8.3 (the VIPs share one IP with disjoint ports)',
  needsFacts: true,
  check({ site, resolved, facts }) {
    const labels = ourLabels(resolved);
    const ours = resolved.vips.flatMap((v) => v.ports);
    const hits: { key: string; node: string; item: { vip: ExistingVip; ports: PortRange[] } }[] = [];
    for (const { node, vip } of existing(resolved, facts?.balancer)) {
      if (labels.has(vip.label.toLowerCase()) || !sameIp(vip.ip, site.vip)) continue;
      const overlap = intersectRanges(ours, parseApplianceRanges(vip.ports));
      if (overlap.length) hits.push({ key: vip.label, node, item: { vip, ports: overlap } });
    }
    return byKey(hits).map(({ item, nodes }) =>
      finding(
        vipIpInUse,
        'vip',
        `The appliance ${listText(nodes)} already has VIP "${item.vip.label}" on ${site.vip} port${item.ports.length > 1 || (item.ports[0] && item.ports[0].from !== item.ports[0].to) ? 's' : ''} ${portsText(item.ports)}, which this site also needs.`,
        `Choose another vip for this site, or remove those ports from "${item.vip.label}" on the appliance.`,
      ),
    );
  },
};

export const APPLIANCE_FACT_RULES: Rule[] = [balancerUnreachable, l7L4snatRipConflict, vipLabelTaken, vipIpInUse];
