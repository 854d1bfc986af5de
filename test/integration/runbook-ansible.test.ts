/**
 * The Ansible export's balancer part, run by ansible-playbook against the lab (SSH with the lab's key
 * and known_hosts), leaves the same haproxy.cfg and keepalived.conf as PrintHA's own apply, and a
 * second run changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labEnv } from '../lab/lab.js';
import { nodeFile, resetBalancers, tempDir, vipHolders } from './appliance-lab.js';
import { labCliEnv, printha } from './runbook-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
const skipReason =
  unavailable || (!inClientNs ? 'ansible must reach the lab from the client namespace: run `npm run test:integration`' : '') || (!hasAnsible ? 'ansible-playbook is not installed' : '');
if (skipReason) console.warn(`[runbook-ansible] skipped: ${skipReason}`);

const SITE = 'examples/lab-snat.yaml';
const FILES = ['/etc/haproxy/haproxy.cfg', '/etc/keepalived/keepalived.conf', '/etc/sysctl.d/99-printha.conf'];
const NODES = ['pha-lb1', 'pha-lb2'] as const;

async function snapshot(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const n of NODES) for (const f of FILES) out[`${n}:${f}`] = await nodeFile(n, f);
  return out;
}

describe.skipIf(!!skipReason)('ansible export: balancer.yml against the lab', () => {
  beforeAll(async () => {
    await resetBalancers();
  });
  afterAll(async () => {
    await resetBalancers();
  });

  it('leaves the same files as printha apply; a second run changes nothing', { timeout: 600_000 }, async () => {
    const env = await labEnv();
    const dir = tempDir('printha-rb-ansible-');
    const e = labCliEnv(env, dir);

    const seed = await snapshot();
    const apply = await printha(['apply', SITE, '--yes', '--only', 'balancer'], e);
    expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
    const byPrintha = await snapshot();
    expect(byPrintha).not.toEqual(seed);

    await resetBalancers();
    expect(await snapshot()).toEqual(seed);

    const proj = join(dir, 'ansible');
    const ex = await printha(['export', 'ansible', SITE, '--out', proj], e);
    expect(ex.code, ex.stderr).toBe(0);
    const playbook = (extra: string[] = []) =>
      spawnSync(
        'ansible-playbook',
        ['-i', 'inventory.yml', 'balancer.yml', '--private-key', env.PRINTHA_SSH_KEY, '--ssh-common-args', `-o UserKnownHostsFile=${env.PRINTHA_LAB_KNOWN_HOSTS} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`, ...extra],
        {
          cwd: proj,
          encoding: 'utf8',
          timeout: 240_000,
          env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(dir, '.ansible-tmp'), ANSIBLE_HOME: join(dir, '.ansible'), ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_RETRY_FILES_ENABLED: '0', SSH_AUTH_SOCK: '' },
        },
      );
    const t0 = Date.now();
    const r1 = playbook();
    console.log(`[runbook-ansible] first run ${((Date.now() - t0) / 1000).toFixed(1)} s:\n${r1.stdout.split('PLAY RECAP')[1] ?? r1.stdout.slice(-2000)}`);
    expect(r1.status, `${r1.stdout}\n${r1.stderr}`).toBe(0);
    for (const n of NODES) expect(r1.stdout).toMatch(new RegExp(`${n}\\s+: ok=\\d+\\s+changed=[1-9]\\d*\\s+unreachable=0\\s+failed=0`));

    const byAnsible = await snapshot();
    for (const k of Object.keys(byPrintha)) expect(byAnsible[k], k).toBe(byPrintha[k]);
    expect(await vipHolders()).toHaveLength(1);

    const r2 = playbook();
    expect(r2.status, `${r2.stdout}\n${r2.stderr}`).toBe(0);
    for (const n of NODES) expect(r2.stdout).toMatch(new RegExp(`${n}\\s+: ok=\\d+\\s+changed=0\\s+unreachable=0\\s+failed=0`));

    // and PrintHA agrees: nothing to change after Ansible's rollout
    const again = await printha(['apply', SITE, '--yes', '--only', 'balancer', '--json'], e);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { changed: boolean }).changed, again.stdout).toBe(false);
  });
});
