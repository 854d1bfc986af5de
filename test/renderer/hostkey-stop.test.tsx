/**
 * The real balancer drivers record a changed host key as an unreachable host carrying the SSH layer's
 * message; the core turns it into the contract's host-key-changed error so the wizard stops with its
 * dialog (the scripted engine in fake-core throws instead: this covers the drivers' form).
 */
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine/api.js';
import { createCore } from '../../electron/core/rpc/core.js';
import { setTransport } from '../../renderer/src/api/client.js';
import { App } from '../../renderer/src/App.js';
import { useRun } from '../../renderer/src/stores/run.js';
import { useSite } from '../../renderer/src/stores/site.js';
import { useWizard } from '../../renderer/src/stores/wizard.js';
import { exampleText, fakeEngine, fakeRender } from '../support/fake-core.js';
import { memoryTransport } from './support/memory.js';

const CHANGED =
  'HOST KEY CHANGED for 10.99.0.11:22: known_hosts expects ssh-ed25519 SHA256:aaa but the host presented SHA256:bbb. This can be a man-in-the-middle attack, so nothing was sent to the host.';

function core(error: string) {
  const base = fakeEngine();
  const engine: Engine = {
    ...base,
    discover: async (site) => ({
      balancer: [
        { name: 'pha-lb1', address: site.balancer.primary.address, reachable: false, error },
        { name: 'pha-lb2', address: '10.99.0.12', reachable: true },
      ],
    }),
    plan: async (site, ctx) => {
      const p = await base.plan(site, ctx);
      return { ...p, hosts: p.hosts.map((h) => ({ ...h, unreachable: error })) };
    },
    apply: async () => ({
      ok: false,
      runId: 'R1',
      changed: false,
      hostStates: [
        { host: 'pha-lb1', ok: false, state: `not changed: pha-lb1 could not be reached at step "connect": ${error}` },
        { host: 'pha-lb2', ok: false, state: 'not changed: apply stopped before this node' },
      ],
    }),
  };
  return createCore({ engine, render: fakeRender, knownHostsPath: '/tmp/printha-test-known_hosts' });
}

describe('a changed host key found by the drivers', () => {
  it('discover and plan answer host-key-changed naming the host; another unreachable host stays a fact', async () => {
    const site = parseYaml(exampleText('lab-snat')) as Record<string, unknown>;
    const c = core(CHANGED);
    const session = c.openSession(() => undefined);
    const d = await c.dispatch('engine.discover', { site, opId: 'd1', only: 'balancer' }, session);
    expect(d).toMatchObject({ ok: false, error: { code: 'host-key-changed', host: '10.99.0.11' } });
    expect(!d.ok && d.error.message).toMatch(/^pha-lb1: HOST KEY CHANGED for 10\.99\.0\.11:22/);
    const p = await c.dispatch('engine.plan', { site, opId: 'p1' }, session);
    expect(p).toMatchObject({ ok: false, error: { code: 'host-key-changed' } });

    const a = await c.dispatch('engine.apply', { site, opId: 'a1', only: 'balancer', confirmed: true }, session);
    expect(a).toMatchObject({ ok: false, error: { code: 'host-key-changed' } });
    expect(!a.ok && a.error.message).toMatch(/^pha-lb1: not changed: .*HOST KEY CHANGED for 10\.99\.0\.11:22/);

    const other = core('connect ECONNREFUSED 10.99.0.11:22');
    const s2 = other.openSession(() => undefined);
    const ok = await other.dispatch('engine.discover', { site, opId: 'd2' }, s2);
    expect(ok.ok).toBe(true);
  });

  it('the wizard stops with the CHANGED dialog', async () => {
    setTransport(memoryTransport(core(CHANGED)));
    useSite.getState().replace(parseYaml(exampleText('lab-snat')) as Record<string, unknown>);
    useWizard.setState({ step: 'discover', attempted: {}, scope: 'balancer' });
    useRun.setState({ status: undefined, busy: {}, errors: {}, facts: undefined, hostKeyChanged: undefined });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole('heading', { level: 1, name: 'Discover' }, { timeout: 5000 });
    await user.click(await screen.findByRole('button', { name: 'Discover' }, { timeout: 5000 }));
    const dlg = await screen.findByTestId('hostkey-changed-dialog');
    expect(dlg.textContent).toMatch(/CHANGED/);
    expect(dlg.textContent).toMatch(/10\.99\.0\.11/);
    expect(screen.queryByTestId('discover-hosts')).toBeNull();
  });
});
