/**
 * `printha apply` killed in the middle (SIGKILL to the whole CLI process group right after the first
 * upload step-end reached the journal), then `apply --resume` completes it: the journal shows both
 * runs (the first without a run-end), the runbook says so, and both nodes serve the rendered files.
 * `--only balancer` on both runs: the Windows part cannot run in this lab (no pwsh) and would make
 * every apply end "failed" whatever resume does.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stateDirFor } from '../../electron/cli/context.js';
import { readJournal } from '../../electron/core/runner/journal.js';
import { journalPath } from '../../electron/core/runner/state.js';
import { resolveSite } from '../../shared/model/resolve.js';
import { renderArtifacts } from '../../shared/render/index.js';
import { labEnv } from '../lab/lab.js';
import { nodeFile, resetBalancers, siteFromExample, tempDir, vipHolders } from './appliance-lab.js';
import { labCliEnv, printha } from './runbook-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'the CLI must reach the lab from the client namespace: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[runbook-resume] skipped: ${skipReason}`);

const SITE = 'examples/lab-snat.yaml';

describe.skipIf(!!skipReason)('apply killed mid-run, then --resume', () => {
  beforeAll(async () => {
    await resetBalancers();
  });
  afterAll(async () => {
    await resetBalancers();
  });

  it('the resumed apply completes it and the journal shows both runs', { timeout: 600_000 }, async () => {
    const env = await labEnv();
    const dir = tempDir('printha-rb-resume-');
    const e = labCliEnv(env, dir);
    const jp = journalPath(stateDirFor(resolve(SITE), { ...process.env, ...e }));

    // 1. apply, killed after the first upload step-end is in the journal
    const child = spawn('npm', ['run', '--silent', 'printha', '--', 'apply', SITE, '--yes', '--only', 'balancer'], { env: { ...process.env, ...e }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let childOut = '';
    child.stdout.on('data', (d: Buffer) => (childOut += String(d)));
    child.stderr.on('data', (d: Buffer) => (childOut += String(d)));
    const exited = new Promise<number | null>((res) => child.on('exit', (code, sig) => res(sig ? -1 : code)));
    const t0 = Date.now();
    let killedAfter = '';
    while (Date.now() - t0 < 150_000) {
      const ev = readJournal(jp);
      const up = ev.find((x) => x.kind === 'step-end' && x.step?.startsWith('upload:'));
      if (up) {
        process.kill(-child.pid!, 'SIGKILL'); // the npm wrapper, tsx and node: the whole group this test started
        killedAfter = `${up.host} ${up.step}`;
        break;
      }
      if (ev.some((x) => x.kind === 'run-end')) throw new Error(`the apply ended before it could be killed:\n${childOut}`);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(killedAfter, `no upload step within 150 s:\n${childOut}`).not.toBe('');
    expect(await exited).toBe(-1);
    const first = readJournal(jp);
    const runA = first[0]!.run;
    expect(first[0]).toMatchObject({ kind: 'run-start', verb: 'apply' });
    expect(first.some((x) => x.run === runA && x.kind === 'run-end')).toBe(false);
    console.log(`[runbook-resume] killed the CLI after "${killedAfter}" (${first.length} journal events, ${Date.now() - t0} ms after start)`);

    // 2. apply --resume completes it
    const res = await printha(['apply', SITE, '--yes', '--only', 'balancer', '--resume', '--json'], e);
    const trail = () =>
      readJournal(jp)
        .filter((x) => x.kind === 'step-end' || x.kind === 'note' || x.kind.startsWith('run-'))
        .map((x) => `${x.run.slice(-6)} ${x.kind} ${x.host ?? ''} ${x.step ?? ''} ${x.result ?? ''} ${(x.message ?? '').slice(0, 160)}`)
        .join('\n');
    expect(res.code, `${res.stderr}\n--- journal ---\n${trail()}`).toBe(0);
    const out = JSON.parse(res.stdout) as { ok: boolean; runId: string; hostStates: { host: string; ok: boolean; state: string }[] };
    expect(out.ok).toBe(true);
    expect(out.hostStates.map((h) => h.host)).toEqual(['pha-lb2', 'pha-lb1']);

    const all = readJournal(jp);
    const runs = [...new Set(all.map((x) => x.run))];
    expect(runs).toEqual([runA, out.runId]);
    const runB = all.filter((x) => x.run === out.runId);
    expect(runB[0]).toMatchObject({ kind: 'run-start', verb: 'apply' });
    expect(runB.some((x) => x.kind === 'note' && x.message?.includes(`resuming run ${runA}`))).toBe(true);
    expect(runB.at(-1)).toMatchObject({ kind: 'run-end', result: 'ok' });
    expect(runB.filter((x) => x.kind === 'step-end' && x.step === 'finish').map((x) => x.host).sort()).toEqual(['pha-lb1', 'pha-lb2']);

    // 3. the nodes serve the rendered files, the VIP is on one node
    const rendered = renderArtifacts(resolveSite(siteFromExample('lab-snat.yaml')));
    const cfg = rendered.find((a) => a.path === 'balancer/haproxy.cfg')!.content;
    for (const n of ['pha-lb1', 'pha-lb2'] as const) {
      expect(await nodeFile(n, '/etc/haproxy/haproxy.cfg')).toBe(cfg);
      expect(await nodeFile(n, '/etc/keepalived/keepalived.conf')).toBe(rendered.find((a) => a.path === `balancer/keepalived-${n}.conf`)!.content);
    }
    expect(await vipHolders()).toHaveLength(1);

    // 4. the runbook shows both runs
    const md = join(dir, 'runbook.md');
    const rb = await printha(['runbook', SITE, '--format', 'md', '--out', md], e);
    expect(rb.code, rb.stderr).toBe(0);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain(`### Run ${runA} (apply)`);
    expect(text).toContain(`### Run ${out.runId} (apply)`);
    expect(text).toMatch(new RegExp(`run \`${runA}\`.*did not finish \\(interrupted`));
    expect(text).toMatch(new RegExp(`run \`${out.runId}\`.*ended ok`));
  });
});
