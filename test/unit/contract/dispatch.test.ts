import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CHANNEL_NAMES,
  CHANNELS,
  ContractErrorSchema,
  EVENTS,
  EVENT_NAMES,
  type CallResult,
  type EventName,
} from '../../../shared/contract/index.js';
import { createCore } from '../../../electron/core/rpc/core.js';
import { dispatch, toContractError, userMessage } from '../../../electron/core/rpc/dispatch.js';
import { createInProcessClient } from '../../../electron/core/rpc/inprocess.js';
import { validateSiteYaml } from '../../../shared/rules/index.js';
import { exampleText, fakeCore, FINGERPRINT, type EngineLog } from '../../support/fake-core.js';

const labSnat = () => parseYaml(exampleText('lab-snat')) as Record<string, unknown>;

function recorder() {
  const events: { event: EventName; payload: unknown }[] = [];
  return { events, emit: (event: EventName, payload: unknown) => events.push({ event, payload }) };
}

async function waitFor<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function expectError(r: CallResult<unknown>, code: string) {
  expect(r.ok).toBe(false);
  if (r.ok) return undefined as never;
  expect(ContractErrorSchema.safeParse(r.error).success).toBe(true);
  expect(r.error.code).toBe(code);
  expect(r.error.message).not.toMatch(/\n\s+at /);
  return r.error;
}

describe('contract', () => {
  it('names, channel schemas and event schemas match one for one', () => {
    expect(Object.keys(CHANNELS).sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(Object.keys(EVENTS).sort()).toEqual([...EVENT_NAMES].sort());
  });
});

describe('dispatch', () => {
  it('refuses an unknown channel and a prototype key', async () => {
    const core = fakeCore();
    const s = core.openSession(() => undefined);
    expectError(await core.dispatch('site.nope', {}, s), 'unknown-channel');
    expectError(await core.dispatch('__proto__', {}, s), 'unknown-channel');
    expectError(await core.dispatch(42, {}, s), 'unknown-channel');
  });

  it('parses input with the schema: a malformed input gets the error shape naming the field', async () => {
    const core = fakeCore();
    const s = core.openSession(() => undefined);
    const e1 = expectError(await core.dispatch('site.validate', { site: 'not an object' }, s), 'bad-input');
    expect(e1.field).toBe('site');
    const e2 = expectError(await core.dispatch('engine.apply', { site: {}, opId: 'a1', confirmed: false }, s), 'bad-input');
    expect(e2.field).toBe('confirmed');
    expectError(await core.dispatch('engine.plan', { site: {}, opId: 'bad id with spaces' }, s), 'bad-input');
    expectError(await core.dispatch('site.examples', { extra: 1 }, s), 'bad-input');
    expectError(await core.dispatch('site.load', null, s), 'bad-input');
  });

  it('maps thrown errors to the shape without a stack trace, and checks outputs', async () => {
    const lines: string[] = [];
    const core = createCore({ knownHostsPath: '/tmp/kh', log: (l) => lines.push(l) });
    const s = core.openSession(() => undefined);
    const handlers = {
      ...core.handlers,
      'site.save': () => {
        const e = new Error('disk full on /tmp');
        e.stack = 'Error: disk full on /tmp\n    at save (/src/x.ts:1:1)';
        throw e;
      },
      'site.validate': () => ({ ok: 'yes' }) as never,
    };
    const r1 = await dispatch(handlers, 'site.save', { site: {} }, s, { log: (l) => lines.push(l) });
    const e1 = expectError(r1, 'failed');
    expect(e1.message).toBe('disk full on /tmp');
    const r2 = await dispatch(handlers, 'site.validate', { site: {} }, s, { log: (l) => lines.push(l) });
    expect(expectError(r2, 'internal').message).toMatch(/a bug/);
    expect(lines.some((l) => l.includes('output does not match the contract'))).toBe(true);
  });

  it('toContractError keeps known codes, field and host; strips stack lines', () => {
    expect(toContractError(Object.assign(new Error('changed'), { code: 'host-key-changed', host: 'lb1' }))).toEqual({
      code: 'host-key-changed',
      message: 'changed',
      host: 'lb1',
    });
    expect(toContractError(Object.assign(new Error('x'), { code: 'EWEIRD' })).code).toBe('failed');
    expect(toContractError('a string').code).toBe('internal');
    // electron/core/ssh's SshError: upper-case codes, host in details
    expect(
      toContractError(
        Object.assign(new Error('The host key of 10.99.0.11:22 changed.'), { code: 'HOST_KEY_CHANGED', details: { host: '10.99.0.11' } }),
      ),
    ).toEqual({
      code: 'host-key-changed',
      message: 'The host key of 10.99.0.11:22 changed.',
      host: '10.99.0.11',
    });
    expect(toContractError(Object.assign(new Error('x'), { code: 'AUTH_FAILED' })).code).toBe('unreachable');
    expect(userMessage('first line\nsecond\n    at foo (bar.js:1:1)\n    at baz')).toBe('first line\nsecond');
  });
});

describe('site handlers', () => {
  it('validate gives the same findings as printha validate', async () => {
    const c = createInProcessClient(fakeCore());
    for (const name of ['phoenix-dr', 'lab-snat', 'paragon']) {
      const text = exampleText(name);
      const r = await c.invoke('site.validate', { site: parseYaml(text) });
      expect(r).toEqual({
        ok: validateSiteYaml(text).ok,
        findings: validateSiteYaml(text).findings.map(({ line: _l, column: _c, ...f }) => f),
      });
    }
    const bad = { ...labSnat(), vip: '10.99.0.300' };
    const r = await c.invoke('site.validate', { site: bad });
    expect(r.ok).toBe(false);
    expect(r.findings.some((f) => f.path === 'vip' && f.rule === 'ip-invalid')).toBe(true);
  });

  it('render returns the artifacts, and refuses a site with errors naming the field', async () => {
    const c = createInProcessClient(fakeCore());
    const r = await c.invoke('site.render', { site: labSnat() });
    expect(r.artifacts[0]?.content).toContain('10.99.0.10:445');
    await expect(c.invoke('site.render', { site: { ...labSnat(), shareName: 'ThisNameIsFarTooLong' } })).rejects.toMatchObject({
      code: 'invalid-site',
      field: 'shareName',
    });
  });

  it('load returns the data even when it has errors; save round-trips', async () => {
    const c = createInProcessClient(fakeCore());
    const loaded = await c.invoke('site.load', { text: exampleText('lab-snat').replace('10.99.0.10', '10.99.0.999') });
    expect(loaded.ok).toBe(false);
    expect(loaded.site?.vip).toBe('10.99.0.999');
    expect(loaded.findings[0]?.line).toBeGreaterThan(0);
    const saved = await c.invoke('site.save', { site: labSnat() });
    expect(saved.filename).toBe('printha-lab-linux-haproxy-snat-pair.yaml');
    expect(parseYaml(saved.text)).toEqual(labSnat());
    const junk = await c.invoke('site.load', { text: '- a list' });
    expect(junk.ok).toBe(false);
    expect(junk.site).toBeUndefined();
  });

  it('examples list the guide DR example first', async () => {
    const c = createInProcessClient(fakeCore());
    const r = await c.invoke('site.examples', {});
    expect(r.examples[0]?.id).toBe('phoenix-dr');
    expect(r.examples[0]?.title).toMatch(/DR/);
  });

  it('runbook export (md and html) names the site', async () => {
    const c = createInProcessClient(fakeCore());
    const md = await c.invoke('runbook.export', { site: labSnat(), format: 'md' });
    expect(md.filename).toMatch(/runbook\.md$/);
    expect(md.text).toContain('10.99.0.10');
    const html = await c.invoke('runbook.export', { site: labSnat(), format: 'html' });
    expect(html.mime).toBe('text/html');
    expect(html.text).toMatch(/<html/i);
  });
});

describe('engine handlers', () => {
  it('say "not available" when the build has no engine', async () => {
    const c = createInProcessClient(fakeCore({ engine: false }));
    const st = await c.invoke('engine.status', {});
    expect(st.discover.available).toBe(false);
    expect(st.discover.reason).toMatch(/not available in this build/);
    await expect(c.invoke('engine.plan', { site: labSnat(), opId: 'p1' })).rejects.toMatchObject({ code: 'not-available' });
  });

  it('refuse an invalid site before touching the engine', async () => {
    const log: EngineLog = {};
    const c = createInProcessClient(fakeCore({ log }));
    await expect(c.invoke('engine.discover', { site: { ...labSnat(), vip: 'nope' }, opId: 'd1' })).rejects.toMatchObject({
      code: 'invalid-site',
      field: 'vip',
    });
    expect(log.accepted).toBeUndefined();
  });

  it('host key and credential prompts round-trip; the secret never leaves the core', async () => {
    const log: EngineLog = {};
    const lines: string[] = [];
    const rec = recorder();
    const core = fakeCore({ log, lines });
    const s = core.openSession(rec.emit);
    const SECRET = 'hunter2-S3cret!';
    const pending = core.dispatch('engine.discover', { site: labSnat(), opId: 'd1' }, s);
    const hk = await waitFor(() => rec.events.find((e) => e.event === 'hostKey.confirm'));
    const hkp = EVENTS['hostKey.confirm'].parse(hk.payload);
    expect(hkp).toMatchObject({ host: '10.99.0.11', port: 22, fingerprint: FINGERPRINT, opId: 'd1' });
    expect(await core.dispatch('hostKey.decide', { id: hkp.id, accept: true }, s)).toEqual({ ok: true, output: { ok: true } });
    // answering twice is refused
    expect(await core.dispatch('hostKey.decide', { id: hkp.id, accept: true }, s)).toEqual({ ok: true, output: { ok: false } });
    const cr = await waitFor(() => rec.events.find((e) => e.event === 'credential.request'));
    const crp = EVENTS['credential.request'].parse(cr.payload);
    expect(crp).toMatchObject({ kind: 'ssh-password', host: '10.99.0.11', user: 'root', canRemember: false });
    expect(crp.rememberNote).toMatch(/memory/);
    const provided = await core.dispatch('credential.provide', { id: crp.id, secret: SECRET, remember: true }, s);
    expect(provided).toMatchObject({ ok: true, output: { ok: true, stored: false } });
    const r = await pending;
    expect(r.ok).toBe(true);
    expect(log.accepted).toBe(true);
    expect(log.secret).toBe(SECRET);
    // A malformed call carrying the secret: the error does not echo it.
    const bad = await core.dispatch('credential.provide', { id: 'x', secret: SECRET, remember: 'yes' }, s);
    expectError(bad, 'bad-input');
    const everything = JSON.stringify([rec.events, r, bad, provided, lines]);
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('logged in with [redacted]');
    expect(rec.events.filter((e) => e.event === 'prompt.closed').map((e) => (e.payload as { reason: string }).reason)).toEqual([
      'answered',
      'answered',
    ]);
  });

  it('a pending prompt times out: the engine gets a rejection and the UI a prompt.closed', async () => {
    const log: EngineLog = {};
    const rec = recorder();
    const core = fakeCore({ log, promptTimeoutMs: 40 });
    const s = core.openSession(rec.emit);
    const r = await core.dispatch('engine.discover', { site: labSnat(), opId: 'd2' }, s);
    expect(expectError(r, 'host-key-rejected').host).toBe('10.99.0.11');
    expect(log.accepted).toBe(false);
    const closed = rec.events.find((e) => e.event === 'prompt.closed');
    expect(closed?.payload).toMatchObject({ reason: 'timeout' });
    expect(s.pendingPrompts).toBe(0);
    // A late answer is refused.
    const hk = EVENTS['hostKey.confirm'].parse(rec.events[0]!.payload);
    expect(await core.dispatch('hostKey.decide', { id: hk.id, accept: true }, s)).toEqual({ ok: true, output: { ok: false } });
  });

  it('apply streams journal events and is cancelled by engine.cancel', async () => {
    const log: EngineLog = {};
    const rec = recorder();
    const core = fakeCore({ log });
    const s = core.openSession(rec.emit);
    const site = { ...labSnat(), name: 'slow site' };
    const pending = core.dispatch('engine.apply', { site, opId: 'a1', confirmed: true }, s);
    await waitFor(() =>
      rec.events.find((e) => e.event === 'journal' && (e.payload as { event: { kind: string } }).event.kind === 'step-end'),
    );
    expect(s.runningOps).toEqual(['a1']);
    expectError(await core.dispatch('engine.apply', { site, opId: 'a1', confirmed: true }, s), 'bad-input');
    expect(await core.dispatch('engine.cancel', { opId: 'a1' }, s)).toEqual({ ok: true, output: { cancelled: true } });
    expectError(await pending, 'cancelled');
    expect(log.applySignalAborted).toBe(true);
    expect(s.runningOps).toEqual([]);
    expect(await core.dispatch('engine.cancel', { opId: 'a1' }, s)).toEqual({ ok: true, output: { cancelled: false } });
  });

  it('plan, apply, verify and server state return contract-checked results', async () => {
    const c = createInProcessClient(fakeCore());
    expect((await c.invoke('engine.plan', { site: labSnat(), opId: 'p' })).plan.hosts[0]?.host).toBe('lb1');
    expect((await c.invoke('engine.apply', { site: labSnat(), opId: 'a', confirmed: true })).ok).toBe(true);
    expect((await c.invoke('engine.verify', { site: labSnat(), opId: 'v' })).report.overview[0]?.reals).toHaveLength(2);
    expect(
      await c.invoke('engine.serverState', { site: labSnat(), opId: 's', vip: 'PrintServers', server: 'PS1', action: 'drain' }),
    ).toEqual({ ok: true, message: 'PS1 in PrintServers: drain done.' });
  });

  it('closing the session cancels its prompts and operations', async () => {
    const log: EngineLog = {};
    const rec = recorder();
    const core = fakeCore({ log });
    const s = core.openSession(rec.emit);
    const pending = core.dispatch('engine.discover', { site: labSnat(), opId: 'd3' }, s);
    await waitFor(() => rec.events.find((e) => e.event === 'hostKey.confirm'));
    s.close();
    expectError(await pending, 'cancelled');
    expect(log.accepted).toBe(false);
  });

  it('remembers a credential only when the vault can store it', async () => {
    const stored = new Map<string, string>();
    const vault = {
      status: () => ({ canStore: true }),
      get: async (k: string) => stored.get(k),
      set: async (k: string, v: string) => void stored.set(k, v),
    };
    const rec = recorder();
    const log: EngineLog = {};
    const core = fakeCore({ log, vault });
    const s = core.openSession(rec.emit);
    const pending = core.dispatch('engine.discover', { site: labSnat(), opId: 'd4' }, s);
    const hk = EVENTS['hostKey.confirm'].parse((await waitFor(() => rec.events.find((e) => e.event === 'hostKey.confirm'))).payload);
    await core.dispatch('hostKey.decide', { id: hk.id, accept: true }, s);
    const cr = EVENTS['credential.request'].parse((await waitFor(() => rec.events.find((e) => e.event === 'credential.request'))).payload);
    expect(cr.canRemember).toBe(true);
    expect(await core.dispatch('credential.provide', { id: cr.id, secret: 'pw-123456', remember: true }, s)).toEqual({
      ok: true,
      output: { ok: true, stored: true },
    });
    expect((await pending).ok).toBe(true);
    expect([...stored.keys()]).toEqual(['ssh-password:root@10.99.0.11']);
    // The next session gets it from the vault without a prompt.
    const rec2 = recorder();
    const s2 = core.openSession(rec2.emit);
    const p2 = core.dispatch('engine.discover', { site: labSnat(), opId: 'd5' }, s2);
    const hk2 = EVENTS['hostKey.confirm'].parse((await waitFor(() => rec2.events.find((e) => e.event === 'hostKey.confirm'))).payload);
    await core.dispatch('hostKey.decide', { id: hk2.id, accept: true }, s2);
    expect((await p2).ok).toBe(true);
    expect(rec2.events.some((e) => e.event === 'credential.request')).toBe(false);
    expect(log.secret).toBe('pw-123456');
  });
});
