/**
 * Self-test of the PrintHA lab (test/lab), without PrintHA code: the lab's real daemons, its
 * lbcli test double and its fault helpers do what the other integration tests rely on.
 * Every packet goes from the client namespace pha-client (inClient) or from inside a node.
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requirePwsh } from '../support/pwsh.js';
import {
  LAB_VIP,
  LabUnsupportedError,
  addLatency,
  clearThrottle,
  clearLatency,
  cutLink,
  dnsAdd,
  dnsDel,
  fillDisk,
  freeDisk,
  inClient,
  labEnv,
  labExec,
  labSsh,
  labSshOptions,
  nodeIp,
  replaceHostKey,
  resetShares,
  restoreLink,
  rootNetnsPath,
  run,
  setShares,
  startService,
  stopService,
  throttle,
  vipOwner,
  waitFor,
  type LabEnv,
  type LabNode,
} from '../lab/lab.js';

const unavailable = inject('labUnavailable');
if (unavailable) console.warn(`[lab self-test] skipped: ${unavailable}`);

/** First line a print-server listener sends, read from the client namespace. */
async function banner(ip: string, port: number): Promise<string> {
  const r = await inClient(['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1" && head -n1 <&3', ip, String(port)]);
  return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim()}`;
}
async function tcpOpen(ip: string, port: number): Promise<boolean> {
  return (await inClient(['timeout', '2', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', ip, String(port)])).code === 0;
}
async function smbList(target: string): Promise<string> {
  const r = await inClient(['smbclient', '-L', `//${target}`, '-N'], { timeoutMs: 20_000 });
  return r.stdout + r.stderr;
}

const handWrittenHaproxy = `global
    log 127.0.0.1:514 local0
    stats socket /run/haproxy/admin.sock mode 660 level admin
    user haproxy
    group haproxy

defaults
    log global
    mode tcp
    timeout connect 5s
    timeout client 1m
    timeout server 1m

frontend fe_smb
    bind ${LAB_VIP}:445
    default_backend be_smb

backend be_smb
    balance roundrobin
    default-server check inter 1s fall 3 rise 2
    server ps1 10.99.0.21:445
    server ps2 10.99.0.22:445

listen dispatcher
    bind ${LAB_VIP}:515
    bind ${LAB_VIP}:5011-5025
    balance roundrobin
    default-server check port 445 inter 1s fall 3 rise 2
    server ps1 10.99.0.21
    server ps2 10.99.0.22
`;

describe.skipIf(!!unavailable)('PrintHA lab self-test', () => {
  let env: LabEnv;
  let tmp: string;

  beforeAll(async () => {
    env = await labEnv();
    tmp = mkdtempSync(join(tmpdir(), 'printha-labtest-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps all traffic inside the namespaces: the root namespace has no address or route into the lab', async () => {
    const rootNs = `--net=${rootNetnsPath()}`;
    const rootAddrs = await run(['nsenter', rootNs, 'ip', '-4', '-o', 'addr']);
    expect(rootAddrs.code).toBe(0);
    expect(rootAddrs.stdout).not.toMatch(/10\.99\.0\./);
    expect(rootAddrs.stdout).toMatch(/\binet\b/); // it did list the root namespace's addresses
    const rootRoutes = await run(['nsenter', rootNs, 'ip', '-4', 'route', 'show', '10.99.0.0/24']);
    expect(rootRoutes.stdout.trim()).toBe('');
    const clientAddrs = await inClient(['ip', '-4', '-o', 'addr']);
    expect(clientAddrs.stdout).toMatch(/eth0\s+inet 10\.99\.0\.100\/24/);
    const clientRoutes = await inClient(['ip', '-4', 'route']);
    expect(clientRoutes.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^10\.99\.0\.0\/24 dev eth0/)]);
  });

  it('exports the environment PrintHA needs, with a pre-filled lab known_hosts', () => {
    expect(env.PRINTHA_LAB).toBe('1');
    expect(env.PRINTHA_LAB_VIP).toBe(LAB_VIP);
    expect(env.PRINTHA_KNOWN_HOSTS).not.toBe(env.PRINTHA_LAB_KNOWN_HOSTS);
    const kh = readFileSync(env.PRINTHA_LAB_KNOWN_HOSTS, 'utf8');
    for (const n of ['pha-lb1', 'pha-lb2', 'pha-ps1', 'pha-ps2'] as const) {
      expect(kh).toMatch(new RegExp(`^${nodeIp(n).replaceAll('.', '\\.')} ssh-ed25519 `, 'm'));
      expect(kh).toMatch(new RegExp(`^${n}\\.lab\\.printha\\.test ssh-ed25519 `, 'm'));
    }
  });

  it('logs in by SSH key to lb1, lb2 and ps1; every node has its own hostname and filesystem', async () => {
    for (const n of ['pha-lb1', 'pha-lb2', 'pha-ps1'] as LabNode[]) {
      const r = await labSsh(n, ['hostname']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(n);
    }
    expect((await labSsh('pha-lb1', ['sh', '-c', 'echo lb1 > /etc/haproxy/isolation-marker'])).code).toBe(0);
    expect((await labSsh('pha-lb2', ['test', '-e', '/etc/haproxy/isolation-marker'])).code).toBe(1);
    expect((await run(['test', '-e', '/etc/haproxy/isolation-marker'])).code).toBe(1);
    expect((await labSsh('pha-lb1', ['rm', '/etc/haproxy/isolation-marker'])).code).toBe(0);
    const shim = await labSsh('pha-lb1', ['systemctl', 'is-active', 'haproxy', 'keepalived', 'sshd']);
    expect(shim.stdout.split('\n').filter(Boolean)).toEqual(['active', 'active', 'active']);
  });

  it('accepts the password of labadmin and rejects a wrong one', async () => {
    const askpass = join(tmp, 'askpass.sh');
    writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$LAB_TEST_PW"\n');
    chmodSync(askpass, 0o700);
    const ssh = (pw: string) =>
      inClient(
        [
          'ssh',
          '-F',
          'none',
          '-o',
          'PubkeyAuthentication=no',
          '-o',
          'NumberOfPasswordPrompts=1',
          '-o',
          `UserKnownHostsFile=${env.PRINTHA_LAB_KNOWN_HOSTS}`,
          '-o',
          'StrictHostKeyChecking=yes',
          `${env.PRINTHA_LAB_USER}@${nodeIp('pha-lb1')}`,
          'whoami',
        ],
        { env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', LAB_TEST_PW: pw, DISPLAY: 'none' } },
      );
    const good = await ssh(env.PRINTHA_LAB_PASSWORD);
    expect(good.stdout.trim()).toBe(env.PRINTHA_LAB_USER);
    const bad = await ssh('not-the-password');
    expect(bad.code).toBe(255);
    expect(bad.stderr).toMatch(/Permission denied/);
  });

  it('serves the print shares and the listeners through the VIP with a hand-written HAProxy config', async () => {
    for (const lb of ['pha-lb1', 'pha-lb2'] as LabNode[]) {
      const write = await labSsh(
        lb,
        ['sh', '-c', 'cat > /etc/haproxy/haproxy.cfg && haproxy -c -q -f /etc/haproxy/haproxy.cfg && systemctl reload haproxy'],
        {
          input: handWrittenHaproxy,
        },
      );
      expect(write.stderr).toBe('');
      expect(write.code).toBe(0);
    }
    await waitFor('SMB through the VIP', async () => /HP-LaserJet-4th-Floor\s+Printer/.test(await smbList(LAB_VIP)));
    const list = await smbList(LAB_VIP);
    expect(list).toMatch(/KM-C458-Finance\s+Printer/);
    expect(list).toMatch(/FollowMe-Secure\s+Printer/);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await banner(LAB_VIP, 515));
    expect([...seen].sort()).toEqual(['pha-ps1 515', 'pha-ps2 515']);
    expect(await banner(LAB_VIP, 5022)).toMatch(/^pha-ps[12] 5022$/);
  });

  it('systemctl reload haproxy fails when HAProxy rejects the configuration, and the next good reload succeeds', async () => {
    const reload = (cfg: string) =>
      labSsh('pha-lb2', ['sh', '-c', 'cat > /etc/haproxy/haproxy.cfg && systemctl reload haproxy'], { input: cfg });
    // Passes `haproxy -c` (the shim's check) but cannot bind: sshd listens on port 22 already.
    const bad = await reload(handWrittenHaproxy.replace(`bind ${LAB_VIP}:515`, `bind ${nodeIp('pha-lb2')}:22`));
    expect(bad.stderr).toMatch(/HAProxy rejected the new configuration/);
    expect(bad.code).toBe(1);
    // A good reload resets the master's failed-reload count to 0: that is not a failure.
    const good = await reload(handWrittenHaproxy);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  it('moves the VIP to lb2 when keepalived stops on lb1, and back', async () => {
    expect(await vipOwner()).toBe('pha-lb1');
    await stopService('pha-lb1', 'keepalived');
    const away = await waitFor('VIP on pha-lb2', async () => (await vipOwner()) === 'pha-lb2', 10_000, 50);
    console.log(`[lab self-test] VRRP: VIP on pha-lb2 ${away.toFixed(2)} s after keepalived stopped on pha-lb1`);
    expect(await smbList(LAB_VIP)).toMatch(/HP-LaserJet-4th-Floor\s+Printer/);
    await startService('pha-lb1', 'keepalived');
    const back = await waitFor('VIP back on pha-lb1', async () => (await vipOwner()) === 'pha-lb1', 15_000, 50);
    console.log(`[lab self-test] VRRP: VIP back on pha-lb1 ${back.toFixed(2)} s after keepalived started`);
    const lb2 = await labExec('pha-lb2', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(lb2.stdout).not.toContain(`${LAB_VIP}/`);
  });

  it('lbcli (emulator) accepts a valid add-vip, rejects an invalid one with the JSON error, and serves a Layer 7 VIP', async () => {
    const lbcli = async (...args: string[]) => {
      const r = await labSsh('pha-lb1', ['lbcli', ...args]);
      const line = r.stdout.split('\n').find((l) => l.includes('"status"'));
      expect(line, r.stdout + r.stderr).toBeDefined();
      return (JSON.parse(line ?? '{}') as { lbcli: { status: string; error?: string }[] }).lbcli[0];
    };
    expect(
      (await lbcli('--action', 'add-vip', '--layer', '7', '--vip', 'PrintServers', '--ip', LAB_VIP, '--ports', '445', '--mode', 'tcp'))
        ?.status,
    ).toBe('success');
    const bad = await lbcli(
      '--action',
      'add-vip',
      '--layer',
      '7',
      '--vip',
      'Dispatcher',
      '--ip',
      LAB_VIP,
      '--ports',
      '80,443',
      '--mode',
      'tcp',
    );
    expect(bad?.status).toBe('failed');
    expect(bad?.error).toMatch(/--ports '80,443'/);
    expect(
      (await lbcli('--action', 'add-vip', '--layer', '7', '--vip', 'PrintServers', '--ip', LAB_VIP, '--ports', '446', '--mode', 'tcp'))
        ?.status,
    ).toBe('exists');
    expect((await lbcli('--action', 'edit-vip', '--vip', 'NoSuchVip', '--scheduler', 'leastconn'))?.status).toBe('missing');
    expect(
      (
        await lbcli(
          '--action',
          'edit-vip',
          '--vip',
          'PrintServers',
          '--persistence',
          'ip',
          '--scheduler',
          'leastconn',
          '--check_port',
          '445',
        )
      )?.status,
    ).toBe('success');
    expect(
      (await lbcli('--action', 'add-rip', '--vip', 'PrintServers', '--rip', 'PS1', '--ip', nodeIp('pha-ps1'), '--port', '445'))?.status,
    ).toBe('success');
    const dump = await labSsh('pha-lb1', ['lbcli', '--action', 'list', '--function', 'dumpconfig']);
    const cfg = JSON.parse(dump.stdout.split('\n')[1] ?? '{}') as { haproxy: { virtual: { label: string; real: unknown } } };
    expect(cfg.haproxy.virtual.label).toBe('PrintServers'); // one VIP: an object, not an array
    expect(Array.isArray(cfg.haproxy.virtual.real)).toBe(false);
    expect(
      (await lbcli('--action', 'add-rip', '--vip', 'PrintServers', '--rip', 'PS2', '--ip', nodeIp('pha-ps2'), '--port', '445'))?.status,
    ).toBe('success');
    expect((await lbcli('--action', 'reload-haproxy'))?.status).toBe('success');
    const generated = await labSsh('pha-lb1', ['cat', '/etc/haproxy/haproxy.cfg']);
    expect(generated.stdout).toMatch(/stick on src/);
    await waitFor('SMB through the emulated appliance', async () => /HP-LaserJet-4th-Floor\s+Printer/.test(await smbList(LAB_VIP)));
  });

  it('answers DNS for the share name after a record is added', async () => {
    const dig = () => inClient(['dig', '@10.99.0.53', '+short', '+time=2', '+tries=1', 'dispatcher.lab.printha.test']);
    expect((await dig()).stdout.trim()).toBe('');
    await dnsAdd('Dispatcher', LAB_VIP);
    expect((await dig()).stdout.trim()).toBe(LAB_VIP);
    const getent = await inClient(['getent', 'hosts', 'dispatcher']);
    expect(getent.stdout).toMatch(/^10\.99\.0\.10\s+dispatcher\.lab\.printha\.test/);
    await dnsDel('dispatcher');
    expect((await dig()).stdout.trim()).toBe('');
  });

  it('fault helpers: link cut, service stop, full disk, different shares, new host key, latency', async () => {
    const ps2 = nodeIp('pha-ps2');
    await cutLink('pha-ps2');
    expect(await tcpOpen(ps2, 22)).toBe(false);
    await restoreLink('pha-ps2');
    await waitFor('ps2 reachable again', () => tcpOpen(ps2, 22));

    await stopService('pha-ps1', 'listeners');
    expect(await tcpOpen(nodeIp('pha-ps1'), 515)).toBe(false);
    await startService('pha-ps1', 'listeners');
    expect(await banner(nodeIp('pha-ps1'), 515)).toBe('pha-ps1 515');

    await fillDisk('pha-lb2');
    const upload = join(tmp, 'upload.bin');
    writeFileSync(upload, Buffer.alloc(20_000, 1));
    const scp = await inClient(['scp', ...labSshOptions(env), upload, `root@${nodeIp('pha-lb2')}:/etc/haproxy/upload.tmp`]);
    expect(scp.code).not.toBe(0); // SFTP reports ENOSPC as a plain "Failure" (SSH_FX_FAILURE)
    expect(scp.stderr).toMatch(/Failure|No space left on device/);
    const full = await labSsh('pha-lb2', ['sh', '-c', 'head -c 65536 /dev/zero > /etc/haproxy/upload.tmp']);
    expect(full.stderr).toMatch(/No space left on device/);
    await freeDisk('pha-lb2');
    expect(
      (await labSsh('pha-lb2', ['sh', '-c', 'head -c 65536 /dev/zero > /etc/haproxy/upload.tmp && rm /etc/haproxy/upload.tmp'])).code,
    ).toBe(0);

    await setShares('pha-ps2', ['HP-LaserJet-4th-Floor', 'Only-On-PS2']);
    const shares2 = await smbList(ps2);
    expect(shares2).toMatch(/Only-On-PS2\s+Printer/);
    expect(shares2).not.toMatch(/KM-C458-Finance/);
    await resetShares('pha-ps2');
    expect(await smbList(ps2)).toMatch(/KM-C458-Finance\s+Printer/);

    const oldKh = join(tmp, 'known_hosts.before');
    copyFileSync(env.PRINTHA_LAB_KNOWN_HOSTS, oldKh);
    const fp = await replaceHostKey('pha-ps2');
    expect(fp).toMatch(/^SHA256:/);
    const stale = await inClient(['ssh', ...labSshOptions(env, oldKh), `root@${ps2}`, 'true']);
    expect(stale.code).toBe(255);
    expect(stale.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    expect((await labSsh('pha-ps2', ['hostname'])).stdout.trim()).toBe('pha-ps2');

    await throttle('pha-ps1', 64);
    expect((await labExec('pha-ps1', ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout).toMatch(/tbf .*rate 64Kbit/);
    await clearThrottle('pha-ps1');
    expect((await labExec('pha-ps1', ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout).not.toMatch(/tbf/);

    try {
      await addLatency('pha-ps1', 100);
      const t0 = Date.now();
      await banner(nodeIp('pha-ps1'), 515);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
      await clearLatency('pha-ps1');
    } catch (e) {
      if (!(e instanceof LabUnsupportedError)) throw e;
      console.warn(`[lab self-test] latency fault not available here: ${e.message}`);
      expect(e.message).toMatch(/netem/);
    }
  });

  it('runs PowerShell remoting over SSH on a print server (Invoke-Command -HostName)', async () => {
    const r = await inClient([
      requirePwsh(),
      '-NoLogo',
      '-NoProfile',
      '-Command',
      `Invoke-Command -HostName ${nodeIp('pha-ps1')} -UserName root -KeyFilePath '${env.PRINTHA_SSH_KEY}' -Options @{ UserKnownHostsFile = '${env.PRINTHA_LAB_KNOWN_HOSTS}'; StrictHostKeyChecking = 'yes' } -ScriptBlock { hostname }`,
    ]);
    expect(r.stdout.trim()).toBe('pha-ps1');
  });
});
