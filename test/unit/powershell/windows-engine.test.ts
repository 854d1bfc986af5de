/**
 * The Windows engine's orchestration (discover → plan → apply with the rolling reboot) against
 * StrictFakeWindowsHosts — Windows hosts cannot exist on this machine; the real path over pwsh is
 * test/integration/windows-engine.test.ts (skipped here: no pwsh).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../../electron/core/engine/api.js';
import { RESTART_SCRIPT, stepTitle, WindowsServerEngine } from '../../../electron/core/powershell/windows-engine.js';
import { JournalWriter } from '../../../electron/core/runner/journal.js';
import { SecretSet } from '../../../electron/core/runner/redact.js';
import { StepRecorder } from '../../../electron/core/runner/steps.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { renderDnsRecordScript } from '../../../shared/render/powershell/dns.js';
import { renderVerifyScript } from '../../../shared/render/powershell/verify.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';
import { StrictFakeWindowsHosts, type FakeHostSpec, type PendingChange } from './strict-fake-windows-hosts.js';

const ROOT = join(import.meta.dirname, '../../..');
const PASSWORD = 'Corr3ct-Horse!';

function site(servers = 2, patch: (s: Site) => void = () => undefined): ResolvedSite {
  const r = loadSiteYaml(readFileSync(join(ROOT, 'examples/phoenix-dr.yaml'), 'utf8'));
  if (!r.ok) throw new Error('example site does not load');
  const s = structuredClone(r.site);
  s.servers = Array.from({ length: servers }, (_, i) => ({
    label: `PS${i + 1}`,
    address: `192.168.81.${184 + i}`,
    hostname: `ps${i + 1}.corp.example.com`,
    weight: 100,
  }));
  patch(s);
  return resolveSite(s);
}

const PENDING: PendingChange[] = [
  { step: 'loopback:adapter', before: null, after: 'loopback' },
  { step: 'registry:OptionalNames', before: ['OLDNAME'], after: ['OLDNAME', 'Dispatcher'] },
  { step: 'netbios:12', before: 0, after: 2 },
];

function hosts(n: number, extra: Partial<Record<string, Partial<FakeHostSpec>>> = {}): FakeHostSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    label: `PS${i + 1}`,
    pending: PENDING.map((p) => ({ ...p })),
    ...(extra[`PS${i + 1}`] ?? {}),
  }));
}

function ctxWith(password: string | undefined, events: JournalEvent[] = []): RunContext {
  return {
    credential: async () => password,
    knownHostsPath: '/nonexistent/known_hosts',
    confirmHostKey: async () => false,
    onEvent: (e) => events.push(e),
  };
}

function engineFor(fake: StrictFakeWindowsHosts, o: { rebootTimeoutMs?: number } = {}): WindowsServerEngine {
  return new WindowsServerEngine({
    shell: (_r, ctx) => fake.shell(ctx),
    now: fake.clock.now,
    sleep: fake.clock.sleep,
    rebootTimeoutMs: o.rebootTimeoutMs ?? 10 * 60_000,
    rebootPollMs: 15_000,
    parallel: 4,
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function journal(completed?: ReadonlySet<string>): { recorder: StepRecorder; events: () => JournalEvent[] } {
  const dir = mkdtempSync(join(tmpdir(), 'printha-win-'));
  dirs.push(dir);
  const w = new JournalWriter(join(dir, 'journal.jsonl'), 'run-test', new SecretSet().redactor());
  const recorder = new StepRecorder(w, () => undefined, completed);
  return {
    recorder,
    events: () =>
      readFileSync(join(dir, 'journal.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as JournalEvent),
  };
}

function stepEnd(events: JournalEvent[], host: string, step: string): JournalEvent | undefined {
  return events.find((e) => e.kind === 'step-end' && e.host === host && e.step === step);
}

describe('WindowsServerEngine: discover and plan', () => {
  it('collects facts with verify.ps1, keeps the prepare.ps1 dry runs, and plans before/after, the reboot and the DNS record', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(r, hosts(2), PASSWORD);
    const eng = engineFor(fake);
    const facts = await eng.discover(r, ctxWith(PASSWORD));
    expect(facts.map((f) => [f.label, f.reachable, f.lastBootTime])).toEqual([
      ['PS1', true, '2026-11-19T08:00:00Z'],
      ['PS2', true, '2026-11-19T08:00:00Z'],
    ]);
    expect(fake.calls.map((c) => `${c.host}:${c.what}`).sort()).toEqual(
      ['PS1:prepare-dry', 'PS1:verify', 'PS2:prepare-dry', 'PS2:verify', 'local:dns-dry'].sort(),
    );

    const plans = eng.plan(r, facts);
    expect(plans.map((p) => p.host)).toEqual(['PS1', 'PS2', 'dns']);
    const ps1 = plans[0]!;
    expect(ps1.upToDate).toBe(false);
    expect(ps1.changes).toEqual([
      { name: 'loopback:adapter', before: null, after: 'loopback' },
      { name: 'registry:OptionalNames', before: ['OLDNAME'], after: ['OLDNAME', 'Dispatcher'] },
      { name: 'netbios:12', before: 0, after: 2 },
    ]);
    expect(ps1.steps.map((s) => s.id)).toEqual([
      'prepare:loopback:adapter',
      'prepare:registry:OptionalNames',
      'prepare:netbios:12',
      'reboot',
      'wait',
    ]);
    expect(ps1.steps[1]!.title).toBe('Registry value OptionalNames: ["OLDNAME"] → ["OLDNAME","Dispatcher"]');
    expect(ps1.steps[3]!.kind).toBe('reboot');
    const dns = plans[2]!;
    expect(dns.role).toBe('dns');
    expect(dns.changes).toEqual([{ name: 'dns:record', before: null, after: 'A Dispatcher.corp.example.com -> 192.168.81.10' }]);
    expect(fake.rejected).toEqual([]);
    // read-only: nothing was prepared or restarted
    expect(fake.calls.some((c) => c.what === 'prepare' || c.what === 'restart' || c.what === 'dns')).toBe(false);
  });

  it('an up-to-date server plans no change and no reboot', async () => {
    const r = site(1);
    const fake = new StrictFakeWindowsHosts(r, [{ label: 'PS1', pending: [] }], PASSWORD);
    fake.dnsRecordExists = true;
    const eng = engineFor(fake);
    const plans = eng.plan(r, await eng.discover(r, ctxWith(PASSWORD)));
    expect(plans[0]!.upToDate).toBe(true);
    expect(plans[0]!.steps).toEqual([]);
    expect(plans[1]!.upToDate).toBe(true);
  });
});

describe('WindowsServerEngine: apply with a rolling reboot', () => {
  it('prepares every server, creates the DNS record locally, restarts the servers ONE AT A TIME and waits for a new boot time and running services', async () => {
    const r = site(3);
    const fake = new StrictFakeWindowsHosts(r, hosts(3, { PS2: { rebootMs: 240_000, servicesDelayMs: 60_000 } }), PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    const facts = await eng.discover(r, ctx);
    const j = journal();
    const out = await eng.apply(r, facts, ctx, j.recorder);

    expect(out.map((o) => [o.host, o.ok, o.changed])).toEqual([
      ['PS1', true, true],
      ['PS2', true, true],
      ['PS3', true, true],
      ['dns', true, true],
    ]);
    expect(out[0]!.state).toMatch(
      /^prepared: 3 setting\(s\) changed \(loopback:adapter, registry:OptionalNames, netbios:12\), 1 already right; restarted \(one server at a time\) and back, booted 2026-11-20T08:0\d:\d\dZ, DispatcherPhoenixService running$/,
    );
    expect(out[3]!.state).toBe('DNS record A Dispatcher.corp.example.com → 192.168.81.10 created on 192.168.81.5');

    // never two down together, in site order, each only after the previous one is back WITH its services
    expect(fake.maxConcurrentDown()).toBe(1);
    const restarts = fake.calls.filter((c) => c.what === 'restart');
    expect(restarts.map((c) => c.host)).toEqual(['PS1', 'PS2', 'PS3']);
    for (let i = 1; i < restarts.length; i++) {
      const prev = fake.downtime[i - 1]!;
      expect(prev.to).toBeDefined();
      expect(restarts[i]!.t).toBeGreaterThanOrEqual(prev.to! + 20_000);
    }
    expect(restarts[2]!.t).toBeGreaterThanOrEqual(fake.downtime[1]!.to! + 60_000);
    for (const l of ['PS1', 'PS2', 'PS3']) {
      expect(fake.host(l).restarts).toBe(1);
      expect(fake.host(l).bootTime).toBeGreaterThan(Date.parse('2026-11-20T08:00:00Z'));
    }
    // DNS ran on this machine, before the reboots, never inside a print-server session
    const dnsCall = fake.calls.find((c) => c.what === 'dns')!;
    expect(dnsCall.host).toBe('local');
    expect(dnsCall.t).toBeLessThanOrEqual(restarts[0]!.t);
    expect(fake.rejected).toEqual([]);

    // the journal: every prepare step with before/after, the reboot and the wait
    const ev = j.events();
    const opt = stepEnd(ev, 'PS2', 'prepare:registry:OptionalNames')!;
    expect(opt).toMatchObject({
      result: 'changed',
      before: ['OLDNAME'],
      after: ['OLDNAME', 'Dispatcher'],
      title: 'Registry value OptionalNames',
    });
    expect(stepEnd(ev, 'PS1', 'prepare:registry:DisableLoopbackCheck')).toMatchObject({ result: 'unchanged' });
    expect(stepEnd(ev, 'PS3', 'reboot')).toMatchObject({ result: 'changed', before: '2026-11-19T08:00:00Z' });
    const wait = stepEnd(ev, 'PS2', 'wait')!;
    expect(wait.result).toBe('ok');
    expect(wait.before).toBe('2026-11-19T08:00:00Z');
    expect(wait.after).not.toBe(wait.before);
    expect(stepEnd(ev, 'dns', 'dns:record')).toMatchObject({ result: 'changed' });
    // journal order: PS1's wait ends before PS2's reboot starts
    const idx = (host: string, step: string, kind: string) => ev.findIndex((e) => e.host === host && e.step === step && e.kind === kind);
    expect(idx('PS1', 'wait', 'step-end')).toBeLessThan(idx('PS2', 'reboot', 'step-start'));
    expect(idx('PS2', 'wait', 'step-end')).toBeLessThan(idx('PS3', 'reboot', 'step-start'));
  });

  it('a second apply changes nothing and restarts nothing, and says so', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(r, hosts(2), PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    await eng.apply(r, await eng.discover(r, ctx), ctx);
    const before = fake.calls.filter((c) => c.what === 'restart').length;
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx);
    expect(fake.calls.filter((c) => c.what === 'restart').length).toBe(before);
    expect(out.map((o) => [o.host, o.ok, o.changed])).toEqual([
      ['PS1', true, false],
      ['PS2', true, false],
      ['dns', true, false],
    ]);
    expect(out[0]!.state).toBe('already prepared: nothing to change (4 setting(s) checked)');
    expect(out[2]!.state).toMatch(/already in place/);
  });

  it('reboot: false prepares every server and restarts none; the outcome says the restart is still needed', async () => {
    const r = site(3);
    const fake = new StrictFakeWindowsHosts(r, hosts(3), PASSWORD);
    const eng = new WindowsServerEngine({
      shell: (_r, ctx) => fake.shell(ctx),
      now: fake.clock.now,
      sleep: fake.clock.sleep,
      parallel: 4,
      reboot: false,
    });
    const ctx = ctxWith(PASSWORD);
    const j = journal();
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx, j.recorder);
    expect(fake.calls.filter((c) => c.what === 'restart')).toEqual([]);
    expect(out.map((o) => [o.host, o.ok, o.changed])).toEqual([
      ['PS1', false, true],
      ['PS2', false, true],
      ['PS3', false, true],
      ['dns', true, true],
    ]);
    expect(out[0]!.state).toMatch(
      /^prepared: 3 setting\(s\) changed .*; NOT restarted: restarts are turned off for this run \(reboot: false\)/,
    );
    for (const l of ['PS1', 'PS2', 'PS3']) expect(fake.host(l).restarts).toBe(0);
    const ev = j.events();
    expect(stepEnd(ev, 'PS2', 'prepare:registry:OptionalNames')).toMatchObject({ result: 'changed' });
    expect(ev.some((e) => e.step === 'reboot' || e.step === 'wait')).toBe(false);
  });

  it('a server whose restart never completes stops the run with a clear report; the next server is NOT restarted', async () => {
    const r = site(3);
    const fake = new StrictFakeWindowsHosts(r, hosts(3, { PS2: { neverReturns: true } }), PASSWORD);
    const eng = engineFor(fake, { rebootTimeoutMs: 15 * 60_000 });
    const ctx = ctxWith(PASSWORD);
    const facts = await eng.discover(r, ctx);
    const j = journal();
    const t0 = fake.clock.t;
    const out = await eng.apply(r, facts, ctx, j.recorder);

    expect(out.map((o) => [o.host, o.ok])).toEqual([
      ['PS1', true],
      ['PS2', false],
      ['PS3', false],
      ['dns', true],
    ]);
    expect(out[1]!.state).toContain('restarted but NOT back: PS2 did not come back within 15 min (900 s)');
    expect(out[1]!.state).toContain('does not answer WinRM over HTTP on port 5985');
    expect(out[1]!.state).toContain('the rolling reboot stopped here');
    expect(out[2]!.state).toMatch(/^prepared: 3 setting\(s\) changed .*; NOT restarted: the rolling reboot stopped at PS2/);
    expect(fake.host('PS3').restarts).toBe(0);
    expect(fake.host('PS3').bootTime).toBe(Date.parse('2026-11-19T08:00:00Z'));
    expect(fake.calls.filter((c) => c.what === 'restart').map((c) => c.host)).toEqual(['PS1', 'PS2']);
    expect(fake.clock.t - t0).toBeGreaterThanOrEqual(15 * 60_000);
    expect(fake.maxConcurrentDown()).toBe(1);
    const ev = j.events();
    expect(stepEnd(ev, 'PS2', 'wait')).toMatchObject({ result: 'failed' });
    expect(ev.some((e) => e.kind === 'note' && e.message === 'rolling reboot stopped at PS2; not restarted: PS3')).toBe(true);
  });

  it('a step failing on one server lets the others complete; the report names the step and the server; the failed server is not restarted', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(
      r,
      hosts(2, { PS1: { failStep: { step: 'registry:OptionalNames', message: 'Requested registry access is not allowed.' } } }),
      PASSWORD,
    );
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    const j = journal();
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx, j.recorder);
    expect(out[0]).toMatchObject({ host: 'PS1', ok: false, changed: true });
    expect(out[0]!.state).toBe(
      'partly prepared: failed at step "registry:OptionalNames" (Requested registry access is not allowed.); 2 changed, 1 unchanged; not restarted because a step failed: fix it and run apply again',
    );
    expect(out[1]).toMatchObject({ host: 'PS2', ok: true, changed: true });
    expect(out[1]!.state).toContain('restarted (one server at a time) and back');
    expect(fake.host('PS1').restarts).toBe(0);
    expect(fake.host('PS2').restarts).toBe(1);
    expect(stepEnd(j.events(), 'PS1', 'prepare:registry:OptionalNames')).toMatchObject({
      result: 'failed',
      message: 'Requested registry access is not allowed.',
    });
    expect(stepEnd(j.events(), 'PS1', 'prepare:netbios:12')).toMatchObject({ result: 'changed' });
  });

  it('wrong credentials: discovery says which account and where the password comes from; apply changes nothing', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(r, hosts(2), PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith('wrong-password');
    const facts = await eng.discover(r, ctx);
    expect(facts[0]!.reachable).toBe(false);
    expect(facts[0]!.error).toMatch(
      /^PS1 \(ps1\.corp\.example\.com\) refused the credentials of CORP\\deploy: check windows\.user in the site file and the Windows password \(PRINTHA_WINDOWS_PASSWORD, the vault or the prompt\); the account must be a local administrator of the server\. Windows said: Connecting to remote server ps1\.corp\.example\.com failed .*Access is denied\./,
    );
    expect(fake.credentialRequests).toContainEqual({ host: 'PS1', user: 'CORP\\deploy' });
    expect(facts[0]!.error).not.toContain('wrong-password');
    const plans = eng.plan(r, facts);
    expect(plans[0]!.unreachable).toBe(facts[0]!.error);
    const out = await eng.apply(r, facts, ctx);
    expect(out[0]).toEqual({ host: 'PS1', ok: false, changed: false, state: `not changed: ${facts[0]!.error}` });
    expect(fake.calls.some((c) => c.what === 'prepare' || c.what === 'restart')).toBe(false);
  });

  it('an unreachable server gets a message with the port and what to check; the others are prepared and restarted', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(r, hosts(2, { PS2: { unreachable: true } }), PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    const facts = await eng.discover(r, ctx);
    expect(facts[1]!.reachable).toBe(false);
    expect(facts[1]!.error).toContain(
      'PS2 (ps2.corp.example.com) does not answer WinRM over HTTP on port 5985: check that the server is on',
    );
    expect(facts[1]!.error).toContain('Enable-PSRemoting -Force on the server) and the firewall allows TCP 5985');
    const j = journal();
    const out = await eng.apply(r, facts, ctx, j.recorder);
    expect(out[0]!.ok).toBe(true);
    expect(out[1]!.state).toMatch(/^not changed: PS2 \(ps2\.corp\.example\.com\) does not answer/);
    expect(fake.host('PS1').restarts).toBe(1);
    expect(
      j
        .events()
        .some(
          (e) => e.kind === 'note' && e.message?.startsWith('PS2 could not be reached: while a server restarts, it does not serve either'),
        ),
    ).toBe(true);
  });

  it('a restart that cuts the connection before answering still counts, and the wait uses the discovered boot time', async () => {
    const r = site(1);
    const fake = new StrictFakeWindowsHosts(r, hosts(1, { PS1: { restartDropsConnection: true } }), PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    const j = journal();
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx, j.recorder);
    expect(out[0]!.ok).toBe(true);
    expect(stepEnd(j.events(), 'PS1', 'reboot')).toMatchObject({
      result: 'changed',
      message: 'restart requested; the connection dropped as the server went down',
    });
    expect(stepEnd(j.events(), 'PS1', 'wait')).toMatchObject({ result: 'ok', before: '2026-11-19T08:00:00Z' });
    expect(
      j.events().some((e) => e.kind === 'note' && e.message === 'PS1 is the only server: the print service is down while it restarts'),
    ).toBe(true);
  });

  it('waits for the product services, not only for remoting', async () => {
    const r = site(1);
    const fake = new StrictFakeWindowsHosts(r, hosts(1, { PS1: { rebootMs: 60_000, servicesDelayMs: 300_000 } }), PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    const j = journal();
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx, j.recorder);
    expect(out[0]!.ok).toBe(true);
    const restart = fake.calls.find((c) => c.what === 'restart')!;
    const lastVerify = fake.calls.filter((c) => c.what === 'verify').at(-1)!;
    expect(lastVerify.t).toBeGreaterThanOrEqual(restart.t + 60_000 + 300_000);
    expect(stepEnd(j.events(), 'PS1', 'wait')!.message).toMatch(/^back after \d+ s, booted .*; running: DispatcherPhoenixService$/);
  });

  it('services that never start make the wait fail with the service names', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(r, hosts(2, { PS1: { servicesDelayMs: 24 * 3600_000 } }), PASSWORD);
    const eng = engineFor(fake, { rebootTimeoutMs: 5 * 60_000 });
    const ctx = ctxWith(PASSWORD);
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx);
    expect(out[0]!.state).toContain('these services do not run yet: DispatcherPhoenixService');
    expect(fake.host('PS2').restarts).toBe(0);
  });

  it('resume: a server changed by an interrupted run is restarted although prepare now reports no change', async () => {
    const r = site(1);
    const fake = new StrictFakeWindowsHosts(r, [{ label: 'PS1', pending: [] }], PASSWORD);
    const eng = engineFor(fake);
    const ctx = ctxWith(PASSWORD);
    const j = journal(new Set(['PS1\u0000reboot:required', 'PS1\u0000prepare']));
    const out = await eng.apply(r, await eng.discover(r, ctx), ctx, j.recorder);
    expect(fake.host('PS1').restarts).toBe(1);
    expect(out[0]!.ok).toBe(true);
    // without that journal entry nothing is restarted
    const fake2 = new StrictFakeWindowsHosts(r, [{ label: 'PS1', pending: [] }], PASSWORD);
    const eng2 = engineFor(fake2);
    await eng2.apply(r, await eng2.discover(r, ctx), ctx, journal(new Set(['PS1\u0000reboot:required', 'PS1\u0000wait'])).recorder);
    expect(fake2.host('PS1').restarts).toBe(0);
  });
});

describe('StrictFakeWindowsHosts is strict', () => {
  it('rejects scripts it does not know, scripts rendered for another server, and DNS sent to a print server', async () => {
    const r = site(2);
    const fake = new StrictFakeWindowsHosts(r, hosts(2), PASSWORD);
    const sh = fake.shell(ctxWith(PASSWORD));
    await expect(sh.invoke('PS1', 'Get-Process', 1000)).rejects.toThrow(/unrecognised script for PS1/);
    await expect(sh.invoke('PS1', renderVerifyScript(r, 'PS2'), 1000)).rejects.toThrow(/unrecognised script for PS1/);
    await expect(sh.invoke('PS1', renderDnsRecordScript(r), 1000)).rejects.toThrow(/unrecognised/);
    await expect(sh.invokeLocal(RESTART_SCRIPT, 1000)).rejects.toThrow(/unrecognised script for this machine/);
    await expect(sh.invoke('PS1', renderVerifyScript(r, 'PS1') + '\n', 1000)).rejects.toThrow(/unrecognised/);
    expect(fake.rejected).toHaveLength(5);
    await expect(sh.invoke('PS1', renderVerifyScript(r, 'PS1'), 1000)).resolves.toMatchObject({ kind: 'printha.verify', label: 'PS1' });
  });
});

describe('stepTitle', () => {
  it('names the steps of prepare.ps1 and dns/record.ps1 for people', () => {
    expect(stepTitle('loopback:address:192.168.81.10')).toBe('VIP 192.168.81.10 on the loopback adapter');
    expect(stepTitle('lan:weakhost:12')).toBe('Weak host receive on LAN interface 12');
    expect(stepTitle('netbios:registry:Tcpip_{ABC}')).toBe('NetBIOS over TCP/IP off (registry, Tcpip_{ABC})');
    expect(stepTitle('dns:record')).toBe('DNS host record for the share name');
    expect(stepTitle('something:new')).toBe('something:new');
  });
});
