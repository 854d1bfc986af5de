/** Test sites built from examples/*.yaml with small edits, all-green facts, and finding assertions. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import type { SiteFacts } from '../../../shared/model/facts.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import type { Finding, Severity } from '../../../shared/rules/finding.js';
import { runRules } from '../../../shared/rules/index.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site, SiteInput } from '../../../shared/site/schema.js';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

export type ExampleName = 'phoenix-dr' | 'phoenix-snat' | 'paragon' | 'lab-snat' | 'lab-paragon' | 'lab-lborg-dr' | 'lab-lborg-snat';

export function exampleText(name: string): string {
  return readFileSync(`${EXAMPLES_DIR}${name}.yaml`, 'utf8');
}

/**
 * Loads examples/<name>.yaml, applies `edit` to the parsed data, and goes back through YAML and
 * loadSiteYaml, so every test site is a schema-valid site as a user could write it.
 */
export function siteFrom(name: ExampleName, edit?: (d: SiteInput) => void): Site {
  const data = parse(exampleText(name)) as SiteInput;
  edit?.(data);
  const r = loadSiteYaml(stringify(data));
  if (!r.ok) throw new Error(`test site from ${name} is not schema-valid: ${r.findings.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
  return r.site;
}

/** Facts in which every server and balancer node is healthy and prepared (no facts rule fires). */
export function goodFacts(site: Site): SiteFacts {
  const profile = resolveSite(site).profile;
  const product = profile.windowsServicePatterns.map((p) => ({ name: p.replace(/\*/g, 'Service').replace(/\?/g, 'X').replace(/ /g, ''), status: 'Running' }));
  const dr = site.mode === 'dr';
  return {
    collectedAt: '2026-01-01T00:00:00Z',
    servers: site.servers.map((s) => ({
      label: s.label,
      reachable: true,
      computerName: (s.hostname?.split('.')[0] ?? `${s.label}-host`).toUpperCase(),
      domainMember: true,
      domain: 'corp.example.com',
      printServerRole: true,
      printerShares: ['KM-C458-Floor1', 'HP-M605-Floor2'],
      productServices: product,
      nics: [
        { alias: 'Ethernet0', index: 4, addresses: [s.address], netbiosOptions: 2, weakHostReceive: dr, weakHostSend: false, isLoopback: false },
        ...(dr ? [{ alias: 'Loopback-VIP', index: 9, addresses: [`${site.vip}/32`], netbiosOptions: 2, weakHostReceive: true, weakHostSend: true, isLoopback: true }] : []),
      ],
      registry: { disableLoopbackCheck: 1, disableStrictNameChecking: 1, optionalNames: [site.shareName] },
      loopbackAdapter: dr ? { alias: 'Loopback-VIP', addresses: [site.vip] } : null,
      pendingReboot: false,
      psVersion: '5.1.17763.1',
    })),
    balancer: resolveSite(site).nodes.map((n) => ({ name: n.name, address: n.address, reachable: true, version: '8.13.1', role: n.role === 'primary' ? ('active' as const) : ('passive' as const), existingVips: [] })),
  };
}

export function run(site: Site, facts?: SiteFacts): Finding[] {
  return runRules(site, facts);
}

/** Findings of one rule. */
export function ofRule(site: Site, rule: string, facts?: SiteFacts): Finding[] {
  return runRules(site, facts).filter((f) => f.rule === rule);
}

/**
 * Asserts the rule fired exactly once (at `path`, when several fire) with this severity and path,
 * a message naming every string in `names`, and a fix; returns the finding.
 */
export function expectFinding(fs: readonly Finding[], rule: string, severity: Severity, path: string, ...names: string[]): Finding {
  const mine = fs.filter((f) => f.rule === rule);
  const atPath = mine.filter((f) => f.path === path);
  expect(atPath.map((f) => f.path), `${rule} findings: ${JSON.stringify(mine)}`).toEqual([path]);
  const f = atPath[0]!;
  expect(f.severity).toBe(severity);
  for (const n of names) expect(f.message).toContain(n);
  expect(f.message.length).toBeGreaterThan(20);
  expect(f.fix.length).toBeGreaterThan(10);
  return f;
}

export function expectNone(fs: readonly Finding[], rule: string): void {
  expect(fs.filter((f) => f.rule === rule)).toEqual([]);
}
