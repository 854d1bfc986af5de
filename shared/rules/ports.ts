/** Ports on the VIP: each VIP:port belongs to one VIP label; excluded ports stay with their owner; port translation. */
import type { ResolvedService } from '../model/resolve.js';
import { portInRanges, rangeSize, type PortRange } from '../site/ports.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';
import { allServicePorts, intersectRanges, overridePath, portsPath, portsText, servicePath } from './util.js';

export const port445PrintServers: Rule = {
  id: 'port-445-printservers',
  severity: 'error',
  guards: 'A port that another VIP owns (445 belongs to the PrintServers VIP) listed in a service of a different VIP label: two VIPs would fight over it.',
  source: 'seed 000 §10.3 step 4 note and §11.3 ("exclude port 445 ... load balanced by the Microsoft Print Server VIP")',
  check({ site, resolved }) {
    const out: Finding[] = [];
    for (const s of resolved.services) {
      for (const ex of s.def.excludedPorts ?? []) {
        if (ex.ownerLabel === s.vipLabel) continue;
        const inPorts = portInRanges(ex.port, s.ports);
        const inPassive = !!s.passivePorts && portInRanges(ex.port, [s.passivePorts]);
        if (!inPorts && !inPassive) continue;
        const path = inPorts ? portsPath(site, s.id) : overridePath(s.id, 'passivePorts');
        const owner = resolved.profile.services.find((d) => d.vipLabel === ex.ownerLabel)?.id;
        out.push(
          finding(
            port445PrintServers,
            path,
            `Service ${s.id} (VIP ${s.vipLabel}) lists port ${ex.port}, but port ${ex.port} belongs to the ${ex.ownerLabel} VIP and must be excluded from the ${s.vipLabel} VIP.`,
            `Remove ${ex.port} from ${path}; the ${ex.ownerLabel} VIP${owner ? ` (service ${owner})` : ''} balances it.`,
          ),
        );
      }
    }
    return out;
  },
};

/** Services in the order the site lists them (profile order when `services` is not given). */
function inSiteOrder(services: readonly ResolvedService[], order: readonly string[] | undefined): ResolvedService[] {
  if (!order) return [...services];
  const idx = (id: string): number => {
    const i = order.indexOf(id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...services].sort((a, b) => idx(a.id) - idx(b.id));
}

export const vipPortConflict: Rule = {
  id: 'vip-port-conflict',
  severity: 'error',
  guards: 'The same VIP:port in two VIP labels (all labels share the one VIP address): the balancer cannot bind it twice, or one label silently gets the other\'s traffic.',
  source: 'seed 000 §8.3, §10.3 (two VIPs on one IP with disjoint ports); DESIGN.md Rules ("no VIP:port in two services")',
  check({ site, resolved }) {
    const out: Finding[] = [];
    const ordered = inSiteOrder(resolved.services, site.services);
    const o = site.overrides ?? {};
    for (let j = 0; j < ordered.length; j++) {
      const later = ordered[j]!;
      for (let i = 0; i < j; i++) {
        const earlier = ordered[i]!;
        if (earlier.vipLabel === later.vipLabel) continue;
        const overlap = intersectRanges(allServicePorts(earlier), allServicePorts(later));
        if (overlap.length === 0) continue;
        const hits = (a: PortRange | undefined, b: readonly PortRange[]): boolean => !!a && intersectRanges([a], b).length > 0;
        let path: string;
        if (hits(later.passivePorts, allServicePorts(earlier))) path = overridePath(later.id, 'passivePorts');
        else if (o[later.id]?.ports) path = overridePath(later.id, 'ports');
        else if (hits(earlier.passivePorts, later.ports)) path = overridePath(earlier.id, 'passivePorts');
        else if (o[earlier.id]?.ports) path = overridePath(earlier.id, 'ports');
        else path = servicePath(site, later.id);
        const n = overlap.reduce((acc, r) => acc + rangeSize(r), 0);
        out.push(
          finding(
            vipPortConflict,
            path,
            `${site.vip} port${n > 1 ? 's' : ''} ${portsText(overlap)} would be balanced by both VIP ${earlier.vipLabel} (service ${earlier.id}) and VIP ${later.vipLabel} (service ${later.id}); one VIP:port can belong to only one VIP.`,
            `Remove ${portsText(overlap)} from one of the two services (${path}), so each port is balanced by exactly one VIP.`,
          ),
        );
      }
    }
    return out;
  },
};

export const snatBackendPort: Rule = {
  id: 'snat-backend-port',
  severity: 'info',
  guards: 'Makes a port translation (VIP:port to server:backendPort) visible, so nobody is surprised that the servers listen elsewhere.',
  source: 'seed 000 §6.2 ("Port translation is possible with Layer 7 SNAT mode")',
  check({ site, resolved }) {
    if (site.mode !== 'snat') return [];
    return resolved.services
      .filter((s) => s.backendPort !== undefined && allServicePorts(s).reduce((a, r) => a + rangeSize(r), 0) === 1)
      .map((s) =>
        finding(
          snatBackendPort,
          overridePath(s.id, 'backendPort'),
          `Service ${s.id}: clients connect to ${site.vip}:${s.ports[0]?.from ?? '?'} and the balancer forwards to port ${s.backendPort} on each server (SNAT port translation).`,
          `Nothing to change if the servers listen on ${s.backendPort}; otherwise remove overrides.${s.id}.backendPort.`,
        ),
      );
  },
};

export const backendPortMulti: Rule = {
  id: 'backend-port-multi',
  severity: 'error',
  guards: 'A backendPort on a VIP with more than one port would send every port (SMB, HTTP, SMTP...) to the same server port.',
  source: 'seed 000 §6.2 (port translation is VIP:port -> RIP:port, one to one)',
  check({ site, resolved }) {
    if (site.mode !== 'snat') return [];
    const out: Finding[] = [];
    for (const s of resolved.services) {
      if (s.backendPort === undefined) continue;
      const vip = resolved.vips.find((v) => v.label === s.vipLabel);
      const ports = vip ? vip.ports : allServicePorts(s);
      const n = ports.reduce((a, r) => a + rangeSize(r), 0);
      if (n <= 1) continue;
      out.push(
        finding(
          backendPortMulti,
          overridePath(s.id, 'backendPort'),
          `Service ${s.id} sets backendPort ${s.backendPort}, but its VIP ${s.vipLabel} balances ${n} ports (${portsText(ports)}), and all of them would be forwarded to server port ${s.backendPort}.`,
          `Remove overrides.${s.id}.backendPort, or give the translated port a service of its own with a single port.`,
        ),
      );
    }
    return out;
  },
};

export const PORT_RULES: Rule[] = [port445PrintServers, vipPortConflict, snatBackendPort, backendPortMulti];
