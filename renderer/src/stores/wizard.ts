/**
 * Where the engineer is in the wizard, which steps showed all their errors (Next was pressed), and
 * the scope of the engine steps (balancer and print servers / balancer only / print servers only).
 * Step and scope are kept in localStorage with the site, so a reload keeps them.
 */
import { create } from 'zustand';
import type { Scope } from '../../../shared/contract/scope.js';
import { STEPS, isStepId, pathInFields, stepIndex, type StepId } from '../steps.js';
import { useSite } from './site.js';

export const STEP_KEY = 'printha.step.v1';
export const SCOPE_KEY = 'printha.scope.v1';

export function isScope(s: unknown): s is Scope {
  return s === 'all' || s === 'balancer' || s === 'servers';
}

/** A value kept in localStorage, or the fallback when it is missing, invalid or storage is unavailable. */
function restored<T>(key: string, valid: (s: unknown) => s is T, fallback: T): T {
  try {
    const s = typeof localStorage === 'undefined' ? null : localStorage.getItem(key);
    return valid(s) ? s : fallback;
  } catch {
    return fallback;
  }
}

const restoredScope = (): Scope => restored(SCOPE_KEY, isScope, 'all');
const restoredStep = (): StepId => restored(STEP_KEY, isStepId, 'start');

interface WizardState {
  step: StepId;
  attempted: Partial<Record<StepId, true>>;
  /** The field to focus after moving to a step (a preflight link). */
  focusField?: string;
  /** What Discover, Plan, Apply and Verify act on (the contract's `only`). */
  scope: Scope;
  setScope(scope: Scope): void;
  go(step: StepId, focusField?: string): void;
  /** Moves on unless the step has errors; then shows them all and returns the first bad field. */
  next(): { ok: true } | { ok: false; field: string; why?: 'checking' };
  back(): void;
}

/** Errors that block leaving this step. */
export function blockingErrors(step: StepId): { path: string; message: string }[] {
  const def = STEPS[stepIndex(step)];
  const findings = useSite.getState().findings.filter((f) => f.severity === 'error');
  if (!def) return [];
  if (step === 'preflight') return findings;
  if (def.fields.length === 0) return [];
  // A cross-field error blocks the step of each field it is about (vip-address-clash: the VIP's and the server's).
  return findings.filter((f) => pathInFields(f.path, def.fields) || f.also?.some((p) => pathInFields(p, def.fields)));
}

export const useWizard = create<WizardState>((set, get) => ({
  step: restoredStep(),
  attempted: {},
  scope: restoredScope(),
  setScope(scope) {
    if (isScope(scope) && scope !== get().scope) set({ scope });
  },
  go(step, focusField) {
    set({ step, focusField });
  },
  next() {
    const { step } = get();
    if (!useSite.getState().validated && STEPS[stepIndex(step)]!.fields.length) return { ok: false, field: '', why: 'checking' };
    const errors = blockingErrors(step);
    if (errors.length) {
      set({ attempted: { ...get().attempted, [step]: true } });
      return { ok: false, field: errors[0]!.path };
    }
    const i = stepIndex(step);
    const to = STEPS[Math.min(i + 1, STEPS.length - 1)]!.id;
    set({ step: to, focusField: undefined });
    return { ok: true };
  },
  back() {
    const i = stepIndex(get().step);
    set({ step: STEPS[Math.max(i - 1, 0)]!.id, focusField: undefined });
  },
}));

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* storage full or disabled: the state still lives in memory */
  }
}

useWizard.subscribe((s, prev) => {
  if (s.step !== prev.step) store(STEP_KEY, s.step);
  if (s.scope !== prev.scope) store(SCOPE_KEY, s.scope);
});
