# PrintHA lab: the Windows stand-in, a TEST DOUBLE of the Windows parts that PrintHA's generated
# scripts touch, for the lab's Linux print-server and DNS nodes (see ../README.md). Nothing in the
# product knows it: the node's PowerShell-over-SSH session imports it (session.pssc), and its
# functions then shadow the Windows cmdlets (and the natively present ones whose Windows behaviour
# differs) with Microsoft's documented parameter sets (Cmdlets.generated.ps1).
Set-StrictMode -Off
. (Join-Path $PSScriptRoot 'Types.ps1')
. (Join-Path $PSScriptRoot 'Core.ps1')
. (Join-Path $PSScriptRoot 'Net.ps1')
. (Join-Path $PSScriptRoot 'System.ps1')
. (Join-Path $PSScriptRoot 'Dns.ps1')
. (Join-Path $PSScriptRoot 'Cmdlets.generated.ps1')

# The scripts call .NET directly ([Microsoft.Win32.RegistryKey]::OpenBaseKey, WindowsIdentity) and
# pass CIM instances around: these names resolve to the stand-in's types from now on (process-wide).
$accel = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
foreach ($m in @(
    @('Microsoft.Win32.RegistryKey', [PrintHA.WindowsStandIn.RegistryKey]),
    @('System.Security.Principal.WindowsIdentity', [PrintHA.WindowsStandIn.WindowsIdentity]),
    @('System.Security.Principal.WindowsPrincipal', [PrintHA.WindowsStandIn.WindowsPrincipal]),
    @('Microsoft.Management.Infrastructure.CimInstance', [PrintHA.WindowsStandIn.CimInstance]),
    @('CimInstance', [PrintHA.WindowsStandIn.CimInstance]))) {
  $null = $accel::Remove($m[0])
  $accel::Add($m[0], $m[1])
}

# Windows' environment as the scripts read it. windir points at a directory holding the in-box
# loopback driver's .inf, which the SetupAPI stand-in receives as the driver path.
$node = Read-StandInJson 'node.json'
if ($null -ne $node) {
  $env:COMPUTERNAME = ([string]$node.computerName).ToUpperInvariant()
  $env:USERDOMAIN = if ($node.domain) { ([string]$node.domain).Split('.')[0].ToUpperInvariant() } else { $env:COMPUTERNAME }
  $win = Get-StandInPath 'Windows'
  $inf = Join-Path $win 'inf/netloop.inf'
  if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $inf)) {
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $inf)
    Set-Content -LiteralPath $inf -Value '; PrintHA lab stand-in for the in-box loopback driver (Microsoft KM-TEST Loopback Adapter, *MSLOOP)'
  }
  $env:windir = $win
  $env:SystemRoot = $win
  Initialize-StandInRegistry
}

Export-ModuleMember -Function (@($script:Impl.Keys) + 'Invoke-StandInBoot')
