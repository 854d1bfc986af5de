/** The System Overview in the guide's shape (seed 000 §12.2), from the lab's HAProxy samples. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFrame, formatReport } from '../../../electron/cli/commands/verify.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import { parseIpvsadm } from '../../../shared/verify/appliance.js';
import { parseShowStat } from '../../../shared/verify/haproxy.js';
import { formatOverview, overviewFromIpvs, overviewFromStat, overviewUnknown } from '../../../shared/verify/overview.js';
import type { VerifyReport } from '../../../shared/verify/report.js';

const root = join(__dirname, '../../..');
const fx = (name: string): string => readFileSync(join(root, 'test/fixtures/verify', name), 'utf8');
const loaded = loadSiteYaml(readFileSync(join(root, 'examples/lab-snat.yaml'), 'utf8'));
if (!loaded.ok) throw new Error('lab-snat.yaml invalid');
const r = resolveSite(loaded.site);

describe('System Overview', () => {
  it('rows per VIP with the real servers under them, state and reason from HAProxy', () => {
    const rows = overviewFromStat(r, parseShowStat(fx('show-stat-ps1-down.csv')));
    const text = formatOverview(rows);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\s+VIRTUAL SERVICE\s+IP\s+PORTS\s+CONNS\s+PROTOCOL\s+METHOD\s+MODE$/);
    expect(lines[1]).toMatch(/^~\s+PrintServers\s+10\.99\.0\.10\s+445\s+0\s+TCP\s+Layer 7\s+SNAT$/);
    expect(lines[2]).toMatch(/REAL SERVER\s+IP\s+PORTS\s+WEIGHT\s+CONNS\s+STATE\s+REASON/);
    expect(lines[3]).toMatch(/^↓\s+PS1\s+10\.99\.0\.21\s+445\s+100\s+0\s+DOWN\s+L4CON: Connection refused$/);
    expect(lines[4]).toMatch(/^↑\s+PS2\s+10\.99\.0\.22\s+445\s+100\s+0\s+UP\s+L4OK$/);
    expect(text).toContain('25,53,80,443,465,515,587,50808-50809');
  });

  it('a server the balancer does not know is unknown with the reason; long port lists are cut', () => {
    const rows = overviewFromStat(r, parseShowStat(fx('show-stat-up.csv')).filter((x) => x.server !== 'PS2'));
    expect(rows[0]!.reals[1]).toMatchObject({ label: 'PS2', state: 'unknown', reason: expect.stringMatching(/no server PrintServers\/PS2/) });
    expect(formatOverview(rows, { maxPorts: 10 })).toContain('25,53,80..');
  });

  it('IPVS missing: every server unknown with the reason', () => {
    const rows = overviewFromIpvs(r, parseIpvsadm(fx('ipvsadm-no-ipvs.txt')));
    expect(rows.flatMap((o) => o.reals.map((x) => x.state))).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    expect(rows[0]!.reals[0]!.reason).toMatch(/no IPVS: Can't initialize ipvs/);
  });

  it('the CLI report and the watch frame print the overview, the shares and each check', () => {
    const rep: VerifyReport = {
      site: 'lab',
      startedAt: '2025-01-01T00:00:00.000Z',
      durationMs: 1500,
      ok: false,
      checks: [
        { id: 'smb-vip', category: 'smb', target: '\\\\10.99.0.10', expectation: 'lists', observation: '5 printer shares', status: 'pass', evidence: [] },
        { id: 'tcp-direct-PS1-PrintServers', category: 'tcp', target: 'PS1', expectation: 'open', observation: '0/1 open; failing: 445 (ECONNREFUSED)', status: 'fail', evidence: [] },
        { id: 'windows-verify-PS1', category: 'windows', target: 'PS1', expectation: 'x', observation: 'not run', status: 'not-applicable', why: 'no pwsh', evidence: [] },
      ],
      overview: overviewUnknown(r, 'x'),
      shares: [{ via: '\\\\10.99.0.10', shares: ['A', 'B'] }],
      views: [{ node: 'pha-lb1', address: '10.99.0.11', holdsVip: true, source: 'HAProxy show stat', rows: [] }],
    };
    const text = formatReport(rep);
    expect(text).toContain('System overview (the balancer\'s own view: pha-lb1)');
    expect(text).toContain('Printer shares via \\\\10.99.0.10: A, B');
    expect(text).toMatch(/FAIL tcp-direct-PS1-PrintServers {2}PS1\n {7}expected: open\n {7}observed: 0\/1 open; failing: 445/);
    expect(text).toContain('why n/a:  no pwsh');
    expect(text).toMatch(/1 passed, 1 failed, 1 not applicable here\. Some checks FAILED/);
    const frame = formatFrame('lab', { at: new Date(0), active: { node: 'pha-lb1', address: '10.99.0.11', holdsVip: true, source: 'HAProxy show stat', rows: overviewFromStat(r, parseShowStat(fx('show-stat-up.csv'))) }, views: [] }, 2);
    expect(frame).toMatch(/^PrintHA verify --watch 2s — lab — .* \(Ctrl-C to stop\)\n\npha-lb1 \(holds the VIP\), HAProxy show stat\n/);
    expect(frame).toContain('↑    PS1');
  });
});
