/** Ports and health-check ports that differ from the product profile: a warning naming the guide's value and section. */
import { describe, expect, it } from 'vitest';
import { subtractRanges } from '../../../shared/rules/profile-ports.js';
import { expectFinding, expectNone, run, siteFrom } from './helpers.js';

describe('port-not-in-guide', () => {
  it('warns about SMTP on 5877, naming the guide port 25 and its section', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.services = ['print-server', 'smtp'];
      d.overrides = { smtp: { ports: [5877] } };
    });
    const f = expectFinding(run(site), 'port-not-in-guide', 'warning', 'overrides.smtp.ports', '5877', 'is 25', 'Dispatcher Phoenix guide §8.4');
    expect(f.message).not.toContain('seed');
    expect(f.fix).toContain("the guide's 25");
  });
  it('names only the ports that are not the guide\'s, and the guide\'s list', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { ports: [25, 80, 443, 8080] } };
    });
    const f = expectFinding(run(site), 'port-not-in-guide', 'warning', 'overrides.sec-workflow.ports', 'port 8080', '25, 53, 80, 443, 465, 587');
    expect(f.message).not.toMatch(/balances ports? 25/);
  });
  it('covers ranges (Paragon terminal 5011-5030 against 5011-5025)', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.ports = ['5011-5030', 5610, 21];
    });
    expectFinding(run(site), 'port-not-in-guide', 'warning', 'overrides.terminal.ports', 'ports 5026-5030', 'Paragon');
  });
  it('does not fire for the guide ports, a subset of them, or without a ports override', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'port-not-in-guide');
    expectNone(run(siteFrom('paragon')), 'port-not-in-guide');
    const subset = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { ports: [25, 80] } };
    });
    expectNone(run(subset), 'port-not-in-guide');
    const same = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { ports: ['25', 53, 80, 443, 465, 587] } };
    });
    expectNone(run(same), 'port-not-in-guide');
  });
});

describe('check-port-not-in-guide', () => {
  it('warns about check port 4455 instead of 445: every server would be marked down', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { checkPort: 4455 } };
    });
    const f = expectFinding(run(site), 'check-port-not-in-guide', 'warning', 'overrides.sec-workflow.checkPort', '4455', 'checks port 445', 'every server is marked down');
    expect(f.fix).toContain("the guide's 445");
  });
  it('for the print-server VIP the guide checks the traffic port 445', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'print-server': { checkPort: 139 } };
    });
    expectFinding(run(site), 'check-port-not-in-guide', 'warning', 'overrides.print-server.checkPort', '139', '445');
  });
  it('Paragon: checkPorts with a port other than 5555 and 5022', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.checkPorts = [5555, 5023];
    });
    expectFinding(run(site), 'check-port-not-in-guide', 'warning', 'overrides.terminal.checkPorts', 'port 5023', '5022, 5555');
  });
  it('does not fire for the guide check port, for checking fewer of the guide ports, or for the SNAT backend port', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'check-port-not-in-guide');
    const same = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { checkPort: 445 } };
    });
    expectNone(run(same), 'check-port-not-in-guide');
    const fewer = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.checkPorts = [5555];
    });
    expectNone(run(fewer), 'check-port-not-in-guide');
    const translated = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { backendPort: 4445, checkPort: 4445 } };
    });
    expectNone(run(translated), 'check-port-not-in-guide');
  });
});

describe('subtractRanges', () => {
  it('removes every port of b from a', () => {
    expect(subtractRanges([{ from: 1, to: 10 }], [{ from: 3, to: 4 }, { from: 10, to: 12 }])).toEqual([
      { from: 1, to: 2 },
      { from: 5, to: 9 },
    ]);
    expect(subtractRanges([{ from: 445, to: 445 }], [{ from: 445, to: 445 }])).toEqual([]);
  });
});
