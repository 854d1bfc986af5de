/**
 * Host-key confirmations and credential requests from the core, answered through the contract.
 * Secrets typed here go straight into the `credential.provide` call and are not kept in any store.
 */
import { create } from 'zustand';
import type { EventPayload } from '../../../shared/contract/index.js';
import { call, onEvent } from '../api/client.js';

export type HostKeyPrompt = EventPayload<'hostKey.confirm'> & { type: 'hostKey' };
export type CredentialPrompt = EventPayload<'credential.request'> & { type: 'credential' };
export type Prompt = HostKeyPrompt | CredentialPrompt;

interface PromptState {
  queue: Prompt[];
  note?: string;
  decideHostKey(id: string, accept: boolean): Promise<void>;
  provideCredential(id: string, secret: string | null, remember: boolean): Promise<void>;
}

export const usePrompts = create<PromptState>((set, get) => ({
  queue: [],
  async decideHostKey(id, accept) {
    set({ queue: get().queue.filter((p) => p.id !== id) });
    const r = await call('hostKey.decide', { id, accept }).catch(() => ({ ok: false }));
    if (!r.ok) set({ note: 'That host key question had expired; run the step again.' });
  },
  async provideCredential(id, secret, remember) {
    set({ queue: get().queue.filter((p) => p.id !== id) });
    try {
      const r = await call('credential.provide', { id, secret, remember });
      set({ note: r.note });
    } catch {
      set({ note: 'The credential could not be passed to PrintHA; run the step again.' });
    }
  },
}));

export function subscribePrompts(): () => void {
  const offs = [
    onEvent('hostKey.confirm', (p) => usePrompts.setState((s) => ({ queue: [...s.queue, { ...p, type: 'hostKey' }] }))),
    onEvent('credential.request', (p) => usePrompts.setState((s) => ({ queue: [...s.queue, { ...p, type: 'credential' }] }))),
    onEvent('prompt.closed', ({ id, reason }) =>
      usePrompts.setState((s) => {
        const had = s.queue.some((p) => p.id === id);
        return {
          queue: s.queue.filter((p) => p.id !== id),
          ...(had && reason === 'timeout'
            ? { note: 'A question from PrintHA was not answered in time; the step stopped. Run it again.' }
            : {}),
        };
      }),
    ),
  ];
  return () => offs.forEach((off) => off());
}
