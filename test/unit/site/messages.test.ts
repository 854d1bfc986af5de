/**
 * Schema findings in words (issue 17 item 6): every zod issue kind becomes a message that names the
 * value and what is wrong, then the field and what it takes; never the validator's text, never a
 * file the user does not have. And every field of the schema has its words in shared/site/fields.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Finding } from '../../../shared/rules/finding.js';
import { validateSiteData, validateSiteYaml } from '../../../shared/rules/index.js';
import { FIELDS, fieldInfo, fieldKey } from '../../../shared/site/fields.js';
import { loadSiteYaml, parseSiteData, showValue } from '../../../shared/site/load.js';
import { SiteSchema } from '../../../shared/site/schema.js';

const ROOT = join(import.meta.dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write arbitrary (wrong) values anywhere in the site data
type Data = Record<string, any>;
const base = () => parse(readFileSync(join(ROOT, 'examples/phoenix-dr.yaml'), 'utf8')) as Data;
const RAW = /Invalid input|Invalid option|Invalid key|Too small|Too big|expected (string|number|int|boolean|array|object)|received|>=|<=|DESIGN\.md|as the message says/;

function one(edit: (d: Data) => void, path: string): Finding {
  const d = base();
  edit(d);
  const r = parseSiteData(d);
  const f = r.findings.filter((x) => x.path === path);
  expect(f, JSON.stringify(r.findings)).toHaveLength(1);
  expect(f[0]!.message).not.toMatch(RAW);
  expect(f[0]!.fix).not.toMatch(RAW);
  return f[0]!;
}

describe('schema messages', () => {
  it.each<[string, (d: Data) => void, string, string, RegExp]>([
    ['a word for a number (invalid_type)', (d) => (d.balancer.primary.port = '2z2'), 'balancer.primary.port', "'2z2' is not a number: the primary balancer's SSH port is a whole number 1–65535.", /digits only.*port: 22/],
    ['a letter O in a weight', (d) => (d.servers[0].weight = '1OO'), 'servers[0].weight', "'1OO' is not a number: the server's weight is a whole number 0–256 (0 drains it).", /digits only.*weight: 100/],
    ['a number in quotes', (d) => (d.servers[0].weight = '100'), 'servers[0].weight', "'100' is quoted text, not a number: the server's weight is a whole number 0–256 (0 drains it).", /without quotes/],
    ['a fraction (int)', (d) => (d.servers[0].weight = 1.5), 'servers[0].weight', "1.5 is not a whole number: the server's weight is a whole number 0–256 (0 drains it).", /digits only/],
    ['an empty value (null)', (d) => (d.balancer.primary.port = null), 'balancer.primary.port', "balancer.primary.port is empty: the primary balancer's SSH port is a whole number 1–65535.", /digits only/],
    ['a number for text', (d) => (d.name = 123), 'name', '123 is a number, not text: the site name is text of 1–200 characters.', /quotes \(name: "123"\)/],
    ['yes for a boolean', (d) => (d.windows.skipCertificateCheck = 'yes'), 'windows.skipCertificateCheck', "'yes' is not true or false: skipCertificateCheck is true or false.", /true or false/],
    ['text for a mapping', (d) => (d.network = '24'), 'network', "'24' is not a mapping (key: value lines): network is a mapping with prefixLength.", /prefixLength: 24/],
    ['a list for a number', (d) => (d.servers[0].weight = [1]), 'servers[0].weight', "servers[0].weight is a list, not a number: the server's weight is a whole number 0–256 (0 drains it).", /digits only/],
    ['an empty site name (too_small)', (d) => (d.name = ''), 'name', 'name is empty: the site name is text of 1–200 characters.', /Set name to text of 1–200 characters/],
    ['a long site name (too_big)', (d) => (d.name = 'x'.repeat(201)), 'name', `'${'x'.repeat(40)}...' is too long (201 characters): the site name is text of 1–200 characters.`, /1–200/],
    ['a weight over 256 (too_big)', (d) => (d.servers[0].weight = 300), 'servers[0].weight', "300 is too large: the server's weight is a whole number 0–256 (0 drains it).", /for example 100/],
    ['a prefix over 128 (too_big)', (d) => (d.network.prefixLength = 200), 'network.prefixLength', '200 is too large: the subnet prefix length is a whole number 0–32 for an IPv4 VIP (0–128 for IPv6).', /for example 24/],
    ['fall 0 (too_small)', (d) => (d.overrides = { 'print-server': { fall: 0 } }), 'overrides.print-server.fall', '0 is too small: fall (failed checks before a server of service "print-server" is marked down) is a whole number 1–100.', /for example 3/],
    ['no servers (array too_small)', (d) => (d.servers = []), 'servers', 'servers is an empty list: a site needs at least one print server (label and address).', /label: PS1/],
    ['an unknown profile (invalid_value)', (d) => (d.profile = 'phoenix'), 'profile', "'phoenix' is not a valid choice: the product profile is one of dispatcher-phoenix, dispatcher-paragon, print-server.", /dispatcher-phoenix/],
    ['version 2 (literal)', (d) => (d.version = 2), 'version', '2 is not a valid choice: the site file version is the number 1.', /version to the number 1/],
    ['a bad interface (invalid_format)', (d) => (d.balancer.primary.interface = 'eth 0'), 'balancer.primary.interface', "'eth 0' is not valid: the primary balancer's interface for the VIP is 1–15 letters, digits, \"_\", \"-\" or \".\".", /eth0/],
    ['true as a port (invalid_union)', (d) => (d.overrides = { 'print-server': { ports: [true] } }), 'overrides.print-server.ports[0]', 'true is not valid: a port of service "print-server" is a port 1–65535 or a "first-last" range.', /5011-5025/],
    ['an empty override key (invalid_key)', (d) => (d.overrides = { '': { fall: 2 } }), 'overrides.', "The key '' in overrides is not valid: a key of overrides is a service id of the product profile (1–64 characters).", /Rename the key.*print-server/],
    ['a missing field', (d) => delete d.vip, 'vip', 'Required field "vip" is missing: the VIP is an IPv4 or IPv6 address.', /Add vip \(for example vip: 192\.168\.81\.10\)/],
  ])('%s', (_, edit, path, message, fix) => {
    const f = one(edit, path);
    expect(f.message).toBe(message);
    expect(f.fix).toMatch(fix);
    expect(f.rule).toBe('schema-invalid');
  });

  it('our own refinements keep their sentences; a bad single port gets a fix for a port, not a range', () => {
    const f = one((d) => (d.windows.port = 0), 'windows.port');
    expect(f.rule).toBe('port-invalid');
    expect(f.message).toBe('0 is not a TCP port (1-65535)');
    expect(f.fix).toMatch(/^Set windows\.port to a whole number 1–65535/);
    expect(one((d) => (d.vip = '1.2.3'), 'vip').message).toBe('"1.2.3" is not an IPv4 or IPv6 address');
    const key = one((d) => (d.overrides = { 'a\u001bb': { fall: 2 } }), 'overrides.a\u001bb');
    expect(key.rule).toBe('text-invalid');
    expect(key.message).toMatch(/U\+001B \(ESC\)/);
  });

  it('the YAML path: the same words, with the line of the value', () => {
    const text = readFileSync(join(ROOT, 'examples/phoenix-dr.yaml'), 'utf8').replace('primary: { address: 192.168.81.20, port: 22', 'primary: { address: 192.168.81.20, port: 2z2');
    const r = loadSiteYaml(text);
    const f = r.findings.find((x) => x.path === 'balancer.primary.port')!;
    expect(f.message).toBe("'2z2' is not a number: the primary balancer's SSH port is a whole number 1–65535.");
    expect(f.line).toBe(18);
  });

  it('values are shown short and without control characters', () => {
    expect(showValue('a\u001b[31mb')).toBe("'a?[31mb'");
    expect(showValue('x'.repeat(50))).toBe(`'${'x'.repeat(40)}...'`);
    expect(showValue(null)).toBe('empty');
    expect(showValue({})).toBe('a mapping');
    expect(showValue([])).toBe('a list');
    expect(showValue(7)).toBe('7');
  });

  it('no schema finding of a mangled example carries validator text or names a file the user does not have', () => {
    const junk: unknown[] = [null, '', 'x', -1, 0, 1.5, 70000, true, [], {}, ['x'], 'x'.repeat(300)];
    const paths = Object.keys(FIELDS).filter((k) => k && !k.includes('*') && !k.includes('[]'));
    for (const key of paths)
      for (const v of junk) {
        const d = base();
        const parts = key.split('.');
        let o = d;
        for (const p of parts.slice(0, -1)) o = (o[p] ??= {});
        o[parts[parts.length - 1]!] = v;
        for (const f of parseSiteData(d).findings) {
          expect(f.message, `${key} = ${JSON.stringify(v)}`).not.toMatch(RAW);
          expect(f.fix, `${key} = ${JSON.stringify(v)}`).not.toMatch(RAW);
        }
      }
  });
});

type Def = { type: string; [k: string]: unknown };
const def = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
function unwrap(s: unknown): unknown {
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (['optional', 'default', 'nullable', 'prefault'].includes(d.type)) cur = d.innerType;
    else if (d.type === 'pipe') cur = d.in;
    else return cur;
  }
}
/** Every field path of the schema (lists as [], the overrides record as *). */
function schemaPaths(s: unknown, path: (string | number)[] = []): string[] {
  const u = unwrap(s);
  const d = def(u);
  const here = fieldKey(path);
  if (d.type === 'object') return [here, ...Object.entries(d.shape as Record<string, unknown>).flatMap(([k, v]) => schemaPaths(v, [...path, k]))];
  if (d.type === 'array') return [here, ...schemaPaths(d.element, [...path, 0])];
  if (d.type === 'record') return [here, ...schemaPaths(d.valueType, [...path, 'svc'])];
  return [here];
}

describe('shared/site/fields.ts', () => {
  it('describes every field of the schema, and nothing else', () => {
    const paths = schemaPaths(SiteSchema);
    expect(paths.filter((p) => !FIELDS[p])).toEqual([]);
    expect(Object.keys(FIELDS).filter((k) => !paths.includes(k))).toEqual([]);
  });
  it('fills the service name into override labels', () => {
    expect(fieldInfo(['overrides', 'smtp', 'checkPort'])?.label).toBe('the health-check port of service "smtp"');
    expect(fieldKey(['servers', 3, 'weight'])).toBe('servers[].weight');
    expect(fieldInfo(['nope'])).toBeUndefined();
  });
});

describe('partial checks (schema still failing)', () => {
  it('prefix length 33 and a VIP equal to a server are reported while other fields are missing', () => {
    const d = base();
    delete d.windows;
    d.network.prefixLength = 33;
    d.vip = '192.168.81.185';
    const r = validateSiteData(d);
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['schema-invalid', 'prefix-length-invalid', 'vip-address-clash']));
    expect(r.findings.find((f) => f.rule === 'vip-address-clash')).toMatchObject({ path: 'vip', also: ['servers[1].address'] });
  });
  it('the CLI sees them too, and a field the schema refuses is not used by them', () => {
    const text = readFileSync(join(ROOT, 'examples/phoenix-dr.yaml'), 'utf8').replace('prefixLength: 24', 'prefixLength: 33').replace('transport: winrm', 'transport: telnet');
    expect(validateSiteYaml(text).findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['schema-invalid', 'prefix-length-invalid']));
    const bad = base();
    bad.vip = '192.168.81.300';
    bad.network.prefixLength = 33;
    delete bad.windows;
    expect(validateSiteData(bad).findings.map((f) => f.rule)).not.toContain('prefix-length-invalid');
  });
  it('two servers with one address, before the last step is complete', () => {
    const d = base();
    delete d.windows;
    d.servers[1].address = d.servers[0].address;
    expect(validateSiteData(d).findings.find((f) => f.rule === 'duplicate-address')?.path).toBe('servers[1].address');
  });
  it('nothing more once the site is schema-valid (the rules run instead, no duplicates)', () => {
    const d = base();
    d.network.prefixLength = 33;
    const r = validateSiteData(d);
    expect(r.findings.filter((f) => f.rule === 'prefix-length-invalid')).toHaveLength(1);
  });
});
