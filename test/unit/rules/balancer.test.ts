import { describe, it } from 'vitest';
import { expectFinding, expectNone, run, siteFrom } from './helpers.js';

describe('single-balancer', () => {
  it('warns without a secondary, naming the primary', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      delete d.balancer.secondary;
    });
    expectFinding(run(site), 'single-balancer', 'warning', 'balancer.secondary', '192.168.81.20', '192.168.81.10');
  });
  it('does not fire for an HA pair', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'single-balancer');
  });
});

describe('single-server', () => {
  it('warns for one server, naming it and the reboot', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.servers = [d.servers[0]!];
    });
    expectFinding(run(site), 'single-server', 'warning', 'servers', 'PS1', '192.168.81.184', 'reboots');
  });
  it('does not fire for two servers', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'single-server');
  });
});

describe('all-weights-zero', () => {
  it('fires when every server has weight 0', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      for (const s of d.servers) s.weight = 0;
    });
    expectFinding(run(site), 'all-weights-zero', 'error', 'servers[0].weight', 'PS1, PS2', 'weight 0');
  });
  it('does not fire when one server is drained', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.servers[0]!.weight = 0;
    });
    expectNone(run(site), 'all-weights-zero');
  });
});

describe('balancer-platform-mode', () => {
  it('explains that DR on linux-haproxy is keepalived LVS', () => {
    const site = siteFrom('lab-snat', (d) => {
      d.mode = 'dr';
    });
    expectFinding(run(site), 'balancer-platform-mode', 'info', 'mode', 'linux-haproxy', 'keepalived', 'ip_vs');
  });
  it('says nothing for SNAT on linux-haproxy or DR on the appliance', () => {
    expectNone(run(siteFrom('lab-snat')), 'balancer-platform-mode');
    expectNone(run(siteFrom('phoenix-dr')), 'balancer-platform-mode');
  });
});

describe('windows-transport-port', () => {
  it('warns for the HTTPS port with plain WinRM and names the transport it belongs to', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.windows.port = 5986;
    });
    expectFinding(run(site), 'windows-transport-port', 'warning', 'windows.port', '5986', 'winrm', '5985', 'winrm-https');
  });
  it('warns for an unusual port', () => {
    const site = siteFrom('lab-snat', (d) => {
      d.windows.port = 2222;
    });
    expectFinding(run(site), 'windows-transport-port', 'warning', 'windows.port', '2222', 'ssh', '22');
  });
  it('does not fire for the usual port or none', () => {
    const site = siteFrom('paragon', (d) => {
      d.windows.port = 5986;
    });
    expectNone(run(site), 'windows-transport-port');
    expectNone(run(siteFrom('phoenix-dr')), 'windows-transport-port');
  });
});
