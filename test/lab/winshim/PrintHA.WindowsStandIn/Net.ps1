# PrintHA lab Windows stand-in (a test double): NetAdapter, NetTCPIP, DnsClient (Get/Set-DnsClient)
# and Win32_NetworkAdapterConfiguration over net.json, with the Linux effects that verification
# can observe (the VIP on lo without ARP, nmbd for NetBIOS).

$script:LoopDesc = 'Microsoft KM-TEST Loopback Adapter'
$script:Bindings = [ordered]@{
  ms_msclient = 'Client for Microsoft Networks'
  ms_server = 'File and Printer Sharing for Microsoft Networks'
  ms_pacer = 'QoS Packet Scheduler'
  ms_tcpip = 'Internet Protocol Version 4 (TCP/IPv4)'
  ms_tcpip6 = 'Internet Protocol Version 6 (TCP/IPv6)'
  ms_lltdio = 'Link-Layer Topology Discovery Mapper I/O Driver'
  ms_rspndr = 'Link-Layer Topology Discovery Responder'
  ms_lldp = 'Microsoft LLDP Protocol Driver'
  ms_implat = 'Microsoft Network Adapter Multiplexor Protocol'
}
$script:NetBTRoot = 'SYSTEM\CurrentControlSet\Services\NetBT\Parameters\Interfaces'

function New-StandInAdapter([string]$Name, [int]$IfIndex, [string]$Desc, [string]$Mac, [string]$Guid, [string]$Device) {
  $b = [ordered]@{}
  foreach ($k in $script:Bindings.Keys) { $b[$k] = ($k -ne 'ms_implat') }
  $ipi = { param($dad) [ordered]@{ WeakHostSend = 'Disabled'; WeakHostReceive = 'Disabled'; DadTransmits = $dad; Dhcp = 'Disabled'; NlMtu = 1500; InterfaceMetric = 25; Forwarding = 'Disabled'; RouterDiscovery = 'ControlledByDHCP'; AutomaticMetric = 'Enabled' } }
  [ordered]@{
    name = $Name; ifIndex = $IfIndex; description = $Desc; mac = $Mac; guid = $Guid; status = 'Up'; device = $Device
    bindings = $b
    ipInterface = [ordered]@{ IPv4 = (& $ipi 3); IPv6 = (& $ipi 1) }
    dnsClient = [ordered]@{ RegisterThisConnectionsAddress = $true; UseSuffixWhenRegistering = $false; ConnectionSpecificSuffix = '' }
    netbios = 0
  }
}

function New-StandInAddress([int]$IfIndex, [string]$Ip, [int]$Prefix, [string]$Origin = 'Manual', [bool]$Skip = $false) {
  $v6 = $Ip.Contains(':')
  [ordered]@{ ifIndex = $IfIndex; ipAddress = $Ip; prefixLength = $Prefix; addressFamily = $(if ($v6) { 'IPv6' } else { 'IPv4' })
    prefixOrigin = $(if ($Origin -eq 'Link') { 'WellKnown' } else { $Origin }); suffixOrigin = $Origin; skipAsSource = $Skip
  }
}

# Link-local IPv6 from the MAC (EUI-64), as Windows shows on every adapter.
function Get-StandInLinkLocal([string]$Mac) {
  $b = [int[]]($Mac -split '[-:]' | ForEach-Object { [System.Convert]::ToInt32($_, 16) })
  $b[0] = $b[0] -bxor 2
  ([ipaddress]('fe80::{0:x}:{1:x}ff:fe{2:x2}:{3:x}' -f (($b[0] -shl 8) -bor $b[1]), $b[2], $b[3], (($b[4] -shl 8) -bor $b[5]))).ToString()
}

# net.json, created from node.json on first use; every SetupAPI device becomes an adapter once.
function Get-StandInNet {
  $net = Read-StandInJson 'net.json'
  $changed = $false
  if ($null -eq $net) {
    $lan = (Get-StandInNode).lan
    $a = New-StandInAdapter $lan.name ([int]$lan.ifIndex) ($(if ($lan.description) { $lan.description } else { 'Microsoft Hyper-V Network Adapter' })) $lan.mac $lan.guid $null
    $net = [ordered]@{
      adapters = @($a)
      addresses = @((New-StandInAddress $a.ifIndex $lan.address ([int]$lan.prefixLength)), (New-StandInAddress $a.ifIndex (Get-StandInLinkLocal $lan.mac) 64 'Link'))
      nextIfIndex = [int]$lan.ifIndex + 3
    }
    $changed = $true
  }
  $devDir = Get-StandInPath 'devices'
  if (Microsoft.PowerShell.Management\Test-Path -LiteralPath $devDir) {
    foreach ($f in @(Get-ChildItem -LiteralPath $devDir -Filter '*.json' | Sort-Object Name)) {
      if (@($net.adapters | Where-Object { $_.device -eq $f.Name }).Count -gt 0) { continue }
      $d = Get-Content -Raw -LiteralPath $f.FullName | ConvertFrom-Json -AsHashtable
      if ([string]$d.hardwareId -ne '*MSLOOP') { continue }
      $names = @($net.adapters | ForEach-Object { $_.name })
      $i = 2
      while ($names -contains "Ethernet $i") { $i++ }
      $idx = [int]$net.nextIfIndex
      $net.nextIfIndex = $idx + 1
      $mac = '02-00-4C-4F-4F-50'
      $a = New-StandInAdapter "Ethernet $i" $idx $script:LoopDesc $mac ('{' + [guid]::NewGuid().ToString().ToUpperInvariant() + '}') $f.Name
      if ($i -gt 2) { $a.description = "$($script:LoopDesc) #$($i - 1)" }
      $net.adapters = @($net.adapters) + @($a)
      $apipa = '169.254.{0}.{1}' -f (Get-Random -Minimum 1 -Maximum 254), (Get-Random -Minimum 1 -Maximum 254)
      $net.addresses = @($net.addresses) + @((New-StandInAddress $idx $apipa 16 'Link'), (New-StandInAddress $idx (Get-StandInLinkLocal $mac) 64 'Link'))
      # Windows creates the adapter's NetBT interface key with the default (0: use DHCP's setting).
      $k = [PrintHA.WindowsStandIn.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64').CreateSubKey("$($script:NetBTRoot)\Tcpip_$($a.guid)")
      $k.SetValue('NetbiosOptions', 0, 'DWord')
      $changed = $true
    }
  }
  if ($changed) { Save-StandInNet $net }
  $net
}

function Save-StandInNet($Net) { Write-StandInJson 'net.json' $Net }

function Test-StandInLoopback($Adapter) { [string]$Adapter.description -like "$($script:LoopDesc)*" }

# Which adapters a NetAdapter-style query (-Name / -InterfaceDescription / -InterfaceIndex /
# -InterfaceAlias / -InputObject) selects; writes Windows' not-found error per unmatched literal.
function Select-StandInAdapter($Cmdlet, $Net, [System.Collections.IDictionary]$Bound, [string]$Class = 'MSFT_NetAdapter', [switch]$Quiet) {
  $all = @($Net.adapters)
  if ($Bound.ContainsKey('InputObject')) {
    $idx = @($Bound.InputObject | ForEach-Object { [int]$(if ($null -ne $_.ifIndex) { $_.ifIndex } else { $_.InterfaceIndex }) })
    return @($all | Where-Object { $idx -contains [int]$_.ifIndex })
  }
  foreach ($q in @(@('Name', 'name', 'Name'), @('InterfaceAlias', 'name', 'InterfaceAlias'), @('InterfaceDescription', 'description', 'InterfaceDescription'), @('InterfaceIndex', 'ifIndex', 'InterfaceIndex'))) {
    if (-not $Bound.ContainsKey($q[0])) { continue }
    $hit = @()
    foreach ($v in @($Bound[$q[0]])) {
      $m = @($all | Where-Object { [string]$_[$q[1]] -like [string]$v })
      if ($m.Count -eq 0 -and -not (Test-StandInWildcard $v) -and -not $Quiet) { Write-StandInNotFound $Cmdlet $Class $q[2] $v }
      $hit += $m
    }
    $all = @($hit | Sort-Object { $_.ifIndex } -Unique)
  }
  $all
}

function ConvertTo-StandInNetAdapter($A) {
  $loop = Test-StandInLoopback $A
  New-StandInCim 'MSFT_NetAdapter' 'ROOT/StandardCimv2' ([ordered]@{
      Name = $A.name; InterfaceAlias = $A.name; ifAlias = $A.name
      InterfaceDescription = $A.description; ifDesc = $A.description; DriverDescription = $(if ($loop) { $script:LoopDesc } else { $A.description })
      ifIndex = [int]$A.ifIndex; InterfaceIndex = [int]$A.ifIndex
      Status = $A.status; MediaConnectionState = 'Connected'; LinkSpeed = $(if ($loop) { '100 Mbps' } else { '10 Gbps' })
      MacAddress = $A.mac; PermanentAddress = $A.mac.Replace('-', ''); InterfaceGuid = $A.guid; DeviceID = $A.guid
      ComponentID = $(if ($loop) { '*msloop' } else { 'vmbus\{f8615163-df3e-46c5-913f-f2d2f965ed0e}' })
      HardwareInterface = -not $loop; Virtual = $loop; Hidden = $false; AdminStatus = 'Up'; ifOperStatus = 'Up'
    })
}

$script:Impl['Get-NetAdapter'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  foreach ($a in (Select-StandInAdapter $Cmdlet $net $Bound)) {
    if ($Bound.Physical -and (Test-StandInLoopback $a)) { continue }
    ConvertTo-StandInNetAdapter $a
  }
}

$script:Impl['Rename-NetAdapter'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  foreach ($a in (Select-StandInAdapter $Cmdlet $net $Bound)) {
    $new = [string]$Bound.NewName
    if (@($net.adapters | Where-Object { $_.name -eq $new -and $_.ifIndex -ne $a.ifIndex }).Count -gt 0) {
      Stop-StandIn $Cmdlet "{ Cannot create a file when that file already exists. } The name '$new' is already used by another adapter." ResourceExists 'Windows System Error 183' $new
    }
    if (-not $Cmdlet.ShouldProcess($a.name, 'Rename')) { continue }
    $a.name = $new
    Save-StandInNet $net
    if ($Bound.PassThru) { ConvertTo-StandInNetAdapter $a }
  }
}

function Invoke-StandInBinding($Cmdlet, $Bound, $Enable) {
  $net = Get-StandInNet
  $comps = $Bound['ComponentID']
  $names = $Bound['DisplayName']
  $changed = $false
  foreach ($a in (Select-StandInAdapter $Cmdlet $net $Bound 'MSFT_NetAdapterBindingSettingData')) {
    $hits = @($a.bindings.Keys | Where-Object { (Test-StandInLike $_ $comps) -and (Test-StandInLike $script:Bindings[$_] $names) })
    if ($null -eq $Enable -and $hits.Count -eq 0 -and ($comps -or $names)) {
      Write-StandInNotFound $Cmdlet 'MSFT_NetAdapterBindingSettingData' $(if ($comps) { 'ComponentID' } else { 'DisplayName' }) $(if ($comps) { $comps } else { $names })
    }
    foreach ($c in $hits) {
      if ($null -ne $Enable) {
        if (-not $Cmdlet.ShouldProcess("$($a.name) $c", $(if ($Enable) { 'Enable' } else { 'Disable' }))) { continue }
        $a.bindings[$c] = [bool]$Enable
        $changed = $true
        if (-not $Bound.PassThru) { continue }
      }
      if ($Bound.Enabled -is [bool] -and $a.bindings[$c] -ne $Bound.Enabled) { continue }
      New-StandInCim 'MSFT_NetAdapterBindingSettingData' 'ROOT/StandardCimv2' ([ordered]@{
          Name = $a.name; InterfaceAlias = $a.name; InterfaceDescription = $a.description; ifDesc = $a.description
          DisplayName = $script:Bindings[$c]; ComponentID = $c; Enabled = [bool]$a.bindings[$c]
        })
    }
  }
  if ($changed) { Save-StandInNet $net }
}
$script:Impl['Get-NetAdapterBinding'] = { param($Cmdlet, $Bound) Invoke-StandInBinding $Cmdlet $Bound $null }
$script:Impl['Enable-NetAdapterBinding'] = { param($Cmdlet, $Bound) Invoke-StandInBinding $Cmdlet $Bound $true }
$script:Impl['Disable-NetAdapterBinding'] = { param($Cmdlet, $Bound) Invoke-StandInBinding $Cmdlet $Bound $false }

# ---- NetTCPIP -----------------------------------------------------------------------------------

$script:TcpipNs = 'Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP'

function ConvertTo-StandInIPAddress($Net, $Ip) {
  $a = @($Net.adapters | Where-Object { $_.ifIndex -eq $Ip.ifIndex })[0]
  New-StandInCim 'MSFT_NetIPAddress' 'ROOT/StandardCimv2' ([ordered]@{
      IPAddress = $Ip.ipAddress; IPv4Address = $(if ($Ip.addressFamily -eq 'IPv4') { $Ip.ipAddress }); IPv6Address = $(if ($Ip.addressFamily -eq 'IPv6') { $Ip.ipAddress })
      InterfaceIndex = [uint32]$Ip.ifIndex; InterfaceAlias = $a.name
      AddressFamily = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.AddressFamily]$Ip.addressFamily
      Type = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.Type]::Unicast; PrefixLength = [byte]$Ip.prefixLength
      PrefixOrigin = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.PrefixOrigin]$Ip.prefixOrigin
      SuffixOrigin = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.SuffixOrigin]$Ip.suffixOrigin
      AddressState = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.AddressState]::Preferred
      ValidLifetime = [timespan]::MaxValue; PreferredLifetime = [timespan]::MaxValue
      SkipAsSource = [bool]$Ip.skipAsSource; PolicyStore = 'ActiveStore'
    })
}

function Test-StandInSameIp([string]$A, [string]$B) {
  $pa = $null; $pb = $null
  [System.Net.IPAddress]::TryParse(($A -split '%')[0], [ref]$pa) -and [System.Net.IPAddress]::TryParse(($B -split '%')[0], [ref]$pb) -and $pa.Equals($pb)
}

# The NetIPAddress query parameters as a filter; Windows writes one not-found error for an empty result.
function Select-StandInIPAddress($Cmdlet, $Net, $Bound, [switch]$Quiet) {
  $ips = @($Net.addresses)
  if ($Bound.ContainsKey('InputObject')) {
    return @($ips | Where-Object { $ip = $_; @($Bound.InputObject | Where-Object { $_.InterfaceIndex -eq $ip.ifIndex -and (Test-StandInSameIp $_.IPAddress $ip.ipAddress) }).Count -gt 0 })
  }
  $alias = @{}
  foreach ($a in $Net.adapters) { $alias[[int]$a.ifIndex] = $a.name }
  $ips = @($ips | Where-Object {
      $ip = $_
      ((-not $Bound.ContainsKey('IPAddress')) -or @($Bound.IPAddress | Where-Object { ($ip.ipAddress -like $_) -or (Test-StandInSameIp $ip.ipAddress $_) }).Count -gt 0) -and
      ((-not $Bound.ContainsKey('InterfaceIndex')) -or @($Bound.InterfaceIndex) -contains [uint32]$ip.ifIndex) -and
      (Test-StandInLike $alias[[int]$ip.ifIndex] $Bound['InterfaceAlias']) -and
      ((-not $Bound.ContainsKey('AddressFamily')) -or @($Bound.AddressFamily | ForEach-Object { [string]$_ }) -contains $ip.addressFamily) -and
      ((-not $Bound.ContainsKey('PrefixLength')) -or @($Bound.PrefixLength) -contains [byte]$ip.prefixLength) -and
      ((-not $Bound.ContainsKey('SkipAsSource')) -or @($Bound.SkipAsSource) -contains [bool]$ip.skipAsSource) -and
      ((-not $Bound.ContainsKey('PrefixOrigin')) -or @($Bound.PrefixOrigin | ForEach-Object { [string]$_ }) -contains $ip.prefixOrigin)
    })
  $query = @('IPAddress', 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily') | Where-Object { $Bound.ContainsKey($_) }
  if ($ips.Count -eq 0 -and $query -and -not $Quiet -and -not (Test-StandInWildcard @($Bound['IPAddress']) + @($Bound['InterfaceAlias']))) {
    $where = ($query | ForEach-Object { "($_ = $(@($Bound[$_]) -join ', '))" }) -join ' AND '
    $Cmdlet.WriteError((New-StandInError -Message "No matching MSFT_NetIPAddress objects found by CIM query for instances of the ROOT/StandardCimv2/MSFT_NetIPAddress class on the  CIM server: SELECT * FROM MSFT_NetIPAddress  WHERE $where. Verify query parameters and retry." `
          -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound" -Target 'MSFT_NetIPAddress'))
  }
  $ips
}

# The Linux side of an address: loopback-adapter VIPs go on lo with ARP suppressed, so the node
# accepts the VIP's traffic without answering ARP for it (what the KM-TEST adapter does on Windows).
function Invoke-StandInAddressEffect($Net, $Ip, [string]$Verb) {
  $a = @($Net.adapters | Where-Object { $_.ifIndex -eq $Ip.ifIndex })[0]
  if ([string]$Ip.prefixOrigin -eq 'WellKnown') { return }
  $hostBits = if ($Ip.addressFamily -eq 'IPv6') { 128 } else { 32 }
  if (Test-StandInLoopback $a) {
    Invoke-StandInEffect "$Verb VIP on $($a.name)" @('ip', 'addr', $Verb, "$($Ip.ipAddress)/$hostBits", 'dev', 'lo')
    if ($Verb -eq 'add' -and $Ip.addressFamily -eq 'IPv4') {
      $dev = Get-StandInLanDevice
      foreach ($s in @('all', $dev) | Where-Object { $_ }) {
        Invoke-StandInEffect 'no ARP for the VIP' @('sysctl', '-q', '-w', "net.ipv4.conf.$s.arp_ignore=1")
        Invoke-StandInEffect 'no ARP for the VIP' @('sysctl', '-q', '-w', "net.ipv4.conf.$s.arp_announce=2")
      }
    }
    if ($Verb -eq 'del' -and -not @($Net.addresses | Where-Object { $_ -ne $Ip -and (Test-StandInLoopback @($Net.adapters | Where-Object { $_.ifIndex -eq $Ip.ifIndex })[0]) -and $_.prefixOrigin -ne 'WellKnown' -and $_.addressFamily -eq 'IPv4' })) {
      $dev = Get-StandInLanDevice
      foreach ($s in @('all', $dev) | Where-Object { $_ }) {
        Invoke-StandInEffect 'ARP back to default' @('sysctl', '-q', '-w', "net.ipv4.conf.$s.arp_ignore=0")
        Invoke-StandInEffect 'ARP back to default' @('sysctl', '-q', '-w', "net.ipv4.conf.$s.arp_announce=0")
      }
    }
  } else {
    $dev = Get-StandInLanDevice
    if ($dev) { Invoke-StandInEffect "$Verb address on $($a.name)" @('ip', 'addr', $Verb, "$($Ip.ipAddress)/$($Ip.prefixLength)", 'dev', $dev) }
  }
}

# The Linux interface that holds the node's LAN address (only with effects on; else unknown).
function Get-StandInLanDevice {
  if (-not (Test-StandInEffects)) { return 'lan' }
  $addr = (Get-StandInNode).lan.address
  $line = @(& ip -o addr show 2>$null | Where-Object { $_ -match "inet6? $([regex]::Escape($addr))/" })[0]
  if ($line) { ($line -split '\s+')[1] }
}

$script:Impl['Get-NetIPAddress'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  foreach ($ip in (Select-StandInIPAddress $Cmdlet $net $Bound)) { ConvertTo-StandInIPAddress $net $ip }
}

$script:Impl['New-NetIPAddress'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  $sel = @{}
  foreach ($k in 'InterfaceIndex', 'InterfaceAlias') { if ($Bound.ContainsKey($k)) { $sel[$k] = $Bound[$k] } }
  $a = @(Select-StandInAdapter $Cmdlet $net $sel 'MSFT_NetIPInterface')
  if ($a.Count -ne 1) { return }
  $a = $a[0]
  $addr = $null
  if (-not [System.Net.IPAddress]::TryParse([string]$Bound.IPAddress, [ref]$addr)) {
    Stop-StandIn $Cmdlet 'Invalid parameter IPAddress' InvalidArgument 'Windows System Error 87' $Bound.IPAddress
  }
  $fam = if ($addr.AddressFamily -eq 'InterNetworkV6') { 'IPv6' } else { 'IPv4' }
  if ($Bound.ContainsKey('AddressFamily') -and [string]$Bound.AddressFamily -ne $fam) {
    Stop-StandIn $Cmdlet 'Inconsistent parameters PolicyStore PersistentStore and Dhcp Enabled' InvalidArgument 'Windows System Error 87' $Bound.IPAddress
  }
  if (@($net.addresses | Where-Object { Test-StandInSameIp $_.ipAddress $Bound.IPAddress }).Count -gt 0) {
    Stop-StandIn $Cmdlet 'The object already exists.' ResourceExists 'Windows System Error 5010' 'MSFT_NetIPAddress'
  }
  if (-not $Cmdlet.ShouldProcess("$($Bound.IPAddress) on $($a.name)", 'Create')) { return }
  $prefix = if ($Bound.ContainsKey('PrefixLength')) { [int]$Bound.PrefixLength } elseif ($fam -eq 'IPv4') { 32 } else { 128 }
  $ip = New-StandInAddress $a.ifIndex $addr.ToString() $prefix 'Manual' ([bool]$Bound['SkipAsSource'])
  $net.addresses = @($net.addresses) + @($ip)
  Save-StandInNet $net
  Invoke-StandInAddressEffect $net $ip 'add'
  ConvertTo-StandInIPAddress $net $ip
}

$script:Impl['Remove-NetIPAddress'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  foreach ($ip in @(Select-StandInIPAddress $Cmdlet $net $Bound)) {
    if (-not $Cmdlet.ShouldProcess("$($ip.ipAddress)", 'Delete')) { continue }
    $net.addresses = @($net.addresses | Where-Object { $_ -ne $ip })
    Save-StandInNet $net
    Invoke-StandInAddressEffect $net $ip 'del'
    if ($Bound.PassThru) { ConvertTo-StandInIPAddress $net $ip }
  }
}

$script:Impl['Set-NetIPAddress'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  $query = @{}
  foreach ($k in 'IPAddress', 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'InputObject') { if ($Bound.ContainsKey($k)) { $query[$k] = $Bound[$k] } }
  foreach ($ip in @(Select-StandInIPAddress $Cmdlet $net $query)) {
    if (-not $Cmdlet.ShouldProcess("$($ip.ipAddress)", 'Modify')) { continue }
    if ($Bound.ContainsKey('SkipAsSource')) { $ip.skipAsSource = [bool]$Bound.SkipAsSource }
    if ($Bound.ContainsKey('PrefixLength')) { $ip.prefixLength = [int]$Bound.PrefixLength }
    Save-StandInNet $net
    if ($Bound.PassThru) { ConvertTo-StandInIPAddress $net $ip }
  }
}

function Select-StandInIPInterface($Cmdlet, $Net, $Bound) {
  $sel = @{}
  foreach ($k in 'InterfaceIndex', 'InterfaceAlias', 'InputObject') { if ($Bound.ContainsKey($k)) { $sel[$k] = $Bound[$k] } }
  $fams = if ($Bound.ContainsKey('AddressFamily')) { @($Bound.AddressFamily | ForEach-Object { [string]$_ }) } else { @('IPv6', 'IPv4') }
  foreach ($a in @(Select-StandInAdapter $Cmdlet $Net $sel 'MSFT_NetIPInterface')) {
    foreach ($f in $fams) { if ($a.bindings[$(if ($f -eq 'IPv4') { 'ms_tcpip' } else { 'ms_tcpip6' })]) { , @($a, $f) } }
  }
}

function ConvertTo-StandInIPInterface($A, [string]$Fam) {
  $s = $A.ipInterface[$Fam]
  $p = [ordered]@{ InterfaceIndex = [uint32]$A.ifIndex; ifIndex = [uint32]$A.ifIndex; InterfaceAlias = $A.name; ifAlias = $A.name
    AddressFamily = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.AddressFamily]$Fam
    ConnectionState = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPIP.ConnectionState]::Connected; PolicyStore = 'ActiveStore'
  }
  foreach ($k in $s.Keys) {
    $t = "$($script:TcpipNs).$k" -as [type]
    $p[$k] = if ($t -and $t.IsEnum) { [enum]::Parse($t, [string]$s[$k]) } else { [uint32]$s[$k] }
  }
  New-StandInCim 'MSFT_NetIPInterface' 'ROOT/StandardCimv2' $p
}

$script:Impl['Get-NetIPInterface'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  foreach ($x in @(Select-StandInIPInterface $Cmdlet $net $Bound)) { ConvertTo-StandInIPInterface $x[0] $x[1] }
}

$script:Impl['Set-NetIPInterface'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  $skip = 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'InputObject', 'PassThru', 'PolicyStore', 'IncludeAllCompartments', 'ThrottleLimit'
  foreach ($x in @(Select-StandInIPInterface $Cmdlet $net $Bound)) {
    $a, $f = $x
    if (-not $Cmdlet.ShouldProcess("$($a.name) $f", 'Modify')) { continue }
    foreach ($k in @($Bound.Keys | Where-Object { $skip -notcontains $_ -and [System.Management.Automation.PSCmdlet]::CommonParameters -notcontains $_ -and [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -notcontains $_ })) {
      $a.ipInterface[$f][$k] = [string]$Bound[$k]
      Write-StandInEvent 'ip-interface' @{ adapter = $a.name; family = $f; setting = $k; value = [string]$Bound[$k] }
    }
    Save-StandInNet $net
    if ($Bound.PassThru) { ConvertTo-StandInIPInterface $a $f }
  }
}

# ---- DnsClient (per-interface settings) ---------------------------------------------------------

function ConvertTo-StandInDnsClient($A) {
  New-StandInCim 'MSFT_DNSClient' 'ROOT/StandardCimv2' ([ordered]@{
      InterfaceAlias = $A.name; InterfaceIndex = [uint32]$A.ifIndex; ConnectionSpecificSuffix = $A.dnsClient.ConnectionSpecificSuffix
      ConnectionSpecificSuffixSearchList = [string[]]@(); RegisterThisConnectionsAddress = [bool]$A.dnsClient.RegisterThisConnectionsAddress
      UseSuffixWhenRegistering = [bool]$A.dnsClient.UseSuffixWhenRegistering
    })
}

$script:Impl['Get-DnsClient'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  foreach ($a in (Select-StandInAdapter $Cmdlet $net $Bound 'MSFT_DNSClient')) {
    if ($Bound.ContainsKey('RegisterThisConnectionsAddress') -and @($Bound.RegisterThisConnectionsAddress) -notcontains [bool]$a.dnsClient.RegisterThisConnectionsAddress) { continue }
    ConvertTo-StandInDnsClient $a
  }
}

$script:Impl['Set-DnsClient'] = {
  param($Cmdlet, $Bound)
  $net = Get-StandInNet
  $sel = @{}
  foreach ($k in 'InterfaceIndex', 'InterfaceAlias', 'InputObject') { if ($Bound.ContainsKey($k)) { $sel[$k] = $Bound[$k] } }
  foreach ($a in (Select-StandInAdapter $Cmdlet $net $sel 'MSFT_DNSClient')) {
    if (-not $Cmdlet.ShouldProcess($a.name, 'Modify')) { continue }
    foreach ($k in 'RegisterThisConnectionsAddress', 'UseSuffixWhenRegistering', 'ConnectionSpecificSuffix') {
      if ($Bound.ContainsKey($k)) { $a.dnsClient[$k] = $Bound[$k] }
    }
    Save-StandInNet $net
    if ($Bound.PassThru) { ConvertTo-StandInDnsClient $a }
  }
}

# ---- Win32_NetworkAdapterConfiguration ----------------------------------------------------------

function Get-StandInNetConfigs {
  $net = Get-StandInNet
  foreach ($a in $net.adapters) {
    $ips = @($net.addresses | Where-Object { $_.ifIndex -eq $a.ifIndex })
    $en = $a.bindings.ms_tcpip -or $a.bindings.ms_tcpip6
    New-StandInCim 'Win32_NetworkAdapterConfiguration' 'root/cimv2' ([ordered]@{
        Index = [uint32]$a.ifIndex; InterfaceIndex = [uint32]$a.ifIndex; Description = $a.description; Caption = "[$('{0:D8}' -f $a.ifIndex)] $($a.description)"
        SettingID = $a.guid; MACAddress = $a.mac.Replace('-', ':'); IPEnabled = [bool]$en; DHCPEnabled = $false
        IPAddress = $(if ($en) { [string[]]@($ips | ForEach-Object { $_.ipAddress }) })
        IPSubnet = $(if ($en) { [string[]]@($ips | ForEach-Object { if ($_.addressFamily -eq 'IPv4') { ([ipaddress]([uint32]::MaxValue -shl (32 - $_.prefixLength) -band [uint32]::MaxValue)).ToString() } else { [string]$_.prefixLength } }) })
        TcpipNetbiosOptions = $(if ($en) { [uint32]$a.netbios })
        DNSHostName = (Get-StandInNode).computerName
      })
  }
}

# SetTcpipNetbios: the adapter's setting and its NetBT registry value, as Windows writes both; nmbd
# runs while any IP-enabled adapter still has NetBIOS (0 default / 1 enabled).
function Invoke-StandInSetTcpipNetbios($Cmdlet, $Instance, [System.Collections.IDictionary]$Arguments) {
  $v = [uint32]$Arguments['TcpipNetbiosOptions']
  if ($v -gt 2) { return 66 } # Windows: 66 = invalid parameter value
  $net = Get-StandInNet
  $a = @($net.adapters | Where-Object { $_.guid -eq $Instance.SettingID })[0]
  if (-not ($a.bindings.ms_tcpip -or $a.bindings.ms_tcpip6)) { return 84 } # IP not enabled on adapter
  $a.netbios = [int]$v
  Save-StandInNet $net
  $k = [PrintHA.WindowsStandIn.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64').CreateSubKey("$($script:NetBTRoot)\Tcpip_$($a.guid)")
  $k.SetValue('NetbiosOptions', [int]$v, 'DWord')
  Write-StandInEvent 'netbios' @{ adapter = $a.name; options = [int]$v }
  Sync-StandInNetbios $net
  0
}

function Sync-StandInNetbios($Net) {
  $on = @($Net.adapters | Where-Object { ($_.bindings.ms_tcpip -or $_.bindings.ms_tcpip6) -and [int]$_.netbios -ne 2 }).Count -gt 0
  Invoke-StandInEffect $(if ($on) { 'NetBIOS over TCP/IP on' } else { 'NetBIOS over TCP/IP off on every adapter' }) @('systemctl', $(if ($on) { 'start' } else { 'stop' }), 'nmbd')
}
