/** The rule catalog for docs and the runbook: every registered rule, without its check function. */
import type { Severity } from './finding.js';
import { SITE_RULES } from './registry.js';

export interface RuleInfo {
  id: string;
  severity: Severity;
  guards: string;
  source: string;
  needsFacts: boolean;
}

export function ruleCatalog(): RuleInfo[] {
  return SITE_RULES.map((r) => ({ id: r.id, severity: r.severity, guards: r.guards, source: r.source, needsFacts: r.needsFacts === true }));
}
