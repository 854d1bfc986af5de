/**
 * Regenerates docs/samples/ offline (no lab, no hosts): `npm run samples`.
 *
 * The sample runbook is the record of a REAL full run of examples/lab-snat.yaml on the lab: one
 * `printha apply --yes` (balancers, print servers, DNS record, rolling reboot) and one
 * `printha verify`, with nothing run by hand. The recorded input is that run's state directory,
 * copied to docs/samples/lab-snat-run/ (journal.jsonl with every host's steps, before/after and
 * final state; the latest facts, plan and verification report, all redacted as the engine saves
 * them). The runbook is rendered from it by today's code, dated by the verification, so the files
 * only change when the runbook or a generator does.
 *
 *   npm run samples                         the .md/.html (and the .pdf when the HTML changed)
 *   npm run samples -- --record <state dir> copy a new run first (see docs/samples/README.md)
 *
 * test/unit/runbook/samples.test.ts fails when a committed sample differs from what this produces.
 * The PDF cannot be compared byte for byte (Chromium stamps it); the README records the sha256 of
 * the HTML it was printed from, and the test checks that instead.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunbookSources, siteRunbookDoc } from '../electron/core/runbook/export.js';
import { findChromium, htmlToPdf } from '../electron/core/runbook/pdf.js';
import { toHtml, toMarkdown } from '../shared/runbook/doc.js';
import { loadSiteYaml } from '../shared/site/load.js';

export const ROOT = join(import.meta.dirname, '..');
export const SAMPLES_DIR = join(ROOT, 'docs', 'samples');
export const SAMPLE_SITE = 'examples/lab-snat.yaml';
/** The recorded run: a copy of the site's state directory after apply + verify on the lab. */
export const SAMPLE_RUN = 'docs/samples/lab-snat-run';
export const SAMPLE_RUN_FILES = ['journal.jsonl', 'latest-facts.json', 'latest-plan.json', 'latest-verify.json'] as const;
export const SAMPLE_BASE = 'lab-snat-runbook';
/** The README line that names the HTML the committed PDF was printed from. */
export const PDF_SOURCE_RE = /^PDF printed from the HTML with sha256 ([0-9a-f]{64})\.$/m;

export interface Samples {
  md: string;
  html: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The sample runbook, Markdown and HTML, from the example site and the recorded run. */
export async function generateSamples(root = ROOT): Promise<Samples> {
  const loaded = loadSiteYaml(readFileSync(join(root, SAMPLE_SITE), 'utf8'));
  if (!loaded.ok) throw new Error(`${SAMPLE_SITE} does not load: ${loaded.findings.map((f) => f.message).join('; ')}`);
  const sources = loadRunbookSources(join(root, SAMPLE_RUN));
  if (!sources.verify || !sources.plan || sources.journal.length === 0) throw new Error(`${SAMPLE_RUN} has no recorded run (journal, plan and verification): record one (docs/samples/README.md)`);
  const doc = siteRunbookDoc(loaded.site, sources, { env: {}, generatedAt: sources.verify.startedAt });
  return { md: toMarkdown(doc), html: toHtml(doc) };
}

/** Copies a state directory (after a successful apply and verify) into SAMPLE_RUN. */
export function recordRun(stateDir: string, root = ROOT): void {
  for (const f of SAMPLE_RUN_FILES) if (!existsSync(join(stateDir, f))) throw new Error(`${join(stateDir, f)} is missing: run apply and verify of ${SAMPLE_SITE} first`);
  const verify = JSON.parse(readFileSync(join(stateDir, 'latest-verify.json'), 'utf8')) as { value?: { ok?: boolean } };
  if (verify.value?.ok !== true) throw new Error(`the verification in ${stateDir} is not all green: record a run whose verify passed`);
  const dest = join(root, SAMPLE_RUN);
  mkdirSync(dest, { recursive: true });
  for (const f of SAMPLE_RUN_FILES) copyFileSync(join(stateDir, f), join(dest, f));
  console.log(`recorded ${stateDir} into ${SAMPLE_RUN}`);
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--record');
  if (i >= 0) {
    const dir = process.argv[i + 1];
    if (!dir) throw new Error('--record needs the state directory of the run (printha prints it after apply: "Journal: <dir>/journal.jsonl")');
    recordRun(dir);
  }
  const s = await generateSamples();
  writeFileSync(join(SAMPLES_DIR, `${SAMPLE_BASE}.md`), s.md);
  writeFileSync(join(SAMPLES_DIR, `${SAMPLE_BASE}.html`), s.html);
  console.log(`wrote docs/samples/${SAMPLE_BASE}.md and .html`);
  const readme = join(SAMPLES_DIR, 'README.md');
  const text = readFileSync(readme, 'utf8');
  if (PDF_SOURCE_RE.exec(text)?.[1] === sha256(s.html)) return console.log('the PDF is up to date');
  if (!findChromium()) {
    console.error(
      `No Chromium here: docs/samples/${SAMPLE_BASE}.pdf is now stale (apt install chromium, or PRINTHA_CHROMIUM, then run this again).`,
    );
    process.exitCode = 1;
    return;
  }
  await htmlToPdf(s.html, join(SAMPLES_DIR, `${SAMPLE_BASE}.pdf`));
  writeFileSync(readme, text.replace(PDF_SOURCE_RE, `PDF printed from the HTML with sha256 ${sha256(s.html)}.`));
  console.log(`wrote docs/samples/${SAMPLE_BASE}.pdf`);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
