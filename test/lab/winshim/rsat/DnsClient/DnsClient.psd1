# PrintHA lab: laptop-side RSAT stand-in (a TEST DOUBLE; nothing in the product knows it): the
# Windows module name, so Get-Command finds its cmdlets by autoload from PSModulePath.
@{
  RootModule = 'DnsClient.psm1'
  ModuleVersion = '1.0.0'
  GUID = '654ab75e-9454-4f8a-b53c-ebb523b6c947'
  Author = 'PrintHA lab'
  Description = 'PrintHA lab stand-in for the Windows DnsClient module.'
  PowerShellVersion = '7.4'
  CompatiblePSEditions = @('Core')
  FunctionsToExport = @('Resolve-DnsName')
  CmdletsToExport = @()
  AliasesToExport = @()
  VariablesToExport = @()
}
