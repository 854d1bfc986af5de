/**
 * `printha verify` on the lab with the Dispatcher Paragon site (examples/lab-paragon.yaml): the
 * health checks the balancers send on 5555 and 5022 (and 515) are captured with tshark on the nodes
 * and must be half-open — SYN, SYN-ACK, RST, no completed handshake, never FIN (seed 003).
 * Balancers set up by the TEST FIXTURE STEP in verify-fixture.ts.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VerifyReportSchema, type VerifyReport } from '../../shared/verify/report.js';
import { inClient, labEnv, type LabEnv } from '../lab/lab.js';
import { fixtureInstallBalancer, type InstalledFixture } from './verify-fixture.js';

const unavailable = inject('labUnavailable');
if (unavailable) console.warn(`[verify-paragon] skipped: ${unavailable}`);

const ROOT = resolve(__dirname, '../..');
const SITE = join(ROOT, 'examples/lab-paragon.yaml');

describe.skipIf(!!unavailable)('printha verify on the lab (Dispatcher Paragon, half-open checks)', () => {
  let env: LabEnv;
  let fixture: InstalledFixture | undefined;
  beforeAll(async () => {
    env = await labEnv();
    fixture = await fixtureInstallBalancer(SITE);
  });
  afterAll(async () => {
    await fixture?.restore();
  });

  it('the capture on each balancer shows SYN, SYN-ACK, RST and no completed handshake on 5555 and 5022', async () => {
    const r = await inClient(['npx', 'tsx', join(ROOT, 'electron/cli/main.ts'), 'verify', SITE, '--json', '--only', 'balancer'], {
      env: { PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS },
      timeoutMs: 170_000,
    });
    const report: VerifyReport = VerifyReportSchema.parse(JSON.parse(r.stdout));
    for (const node of ['pha-lb1', 'pha-lb2']) {
      for (const port of [5555, 5022]) {
        const c = report.checks.find((x) => x.id === `healthcheck-halfopen-${node}-${port}`);
        expect(c, `no capture check for ${node} ${port}`).toBeDefined();
        expect(c!.status, `${c!.observation}\n${c!.evidence[0]?.output}`).toBe('pass');
        expect(c!.observation).toMatch(new RegExp(`^port ${port}: [1-9]\\d* half-open \\(SYN, SYN-ACK, RST\\)`));
        expect(c!.observation).not.toMatch(/FIN|completed the handshake/);
        // the evidence shows the packet sequence per check: > SYN, < SYN-ACK, > RST (no bare ACK in between)
        const seqs = c!.evidence[0]!.output.split('\n').filter((l) => l.includes(`:${port}  `));
        expect(seqs.length).toBeGreaterThan(0);
        for (const l of seqs) expect(l).toMatch(/ >S <SA >RA {2}=> half-open$/);
        expect(c!.evidence[0]!.command).toMatch(/^ssh root@10\.99\.0\.1[12] tshark -i eth0 /);
      }
    }
    const ok = (id: string) => report.checks.find((x) => x.id === id)?.status;
    expect(ok('tcp-vip-ParagonTerminal')).toBe('pass');
    expect(ok('persistence')).toBe('pass');
    expect(report.checks.find((x) => x.id === 'tcp-passive-ParagonTerminal')?.status).toBe('not-applicable');
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(r.code).toBe(0);
    console.log(`[verify-paragon] ${report.checks.filter((c) => c.category === 'healthcheck').map((c) => `${c.id}: ${c.observation}`).join('\n')}`);
  });
});
