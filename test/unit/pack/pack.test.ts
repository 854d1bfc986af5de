/**
 * The offline script pack: its contents per platform, README commands that name files in the pack
 * with the parameters printha-run.ps1 takes, manifest hashes, and every PowerShell script passing the
 * PowerShell 3.0 lint with zero parse errors, and pwsh's own parser.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPack } from '../../../electron/core/pack/pack.js';
import { unzipFiles } from '../../../electron/core/pack/zip.js';
import { lintPs3, pwshParse } from '../../../electron/core/powershell/ps3lint.js';
import { requirePwsh } from '../../support/pwsh.js';
import { RUNNER_NAME, RUNNER_SCRIPT } from '../../../shared/pack/wrapper.js';
import { EXAMPLES, example, exampleText } from '../runbook/fixtures.js';

const pwsh = requirePwsh();

function pack(name: string) {
  const built = buildPack(example(name), { siteText: exampleText(name), siteFile: `${name}.yaml`, env: {}, generatedAt: '2026-05-01T00:00:00Z', mtime: new Date(2026, 4, 1) });
  const entries = unzipFiles(built.zip);
  const text = (p: string) => {
    const e = entries.find((x) => x.path === p);
    if (!e) throw new Error(`${p} is not in the pack of ${name}: ${entries.map((x) => x.path).join(' ')}`);
    return e.data.toString('utf8');
  };
  return { built, entries, text, paths: entries.map((e) => e.path) };
}

describe('script pack contents', () => {
  for (const name of EXAMPLES)
    it(`${name}: scripts, balancer files, README, results/, site file and manifest`, () => {
      const site = example(name);
      const p = pack(name);
      expect(p.paths).toEqual(expect.arrayContaining(['README.md', RUNNER_NAME, 'results/', 'results/README.txt', `${name}.yaml`, 'manifest.json', 'dns/record.ps1']));
      for (const s of site.servers) expect(p.paths).toEqual(expect.arrayContaining([`servers/${s.label}/prepare.ps1`, `servers/${s.label}/verify.ps1`]));
      const pf = site.balancer.platform;
      const balancer = p.paths.filter((x) => x.startsWith('balancer/'));
      if (pf === 'linux-haproxy') expect(balancer).toEqual(expect.arrayContaining(site.mode === 'snat' ? ['balancer/haproxy.cfg', `balancer/keepalived-${site.balancer.primary.name ?? 'lb1'}.conf`] : [`balancer/keepalived-${site.balancer.primary.name ?? 'lb1'}.conf`]));
      if (pf === 'loadbalancer-org') expect(balancer).toContain('balancer/lbcli.sh');
      expect(p.text(`${name}.yaml`)).toBe(exampleText(name));
      // manifest: every file with the sha256 of its bytes in the zip
      const m = JSON.parse(p.text('manifest.json')) as { files: { path: string; sha256: string; bytes: number }[] };
      const files = p.entries.filter((e) => !e.isDirectory && e.path !== 'manifest.json');
      expect(m.files.map((f) => f.path).sort()).toEqual(files.map((f) => f.path).sort());
      for (const f of files) expect(m.files.find((x) => x.path === f.path)!.sha256).toBe(createHash('sha256').update(f.data).digest('hex'));
      // shell scripts stay executable
      for (const e of p.entries) if (e.path.endsWith('.sh')) expect(e.mode).toBe(0o755);
    });

  it('README: the steps in order, each with the exact command naming a file in the pack', () => {
    const p = pack('lab-snat');
    const readme = p.text('README.md');
    expect(readme).toContain('\r\n'); // Notepad on Server 2012
    const order = ['1. Before you start', '2. Check each server', '3. Prepare each server', '4. Reboot, one server at a time', '5. Balancer', '6. DNS record', '7. Verify each server', '8. Test from a client', '9. Bring the results back', 'Sign-off'];
    let at = -1;
    for (const h of order) {
      const i = readme.indexOf(`## ${h}`);
      expect(i, h).toBeGreaterThan(at);
      at = i;
    }
    const cmds = [...readme.matchAll(/powershell\.exe -NoProfile -ExecutionPolicy Bypass -File \.\\printha-run\.ps1 -Script \.\\(\S+) -ResultPath \.\\results\\(\S+\.json)( -DryRun)?/g)];
    expect(cmds.length).toBe(2 + 4 + 1 + 2); // verify-before x2, prepare (dry run + real) x2, dns, verify x2
    for (const c of cmds) expect(p.paths).toContain(c[1]!.replace(/\\/g, '/'));
    expect(readme).toContain('-Script .\\servers\\PS1\\prepare.ps1 -ResultPath .\\results\\PS1-prepare.json\r\n');
    // the runner takes exactly these parameters
    expect(RUNNER_SCRIPT).toMatch(/param\(\s*\[Parameter\(Mandatory = \$true\)\]\s*\[string\]\$Script,\s*\[Parameter\(Mandatory = \$true\)\]\s*\[string\]\$ResultPath,\s*\[switch\]\$DryRun\s*\)/);
    // the envelope printha-run.ps1 writes has the fields `printha import` reads (pwsh cannot run here)
    for (const k of ['\'{"kind":"printha.result","version":1\'', '\',"script":\'', '\',"folder":\'', '\',"computerName":\'', '\',"startedAt":\'', '\',"finishedAt":\'', '\',"durationMs":\'', '\',"dryRun":\'', '\',"result":\' + $phaJson + \'}\''])
      expect(RUNNER_SCRIPT).toContain(k);
    // balancer: secondary first, validate before install, reload after
    const lb2 = readme.indexOf('### pha-lb2 (secondary');
    const lb1 = readme.indexOf('### pha-lb1 (primary');
    expect(lb2).toBeGreaterThan(0);
    expect(lb1).toBeGreaterThan(lb2);
    const node = readme.slice(lb2, lb1);
    expect(node.indexOf('haproxy -c -f haproxy.cfg')).toBeLessThan(node.indexOf('install -D -o root -g root -m 0644 haproxy.cfg /etc/haproxy/haproxy.cfg'));
    expect(node.indexOf('keepalived -t -f keepalived-pha-lb2.conf')).toBeLessThan(node.indexOf('systemctl reload keepalived'));
    expect(node).toContain('scp -P 22 balancer/99-printha.conf balancer/haproxy.cfg balancer/keepalived-pha-lb2.conf root@10.99.0.12:/root/printha-pack/');
    expect(readme).toContain('import lab-snat.yaml results/');
  });

  it('README of a site without a DNS server: the record is a manual step', () => {
    const site = example('phoenix-snat');
    delete (site as { dns?: unknown }).dns;
    const built = buildPack(site, { siteText: 'x', env: {} });
    const readme = unzipFiles(built.zip).find((e) => e.path === 'README.md')!.data.toString();
    expect(readme).toContain('MANUAL: create a DNS host (A) record "Dispatcher"');
    expect(readme).not.toContain('-Script .\\dns\\record.ps1');
  });

  it('refuses to pack a password that is in the environment', () => {
    const site = example('lab-snat');
    expect(() => buildPack(site, { siteText: 'name: x # Hunter2-Pass', env: { PRINTHA_WINDOWS_PASSWORD: 'Hunter2-Pass' } })).toThrow(/password from the environment \(in site\.yaml\)/);
  });
});

describe('pack scripts pass the PowerShell 3.0 lint', () => {
  for (const name of ['lab-snat', 'phoenix-dr', 'paragon'])
    it(`${name}: every .ps1 in the pack has zero parse errors and zero PS 3.0 violations`, async () => {
      const p = pack(name);
      const scripts = p.entries.filter((e) => e.path.endsWith('.ps1'));
      expect(scripts.map((s) => s.path)).toContain(RUNNER_NAME);
      const problems: string[] = [];
      for (const s of scripts) {
        const r = await lintPs3(s.data.toString('utf8').replace(/^\uFEFF/, ''));
        for (const e of r.parseErrors) problems.push(`${s.path}:${e.line} parse: ${e.message}`);
        for (const v of r.violations) problems.push(`${s.path}:${v.line} ${v.rule}: ${v.message}`);
      }
      expect(problems).toEqual([]);
    });

  it('pwsh parses printha-run.ps1 without errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-ps-'));
    writeFileSync(join(dir, RUNNER_NAME), RUNNER_SCRIPT);
    expect(await pwshParse(join(dir, RUNNER_NAME), pwsh)).toEqual([]);
  });
});
