/**
 * bench/job: the guide's whole job on the lab, from clean, in one run (issue 14 item 6):
 * `printha apply examples/lab-snat.yaml --yes` then `printha verify`, the real CLI in pha-client.
 * Timed per phase from the apply's own journal (step-start/step-end times) and the verify's wall
 * time:
 *   discover    apply start -> the first balancer change (discovery of every host + preflight)
 *   plan        the planner on the facts that apply discovered (in this process, pure)
 *   balancer    the balancer push (backup, upload, validate, reload, VIP confirmed)
 *   servers     prepare.ps1 on the print servers
 *   dns         dns/record.ps1
 *   reboot X    Restart-Computer on X; wait X: until X answers with a new boot time
 *   verify      printha verify (every check, verify.ps1 on every server)
 * Target: everything except the reboot waits under 2 minutes. Prints the table and the slowest phase.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrintHaEngine } from '../electron/core/engine/engine.js';
import { UnavailableServerEngine } from '../electron/core/engine/servers.js';
import { readJournal } from '../electron/core/runner/journal.js';
import { loadLatest } from '../electron/core/runner/state.js';
import type { JournalEvent } from '../shared/journal/events.js';
import { loadSiteYaml } from '../shared/site/load.js';
import { resetBalancers } from '../test/integration/appliance-lab.js';
import { CLIENT_NETNS, hasPwsh, labEnv, labIsUp, labUnavailableReason, winFaultReset, winReset, type WinNode } from '../test/lab/lab.js';
import { round, type BenchResults } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SITE = 'examples/lab-snat.yaml';
const TARGET_S = 120;

export const title = 'job';

export function unavailable(): string | undefined {
  const why = labUnavailableReason();
  if (why) return `needs the lab: ${why}`;
  if (!hasPwsh()) return 'pwsh is not installed (dotnet tool install --global PowerShell --version 7.6.10, ~/.dotnet/tools on PATH)';
  return undefined;
}

/** The real CLI inside pha-client; resolves with its exit code and wall time. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; ms: number; out: string }> {
  return new Promise((res) => {
    const t0 = performance.now();
    const c = spawn('ip', ['netns', 'exec', CLIENT_NETNS, join(ROOT, 'node_modules/.bin/tsx'), 'electron/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += String(d)));
    c.stderr.on('data', (d: Buffer) => (out += String(d)));
    c.on('close', (code) => res({ code: code ?? -1, ms: performance.now() - t0, out }));
  });
}

interface Phase {
  name: string;
  ms: number;
  /** a reboot wait: excluded from the target */
  wait?: boolean;
}

/** Phases of one apply run from its journal events. */
export function phasesOf(events: readonly JournalEvent[], servers: readonly string[]): Phase[] {
  const t = (e: JournalEvent): number => Date.parse(e.t);
  const start = events.find((e) => e.kind === 'run-start');
  const steps = events.filter((e) => e.kind === 'step-start' || e.kind === 'step-end');
  const isServer = (e: JournalEvent): boolean => !!e.host && servers.includes(e.host);
  const span = (pred: (e: JournalEvent) => boolean): number => {
    const xs = steps.filter(pred);
    return xs.length ? t(xs[xs.length - 1]!) - t(xs[0]!) : 0;
  };
  const balancerStep = (e: JournalEvent): boolean => !!e.host && !isServer(e) && e.host !== 'dns' && e.step !== 'discover';
  const firstChange = steps.find(balancerStep) ?? steps.find((e) => e.step !== 'discover');
  const out: Phase[] = [{ name: 'discover', ms: start && firstChange ? t(firstChange) - t(start) : 0 }];
  out.push({ name: 'balancer', ms: span(balancerStep) });
  out.push({ name: 'servers', ms: span((e) => isServer(e) && (e.step?.startsWith('prepare') ?? false)) });
  out.push({ name: 'dns', ms: span((e) => e.host === 'dns') });
  for (const s of servers) {
    const end = (step: string): number => events.find((e) => e.kind === 'step-end' && e.host === s && e.step === step)?.durationMs ?? 0;
    out.push({ name: `reboot ${s}`, ms: end('reboot') });
    out.push({ name: `wait ${s}`, ms: end('wait'), wait: true });
  }
  return out;
}

export async function run(): Promise<BenchResults> {
  const why = unavailable();
  if (why) throw new Error(why);
  if (!(await labIsUp())) throw new Error('the lab is not up: run the bench through `npm run bench`, which brings it up');
  const env = await labEnv();
  const loaded = loadSiteYaml(readFileSync(join(ROOT, SITE), 'utf8'));
  if (!loaded.ok) throw new Error(`${SITE} does not load`);
  const site = loaded.site;
  const servers = site.servers.map((s) => s.label);

  // from clean: balancers as after lab up, every Windows stand-in a clean server
  await resetBalancers();
  for (const n of ['pha-ps1', 'pha-ps2', 'pha-dns'] as WinNode[]) {
    await winFaultReset(n);
    await winReset(n);
  }
  const state = mkdtempSync(join(tmpdir(), 'printha-bench-job-'));
  // the lab's environment (the laptop-side RSAT stand-in reads it too), PrintHA's trust = the lab's keys
  const e = { ...env, PRINTHA_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS, PRINTHA_STATE_DIR: state, SSH_AUTH_SOCK: '' };
  const applied = await cli(['apply', SITE, '--yes', '--json'], e);
  if (applied.code !== 0) throw new Error(`apply failed (exit ${applied.code}):\n${applied.out.slice(-3000)}`);
  const verified = await cli(['verify', SITE, '--json'], e);
  if (verified.code !== 0) throw new Error(`verify failed (exit ${verified.code}):\n${verified.out.slice(-3000)}`);

  const dir = join(state, readdirSync(state)[0]!);
  const journal = readJournal(join(dir, 'journal.jsonl'));
  const phases = phasesOf(journal, servers);
  // the planner on the facts this apply discovered (pure; no host is contacted)
  const facts = loadLatest(dir, 'facts')?.value;
  if (!facts) throw new Error('apply saved no facts');
  const planner = new PrintHaEngine({ stateDir: join(state, 'plan-only'), env: {}, serverEngine: new UnavailableServerEngine({ PATH: '' }) });
  const p0 = performance.now();
  planner.planFromFacts(site, facts);
  phases.splice(1, 0, { name: 'plan', ms: performance.now() - p0 });
  await planner.close();
  phases.push({ name: 'verify', ms: verified.ms });

  const waits = phases.filter((p) => p.wait).reduce((s, p) => s + p.ms, 0);
  const jobMs = applied.ms + verified.ms;
  const work = (jobMs - waits) / 1000;
  const slowest = phases.filter((p) => !p.wait).reduce((a, b) => (b.ms > a.ms ? b : a));
  process.stderr.write(
    `bench job: ${phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s${p.wait ? ' (wait)' : ''}`).join(', ')}; whole job ${(jobMs / 1000).toFixed(1)} s, without the reboot waits ${work.toFixed(1)} s; slowest phase: ${slowest.name}\n`,
  );
  const out: BenchResults = {
    'job.total_without_reboot_waits': {
      value: round(work, 1),
      unit: 's',
      target: `< ${TARGET_S} s`,
      ok: work < TARGET_S,
      note: `apply + verify of ${SITE} from a clean lab, minus the reboot waits (${(waits / 1000).toFixed(1)} s); slowest phase: ${slowest.name} (${(slowest.ms / 1000).toFixed(1)} s)`,
    },
    'job.total': { value: round(jobMs / 1000, 1), unit: 's', ok: true, note: 'apply + verify wall time, reboot waits included' },
  };
  for (const p of phases) out[`job.${p.name.replace(/\s+/g, '_')}`] = { value: round(p.ms / 1000, 2), unit: 's', ok: true, note: p.wait ? 'reboot wait (not counted in the target)' : `phase ${p.name}` };
  return out;
}
