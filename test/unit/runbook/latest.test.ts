/**
 * The runbook's inputs are saved where the runs finish: the engine (CLI discover/plan/apply and the
 * app's engine) saves the latest facts and plan in the site's state directory, the app's verify saves
 * its report, and `printha runbook` / the app's runbook export read them back. Everything saved is
 * redacted with the environment's secrets and every credential the run was given.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateDirFor } from '../../../electron/cli/context.js';
import { main } from '../../../electron/cli/main.js';
import type { RunContext } from '../../../electron/core/engine/api.js';
import { PrintHaEngine } from '../../../electron/core/engine/engine.js';
import type { ServerEngine } from '../../../electron/core/engine/servers.js';
import type { BalancerDriver, DriverContext, DriverPlan, NodeOutcome } from '../../../electron/core/drivers/types.js';
import { createDefaultCore, defaultEngine, uiStateDir } from '../../../electron/core/rpc/defaults.js';
import { Session } from '../../../electron/core/rpc/session.js';
import { loadRunbookSources, siteRunbookDoc } from '../../../electron/core/runbook/export.js';
import { journalPath, latestPath, loadLatest } from '../../../electron/core/runner/state.js';
import type { BalancerNodeFacts, ServerFacts } from '../../../shared/model/facts.js';
import type { ResolvedSite } from '../../../shared/model/resolve.js';
import { toMarkdown } from '../../../shared/runbook/doc.js';
import { SSH_SECRET, WIN_SECRET, example, filesUnder, leaks, sampleVerify } from './fixtures.js';

/** The password a prompt (or the vault) answers with: only the run's credential() knows it. */
const PROMPT_SECRET = 'Prompted-Quokka-5150';

/** A driver whose discovery and apply echo the environment's SSH password (as a failing remote command might). */
class EchoDriver implements BalancerDriver {
  readonly platform = 'linux-haproxy' as const;
  async discover(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]> {
    await ctx.recorder.run({ host: r.nodes[0]!.name, step: 'read', title: 'Read haproxy.cfg' }, async () => ({
      result: 'ok',
      output: `sshpass -p ${SSH_SECRET} ok`,
    }));
    return r.nodes.map((n) => ({ name: n.name, address: n.address, reachable: true, version: `HAProxy (login ${SSH_SECRET})` }));
  }
  status(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]> {
    return this.discover(r, ctx);
  }
  plan(r: ResolvedSite): DriverPlan {
    const hosts = r.nodes.map((n) => ({
      host: n.name,
      role: 'balancer' as const,
      address: n.address,
      steps: [{ id: 'upload', title: 'Upload haproxy.cfg', kind: 'upload' as const, changes: true, command: `echo ${SSH_SECRET}` }],
      diffs: [],
      changes: [],
      upToDate: false,
      notes: [],
    }));
    return { hosts, order: hosts.map((h) => h.host), notes: [], upToDate: false };
  }
  async apply(r: ResolvedSite): Promise<NodeOutcome[]> {
    return r.nodes.map((n) => ({ host: n.name, ok: true, changed: true, state: 'serving the new configuration' }));
  }
  async rollback(): Promise<NodeOutcome> {
    throw new Error('not used');
  }
}

/** Print servers that ask for a Windows password and echo it in their facts. */
const echoServers: ServerEngine = {
  async discover(r, ctx): Promise<ServerFacts[]> {
    const pw = await ctx.credential({ kind: 'windows-password', host: 'PS1', user: 'root' });
    return r.site.servers.map((s) => ({ label: s.label, reachable: false, error: `WinRM refused ${pw} and ${WIN_SECRET}` }));
  },
  plan: () => [],
  verify: async () => [],
  apply: async () => [],
};

const ctx = (): RunContext => ({
  knownHostsPath: '/nonexistent/known_hosts',
  credential: async () => PROMPT_SECRET,
  confirmHostKey: async () => false,
  onEvent: () => undefined,
});

describe('latest plan, facts and verify report for the runbook', () => {
  let dir: string;
  const env = (): NodeJS.ProcessEnv => ({
    PRINTHA_STATE_DIR: join(dir, 'state'),
    PRINTHA_SSH_PASSWORD: SSH_SECRET,
    PRINTHA_WINDOWS_PASSWORD: WIN_SECRET,
    PATH: '',
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'printha-latest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('engine plan and discover save plan and facts; the runbook shows them; no secret in any file', async () => {
    const state = join(dir, 'site');
    const engine = new PrintHaEngine({
      stateDir: state,
      env: env(),
      drivers: { 'linux-haproxy': new EchoDriver() },
      serverEngine: echoServers,
    });
    const site = example('lab-snat');
    try {
      const plan = await engine.plan(site, ctx());
      expect(loadLatest(state, 'plan')?.value.hosts.map((h) => h.host)).toEqual(plan.hosts.map((h) => h.host));
      expect(loadLatest(state, 'facts')?.value.balancer?.map((b) => b.name)).toEqual(['pha-lb1', 'pha-lb2']);
      const md = toMarkdown(siteRunbookDoc(site, loadRunbookSources(state), { env: {}, generatedAt: 'T' }));
      expect(md).toContain('Upload haproxy.cfg');

      // A balancer-only discovery keeps the servers' facts from before.
      await engine.discoverWithFindings(site, ctx(), 'balancer');
      expect(loadLatest(state, 'facts')?.value.servers?.map((s) => s.label)).toEqual(['PS1', 'PS2']);

      const res = await engine.apply(site, ctx(), { confirmed: true, only: 'balancer' });
      expect(res.ok).toBe(true);
    } finally {
      await engine.close();
    }
    const files = filesUnder(state);
    expect(files.map((f) => f.path).sort()).toEqual([journalPath(state), latestPath(state, 'facts'), latestPath(state, 'plan')].sort());
    expect(files.map((f) => f.text).join('\n')).toContain('[REDACTED]');
    expect(leaks(files, [SSH_SECRET, WIN_SECRET, PROMPT_SECRET])).toEqual([]);
  });

  it("the app's verify saves its report in uiStateDir and the app's runbook export shows it with the latest plan", async () => {
    const e = env();
    const site = example('lab-snat');
    const fakeVerify = async (s: typeof site, c: RunContext) => {
      const pw = await c.credential({ kind: 'windows-password', host: 'PS1', user: 'root' });
      const r = sampleVerify(s.name);
      return { ...r, checks: r.checks.map((x) => ({ ...x, observation: `open (smbclient -U root%${pw}; env ${SSH_SECRET})` })) };
    };
    const engine = defaultEngine(e, fakeVerify)!;
    const report = await engine.verify!(site, ctx(), {});
    expect(report.ok).toBe(true);
    const state = uiStateDir(site, e);
    expect(existsSync(latestPath(state, 'verify'))).toBe(true);
    expect(loadLatest(state, 'verify')?.value.checks[0]?.observation).toBe('open (smbclient -U root%[REDACTED]; env [REDACTED])');
    expect(leaks(filesUnder(state), [SSH_SECRET, PROMPT_SECRET])).toEqual([]);

    // The plan the app's engine saved (through the same PrintHaEngine) shows up in the export too.
    const planner = new PrintHaEngine({
      stateDir: state,
      env: e,
      drivers: { 'linux-haproxy': new EchoDriver() },
      serverEngine: echoServers,
    });
    await planner.plan(site, ctx()).finally(() => planner.close());

    const core = createDefaultCore({ env: e, engine: {} });
    const session = new Session({ emit: () => undefined, rememberStatus: () => ({ canStore: false }) });
    const out = await core.handlers['runbook.export']({ site, format: 'md' }, session);
    expect(out.text).toContain('KM-C458-Finance');
    expect(out.text).toContain('Upload haproxy.cfg');
    expect(out.text).not.toContain(SSH_SECRET);
  });

  it('printha runbook after a plan shows the saved plan, even when that discovery could not reach the servers', async () => {
    // What `printha plan <file>` does (engineSession: PrintHaEngine with stateDirFor(file)), with fakes instead of hosts.
    const e = env();
    const siteFile = join(process.cwd(), 'examples/lab-snat.yaml');
    const planner = new PrintHaEngine({
      stateDir: stateDirFor(siteFile, e),
      env: e,
      drivers: { 'linux-haproxy': new EchoDriver() },
      serverEngine: echoServers,
    });
    await planner.plan(example('lab-snat'), ctx()).finally(() => planner.close());
    let out = '';
    let err = '';
    const code = await main(['runbook', siteFile, '--format', 'md', '--out', join(dir, 'rb.md')], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: e,
      cwd: dir,
    });
    expect(code, err).toBe(0);
    expect(out).toContain('rb.md');
    const md = readFileSync(join(dir, 'rb.md'), 'utf8');
    expect(md).toContain('Upload haproxy.cfg');
    expect(md).toContain('server-unreachable');
    expect(leaks([{ path: 'rb.md', text: md }], [SSH_SECRET, WIN_SECRET, PROMPT_SECRET])).toEqual([]);
  });
});
