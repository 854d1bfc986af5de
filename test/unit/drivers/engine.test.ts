/**
 * PrintHaEngine around a recording driver (no SSH): apply refuses without confirmation, refuses
 * when discovery finds errors (nothing applied), journals every run, resumes the last failed apply;
 * the server part reports that PowerShell remoting is unavailable and never claims success; verify
 * is not part of this engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../../electron/core/engine/api.js';
import { JOURNAL_FILE, PrintHaEngine } from '../../../electron/core/engine/engine.js';
import { NO_POWERSHELL, UnavailableServerEngine, type ServerEngine } from '../../../electron/core/engine/servers.js';
import { goodFacts } from '../rules/helpers.js';
import type { BalancerDriver, DriverContext, DriverPlan, NodeOutcome } from '../../../electron/core/drivers/types.js';
import { readJournal } from '../../../electron/core/runner/journal.js';
import type { BalancerNodeFacts } from '../../../shared/model/facts.js';
import type { ResolvedSite } from '../../../shared/model/resolve.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';

function labSnat(): Site {
  const r = loadSiteYaml(readFileSync(join(process.cwd(), 'examples/lab-snat.yaml'), 'utf8'));
  if (!r.ok) throw new Error('lab-snat.yaml does not load');
  return r.site;
}

class RecordingDriver implements BalancerDriver {
  readonly platform = 'linux-haproxy' as const;
  discovered = 0;
  applied: DriverContext[] = [];
  reachable = true;
  failApply = false;
  async discover(r: ResolvedSite): Promise<BalancerNodeFacts[]> {
    this.discovered++;
    return r.nodes.map((n) => (this.reachable ? { name: n.name, address: n.address, reachable: true } : { name: n.name, address: n.address, reachable: false, error: 'AUTH: Authentication failed for root@x' }));
  }
  status(r: ResolvedSite): Promise<BalancerNodeFacts[]> {
    return this.discover(r);
  }
  plan(r: ResolvedSite): DriverPlan {
    return { hosts: r.nodes.map((n) => ({ host: n.name, role: 'balancer', address: n.address, steps: [], diffs: [], changes: [], upToDate: false, notes: [] })), order: r.nodes.map((n) => n.name), notes: [], upToDate: false };
  }
  async apply(r: ResolvedSite, _f: readonly BalancerNodeFacts[], ctx: DriverContext): Promise<NodeOutcome[]> {
    this.applied.push(ctx);
    await ctx.recorder.run({ host: 'pha-lb2', step: 'backup', title: 'backup' }, async () => ({ result: ctx.recorder.wasCompleted('pha-lb2', 'backup') ? 'skipped' : 'ok' }));
    if (this.failApply) return r.nodes.map((n) => ({ host: n.name, ok: false, changed: false, failedStep: 'swap', reason: 'boom', state: 'serving its previous configuration (restored from /var/backups/printha/x)' }));
    return r.nodes.map((n) => ({ host: n.name, ok: true, changed: true, state: 'serving the new configuration' }));
  }
  async rollback(): Promise<NodeOutcome> {
    throw new Error('not used');
  }
}

describe('PrintHaEngine', () => {
  let dir: string;
  let driver: RecordingDriver;
  let engine: PrintHaEngine;
  const events: string[] = [];
  const ctx: RunContext = {
    knownHostsPath: '/nonexistent/known_hosts',
    credential: async () => undefined,
    confirmHostKey: async () => false,
    onEvent: (e) => events.push(`${e.kind}${e.step ? `:${e.step}` : ''}`),
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'printha-engine-'));
    driver = new RecordingDriver();
    engine = new PrintHaEngine({ stateDir: dir, drivers: { 'linux-haproxy': driver }, serverEngine: new UnavailableServerEngine({ PATH: '' }) });
    events.length = 0;
  });
  afterEach(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply refuses without confirmation and touches no host', async () => {
    await expect(engine.apply(labSnat(), ctx, { confirmed: false })).rejects.toMatchObject({ code: 'failed', message: expect.stringContaining('Nothing was changed') });
    expect(driver.discovered).toBe(0);
  });

  it('apply refuses when discovery finds errors: the balancer is not applied, every host says why', async () => {
    driver.reachable = false;
    const res = await engine.apply(labSnat(), ctx, { confirmed: true, only: 'balancer' });
    expect(driver.applied).toHaveLength(0);
    expect(res.ok).toBe(false);
    expect(res.hostStates.map((h) => h.state)).toEqual([
      'not changed: pha-lb1 could not be reached at step "connect": AUTH: Authentication failed for root@x',
      'not changed: pha-lb2 could not be reached at step "connect": AUTH: Authentication failed for root@x',
    ]);
  });

  it('DR: a server without the loopback adapter does not refuse an apply that prepares the servers (prepare fixes it)', async () => {
    const text = readFileSync(join(process.cwd(), 'examples/phoenix-dr.yaml'), 'utf8');
    const loaded = loadSiteYaml(text);
    if (!loaded.ok) throw new Error('phoenix-dr.yaml does not load');
    const site = loaded.site;
    const servers = goodFacts(site).servers!;
    servers[1]!.loopbackAdapter = null;
    servers[1]!.nics = servers[1]!.nics!.filter((n) => !n.isLoopback);
    const prepared: string[] = [];
    // FAKE server engine (no Windows here): discovery reports PS2 without the loopback adapter.
    const fakeServers: ServerEngine = {
      discover: async () => servers,
      plan: () => [],
      verify: async () => [],
      apply: async (r) => r.site.servers.map((s) => (prepared.push(s.label), { host: s.label, ok: true, changed: true, state: 'prepared' })),
    };
    const e = new PrintHaEngine({ stateDir: dir, drivers: { 'loadbalancer-org': driver }, serverEngine: fakeServers });
    try {
      const all = await e.apply(site, ctx, { confirmed: true });
      expect(driver.applied).toHaveLength(1);
      expect(prepared).toEqual(['PS1', 'PS2']);
      expect(all.hostStates.map((h) => h.state)).not.toContainEqual(expect.stringMatching(/refused/));
      expect(all.ok).toBe(true);
    } finally {
      await e.close();
    }
  });

  it('servers: PowerShell remoting unavailable -> unreachable facts, manual steps, apply never claims success', async () => {
    const plan = await engine.plan(labSnat(), ctx);
    const ps1 = plan.hosts.find((h) => h.host === 'PS1')!;
    expect(ps1.unreachable).toBe(NO_POWERSHELL);
    expect(ps1.steps).toEqual([expect.objectContaining({ kind: 'manual', title: expect.stringContaining('servers/PS1/prepare.ps1') })]);
    const res = await engine.apply(labSnat(), ctx, { confirmed: true, only: 'servers' });
    expect(res.ok).toBe(false);
    expect(res.changed).toBe(false);
    expect(res.hostStates).toEqual([
      { host: 'PS1', ok: false, state: expect.stringMatching(/^not changed: PowerShell remoting is not available on this machine/) },
      { host: 'PS2', ok: false, state: expect.stringMatching(/servers\/PS2\/prepare\.ps1/) },
    ]);
    expect(driver.applied).toHaveLength(0);
  });

  it('journals every run and resumes the last failed apply (its completed steps are re-checked)', async () => {
    driver.failApply = true;
    const first = await engine.apply(labSnat(), ctx, { confirmed: true, only: 'balancer' });
    expect(first.ok).toBe(false);
    expect(first.hostStates[0]!.state).toBe('serving its previous configuration (restored from /var/backups/printha/x) — failed at step "swap": boom');
    driver.failApply = false;
    const second = await engine.apply(labSnat(), ctx, { confirmed: true, only: 'balancer', resume: true });
    expect(second.ok).toBe(true);
    expect(driver.applied[1]!.resumeRun).toBe(first.runId);
    const journal = readJournal(join(dir, JOURNAL_FILE));
    const backupEnds = journal.filter((e) => e.kind === 'step-end' && e.step === 'backup').map((e) => [e.run, e.result]);
    expect(backupEnds).toEqual([
      [first.runId, 'ok'],
      [second.runId, 'skipped'],
    ]);
    expect(journal.filter((e) => e.kind === 'run-end').map((e) => e.result)).toEqual(['failed', 'ok']);
    expect(events).toContain('run-start');
    // a third apply has nothing to resume: the last one completed
    await engine.apply(labSnat(), ctx, { confirmed: true, only: 'balancer', resume: true });
    expect(driver.applied[2]!.resumeRun).toBeUndefined();
  });
});
