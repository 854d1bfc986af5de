/**
 * The REAL generated prepare.ps1 / verify.ps1 / dns/record.ps1 run under pwsh against the Windows
 * stand-in (no lab): the scripts run as the product runs them (the text as
 * [scriptblock]::Create), effects off, and the state files and the effect log show what Windows
 * would have done. The SetupAPI P/Invoke of prepare.ps1 really executes: without the native
 * stand-in library (built in the lab) it fails, so the test then writes the device record that
 * library would have written and runs prepare again.
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSite } from '../../../shared/model/resolve.js';
import { renderDnsRecordScript, renderPrepareScript, renderVerifyScript } from '../../../shared/render/powershell/index.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import { REPO } from './winshim-signatures.js';
import { makeState, runPwsh } from './winshim-pwsh.js';

type Step = { script: string } | { pwsh: string };
interface StepRec {
  step: string;
  status: string;
  before: unknown;
  after: unknown;
  message: string;
}
interface Prepare {
  kind: string;
  steps: StepRec[];
  changed: boolean;
  errors: string[];
}

function site(file: string) {
  const r = loadSiteYaml(readFileSync(join(REPO, 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.findings)}`);
  return resolveSite(r.site);
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const DEVICE = `$d = Join-Path $env:PRINTHA_WINSHIM_STATE devices; $null = New-Item -ItemType Directory -Force $d
Set-Content -LiteralPath (Join-Path $d 'loop-0001.json') -Value '{"hardwareId":"*MSLOOP","description":"Microsoft KM-TEST Loopback Adapter","classGuid":"{4d36e972-e325-11ce-bfc1-08002be10318}","created":"2025-01-01T00:00:00.000Z"}'
'device written'`;

function run(state: string, steps: Step[], env: Record<string, string> = {}): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'winshim-steps-'));
  const f = join(dir, 'steps.json');
  writeFileSync(f, JSON.stringify(steps));
  const out = runPwsh(join(import.meta.dirname, 'winshim-run.ps1'), [f], { PRINTHA_WINSHIM_STATE: state, ...env });
  return out
    .split('\n')
    .filter((l) => l.startsWith('@@STEP '))
    .map((l) => JSON.parse(l.slice(7)) as unknown);
}

const byName = (p: Prepare, n: string): StepRec => {
  const s = p.steps.find((x) => x.step === n);
  if (!s) throw new Error(`no step ${n} in ${p.steps.map((x) => x.step).join(' ')}`);
  return s;
};

describe('generated scripts against the Windows stand-in', () => {
  const dr = site('lab-lborg-dr.yaml');
  const snat = site('lab-snat.yaml');
  const first = (x: ReturnType<typeof site>) => {
    const s = x.site.servers[0];
    if (!s) throw new Error('the example site has no server');
    return s;
  };
  const label = first(dr).label;
  let drState: string;
  let r: unknown[];
  let snatR: unknown[];
  let snatState: string;
  let dnsR: unknown[];
  let dnsState: string;

  beforeAll(async () => {
    drState = makeState({ computerName: 'pha-ps1', role: 'print-server', address: first(dr).address });
    const printers = join(drState, 'printers.conf');
    writeFileSync(printers, '[Dispatcher]\n   comment = Dispatcher on %h\n   path = /var/spool/samba-lab\n   printable = yes\n\n');
    const prep = { script: b64(renderPrepareScript(dr, label)) };
    const state = `$n = Get-Content -Raw (Join-Path $env:PRINTHA_WINSHIM_STATE net.json) | ConvertFrom-Json
$r = Get-Content -Raw (Join-Path $env:PRINTHA_WINSHIM_STATE registry.json) | ConvertFrom-Json -AsHashtable
@{ net = $n; registry = $r; events = @(Get-Content (Join-Path $env:PRINTHA_WINSHIM_STATE events.log) | ConvertFrom-Json) }`;
    const boot = `Invoke-StandInBoot; Get-Content -Raw $env:PRINTHA_WINSHIM_ALIASES_CONF`;
    snatState = makeState({ computerName: 'pha-ps1', role: 'print-server', address: first(snat).address });
    dnsState = makeState({ computerName: 'pha-dns', role: 'dns-server', address: '10.99.0.53' });
    const hosts = join(dnsState, 'hosts');
    writeFileSync(hosts, '10.99.0.21\tpha-ps1.lab.printha.test pha-ps1\n');
    const env = { PRINTHA_WINSHIM_PRINTERS_CONF: printers, PRINTHA_WINSHIM_ALIASES_CONF: join(drState, 'aliases.conf') };
    // Three pwsh processes in parallel: each one pays pwsh's start-up once.
    const jobs = [
      () =>
        run(
          drState,
          [prep, { pwsh: DEVICE }, prep, prep, { script: b64(renderVerifyScript(dr, label)) }, { pwsh: state }, { pwsh: boot }],
          env,
        ),
      () =>
        run(snatState, [
          { script: b64(renderPrepareScript(snat, first(snat).label)) },
          { script: b64(renderPrepareScript(snat, first(snat).label)) },
        ]),
      () =>
        run(
          dnsState,
          [
            { script: b64(renderDnsRecordScript(dr)) },
            { script: b64(renderDnsRecordScript(dr)) },
            { pwsh: `Get-Content -Raw $env:PRINTHA_WINSHIM_DNS_HOSTS` },
          ],
          { PRINTHA_WINSHIM_DNS_HOSTS: hosts },
        ),
    ];
    const [a, b, c] = await Promise.all(jobs.map((j) => Promise.resolve().then(j)));
    r = a ?? [];
    snatR = b ?? [];
    dnsR = c ?? [];
  }, 600_000);

  it('DR prepare, first run: the SetupAPI call really runs and fails without the native stand-in; the rest changes', () => {
    const p = r[0] as Prepare;
    expect(p.kind).toBe('printha.prepare');
    const adapter = byName(p, 'loopback:adapter');
    expect(adapter.status).toBe('failed');
    // No setupapi library outside the lab: the P/Invoke cannot load it (pwsh's resolver reports the in-memory assembly's missing path).
    expect(adapter.message).toMatch(/Install|setupapi|DllNotFound|path1/i);
    for (const s of ['registry:DisableLoopbackCheck', 'registry:DisableStrictNameChecking', 'registry:OptionalNames', 'netbios:4']) {
      expect(byName(p, s).status, s).toBe('changed');
    }
  });

  it('DR prepare with the loopback device present: loopback steps change, a third run changes nothing', () => {
    expect(r[1]).toBe('device written');
    const second = r[2] as Prepare;
    expect(second.errors).toEqual([]);
    for (const s of [
      'loopback:name',
      'loopback:bindings',
      'loopback:address:10.99.0.10',
      'loopback:weakhost',
      'loopback:dns-registration',
    ]) {
      expect(byName(second, s).status, s).toBe('changed');
    }
    const third = r[3] as Prepare;
    expect(third.errors).toEqual([]);
    expect(third.changed).toBe(false);
    for (const s of third.steps) expect(s.status, s.step).toBe('unchanged');
  });

  it('the state holds what Windows would: loopback with the VIP /32 SkipAsSource, weak host, registry, NetBIOS 2 everywhere', () => {
    const st = r[5] as {
      net: {
        adapters: {
          name: string;
          ifIndex: number;
          description: string;
          netbios: number;
          ipInterface: { IPv4: Record<string, string> };
          bindings: Record<string, boolean>;
          dnsClient: Record<string, boolean>;
        }[];
        addresses: { ifIndex: number; ipAddress: string; prefixLength: number; skipAsSource: boolean }[];
      };
      registry: Record<string, Record<string, { type: string; value: unknown }>>;
      events: { event: string; cmd?: string }[];
    };
    const lb = st.net.adapters.find((a) => a.description === 'Microsoft KM-TEST Loopback Adapter');
    expect(lb?.name).toBe('loopback');
    const vip = st.net.addresses.find((a) => a.ipAddress === '10.99.0.10');
    expect(vip).toMatchObject({ ifIndex: lb?.ifIndex, prefixLength: 32, skipAsSource: true });
    expect(lb?.ipInterface.IPv4).toMatchObject({ WeakHostReceive: 'Enabled', WeakHostSend: 'Enabled', DadTransmits: '0' });
    expect(lb?.dnsClient.RegisterThisConnectionsAddress).toBe(false);
    expect(
      Object.entries(lb?.bindings ?? {})
        .filter(([, v]) => v)
        .map(([k]) => k)
        .sort(),
    ).toEqual(['ms_server', 'ms_tcpip']);
    expect(st.net.adapters.find((a) => a.name === 'Ethernet')?.ipInterface.IPv4.WeakHostReceive).toBe('Enabled');
    for (const a of st.net.adapters) expect(a.netbios, a.name).toBe(2);
    const reg = (k: string): Record<string, { type: string; value: unknown }> => st.registry[k] ?? {};
    expect(reg('SYSTEM\\CurrentControlSet\\Control\\Lsa').DisableLoopbackCheck).toEqual({ type: 'DWord', value: 1 });
    expect(reg('SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters').DisableStrictNameChecking).toEqual({
      type: 'DWord',
      value: 1,
    });
    expect(reg('SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters').OptionalNames).toEqual({
      type: 'MultiString',
      value: ['Dispatcher'],
    });
    const nbt = Object.entries(st.registry).filter(([k]) => /NetBT\\Parameters\\Interfaces\\Tcpip_/i.test(k));
    expect(nbt.length).toBe(2);
    for (const [, v] of nbt) expect(v.NetbiosOptions).toEqual({ type: 'DWord', value: 2 });
    const cmds = st.events.filter((e) => e.event === 'effect').map((e) => e.cmd);
    expect(cmds).toContain('ip addr add 10.99.0.10/32 dev lo');
    expect(cmds).toContain('sysctl -q -w net.ipv4.conf.all.arp_ignore=1');
    expect(cmds).toContain('sysctl -q -w net.ipv4.conf.all.arp_announce=2');
    expect(cmds).toContain('systemctl stop nmbd');
  });

  it('verify.ps1 reports the state', () => {
    const v = r[4] as {
      checks: { id: string; ok: boolean }[];
      registry: Record<string, unknown>;
      loopbackAdapter: { alias: string; addresses: string[] };
      printerShares: string[];
      errors: string[];
    };
    expect(v.errors).toEqual([]);
    expect(v.registry).toEqual({ disableLoopbackCheck: 1, disableStrictNameChecking: 1, optionalNames: ['Dispatcher'] });
    expect(v.loopbackAdapter.addresses).toContain('10.99.0.10');
    expect(v.printerShares).toEqual(['Dispatcher']);
    // Only the share name's DNS lookup fails here (no lab DNS); everything prepare set is verified.
    expect(v.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['dns:share-name']);
  });

  it('the emulated boot turns OptionalNames into Samba netbios aliases', () => {
    expect(r[6]).toBe('   netbios aliases = Dispatcher\n');
  });

  it('SNAT prepare: registry and NetBIOS, then unchanged', () => {
    const [a, b] = snatR as [Prepare, Prepare];
    expect(a.errors).toEqual([]);
    expect(a.steps.some((s) => s.step.startsWith('loopback'))).toBe(false);
    expect(byName(a, 'registry:OptionalNames').status).toBe('changed');
    for (const s of b.steps) expect(s.status, s.step).toBe('unchanged');
  });

  it('dns/record.ps1 on the DNS node: adds the A record to the hosts file once', () => {
    const [a, b, hosts] = dnsR as [{ steps: StepRec[]; errors: string[] }, { steps: StepRec[] }, string];
    const rec = a.steps.find((s) => s.step === 'dns:record');
    expect(rec?.status).toBe('changed');
    expect(b.steps.find((s) => s.step === 'dns:record')?.status).toBe('unchanged');
    expect(hosts).toContain('10.99.0.10\tdispatcher.lab.printha.test dispatcher');
    expect(hosts.match(/10\.99\.0\.10/g)?.length).toBe(1);
  });
});
