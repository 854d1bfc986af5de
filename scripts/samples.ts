/**
 * Regenerates docs/samples/ offline (no lab, no hosts): `npm run samples`.
 *
 * The sample runbook is the plan document of examples/lab-snat.yaml as `printha plan` +
 * `printha runbook` would write it before the first apply, with everything from today's generators
 * (haproxy.cfg, keepalived.conf, scripts, compliance, rules). The only recorded input is
 * docs/samples/lab-snat-facts.json: what `printha discover examples/lab-snat.yaml --only balancer`
 * found on a freshly started lab (the hosts, not PrintHA's output, so it does not go stale).
 * The date in the document is that discovery's, so the files only change when a generator does.
 *
 * test/unit/runbook/samples.test.ts fails when a committed sample differs from what this produces.
 * The PDF cannot be compared byte for byte (Chromium stamps it); the README records the sha256 of
 * the HTML it was printed from, and the test checks that instead.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrintHaEngine } from '../electron/core/engine/engine.js';
import { UnavailableServerEngine } from '../electron/core/engine/servers.js';
import { siteRunbookDoc } from '../electron/core/runbook/export.js';
import { findChromium, htmlToPdf } from '../electron/core/runbook/pdf.js';
import type { SiteFacts } from '../shared/model/facts.js';
import { toHtml, toMarkdown } from '../shared/runbook/doc.js';
import { loadSiteYaml } from '../shared/site/load.js';

export const ROOT = join(import.meta.dirname, '..');
export const SAMPLES_DIR = join(ROOT, 'docs', 'samples');
export const SAMPLE_SITE = 'examples/lab-snat.yaml';
export const SAMPLE_FACTS = 'docs/samples/lab-snat-facts.json';
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

/** The sample runbook, Markdown and HTML, from the example site and the recorded lab facts. */
export async function generateSamples(root = ROOT): Promise<Samples> {
  const loaded = loadSiteYaml(readFileSync(join(root, SAMPLE_SITE), 'utf8'));
  if (!loaded.ok) throw new Error(`${SAMPLE_SITE} does not load: ${loaded.findings.map((f) => f.message).join('; ')}`);
  const site = loaded.site;
  const facts = JSON.parse(readFileSync(join(root, SAMPLE_FACTS), 'utf8')) as SiteFacts;
  const at = facts.collectedAt ?? '2026-01-01T00:00:00.000Z';
  // The real planner on the recorded facts; the print servers are manual steps (no PowerShell here).
  const engine = new PrintHaEngine({
    stateDir: join(root, 'nonexistent'),
    env: {},
    serverEngine: new UnavailableServerEngine({ PATH: '' }),
  });
  try {
    const plan = { ...engine.planFromFacts(site, facts), createdAt: at };
    const doc = siteRunbookDoc(site, { journal: [], plan, facts }, { env: {}, generatedAt: at });
    return { md: toMarkdown(doc), html: toHtml(doc) };
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
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
