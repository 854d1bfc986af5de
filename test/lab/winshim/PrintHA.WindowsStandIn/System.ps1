# PrintHA lab Windows stand-in (a test double): the registry provider on HKLM:\ (registry.json),
# CIM classes, services, printers (the node's Samba shares), features, Restart-Computer and the
# emulated boot.

# ---- registry provider (HKLM only; every other path goes to the real cmdlet) --------------------

# 'HKLM:\X', 'HKLM:X', 'Registry::HKEY_LOCAL_MACHINE\X', 'Microsoft.PowerShell.Core\Registry::HKLM\X' → 'X'; else $null.
function Get-StandInRegPath([string]$Path) {
  if ($Path -match '^(?:Microsoft\.PowerShell\.Core\\)?Registry::(?:HKEY_LOCAL_MACHINE|HKLM)(?:[\\/](.*))?$' -or $Path -match '^HKLM:(?:[\\/]?(.*))$') {
    return [PrintHA.WindowsStandIn.RegistryStore]::Normalize($Matches[1])
  }
  $null
}

function Get-StandInRegTargets($Bound) {
  $lit = $Bound.ContainsKey('LiteralPath')
  foreach ($p in @($(if ($lit) { $Bound.LiteralPath } else { $Bound.Path }))) { [pscustomobject]@{ Raw = [string]$p; Key = Get-StandInRegPath $p } }
}

# Parameters the 5.1 docs list that PowerShell 7 no longer has (-UseTransaction) or that only the
# registry provider adds: dropped before delegating, or refused for other providers as on Windows.
function Invoke-StandInNative([string]$Name, $Bound, [string[]]$RegistryOnly = @()) {
  $b = @{} + $Bound
  $null = $b.Remove('UseTransaction')
  foreach ($r in $RegistryOnly) {
    if ($b.ContainsKey($r)) {
      throw [System.Management.Automation.ParameterBindingException]::new("A parameter cannot be found that matches parameter name '$r'.")
    }
  }
  & "Microsoft.PowerShell.Management\$Name" @b
}

function Get-StandInRegKeys { [PrintHA.WindowsStandIn.RegistryStore]::Load() }

function Stop-StandInRegMissing($Cmdlet, [string]$Raw, [string]$Verb = 'GetItemProperty') {
  $ex = [System.Management.Automation.ItemNotFoundException]::new("Cannot find path '$Raw' because it does not exist.")
  $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($ex, 'PathNotFound', 'ObjectNotFound', $Raw))
}

function New-StandInRegItem([string]$Key, [string[]]$Names) {
  $k = [PrintHA.WindowsStandIn.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64').OpenSubKey($Key)
  $o = [ordered]@{}
  foreach ($n in @($k.GetValueNames())) { if (-not $Names -or (Test-StandInLike $n $Names)) { $o[$n] = $k.GetValue($n) } }
  $parent = Split-Path $Key
  $o['PSPath'] = "Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\$Key"
  $o['PSParentPath'] = "Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE$(if ($parent) { '\' + $parent })"
  $o['PSChildName'] = Split-Path $Key -Leaf
  $o['PSDrive'] = 'HKLM'
  $o['PSProvider'] = 'Microsoft.PowerShell.Core\Registry'
  [pscustomobject]$o
}

$script:Impl['Test-Path'] = {
  param($Cmdlet, $Bound)
  $t = @(Get-StandInRegTargets $Bound)
  if (@($t | Where-Object { $null -eq $_.Key }).Count -gt 0) { return Invoke-StandInNative 'Test-Path' $Bound }
  $keys = Get-StandInRegKeys
  foreach ($x in $t) {
    if ($Bound.IsValid) { $true; continue }
    $exists = [PrintHA.WindowsStandIn.RegistryStore]::KeyExists($keys, $x.Key)
    $exists -and [string]$Bound['PathType'] -ne 'Leaf'
  }
}

$script:Impl['Get-ItemProperty'] = {
  param($Cmdlet, $Bound)
  $t = @(Get-StandInRegTargets $Bound)
  if (@($t | Where-Object { $null -eq $_.Key }).Count -gt 0) { return Invoke-StandInNative 'Get-ItemProperty' $Bound }
  $keys = Get-StandInRegKeys
  foreach ($x in $t) {
    if (-not [PrintHA.WindowsStandIn.RegistryStore]::KeyExists($keys, $x.Key)) { Stop-StandInRegMissing $Cmdlet $x.Raw; continue }
    $item = New-StandInRegItem $x.Key $Bound['Name']
    foreach ($n in @($Bound['Name'] | Where-Object { -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($_) })) {
      if ($null -eq $item.PSObject.Properties[$n]) {
        $ex = [System.Management.Automation.PSArgumentException]::new("Property $n does not exist at path HKEY_LOCAL_MACHINE\$($x.Key).")
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($ex, 'System.Management.Automation.PSArgumentException', 'InvalidArgument', $n))
      }
    }
    if (@($item.PSObject.Properties).Count -gt 5) { $item }
  }
}

function Set-StandInRegValue($Cmdlet, $Bound, [string]$Verb, [string]$KindParam) {
  $t = @(Get-StandInRegTargets $Bound)
  $keys = Get-StandInRegKeys
  foreach ($x in $t) {
    if (-not [PrintHA.WindowsStandIn.RegistryStore]::KeyExists($keys, $x.Key)) { Stop-StandInRegMissing $Cmdlet $x.Raw $Verb; continue }
    $k = [PrintHA.WindowsStandIn.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64').OpenSubKey($x.Key, $true)
    $props = if ($Bound.ContainsKey('InputObject')) { $Bound.InputObject.PSObject.Properties | ForEach-Object { @{ n = $_.Name; v = $_.Value } } } else { , @{ n = [string]$Bound.Name; v = $Bound['Value'] } }
    foreach ($p in $props) {
      $exists = @($k.GetValueNames()) -contains $p.n
      if ($Verb -eq 'NewItemProperty' -and $exists -and -not $Bound.Force) {
        $ex = [System.IO.IOException]::new('The property already exists.')
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($ex, 'System.IO.IOException', 'ResourceExists', "HKEY_LOCAL_MACHINE\$($x.Key)"))
        continue
      }
      # The kind: -PropertyType/-Type, else the existing value's, else inferred from the .NET type (as the provider does).
      $kind = if ($Bound[$KindParam] -and [string]$Bound[$KindParam] -ne 'Unknown') { [Microsoft.Win32.RegistryValueKind][string]$Bound[$KindParam] }
      elseif ($exists -and $Verb -eq 'SetItemProperty') { $k.GetValueKind($p.n) }
      elseif ($p.v -is [int]) { 'DWord' } elseif ($p.v -is [long]) { 'QWord' } elseif ($p.v -is [array] -and $p.v -isnot [byte[]]) { 'MultiString' } elseif ($p.v -is [byte[]]) { 'Binary' } else { 'String' }
      $v = if ($kind -eq 'MultiString') { [string[]]@($p.v) } elseif ($null -eq $p.v -and $kind -in 'String', 'ExpandString') { '' } elseif ($null -eq $p.v) { 0 } else { $p.v }
      if (-not $Cmdlet.ShouldProcess("Item: HKEY_LOCAL_MACHINE\$($x.Key) Property: $($p.n)", $(if ($Verb -eq 'NewItemProperty') { 'New Property' } else { 'Set Property' }))) { continue }
      try { $k.SetValue($p.n, $v, $kind) } catch {
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($_.Exception.InnerException, 'System.ArgumentException', 'InvalidArgument', $p.v))
        continue
      }
      if ($Verb -eq 'NewItemProperty' -or $Bound.PassThru) { New-StandInRegItem $x.Key @($p.n) }
    }
  }
}

$script:Impl['Set-ItemProperty'] = {
  param($Cmdlet, $Bound)
  if (@(Get-StandInRegTargets $Bound | Where-Object { $null -eq $_.Key }).Count -gt 0) { return Invoke-StandInNative 'Set-ItemProperty' $Bound @('Type') }
  Set-StandInRegValue $Cmdlet $Bound 'SetItemProperty' 'Type'
}

$script:Impl['New-ItemProperty'] = {
  param($Cmdlet, $Bound)
  if (@(Get-StandInRegTargets $Bound | Where-Object { $null -eq $_.Key }).Count -gt 0) { return Invoke-StandInNative 'New-ItemProperty' $Bound }
  Set-StandInRegValue $Cmdlet $Bound 'NewItemProperty' 'PropertyType'
}

# A clean Windows Server 2019 (the parts the scripts read), written once when registry.json is missing.
function Initialize-StandInRegistry {
  if (Microsoft.PowerShell.Management\Test-Path -LiteralPath (Get-StandInPath 'registry.json')) { return }
  $n = Get-StandInNode
  $hk = [PrintHA.WindowsStandIn.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64')
  $hk.CreateSubKey('SYSTEM\CurrentControlSet\Control\Lsa').SetValue('LimitBlankPasswordUse', 1, 'DWord')
  $srv = $hk.CreateSubKey('SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters')
  $srv.SetValue('NullSessionPipes', [string[]]@(), 'MultiString')
  $srv.SetValue('ServiceDll', '%SystemRoot%\system32\srvsvc.dll', 'ExpandString')
  $hk.CreateSubKey('SYSTEM\CurrentControlSet\Services\NetBT\Parameters').SetValue('NodeType', 8, 'DWord')
  $hk.CreateSubKey("SYSTEM\CurrentControlSet\Services\NetBT\Parameters\Interfaces\Tcpip_$($n.lan.guid)").SetValue('NetbiosOptions', 0, 'DWord')
  foreach ($k in 'ActiveComputerName', 'ComputerName') {
    $hk.CreateSubKey("SYSTEM\CurrentControlSet\Control\ComputerName\$k").SetValue('ComputerName', ([string]$n.computerName).ToUpperInvariant(), 'String')
  }
  $hk.CreateSubKey('SYSTEM\CurrentControlSet\Control\Session Manager').SetValue('ProtectionMode', 1, 'DWord')
}

# ---- CIM ----------------------------------------------------------------------------------------

function Get-StandInBootTime {
  $p = Get-StandInPath 'boot-time'
  if (Microsoft.PowerShell.Management\Test-Path -LiteralPath $p) { return [datetime]::Parse((Get-Content -Raw -LiteralPath $p).Trim(), [cultureinfo]::InvariantCulture, 'AdjustToUniversal,AssumeUniversal').ToLocalTime() }
  [datetime]::Now.AddSeconds(-[System.Environment]::TickCount64 / 1000)
}

function Get-StandInCimClass([string]$Class) {
  $n = Get-StandInNode
  $cn = ([string]$n.computerName).ToUpperInvariant()
  switch ($Class) {
    'Win32_OperatingSystem' {
      New-StandInCim 'Win32_OperatingSystem' 'root/cimv2' ([ordered]@{
          Caption = $n.os.caption; Version = $n.os.version; BuildNumber = $n.os.buildNumber; CSName = $cn
          LastBootUpTime = Get-StandInBootTime; LocalDateTime = [datetime]::Now; OSArchitecture = '64-bit'; ProductType = [uint32]3
          SystemDirectory = 'C:\Windows\system32'; WindowsDirectory = 'C:\Windows'
        })
    }
    'Win32_ComputerSystem' {
      New-StandInCim 'Win32_ComputerSystem' 'root/cimv2' ([ordered]@{
          Name = $cn; DNSHostName = ([string]$n.computerName).ToLowerInvariant(); Domain = $n.domain; PartOfDomain = [bool]$n.domain
          Workgroup = $null; DomainRole = [uint16]3; Manufacturer = 'PrintHA lab'; Model = 'Windows stand-in'
        })
    }
    'Win32_NetworkAdapterConfiguration' { Get-StandInNetConfigs }
    'Win32_Printer' {
      foreach ($s in Get-StandInPrinterShares) {
        New-StandInCim 'Win32_Printer' 'root/cimv2' ([ordered]@{ Name = $s; ShareName = $s; Shared = $true; Local = $true; Network = $false; DriverName = 'Microsoft PS Class Driver'; PortName = 'PORTPROMPT:'; SystemName = $cn; PrinterStatus = [uint16]3 })
      }
    }
    'Win32_Service' {
      foreach ($s in Get-StandInServices) { New-StandInCim 'Win32_Service' 'root/cimv2' ([ordered]@{ Name = $s.name; DisplayName = $s.displayName; State = $s.status; Started = $s.status -eq 'Running'; StartMode = 'Auto' }) }
    }
    default { $null }
  }
}
$script:CimClasses = 'Win32_OperatingSystem', 'Win32_ComputerSystem', 'Win32_NetworkAdapterConfiguration', 'Win32_Printer', 'Win32_Service'

# A WQL WHERE clause of the forms the scripts use: Prop = TRUE|FALSE|number|'text', joined by AND.
function Test-StandInWql($Obj, [string]$Filter) {
  if (-not $Filter) { return $true }
  foreach ($c in ($Filter -split '\s+AND\s+')) {
    if ($c -notmatch "^\s*\(?\s*(\w+)\s*(=|<>|!=)\s*('(?:[^']|'')*'|TRUE|FALSE|-?\d+)\s*\)?\s*$") { throw [System.ArgumentException]::new('Invalid query') }
    $v = $Obj.($Matches[1])
    $lit = $Matches[3]
    $want = if ($lit -eq 'TRUE') { $true } elseif ($lit -eq 'FALSE') { $false } elseif ($lit.StartsWith("'")) { $lit.Substring(1, $lit.Length - 2).Replace("''", "'") } else { [long]$lit }
    $eq = if ($want -is [bool]) { [bool]$v -eq $want } else { [string]$v -eq [string]$want }
    if ($eq -ne ($Matches[2] -eq '=')) { return $false }
  }
  $true
}

$script:Impl['Get-CimInstance'] = {
  param($Cmdlet, $Bound)
  $class = $Bound['ClassName']
  $filter = $Bound['Filter']
  if ($Bound.ContainsKey('Query')) {
    if ($Bound.Query -notmatch '^\s*SELECT\s+\*\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+))?$') { Stop-StandIn $Cmdlet 'Invalid query ' InvalidArgument 'HRESULT 0x80041017' $Bound.Query }
    $class = $Matches[1]; $filter = $Matches[2]
  }
  if ($Bound.ContainsKey('InputObject')) { $class = $Bound.InputObject.CimClassName }
  if ($Bound.ContainsKey('ResourceUri')) { Stop-StandIn $Cmdlet 'The WS-Management service cannot process the request. The resource URI is not supported by the stand-in.' NotImplemented 'HRESULT 0x80338000' }
  $ns = if ($Bound['Namespace']) { $Bound.Namespace } else { 'root/cimv2' }
  if ($ns -notin 'root/cimv2', 'root\cimv2' -or $script:CimClasses -notcontains $class) {
    Stop-StandIn $Cmdlet 'Invalid class ' MetadataError 'HRESULT 0x80041010' $class
  }
  try { @(Get-StandInCimClass $class) | Where-Object { Test-StandInWql $_ $filter } }
  catch [System.ArgumentException] { Stop-StandIn $Cmdlet 'Invalid query ' InvalidArgument 'HRESULT 0x80041017' $filter }
}

$script:Impl['Invoke-CimMethod'] = {
  param($Cmdlet, $Bound)
  $targets = if ($Bound.ContainsKey('InputObject')) { @($Bound.InputObject) } elseif ($Bound.ContainsKey('Query')) { @(& $script:Impl['Get-CimInstance'] $Cmdlet @{ Query = $Bound.Query }) } else { @($null) }
  $class = if ($Bound.ContainsKey('InputObject')) { $Bound.InputObject.CimClassName } else { $Bound['ClassName'] }
  $method = [string]$Bound.MethodName
  $margs = if ($Bound['Arguments']) { $Bound.Arguments } else { @{} }
  foreach ($t in $targets) {
    $rc = switch ("$class.$method") {
      'Win32_NetworkAdapterConfiguration.SetTcpipNetbios' {
        if ($null -eq $t) { Stop-StandIn $Cmdlet 'Invalid method Parameter(s) ' InvalidArgument 'HRESULT 0x80041008' $method }
        if (-not $Cmdlet.ShouldProcess("$($t.Description)", "Invoke-CimMethod: $method")) { continue }
        Invoke-StandInSetTcpipNetbios $Cmdlet $t $margs
      }
      default { Stop-StandIn $Cmdlet 'Method not found ' MetadataError 'HRESULT 0x80041011' $method }
    }
    $o = [pscustomobject]@{ ReturnValue = [uint32]$rc; PSComputerName = $null }
    $o.PSObject.TypeNames.Insert(0, "Microsoft.Management.Infrastructure.CimMethodResult#$class#$method")
    $o
  }
}

# ---- services, printers, features ---------------------------------------------------------------

# Windows services the scripts look at; node.json "services" ([{ name, displayName, status }]) replaces them.
function Get-StandInServices {
  $n = Get-StandInNode
  if ($n.services) { return @($n.services) }
  $s = @(
    @{ name = 'LanmanServer'; displayName = 'Server'; status = 'Running' },
    @{ name = 'lmhosts'; displayName = 'TCP/IP NetBIOS Helper'; status = 'Running' },
    @{ name = 'Dnscache'; displayName = 'DNS Client'; status = 'Running' },
    @{ name = 'sshd'; displayName = 'OpenSSH SSH Server'; status = 'Running' }
  )
  if ($n.role -eq 'print-server') {
    $s += @{ name = 'Spooler'; displayName = 'Print Spooler'; status = 'Running' }
    # The lab's print servers serve every product profile's ports (listeners), so both products' services exist.
    $s += @{ name = 'DispatcherPhoenixServer'; displayName = 'Dispatcher Phoenix Server (PrintHA lab stand-in)'; status = 'Running' }
    $s += @{ name = 'YSoftSQ-TS'; displayName = 'YSoft SafeQ Terminal Server (PrintHA lab stand-in)'; status = 'Running' }
  }
  if ($n.role -eq 'dns-server') { $s += @{ name = 'DNS'; displayName = 'DNS Server'; status = 'Running' } }
  $s
}

$script:Impl['Get-Service'] = {
  param($Cmdlet, $Bound)
  $all = @(Get-StandInServices)
  $sel = if ($Bound.ContainsKey('InputObject')) { @($all | Where-Object { @($Bound.InputObject.Name) -contains $_.name }) } else { $all }
  foreach ($q in @(@('Name', 'name'), @('DisplayName', 'displayName'))) {
    if (-not $Bound.ContainsKey($q[0])) { continue }
    $hit = @()
    foreach ($v in @($Bound[$q[0]])) {
      $m = @($all | Where-Object { $_[$q[1]] -like $v })
      if ($m.Count -eq 0 -and -not (Test-StandInWildcard $v)) {
        $what = if ($q[0] -eq 'Name') { 'service name' } else { 'display name' }
        # ServiceCommandException (Windows' type) is absent from PowerShell 7 on Linux.
        $ex = [System.InvalidOperationException]::new("Cannot find any service with $what '$v'.")
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($ex, "NoServiceFoundForGiven$($q[0])", 'ObjectNotFound', $v))
      }
      $hit += $m
    }
    $sel = $hit
  }
  foreach ($s in @($sel | Where-Object { Test-StandInLike $_.name $(if ($Bound['Include']) { $Bound.Include }) } | Where-Object { -not ($Bound['Exclude'] -and (Test-StandInLike $_.name $Bound.Exclude)) })) {
    $o = [pscustomobject]@{ Name = $s.name; ServiceName = $s.name; DisplayName = $s.displayName; Status = [System.ServiceProcess.ServiceControllerStatus]$s.status; StartType = 'Automatic'; CanStop = $true; MachineName = '.' }
    $o.PSObject.TypeNames.Insert(0, 'System.ServiceProcess.ServiceController')
    $o
  }
}

# The node's Samba print shares: the sections of printers.conf (lab.sh gen_printers) that are printable.
function Get-StandInPrinterShares {
  $f = if ($env:PRINTHA_WINSHIM_PRINTERS_CONF) { $env:PRINTHA_WINSHIM_PRINTERS_CONF } else { '/etc/samba/printers.conf' }
  if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $f)) { return }
  $cur = $null; $printable = $false
  foreach ($l in @(Get-Content -LiteralPath $f) + '[]') {
    if ($l -match '^\s*\[(.*)\]\s*$') {
      if ($cur -and $printable) { $cur }
      $cur = $Matches[1]; $printable = $false
    } elseif ($l -match '^\s*(printable|print ok)\s*=\s*(yes|true|1)\s*$') { $printable = $true }
  }
}

$script:Impl['Get-Printer'] = {
  param($Cmdlet, $Bound)
  $cn = ([string](Get-StandInNode).computerName).ToUpperInvariant()
  $all = @(Get-StandInPrinterShares)
  foreach ($v in @($Bound['Name'])) {
    if ($v -and -not (Test-StandInWildcard $v) -and $all -notcontains $v) { $Cmdlet.WriteError((New-StandInError -Message 'The specified printer was not found.' -Category ObjectNotFound -ErrorId 'HRESULT 0x80070709' -Target $v)) }
  }
  foreach ($s in @($all | Where-Object { Test-StandInLike $_ $Bound['Name'] })) {
    New-StandInCim 'MSFT_Printer' 'ROOT/StandardCimv2' ([ordered]@{
        Name = $s; ComputerName = $cn; ShareName = $s; Shared = $true; Published = $false; Type = 'Local'; DeviceType = 'Print'
        DriverName = 'Microsoft PS Class Driver'; PortName = 'PORTPROMPT:'; PrinterStatus = 'Normal'; Location = ''; Comment = "$s on $cn"
      })
  }
}

$script:Impl['Get-WindowsFeature'] = {
  param($Cmdlet, $Bound)
  $role = (Get-StandInNode).role
  $f = @(
    @('FileAndStorage-Services', 'File and Storage Services', 'Role', $true),
    @('Print-Services', 'Print and Document Services', 'Role', ($role -eq 'print-server')),
    @('Print-Server', 'Print Server', 'Role Service', ($role -eq 'print-server')),
    @('DNS', 'DNS Server', 'Role', ($role -eq 'dns-server')),
    @('RSAT-DNS-Server', 'DNS Server Tools', 'Feature', ($role -eq 'dns-server')),
    @('PowerShell', 'Windows PowerShell 5.1', 'Feature', $true)
  )
  foreach ($x in @($f | Where-Object { Test-StandInLike $_[0] $Bound['Name'] })) {
    $o = [pscustomobject]@{ Name = $x[0]; DisplayName = $x[1]; FeatureType = $x[2]; Installed = $x[3]; InstallState = $(if ($x[3]) { 'Installed' } else { 'Available' }) }
    $o.PSObject.TypeNames.Insert(0, 'Microsoft.Windows.ServerManager.Commands.Feature')
    $o
  }
}

# ---- restart and the emulated boot --------------------------------------------------------------

# Windows returns once shutdown is initiated: the reboot emulation runs detached, outliving the session.
$script:Impl['Restart-Computer'] = {
  param($Cmdlet, $Bound)
  $n = Get-StandInNode
  $self = @('localhost', '.', '127.0.0.1', '::1', [string]$n.computerName, "$($n.computerName).$($n.domain)", [string]$n.lan.address)
  foreach ($c in @($Bound['ComputerName'])) {
    if ($c -and $self -notcontains $c) { Stop-StandIn $Cmdlet "Failed to restart the computer $c with the following error message: The RPC server is unavailable. (the stand-in restarts only itself)" OperationStopped 'RestartcomputerFailed' $c }
  }
  if (-not $Cmdlet.ShouldProcess($n.computerName, 'Restart-Computer')) { return }
  Write-StandInEvent 'reboot-requested' @{ force = [bool]$Bound.Force }
  if (Test-StandInEffects) {
    $null = & setsid -f sh -c 'nohup /usr/local/sbin/pha-win-reboot >>/var/log/pha-win-reboot.log 2>&1 </dev/null &'
  }
}

# Called by reboot.sh during the emulated boot (not a Windows cmdlet): what Windows reads at boot.
function Invoke-StandInBoot {
  [CmdletBinding()]
  param()
  Initialize-StandInRegistry
  $v = [PrintHA.WindowsStandIn.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64').OpenSubKey('SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters')
  $names = if ($null -ne $v) { @($v.GetValue('OptionalNames', @()) | Where-Object { $_ }) } else { @() }
  $conf = if ($env:PRINTHA_WINSHIM_ALIASES_CONF) { $env:PRINTHA_WINSHIM_ALIASES_CONF } else { '/etc/samba/aliases.conf' }
  $line = "   netbios aliases = $($names -join ' ')".TrimEnd() + "`n"
  if (((Test-StandInEffects) -and (Get-StandInNode).role -ne 'dns-server') -or $env:PRINTHA_WINSHIM_ALIASES_CONF) {
    $tmp = "$conf.$PID.tmp"
    [System.IO.File]::WriteAllText($tmp, $line)
    Move-Item -LiteralPath $tmp -Destination $conf -Force
  }
  Write-StandInEvent 'boot' @{ netbiosAliases = [string[]]$names }
  # smbd is down during the boot (reboot.sh starts it afterwards and it reads aliases.conf then);
  # the DNS server has no Samba, so NetBIOS there is only state.
  if ((Get-StandInNode).role -ne 'dns-server') { Sync-StandInNetbios (Get-StandInNet) }
}
