/**
 * What the engine verbs (discover, plan, apply) share: loading and preflighting the site file, the
 * engine with the site's state directory, and the human forms of facts, plans and apply results.
 */
import { join } from 'node:path';
import type { SiteFacts } from '../../shared/model/facts.js';
import { diffStat } from '../../shared/plan/diff.js';
import type { HostPlan, Plan } from '../../shared/plan/model.js';
import type { Finding } from '../../shared/rules/finding.js';
import { validateSiteYaml } from '../../shared/rules/index.js';
import type { Site } from '../../shared/site/schema.js';
import type { ApplyResult, RunContext } from '../core/engine/api.js';
import { JOURNAL_FILE, PrintHaEngine } from '../core/engine/engine.js';
import type { SshStats } from '../core/ssh/index.js';
import { opt, parseArgs, type ParsedArgs } from './args.js';
import { cliRunContext, stateDirFor } from './context.js';
import { formatFindings } from './format.js';
import { readSiteText } from './site-file.js';
import { UsageError, type CliIO } from './types.js';

export interface LoadedSite {
  file: string;
  site: Site;
  warnings: Finding[];
}

/** Reads and preflights the site file; prints the errors and returns undefined when it has any. */
export async function loadSite(file: string | undefined, usage: string, io: CliIO): Promise<LoadedSite | undefined> {
  const text = await readSiteText(file, usage);
  const v = validateSiteYaml(text);
  if (!v.ok || !v.site) {
    io.err(formatFindings(v.findings, file));
    io.err('Nothing was done: fix the errors above first.\n');
    return undefined;
  }
  return { file: file!, site: v.site, warnings: v.findings.filter((f) => f.severity !== 'error') };
}

export function parseOnly(p: ParsedArgs, usage: string): 'balancer' | 'servers' | undefined {
  const only = opt(p, 'only');
  if (only === undefined) return undefined;
  if (only !== 'balancer' && only !== 'servers') throw new UsageError(`--only takes "balancer" or "servers", not "${only}".\nUsage: ${usage}`);
  return only;
}

export function acceptedHostKeys(p: ParsedArgs): string[] {
  const v = opt(p, 'accept-host-key');
  if (!v) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('SHA256:') ? s : `SHA256:${s}`).replace(/=+$/, ''));
}

export interface EngineSession {
  engine: PrintHaEngine;
  ctx: RunContext;
  journalPath: string;
}

export function engineSession(loaded: LoadedSite, io: CliIO, o: { json: boolean; acceptHostKeys: string[] }): EngineSession {
  const stateDir = stateDirFor(loaded.file, io.env);
  const { ctx } = cliRunContext(io, { acceptHostKeys: o.acceptHostKeys, quiet: false, json: o.json });
  const timeout = Number(io.env.PRINTHA_COMMAND_TIMEOUT_MS);
  const engine = new PrintHaEngine({
    stateDir,
    env: io.env,
    ...(Number.isFinite(timeout) && timeout > 0 ? { commandTimeoutMs: timeout } : {}),
    ...(io.env.SSH_AUTH_SOCK ? { agentSocket: io.env.SSH_AUTH_SOCK } : {}),
  });
  return { engine, ctx, journalPath: join(stateDir, JOURNAL_FILE) };
}

export interface EngineVerb extends EngineSession {
  loaded: LoadedSite;
  only: 'balancer' | 'servers' | undefined;
  json: boolean;
}

/**
 * How the read-only engine verbs (discover, plan) start: `<site.yaml> [--json] [--only balancer|servers]
 * [--accept-host-key SHA256:…]` parsed, the site loaded and preflighted, the engine opened (close it).
 * Undefined when the site file has errors (they are printed).
 */
export async function openEngineVerb(args: string[], io: CliIO, usage: string): Promise<EngineVerb | undefined> {
  const p = parseArgs(args, { flags: ['json'], options: ['only', 'accept-host-key'] }, usage);
  if (p.positionals.length !== 1) throw new UsageError(`Expected one site file.\nUsage: ${usage}`);
  const only = parseOnly(p, usage);
  const json = p.flags.has('json');
  const loaded = await loadSite(p.positionals[0], usage, io);
  if (!loaded) return undefined;
  return { loaded, only, json, ...engineSession(loaded, io, { json, acceptHostKeys: acceptedHostKeys(p) }) };
}

// ------------------------------------------------------------------ human forms

function indent(text: string, pad: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

export function formatFacts(facts: SiteFacts): string {
  const out: string[] = [];
  for (const b of facts.balancer ?? []) {
    if (!b.reachable) {
      out.push(`✗ ${b.name} (${b.address}): UNREACHABLE — ${b.error ?? 'unknown error'}`);
      continue;
    }
    const bits = [b.version ?? 'version unknown'];
    if (b.platform === 'linux-haproxy') {
      bits.push(b.holdsVip ? 'holds the VIP' : 'does not hold the VIP');
      for (const [s, st] of Object.entries(b.services ?? {})) bits.push(`${s} ${st}`);
      if (b.hostname) bits.push(`hostname ${b.hostname}`);
    } else {
      bits.push(`HA role ${b.role ?? 'unknown'}`);
      bits.push(`${b.existingVips?.length ?? 0} VIP(s)`);
    }
    out.push(`✓ ${b.name} (${b.address}): ${bits.join('; ')}`);
    for (const [path, content] of Object.entries(b.files ?? {})) {
      out.push(`    ${path}: ${content === null ? 'absent' : `${content.split('\n').length} lines${b.fileModes?.[path] ? `, mode ${b.fileModes[path]}` : ''}`}`);
    }
    for (const v of b.existingVips ?? []) out.push(`    VIP ${v.label}: Layer ${v.layer} ${v.ip} ports ${v.ports}; real servers ${v.reals.map((x) => `${x.label} ${x.ip}`).join(', ') || 'none'}`);
    if (b.pendingApply) out.push(`    an earlier apply (run ${b.pendingApply.run}) did not finish here; backup ${b.pendingApply.backupDir}`);
  }
  for (const s of facts.servers ?? []) {
    out.push(s.reachable ? `✓ ${s.label}: reachable` : `✗ ${s.label}: UNREACHABLE — ${s.error ?? 'unknown error'}`);
  }
  return out.join('\n') + '\n';
}

function formatHost(h: HostPlan, position: number): string {
  const out: string[] = [];
  const head = `${position}. ${h.host} (${h.address}, ${h.role})`;
  if (h.unreachable) out.push(`${head}: UNREACHABLE — ${h.unreachable}`);
  else if (h.upToDate) out.push(`${head}: no changes`);
  else out.push(`${head}: ${h.steps.length} step(s)`);
  h.steps.forEach((s, i) => {
    out.push(`   ${String(i + 1).padStart(2)}. [${s.kind}] ${s.title}${s.changes ? '' : ' (no change)'}`);
    if (s.command) out.push(`       $ ${s.command}`);
    if (s.note) out.push(`       note: ${s.note}`);
  });
  for (const d of h.diffs) {
    if (d.unified === '') continue;
    const st = diffStat(d.unified);
    out.push(`   diff ${d.path} (+${st.added} -${st.removed}):`);
    out.push(indent(d.unified, '     '));
  }
  for (const c of h.changes) out.push(`   ${c.name}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`);
  for (const n of h.notes) out.push(`   note: ${n}`);
  return out.join('\n');
}

export function formatPlan(plan: Plan): string {
  const out: string[] = [];
  const byName = new Map(plan.hosts.map((h) => [h.host, h] as const));
  const ordered = [...plan.order.map((n) => byName.get(n)).filter((h): h is HostPlan => !!h), ...plan.hosts.filter((h) => !plan.order.includes(h.host))];
  out.push(`Plan for "${plan.site}" — hosts in apply order: ${ordered.map((h) => h.host).join(' → ') || 'none'}`);
  out.push('');
  ordered.forEach((h, i) => {
    out.push(formatHost(h, i + 1));
    out.push('');
  });
  for (const n of plan.notes) out.push(`note: ${n}`);
  const todo = plan.hosts.filter((h) => !h.upToDate);
  out.push(plan.upToDate ? 'No changes: every host already has this configuration.' : `${todo.length} host(s) to change: ${todo.map((h) => h.host).join(', ')}.`);
  return out.join('\n') + '\n';
}

export function formatStats(stats: Record<string, SshStats>): string {
  const parts = Object.entries(stats).map(([k, s]) => `${k} ${s.connections} connection(s), ${s.commands} command(s), ${s.uploads} upload(s)${s.connectFailures ? `, ${s.connectFailures} failed login(s)` : ''}`);
  return parts.length ? `SSH: ${parts.join('; ')}\n` : '';
}

export function formatApply(res: ApplyResult, journalPath: string): string {
  const out: string[] = [];
  for (const h of res.hostStates) out.push(`${h.ok ? '✓' : '✗'} ${h.host}: ${h.state}`);
  if (res.ok && !res.changed) out.push('No changes: every host already had this configuration; nothing was reloaded.');
  else if (res.ok) out.push('Applied.');
  else out.push('Apply FAILED: see above for the state of every host.');
  out.push(`Journal: ${journalPath} (run ${res.runId})`);
  return out.join('\n') + '\n';
}
