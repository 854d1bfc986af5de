/**
 * The CLI contract of DESIGN.md: exit codes, the JSON shape, output paths, and bad input giving
 * exit 1 with the rule id and the field path and no stack trace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.js';
import type { CliIO } from '../../../electron/cli/types.js';

const ROOT = join(import.meta.dirname, '../../..');
const DR = readFileSync(join(ROOT, 'examples/phoenix-dr.yaml'), 'utf8');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd: ROOT };
  const code = await main(argv, io);
  return { code, out, err };
}

function tmpSite(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'printha-cli-'));
  const f = join(dir, 'site.yaml');
  writeFileSync(f, text);
  return f;
}

const NO_STACK = /\n\s+at .+\(.*:\d+:\d+\)|TypeError|ReferenceError/;

describe('printha validate', () => {
  it('exits 0 on every example with JSON {ok, findings}', async () => {
    for (const ex of ['phoenix-dr', 'phoenix-snat', 'paragon', 'lab-snat', 'lab-lborg-snat', 'lab-lborg-dr', 'lab-paragon']) {
      const r = await run(['validate', join(ROOT, `examples/${ex}.yaml`), '--json']);
      const j = JSON.parse(r.out) as { ok: boolean; findings: { rule: string; severity: string; path: string; message: string; fix: string }[] };
      expect(r.code, `${ex}: ${r.out}`).toBe(0);
      expect(j.ok).toBe(true);
      for (const f of j.findings) {
        expect(Object.keys(f)).toEqual(expect.arrayContaining(['rule', 'severity', 'path', 'message', 'fix']));
        expect(['warning', 'info']).toContain(f.severity);
      }
    }
  });

  it('exits 2 for an unreadable file and for bad usage', async () => {
    expect((await run(['validate', '/nonexistent/site.yaml'])).code).toBe(2);
    expect((await run(['validate'])).code).toBe(2);
    expect((await run(['validate', 'a', '--bogus'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    // a scope that does not exist is refused before anything is read or contacted
    const scope = await run(['verify', 'examples/lab-snat.yaml', '--only', 'windows']);
    expect(scope.code).toBe(2);
    expect(scope.err).toMatch(/--only takes "balancer" or "servers", not "windows"/);
  });

  const bad: [string, (s: string) => string, string, string][] = [
    ['malformed YAML', (s) => s.replace('mode: dr', 'mode: [dr'), 'yaml-syntax', ''],
    ['unknown key', (s) => s.replace('shareName:', 'sharename:'), 'schema-unknown-key', 'sharename'],
    ['invalid IP', (s) => s.replace('192.168.81.185', '192.168.81.285'), 'ip-invalid', 'servers[1].address'],
    ['DR with a backend port', (s) => s + 'overrides:\n  sec-workflow: { backendPort: 8080 }\n', 'dr-port-translation', 'overrides.sec-workflow.backendPort'],
    ['445 in two services', (s) => s + 'overrides:\n  sec-workflow: { ports: [25, 445] }\n', 'port-445-printservers', 'overrides.sec-workflow.ports'],
    ['VIP equal to a server', (s) => s.replace('vip: 192.168.81.10', 'vip: 192.168.81.184'), 'vip-address-clash', 'vip'],
    ['duplicate label', (s) => s.replace('label: PS2', 'label: PS1'), 'duplicate-label', 'servers[1].label'],
    ['duplicate address', (s) => s.replace('address: 192.168.81.185', 'address: 192.168.81.184'), 'duplicate-address', 'servers[1].address'],
    ['label with shell metacharacters', (s) => s.replace('label: PS2', 'label: "PS2;reboot"'), 'label-invalid', 'servers[1].label'],
    ['share name over 15 characters', (s) => s.replace('shareName: Dispatcher', 'shareName: DispatcherPhoenix1'), 'sharename-netbios', 'shareName'],
    ['DR with the balancer outside the subnet', (s) => s.replace('address: 192.168.81.20,', 'address: 192.168.82.20,'), 'dr-balancer-subnet', 'balancer.primary.address'],
    ['DR with a server outside the subnet', (s) => s.replace('address: 192.168.81.185', 'address: 10.1.1.185'), 'dr-server-subnet', 'servers[1].address'],
  ];
  for (const [name, edit, rule, path] of bad) {
    it(`bad input: ${name} -> exit 1, ${rule} at "${path}", no stack trace`, async () => {
      const f = tmpSite(edit(DR));
      const r = await run(['validate', f, '--json']);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.out) as { ok: boolean; findings: { rule: string; path: string; severity: string }[] };
      expect(j.ok).toBe(false);
      const hit = j.findings.find((x) => x.rule === rule && x.severity === 'error');
      expect(hit, JSON.stringify(j.findings)).toBeDefined();
      expect(hit!.path).toBe(path);
      expect(r.out + r.err).not.toMatch(NO_STACK);
      // The human form names the rule and the field too.
      const h = await run(['validate', f]);
      expect(h.code).toBe(1);
      expect(h.out).toContain(`[${rule}]`);
      if (path) expect(h.out).toContain(path);
    });
  }

  it('bad input: Paragon affinity under 30 minutes -> exit 1 naming the override', async () => {
    const p = readFileSync(join(ROOT, 'examples/paragon.yaml'), 'utf8').replace('persistenceMinutes: 30', 'persistenceMinutes: 10');
    const r = await run(['validate', tmpSite(p), '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { findings: { rule: string; path: string }[] };
    expect(j.findings.some((x) => x.path === 'overrides.terminal.persistenceMinutes' && x.rule.includes('persistence'))).toBe(true);
  });
});

describe('printha render', () => {
  it('writes the DR file set and a manifest whose sha256 match', async () => {
    const out = mkdtempSync(join(tmpdir(), 'printha-render-'));
    const r = await run(['render', join(ROOT, 'examples/phoenix-dr.yaml'), '--out', out]);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    const paths = m.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['balancer/lbcli.sh', 'servers/PS1/prepare.ps1', 'servers/PS2/prepare.ps1', 'runbook.md']));
    for (const f of m.files) expect(createHash('sha256').update(readFileSync(join(out, f.path))).digest('hex')).toBe(f.sha256);
  });

  it('writes haproxy.cfg and keepalived-<node>.conf for linux-haproxy', async () => {
    const out = mkdtempSync(join(tmpdir(), 'printha-render-'));
    expect((await run(['render', join(ROOT, 'examples/lab-snat.yaml'), '--out', out])).code).toBe(0);
    for (const f of ['balancer/haproxy.cfg', 'balancer/keepalived-pha-lb1.conf', 'balancer/keepalived-pha-lb2.conf']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('writes tmsh.txt for f5-bigip and netscaler.conf for netscaler', async () => {
    for (const [pf, file] of [
      ['f5-bigip', 'balancer/tmsh.txt'],
      ['netscaler', 'balancer/netscaler.conf'],
    ] as const) {
      const out = mkdtempSync(join(tmpdir(), 'printha-render-'));
      const f = tmpSite(DR.replace('platform: loadbalancer-org', `platform: ${pf}`));
      expect((await run(['render', f, '--out', out])).code).toBe(0);
      expect(existsSync(join(out, file)), file).toBe(true);
    }
  });

  it('refuses (exit 1, nothing written) when validate has errors', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'printha-render-')), 'o');
    const r = await run(['render', tmpSite(DR.replace('vip: 192.168.81.10', 'vip: 192.168.81.184')), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('vip-address-clash');
    expect(existsSync(out)).toBe(false);
  });
});

describe('npm run --silent printha (real process)', () => {
  it('runs validate --json and prints only JSON on stdout', () => {
    const r = spawnSync('npm', ['run', '--silent', 'printha', '--', 'validate', 'examples/phoenix-dr.yaml', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(true);
  });
  it('exits 1 with no stack trace on a bad site', () => {
    const f = tmpSite(DR.replace('label: PS2', 'label: "PS2$(id)"'));
    const r = spawnSync('npm', ['run', '--silent', 'printha', '--', 'validate', f], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('label-invalid');
    expect(r.stdout + r.stderr).not.toMatch(NO_STACK);
  });
  it('is wired as the package script', () => {
    const pkg = JSON.parse(execFileSync('cat', [join(ROOT, 'package.json')], { encoding: 'utf8' })) as { name: string; scripts: Record<string, string> };
    expect(pkg.name).toBe('printha');
    expect(pkg.scripts.printha).toBeDefined();
  });
});
