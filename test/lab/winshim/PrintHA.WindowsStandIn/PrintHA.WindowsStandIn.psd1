# PrintHA lab: the Windows stand-in (a TEST DOUBLE for the lab's Linux nodes; nothing in the product
# knows it). See ../README.md.
@{
  RootModule = 'PrintHA.WindowsStandIn.psm1'
  ModuleVersion = '1.0.0'
  GUID = '5b0c9a57-8d0e-4f55-9a3b-2f6f3c0e7a11'
  Author = 'PrintHA lab'
  Description = 'Test double of the Windows cmdlets, CIM classes and registry that PrintHA''s generated scripts use.'
  PowerShellVersion = '7.4'
  CompatiblePSEditions = @('Core')
  FunctionsToExport = @(
    'Add-DnsServerResourceRecordA', 'Add-DnsServerResourceRecordAAAA', 'Get-DnsServerResourceRecord', 'Get-DnsServerZone', 'Remove-DnsServerResourceRecord',
    'Get-NetAdapter', 'Rename-NetAdapter', 'Get-NetAdapterBinding', 'Enable-NetAdapterBinding', 'Disable-NetAdapterBinding',
    'Get-NetIPAddress', 'New-NetIPAddress', 'Remove-NetIPAddress', 'Set-NetIPAddress', 'Get-NetIPInterface', 'Set-NetIPInterface',
    'Get-DnsClient', 'Set-DnsClient', 'Resolve-DnsName', 'Get-Printer', 'Get-WindowsFeature',
    'Get-CimInstance', 'Invoke-CimMethod', 'Restart-Computer', 'Get-Service',
    'Test-Path', 'Get-ItemProperty', 'New-ItemProperty', 'Set-ItemProperty',
    'Invoke-StandInBoot'
  )
  CmdletsToExport = @()
  AliasesToExport = @()
  VariablesToExport = @()
}
