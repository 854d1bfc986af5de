import type { SiteFacts } from '../model/facts.js';
import type { ResolvedSite } from '../model/resolve.js';
import type { Site } from '../site/schema.js';
import type { Finding, Severity } from './finding.js';
import type { PartialSite } from './partial.js';

export interface RuleContext {
  site: Site;
  resolved: ResolvedSite;
  /** Present after discovery; rules with needsFacts skip without them. */
  facts?: SiteFacts;
}

export interface Rule {
  /** Stable id, never renamed (kebab-case). */
  id: string;
  severity: Severity;
  /** What the rule guards against, one sentence (used in docs and the runbook). */
  guards: string;
  /** Where the rule comes from (seed section). */
  source: string;
  needsFacts?: boolean;
  /**
   * Apply itself fixes what this rule finds on the print servers (their prepare step), so an apply
   * that includes the servers must not be refused for it; a balancer-only apply still is.
   */
  fixedByServerPrepare?: boolean;
  check(ctx: RuleContext): Finding[];
  /**
   * The same check on an incomplete site (the wizard's draft while later steps are empty, or a file
   * with schema errors elsewhere), from the fields that are valid on their own: a cross-field error
   * then shows on the step where its field is, not only at Preflight. Run only when the schema fails.
   */
  partial?(site: PartialSite): Finding[];
}

/** Helper so each rule builds findings with its own id and default severity. */
export function finding(rule: Rule, path: string, message: string, fix: string, severity: Severity = rule.severity): Finding {
  return { rule: rule.id, severity, path, message, fix };
}
