/**
 * Issue 9: the runbook of a Dispatcher Paragon site carries the compliance table with a row for
 * every seed-003 requirement (half-open checks on 5555/5022 and 515, 5 s / 3 failures, warm-up,
 * 30-minute affinity across all ports, least connections, bounded passive FTP, failure reporting),
 * exported through the CLI exactly as an engineer runs it:
 *   printha runbook examples/paragon.yaml --format md --out <tmp>
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSite } from '../../../shared/model/resolve.js';
import { complianceTable } from '../../../shared/render/compliance.js';
import { loadSiteYaml } from '../../../shared/site/load.js';

/** Seed 003, requirement by requirement: [what the row must say, the rows it expects]. */
const SEED_003: readonly { requirement: string; row: RegExp }[] = [
  {
    requirement: 'terminal half-open check on 5555 and 5022 (RST, not FIN)',
    row: /ParagonTerminal is half-open \(SYN, SYN-ACK, then RST, never FIN\) on 5555 and 5022/,
  },
  { requirement: 'FSP half-open check on 515', row: /ParagonFSP is half-open \(SYN, SYN-ACK, then RST, never FIN\) on 515/ },
  { requirement: 'terminal: every 5 s, down after 3', row: /ParagonTerminal: check every 5 s, server down after 3 failed checks/ },
  { requirement: 'FSP: every 5 s, down after 3', row: /ParagonFSP: check every 5 s, server down after 3 failed checks/ },
  {
    requirement: 'terminal: not up immediately (warm-up)',
    row: /ParagonTerminal: a server that comes back is not used at once, only after a warm-up/,
  },
  {
    requirement: 'FSP: not up immediately (warm-up)',
    row: /ParagonFSP: a server that comes back is not used at once, only after a warm-up/,
  },
  {
    requirement: 'affinity >= 30 minutes, all ports to the same node',
    row: /affinity of at least 30 minutes, every port of one client to the same server/i,
  },
  { requirement: 'least connections, uniform distribution', row: /Least connections, requests distributed uniformly/ },
  {
    requirement: 'passive FTP on 21 with a bounded range',
    row: /Passive FTP \(21\) with a bounded passive port range on VIP ParagonTerminal/,
  },
  { requirement: 'monitoring and reporting of failures by the balancer', row: /monitors and reports service failures on its own/ },
];

interface MdRow {
  requirement: string;
  source: string;
  how: string;
  status: string;
}

/** The rows of the table under the "## Compliance" heading of a Markdown runbook. */
function complianceSection(md: string): { heading: string; rows: MdRow[] } {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^#{1,3} Compliance\b/.test(l));
  if (start < 0) return { heading: '', rows: [] };
  const rows: MdRow[] = [];
  for (let i = start + 1; i < lines.length && !/^#{1,3} /.test(lines[i]!); i++) {
    const l = lines[i]!;
    if (!l.startsWith('|') || /^\|[-| ]+\|$/.test(l)) continue;
    const cells = l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (cells[0] === 'Requirement') continue;
    rows.push({ requirement: cells[0] ?? '', source: cells[1] ?? '', how: cells[2] ?? '', status: cells[cells.length - 1] ?? '' });
  }
  return { heading: lines[start]!, rows };
}

describe('runbook of a Paragon site: the compliance table (CLI, Markdown)', () => {
  let md = '';
  let stderr = '';
  let code: number | null = null;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-paragon-runbook-'));
    const out = join(dir, 'paragon.md');
    const r = spawnSync(
      join(process.cwd(), 'node_modules/.bin/tsx'),
      ['electron/cli/main.ts', 'runbook', 'examples/paragon.yaml', '--format', 'md', '--out', out],
      {
        encoding: 'utf8',
        timeout: 90_000,
        // a fresh state directory: the runbook of a site before any run (the plan document)
        env: { ...process.env, PRINTHA_STATE_DIR: join(dir, 'state') },
      },
    );
    code = r.status;
    stderr = r.stderr;
    md = code === 0 ? readFileSync(out, 'utf8') : '';
  });

  it('the command succeeds and writes Markdown with a compliance section for linux-haproxy SNAT', () => {
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('Compliance');
    const { heading } = complianceSection(md);
    expect(heading).toMatch(/Compliance.*linux-haproxy.*SNAT/);
  });

  for (const req of SEED_003)
    it(`has a row for seed 003: ${req.requirement}, with a source, how it is met, and status met/emulated`, () => {
      const rows = complianceSection(md).rows.filter((r) => req.row.test(r.requirement));
      expect(
        rows.map((r) => r.requirement),
        `compliance rows:\n${complianceSection(md)
          .rows.map((r) => r.requirement)
          .join('\n')}`,
      ).toHaveLength(1);
      const row = rows[0]!;
      expect(row.source).toContain('seed 003');
      expect(row.how.length).toBeGreaterThan(10);
      expect(row.status).toMatch(/^(met|emulated)$/);
    });

  it('has every seed-003 row compliance.ts produces for the site, and no requirement is "not met"', () => {
    const loaded = loadSiteYaml(readFileSync('examples/paragon.yaml', 'utf8'));
    if (!loaded.ok) throw new Error('examples/paragon.yaml does not load');
    const expected = complianceTable(resolveSite(loaded.site)).filter((r) => r.source.startsWith('seed 003'));
    expect(expected.length).toBe(SEED_003.length);
    const got = complianceSection(md).rows;
    for (const e of expected)
      expect(
        got.map((r) => r.requirement.replace(/\\\|/g, '|')),
        e.id,
      ).toContain(e.requirement);
    expect(got.filter((r) => /not met/i.test(r.status)).map((r) => r.requirement)).toEqual([]);
  });

  it("the rows carry the site's own values (30 m stick table, leastconn, 50000-50100, 60 s warm-up)", () => {
    const rows = complianceSection(md).rows;
    const how = (re: RegExp) => rows.find((r) => re.test(r.requirement))?.how ?? '';
    expect(how(/affinity of at least 30 minutes/i)).toContain('expire 30m');
    expect(how(/Least connections/)).toContain('leastconn');
    expect(how(/Passive FTP/)).toContain('50000-50100');
    expect(rows.find((r) => /ParagonTerminal: a server that comes back/.test(r.requirement))?.requirement).toContain('60 s');
  });
});
