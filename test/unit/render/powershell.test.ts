import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPs3, pwshParseMany } from '../../../electron/core/powershell/ps3lint.js';
import { requirePwsh } from '../../support/pwsh.js';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { dnsRecordManualStep, renderDnsRecordScript } from '../../../shared/render/powershell/dns.js';
import { renderPowerShellArtifacts } from '../../../shared/render/powershell/index.js';
import { prepareConfig, renderPrepareScript } from '../../../shared/render/powershell/prepare.js';
import { renderVerifyScript } from '../../../shared/render/powershell/verify.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import { SiteSchema, type Site } from '../../../shared/site/schema.js';

function site(file: string): ResolvedSite {
  const lr = loadSiteYaml(readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8'));
  if (!lr.ok) throw new Error(`${file}: ${JSON.stringify(lr.findings)}`);
  return resolveSite(lr.site);
}

function ipv6Site(): ResolvedSite {
  return resolveSite(
    SiteSchema.parse({
      version: 1,
      name: 'IPv6 DR',
      profile: 'dispatcher-phoenix',
      mode: 'dr',
      vip: '2001:db8:81::10',
      shareName: 'Dispatcher',
      network: { prefixLength: 64 },
      dns: { server: '2001:db8:81::5', zone: 'corp.example.com', serverName: 'dc1.corp.example.com' },
      balancer: { platform: 'linux-haproxy', primary: { address: '2001:db8:81::20', name: 'lb1' } },
      servers: [
        { label: 'PS1', address: '2001:db8:81::184' },
        { label: 'PS2', address: '2001:db8:81::185' },
      ],
      windows: { transport: 'winrm', user: 'CORP\\deploy' },
    }),
  );
}

/** The base64 JSON blob of a generated script, decoded. */
function blob(script: string): unknown {
  const m = /FromBase64String\('([A-Za-z0-9+/=]+)'\)/.exec(script);
  if (!m) throw new Error('no config blob');
  const bin = atob(m[1]!);
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}

/** The script without the blob line: the code every site shares. */
function code(script: string): string {
  return script.replace(/FromBase64String\('[A-Za-z0-9+/=]+'\)/, "FromBase64String('')");
}

const SITES: [string, () => ResolvedSite][] = [
  ['phoenix-dr.yaml', () => site('phoenix-dr.yaml')],
  ['phoenix-snat.yaml', () => site('phoenix-snat.yaml')],
  ['paragon.yaml', () => site('paragon.yaml')],
  ['lab-lborg-dr.yaml', () => site('lab-lborg-dr.yaml')],
  ['IPv6 VIP (DR)', ipv6Site],
];

describe('generated PowerShell parses and is PowerShell 3.0 compatible', () => {
  for (const [name, mk] of SITES) {
    it(`${name}: every script has zero tree-sitter errors and zero PS 3.0 violations`, async () => {
      const arts = renderPowerShellArtifacts(mk());
      const r = mk();
      expect(arts.map((a) => a.path).sort()).toEqual(
        [...r.site.servers.flatMap((s) => [`servers/${s.label}/prepare.ps1`, `servers/${s.label}/verify.ps1`]), 'dns/record.ps1'].sort(),
      );
      for (const a of arts) {
        const res = await lintPs3(a.content);
        expect({ path: a.path, ...res }).toEqual({ path: a.path, parseErrors: [], violations: [] });
      }
    });
  }
});

const pwsh = requirePwsh();

describe('generated PowerShell and PowerShell\'s own parser', () => {
  it('every generated script parses with [Parser]::ParseFile without errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-ps-render-'));
    const files: string[] = [];
    for (const [name, mk] of SITES) {
      for (const a of renderPowerShellArtifacts(mk())) {
        const file = join(dir, `${name.replace(/\W/g, '_')}-${a.path.replace(/\//g, '_')}`);
        writeFileSync(file, a.content);
        files.push(file);
      }
    }
    const errors = await pwshParseMany(files, pwsh);
    expect(Object.keys(errors).sort()).toEqual([...files].sort());
    for (const f of files) expect({ file: f, errors: errors[f] }).toEqual({ file: f, errors: [] });
  }, 180_000);
});

describe('one JSON object, no exit, no host output', () => {
  for (const [name, mk] of SITES) {
    it(`${name}: exactly one ConvertTo-Json, as the last statement; no exit / Write-Host / Write-Output`, () => {
      for (const a of renderPowerShellArtifacts(mk())) {
        const lines = a.content.split('\n').filter((l) => l.trim() !== '');
        expect(a.content.match(/ConvertTo-Json/g)?.length, a.path).toBe(1);
        expect(lines.at(-1)).toMatch(/^ConvertTo-Json -InputObject \$\w+ -Depth 6 -Compress$/);
        expect(a.content).not.toMatch(/^\s*exit\b/m);
        expect(a.content).not.toMatch(/Write-Host|Write-Output|Out-Host|Format-Table/);
        expect(a.content).toMatch(/^\$ErrorActionPreference = 'Stop'$/m);
      }
    });
  }
});

describe('prepare.ps1', () => {
  it('DR scripts contain the loopback steps, SNAT scripts do not', () => {
    const dr = renderPrepareScript(site('phoenix-dr.yaml'), 'PS1');
    const snat = renderPrepareScript(site('phoenix-snat.yaml'), 'PS1');
    for (const step of ['loopback:adapter', 'loopback:name', 'loopback:bindings', 'loopback:address:', 'loopback:weakhost', 'lan:weakhost:', 'lan:no-vip']) {
      expect(dr).toContain(`'${step}`);
      expect(snat).not.toContain(`'${step}`);
    }
    for (const s of [dr, snat]) {
      for (const step of ['registry:OptionalNames', 'netbios:']) expect(s).toContain(`'${step}`);
    }
    expect(snat).not.toMatch(/LoopbackInstaller|Set-NetIPInterface|New-NetIPAddress|KM-TEST/);
  });

  it('installs the loopback without devcon (SetupAPI P/Invoke via Add-Type) and guards against double Add-Type', () => {
    const dr = renderPrepareScript(site('phoenix-dr.yaml'), 'PS1');
    expect(dr).not.toMatch(/devcon|chocolatey/i);
    expect(dr).toContain('SetupDiCreateDeviceInfoW');
    expect(dr).toContain('DIF_REGISTERDEVICE = 0x19');
    expect(dr).toContain('UpdateDriverForPlugAndPlayDevicesW');
    expect(dr).toContain("if (-not ('PrintHA.LoopbackInstaller' -as [type])) { Add-Type");
    expect(dr).toContain("$_.InterfaceDescription -like ($cfg.loopback.description + '*')");
  });

  it('weak host and addresses always name one interface (Set-NetIPInterface without one changes ALL interfaces)', () => {
    const dr = renderPrepareScript(site('phoenix-dr.yaml'), 'PS1');
    const sets = dr.split('\n').filter((l) => /\bSet-NetIPInterface\b/.test(l));
    expect(sets.length).toBe(2);
    for (const l of sets) expect(l).toMatch(/-InterfaceIndex \$(lb\.ifIndex|idx) -AddressFamily \$cfg\.addressFamily/);
    expect(dr).toContain('-WeakHostReceive Enabled -WeakHostSend Enabled -DadTransmits 0');
    expect(dr).toMatch(/New-NetIPAddress -InterfaceIndex \$lb\.ifIndex -IPAddress \$vip -PrefixLength \(\[byte\]\$cfg\.loopback\.prefixLength\) -AddressFamily \$cfg\.addressFamily -SkipAsSource \$true/);
    // The LAN NIC is found by the server's own address, never by a fixed name such as "net".
    expect(dr).toContain('foreach ($addr in @($cfg.lanAddresses))');
    expect(dr).not.toMatch(/InterfaceAlias\s+'?net'?\b/);
  });

  it('the config blob decodes to the expected JSON (IPv4 DR)', () => {
    const r = site('phoenix-dr.yaml');
    const s = renderPrepareScript(r, 'PS2');
    expect(blob(s)).toEqual({
      kind: 'printha.prepare',
      server: { label: 'PS2', address: '192.168.81.185', hostname: 'ps2.corp.example.com' },
      mode: 'dr',
      dryRun: false,
      vips: ['192.168.81.10'],
      addressFamily: 'IPv4',
      shareNames: ['Dispatcher'],
      lanAddresses: ['192.168.81.185'],
      loopback: {
        name: 'loopback',
        description: 'Microsoft KM-TEST Loopback Adapter',
        hardwareId: '*MSLOOP',
        inf: 'netloop.inf',
        prefixLength: 32,
        keepBindings: ['ms_tcpip', 'ms_server'],
      },
    });
    expect(blob(s)).toEqual(prepareConfig(r, 'PS2'));
  });

  it('IPv6 VIP: /128 on the loopback, IPv6 address family and binding', () => {
    const cfg = blob(renderPrepareScript(ipv6Site(), 'PS1')) as ReturnType<typeof prepareConfig>;
    expect(cfg.addressFamily).toBe('IPv6');
    expect(cfg.loopback).toMatchObject({ prefixLength: 128, keepBindings: ['ms_tcpip6', 'ms_server'] });
    expect(cfg.vips).toEqual(['2001:db8:81::10']);
  });

  it('SNAT config has no loopback; dryRun and loopback name are options', () => {
    const r = site('phoenix-snat.yaml');
    expect((blob(renderPrepareScript(r, 'PS1')) as { loopback: unknown }).loopback).toBeNull();
    const dr = site('phoenix-dr.yaml');
    const cfg = blob(renderPrepareScript(dr, 'PS1', { dryRun: true, loopbackName: 'Loopback-VIP' })) as ReturnType<typeof prepareConfig>;
    expect(cfg.dryRun).toBe(true);
    expect(cfg.loopback?.name).toBe('Loopback-VIP');
    expect(() => renderPrepareScript(dr, 'PS1', { loopbackName: 'lo*' })).toThrow(/loopback adapter name/);
  });

  it('dry run: -DryRun switch and cfg.dryRun both lead to would-change, never to a change', () => {
    const s = renderPrepareScript(site('phoenix-dr.yaml'), 'PS1');
    expect(s).toMatch(/param\(\n {2}\[switch\]\$DryRun\n\)/);
    expect(s).toContain('dryRun = [bool]$DryRun.IsPresent');
    expect(s).toContain('if ($cfg.dryRun) { $printha.dryRun = $true }');
    // Every change is preceded by the dry-run exit and the admin assertion.
    const changes = s.split('\n').filter((l) => /\$s\.status = 'changed'/.test(l)).length;
    const asserts = s.split('\n').filter((l) => /^\s*Assert-PrintHAAdmin$/.test(l)).length;
    const dryExits = s.split('\n').filter((l) => /if \(\$printha\.dryRun\) \{ \$s\.status = 'would-change'/.test(l) || /^\s*if \(\$printha\.dryRun\) \{$/.test(l)).length;
    expect(changes).toBeGreaterThanOrEqual(10);
    expect(asserts).toBe(changes);
    expect(dryExits).toBe(changes);
  });

  it('OptionalNames: merged into the existing names (never replaced), case-insensitive dedupe, REG_MULTI_SZ', () => {
    const s = renderPrepareScript(site('phoenix-snat.yaml'), 'PS1');
    expect(s).toContain("$cur = Get-PrintHARegValue $srvKey 'OptionalNames'");
    expect(s).toContain('foreach ($n in (@($raw) + @($cfg.shareNames))) {');
    expect(s).toContain('[string]::Equals([string]$m, $t, [System.StringComparison]::OrdinalIgnoreCase)');
    expect(s).toContain("$k.SetValue('OptionalNames', [string[]]$merged.ToArray(), [Microsoft.Win32.RegistryValueKind]::MultiString)");
    // No other write of OptionalNames exists.
    expect(s.match(/SetValue\('OptionalNames'/g)?.length).toBe(1);
  });

  it('registry DWORDs, NetBIOS per interface (CIM SetTcpipNetbios 2) and rebootRequired, never a reboot', () => {
    const s = renderPrepareScript(site('phoenix-snat.yaml'), 'PS1');
    expect(s).toContain("@{ key = $lsaKey; name = 'DisableLoopbackCheck' }");
    expect(s).toContain("@{ key = $srvKey; name = 'DisableStrictNameChecking' }");
    expect(s).toContain("$lsaKey = 'SYSTEM\\CurrentControlSet\\Control\\Lsa'");
    expect(s).toContain("$srvKey = 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters'");
    expect(s).toContain("Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE'");
    expect(s).toContain('Invoke-CimMethod -InputObject $na -MethodName SetTcpipNetbios -Arguments @{ TcpipNetbiosOptions = [uint32]2 }');
    expect(s).toContain("Invoke-PrintHAStep ('netbios:' + $na.InterfaceIndex)");
    expect(s).toContain('$printha.rebootRequired = $true');
    expect(s).not.toMatch(/Restart-Computer|shutdown(\.exe)?\s|Restart-Service/i);
  });

  it('a failing step is recorded and later steps still run (try/catch per step)', () => {
    const s = renderPrepareScript(site('phoenix-dr.yaml'), 'PS1');
    expect(s).toMatch(/function Invoke-PrintHAStep \{[\s\S]*?try \{\n\s+\$null = & \$PhaStepBody \$phaRec\n\s+\} catch \{\n\s+\$phaRec\.status = 'failed'/);
    expect(s).toContain("[void]$printha.errors.Add($PhaStepName + ': ' + [string]$_.Exception.Message)");
  });

  it('throws a clear error for an unknown server label', () => {
    expect(() => renderPrepareScript(site('phoenix-dr.yaml'), 'PS9')).toThrow(/no server with label "PS9".*servers: PS1, PS2/);
  });
});

describe('site values never reach code', () => {
  const evil = `Disp'at"ch$(Remove-Item C:\\ -Recurse)\`;exit`;
  function adversarial(): ResolvedSite {
    // The schema forbids these values; the renderer must still be safe if handed them directly.
    const r = site('phoenix-dr.yaml');
    const s: Site = structuredClone(r.site);
    s.shareName = evil;
    s.servers[0]!.label = `PS1'; Remove-Item C:\\; '`;
    s.servers[0]!.hostname = '$(calc)';
    s.vip = '192.168.81.10';
    s.dns = { server: '192.168.81.5', zone: "corp'$(x).example.com" };
    return { ...r, site: s };
  }

  it('adversarial share name, label, zone: only inside the base64 blob', async () => {
    const r = adversarial();
    const label = r.site.servers[0]!.label;
    const scripts = [renderPrepareScript(r, label), renderVerifyScript(r, label), renderDnsRecordScript(r)];
    for (const s of scripts) {
      const c = code(s);
      for (const bad of ['Remove-Item C:', '$(calc)', "Disp'at", 'ch$(', "'$(x)", '; exit']) expect(c).not.toContain(bad);
      const res = await lintPs3(s);
      expect(res).toEqual({ parseErrors: [], violations: [] });
    }
    const p = blob(scripts[0]!) as ReturnType<typeof prepareConfig>;
    expect(p.shareNames).toEqual([evil]);
    expect(p.server.label).toBe(label);
    expect(p.server.hostname).toBe('$(calc)');
    expect((blob(scripts[2]!) as { name: string; zone: string }).zone).toBe("corp'$(x).example.com");
  });

  it('the code text is identical for two different sites of the same mode (only the blob differs)', () => {
    const a = renderPrepareScript(site('phoenix-dr.yaml'), 'PS1');
    const b = renderPrepareScript(site('lab-lborg-dr.yaml'), 'PS2');
    expect(a).not.toBe(b);
    expect(code(a)).toBe(code(b));
    const va = renderVerifyScript(site('phoenix-snat.yaml'), 'PS1');
    const vb = renderVerifyScript(site('paragon.yaml'), 'SPOC2');
    expect(code(va)).toBe(code(vb));
  });

  it('non-ASCII values survive the UTF-8 base64 round trip', () => {
    const r = site('phoenix-snat.yaml');
    const s: Site = structuredClone(r.site);
    s.shareName = 'Drücker‘Ω’';
    expect((blob(renderPrepareScript({ ...r, site: s }, 'PS1')) as { shareNames: string[] }).shareNames).toEqual(['Drücker‘Ω’']);
  });
});

describe('verify.ps1', () => {
  it('is read-only: no Set-/New-/Remove-/Add-/Enable-/Disable-/Rename-/Invoke-CimMethod and no registry writes', () => {
    for (const [, mk] of SITES) {
      const r = mk();
      const s = renderVerifyScript(r, r.site.servers[0]!.label);
      expect(s).not.toMatch(/\b(Set|New|Remove|Add|Enable|Disable|Rename|Restart|Stop|Start)-(Net|Item|DnsClient|Service|Computer|Printer)/);
      expect(s).not.toMatch(/Invoke-CimMethod|SetValue\(|CreateSubKey\(|Add-Type/);
      expect(s).not.toContain('Open-PrintHARegKeyForWrite');
    }
  });

  it('collects every ServerFacts field and the expected-value checks', () => {
    const s = renderVerifyScript(site('phoenix-dr.yaml'), 'PS1');
    for (const f of ['label', 'reachable', 'computerName', 'domainMember', 'domain', 'printServerRole', 'printerShares', 'productServices', 'nics', 'registry', 'loopbackAdapter', 'pendingReboot', 'psVersion', 'lastBootTime', 'checks', 'errors'])
      expect(s).toContain(`$facts['${f}']`);
    for (const api of [
      'Get-CimInstance -ClassName Win32_ComputerSystem',
      "Get-WindowsFeature -Name 'Print-Server'",
      "Get-Service -Name 'Spooler'",
      'Get-Printer | Where-Object { $_.Shared }',
      'Get-NetIPInterface -InterfaceIndex $idx -AddressFamily $cfg.addressFamily',
      'Component Based Servicing\\RebootPending',
      'WindowsUpdate\\Auto Update\\RebootRequired',
      "'PendingFileRenameOperations'",
      '$PSVersionTable.PSVersion.ToString()',
      'LastBootUpTime',
    ])
      expect(s).toContain(api);
    for (const check of ['domain-member', 'print-server-role', 'printer-shares', 'product-services', 'registry:DisableLoopbackCheck', 'registry:DisableStrictNameChecking', "('registry:OptionalNames:'", "('netbios:'", 'loopback:present', 'loopback:weakhostsend', "('lan:weakhostreceive:'"])
      expect(s).toContain(check.startsWith("('") ? check : `'${check}'`);
  });

  it('carries the profile service patterns and the share FQDN in its config', () => {
    const cfg = blob(renderVerifyScript(site('paragon.yaml'), 'SPOC1')) as { servicePatterns: string[]; shareFqdn: string; mode: string };
    expect(cfg.servicePatterns).toEqual(['SafeQ*', 'YSoft*', 'Dispatcher Paragon*', 'SPOC*']);
    expect(cfg.shareFqdn).toBe('SafeQ.corp.example.com');
    expect(cfg.mode).toBe('snat');
  });
});

describe('dns/record.ps1', () => {
  it('A record for IPv4: checks first, refuses to replace, then Add-DnsServerResourceRecordA against -ComputerName', () => {
    const s = renderDnsRecordScript(site('phoenix-dr.yaml'));
    expect(s).toContain('Get-DnsServerResourceRecord -ComputerName $cfg.computerName -ZoneName $cfg.zone -Name $cfg.name');
    expect(s).toContain('Add-DnsServerResourceRecordA @addArgs');
    expect(s).toContain("PrintHA does not replace DNS records");
    expect(s).toContain('Resolve-DnsName -Name $fqdn -Type $rrType -Server $cfg.serverAddress -DnsOnly -NoHostsFile');
    expect(s).not.toMatch(/^\s*(Remove|Set)-DnsServerResourceRecord/m);
    expect(blob(s)).toMatchObject({ manual: false, zone: 'corp.example.com', name: 'Dispatcher', vip: '192.168.81.10', recordType: 'A', computerName: '192.168.81.5', serverAddress: '192.168.81.5' });
  });

  it('AAAA for an IPv6 VIP, -ComputerName prefers the DNS server host name', () => {
    const s = renderDnsRecordScript(ipv6Site());
    expect(blob(s)).toMatchObject({ recordType: 'AAAA', vip: '2001:db8:81::10', computerName: 'dc1.corp.example.com', serverAddress: '2001:db8:81::5' });
    expect(s).toContain('Add-DnsServerResourceRecordAAAA @addArgs');
  });

  it('without a dns section the script still renders and documents the manual step', async () => {
    const r = site('phoenix-dr.yaml');
    const s: Site = structuredClone(r.site);
    delete s.dns;
    const rr = { ...r, site: s };
    const script = renderDnsRecordScript(rr);
    const cfg = blob(script) as { manual: boolean; manualText: string; zone: unknown };
    expect(cfg.manual).toBe(true);
    expect(cfg.zone).toBeNull();
    expect(cfg.manualText).toBe(dnsRecordManualStep(rr));
    expect(dnsRecordManualStep(rr)).toMatch(/host \(A\) record "Dispatcher" pointing at the VIP 192\.168\.81\.10.*no dns section/);
    expect(await lintPs3(script)).toEqual({ parseErrors: [], violations: [] });
    expect(dnsRecordManualStep(r)).toMatch(/zone corp\.example\.com on 192\.168\.81\.5/);
  });
});
