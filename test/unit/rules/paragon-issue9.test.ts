/**
 * Issue 9 (Dispatcher Paragon end to end): the three seed-003 rules that make a Paragon site
 * invalid — affinity under 30 minutes, an unbounded passive FTP range, a scheduler other than least
 * connections — on every Paragon service and at their boundaries, and through `printha validate`.
 * test/unit/rules/paragon.test.ts already covers: terminal at 10 minutes, fsp with "rr", no range,
 * a range at/below 1024, 40000-65535, an overlap, a malformed range. This file adds what it lacks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SCHEDULERS, type SiteInput } from '../../../shared/site/schema.js';
import { exampleText, expectFinding, expectNone, ofRule, run, siteFrom } from './helpers.js';

const SERVICES = ['terminal', 'fsp'] as const;

describe('affinity under 30 minutes (persistence-min)', () => {
  for (const id of SERVICES) {
    it(`${id}: 29 minutes is an error, 30 is not`, () => {
      const at = (m: number) =>
        siteFrom('lab-paragon', (d) => {
          d.overrides = { ...d.overrides, [id]: { ...d.overrides?.[id], persistenceMinutes: m } };
        });
      expectFinding(run(at(29)), 'persistence-min', 'error', `overrides.${id}.persistenceMinutes`, id, '29 minutes', 'at least 30');
      expectNone(run(at(30)), 'persistence-min');
    });
  }
});

describe('unbounded passive FTP range (ftp-passive-range)', () => {
  it('"everything above 1024" (1025-65535) is an error that names the size and the limit', () => {
    const site = siteFrom('lab-paragon', (d) => {
      d.overrides!.terminal!.passivePorts = '1025-65535';
    });
    const fs = ofRule(site, 'ftp-passive-range');
    const size = fs.find((f) => f.message.includes('64511 ports'));
    expect(size, JSON.stringify(fs)).toBeDefined();
    expect(size!).toMatchObject({ severity: 'error', path: 'overrides.terminal.passivePorts' });
    expect(size!.message).toContain('at most 1000');
    expect(size!.fix).toContain('passivePorts');
    // it also swallows the terminal's own ports, which is reported separately
    expect(fs.some((f) => f.message.includes('overlaps') && f.message.includes('5011-5025'))).toBe(true);
    expect(fs.every((f) => f.severity === 'error')).toBe(true);
  });
  it('exactly 1000 ports is accepted, 1001 is an error', () => {
    const range = (r: string) =>
      siteFrom('lab-paragon', (d) => {
        d.overrides!.terminal!.passivePorts = r;
      });
    expectNone(run(range('50000-50999')), 'ftp-passive-range');
    expectFinding(run(range('50000-51000')), 'ftp-passive-range', 'error', 'overrides.terminal.passivePorts', '1001 ports');
  });
});

describe('a scheduler other than least connections (scheduler-required)', () => {
  const notLc = SCHEDULERS.filter((s) => s !== 'lc' && s !== 'wlc');
  it('the schema knows round robin schedulers (otherwise this test would prove nothing)', () => {
    expect(notLc).toEqual(['rr', 'wrr']);
  });
  for (const id of SERVICES)
    for (const sched of notLc)
      it(`${id} with "${sched}" is an error`, () => {
        const site = siteFrom('lab-paragon', (d) => {
          d.overrides = { ...d.overrides, [id]: { ...d.overrides?.[id], scheduler: sched } };
        });
        expectFinding(run(site), 'scheduler-required', 'error', `overrides.${id}.scheduler`, id, `"${sched}"`, 'lc or wlc');
      });
  it('lc on both services is accepted', () => {
    const site = siteFrom('lab-paragon', (d) => {
      d.overrides = { ...d.overrides, terminal: { ...d.overrides?.terminal, scheduler: 'lc' }, fsp: { scheduler: 'lc' } };
    });
    expect(ofRule(site, 'scheduler-required')).toEqual([]);
  });
});

describe('printha validate on a Paragon site with all three mistakes', () => {
  it('exits 1 and reports each rule at its field', () => {
    const data = parse(exampleText('lab-paragon')) as SiteInput;
    data.overrides = {
      terminal: { ...data.overrides?.terminal, persistenceMinutes: 20, passivePorts: '1025-65535', scheduler: 'rr' },
      fsp: { persistenceMinutes: 20 },
    };
    const dir = mkdtempSync(join(tmpdir(), 'printha-paragon-rules-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, stringify(data));
    const r = spawnSync(join(process.cwd(), 'node_modules/.bin/tsx'), ['electron/cli/main.ts', 'validate', file, '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; findings: { rule: string; severity: string; path: string }[] };
    expect(out.ok).toBe(false);
    const errors = out.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.path}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'persistence-min overrides.terminal.persistenceMinutes',
        'persistence-min overrides.fsp.persistenceMinutes',
        'ftp-passive-range overrides.terminal.passivePorts',
        'scheduler-required overrides.terminal.scheduler',
      ]),
    );
  });
  it('the unchanged lab and customer Paragon examples validate clean of these rules', () => {
    for (const name of ['lab-paragon', 'paragon'] as const) {
      const fs = run(siteFrom(name));
      for (const rule of ['persistence-min', 'ftp-passive-range', 'scheduler-required']) expectNone(fs, rule);
    }
  });
});
