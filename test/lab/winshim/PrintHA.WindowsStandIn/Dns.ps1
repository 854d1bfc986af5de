# PrintHA lab Windows stand-in (a test double): DnsServer on pha-dns (dnsmasq's addn-hosts file is
# the zone's A/AAAA records) and Resolve-DnsName (a real query with dig). The object builders and
# Resolve-DnsName are shared with the laptop-side RSAT stand-in.

function New-StandInDnsRecord([string]$HostName, [string]$Type, [string]$Data, [timespan]$Ttl = [timespan]::Zero) {
  $rd = switch ($Type) {
    'A' { New-StandInCim 'DnsServerResourceRecordA' 'root/Microsoft/Windows/DNS' ([ordered]@{ IPv4Address = [ipaddress]$Data }) }
    'AAAA' { New-StandInCim 'DnsServerResourceRecordAAAA' 'root/Microsoft/Windows/DNS' ([ordered]@{ IPv6Address = [ipaddress]$Data }) }
    'NS' { New-StandInCim 'DnsServerResourceRecordNS' 'root/Microsoft/Windows/DNS' ([ordered]@{ NameServer = $Data }) }
    'CNAME' { New-StandInCim 'DnsServerResourceRecordCName' 'root/Microsoft/Windows/DNS' ([ordered]@{ HostNameAlias = $Data }) }
    default { New-StandInCim "DnsServerResourceRecord$Type" 'root/Microsoft/Windows/DNS' ([ordered]@{ PrimaryServer = $Data }) }
  }
  New-StandInCim 'DnsServerResourceRecord' 'root/Microsoft/Windows/DNS' ([ordered]@{
      DistinguishedName = $null; HostName = $HostName; RecordType = $Type; Type = [uint16]$(switch ($Type) { 'A' { 1 } 'NS' { 2 } 'CNAME' { 5 } 'SOA' { 6 } 'AAAA' { 28 } default { 0 } })
      RecordClass = 'IN'; TimeToLive = $Ttl; Timestamp = $null; RecordData = $rd
    })
}

function New-StandInDnsZone([string]$Name) {
  New-StandInCim 'DnsServerZone' 'root/Microsoft/Windows/DNS' ([ordered]@{
      ZoneName = $Name; ZoneType = 'Primary'; IsAutoCreated = $false; IsDsIntegrated = $false; IsReverseLookupZone = $false; IsSigned = $false
      DynamicUpdate = 'None'; ZoneFile = "$Name.dns"
    })
}

# ---- on the DNS node ----------------------------------------------------------------------------

function Get-StandInHostsFile { if ($env:PRINTHA_WINSHIM_DNS_HOSTS) { $env:PRINTHA_WINSHIM_DNS_HOSTS } else { '/etc/dnsmasq.lab/hosts' } }

# The node answers for its own names only: another -ComputerName fails as RPC to a missing server does.
function Assert-StandInDnsServer($Cmdlet, $Bound) {
  $n = Get-StandInNode
  $cn = [string]$Bound['ComputerName']
  $self = @('', 'localhost', '.', '127.0.0.1', [string]$n.computerName, "$($n.computerName).$($n.domain)", [string]$n.lan.address)
  if ($n.role -ne 'dns-server' -or $self -notcontains $cn) {
    $srv = if ($cn) { $cn } else { $n.computerName }
    Stop-StandIn $Cmdlet "Failed to connect to server $srv." ConnectionError 'WIN32 1722' $srv
  }
  $n
}

function Assert-StandInZone($Cmdlet, $Node, [string]$Zone) {
  if ($Zone.TrimEnd('.') -ne [string]$Node.domain) {
    Stop-StandIn $Cmdlet "The zone $Zone was not found on server $(([string]$Node.computerName).ToUpperInvariant())." ObjectNotFound 'WIN32 9601' $Zone
  }
}

# Hosts-file lines "IP<TAB>fqdn short" (lab.sh dns-add) → records of the zone, names relative to it.
function Get-StandInDnsLines {
  $f = Get-StandInHostsFile
  if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $f)) { return }
  foreach ($l in Get-Content -LiteralPath $f) {
    $w = @($l -split '\s+' | Where-Object { $_ })
    if ($w.Count -lt 2 -or $w[0].StartsWith('#')) { continue }
    [pscustomobject]@{ Line = $l; Ip = $w[0]; Names = @($w | Select-Object -Skip 1) }
  }
}

function Get-StandInRelName([string]$Name, [string]$Zone) {
  $n = $Name.TrimEnd('.').ToLowerInvariant()
  $z = $Zone.ToLowerInvariant()
  if ($n -eq $z) { '@' } elseif ($n.EndsWith(".$z")) { $n.Substring(0, $n.Length - $z.Length - 1) } else { $n }
}

function Get-StandInZoneRecords($Node) {
  $z = [string]$Node.domain
  New-StandInDnsRecord '@' 'NS' "$($Node.computerName).$z."
  New-StandInDnsRecord '@' 'SOA' "$($Node.computerName).$z."
  foreach ($l in Get-StandInDnsLines) {
    $names = @($l.Names | ForEach-Object { Get-StandInRelName $_ $z } | Sort-Object -Unique)
    foreach ($n in $names) { New-StandInDnsRecord $n $(if ($l.Ip.Contains(':')) { 'AAAA' } else { 'A' }) $l.Ip }
  }
}

function Write-StandInHostsFile([string[]]$Lines) {
  $f = Get-StandInHostsFile
  $tmp = "$f.$PID.tmp"
  [System.IO.File]::WriteAllText($tmp, (($Lines | Where-Object { $_ }) -join "`n") + "`n")
  if (-not $IsWindows) { & chmod 0644 $tmp }
  Move-Item -LiteralPath $tmp -Destination $f -Force
  Invoke-StandInEffect 'DNS zone changed' @('systemctl', 'reload', 'dnsmasq')
}

$script:Impl['Get-DnsServerZone'] = {
  param($Cmdlet, $Bound)
  $n = Assert-StandInDnsServer $Cmdlet $Bound
  foreach ($z in @($(if ($Bound['Name']) { $Bound.Name } else { $n.domain }))) {
    Assert-StandInZone $Cmdlet $n $z
    New-StandInDnsZone ([string]$n.domain)
  }
}

$script:Impl['Get-DnsServerResourceRecord'] = {
  param($Cmdlet, $Bound)
  $n = Assert-StandInDnsServer $Cmdlet $Bound
  Assert-StandInZone $Cmdlet $n $Bound.ZoneName
  $recs = @(Get-StandInZoneRecords $n)
  if ($Bound['Name']) { $want = Get-StandInRelName $Bound.Name $n.domain; $recs = @($recs | Where-Object { $_.HostName -eq $want }) }
  if ($Bound['RRType']) { $recs = @($recs | Where-Object { $_.RecordType -eq $Bound.RRType }) }
  if ($recs.Count -eq 0 -and $Bound['Name']) {
    Stop-StandInNonTerminating $Cmdlet "Failed to get $($Bound.Name) record in $($Bound.ZoneName) zone on $(([string]$n.computerName).ToUpperInvariant()) server." ObjectNotFound 'WIN32 9714' $Bound.Name
  }
  $recs
}

function Stop-StandInNonTerminating($Cmdlet, [string]$Message, $Category, [string]$Id, $Target) {
  $Cmdlet.WriteError((New-StandInError -Message $Message -Category $Category -ErrorId $Id -Target $Target))
}

function Add-StandInDnsRecord($Cmdlet, $Bound, [string]$Type, [string]$Param) {
  $n = Assert-StandInDnsServer $Cmdlet $Bound
  Assert-StandInZone $Cmdlet $n $Bound.ZoneName
  $z = [string]$n.domain
  $rel = Get-StandInRelName $Bound.Name $z
  $fqdn = if ($rel -eq '@') { $z } else { "$rel.$z" }
  $lines = @(Get-StandInDnsLines)
  foreach ($ip in @($Bound[$Param])) {
    $dup = @($lines | Where-Object { (Test-StandInSameIp $_.Ip $ip.ToString()) -and @($_.Names | ForEach-Object { Get-StandInRelName $_ $z }) -contains $rel })
    if ($dup.Count -gt 0) {
      Stop-StandIn $Cmdlet "Failed to create resource record $($Bound.Name) in $($Bound.ZoneName) zone on $(([string]$n.computerName).ToUpperInvariant()) server." ResourceExists 'WIN32 9711' $Bound.Name
    }
    if (-not $Cmdlet.ShouldProcess("$fqdn $Type $ip", 'Add')) { continue }
    $line = "$ip`t$fqdn$(if ($rel -ne '@') { ' ' + $rel })"
    Write-StandInHostsFile (@($lines | ForEach-Object { $_.Line }) + $line)
    $lines = @(Get-StandInDnsLines)
    if ($Bound.PassThru) { New-StandInDnsRecord $rel $Type $ip.ToString() }
  }
}
$script:Impl['Add-DnsServerResourceRecordA'] = { param($Cmdlet, $Bound) Add-StandInDnsRecord $Cmdlet $Bound 'A' 'IPv4Address' }
$script:Impl['Add-DnsServerResourceRecordAAAA'] = { param($Cmdlet, $Bound) Add-StandInDnsRecord $Cmdlet $Bound 'AAAA' 'IPv6Address' }

$script:Impl['Remove-DnsServerResourceRecord'] = {
  param($Cmdlet, $Bound)
  $n = Assert-StandInDnsServer $Cmdlet $Bound
  Assert-StandInZone $Cmdlet $n $Bound.ZoneName
  $z = [string]$n.domain
  if ($Bound.ContainsKey('InputObject')) {
    $rel = $Bound.InputObject.HostName; $type = $Bound.InputObject.RecordType
    $data = @($Bound.InputObject.RecordData.IPv4Address, $Bound.InputObject.RecordData.IPv6Address | Where-Object { $_ })[0]
  } else { $rel = Get-StandInRelName $Bound.Name $z; $type = $Bound.RRType; $data = $Bound['RecordData'] }
  $lines = @(Get-StandInDnsLines)
  $hit = @($lines | Where-Object {
      $l = $_
      @($l.Names | ForEach-Object { Get-StandInRelName $_ $z }) -contains $rel -and ($(if ($l.Ip.Contains(':')) { 'AAAA' } else { 'A' }) -eq $type) -and (-not $data -or (Test-StandInSameIp $l.Ip ([string]$data)))
    })
  if ($hit.Count -eq 0) {
    Stop-StandIn $Cmdlet "Failed to get $rel record in $($Bound.ZoneName) zone on $(([string]$n.computerName).ToUpperInvariant()) server." ObjectNotFound 'WIN32 9714' $rel
  }
  if (-not ($Bound.Force -or $Cmdlet.ShouldProcess("$rel $type", 'Remove'))) { return }
  Write-StandInHostsFile @($lines | ForEach-Object {
      if ($hit -notcontains $_) { $_.Line; return }
      $keep = @($_.Names | Where-Object { (Get-StandInRelName $_ $z) -ne $rel })
      if ($keep.Count -gt 0) { "$($_.Ip)`t$($keep -join ' ')" }
    })
  if ($Bound.PassThru) { foreach ($h in $hit) { New-StandInDnsRecord $rel $type $h.Ip } }
}

# ---- Resolve-DnsName (dig) ----------------------------------------------------------------------

$script:Impl['Resolve-DnsName'] = {
  param($Cmdlet, $Bound)
  $type = if ($Bound.ContainsKey('Type')) { [string]$Bound.Type } else { 'A_AAAA' }
  $qtypes = if ($type -eq 'A_AAAA') { @('A', 'AAAA') } else { @($type) }
  $name = [string]$Bound.Name
  $hits = @()
  foreach ($qt in $qtypes) {
    $dig = @('+noall', '+answer', '+comments', '+tries=1', "+time=$(if ($Bound.QuickTimeout) { 1 } else { 2 })")
    if ($Bound['Server']) { $dig += "@$(@($Bound.Server)[0])" }
    if ($Bound.TcpOnly) { $dig += '+tcp' }
    $out = @(& dig @dig $name $qt 2>&1)
    if ($LASTEXITCODE -ne 0) {
      Stop-StandIn $Cmdlet "${name} : This operation returned because the timeout period expired" OperationTimeout 'ERROR_TIMEOUT' $name
    }
    $status = ($out | Select-String -Pattern 'status: (\w+)' | Select-Object -First 1).Matches.Groups[1].Value
    if ($status -eq 'NXDOMAIN') {
      Stop-StandIn $Cmdlet "${name} : DNS name does not exist" ResourceUnavailable 'DNS_ERROR_RCODE_NAME_ERROR' $name
    }
    if ($status -and $status -ne 'NOERROR') {
      Stop-StandIn $Cmdlet "${name} : DNS server failure" ResourceUnavailable 'DNS_ERROR_RCODE_SERVER_FAILURE' $name
    }
    foreach ($l in $out) {
      if ($l -match '^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.+)$') {
        $rt = $Matches[3]
        $p = [ordered]@{ Name = $Matches[1].TrimEnd('.'); Type = [Microsoft.DnsClient.Commands.RecordType]$rt; TTL = [uint32]$Matches[2]; Section = 'Answer'; DataLength = [uint16]$(if ($rt -eq 'AAAA') { 16 } else { 4 }) }
        if ($rt -in 'A', 'AAAA') { $p['IPAddress'] = $Matches[4].Trim(); $p[$(if ($rt -eq 'A') { 'IP4Address' } else { 'IP6Address' })] = $Matches[4].Trim() }
        else { $p['NameHost'] = $Matches[4].Trim().TrimEnd('.') }
        $o = [pscustomobject]$p
        $o.PSObject.TypeNames.Insert(0, "Microsoft.DnsClient.Commands.DnsRecord_$rt")
        $hits += $o
      }
    }
  }
  $hits
}
