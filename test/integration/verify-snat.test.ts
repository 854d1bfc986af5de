/**
 * `printha verify` on the lab, Dispatcher Phoenix in SNAT mode on a linux-haproxy pair
 * (examples/lab-snat.yaml). The balancers are set up by the TEST FIXTURE STEP in verify-fixture.ts
 * (rendered haproxy.cfg + keepalived confs installed by hand; later `printha apply`).
 *
 * The CLI runs in the lab's client namespace (inClient), so every packet of PrintHA stays in the
 * lab; SSH trust comes from --accept-host-key with the nodes' real fingerprints on a fresh
 * known_hosts file (trust on first use, as an engineer would do it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { VerifyReport } from '../../shared/verify/report.js';
import { VerifyReportSchema } from '../../shared/verify/report.js';
import { CLIENT_NETNS, inClient, inClientNetns, labEnv, labExec, startService, stopService, vipOwner, waitFor, type LabEnv } from '../lab/lab.js';
import { fixtureInstallBalancer, haproxyServerStates, type InstalledFixture } from './verify-fixture.js';

const unavailable = inject('labUnavailable');
if (unavailable) console.warn(`[verify-snat] skipped: ${unavailable}`);

const ROOT = resolve(__dirname, '../..');
const SITE = join(ROOT, 'examples/lab-snat.yaml');

let env: LabEnv;
let fixture: InstalledFixture | undefined;
let tmp: string;
let knownHosts: string;
let acceptKeys = '';

async function fingerprint(node: 'pha-lb1' | 'pha-lb2'): Promise<string> {
  const r = await labExec(node, ['ssh-keygen', '-l', '-f', '/etc/ssh/ssh_host_ed25519_key.pub']);
  const fp = r.stdout.split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`no fingerprint for ${node}: ${r.stdout}${r.stderr}`);
  return fp;
}

async function verify(...extra: string[]): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  const r = await inClient(['npx', 'tsx', join(ROOT, 'electron/cli/main.ts'), 'verify', SITE, '--json', '--only', 'balancer', ...(acceptKeys ? ['--accept-host-key', acceptKeys] : []), ...extra], {
    env: { PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_KNOWN_HOSTS: knownHosts },
    timeoutMs: 170_000,
  });
  let report: VerifyReport;
  try {
    report = VerifyReportSchema.parse(JSON.parse(r.stdout));
  } catch (e) {
    throw new Error(`verify printed no report (exit ${r.code}): ${(e as Error).message}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

const check = (r: VerifyReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

describe.skipIf(!!unavailable)('printha verify on the lab (linux-haproxy SNAT)', () => {
  beforeAll(async () => {
    env = await labEnv();
    tmp = mkdtempSync(join(tmpdir(), 'printha-verify-'));
    knownHosts = join(tmp, 'known_hosts');
    acceptKeys = `${await fingerprint('pha-lb1')},${await fingerprint('pha-lb2')}`;
    fixture = await fixtureInstallBalancer(SITE);
  });
  afterAll(async () => {
    await startService('pha-ps1', 'smbd').catch(() => undefined);
    await fixture?.restore();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('passes: print shares through the VIP and the share name, every port through the VIP, both servers up in the balancer view', async () => {
    const { code, report, stderr } = await verify();
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed, JSON.stringify(failed, null, 1) + stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    const expected = ['Canon-iRADV-C5535-Plotroom', 'FollowMe-Secure', 'HP-LaserJet-4th-Floor', 'KM-bizhub-C308-Reception', 'KM-C458-Finance'];
    expect(report.shares.find((s) => s.via === '\\\\10.99.0.10')?.shares).toEqual(expected);
    expect(report.shares.find((s) => s.via === '\\\\Dispatcher')?.shares).toEqual(expected);
    const vipPorts = report.ports!.filter((p) => p.via === 'vip');
    expect(vipPorts.map((p) => p.port).sort((a, b) => a - b)).toEqual([25, 53, 80, 443, 445, 465, 515, 587, 50808, 50809]);
    expect(vipPorts.every((p) => p.open)).toBe(true);
    for (const v of report.views!) {
      expect(v.error).toBeUndefined();
      for (const row of v.rows) expect(row.reals.map((x) => [x.label, x.state])).toEqual([
        ['PS1', 'up'],
        ['PS2', 'up'],
      ]);
    }
    // exactly one node holds the VIP, the one the lab sees holding it
    expect(report.views!.filter((v) => v.holdsVip).map((v) => v.node)).toEqual([await vipOwner()]);
    expect(check(report, 'dns-site').status).toBe('pass');
    expect(check(report, 'dns-system').status).toBe('pass');
    expect(check(report, 'persistence').status).toBe('pass');
    // the fixture installs the balancers only (the print servers' steps by hand): balancer-only scope
    expect(check(report, 'windows-verify-PS1')).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/balancer-only scope/) });
    console.log(`[verify-snat] healthy verify: ${report.checks.length} checks in ${(report.durationMs / 1000).toFixed(1)} s`);
  });

  it('smbd stopped on ps1: fails with PS1 down in the balancer view and 445 on ps1 failing, the VIP listing still passes; passes again after a restart', async () => {
    await stopService('pha-ps1', 'smbd');
    try {
      const t = await waitFor(
        'PS1 DOWN in HAProxy on both balancers',
        async () => {
          for (const n of ['pha-lb1', 'pha-lb2'] as const) if (!(await haproxyServerStates(n)).filter((s) => s.server === 'PS1').every((s) => s.status.startsWith('DOWN'))) return false;
          return true;
        },
        60_000,
        250,
      );
      console.log(`[verify-snat] PS1 marked DOWN ${t.toFixed(1)} s after smbd stopped`);
      const { code, report } = await verify();
      expect(code).toBe(1);
      expect(report.ok).toBe(false);
      for (const n of ['pha-lb1', 'pha-lb2']) expect(check(report, `balancer-${n}-PS1`)).toMatchObject({ status: 'fail', observation: expect.stringContaining('DOWN') });
      expect(check(report, 'balancer-pha-lb1-PS2').status).toBe('pass');
      expect(report.overview[0]!.reals.find((x) => x.label === 'PS1')).toMatchObject({ state: 'down', reason: expect.stringMatching(/L4CON/) });
      expect(report.ports!.find((p) => p.via === 'direct' && p.host === '10.99.0.21' && p.port === 445)).toMatchObject({ open: false, error: 'ECONNREFUSED' });
      expect(check(report, 'tcp-direct-PS1-PrintServers').status).toBe('fail');
      expect(check(report, 'smb-direct-PS1').status).toBe('fail');
      expect(check(report, 'smb-vip').status).toBe('pass');
      expect(report.shares.find((s) => s.via === '\\\\10.99.0.10')?.shares).toContain('FollowMe-Secure');
      const fails = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
      console.log(`[verify-snat] with smbd stopped on ps1, failing: ${fails.join(', ')}`);
    } finally {
      await startService('pha-ps1', 'smbd');
    }
    await waitFor(
      'PS1 UP again on both balancers',
      async () => {
        for (const n of ['pha-lb1', 'pha-lb2'] as const) if (!(await haproxyServerStates(n)).filter((s) => s.server === 'PS1').every((s) => s.status === 'UP')) return false;
        return true;
      },
      60_000,
      250,
    );
    const again = await verify();
    expect(again.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(again.code).toBe(0);
  });

  it('--drill moves this client from the halted server to the other one and restores it', async () => {
    const before = await haproxyServerStates('pha-lb1');
    expect(before.every((s) => s.status === 'UP')).toBe(true);
    const { code, report } = await verify('--drill');
    const move = check(report, 'drill-move');
    const restore = check(report, 'drill-restore');
    expect(move, JSON.stringify(move.evidence, null, 1)).toMatchObject({ status: 'pass', observation: expect.stringMatching(/^moved to PS[12] [\d.]+ s after the halt$/) });
    expect(restore.status).toBe('pass');
    const from = /served by (PS[12])/.exec(move.target)?.[1];
    const to = /moved to (PS[12])/.exec(move.observation)?.[1];
    expect(from).toBeDefined();
    expect(to).not.toBe(from);
    expect(move.evidence.map((e) => e.output).join('\n')).toMatch(new RegExp(`${from} MAINT`));
    // restored: the balancers have every server UP again (not only as verify saw it)
    for (const n of ['pha-lb1', 'pha-lb2'] as const) expect((await haproxyServerStates(n)).every((s) => s.status === 'UP')).toBe(true);
    expect(code).toBe(0);
    console.log(`[verify-snat] drill: ${move.observation}; ${restore.observation}`);
  });

  it('--watch redraws the overview (clear screen + table) until Ctrl-C, which exits 0', async () => {
    const argv = [join(ROOT, 'node_modules/.bin/tsx'), join(ROOT, 'electron/cli/main.ts'), 'verify', SITE, '--watch', '1', '--accept-host-key', acceptKeys];
    const [cmd, ...args] = inClientNetns() ? argv : ['ip', 'netns', 'exec', CLIENT_NETNS, ...argv];
    const child = spawn(cmd!, args, { env: { ...process.env, PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_KNOWN_HOSTS: knownHosts }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    await waitFor('two frames of the watch', async () => out.split('\x1b[2J\x1b[H').length >= 3, 60_000, 100);
    child.kill('SIGINT');
    expect(await code).toBe(0);
    const frames = out.split('\x1b[2J\x1b[H').filter(Boolean);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toMatch(/^PrintHA verify --watch 1s — PrintHA lab - Linux HAProxy SNAT pair — .*\(Ctrl-C to stop\)/);
    expect(frames[0]).toMatch(/↑ {4}PS1 +10\.99\.0\.21 +445 +100/);
    expect(err).toContain('watch stopped.');
  });
});
