/**
 * Issue 17 item 6 in the wizard: a wrong-typed value names itself and what the field takes (never
 * "missing", never the validator's text or a file the user does not have), and cross-field errors
 * show on the step where their field is, before Preflight.
 */
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../renderer/src/api/client.js';
import { App } from '../../renderer/src/App.js';
import { loadValidator } from '../../renderer/src/lib/validate.js';
import { subscribePrompts, usePrompts } from '../../renderer/src/stores/prompts.js';
import { subscribeJournal, useRun } from '../../renderer/src/stores/run.js';
import { newDraft, useSite } from '../../renderer/src/stores/site.js';
import { useWizard } from '../../renderer/src/stores/wizard.js';
import type { StepId } from '../../renderer/src/steps.js';
import { fakeCore } from '../support/fake-core.js';
import { memoryTransport } from './support/memory.js';

let unsub: (() => void)[] = [];

async function setup(draft: Record<string, unknown>, step: StepId) {
  setTransport(memoryTransport(fakeCore({ engine: true })));
  unsub = [subscribePrompts(), subscribeJournal()];
  useSite.setState({ draft: undefined, findings: [], touched: {}, recent: [] });
  useSite.getState().replace(draft);
  useWizard.setState({ step, attempted: {}, focusField: undefined });
  useRun.setState({ status: undefined, busy: {}, hostKeyChanged: undefined });
  useRun.getState().reset();
  usePrompts.setState({ queue: [], note: undefined });
  const r = { user: userEvent.setup(), ...render(<App />) };
  await screen.findByRole('heading', { level: 1 });
  return r;
}

/** The texts of the field's error paragraphs. */
function errorsOf(input: HTMLElement): string {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-err'));
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

const RAW = /Invalid input|Too small|Too big|expected (string|number)|>=|DESIGN\.md|is missing/;

beforeAll(async () => {
  await loadValidator();
});
beforeEach(() => {
  unsub.forEach((u) => u());
  unsub = [];
});

describe('messages name the value', () => {
  it("SSH port 2z2: '2z2' is not a number, with the port range", async () => {
    const { user } = await setup({ ...newDraft(), name: 'T' }, 'balancer');
    const port = screen.getAllByLabelText('SSH port')[0]!;
    await user.clear(port);
    await user.type(port, '2z2');
    expect(port.getAttribute('aria-invalid')).toBe('true');
    const text = errorsOf(port);
    expect(text).toContain("'2z2' is not a number: the primary balancer's SSH port is a whole number 1–65535.");
    expect(text).not.toMatch(RAW);
  });

  it("weight 1OO: '1OO' is not a number, with the weight range", async () => {
    const { user } = await setup({ ...newDraft(), name: 'T' }, 'servers');
    const weight = screen.getByLabelText('Server 1 weight');
    await user.type(weight, '1OO');
    const text = errorsOf(weight);
    expect(text).toContain("'1OO' is not a number: the server's weight is a whole number 0–256");
    expect(text).not.toMatch(RAW);
  });

  it('an empty site name says so in words, with no validator text and no DESIGN.md', async () => {
    const { user } = await setup({ ...newDraft(), name: 'x' }, 'product');
    const name = screen.getByLabelText('Site name');
    await user.clear(name);
    await user.type(name, 'y');
    await user.clear(name);
    await user.click(screen.getByTestId('next'));
    // a cleared text field is removed from the draft: the name is then missing, said with what it takes
    expect(errorsOf(name)).toMatch(/the site name is text of 1–200 characters/);
    expect(errorsOf(name)).not.toMatch(/Too small|DESIGN\.md|>=/);
    useSite.getState().setField('name', '');
    await act(async () => undefined);
    expect(errorsOf(name)).toContain('name is empty: the site name is text of 1–200 characters.');
  });
});

describe('cross-field errors show on their own step', () => {
  it('prefix length 33 with an IPv4 VIP is an error on the Network step, and blocks Next there', async () => {
    const { user } = await setup({ ...newDraft(), name: 'T', shareName: 'Dispatcher' }, 'network');
    await user.type(screen.getByLabelText('Virtual IP address (VIP)'), '192.168.81.10');
    const prefix = screen.getByLabelText('Subnet prefix length');
    await user.clear(prefix);
    await user.type(prefix, '33');
    expect(prefix.getAttribute('aria-invalid')).toBe('true');
    expect(errorsOf(prefix)).toMatch(/network\.prefixLength is 33 but the VIP 192\.168\.81\.10 is IPv4, whose prefix is at most 32/);
    await user.click(screen.getByTestId('next'));
    expect(useWizard.getState().step).toBe('network');
  });

  it('a server address equal to the VIP is an error at that server on the Servers step', async () => {
    const { user } = await setup({ ...newDraft(), name: 'T', vip: '192.168.81.10', shareName: 'Dispatcher' }, 'servers');
    const address = screen.getByLabelText('Server 2 address');
    await user.type(address, '192.168.81.10');
    expect(address.getAttribute('aria-invalid')).toBe('true');
    expect(errorsOf(address)).toMatch(/The VIP 192\.168\.81\.10 is the same address as server PS2 \(servers\[1\]\.address\)/);
    await user.click(screen.getByTestId('next'));
    expect(useWizard.getState().step).toBe('servers');
  });
});
