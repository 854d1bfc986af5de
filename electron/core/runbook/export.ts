/**
 * Assembles a site's runbook from everything PrintHA knows about it — the site, findings (with the
 * latest facts), the generated files, the compliance table, and from the site's state directory the
 * latest plan, the journal (every run, every step with output and timing), the latest verification
 * report — and writes it as Markdown, one self-contained HTML file, or PDF (printed from that HTML).
 * Before any run it is the plan document for change control; after, the record.
 *
 * Redaction: the journal is already redacted when written; plan, report and facts pass the full
 * redactor here, and the finished document passes the literal-secret redactor (every secret in the
 * environment), so no secret handed to this process can reach the file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { SiteFacts } from '../../../shared/model/facts.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { siteArtifacts } from '../../../shared/pack/files.js';
import type { Plan } from '../../../shared/plan/model.js';
import { complianceTable } from '../../../shared/render/compliance.js';
import { runRules } from '../../../shared/rules/index.js';
import { buildRunbook } from '../../../shared/runbook/build.js';
import { toHtml, toMarkdown, type RunbookDoc } from '../../../shared/runbook/doc.js';
import type { Site } from '../../../shared/site/schema.js';
import type { VerifyReport } from '../../../shared/verify/report.js';
import { readJournal } from '../runner/journal.js';
import { SecretSet, redactValue } from '../runner/redact.js';
import { journalPath, loadLatest } from '../runner/state.js';
import { htmlToPdf } from './pdf.js';

export type RunbookFormat = 'md' | 'html' | 'pdf';

export interface RunbookSources {
  journal: JournalEvent[];
  plan?: Plan;
  verify?: VerifyReport;
  facts?: SiteFacts;
}

/** What the state directory holds for a site (nothing when it does not exist yet). */
export function loadRunbookSources(stateDir: string | undefined): RunbookSources {
  if (!stateDir) return { journal: [] };
  const plan = loadLatest(stateDir, 'plan')?.value;
  const verify = loadLatest(stateDir, 'verify')?.value;
  const facts = loadLatest(stateDir, 'facts')?.value;
  return { journal: readJournal(journalPath(stateDir)), ...(plan ? { plan } : {}), ...(verify ? { verify } : {}), ...(facts ? { facts } : {}) };
}

export interface SiteRunbookOptions {
  env?: NodeJS.ProcessEnv;
  generatedAt?: string;
  /** Extra secrets to keep out (e.g. the ones a session collected). */
  secrets?: SecretSet;
  /** Used instead of what the state directory holds (e.g. `runbook --plan plan.json`). */
  overrides?: Partial<RunbookSources>;
}

function secretsOf(opts: SiteRunbookOptions): SecretSet {
  const s = opts.secrets ?? new SecretSet();
  s.addFromEnv(opts.env ?? process.env);
  return s;
}

/** The runbook document of a valid site with everything from its state directory, redacted. */
export function siteRunbookDoc(site: Site, sources: RunbookSources, opts: SiteRunbookOptions = {}): RunbookDoc {
  const secrets = secretsOf(opts);
  const full = secrets.redactor();
  const r = resolveSite(site);
  const facts = sources.facts ? redactValue(sources.facts, full) : undefined;
  const doc = buildRunbook({
    resolved: r,
    findings: runRules(site, facts),
    artifacts: siteArtifacts(r),
    compliance: complianceTable(r),
    ...(sources.plan ? { plan: redactValue(sources.plan, full) } : {}),
    // Written through the redactor already; the pass here also catches secrets of this process.
    journal: redactValue(sources.journal, full),
    ...(sources.verify ? { verify: redactValue(sources.verify, full) } : {}),
    ...(facts ? { facts } : {}),
    generatedAt: opts.generatedAt ?? new Date().toISOString(),
    includeArtifactText: true,
  });
  return redactValue(doc, secrets.literalRedactor());
}

export function renderRunbookText(doc: RunbookDoc, format: 'md' | 'html'): string {
  return format === 'md' ? toMarkdown(doc) : toHtml(doc);
}

function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Writes the runbook of `site` (state from `stateDir`) to `outPath` in `format`. */
export async function exportRunbook(site: Site, stateDir: string | undefined, format: RunbookFormat, outPath: string, opts: SiteRunbookOptions = {}): Promise<{ path: string; bytes: number; doc: RunbookDoc }> {
  const doc = siteRunbookDoc(site, { ...loadRunbookSources(stateDir), ...(opts.overrides ?? {}) }, opts);
  const out = resolve(outPath);
  if (format === 'pdf') {
    mkdirSync(dirname(out), { recursive: true });
    const r = await htmlToPdf(toHtml(doc), out, { ...(opts.env ? { env: opts.env } : {}) });
    return { ...r, doc };
  }
  const text = renderRunbookText(doc, format);
  writeAtomic(out, text);
  return { path: out, bytes: Buffer.byteLength(text), doc };
}
