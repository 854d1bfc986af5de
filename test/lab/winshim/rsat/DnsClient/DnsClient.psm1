# PrintHA lab: laptop-side stand-in for the Windows DnsClient module (a TEST DOUBLE): pwsh on Linux
# has no Resolve-DnsName; this one asks the DNS server for real (dig), with the documented
# parameter sets. The implementation is the node stand-in's (shared files).
$standIn = Join-Path $PSScriptRoot '../../PrintHA.WindowsStandIn'
. (Join-Path $standIn 'Types.ps1')
. (Join-Path $standIn 'Core.ps1')
. (Join-Path $standIn 'Net.ps1')
. (Join-Path $standIn 'Dns.ps1')
. (Join-Path $PSScriptRoot 'DnsClient.generated.ps1')
Export-ModuleMember -Function 'Resolve-DnsName'
