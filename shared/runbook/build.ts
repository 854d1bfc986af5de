/**
 * Builds the runbook document from everything known about a site: before any run it is the plan
 * document for change control; after, the record (plan, executed steps, verification).
 */
import type { JournalEvent } from '../journal/events.js';
import type { SiteFacts } from '../model/facts.js';
import type { ResolvedSite } from '../model/resolve.js';
import type { Plan } from '../plan/model.js';
import type { Artifact } from '../render/artifact.js';
import type { Finding } from '../rules/finding.js';
import { formatRanges } from '../site/ports.js';
import type { VerifyReport } from '../verify/report.js';
import { lit as md, type Block, type RunbookDoc } from './doc.js';
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
  /** Discovered facts (latest discovery, or verify.ps1 results brought back by `printha import`). */
  facts?: SiteFacts;
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
  else out.push({ kind: 'table', head: ['Severity', 'Rule', 'Field', 'Finding', 'Fix'], rows: findings.map((f) => [f.severity, f.rule, md(f.path), md(f.message), md(f.fix)]) });
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

function fmtDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Runs of a journal in the order they started: every event of a run id, in file order. */
export function journalRuns(journal: readonly JournalEvent[]): { run: string; events: JournalEvent[] }[] {
  const byRun = new Map<string, JournalEvent[]>();
  for (const e of journal) {
    const list = byRun.get(e.run);
    if (list) list.push(e);
    else byRun.set(e.run, [e]);
  }
  return [...byRun].map(([run, events]) => ({ run, events }));
}

function runSummary(run: string, events: readonly JournalEvent[]): string {
  const start = events.find((e) => e.kind === 'run-start');
  const end = [...events].reverse().find((e) => e.kind === 'run-end');
  const verb = start?.verb ?? end?.verb ?? events.find((e) => e.verb)?.verb ?? 'run';
  const ends = events.filter((e) => e.kind === 'step-end');
  const failed = ends.filter((e) => e.result === 'failed').length;
  const changed = ends.filter((e) => e.result === 'changed').length;
  const first = events[0]?.t ?? '';
  const last = events[events.length - 1]?.t ?? '';
  const state = end ? (end.result ? `ended ${end.result}` : 'ended') : 'did not finish (interrupted: no run-end event)';
  return `**${verb}** run \`${run}\`: ${first}${last && last !== first ? ` → ${last}` : ''}, ${ends.length} step(s), ${changed} changed, ${failed} failed; ${state}${end?.message ? ` — ${md(end.message)}` : ''}.`;
}

function journalBlocks(journal: JournalEvent[]): Block[] {
  const runs = journalRuns(journal).filter((r) => r.events.some((e) => e.kind === 'step-end' || e.kind === 'run-start' || e.kind === 'note'));
  if (runs.length === 0) return [];
  const out: Block[] = [
    { kind: 'heading', level: 1, text: 'Executed steps', id: 'executed' },
    { kind: 'para', text: `${runs.length} run(s) recorded in the journal, oldest first. Each step shows its command, its output and how long it took.` },
  ];
  for (const { run, events } of runs) {
    const verb = events.find((e) => e.verb)?.verb ?? 'run';
    out.push({ kind: 'heading', level: 2, text: `Run ${run} (${verb})` });
    out.push({ kind: 'para', text: runSummary(run, events) });
    const ends = events.filter((e) => e.kind === 'step-end');
    if (ends.length)
      out.push({
        kind: 'table',
        head: ['Time', 'Host', 'Step', 'Result', 'Duration', 'Message'],
        rows: ends.map((e) => [md(e.t), md(e.host ?? ''), md(e.title ?? e.step ?? ''), e.result ?? '', fmtDuration(e.durationMs), md(e.message ?? '')]),
      });
    const notes = events.filter((e) => e.kind === 'note' && e.message);
    if (notes.length) out.push({ kind: 'list', ordered: false, items: notes.map((e) => `${md(e.t)} ${e.host ? `${md(e.host)}: ` : ''}${md(e.message ?? '')}`) });
    for (const e of ends) {
      const changes = e.before !== undefined || e.after !== undefined ? `before: ${JSON.stringify(e.before ?? null)}\nafter:  ${JSON.stringify(e.after ?? null)}\n` : '';
      if (!e.command && !e.output && !changes) continue;
      out.push({
        kind: 'code',
        lang: 'text',
        title: `${md(e.host ?? '')}: ${md(e.title ?? e.step ?? '')} (${e.result ?? ''}${e.durationMs !== undefined ? `, ${fmtDuration(e.durationMs)}` : ''})`,
        text: `${e.command ? `$ ${e.command}\n` : ''}${e.output ?? ''}${e.output && !e.output.endsWith('\n') ? '\n' : ''}${changes}${e.attachment ? `(full output: ${e.attachment} next to the journal)\n` : ''}`,
      });
    }
  }
  return out;
}

function yn(v: boolean | undefined): string {
  return v === undefined ? '' : v ? 'yes' : 'no';
}

function factsBlocks(f: SiteFacts): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 1, text: 'Discovered facts', id: 'facts' }];
  if (f.collectedAt) out.push({ kind: 'para', text: `Collected ${f.collectedAt}.` });
  if (f.balancer?.length)
    out.push({
      kind: 'table',
      head: ['Balancer node', 'Address', 'Reachable', 'Version', 'HA role', 'Holds VIP', 'Existing VIPs'],
      rows: f.balancer.map((b) => [b.name, b.address, b.reachable ? 'yes' : `no${b.error ? `: ${b.error}` : ''}`, b.version ?? '', b.role ?? '', yn(b.holdsVip), (b.existingVips ?? []).map((v) => `${v.label} ${v.ip}:${v.ports}`).join(', ')]),
    });
  if (f.servers?.length)
    out.push({
      kind: 'table',
      head: ['Server', 'Reachable', 'Computer / domain', 'Print Server role', 'Printer shares', 'NetBIOS over TCP/IP', 'Registry (loopback check, strict names, OptionalNames)', 'Loopback adapter', 'Pending reboot'],
      rows: f.servers.map((s) => [
        s.label,
        s.reachable ? 'yes' : `no${s.error ? `: ${s.error}` : ''}`,
        [s.computerName, s.domainMember === undefined ? undefined : s.domainMember ? s.domain ?? 'domain member' : 'not a domain member'].filter(Boolean).join(' / '),
        yn(s.printServerRole),
        s.printerShares ? `${s.printerShares.length}: ${s.printerShares.join(', ')}` : '',
        s.nics ? s.nics.filter((n) => !n.isLoopback).map((n) => `${n.alias}: ${n.netbiosOptions === 2 ? 'disabled' : n.netbiosOptions === undefined ? '?' : 'ENABLED'}`).join(', ') : '',
        s.registry ? `${s.registry.disableLoopbackCheck ?? '-'}, ${s.registry.disableStrictNameChecking ?? '-'}, ${(s.registry.optionalNames ?? []).join(' ') || '-'}` : '',
        s.loopbackAdapter === undefined ? '' : s.loopbackAdapter === null ? 'none' : `${s.loopbackAdapter.alias}: ${s.loopbackAdapter.addresses.join(', ')}`,
        yn(s.pendingReboot),
      ]),
    });
  return out;
}

const DONE: ReadonlySet<string> = new Set(['ok', 'changed', 'unchanged']);

/**
 * What is still to be done by hand: the steps PrintHA never does for this site (e.g. the DNS
 * record without a DNS server) and, once something ran, the hosts the journal has no completed
 * step for, the verification and the sign-off.
 */
export function remainingSteps(r: ResolvedSite, journal: readonly JournalEvent[], verify?: VerifyReport): string[] {
  const s = r.site;
  const done = journal.filter((e) => e.kind === 'step-end' && e.result && DONE.has(e.result));
  const doneOn = (...names: (string | undefined)[]) => done.some((e) => e.host !== undefined && names.includes(e.host));
  const executed = journal.some((e) => e.kind === 'step-end');
  const out: string[] = [];
  if (!s.dns) {
    if (!doneOn('dns')) out.push(`MANUAL: create a DNS host (${r.family === 6 ? 'AAAA' : 'A'}) record "${s.shareName}" → ${s.vip} in the clients' DNS zone (the site file names no DNS server, so PrintHA cannot do it).`);
  } else if (executed && !doneOn('dns', s.dns.server)) out.push(`DNS record ${s.shareName}.${s.dns.zone} → ${s.vip} on ${s.dns.server}: not recorded as done (\`dns/record.ps1\`).`);
  const pf = s.balancer.platform;
  if (pf === 'f5-bigip' || pf === 'netscaler') {
    if (!r.nodes.some((n) => doneOn(n.name, n.address, 'balancer')))
      out.push(`MANUAL: load ${pf === 'f5-bigip' ? '`balancer/tmsh.txt` on the BIG-IP' : '`balancer/netscaler.conf` on the NetScaler'} (PrintHA generates it; it does not push it), then save and synchronise the configuration.`);
  } else if (executed)
    for (const n of r.nodes) if (!doneOn(n.name, n.address)) out.push(`Balancer node ${n.name} (${n.address}): no completed step in the journal — apply the balancer configuration there.`);
  if (executed) {
    for (const x of s.servers)
      if (!doneOn(x.label, x.address, x.hostname))
        out.push(`Print server ${x.label} (${x.address}): no completed step in the journal — run \`servers/${x.label}/prepare.ps1\` (by PrintHA or from the script pack, then \`printha import\`), and reboot it.`);
    const failed = journal.filter((e) => e.kind === 'step-end' && e.result === 'failed');
    const lastFailed = new Map<string, JournalEvent>();
    for (const e of failed) lastFailed.set(`${e.host ?? ''}\u0000${e.step ?? ''}`, e);
    for (const [k, e] of lastFailed) {
      const later = done.some((d) => `${d.host ?? ''}\u0000${d.step ?? ''}` === k && d.t >= e.t);
      if (!later) out.push(`Failed and not completed since: ${md(e.host ?? '')} ${md(e.title ?? e.step ?? '')}${e.message ? ` — ${md(e.message)}` : ''}.`);
    }
  }
  if (!verify) out.push(executed ? 'Verify the service: `printha verify <site.yaml>` (no verification report is saved for this site yet).' : 'After the change: verify the service (`printha verify <site.yaml>`) and export this runbook again as the record.');
  else if (!verify.ok) out.push(`The last verification (${verify.startedAt}) has FAILED checks: fix them and verify again.`);
  if (!s.balancer.secondary) out.push('Recommended: add a secondary balancer to form an HA pair.');
  out.push('Sign-off: the field engineer and the customer sign the block at the end of this runbook.');
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
  if (input.facts && (input.facts.servers?.length || input.facts.balancer?.length)) blocks.push(...factsBlocks(input.facts));
  if (input.plan) blocks.push(...planBlocks(input.plan));
  if (input.journal) blocks.push(...journalBlocks(input.journal));
  if (input.verify) blocks.push(...verifyBlocks(input.verify));
  blocks.push({ kind: 'heading', level: 1, text: 'Manual steps left', id: 'remaining' });
  blocks.push({ kind: 'list', ordered: false, items: remainingSteps(r, input.journal ?? [], input.verify) });
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
  return { title: `PrintHA runbook: ${md(r.site.name)}`, subtitle: `Generated by PrintHA ${input.generatedAt}`, blocks };
}
