/** `printha --version`, `printha --help` and every verb's help: the Credentials section, and where plan.json comes from. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_HELP, NO_CREDENTIALS_HELP, UI_CREDENTIALS_HELP } from '../../../electron/cli/help.js';
import { main } from '../../../electron/cli/main.js';
import { COMMANDS } from '../../../electron/cli/registry.js';
import type { CliIO } from '../../../electron/cli/types.js';

const ROOT = join(import.meta.dirname, '../../..');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd: ROOT };
  const code = await main(argv, io);
  return { code, out, err };
}

const HOST_VERBS = ['discover', 'plan', 'apply', 'verify'];

describe('printha --version', () => {
  it('prints the package version and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`printha ${pkg.version} (Node.js ${process.version})\n`);
      expect(r.err).toBe('');
    }
  });
});

describe('printha --help', () => {
  it('lists every verb, the version flag and a Credentials section naming every credential variable', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toContain(`  ${c.name} `);
    expect(r.out).toContain('printha --version');
    expect(r.out).toContain('Credentials (never on the command line, never in the site file):');
    for (const v of [
      'PRINTHA_SSH_KEY=',
      'SSH agent',
      'PRINTHA_SSH_PASSWORD',
      'PRINTHA_SSH_KEY_PASSPHRASE',
      'PRINTHA_WINDOWS_PASSWORD',
      'hidden prompt',
    ])
      expect(r.out).toContain(v);
    expect(r.out).toMatch(/README\.md, "Environment variables"/);
  });

  it('without a verb still shows the help, with exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('Credentials');
  });
});

describe('printha <verb> --help', () => {
  it('every verb prints its usage, summary and a Credentials line, with exit 0 (also as `help <verb>` and -h)', async () => {
    for (const c of COMMANDS) {
      for (const argv of [
        [c.name, '--help'],
        [c.name, '-h'],
        ['help', c.name],
      ]) {
        const r = await run(argv);
        expect(r.code, argv.join(' ')).toBe(0);
        expect(r.out).toContain(`Usage: ${c.usage}`);
        expect(r.out).toContain(c.summary);
        expect(r.out).toMatch(/^Credentials/m);
      }
    }
  });

  it('the verbs that contact hosts say how each credential is passed; the others that they need none', async () => {
    for (const c of COMMANDS) {
      const r = await run([c.name, '--help']);
      if (HOST_VERBS.includes(c.name)) {
        expect(r.out, c.name).toContain(CREDENTIALS_HELP);
        expect(r.out).toContain('--accept-host-key SHA256:');
        expect(r.out).toContain('--only balancer|servers');
      } else if (c.name === 'ui') expect(r.out).toContain(UI_CREDENTIALS_HELP);
      else expect(r.out, c.name).toContain(NO_CREDENTIALS_HELP);
    }
  });

  it('runbook says how to make plan.json and report.json', async () => {
    const r = await run(['runbook', '--help']);
    expect(r.out).toContain('--plan plan.json');
    expect(r.out).toContain('printha plan <site.yaml> --json > plan.json');
    expect(r.out).toContain('printha verify <site.yaml> --json > report.json');
    expect(r.out).toContain('PRINTHA_CHROMIUM');
  });

  it('plan --help says its --json output is what runbook --plan takes; apply names the reboot timeout', async () => {
    expect((await run(['plan', '--help'])).out).toContain('--json > plan.json');
    const apply = (await run(['apply', '--help'])).out;
    expect(apply).toContain('PRINTHA_REBOOT_TIMEOUT_S');
    expect(apply).toMatch(/default 1200, 30-7200/);
  });

  it('ui --help names the stable default port and --port 0', async () => {
    const r = await run(['ui', '--help']);
    expect(r.out).toContain('default 29100');
    expect(r.out).toContain('--port 0');
  });
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Environment variables'));

  it('documents every PRINTHA_ variable the code names, in its Environment variables section', () => {
    expect(readme).toContain('### Environment variables');
    // Names in the code that are not environment variables PrintHA reads (a heredoc marker, a comment).
    const notRead = new Set(['PRINTHA_CHECK_EOF', 'PRINTHA_BRIDGE_TOKEN']);
    const files = ['electron', 'shared'].flatMap((d) => listTs(join(ROOT, d)));
    const names = new Set(files.flatMap((f) => readFileSync(f, 'utf8').match(/PRINTHA_[A-Z0-9_]+/g) ?? []));
    names.add('PRINTHA_UI_PORT');
    for (const n of names) if (!notRead.has(n)) expect(section, n).toContain(`\`${n}\``);
    expect(section).toMatch(
      /`PRINTHA_REBOOT_TIMEOUT_S` \| seconds one print server may take to come back after its restart.*30\.\.7200.*\| 1200 \|/,
    );
  });
});

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listTs(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}
