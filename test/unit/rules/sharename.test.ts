import { describe, it } from 'vitest';
import { expectFinding, expectNone, goodFacts, run, siteFrom } from './helpers.js';

describe('sharename-dns', () => {
  it('warns without a dns section and names the record to create', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      delete d.dns;
    });
    expectFinding(run(site), 'sharename-dns', 'warning', 'dns', '(A) record', '"Dispatcher" -> 192.168.81.10');
  });
  it('asks for an AAAA record for an IPv6 VIP', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      delete d.dns;
      d.vip = '2001:db8::10';
      d.network.prefixLength = 64;
    });
    expectFinding(run(site), 'sharename-dns', 'warning', 'dns', 'AAAA', '2001:db8::10');
  });
  it('does not fire with a dns section', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'sharename-dns');
  });
});

describe('sharename-equals-server', () => {
  it('fires when the share name is a server label', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.shareName = 'ps1';
    });
    expectFinding(run(site), 'sharename-equals-server', 'error', 'shareName', '"ps1"', 'PS1', '192.168.81.184');
  });
  it('fires when the share name is a server host name\'s short name', () => {
    const site = siteFrom('paragon', (d) => {
      d.shareName = 'SPOC2';
      d.servers[1]!.label = 'node2';
    });
    expectFinding(run(site), 'sharename-equals-server', 'error', 'shareName', 'SPOC2', 'host name', 'node2');
  });
  it('fires when discovery shows the share name is a computer name', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.shareName = 'PRN-HQ-01';
    });
    const facts = goodFacts(site);
    facts.servers![1]!.computerName = 'PRN-HQ-01';
    expectFinding(run(site, facts), 'sharename-equals-server', 'error', 'shareName', 'PRN-HQ-01', 'computer name', 'PS2');
  });
  it('does not fire for a new name', () => {
    const site = siteFrom('phoenix-dr');
    expectNone(run(site, goodFacts(site)), 'sharename-equals-server');
  });
});
