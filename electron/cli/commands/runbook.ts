/**
 * `printha runbook <site.yaml> --format md|html|pdf --out F`: the site's runbook. Before any run it is
 * the plan document for change control; after, the record: the latest plan, every executed step of
 * the journal with output and timing, the latest verification, the manual steps left, sign-off.
 */
import { readFile } from 'node:fs/promises';
import { PlanSchema } from '../../../shared/plan/model.js';
import { validateSiteYaml } from '../../../shared/rules/index.js';
import { VerifyReportSchema } from '../../../shared/verify/report.js';
import { exportRunbook, type RunbookFormat } from '../../core/runbook/export.js';
import { PdfError } from '../../core/runbook/pdf.js';
import { envRedactor } from '../../core/runner/redact.js';
import { opt, parseArgs } from '../args.js';
import { stateDirFor } from '../context.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha runbook <site.yaml> --format md|html|pdf --out <file> [--plan plan.json] [--verify report.json]';

/** A plan / verify report saved with `plan --json` / `verify --json`, checked against its schema. */
async function readJsonFile<T>(path: string, what: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`Cannot read the ${what} file "${path}".`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`"${path}" is not JSON: save it with \`printha ${what === 'plan' ? 'plan' : 'verify'} <site.yaml> --json > ${path}\`.`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`"${path}" is not a PrintHA ${what} (${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'wrong shape'}).`);
  }
  return r.data;
}
const FORMATS: readonly RunbookFormat[] = ['md', 'html', 'pdf'];

export const runbookCommand: CliCommand = {
  name: 'runbook',
  summary: 'Export the runbook (plan document before a run, the record after): Markdown, self-contained HTML or PDF.',
  usage,
  details:
    'Options:\n' +
    '  --format md|html|pdf      the document format (default: from the --out file name).\n' +
    '  --out <file>              where to write it.\n' +
    '  --plan plan.json          a plan saved with: printha plan <site.yaml> --json > plan.json\n' +
    '                            (default: the latest plan PrintHA saved for this site file, if any).\n' +
    '  --verify report.json      a report saved with: printha verify <site.yaml> --json > report.json\n' +
    '                            (default: the latest verification saved for this site file, if any).\n' +
    'PDF needs Chromium or Google Chrome (PRINTHA_CHROMIUM=<its executable> when it is not found).',
  async run(args, io) {
    const p = parseArgs(args, { options: ['format', 'out', 'plan', 'verify'] }, usage);
    const out = opt(p, 'out');
    const fromExt = out?.match(/\.(md|html|pdf)$/i)?.[1]?.toLowerCase();
    const format = (opt(p, 'format') ?? fromExt) as RunbookFormat | undefined;
    if (p.positionals.length !== 1 || !out) throw new UsageError(`Expected one site file and --out <file>.\nUsage: ${usage}`);
    if (!format || !FORMATS.includes(format)) throw new UsageError(`--format must be md, html or pdf${opt(p, 'format') ? `, not "${opt(p, 'format')}"` : ''}.\nUsage: ${usage}`);
    const file = p.positionals[0]!;
    const stateDir = stateDirFor(file, io.env);
    // Only the site file's own errors stop the runbook: what discovery found (a server that could not
    // be reached, …) is part of the record, and the document lists those findings with the facts.
    const result = validateSiteYaml(await readSiteText(file, usage));
    if (!result.site) {
      io.err(formatFindings(result.findings, file));
      io.err('No runbook was written: fix the errors above first.\n');
      return 1;
    }
    if (!result.ok) {
      io.err(formatFindings(result.findings.filter((f) => f.severity === 'error'), file));
      io.err('No runbook was written: the site has errors (a runbook documents a site that can be deployed).\n');
      return 1;
    }
    try {
      const planFile = opt(p, 'plan');
      const verifyFile = opt(p, 'verify');
      const overrides = {
        ...(planFile ? { plan: await readJsonFile(planFile, 'plan', PlanSchema) } : {}),
        ...(verifyFile ? { verify: await readJsonFile(verifyFile, 'verification report', VerifyReportSchema) } : {}),
      };
      const r = await exportRunbook(result.site, stateDir, format, out, { env: io.env, overrides });
      const kinds = r.doc.blocks.filter((b) => b.kind === 'heading' && b.level === 1).map((b) => (b.kind === 'heading' ? b.text : ''));
      io.out(`${r.path}\n`);
      io.err(`Runbook (${format}, ${r.bytes} bytes) written: ${kinds.join(' · ')}\n`);
      return 0;
    } catch (e) {
      if (e instanceof PdfError) throw new UsageError(envRedactor(io.env)(e.message), 1);
      throw e;
    }
  },
};
