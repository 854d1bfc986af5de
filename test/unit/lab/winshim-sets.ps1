# Test helper: the parameter sets of the stand-in's cmdlets as pwsh binds them, as JSON.
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../lab/winshim/PrintHA.WindowsStandIn/PrintHA.WindowsStandIn.psd1')
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + 'WhatIf', 'Confirm'
$dump = {
  param($c)
  [pscustomobject]@{
    name = $c.Name; module = $c.ModuleName; shouldProcess = $c.Parameters.ContainsKey('WhatIf')
    sets = @($c.ParameterSets | ForEach-Object {
        [pscustomobject]@{ name = $_.Name; isDefault = $_.IsDefault; params = @($_.Parameters | Where-Object { $common -notcontains $_.Name } | ForEach-Object {
              [pscustomobject]@{ name = $_.Name; mandatory = $_.IsMandatory; position = $_.Position; type = $_.ParameterType.Name } }) }
      })
  }
}
$node = @(Get-Command -Module PrintHA.WindowsStandIn -CommandType Function | Where-Object Name -ne 'Invoke-StandInBoot' | ForEach-Object { & $dump $_ })
# The RSAT stand-in is found by autoload from PSModulePath, as Windows finds its modules.
Remove-Module PrintHA.WindowsStandIn
$env:PSModulePath = (Join-Path $PSScriptRoot '../../lab/winshim/rsat') + [System.IO.Path]::PathSeparator + $env:PSModulePath
$rsat = @('Get-DnsServerZone', 'Get-DnsServerResourceRecord', 'Add-DnsServerResourceRecordA', 'Add-DnsServerResourceRecordAAAA', 'Remove-DnsServerResourceRecord', 'Resolve-DnsName') | ForEach-Object { & $dump (Get-Command $_) }
ConvertTo-Json -Depth 8 -Compress -InputObject @{ node = $node; rsat = @($rsat) }
