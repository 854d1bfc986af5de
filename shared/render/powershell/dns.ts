/**
 * dns/record.ps1: the DNS host record for the share name -> VIP (seed 000 §10.1 step 4 / §11.1 step 3:
 * "A DNS Host (A) record for the printer share name that points at the VIP is required").
 *
 * Runs where the DnsServer module exists (the DNS server itself, or a machine with RSAT-DNS-Server) and
 * targets the DNS server with -ComputerName, so it never needs a second WinRM hop.
 *  dns:module   Get-Command Get-DnsServerResourceRecord (DnsServer module present)
 *  dns:zone     Get-DnsServerZone -ComputerName -Name (zone exists, server reachable)
 *  dns:record   Get-DnsServerResourceRecord -ComputerName -ZoneName -Name; unchanged when the A (AAAA)
 *               record already holds only the VIP; an error when the name points elsewhere or is a CNAME
 *               (never silently replaced); else Add-DnsServerResourceRecordA -IPv4Address
 *               (Add-DnsServerResourceRecordAAAA -IPv6Address for an IPv6 VIP)
 *  dns:resolve  Resolve-DnsName -Server -DnsOnly -NoHostsFile (DnsClient module, 2012+): the name
 *               answers with the VIP
 * Without a `dns` section in the site the script still renders, changes nothing and returns the manual
 * step (the zone is unknown); dnsRecordManualStep gives the same text for the runbook.
 */
import type { ResolvedSite } from '../../model/resolve.js';
import { addressFamilyOf, cfgLine, prelude, PS_HELPERS } from './common.js';

export interface DnsOptions {
  dryRun?: boolean;
}

export interface DnsConfig {
  kind: 'printha.dns';
  manual: boolean;
  manualText: string;
  dryRun: boolean;
  zone: string | null;
  name: string;
  vip: string;
  recordType: 'A' | 'AAAA';
  /** -ComputerName for the DnsServer cmdlets: the DNS server's host name when known (Kerberos), else its address. */
  computerName: string | null;
  /** The DNS server's address, for Resolve-DnsName -Server. */
  serverAddress: string | null;
}

/** The manual DNS step, for the runbook and for sites without a `dns` section. */
export function dnsRecordManualStep(r: ResolvedSite): string {
  const type = addressFamilyOf(r.site.vip) === 'IPv6' ? 'AAAA' : 'A';
  const name = r.site.shareName;
  const vip = r.site.vip;
  if (!r.site.dns) {
    return (
      `Create a DNS host (${type}) record "${name}" pointing at the VIP ${vip} in the zone your clients use ` +
      `(the site file has no dns section, so PrintHA does not know the zone or the DNS server). ` +
      `On the DNS server: Add-DnsServerResourceRecord${type} -ZoneName <zone> -Name ${name} -${type === 'A' ? 'IPv4' : 'IPv6'}Address ${vip}. ` +
      `Then check from a client: Resolve-DnsName ${name}.<zone> -DnsOnly must return ${vip} only. ` +
      `Add a dns section (server, zone) to the site file to let PrintHA create and check it.`
    );
  }
  const zone = r.site.dns.zone.replace(/\.$/, '');
  const server = r.site.dns.serverName ?? r.site.dns.server;
  return (
    `Create a DNS host (${type}) record "${name}" in zone ${zone} on ${server} pointing at the VIP ${vip}: ` +
    `Add-DnsServerResourceRecord${type} -ComputerName ${server} -ZoneName ${zone} -Name ${name} -${type === 'A' ? 'IPv4' : 'IPv6'}Address ${vip} ` +
    `(dns/record.ps1 does this and refuses to replace a record that points elsewhere). ` +
    `Check: Resolve-DnsName ${name}.${zone} -Server ${r.site.dns.server} -DnsOnly must return ${vip} only.`
  );
}

export function dnsConfig(r: ResolvedSite, opts: DnsOptions = {}): DnsConfig {
  const dns = r.site.dns;
  return {
    kind: 'printha.dns',
    manual: !dns,
    manualText: dnsRecordManualStep(r),
    dryRun: opts.dryRun ?? false,
    zone: dns ? dns.zone.replace(/\.$/, '') : null,
    name: r.site.shareName,
    vip: r.site.vip,
    recordType: addressFamilyOf(r.site.vip) === 'IPv6' ? 'AAAA' : 'A',
    computerName: dns ? (dns.serverName ?? dns.server) : null,
    serverAddress: dns ? dns.server : null,
  };
}

const DNS_BODY = String.raw`
  if ($cfg.dryRun) { $printha.dryRun = $true }
  $printha.recordPlanned = $false
  $printha.moduleOk = $false
  $printha.zoneOk = $false
  $rrType = [string]$cfg.recordType
  $fqdn = [string]$cfg.name + '.' + [string]$cfg.zone

  if ($cfg.manual) {
    Invoke-PrintHAStep 'dns:record' {
      param($s)
      $s.status = 'skipped'
      $s.message = [string]$cfg.manualText
    }
  } else {
    Invoke-PrintHAStep 'dns:module' {
      param($s)
      $s.after = 'DnsServer module'
      if ($null -eq (Get-Command -Name 'Get-DnsServerResourceRecord' -ErrorAction SilentlyContinue)) {
        # Installed but not loading (a broken RSAT install) says why; absent says how to get it.
        $why = ''
        if ($null -ne (Get-Module -ListAvailable -Name 'DnsServer')) {
          try { Import-Module -Name 'DnsServer' -ErrorAction Stop } catch { $why = ' (the module is installed but does not load: ' + [string]$_.Exception.Message + ')' }
        }
        if ($null -eq (Get-Command -Name 'Get-DnsServerResourceRecord' -ErrorAction SilentlyContinue)) {
          throw ('the DnsServer PowerShell module is not available here' + $why + ': run dns/record.ps1 on the DNS server, or install the DNS server tools (Install-WindowsFeature RSAT-DNS-Server)')
        }
      }
      $s.before = 'DnsServer module'
      $printha.moduleOk = $true
    }

    Invoke-PrintHAStep 'dns:zone' {
      param($s)
      if (-not $printha.moduleOk) { $s.status = 'skipped'; $s.message = 'DnsServer module missing'; return }
      $s.after = [string]$cfg.zone
      try {
        $z = Get-DnsServerZone -ComputerName $cfg.computerName -Name $cfg.zone
      } catch {
        throw ('zone ' + $cfg.zone + ' not found or DNS server ' + $cfg.computerName + ' not reachable (' + $_.Exception.Message + '): check dns.zone and dns.server / dns.serverName in the site file and that your account may manage DNS')
      }
      $s.before = [string]$z.ZoneName
      $printha.zoneOk = $true
    }

    Invoke-PrintHAStep 'dns:record' {
      param($s)
      if (-not $printha.zoneOk) { $s.status = 'skipped'; $s.message = 'zone not available (see dns:zone)'; return }
      $s.after = $rrType + ' ' + $fqdn + ' -> ' + [string]$cfg.vip
      $recs = @(Get-DnsServerResourceRecord -ComputerName $cfg.computerName -ZoneName $cfg.zone -Name $cfg.name -ErrorAction SilentlyContinue)
      $cnames = @($recs | Where-Object { [string]$_.RecordType -eq 'CNAME' })
      if ($cnames.Count -gt 0) {
        $s.before = 'CNAME ' + [string]$cnames[0].RecordData.HostNameAlias
        throw ($fqdn + ' is a CNAME to ' + [string]$cnames[0].RecordData.HostNameAlias + ': PrintHA does not replace it. Remove the CNAME (Remove-DnsServerResourceRecord) if the share name should point at the VIP, then run again')
      }
      $mine = @($recs | Where-Object { [string]$_.RecordType -eq $rrType })
      $ips = @()
      foreach ($rec in $mine) {
        if ($rrType -eq 'A') { $ips += [string]$rec.RecordData.IPv4Address.IPAddressToString } else { $ips += [string]$rec.RecordData.IPv6Address.IPAddressToString }
      }
      if ($ips.Count -gt 0) { $s.before = $rrType + ' ' + $fqdn + ' -> ' + ($ips -join ', ') } else { $s.before = $null }
      $hasVip = $false
      $others = @()
      foreach ($ip in $ips) { if (Test-PrintHASameIp $ip $cfg.vip) { $hasVip = $true } else { $others += $ip } }
      if ($others.Count -gt 0) {
        throw ($fqdn + ' already points to ' + ($others -join ', ') + ', not only to the VIP ' + $cfg.vip + '. PrintHA does not replace DNS records: clients would bypass the load balancer. Fix the record by hand (Remove-DnsServerResourceRecord -ZoneName ' + $cfg.zone + ' -Name ' + $cfg.name + ' -RRType ' + $rrType + '), then run again')
      }
      if ($hasVip) { return }
      if ($printha.dryRun) { $s.status = 'would-change'; $printha.recordPlanned = $true; return }
      # Splatted: the tree-sitter grammar misparses parameter names with digits (-IPv4Address).
      $addArgs = @{ ComputerName = [string]$cfg.computerName; ZoneName = [string]$cfg.zone; Name = [string]$cfg.name }
      if ($rrType -eq 'A') {
        $addArgs['IPv4Address'] = [string]$cfg.vip
        Add-DnsServerResourceRecordA @addArgs
      } else {
        $addArgs['IPv6Address'] = [string]$cfg.vip
        Add-DnsServerResourceRecordAAAA @addArgs
      }
      $s.status = 'changed'
    }

    Invoke-PrintHAStep 'dns:resolve' {
      param($s)
      $s.after = [string]$cfg.vip
      if ($printha.recordPlanned) { $s.status = 'skipped'; $s.message = 'dry run: the record does not exist yet'; return }
      if ($null -eq (Get-Command -Name 'Resolve-DnsName' -ErrorAction SilentlyContinue)) {
        $s.status = 'skipped'
        $s.message = 'Resolve-DnsName is not available here (Windows 8 / Server 2012 or later): check with nslookup'
        return
      }
      try {
        $ans = @(Resolve-DnsName -Name $fqdn -Type $rrType -Server $cfg.serverAddress -DnsOnly -NoHostsFile -QuickTimeout)
      } catch {
        throw ($fqdn + ' does not resolve on ' + $cfg.serverAddress + ' (' + $_.Exception.Message + ')')
      }
      $got = @($ans | Where-Object { [string]$_.Type -eq $rrType } | ForEach-Object { [string]$_.IPAddress })
      $s.before = $got
      $ok = $got.Count -gt 0
      foreach ($g in $got) { if (-not (Test-PrintHASameIp $g $cfg.vip)) { $ok = $false } }
      if (-not $ok) {
        throw ($fqdn + ' resolves to ' + ($got -join ', ') + ' on ' + $cfg.serverAddress + ', expected only the VIP ' + $cfg.vip)
      }
    }
  }
`;

const DNS_OUTPUT = String.raw`
$phaOut = [pscustomobject]@{
  kind = 'printha.dns'
  version = 1
  manual = $(if ($null -ne $cfg) { [bool]$cfg.manual } else { $false })
  zone = $(if ($null -ne $cfg) { $cfg.zone } else { $null })
  name = $(if ($null -ne $cfg) { $cfg.name } else { $null })
  recordType = $(if ($null -ne $cfg) { $cfg.recordType } else { $null })
  vip = $(if ($null -ne $cfg) { $cfg.vip } else { $null })
  dnsServer = $(if ($null -ne $cfg) { $cfg.computerName } else { $null })
  dryRun = [bool]$printha.dryRun
  steps = $printha.steps.ToArray()
  changed = [bool]$printha.changed
  errors = $printha.errors.ToArray()
  message = $(if ($null -ne $cfg -and $cfg.manual) { [string]$cfg.manualText } else { $null })
}
ConvertTo-Json -InputObject $phaOut -Depth 6 -Compress
`;

/** dns/record.ps1 for the site (renders also without a dns section: then it only reports the manual step). */
export function renderDnsRecordScript(r: ResolvedSite, opts: DnsOptions = {}): string {
  const cfg = dnsConfig(r, opts);
  return [
    prelude(
      [
        'PrintHA dns/record.ps1: DNS host record (A, or AAAA for an IPv6 VIP) for the share name -> the VIP (guide 10.1 step 4).',
        'Run it where the DnsServer module is (the DNS server, or RSAT-DNS-Server); it targets the DNS server with -ComputerName.',
        'Idempotent; never replaces a record that points elsewhere. -DryRun only reports.',
      ],
      true,
    ),
    PS_HELPERS,
    'try {',
    `  ${cfgLine(cfg)}`,
    DNS_BODY,
    '} catch {',
    "  [void]$printha.errors.Add('dns: ' + [string]$_.Exception.Message)",
    '}',
    DNS_OUTPUT,
  ].join('\n');
}
