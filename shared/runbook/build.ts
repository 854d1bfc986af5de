/**
 * Builds the runbook document from everything known about a site: before any run it is the plan
 * document for change control; after, the record (plan, executed steps, verification).
 */
import type { JournalEvent } from '../journal/events.js';
import type { ResolvedSite } from '../model/resolve.js';
import type { Plan } from '../plan/model.js';
import type { Artifact } from '../render/artifact.js';
import type { Finding } from '../rules/finding.js';
import { formatRanges } from '../site/ports.js';
import type { VerifyReport } from '../verify/report.js';
import type { Block, RunbookDoc } from './doc.js';
import { manualSteps } from './steps.js';
import { topologySvg } from './topology.js';

export interface ComplianceRowLike {
  requirement: string;
  source: string;
  how: string;
  status: string;
  note?: string;
}

export interface RunbookInput {
  resolved: ResolvedSite;
  findings: Finding[];
  artifacts: Artifact[];
  compliance?: ComplianceRowLike[];
  plan?: Plan;
  journal?: JournalEvent[];
  verify?: VerifyReport;
  generatedAt: string;
  /** Include each artifact's full text (Markdown runbook: yes; the HTML: yes). */
  includeArtifactText?: boolean;
}

function siteBlocks(r: ResolvedSite): Block[] {
  const s = r.site;
  const rows: string[][] = [
    ['Product profile', `${r.profile.title} (\`${s.profile}\`)`],
    ['Services', r.services.map((x) => `${x.def.title} (\`${x.id}\`)`).join('; ')],
    ['Mode', s.mode === 'dr' ? 'Layer 4 DR (direct routing)' : 'Layer 7 SNAT (HAProxy TCP mode)'],
    ['VIP', `${s.vip}/${s.network.prefixLength}`],
    ['Share name', `\\\\${s.shareName} (must resolve to ${s.vip})`],
    ['DNS', s.dns ? `${s.dns.server}, zone ${s.dns.zone}` : 'not given: the A record is a manual step'],
    ['Balancer', `${s.balancer.platform}: ${r.nodes.map((n) => `${n.name} ${n.address} (${n.role})`).join(', ')}`],
    ['Windows remoting', `${s.windows.transport} as ${s.windows.user}`],
  ];
  const vipRows = r.vips.map((v) => [
    v.label,
    s.vip,
    formatRanges(v.ports),
    v.check.ports.length ? v.check.ports.join(', ') : 'traffic port',
    `${v.check.kind}, every ${v.check.intervalSeconds} s, down after ${v.check.fall}, warm-up ${v.check.riseSeconds} s`,
    `source IP, ${v.persistenceMinutes} min`,
    v.scheduler,
  ]);
  return [
    { kind: 'heading', level: 1, text: 'Site', id: 'site' },
    { kind: 'table', head: ['Item', 'Value'], rows },
    { kind: 'svg', svg: topologySvg(r), alt: `Clients to VIP ${s.vip} to ${r.nodes.length} balancer node(s) to ${s.servers.length} print servers` },
    { kind: 'heading', level: 2, text: 'Virtual services' },
    { kind: 'table', head: ['VIP label', 'IP', 'Ports', 'Check port', 'Health check', 'Persistence', 'Scheduler'], rows: vipRows },
    { kind: 'heading', level: 2, text: 'Print servers (real servers)' },
    { kind: 'table', head: ['Label', 'Address', 'Host name', 'Weight'], rows: s.servers.map((x) => [x.label, x.address, x.hostname ?? '', String(x.weight)]) },
  ];
}

function findingBlocks(findings: Finding[]): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 1, text: 'Preflight findings', id: 'findings' }];
  if (findings.length === 0) out.push({ kind: 'para', text: 'No findings: the site passes every preflight rule.' });
  else out.push({ kind: 'table', head: ['Severity', 'Rule', 'Field', 'Finding', 'Fix'], rows: findings.map((f) => [f.severity, f.rule, f.path, f.message, f.fix]) });
  return out;
}

function planBlocks(plan: Plan): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 1, text: 'Plan', id: 'plan' }];
  out.push({ kind: 'para', text: `Order of hosts: ${plan.order.join(' → ')}. ${plan.upToDate ? 'Every host is already up to date.' : ''}` });
  for (const h of plan.hosts) {
    out.push({ kind: 'heading', level: 2, text: `${h.host} (${h.role}, ${h.address})${h.upToDate ? ' — no changes' : ''}` });
    if (h.unreachable) out.push({ kind: 'note', tone: 'warning', text: `Not reachable during planning: ${h.unreachable}` });
    out.push({ kind: 'list', ordered: true, items: h.steps.map((s) => `${s.title}${s.command ? ` — \`${s.command}\`` : ''}${s.note ? ` (${s.note})` : ''}`) });
    for (const c of h.changes) out.push({ kind: 'para', text: `**${c.name}**: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}` });
    for (const d of h.diffs) if (d.unified) out.push({ kind: 'code', lang: 'diff', title: d.path, text: d.unified });
    for (const n of h.notes) out.push({ kind: 'note', tone: 'info', text: n });
  }
  return out;
}

function journalBlocks(journal: JournalEvent[]): Block[] {
  const ends = journal.filter((e) => e.kind === 'step-end');
  if (ends.length === 0) return [];
  const rows = ends.map((e) => [e.t, e.host ?? '', e.title ?? e.step ?? '', e.result ?? '', e.durationMs !== undefined ? `${(e.durationMs / 1000).toFixed(1)} s` : '', e.message ?? '']);
  const out: Block[] = [
    { kind: 'heading', level: 1, text: 'Executed steps', id: 'executed' },
    { kind: 'table', head: ['Time', 'Host', 'Step', 'Result', 'Duration', 'Message'], rows },
  ];
  for (const e of journal.filter((x) => x.kind === 'step-end' && (x.command || x.output)))
    out.push({ kind: 'code', lang: 'text', title: `${e.host ?? ''}: ${e.title ?? e.step ?? ''}`, text: `${e.command ? `$ ${e.command}\n` : ''}${e.output ?? ''}` });
  return out;
}

function verifyBlocks(v: VerifyReport): Block[] {
  const out: Block[] = [
    { kind: 'heading', level: 1, text: 'Verification', id: 'verify' },
    { kind: 'para', text: `Started ${v.startedAt}, ${(v.durationMs / 1000).toFixed(1)} s: ${v.ok ? 'every applicable check passed' : 'some checks FAILED'}.` },
    { kind: 'heading', level: 2, text: 'System overview' },
  ];
  const rows: string[][] = [];
  for (const o of v.overview) {
    rows.push([o.label, o.ip, o.ports, String(o.conns), o.protocol, o.method, o.mode]);
    for (const r of o.reals) rows.push([`  ${r.label}`, r.ip, r.ports, `weight ${r.weight}, ${r.conns} conns`, r.state, r.reason ?? '', '']);
  }
  out.push({ kind: 'table', head: ['Virtual service / real server', 'IP', 'Ports', 'Conns', 'Protocol / state', 'Method', 'Mode'], rows });
  for (const s of v.shares) out.push({ kind: 'para', text: `Shares seen through \`${s.via}\`: ${s.shares.join(', ') || '(none)'}` });
  out.push({ kind: 'heading', level: 2, text: 'Checks' });
  out.push({ kind: 'table', head: ['Check', 'Target', 'Expectation', 'Observation', 'Result'], rows: v.checks.map((c) => [c.id, c.target, c.expectation, c.observation + (c.why ? ` (${c.why})` : ''), c.status]) });
  return out;
}

export function buildRunbook(input: RunbookInput): RunbookDoc {
  const r = input.resolved;
  const blocks: Block[] = [];
  const executed = (input.journal ?? []).some((e) => e.kind === 'step-end');
  blocks.push({
    kind: 'note',
    tone: 'info',
    text: executed
      ? 'Record of the work done: the plan, every executed step with its output and timing, and the verification evidence.'
      : 'Plan document for change control: nothing has been changed on any host yet.',
  });
  blocks.push(...siteBlocks(r));
  blocks.push(...findingBlocks(input.findings));
  if (input.compliance?.length) {
    blocks.push({ kind: 'heading', level: 1, text: `Compliance: ${r.site.balancer.platform}, ${r.site.mode.toUpperCase()}`, id: 'compliance' });
    blocks.push({ kind: 'table', head: ['Requirement', 'Source', 'How it is met', 'Status'], rows: input.compliance.map((c) => [c.requirement, c.source, c.how + (c.note ? ` — ${c.note}` : ''), c.status]) });
  }
  blocks.push({ kind: 'heading', level: 1, text: 'Steps in order', id: 'steps' });
  blocks.push({ kind: 'list', ordered: true, items: manualSteps(r, input.artifacts) });
  if (input.plan) blocks.push(...planBlocks(input.plan));
  if (input.journal) blocks.push(...journalBlocks(input.journal));
  if (input.verify) blocks.push(...verifyBlocks(input.verify));
  blocks.push({ kind: 'heading', level: 1, text: 'Generated files', id: 'artifacts' });
  blocks.push({ kind: 'table', head: ['File', 'Runs on / goes to', 'What it is'], rows: input.artifacts.map((a) => [a.path, a.target, a.description]) });
  if (input.includeArtifactText !== false)
    for (const a of input.artifacts) if (a.language !== 'markdown') blocks.push({ kind: 'code', lang: a.language, title: a.path, text: a.content });
  blocks.push({ kind: 'heading', level: 1, text: 'Sign-off', id: 'signoff' });
  blocks.push({
    kind: 'table',
    head: ['Role', 'Name', 'Date', 'Signature'],
    rows: [
      ['Field engineer', '', '', ''],
      ['Customer', '', '', ''],
    ],
  });
  return { title: `PrintHA runbook: ${r.site.name}`, subtitle: `Generated by PrintHA ${input.generatedAt}`, blocks };
}
