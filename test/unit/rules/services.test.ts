import { describe, it } from 'vitest';
import { expectFinding, expectNone, run, siteFrom } from './helpers.js';

describe('service-unknown', () => {
  it('fires for an unknown id in services, with a did-you-mean', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.services = ['print-server', 'sec-workflw'];
    });
    expectFinding(run(site), 'service-unknown', 'error', 'services[1]', 'sec-workflw', 'dispatcher-phoenix', 'Did you mean "sec-workflow"');
  });
  it('fires for an override of a service the profile does not have', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, 'print-server': { persistenceMinutes: 30 } };
    });
    expectFinding(run(site), 'service-unknown', 'error', 'overrides.print-server', 'print-server', 'dispatcher-paragon');
  });
  it('does not fire for the guide example', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'service-unknown');
  });
});

describe('override-unselected', () => {
  it('fires for an override of a known service that is not selected', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { lpr: { checkPort: 445 } };
    });
    expectFinding(run(site), 'override-unselected', 'error', 'overrides.lpr', 'lpr', 'print-server, sec-workflow');
  });
  it('does not fire for an override of a selected service', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { ports: [25, 53, 80, 443, 465, 587], checkPort: 445 } };
    });
    expectNone(run(site), 'override-unselected');
  });
  it('counts the profile default set as selected when services is omitted', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      delete d.services;
      d.overrides = { 'sec-workflow': { checkPort: 445 } };
    });
    expectNone(run(site), 'override-unselected');
  });
});

describe('service-duplicate', () => {
  it('fires for a service listed twice', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.services = ['print-server', 'sec-workflow', 'print-server'];
    });
    expectFinding(run(site), 'service-duplicate', 'warning', 'services[2]', 'print-server');
  });
  it('does not fire for distinct services', () => {
    expectNone(run(siteFrom('lab-snat')), 'service-duplicate');
  });
});
