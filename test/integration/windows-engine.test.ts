/**
 * The REAL Windows-engine path — pwsh driven through node-powershell, a PSSession per server over
 * PowerShell-over-SSH — against the lab's print servers and DNS server, which run the strict
 * Windows stand-in (test/lab/winshim/, a test double). PrintHA's scripts run there unchanged.
 *
 * From a clean stand-in: discovery returns the facts the stand-in holds; a differing printer share
 * fires printer-shares-differ; DR and SNAT preparation leave the loopback/VIP, weak host, registry
 * and NetBIOS as the guide requires, the DNS record resolves from pha-client, and a second apply
 * changes nothing; the rolling reboot never has two servers down at once (the stand-in's event
 * timestamps); a server that never comes back stops the run and the next one is not restarted;
 * wrong credentials, an unreachable server and one failing step leave the other server completed
 * and the outcome says what happened where. pwsh is required: without it this file FAILS.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { RunContext } from '../../electron/core/engine/api.js';
import type { ServerOutcome } from '../../electron/core/engine/servers.js';
import { findPowerShell, type PowerShellFound } from '../../electron/core/powershell/find.js';
import { RemoteError } from '../../electron/core/powershell/remoting.js';
import { PowerShellRunner } from '../../electron/core/powershell/runner.js';
import { PowerShellRemoteShell } from '../../electron/core/powershell/session.js';
import { WindowsServerEngine } from '../../electron/core/powershell/windows-engine.js';
import { resolveSite } from '../../shared/model/resolve.js';
import { runRules } from '../../shared/rules/index.js';
import { loadSiteYaml } from '../../shared/site/load.js';
import type { Site } from '../../shared/site/schema.js';
import {
  DEFAULT_SHARES,
  LAB_VIP,
  inClient,
  labEnv,
  labExec,
  resetShares,
  setShares,
  winBootTime,
  winEvents,
  winFault,
  winFaultReset,
  winRebootSeconds,
  winReset,
  type LabEnv,
  type LabNode,
  type WinEvent,
} from '../lab/lab.js';
import { requirePwsh } from '../support/pwsh.js';

const ROOT = resolve(__dirname, '../..');
const PS = ['pha-ps1', 'pha-ps2'] as const;

const unavailable = inject('labUnavailable');
const inClientNs = inject('labInClient');
const skipReason = unavailable || (!inClientNs ? 'PowerShell over SSH needs the lab network: run `npm run test:integration`' : '');
if (skipReason) console.warn(`[windows-engine] skipped: ${skipReason}`);
const pwsh = requirePwsh();

function labSite(file: string): Site {
  const r = loadSiteYaml(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(`examples/${file} does not load`);
  return r.site;
}

/** Registry value of a stand-in node (registry.json: key path → value name → { type, value }). */
async function regValue(node: LabNode, key: string, name: string): Promise<unknown> {
  const r = await labExec(node, ['cat', '/var/lib/printha-winshim/registry.json']);
  const reg = JSON.parse(r.stdout) as Record<string, Record<string, { value: unknown }>>;
  const k = Object.keys(reg).find((x) => x.toLowerCase() === key.toLowerCase());
  if (!k) return undefined;
  const v = Object.keys(reg[k]!).find((x) => x.toLowerCase() === name.toLowerCase());
  return v === undefined ? undefined : reg[k]![v]!.value;
}

/** [down, up] intervals of the emulated reboots in a node's events.log. */
function downIntervals(ev: readonly WinEvent[]): [number, number][] {
  const out: [number, number][] = [];
  let down: number | undefined;
  for (const e of ev) {
    if (e.event === 'down') down = Date.parse(e.t);
    if (e.event === 'up' && down !== undefined) {
      out.push([down, Date.parse(e.t)]);
      down = undefined;
    }
  }
  if (down !== undefined) out.push([down, Number.POSITIVE_INFINITY]);
  return out;
}

function byHost(out: readonly ServerOutcome[]): Record<string, ServerOutcome> {
  return Object.fromEntries(out.map((o) => [o.host, o]));
}

describe.skipIf(!!skipReason)('Windows engine, real path: pwsh + PowerShell over SSH to the stand-in', () => {
  let env: LabEnv;
  const exe: PowerShellFound = findPowerShell() as PowerShellFound;
  const ctx = (): RunContext => ({
    knownHostsPath: env.PRINTHA_LAB_KNOWN_HOSTS,
    sshKeyPath: env.PRINTHA_SSH_KEY,
    credential: async () => undefined,
    confirmHostKey: async () => false,
    onEvent: () => undefined,
  });
  const engine = (): WindowsServerEngine =>
    new WindowsServerEngine({
      found: exe,
      env: { PRINTHA_WINDOWS_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_WINDOWS_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS },
      rebootPollMs: 1_000,
      // generous: a loaded CI machine may restart the local shell once (60 s) while a server is down
      rebootTimeoutMs: 180_000,
    });
  async function run(file: string): Promise<{ out: Record<string, ServerOutcome>; ms: number }> {
    const r = resolveSite(labSite(file));
    const eng = engine();
    const t0 = Date.now();
    const facts = await eng.discover(r, ctx());
    eng.plan(r, facts);
    const out = await eng.apply(r, facts, ctx());
    return { out: byHost(out), ms: Date.now() - t0 };
  }

  beforeAll(async () => {
    expect(pwsh).toBeTruthy();
    env = await labEnv();
  });
  beforeEach(async () => {
    for (const n of PS) {
      await winFaultReset(n);
      await winReset(n);
      await winRebootSeconds(n, 2);
    }
    await winReset('pha-dns');
  });
  afterAll(async () => {
    for (const n of PS) {
      await winFaultReset(n).catch(() => undefined);
      await winReset(n).catch(() => undefined);
    }
    await winReset('pha-dns').catch(() => undefined);
  });

  describe('sessions', () => {
    let shell: PowerShellRemoteShell;
    beforeAll(() => {
      shell = new PowerShellRemoteShell({
        runner: new PowerShellRunner(exe),
        site: labSite('lab-lborg-dr.yaml'),
        ctx: ctx(),
        sshKeyPath: env.PRINTHA_SSH_KEY,
        knownHostsFile: env.PRINTHA_LAB_KNOWN_HOSTS,
        env: {},
      });
    });
    afterAll(async () => {
      await shell?.close();
    });
    const probe =
      "$o = [pscustomobject]@{ kind = 'probe'; host = [System.Net.Dns]::GetHostName(); runspace = [string][runspace]::DefaultRunspace.InstanceId; shim = [string](Get-Command -Name Get-NetAdapter).Source }\nConvertTo-Json -InputObject $o -Compress";

    it('one session per server, reused across steps; the stand-in module answers for the Windows cmdlets', async () => {
      const a = (await shell.invoke('PS1', probe, 60_000)) as Record<string, string>;
      const b = (await shell.invoke('PS1', probe, 60_000)) as Record<string, string>;
      const c = (await shell.invoke('PS2', probe, 60_000)) as Record<string, string>;
      expect(a).toMatchObject({ kind: 'probe', host: 'pha-ps1', shim: 'PrintHA.WindowsStandIn' });
      expect(c.host).toBe('pha-ps2');
      expect(b.runspace).toBe(a.runspace);
      expect(c.runspace).not.toBe(a.runspace);
    });

    it('runs scripts on several servers at the same time (remote jobs in the one shell)', async () => {
      const sleepy = "Start-Sleep -Seconds 3\nConvertTo-Json -InputObject ([pscustomobject]@{ kind = 'slept' }) -Compress";
      const t0 = Date.now();
      const res = await Promise.all([shell.invoke('PS1', sleepy, 60_000), shell.invoke('PS2', sleepy, 60_000)]);
      expect(res).toEqual([{ kind: 'slept' }, { kind: 'slept' }]);
      expect(Date.now() - t0).toBeLessThan(5_900);
    });

    it('a script that runs out of time is stopped; the next step reopens the session', async () => {
      const e = await shell.invoke('PS1', "Start-Sleep -Seconds 60\n'{}'", 3_000).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RemoteError);
      expect((e as RemoteError).kind).toBe('timeout');
      const again = (await shell.invoke('PS1', probe, 60_000)) as Record<string, string>;
      expect(again.host).toBe('pha-ps1');
    });

    it('a cmdlet called with a parameter Windows does not have is a binding error, as on a server', async () => {
      const script = [
        "$ErrorActionPreference = 'Stop'",
        "try { Get-NetAdapter -NoSuchParameter 1; $r = @{ kind = 'bound' } } catch { $r = @{ kind = 'error'; id = $_.FullyQualifiedErrorId } }",
        'ConvertTo-Json -InputObject $r -Compress',
      ].join('\n');
      const r = (await shell.invoke('PS1', script, 60_000)) as Record<string, string>;
      expect(r).toEqual({ kind: 'error', id: 'NamedParameterNotFound,Get-NetAdapter' });
    });
  });

  it('discovery returns the facts the stand-in holds; a differing printer share fires printer-shares-differ', async () => {
    const site = labSite('lab-lborg-dr.yaml');
    const r = resolveSite(site);
    const boot = await winBootTime('pha-ps1');
    await setShares('pha-ps2', DEFAULT_SHARES.slice(1));
    try {
      const facts = await engine().discover(r, ctx());
      const ps1 = facts.find((f) => f.label === 'PS1')!;
      expect(ps1).toMatchObject({ reachable: true, computerName: 'PHA-PS1', printServerRole: true, loopbackAdapter: null });
      expect([...(ps1.printerShares ?? [])].sort()).toEqual([...DEFAULT_SHARES].sort());
      expect(ps1.registry).toMatchObject({ disableLoopbackCheck: null, disableStrictNameChecking: null });
      // verify.ps1 reports the boot time to the second, as Win32_OperatingSystem does
      expect(Date.parse(ps1.lastBootTime!)).toBe(Math.floor(Date.parse(boot) / 1000) * 1000);
      expect(ps1.psVersion).toMatch(/^7\./);
      const ps2 = facts.find((f) => f.label === 'PS2')!;
      expect(ps2.printerShares).not.toContain(DEFAULT_SHARES[0]);
      const finding = runRules(site, { servers: facts }).find((f) => f.rule === 'printer-shares-differ');
      expect(finding, 'printer-shares-differ must fire').toBeDefined();
      expect(finding!.message).toContain('PS2');
      expect(finding!.message).toContain(DEFAULT_SHARES[0]!);
    } finally {
      await resetShares('pha-ps2');
    }
  });

  it('DR preparation from a clean stand-in, DNS record, rolling reboot one at a time; a second apply changes nothing', async () => {
    const first = await run('lab-lborg-dr.yaml');
    expect(first.out.PS1?.ok, first.out.PS1?.state).toBe(true);
    expect(first.out.PS2?.ok, first.out.PS2?.state).toBe(true);
    expect(first.out.dns?.ok, first.out.dns?.state).toBe(true);
    expect(first.out.PS1!.state).toMatch(/restarted \(one server at a time\) and back/);
    for (const n of PS) {
      // the loopback (KM-TEST) adapter with the VIP: on Linux the VIP on lo, not answered by ARP
      expect((await labExec(n, ['ip', '-4', 'addr', 'show', 'dev', 'lo'])).stdout).toContain(`${LAB_VIP}/32`);
      expect((await labExec(n, ['sysctl', '-n', 'net.ipv4.conf.all.arp_ignore'])).stdout.trim()).toBe('1');
      expect(await regValue(n, 'SYSTEM\\CurrentControlSet\\Control\\Lsa', 'DisableLoopbackCheck')).toBe(1);
      expect(await regValue(n, 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'DisableStrictNameChecking')).toBe(1);
      expect(await regValue(n, 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'OptionalNames')).toEqual(['Dispatcher']);
      // OptionalNames took effect at the (emulated) boot: Samba answers to the share name
      expect((await labExec(n, ['cat', '/etc/samba/aliases.conf'])).stdout).toMatch(/netbios aliases = .*Dispatcher/i);
      expect((await labExec(n, ['systemctl', 'is-active', 'nmbd'])).stdout.trim()).not.toBe('active');
    }
    const dig = await inClient(['dig', '+short', 'Dispatcher.lab.printha.test', '@10.99.0.53']);
    expect(dig.stdout.trim()).toBe(LAB_VIP);
    // never two servers down at once
    const [a, b] = [downIntervals(await winEvents('pha-ps1')), downIntervals(await winEvents('pha-ps2'))];
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]![1] < b[0]![0] || b[0]![1] < a[0]![0], `reboots overlap: ${JSON.stringify({ a, b })}`).toBe(true);

    const second = await run('lab-lborg-dr.yaml');
    for (const h of ['PS1', 'PS2']) {
      expect(second.out[h]?.ok, second.out[h]?.state).toBe(true);
      expect(second.out[h]!.changed).toBe(false);
      expect(second.out[h]!.state).toMatch(/already prepared: nothing to change/);
    }
    expect(second.out.dns!.changed).toBe(false);
    // no second restart
    expect(downIntervals(await winEvents('pha-ps1'))).toHaveLength(1);
  });

  it('SNAT preparation: registry and NetBIOS, no loopback adapter', async () => {
    const { out } = await run('lab-snat.yaml');
    expect(out.PS1?.ok, out.PS1?.state).toBe(true);
    expect(out.PS2?.ok, out.PS2?.state).toBe(true);
    for (const n of PS) {
      expect((await labExec(n, ['ip', '-4', 'addr', 'show', 'dev', 'lo'])).stdout).not.toContain(LAB_VIP);
      expect(await regValue(n, 'SYSTEM\\CurrentControlSet\\Control\\Lsa', 'DisableLoopbackCheck')).toBe(1);
      expect(await regValue(n, 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'OptionalNames')).toEqual(['Dispatcher']);
    }
  });

  it('a server that never comes back stops the rolling reboot; the next one is not restarted', async () => {
    await winFault('pha-ps1', 'reboot-never-returns', true);
    const eng = new WindowsServerEngine({
      found: exe,
      env: { PRINTHA_WINDOWS_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_WINDOWS_KNOWN_HOSTS: env.PRINTHA_LAB_KNOWN_HOSTS },
      rebootPollMs: 1_000,
      rebootTimeoutMs: 12_000,
    });
    const r = resolveSite(labSite('lab-snat.yaml'));
    const facts = await eng.discover(r, ctx());
    const out = byHost(await eng.apply(r, facts, ctx()));
    expect(out.PS1!.ok).toBe(false);
    expect(out.PS1!.state).toMatch(/restarted but NOT back/);
    expect(out.PS2!.ok).toBe(false);
    expect(out.PS2!.state).toMatch(/NOT restarted: the rolling reboot stopped at PS1/);
    expect((await winEvents('pha-ps2')).some((e) => e.event === 'reboot-requested')).toBe(false);
  });

  it('wrong credentials on one server, a failing step on the other: each outcome says what happened where', async () => {
    await winFault('pha-ps1', 'wrong-credentials', true);
    await winFault('pha-ps2', 'fail-cmdlet', true, 'Invoke-CimMethod'); // NetBIOS off (SetTcpipNetbios)
    const { out } = await run('lab-snat.yaml');
    expect(out.PS1!.ok).toBe(false);
    expect(out.PS1!.state).toMatch(/refused the SSH key/);
    expect(out.PS2!.ok).toBe(false);
    expect(out.PS2!.state).toMatch(/failed at step/);
    expect(out.dns?.ok, out.dns?.state).toBe(true);
  });

  it('an unreachable server is reported unreachable within seconds; the other is prepared', async () => {
    await winFault('pha-ps2', 'unreachable', true);
    const t0 = Date.now();
    const r = resolveSite(labSite('lab-snat.yaml'));
    const eng = engine();
    const facts = await eng.discover(r, ctx());
    expect(Date.now() - t0).toBeLessThan(60_000);
    const f2 = facts.find((f) => f.label === 'PS2')!;
    expect(f2.reachable).toBe(false);
    expect(f2.error).toMatch(/PS2 \(pha-ps2\.lab\.printha\.test\) does not answer PowerShell over SSH on port 22/);
    const out = byHost(await eng.apply(r, facts, ctx()));
    expect(out.PS1!.ok, out.PS1!.state).toBe(true);
    expect(out.PS2!.state).toMatch(/^not changed: /);
  });
});
