/**
 * Results of the pack's scripts run by hand (results/*.json written by printha-run.ps1, or a
 * script's own JSON saved by hand), validated with the script result parsers and turned into
 * journal events: prepare → one step-end per step with before/after; verify → one step-end per
 * check and the server's facts; dns/record.ps1 → one step-end per step.
 */
import { jsonBeyondLimits } from '../limits/json.js';
import { z } from 'zod';
import type { JournalEvent, StepResult } from '../journal/events.js';
import type { ServerFacts, SiteFacts } from '../model/facts.js';
import type { ResolvedSite } from '../model/resolve.js';
import {
  parseDnsResult,
  parsePrepareResult,
  parseVerifyReport,
  type DnsResult,
  type PrepareResult,
  type StepRecord,
  type VerifyReport,
} from '../render/powershell/result.js';

const EnvelopeSchema = z.object({
  kind: z.literal('printha.result'),
  version: z.literal(1),
  script: z.string(),
  folder: z.string().nullable().optional(),
  computerName: z.string().nullable().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().nonnegative(),
  dryRun: z.boolean().optional(),
  result: z.unknown(),
});

interface Meta {
  file: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  computerName?: string;
  /** The script's own JSON, as text (kept in the journal as the step's output). */
  raw: string;
}

export type ImportedResult =
  | ({ kind: 'prepare'; label: string; result: PrepareResult } & Meta)
  | ({ kind: 'verify'; label: string; report: VerifyReport } & Meta)
  | ({ kind: 'dns'; result: DnsResult } & Meta);

export class ResultFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** A label from the site for this result: the JSON's own label, else the file name prefix, else the folder. */
function labelFor(r: ResolvedSite, file: string, candidates: (string | null | undefined)[]): string {
  const labels = r.site.servers.map((s) => s.label);
  const base = file.replace(/^.*[\\/]/, '');
  const fromName = /^([A-Za-z0-9_-]+?)-(?:prepare|verify)\b/.exec(base)?.[1];
  for (const c of [...candidates, fromName]) {
    if (!c) continue;
    const hit = labels.find((l) => l.toLowerCase() === c.toLowerCase());
    if (hit) return hit;
  }
  const said = candidates.find(Boolean) ?? fromName;
  throw new ResultFileError(file, `belongs to server "${said ?? '?'}", which is not in the site file (servers: ${labels.join(', ')}); import it with the site file it was generated from`);
}

/** Parses one result file's text. Throws ResultFileError naming the file and what is wrong. */
export function parseResultFile(r: ResolvedSite, file: string, text: string): ImportedResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ResultFileError(file, 'is not JSON; it must be a file written by printha-run.ps1 (or the one JSON line a script prints)');
  }
  const beyond = jsonBeyondLimits(json);
  if (beyond) throw new ResultFileError(file, `${beyond}; it is not a file printha-run.ps1 writes (a few levels deep): take the results folder the scripts wrote`);
  let meta: Meta = { file, raw: text.trim() };
  let folder: string | undefined;
  let body = json;
  if (json && typeof json === 'object' && (json as { kind?: unknown }).kind === 'printha.result') {
    const env = EnvelopeSchema.safeParse(json);
    if (!env.success) throw new ResultFileError(file, `is not a valid printha-run.ps1 result (${env.error.issues[0]?.path.join('.') ?? ''}: ${env.error.issues[0]?.message ?? ''})`);
    body = env.data.result;
    folder = env.data.folder ?? undefined;
    meta = {
      file,
      startedAt: env.data.startedAt,
      finishedAt: env.data.finishedAt,
      durationMs: env.data.durationMs,
      ...(env.data.computerName ? { computerName: env.data.computerName } : {}),
      raw: JSON.stringify(body),
    };
  }
  const kind = body && typeof body === 'object' ? (body as { kind?: unknown }).kind : undefined;
  try {
    if (kind === 'printha.prepare') {
      const result = parsePrepareResult(body);
      return { kind: 'prepare', label: labelFor(r, file, [result.server, folder]), result, ...meta };
    }
    if (kind === 'printha.verify') {
      const report = parseVerifyReport(body);
      return { kind: 'verify', label: labelFor(r, file, [report.facts.label, folder]), report, ...meta };
    }
    if (kind === 'printha.dns') return { kind: 'dns', result: parseDnsResult(body), ...meta };
  } catch (e) {
    if (e instanceof ResultFileError) throw e;
    throw new ResultFileError(file, e instanceof Error ? e.message : String(e));
  }
  throw new ResultFileError(file, `has kind ${JSON.stringify(kind ?? null)}; expected the result of prepare.ps1, verify.ps1 or dns/record.ps1`);
}

type Ev = Omit<JournalEvent, 'run'>;

function stepResult(rec: StepRecord, dryRun: boolean): { result: StepResult; message?: string } {
  switch (rec.status) {
    case 'changed':
      return { result: 'changed' };
    case 'unchanged':
      return { result: 'unchanged' };
    case 'failed':
      return { result: 'failed' };
    case 'skipped':
      return { result: 'skipped' };
    case 'would-change':
      return { result: 'skipped', message: dryRun ? 'dry run: would change' : 'would change (not applied)' };
  }
}

function when(x: ImportedResult, fallback: string): string {
  return x.finishedAt ?? fallback;
}

function ranOn(x: ImportedResult): string {
  return `${x.file}${x.computerName ? `, run on ${x.computerName}` : ''}${x.startedAt ? ` at ${x.startedAt}` : ''}`;
}

function stepEvents(host: string, prefix: string, script: string, steps: readonly StepRecord[], dryRun: boolean, t: string): Ev[] {
  return steps.map((rec) => {
    const m = stepResult(rec, dryRun);
    const message = [rec.message, m.message].filter(Boolean).join(' — ');
    return {
      t,
      kind: 'step-end',
      host,
      step: `${prefix}:${rec.step}`,
      title: `${script}: ${rec.step}`,
      result: m.result,
      ...(message ? { message } : {}),
      ...(rec.before !== undefined ? { before: rec.before } : {}),
      ...(rec.after !== undefined ? { after: rec.after } : {}),
    };
  });
}

/** Journal events (without the run id) for imported results, oldest first. */
export function importEvents(results: readonly ImportedResult[], now: string): Ev[] {
  const sorted = [...results].sort((a, b) => when(a, now).localeCompare(when(b, now)));
  const out: Ev[] = [];
  for (const x of sorted) {
    const t = when(x, now);
    const timing = x.durationMs !== undefined ? { durationMs: x.durationMs } : {};
    if (x.kind === 'prepare') {
      const p = x.result;
      out.push(...stepEvents(x.label, 'prepare', 'prepare.ps1', p.steps, p.dryRun, t));
      const failed = p.errors.length > 0 || p.steps.some((s) => s.status === 'failed');
      out.push({
        t,
        kind: 'step-end',
        host: x.label,
        step: p.dryRun ? 'prepare-dryrun' : 'prepare',
        title: `prepare.ps1${p.dryRun ? ' -DryRun' : ''} (run by hand, imported from ${ranOn(x)})`,
        result: failed ? 'failed' : p.dryRun ? 'skipped' : p.changed ? 'changed' : 'unchanged',
        message: [p.dryRun ? 'dry run: nothing was changed' : '', p.rebootRequired ? 'reboot required' : '', ...p.errors].filter(Boolean).join('; ') || `${p.steps.length} step(s)`,
        output: x.raw,
        ...timing,
      });
    } else if (x.kind === 'verify') {
      const v = x.report;
      for (const c of v.checks)
        out.push({
          t,
          kind: 'step-end',
          host: x.label,
          step: `verify:${c.id}`,
          title: `verify.ps1: ${c.id}`,
          result: c.ok ? 'ok' : 'failed',
          ...(c.message ? { message: c.message } : {}),
          ...(c.expected !== undefined ? { before: c.expected } : {}),
          ...(c.actual !== undefined ? { after: c.actual } : {}),
        });
      const bad = v.checks.filter((c) => !c.ok).length;
      out.push({
        t,
        kind: 'step-end',
        host: x.label,
        step: 'verify',
        title: `verify.ps1 (run by hand, imported from ${ranOn(x)})`,
        result: bad ? 'failed' : 'ok',
        message: `${v.checks.length - bad}/${v.checks.length} checks passed${v.errors.length ? `; not collected: ${v.errors.join('; ')}` : ''}`,
        output: x.raw,
        ...timing,
      });
    } else {
      const d = x.result;
      out.push(...stepEvents('dns', 'dns', 'dns/record.ps1', d.steps, d.dryRun, t));
      const failed = d.errors.length > 0 || d.steps.some((s) => s.status === 'failed');
      out.push({
        t,
        kind: 'step-end',
        host: 'dns',
        step: d.dryRun ? 'dns-dryrun' : 'dns',
        title: `dns/record.ps1${d.dryRun ? ' -DryRun' : ''} (run by hand, imported from ${ranOn(x)})`,
        result: failed ? 'failed' : d.manual ? 'skipped' : d.dryRun ? 'skipped' : d.changed ? 'changed' : 'unchanged',
        message: [d.message ?? '', ...d.errors].filter(Boolean).join('; ') || `${d.name ?? ''}.${d.zone ?? ''} → ${d.vip ?? ''}`,
        output: x.raw,
        ...timing,
      });
    }
  }
  return out;
}

/** Merges verify results into facts: the newest result per server replaces that server's facts. */
export function mergeVerifyFacts(base: SiteFacts | undefined, results: readonly ImportedResult[], now: string): SiteFacts | undefined {
  const verifies = results.filter((x): x is Extract<ImportedResult, { kind: 'verify' }> => x.kind === 'verify').sort((a, b) => when(a, now).localeCompare(when(b, now)));
  if (verifies.length === 0) return base;
  const servers = new Map<string, ServerFacts>((base?.servers ?? []).map((s) => [s.label, s]));
  let latest = base?.collectedAt ?? '';
  for (const v of verifies) {
    servers.set(v.label, { ...v.report.facts, label: v.label });
    if (when(v, now) > latest) latest = when(v, now);
  }
  return { ...(base ?? {}), servers: [...servers.values()], collectedAt: latest || now };
}
