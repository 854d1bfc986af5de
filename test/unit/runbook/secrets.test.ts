/**
 * One redaction layer for journal, logs, runbooks and error messages: a session with known secrets in
 * the environment (PRINTHA_SSH_PASSWORD, PRINTHA_WINDOWS_PASSWORD), a journal step whose output echoed
 * one (as a failing remote command might), imported results carrying one — then every export (journal,
 * state files, runbook md/html/pdf, pack, ansible, the CLI's own output) is searched: no secret.
 * The lab version (test/integration/runbook-secrets.test.ts) does the same around a real apply.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateDirFor } from '../../../electron/cli/context.js';
import { main } from '../../../electron/cli/main.js';
import type { CliIO } from '../../../electron/cli/types.js';
import { unzipFiles } from '../../../electron/core/pack/zip.js';
import { findChromium } from '../../../electron/core/runbook/pdf.js';
import { JournalWriter, newRunId } from '../../../electron/core/runner/journal.js';
import { SecretSet } from '../../../electron/core/runner/redact.js';
import { journalPath } from '../../../electron/core/runner/state.js';
import { envelope, prepareJson } from '../pack/results-fixtures.js';
import { SSH_SECRET, WIN_SECRET, exampleText, filesUnder, leaks } from './fixtures.js';

const hasPdf = Boolean(findChromium()) && spawnSync('pdftotext', ['-v']).error === undefined;
if (!hasPdf) console.warn('[secrets] no Chromium or pdftotext: the PDF is not part of this check');

describe('no secret in any export', () => {
  it('validate, render, journal, import, runbook md/html/pdf, pack, ansible export, CLI output', async () => {
    const root = mkdtempSync(join(tmpdir(), 'printha-secrets-'));
    const site = join(root, 'lab-snat.yaml');
    writeFileSync(site, exampleText('lab-snat'));
    const env = { PRINTHA_STATE_DIR: join(root, 'state'), PRINTHA_SSH_PASSWORD: SSH_SECRET, PRINTHA_WINDOWS_PASSWORD: WIN_SECRET } as NodeJS.ProcessEnv;
    let out = '';
    let err = '';
    const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env, cwd: root };
    const cli = async (...argv: string[]) => {
      const code = await main(argv, io);
      expect(code, `printha ${argv.join(' ')}\n${out}\n${err}`).toBe(0);
    };

    await cli('validate', site);
    await cli('render', site, '--out', join(root, 'render'));

    // An engine run whose step output echoed both secrets (journal written through the one redactor).
    const stateDir = stateDirFor(site, env);
    const secrets = new SecretSet().addFromEnv(env);
    const j = new JournalWriter(journalPath(stateDir), newRunId(), secrets.redactor());
    j.write({ kind: 'run-start', verb: 'apply' });
    j.write({ kind: 'step-end', host: 'pha-lb1', step: 'upload:/etc/haproxy/haproxy.cfg', title: 'Upload', result: 'failed', command: `sshpass -p ${SSH_SECRET} scp`, output: `auth as root with ${SSH_SECRET}\n${'x'.repeat(9000)}\n${WIN_SECRET}`, message: `login failed (${WIN_SECRET})`, before: { pw: SSH_SECRET }, after: [WIN_SECRET] });
    j.write({ kind: 'run-end', verb: 'apply', result: 'failed', message: `stopped: ${SSH_SECRET}` });
    j.close();

    // Results of the pack run by hand that carry a secret in a step message.
    // (The input lives outside the searched tree: it is what came back from the server.)
    const res = join(mkdtempSync(join(tmpdir(), 'printha-secrets-in-')), 'results');
    mkdirSync(res);
    writeFileSync(join(res, 'PS1-prepare.json'), envelope('prepare.ps1', 'PS1', prepareJson('PS1', { secret: WIN_SECRET }), '2026-05-01T10:00:00Z'));
    await cli('import', site, res);

    await cli('runbook', site, '--format', 'md', '--out', join(root, 'out', 'runbook.md'));
    await cli('runbook', site, '--format', 'html', '--out', join(root, 'out', 'runbook.html'));
    if (hasPdf) await cli('runbook', site, '--format', 'pdf', '--out', join(root, 'out', 'runbook.pdf'));
    await cli('pack', site, '--out', join(root, 'out', 'pack.zip'));
    await cli('export', 'ansible', site, '--out', join(root, 'out', 'ansible'));

    const md = readFileSync(join(root, 'out', 'runbook.md'), 'utf8');
    expect(md).toContain('[REDACTED]'); // the echoed secrets were there, and were replaced
    expect(md).toContain('merged (login [REDACTED])');
    expect(readdirSync(join(stateDir, 'attachments')).length).toBe(1); // the long output went to an attachment

    const texts = [...filesUnder(root), { path: 'stdout', text: out }, { path: 'stderr', text: err }];
    for (const e of unzipFiles(readFileSync(join(root, 'out', 'pack.zip')))) texts.push({ path: `pack.zip:${e.path}`, text: e.data.toString('utf8') });
    if (hasPdf) texts.push({ path: 'runbook.pdf (pdftotext)', text: execFileSync('pdftotext', [join(root, 'out', 'runbook.pdf'), '-'], { encoding: 'utf8' }) });
    expect(texts.length).toBeGreaterThan(20);
    // The site file itself does not hold them either (the test must be able to find one: sanity).
    expect(leaks([{ path: 'probe', text: `x ${WIN_SECRET} y` }], [WIN_SECRET])).not.toEqual([]);
    expect(leaks(texts, [SSH_SECRET, WIN_SECRET])).toEqual([]);
  });

  it('error messages: a failing import names the file, never the secret', async () => {
    const root = mkdtempSync(join(tmpdir(), 'printha-secrets-'));
    const site = join(root, 'lab-snat.yaml');
    writeFileSync(site, exampleText('lab-snat'));
    const res = join(root, 'results');
    mkdirSync(res);
    writeFileSync(join(res, `${WIN_SECRET.replace(/[+/]/g, '_')}.json`), `{"kind":"printha.prepare","server":"${WIN_SECRET}"}`);
    let err = '';
    const io: CliIO = { out: () => undefined, err: (t) => (err += t), env: { PRINTHA_STATE_DIR: join(root, 'state'), PRINTHA_WINDOWS_PASSWORD: WIN_SECRET }, cwd: root };
    expect(await main(['import', site, res], io)).toBe(1);
    expect(err).toMatch(/Nothing was imported/);
    expect(err).not.toContain(WIN_SECRET);
  });
});
