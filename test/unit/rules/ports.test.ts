import { describe, it } from 'vitest';
import { expectFinding, expectNone, run, siteFrom } from './helpers.js';

describe('port-445-printservers', () => {
  it('fires when 445 is added to the Dispatcher VIP (sec-workflow)', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'sec-workflow': { ports: [25, 53, 80, 443, 445, 465, 587], checkPort: 445 } };
    });
    expectFinding(run(site), 'port-445-printservers', 'error', 'overrides.sec-workflow.ports', 'sec-workflow', '445', 'PrintServers', 'Dispatcher');
  });
  it('fires even when print-server is not selected (445 stays PrintServers\')', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.services = ['best'];
      d.overrides = { best: { ports: ['440-450'] } };
    });
    expectFinding(run(site), 'port-445-printservers', 'error', 'overrides.best.ports', 'best', '445');
  });
  it('does not fire for the guide ports, nor for 445 on the PrintServers VIP itself', () => {
    expectNone(run(siteFrom('phoenix-dr')), 'port-445-printservers');
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'print-server': { ports: [445] } };
    });
    expectNone(run(site), 'port-445-printservers');
  });
});

describe('vip-port-conflict', () => {
  it('fires when two VIP labels share a port, at the later service\'s ports override', () => {
    const site = siteFrom('paragon', (d) => {
      d.overrides = { ...d.overrides, fsp: { ports: [515, 5610] } };
    });
    expectFinding(run(site), 'vip-port-conflict', 'error', 'overrides.fsp.ports', '10.20.0.10', '5610', 'ParagonTerminal', 'ParagonFSP');
  });
  it('points at the earlier service\'s override when the later one has none', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.services = ['print-server', 'sec-workflow', 'lpr'];
      d.overrides = { 'print-server': { ports: [445, 515] } };
    });
    expectFinding(run(site), 'vip-port-conflict', 'error', 'overrides.print-server.ports', '515', 'PrintServers', 'Dispatcher', 'lpr');
  });
  it('fires when a passive FTP range overlaps another VIP\'s ports', () => {
    const site = siteFrom('paragon', (d) => {
      d.services = ['fsp', 'terminal'];
      d.overrides = { ...d.overrides, fsp: { ports: [515, 50050] } };
    });
    expectFinding(run(site), 'vip-port-conflict', 'error', 'overrides.terminal.passivePorts', '50050', 'ParagonTerminal');
  });
  it('does not fire for disjoint labels or for services sharing one label (sec-workflow and smtp both use 25)', () => {
    expectNone(run(siteFrom('paragon')), 'vip-port-conflict');
    const site = siteFrom('phoenix-dr', (d) => {
      d.services = ['print-server', 'sec-workflow', 'smtp'];
    });
    expectNone(run(site), 'vip-port-conflict');
  });
});

describe('snat-backend-port', () => {
  it('is an info for a single-port service with backendPort in SNAT', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { backendPort: 8445 } };
    });
    expectFinding(run(site), 'snat-backend-port', 'info', 'overrides.print-server.backendPort', '192.168.81.10:445', '8445');
  });
  it('does not fire in DR or without backendPort', () => {
    const site = siteFrom('phoenix-dr', (d) => {
      d.overrides = { 'print-server': { backendPort: 8445 } };
    });
    expectNone(run(site), 'snat-backend-port');
    expectNone(run(siteFrom('phoenix-snat')), 'snat-backend-port');
  });
});

describe('backend-port-multi', () => {
  it('fires for a backendPort on a VIP with several ports', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'sec-workflow': { backendPort: 8080 } };
    });
    expectFinding(run(site), 'backend-port-multi', 'error', 'overrides.sec-workflow.backendPort', 'sec-workflow', '8080', 'Dispatcher', '25, 53, 80, 443, 465, 587');
  });
  it('does not fire for a single-port VIP', () => {
    const site = siteFrom('phoenix-snat', (d) => {
      d.overrides = { 'print-server': { backendPort: 8445 } };
    });
    expectNone(run(site), 'backend-port-multi');
  });
});
