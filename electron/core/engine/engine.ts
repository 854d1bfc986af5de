/**
 * The engine (electron/core/engine/api.ts) for the balancer part: discover -> facts, plan -> the
 * per-host plan (diffs, lbcli commands, ordered steps), apply -> the drivers, with the journal
 * (JSONL in the site's state directory, redacted) and `resume`. The Windows servers go through a
 * ServerEngine (servers.ts); verify is electron/core/probes/verify.ts with this engine's ServerEngine,
 * so verify.ps1 runs through the same sessions layer as apply.
 */
import { join } from 'node:path';
import { ContractCallError } from '../../../shared/contract/errors.js';
import { scopeNote } from '../../../shared/contract/scope.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { SiteFacts } from '../../../shared/model/facts.js';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import type { HostPlan, Plan } from '../../../shared/plan/model.js';
import type { Finding } from '../../../shared/rules/finding.js';
import { applyBlockers, runRules } from '../../../shared/rules/index.js';
import type { Site } from '../../../shared/site/schema.js';
import type { VerifyReport } from '../../../shared/verify/report.js';
import { verifySite } from '../probes/verify.js';
import { defaultDrivers, driverFor, type BalancerDriver, type DriverContext } from '../drivers/index.js';
import { completedSteps, JournalWriter, newRunId, readJournal } from '../runner/journal.js';
import { SecretSet } from '../runner/redact.js';
import { loadLatest, saveLatest, type LatestKind, type LatestKinds } from '../runner/state.js';
import { StepRecorder } from '../runner/steps.js';
import type { SshStats } from '../ssh/index.js';
import type { ApplyOptions, ApplyResult, Engine, RunContext } from './api.js';
import { SshConnector, type ConnectorOptions } from './connector.js';
import { defaultServerEngine, type ServerEngine } from './servers.js';

export interface EngineOptions extends ConnectorOptions {
  /** Where the journal of a site lives (the CLI: stateDirFor(site file)). */
  stateDir: string | ((site: Site) => string);
  serverEngine?: ServerEngine;
  drivers?: Partial<Record<string, BalancerDriver>>;
  /** Per remote command. Default 60 s. */
  commandTimeoutMs?: number;
  /** How long the VIP may take to settle after a reload. Default 15 s. */
  vipSettleMs?: number;
  /** Its secrets (PRINTHA_SSH_PASSWORD, … see redact.ts) are redacted from the journal and saved state. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export const JOURNAL_FILE = 'journal.jsonl';

/** Discover + rule findings, as `printha discover` shows them. */
export interface DiscoverResult {
  facts: SiteFacts;
  findings: Finding[];
}

/** `ctx` with every credential it hands out (Windows passwords too) added to `secrets`, so what a run saves can be redacted. */
export function capturingSecrets(ctx: RunContext, secrets: SecretSet): RunContext {
  return {
    ...ctx,
    credential: async (req) => {
      const v = await ctx.credential(req);
      secrets.add(v);
      return v;
    },
  };
}

export class PrintHaEngine implements Engine {
  private readonly secrets = new SecretSet();
  private readonly connector: SshConnector;
  private readonly servers: ServerEngine;
  private readonly drivers: Partial<Record<string, BalancerDriver>>;

  constructor(private readonly opts: EngineOptions) {
    this.secrets.addFromEnv(opts.env ?? process.env);
    this.connector = new SshConnector(opts, this.secrets);
    this.servers = opts.serverEngine ?? defaultServerEngine();
    this.drivers = opts.drivers ?? defaultDrivers();
  }

  /** SSH counters per host:port:user (connections, commands, uploads) since the engine started. */
  sshStats(): Record<string, SshStats> {
    return this.connector.stats();
  }

  async close(): Promise<void> {
    await this.connector.close();
  }

  private stateDir(site: Site): string {
    return typeof this.opts.stateDir === 'string' ? this.opts.stateDir : this.opts.stateDir(site);
  }

  private journal(site: Site, run: string): JournalWriter {
    return new JournalWriter(join(this.stateDir(site), JOURNAL_FILE), run, this.secrets.redactor());
  }

  /**
   * Saves the latest plan / facts for `printha runbook` and the app's runbook export (redacted with
   * the secrets this engine was given). Facts of a partial run (--only) keep the other half from before.
   */
  private saveLatest<K extends LatestKind>(site: Site, kind: K, value: LatestKinds[K], note: (message: string) => void, only?: 'balancer' | 'servers'): void {
    try {
      const dir = this.stateDir(site);
      let v = value;
      if (kind === 'facts' && only) {
        const prev = loadLatest(dir, 'facts')?.value;
        const keep = only === 'balancer' ? 'servers' : 'balancer';
        if (prev?.[keep]) v = { ...(value as SiteFacts), [keep]: prev[keep] } as LatestKinds[K];
      }
      saveLatest(dir, kind, v, this.secrets.redactor());
    } catch (e) {
      note(`the latest ${kind} was not saved for the runbook: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private driverCtx(ctx: RunContext, recorder: StepRecorder, runId: string, resumeRun?: string): DriverContext {
    return {
      connect: (node) => this.connector.connect(node, ctx),
      recorder,
      runId,
      commandTimeoutMs: this.opts.commandTimeoutMs ?? 60_000,
      vipSettleMs: this.opts.vipSettleMs ?? 15_000,
      ...(resumeRun ? { resumeRun } : {}),
      sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
  }

  /** Starts a journaled run: run-start written, the recorder wired to the journal and ctx.onEvent. */
  private startRun(site: Site, ctx: RunContext, verb: 'discover' | 'plan' | 'apply', completed?: ReadonlySet<string>) {
    const runId = newRunId();
    const journal = this.journal(site, runId);
    const emit = (e: Omit<JournalEvent, 't' | 'run'>): void => ctx.onEvent(journal.write(e));
    emit({ kind: 'run-start', verb, message: `${verb} ${site.name}` });
    const recorder = new StepRecorder(journal, (e) => ctx.onEvent(e), completed);
    const end = (message: string, result: 'ok' | 'failed'): void => {
      emit({ kind: 'run-end', verb, result, message });
      journal.close();
    };
    // journal only (the runbook reads it): the caller already shows the same text live
    const record = (e: Omit<JournalEvent, 't' | 'run'>): void => void journal.write(e);
    return { runId, recorder, end, emit, record };
  }

  private async discoverWith(r: ResolvedSite, ctx: RunContext, recorder: StepRecorder, runId: string, only?: 'balancer' | 'servers'): Promise<SiteFacts> {
    const driver = driverFor(r.site.balancer.platform, this.drivers);
    const [balancer, servers] = await Promise.all([
      only === 'servers' || !driver ? Promise.resolve(undefined) : driver.discover(r, this.driverCtx(ctx, recorder, runId)),
      only === 'balancer' ? Promise.resolve(undefined) : this.servers.discover(r, ctx),
    ]);
    const facts: SiteFacts = { collectedAt: new Date().toISOString() };
    if (balancer) facts.balancer = balancer;
    if (servers) facts.servers = servers;
    return facts;
  }

  async discover(site: Site, ctx: RunContext, only?: 'balancer' | 'servers'): Promise<SiteFacts> {
    return (await this.discoverWithFindings(site, ctx, only)).facts;
  }

  async discoverWithFindings(site: Site, given: RunContext, only?: 'balancer' | 'servers'): Promise<DiscoverResult> {
    const ctx = capturingSecrets(given, this.secrets);
    const r = resolveSite(site);
    const run = this.startRun(site, ctx, 'discover');
    try {
      const facts = await this.discoverWith(r, ctx, run.recorder, run.runId, only);
      const findings = runRules(site, facts);
      this.saveLatest(site, 'facts', facts, (message) => run.emit({ kind: 'note', message }), only);
      run.end(`discovered ${facts.balancer?.filter((b) => b.reachable).length ?? 0} balancer node(s)`, 'ok');
      return { facts, findings };
    } catch (e) {
      run.end(e instanceof Error ? e.message : String(e), 'failed');
      throw e;
    }
  }

  /** The plan from facts (pure part): per host, steps and diffs, in apply order. */
  planFromFacts(site: Site, facts: SiteFacts, only?: 'balancer' | 'servers'): Plan {
    const r = resolveSite(site);
    const driver = driverFor(site.balancer.platform, this.drivers);
    const hosts: HostPlan[] = [];
    const order: string[] = [];
    const notes: string[] = only ? [scopeNote(site, only)] : [];
    if (only !== 'servers') {
      if (driver) {
        const p = driver.plan(r, facts.balancer ?? []);
        hosts.push(...p.hosts);
        order.push(...p.order);
        notes.push(...p.notes);
      } else {
        const file = site.balancer.platform === 'f5-bigip' ? 'balancer/tmsh.txt' : 'balancer/netscaler.conf';
        for (const n of r.nodes)
          hosts.push({
            host: n.name,
            role: 'balancer',
            address: n.address,
            steps: [{ id: 'manual', title: `Load ${file} on ${n.name} by hand`, kind: 'manual', changes: true, note: `PrintHA generates the ${site.balancer.platform} configuration only` }],
            diffs: [],
            changes: [],
            upToDate: false,
            notes: [`${site.balancer.platform}: PrintHA generates ${file} (printha render); load it on the device by hand.`],
          });
      }
    }
    if (only !== 'balancer') {
      const sp = this.servers.plan(r, facts.servers ?? []);
      hosts.push(...sp);
      order.push(...sp.map((h) => h.host));
    }
    for (const f of runRules(site, facts)) if (f.severity === 'error') notes.push(`ERROR [${f.rule}] ${f.message} Fix: ${f.fix}`);
    return { site: site.name, createdAt: new Date().toISOString(), order, hosts, upToDate: hosts.every((h) => h.upToDate), notes };
  }

  async plan(site: Site, given: RunContext, only?: 'balancer' | 'servers'): Promise<Plan> {
    const ctx = capturingSecrets(given, this.secrets);
    const r = resolveSite(site);
    const run = this.startRun(site, ctx, 'plan');
    try {
      const facts = await this.discoverWith(r, ctx, run.recorder, run.runId, only);
      const plan = this.planFromFacts(site, facts, only);
      const note = (message: string): void => run.emit({ kind: 'note', message });
      this.saveLatest(site, 'facts', facts, note, only);
      this.saveLatest(site, 'plan', plan, note);
      run.end(plan.upToDate ? 'no changes' : `${plan.hosts.filter((h) => !h.upToDate).length} host(s) to change`, 'ok');
      return plan;
    } catch (e) {
      run.end(e instanceof Error ? e.message : String(e), 'failed');
      throw e;
    }
  }

  /** The apply run to resume: the last apply in the journal that did not end ok. */
  private resumeTarget(site: Site): { run: string; completed: Set<string> } | undefined {
    const events = readJournal(join(this.stateDir(site), JOURNAL_FILE));
    const applies = events.filter((e) => e.kind === 'run-start' && e.verb === 'apply').map((e) => e.run);
    const lastRun = applies[applies.length - 1];
    if (!lastRun) return undefined;
    const ended = events.find((e) => e.run === lastRun && e.kind === 'run-end');
    if (ended?.result === 'ok') return undefined;
    return { run: lastRun, completed: completedSteps(events.filter((e) => e.run === lastRun)) };
  }

  async apply(site: Site, given: RunContext, opts: ApplyOptions): Promise<ApplyResult> {
    const ctx = capturingSecrets(given, this.secrets);
    if (!opts.confirmed)
      throw new ContractCallError({
        code: 'failed',
        message: 'Apply changes hosts and needs the engineer\'s confirmation of the plan (the wizard\'s confirm, or --yes on the command line). Nothing was changed.',
      });
    this.connector.resetFailures();
    const r = resolveSite(site);
    const resume = opts.resume ? this.resumeTarget(site) : undefined;
    const run = this.startRun(site, ctx, 'apply', resume?.completed);
    const hostStates: ApplyResult['hostStates'] = [];
    let changed = false;
    try {
      if (opts.resume) run.emit({ kind: 'note', message: resume ? `resuming run ${resume.run} (${resume.completed.size} step(s) completed there; each is re-checked on the host)` : 'nothing to resume: the last apply completed (or none ran); applying normally' });
      const facts = await this.discoverWith(r, ctx, run.recorder, run.runId, opts.only);
      // The runbook records what this apply started from: the facts and the plan it carries out.
      const note = (message: string): void => run.emit({ kind: 'note', message });
      this.saveLatest(site, 'facts', facts, note, opts.only);
      this.saveLatest(site, 'plan', this.planFromFacts(site, facts, opts.only), note);
      const errors = applyBlockers(site, facts, opts.only);
      if (errors.length > 0) {
        for (const f of errors) run.emit({ kind: 'note', message: `refused: [${f.rule}] ${f.message}` });
        for (const n of r.nodes) {
          if (opts.only === 'servers') break;
          const bf = facts.balancer?.find((b) => b.address === n.address);
          const why =
            bf && !bf.reachable
              ? `${n.name} could not be reached at step "connect": ${bf.error ?? 'unknown error'}`
              : `apply was refused before any change, because the preflight with the discovered facts has errors: ${errors.map((f) => f.message).join(' ')}`;
          hostStates.push({ host: n.name, ok: false, state: `not changed: ${why}` });
        }
        if (opts.only !== 'balancer')
          for (const s of site.servers) {
            const sf = facts.servers?.find((x) => x.label === s.label);
            hostStates.push({
              host: s.label,
              ok: false,
              state:
                sf && !sf.reachable
                  ? `not changed: ${sf.error ?? 'unreachable'}. Run servers/${s.label}/prepare.ps1 on ${s.label} by hand`
                  : 'not changed: apply was refused before any change, because the preflight with the discovered facts has errors',
            });
          }
        for (const h of hostStates) run.record({ kind: 'note', host: h.host, message: `final state: ${h.state}` });
        run.end(`refused: ${errors.length} error(s) after discovery`, 'failed');
        return { ok: false, runId: run.runId, hostStates, changed: false };
      }

      if (opts.only !== 'servers') {
        const driver = driverFor(site.balancer.platform, this.drivers);
        if (!driver) {
          for (const n of r.nodes) hostStates.push({ host: n.name, ok: false, state: `not changed: PrintHA does not drive ${site.balancer.platform}; load the generated configuration by hand` });
        } else {
          const outcomes = await driver.apply(r, facts.balancer ?? [], this.driverCtx(ctx, run.recorder, run.runId, resume?.run));
          for (const o of outcomes) {
            changed ||= o.changed;
            const why = o.ok || !o.failedStep ? '' : ` — failed at step "${o.failedStep}": ${o.reason ?? 'see the journal'}`;
            hostStates.push({ host: o.host, ok: o.ok, state: `${o.state}${why}` });
          }
        }
      }
      if (opts.only !== 'balancer') {
        const outcomes = await this.servers.apply(r, facts.servers ?? [], ctx, run.recorder);
        for (const o of outcomes) {
          changed ||= o.changed;
          hostStates.push({ host: o.host, ok: o.ok, state: o.state });
        }
      }
      const ok = hostStates.every((h) => h.ok);
      // the journal (and so the runbook) says where every host ended, not only which steps ran
      for (const h of hostStates) run.record({ kind: 'note', host: h.host, message: `final state: ${h.state}` });
      run.end(ok ? (changed ? 'applied' : 'no changes') : `failed on ${hostStates.filter((h) => !h.ok).map((h) => h.host).join(', ')}`, ok ? 'ok' : 'failed');
      return { ok, runId: run.runId, hostStates, changed };
    } catch (e) {
      run.end(e instanceof Error ? e.message : String(e), 'failed');
      throw e;
    }
  }

  /** The verification (probes/verify.ts); the Windows-side checks go through this engine's server engine. */
  verify(site: Site, given: RunContext, opts: { drill?: boolean; only?: 'balancer' | 'servers' }): Promise<VerifyReport> {
    return verifySite(site, capturingSecrets(given, this.secrets), { ...opts, servers: this.servers });
  }
}
