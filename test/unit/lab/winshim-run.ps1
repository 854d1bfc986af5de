# Test helper (PrintHA lab Windows stand-in): imports the stand-in module and runs generated scripts
# the way the product does (electron/core/powershell/remoting.ts: the script text, decoded from
# base64, as [scriptblock]::Create($script), its one JSON object printed). Input: a JSON array of
# steps on stdin-file $args[0]: { "script": "<base64>" } runs a script, { "pwsh": "<code>" } runs
# test code (seeding devices, reading state). Output: one line per step, "@@STEP <json>".
param([string]$StepsFile)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../lab/winshim/PrintHA.WindowsStandIn/PrintHA.WindowsStandIn.psd1')
foreach ($step in @(Get-Content -Raw -LiteralPath $StepsFile | ConvertFrom-Json)) {
  $out = if ($step.script) {
    $script = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($step.script))
    $r = @(& ([scriptblock]::Create($script)) 2>&1)
    @($r | Where-Object { $_ -is [string] }) -join "`n"
  } else {
    ConvertTo-Json -Compress -Depth 8 -InputObject (& ([scriptblock]::Create($step.pwsh)))
  }
  "@@STEP $out"
}
