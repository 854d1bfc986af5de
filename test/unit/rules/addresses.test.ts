import { describe, expect, it } from 'vitest';
import { expectFinding, expectNone, ofRule, run, siteFrom } from './helpers.js';

describe('vip-address-clash', () => {
  it('fires when the VIP is a server address, naming the server', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.vip = '192.168.81.185';
    });
    expectFinding(run(site), 'vip-address-clash', 'error', 'vip', '192.168.81.185', 'PS2', 'servers[1].address');
  });
  it('fires when the VIP is a balancer address', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.vip = '192.168.81.20';
    });
    expectFinding(run(site), 'vip-address-clash', 'error', 'vip', '192.168.81.20', 'balancer primary');
  });
  it('does not fire for the guide example', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'vip-address-clash');
  });
});

describe('duplicate-label', () => {
  it('fires for server labels equal ignoring case, at the second one', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[1]!.label = 'ps1';
    });
    expectFinding(run(site), 'duplicate-label', 'error', 'servers[1].label', 'ps1', 'servers[0]');
  });
  it('fires for two balancer nodes with the same name', () => {
    const site = siteFrom('lab-snat', (d) => {
      d.balancer.secondary!.name = 'PHA-LB1';
    });
    expectFinding(run(site), 'duplicate-label', 'error', 'balancer.secondary.name', 'PHA-LB1');
  });
  it('does not fire for distinct labels, and a VIP label equal to a server label is fine', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'duplicate-label');
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[0]!.label = 'Dispatcher';
    });
    expectNone(run(site), 'duplicate-label');
  });
});

describe('duplicate-address', () => {
  it('fires for two servers with the same address, at the second one', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[1]!.address = '192.168.81.184';
    });
    expectFinding(run(site), 'duplicate-address', 'error', 'servers[1].address', '192.168.81.184', 'server PS2', 'server PS1');
  });
  it('fires for a server that has a balancer address', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[0]!.address = '192.168.81.21';
    });
    expectFinding(run(site), 'duplicate-address', 'error', 'servers[0].address', '192.168.81.21', 'PS1', 'balancer secondary');
  });
  it('compares IPv6 addresses canonically', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.vip = '2001:db8::10';
      d.balancer.primary.address = '2001:db8::20';
      d.balancer.secondary!.address = '2001:db8::21';
      d.servers[0]!.address = '2001:db8::184';
      d.servers[1]!.address = '2001:DB8:0:0:0:0:0:184';
      d.network.prefixLength = 64;
    });
    expectFinding(run(site), 'duplicate-address', 'error', 'servers[1].address', 'PS2');
  });
  it('fires for two servers with the same host name', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[1]!.hostname = 'PS1.corp.example.com';
    });
    expectFinding(run(site), 'duplicate-address', 'error', 'servers[1].hostname', 'PS1.corp.example.com', 'PS2');
  });
  it('does not fire for distinct addresses', () => {
    expectNone(run(siteFrom('paragon')), 'duplicate-address');
  });
});

describe('ip-family-mismatch', () => {
  it('is an error in DR (and DR subnet rules do not pile on)', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[1]!.address = '2001:db8::185';
    });
    const fs = run(site);
    expectFinding(fs, 'ip-family-mismatch', 'error', 'servers[1].address', 'PS2', '2001:db8::185', 'IPv4');
    expectNone(fs, 'dr-server-subnet');
  });
  it('is a warning for a server in SNAT', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.servers[1]!.address = '2001:db8::185';
    });
    expectFinding(run(site), 'ip-family-mismatch', 'warning', 'servers[1].address', 'PS2', '2001:db8::185');
  });
  it('does not fire when all addresses share the VIP family', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'ip-family-mismatch');
  });
});

describe('prefix-length-invalid', () => {
  it('fires for an IPv4 VIP with a prefix over 32 (and subnet rules stay quiet)', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.network.prefixLength = 33;
    });
    const fs = run(site);
    expectFinding(fs, 'prefix-length-invalid', 'error', 'network.prefixLength', '33', '192.168.81.10');
    expectNone(fs, 'dr-server-subnet');
    expectNone(fs, 'dr-balancer-subnet');
  });
  it('does not fire for an IPv6 site with /64', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.vip = '2001:db8::10';
      d.balancer.primary.address = '2001:db8::20';
      d.balancer.secondary!.address = '2001:db8::21';
      d.servers[0]!.address = '2001:db8::184';
      d.servers[1]!.address = '2001:db8::185';
      d.dns!.server = '2001:db8::5';
      d.network.prefixLength = 64;
    });
    const fs = run(site);
    expectNone(fs, 'prefix-length-invalid');
    expect(fs.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('address-reserved', () => {
  it('fires for a VIP that is the network address of the subnet', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.vip = '192.168.81.0';
    });
    expectFinding(run(site), 'address-reserved', 'error', 'vip', '192.168.81.0', 'network address');
  });
  it('fires for a server on the broadcast address', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers[1]!.address = '192.168.81.255';
    });
    expectFinding(run(site), 'address-reserved', 'error', 'servers[1].address', '192.168.81.255', 'server PS2', 'broadcast');
  });
  it('fires for a multicast address', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.servers[0]!.address = '224.0.0.18';
    });
    expectFinding(run(site), 'address-reserved', 'error', 'servers[0].address', '224.0.0.18', 'multicast');
  });
  it('does not fire for ordinary host addresses', () => {
    expect(ofRule(siteFrom('phoenix-dr'), 'address-reserved')).toEqual([]);
  });
});
