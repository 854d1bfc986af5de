# PrintHA lab Windows stand-in (a test double): loads the stand-in's .NET types (StandIn.cs and the
# generated module enums). Compiling takes seconds on a small node, and every PowerShell-over-SSH
# session imports the module, so the assembly is compiled once per source hash and cached.
# Dot-sourced by the node module and by the laptop-side RSAT modules.
if (-not ('PrintHA.WindowsStandIn.CimInstance' -as [type])) {
  $standInSrc = (Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'StandIn.cs')) + "`n" +
    (Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'Enums.generated.cs'))
  $standInHash = [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($standInSrc))).Substring(0, 16)
  $standInCache = if ($env:PRINTHA_WINSHIM_CACHE) { $env:PRINTHA_WINSHIM_CACHE } else { Join-Path ([System.IO.Path]::GetTempPath()) 'printha-winshim' }
  $standInDll = Join-Path $standInCache "PrintHA.WindowsStandIn.$standInHash.dll"
  if (-not (Test-Path -LiteralPath $standInDll)) {
    $null = New-Item -ItemType Directory -Force -Path $standInCache
    # Compile to a private name, then rename: concurrent first imports never load a half-written file.
    $standInTmp = "$standInDll.$PID.tmp.dll"
    Add-Type -TypeDefinition $standInSrc -OutputAssembly $standInTmp -OutputType Library
    Move-Item -LiteralPath $standInTmp -Destination $standInDll -Force
  }
  Add-Type -LiteralPath $standInDll
}
