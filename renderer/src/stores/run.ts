/**
 * Engine results for the current site: availability, discovery facts, plan and generated files,
 * the live apply journal, the verification report. Everything goes through the contract.
 */
import { create } from 'zustand';
import type { ChannelOutput, ContractError } from '../../../shared/contract/index.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { Finding } from '../../../shared/rules/finding.js';
import type { Artifact } from '../../../shared/render/artifact.js';
import type { Plan } from '../../../shared/plan/model.js';
import type { VerifyReport } from '../../../shared/verify/report.js';
import { onlyOf } from '../../../shared/contract/scope.js';
import { call, errorShape, newOpId, onEvent } from '../api/client.js';
import { useSite, type Draft } from './site.js';
import { useWizard } from './wizard.js';

export type Availability = ChannelOutput<'engine.status'>;
export type OpKind = 'discover' | 'plan' | 'render' | 'apply' | 'verify' | 'serverState' | 'runbook';

export interface RunState {
  status?: Availability;
  statusError?: ContractError;
  busy: Partial<Record<OpKind, string>>;
  errors: Partial<Record<OpKind, ContractError>>;
  facts?: ChannelOutput<'engine.discover'>['facts'];
  factFindings: Finding[];
  plan?: Plan;
  artifacts?: Artifact[];
  journal: JournalEvent[];
  applyResult?: ChannelOutput<'engine.apply'>;
  report?: VerifyReport;
  lastAction?: string;
  /** A changed host key stopped a run: shown as a dialog. */
  hostKeyChanged?: ContractError;
  loadStatus(): Promise<void>;
  discover(sshKeyPath?: string): Promise<void>;
  makePlan(sshKeyPath?: string): Promise<void>;
  render(): Promise<void>;
  apply(opts: { resume?: boolean; sshKeyPath?: string }): Promise<void>;
  cancel(kind: OpKind): Promise<void>;
  verify(opts: { drill?: boolean; sshKeyPath?: string }): Promise<void>;
  serverState(vip: string, server: string, action: 'drain' | 'halt' | 'online', sshKeyPath?: string): Promise<void>;
  dismissHostKeyChanged(): void;
  reset(): void;
}

function site(): Draft {
  return useSite.getState().draft ?? {};
}

/** `{ only }` for the engine calls of the wizard's scope; `{}` for balancer and print servers. */
export function scopeInput(): { only?: 'balancer' | 'servers' } {
  const only = onlyOf(useWizard.getState().scope);
  return only ? { only } : {};
}

export const useRun = create<RunState>((set, get) => {
  async function run<T>(kind: OpKind, fn: (opId: string) => Promise<T>, onOk: (r: T) => Partial<RunState>): Promise<void> {
    if (get().busy[kind]) return;
    const opId = newOpId(kind);
    set({ busy: { ...get().busy, [kind]: opId }, errors: { ...get().errors, [kind]: undefined } });
    try {
      const r = await fn(opId);
      set({ ...onOk(r), busy: { ...get().busy, [kind]: undefined } });
    } catch (e) {
      const err = errorShape(e) as ContractError;
      set({
        busy: { ...get().busy, [kind]: undefined },
        errors: { ...get().errors, [kind]: err },
        ...(err.code === 'host-key-changed' ? { hostKeyChanged: err } : {}),
      });
    }
  }
  const key = (p?: string) => (p ? { sshKeyPath: p } : {});

  return {
    busy: {},
    errors: {},
    factFindings: [],
    journal: [],
    async loadStatus() {
      try {
        set({ status: await call('engine.status', {}), statusError: undefined });
      } catch (e) {
        set({ statusError: errorShape(e) as ContractError });
      }
    },
    discover: (p) =>
      run(
        'discover',
        (opId) => call('engine.discover', { site: site(), opId, ...scopeInput(), ...key(p) }),
        (r) => ({ facts: r.facts, factFindings: r.findings }),
      ),
    makePlan: (p) =>
      run(
        'plan',
        (opId) => call('engine.plan', { site: site(), opId, ...scopeInput(), ...key(p) }),
        (r) => ({ plan: r.plan }),
      ),
    render: () =>
      run(
        'render',
        () => call('site.render', { site: site() }),
        (r) => ({ artifacts: r.artifacts }),
      ),
    apply: ({ resume, sshKeyPath }) =>
      run(
        'apply',
        (opId) => {
          if (!resume) set({ journal: [], applyResult: undefined });
          return call('engine.apply', {
            site: site(),
            opId,
            confirmed: true,
            ...scopeInput(),
            ...(resume ? { resume } : {}),
            ...key(sshKeyPath),
          });
        },
        (r) => ({ applyResult: r }),
      ),
    async cancel(kind) {
      const opId = get().busy[kind];
      if (opId) await call('engine.cancel', { opId }).catch(() => undefined);
    },
    verify: ({ drill, sshKeyPath }) =>
      run(
        'verify',
        (opId) => call('engine.verify', { site: site(), opId, ...scopeInput(), ...(drill ? { drill } : {}), ...key(sshKeyPath) }),
        (r) => ({ report: r.report }),
      ),
    serverState: (vip, server, action, p) =>
      run(
        'serverState',
        (opId) => call('engine.serverState', { site: site(), opId, vip, server, action, ...key(p) }),
        (r) => ({ lastAction: r.message }),
      ),
    dismissHostKeyChanged: () => set({ hostKeyChanged: undefined }),
    reset: () =>
      set({
        facts: undefined,
        factFindings: [],
        plan: undefined,
        artifacts: undefined,
        journal: [],
        applyResult: undefined,
        report: undefined,
        errors: {},
      }),
  };
});

/** Feeds journal events of the running apply (or any op) into the store. Returns the unsubscribe. */
export function subscribeJournal(): () => void {
  return onEvent('journal', ({ event }) => useRun.setState((s) => ({ journal: [...s.journal, event] })));
}

/** Facts, plan and apply result belong to the scope they were made in: a new scope starts them over. */
useWizard.subscribe((s, prev) => {
  if (s.scope !== prev.scope) useRun.setState({ facts: undefined, factFindings: [], plan: undefined, applyResult: undefined, errors: {} });
});

/** Reset engine results when a different site is loaded. */
useSite.subscribe((s, prev) => {
  if (s.draft !== prev.draft && (s.draft === undefined || prev.draft === undefined || s.draft.name !== prev.draft.name))
    useRun.getState().reset();
});
