# PrintHA lab Windows stand-in (a test double): state files, Windows-like errors, CIM objects and
# the dispatcher every generated cmdlet skeleton calls. Shared by the node module and the RSAT
# stand-in (which define their own $script:Impl table).

$script:Impl = @{}

function Get-StandInStateDir {
  if ($env:PRINTHA_WINSHIM_STATE) { $env:PRINTHA_WINSHIM_STATE } else { '/var/lib/printha-winshim' }
}

function Get-StandInPath([string]$Name) { Join-Path (Get-StandInStateDir) $Name }

function Read-StandInJson([string]$Name) {
  $p = Get-StandInPath $Name
  if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $p)) { return $null }
  Get-Content -Raw -LiteralPath $p | ConvertFrom-Json -AsHashtable
}

# Atomic: a reader (another session, a test's `cat`) never sees half a file.
function Write-StandInJson([string]$Name, $Value) {
  $p = Get-StandInPath $Name
  $null = New-Item -ItemType Directory -Force -Path (Split-Path $p)
  $tmp = "$p.$PID.tmp"
  Set-Content -LiteralPath $tmp -Value (ConvertTo-Json -InputObject $Value -Depth 10) -Encoding utf8NoBOM
  Move-Item -LiteralPath $tmp -Destination $p -Force
}

function Write-StandInEvent([string]$Event, [hashtable]$Data = @{}) {
  $rec = [ordered]@{ t = [datetime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ'); event = $Event }
  foreach ($k in $Data.Keys) { $rec[$k] = $Data[$k] }
  $null = New-Item -ItemType Directory -Force -Path (Get-StandInStateDir)
  Add-Content -LiteralPath (Get-StandInPath 'events.log') -Value (ConvertTo-Json -InputObject $rec -Compress -Depth 5) -Encoding utf8NoBOM
}

function Test-StandInEffects { $env:PRINTHA_WINSHIM_EFFECTS -ne 'off' }

# A Linux effect of a Windows change: always logged (unit tests assert the log), run unless effects are off.
function Invoke-StandInEffect([string]$Why, [string[]]$Command) {
  Write-StandInEvent 'effect' @{ why = $Why; cmd = ($Command -join ' ') }
  if (-not (Test-StandInEffects)) { return }
  $out = & $Command[0] @($Command | Select-Object -Skip 1) 2>&1
  if ($LASTEXITCODE -ne 0) { Write-StandInEvent 'effect-failed' @{ cmd = ($Command -join ' '); rc = $LASTEXITCODE; out = [string]($out -join "`n") } }
}

function Get-StandInNode {
  $n = Read-StandInJson 'node.json'
  if ($null -eq $n) { throw "the Windows stand-in has no $(Get-StandInPath 'node.json') (written by lab.sh up)" }
  $n
}

# ---- errors as Windows writes them --------------------------------------------------------------

function New-StandInError {
  param(
    [string]$Message,
    [System.Management.Automation.ErrorCategory]$Category,
    [string]$ErrorId,
    $Target,
    [string]$ExceptionType = 'Microsoft.Management.Infrastructure.CimException'
  )
  $ex = switch ($ExceptionType) {
    'Microsoft.Management.Infrastructure.CimException' { [System.Management.Automation.RuntimeException]::new($Message) }
    default { New-Object -TypeName $ExceptionType -ArgumentList $Message }
  }
  [System.Management.Automation.ErrorRecord]::new($ex, $ErrorId, $Category, $Target)
}

# CDXML cmdlets (NetAdapter, NetTCPIP, DnsClient, DnsServer, PrintManagement) report a query without
# a match as a non-terminating ObjectNotFound error naming the CIM class and the property.
function Write-StandInNotFound($Cmdlet, [string]$Class, [string]$Property, $Value) {
  $Cmdlet.WriteError((New-StandInError -Message "No $Class objects found with property '$Property' equal to '$Value'.  Verify the value of the property and retry." `
        -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound_$Property" -Target $Value))
}

function Stop-StandIn($Cmdlet, [string]$Message, [System.Management.Automation.ErrorCategory]$Category, [string]$ErrorId, $Target = $null) {
  $Cmdlet.ThrowTerminatingError((New-StandInError -Message $Message -Category $Category -ErrorId $ErrorId -Target $Target))
}

# ---- CIM objects --------------------------------------------------------------------------------

# A CimInstance of $Class whose properties are $Props (in order), typed as Windows names it.
function New-StandInCim([string]$Class, [string]$Namespace, [System.Collections.IDictionary]$Props) {
  $o = [psobject]::AsPSObject([PrintHA.WindowsStandIn.CimInstance]::new($Class, $Namespace))
  $o.PSObject.TypeNames.Insert(0, "Microsoft.Management.Infrastructure.CimInstance#$Namespace/$Class")
  $o.PSObject.TypeNames.Insert(0, "Microsoft.Management.Infrastructure.CimInstance#$Class")
  foreach ($k in $Props.Keys) { $o.PSObject.Properties.Add([psnoteproperty]::new($k, $Props[$k])) }
  $o.PSObject.Properties.Add([psnoteproperty]::new('PSComputerName', $null))
  $o
}

# ---- dispatch -----------------------------------------------------------------------------------

function Invoke-StandInCommand {
  param($Cmdlet, [System.Collections.IDictionary]$Bound)
  $name = $Cmdlet.MyInvocation.MyCommand.Name
  $fault = Get-StandInPath 'faults/fail-cmdlet'
  if ((Microsoft.PowerShell.Management\Test-Path -LiteralPath $fault) -and (Get-Content -Raw -LiteralPath $fault).Trim() -ieq $name) {
    Stop-StandIn $Cmdlet "${name}: the stand-in's fail-cmdlet fault is on" NotSpecified 'HRESULT 0x80041001'
  }
  foreach ($p in 'AsJob', 'CimSession') {
    if ($Bound.ContainsKey($p)) {
      Stop-StandIn $Cmdlet "${name}: -$p is documented and binds, but the PrintHA Windows stand-in does not implement it" NotImplemented 'StandInNotImplemented'
    }
  }
  $impl = $script:Impl[$name]
  if ($null -eq $impl) { Stop-StandIn $Cmdlet "${name}: not implemented by the PrintHA Windows stand-in" NotImplemented 'StandInNotImplemented' }
  & $impl $Cmdlet $Bound
}

# -like over several patterns; $null/empty patterns match everything.
function Test-StandInLike($Value, $Patterns) {
  if ($null -eq $Patterns -or @($Patterns).Count -eq 0) { return $true }
  foreach ($p in @($Patterns)) { if ([string]$Value -like [string]$p) { return $true } }
  $false
}

function Test-StandInWildcard($Patterns) { @($Patterns | Where-Object { [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters([string]$_) }).Count -gt 0 }
