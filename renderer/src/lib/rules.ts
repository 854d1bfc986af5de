/** The preflight rules for the draft (zod, yaml, shared/rules): loaded after the first screen. */
import type { Finding } from '../../../shared/rules/finding.js';
import { validateSiteData } from '../../../shared/rules/index.js';

export function validateDraft(draft: Record<string, unknown>): Finding[] {
  try {
    return validateSiteData(draft).findings;
  } catch (e) {
    return [
      {
        rule: 'internal',
        severity: 'error',
        path: '',
        message: `Validation failed: ${e instanceof Error ? e.message : String(e)}`,
        fix: 'Please report this.',
      },
    ];
  }
}
