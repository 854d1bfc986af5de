# PrintHA lab: laptop-side stand-in for the Windows DnsServer module (RSAT-DNS-Server, a TEST
# DOUBLE). Each cmdlet runs the same cmdlet on the -ComputerName's Windows stand-in over
# PowerShell-over-SSH (one session per server, reused within the process) and rebuilds the
# returned records locally, so callers read RecordData.IPv4Address.IPAddressToString as on Windows.
$standIn = Join-Path $PSScriptRoot '../../PrintHA.WindowsStandIn'
. (Join-Path $standIn 'Types.ps1')
. (Join-Path $standIn 'Core.ps1')
. (Join-Path $standIn 'Net.ps1')
. (Join-Path $standIn 'Dns.ps1')
$script:Impl = @{}
$script:Sessions = @{}

function Get-RsatSession($Cmdlet, [string]$ComputerName) {
  $s = $script:Sessions[$ComputerName]
  if ($null -ne $s -and $s.State -eq 'Opened') { return $s }
  try {
    $s = New-PSSession -HostName $ComputerName -UserName root -KeyFilePath $env:PRINTHA_SSH_KEY `
      -Options @{ UserKnownHostsFile = $env:PRINTHA_LAB_KNOWN_HOSTS; StrictHostKeyChecking = 'yes' } -ErrorAction Stop
  } catch {
    Stop-StandIn $Cmdlet "Failed to connect to server $ComputerName. ($($_.Exception.Message))" ConnectionError 'WIN32 1722' $ComputerName
  }
  $script:Sessions[$ComputerName] = $s
  $s
}

# Remote: run the cmdlet, return plain data (records, zones, errors) that survives serialization.
$script:Remote = {
  param([string]$Name, [hashtable]$Bound)
  $flat = { param($o) if ($o.PSObject.TypeNames -match 'DnsServerZone$') { @{ zone = $o.ZoneName } } else {
      $d = $o.RecordData
      @{ host = $o.HostName; type = $o.RecordType; ttl = $o.TimeToLive.TotalSeconds; data = [string]@($d.IPv4Address, $d.IPv6Address, $d.HostNameAlias, $d.NameServer, $d.PrimaryServer | Where-Object { $_ })[0] } } }
  $errs = @(); $fatal = $null; $out = @()
  try { $out = @(& $Name @Bound -ErrorAction SilentlyContinue -ErrorVariable +errs | ForEach-Object { & $flat $_ }) }
  catch { $fatal = $_ }
  $er = { param($e) @{ message = $e.Exception.Message; category = [string]$e.CategoryInfo.Category; id = ($e.FullyQualifiedErrorId -split ',')[0]; target = [string]$e.TargetObject } }
  @{ out = $out; errors = @($errs | ForEach-Object { & $er $_ }); fatal = $(if ($fatal) { & $er $fatal }) }
}

function Invoke-RsatForward($Cmdlet, $Bound) {
  $name = $Cmdlet.MyInvocation.MyCommand.Name
  $cn = if ($Bound['ComputerName']) { [string]$Bound.ComputerName } else { 'localhost' }
  $b = @{} + $Bound
  if ($b.ContainsKey('InputObject')) {
    $o = $b.InputObject; $null = $b.Remove('InputObject')
    $b.Name = $o.HostName; $b.RRType = $o.RecordType
    $b.RecordData = [string]@($o.RecordData.IPv4Address, $o.RecordData.IPv6Address | Where-Object { $_ })[0]
  }
  foreach ($k in 'IPv4Address', 'IPv6Address') { if ($b.ContainsKey($k)) { $b[$k] = [string[]]@($b[$k] | ForEach-Object { $_.ToString() }) } }
  if ($b.ContainsKey('TimeToLive')) { $b.TimeToLive = [string]$b.TimeToLive }
  if ($name -like 'Remove-*' -or $name -like 'Add-*') {
    if (-not ($Bound.Force -or $Cmdlet.ShouldProcess("$($b.Name) on $cn", $name))) { return }
    $b.Confirm = $false
  }
  $r = Invoke-Command -Session (Get-RsatSession $Cmdlet $cn) -ScriptBlock $script:Remote -ArgumentList $name, $b
  # (an empty list can come back as $null after serialization: skip what carries no message)
  $cat = { param($c) if ($c) { [System.Management.Automation.ErrorCategory]$c } else { [System.Management.Automation.ErrorCategory]::NotSpecified } }
  foreach ($e in @($r.errors | Where-Object { $null -ne $_ -and $_.message })) {
    $Cmdlet.WriteError((New-StandInError -Message $e.message -Category (& $cat $e.category) -ErrorId $e.id -Target $e.target))
  }
  if ($r.fatal -and $r.fatal.message) { Stop-StandIn $Cmdlet $r.fatal.message (& $cat $r.fatal.category) $r.fatal.id $r.fatal.target }
  foreach ($o in @($r.out)) {
    if ($o.zone) { New-StandInDnsZone $o.zone } else { New-StandInDnsRecord $o.host $o.type $o.data ([timespan]::FromSeconds($o.ttl)) }
  }
}
foreach ($n in 'Get-DnsServerZone', 'Get-DnsServerResourceRecord', 'Add-DnsServerResourceRecordA', 'Add-DnsServerResourceRecordAAAA', 'Remove-DnsServerResourceRecord') {
  $script:Impl[$n] = { param($Cmdlet, $Bound) Invoke-RsatForward $Cmdlet $Bound }
}
. (Join-Path $PSScriptRoot 'DnsServer.generated.ps1')
Export-ModuleMember -Function @($script:Impl.Keys)
