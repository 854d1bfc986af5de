/**
 * docs/samples/ is what `npm run samples` (scripts/samples.ts) produces from today's code: a
 * committed sample that differs (a generator, a rule or the runbook changed since) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PDF_SOURCE_RE, SAMPLE_BASE, SAMPLES_DIR, generateSamples, sha256 } from '../../../scripts/samples.js';

const committed = (ext: string) => readFileSync(join(SAMPLES_DIR, `${SAMPLE_BASE}.${ext}`), 'utf8');
const STALE = 'docs/samples is stale: run `npm run samples` and commit docs/samples/';

describe('docs/samples', () => {
  it('the committed Markdown and HTML runbooks are what the generators produce now', async () => {
    const now = await generateSamples();
    // Compared as text first so a failure shows the changed lines, then the sha for the verdict.
    expect(committed('md'), STALE).toBe(now.md);
    expect(sha256(committed('html')), STALE).toBe(sha256(now.html));
  });

  it('the committed PDF was printed from that HTML', async () => {
    const now = await generateSamples();
    const readme = readFileSync(join(SAMPLES_DIR, 'README.md'), 'utf8');
    expect(PDF_SOURCE_RE.exec(readme)?.[1], STALE).toBe(sha256(now.html));
  });

  it('has no machine-specific path and no time of generation', async () => {
    const { md, html } = await generateSamples();
    for (const text of [md, html]) {
      expect(text).not.toMatch(/\/(work|tmp|home|root)\/|\\Users\\/);
      expect(text).toContain('2026-12-03T18:20:40.872Z'); // the recorded verification's time, not the generation's
      expect(text).toContain('option splice-request');
      // the record of a real full run: the print servers' steps with before/after, the reboots, the Windows checks
      if (text === md) expect(text).toContain('Registry value OptionalNames: [] → ["Dispatcher"]');
      for (const ps of ['PS1', 'PS2']) {
        expect(text).toContain(`windows-verify-${ps}`);
        expect(text).toMatch(new RegExp(`back after \\d+ s, booted 2026-12-03T`));
      }
    }
  });
});
