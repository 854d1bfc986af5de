/**
 * WindowsServerEngine: the ServerEngine (electron/core/engine/servers.ts) that prepares the Windows
 * print servers over PowerShell remoting.
 *
 *  discover  verify.ps1 on every server in parallel (bounded) → ServerFacts; in the same pass the
 *            read-only prepare.ps1 -DryRun per server and, when the site has a dns section,
 *            dns/record.ps1 -DryRun on this machine. The dry runs are kept for plan().
 *  plan      per server: the steps the dry run says would change, with before/after, then the
 *            rolling reboot and the wait; the DNS record as its own host ("dns").
 *  apply     1. prepare.ps1 on every reachable server in parallel (bounded); every step of its result
 *               (changed / unchanged / failed, before / after) goes into the journal. A failing step
 *               on one server does not stop the others.
 *            2. dns/record.ps1 on THIS machine, against the DNS server with -ComputerName (running it
 *               inside a print-server session would be a Kerberos second hop).
 *            3. rolling reboot of the servers whose preparation needs one: one server at a time,
 *               Restart-Computer -Force through its session, then wait until remoting answers again
 *               with a NEW boot time (verify.ps1's lastBootTime) and the product services that ran
 *               before run again, within a timeout. A server that does not come back stops the
 *               rolling reboot; the servers after it are left untouched, and the report says so.
 *               Option `reboot: false` skips this step (the outcomes say which servers still need it).
 *
 * The session layer is injected (RemoteShell): the real one is PowerShellRemoteShell (one long-lived
 * local PowerShell, a PSSession per server); the unit tests use a strict fake of Windows hosts.
 */
import type { ServerFacts } from '../../../shared/model/facts.js';
import type { ResolvedSite } from '../../../shared/model/resolve.js';
import type { HostPlan, PlanStep, ValueChange } from '../../../shared/plan/model.js';
import { renderDnsRecordScript, dnsRecordManualStep } from '../../../shared/render/powershell/dns.js';
import { renderPrepareScript } from '../../../shared/render/powershell/prepare.js';
import {
  parseDnsResult,
  parsePrepareResult,
  parseVerifyReport,
  type DnsResult,
  type PrepareResult,
  type StepRecord,
} from '../../../shared/render/powershell/result.js';
import { renderVerifyScript } from '../../../shared/render/powershell/verify.js';
import type { Site } from '../../../shared/site/schema.js';
import type { StepResult } from '../../../shared/journal/events.js';
import type { RunContext } from '../engine/api.js';
import type { ServerEngine, ServerOutcome, ServerVerification } from '../engine/servers.js';
import { mapLimit } from '../probes/limit.js';
import { envRedactor } from '../runner/redact.js';
import { StepFailed, StepRecorder, type StepOutcome } from '../runner/steps.js';
import type { PowerShellFound } from './find.js';
import { RemoteError, type RemoteShell } from './remoting.js';
import { PowerShellRunner } from './runner.js';
import { PowerShellRemoteShell } from './session.js';
import { sshTrustCheck } from './ssh-trust.js';

/**
 * Runs on the server through its session: remembers the boot time, asks Windows to restart, and
 * answers before the connection drops (Restart-Computer returns once the shutdown is initiated).
 * Windows PowerShell 3.0 compatible, like every script sent to a server.
 */
export const RESTART_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$phaOs = Get-CimInstance -ClassName Win32_OperatingSystem',
  "$phaBoot = ([datetime]$phaOs.LastBootUpTime).ToUniversalTime().ToString('s') + 'Z'",
  'Restart-Computer -Force',
  "$phaOut = [pscustomobject]@{ kind = 'printha.restart'; version = 1; computerName = [string]$env:COMPUTERNAME; bootTimeBefore = $phaBoot }",
  'ConvertTo-Json -InputObject $phaOut -Compress',
].join('\n');

export interface WindowsEngineOptions {
  /** The PowerShell executable (findPowerShell). Needed unless `shell` is given. */
  found?: PowerShellFound;
  /** Creates the session layer for one discover/apply call (default: PowerShellRemoteShell over `found`). */
  shell?: (r: ResolvedSite, ctx: RunContext) => RemoteShell;
  /** Servers worked on at the same time (discovery, preparation). Default 4. */
  parallel?: number;
  verifyTimeoutMs?: number;
  prepareTimeoutMs?: number;
  dnsTimeoutMs?: number;
  restartTimeoutMs?: number;
  /** How long one server may take to come back after Restart-Computer. Default 20 min. */
  rebootTimeoutMs?: number;
  /** Pause between two probes while a server restarts. Default 5 s. */
  rebootPollMs?: number;
  /**
   * Rolling reboot after the preparation. Default true. false: apply stops after prepare.ps1 and the
   * DNS record; a server whose changes need a restart is reported as NOT restarted (not ok).
   */
  reboot?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

interface DiscoveryCache {
  key: string;
  prepare: Map<string, PrepareResult | Error>;
  dns?: DnsResult | Error;
}

type RebootState =
  | { kind: 'not-needed' }
  | { kind: 'done'; bootAfter: string; services: string[] }
  | { kind: 'restart-failed'; message: string }
  | { kind: 'no-return'; message: string }
  | { kind: 'held'; because: string }
  | { kind: 'held-by-failure' };

interface ServerRun {
  label: string;
  facts?: ServerFacts;
  unreachable?: string;
  prepareError?: string;
  result?: PrepareResult;
  reboot: RebootState;
}

const JOURNAL_RESULT: Record<StepRecord['status'], StepResult> = {
  changed: 'changed',
  unchanged: 'unchanged',
  failed: 'failed',
  skipped: 'skipped',
  'would-change': 'skipped',
};

/** A title an engineer reads for a step id of prepare.ps1 / dns/record.ps1. */
export function stepTitle(step: string): string {
  const [a, b, ...rest] = step.split(':');
  const tail = rest.join(':');
  if (a === 'loopback') {
    if (b === 'adapter') return 'Loopback adapter (Microsoft KM-TEST Loopback Adapter) installed';
    if (b === 'name') return 'Loopback adapter name';
    if (b === 'bindings') return 'Loopback adapter bindings (IP and File and Printer Sharing only)';
    if (b === 'address') return `VIP ${tail} on the loopback adapter`;
    if (b === 'weakhost') return 'Weak host send/receive on the loopback adapter';
    if (b === 'dns-registration') return 'Loopback adapter not registered in DNS';
  }
  if (a === 'lan' && b === 'no-vip') return 'VIP not configured on a LAN interface';
  if (a === 'lan' && b === 'weakhost')
    return tail ? `Weak host receive on LAN interface ${tail}` : 'Weak host receive on the LAN interface';
  if (a === 'registry') return `Registry value ${b ?? ''}`;
  if (a === 'netbios' && b === 'registry')
    return tail ? `NetBIOS over TCP/IP off (registry, ${tail})` : 'NetBIOS over TCP/IP off (registry)';
  if (a === 'netbios') return b ? `NetBIOS over TCP/IP off on interface ${b}` : 'NetBIOS over TCP/IP off';
  if (a === 'dns') {
    if (b === 'module') return 'DnsServer PowerShell module on this machine';
    if (b === 'zone') return 'DNS zone reachable';
    if (b === 'record') return 'DNS host record for the share name';
    if (b === 'resolve') return 'Share name resolves to the VIP';
  }
  return step;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class WindowsServerEngine implements ServerEngine {
  private cache: DiscoveryCache | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: WindowsEngineOptions) {
    if (!o.shell && !o.found) throw new Error('WindowsServerEngine needs a PowerShell executable (findPowerShell) or a session layer');
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((res) => setTimeout(res, ms)));
  }

  private makeShell(r: ResolvedSite, ctx: RunContext): RemoteShell {
    if (this.o.shell) return this.o.shell(r, ctx);
    const env = this.o.env ?? process.env;
    const runner = new PowerShellRunner(this.o.found!, { redact: envRedactor(env) });
    // One trust path: the Windows servers' SSH host keys live in PrintHA's known_hosts like the balancers'.
    const knownHostsFile = env.PRINTHA_WINDOWS_KNOWN_HOSTS ?? ctx.knownHostsPath;
    return new PowerShellRemoteShell({
      runner,
      site: r.site,
      ctx,
      env,
      ...(this.o.platform ? { platform: this.o.platform } : {}),
      knownHostsFile,
      sshTrust: sshTrustCheck(ctx, knownHostsFile),
    });
  }

  private siteKey(site: Site): string {
    return JSON.stringify(site);
  }

  private get parallel(): number {
    return Math.max(1, this.o.parallel ?? 4);
  }

  private async verifyOn(shell: RemoteShell, r: ResolvedSite, label: string, timeoutMs: number) {
    return parseVerifyReport(await shell.invoke(label, renderVerifyScript(r, label), timeoutMs));
  }

  // ------------------------------------------------------------------ discover

  async discover(r: ResolvedSite, ctx: RunContext): Promise<ServerFacts[]> {
    const shell = this.makeShell(r, ctx);
    const prepare = new Map<string, PrepareResult | Error>();
    try {
      const facts = await mapLimit(r.site.servers, this.parallel, async (s): Promise<ServerFacts> => {
        let f: ServerFacts;
        try {
          const rep = await this.verifyOn(shell, r, s.label, this.o.verifyTimeoutMs ?? 120_000);
          f = { ...rep.facts, label: s.label };
        } catch (e) {
          return e instanceof RemoteError
            ? { label: s.label, reachable: false, error: e.message }
            : { label: s.label, reachable: true, error: errMessage(e) };
        }
        try {
          prepare.set(
            s.label,
            parsePrepareResult(
              await shell.invoke(s.label, renderPrepareScript(r, s.label, { dryRun: true }), this.o.verifyTimeoutMs ?? 120_000),
            ),
          );
        } catch (e) {
          prepare.set(s.label, e instanceof Error ? e : new Error(String(e)));
        }
        return f;
      });
      let dns: DnsResult | Error | undefined;
      if (r.site.dns) {
        try {
          dns = parseDnsResult(await shell.invokeLocal(renderDnsRecordScript(r, { dryRun: true }), this.o.dnsTimeoutMs ?? 120_000));
        } catch (e) {
          dns = e instanceof Error ? e : new Error(String(e));
        }
      }
      this.cache = { key: this.siteKey(r.site), prepare, ...(dns ? { dns } : {}) };
      return facts;
    } finally {
      await shell.close();
    }
  }

  // ------------------------------------------------------------------ verify

  /**
   * verify.ps1 on every server, in parallel (bounded), through one session layer: what
   * `printha verify` and the wizard's Verify report as the Windows-side checks. Read-only.
   */
  async verify(r: ResolvedSite, ctx: RunContext): Promise<ServerVerification[]> {
    const shell = this.makeShell(r, ctx);
    try {
      return await mapLimit(r.site.servers, this.parallel, async (s): Promise<ServerVerification> => {
        const command = `servers/${s.label}/verify.ps1 over PowerShell remoting (${r.site.windows.transport}) to ${s.hostname ?? s.address}`;
        const t0 = this.now();
        try {
          const raw = await shell.invoke(s.label, renderVerifyScript(r, s.label), this.o.verifyTimeoutMs ?? 120_000);
          const report = parseVerifyReport(raw);
          return { label: s.label, command, report, output: typeof raw === 'string' ? raw : JSON.stringify(raw), ms: this.now() - t0 };
        } catch (e) {
          return { label: s.label, command, error: errMessage(e), ...(e instanceof RemoteError ? { unreachable: true } : {}), ms: this.now() - t0 };
        }
      });
    } finally {
      await shell.close();
    }
  }

  // ------------------------------------------------------------------ plan

  plan(r: ResolvedSite, facts: readonly ServerFacts[]): HostPlan[] {
    const cache = this.cache?.key === this.siteKey(r.site) ? this.cache : undefined;
    const single = r.site.servers.length === 1;
    const plans = r.site.servers.map((s) =>
      this.planServer(
        r,
        s.label,
        s.address,
        facts.find((f) => f.label === s.label),
        cache?.prepare.get(s.label),
        single,
      ),
    );
    if (r.site.dns) plans.push(this.planDns(r, cache?.dns));
    else if (plans[0]) plans[0].notes.push(`DNS record: manual step (the site has no dns section). ${dnsRecordManualStep(r)}`);
    return plans;
  }

  private rebootSteps(single: boolean): PlanStep[] {
    return [
      {
        id: 'reboot',
        title: 'Restart the server (Restart-Computer -Force), one server at a time',
        kind: 'reboot',
        command: 'Invoke-Command -Session $s -ScriptBlock { Restart-Computer -Force }',
        changes: true,
        ...(single ? { note: 'the site has one server only: the print service is down while it restarts' } : {}),
      },
      {
        id: 'wait',
        title: 'Wait until remoting answers with a new boot time and the product services run again',
        kind: 'wait',
        changes: false,
        note: 'a server that does not come back stops the rolling reboot; the next servers are not restarted',
      },
    ];
  }

  private planServer(
    r: ResolvedSite,
    label: string,
    address: string,
    f: ServerFacts | undefined,
    dry: PrepareResult | Error | undefined,
    single: boolean,
  ): HostPlan {
    const file = `servers/${label}/prepare.ps1`;
    const base = { host: label, role: 'server' as const, address, diffs: [] };
    const blind = (why: string): HostPlan => ({
      ...base,
      steps: [
        { id: 'prepare', title: `Run ${file} (idempotent)`, kind: 'powershell', command: file, changes: true, note: why },
        ...this.rebootSteps(single),
      ],
      changes: [],
      upToDate: false,
      notes: [why],
    });
    if (!f || !f.reachable) {
      const why = f?.error ?? `${label} was not discovered`;
      return { ...blind(why), unreachable: why };
    }
    if (!dry) return blind('no dry run of prepare.ps1 in this session: the changes are listed after a discovery');
    if (dry instanceof Error) return blind(`the dry run of prepare.ps1 failed: ${dry.message}`);
    const steps: PlanStep[] = [];
    const changes: ValueChange[] = [];
    const notes: string[] = [];
    for (const s of dry.steps) {
      if (s.status === 'would-change') {
        steps.push({
          id: `prepare:${s.step}`,
          title: `${stepTitle(s.step)}: ${show(s.before)} → ${show(s.after)}`,
          kind: 'powershell',
          command: `${file} (step ${s.step})`,
          changes: true,
          ...(s.message ? { note: s.message } : {}),
        });
        changes.push({ name: s.step, before: s.before ?? null, after: s.after ?? null });
      } else if (s.status === 'failed') {
        steps.push({
          id: `prepare:${s.step}`,
          title: `${stepTitle(s.step)}: fails in the dry run`,
          kind: 'powershell',
          command: `${file} (step ${s.step})`,
          changes: false,
          note: s.message,
        });
        notes.push(`step ${s.step} fails in the dry run: ${s.message}`);
      }
    }
    for (const e of dry.errors) if (!notes.some((n) => n.includes(e))) notes.push(`prepare.ps1 reported: ${e}`);
    const unchanged = dry.steps.filter((s) => s.status === 'unchanged').length;
    if (unchanged > 0) notes.push(`${unchanged} setting(s) already right`);
    if (f.pendingReboot)
      notes.push(
        `${label} already has a reboot pending (Windows Update, a rename or a file operation); the rolling reboot will complete it`,
      );
    const willChange = changes.length > 0;
    if (willChange) steps.push(...this.rebootSteps(single));
    return { ...base, steps, changes, upToDate: !willChange && notes.every((n) => !n.includes('fails')), notes };
  }

  private planDns(r: ResolvedSite, dry: DnsResult | Error | undefined): HostPlan {
    const dns = r.site.dns!;
    const base = { host: 'dns', role: 'dns' as const, address: dns.server, diffs: [] };
    const manual = dnsRecordManualStep(r);
    if (!dry || dry instanceof Error) {
      const why = dry
        ? `the dry run of dns/record.ps1 on this machine failed: ${dry.message}`
        : 'no dry run of dns/record.ps1 in this session';
      return {
        ...base,
        steps: [
          {
            id: 'dns:record',
            title: 'Run dns/record.ps1 on this machine (idempotent)',
            kind: 'powershell',
            command: 'dns/record.ps1',
            changes: true,
            note: why,
          },
        ],
        changes: [],
        upToDate: false,
        notes: [why, manual],
      };
    }
    const steps: PlanStep[] = [];
    const changes: ValueChange[] = [];
    const notes: string[] = [];
    for (const s of dry.steps) {
      if (s.status === 'would-change') {
        steps.push({
          id: s.step,
          title: `${stepTitle(s.step)}: ${show(s.before)} → ${show(s.after)}`,
          kind: 'powershell',
          command: `dns/record.ps1 (step ${s.step}, on this machine against ${dns.serverName ?? dns.server})`,
          changes: true,
        });
        changes.push({ name: s.step, before: s.before ?? null, after: s.after ?? null });
      } else if (s.status === 'failed') {
        steps.push({
          id: s.step,
          title: `${stepTitle(s.step)}: fails in the dry run`,
          kind: 'powershell',
          command: `dns/record.ps1 (step ${s.step})`,
          changes: false,
          note: s.message,
        });
        notes.push(`step ${s.step} fails in the dry run: ${s.message}`);
      }
    }
    if (notes.length > 0) notes.push(manual);
    return { ...base, steps, changes, upToDate: changes.length === 0 && notes.length === 0, notes };
  }

  // ------------------------------------------------------------------ apply

  async apply(
    r: ResolvedSite,
    facts: readonly ServerFacts[],
    ctx: RunContext,
    recorder: StepRecorder = new StepRecorder(undefined, () => undefined),
  ): Promise<ServerOutcome[]> {
    const shell = this.makeShell(r, ctx);
    const runs: ServerRun[] = r.site.servers.map((s) => {
      const f = facts.find((x) => x.label === s.label);
      const run: ServerRun = { label: s.label, reboot: { kind: 'not-needed' } };
      if (f) run.facts = f;
      if (f && !f.reachable) run.unreachable = f.error ?? 'not reachable';
      return run;
    });
    const outcomes: ServerOutcome[] = [];
    let dnsOutcome: ServerOutcome | undefined;
    try {
      // 1. prepare, in parallel
      await mapLimit(
        runs.filter((x) => !x.unreachable),
        this.parallel,
        (run) => this.prepareServer(r, shell, run, recorder),
      );

      // 2. DNS record, on this machine
      if (r.site.dns) dnsOutcome = await this.applyDns(r, shell, recorder);
      else recorder.note(`DNS record: manual step (the site has no dns section). ${dnsRecordManualStep(r)}`);

      // 3. rolling reboot
      // A resumed run also restarts a server whose earlier run changed it but never finished its restart.
      const needs = runs.filter(
        (x) =>
          x.result &&
          (x.result.rebootRequired || (recorder.wasCompleted(x.label, 'reboot:required') && !recorder.wasCompleted(x.label, 'wait'))),
      );
      for (const run of needs) {
        if (run.result && run.result.errors.length > 0) run.reboot = { kind: 'held-by-failure' };
      }
      const queue = needs.filter((x) => x.reboot.kind === 'not-needed');
      for (const run of queue) run.reboot = { kind: 'held', because: 'not started' };
      if (this.o.reboot === false && queue.length > 0) {
        for (const run of queue) run.reboot = { kind: 'held', because: 'restarts are turned off for this run (reboot: false)' };
        recorder.note(`restarts are turned off for this run: not restarted: ${queue.map((x) => x.label).join(', ')}`);
        queue.length = 0;
      }
      if (queue.length > 0) {
        if (r.site.servers.length === 1)
          recorder.note(`${queue[0]!.label} is the only server: the print service is down while it restarts`, queue[0]!.label);
        const down = runs.filter((x) => x.unreachable).map((x) => x.label);
        if (down.length > 0)
          recorder.note(
            `${down.join(', ')} could not be reached: while a server restarts, ${down.length === 1 ? 'it does' : 'they do'} not serve either`,
          );
      }
      for (let i = 0; i < queue.length; i++) {
        const run = queue[i]!;
        if (ctx.signal?.aborted) {
          for (const rest of queue.slice(i)) rest.reboot = { kind: 'held', because: 'apply was cancelled before its restart' };
          break;
        }
        const ok = await this.rebootOne(r, shell, run, recorder);
        if (!ok) {
          for (const rest of queue.slice(i + 1)) rest.reboot = { kind: 'held', because: `the rolling reboot stopped at ${run.label}` };
          recorder.note(
            `rolling reboot stopped at ${run.label}; not restarted: ${
              queue
                .slice(i + 1)
                .map((x) => x.label)
                .join(', ') || '(none left)'
            }`,
            run.label,
          );
          break;
        }
      }
    } finally {
      await shell.close().catch(() => undefined);
    }
    for (const run of runs) outcomes.push(this.outcome(run));
    if (dnsOutcome) outcomes.push(dnsOutcome);
    return outcomes;
  }

  private async prepareServer(r: ResolvedSite, shell: RemoteShell, run: ServerRun, recorder: StepRecorder): Promise<void> {
    const file = `servers/${run.label}/prepare.ps1`;
    try {
      await recorder.run(
        {
          host: run.label,
          step: 'prepare',
          title: `Run ${file} in the session of ${run.label}`,
          command: `Invoke-Command -Session $s -ScriptBlock ([scriptblock]::Create($script)) # $script = ${file}`,
        },
        async (): Promise<StepOutcome> => {
          const res = parsePrepareResult(
            await shell.invoke(run.label, renderPrepareScript(r, run.label), this.o.prepareTimeoutMs ?? 600_000),
          );
          run.result = res;
          const n = (st: string) => res.steps.filter((s) => s.status === st).length;
          return {
            result: 'ok',
            message: `${res.steps.length} step(s): ${n('changed')} changed, ${n('unchanged')} unchanged, ${n('failed')} failed${res.rebootRequired ? '; a restart is needed' : ''}`,
          };
        },
      );
    } catch (e) {
      run.prepareError = e instanceof StepFailed ? e.message : errMessage(e);
      return;
    }
    const res = run.result!;
    await this.recordSteps(recorder, run.label, (s) => `prepare:${s}`, file, res.steps);
    if (res.rebootRequired)
      await recorder.run(
        { host: run.label, step: 'reboot:required', title: 'Changes that take effect after a restart were made' },
        async () => ({ result: 'ok', message: 'the rolling reboot restarts this server' }),
      );
  }

  private async recordSteps(
    recorder: StepRecorder,
    host: string,
    idOf: (step: string) => string,
    file: string,
    steps: readonly StepRecord[],
  ): Promise<void> {
    for (const s of steps) {
      try {
        await recorder.run({ host, step: idOf(s.step), title: stepTitle(s.step), command: `${file} (step ${s.step})` }, async () => ({
          result: JOURNAL_RESULT[s.status],
          before: s.before ?? null,
          after: s.after ?? null,
          ...(s.message ? { message: s.message } : {}),
        }));
      } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
      }
    }
  }

  private async applyDns(r: ResolvedSite, shell: RemoteShell, recorder: StepRecorder): Promise<ServerOutcome> {
    const dns = r.site.dns!;
    const target = dns.serverName ?? dns.server;
    let res: DnsResult | undefined;
    try {
      await recorder.run(
        {
          host: 'dns',
          step: 'dns',
          title: `Run dns/record.ps1 on this machine against the DNS server ${target}`,
          command: `dns/record.ps1 (local; -ComputerName ${target})`,
        },
        async () => {
          res = parseDnsResult(await shell.invokeLocal(renderDnsRecordScript(r), this.o.dnsTimeoutMs ?? 120_000));
          return {
            result: 'ok',
            message: res.changed
              ? 'the record was created'
              : res.errors.length > 0
                ? `failed: ${res.errors.join('; ')}`
                : 'nothing to change',
          };
        },
      );
    } catch (e) {
      return {
        host: 'dns',
        ok: false,
        changed: false,
        state: `not changed: ${e instanceof StepFailed ? e.message : errMessage(e)}. ${dnsRecordManualStep(r)}`,
      };
    }
    const d = res!;
    await this.recordSteps(recorder, 'dns', (s) => s, 'dns/record.ps1', d.steps);
    const what = `${d.recordType ?? 'A'} ${d.name ?? r.site.shareName}.${d.zone ?? dns.zone} → ${d.vip ?? r.site.vip}`;
    if (d.errors.length > 0)
      return { host: 'dns', ok: false, changed: d.changed, state: `DNS record ${what} not done: ${d.errors.join('; ')}` };
    return {
      host: 'dns',
      ok: true,
      changed: d.changed,
      state: d.changed ? `DNS record ${what} created on ${target}` : `DNS record ${what} already in place on ${target}`,
    };
  }

  /** Restart one server and wait for it. False when the rolling reboot must stop. */
  private async rebootOne(r: ResolvedSite, shell: RemoteShell, run: ServerRun, recorder: StepRecorder): Promise<boolean> {
    const label = run.label;
    let bootBefore = run.facts?.lastBootTime;
    try {
      await recorder.run(
        {
          host: label,
          step: 'reboot',
          title: 'Restart the server (Restart-Computer -Force)',
          command: 'Invoke-Command -Session $s -ScriptBlock { Restart-Computer -Force }',
        },
        async () => {
          try {
            const v = (await shell.invoke(label, RESTART_SCRIPT, this.o.restartTimeoutMs ?? 120_000)) as Record<string, unknown>;
            if (typeof v?.bootTimeBefore === 'string') bootBefore = v.bootTimeBefore;
            return { result: 'changed', before: bootBefore ?? null, message: 'restart requested' };
          } catch (e) {
            // Restart-Computer may cut the connection before the answer arrives: that is the restart.
            if (e instanceof RemoteError && e.kind === 'connection-lost')
              return {
                result: 'changed',
                before: bootBefore ?? null,
                message: 'restart requested; the connection dropped as the server went down',
              };
            throw e;
          }
        },
      );
    } catch (e) {
      run.reboot = { kind: 'restart-failed', message: e instanceof StepFailed ? e.message : errMessage(e) };
      return false;
    }
    shell.forget?.(label);
    const required = (run.facts?.productServices ?? []).filter((s) => s.status === 'Running').map((s) => s.name);
    const timeoutMs = this.o.rebootTimeoutMs ?? 20 * 60_000;
    const pollMs = this.o.rebootPollMs ?? 5_000;
    try {
      const o = await recorder.run(
        {
          host: label,
          step: 'wait',
          title: `Wait for ${label} to come back: remoting answers with a new boot time and the product services run`,
          command: `servers/${label}/verify.ps1 every ${Math.round(pollMs / 1000)} s, up to ${Math.round(timeoutMs / 60_000)} min`,
        },
        () => this.waitBack(r, shell, label, bootBefore, required, timeoutMs, pollMs, (line) => recorder.output(label, 'wait', line)),
      );
      run.reboot = { kind: 'done', bootAfter: String(o.after ?? ''), services: required };
      return true;
    } catch (e) {
      run.reboot = { kind: 'no-return', message: e instanceof StepFailed ? e.message : errMessage(e) };
      return false;
    }
  }

  private async waitBack(
    r: ResolvedSite,
    shell: RemoteShell,
    label: string,
    bootBefore: string | undefined,
    required: string[],
    timeoutMs: number,
    pollMs: number,
    progress: (line: string) => void,
  ): Promise<StepOutcome> {
    const t0 = this.now();
    const say = (what: string): void => progress(`${Math.round((this.now() - t0) / 1000)} s: ${what}`);
    say(`waiting for ${label} to come back (booted ${bootBefore ?? 'at an unknown time'} before the restart)`);
    const deadline = t0 + timeoutMs;
    let last = 'no answer yet';
    let sawDown = false;
    while (this.now() < deadline) {
      await this.sleep(pollMs);
      let rep;
      try {
        rep = await this.verifyOn(shell, r, label, Math.min(this.o.verifyTimeoutMs ?? 120_000, Math.max(1000, deadline - this.now())));
      } catch (e) {
        sawDown = true;
        last = errMessage(e);
        say(`waiting for ${label} to come back: ${last}`);
        continue;
      }
      const boot = rep.facts.lastBootTime;
      if (!boot) {
        last = 'verify.ps1 answered without a boot time';
        continue;
      }
      if (bootBefore ? boot === bootBefore : !sawDown) {
        last = `it still answers with the boot time from before the restart (${boot}): the restart has not happened yet`;
        say(`waiting for ${label} to go down: ${last}`);
        continue;
      }
      const running = new Set((rep.facts.productServices ?? []).filter((s) => s.status === 'Running').map((s) => s.name));
      const missing = required.filter((n) => !running.has(n));
      if (missing.length > 0) {
        last = `it is back (booted ${boot}) but these services do not run yet: ${missing.join(', ')}`;
        say(`waiting for ${label}'s services: ${last}`);
        continue;
      }
      const secs = Math.round((this.now() - t0) / 1000);
      say(`${label} is back: new boot time ${boot}`);
      return {
        result: 'ok',
        before: bootBefore ?? null,
        after: boot,
        message: `back after ${secs} s, booted ${boot}${required.length > 0 ? `; running: ${required.join(', ')}` : ''}`,
      };
    }
    throw new Error(
      `${label} did not come back within ${Math.round(timeoutMs / 60_000)} min (${Math.round(timeoutMs / 1000)} s): ${last}. Look at the server console; the servers after it were not restarted`,
    );
  }

  private outcome(run: ServerRun): ServerOutcome {
    const host = run.label;
    if (run.unreachable) return { host, ok: false, changed: false, state: `not changed: ${run.unreachable}` };
    if (run.prepareError)
      return {
        host,
        ok: false,
        changed: false,
        state: `failed at step "prepare": ${run.prepareError}. The server may be partly prepared: fix the cause and run apply again (every step is idempotent)`,
      };
    const res = run.result;
    if (!res) return { host, ok: false, changed: false, state: 'not changed: preparation did not run' };
    const changed = res.steps.filter((s) => s.status === 'changed');
    const failed = res.steps.filter((s) => s.status === 'failed');
    const unchanged = res.steps.filter((s) => s.status === 'unchanged').length;
    const otherErrors = res.errors.filter((e) => !failed.some((f) => e.startsWith(`${f.step}:`)));
    let state: string;
    if (failed.length > 0 || otherErrors.length > 0) {
      const what = [...failed.map((f) => `"${f.step}" (${f.message || 'failed'})`), ...otherErrors.map((e) => `"${e}"`)].join(', ');
      state = `partly prepared: failed at step ${what}; ${changed.length} changed, ${unchanged} unchanged`;
    } else if (changed.length > 0)
      state = `prepared: ${changed.length} setting(s) changed (${changed.map((s) => s.step).join(', ')}), ${unchanged} already right`;
    else state = `already prepared: nothing to change (${unchanged} setting(s) checked)`;
    const rb = run.reboot;
    let ok = failed.length === 0 && otherErrors.length === 0;
    switch (rb.kind) {
      case 'done':
        state += `; restarted (one server at a time) and back, booted ${rb.bootAfter}${rb.services.length > 0 ? `, ${rb.services.join(', ')} running` : ''}`;
        break;
      case 'restart-failed':
        state += `; the restart failed: ${rb.message} — the rolling reboot stopped here`;
        ok = false;
        break;
      case 'no-return':
        state += `; restarted but NOT back: ${rb.message} — the rolling reboot stopped here`;
        ok = false;
        break;
      case 'held':
        state += `; NOT restarted: ${rb.because} (the changes take effect after a restart: restart it when the other servers serve again)`;
        ok = false;
        break;
      case 'held-by-failure':
        state += '; not restarted because a step failed: fix it and run apply again';
        ok = false;
        break;
      default:
        break;
    }
    return { host, ok, changed: changed.length > 0 || rb.kind === 'done', state };
  }
}
