import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ruleCatalog } from '../../../shared/rules/catalog.js';
import { ALL_RULES, validateSiteYaml } from '../../../shared/rules/index.js';
import { SITE_RULES } from '../../../shared/rules/registry.js';
import { EXAMPLES_DIR, goodFacts, siteFrom, type ExampleName } from './helpers.js';
import { runRules } from '../../../shared/rules/index.js';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/RULES.md', import.meta.url));
const SCHEMA_RULE_IDS = ['ip-invalid', 'label-invalid', 'sharename-netbios', 'port-invalid', 'schema-unknown-key', 'schema-invalid', 'yaml-syntax', 'hostname-invalid', 'user-invalid'];

describe('rule registry', () => {
  it('rule ids are unique and kebab-case, and not the schema-level ids', () => {
    const ids = SITE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    for (const id of SCHEMA_RULE_IDS) expect(ids).not.toContain(id);
    expect(ALL_RULES).toBe(SITE_RULES);
  });

  it('every rule says what it guards and where it comes from', () => {
    for (const r of SITE_RULES) {
      expect(r.guards.length, r.id).toBeGreaterThan(20);
      expect(r.source.length, r.id).toBeGreaterThan(5);
      expect(['error', 'warning', 'info']).toContain(r.severity);
    }
  });

  it('ruleCatalog lists every rule with its metadata', () => {
    const cat = ruleCatalog();
    expect(cat.map((c) => c.id)).toEqual(SITE_RULES.map((r) => r.id));
    const arp = cat.find((c) => c.id === 'dr-arp-unsolved')!;
    expect(arp).toMatchObject({ severity: 'error', needsFacts: true });
    expect(cat.find((c) => c.id === 'dr-arp-problem')!.needsFacts).toBe(false);
    expect(Object.keys(arp).sort()).toEqual(['guards', 'id', 'needsFacts', 'severity', 'source']);
  });

  it('every rule id is exercised by a test in this folder', () => {
    const text = readdirSync(HERE)
      .filter((f) => f.endsWith('.test.ts') && f !== 'registry.test.ts')
      .map((f) => readFileSync(HERE + f, 'utf8'))
      .join('\n');
    const missing = SITE_RULES.map((r) => r.id).filter((id) => !text.includes(`'${id}', '`));
    expect(missing).toEqual([]);
  });

  it('docs/RULES.md lists every rule id with its severity', () => {
    const doc = readFileSync(DOCS, 'utf8');
    for (const r of SITE_RULES) expect(doc, r.id).toMatch(new RegExp(`\\|\\s*\`${r.id}\`\\s*\\|\\s*${r.severity}\\s*\\|`));
  });
});

describe('examples', () => {
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
  it('there are examples to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
  for (const file of files) {
    it(`${file} validates with no errors (warnings allowed)`, () => {
      const r = validateSiteYaml(readFileSync(EXAMPLES_DIR + file, 'utf8'));
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(r.ok).toBe(true);
    });
    it(`${file} with all-green facts has no errors`, () => {
      const site = siteFrom(file.replace(/\.yaml$/, '') as ExampleName);
      expect(runRules(site, goodFacts(site)).filter((f) => f.severity === 'error')).toEqual([]);
    });
  }
  it('findings carry rule, severity, path, message and fix', () => {
    const r = validateSiteYaml(readFileSync(EXAMPLES_DIR + 'lab-lborg-dr.yaml', 'utf8'));
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(Object.keys(f).sort()).toEqual(['fix', 'message', 'path', 'rule', 'severity']);
      expect(f.path).not.toBe('');
    }
  });
});
