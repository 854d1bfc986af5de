/**
 * StrictFakeWindowsHosts: a RemoteShell standing in for Windows print servers, for the unit tests of
 * the Windows engine's orchestration ONLY. Windows hosts (and pwsh) cannot exist on this machine —
 * that is the one reason this fake exists; it never stands in for PowerShell itself.
 *
 * Strict:
 *  - it accepts only the exact scripts PrintHA generates for the host it is called on: verify.ps1 /
 *    prepare.ps1 (dry run or not) rendered for THAT server label, RESTART_SCRIPT; on "this machine"
 *    (invokeLocal) only dns/record.ps1. Anything else is rejected (recorded in `rejected` and thrown).
 *  - it asks the RunContext for the Windows password once per host and shell, like the real session
 *    layer, and answers a wrong one with Windows' "Access is denied" text.
 *  - per host it tracks boot time, reachability, a restart in progress (down until it comes back, or
 *    forever), product services (Running some time after boot) and the prepare state: pending changes
 *    become `changed` once prepare ran, `unchanged` afterwards; a step can be made to fail.
 *  - the errors it raises are the texts Windows/PowerShell print, turned into RemoteError by the
 *    same remoteErrorFrom the real session layer uses.
 *  - time is virtual (clock.now / clock.sleep are handed to the engine).
 */
import type { ResolvedSite } from '../../../shared/model/resolve.js';
import { renderDnsRecordScript } from '../../../shared/render/powershell/dns.js';
import { renderPrepareScript } from '../../../shared/render/powershell/prepare.js';
import { renderVerifyScript } from '../../../shared/render/powershell/verify.js';
import type { RunContext } from '../../../electron/core/engine/api.js';
import { remoteErrorFrom, remoteTarget, type RemoteShell } from '../../../electron/core/powershell/remoting.js';
import { RESTART_SCRIPT } from '../../../electron/core/powershell/windows-engine.js';

export const WINRM_UNREACHABLE =
  'Connecting to remote server {host} failed with the following error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. For more information, see the about_Remote_Troubleshooting Help topic.';
export const ACCESS_DENIED =
  'Connecting to remote server {host} failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic.';
export const CONNECTION_ABORTED = 'The I/O operation has been aborted because of either a thread exit or an application request.';

export interface PendingChange {
  step: string;
  before: unknown;
  after: unknown;
  /** Whether this change needs a restart to take effect (registry, NetBIOS: yes). Default true. */
  reboot?: boolean;
}

export interface FakeHostSpec {
  label: string;
  pending?: PendingChange[];
  unchanged?: string[];
  /** Product services that run on this host (status Running some time after boot). */
  services?: string[];
  /** Virtual time a restart takes until remoting answers again. Default 90 s. */
  rebootMs?: number;
  /** After boot, the services start this much later. Default 20 s. */
  servicesDelayMs?: number;
  /** A restart that never completes (the host stays down). */
  neverReturns?: boolean;
  unreachable?: boolean;
  /** A prepare step that fails (apply and dry run). */
  failStep?: { step: string; message: string };
  /** Restart-Computer cuts the connection before the answer arrives. */
  restartDropsConnection?: boolean;
}

interface HostState {
  spec: FakeHostSpec;
  bootTime: number;
  down: boolean;
  upAt: number;
  servicesAt: number;
  pending: PendingChange[];
  unchanged: string[];
  restarts: number;
}

export class FakeClock {
  t = Date.parse('2026-11-20T08:00:00Z');
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.t += ms;
    await Promise.resolve();
  };
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const CFG_RE =
  /\$cfg = \[System\.Text\.Encoding\]::UTF8\.GetString\(\[System\.Convert\]::FromBase64String\('([A-Za-z0-9+/=]+)'\)\) \| ConvertFrom-Json/;

function cfgOf(script: string): Record<string, unknown> | undefined {
  const m = CFG_RE.exec(script);
  if (!m) return undefined;
  try {
    return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export class StrictFakeWindowsHosts {
  readonly clock = new FakeClock();
  readonly rejected: string[] = [];
  /** Every accepted call, in order: host, what, virtual time. */
  readonly calls: { t: number; host: string; what: 'verify' | 'prepare' | 'prepare-dry' | 'restart' | 'dns' | 'dns-dry' }[] = [];
  /** Restart → back intervals (to: undefined while down). */
  readonly downtime: { host: string; from: number; to?: number }[] = [];
  readonly credentialRequests: { host: string; user: string }[] = [];
  dnsRecordExists = false;
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly r: ResolvedSite,
    specs: FakeHostSpec[],
    private readonly password: string,
  ) {
    for (const spec of specs) {
      if (!r.site.servers.some((s) => s.label === spec.label)) throw new Error(`fake host ${spec.label} is not a server of the site`);
      this.hosts.set(spec.label, {
        spec,
        bootTime: this.clock.t - 86_400_000,
        down: false,
        upAt: 0,
        servicesAt: 0,
        pending: [...(spec.pending ?? [])],
        unchanged: [...(spec.unchanged ?? ['registry:DisableLoopbackCheck'])],
        restarts: 0,
      });
    }
  }

  host(label: string): HostState {
    const h = this.hosts.get(label);
    if (!h) throw new Error(`no fake host ${label}`);
    return h;
  }

  /** The largest number of hosts that were down at the same moment. */
  maxConcurrentDown(): number {
    let max = 0;
    for (const d of this.downtime) {
      const at = d.from;
      const n = this.downtime.filter((x) => x.from <= at && (x.to === undefined || x.to > at)).length;
      max = Math.max(max, n);
    }
    return max;
  }

  private tick(h: HostState): void {
    if (h.down && this.clock.t >= h.upAt) {
      h.down = false;
      h.bootTime = h.upAt;
      h.servicesAt = h.upAt + (h.spec.servicesDelayMs ?? 20_000);
      const d = [...this.downtime].reverse().find((x) => x.host === h.spec.label && x.to === undefined);
      if (d) d.to = h.upAt;
    }
  }

  private reject(where: string, script: string): never {
    const first = script.split('\n').find((l) => l.trim() !== '') ?? '';
    const msg = `StrictFakeWindowsHosts: unrecognised script for ${where}: ${first.slice(0, 120)}`;
    this.rejected.push(msg);
    throw new Error(msg);
  }

  /** The session layer of one run (one discover or apply call). */
  shell(ctx: RunContext): RemoteShell {
    const authed = new Set<string>();
    let closed = false;
    const connect = async (label: string): Promise<HostState> => {
      const h = this.host(label);
      const t = remoteTarget(this.r.site, label);
      this.tick(h);
      if (h.spec.unreachable || h.down) {
        authed.delete(label);
        throw remoteErrorFrom(WINRM_UNREACHABLE.replace('{host}', t.host), t);
      }
      if (!authed.has(label)) {
        this.credentialRequests.push({ host: label, user: t.user });
        const p = await ctx.credential({ kind: 'windows-password', host: label, user: t.user });
        if (p !== this.password) throw remoteErrorFrom(ACCESS_DENIED.replace('{host}', t.host), t);
        authed.add(label);
      }
      return h;
    };
    return {
      invoke: async (server: string, script: string): Promise<unknown> => {
        if (closed) throw new Error('StrictFakeWindowsHosts: invoke after close');
        if (script === RESTART_SCRIPT) {
          const h = await connect(server);
          return this.restart(h, authed);
        }
        const cfg = cfgOf(script);
        const label = (cfg?.server as { label?: unknown } | undefined)?.label;
        if (!cfg || label !== server) return this.reject(server, script);
        if (cfg.kind === 'printha.verify' && script === renderVerifyScript(this.r, server)) {
          const h = await connect(server);
          this.calls.push({ t: this.clock.t, host: server, what: 'verify' });
          return this.verifyJson(h);
        }
        if (cfg.kind === 'printha.prepare' && script === renderPrepareScript(this.r, server, { dryRun: cfg.dryRun === true })) {
          const h = await connect(server);
          this.calls.push({ t: this.clock.t, host: server, what: cfg.dryRun === true ? 'prepare-dry' : 'prepare' });
          return this.prepareJson(h, cfg.dryRun === true);
        }
        return this.reject(server, script);
      },
      invokeLocal: async (script: string): Promise<unknown> => {
        if (closed) throw new Error('StrictFakeWindowsHosts: invoke after close');
        const cfg = cfgOf(script);
        if (cfg?.kind === 'printha.dns' && script === renderDnsRecordScript(this.r, { dryRun: cfg.dryRun === true })) {
          this.calls.push({ t: this.clock.t, host: 'local', what: cfg.dryRun === true ? 'dns-dry' : 'dns' });
          return this.dnsJson(cfg.dryRun === true);
        }
        return this.reject('this machine', script);
      },
      close: async () => {
        closed = true;
      },
    };
  }

  private restart(h: HostState, authed: Set<string>): unknown {
    const label = h.spec.label;
    const before = iso(h.bootTime);
    this.calls.push({ t: this.clock.t, host: label, what: 'restart' });
    h.down = true;
    h.restarts++;
    h.upAt = h.spec.neverReturns ? Number.POSITIVE_INFINITY : this.clock.t + (h.spec.rebootMs ?? 90_000);
    this.downtime.push({ host: label, from: this.clock.t });
    authed.delete(label);
    if (h.spec.restartDropsConnection) {
      const t = remoteTarget(this.r.site, label);
      throw remoteErrorFrom(CONNECTION_ABORTED, t);
    }
    return { kind: 'printha.restart', version: 1, computerName: label, bootTimeBefore: before };
  }

  private verifyJson(h: HostState): unknown {
    const running = this.clock.t >= h.servicesAt;
    return {
      kind: 'printha.verify',
      version: 1,
      label: h.spec.label,
      reachable: true,
      computerName: h.spec.label,
      domainMember: true,
      domain: 'corp.example.com',
      printServerRole: true,
      printerShares: ['KM-C458-Finance', 'HP-LaserJet-4th-Floor'],
      productServices: (h.spec.services ?? ['DispatcherPhoenixService']).map((name) => ({
        name,
        displayName: name,
        status: running ? 'Running' : 'StartPending',
      })),
      nics: [],
      registry: { disableLoopbackCheck: 1, disableStrictNameChecking: null, optionalNames: null },
      loopbackAdapter: null,
      pendingReboot: false,
      psVersion: '4.0',
      lastBootTime: iso(h.bootTime),
      checks: [],
      errors: [],
    };
  }

  private prepareJson(h: HostState, dryRun: boolean): unknown {
    const steps: { step: string; status: string; before: unknown; after: unknown; message: string }[] = [];
    const errors: string[] = [];
    let rebootRequired = false;
    for (const s of h.unchanged) steps.push({ step: s, status: 'unchanged', before: 1, after: 1, message: '' });
    const stillPending: PendingChange[] = [];
    for (const p of h.pending) {
      if (h.spec.failStep?.step === p.step) {
        steps.push({ step: p.step, status: 'failed', before: p.before, after: p.after, message: h.spec.failStep.message });
        errors.push(`${p.step}: ${h.spec.failStep.message}`);
        stillPending.push(p);
        continue;
      }
      steps.push({ step: p.step, status: dryRun ? 'would-change' : 'changed', before: p.before, after: p.after, message: '' });
      if (dryRun) stillPending.push(p);
      else if (p.reboot !== false) rebootRequired = true;
    }
    if (!dryRun) {
      for (const p of h.pending) if (!stillPending.includes(p)) h.unchanged.push(p.step);
      h.pending = stillPending;
    }
    return {
      kind: 'printha.prepare',
      version: 1,
      server: h.spec.label,
      computerName: h.spec.label,
      mode: this.r.site.mode,
      dryRun,
      steps,
      changed: steps.some((s) => s.status === 'changed'),
      rebootRequired,
      errors,
    };
  }

  private dnsJson(dryRun: boolean): unknown {
    const dns = this.r.site.dns!;
    const fqdn = `${this.r.site.shareName}.${dns.zone}`;
    const exists = this.dnsRecordExists;
    const status = exists ? 'unchanged' : dryRun ? 'would-change' : 'changed';
    if (!dryRun) this.dnsRecordExists = true;
    return {
      kind: 'printha.dns',
      version: 1,
      manual: false,
      zone: dns.zone,
      name: this.r.site.shareName,
      recordType: 'A',
      vip: this.r.site.vip,
      dnsServer: dns.serverName ?? dns.server,
      dryRun,
      steps: [
        { step: 'dns:module', status: 'unchanged', before: 'DnsServer module', after: 'DnsServer module', message: '' },
        { step: 'dns:zone', status: 'unchanged', before: dns.zone, after: dns.zone, message: '' },
        {
          step: 'dns:record',
          status,
          before: exists ? `A ${fqdn} -> ${this.r.site.vip}` : null,
          after: `A ${fqdn} -> ${this.r.site.vip}`,
          message: '',
        },
        {
          step: 'dns:resolve',
          status: dryRun && !exists ? 'skipped' : 'unchanged',
          before: [this.r.site.vip],
          after: this.r.site.vip,
          message: '',
        },
      ],
      changed: status === 'changed',
      errors: [],
      message: null,
    };
  }
}
