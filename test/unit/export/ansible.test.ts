/**
 * `printha export ansible`: inventory (no secrets), balancer.yml (copy + validate + reload, serial 1,
 * secondary first), windows.yml (win_regedit x3 with the OptionalNames merge, prepare.ps1 through
 * win_shell, win_reboot, serial 1), and `ansible-playbook --syntax-check` on every example.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../../electron/cli/commands/export.js';
import type { CliIO } from '../../../electron/cli/types.js';
import { ansibleExport } from '../../../shared/export/ansible.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { EXAMPLES, ROOT, example } from '../runbook/fixtures.js';

const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
const collections = hasAnsible ? spawnSync('ansible-galaxy', ['collection', 'list', 'ansible.windows'], { encoding: 'utf8' }).stdout : '';
const hasWindowsCollection = /ansible\.windows\s+\d/.test(collections);
if (!hasAnsible) console.warn('[ansible] ansible-playbook is not installed: the syntax checks are skipped');
else if (!hasWindowsCollection) console.warn('[ansible] the ansible.windows collection is not installed (ansible-galaxy collection install ansible.windows): windows.yml cannot be syntax-checked, only balancer.yml is');

type Task = Record<string, unknown> & { name?: string };
type Play = { name: string; hosts: string; serial?: number; tasks: Task[]; handlers?: Task[]; vars_prompt?: { name: string; private: boolean }[]; vars?: Record<string, unknown> };

function files(name: string) {
  const out = ansibleExport(resolveSite(example(name)));
  const get = (p: string) => {
    const f = out.find((x) => x.path === p);
    if (!f) throw new Error(`${p} missing: ${out.map((x) => x.path).join(' ')}`);
    return f.content;
  };
  return { out, get };
}

function write(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `printha-ansible-${name}-`));
  for (const f of ansibleExport(resolveSite(example(name)))) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
  }
  return dir;
}

const SECRET_KEYS = /ansible_(ssh_)?pass(word)?|ansible_become_pass(word)?|private_key_file/;

describe('ansible export structure', () => {
  it('lab-snat: inventory with both groups, the secondary first, connection vars, no secrets', () => {
    const { get } = files('lab-snat');
    const inv = parse(get('inventory.yml')) as { all: { children: Record<string, { hosts: Record<string, Record<string, unknown>>; vars: Record<string, unknown> }> } };
    const lb = inv.all.children.printha_balancers!;
    expect(Object.keys(lb.hosts)).toEqual(['pha-lb2', 'pha-lb1']);
    expect(lb.hosts['pha-lb1']).toMatchObject({ ansible_host: '10.99.0.11', ansible_port: 22, ansible_user: 'root', printha_role: 'primary' });
    const win = inv.all.children.printha_windows!;
    expect(Object.keys(win.hosts)).toEqual(['PS1', 'PS2']);
    expect(win.vars).toMatchObject({ ansible_connection: 'ssh', ansible_shell_type: 'powershell', ansible_user: 'root', printha_share_name: 'Dispatcher' });
    expect(get('inventory.yml')).not.toMatch(SECRET_KEYS);
  });

  it('WinRM sites: winrm (5985/ntlm) or winrm-https (5986, certificate validated); the user kept exactly', () => {
    const inv = parse(files('paragon').get('inventory.yml')) as { all: { children: { printha_windows: { vars: Record<string, unknown> } } } };
    expect(inv.all.children.printha_windows.vars).toMatchObject({ ansible_connection: 'winrm', ansible_port: 5986, ansible_winrm_scheme: 'https', ansible_winrm_server_cert_validation: 'validate', ansible_user: 'CORP\\deploy' });
    const dr = parse(files('phoenix-dr').get('inventory.yml')) as { all: { children: { printha_windows: { vars: Record<string, unknown> } } } };
    expect(dr.all.children.printha_windows.vars).toMatchObject({ ansible_connection: 'winrm', ansible_port: 5985, ansible_winrm_transport: 'ntlm' });
  });

  it('balancer.yml (linux-haproxy): one node at a time, every file validated before it replaces the old one, reload handlers', () => {
    const { get, out } = files('lab-snat');
    const plays = parse(get('balancer.yml')) as Play[];
    const p = plays[0]!;
    expect(p.hosts).toBe('printha_balancers');
    expect(p.serial).toBe(1);
    const copies = p.tasks.filter((t) => t['ansible.builtin.copy']).map((t) => t['ansible.builtin.copy'] as Record<string, string | boolean>);
    expect(copies.find((c) => c.dest === '/etc/haproxy/haproxy.cfg')).toMatchObject({ src: 'balancer/haproxy.cfg', validate: 'haproxy -c -f %s', backup: true });
    expect(copies.find((c) => c.dest === '/etc/keepalived/keepalived.conf')).toMatchObject({ src: 'balancer/keepalived-{{ inventory_hostname }}.conf', validate: 'keepalived -t -f %s' });
    expect(copies.filter((c) => c.dest === '/etc/keepalived/keepalived.conf')).toHaveLength(1);
    const handlers = (p.handlers ?? []).map((h) => (h['ansible.builtin.command'] as { argv: string[] }).argv.join(' '));
    expect(handlers).toEqual(['sysctl -p /etc/sysctl.d/99-printha.conf', 'systemctl reload haproxy', 'systemctl reload keepalived']);
    for (const t of p.tasks) if (t['ansible.builtin.copy']) expect(handlers).toContain(String(t.notify).replace('PrintHA: ', ''));
    // the files it copies are in the export, byte for byte the rendered ones
    for (const n of ['pha-lb1', 'pha-lb2']) expect(out.some((f) => f.path === `files/balancer/keepalived-${n}.conf`)).toBe(true);
    expect(out.find((f) => f.path === 'files/balancer/haproxy.cfg')!.content).toMatch(/^(listen|frontend) /m);
    expect(plays[1]!.name).toMatch(/exactly one node holds the VIP/);
  });

  it('balancer.yml (Paragon): the half-open probe is installed before the configurations that run it', () => {
    const p = (parse(files('paragon').get('balancer.yml')) as Play[])[0]!;
    const dests = p.tasks.map((t) => ((t['ansible.builtin.copy'] ?? t['ansible.builtin.file']) as { dest?: string; path?: string }) ?? {}).map((x) => x.dest ?? x.path);
    expect(dests.indexOf('/usr/local/lib/printha/printha-halfopen-check')).toBeGreaterThan(-1);
    expect(dests.indexOf('/usr/local/lib/printha/printha-halfopen-check')).toBeLessThan(dests.indexOf('/etc/haproxy/haproxy.cfg'));
  });

  it('balancer.yml (Loadbalancer.org): lbcli.sh on the active appliance only', () => {
    const p = (parse(files('lab-lborg-snat').get('balancer.yml')) as Play[])[0]!;
    expect(p.hosts).toBe('pha-lb1');
    expect(p.tasks[0]!['ansible.builtin.script']).toBe('balancer/lbcli.sh');
  });

  it('windows.yml: the three registry values (OptionalNames merged), prepare.ps1, reboot; serial 1; the password prompted', () => {
    for (const name of ['lab-snat', 'phoenix-dr']) {
      const { get, out } = files(name);
      const p = (parse(get('windows.yml')) as Play[])[0]!;
      expect(p.hosts).toBe('printha_windows');
      expect(p.serial).toBe(1);
      expect(p.vars_prompt).toEqual([expect.objectContaining({ name: 'printha_windows_password', private: true })]);
      expect(p.vars?.ansible_password).toBe('{{ printha_windows_password }}');
      const reg = p.tasks.filter((t) => t['ansible.windows.win_regedit']).map((t) => t['ansible.windows.win_regedit'] as Record<string, unknown>);
      expect(reg.map((r) => r.name)).toEqual(['DisableLoopbackCheck', 'DisableStrictNameChecking', 'OptionalNames']);
      expect(reg[0]).toMatchObject({ path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa', data: 1, type: 'dword' });
      expect(reg[2]).toMatchObject({ type: 'multistring', data: '{{ printha_current_names + [printha_share_name] }}' });
      const names = p.tasks.findIndex((t) => (t['ansible.windows.win_regedit'] as { name?: string } | undefined)?.name === 'OptionalNames');
      expect(p.tasks[names]!.when).toMatch(/not in \(printha_current_names \| map\('upper'\)/);
      expect(p.tasks.findIndex((t) => t['ansible.windows.win_reg_stat'])).toBeLessThan(names);
      const order = ['ansible.windows.win_copy', 'ansible.windows.win_shell', 'ansible.windows.win_reboot'].map((m) => p.tasks.findIndex((t) => t[m]));
      expect(order.every((i) => i > names)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect((p.tasks.find((t) => t['ansible.windows.win_copy'])!['ansible.windows.win_copy'] as { src: string }).src).toBe('servers/{{ inventory_hostname }}/prepare.ps1');
      for (const s of example(name).servers) expect(out.some((f) => f.path === `files/servers/${s.label}/prepare.ps1`)).toBe(true);
      expect(get('windows.yml')).not.toMatch(/ansible_password:\s*["']?[^"'{\s]/);
    }
  });

  it('site.yml runs windows.yml, then balancer.yml', () => {
    expect(parse(files('lab-snat').get('site.yml'))).toEqual([{ import_playbook: 'windows.yml' }, { import_playbook: 'balancer.yml' }]);
  });

  it('the CLI verb writes the project and refuses other targets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-ansible-cli-'));
    let out = '';
    const io: CliIO = { out: (t) => (out += t), err: () => undefined, env: {}, cwd: ROOT };
    expect(await exportCommand.run(['ansible', join(ROOT, 'examples/lab-snat.yaml'), '--out', dir], io)).toBe(0);
    expect(readFileSync(join(dir, 'files/balancer/haproxy.cfg'), 'utf8')).toMatch(/^(listen|frontend) /m);
    expect(out).toMatch(/files written to/);
    await expect(exportCommand.run(['puppet', 'x.yaml', '--out', dir], io)).rejects.toThrow(/the only export target is "ansible"/);
  });
});

describe('ansible-playbook --syntax-check', () => {
  for (const name of EXAMPLES)
    it.skipIf(!hasAnsible)(`${name}: ${hasWindowsCollection ? 'site.yml (balancer + windows)' : 'balancer.yml only'}`, () => {
      const dir = write(name);
      const env = { ...process.env, ANSIBLE_LOCAL_TEMP: join(dir, '.tmp'), ANSIBLE_HOME: join(dir, '.ansible'), ANSIBLE_NOCOLOR: '1' };
      // site.yml imports balancer.yml and windows.yml: one check covers both.
      const books = hasWindowsCollection ? ['site.yml'] : ['balancer.yml'];
      for (const b of books) {
        const r = spawnSync('ansible-playbook', ['-i', 'inventory.yml', '--syntax-check', b], { cwd: dir, env, encoding: 'utf8' });
        expect(r.status, `${name}/${b}: ${r.stdout}${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(`playbook: ${b}`);
      }
      // the inventory parses as an Ansible inventory with every host
      const inv = execFileSync('ansible-inventory', ['-i', 'inventory.yml', '--list'], { cwd: dir, env, encoding: 'utf8' });
      const j = JSON.parse(inv) as { printha_windows: { hosts: string[] }; printha_balancers: { hosts: string[] } };
      expect(j.printha_windows.hosts).toEqual(example(name).servers.map((s) => s.label));
      expect(j.printha_balancers.hosts.length).toBe(example(name).balancer.secondary ? 2 : 1);
    });

  it.skipIf(!hasAnsible)('a broken playbook fails the syntax check (the check can fail)', () => {
    const dir = write('lab-snat');
    writeFileSync(join(dir, 'balancer.yml'), '- name: x\n  hosts: all\n  tasks:\n    - ansible.builtin.copy: {src: a, dest: b}\n      bogus_keyword: 1\n');
    const r = spawnSync('ansible-playbook', ['-i', 'inventory.yml', '--syntax-check', 'balancer.yml'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_LOCAL_TEMP: join(dir, '.tmp'), ANSIBLE_HOME: join(dir, '.ansible') } });
    expect(r.status).not.toBe(0);
  });
});
