/**
 * The host-key dialog's two variants (issue 16, "host keys"): first contact asks "Trust this host
 * key?"; a KNOWN host that now presents a key of a new type gets the louder dialog — the known keys
 * and their fingerprints, the presented one, what it can mean (man-in-the-middle or a re-installed
 * server), Reject as the default and trusting only after ticking that the console was compared.
 * The question travels as the contract's hostKey.confirm event (keyType, knownKeys).
 */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, HostKeyQuestion } from '../../electron/core/engine/api.js';
import { createCore } from '../../electron/core/rpc/core.js';
import { setTransport } from '../../renderer/src/api/client.js';
import { App } from '../../renderer/src/App.js';
import { subscribePrompts, usePrompts } from '../../renderer/src/stores/prompts.js';
import { useRun } from '../../renderer/src/stores/run.js';
import { useSite } from '../../renderer/src/stores/site.js';
import { useWizard } from '../../renderer/src/stores/wizard.js';
import { exampleText, fakeEngine, fakeRender } from '../support/fake-core.js';
import { memoryTransport, type MemoryTransport } from './support/memory.js';

const ED = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const RSA = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

let unsub: (() => void) | undefined;
afterEach(() => {
  unsub?.();
  unsub = undefined;
});

/** A core whose discover asks one host-key question and records the answer. */
function setup(question: HostKeyQuestion | undefined, fingerprint: string) {
  const answers: boolean[] = [];
  const base = fakeEngine();
  const engine: Engine = {
    ...base,
    discover: async (site, ctx) => {
      const ok = await ctx.confirmHostKey(site.balancer.primary.address, 22, fingerprint, question);
      answers.push(ok);
      if (!ok)
        throw Object.assign(new Error('You rejected the host key; nothing was changed.'), {
          code: 'host-key-rejected',
          host: site.balancer.primary.address,
        });
      return { balancer: [{ name: 'lb1', address: site.balancer.primary.address, reachable: true }], servers: [] };
    },
  };
  const transport: MemoryTransport = memoryTransport(
    createCore({ engine, render: fakeRender, knownHostsPath: '/tmp/printha-test-known_hosts' }),
  );
  const events: unknown[] = [];
  const offRecord = transport.on('hostKey.confirm', (p) => events.push(p));
  setTransport(transport);
  const offPrompts = subscribePrompts();
  unsub = () => {
    offRecord();
    offPrompts();
  };
  useSite.getState().replace(parseYaml(exampleText('lab-snat')) as Record<string, unknown>);
  useWizard.setState({ step: 'discover', attempted: {}, scope: 'balancer' });
  useRun.setState({ status: undefined, busy: {}, errors: {}, facts: undefined, hostKeyChanged: undefined });
  usePrompts.setState({ queue: [], note: undefined });
  const user = userEvent.setup();
  render(<App />);
  return { user, answers, events };
}

async function discover(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByRole('heading', { level: 1, name: 'Discover' });
  await user.click(await screen.findByRole('button', { name: 'Discover' }));
}

describe('the host-key dialog', () => {
  it('a key of a new type for a known host: the louder dialog names the known key, the risk and the console; trusting needs the tick', async () => {
    const { user, answers, events } = setup({ keyType: 'ssh-rsa', knownKeys: [{ keyType: 'ssh-ed25519', fingerprint: ED }] }, RSA);
    await discover(user);
    const dlg = await screen.findByTestId('hostkey-newtype-dialog');
    expect(screen.queryByTestId('hostkey-dialog')).toBeNull();
    expect(events).toEqual([
      expect.objectContaining({
        host: '10.99.0.11',
        port: 22,
        fingerprint: RSA,
        keyType: 'ssh-rsa',
        knownKeys: [{ keyType: 'ssh-ed25519', fingerprint: ED }],
      }),
    ]);
    expect(within(dlg).getByRole('heading').textContent).toBe('WARNING: new host key type for 10.99.0.11');
    expect(within(dlg).getByTestId('fingerprint').textContent).toBe(RSA);
    expect(within(dlg).getByTestId('key-type').textContent).toBe('ssh-rsa');
    const known = within(dlg).getByTestId('known-keys');
    expect(known.textContent).toContain('Known (ssh-ed25519)');
    expect(known.textContent).toContain(ED);
    expect(known.textContent).toContain('Presented now (ssh-rsa)');
    expect(dlg.textContent).toMatch(/already known to PrintHA, by a key of another type/);
    expect(dlg.textContent).toMatch(/man-in-the-middle attack, or the server was re-installed/);
    expect(dlg.textContent).toContain('ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub');
    expect(dlg.textContent).not.toMatch(/has not connected to/);

    const trust = within(dlg).getByRole('button', { name: 'Trust the new ssh-rsa key' }) as HTMLButtonElement;
    expect(trust.disabled).toBe(true);
    expect(within(dlg).getByRole('button', { name: 'Reject' }).className).toBe('primary');
    // focus starts on the tick box, not on a button that trusts
    expect(document.activeElement).toBe(within(dlg).getByRole('checkbox', { name: /compared this fingerprint with the server’s console/ }));
    await user.click(trust);
    expect(answers).toEqual([]);
    await user.click(within(dlg).getByRole('checkbox', { name: /compared this fingerprint/ }));
    expect(trust.disabled).toBe(false);
    await user.click(trust);
    expect(await screen.findByText('lb1')).toBeTruthy();
    expect(answers).toEqual([true]);
    expect(screen.queryByTestId('hostkey-newtype-dialog')).toBeNull();
  });

  it('Reject refuses the new key type', async () => {
    const { user, answers } = setup({ keyType: 'ssh-rsa', knownKeys: [{ keyType: 'ssh-ed25519', fingerprint: ED }] }, RSA);
    await discover(user);
    const dlg = await screen.findByTestId('hostkey-newtype-dialog');
    await user.click(within(dlg).getByRole('button', { name: 'Reject' }));
    await screen.findByText(/You rejected the host key/);
    expect(answers).toEqual([false]);
  });

  it('first contact keeps the plain question, now with the key type', async () => {
    const { user, answers, events } = setup({ keyType: 'ssh-ed25519', knownKeys: [] }, ED);
    await discover(user);
    const dlg = await screen.findByTestId('hostkey-dialog');
    expect(screen.queryByTestId('hostkey-newtype-dialog')).toBeNull();
    expect(events).toEqual([expect.not.objectContaining({ knownKeys: expect.anything() })]);
    expect(within(dlg).getByRole('heading').textContent).toBe('Trust this host key?');
    expect(dlg.textContent).toMatch(/has not connected to 10\.99\.0\.11 \(port 22\) before/);
    expect(within(dlg).getByTestId('key-type').textContent).toBe('ssh-ed25519 ');
    expect(within(dlg).getByTestId('fingerprint').textContent).toBe(ED);
    await user.click(within(dlg).getByRole('button', { name: 'Trust and connect' }));
    expect(await screen.findByText('lb1')).toBeTruthy();
    expect(answers).toEqual([true]);
  });
});
