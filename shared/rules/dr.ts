/** Layer 4 DR (direct routing) constraints: no port translation, one layer-2 subnet, the ARP problem solved. */
import { ipFamily, isIPv4, sameSubnet } from '../net/ip.js';
import type { NicFacts, ServerFacts } from '../model/facts.js';
import type { Site } from '../site/schema.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';
import { listText, overridePath, sameIp, serverIndex } from './util.js';

/** The VIP subnet as text: 192.168.81.0/24 for IPv4 (network address), VIP/prefix for IPv6. */
export function subnetText(site: Site): string {
  const p = site.network.prefixLength;
  if (isIPv4(site.vip) && p <= 32) {
    const n = site.vip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - p);
    const net = Math.floor(n / size) * size;
    return `${[24, 16, 8, 0].map((sh) => Math.floor(net / 2 ** sh) % 256).join('.')}/${p}`;
  }
  return `${site.vip}/${p}`;
}

/** True when the prefix fits the VIP's family (prefix-length-invalid reports it otherwise). */
function prefixUsable(site: Site): boolean {
  const fam = ipFamily(site.vip);
  return fam !== null && site.network.prefixLength <= (fam === 4 ? 32 : 128);
}

export const drPortTranslation: Rule = {
  id: 'dr-port-translation',
  severity: 'error',
  guards: 'Layer 4 DR only rewrites the destination MAC address, so a backend port different from the VIP port cannot work.',
  source: 'seed 000 §6.1 ("Port translation is not possible with DR mode")',
  check({ site }) {
    if (site.mode !== 'dr') return [];
    return Object.entries(site.overrides ?? {})
      .filter(([, o]) => o.backendPort !== undefined)
      .map(([id, o]) =>
        finding(
          drPortTranslation,
          overridePath(id, 'backendPort'),
          `Service ${id} sets backendPort ${o.backendPort}, but Layer 4 DR cannot translate ports (VIP:port must equal server:port).`,
          `Remove overrides.${id}.backendPort and run the service on the VIP's port, or switch to mode: snat.`,
        ),
      );
  },
};

export const drBalancerSubnet: Rule = {
  id: 'dr-balancer-subnet',
  severity: 'error',
  guards: 'In DR the balancer forwards frames at layer 2, so it needs an interface in the servers\' (VIP) subnet.',
  source: 'seed 000 §6.1 ("The load balancer must have an Interface in the same subnet as the Real Servers")',
  check({ site }) {
    if (site.mode !== 'dr' || !prefixUsable(site)) return [];
    const vf = ipFamily(site.vip);
    const nodes = [
      { role: 'primary', n: site.balancer.primary },
      ...(site.balancer.secondary ? [{ role: 'secondary', n: site.balancer.secondary }] : []),
    ];
    return nodes
      .filter(({ n }) => ipFamily(n.address) === vf && !sameSubnet(n.address, site.vip, site.network.prefixLength))
      .map(({ role, n }) =>
        finding(
          drBalancerSubnet,
          `balancer.${role}.address`,
          `Balancer ${role}${n.name ? ` ${n.name}` : ''} at ${n.address} is outside the VIP subnet ${subnetText(site)}; in Layer 4 DR the balancer must have an interface on the servers' subnet.`,
          `Use the balancer's address on ${subnetText(site)} for balancer.${role}.address (add an interface there if needed), or switch to mode: snat.`,
        ),
      );
  },
};

export const drServerSubnet: Rule = {
  id: 'dr-server-subnet',
  severity: 'error',
  guards: 'In DR every server must be on the VIP\'s layer-2 subnet, because the balancer only rewrites the destination MAC address.',
  source: 'seed 000 §6.1 (layer 2 connectivity between balancer and Real Servers)',
  check({ site }) {
    if (site.mode !== 'dr' || !prefixUsable(site)) return [];
    const vf = ipFamily(site.vip);
    const out: Finding[] = [];
    site.servers.forEach((s, i) => {
      if (ipFamily(s.address) !== vf || sameSubnet(s.address, site.vip, site.network.prefixLength)) return;
      out.push(
        finding(
          drServerSubnet,
          `servers[${i}].address`,
          `Server ${s.label} at ${s.address} is outside the VIP subnet ${subnetText(site)}; Layer 4 DR needs every server on the balancer's subnet.`,
          `Use ${s.label}'s address on ${subnetText(site)}, correct network.prefixLength, or switch to mode: snat (any routed subnet works).`,
        ),
      );
    });
    return out;
  },
};

function vipMask(site: Site): string {
  return ipFamily(site.vip) === 6 ? `the VIP with the network's prefix length /${site.network.prefixLength}` : `${site.vip} with mask 255.255.255.255`;
}

export const drArpProblem: Rule = {
  id: 'dr-arp-problem',
  severity: 'info',
  guards: 'DR needs the ARP problem solved on every server (loopback adapter holding the VIP, weak host send/receive), or the servers drop or steal VIP traffic.',
  source: 'seed 000 §6.1, §10.1 Step 2, §15.1 (Solving the ARP problem)',
  check({ site, facts }) {
    if (site.mode !== 'dr' || (facts?.servers && facts.servers.length > 0)) return [];
    const labels = site.servers.map((s) => s.label);
    return [
      finding(
        drArpProblem,
        'mode',
        `Layer 4 DR: ${listText(labels)} must each get a Microsoft Loopback Adapter holding ${vipMask(site)} and weak host send/receive enabled, so they accept VIP traffic without answering ARP for ${site.vip}; each servers/<label>/prepare.ps1 does this.`,
        'Run the generated prepare.ps1 on every server (PrintHA apply does it), then reboot each server one at a time.',
      ),
    ];
  },
};

function nicHas(nic: NicFacts | undefined, vip: string): boolean {
  return !!nic && nic.addresses.some((a) => sameIp(a, vip));
}

/** What is missing for DR on one server, from its facts (only collected facts are judged). */
export function arpProblems(sf: ServerFacts, vip: string, serverAddress: string): string[] {
  const problems: string[] = [];
  const lb = sf.loopbackAdapter;
  const nics = sf.nics ?? [];
  const lbNic = nics.find((n) => (lb && n.alias === lb.alias) || n.isLoopback === true);
  if (lb === null) problems.push('there is no loopback adapter');
  else if (lb && !lb.addresses.some((a) => sameIp(a, vip)) && !nicHas(lbNic, vip)) problems.push(`loopback adapter "${lb.alias}" does not hold ${vip}`);
  if (lb !== null && lbNic) {
    const off = [lbNic.weakHostSend === false ? 'send' : '', lbNic.weakHostReceive === false ? 'receive' : ''].filter(Boolean);
    if (off.length) problems.push(`weak host ${off.join(' and ')} is not enabled on "${lbNic.alias}"`);
  }
  const real = nics.find((n) => n !== lbNic && n.addresses.some((a) => sameIp(a, serverAddress)));
  if (real && real.weakHostReceive === false) problems.push(`weak host receive is not enabled on "${real.alias}"`);
  return problems;
}

export const drArpUnsolved: Rule = {
  id: 'dr-arp-unsolved',
  severity: 'error',
  guards: 'Discovery shows a server in DR without the loopback adapter holding the VIP or without weak host send/receive: it would drop VIP traffic.',
  source: 'seed 000 §10.1 Step 2, §15.1 (loopback adapter, strong/weak host)',
  needsFacts: true,
  fixedByServerPrepare: true,
  check({ site, facts }) {
    if (site.mode !== 'dr') return [];
    const out: Finding[] = [];
    for (const sf of facts?.servers ?? []) {
      const i = serverIndex(site, sf.label);
      const s = site.servers[i];
      if (!s || !sf.reachable) continue;
      const problems = arpProblems(sf, site.vip, s.address);
      if (problems.length)
        out.push(
          finding(
            drArpUnsolved,
            `servers[${i}]`,
            `Server ${s.label} has not solved the ARP problem that Layer 4 DR needs: ${problems.join('; ')}.`,
            `Run servers/${s.label}/prepare.ps1 on ${s.label} (apply does it): it adds the loopback adapter with ${vipMask(site)} and enables weak host send/receive.`,
          ),
        );
    }
    return out;
  },
};

export const DR_RULES: Rule[] = [drPortTranslation, drBalancerSubnet, drServerSubnet, drArpProblem, drArpUnsolved];
