/**
 * The lab's lbcli test double (test/lab/lbcli/lbcli.py) in sandbox mode (LBCLI_ROOT=<tmp dir>):
 * no lab, no services; the contract of lbcli.md that PrintHA's driver is tested against.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const LBCLI = join(dirname(fileURLToPath(import.meta.url)), '../../lab/lbcli/lbcli.py');
// the emulator's shebang is /usr/bin/python3 (on the nodes); prefer it over a slower PATH shim
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasPython = spawnSync(PY, ['--version']).status === 0;
const hasHaproxy = spawnSync('sh', ['-c', 'command -v haproxy']).status === 0;
if (!hasPython) console.warn('[lbcli emulator tests] skipped: python3 is not installed (apt: python3)');
if (!hasHaproxy) console.warn('[lbcli emulator tests] generated haproxy.cfg is not checked with `haproxy -c`: haproxy is not installed');

interface Item {
  action: string;
  status: string;
  error?: string;
  message?: string;
  [k: string]: unknown;
}

describe.skipIf(!hasPython)('lbcli emulator (sandbox)', () => {
  let root: string;
  const lbcli = (...args: string[]) => {
    const r = spawnSync(PY, [LBCLI, ...args], { env: { ...process.env, LBCLI_ROOT: root }, encoding: 'utf8' });
    return { code: r.status, lines: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
  };
  const item = (...args: string[]): Item => {
    const r = lbcli(...args);
    expect(r.code).toBe(0);
    const line = r.lines.find((l) => l.includes('"status"'));
    expect(line, r.lines.join('\n') + r.stderr).toBeDefined();
    return (JSON.parse(line ?? '{}') as { lbcli: Item[] }).lbcli[0] as Item;
  };
  const dump = () => JSON.parse(lbcli('--action', 'list', '--function', 'dumpconfig').lines[1] ?? 'null') as Record<string, unknown>;
  const addL7 = (label: string, ports: string) =>
    item('--action', 'add-vip', '--layer', '7', '--vip', label, '--ip', '10.99.0.10', '--ports', ports, '--mode', 'tcp');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lbcli-'));
    mkdirSync(join(root, 'etc/loadbalancer.org'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('adds a Layer 7 VIP, stores it in lb_config.xml and generates haproxy.cfg', () => {
    const r = addL7('PrintServers', '445');
    expect(r).toMatchObject({ action: 'add-vip', status: 'success', vip: 'PrintServers' });
    expect(readFileSync(join(root, 'etc/loadbalancer.org/lb_config.xml'), 'utf8')).toMatch(/<label>PrintServers<\/label>/);
    expect(readFileSync(join(root, 'etc/haproxy/haproxy.cfg'), 'utf8')).toMatch(/listen PrintServers\n {4}bind 10\.99\.0\.10:445\n/);
  });

  it.each([
    [['--ports', '80,443'], 'failed', /--ports '80,443' is not a valid port list/],
    [['--ports', '900-800'], 'failed', /ascending range/],
    [['--ports', '70000'], 'failed', /not a valid port/],
    [['--ip', '10.99.0.300'], 'failed', /not a valid IP address/],
    [['--vip', 'Print Servers'], 'failed', /not a valid label/],
    [['--vip', 'x;reboot'], 'failed', /not a valid label/],
    [['--mode', 'udp'], 'failed', /--mode 'udp' is not valid/],
    [['--persistence', 'ip'], 'fatal', /unknown option --persistence/],
  ])('rejects add-vip with %j as %s', (override, status, error) => {
    const opts: Record<string, string> = { '--vip': 'Dispatcher', '--ip': '10.99.0.10', '--ports': '80:443', '--mode': 'tcp' };
    for (let i = 0; i < override.length; i += 2) opts[override[i] as string] = override[i + 1] as string;
    const r = item('--action', 'add-vip', '--layer', '7', ...Object.entries(opts).flat());
    expect(r.status).toBe(status);
    expect(r.error).toMatch(error);
    expect(existsSync(join(root, 'etc/loadbalancer.org/lb_config.xml'))).toBe(false);
  });

  it('reports exists, missing, unknown actions and port clashes with their statuses', () => {
    addL7('PrintServers', '445');
    expect(addL7('PrintServers', '446').status).toBe('exists');
    expect(item('--action', 'edit-vip', '--vip', 'Nope', '--scheduler', 'leastconn').status).toBe('missing');
    expect(item('--action', 'delete-rip', '--vip', 'PrintServers', '--rip', 'Nope').status).toBe('missing');
    expect(item('--action', 'frobnicate').status).toBe('fatal');
    expect(item('--action', 'clone-vip', '--vip', 'PrintServers', '--clone', 'X').error).toMatch(/not emulated/);
    const clash = addL7('Dispatcher', '25:80-500');
    expect(clash.status).toBe('failed');
    expect(clash.error).toMatch(/port 445 is already used by VIP 'PrintServers'/);
    expect(item('--action', 'edit-vip', '--vip', 'PrintServers', '--forwarding', 'gate').error).toMatch(/not an option for a Layer 7 VIP/);
  });

  it('dumpconfig: a single VIP or RIP is an object, several are an array, empty sections are []', () => {
    expect(dump()).toMatchObject({ ldirectord: [], haproxy: [] });
    addL7('PrintServers', '445');
    item('--action', 'add-rip', '--vip', 'PrintServers', '--rip', 'PS1', '--ip', '10.99.0.21', '--port', '445');
    const one = dump() as { haproxy: { virtual: { label: string; real: { label: string } } } };
    expect(one.haproxy.virtual.label).toBe('PrintServers');
    expect(one.haproxy.virtual.real.label).toBe('PS1');
    item('--action', 'add-rip', '--vip', 'PrintServers', '--rip', 'PS2', '--ip', '10.99.0.22', '--port', '445');
    addL7('Dispatcher', '25:53:80:443:465:587');
    const two = dump() as { haproxy: { virtual: { label: string; real: unknown }[] } };
    expect(two.haproxy.virtual.map((v) => v.label)).toEqual(['PrintServers', 'Dispatcher']);
    expect(Array.isArray(two.haproxy.virtual[0]?.real)).toBe(true);
    expect(two.haproxy.virtual[1]?.real).toBeUndefined();
  });

  it('edit-vip writes persistence, scheduler and the check port into haproxy.cfg', () => {
    addL7('Dispatcher', '25:80');
    item('--action', 'add-rip', '--vip', 'Dispatcher', '--rip', 'PS1', '--ip', '10.99.0.21');
    const r = item(
      '--action',
      'edit-vip',
      '--vip',
      'Dispatcher',
      '--persistence',
      'ip',
      '--persist_time',
      '30',
      '--scheduler',
      'leastconn',
      '--check_port',
      '445',
    );
    expect(r.status).toBe('success');
    const cfg = readFileSync(join(root, 'etc/haproxy/haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/balance leastconn/);
    expect(cfg).toMatch(/stick-table type ip size 10240 expire 30m\n {4}stick on src/);
    expect(cfg).toMatch(/server PS1 10\.99\.0\.21 weight 100 check inter 4000 rise 2 fall 2 port 445/);
    expect(item('--action', 'reload-haproxy').status).toBe('success');
    expect(readFileSync(join(root, 'var/log/lbcli-services.log'), 'utf8')).toMatch(/systemctl reload haproxy/);
  });

  it('Layer 4: keeps DR VIPs, refuses port translation, reports that IPVS is unavailable', () => {
    const add = item(
      '--action',
      'add-vip',
      '--layer',
      '4',
      '--vip',
      'DP_L4',
      '--ip',
      '10.99.0.10',
      '--ports',
      '80:443',
      '--forwarding',
      'gate',
      '--protocol',
      'tcp',
    );
    expect(add.status).toBe('success');
    expect(item('--action', 'add-rip', '--vip', 'DP_L4', '--rip', 'DP1', '--ip', '10.99.0.21', '--port', '8080').error).toMatch(
      /cannot translate ports/,
    );
    expect(item('--action', 'add-rip', '--vip', 'DP_L4', '--rip', 'DP1', '--ip', '10.99.0.21', '--encrypted', 'on').error).toMatch(
      /only valid for Layer 7/,
    );
    expect(item('--action', 'add-rip', '--vip', 'DP_L4', '--rip', 'DP1', '--ip', '10.99.0.21').status).toBe('success');
    expect(item('--action', 'reload-ldirectord')).toMatchObject({ status: 'success', ipvs: 'unavailable' });
    expect(readFileSync(join(root, 'etc/ha.d/conf/ldirectord.cf'), 'utf8')).toMatch(/real=10\.99\.0\.21 gate 100/);
    const list = item('--action', 'list', '--function', 'virtual', '--layer', '4');
    expect(list.virtual).toEqual([expect.objectContaining({ label: 'DP_L4', forwarding: 'gate' })]);
  });

  it('drain/halt/online with --services all change every VIP of the layer that has the RIP', () => {
    addL7('A', '445');
    addL7('B', '515');
    for (const v of ['A', 'B']) item('--action', 'add-rip', '--vip', v, '--rip', 'PS1', '--ip', '10.99.0.21');
    expect(item('--action', 'halt', '--vip', 'A', '--rip', 'PS1', '--services', 'all').vips).toEqual(['A', 'B']);
    expect(readFileSync(join(root, 'etc/haproxy/haproxy.cfg'), 'utf8').match(/server PS1 .* disabled/g)).toHaveLength(2);
    item('--action', 'online', '--vip', 'A', '--rip', 'PS1');
    expect(readFileSync(join(root, 'etc/haproxy/haproxy.cfg'), 'utf8').match(/server PS1 .* disabled/g)).toHaveLength(1);
  });

  it('--method api prints only the JSON line; the shape knob wraps it like other appliance builds', () => {
    const api = lbcli('--method', 'api', '--action', 'nodestatus');
    expect(api.lines).toHaveLength(1);
    expect(JSON.parse(api.lines[0] ?? '')).toMatchObject({ lbcli: [{ action: 'nodestatus', status: 'success' }] });
    const plain = lbcli('--action', 'nodestatus');
    expect(plain.lines).toHaveLength(2);
    expect(plain.lines[0]).not.toMatch(/^\{/);
    writeFileSync(join(root, 'etc/loadbalancer.org/emulator.json'), '{"shape":"wrapped"}');
    expect(JSON.parse(lbcli('--method', 'api', '--action', 'nodestatus').lines[0] ?? '')).toMatchObject([
      { lbcli: [{ status: 'success' }] },
    ]);
    writeFileSync(join(root, 'etc/loadbalancer.org/emulator.json'), '{"shape":"object"}');
    expect(JSON.parse(lbcli('--method', 'api', '--action', 'nodestatus').lines[0] ?? '')).toMatchObject({ lbcli: { status: 'success' } });
    rmSync(join(root, 'etc/loadbalancer.org/emulator.json'));
    expect(item('--method', 'json', '--action', 'nodestatus').status).toBe('fatal');
  });

  it('prints help, and refuses to run outside a lab node without a sandbox', () => {
    expect(lbcli('--help', 'lbcli').lines[0]).toMatch(/EMULATOR/);
    expect(lbcli('--help', 'add-vip').lines.join('\n')).toMatch(/--forwarding gate\|masq\|ipip\|snat/);
    expect(lbcli('--help', 'cidr').lines).toContain('/24   255.255.255.0');
    const outside = spawnSync(PY, [LBCLI, '--action', 'nodestatus'], { env: { ...process.env, LBCLI_ROOT: '' }, encoding: 'utf8' });
    if (!existsSync('/etc/printha-lab-node')) {
      expect(outside.status).toBe(2);
      expect(outside.stderr).toMatch(/refusing to run outside a PrintHA lab node/);
    }
  });
});
