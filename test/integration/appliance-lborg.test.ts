/**
 * loadbalancer-org on the lab's emulated appliance (the strict lbcli test double on pha-lb1):
 * examples/lab-lborg-snat.yaml applied from a clean lab; the shares and listeners answer through the
 * VIP; a VIP that was on the appliance before and is not ours is still there, unchanged; a second
 * apply runs no lbcli command. Fault: HAProxy refuses the new configuration at reload (a port in use
 * on the appliance) -> lb_config.xml and the generated files restored, the appliance serves its
 * previous configuration.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SHARES, LAB_VIP, labEnv, labExec, type LabEnv } from '../lab/lab.js';
import { banner, engineFor, killInNode, nodeFile, resetBalancers, siteFromExample, smbList, squatPort, stepsOf, tempDir, testContext, trustedKnownHosts } from './appliance-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'in-process SSH must run inside the lab client namespace: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[appliance-lborg] skipped: ${skipReason}`);

const LBCLI = '/usr/local/sbin/lbcli';

async function lbcli(...args: string[]): Promise<unknown> {
  const r = await labExec('pha-lb1', [LBCLI, ...args, '--method', 'api']);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as unknown;
}

/** The dumpconfig `virtual` objects of Layer 7, by label. */
async function l7Virtuals(): Promise<Record<string, unknown>> {
  const r = await labExec('pha-lb1', [LBCLI, '--action', 'list', '--function', 'dumpconfig']);
  const json = JSON.parse(r.stdout.trim().split('\n').pop()!) as { haproxy?: { virtual?: unknown } };
  const v = json.haproxy?.virtual;
  const list = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
  return Object.fromEntries((list as { label: string }[]).map((x) => [x.label, x]));
}

async function addForeignVip(): Promise<void> {
  for (const args of [
    ['--action', 'add-vip', '--layer', '7', '--vip', 'Intranet-Web', '--ip', '10.99.0.50', '--ports', '8080', '--mode', 'tcp'],
    ['--action', 'edit-vip', '--vip', 'Intranet-Web', '--persistence', 'ip', '--persist_time', '45', '--scheduler', 'roundrobin'],
    ['--action', 'add-rip', '--vip', 'Intranet-Web', '--rip', 'web1', '--ip', '10.99.0.21', '--port', '80', '--weight', '50'],
  ]) {
    expect(JSON.stringify(await lbcli(...args))).toContain('"status":"success"');
  }
}

describe.skipIf(!!skipReason)('loadbalancer-org: lab-lborg-snat on the emulated appliance', () => {
  let env: LabEnv;
  let dir: string;
  const site = siteFromExample('lab-lborg-snat.yaml');
  const results: string[] = [];

  beforeAll(async () => {
    env = await labEnv();
    dir = tempDir('printha-appliance-lborg-');
  });
  beforeEach(async () => {
    await resetBalancers();
    await addForeignVip();
  });
  afterAll(async () => {
    await resetBalancers();
    console.log(`[appliance-lborg] results:\n${results.join('\n')}`);
  });

  it('applies from a clean appliance, leaves the foreign VIP alone, and a second apply changes nothing', async () => {
    const foreignBefore = (await l7Virtuals())['Intranet-Web'];
    expect(foreignBefore).toBeDefined();
    const kh = trustedKnownHosts(env, dir);
    const t = testContext({ knownHostsPath: kh, keyPath: env.PRINTHA_SSH_KEY });
    const engine = engineFor(join(dir, 'state'));
    try {
      const plan = await engine.plan(site, t.ctx, 'balancer');
      const lb1 = plan.hosts.find((h) => h.host === 'pha-lb1')!;
      expect(lb1.notes.join(' ')).toContain('Not ours, left untouched: Intranet-Web');
      const lbcliSteps = lb1.steps.filter((s) => s.kind === 'lbcli' || s.kind === 'reload');
      expect(lbcliSteps.map((s) => s.command ?? '').every((c) => !c.includes('Intranet-Web'))).toBe(true);
      expect(lbcliSteps.at(-1)?.command).toContain('reload-haproxy');

      const res = await engine.apply(site, t.ctx, { confirmed: true, only: 'balancer' });
      results.push(...res.hostStates.map((h) => `  apply: ${h.host}: ${h.state}`));
      expect(res.hostStates).toEqual([{ host: 'pha-lb1', ok: true, state: expect.stringContaining('serving the new configuration') }]);
      const done = stepsOf(t.events, res.runId);
      expect(done.filter((s) => s.includes(':lbcli:'))).toHaveLength(lbcliSteps.length);
      expect(done).toEqual(expect.arrayContaining(['pha-lb1:check-active', 'pha-lb1:backup', 'pha-lb1:confirm']));
    } finally {
      await engine.close();
    }
    expect(await nodeFile('pha-lb1', `/var/backups/printha/${(await labExec('pha-lb1', ['ls', '/var/backups/printha'])).stdout.trim()}/etc/loadbalancer.org/lb_config.xml`)).toContain('Intranet-Web');
    const after = await l7Virtuals();
    expect(Object.keys(after).sort()).toEqual(['Dispatcher', 'Intranet-Web', 'PrintServers']);
    expect(after['Intranet-Web']).toEqual(foreignBefore);

    const list = await smbList();
    for (const s of DEFAULT_SHARES) expect(list).toContain(s);
    for (const p of [25, 53, 80, 443, 465, 515, 587, 50808, 50809]) expect(await banner(LAB_VIP, p), `port ${p}`).toMatch(new RegExp(`^pha-ps[12] ${p}$`));

    const t2 = testContext({ knownHostsPath: kh, keyPath: env.PRINTHA_SSH_KEY });
    const engine2 = engineFor(join(dir, 'state'));
    try {
      const res = await engine2.apply(site, t2.ctx, { confirmed: true, only: 'balancer' });
      expect(res.ok).toBe(true);
      expect(res.changed).toBe(false);
      expect(res.hostStates[0]!.state).toContain('no changes needed');
      expect(stepsOf(t2.events, res.runId)).toEqual(['pha-lb1:discover']);
      expect(Object.values(engine2.sshStats()).map((s) => s.commands)).toEqual([1]);
    } finally {
      await engine2.close();
    }
  });

  it('HAProxy refuses the new configuration at reload on the appliance: lb_config.xml restored, previous configuration served', async () => {
    const before = await nodeFile('pha-lb1', '/etc/loadbalancer.org/lb_config.xml');
    const cfgBefore = await nodeFile('pha-lb1', '/etc/haproxy/haproxy.cfg');
    const squatter = await squatPort('pha-lb1', 515);
    const t = testContext({ knownHostsPath: trustedKnownHosts(env, dir), keyPath: env.PRINTHA_SSH_KEY });
    const engine = engineFor(join(dir, 'state-fault'));
    try {
      const res = await engine.apply(site, t.ctx, { confirmed: true, only: 'balancer' });
      results.push(...res.hostStates.map((h) => `  port in use: ${h.host}: ${h.state}`));
      expect(res.ok).toBe(false);
      const lb1 = res.hostStates[0]!;
      expect(lb1.host).toBe('pha-lb1');
      expect(lb1.state).toMatch(/^serving its previous configuration \(restored from \/var\/backups\/printha\/[^)]+\) — failed at step "lbcli:\d+:reload-haproxy": lbcli replied "failed"/);
      expect(stepsOf(t.events, res.runId, 'rolled-back')).toEqual(expect.arrayContaining(['pha-lb1:rollback:restore', 'pha-lb1:rollback:reload-haproxy']));
    } finally {
      await engine.close();
      await killInNode('pha-lb1', squatter);
    }
    expect(await nodeFile('pha-lb1', '/etc/loadbalancer.org/lb_config.xml')).toBe(before);
    expect(await nodeFile('pha-lb1', '/etc/haproxy/haproxy.cfg')).toBe(cfgBefore);
    expect(Object.keys(await l7Virtuals())).toEqual(['Intranet-Web']);
    expect((await labExec('pha-lb1', ['systemctl', 'is-active', 'haproxy'])).stdout.trim()).toBe('active');
  });
});
