/**
 * linux-haproxy faults on the lab (examples/lab-snat.yaml, HA pair, secondary pha-lb2 first). Each
 * fault must leave the node serving its previous configuration, and the report must name the node,
 * the step and the reason:
 *   - HAProxy refuses the new configuration on the node at reload (a port bound by another process;
 *     `haproxy -c` does not bind, so this is only seen at reload) -> restored from the backup;
 *   - the node's disk is full during the upload -> nothing replaced, temporary files removed;
 *   - the connection is cut in the middle of apply -> reported as unknown, then a new apply completes it;
 *   - the SSH host key changed since the last run -> refused before anything is sent;
 *   - a wrong password -> one attempt per node, a clear message, nothing changed.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { fillDisk, freeDisk, labEnv, labExec, replaceHostKey, type LabEnv, type LabNode } from '../lab/lab.js';
import {
  BALANCERS,
  engineFor,
  killInNode,
  linkSync,
  nodeFile,
  resetBalancers,
  siteFromExample,
  smbList,
  squatPort,
  stepsOf,
  tempDir,
  testContext,
  trustedKnownHosts,
  vipHolders,
  writeTemp,
} from './appliance-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'in-process SSH must run inside the lab client namespace: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[appliance-faults] skipped: ${skipReason}`);

const FILES = ['/etc/haproxy/haproxy.cfg', '/etc/keepalived/keepalived.conf', '/etc/sysctl.d/99-printha.conf'];

async function snapshot(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const n of BALANCERS) for (const f of FILES) out[`${n}:${f}`] = await nodeFile(n, f);
  return out;
}

async function leftovers(node: LabNode): Promise<string> {
  return (await labExec(node, ['sh', '-c', 'ls -a /etc/haproxy /etc/keepalived /etc/sysctl.d 2>/dev/null | grep printha || true'])).stdout.trim();
}

async function active(node: LabNode, svc: string): Promise<string> {
  return (await labExec(node, ['systemctl', 'is-active', svc])).stdout.trim();
}

describe.skipIf(!!skipReason)('linux-haproxy faults (lab-snat)', () => {
  let env: LabEnv;
  let dir: string;
  const site = siteFromExample('lab-snat.yaml');
  const results: string[] = [];

  beforeAll(async () => {
    env = await labEnv();
    dir = tempDir('printha-appliance-faults-');
  });
  beforeEach(async () => {
    await resetBalancers();
  });
  afterEach(async () => {
    linkSync('pha-lb2', true);
    await freeDisk('pha-lb2').catch(() => undefined);
  });
  afterAll(async () => {
    await resetBalancers();
    // The fault-test results, for the report.
    console.log(`[appliance-faults] results:\n${results.join('\n')}`);
  });

  it('HAProxy refuses the new configuration at reload (port in use on the node): restored from the backup', async () => {
    const before = await snapshot();
    const squatter = await squatPort('pha-lb2', 515);
    const t = testContext({ knownHostsPath: trustedKnownHosts(env, dir), keyPath: env.PRINTHA_SSH_KEY });
    const engine = engineFor(join(dir, 'state-port'));
    try {
      const res = await engine.apply(site, t.ctx, { confirmed: true, only: 'balancer' });
      results.push(...res.hostStates.map((h) => `  port in use: ${h.host}: ${h.state}`));
      expect(res.ok).toBe(false);
      const lb2 = res.hostStates.find((h) => h.host === 'pha-lb2')!;
      expect(lb2.ok).toBe(false);
      expect(lb2.state).toMatch(/^serving its previous configuration \(restored from \/var\/backups\/printha\/[0-9TZ-]+[a-f0-9]+\)/);
      expect(lb2.state).toContain('failed at step "reload-haproxy"');
      expect(lb2.state).toMatch(/refused the new configuration/);
      expect(res.hostStates.find((h) => h.host === 'pha-lb1')!.state).toMatch(/^not changed: apply stopped before this node \(pha-lb2: step "reload-haproxy" failed\)/);
      expect(stepsOf(t.events, res.runId, 'rolled-back')).toEqual(expect.arrayContaining(['pha-lb2:rollback:restore', 'pha-lb2:rollback:reload-haproxy']));
    } finally {
      await engine.close();
      await killInNode('pha-lb2', squatter);
    }
    expect(await snapshot()).toEqual(before);
    expect(await active('pha-lb2', 'haproxy')).toBe('active');
    expect(await active('pha-lb2', 'keepalived')).toBe('active');
    expect(await nodeFile('pha-lb2', '/var/lib/printha/apply-pending')).toBeNull();
    expect(await leftovers('pha-lb2')).toBe('');
    expect(await vipHolders()).toEqual(['pha-lb1']);
  });

  it('the disk is full during the upload: nothing replaced, temporary files removed', async () => {
    const before = await snapshot();
    await fillDisk('pha-lb2');
    const t = testContext({ knownHostsPath: trustedKnownHosts(env, dir), keyPath: env.PRINTHA_SSH_KEY });
    const engine = engineFor(join(dir, 'state-disk'));
    try {
      const res = await engine.apply(site, t.ctx, { confirmed: true, only: 'balancer' });
      results.push(...res.hostStates.map((h) => `  disk full: ${h.host}: ${h.state}`));
      expect(res.ok).toBe(false);
      const lb2 = res.hostStates.find((h) => h.host === 'pha-lb2')!;
      expect(lb2.state).toMatch(/^serving its previous configuration \(nothing was changed on it; backup of its files in \/var\/backups\/printha\//);
      expect(lb2.state).toContain('failed at step "upload:/etc/haproxy/haproxy.cfg"');
      expect(lb2.state).toMatch(/disk is full/);
      expect(res.hostStates.find((h) => h.host === 'pha-lb1')!.state).toMatch(/^not changed/);
    } finally {
      await engine.close();
      await freeDisk('pha-lb2');
    }
    expect(await snapshot()).toEqual(before);
    expect(await leftovers('pha-lb2')).toBe('');
    expect(await active('pha-lb2', 'haproxy')).toBe('active');
  });

  it('the connection is cut in the middle of apply: reported, then a new apply completes the change', async () => {
    const kh = trustedKnownHosts(env, dir);
    let cut = false;
    const t = testContext({
      knownHostsPath: kh,
      keyPath: env.PRINTHA_SSH_KEY,
      onEvent: (e) => {
        // Pull pha-lb2's cable right after its files were swapped, before the reload command is sent.
        if (!cut && e.kind === 'step-start' && e.host === 'pha-lb2' && e.step === 'reload-haproxy') {
          cut = true;
          linkSync('pha-lb2', false);
        }
      },
    });
    const stateDir = join(dir, 'state-cut');
    const engine = engineFor(stateDir, { commandTimeoutMs: 8000, keepaliveIntervalMs: 1000, keepaliveCountMax: 2 });
    try {
      const res = await engine.apply(site, t.ctx, { confirmed: true, only: 'balancer' });
      results.push(...res.hostStates.map((h) => `  connection cut: ${h.host}: ${h.state}`));
      expect(cut).toBe(true);
      expect(res.ok).toBe(false);
      const lb2 = res.hostStates.find((h) => h.host === 'pha-lb2')!;
      expect(lb2.state).toMatch(/^UNKNOWN: the connection to pha-lb2 was lost during step "reload-haproxy", after its files were replaced/);
      expect(lb2.state).toContain('Run apply again');
      expect(res.hostStates.find((h) => h.host === 'pha-lb1')!.state).toMatch(/^not changed/);
    } finally {
      await engine.close();
      linkSync('pha-lb2', true);
    }
    // the marker tells the next apply what is left to do
    expect(await nodeFile('pha-lb2', '/var/lib/printha/apply-pending')).toMatch(/services=haproxy keepalived/);

    const t2 = testContext({ knownHostsPath: kh, keyPath: env.PRINTHA_SSH_KEY });
    const engine2 = engineFor(stateDir);
    try {
      const res = await engine2.apply(site, t2.ctx, { confirmed: true, only: 'balancer', resume: true });
      results.push(...res.hostStates.map((h) => `  after the cut, new apply: ${h.host}: ${h.state}`));
      expect(res.hostStates.map((h) => [h.host, h.ok])).toEqual([
        ['pha-lb2', true],
        ['pha-lb1', true],
      ]);
      const lb2Steps = t2.events.filter((e) => e.run === res.runId && e.kind === 'step-end' && e.host === 'pha-lb2').map((e) => `${e.step}=${e.result}`);
      expect(lb2Steps).toEqual(expect.arrayContaining(['backup=skipped', 'reload-haproxy=changed', 'reload-keepalived=changed', 'finish=ok']));
      expect(lb2Steps.some((s) => s.startsWith('upload:'))).toBe(false);
    } finally {
      await engine2.close();
    }
    expect(await nodeFile('pha-lb2', '/var/lib/printha/apply-pending')).toBeNull();
    expect(await vipHolders()).toHaveLength(1);
    expect(await smbList()).toContain('KM-C458-Finance');
  });

  it('the SSH host key changed since the last run: refused, nothing changed', async () => {
    const kh = trustedKnownHosts(env, dir);
    const oldFp = (await labExec('pha-lb2', ['ssh-keygen', '-lf', '/etc/ssh/ssh_host_ed25519_key.pub'])).stdout.split(' ')[1]!;
    const newFp = await replaceHostKey('pha-lb2');
    expect(newFp).not.toBe(oldFp);
    const before = await snapshot();
    const t = testContext({ knownHostsPath: kh, keyPath: env.PRINTHA_SSH_KEY, acceptUnknown: true });
    const engine = engineFor(join(dir, 'state-hostkey'));
    try {
      const res = await engine.apply(site, t.ctx, { confirmed: true, only: 'balancer' });
      results.push(...res.hostStates.map((h) => `  host key changed: ${h.host}: ${h.state}`));
      expect(res.ok).toBe(false);
      expect(res.changed).toBe(false);
      const lb2 = res.hostStates.find((h) => h.host === 'pha-lb2')!;
      expect(lb2.state).toMatch(/^not changed: pha-lb2 could not be reached at step "connect": .*HOST KEY CHANGED for 10\.99\.0\.12:22/);
      expect(lb2.state).toContain(oldFp);
      expect(lb2.state).toContain(newFp);
      expect(res.hostStates.find((h) => h.host === 'pha-lb1')!.state).toMatch(/^not changed/);
      expect(t.prompts).toEqual([]); // a changed key is never offered for trust
    } finally {
      await engine.close();
    }
    expect(await snapshot()).toEqual(before);
    expect(await nodeFile('pha-lb1', '/var/backups/printha/MANIFEST')).toBeNull();
    expect((await labExec('pha-lb1', ['test', '-d', '/var/backups/printha'])).code).not.toBe(0);
  });

  it('a wrong password: one attempt per node, a clear message, nothing changed (CLI)', async () => {
    const text = readFileSync(join(process.cwd(), 'examples', 'lab-snat.yaml'), 'utf8').replace(/interface: eth0 \}/g, 'interface: eth0, user: labadmin }');
    expect(text.match(/user: labadmin/g)).toHaveLength(2);
    const sitePath = writeTemp(dir, 'lab-snat-labadmin.yaml', text);
    const failedBefore = await Promise.all(BALANCERS.map((n) => failedPasswords(env, n)));
    const before = await snapshot();
    const password = 'Wrong-Pa55word-for-test';
    const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env2: NodeJS.ProcessEnv = { ...process.env, PRINTHA_KNOWN_HOSTS: trustedKnownHosts(env, dir), PRINTHA_STATE_DIR: join(dir, 'state-pw'), PRINTHA_SSH_PASSWORD: password, SSH_AUTH_SOCK: '' };
      delete env2.PRINTHA_SSH_KEY;
      const child = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['electron/cli/main.ts', 'apply', sitePath, '--yes', '--only', 'balancer', '--json'], { env: env2, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
      child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(res.code, res.stderr).toBe(1);
    const out = JSON.parse(res.stdout) as { ok: boolean; hostStates: { host: string; state: string }[]; journal: string; ssh: Record<string, { connections: number; connectFailures: number }> };
    results.push(...out.hostStates.map((h) => `  wrong password: ${h.host}: ${h.state}`));
    for (const h of out.hostStates) {
      expect(h.state).toMatch(new RegExp(`^not changed: ${h.host} could not be reached at step "connect": Authentication failed for labadmin@10\\.99\\.0\\.1[12]:22 \\(tried: password\\)`));
      expect(h.state).toContain('did not retry');
    }
    for (const s of Object.values(out.ssh)) expect(s).toMatchObject({ connections: 0, connectFailures: 1 });
    // exactly one failed login per node in sshd's log, and the password is nowhere in the output or journal
    const failedAfter = await Promise.all(BALANCERS.map((n) => failedPasswords(env, n)));
    expect(failedAfter.map((n, i) => n - failedBefore[i]!)).toEqual([1, 1]);
    expect(res.stdout + res.stderr).not.toContain(password);
    const stateFiles = readdirSync(join(dir, 'state-pw'), { recursive: true }).map(String);
    for (const f of stateFiles.filter((f) => f.endsWith('.jsonl'))) expect(readFileSync(join(dir, 'state-pw', f), 'utf8')).not.toContain(password);
    expect(await snapshot()).toEqual(before);
  });
});

async function failedPasswords(env: LabEnv, node: LabNode): Promise<number> {
  try {
    const log = readFileSync(join(env.PRINTHA_LAB_DIR, 'nodes', node, 'var-log', 'sshd.log'), 'utf8');
    return log.split('\n').filter((l) => /Failed password for labadmin/.test(l)).length;
  } catch {
    return 0;
  }
}
