import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadValidator } from '../../renderer/src/lib/validate.js';
import { parse as parseYaml } from 'yaml';
import { highlightLine } from '../../renderer/src/lib/highlight.js';
import { fieldId, getIn, parsePath, setIn } from '../../renderer/src/lib/path.js';
import { DRAFT_KEY, newDraft, useSite } from '../../renderer/src/stores/site.js';
import { blockingErrors, useWizard } from '../../renderer/src/stores/wizard.js';
import { stepForPath } from '../../renderer/src/steps.js';
import { exampleText } from '../support/fake-core.js';

beforeAll(async () => {
  await loadValidator();
});

beforeEach(() => {
  useSite.setState({ draft: undefined, findings: [], touched: {}, recent: [] });
  useWizard.setState({ step: 'start', attempted: {} });
});

describe('paths', () => {
  it('parse, get and set like findings name fields', () => {
    expect(parsePath('servers[1].address')).toEqual(['servers', 1, 'address']);
    expect(parsePath('overrides.sec-workflow.ports[0]')).toEqual(['overrides', 'sec-workflow', 'ports', 0]);
    const d = setIn({ servers: [{ label: 'PS1' }] }, 'servers[1].address', '10.0.0.2');
    expect(d).toEqual({ servers: [{ label: 'PS1' }, { address: '10.0.0.2' }] });
    expect(getIn(d, 'servers[1].address')).toBe('10.0.0.2');
    // clearing the last field of an optional section removes the section
    expect(setIn({ a: 1, dns: { server: '1.1.1.1' } }, 'dns.server', undefined)).toEqual({ a: 1 });
    expect(fieldId('servers[1].address')).toBe('f-servers-1-address');
  });
  it('owns each finding path to a step', () => {
    expect(stepForPath('servers[0].address')).toBe('servers');
    expect(stepForPath('balancer.platform')).toBe('mode');
    expect(stepForPath('balancer.primary.address')).toBe('balancer');
    expect(stepForPath('shareName')).toBe('network');
    expect(stepForPath('')).toBe('preflight');
  });
});

describe('site store', () => {
  it('validates as you type with the CLI rules and persists only the site', () => {
    useSite.getState().replace(newDraft());
    useSite.getState().setField('vip', '10.99.0.300');
    const vipErr = useSite.getState().findings.find((f) => f.path === 'vip');
    expect(vipErr?.rule).toBe('ip-invalid');
    expect(useSite.getState().touched.vip).toBe(true);
    useSite.getState().setField('vip', '10.99.0.10');
    expect(useSite.getState().findings.some((f) => f.path === 'vip')).toBe(false);
    const stored = JSON.parse(localStorage.getItem(DRAFT_KEY)!);
    expect(stored.vip).toBe('10.99.0.10');
    expect(Object.keys(localStorage)).toEqual([DRAFT_KEY]);
  });

  it('a complete example validates clean; servers can be added and removed', () => {
    useSite.getState().replace(parseYaml(exampleText('lab-snat')));
    expect(useSite.getState().findings.filter((f) => f.severity === 'error')).toEqual([]);
    useSite.getState().addServer();
    expect((useSite.getState().draft!.servers as unknown[]).length).toBe(3);
    expect(useSite.getState().findings.some((f) => f.path === 'servers[2].address')).toBe(true);
    useSite.getState().removeServer(2);
    expect((useSite.getState().draft!.servers as unknown[]).length).toBe(2);
  });

  it('remembers recent sites by name, newest first, at most five', () => {
    for (let i = 0; i < 7; i++) {
      useSite.getState().replace({ ...newDraft(), name: `Site ${i}` });
      useSite.getState().remember();
    }
    expect(useSite.getState().recent.map((r) => r.name)).toEqual(['Site 6', 'Site 5', 'Site 4', 'Site 3', 'Site 2']);
  });
});

describe('wizard store', () => {
  it('Next is blocked by errors of the current step only, and shows them all', () => {
    useSite.getState().replace({ ...newDraft(), name: 'x', vip: 'bad', shareName: 'DispatcherPhoenix01' });
    useWizard.setState({ step: 'product' });
    expect(useWizard.getState().next()).toEqual({ ok: true });
    expect(useWizard.getState().step).toBe('mode');
    useWizard.getState().next();
    expect(useWizard.getState().step).toBe('network');
    const r = useWizard.getState().next();
    expect(r).toEqual({ ok: false, field: expect.stringMatching(/^(vip|shareName)$/) });
    expect(useWizard.getState().step).toBe('network');
    expect(useWizard.getState().attempted.network).toBe(true);
    expect(
      blockingErrors('network')
        .map((e) => e.path)
        .sort(),
    ).toEqual(['shareName', 'vip']);
  });
});

describe('highlighter', () => {
  it('marks comments, strings, numbers, keywords and variables', () => {
    const kinds = (line: string, lang: string) => highlightLine(line, lang).map((t) => `${t.kind}:${t.text}`);
    expect(kinds('  bind 10.0.0.1:445 # vip', 'haproxy')).toEqual([
      'text:  ',
      'keyword:bind',
      'text: ',
      'number:10.0.0.1',
      'text::',
      'number:445',
      'text: ',
      'comment:# vip',
    ]);
    expect(kinds("Set-ItemProperty -Path $key -Value 'x'", 'powershell')).toEqual([
      'keyword:Set-ItemProperty',
      'text: -Path ',
      'variable:$key',
      'text: -Value ',
      "string:'x'",
    ]);
    expect(kinds('+added', 'diff')).toEqual(['add:+added']);
    expect(highlightLine('', 'sh')).toEqual([]);
  });
});
