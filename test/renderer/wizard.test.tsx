import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadValidator } from '../../renderer/src/lib/validate.js';
import { parse as parseYaml } from 'yaml';
import { setTransport } from '../../renderer/src/api/client.js';
import { App } from '../../renderer/src/App.js';
import { subscribePrompts, usePrompts } from '../../renderer/src/stores/prompts.js';
import { subscribeJournal, useRun } from '../../renderer/src/stores/run.js';
import { newDraft, useSite } from '../../renderer/src/stores/site.js';
import { useWizard } from '../../renderer/src/stores/wizard.js';
import type { StepId } from '../../renderer/src/steps.js';
import { exampleText, fakeCore, FINGERPRINT } from '../support/fake-core.js';
import { memoryTransport, type MemoryTransport } from './support/memory.js';

let transport: MemoryTransport;
let unsub: (() => void)[] = [];

async function setup(opts: { engine?: boolean; draft?: Record<string, unknown>; step?: StepId } = {}) {
  transport = memoryTransport(fakeCore({ engine: opts.engine ?? true }));
  setTransport(transport);
  unsub = [subscribePrompts(), subscribeJournal()];
  useSite.setState({ draft: undefined, findings: [], touched: {}, recent: [] });
  if (opts.draft) useSite.getState().replace(opts.draft);
  useWizard.setState({ step: opts.step ?? 'start', attempted: {}, focusField: undefined });
  useRun.setState({ status: undefined, busy: {}, hostKeyChanged: undefined });
  useRun.getState().reset();
  usePrompts.setState({ queue: [], note: undefined });
  const r = { user: userEvent.setup(), ...render(<App />) };
  // Steps other than Start are lazy chunks: wait until the step is on screen.
  await screen.findByRole('heading', { level: 1 });
  return r;
}

const labSnat = () => parseYaml(exampleText('lab-snat')) as Record<string, unknown>;

beforeAll(async () => {
  await loadValidator();
});

beforeEach(() => {
  unsub.forEach((u) => u());
  unsub = [];
});

describe('Start', () => {
  it('offers a new site and the guide DR example one click away', async () => {
    const { user } = await setup();
    const dr = await screen.findByTestId('example-phoenix-dr');
    expect(dr.textContent).toMatch(/guide’s DR example/);
    await user.click(dr);
    expect(await screen.findByRole('heading', { level: 1, name: 'Preflight' })).toBeTruthy();
    expect(useSite.getState().draft?.mode).toBe('dr');
    expect(useSite.getState().recent[0]?.name).toMatch(/Layer 4 DR/);
  });

  it('New site goes to Product and services with labelled controls', async () => {
    const { user } = await setup();
    await user.click(screen.getByRole('button', { name: 'New site' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Product and services' })).toBeTruthy();
    expect(screen.getByLabelText('Site name')).toBeTruthy();
    expect(screen.getByLabelText('Product')).toBeTruthy();
    expect((screen.getByRole('checkbox', { name: /Microsoft Print Server/ }) as HTMLInputElement).checked).toBe(true);
  });
});

describe('inline validation', () => {
  it('a wrong IP and a too-long share name show inline errors and block Next', async () => {
    const { user } = await setup({ draft: { ...newDraft(), name: 'Test' }, step: 'network' });
    const vip = screen.getByLabelText('Virtual IP address (VIP)');
    await user.type(vip, '10.99.0.300');
    expect(vip.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/"10\.99\.0\.300" is not an IPv4 or IPv6 address/)).toBeTruthy();
    const share = screen.getByLabelText('Share name');
    await user.type(share, 'DispatcherPhoenixHA');
    expect(screen.getByText(/has 19 characters; a NetBIOS name has at most 15/)).toBeTruthy();
    await user.click(screen.getByTestId('next'));
    expect(useWizard.getState().step).toBe('network');
    expect(screen.getByTestId('blocked').textContent).toMatch(/Fix the highlighted fields/);
    await act(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    expect(document.activeElement?.id).toMatch(/^f-(vip|shareName)$/);
    await user.clear(vip);
    await user.type(vip, '10.99.0.10');
    await user.clear(share);
    await user.type(share, 'Dispatcher');
    expect(vip.getAttribute('aria-invalid')).toBeNull();
    await user.click(screen.getByTestId('next'));
    expect(useWizard.getState().step).toBe('balancer');
    expect(await screen.findByRole('heading', { level: 1, name: 'Balancer' })).toBeTruthy();
  });

  it('Next on an untouched empty step reveals the missing required fields', async () => {
    const { user } = await setup({ draft: { ...newDraft(), name: 'Test', vip: '10.0.0.1', shareName: 'Share' }, step: 'servers' });
    expect(screen.queryAllByTestId('field-error')).toHaveLength(0);
    await user.click(screen.getByTestId('next'));
    expect(screen.getAllByTestId('field-error').length).toBeGreaterThan(0);
    expect(screen.getByText(/Required field "servers\[0\]\.address" is missing/)).toBeTruthy();
  });
});

describe('Preflight', () => {
  it('groups findings by severity and links each to its field', async () => {
    const { user } = await setup({
      draft: { ...labSnat(), balancer: { platform: 'linux-haproxy', primary: { address: '10.99.0.11', name: 'lb1' } } },
      step: 'preflight',
    });
    const summary = await screen.findByTestId('preflight-summary');
    expect(summary.textContent).toMatch(/No errors/);
    const warnings = screen.getByRole('region', { name: 'Warnings' });
    expect(within(warnings).getAllByTestId('finding').length).toBeGreaterThan(0);
    const link = within(warnings).getAllByRole('button', { name: /Go to balancer/ })[0]!;
    await user.click(link);
    expect(useWizard.getState().step).toBe('balancer');
    await screen.findByRole('heading', { level: 1, name: 'Balancer' });
    await act(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    expect(document.activeElement?.id).toBe('f-balancer-secondary');
  });

  it('is clean for the lab SNAT site', async () => {
    await setup({ draft: labSnat(), step: 'preflight' });
    expect((await screen.findByTestId('preflight-summary')).textContent).toBe('No findings: the site passes every preflight rule.');
    expect(transport.calls.some((c) => c.channel === 'site.validate')).toBe(true);
  });
});

describe('engine steps', () => {
  it('show "not available in this build" instead of fake data', async () => {
    await setup({ engine: false, draft: labSnat(), step: 'discover' });
    expect((await screen.findByTestId('not-available')).textContent).toMatch(/Discovery is not available in this build/);
    expect(screen.queryByRole('button', { name: 'Discover' })).toBeNull();
  });

  it('Discover: host key with its SHA256 fingerprint, then the password; the secret is not kept', async () => {
    const { user } = await setup({ draft: labSnat(), step: 'discover' });
    await user.click(await screen.findByRole('button', { name: 'Discover' }));
    const hk = await screen.findByTestId('hostkey-dialog');
    expect(within(hk).getByTestId('fingerprint').textContent).toBe(FINGERPRINT);
    expect(within(hk).getByText(/10\.99\.0\.11/)).toBeTruthy();
    await user.click(within(hk).getByRole('button', { name: 'Trust and connect' }));
    const cred = await screen.findByTestId('credential-dialog');
    const pw = within(cred).getByLabelText(/SSH password of root@10\.99\.0\.11/);
    expect(pw.getAttribute('type')).toBe('password');
    expect((within(cred).getByRole('checkbox', { name: /Remember/ }) as HTMLInputElement).disabled).toBe(true);
    await user.type(pw, 'Very-Secret-77');
    await user.click(within(cred).getByRole('button', { name: 'Connect' }));
    expect(await screen.findByRole('table', { name: 'Hosts' })).toBeTruthy();
    expect(screen.getByText('lb1')).toBeTruthy();
    const everything = JSON.stringify([
      useRun.getState(),
      usePrompts.getState(),
      useSite.getState(),
      { ...localStorage },
      document.body.innerHTML,
    ]);
    expect(everything).not.toContain('Very-Secret-77');
    expect(transport.calls.filter((c) => JSON.stringify(c.input).includes('Very-Secret-77')).map((c) => c.channel)).toEqual([
      'credential.provide',
    ]);
  });

  it('Plan shows per-host steps, the diff and the generated files with copy and save', async () => {
    const { user } = await setup({ draft: labSnat(), step: 'plan' });
    const files = await screen.findByTestId('generated-files');
    expect(within(files).getByText('balancer/haproxy.cfg')).toBeTruthy();
    expect(screen.getByLabelText('balancer/haproxy.cfg').textContent).toContain('bind 10.99.0.10:445');
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save…' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Make the plan' }));
    expect(await screen.findByText('Upload haproxy.cfg')).toBeTruthy();
    expect(screen.getByLabelText('Changes to /etc/haproxy/haproxy.cfg').querySelector('.tok-add')?.textContent).toBe('+b');
  });

  it('Apply shows each step with its command, output and time; cancel works', async () => {
    const { user } = await setup({ draft: { ...labSnat(), name: 'slow site' }, step: 'apply' });
    const apply = await screen.findByRole('button', { name: 'Apply' });
    expect((apply as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByLabelText(/I reviewed the plan/));
    await user.click(apply);
    const host = await screen.findByRole('region', { name: 'Host lb1' });
    expect(within(host).getByText('Back up haproxy.cfg')).toBeTruthy();
    expect(within(host).getByText(/cp \/etc\/haproxy\/haproxy\.cfg/)).toBeTruthy();
    expect(within(host).getByText('done')).toBeTruthy();
    expect(within(host).getByText('0.3 s')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect((await screen.findByTestId('error-banner')).textContent).toMatch(/cancelled/i);
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
  });

  it('Verify shows the System Overview with state colours; Drain asks first', async () => {
    const { user } = await setup({ draft: labSnat(), step: 'verify' });
    await user.click(await screen.findByRole('button', { name: 'Verify' }));
    const table = await screen.findByTestId('system-overview');
    const rows = table.querySelectorAll('tr.real');
    expect([...rows].map((r) => r.getAttribute('data-state'))).toEqual(['up', 'drain']);
    expect(screen.getByText(/Printer1/)).toBeTruthy();
    await user.click(within(rows[0] as HTMLElement).getByRole('button', { name: 'Drain' }));
    const dlg = await screen.findByTestId('confirm-dialog');
    expect(within(dlg).getByText(/Drain PS1 in PrintServers\?/)).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(transport.calls.some((c) => c.channel === 'engine.serverState')).toBe(false);
    await user.click(within(rows[0] as HTMLElement).getByRole('button', { name: 'Drain' }));
    await user.click(screen.getByRole('button', { name: 'Yes, drain' }));
    expect(await screen.findByText('PS1 in PrintServers: drain done.')).toBeTruthy();
  });
});

describe('theme and keyboard', () => {
  it('toggles light and dark, and the step list is keyboard reachable', async () => {
    const { user } = await setup({ draft: labSnat(), step: 'network' });
    const before = document.documentElement.dataset.theme;
    await user.click(screen.getByRole('button', { name: /Switch to (dark|light) theme/ }));
    expect(document.documentElement.dataset.theme).not.toBe(before);
    const nav = screen.getByRole('navigation', { name: 'Wizard steps' });
    expect(
      within(nav)
        .getByRole('button', { name: /Network/ })
        .getAttribute('aria-current'),
    ).toBe('step');
    within(nav)
      .getByRole('button', { name: /Balancer/ })
      .focus();
    await user.keyboard('{Enter}');
    expect(useWizard.getState().step).toBe('balancer');
  });
});
