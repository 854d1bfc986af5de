/**
 * The preflight engine: site (and, after discovery, facts) -> findings.
 * Rules live one family per module in this folder and register in ALL_RULES.
 */
import type { SiteFacts } from '../model/facts.js';
import { resolveSite } from '../model/resolve.js';
import { loadSiteYaml, parseSiteData } from '../site/load.js';
import type { Site } from '../site/schema.js';
import { sortFindings, type Finding } from './finding.js';
import type { Rule } from './types.js';
import { SITE_RULES } from './registry.js';
import { partialSite } from './partial.js';

export const ALL_RULES: readonly Rule[] = SITE_RULES;

/**
 * The rules' partial checks on data the schema refused (Rule.partial): the cross-field errors that
 * can already be seen from the fields that are valid on their own.
 */
export function runPartialRules(data: unknown, rules: readonly Rule[] = ALL_RULES): Finding[] {
  const p = partialSite(data);
  return rules.flatMap((r) => r.partial?.(p) ?? []);
}

export function runRules(site: Site, facts?: SiteFacts, rules: readonly Rule[] = ALL_RULES): Finding[] {
  const resolved = resolveSite(site);
  const out: Finding[] = [];
  for (const rule of rules) {
    if (rule.needsFacts && !facts) continue;
    out.push(...rule.check({ site, resolved, facts }));
  }
  return sortFindings(out);
}

/**
 * The error findings that refuse an apply of this scope after discovery. Errors that the servers'
 * prepare step fixes (e.g. the DR loopback adapter) do not block an apply that prepares the servers.
 */
export function applyBlockers(site: Site, facts: SiteFacts, only?: 'balancer' | 'servers'): Finding[] {
  const fixedByPrepare = new Set(ALL_RULES.filter((r) => r.fixedByServerPrepare).map((r) => r.id));
  return runRules(site, facts).filter((f) => f.severity === 'error' && !(only !== 'balancer' && fixedByPrepare.has(f.rule)));
}

export interface ValidationResult {
  ok: boolean;
  site?: Site;
  findings: Finding[];
  /** validateSiteYaml: the parsed YAML (before the schema), when it parsed within the limits. */
  data?: unknown;
}

/** validate = parse + schema + every site rule. ok = no error findings. */
export function validateSiteYaml(text: string, facts?: SiteFacts): ValidationResult {
  const loaded = loadSiteYaml(text);
  const data = loaded.data !== undefined ? { data: loaded.data } : {};
  if (!loaded.ok) return { ok: false, findings: sortFindings([...loaded.findings, ...(loaded.data !== undefined ? runPartialRules(loaded.data) : [])]), ...data };
  const findings = runRules(loaded.site, facts);
  return { ok: !findings.some((f) => f.severity === 'error'), site: loaded.site, findings, ...data };
}

export function validateSiteData(data: unknown, facts?: SiteFacts): ValidationResult {
  const loaded = parseSiteData(data);
  if (!loaded.ok) return { ok: false, findings: sortFindings([...loaded.findings, ...runPartialRules(data)]) };
  const findings = runRules(loaded.site, facts);
  return { ok: !findings.some((f) => f.severity === 'error'), site: loaded.site, findings };
}
