import { describe, expect, it } from 'vitest';
import { resolveSite } from '../../../shared/model/resolve.js';
import { checksHalfOpen } from '../../../shared/rules/paragon.js';
import { expectFinding, expectNone, run, siteFrom } from './helpers.js';

describe('persistence-min', () => {
  it('fires for affinity below the profile minimum of 30 minutes', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.persistenceMinutes = 10;
    });
    expectFinding(run(site), 'persistence-min', 'error', 'overrides.terminal.persistenceMinutes', 'terminal', '10 minutes', 'at least 30');
  });
  it('does not fire at 30 minutes or more, nor for a profile without a minimum', () => {
    expectNone(run(siteFrom('paragon')), 'persistence-min');
    const site = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { persistenceMinutes: 5 } };
    });
    expectNone(run(site), 'persistence-min');
  });
});

describe('persistence-disabled', () => {
  it('warns when persistence is turned off for a service that has it', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { persistenceMinutes: 0 } };
    });
    expectFinding(run(site), 'persistence-disabled', 'warning', 'overrides.print-server.persistenceMinutes', 'print-server', 'persistenceMinutes 0');
  });
  it('does not fire for the default, nor where persistence-min already applies', () => {
    expectNone(run(siteFrom('phoenix-snat')), 'persistence-disabled');
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.persistenceMinutes = 0;
    });
    expectNone(run(site), 'persistence-disabled');
  });
});

describe('scheduler-required', () => {
  it('fires for a scheduler other than least connections', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { scheduler: 'rr' } };
    });
    expectFinding(run(site), 'scheduler-required', 'error', 'overrides.fsp.scheduler', 'fsp', '"rr"', 'lc or wlc');
  });
  it('does not fire for wlc, nor for a profile without a scheduler requirement', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { scheduler: 'wlc' } };
    });
    expectNone(run(site), 'scheduler-required');
    const phoenix = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { scheduler: 'rr' } };
    });
    expectNone(run(phoenix), 'scheduler-required');
  });
});

describe('checks-half-open', () => {
  it('fires when the resolved check of a half-open profile is a connect check', () => {
    const site = siteFrom('paragon');
    const resolved = resolveSite(site);
    resolved.services[1]!.check = { ...resolved.services[1]!.check, kind: 'connect' };
    const fs = checksHalfOpen.check({ site, resolved });
    expectFinding(fs, 'checks-half-open', 'error', 'services[1]', 'fsp', '"connect"', 'half-open');
  });
  it('does not fire for the Paragon profile data, nor for Phoenix connect checks', () => {
    expectNone(run(siteFrom('paragon')), 'checks-half-open');
    expectNone(run(siteFrom('phoenix-snat')), 'checks-half-open');
  });
});

describe('all-ports-one-node', () => {
  it('fires when services have different affinity windows', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { persistenceMinutes: 60 } };
    });
    expectFinding(run(site), 'all-ports-one-node', 'error', 'overrides.fsp.persistenceMinutes', 'fsp', '60 minutes', 'terminal', '30');
  });
  it('does not fire when every service uses the same window', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.persistenceMinutes = 45;
      d.overrides = { ...d.overrides, fsp: { persistenceMinutes: 45 } };
    });
    expectNone(run(site), 'all-ports-one-node');
    const phoenix = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { persistenceMinutes: 60 } };
    });
    expectNone(run(phoenix), 'all-ports-one-node');
  });
});

describe('check-timing', () => {
  it('warns for an interval other than 5 s', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.checkIntervalSeconds = 10;
    });
    expectFinding(run(site), 'check-timing', 'warning', 'overrides.terminal.checkIntervalSeconds', 'terminal', '10 s', '5 s');
  });
  it('warns for a fall other than 3', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { fall: 5 } };
    });
    expectFinding(run(site), 'check-timing', 'warning', 'overrides.fsp.fall', 'fsp', '5 failed checks', 'recommends 3');
  });
  it('does not fire for the recommendation, nor for a profile without one', () => {
    expectNone(run(siteFrom('paragon')), 'check-timing');
    const phoenix = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { checkIntervalSeconds: 10 } };
    });
    expectNone(run(phoenix), 'check-timing');
  });
});

describe('warm-up-missing', () => {
  it('fires for riseSeconds 0', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { riseSeconds: 0 } };
    });
    expectFinding(run(site), 'warm-up-missing', 'error', 'overrides.fsp.riseSeconds', 'fsp', 'riseSeconds 0', 'up immediately');
  });
  it('does not fire with a warm-up, nor for a profile that does not require one', () => {
    expectNone(run(siteFrom('paragon')), 'warm-up-missing');
    const phoenix = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { riseSeconds: 0 } };
    });
    expectNone(run(phoenix), 'warm-up-missing');
  });
});

describe('ftp-passive-range', () => {
  const path = 'overrides.terminal.passivePorts';
  it('fires for a passive FTP service without a range', () => {
    const site = siteFrom('paragon', (d) => {
      delete d.overrides!.terminal!.passivePorts;
    });
    expectFinding(run(site), 'ftp-passive-range', 'error', path, 'terminal', 'no passive data port range');
  });
  it('fires for a range starting at or below 1024', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.passivePorts = '1000-1100';
    });
    expectFinding(run(site), 'ftp-passive-range', 'error', path, '1000-1100', 'above 1024');
  });
  it('fires for a range of more than 1000 ports', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.passivePorts = '40000-65535';
    });
    expectFinding(run(site), 'ftp-passive-range', 'error', path, '40000-65535', '25536 ports', 'at most 1000');
  });
  it('fires for a range overlapping the service\'s own ports', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.passivePorts = '5000-5100';
    });
    expectFinding(run(site), 'ftp-passive-range', 'error', path, '5000-5100', '5011-5025');
  });
  it('fires for a range that is not a range', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides!.terminal!.passivePorts = '50000-';
    });
    expectFinding(run(site), 'ftp-passive-range', 'error', path, 'terminal', '"50000-"');
  });
  it('fires for passivePorts on a service that carries no FTP', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { passivePorts: '51000-51010' } };
    });
    const f = expectFinding(run(site), 'ftp-passive-range', 'error', 'overrides.fsp.passivePorts', 'fsp', 'no FTP');
    expect(f.fix).toContain('terminal');
  });
  it('does not fire for a bounded range above 1024', () => {
    expectNone(run(siteFrom('paragon')), 'ftp-passive-range');
    expectNone(run(siteFrom('lab-paragon')), 'ftp-passive-range');
  });
});
