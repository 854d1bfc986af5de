/**
 * Issue 16 item 8 (output): validate echoed ESC/OSC, CR and bidi overrides and megabyte values to
 * the terminal; runbook.md carried the site name and imported texts unescaped; a wrong-typed field
 * was reported as missing; Chromium and pwsh inherited PRINTHA_* secrets.
 */
import { describe, expect, it } from 'vitest';
import { formatFindings } from '../../electron/cli/format.js';
import { childEnv } from '../../electron/core/runner/child-env.js';
import { resolveSite } from '../../shared/model/resolve.js';
import { terminalText } from '../../shared/quote/terminal.js';
import { validateSiteYaml } from '../../shared/rules/index.js';
import { buildRunbook } from '../../shared/runbook/build.js';
import { toHtml, toMarkdown } from '../../shared/runbook/doc.js';
import { example, exampleText } from '../unit/runbook/fixtures.js';
import { answersQuickly } from './helpers.js';

const HOSTILE = '\u001b]0;owned\u0007\u001b[2J\rFAKE OK\u202eevil\u2028x';

describe('terminal output', () => {
  it('validate output has no control, separator or bidi character and caps long values', async () => {
    const text = exampleText('lab-snat')
      .replace(/^name: .*$/m, `name: ${JSON.stringify(HOSTILE)}`)
      .replace(/^vip: .*$/m, `vip: ${'y'.repeat(100_000)}`);
    const r = await answersQuickly(() => validateSiteYaml(text));
    const out = formatFindings(r.findings, 'site.yaml');
    // eslint-disable-next-line no-control-regex -- looking for exactly these
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    for (const line of out.split('\n')) expect(line.length).toBeLessThan(700);
    expect(out).toContain('name: "\\u001b]0;owned');
  });

  it('terminalText keeps ordinary text, escapes the rest', () => {
    expect(terminalText('Dépôt 東京 🖨')).toBe('Dépôt 東京 🖨');
    expect(terminalText('a\u001bb\rc\u202ed\u0085')).toBe('a\\eb\\rc\\u{202e}d\\u{85}');
    expect(terminalText('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}... (490 more characters)`);
  });

  it.each([
    ['ssh port 2z2', '{ address: 10.99.0.11, name: pha-lb1,', '{ address: 10.99.0.11, port: 2z2, name: pha-lb1,', 'balancer.primary.port'],
    ['weight 1OO', '{ label: PS1, address: 10.99.0.21,', '{ label: PS1, weight: 1OO, address: 10.99.0.21,', 'servers[0].weight'],
  ])('a wrong-typed field (%s) names the value and what the field takes, never "missing"', (_, from, to, path) => {
    const r = validateSiteYaml(exampleText('lab-snat').replace(from, to));
    const f = r.findings.find((x) => x.path === path);
    const value = /: (\w+),/.exec(to.slice(to.indexOf(path.endsWith('port') ? 'port:' : 'weight:')))![1]!;
    expect(f?.message, JSON.stringify(r.findings.map((x) => x.message))).toMatch(new RegExp(`^'${value}' is not a number: the .+ is a whole number \\d+–\\d+`));
    expect(f!.message).not.toMatch(/missing|Invalid input|expected/);
    expect(f!.fix).toMatch(/digits only/);
  });
});

describe('runbook Markdown and HTML', () => {
  const site = { ...example('lab-snat'), name: '<img src=x onerror=alert(1)> **bold** `code` | cell\n# Heading [link](http://x) &amp;' };
  const doc = buildRunbook({
    resolved: resolveSite(site),
    findings: [],
    artifacts: [],
    journal: [
      { run: 'r1', t: '2026-05-01T10:00:00.000Z', kind: 'run-start', verb: 'import', message: 'x' },
      {
        run: 'r1',
        t: '2026-05-01T10:00:01.000Z',
        kind: 'step-end',
        host: 'PS1',
        step: 'prepare',
        title: '<script>alert(1)</script>',
        result: 'failed',
        message: '| a | b |\n## not a heading <b>x</b>',
      },
      { run: 'r1', t: '2026-05-01T10:00:02.000Z', kind: 'run-end', verb: 'import', result: 'failed', message: '<i>end</i>' },
    ],
    generatedAt: '2026-05-01T10:00:00.000Z',
  });

  it('Markdown: the site name and imported texts open no HTML, heading, table cell or link', () => {
    const md = toMarkdown(doc);
    expect(md).not.toMatch(/(?<!\\)<(img|script|b>|i>)/);
    expect(md.split('\n')[0], md.split('\n')[0]).toBe(
      '# PrintHA runbook: \\<img src=x onerror=alert(1)\\> \\*\\*bold\\*\\* \\`code\\` \\| cell\\[U+000A\\]\\# Heading \\[link\\](http://x) \\&amp;',
    );
    expect(md).not.toMatch(/^## not a heading/m);
    const row = md.split('\n').find((l) => l.includes('not a heading') && l.startsWith('| '))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(8);
  });

  it('HTML: the same texts are text, not markup', () => {
    const html = toHtml(doc);
    expect(html).not.toMatch(/<img|<script|<b>x|<i>end|<strong>bold/);
    expect(html).toContain(
      '<title>PrintHA runbook: &lt;img src=x onerror=alert(1)&gt; **bold** `code` | cell[U+000A]# Heading [link](http://x) &amp;amp;</title>',
    );
    expect(html).toContain('<h1>PrintHA runbook: &lt;img');
  });
});

describe('child environments', () => {
  it('childEnv drops PRINTHA_* secrets and keeps the rest', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/root',
      PRINTHA_WINDOWS_PASSWORD: 'w',
      PRINTHA_SSH_PASSWORD: 's',
      PRINTHA_SSH_KEY_PASSPHRASE: 'p',
      printha_bridge_token: 't',
      PRINTHA_API_SECRET: 'x',
      PRINTHA_SSH_KEY: '/k',
      PRINTHA_CHROMIUM: '/usr/bin/chromium',
      PRINTHA_STATE_DIR: '/s',
    };
    expect(childEnv(env)).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      PRINTHA_SSH_KEY: '/k',
      PRINTHA_CHROMIUM: '/usr/bin/chromium',
      PRINTHA_STATE_DIR: '/s',
    });
    expect(env.PRINTHA_WINDOWS_PASSWORD).toBe('w');
  });
});
