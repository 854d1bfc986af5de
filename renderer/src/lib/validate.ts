/**
 * The rules (shared/rules with zod and yaml) are a separate chunk so the first screen appears fast;
 * loadValidator() fetches it once, and the site store re-validates when it arrives.
 */
import type { Finding } from '../../../shared/rules/finding.js';

export type Validator = (draft: Record<string, unknown>) => Finding[];

let validator: Validator | undefined;
let loading: Promise<Validator> | undefined;
const waiting = new Set<(v: Validator) => void>();

export function loadValidator(): Promise<Validator> {
  loading ??= import('./rules.js').then((m) => {
    validator = m.validateDraft;
    for (const cb of waiting) cb(m.validateDraft);
    return m.validateDraft;
  });
  return loading;
}

export function currentValidator(): Validator | undefined {
  return validator;
}

/** Called when the validator arrives (the site store uses it to re-validate). */
export function onValidatorLoaded(cb: (v: Validator) => void): void {
  if (validator) cb(validator);
  else waiting.add(cb);
}
