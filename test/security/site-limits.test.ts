/**
 * Issue 16 items 2 and 3: bounded parsing of site files. A 2 KB 1000-deep flow sequence (parsed twice
 * by site.load) took the process down; 60,000 unknown keys took 38 s (a position lookup per key).
 * Now: size, nesting and key-count limits, each a finding with the limit and the field, checked
 * before the parser recurses; one parse per site.load; positions found in linear time.
 */
import { describe, expect, it } from 'vitest';
import { createInProcessClient } from '../../electron/core/rpc/inprocess.js';
import { validateSiteYaml } from '../../shared/rules/index.js';
import { SITE_LIMITS } from '../../shared/site/load.js';
import { exampleText, fakeCore } from '../support/fake-core.js';
import { answersQuickly } from './helpers.js';

const base = () => exampleText('lab-snat');

function only(text: string, rule: string) {
  const r = validateSiteYaml(text);
  expect(r.ok).toBe(false);
  expect(r.findings.map((f) => f.rule)).toEqual([rule]);
  const f = r.findings[0]!;
  expect(f.message).not.toMatch(/\n/);
  return f;
}

describe('site file limits', () => {
  it.each([1000, 100_000])('a %i-deep flow sequence is refused with the limit, quickly', async (n) => {
    const text = `version: 1\nname: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    const f = await answersQuickly(() => only(text, 'site-too-deep'));
    expect(f.message).toContain(`deeper than ${SITE_LIMITS.maxDepth} levels at line 2`);
    expect(f.line).toBe(2);
  });

  it('a deep flow mapping and deep block nesting are refused too', async () => {
    await answersQuickly(() => only(`name: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}\n`, 'site-too-deep'));
    const block = Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    await answersQuickly(() => only(block, 'site-too-deep'));
    const seqs = Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- `).join('\n') + 'x\n';
    await answersQuickly(() => only(seqs, 'site-too-deep'));
  });

  it('brackets inside quotes and comments do not count; a real site passes', () => {
    const text = base().replace(/^name: .*$/m, `name: "${'['.repeat(40)}" # ${'{'.repeat(40)}`);
    expect(validateSiteYaml(text).findings.filter((f) => f.rule.startsWith('site-too'))).toEqual([]);
    expect(validateSiteYaml(base()).ok).toBe(true);
  });

  it('60,000 unknown keys (650 KB) are refused by size with the limit, quickly', async () => {
    const text = base() + Array.from({ length: 60_000 }, (_, i) => `unknown_key_${i}: 1`).join('\n');
    expect(text.length).toBeGreaterThan(600_000);
    const f = await answersQuickly(() => only(text, 'site-too-large'));
    expect(f.message).toMatch(/the limit is 262144 \(256 KB\)/);
  });

  it('more keys than the limit in a file under the size limit: a finding naming the limit and the field', async () => {
    const text = `${base()}overrides:\n  lpr:\n${Array.from({ length: 15_000 }, (_, i) => `    k${i}: 1`).join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(SITE_LIMITS.maxBytes);
    const f = await answersQuickly(() => only(text, 'site-too-many-keys'));
    expect(f).toMatchObject({ path: 'overrides.lpr' });
    expect(f.message).toContain(`more than ${SITE_LIMITS.maxKeys} keys`);
    expect(f.line).toBeGreaterThan(20);
  });

  it('4,900 unknown keys: every one a finding with its line, in linear time', async () => {
    const n = 4900;
    const text = base() + Array.from({ length: n }, (_, i) => `unknown_key_${i}: 1`).join('\n') + '\n';
    const r = await answersQuickly(() => validateSiteYaml(text), 1500);
    const unknown = r.findings.filter((f) => f.rule === 'schema-unknown-key');
    expect(unknown).toHaveLength(n);
    const lines = base().split('\n').length;
    expect(unknown.find((f) => f.path === 'unknown_key_4899')?.line).toBe(lines + 4899);
  });

  it('duplicate keys are still a YAML error with the position (found in linear time)', async () => {
    const f = await answersQuickly(() => only(`${base()}name: again\n`, 'yaml-syntax'));
    expect(f.message).toMatch(/^YAML syntax error at line \d+, column 1: Map keys must be unique \("name" appears twice\)$/);
    const many = `${base()}overrides:\n  lpr:\n${Array.from({ length: 4000 }, (_, i) => `    k${i}: 1`).join('\n')}\n    k0: 2\n`;
    expect((await answersQuickly(() => only(many, 'yaml-syntax'), 1500)).path).toBe('overrides.lpr');
  });

  it('alias expansion (billion laughs) is refused quickly with one line', async () => {
    const lol = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      lol.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const r = await answersQuickly(() => validateSiteYaml(`${base()}${lol.join('\n')}\n`));
    expect(r.ok).toBe(false);
    for (const f of r.findings) expect(f.message).not.toMatch(/\n/);
  });
});

describe('site.load (the bridge and the app main process)', () => {
  it('answers the 1000-deep case quickly with one bounded parse', async () => {
    const c = createInProcessClient(fakeCore());
    const n = 1000;
    const text = `version: 1\nname: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    const r = await answersQuickly(() => c.invoke('site.load', { text }));
    expect(r.ok).toBe(false);
    expect(r.findings[0]?.rule).toBe('site-too-deep');
    expect(r.site).toBeUndefined();
  });

  it('still returns the data of a site with errors (parsed once)', async () => {
    const c = createInProcessClient(fakeCore());
    const r = await c.invoke('site.load', { text: base().replace('10.99.0.10', '10.99.0.999') });
    expect(r.ok).toBe(false);
    expect(r.site?.vip).toBe('10.99.0.999');
  });
});
