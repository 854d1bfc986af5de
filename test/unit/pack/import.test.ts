/**
 * `printha import`: results of the pack's scripts run by hand come back into the journal (prepare →
 * a step-end per step with before/after; verify → a step-end per check and the server's facts),
 * the runbook then shows them, a second import adds nothing, and one bad file imports nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../../../electron/cli/commands/import.js';
import type { CliIO } from '../../../electron/cli/types.js';
import { stateDirFor } from '../../../electron/cli/context.js';
import { ImportError, importResults } from '../../../electron/core/pack/import.js';
import { zipFiles } from '../../../electron/core/pack/zip.js';
import { siteRunbookDoc, loadRunbookSources } from '../../../electron/core/runbook/export.js';
import { readJournal } from '../../../electron/core/runner/journal.js';
import { journalPath, loadLatest } from '../../../electron/core/runner/state.js';
import { toMarkdown } from '../../../shared/runbook/doc.js';
import { example, exampleText } from '../runbook/fixtures.js';
import { envelope, prepareJson, verifyJson } from './results-fixtures.js';

function resultsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printha-results-'));
  const res = join(dir, 'results');
  mkdirSync(join(res, 'PS2'), { recursive: true });
  writeFileSync(join(res, 'README.txt'), 'not a result');
  writeFileSync(join(res, 'PS1-prepare-dryrun.json'), envelope('prepare.ps1', 'PS1', prepareJson('PS1', { dryRun: true }), '2026-05-01T10:00:00Z', 900, true));
  writeFileSync(join(res, 'PS1-prepare.json'), envelope('prepare.ps1', 'PS1', prepareJson('PS1', { psQuirk: true }), '2026-05-01T10:02:00Z', 2400));
  writeFileSync(join(res, 'PS1-verify.json'), envelope('verify.ps1', 'PS1', verifyJson('PS1', '10.99.0.21', ['KM-C458-Finance', 'HP-4th']), '2026-05-01T10:30:00Z', 3100));
  // PS2's results in a subfolder, and the verify JSON saved by hand (no envelope, with a BOM).
  writeFileSync(join(res, 'PS2', 'PS2-prepare.json'), envelope('prepare.ps1', 'PS2', prepareJson('PS2'), '2026-05-01T10:10:00Z'));
  writeFileSync(join(res, 'PS2', 'PS2-verify.json'), '\uFEFF' + JSON.stringify(verifyJson('PS2', '10.99.0.22', ['KM-C458-Finance'])));
  return res;
}

describe('import of script results', () => {
  it('round trip: results → journal events with before/after → facts → runbook', () => {
    const state = mkdtempSync(join(tmpdir(), 'printha-state-'));
    const site = example('lab-snat');
    const s = importResults(site, state, resultsDir(), { env: {}, now: '2026-05-02T08:00:00.000Z' });
    expect(s.imported.map((x) => `${x.host}:${x.kind}`).sort()).toEqual(['PS1:prepare', 'PS1:prepare', 'PS1:verify', 'PS2:prepare', 'PS2:verify']);
    expect(s.factsUpdated).toBe(true);

    const ev = readJournal(journalPath(state));
    expect(ev.every((e) => e.run === s.runId)).toBe(true);
    expect(ev[0]).toMatchObject({ kind: 'run-start', verb: 'import' });
    expect(ev.at(-1)).toMatchObject({ kind: 'run-end', verb: 'import', result: 'ok' });
    const names = ev.find((e) => e.host === 'PS1' && e.step === 'prepare:registry:OptionalNames' && e.result === 'changed');
    expect(names).toMatchObject({ kind: 'step-end', before: ['OLDNAME'], after: ['OLDNAME', 'Dispatcher'], message: 'merged' });
    expect(names!.t).toBe('2026-05-01T10:02:02.4000000Z');
    const dry = ev.find((e) => e.host === 'PS1' && e.step === 'prepare:registry:OptionalNames' && e.result === 'skipped');
    expect(dry?.message).toBe('merged — dry run: would change');
    const summary = ev.find((e) => e.host === 'PS1' && e.step === 'prepare');
    expect(summary).toMatchObject({ result: 'changed', durationMs: 2400, message: 'reboot required' });
    expect(summary!.title).toContain('PS1-prepare.json');
    expect(JSON.parse(summary!.output!)).toMatchObject({ kind: 'printha.prepare', server: 'PS1' });
    expect(ev.find((e) => e.host === 'PS2' && e.step === 'verify:printer-shares')).toMatchObject({ result: 'ok', after: ['KM-C458-Finance'] });
    // events are in the order the scripts ran
    const order = ev.filter((e) => e.kind === 'step-end' && !e.step!.includes(':')).map((e) => `${e.host}:${e.step}`);
    expect(order).toEqual(['PS1:prepare-dryrun', 'PS1:prepare', 'PS2:prepare', 'PS1:verify', 'PS2:verify']);

    const facts = loadLatest(state, 'facts')!.value;
    expect(facts.servers?.map((x) => x.label).sort()).toEqual(['PS1', 'PS2']);
    expect(facts.servers?.find((x) => x.label === 'PS1')).toMatchObject({ domainMember: true, printerShares: ['KM-C458-Finance', 'HP-4th'], registry: { optionalNames: ['OLDNAME', 'Dispatcher'] } });

    const md = toMarkdown(siteRunbookDoc(site, loadRunbookSources(state), { env: {} }));
    expect(md).toMatch(/### Run \S+ \(import\)/);
    expect(md).toContain('| PS1 | prepare.ps1: registry:OptionalNames | changed |');
    expect(md).toContain('before: ["OLDNAME"]\nafter:  ["OLDNAME","Dispatcher"]');
    expect(md).toContain('## Discovered facts');
    expect(md).toContain('| PS1 | yes | PS1 / corp.example.com | yes | 2: KM-C458-Finance, HP-4th |');
    // the facts feed the rules: the servers' printer shares differ
    expect(md.slice(md.indexOf('## Preflight findings'), md.indexOf('## Compliance'))).toMatch(/HP-4th/);
    // the servers are done; the balancer nodes are not
    const left = md.slice(md.indexOf('## Manual steps left'));
    expect(left).not.toMatch(/Print server PS1 /);
    expect(left).toMatch(/Balancer node pha-lb1/);
  });

  it('importing the same results twice adds nothing', () => {
    const state = mkdtempSync(join(tmpdir(), 'printha-state-'));
    const dir = resultsDir();
    const first = importResults(example('lab-snat'), state, dir, { env: {} });
    const n = readJournal(journalPath(state)).length;
    const again = importResults(example('lab-snat'), state, dir, { env: {} });
    expect(again.imported).toEqual([]);
    expect(again.skipped).toHaveLength(first.imported.length);
    expect(readJournal(journalPath(state))).toHaveLength(n);
  });

  it('one bad file: nothing is imported and every problem is named', () => {
    const state = mkdtempSync(join(tmpdir(), 'printha-state-'));
    const dir = resultsDir();
    writeFileSync(join(dir, 'PS9-prepare.json'), envelope('prepare.ps1', 'PS9', prepareJson('PS9'), '2026-05-01T10:00:00Z'));
    writeFileSync(join(dir, 'broken.json'), '{"kind":"printha.prepare","version":1}');
    writeFileSync(join(dir, 'garbage.json'), 'not json');
    const err = (() => {
      try {
        importResults(example('lab-snat'), state, dir, { env: {} });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ImportError);
    const msg = (err as Error).message;
    expect(msg).toContain('Nothing was imported');
    expect(msg).toMatch(/PS9-prepare\.json: belongs to server "PS9", which is not in the site file \(servers: PS1, PS2\)/);
    expect(msg).toMatch(/broken\.json: prepare\.ps1 returned an unexpected result/);
    expect(msg).toMatch(/garbage\.json: is not JSON/);
    expect(readJournal(journalPath(state))).toEqual([]);
  });

  it('reads results/ from a pack zip brought back whole', () => {
    const state = mkdtempSync(join(tmpdir(), 'printha-state-'));
    const z = join(mkdtempSync(join(tmpdir(), 'printha-zip-')), 'pack.zip');
    writeFileSync(
      z,
      zipFiles([
        { path: 'README.md', data: '#' },
        { path: 'manifest.json', data: '{}' },
        { path: 'results/PS1-prepare.json', data: envelope('prepare.ps1', 'PS1', prepareJson('PS1'), '2026-05-01T10:00:00Z') },
      ]),
    );
    const s = importResults(example('lab-snat'), state, z, { env: {} });
    expect(s.imported).toEqual([{ file: 'results/PS1-prepare.json', kind: 'prepare', host: 'PS1' }]);
  });

  it('redacts secrets of the environment in what it writes', () => {
    const state = mkdtempSync(join(tmpdir(), 'printha-state-'));
    const dir = mkdtempSync(join(tmpdir(), 'printha-results-'));
    writeFileSync(join(dir, 'PS1-prepare.json'), envelope('prepare.ps1', 'PS1', prepareJson('PS1', { secret: 'Quokka-Saffron-77' }), '2026-05-01T10:00:00Z'));
    importResults(example('lab-snat'), state, dir, { env: { PRINTHA_WINDOWS_PASSWORD: 'Quokka-Saffron-77' } });
    const raw = readFileSync(journalPath(state), 'utf8');
    expect(raw).toContain('merged (login [REDACTED])');
    expect(raw).not.toContain('Quokka-Saffron-77');
  });

  it('the CLI verb: exit 0 with a summary; exit 1 naming the problem; the journal under the state dir', async () => {
    const root = mkdtempSync(join(tmpdir(), 'printha-cli-'));
    const siteFile = join(root, 'lab-snat.yaml');
    writeFileSync(siteFile, exampleText('lab-snat'));
    let out = '';
    let err = '';
    const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env: { PRINTHA_STATE_DIR: join(root, 'state') }, cwd: root };
    expect(await importCommand.run([siteFile, resultsDir()], io)).toBe(0);
    expect(out).toMatch(/imported PS1-prepare\.json \(prepare, PS1\)/);
    expect(out).toMatch(/step\(s\) added to the journal as run \S+; server facts updated/);
    expect(readJournal(join(stateDirFor(siteFile, io.env), 'journal.jsonl')).length).toBeGreaterThan(10);
    const missing = await importCommand.run([siteFile, join(root, 'nope')], io).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toMatch(/does not exist: give the results folder/);
    expect(err).toBe('');
  });
});
