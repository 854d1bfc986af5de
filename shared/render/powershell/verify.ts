/**
 * servers/<label>/verify.ps1: read-only. Reads back everything prepare.ps1 sets plus the discovery facts
 * (seed 000 §10.1 step 1 prerequisites) and prints ONE JSON object whose fields map 1:1 onto ServerFacts
 * (shared/model/facts.ts), plus `checks`: every expected value with ok true/false. Parsed by
 * parseVerifyResult / parseVerifyReport in ./result.ts.
 *
 * Facts and the Windows APIs that read them:
 *  computerName            $env:COMPUTERNAME
 *  domainMember, domain    Get-CimInstance Win32_ComputerSystem (PartOfDomain, Domain)
 *  printServerRole         Get-WindowsFeature Print-Server (Server SKUs); else the Spooler service running
 *  printerShares           Get-Printer | Where-Object Shared (ShareName); else Win32_Printer Shared = TRUE
 *  productServices         Get-Service matched (Name or DisplayName, -like) against the profile's patterns
 *  nics                    Get-NetAdapter, Get-NetIPAddress, Get-NetIPInterface (VIP family),
 *                          Win32_NetworkAdapterConfiguration.TcpipNetbiosOptions
 *  registry                HKLM Lsa DisableLoopbackCheck, LanmanServer\Parameters DisableStrictNameChecking, OptionalNames
 *  loopbackAdapter         the "Microsoft KM-TEST Loopback Adapter*" NIC and its addresses (null when absent)
 *  pendingReboot           CBS RebootPending, WindowsUpdate\Auto Update\RebootRequired, PendingFileRenameOperations,
 *                          ComputerName rename pending
 *  psVersion, lastBootTime $PSVersionTable.PSVersion, Win32_OperatingSystem.LastBootUpTime (UTC, ISO 8601)
 */
import type { ResolvedSite } from '../../model/resolve.js';
import {
  addressFamilyOf,
  checkLoopbackName,
  cfgLine,
  DEFAULT_LOOPBACK_NAME,
  LOOPBACK_DESCRIPTION,
  prelude,
  PS_HELPERS,
  serverByLabel,
  vipAddresses,
} from './common.js';

export interface VerifyOptions {
  loopbackName?: string;
}

export interface VerifyConfig {
  kind: 'printha.verify';
  server: { label: string; address: string; hostname: string | null };
  mode: 'dr' | 'snat';
  vips: string[];
  addressFamily: 'IPv4' | 'IPv6';
  shareNames: string[];
  lanAddresses: string[];
  servicePatterns: string[];
  loopback: { name: string; description: string; prefixLength: number };
  /** FQDN of the share name when the site has a DNS zone, for the resolution check. */
  shareFqdn: string | null;
}

export function verifyConfig(r: ResolvedSite, serverLabel: string, opts: VerifyOptions = {}): VerifyConfig {
  const server = serverByLabel(r, serverLabel);
  const family = addressFamilyOf(r.site.vip);
  return {
    kind: 'printha.verify',
    server: { label: server.label, address: server.address, hostname: server.hostname ?? null },
    mode: r.site.mode,
    vips: vipAddresses(r),
    addressFamily: family,
    shareNames: [r.site.shareName],
    lanAddresses: [server.address],
    servicePatterns: [...r.profile.windowsServicePatterns],
    loopback: {
      name: checkLoopbackName(opts.loopbackName ?? DEFAULT_LOOPBACK_NAME),
      description: LOOPBACK_DESCRIPTION,
      prefixLength: family === 'IPv6' ? 128 : 32,
    },
    shareFqdn: r.site.dns ? `${r.site.shareName}.${r.site.dns.zone.replace(/\.$/, '')}` : null,
  };
}

const VERIFY_HELPERS = String.raw`
$phaChecks = New-Object System.Collections.ArrayList
function Add-PrintHACheck {
  param([string]$PhaId, $PhaExpected, $PhaActual, [bool]$PhaOk, [string]$PhaMessage)
  [void]$phaChecks.Add([pscustomobject]@{ id = $PhaId; expected = $PhaExpected; actual = $PhaActual; ok = $PhaOk; message = $PhaMessage })
}

# Collects one fact; a failure is recorded in errors and the fact is left out (= not collected).
function Invoke-PrintHAFact {
  param([string]$PhaFactName, [scriptblock]$PhaFactBody)
  try {
    $null = & $PhaFactBody
  } catch {
    [void]$printha.errors.Add($PhaFactName + ': ' + [string]$_.Exception.Message)
  }
}
`;

const VERIFY_BODY = String.raw`
  $facts = [ordered]@{}
  $facts['kind'] = 'printha.verify'
  $facts['version'] = 1
  $facts['label'] = [string]$cfg.server.label
  $facts['reachable'] = $true
  $facts['computerName'] = [string]$env:COMPUTERNAME
  $isDr = ([string]$cfg.mode -eq 'dr')

  Invoke-PrintHAFact 'psVersion' {
    $facts['psVersion'] = $PSVersionTable.PSVersion.ToString()
  }

  Invoke-PrintHAFact 'lastBootTime' {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $facts['lastBootTime'] = ([datetime]$os.LastBootUpTime).ToUniversalTime().ToString('s') + 'Z'
  }

  Invoke-PrintHAFact 'domain' {
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    $facts['domainMember'] = [bool]$cs.PartOfDomain
    $facts['domain'] = [string]$cs.Domain
    Add-PrintHACheck 'domain-member' $true ([bool]$cs.PartOfDomain) ([bool]$cs.PartOfDomain) 'the server must be a member of a Windows domain (guide 10.1 step 1)'
  }

  Invoke-PrintHAFact 'printServerRole' {
    $role = $null
    $source = ''
    if ($null -ne (Get-Command -Name 'Get-WindowsFeature' -ErrorAction SilentlyContinue)) {
      $f = Get-WindowsFeature -Name 'Print-Server' -ErrorAction SilentlyContinue
      if ($null -ne $f) {
        $role = [bool]$f.Installed
        $source = 'Get-WindowsFeature Print-Server'
      }
    }
    if ($null -eq $role) {
      $sp = Get-Service -Name 'Spooler' -ErrorAction SilentlyContinue
      $role = ($null -ne $sp -and [string]$sp.Status -eq 'Running')
      $source = 'Spooler service running (Get-WindowsFeature not available)'
    }
    $facts['printServerRole'] = [bool]$role
    $facts['printServerRoleSource'] = $source
    Add-PrintHACheck 'print-server-role' $true ([bool]$role) ([bool]$role) ('Print and Document Services / Print Server role installed (' + $source + ')')
  }

  Invoke-PrintHAFact 'printerShares' {
    $shares = @()
    if ($null -ne (Get-Command -Name 'Get-Printer' -ErrorAction SilentlyContinue)) {
      $shares = @(Get-Printer | Where-Object { $_.Shared } | ForEach-Object { [string]$_.ShareName })
    } else {
      $shares = @(Get-CimInstance -ClassName Win32_Printer -Filter 'Shared = TRUE' | ForEach-Object { [string]$_.ShareName })
    }
    $facts['printerShares'] = [string[]]$shares
    Add-PrintHACheck 'printer-shares' 'at least one shared printer' $shares.Count ($shares.Count -gt 0) 'printers installed and shared, same share names on every server (guide 10.1 step 1)'
  }

  Invoke-PrintHAFact 'productServices' {
    $patterns = @($cfg.servicePatterns)
    $svcs = @(Get-Service | Where-Object {
      $svc = $_
      $hit = $false
      foreach ($p in $patterns) { if ($svc.Name -like $p -or $svc.DisplayName -like $p) { $hit = $true } }
      $hit
    })
    $facts['productServices'] = @($svcs | ForEach-Object { [pscustomobject]@{ name = [string]$_.Name; displayName = [string]$_.DisplayName; status = [string]$_.Status } })
    Add-PrintHACheck 'product-services' ('a service matching ' + ($patterns -join ' or ')) $svcs.Count ($svcs.Count -gt 0) 'the product is installed (guide 10.1 step 1)'
  }

  # ---- NICs: addresses, weak host (VIP family), NetBIOS ----
  $lbDesc = $cfg.loopback.description + '*'
  $nbByIndex = @{}
  Invoke-PrintHAFact 'netbios' {
    foreach ($c in @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration)) {
      $nbByIndex[[int]$c.InterfaceIndex] = $c
    }
  }
  Invoke-PrintHAFact 'nics' {
    $lanIdx = @()
    $nics = New-Object System.Collections.ArrayList
    foreach ($a in @(Get-NetAdapter)) {
      $idx = [int]$a.ifIndex
      $ips = @(Get-NetIPAddress -InterfaceIndex $idx -ErrorAction SilentlyContinue)
      $isLoop = ([string]$a.InterfaceDescription -like $lbDesc)
      $nic = [ordered]@{
        alias = [string]$a.Name
        index = $idx
        description = [string]$a.InterfaceDescription
        addresses = [string[]]@($ips | ForEach-Object { ([string]$_.IPAddress -split '%')[0] })
        isLoopback = $isLoop
      }
      $ipi = Get-NetIPInterface -InterfaceIndex $idx -AddressFamily $cfg.addressFamily -ErrorAction SilentlyContinue
      if ($null -ne $ipi) {
        $nic['weakHostReceive'] = (Test-PrintHAEnabled $ipi.WeakHostReceive)
        $nic['weakHostSend'] = (Test-PrintHAEnabled $ipi.WeakHostSend)
        $nic['dadTransmits'] = [int]$ipi.DadTransmits
      }
      $nb = $nbByIndex[$idx]
      if ($null -ne $nb) {
        $nic['ipEnabled'] = [bool]$nb.IPEnabled
        if ($null -ne $nb.TcpipNetbiosOptions) { $nic['netbiosOptions'] = [int]$nb.TcpipNetbiosOptions }
      }
      [void]$nics.Add($nic)
      foreach ($ip in $ips) { foreach ($la in @($cfg.lanAddresses)) { if ((Test-PrintHASameIp $ip.IPAddress $la) -and ($lanIdx -notcontains $idx)) { $lanIdx += $idx } } }
    }
    $facts['nics'] = $nics.ToArray()
    foreach ($nic in $nics) {
      if ($nic['ipEnabled']) {
        $nbv = $nic['netbiosOptions']
        Add-PrintHACheck ('netbios:' + $nic['index']) 2 $nbv ($nbv -eq 2) ('NetBIOS over TCP/IP disabled on ' + $nic['alias'] + ' (guide 10.1 step 4)')
      }
    }

    $loops = @($nics | Where-Object { $_['isLoopback'] })
    $chosen = $null
    foreach ($l in $loops) { if ($l['alias'] -eq $cfg.loopback.name) { $chosen = $l } }
    if ($null -eq $chosen) {
      foreach ($l in $loops) { foreach ($v in @($cfg.vips)) { foreach ($x in @($l['addresses'])) { if (Test-PrintHASameIp $x $v) { $chosen = $l } } } }
    }
    if ($null -eq $chosen -and $loops.Count -gt 0) { $chosen = $loops[0] }
    if ($null -ne $chosen) {
      $facts['loopbackAdapter'] = [pscustomobject]@{ alias = [string]$chosen['alias']; addresses = [string[]]@($chosen['addresses']) }
    } else {
      $facts['loopbackAdapter'] = $null
    }

    if ($isDr) {
      Add-PrintHACheck 'loopback:present' $cfg.loopback.description $(if ($null -ne $chosen) { $chosen['description'] } else { $null }) ($null -ne $chosen) 'the Microsoft KM-TEST Loopback Adapter is installed (guide 15.1 step 1)'
      if ($null -ne $chosen) {
        Add-PrintHACheck 'loopback:name' $cfg.loopback.name $chosen['alias'] ([string]$chosen['alias'] -ceq [string]$cfg.loopback.name) 'the loopback adapter has the configured name'
        $addrs = @(Get-NetIPAddress -InterfaceIndex $chosen['index'] -AddressFamily $cfg.addressFamily -ErrorAction SilentlyContinue)
        foreach ($v in @($cfg.vips)) {
          $hit = @($addrs | Where-Object { Test-PrintHASameIp $_.IPAddress $v })
          $actual = $null
          $ok = $false
          if ($hit.Count -gt 0) {
            $actual = [string]$v + '/' + $hit[0].PrefixLength + ' SkipAsSource=' + $hit[0].SkipAsSource
            $ok = ([int]$hit[0].PrefixLength -eq [int]$cfg.loopback.prefixLength) -and [bool]$hit[0].SkipAsSource
          }
          Add-PrintHACheck ('loopback:address:' + $v) ([string]$v + '/' + $cfg.loopback.prefixLength + ' SkipAsSource=True') $actual $ok 'the VIP is on the loopback adapter, host prefix, not used as source (guide 15.1 step 2)'
        }
        Add-PrintHACheck 'loopback:weakhostreceive' $true $chosen['weakHostReceive'] ($chosen['weakHostReceive'] -eq $true) 'weak host receive enabled on the loopback (guide 15.1 step 3)'
        Add-PrintHACheck 'loopback:weakhostsend' $true $chosen['weakHostSend'] ($chosen['weakHostSend'] -eq $true) 'weak host send enabled on the loopback (guide 15.1 step 3)'
        Add-PrintHACheck 'loopback:dadtransmits' 0 $chosen['dadTransmits'] ($chosen['dadTransmits'] -eq 0) 'duplicate address detection off on the loopback (guide 15.1 step 3)'
      }
      if ($lanIdx.Count -eq 0) {
        Add-PrintHACheck 'lan:nic' (@($cfg.lanAddresses) -join ', ') $null $false 'no interface holds the server address from the site file: check servers[].address'
      }
      foreach ($n in $nics) {
        if ($lanIdx -contains $n['index']) {
          Add-PrintHACheck ('lan:weakhostreceive:' + $n['index']) $true $n['weakHostReceive'] ($n['weakHostReceive'] -eq $true) ('weak host receive enabled on the LAN NIC ' + $n['alias'] + ' (guide 15.1 step 3)')
        }
        if (-not $n['isLoopback']) {
          $vipHere = @($n['addresses'] | Where-Object { $x = $_; @($cfg.vips | Where-Object { Test-PrintHASameIp $x $_ }).Count -gt 0 })
          if ($vipHere.Count -gt 0) {
            Add-PrintHACheck ('lan:no-vip:' + $n['index']) 'VIP not on a LAN NIC' ($vipHere -join ', ') $false ('the VIP is configured on ' + $n['alias'] + ': in DR mode the server would answer ARP for it')
          }
        }
      }
    }
  }

  # ---- Registry ----
  Invoke-PrintHAFact 'registry' {
    $lsaKey = 'SYSTEM\CurrentControlSet\Control\Lsa'
    $srvKey = 'SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters'
    $reg = [ordered]@{ disableLoopbackCheck = $null; disableStrictNameChecking = $null; optionalNames = $null }
    $v = Get-PrintHARegValue $lsaKey 'DisableLoopbackCheck'
    if ($null -ne $v -and $v.kind -eq 'DWord') { $reg['disableLoopbackCheck'] = [int64]$v.value }
    $v = Get-PrintHARegValue $srvKey 'DisableStrictNameChecking'
    if ($null -ne $v -and $v.kind -eq 'DWord') { $reg['disableStrictNameChecking'] = [int64]$v.value }
    $v = Get-PrintHARegValue $srvKey 'OptionalNames'
    $optKind = $null
    if ($null -ne $v) {
      $optKind = $v.kind
      $reg['optionalNames'] = [string[]]@($v.value | ForEach-Object { [string]$_ })
    }
    $facts['registry'] = [pscustomobject]$reg
    Add-PrintHACheck 'registry:DisableLoopbackCheck' 1 $reg['disableLoopbackCheck'] ($reg['disableLoopbackCheck'] -eq 1) 'HKLM\SYSTEM\CurrentControlSet\Control\Lsa DisableLoopbackCheck REG_DWORD 1'
    Add-PrintHACheck 'registry:DisableStrictNameChecking' 1 $reg['disableStrictNameChecking'] ($reg['disableStrictNameChecking'] -eq 1) 'HKLM\SYSTEM\CurrentControlSet\Services\lanmanserver\parameters DisableStrictNameChecking REG_DWORD 1'
    foreach ($sn in @($cfg.shareNames)) {
      $has = $false
      foreach ($o in @($reg['optionalNames'])) { if ([string]::Equals([string]$o, [string]$sn, [System.StringComparison]::OrdinalIgnoreCase)) { $has = $true } }
      Add-PrintHACheck ('registry:OptionalNames:' + $sn) $sn $reg['optionalNames'] ($has -and $optKind -eq 'MultiString') 'lanmanserver\parameters OptionalNames REG_MULTI_SZ contains the share name'
    }
  }

  # ---- Pending reboot ----
  Invoke-PrintHAFact 'pendingReboot' {
    $reasons = New-Object System.Collections.ArrayList
    if (Test-PrintHARegKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') { [void]$reasons.Add('Component Based Servicing RebootPending') }
    if (Test-PrintHARegKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') { [void]$reasons.Add('Windows Update RebootRequired') }
    $pfro = Get-PrintHARegValue 'SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations'
    if ($null -ne $pfro -and @($pfro.value | Where-Object { $_ }).Count -gt 0) { [void]$reasons.Add('PendingFileRenameOperations') }
    $active = Get-PrintHARegValue 'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' 'ComputerName'
    $pending = Get-PrintHARegValue 'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' 'ComputerName'
    if ($null -ne $active -and $null -ne $pending -and [string]$active.value -ne [string]$pending.value) { [void]$reasons.Add('computer rename pending') }
    $facts['pendingReboot'] = ($reasons.Count -gt 0)
    $facts['pendingRebootReasons'] = [string[]]$reasons.ToArray()
  }

  # ---- Share name resolution (informational: the DNS record is dns/record.ps1) ----
  if ($null -ne $cfg.shareFqdn -and [string]$cfg.shareFqdn -ne '') {
    Invoke-PrintHAFact 'dns' {
      $got = @()
      try {
        $got = @([System.Net.Dns]::GetHostAddresses([string]$cfg.shareFqdn) | ForEach-Object { $_.ToString() })
      } catch {
        $got = @()
      }
      $ok = $false
      foreach ($g in $got) { foreach ($v in @($cfg.vips)) { if (Test-PrintHASameIp $g $v) { $ok = $true } } }
      Add-PrintHACheck 'dns:share-name' (@($cfg.vips) -join ', ') ($got -join ', ') ($ok -and $got.Count -eq @($cfg.vips).Count) ('the share name ' + $cfg.shareFqdn + ' resolves to the VIP from this server (guide 10.1 step 4)')
    }
  }
`;

const VERIFY_OUTPUT = String.raw`
if ($null -eq $facts) {
  $facts = [ordered]@{ kind = 'printha.verify'; version = 1; label = $null; reachable = $true }
}
$facts['checks'] = $phaChecks.ToArray()
$facts['errors'] = $printha.errors.ToArray()
ConvertTo-Json -InputObject $facts -Depth 6 -Compress
`;

/** servers/<label>/verify.ps1 for one server of the site (read-only). */
export function renderVerifyScript(r: ResolvedSite, serverLabel: string, opts: VerifyOptions = {}): string {
  const cfg = verifyConfig(r, serverLabel, opts);
  return [
    prelude(
      [
        'PrintHA verify.ps1: READ-ONLY check of one Windows print server: reads back what prepare.ps1 sets',
        'and the discovery facts (domain, Print Server role, shared printers, product services, NICs, pending reboot).',
      ],
      false,
    ),
    PS_HELPERS,
    VERIFY_HELPERS,
    '$facts = $null',
    'try {',
    `  ${cfgLine(cfg)}`,
    VERIFY_BODY,
    '} catch {',
    "  [void]$printha.errors.Add('verify: ' + [string]$_.Exception.Message)",
    '}',
    VERIFY_OUTPUT,
  ].join('\n');
}
