/**
 * The guide's whole job in one run (issue 14): from a clean lab — balancers as after `lab.sh up`,
 * print servers and DNS server as clean Windows stand-ins (no OptionalNames, NetBIOS on, no record
 * for the share name) — ONE `printha apply <site> --yes` and ONE `printha verify <site>` per example,
 * nothing run by hand in between, end green:
 *   - apply: every host ok, in the guide's order (balancer push, servers' preparation, DNS record,
 *     rolling reboot one server at a time);
 *   - verify: no check fails; the Windows-side checks (verify.ps1 on every server) pass; SNAT lists
 *     \\<share name> (which works only because of the DNS record apply made); Paragon's health checks
 *     are half-open on the wire; DR's data path (no IPVS here) is "not verifiable here", never passed.
 * The real CLI as a child process; the print servers run the Windows stand-in (a test double).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { stateDirFor } from '../../electron/cli/context.js';
import { queryDns } from '../../electron/core/probes/dns.js';
import { readJournal } from '../../electron/core/runner/journal.js';
import { journalPath } from '../../electron/core/runner/state.js';
import type { VerifyReport } from '../../shared/verify/report.js';
import { labEnv, winFaultReset, winReset, type LabEnv, type WinNode } from '../lab/lab.js';
import { requirePwsh } from '../support/pwsh.js';
import { resetBalancers, siteFromExample, tempDir } from './appliance-lab.js';
import { labCliEnv, printha } from './runbook-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'the CLI must reach the lab from the client namespace: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[whole-job] skipped: ${skipReason}`);
requirePwsh();

const WIN: readonly WinNode[] = ['pha-ps1', 'pha-ps2', 'pha-dns'];

interface ApplyJson {
  ok: boolean;
  runId: string;
  hostStates: { host: string; ok: boolean; state: string }[];
}

/** A clean site: balancers as after `lab.sh up`, every Windows stand-in a clean server, no fault. */
async function cleanLab(): Promise<void> {
  await resetBalancers();
  for (const n of WIN) {
    await winFaultReset(n);
    await winReset(n);
  }
}

function cliEnv(env: LabEnv, dir: string): Record<string, string> {
  return { ...labCliEnv(env, dir), PSModulePath: env.PSModulePath };
}

function failing(rep: VerifyReport): string {
  return rep.checks
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.id}: ${c.observation}`)
    .join('\n');
}

describe.skipIf(!!skipReason)('the whole job: one apply and one verify from a clean lab', () => {
  let env: LabEnv;
  beforeAll(async () => {
    env = await labEnv();
  });

  for (const example of ['lab-snat.yaml', 'lab-lborg-dr.yaml', 'lab-paragon.yaml'] as const) {
    it(`${example}: apply --yes then verify, all green with no manual step`, { timeout: 900_000 }, async () => {
      await cleanLab();
      const site = siteFromExample(example);
      const file = `examples/${example}`;
      const dir = tempDir('printha-job-');
      const e = cliEnv(env, dir);
      const fqdn = `${site.shareName}.${site.dns!.zone}`.toLowerCase();

      // the control: on a clean lab the share name is no name of anything
      const before = await queryDns(site.dns!.server, fqdn, 'A');
      expect(before.response?.answers ?? [], `${fqdn} resolves before apply`).toEqual([]);

      const t0 = Date.now();
      const applied = await printha(['apply', file, '--yes', '--json'], e, 840_000);
      const applyS = (Date.now() - t0) / 1000;
      expect(applied.code, `${applied.stderr}\n${applied.stdout.slice(-3000)}`).toBe(0);
      const a = JSON.parse(applied.stdout) as ApplyJson;
      expect(a.hostStates.filter((h) => !h.ok)).toEqual([]);
      const hosts = a.hostStates.map((h) => h.host);
      for (const s of site.servers) expect(hosts).toContain(s.label);
      expect(hosts).toContain('dns');
      for (const s of site.servers) expect(a.hostStates.find((h) => h.host === s.label)!.state).toMatch(/^prepared: .* restarted \(one server at a time\) and back, booted /);

      // the guide's order, from the journal: balancer push, preparation, DNS record, then one reboot at a time
      const journal = readJournal(journalPath(stateDirFor(resolve(file), { ...process.env, ...e }))).filter((x) => x.run === a.runId && x.kind === 'step-end');
      const at = (pred: (x: (typeof journal)[number]) => boolean, what: string): number => {
        const i = journal.findIndex(pred);
        expect(i, `${what} in the journal`).toBeGreaterThanOrEqual(0);
        return i;
      };
      const lastBalancer = journal.map((x, i) => (site.servers.some((s) => s.label === x.host) || x.host === 'dns' ? -1 : i)).reduce((m, i) => Math.max(m, i), -1);
      const firstPrepare = at((x) => x.step === 'prepare', 'prepare');
      const dnsRecord = at((x) => x.host === 'dns' && x.step === 'dns:record', 'the DNS record');
      const reboots = site.servers.map((s) => ({ reboot: at((x) => x.host === s.label && x.step === 'reboot', `${s.label} reboot`), wait: at((x) => x.host === s.label && x.step === 'wait', `${s.label} wait`) }));
      expect(lastBalancer).toBeLessThan(firstPrepare);
      expect(firstPrepare).toBeLessThan(dnsRecord);
      expect(dnsRecord).toBeLessThan(reboots[0]!.reboot);
      // one server at a time: the next reboot starts only after the previous server is back
      for (let i = 1; i < reboots.length; i++) expect(reboots[i - 1]!.wait).toBeLessThan(reboots[i]!.reboot);

      const t1 = Date.now();
      const verified = await printha(['verify', file, '--json'], e, 300_000);
      const verifyS = (Date.now() - t1) / 1000;
      const rep = JSON.parse(verified.stdout) as VerifyReport;
      expect(failing(rep), verified.stderr).toBe('');
      expect(verified.code).toBe(0);
      const check = (id: string) => {
        const c = rep.checks.find((x) => x.id === id);
        if (!c) throw new Error(`no check ${id}; have ${rep.checks.map((x) => x.id).join(', ')}`);
        return c;
      };
      // verify.ps1 ran on every server and every one of its checks passed
      for (const s of site.servers) {
        expect(check(`windows-verify-${s.label}`)).toMatchObject({ status: 'pass', observation: expect.stringMatching(/^(\d+)\/\1 checks passed/) });
        expect(rep.checks.filter((c) => c.id.startsWith(`windows-${s.label}-`)).length).toBeGreaterThanOrEqual(5);
        expect(check(`windows-${s.label}-registry:OptionalNames:${site.shareName}`).status).toBe('pass');
      }
      expect(check('dns-site').status).toBe('pass');
      // nothing not-applicable without a reason, and nothing passed that cannot run here
      for (const c of rep.checks.filter((x) => x.status === 'not-applicable')) expect(c.why, c.id).toBeTruthy();
      if (example === 'lab-snat.yaml') {
        expect(check('smb-sharename')).toMatchObject({ status: 'pass', target: expect.stringContaining(`resolved to ${site.vip}`) });
        expect(check('smb-vip').status).toBe('pass');
        expect(check('persistence').status).toBe('pass');
        expect(rep.checks.filter((c) => c.status === 'not-applicable').map((c) => c.id)).toEqual(['healthcheck-form']);
      }
      if (example === 'lab-lborg-dr.yaml') {
        for (const id of ['tcp-vip-PrintServers', 'smb-vip', 'smb-sharename', 'persistence']) expect(check(id)).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/^not verifiable here/) });
        for (const s of site.servers) expect(check(`windows-${s.label}-loopback:address:${site.vip}`).status).toBe('pass');
      }
      if (example === 'lab-paragon.yaml') {
        const half = rep.checks.filter((c) => c.id.startsWith('healthcheck-halfopen-'));
        expect(half.length).toBeGreaterThanOrEqual(2);
        for (const c of half) expect(c.status, `${c.id}: ${c.observation}`).toBe('pass');
      }
      console.log(`[whole-job] ${example}: apply ${applyS.toFixed(1)} s, verify ${verifyS.toFixed(1)} s; ${rep.checks.filter((c) => c.status === 'pass').length} passed, ${rep.checks.filter((c) => c.status === 'not-applicable').length} not applicable`);
      // the runbook of this run carries the Windows checks and every host
      const rb = await printha(['runbook', file, '--format', 'md', '--out', join(dir, 'runbook.md')], e, 120_000);
      expect(rb.code, rb.stderr).toBe(0);
      const md = readFileSync(join(dir, 'runbook.md'), 'utf8');
      for (const s of site.servers) expect(md).toContain(`windows-verify-${s.label}`);
    });
  }
});
