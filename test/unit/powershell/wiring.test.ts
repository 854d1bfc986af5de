/**
 * How the Windows engine is selected and wired into PrintHaEngine:
 *  - defaultServerEngine picks WindowsServerEngine only when findPowerShell finds an executable. The
 *    "pwsh" created here is an empty file that is never executed (selection is a file check; the
 *    engine starts PowerShell lazily, on the first discover/apply).
 *  - PrintHaEngine passes its journal's StepRecorder to the server engine: server steps land in the
 *    run journal (checked with StrictFakeWindowsHosts standing in for the Windows servers).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../../electron/core/engine/api.js';
import { JOURNAL_FILE, PrintHaEngine } from '../../../electron/core/engine/engine.js';
import { defaultServerEngine, NO_POWERSHELL, UnavailableServerEngine } from '../../../electron/core/engine/servers.js';
import { WindowsServerEngine } from '../../../electron/core/powershell/windows-engine.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';
import { StrictFakeWindowsHosts } from './strict-fake-windows-hosts.js';

const ROOT = join(import.meta.dirname, '../../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'printha-wiring-'));
  dirs.push(d);
  return d;
}

describe('defaultServerEngine', () => {
  it('no PowerShell: the "not available" engine, with its message', async () => {
    const home = tmp();
    const eng = defaultServerEngine({ PATH: home, HOME: home });
    expect(eng).toBeInstanceOf(UnavailableServerEngine);
    const site = loadSiteYaml(readFileSync(join(ROOT, 'examples/phoenix-dr.yaml'), 'utf8'));
    if (!site.ok) throw new Error('example');
    const facts = await eng.discover(resolveSite(site.site), {} as RunContext);
    expect(facts[0]).toEqual({ label: 'PS1', reachable: false, error: NO_POWERSHELL });
  });
  it('a pwsh executable on PATH: the Windows engine (nothing is started yet)', () => {
    const d = tmp();
    writeFileSync(join(d, 'pwsh'), '');
    chmodSync(join(d, 'pwsh'), 0o755);
    expect(defaultServerEngine({ PATH: d, HOME: d })).toBeInstanceOf(WindowsServerEngine);
  });
});

describe('PrintHaEngine with the Windows engine', () => {
  it('apply --only servers: server steps are in the run journal, the outcome is in hostStates', async () => {
    const loaded = loadSiteYaml(readFileSync(join(ROOT, 'examples/phoenix-snat.yaml'), 'utf8'));
    if (!loaded.ok) throw new Error('example');
    const site: Site = loaded.site;
    const r = resolveSite(site);
    const labels = site.servers.map((s) => s.label);
    const fake = new StrictFakeWindowsHosts(
      r,
      labels.map((label) => ({ label, pending: [{ step: 'registry:DisableStrictNameChecking', before: null, after: 1 }] })),
      'pw-1234',
    );
    const server = new WindowsServerEngine({
      shell: (_r, ctx) => fake.shell(ctx),
      now: fake.clock.now,
      sleep: fake.clock.sleep,
      rebootPollMs: 10_000,
    });
    const stateDir = tmp();
    const engine = new PrintHaEngine({ stateDir, serverEngine: server });
    const live: JournalEvent[] = [];
    const ctx: RunContext = {
      knownHostsPath: join(stateDir, 'kh'),
      credential: async () => 'pw-1234',
      confirmHostKey: async () => false,
      onEvent: (e) => live.push(e),
    };
    try {
      const res = await engine.apply(site, ctx, { confirmed: true, only: 'servers' });
      expect(res.hostStates.map((h) => [h.host, h.ok])).toEqual([...labels.map((l) => [l, true]), ['dns', true]]);
      expect(res.ok).toBe(true);
      expect(res.changed).toBe(true);
      const journal = readFileSync(join(stateDir, JOURNAL_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as JournalEvent);
      const mine = journal.filter((e) => e.run === res.runId && e.kind === 'step-end');
      expect(mine.find((e) => e.host === labels[0] && e.step === 'prepare:registry:DisableStrictNameChecking')).toMatchObject({
        result: 'changed',
        before: null,
        after: 1,
      });
      expect(mine.filter((e) => e.step === 'wait').map((e) => e.host)).toEqual(labels);
      expect(live.some((e) => e.kind === 'step-end' && e.step === 'reboot')).toBe(true);
      expect(fake.maxConcurrentDown()).toBe(1);
      expect(fake.rejected).toEqual([]);
      // the password never reaches the journal
      expect(readFileSync(join(stateDir, JOURNAL_FILE), 'utf8')).not.toContain('pw-1234');
    } finally {
      await engine.close();
    }
  });
});
