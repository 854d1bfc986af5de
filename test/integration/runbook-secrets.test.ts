/**
 * A lab run with known secrets in the environment (PRINTHA_SSH_PASSWORD, PRINTHA_WINDOWS_PASSWORD set to
 * distinctive values): validate, render, plan, apply (balancer; the Windows part cannot run here: no
 * pwsh), verify, then every export — journal and state files, runbook md/html/pdf (pdftotext), the
 * script pack, the Ansible export, and all CLI output — is searched: no secret anywhere.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unzipFiles } from '../../electron/core/pack/zip.js';
import { labEnv } from '../lab/lab.js';
import { SSH_SECRET, WIN_SECRET, filesUnder, leaks } from '../unit/runbook/fixtures.js';
import { resetBalancers, tempDir } from './appliance-lab.js';
import { labCliEnv, printha, type CliResult } from './runbook-lab.js';

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'the CLI must reach the lab from the client namespace: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[runbook-secrets] skipped: ${skipReason}`);

describe.skipIf(!!skipReason)('no secret in any export after a lab run', () => {
  beforeAll(async () => {
    await resetBalancers();
  });
  afterAll(async () => {
    await resetBalancers();
  });

  it('validate, render, plan, apply, verify, runbook md/html/pdf, pack, export ansible', { timeout: 600_000 }, async () => {
    const env = await labEnv();
    const dir = tempDir('printha-rb-secrets-');
    const out = join(dir, 'out');
    const e = { ...labCliEnv(env, dir), PRINTHA_SSH_PASSWORD: SSH_SECRET, PRINTHA_WINDOWS_PASSWORD: WIN_SECRET };
    const site = 'examples/lab-snat.yaml';
    const log: { args: string; r: CliResult }[] = [];
    const run = async (...args: string[]) => {
      const r = await printha(args, e);
      log.push({ args: args.join(' '), r });
      return r;
    };
    const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);

    ok(await run('validate', site), 'validate');
    ok(await run('render', site, '--out', join(out, 'render')), 'render');
    const plan = await run('plan', site, '--only', 'balancer', '--json');
    ok(plan, 'plan');
    writeFileSync(join(dir, 'plan.json'), plan.stdout);
    ok(await run('apply', site, '--yes', '--only', 'balancer'), 'apply --only balancer');
    const full = await run('apply', site, '--yes'); // the Windows part reports it cannot run here
    console.log(`[runbook-secrets] full apply (balancer + Windows) exit ${full.code}: ${full.stdout.split('\n').filter(Boolean).slice(-4).join(' | ')}`);
    const verify = await run('verify', site, '--json');
    console.log(`[runbook-secrets] verify exit ${verify.code}`);
    const haveVerify = verify.stdout.trim().startsWith('{');
    if (haveVerify) writeFileSync(join(dir, 'verify.json'), verify.stdout);
    const extra = ['--plan', join(dir, 'plan.json'), ...(haveVerify ? ['--verify', join(dir, 'verify.json')] : [])];
    ok(await run('runbook', site, '--format', 'md', '--out', join(out, 'runbook.md'), ...extra), 'runbook md');
    ok(await run('runbook', site, '--format', 'html', '--out', join(out, 'runbook.html'), ...extra), 'runbook html');
    ok(await run('runbook', site, '--format', 'pdf', '--out', join(out, 'runbook.pdf'), ...extra), 'runbook pdf');
    ok(await run('pack', site, '--out', join(out, 'pack.zip')), 'pack');
    ok(await run('export', 'ansible', site, '--out', join(out, 'ansible')), 'export ansible');

    // The runbook is the record of this run.
    const md = readFileSync(join(out, 'runbook.md'), 'utf8');
    expect(md).toContain('## Executed steps');
    expect(md).toMatch(/### Run \S+ \(apply\)/);
    expect(md).toMatch(/\| pha-lb2 \| Upload the new \/etc\/haproxy\/haproxy\.cfg/);
    expect(md).toContain('## Plan');
    if (haveVerify) expect(md).toContain('## Verification');

    const texts = filesUnder(dir);
    for (const { args, r } of log) texts.push({ path: `printha ${args} (stdout)`, text: r.stdout }, { path: `printha ${args} (stderr)`, text: r.stderr });
    for (const z of unzipFiles(readFileSync(join(out, 'pack.zip')))) texts.push({ path: `pack.zip:${z.path}`, text: z.data.toString('utf8') });
    texts.push({ path: 'runbook.pdf (pdftotext)', text: execFileSync('pdftotext', [join(out, 'runbook.pdf'), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }) });
    const journal = texts.find((t) => t.path.endsWith('journal.jsonl'));
    expect(journal?.text.length ?? 0).toBeGreaterThan(1000);
    console.log(`[runbook-secrets] searched ${texts.length} files and outputs (${Math.round(texts.reduce((n, t) => n + t.text.length, 0) / 1024)} KiB)`);
    expect(leaks(texts, [SSH_SECRET, WIN_SECRET])).toEqual([]);
  });
});
