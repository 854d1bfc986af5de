/**
 * The Windows print-server part of the engine, behind one interface. The real implementation drives
 * PowerShell remoting (WinRM or SSH) through pwsh; where no PowerShell executable exists (this build
 * machine: pwsh is not installable here) the default reports that plainly for every server — an
 * unreachable host fact, plan steps marked manual pointing at the generated prepare.ps1 — and never
 * claims a change it did not make.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ServerFacts } from '../../../shared/model/facts.js';
import type { ResolvedSite } from '../../../shared/model/resolve.js';
import type { HostPlan } from '../../../shared/plan/model.js';
import type { VerifyReport as ServerVerifyReport } from '../../../shared/render/powershell/result.js';
import { findPowerShell as lookUpPowerShell, isFound } from '../powershell/find.js';
import { WindowsServerEngine } from '../powershell/windows-engine.js';
import type { StepRecorder } from '../runner/steps.js';
import type { RunContext } from './api.js';

export interface ServerOutcome {
  host: string;
  ok: boolean;
  changed: boolean;
  state: string;
}

/** verify.ps1 on one server, as verify reports it (electron/core/probes/verify.ts windowsChecks). */
export interface ServerVerification {
  label: string;
  /** What ran, for the evidence ("servers/PS1/verify.ps1 over PowerShell remoting (ssh)"). */
  command: string;
  /** The parsed result; absent when the script could not run or answered nothing usable. */
  report?: ServerVerifyReport;
  /** Its JSON line, for the evidence. */
  output?: string;
  /** Why there is no report (unreachable, wrong credentials, a script error, no PowerShell here). */
  error?: string;
  /** true when the server could not be reached at all (not a failing check on a reached server). */
  unreachable?: boolean;
  ms: number;
}

export interface ServerEngine {
  discover(r: ResolvedSite, ctx: RunContext): Promise<ServerFacts[]>;
  /** verify.ps1 on every server (in parallel, bounded) through the same sessions layer as apply. */
  verify(r: ResolvedSite, ctx: RunContext): Promise<ServerVerification[]>;
  plan(r: ResolvedSite, facts: readonly ServerFacts[]): HostPlan[];
  /** `recorder`: the run's journal (every step on every server is recorded there; on --resume it knows the steps completed before). */
  apply(r: ResolvedSite, facts: readonly ServerFacts[], ctx: RunContext, recorder?: StepRecorder): Promise<ServerOutcome[]>;
}

export const NO_POWERSHELL = 'PowerShell remoting is not available on this machine: no pwsh/powershell executable found (install PowerShell 7)';

/** The first pwsh / powershell executable on PATH, or undefined. */
export function findPowerShell(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['pwsh.exe', 'powershell.exe'] : ['pwsh', 'powershell'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const p = join(dir, n);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

function manualPlan(r: ResolvedSite, reason: string): HostPlan[] {
  return r.site.servers.map((s) => ({
    host: s.label,
    role: 'server' as const,
    address: s.address,
    steps: [
      {
        id: 'prepare',
        title: `Run servers/${s.label}/prepare.ps1 on ${s.label} by hand (as an administrator), then import its JSON result`,
        kind: 'manual' as const,
        command: `powershell -ExecutionPolicy Bypass -File servers/${s.label}/prepare.ps1`,
        changes: true,
        note: reason,
      },
    ],
    diffs: [],
    changes: [],
    upToDate: false,
    notes: [`${reason}. Render the site (printha render) and run servers/${s.label}/prepare.ps1 on the server; it is idempotent and prints one JSON result.`],
    unreachable: reason,
  }));
}

/**
 * The server engine of this build: without PowerShell every server is reported unreachable with
 * the reason, its plan is the manual prepare.ps1 step, and apply changes nothing (and says so).
 * With a PowerShell executable present, the Windows engine is still not part of this build: same
 * report, with that reason.
 */
export class UnavailableServerEngine implements ServerEngine {
  private readonly reason: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const ps = findPowerShell(env);
    this.reason = ps ? `The Windows server engine is not part of this build (PowerShell found at ${ps})` : NO_POWERSHELL;
  }

  async discover(r: ResolvedSite): Promise<ServerFacts[]> {
    return r.site.servers.map((s) => ({ label: s.label, reachable: false, error: this.reason }));
  }

  plan(r: ResolvedSite): HostPlan[] {
    return manualPlan(r, this.reason);
  }

  async verify(r: ResolvedSite): Promise<ServerVerification[]> {
    return r.site.servers.map((s) => ({
      label: s.label,
      command: `servers/${s.label}/verify.ps1`,
      error: `${this.reason}: run servers/${s.label}/verify.ps1 on ${s.label} and import its JSON (printha import)`,
      unreachable: true,
      ms: 0,
    }));
  }

  async apply(r: ResolvedSite): Promise<ServerOutcome[]> {
    return r.site.servers.map((s) => ({
      host: s.label,
      ok: false,
      changed: false,
      state: `not changed: ${this.reason}. Run servers/${s.label}/prepare.ps1 on ${s.label} by hand`,
    }));
  }
}

/**
 * The server engine for this machine: the Windows engine (electron/core/powershell/windows-engine.ts)
 * when a PowerShell executable is found (pwsh, the .NET tool, or Windows PowerShell on Windows),
 * otherwise the "not available" engine above with its message.
 */
export function defaultServerEngine(env: NodeJS.ProcessEnv = process.env): ServerEngine {
  const found = lookUpPowerShell(env);
  if (!isFound(found)) return new UnavailableServerEngine(env);
  // PRINTHA_REBOOT_TIMEOUT_S: how long one server may take to come back (default 20 min; 30 s .. 2 h)
  const t = Number(env.PRINTHA_REBOOT_TIMEOUT_S);
  const rebootTimeoutMs = Number.isFinite(t) && t >= 30 && t <= 7200 ? Math.round(t * 1000) : undefined;
  return new WindowsServerEngine({ found, env, ...(rebootTimeoutMs ? { rebootTimeoutMs } : {}) });
}
