import { describe, expect, it } from 'vitest';
import type { ResolvedSite } from '../../../shared/model/resolve.js';
import { complianceTable, renderComplianceMarkdown, type ComplianceRow, type ComplianceStatus } from '../../../shared/render/compliance.js';
import type { Platform } from '../../../shared/site/schema.js';
import { resolved } from './balancer-sites.js';

function on(file: string, platform: Platform, mode: 'dr' | 'snat', patch?: Parameters<typeof resolved>[1]): ResolvedSite {
  return resolved(file, (s) => {
    s.balancer.platform = platform;
    s.mode = mode;
    patch?.(s);
  });
}

function status(rows: ComplianceRow[], id: string): ComplianceStatus {
  const r = rows.find((x) => x.id === id);
  expect(r, `row ${id}`).toBeDefined();
  return r!.status;
}

const PLATFORMS: Platform[] = ['loadbalancer-org', 'linux-haproxy', 'f5-bigip', 'netscaler'];

describe('complianceTable: Paragon requirements (seed 003) per platform and mode', () => {
  const expected: Record<string, Partial<Record<string, ComplianceStatus>>> = {
    'loadbalancer-org/dr': { 'halfopen-check:ParagonTerminal': 'emulated', 'warm-up:ParagonTerminal': 'emulated', 'check-timing:ParagonTerminal': 'not-met' },
    'loadbalancer-org/snat': { 'halfopen-check:ParagonFSP': 'emulated', 'warm-up:ParagonFSP': 'emulated', 'check-timing:ParagonFSP': 'not-met' },
    'linux-haproxy/snat': { 'halfopen-check:ParagonTerminal': 'met', 'warm-up:ParagonTerminal': 'met', 'check-timing:ParagonTerminal': 'met' },
    'linux-haproxy/dr': { 'halfopen-check:ParagonTerminal': 'emulated', 'warm-up:ParagonTerminal': 'emulated', 'check-timing:ParagonTerminal': 'met' },
    'f5-bigip/dr': { 'halfopen-check:ParagonTerminal': 'met', 'warm-up:ParagonTerminal': 'met', 'check-timing:ParagonTerminal': 'met' },
    'netscaler/snat': { 'halfopen-check:ParagonTerminal': 'met', 'warm-up:ParagonTerminal': 'met', 'check-timing:ParagonTerminal': 'met' },
  };
  for (const [key, want] of Object.entries(expected)) {
    it(key, () => {
      const [platform, mode] = key.split('/') as [Platform, 'dr' | 'snat'];
      const rows = complianceTable(on('paragon.yaml', platform, mode));
      for (const [id, st] of Object.entries(want)) expect(status(rows, id), id).toBe(st);
      // Common to every platform for the example site: affinity, least connections, FTP range, reporting.
      expect(status(rows, 'affinity')).toBe('met');
      expect(status(rows, 'least-connections')).toBe('met');
      expect(status(rows, 'passive-ftp:ParagonTerminal')).toBe('met');
      expect(status(rows, 'failure-reporting')).toBe('met');
      expect(status(rows, 'dr-no-port-translation')).toBe(mode === 'dr' ? 'met' : 'not-applicable');
      expect(status(rows, 'snat-proxy')).toBe(mode === 'snat' ? 'met' : 'not-applicable');
    });
  }

  it('how names the platform mechanism', () => {
    const how = (p: Platform, m: 'dr' | 'snat'): string => complianceTable(on('paragon.yaml', p, m)).find((r) => r.id === 'halfopen-check:ParagonTerminal')!.how;
    expect(how('f5-bigip', 'snat')).toContain('tcp-half-open');
    expect(how('netscaler', 'snat')).toContain('-monConnectionClose RESET');
    expect(how('loadbalancer-org', 'dr')).toContain('printha-halfopen-check-ParagonTerminal');
    expect(how('linux-haproxy', 'snat')).toContain('external check');
    expect(how('linux-haproxy', 'snat')).toContain('halfopen.ParagonTerminal');
    expect(how('linux-haproxy', 'dr')).toContain('MISC_CHECK');
    const aff = complianceTable(on('paragon.yaml', 'f5-bigip', 'snat')).find((r) => r.id === 'affinity')!;
    expect(aff.how).toContain('match-across-services');
    expect(aff.how).toContain('1800');
  });

  it('reports what the site gets wrong: short affinity, round robin, no warm-up, no passive range, other timing, single balancer', () => {
    for (const p of PLATFORMS) {
      const rows = complianceTable(
        on('paragon.yaml', p, 'snat', (s) => {
          s.overrides = { terminal: { persistenceMinutes: 10, scheduler: 'rr', riseSeconds: 0, checkIntervalSeconds: 10 } };
          delete s.balancer.secondary;
        }),
      );
      expect(status(rows, 'affinity'), p).toBe('not-met');
      expect(rows.find((r) => r.id === 'affinity')!.note).toContain('ParagonTerminal has 10 min');
      expect(status(rows, 'least-connections'), p).toBe('not-met');
      expect(status(rows, 'warm-up:ParagonTerminal'), p).toBe('not-met');
      expect(status(rows, 'passive-ftp:ParagonTerminal'), p).toBe('not-met');
      expect(status(rows, 'check-timing:ParagonTerminal'), p).toBe('not-met');
      expect(status(rows, 'ha-pair'), p).toBe('not-met');
      // The FSP VIP keeps its defaults.
      expect(status(rows, 'warm-up:ParagonFSP'), p).not.toBe('not-met');
    }
  });

  it('a warm-up above 32 probes cannot be expressed on NetScaler', () => {
    const rows = complianceTable(on('paragon.yaml', 'netscaler', 'snat', (s) => void (s.overrides = { terminal: { passivePorts: '50000-50100', riseSeconds: 300 } })));
    expect(status(rows, 'warm-up:ParagonTerminal')).toBe('not-met');
  });
});

describe('complianceTable: Phoenix requirements (seed 000)', () => {
  it('445 only on PrintServers, Dispatcher checked on 445, source IP persistence, DR rows', () => {
    for (const p of PLATFORMS) {
      const rows = complianceTable(on('phoenix-dr.yaml', p, 'dr'));
      expect(status(rows, 'port-owner:445'), p).toBe('met');
      expect(status(rows, 'check-port:Dispatcher'), p).toBe('met');
      expect(status(rows, 'source-ip-persistence'), p).toBe('met');
      expect(status(rows, 'dr-no-port-translation'), p).toBe('met');
      expect(status(rows, 'dr-arp-problem'), p).toBe('met');
      expect(status(rows, 'vips-one-address'), p).toBe('met');
      expect(rows.some((r) => r.id.startsWith('halfopen-check'))).toBe(false);
      expect(rows.some((r) => r.id === 'affinity')).toBe(false);
    }
    const lb = complianceTable(on('phoenix-dr.yaml', 'loadbalancer-org', 'dr'));
    expect(lb.find((r) => r.id === 'check-port:Dispatcher')!.how).toContain('--check_port 445');
  });

  it('SNAT: DR rows are not applicable, SNAT proxy met', () => {
    const rows = complianceTable(on('phoenix-snat.yaml', 'loadbalancer-org', 'snat'));
    expect(status(rows, 'dr-no-port-translation')).toBe('not-applicable');
    expect(status(rows, 'dr-arp-problem')).toBe('not-applicable');
    expect(status(rows, 'snat-proxy')).toBe('met');
    expect(rows.find((r) => r.id === 'snat-proxy')!.how).toContain('--mode tcp');
  });

  it('445 also on the Dispatcher VIP, or a Dispatcher check on another port, is not met', () => {
    const rows = complianceTable(
      on('phoenix-dr.yaml', 'f5-bigip', 'dr', (s) => {
        s.overrides = { 'sec-workflow': { ports: [25, 445], checkPort: 80 } };
      }),
    );
    expect(status(rows, 'port-owner:445')).toBe('not-met');
    expect(rows.find((r) => r.id === 'port-owner:445')!.note).toContain('Dispatcher');
    expect(status(rows, 'check-port:Dispatcher')).toBe('not-met');
    expect(rows.find((r) => r.id === 'check-port:Dispatcher')!.note).toContain('checkPort to 445');
  });

  it('DR with a backendPort (port translation) is not met', () => {
    const rows = complianceTable(on('phoenix-dr.yaml', 'netscaler', 'dr', (s) => void (s.overrides = { 'print-server': { backendPort: 1445 } })));
    expect(status(rows, 'dr-no-port-translation')).toBe('not-met');
  });
});

describe('renderComplianceMarkdown', () => {
  it('one table row per requirement, pipes and newlines escaped, a count line', () => {
    const rows: ComplianceRow[] = [
      { id: 'a', requirement: 'A | B', source: 's', how: 'line1\nline2', status: 'met' },
      { id: 'b', requirement: 'C', source: 's', how: 'h', status: 'not-met', note: 'fix it' },
      { id: 'c', requirement: 'D', source: 's', how: 'h', status: 'not-applicable' },
    ];
    const md = renderComplianceMarkdown(rows);
    const table = md.split('\n').filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(2 + rows.length);
    expect(table[2]).toBe('| A \\| B | s | line1 line2 | met |  |');
    expect(table[3]).toBe('| C | s | h | **not met** | fix it |');
    expect(md).toContain('1 met, 0 emulated, 1 not met, 1 not applicable.');
  });
});
