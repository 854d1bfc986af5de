/**
 * Issue 16 item 1: the Ansible export. A site name with U+2028/U+2029/U+0085 used to pass validate
 * and, JSON-quoted into a header comment, become YAML lines for a YAML 1.1 reader (an extra
 * inventory host with a ProxyCommand). Now: the YAML encoder writes printable ASCII only (round trip
 * of arbitrary Unicode through PyYAML), every YAML file of the export is checked, and the name is
 * refused at validation.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ansibleExport } from '../../shared/export/ansible.js';
import { resolveSite } from '../../shared/model/resolve.js';
import { yamlCommentText, yamlKey, yamlString } from '../../shared/quote/yaml.js';
import { validateSiteYaml } from '../../shared/rules/index.js';
import type { Site } from '../../shared/site/schema.js';
import { example, exampleText } from '../unit/runbook/fixtures.js';
import { answersQuickly, hasAnsibleInventory, hasPyYaml, pyYamlLoadAll } from './helpers.js';

const NASTY = [
  '\u2028',
  '\u2029',
  '\u0085',
  '\u0000',
  '\u001b',
  '\r',
  '\n',
  '\t',
  '\u202e',
  '\u2066',
  '\u200f',
  '\ufeff',
  '\ud800',
  '\udfff',
  '"',
  '\\',
  '#',
  ':',
  '{{',
  '%}',
  '- ',
  '---',
  '...',
  '&a',
  '*a',
  '!!python/object',
  '\u00a0',
  '\u0080',
  '\u009f',
  '\ud83d\ude00',
  "'",
];
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 12 }).map((a) => a.join('')),
);

/** The hostile name of the review: after U+2028 a YAML 1.1 reader sees a new top-level group. */
const EVIL_NAME = [
  'Phoenix',
  'evil:',
  '  hosts:',
  '    attacker:',
  '      ansible_host: 127.0.0.1',
  '      ansible_ssh_common_args: "-o ProxyCommand=touch /tmp/printha-pwned"',
  '#',
].join('\u2028');

function hostileSite(name: string): Site {
  return { ...example('lab-snat'), name };
}

function inventoryOf(site: Site): string {
  return ansibleExport(resolveSite(site)).find((f) => f.path === 'inventory.yml')!.content;
}

type Inventory = { all: { children: Record<string, { hosts: Record<string, unknown> }> } } & Record<string, unknown>;

describe.skipIf(!hasPyYaml)('YAML encoder: arbitrary Unicode round-trips through PyYAML (YAML 1.1)', () => {
  it('yamlString / yamlKey / yamlCommentText: exact value, printable ASCII, nothing else parsed', () => {
    const samples = fc.sample(hostileString, { numRuns: 3000, seed: 16 });
    samples.push(...NASTY, EVIL_NAME, '');
    const docs = samples.map((s) => {
      const enc = yamlString(s);
      expect(enc).toMatch(/^[\x20-\x7e]*$/);
      return `# comment ${yamlCommentText(s)}\nvalue: ${enc}\nlist:\n  - ${enc}\n${yamlKey(s || 'k')}: 1\n`;
    });
    const parsed = pyYamlLoadAll(docs) as Record<string, unknown>[];
    parsed.forEach((p, i) => {
      const s = samples[i]!;
      expect(Object.keys(p).sort(), JSON.stringify(s)).toEqual([...new Set(['value', 'list', s || 'k'])].sort());
      expect(p.value, JSON.stringify(s)).toBe(s);
      expect(p.list).toEqual([s]);
    });
  });

  it('JSON.stringify, the old encoder, is not safe for a YAML 1.1 reader (why this exists)', () => {
    const [p] = pyYamlLoadAll([`# site ${JSON.stringify('a\u2028b: 1\u2028#')}\nk: 1\n`]) as Record<string, unknown>[];
    expect(Object.keys(p!)).toContain('b');
  });
});

describe('hostile site name in the Ansible export', () => {
  it('validate refuses it with a finding naming the field', async () => {
    const text = exampleText('lab-snat').replace(/^name: .*$/m, `name: ${JSON.stringify(EVIL_NAME)}`);
    const r = await answersQuickly(() => validateSiteYaml(text));
    expect(r.ok).toBe(false);
    const f = r.findings.find((x) => x.rule === 'text-invalid');
    expect(f).toMatchObject({ path: 'name', severity: 'error' });
    expect(f!.message).toMatch(/^name: .*U\+2028/);
    expect(f!.message).toMatch(/^[\x20-\x7e]*$/);
  });

  it.each(['\u2028', '\u2029', '\u0085', '\u001b]0;x\u0007', '\r', '\u202e', '\u0000'])(
    'validate refuses %j in the name and in services',
    (c) => {
      const text = exampleText('lab-snat').replace(/^name: .*$/m, `name: ${JSON.stringify(`a${c}b`)}`);
      expect(
        validateSiteYaml(text)
          .findings.filter((f) => f.rule === 'text-invalid')
          .map((f) => f.path),
      ).toEqual(['name']);
      const svc = validateSiteYaml(
        exampleText('lab-snat').replace(/^services: .*$/m, `services: [${JSON.stringify(`x${c}`)}]`),
      ).findings.filter((f) => f.rule === 'text-invalid');
      expect(svc.map((f) => f.path)).toEqual(['services[0]']);
    },
  );

  it('ordinary names in any script still pass (é, CJK, emoji)', () => {
    for (const name of ['Dépôt Zürich', '東京 印刷', 'Print 🖨 HA', 'A "quoted" name: with # and {braces}'])
      expect(
        validateSiteYaml(exampleText('lab-snat').replace(/^name: .*$/m, `name: ${stringify(name).trim()}`)).findings.filter(
          (f) => f.rule === 'text-invalid',
        ),
      ).toEqual([]);
  });

  it.skipIf(!hasPyYaml)("the export (even past validation) has exactly the site's own hosts and groups for PyYAML", () => {
    const ownHosts = pyYamlLoadAll([inventoryOf(example('lab-snat'))]) as Inventory[];
    for (const name of [
      EVIL_NAME,
      EVIL_NAME.replace(/\u2028/g, '\u2029'),
      EVIL_NAME.replace(/\u2028/g, '\u0085'),
      EVIL_NAME.replace(/\u2028/g, '\r'),
    ]) {
      const files = ansibleExport(resolveSite(hostileSite(name)));
      const yamls = files.filter((f) => f.path.endsWith('.yml'));
      for (const f of yamls) expect(f.content, f.path).toMatch(/^[\x20-\x7e\n]*$/);
      const [inv] = pyYamlLoadAll([inventoryOf(hostileSite(name))]) as Inventory[];
      expect(Object.keys(inv!)).toEqual(['all']);
      expect(inv).toEqual(ownHosts[0]);
      const plays = pyYamlLoadAll(yamls.filter((f) => f.path !== 'inventory.yml').map((f) => f.content)) as { name?: string }[][];
      for (const p of plays) for (const play of p) if (play.name?.includes('Phoenix')) expect(play.name.endsWith(name)).toBe(true);
    }
  });

  it.skipIf(!hasAnsibleInventory)(
    "ansible-inventory --list shows exactly the site's own hosts",
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'printha-sec-ansible-'));
      for (const f of ansibleExport(resolveSite(hostileSite(EVIL_NAME)))) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
      }
      const out = execFileSync('ansible-inventory', ['-i', join(dir, 'inventory.yml'), '--list'], {
        encoding: 'utf8',
        env: { ...process.env, ANSIBLE_LOCAL_TEMP: join(dir, '.tmp'), ANSIBLE_HOME: join(dir, '.ansible') },
      });
      const inv = JSON.parse(out) as { _meta: { hostvars: Record<string, Record<string, unknown>> }; all: { children: string[] } };
      expect(Object.keys(inv._meta.hostvars).sort()).toEqual(['PS1', 'PS2', 'pha-lb1', 'pha-lb2']);
      expect(inv.all.children.filter((c) => c !== 'ungrouped').sort()).toEqual(['printha_balancers', 'printha_windows']);
      expect(out).not.toContain('ProxyCommand');
    },
    60_000,
  );

  it('Jinja markers in the name are still refused with a one-line message', () => {
    expect(() => ansibleExport(resolveSite(hostileSite('x {{ lookup("pipe","id") }}\u2028')))).toThrow(
      /^"x \{\{ lookup.*\\u2028" contains Jinja template markers/,
    );
  });
});
