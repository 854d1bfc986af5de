/**
 * The runbook PDF: printed by headless Chromium from the self-contained HTML. The PDF has pages and
 * text (pdftotext finds the site name and the section titles) and its first page renders to PNG.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRunbook } from '../../../electron/core/runbook/export.js';
import { findChromium, htmlToPdf, PdfError } from '../../../electron/core/runbook/pdf.js';
import { example, sampleVerify, twoRuns } from './fixtures.js';
import { JournalWriter } from '../../../electron/core/runner/journal.js';
import { journalPath, saveLatest } from '../../../electron/core/runner/state.js';

const chromium = findChromium();
const poppler = spawnSync('pdftotext', ['-v']).error === undefined && spawnSync('pdftoppm', ['-v']).error === undefined;
const why = !chromium ? 'no Chromium/Chrome found (set PRINTHA_CHROMIUM)' : !poppler ? 'poppler-utils (pdftotext, pdftoppm) not installed' : '';
if (why) console.warn(`[runbook pdf] skipped: ${why}`);

describe('runbook PDF', () => {
  it.skipIf(Boolean(why))('has pages and the runbook text; pdftoppm renders page 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-pdf-'));
    const site = example('lab-snat');
    const w = new JournalWriter(journalPath(dir), 'run-A', (t) => t);
    for (const e of twoRuns()) w.write(e);
    w.close();
    saveLatest(dir, 'verify', sampleVerify(site.name));
    const out = join(dir, 'runbook.pdf');
    const r = await exportRunbook(site, dir, 'pdf', out, { env: {} });
    expect(r.bytes).toBeGreaterThan(10_000);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8', maxBuffer: 32 << 20 });
    expect(text).toContain(site.name);
    for (const s of ['Preflight findings', 'Compliance', 'Steps in order', 'Executed steps', 'Verification', 'Manual steps left', 'Sign-off']) expect(text).toContain(s);
    expect(text).toContain('Reload HAProxy');
    execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', out, join(dir, 'page')]);
    const png = readdirSync(dir).find((f) => /^page-0*1\.png$/.test(f));
    expect(png, readdirSync(dir).join(' ')).toBeDefined();
    const bytes = readFileSync(join(dir, png!));
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.length).toBeGreaterThan(2000);
  });

  it('names the fix when no browser is found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-pdf-'));
    const err = await htmlToPdf('<p>x</p>', join(dir, 'x.pdf'), { env: { PRINTHA_CHROMIUM: '/nonexistent/chromium' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PdfError);
    expect((err as Error).message).toMatch(/PRINTHA_CHROMIUM points to "\/nonexistent\/chromium"/);
    expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
  });
});
