/**
 * Self-test of the lab's Windows stand-in wiring (test/lab/winshim/README.md), without PrintHA code:
 * a real PowerShell-over-SSH session to pha-ps1 gets the stand-in module, a VIP on the loopback with
 * arp_ignore is not answered by the print server, NetBIOS off stops nmbd, the emulated reboot takes
 * sshd away and back with a new boot time (and never back with reboot-never-returns), and the
 * wrong-credentials / unreachable faults give the ssh failures they promise. pwsh is required: a
 * machine without it FAILS here (test/support/pwsh.ts), it never skips.
 * Every packet goes from the client namespace pha-client (inClient) or from inside a node.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requirePwsh } from '../support/pwsh.js';
import {
  LAB_VIP,
  inClient,
  labEnv,
  labExec,
  labSsh,
  nodeIp,
  startService,
  waitFor,
  winBootTime,
  winEvents,
  winFault,
  winFaultReset,
  winNodeInfo,
  winRebootSeconds,
  type ExecResult,
  type LabEnv,
} from '../lab/lab.js';

const unavailable = inject('labUnavailable');
if (unavailable) console.warn(`[lab-winshim] skipped: ${unavailable}`);

const PS1 = 'pha-ps1' as const;
const IP = nodeIp(PS1);
const MODULE = 'PrintHA.WindowsStandIn';
const REBOOT_SECONDS = 2;

let env: LabEnv;
let pwsh: string;

/** pwsh in the client: a PowerShell-over-SSH session to pha-ps1 runs `body`, then closes. */
function remote(body: string, user = 'root'): Promise<ExecResult> {
  const script = [
    "$ErrorActionPreference = 'Stop'",
    `$o = @{ UserKnownHostsFile = $env:PRINTHA_LAB_KNOWN_HOSTS; StrictHostKeyChecking = 'yes'; BatchMode = 'yes'; ConnectTimeout = '5' }`,
    `$s = New-PSSession -HostName ${IP} -UserName ${user} -KeyFilePath $env:PRINTHA_SSH_KEY -Options $o`,
    `try { Invoke-Command -Session $s -ScriptBlock { ${body} } } finally { Remove-PSSession $s -ErrorAction SilentlyContinue }`,
  ].join('\n');
  return inClient([pwsh, '-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script], {
    env: { PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_LAB_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS, TERM: 'dumb' },
    timeoutMs: 90_000,
  });
}
function ok(r: ExecResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
async function must(argv: string[]): Promise<string> {
  return ok(await labExec(PS1, argv), `${PS1}: ${argv.join(' ')}`);
}
async function sshPort(): Promise<boolean> {
  return (await inClient(['timeout', '1', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/22"', IP])).code === 0;
}
/** MACs that answered ARP for `ip` on pha-client's eth0 (arping -c 2: every reply, duplicates too). */
async function arpRepliers(ip: string): Promise<string[]> {
  const r = await inClient(['arping', '-c', '2', '-w', '3', '-I', 'eth0', ip], { timeoutMs: 15_000 });
  const macs = [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17}) \(/g)].map((m) => m[1]!);
  return [...new Set(macs)].sort();
}
async function nmbdActive(): Promise<boolean> {
  return (await labExec(PS1, ['systemctl', 'is-active', 'nmbd'])).stdout.trim() === 'active';
}
/** NetBIOS node status of pha-ps1 from the client (UDP 137; nmbd answers in ms, silence would take nmblookup 10 s). */
async function nbtstat(): Promise<string> {
  const r = await inClient(['timeout', '3', 'nmblookup', '-A', IP], { timeoutMs: 20_000 });
  return r.stdout + r.stderr;
}
const SET_NETBIOS = (v: number) =>
  `Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = True' | Invoke-CimMethod -MethodName SetTcpipNetbios -Arguments @{ TcpipNetbiosOptions = [uint32]${v} } | ForEach-Object { 'rc=' + $_.ReturnValue }`;
const ARP_SYSCTLS = (v: [number, number]) =>
  ['all', 'eth0', 'lo'].flatMap((i) => [`net.ipv4.conf.${i}.arp_ignore=${v[0]}`, `net.ipv4.conf.${i}.arp_announce=${v[1]}`]);

describe.skipIf(!!unavailable)('lab: the Windows stand-in on the print servers (test/lab/winshim)', () => {
  beforeAll(async () => {
    pwsh = requirePwsh();
    env = await labEnv();
    await winFaultReset(PS1);
    await winRebootSeconds(PS1, REBOOT_SECONDS);
  });
  afterAll(async () => {
    if (!env) return;
    await winFaultReset(PS1).catch(() => undefined);
    await labExec(PS1, ['ip', 'addr', 'del', `${LAB_VIP}/32`, 'dev', 'lo']).catch(() => undefined);
    await labExec(PS1, ['sysctl', '-qw', ...ARP_SYSCTLS([0, 0])]).catch(() => undefined);
    await labExec(PS1, ['systemctl', 'start', 'smbd', 'nmbd', 'listeners', 'sshd']).catch(() => undefined);
    await labExec(PS1, ['rm', '-f', '/etc/printha-winshim/reboot-seconds']).catch(() => undefined);
  });

  it('seeds node.json with the node identity: upper-case computer name, the real eth0 MAC in Windows form, a GUID', async () => {
    const n = await winNodeInfo(PS1);
    const mac = (await must(['cat', '/sys/class/net/eth0/address'])).trim().toUpperCase().replaceAll(':', '-');
    expect(n).toMatchObject({
      computerName: 'PHA-PS1',
      role: 'print-server',
      domain: 'lab.printha.test',
      lan: { name: 'Ethernet', ifIndex: 6, mac, address: IP, prefixLength: 24 },
      os: { caption: 'Microsoft Windows Server 2019 Standard', version: '10.0.17763', buildNumber: '17763' },
    });
    expect(n.lan.guid).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
    expect((await winNodeInfo('pha-dns')).role).toBe('dns-server');
    expect(await winBootTime(PS1)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a PowerShell-over-SSH session to pha-ps1 has the stand-in module: Get-NetAdapter is its function, SetupAPI on the loader path', async () => {
    const out = ok(
      await remote(
        `$c = Get-Command Get-NetAdapter; [pscustomobject]@{ module = $c.ModuleName; type = [string]$c.CommandType; host = [System.Net.Dns]::GetHostName(); ld = $env:LD_LIBRARY_PATH; mac = (Get-NetAdapter -Name Ethernet).MacAddress } | ConvertTo-Json -Compress`,
      ),
      'New-PSSession to pha-ps1',
    );
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, string>;
    expect(r).toMatchObject({ module: MODULE, type: 'Function', host: 'pha-ps1', mac: (await winNodeInfo(PS1)).lan.mac });
    expect(r.ld?.split(':')).toContain('/usr/local/lib/printha-winshim');
  });

  it('a VIP on the loopback with arp_ignore/arp_announce: pha-ps1 does not answer ARP for it (without them it would)', async () => {
    const psMac = (await must(['cat', '/sys/class/net/eth0/address'])).trim();
    const lbMac = (await labExec('pha-lb1', ['cat', '/sys/class/net/eth0/address'])).stdout.trim();
    await must(['ip', 'addr', 'add', `${LAB_VIP}/32`, 'dev', 'lo']);
    try {
      // control: Linux answers ARP for any local address on any interface, so the test can fail
      await must(['sysctl', '-qw', ...ARP_SYSCTLS([0, 0])]);
      const without = await arpRepliers(LAB_VIP);
      expect(without, 'without arp_ignore the print server answers for the VIP').toContain(psMac);
      await must(['sysctl', '-qw', ...ARP_SYSCTLS([1, 2])]);
      const withIgnore = await arpRepliers(LAB_VIP);
      expect(withIgnore).not.toContain(psMac);
      expect(withIgnore, 'the balancer holding the VIP (VRRP) still answers').toContain(lbMac);
      console.log(`[lab-winshim] ARP for ${LAB_VIP}: without arp_ignore ${without.join(' ')}; with ${withIgnore.join(' ')}`);
    } finally {
      await labExec(PS1, ['ip', 'addr', 'del', `${LAB_VIP}/32`, 'dev', 'lo']);
      await labExec(PS1, ['sysctl', '-qw', ...ARP_SYSCTLS([0, 0])]);
    }
  });

  it('NetBIOS: on at up (nmbd answers UDP 137); SetTcpipNetbios(2) stops nmbd; Restart-Computer -Force: sshd away and back, new boot time, NetBIOS still off; SetTcpipNetbios(0) starts it', async () => {
    expect(await nmbdActive()).toBe(true);
    expect(await nbtstat()).toMatch(/PHA-PS1\s+<00>/);
    // a clean server has no OptionalNames: no Samba alias, so the share name is not a NetBIOS name of it
    expect(await must(['cat', '/etc/samba/aliases.conf'])).not.toMatch(/^\s*netbios aliases\s*=/m);
    const q = await inClient(['timeout', '5', 'nmblookup', '-U', IP, 'DISPATCHER'], { timeoutMs: 20_000 });
    expect(q.stdout + q.stderr).toMatch(/failed to find name DISPATCHER/);

    expect(ok(await remote(SET_NETBIOS(2)), 'SetTcpipNetbios(2)')).toMatch(/rc=0/);
    expect(await nmbdActive()).toBe(false);
    expect(await nbtstat()).not.toMatch(/PHA-PS1\s+<00>/);

    const boot0 = await winBootTime(PS1);
    const events0 = (await winEvents(PS1)).length;
    const t0 = Date.now();
    const r = await remote(`Restart-Computer -Force; 'restart asked'`);
    expect(ok(r, 'Restart-Computer -Force')).toMatch(/restart asked/);
    const down = await waitFor('sshd of pha-ps1 to go away (emulated reboot)', async () => !(await sshPort()), 10_000, 100);
    const back = await waitFor('sshd of pha-ps1 to come back', sshPort, 40_000, 200);
    console.log(`[lab-winshim] reboot: sshd gone ${down.toFixed(1)} s after the answer, back ${back.toFixed(1)} s later (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
    expect(back).toBeGreaterThanOrEqual(REBOOT_SECONDS - 0.5);

    const boot1 = await winBootTime(PS1);
    expect(boot1).not.toBe(boot0);
    expect(Date.parse(boot1)).toBeGreaterThan(Date.parse(boot0));
    const ev = (await winEvents(PS1)).slice(events0);
    const dn = ev.find((e) => e.event === 'down');
    const up = ev.find((e) => e.event === 'up');
    expect(dn, JSON.stringify(ev)).toBeDefined();
    expect(up, JSON.stringify(ev)).toBeDefined();
    expect(Date.parse(up!.t) - Date.parse(dn!.t)).toBeGreaterThanOrEqual(REBOOT_SECONDS * 1000);
    expect(ev.map((e) => e.event)).not.toContain('boot-hook-failed');
    expect(up).not.toHaveProperty('failed');
    await waitFor('smbd and the listeners back', async () => (await labExec(PS1, ['systemctl', 'is-active', 'smbd', 'listeners'])).code === 0, 10_000);
    expect(await nmbdActive(), 'NetBIOS stays off across the reboot (the boot hook keeps nmbd stopped)').toBe(false);

    expect(ok(await remote(SET_NETBIOS(0)), 'SetTcpipNetbios(0)')).toMatch(/rc=0/);
    expect(await nmbdActive()).toBe(true);
    await waitFor('nmbd answering on UDP 137', async () => /PHA-PS1\s+<00>/.test(await nbtstat()), 15_000, 500);
  });

  it('reboot-never-returns: after Restart-Computer the node stays down (sshd refuses past the reboot time), event never-returns', async () => {
    await winFault(PS1, 'reboot-never-returns', true);
    const boot0 = await winBootTime(PS1);
    try {
      expect(ok(await remote(`Restart-Computer -Force; 'restart asked'`), 'Restart-Computer -Force')).toMatch(/restart asked/);
      await waitFor('sshd of pha-ps1 to go away', async () => !(await sshPort()), 10_000, 100);
      await waitFor('the never-returns event', async () => (await winEvents(PS1)).some((e) => e.event === 'never-returns'), 20_000, 250);
      // well past the reboot time: still down
      const t = Date.now();
      while (Date.now() - t < (REBOOT_SECONDS + 2) * 1000) {
        expect(await sshPort()).toBe(false);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(await winBootTime(PS1)).toBe(boot0);
      expect((await winEvents(PS1)).slice(-1)[0]?.event).toBe('never-returns');
    } finally {
      await winFault(PS1, 'reboot-never-returns', false);
      // the engineer "powers it on": services back by hand
      await labExec(PS1, ['systemctl', 'start', 'smbd', 'nmbd', 'listeners', 'sshd']);
    }
    await waitFor('sshd back after the manual start', sshPort, 10_000);
  });

  it('wrong-credentials: root\'s key is refused (ssh and New-PSSession); off restores it', async () => {
    await winFault(PS1, 'wrong-credentials', true);
    try {
      const s = await labSsh(PS1, ['true']);
      expect(s.code).toBe(255);
      expect(s.stderr).toMatch(/Permission denied \(publickey/);
      const p = await remote(`'inside'`);
      expect(p.code).not.toBe(0);
      expect(p.stdout).not.toMatch(/inside/);
      expect(p.stderr + p.stdout).toMatch(/Permission denied|publickey|authentication/i);
    } finally {
      await winFault(PS1, 'wrong-credentials', false);
    }
    expect((await labSsh(PS1, ['hostname'])).stdout.trim()).toBe('pha-ps1');
  });

  it('unreachable: ssh to port 22 is refused at once (sshd itself keeps running); off restores it', async () => {
    await winFault(PS1, 'unreachable', true);
    try {
      const t = Date.now();
      const s = await labSsh(PS1, ['true']);
      expect(Date.now() - t).toBeLessThan(5_000);
      expect(s.code).toBe(255);
      expect(s.stderr).toMatch(/Connection refused/);
      expect((await labExec(PS1, ['systemctl', 'is-active', 'sshd'])).stdout.trim()).toBe('active');
      const p = await remote(`'inside'`);
      expect(p.code).not.toBe(0);
      expect(p.stderr + p.stdout).toMatch(/Connection refused/);
    } finally {
      await winFault(PS1, 'unreachable', false);
    }
    expect((await labSsh(PS1, ['hostname'])).stdout.trim()).toBe('pha-ps1');
    await startService(PS1, 'sshd');
  });
});
