/**
 * Port overrides against the product profile: a traffic port or a health-check port that the guide
 * does not give for the service is allowed (a product can be configured to listen elsewhere) but is
 * said, with the guide's value and section: a wrong health-check port marks every server down, a wrong
 * traffic port balances a port nothing listens on.
 */
import { normalizeRanges, parsePortSpec, type PortRange } from '../site/ports.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';
import { overridePath, portsText } from './util.js';

/** The guide a profile's source cites, by name (the sources say "seed 000" / "seed 003"). */
export function guideName(source: string): string {
  return source
    .replace(/seed 000/g, 'the Loadbalancer.org Dispatcher Phoenix guide')
    .replace(/seed 003/g, 'the Dispatcher Paragon load balancer requirements');
}

function ranges(specs: readonly (number | string)[]): PortRange[] {
  return normalizeRanges(specs.flatMap((s) => {
    const r = parsePortSpec(s);
    return typeof r === 'string' ? [] : [r];
  }));
}

/** The ports of `a` that are not in `b`, as ranges. */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  let rest = normalizeRanges(a);
  for (const y of normalizeRanges(b)) {
    const next: PortRange[] = [];
    for (const x of rest) {
      if (y.to < x.from || y.from > x.to) next.push(x);
      else {
        if (x.from < y.from) next.push({ from: x.from, to: y.from - 1 });
        if (x.to > y.to) next.push({ from: y.to + 1, to: x.to });
      }
    }
    rest = next;
  }
  return rest;
}

const plural = (rs: readonly PortRange[]) => (rs.length > 1 || rs.some((r) => r.to > r.from) ? 'ports' : 'port');

export const portNotInGuide: Rule = {
  id: 'port-not-in-guide',
  severity: 'warning',
  guards: "A service's ports override lists a port the product profile does not give for that service (SMTP on 5877 instead of 25): the balancer would forward a port the servers may not listen on.",
  source: 'seed 000 §8.4 (the ports of each Dispatcher Phoenix service); seed 003 §5.3.2 (the Paragon ports)',
  check({ site, resolved }) {
    const out: Finding[] = [];
    for (const s of resolved.services) {
      if (!site.overrides?.[s.def.id]?.ports) continue;
      const guide = ranges(s.def.ports);
      const extra = subtractRanges(s.ports, guide);
      if (extra.length === 0) continue;
      const path = overridePath(s.id, 'ports');
      out.push(
        finding(
          portNotInGuide,
          path,
          `${path} balances ${plural(extra)} ${portsText(extra)} for ${s.def.title}, but the guide's ${plural(guide)} for it ${guide.length > 1 || guide.some((r) => r.to > r.from) ? 'are' : 'is'} ${portsText(guide)} (${guideName(s.def.portsSource ?? s.def.source)}).`,
          `Keep ${portsText(extra)} only if the product on every server is set to listen there; otherwise remove ${path} to use the guide's ${portsText(guide)}.`,
        ),
      );
    }
    return out;
  },
};

export const checkPortNotInGuide: Rule = {
  id: 'check-port-not-in-guide',
  severity: 'warning',
  guards: "A health-check port override that differs from the product profile's (check port 4455 instead of 445): if nothing listens there, the balancer marks every server down and the VIP serves nobody.",
  source: 'seed 000 §10.3 step 9 (health check on port 445), §8.4; seed 003 §5.3.1 (health checks on 5555 and 5022)',
  check({ site, resolved }) {
    const out: Finding[] = [];
    for (const s of resolved.services) {
      const o = site.overrides?.[s.def.id];
      if (!o || (o.checkPort === undefined && !o.checkPorts)) continue;
      // The guide's check ports: the profile's, or (empty) the ports the traffic uses.
      const guide = s.def.check.ports.length ? normalizeRanges(s.def.check.ports.map((p) => ({ from: p, to: p }))) : ranges(s.def.ports);
      const mine = normalizeRanges(s.check.ports.map((p) => ({ from: p, to: p })));
      // SNAT port translation: checking the translated (backend) port is what the servers answer on.
      if (s.backendPort !== undefined && s.check.ports.every((p) => p === s.backendPort)) continue;
      const extra = subtractRanges(mine, guide);
      if (extra.length === 0) continue;
      const path = overridePath(s.id, o.checkPorts ? 'checkPorts' : 'checkPort');
      out.push(
        finding(
          checkPortNotInGuide,
          path,
          `${path} health-checks ${plural(extra)} ${portsText(extra)} for ${s.def.title}, but the guide checks ${plural(guide)} ${portsText(guide)} (${guideName(s.def.checkSource ?? s.def.source)}); if nothing listens on ${portsText(extra)}, every server is marked down.`,
          `Keep ${portsText(extra)} only if every server answers there; otherwise remove ${path} to check the guide's ${portsText(guide)}.`,
        ),
      );
    }
    return out;
  },
};

export const PROFILE_PORT_RULES: Rule[] = [portNotInGuide, checkPortNotInGuide];
