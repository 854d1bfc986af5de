import { describe, expect, it } from 'vitest';
import type { ExistingVip } from '../../../shared/model/facts.js';
import { APPLIANCE_FACT_RULES } from '../../../shared/rules/appliance-facts.js';
import { parseApplianceRanges } from '../../../shared/rules/util.js';
import { expectFinding, expectNone, goodFacts, run, siteFrom } from './helpers.js';

const snat = siteFrom('phoenix-snat');
const dr = siteFrom('phoenix-dr');

function withVips(site = snat, vips: ExistingVip[], nodes = 'both' as 'both' | 'primary') {
  const facts = goodFacts(site);
  facts.balancer!.forEach((b, i) => {
    if (nodes === 'both' || i === 0) b.existingVips = vips.map((v) => ({ ...v, reals: v.reals.map((r) => ({ ...r })) }));
  });
  return facts;
}

const l4snat: ExistingVip = { label: 'Legacy_SMB', ip: '192.168.81.50', ports: '445', layer: 4, forwarding: 'snat', reals: [{ label: 'old1', ip: '192.168.81.184' }] };

describe('appliance facts baseline', () => {
  it('a reachable, empty appliance raises nothing', () => {
    const ids = new Set(APPLIANCE_FACT_RULES.map((r) => r.id));
    expect(run(snat, goodFacts(snat)).filter((f) => ids.has(f.rule))).toEqual([]);
    expect(APPLIANCE_FACT_RULES.every((r) => r.needsFacts === true)).toBe(true);
  });
  it('parses appliance port lists', () => {
    expect(parseApplianceRanges('80:90-100:3443')).toEqual([
      { from: 80, to: 80 },
      { from: 90, to: 100 },
      { from: 3443, to: 3443 },
    ]);
    expect(parseApplianceRanges('25,53')).toEqual([
      { from: 25, to: 25 },
      { from: 53, to: 53 },
    ]);
  });
});

describe('balancer-unreachable', () => {
  it('fires for an unreachable node, at its address', () => {
    const facts = goodFacts(snat);
    facts.balancer![1] = { name: 'lb2', address: '192.168.81.21', reachable: false, error: 'connect ETIMEDOUT' };
    expectFinding(run(snat, facts), 'balancer-unreachable', 'error', 'balancer.secondary.address', 'lb2', '192.168.81.21', 'ETIMEDOUT');
  });
  it('does not fire for reachable nodes', () => {
    expectNone(run(snat, goodFacts(snat)), 'balancer-unreachable');
  });
});

describe('l7-l4snat-rip-conflict', () => {
  it('fires once (for both HA nodes) when a Layer 4 SNAT VIP uses our RIP:port', () => {
    const fs = run(snat, withVips(snat, [l4snat]));
    const f = expectFinding(fs, 'l7-l4snat-rip-conflict', 'error', 'servers[0].address', 'Legacy_SMB', 'PS1', '192.168.81.184:445', 'PrintServers', 'lb1 and lb2');
    expect(f.message).toContain('existing Layer 4 SNAT VIP');
    expect(f.message).toContain('our Layer 7 SNAT VIP PrintServers');
  });
  it('uses an explicit RIP port', () => {
    const v: ExistingVip = { ...l4snat, ports: '8080', reals: [{ label: 'x', ip: '192.168.81.185', port: '443' }] };
    expectFinding(run(snat, withVips(snat, [v], 'primary')), 'l7-l4snat-rip-conflict', 'error', 'servers[1].address', 'PS2', '192.168.81.185:443', 'Dispatcher', 'lb1');
  });
  it('does not fire for DR (our VIPs are Layer 4 gate), other ports or other servers', () => {
    expectNone(run(dr, withVips(dr, [l4snat])), 'l7-l4snat-rip-conflict');
    expectNone(run(snat, withVips(snat, [{ ...l4snat, ports: '3389' }])), 'l7-l4snat-rip-conflict');
    expectNone(run(snat, withVips(snat, [{ ...l4snat, reals: [{ label: 'o', ip: '192.168.81.99' }] }])), 'l7-l4snat-rip-conflict');
    expectNone(run(snat, withVips(snat, [{ ...l4snat, forwarding: 'gate' }])), 'l7-l4snat-rip-conflict');
  });
});

describe('vip-label-taken', () => {
  it('fires when one of our labels exists on another address', () => {
    const v: ExistingVip = { label: 'PrintServers', ip: '192.168.81.60', ports: '445', layer: 4, forwarding: 'gate', reals: [] };
    expectFinding(run(dr, withVips(dr, [v])), 'vip-label-taken', 'error', 'vip', '"PrintServers"', '192.168.81.60', '192.168.81.10');
  });
  it('does not fire for our own VIP already deployed on our address', () => {
    const v: ExistingVip = { label: 'PrintServers', ip: '192.168.81.10', ports: '445', layer: 4, forwarding: 'gate', reals: [] };
    expectNone(run(dr, withVips(dr, [v])), 'vip-label-taken');
  });
});

describe('vip-ip-in-use', () => {
  it('warns when a foreign VIP uses our address on a port we need', () => {
    const v: ExistingVip = { label: 'Mail', ip: '192.168.81.10', ports: '25:110', layer: 7, reals: [] };
    expectFinding(run(snat, withVips(snat, [v])), 'vip-ip-in-use', 'warning', 'vip', '"Mail"', '192.168.81.10', 'port 25');
  });
  it('does not fire for a foreign VIP on our address with other ports, or for our own label', () => {
    expectNone(run(snat, withVips(snat, [{ label: 'RDP', ip: '192.168.81.10', ports: '3389', layer: 4, forwarding: 'gate', reals: [] }])), 'vip-ip-in-use');
    expectNone(run(snat, withVips(snat, [{ label: 'Dispatcher', ip: '192.168.81.10', ports: '25:53', layer: 7, reals: [] }])), 'vip-ip-in-use');
  });
});
