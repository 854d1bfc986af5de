# PrintHA lab: laptop-side RSAT stand-in (a TEST DOUBLE; nothing in the product knows it): the
# Windows module name, so Get-Command finds its cmdlets by autoload from PSModulePath.
@{
  RootModule = 'DnsServer.psm1'
  ModuleVersion = '1.0.0'
  GUID = '9a1eb99f-9e00-431b-b222-430b03ad93d4'
  Author = 'PrintHA lab'
  Description = 'PrintHA lab stand-in for the Windows DnsServer module.'
  PowerShellVersion = '7.4'
  CompatiblePSEditions = @('Core')
  FunctionsToExport = @('Add-DnsServerResourceRecordA', 'Add-DnsServerResourceRecordAAAA', 'Get-DnsServerResourceRecord', 'Get-DnsServerZone', 'Remove-DnsServerResourceRecord')
  CmdletsToExport = @()
  AliasesToExport = @()
  VariablesToExport = @()
}
