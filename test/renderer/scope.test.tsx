/**
 * The wizard's scope choice (balancer and print servers / balancer only / print servers only): the
 * store field and its persistence, the control on the engine steps, the `only` the engine calls carry
 * through the contract, the plan notes and the runbook that say which hosts were left out.
 */
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../electron/core/engine/api.js';
import { createCore } from '../../electron/core/rpc/core.js';
import { SCOPES, scopeNote } from '../../shared/contract/scope.js';
import { setTransport } from '../../renderer/src/api/client.js';
import { App } from '../../renderer/src/App.js';
import { scopeSiteOf } from '../../renderer/src/components/ScopeChoice.js';
import { loadValidator } from '../../renderer/src/lib/validate.js';
import { scopeInput, subscribeJournal, useRun } from '../../renderer/src/stores/run.js';
import { useSite } from '../../renderer/src/stores/site.js';
import { SCOPE_KEY, useWizard } from '../../renderer/src/stores/wizard.js';
import type { StepId } from '../../renderer/src/steps.js';
import { exampleText, fakeEngine, fakeRender } from '../support/fake-core.js';
import { memoryTransport, type MemoryTransport } from './support/memory.js';

const labSnat = () => parseYaml(exampleText('lab-snat')) as Record<string, unknown>;

/** The scripted engine, recording the `only` (and verify options) each call got. */
function recordingCore() {
  const seen: { verb: string; only: unknown }[] = [];
  const base = fakeEngine();
  const engine: Engine = {
    discover: async (site, ctx, only) => {
      seen.push({ verb: 'discover', only });
      return { balancer: [{ name: 'lb1', address: site.balancer.primary.address, reachable: true }] };
    },
    plan: async (site, ctx, only) => {
      seen.push({ verb: 'plan', only });
      const p = await base.plan(site, ctx);
      return { ...p, notes: only ? [scopeNote(site, only)] : [] };
    },
    apply: async (site, ctx, opts) => {
      seen.push({ verb: 'apply', only: opts.only });
      return { ok: true, runId: 'r', hostStates: [{ host: 'lb1', state: 'serving the new configuration', ok: true }], changed: true };
    },
    verify: async (site, ctx, opts) => {
      seen.push({ verb: 'verify', only: opts.only });
      return base.verify(site, ctx, opts);
    },
  };
  const core = createCore({ engine, render: fakeRender, knownHostsPath: '/tmp/printha-test-known_hosts', now: () => new Date(0) });
  return { core, seen };
}

let transport: MemoryTransport;
let unsub: () => void = () => undefined;

async function setup(step: StepId) {
  const { core, seen } = recordingCore();
  transport = memoryTransport(core);
  setTransport(transport);
  unsub = subscribeJournal();
  useSite.setState({ draft: undefined, findings: [], touched: {}, recent: [] });
  useSite.getState().replace(labSnat());
  useWizard.setState({ step, attempted: {}, focusField: undefined, scope: 'all' });
  localStorage.clear();
  useRun.setState({ status: undefined, busy: {} });
  useRun.getState().reset();
  const r = { user: userEvent.setup(), seen, ...render(<App />) };
  await screen.findByRole('heading', { level: 1 });
  return r;
}

beforeAll(async () => {
  await loadValidator();
});
afterEach(() => unsub());

describe('scope in the wizard store', () => {
  it('defaults to balancer and print servers; a choice is kept in localStorage; nonsense is ignored', () => {
    useWizard.setState({ scope: 'all' });
    localStorage.clear();
    expect(scopeInput()).toEqual({});
    useWizard.getState().setScope('balancer');
    expect(useWizard.getState().scope).toBe('balancer');
    expect(localStorage.getItem(SCOPE_KEY)).toBe('balancer');
    expect(scopeInput()).toEqual({ only: 'balancer' });
    useWizard.getState().setScope('everything' as never);
    expect(useWizard.getState().scope).toBe('balancer');
    useWizard.getState().setScope('servers');
    expect(scopeInput()).toEqual({ only: 'servers' });
    useWizard.getState().setScope('all');
    expect(localStorage.getItem(SCOPE_KEY)).toBe('all');
    expect(scopeInput()).toEqual({});
  });

  it('a new scope drops facts, plan and apply result made in the old one', () => {
    useWizard.setState({ scope: 'all' });
    useRun.setState({ facts: { balancer: [] }, plan: { site: 'x', createdAt: '', order: [], hosts: [], upToDate: true, notes: [] } });
    useWizard.getState().setScope('balancer');
    expect(useRun.getState().facts).toBeUndefined();
    expect(useRun.getState().plan).toBeUndefined();
  });

  it('the left-out sentence names the draft hosts, "?" for what is still missing', () => {
    const s = scopeSiteOf({ servers: [{ label: 'PS1', address: '10.0.0.1' }, {}], balancer: { platform: 'linux-haproxy', primary: {} } });
    expect(scopeNote(s, 'balancer')).toMatch(/^Scope: balancer only\. Left out: the print servers PS1 \(10\.0\.0\.1\), server 2 \(\?\)/);
    expect(scopeNote(s, 'servers')).toMatch(/Left out: the balancer \(linux-haproxy \?\)/);
    expect(scopeNote(s, 'balancer')).not.toMatch(/DNS record/);
    expect(scopeNote({ ...s, shareName: 'Dispatcher', vip: '10.0.0.9' }, 'balancer')).toMatch(
      /the DNS record Dispatcher -> 10\.0\.0\.9 \(dns\/record\.ps1\)\)\.$/,
    );
  });
});

describe('scope control on the engine steps', () => {
  it('Discover: three labelled choices with one sentence each; Balancer only says who is left out and discover carries only=balancer', async () => {
    const { user, seen } = await setup('discover');
    const box = await screen.findByTestId('scope-choice');
    expect(screen.getByRole('group', { name: 'What PrintHA does on this site' })).toBe(box);
    for (const s of SCOPES) expect(within(box).getByRole('radio', { name: s.title })).toBeTruthy();
    expect((within(box).getByRole('radio', { name: 'Balancer and print servers' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('scope-explain').textContent).toBe(SCOPES[0]!.explain);
    expect(screen.queryByTestId('scope-left-out')).toBeNull();

    await user.click(within(box).getByRole('radio', { name: 'Balancer only' }));
    expect(useWizard.getState().scope).toBe('balancer');
    expect(screen.getByTestId('scope-explain').textContent).toMatch(/offline script pack/);
    expect(screen.getByTestId('scope-left-out').textContent).toMatch(
      /Left out: the print servers PS1 \(10\.99\.0\.21\), PS2 \(10\.99\.0\.22\)/,
    );

    await user.click(screen.getByRole('button', { name: 'Discover' }));
    await screen.findByTestId('discover-hosts');
    expect(seen).toEqual([{ verb: 'discover', only: 'balancer' }]);
    expect(transport.calls.find((c) => c.channel === 'engine.discover')?.input).toMatchObject({ only: 'balancer' });
  });

  it('Plan shows the scope note; Apply and Verify carry the scope; the full scope sends no only', async () => {
    const { user, seen } = await setup('plan');
    await user.click(await screen.findByRole('radio', { name: 'Balancer only' }));
    await user.click(screen.getByRole('button', { name: 'Make the plan' }));
    expect((await screen.findByTestId('plan-notes')).textContent).toMatch(/Scope: balancer only\. Left out: the print servers PS1/);

    act(() => useWizard.getState().go('apply'));
    await user.click(await screen.findByLabelText(/I reviewed the plan/));
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await screen.findByTestId('apply-result');

    act(() => useWizard.getState().go('verify'));
    await screen.findByRole('heading', { level: 1, name: 'Verify' });
    expect(((await screen.findByRole('radio', { name: 'Balancer only' })) as HTMLInputElement).checked).toBe(true);
    await user.click(await screen.findByRole('button', { name: 'Verify' }));
    await screen.findByTestId('verify-summary');

    await user.click(screen.getByRole('radio', { name: 'Balancer and print servers' }));
    await user.click(screen.getByRole('button', { name: 'Verify again' }));
    await vi.waitFor(() => expect(seen).toHaveLength(4));
    expect(seen).toEqual([
      { verb: 'plan', only: 'balancer' },
      { verb: 'apply', only: 'balancer' },
      { verb: 'verify', only: 'balancer' },
      { verb: 'verify', only: undefined },
    ]);
    const verifies = transport.calls.filter((c) => c.channel === 'engine.verify').map((c) => c.input as Record<string, unknown>);
    expect('only' in verifies[1]!).toBe(false);
  });

  it('Runbook: shows the scope and the exported runbook says which hosts were left out', async () => {
    const { user } = await setup('runbook');
    act(() => useWizard.getState().setScope('balancer'));
    expect((await screen.findByTestId('runbook-scope')).textContent).toBe('Scope: Balancer only');
    const created: Blob[] = [];
    const orig = URL.createObjectURL;
    URL.createObjectURL = (b: Blob) => {
      created.push(b);
      return 'blob:x';
    };
    try {
      await user.click(screen.getByRole('button', { name: 'Export Markdown' }));
      await screen.findByText(/^Saved /);
    } finally {
      URL.createObjectURL = orig;
    }
    const exp = transport.calls.find((c) => c.channel === 'runbook.export');
    expect(exp?.input).toMatchObject({ only: 'balancer' });
  });
});

describe('scope through the contract', () => {
  it('the core rejects an unknown scope and writes the left-out hosts at the top of the runbook', async () => {
    const { core } = recordingCore();
    const session = core.openSession(() => undefined);
    const bad = await core.dispatch('engine.plan', { site: labSnat(), opId: 'p1', only: 'everything' }, session);
    expect(bad.ok).toBe(false);
    const md = await core.dispatch('runbook.export', { site: labSnat(), format: 'md', only: 'balancer' }, session);
    expect(md.ok).toBe(true);
    const text = md.ok ? (md.output as { text: string }).text : '';
    expect(text).toMatch(/Scope: balancer only\. Left out: the print servers PS1 \(10\.99\.0\.21\), PS2 \(10\.99\.0\.22\)/);
    const full = await core.dispatch('runbook.export', { site: labSnat(), format: 'md' }, session);
    expect(full.ok && (full.output as { text: string }).text).not.toMatch(/Scope: balancer only/);
  });
});

// Last: vi.resetModules gives later dynamic imports (the lazy steps) a fresh module graph.
describe('scope after a reload', () => {
  it('a reload restores the scope (the store reads localStorage when it starts)', async () => {
    localStorage.setItem(SCOPE_KEY, 'balancer');
    vi.resetModules();
    const fresh = await import('../../renderer/src/stores/wizard.js');
    expect(fresh.useWizard.getState().scope).toBe('balancer');
    localStorage.setItem(SCOPE_KEY, 'bogus');
    vi.resetModules();
    expect((await import('../../renderer/src/stores/wizard.js')).useWizard.getState().scope).toBe('all');
  });
});
