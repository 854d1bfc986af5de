/**
 * A site's state directory (electron/cli/context.ts stateDirFor): the run journal
 * (journal.jsonl + attachments/) and the latest plan, verification report and discovered facts,
 * so `printha runbook` can assemble the record after the fact.
 *
 *   saveLatest(stateDir, 'plan', plan)     after `plan` (and the plan apply used)
 *   saveLatest(stateDir, 'verify', report) after `verify`
 *   saveLatest(stateDir, 'facts', facts)   after discovery (and `import` of verify.ps1 results)
 *
 * Files are written atomically (temp + rename), mode 0600, through the redactor when one is given.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SiteFacts } from '../../../shared/model/facts.js';
import { PlanSchema, type Plan } from '../../../shared/plan/model.js';
import { VerifyReportSchema, type VerifyReport } from '../../../shared/verify/report.js';
import type { Redactor } from './redact.js';
import { redactValue } from './redact.js';

export interface LatestKinds {
  plan: Plan;
  verify: VerifyReport;
  facts: SiteFacts;
}
export type LatestKind = keyof LatestKinds;

export const JOURNAL_FILE = 'journal.jsonl';

export function journalPath(stateDir: string): string {
  return join(stateDir, JOURNAL_FILE);
}

export function latestPath(stateDir: string, kind: LatestKind): string {
  return join(stateDir, `latest-${kind}.json`);
}

interface Envelope {
  kind: LatestKind;
  savedAt: string;
  value: unknown;
}

/** Saves the latest plan / verify report / facts of a site; returns the file written. */
export function saveLatest<K extends LatestKind>(stateDir: string, kind: K, value: LatestKinds[K], redact?: Redactor): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = latestPath(stateDir, kind);
  const env: Envelope = { kind, savedAt: new Date().toISOString(), value: redact ? redactValue(value, redact) : value };
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(env, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

export interface Latest<T> {
  value: T;
  savedAt: string;
}

function isFacts(v: unknown): v is SiteFacts {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (o.servers === undefined || Array.isArray(o.servers)) && (o.balancer === undefined || Array.isArray(o.balancer));
}

/**
 * The latest saved value, or undefined when none was saved (or the file is unreadable or not the
 * expected shape — an older PrintHA's file is ignored rather than trusted).
 */
export function loadLatest<K extends LatestKind>(stateDir: string, kind: K): Latest<LatestKinds[K]> | undefined {
  let env: Envelope;
  try {
    env = JSON.parse(readFileSync(latestPath(stateDir, kind), 'utf8')) as Envelope;
  } catch {
    return undefined;
  }
  if (!env || env.kind !== kind) return undefined;
  const savedAt = typeof env.savedAt === 'string' ? env.savedAt : '';
  if (kind === 'plan') {
    const r = PlanSchema.safeParse(env.value);
    return r.success ? ({ value: r.data, savedAt } as Latest<LatestKinds[K]>) : undefined;
  }
  if (kind === 'verify') {
    const r = VerifyReportSchema.safeParse(env.value);
    return r.success ? ({ value: r.data, savedAt } as Latest<LatestKinds[K]>) : undefined;
  }
  return isFacts(env.value) ? ({ value: env.value, savedAt } as Latest<LatestKinds[K]>) : undefined;
}
