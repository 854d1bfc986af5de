/**
 * servers/<label>/prepare.ps1: prepares one Windows print server (seed 000 §10.1 / §11.1, appendix §15.1).
 *
 * Steps (each checks first and changes only what differs; every one is recorded as
 * { step, status: changed|unchanged|failed|skipped|would-change, before, after, message }):
 *  DR only (the ARP problem, §15.1):
 *   loopback:adapter      find "Microsoft KM-TEST Loopback Adapter*" (Get-NetAdapter); install it without
 *                         devcon through SetupAPI/newdev P/Invoke (Add-Type C#) when missing
 *   loopback:name         Rename-NetAdapter to the configured name ("loopback")
 *   loopback:bindings     Get/Enable/Disable-NetAdapterBinding: keep the VIP's IP protocol and
 *                         File and Printer Sharing (ms_server, SMB must answer on the VIP); unbind the rest
 *   loopback:address:<vip> New-NetIPAddress VIP/32 (IPv6 /128) -SkipAsSource $true
 *   loopback:weakhost     Set-NetIPInterface -WeakHostReceive/-WeakHostSend Enabled -DadTransmits 0
 *   loopback:dns-registration  Set-DnsClient -RegisterThisConnectionsAddress $false
 *   lan:no-vip            check only: the VIP must not sit on a LAN NIC (it would answer ARP)
 *   lan:weakhost:<ifIndex> Set-NetIPInterface -WeakHostReceive Enabled on the NIC(s) holding the server's address
 *  Both modes (§10.1 step 3-4 / §11.1 step 2-3):
 *   registry:DisableLoopbackCheck, registry:DisableStrictNameChecking (DWORD 1),
 *   registry:OptionalNames (REG_MULTI_SZ, share name merged into existing values)
 *   netbios:<ifIndex>     Win32_NetworkAdapterConfiguration.SetTcpipNetbios(2) on every IP-enabled adapter
 *   netbios:registry:<key> NetBT\Parameters\Interfaces\Tcpip_{GUID} NetbiosOptions=2 for the other adapters
 * Never reboots (the engine does rolling reboots); reports rebootRequired instead.
 */
import type { ResolvedSite } from '../../model/resolve.js';
import {
  addressFamilyOf,
  checkLoopbackName,
  cfgLine,
  currentUserIsAdminLine,
  DEFAULT_LOOPBACK_NAME,
  LOOPBACK_DESCRIPTION,
  prelude,
  PS_HELPERS,
  PS_REG_WRITE_HELPER,
  serverByLabel,
  vipAddresses,
} from './common.js';

export interface PrepareOptions {
  /** Only report what would change (the script's -DryRun switch does the same). */
  dryRun?: boolean;
  /** Name the loopback adapter gets (default "loopback", as in the guide's appendix). */
  loopbackName?: string;
}

/** The JSON the script receives (base64). Exported for tests and the plan view. */
export interface PrepareConfig {
  kind: 'printha.prepare';
  server: { label: string; address: string; hostname: string | null };
  mode: 'dr' | 'snat';
  dryRun: boolean;
  vips: string[];
  addressFamily: 'IPv4' | 'IPv6';
  shareNames: string[];
  /** Addresses that identify the server's LAN NIC(s). */
  lanAddresses: string[];
  loopback: {
    name: string;
    description: string;
    hardwareId: string;
    inf: string;
    prefixLength: number;
    /** Bindings that stay enabled on the loopback (component ids). */
    keepBindings: string[];
  } | null;
}

export function prepareConfig(r: ResolvedSite, serverLabel: string, opts: PrepareOptions = {}): PrepareConfig {
  const server = serverByLabel(r, serverLabel);
  const family = addressFamilyOf(r.site.vip);
  const dr = r.site.mode === 'dr';
  return {
    kind: 'printha.prepare',
    server: { label: server.label, address: server.address, hostname: server.hostname ?? null },
    mode: r.site.mode,
    dryRun: opts.dryRun ?? false,
    vips: vipAddresses(r),
    addressFamily: family,
    shareNames: [r.site.shareName],
    lanAddresses: [server.address],
    loopback: dr
      ? {
          name: checkLoopbackName(opts.loopbackName ?? DEFAULT_LOOPBACK_NAME),
          description: LOOPBACK_DESCRIPTION,
          hardwareId: '*MSLOOP',
          inf: 'netloop.inf',
          prefixLength: family === 'IPv6' ? 128 : 32,
          keepBindings: [family === 'IPv6' ? 'ms_tcpip6' : 'ms_tcpip', 'ms_server'],
        }
      : null,
  };
}

/**
 * SetupAPI sequence of `devcon install netloop.inf *MSLOOP` (windows.md §1a/1b): create a root-enumerated
 * Net-class devnode, set its hardware id, DIF_REGISTERDEVICE, then UpdateDriverForPlugAndPlayDevices
 * (INSTALLFLAG_FORCE | INSTALLFLAG_NONINTERACTIVE). The orphan devnode is removed (DIF_REMOVE) if the
 * driver bind fails. Static C#: the hardware id and inf path are passed as arguments from $cfg.
 */
const LOOPBACK_INSTALLER_CS = String.raw`using System;
using System.Runtime.InteropServices;
using System.Text;
namespace PrintHA {
  public static class LoopbackInstaller {
    [StructLayout(LayoutKind.Sequential)]
    public struct SP_DEVINFO_DATA { public int cbSize; public Guid ClassGuid; public int DevInst; public IntPtr Reserved; }
    [DllImport("setupapi.dll", SetLastError = true)]
    static extern IntPtr SetupDiCreateDeviceInfoList(ref Guid classGuid, IntPtr hwnd);
    [DllImport("setupapi.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool SetupDiCreateDeviceInfoW(IntPtr set, string name, ref Guid classGuid, string desc, IntPtr hwnd, int flags, ref SP_DEVINFO_DATA data);
    [DllImport("setupapi.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool SetupDiSetDeviceRegistryPropertyW(IntPtr set, ref SP_DEVINFO_DATA data, int prop, byte[] buf, int len);
    [DllImport("setupapi.dll", SetLastError = true)]
    static extern bool SetupDiCallClassInstaller(int fn, IntPtr set, ref SP_DEVINFO_DATA data);
    [DllImport("setupapi.dll", SetLastError = true)]
    static extern bool SetupDiDestroyDeviceInfoList(IntPtr set);
    [DllImport("newdev.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool UpdateDriverForPlugAndPlayDevicesW(IntPtr hwnd, string hwid, string inf, int flags, out bool reboot);
    const int DICD_GENERATE_ID = 1;
    const int SPDRP_HARDWAREID = 1;
    const int DIF_REGISTERDEVICE = 0x19;
    const int DIF_REMOVE = 0x05;
    const int INSTALLFLAG_FORCE = 1;
    const int INSTALLFLAG_NONINTERACTIVE = 4;
    public static string Install(string hardwareId, string infPath) {
      Guid net = new Guid("4d36e972-e325-11ce-bfc1-08002be10318");
      IntPtr set = SetupDiCreateDeviceInfoList(ref net, IntPtr.Zero);
      if (set == new IntPtr(-1)) return "SetupDiCreateDeviceInfoList failed, Win32 error " + Marshal.GetLastWin32Error();
      try {
        SP_DEVINFO_DATA d = new SP_DEVINFO_DATA();
        d.cbSize = Marshal.SizeOf(typeof(SP_DEVINFO_DATA));
        if (!SetupDiCreateDeviceInfoW(set, "Net", ref net, null, IntPtr.Zero, DICD_GENERATE_ID, ref d))
          return "SetupDiCreateDeviceInfo failed, Win32 error " + Marshal.GetLastWin32Error();
        byte[] hw = Encoding.Unicode.GetBytes(hardwareId + "\0\0");
        if (!SetupDiSetDeviceRegistryPropertyW(set, ref d, SPDRP_HARDWAREID, hw, hw.Length))
          return "SetupDiSetDeviceRegistryProperty failed, Win32 error " + Marshal.GetLastWin32Error();
        if (!SetupDiCallClassInstaller(DIF_REGISTERDEVICE, set, ref d))
          return "DIF_REGISTERDEVICE failed, Win32 error " + Marshal.GetLastWin32Error();
        bool reboot;
        if (!UpdateDriverForPlugAndPlayDevicesW(IntPtr.Zero, hardwareId, infPath, INSTALLFLAG_FORCE | INSTALLFLAG_NONINTERACTIVE, out reboot)) {
          int e = Marshal.GetLastWin32Error();
          SetupDiCallClassInstaller(DIF_REMOVE, set, ref d);
          return "UpdateDriverForPlugAndPlayDevices failed, Win32 error " + e;
        }
        return reboot ? "ok-reboot" : "ok";
      } finally {
        SetupDiDestroyDeviceInfoList(set);
      }
    }
  }
}`;

const LOOPBACK_FUNCTIONS = String.raw`
function Find-PrintHALoopback {
  $phaAll = @(Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.InterfaceDescription -like ($cfg.loopback.description + '*') })
  if ($phaAll.Count -eq 0) { return $null }
  foreach ($phaX in $phaAll) { if ($phaX.Name -eq $cfg.loopback.name) { return $phaX } }
  foreach ($phaX in $phaAll) {
    $phaIps = @(Get-NetIPAddress -InterfaceIndex $phaX.ifIndex -ErrorAction SilentlyContinue)
    foreach ($phaIp in $phaIps) { foreach ($phaV in @($cfg.vips)) { if (Test-PrintHASameIp $phaIp.IPAddress $phaV) { return $phaX } } }
  }
  return $phaAll[0]
}

function Get-PrintHALoopbackCount {
  return @(Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.InterfaceDescription -like ($cfg.loopback.description + '*') }).Count
}

# The loopback found by step loopback:adapter, or $null after marking the step skipped / would-change.
function Use-PrintHALoopback {
  param($PhaRec)
  if ($null -ne $printha.loopback) { return $printha.loopback }
  if ($printha.loopbackPlanned) {
    $PhaRec.status = 'would-change'
    $PhaRec.message = 'after the loopback adapter is installed'
  } else {
    $PhaRec.status = 'skipped'
    $PhaRec.message = 'no loopback adapter (see step loopback:adapter)'
  }
  return $null
}

function Install-PrintHALoopback {
  $phaCode = @'
${LOOPBACK_INSTALLER_CS}
'@
  if (-not ('PrintHA.LoopbackInstaller' -as [type])) { Add-Type -TypeDefinition $phaCode -Language CSharp }
  $phaInf = Join-Path -Path $env:windir -ChildPath ('inf\' + $cfg.loopback.inf)
  if (-not (Test-Path -LiteralPath $phaInf)) { throw ('the in-box loopback driver ' + $phaInf + ' is missing') }
  return [PrintHA.LoopbackInstaller]::Install([string]$cfg.loopback.hardwareId, $phaInf)
}
`;

const LOOPBACK_STEPS = String.raw`
  # ---- DR: solve the ARP problem (guide appendix 15.1) ----
  $printha.loopback = $null
  $printha.loopbackPlanned = $false

  Invoke-PrintHAStep 'loopback:adapter' {
    param($s)
    $lb = Find-PrintHALoopback
    if ($null -ne $lb) {
      $s.before = $lb.Name
      $s.after = $lb.Name
      $n = Get-PrintHALoopbackCount
      $s.message = 'present: ' + $lb.InterfaceDescription
      if ($n -gt 1) { $s.message = $s.message + ' (' + $n + ' loopback adapters found; using this one)' }
      $printha.loopback = $lb
      return
    }
    $s.before = $null
    $s.after = $cfg.loopback.description
    if ($printha.dryRun) {
      $s.status = 'would-change'
      $s.message = 'would install the loopback adapter (SetupAPI, in-box driver netloop.inf)'
      $printha.loopbackPlanned = $true
      return
    }
    Assert-PrintHAAdmin
    $rc = Install-PrintHALoopback
    if ($rc -ne 'ok' -and $rc -ne 'ok-reboot') { throw ('installing the loopback adapter failed: ' + $rc) }
    if ($rc -eq 'ok-reboot') { $printha.rebootRequired = $true }
    for ($i = 0; $i -lt 40; $i++) {
      $lb = Find-PrintHALoopback
      if ($null -ne $lb) { break }
      Start-Sleep -Milliseconds 500
    }
    if ($null -eq $lb) { throw 'the loopback adapter was installed but did not appear in Get-NetAdapter within 20 s; check Device Manager and run prepare again' }
    $printha.loopback = $lb
    $s.after = $lb.Name
    $s.status = 'changed'
    $s.message = 'installed: ' + $lb.InterfaceDescription
  }

  Invoke-PrintHAStep 'loopback:name' {
    param($s)
    $lb = Use-PrintHALoopback $s
    if ($null -eq $lb) { return }
    $s.before = $lb.Name
    $s.after = $cfg.loopback.name
    if ($lb.Name -ceq $cfg.loopback.name) { return }
    $other = @(Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $cfg.loopback.name -and $_.ifIndex -ne $lb.ifIndex })
    if ($other.Count -gt 0) { throw ('another adapter is already named ' + $cfg.loopback.name + ' (ifIndex ' + $other[0].ifIndex + '): rename it, then run prepare again') }
    if ($printha.dryRun) { $s.status = 'would-change'; return }
    Assert-PrintHAAdmin
    $lb | Rename-NetAdapter -NewName $cfg.loopback.name
    $printha.loopback = Get-NetAdapter -InterfaceIndex $lb.ifIndex
    $s.status = 'changed'
  }

  Invoke-PrintHAStep 'loopback:bindings' {
    param($s)
    $lb = Use-PrintHALoopback $s
    if ($null -eq $lb) { return }
    $keep = @($cfg.loopback.keepBindings)
    $all = @(Get-NetAdapterBinding -Name $lb.Name -ErrorAction SilentlyContinue)
    $s.before = @($all | Where-Object { $_.Enabled } | ForEach-Object { [string]$_.ComponentID })
    $toEnable = @($all | Where-Object { (-not $_.Enabled) -and ($keep -contains $_.ComponentID) })
    $toDisable = @($all | Where-Object { $_.Enabled -and ($keep -notcontains $_.ComponentID) })
    $s.after = @($all | Where-Object { $keep -contains $_.ComponentID } | ForEach-Object { [string]$_.ComponentID })
    if ($toEnable.Count -eq 0 -and $toDisable.Count -eq 0) { return }
    $s.message = 'enable: ' + (@($toEnable | ForEach-Object { $_.ComponentID }) -join ' ') + '; disable: ' + (@($toDisable | ForEach-Object { $_.ComponentID }) -join ' ')
    if ($printha.dryRun) { $s.status = 'would-change'; return }
    Assert-PrintHAAdmin
    foreach ($b in $toEnable) { Enable-NetAdapterBinding -Name $lb.Name -ComponentID $b.ComponentID }
    foreach ($b in $toDisable) { Disable-NetAdapterBinding -Name $lb.Name -ComponentID $b.ComponentID }
    $s.status = 'changed'
  }

  foreach ($vip in @($cfg.vips)) {
    Invoke-PrintHAStep ('loopback:address:' + $vip) {
      param($s)
      $lb = Use-PrintHALoopback $s
      $s.after = [string]$vip + '/' + $cfg.loopback.prefixLength + ' SkipAsSource=True'
      if ($null -eq $lb) { return }
      if (-not $lb.ifIndex) { throw 'the loopback adapter has no interface index' }
      $cur = @(Get-NetIPAddress -InterfaceIndex $lb.ifIndex -AddressFamily $cfg.addressFamily -ErrorAction SilentlyContinue | Where-Object { Test-PrintHASameIp $_.IPAddress $vip })
      if ($cur.Count -gt 0) {
        $a = $cur[0]
        $s.before = [string]$a.IPAddress + '/' + $a.PrefixLength + ' SkipAsSource=' + $a.SkipAsSource
        $prefixOk = ([int]$a.PrefixLength -eq [int]$cfg.loopback.prefixLength)
        $skipOk = [bool]$a.SkipAsSource
        if ($prefixOk -and $skipOk) { return }
        if ($printha.dryRun) { $s.status = 'would-change'; return }
        Assert-PrintHAAdmin
        if (-not $prefixOk) {
          Remove-NetIPAddress -InterfaceIndex $lb.ifIndex -IPAddress $a.IPAddress -Confirm:$false
          $null = New-NetIPAddress -InterfaceIndex $lb.ifIndex -IPAddress $vip -PrefixLength ([byte]$cfg.loopback.prefixLength) -AddressFamily $cfg.addressFamily -SkipAsSource $true
        } else {
          Set-NetIPAddress -InterfaceIndex $lb.ifIndex -IPAddress $a.IPAddress -SkipAsSource $true
        }
        $s.status = 'changed'
        return
      }
      $s.before = $null
      if ($printha.dryRun) { $s.status = 'would-change'; return }
      Assert-PrintHAAdmin
      $null = New-NetIPAddress -InterfaceIndex $lb.ifIndex -IPAddress $vip -PrefixLength ([byte]$cfg.loopback.prefixLength) -AddressFamily $cfg.addressFamily -SkipAsSource $true
      $s.status = 'changed'
    }
  }

  Invoke-PrintHAStep 'loopback:weakhost' {
    param($s)
    $lb = Use-PrintHALoopback $s
    $s.after = 'WeakHostReceive=Enabled WeakHostSend=Enabled DadTransmits=0'
    if ($null -eq $lb) { return }
    if (-not $lb.ifIndex) { throw 'the loopback adapter has no interface index' }
    $ipi = Get-NetIPInterface -InterfaceIndex $lb.ifIndex -AddressFamily $cfg.addressFamily
    $s.before = 'WeakHostReceive=' + $ipi.WeakHostReceive + ' WeakHostSend=' + $ipi.WeakHostSend + ' DadTransmits=' + $ipi.DadTransmits
    if ((Test-PrintHAEnabled $ipi.WeakHostReceive) -and (Test-PrintHAEnabled $ipi.WeakHostSend) -and [int]$ipi.DadTransmits -eq 0) { return }
    if ($printha.dryRun) { $s.status = 'would-change'; return }
    Assert-PrintHAAdmin
    Set-NetIPInterface -InterfaceIndex $lb.ifIndex -AddressFamily $cfg.addressFamily -WeakHostReceive Enabled -WeakHostSend Enabled -DadTransmits 0
    $s.status = 'changed'
  }

  Invoke-PrintHAStep 'loopback:dns-registration' {
    param($s)
    $lb = Use-PrintHALoopback $s
    $s.after = 'RegisterThisConnectionsAddress=False'
    if ($null -eq $lb) { return }
    $dc = Get-DnsClient -InterfaceIndex $lb.ifIndex
    $s.before = 'RegisterThisConnectionsAddress=' + $dc.RegisterThisConnectionsAddress
    if (-not $dc.RegisterThisConnectionsAddress) { return }
    if ($printha.dryRun) { $s.status = 'would-change'; return }
    Assert-PrintHAAdmin
    Set-DnsClient -InterfaceIndex $lb.ifIndex -RegisterThisConnectionsAddress $false
    $s.status = 'changed'
  }

  Invoke-PrintHAStep 'lan:no-vip' {
    param($s)
    $lbIndex = -1
    if ($null -ne $printha.loopback) { $lbIndex = [int]$printha.loopback.ifIndex }
    $lbDesc = $cfg.loopback.description + '*'
    $loopIdx = @(Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.InterfaceDescription -like $lbDesc } | ForEach-Object { [int]$_.ifIndex })
    $bad = @(Get-NetIPAddress -ErrorAction SilentlyContinue | Where-Object { ($loopIdx -notcontains [int]$_.InterfaceIndex) -and ([int]$_.InterfaceIndex -ne $lbIndex) } | Where-Object { $ip = $_.IPAddress; @($cfg.vips | Where-Object { Test-PrintHASameIp $ip $_ }).Count -gt 0 })
    $s.after = 'VIP only on the loopback adapter'
    if ($bad.Count -eq 0) { $s.before = 'VIP on no LAN interface'; return }
    $s.before = @($bad | ForEach-Object { [string]$_.IPAddress + ' on ' + $_.InterfaceAlias })
    throw ('the VIP is configured on a LAN interface (' + (@($bad | ForEach-Object { $_.InterfaceAlias }) -join ', ') + '): in DR mode the server would answer ARP for it; remove it there (Remove-NetIPAddress) and keep it only on the loopback adapter')
  }

  # The LAN NIC(s): whichever interface holds the server's own address (never a fixed name like "net").
  $lanIdx = @()
  $lanErr = $null
  try {
    foreach ($addr in @($cfg.lanAddresses)) {
      foreach ($ip in @(Get-NetIPAddress -ErrorAction SilentlyContinue | Where-Object { Test-PrintHASameIp $_.IPAddress $addr })) {
        if ($lanIdx -notcontains [int]$ip.InterfaceIndex) { $lanIdx += [int]$ip.InterfaceIndex }
      }
    }
    if ($lanIdx.Count -eq 0) { $lanErr = 'no network interface holds the server address ' + (@($cfg.lanAddresses) -join ', ') + ' from the site file: check servers[].address for this server' }
  } catch {
    $lanErr = 'cannot list IP addresses: ' + [string]$_.Exception.Message
  }
  if ($null -ne $lanErr) {
    Invoke-PrintHAStep 'lan:weakhost' {
      param($s)
      throw $lanErr
    }
  }
  foreach ($idx in $lanIdx) {
    Invoke-PrintHAStep ('lan:weakhost:' + $idx) {
      param($s)
      $ipi = Get-NetIPInterface -InterfaceIndex $idx -AddressFamily $cfg.addressFamily
      $s.message = [string]$ipi.InterfaceAlias
      $s.before = 'WeakHostReceive=' + $ipi.WeakHostReceive
      $s.after = 'WeakHostReceive=Enabled'
      if (Test-PrintHAEnabled $ipi.WeakHostReceive) { return }
      if ($printha.dryRun) { $s.status = 'would-change'; return }
      Assert-PrintHAAdmin
      Set-NetIPInterface -InterfaceIndex $idx -AddressFamily $cfg.addressFamily -WeakHostReceive Enabled
      $s.status = 'changed'
    }
  }
`;

const COMMON_STEPS = String.raw`
  # ---- Registry entries (guide 10.1 step 3 / 11.1 step 2) ----
  $lsaKey = 'SYSTEM\CurrentControlSet\Control\Lsa'
  $srvKey = 'SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters'
  foreach ($dw in @(@{ key = $lsaKey; name = 'DisableLoopbackCheck' }, @{ key = $srvKey; name = 'DisableStrictNameChecking' })) {
    Invoke-PrintHAStep ('registry:' + $dw.name) {
      param($s)
      $cur = Get-PrintHARegValue $dw.key $dw.name
      $s.after = 1
      if ($null -ne $cur) { $s.before = $cur.value }
      if ($null -ne $cur -and $cur.kind -eq 'DWord' -and [int64]$cur.value -eq 1) { return }
      if ($null -ne $cur -and $cur.kind -ne 'DWord') { $s.message = 'was ' + $cur.kind + ', rewritten as REG_DWORD' }
      if ($printha.dryRun) { $s.status = 'would-change'; return }
      Assert-PrintHAAdmin
      $k = Open-PrintHARegKeyForWrite $dw.key
      try { $k.SetValue($dw.name, 1, [Microsoft.Win32.RegistryValueKind]::DWord) } finally { $k.Close() }
      $s.status = 'changed'
      $printha.rebootRequired = $true
    }
  }

  # OptionalNames: MERGE the share name into the existing names (never replace), case-insensitive dedupe.
  Invoke-PrintHAStep 'registry:OptionalNames' {
    param($s)
    $cur = Get-PrintHARegValue $srvKey 'OptionalNames'
    $raw = @()
    $kind = ''
    if ($null -ne $cur) {
      $kind = [string]$cur.kind
      $raw = @($cur.value | ForEach-Object { [string]$_ })
    }
    $merged = New-Object System.Collections.ArrayList
    foreach ($n in (@($raw) + @($cfg.shareNames))) {
      $t = ([string]$n).Trim()
      if ($t -eq '') { continue }
      $dup = $false
      foreach ($m in $merged) { if ([string]::Equals([string]$m, $t, [System.StringComparison]::OrdinalIgnoreCase)) { $dup = $true } }
      if (-not $dup) { [void]$merged.Add($t) }
    }
    $s.before = $raw
    $s.after = [string[]]$merged.ToArray()
    if ($kind -eq 'MultiString' -and (($raw -join '|') -ceq ($merged.ToArray() -join '|'))) { return }
    if ($kind -ne '' -and $kind -ne 'MultiString') { $s.message = 'was ' + $kind + ', rewritten as REG_MULTI_SZ with the existing names kept' }
    if ($printha.dryRun) { $s.status = 'would-change'; return }
    Assert-PrintHAAdmin
    $k = Open-PrintHARegKeyForWrite $srvKey
    try { $k.SetValue('OptionalNames', [string[]]$merged.ToArray(), [Microsoft.Win32.RegistryValueKind]::MultiString) } finally { $k.Close() }
    $s.status = 'changed'
    $printha.rebootRequired = $true
  }

  # ---- NetBIOS over TCP/IP disabled on ALL interfaces (guide 10.1 step 4 / 11.1 step 3) ----
  $nbSeen = @()
  $nbAdapters = @()
  try {
    $nbAdapters = @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE')
  } catch {
    $nbErr = [string]$_.Exception.Message
    Invoke-PrintHAStep 'netbios' {
      param($s)
      throw ('cannot read Win32_NetworkAdapterConfiguration: ' + $nbErr)
    }
  }
  foreach ($na in $nbAdapters) {
    $nbSeen += ([string]$na.SettingID).ToUpperInvariant()
    Invoke-PrintHAStep ('netbios:' + $na.InterfaceIndex) {
      param($s)
      $s.message = [string]$na.Description
      $s.before = $na.TcpipNetbiosOptions
      $s.after = 2
      if ($null -ne $na.TcpipNetbiosOptions -and [int]$na.TcpipNetbiosOptions -eq 2) { return }
      if ($printha.dryRun) { $s.status = 'would-change'; return }
      Assert-PrintHAAdmin
      $res = Invoke-CimMethod -InputObject $na -MethodName SetTcpipNetbios -Arguments @{ TcpipNetbiosOptions = [uint32]2 }
      $rc = [int]$res.ReturnValue
      if ($rc -ne 0 -and $rc -ne 1) { throw ('SetTcpipNetbios returned ' + $rc + ' for ' + $na.Description) }
      $s.status = 'changed'
      $printha.rebootRequired = $true
      if ($rc -eq 1) { $s.message = $s.message + ' (Windows reports a reboot is required)' }
    }
  }
  # Adapters that are not IP-enabled right now (disabled, disconnected): the NetBT registry value.
  $nbRoot = 'SYSTEM\CurrentControlSet\Services\NetBT\Parameters\Interfaces'
  $nbNames = @()
  try {
    $nbKey = Open-PrintHARegKey $nbRoot
    if ($null -ne $nbKey) {
      try { $nbNames = @($nbKey.GetSubKeyNames()) } finally { $nbKey.Close() }
    }
  } catch {
    $nbRegErr = [string]$_.Exception.Message
    Invoke-PrintHAStep 'netbios:registry' {
      param($s)
      throw ('cannot read ' + $nbRoot + ': ' + $nbRegErr)
    }
  }
  foreach ($sub in $nbNames) {
    if ($sub -notlike 'Tcpip_*') { continue }
    if ($nbSeen -contains $sub.Substring(6).ToUpperInvariant()) { continue }
    Invoke-PrintHAStep ('netbios:registry:' + $sub) {
      param($s)
      $path = $nbRoot + '\' + $sub
      $cur = Get-PrintHARegValue $path 'NetbiosOptions'
      $s.after = 2
      $s.message = 'adapter not IP-enabled now: registry value NetbiosOptions'
      if ($null -ne $cur) { $s.before = $cur.value }
      if ($null -ne $cur -and $cur.kind -eq 'DWord' -and [int64]$cur.value -eq 2) { return }
      if ($printha.dryRun) { $s.status = 'would-change'; return }
      Assert-PrintHAAdmin
      $k = Open-PrintHARegKeyForWrite $path
      try { $k.SetValue('NetbiosOptions', 2, [Microsoft.Win32.RegistryValueKind]::DWord) } finally { $k.Close() }
      $s.status = 'changed'
      $printha.rebootRequired = $true
    }
  }
`;

const OUTPUT = String.raw`
$phaOut = [pscustomobject]@{
  kind = 'printha.prepare'
  version = 1
  server = $(if ($null -ne $cfg) { [string]$cfg.server.label } else { $null })
  computerName = [string]$env:COMPUTERNAME
  mode = $(if ($null -ne $cfg) { [string]$cfg.mode } else { $null })
  dryRun = [bool]$printha.dryRun
  steps = $printha.steps.ToArray()
  changed = [bool]$printha.changed
  rebootRequired = [bool]$printha.rebootRequired
  errors = $printha.errors.ToArray()
}
ConvertTo-Json -InputObject $phaOut -Depth 6 -Compress
`;

/** servers/<label>/prepare.ps1 for one server of the site. */
export function renderPrepareScript(r: ResolvedSite, serverLabel: string, opts: PrepareOptions = {}): string {
  const cfg = prepareConfig(r, serverLabel, opts);
  const dr = cfg.mode === 'dr';
  return [
    prelude(
      [
        'PrintHA prepare.ps1: prepares one Windows print server for load balancing (Loadbalancer.org guide 10.1 / 11.1, appendix 15.1).',
        'Idempotent: checks first, changes only what differs. Never reboots; reports rebootRequired. -DryRun only reports.',
        dr ? 'Mode DR: loopback adapter with the VIP, weak host send/receive, registry, NetBIOS.' : 'Mode SNAT: registry and NetBIOS only (no loopback adapter).',
      ],
      true,
    ),
    PS_HELPERS,
    PS_REG_WRITE_HELPER,
    dr ? LOOPBACK_FUNCTIONS : '',
    'try {',
    `  ${cfgLine(cfg)}`,
    '  if ($cfg.dryRun) { $printha.dryRun = $true }',
    currentUserIsAdminLine(),
    dr ? LOOPBACK_STEPS : '',
    COMMON_STEPS,
    '} catch {',
    "  [void]$printha.errors.Add('prepare: ' + [string]$_.Exception.Message)",
    '}',
    OUTPUT,
  ].join('\n');
}
