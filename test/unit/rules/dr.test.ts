import { describe, expect, it } from 'vitest';
import { drArpUnsolved, subnetText } from '../../../shared/rules/dr.js';
import { applyBlockers } from '../../../shared/rules/index.js';
import { expectFinding, expectNone, goodFacts, run, siteFrom } from './helpers.js';

describe('dr-port-translation', () => {
  it('fires for a backendPort in DR mode', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'print-server': { backendPort: 8445 } };
    });
    expectFinding(run(site), 'dr-port-translation', 'error', 'overrides.print-server.backendPort', 'print-server', '8445');
  });
  it('does not fire for the same override in SNAT mode', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { backendPort: 8445 } };
    });
    expectNone(run(site), 'dr-port-translation');
  });
});

describe('dr-balancer-subnet', () => {
  it('fires for a balancer node outside the VIP subnet', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.balancer.secondary!.address = '192.168.82.21';
    });
    expectFinding(run(site), 'dr-balancer-subnet', 'error', 'balancer.secondary.address', '192.168.82.21', 'VIP subnet 192.168.81.0/24');
  });
  it('does not fire in SNAT (a full proxy can route) or for the guide example', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.balancer.secondary!.address = '192.168.82.21';
    });
    expectNone(run(site), 'dr-balancer-subnet');
    expectNone(run(siteFrom('phoenix-dr')), 'dr-balancer-subnet');
  });
});

describe('dr-server-subnet', () => {
  it('fires for a server outside the VIP subnet', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[1]!.address = '10.1.1.5';
    });
    expectFinding(run(site), 'dr-server-subnet', 'error', 'servers[1].address', 'PS2', '10.1.1.5', 'VIP subnet 192.168.81.0/24');
  });
  it('respects the prefix length', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.network.prefixLength = 25;
    });
    // .184/.185 are in the upper /25, the VIP .10 in the lower one
    const fs = run(site).filter((f) => f.rule === 'dr-server-subnet');
    expect(fs.map((f) => f.path)).toEqual(['servers[0].address', 'servers[1].address']);
    expect(fs[0]!.message).toContain('192.168.81.0/25');
    expect(subnetText(siteFrom('phoenix-dr', (d) => void (d.network.prefixLength = 20)))).toBe('192.168.80.0/20');
  });
  it('does not fire in SNAT mode', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.servers[1]!.address = '10.1.1.5';
    });
    expectNone(run(site), 'dr-server-subnet');
  });
});

describe('dr-arp-problem', () => {
  it('is an info for DR without facts, naming the servers and the VIP and prepare.ps1', () => {
    expectFinding(run(siteFrom('phoenix-dr')), 'dr-arp-problem', 'info', 'mode', 'PS1', 'PS2', '192.168.81.10', '255.255.255.255', 'prepare.ps1');
  });
  it('does not fire in SNAT, nor once server facts exist (dr-arp-unsolved takes over)', () => {
    expectNone(run(siteFrom('phoenix-snat')), 'dr-arp-problem');
    const site = siteFrom('phoenix-dr');
    expectNone(run(site, goodFacts(site)), 'dr-arp-problem');
  });
});

describe('dr-arp-unsolved', () => {
  it('fires when a server has no loopback adapter', () => {
    const site = siteFrom('phoenix-dr');
    const facts = goodFacts(site);
    const ps2 = facts.servers![1]!;
    ps2.loopbackAdapter = null;
    ps2.nics = ps2.nics!.filter((n) => !n.isLoopback);
    expectFinding(run(site, facts), 'dr-arp-unsolved', 'error', 'servers[1]', 'PS2', 'no loopback adapter');
  });
  it('fires when the loopback adapter does not hold the VIP', () => {
    const site = siteFrom('phoenix-dr');
    const facts = goodFacts(site);
    const ps1 = facts.servers![0]!;
    ps1.loopbackAdapter = { alias: 'Loopback-VIP', addresses: ['192.168.81.99'] };
    ps1.nics![1]!.addresses = ['192.168.81.99'];
    expectFinding(run(site, facts), 'dr-arp-unsolved', 'error', 'servers[0]', 'PS1', 'Loopback-VIP', 'does not hold 192.168.81.10');
  });
  it('fires when weak host send is off on the loopback or receive off on the NIC', () => {
    const site = siteFrom('phoenix-dr');
    const facts = goodFacts(site);
    facts.servers![0]!.nics![1]!.weakHostSend = false;
    facts.servers![0]!.nics![0]!.weakHostReceive = false;
    const f = expectFinding(run(site, facts), 'dr-arp-unsolved', 'error', 'servers[0]', 'PS1', 'weak host send', '"Loopback-VIP"', 'weak host receive', '"Ethernet0"');
    expect(f.fix).toContain('servers/PS1/prepare.ps1');
  });
  it('does not fire for prepared servers, in SNAT, or for unreachable servers', () => {
    const site = siteFrom('phoenix-dr');
    expectNone(run(site, goodFacts(site)), 'dr-arp-unsolved');
    const snat = siteFrom('phoenix-snat');
    const facts = goodFacts(snat);
    facts.servers![0]!.loopbackAdapter = null;
    expectNone(run(snat, facts), 'dr-arp-unsolved');
    const down = goodFacts(site);
    down.servers![0] = { label: 'PS1', reachable: false, loopbackAdapter: null };
    expectNone(run(site, down), 'dr-arp-unsolved');
  });
  it('blocks a balancer-only apply, not an apply that runs prepare.ps1 on the servers (which fixes it)', () => {
    const site = siteFrom('phoenix-dr');
    const facts = goodFacts(site);
    facts.servers![1]!.loopbackAdapter = null;
    facts.servers![1]!.nics = facts.servers![1]!.nics!.filter((n) => !n.isLoopback);
    expect(applyBlockers(site, facts, 'balancer').map((f) => f.rule)).toContain('dr-arp-unsolved');
    expect(applyBlockers(site, facts).map((f) => f.rule)).not.toContain('dr-arp-unsolved');
    expect(applyBlockers(site, facts, 'servers').map((f) => f.rule)).not.toContain('dr-arp-unsolved');
    // other errors still block every scope
    const bad = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'print-server': { backendPort: 8445 } };
    });
    expect(applyBlockers(bad, goodFacts(bad)).map((f) => f.rule)).toContain('dr-port-translation');
  });
  it('is skipped by the engine without facts', () => {
    expect(drArpUnsolved.needsFacts).toBe(true);
    expectNone(run(siteFrom('phoenix-dr')), 'dr-arp-unsolved');
  });
});
