/**
 * Strictness of the Windows stand-in: what does not bind on Windows does not bind here either
 * (unknown parameters, parameters of two sets, bad enum values, extra positionals), and the
 * stand-in's own errors look like Windows' (category, FullyQualifiedErrorId, -ErrorAction).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MODULE_PSD1, makeState, runPwshCode } from './winshim-pwsh.js';

const CASES: Record<string, string> = {
  unknownNetAdapter: 'Get-NetAdapter -Bogus 1',
  unknownNetIP: 'New-NetIPAddress -IPAddress 10.0.0.1 -InterfaceIndex 4 -Netmask 255.255.255.0',
  unknownDns: 'Add-DnsServerResourceRecordA -ZoneName z -Name n -IPv4Address 10.0.0.1 -Ttl 5',
  unknownRestart: 'Restart-Computer -Reason x',
  unknownCim: 'Get-CimInstance -ClassName Win32_OperatingSystem -Computer x -Bogus',
  twoSetsNetAdapter: 'Get-NetAdapter -Name Ethernet -InterfaceIndex 4',
  twoSetsNetIP: 'New-NetIPAddress -IPAddress 10.0.0.1 -InterfaceIndex 4 -InterfaceAlias Ethernet',
  twoSetsCim: "Get-CimInstance -ClassName Win32_OperatingSystem -Query 'SELECT * FROM Win32_OperatingSystem'",
  twoSetsTestPath: 'Test-Path -Path a -LiteralPath b',
  twoSetsDnsRecord: 'Get-DnsServerResourceRecord -ZoneName z -Type 1 -RRType A',
  badEnum: 'Set-NetIPInterface -InterfaceIndex 4 -WeakHostSend Sometimes',
  badValidateSet: 'Get-DnsServerResourceRecord -ZoneName z -RRType Bogus',
  extraPositional: 'Get-NetAdapter Ethernet Extra',
};

describe('Windows stand-in strictness', () => {
  let res: Record<string, { id: string; type: string; message: string; category: string } | undefined>;
  beforeAll(() => {
    const state = makeState({ computerName: 'pha-ps1', role: 'print-server', address: '10.99.0.21' });
    const code = `$ErrorActionPreference = 'Stop'
Import-Module '${MODULE_PSD1}'
$cases = ConvertFrom-Json -AsHashtable @'
${JSON.stringify({
  ...CASES,
  notFound: 'Get-NetAdapter -Name nope',
  notFoundQuiet: "@(Get-NetAdapter -Name nope -ErrorAction SilentlyContinue).Count -eq 0 -and $(throw 'quiet ok')",
  fault:
    "Set-Content (Join-Path $env:PRINTHA_WINSHIM_STATE 'faults/fail-cmdlet') 'Get-NetIPInterface'; try { Get-NetIPInterface } finally { Remove-Item (Join-Path $env:PRINTHA_WINSHIM_STATE 'faults/fail-cmdlet') }",
  regMissing: "Get-ItemProperty -Path 'HKLM:\\SYSTEM\\Nope'",
  svcMissing: 'Get-Service -Name Nope',
})}
'@
$out = @{}
foreach ($k in $cases.Keys) {
  try { $null = & ([scriptblock]::Create($cases[$k])); $out[$k] = @{ id = 'no error' } }
  catch { $out[$k] = @{ id = $_.FullyQualifiedErrorId; type = $_.Exception.GetType().Name; message = $_.Exception.Message; category = [string]$_.CategoryInfo.Category } }
}
ConvertTo-Json -Compress -InputObject $out`;
    res = JSON.parse(runPwshCode(code, { PRINTHA_WINSHIM_STATE: state })) as typeof res;
  }, 180_000);

  for (const k of Object.keys(CASES).filter((x) => x.startsWith('unknown'))) {
    it(`unknown parameter: ${CASES[k]}`, () => {
      expect(res[k]?.type).toBe('ParameterBindingException');
      expect(res[k]?.id).toMatch(/^NamedParameterNotFound,/);
    });
  }
  for (const k of Object.keys(CASES).filter((x) => x.startsWith('twoSets'))) {
    it(`parameters of two sets: ${CASES[k]}`, () => {
      expect(res[k]?.type).toBe('ParameterBindingException');
      expect(res[k]?.id).toMatch(/^AmbiguousParameterSet,/);
    });
  }
  it('a value outside the documented enum / ValidateSet does not bind', () => {
    expect(res.badEnum?.id).toMatch(/^(CannotConvertArgumentNoMessage|ParameterArgumentTransformationError),Set-NetIPInterface$/);
    expect(res.badValidateSet?.id).toMatch(/^ParameterArgumentValidationError,Get-DnsServerResourceRecord$/);
  });
  it('only documented positions bind', () => {
    expect(res.extraPositional?.id).toMatch(/^PositionalParameterNotFound,Get-NetAdapter$/);
  });
  it("no match: Windows' ObjectNotFound error, silenced by -ErrorAction SilentlyContinue", () => {
    expect(res.notFound).toMatchObject({
      id: 'CmdletizationQuery_NotFound_Name,Get-NetAdapter',
      category: 'ObjectNotFound',
      message: "No MSFT_NetAdapter objects found with property 'Name' equal to 'nope'.  Verify the value of the property and retry.",
    });
    expect(res.notFoundQuiet?.message).toBe('quiet ok');
    expect(res.regMissing).toMatchObject({ id: 'PathNotFound,Get-ItemProperty', category: 'ObjectNotFound' });
    expect(res.svcMissing).toMatchObject({ id: 'NoServiceFoundForGivenName,Get-Service', category: 'ObjectNotFound' });
  });
  it('the fail-cmdlet fault makes that cmdlet throw a Windows-like terminating error', () => {
    expect(res.fault?.message).toBe("Get-NetIPInterface: the stand-in's fail-cmdlet fault is on");
    expect(res.fault?.id).toMatch(/,Get-NetIPInterface$/);
  });
});
