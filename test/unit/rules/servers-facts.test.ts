import { describe, expect, it } from 'vitest';
import { SERVER_FACT_RULES, parsePsVersion } from '../../../shared/rules/servers-facts.js';
import { expectFinding, expectNone, goodFacts, run, siteFrom } from './helpers.js';

const dr = siteFrom('phoenix-dr');
const snat = siteFrom('phoenix-snat');

describe('server facts baseline', () => {
  it('all-green facts raise no server-facts finding, and without facts none of these rules runs', () => {
    const ids = new Set(SERVER_FACT_RULES.map((r) => r.id));
    for (const site of [dr, snat, siteFrom('paragon')]) {
      expect(run(site, goodFacts(site)).filter((f) => ids.has(f.rule))).toEqual([]);
    }
    expect(run(dr).filter((f) => ids.has(f.rule))).toEqual([]);
    expect(SERVER_FACT_RULES.every((r) => r.needsFacts === true)).toBe(true);
  });
});

describe('server-unreachable', () => {
  it('fires for an unreachable server, with the error, and other server rules skip it', () => {
    const facts = goodFacts(dr);
    facts.servers![1] = { label: 'PS2', reachable: false, error: 'WinRM cannot complete the operation', domainMember: false };
    const fs = run(dr, facts);
    expectFinding(fs, 'server-unreachable', 'error', 'servers[1]', 'PS2', 'ps2.corp.example.com', 'winrm', 'WinRM cannot complete');
    expectNone(fs, 'server-not-domain-member');
  });
  it('does not fire for reachable servers', () => {
    expectNone(run(dr, goodFacts(dr)), 'server-unreachable');
  });
});

describe('server-not-domain-member', () => {
  it('fires for a workgroup server', () => {
    const facts = goodFacts(dr);
    Object.assign(facts.servers![0]!, { domainMember: false, domain: 'WORKGROUP' });
    expectFinding(run(dr, facts), 'server-not-domain-member', 'error', 'servers[0]', 'PS1', 'WORKGROUP');
  });
  it('does not fire when membership was not collected', () => {
    const facts = goodFacts(dr);
    delete facts.servers![0]!.domainMember;
    expectNone(run(dr, facts), 'server-not-domain-member');
  });
});

describe('print-server-role-missing', () => {
  it('fires when the Print Server role is missing', () => {
    const facts = goodFacts(snat);
    facts.servers![1]!.printServerRole = false;
    expectFinding(run(snat, facts), 'print-server-role-missing', 'error', 'servers[1]', 'PS2', 'Print Server');
  });
  it('does not fire with the role', () => {
    expectNone(run(snat, goodFacts(snat)), 'print-server-role-missing');
  });
});

describe('printer-shares-differ', () => {
  it('names, per server, the shares it lacks compared to the union', () => {
    const facts = goodFacts(dr);
    facts.servers![0]!.printerShares = ['KM-C458-Floor1', 'HP-M605-Floor2', 'Canon-Lobby'];
    facts.servers![1]!.printerShares = ['km-c458-floor1', 'Plotter'];
    const fs = run(dr, facts);
    expectFinding(fs, 'printer-shares-differ', 'error', 'servers[0]', 'PS1', '"Plotter" (on PS2)');
    const f = expectFinding(fs, 'printer-shares-differ', 'error', 'servers[1]', 'PS2', '"HP-M605-Floor2" (on PS1)', '"Canon-Lobby" (on PS1)');
    expect(f.message).not.toContain('KM-C458');
  });
  it('does not fire for the same shares in another case or order', () => {
    const facts = goodFacts(dr);
    facts.servers![1]!.printerShares = ['hp-m605-floor2', 'KM-C458-FLOOR1'];
    expectNone(run(dr, facts), 'printer-shares-differ');
  });
});

describe('product-not-installed', () => {
  it('fires when no service matches the profile patterns', () => {
    const facts = goodFacts(dr);
    facts.servers![1]!.productServices = [{ name: 'Spooler', status: 'Running' }];
    expectFinding(run(dr, facts), 'product-not-installed', 'error', 'servers[1]', 'PS2', '"Dispatcher*"', 'Konica Minolta Dispatcher Phoenix');
  });
  it('matches the globs case-insensitively (Paragon: SafeQ*)', () => {
    const site = siteFrom('paragon');
    const facts = goodFacts(site);
    facts.servers![0]!.productServices = [{ name: 'safeq6-spoc', status: 'Running' }];
    expectNone(run(site, facts), 'product-not-installed');
    facts.servers![0]!.productServices = [{ name: 'DispatcherPhoenix', status: 'Running' }];
    expectFinding(run(site, facts), 'product-not-installed', 'error', 'servers[0]', 'SPOC1', '"SafeQ*"');
  });
  it('does not fire when the product service exists', () => {
    expectNone(run(dr, goodFacts(dr)), 'product-not-installed');
  });
});

describe('product-not-running', () => {
  it('warns when every product service is stopped', () => {
    const facts = goodFacts(dr);
    facts.servers![0]!.productServices = [{ name: 'DispatcherPhoenixWeb', status: 'Stopped' }];
    expectFinding(run(dr, facts), 'product-not-running', 'warning', 'servers[0]', 'PS1', 'DispatcherPhoenixWeb (Stopped)');
  });
  it('does not fire when one is running', () => {
    const facts = goodFacts(dr);
    facts.servers![0]!.productServices = [
      { name: 'DispatcherPhoenixWeb', status: 'Stopped' },
      { name: 'KMBS BEST Server', status: 'Running' },
    ];
    expectNone(run(dr, facts), 'product-not-running');
  });
});

describe('powershell-too-old', () => {
  it('fires for PowerShell 2.0', () => {
    const facts = goodFacts(dr);
    facts.servers![1]!.psVersion = '2.0';
    expectFinding(run(dr, facts), 'powershell-too-old', 'error', 'servers[1]', 'PS2', 'PowerShell 2.0', '3.0');
  });
  it('does not fire for 3.0 and later', () => {
    const facts = goodFacts(dr);
    facts.servers![1]!.psVersion = '3.0';
    expectNone(run(dr, facts), 'powershell-too-old');
    expect(parsePsVersion('5.1.17763.1')).toEqual([5, 1]);
    expect(parsePsVersion('junk')).toBeNull();
  });
});

describe('pending-reboot', () => {
  it('warns when a reboot is pending', () => {
    const facts = goodFacts(dr);
    facts.servers![0]!.pendingReboot = true;
    expectFinding(run(dr, facts), 'pending-reboot', 'warning', 'servers[0]', 'PS1', 'reboot pending');
  });
  it('does not fire otherwise', () => {
    expectNone(run(dr, goodFacts(dr)), 'pending-reboot');
  });
});

describe('vip-on-real-nic', () => {
  it('fires when the VIP is on a physical adapter', () => {
    const facts = goodFacts(dr);
    facts.servers![1]!.nics![0]!.addresses.push('192.168.81.10');
    expectFinding(run(dr, facts), 'vip-on-real-nic', 'error', 'servers[1]', 'PS2', '192.168.81.10', '"Ethernet0"', 'ARP');
  });
  it('does not fire for the VIP on the loopback adapter', () => {
    expectNone(run(dr, goodFacts(dr)), 'vip-on-real-nic');
  });
});

describe('netbios-enabled', () => {
  it('warns and names the adapters where NetBIOS is not disabled', () => {
    const facts = goodFacts(dr);
    facts.servers![0]!.nics![0]!.netbiosOptions = 0;
    facts.servers![0]!.nics![1]!.netbiosOptions = 1;
    const f = expectFinding(run(dr, facts), 'netbios-enabled', 'warning', 'servers[0]', 'PS1', '"Ethernet0" (default, from DHCP)', '"Loopback-VIP" (enabled)');
    expect(f.fix).toContain('prepare.ps1');
  });
  it('does not fire when disabled everywhere or not collected', () => {
    const facts = goodFacts(dr);
    delete facts.servers![0]!.nics![0]!.netbiosOptions;
    expectNone(run(dr, facts), 'netbios-enabled');
  });
});

describe('registry-not-set', () => {
  it('lists the values still missing', () => {
    const facts = goodFacts(snat);
    facts.servers![1]!.registry = { disableLoopbackCheck: null, disableStrictNameChecking: 1, optionalNames: ['OtherName'] };
    const f = expectFinding(run(snat, facts), 'registry-not-set', 'info', 'servers[1]', 'PS2', 'DisableLoopbackCheck = 1', 'OptionalNames containing Dispatcher');
    expect(f.message).not.toContain('DisableStrictNameChecking');
  });
  it('does not fire when all values are set', () => {
    expectNone(run(snat, goodFacts(snat)), 'registry-not-set');
  });
});
