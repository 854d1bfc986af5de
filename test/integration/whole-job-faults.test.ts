/**
 * Failure in the middle of the whole job (issue 14 item 4), on the full path with the real CLI:
 *   A. a print server whose restart never returns (PS1) and a DNS server that refuses the record:
 *      apply ends failed; the balancers serve the new configuration, PS2 is prepared but NOT
 *      restarted (the rolling reboot stopped at PS1), the DNS record is not there; the print service
 *      still answers through the VIP (PS2); the report and the runbook say which host is in which
 *      state. The engineer switches PS1 on and fixes the DNS server; `apply --resume` finishes the
 *      job (both restarts, the record) and verify is green.
 *   B. the balancer refusing its configuration (pha-lb2's /etc/haproxy is full): both balancers keep
 *      their previous configuration byte for byte with HAProxy running (never half), the report says
 *      so per node, the servers are prepared and restarted; after the disk is freed, `apply --resume`
 *      finishes and verify is green.
 * The print servers and pha-dns run the Windows stand-in (a test double) with its fault switches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { VerifyReport } from '../../shared/verify/report.js';
import { fillDisk, freeDisk, labEnv, labExec, winFault, winFaultReset, winPowerOn, winReset, waitFor, type LabEnv, type WinNode } from '../lab/lab.js';
import { requirePwsh } from '../support/pwsh.js';
import { nodeFile, resetBalancers, smbList, tcpOpen, tempDir } from './appliance-lab.js';
import { labCliEnv, printha } from './runbook-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'the CLI must reach the lab from the client namespace: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[whole-job-faults] skipped: ${skipReason}`);
requirePwsh();

const WIN: readonly WinNode[] = ['pha-ps1', 'pha-ps2', 'pha-dns'];
const SITE = 'examples/lab-snat.yaml';

interface ApplyJson {
  ok: boolean;
  hostStates: { host: string; ok: boolean; state: string }[];
}

function stateOf(a: ApplyJson, host: string): { ok: boolean; state: string } {
  const h = a.hostStates.find((x) => x.host === host);
  if (!h) throw new Error(`no state for ${host}: ${JSON.stringify(a.hostStates)}`);
  return h;
}

async function cleanLab(): Promise<void> {
  await freeDisk('pha-lb2', '/etc/haproxy').catch(() => undefined);
  await resetBalancers();
  for (const n of WIN) {
    await winFaultReset(n);
    await winReset(n);
  }
}

async function applyJson(args: string[], e: Record<string, string>): Promise<{ code: number; a: ApplyJson; stderr: string }> {
  const r = await printha(['apply', SITE, '--yes', '--json', ...args], e, 840_000);
  let a: ApplyJson;
  try {
    a = JSON.parse(r.stdout) as ApplyJson;
  } catch {
    throw new Error(`apply printed no JSON (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  }
  return { code: r.code, a, stderr: r.stderr };
}

async function verifyGreen(e: Record<string, string>): Promise<void> {
  const v = await printha(['verify', SITE, '--json'], e, 300_000);
  const rep = JSON.parse(v.stdout) as VerifyReport;
  expect(rep.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.observation}`)).toEqual([]);
  expect(v.code).toBe(0);
  for (const s of ['PS1', 'PS2']) expect(rep.checks.find((c) => c.id === `windows-verify-${s}`)?.status).toBe('pass');
}

describe.skipIf(!!skipReason)('the whole job, failing in the middle, then --resume', () => {
  let env: LabEnv;
  let e: Record<string, string>;
  let dir: string;
  beforeEach(async () => {
    env = await labEnv();
    await cleanLab();
    dir = tempDir('printha-jobfault-');
    // a restart that never returns is given up after 40 s (default 20 min)
    e = { ...labCliEnv(env, dir), PSModulePath: env.PSModulePath, PRINTHA_REBOOT_TIMEOUT_S: '40' };
  });

  it('A: PS1 never comes back and the DNS server refuses the record; the report says where each host is; --resume finishes', { timeout: 900_000 }, async () => {
    await winFault('pha-ps1', 'reboot-never-returns', true);
    await winFault('pha-dns', 'fail-cmdlet', true, 'Add-DnsServerResourceRecordA');
    try {
      const first = await applyJson([], e);
      expect(first.code, first.stderr).toBe(1);
      expect(first.a.ok).toBe(false);
      for (const lb of ['pha-lb1', 'pha-lb2']) expect(stateOf(first.a, lb)).toMatchObject({ ok: true, state: expect.stringMatching(/^serving the new configuration/) });
      expect(stateOf(first.a, 'PS1')).toMatchObject({ ok: false, state: expect.stringMatching(/did not come back/) });
      expect(stateOf(first.a, 'PS2')).toMatchObject({ ok: false, state: expect.stringMatching(/^prepared: .*NOT restarted.*rolling reboot stopped at PS1/) });
      expect(stateOf(first.a, 'dns')).toMatchObject({ ok: false, state: expect.stringMatching(/not done: .*Add-DnsServerResourceRecordA/) });

      // still serving: through the VIP the balancer sends this client to PS2 (PS1 is down)
      let listing = '';
      await waitFor(
        'the printer shares listed through the VIP',
        async () => {
          listing = await smbList().catch((x: unknown) => String(x));
          return /FollowMe|Printer/i.test(listing);
        },
        60_000,
        1000,
      ).catch(() => expect.fail(`no listing through the VIP while PS1 is down:\n${listing}`));

      // the runbook of the failed run says which host is in which state
      const rb = await printha(['runbook', SITE, '--format', 'md', '--out', join(dir, 'failed.md')], e, 120_000);
      expect(rb.code, rb.stderr).toBe(0);
      const md = readFileSync(join(dir, 'failed.md'), 'utf8');
      expect(md).toMatch(/PS1[^\n]*did not come back/);
      expect(md).toMatch(/PS2[^\n]*NOT restarted/);

      // the engineer switches PS1 on at its console and fixes the DNS server, then resumes
      await winPowerOn('pha-ps1');
      await winFault('pha-dns', 'fail-cmdlet', false);
      // the engineer waits until the server is up again (it boots in a few seconds here)
      await waitFor('PS1 answering on TCP 22 after power-on', () => tcpOpen('10.99.0.21', 22), 90_000, 1000);
      const second = await applyJson(['--resume'], e);
      expect(second.a.hostStates.filter((h) => !h.ok), second.stderr).toEqual([]);
      expect(second.code).toBe(0);
      for (const s of ['PS1', 'PS2']) expect(stateOf(second.a, s).state).toMatch(/restarted \(one server at a time\) and back, booted /);
      expect(stateOf(second.a, 'dns').state).toMatch(/created/);
      await verifyGreen(e);
    } finally {
      await winFaultReset('pha-ps1').catch(() => undefined);
      await winFaultReset('pha-dns').catch(() => undefined);
    }
  });

  it('B: the balancer refuses its configuration (disk full on pha-lb2): every balancer keeps serving, the servers are prepared; --resume finishes', { timeout: 900_000 }, async () => {
    const before = new Map<string, string | null>();
    for (const lb of ['pha-lb1', 'pha-lb2'] as const) before.set(lb, await nodeFile(lb, '/etc/haproxy/haproxy.cfg'));
    await fillDisk('pha-lb2', '/etc/haproxy');
    let freed = false;
    try {
      const first = await applyJson([], e);
      expect(first.code, first.stderr).toBe(1);
      expect(stateOf(first.a, 'pha-lb2')).toMatchObject({ ok: false, state: expect.stringMatching(/^serving its previous configuration .*disk is full/) });
      expect(stateOf(first.a, 'pha-lb1')).toMatchObject({ ok: false, state: expect.stringMatching(/serves its previous configuration/) });
      // never half: both balancers run exactly the configuration they had, and HAProxy runs
      for (const lb of ['pha-lb1', 'pha-lb2'] as const) {
        expect(await nodeFile(lb, '/etc/haproxy/haproxy.cfg'), lb).toBe(before.get(lb));
        expect((await labExec(lb, ['systemctl', 'is-active', 'haproxy'])).stdout.trim(), lb).toBe('active');
      }
      // the servers are independent of the balancer's configuration: prepared and restarted
      for (const s of ['PS1', 'PS2']) expect(stateOf(first.a, s)).toMatchObject({ ok: true, state: expect.stringMatching(/^prepared: .*restarted/) });

      await freeDisk('pha-lb2', '/etc/haproxy');
      freed = true;
      const second = await applyJson(['--resume'], e);
      expect(second.a.hostStates.filter((h) => !h.ok), second.stderr).toEqual([]);
      expect(second.code).toBe(0);
      await verifyGreen(e);
    } finally {
      if (!freed) await freeDisk('pha-lb2', '/etc/haproxy').catch(() => undefined);
    }
  });
});
