/**
 * printha-run.ps1 — the pack's runner for the generated scripts when the engineer runs them by hand:
 * it runs one script (prepare.ps1, verify.ps1, dns/record.ps1), takes the ONE JSON object the script
 * prints and saves it, wrapped with when/where it ran, into a result file that `printha import`
 * reads back into the site's journal:
 *
 *   { "kind": "printha.result", "version": 1, "script": "prepare.ps1", "folder": "PS1",
 *     "computerName": "...", "startedAt": "...", "finishedAt": "...", "durationMs": 1234,
 *     "dryRun": false, "result": { ...the script's own JSON... } }
 *
 * Static text (no site value), Windows PowerShell 3.0 and later; checked by the PS 3.0 lint.
 */
export const RUNNER_NAME = 'printha-run.ps1';

export const RUNNER_SCRIPT = String.raw`# PrintHA printha-run.ps1: runs one script of this pack and saves the JSON object it prints into a
# result file for 'printha import'. Static text: the same in every pack.
# Usage, in an elevated Windows PowerShell (3.0 or later) in the pack folder:
#   powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\printha-run.ps1 -Script .\servers\PS1\prepare.ps1 -ResultPath .\results\PS1-prepare.json
# Add -DryRun to only report what prepare.ps1 / record.ps1 would change.
param(
  [Parameter(Mandatory = $true)]
  [string]$Script,
  [Parameter(Mandatory = $true)]
  [string]$ResultPath,
  [switch]$DryRun
)
$ErrorActionPreference = 'Stop'

function ConvertTo-PrintHAJsonString {
  param([string]$PhaText)
  return (ConvertTo-Json -InputObject $PhaText -Compress)
}

$phaScriptPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Script)
$phaResultPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ResultPath)
if (-not (Test-Path -LiteralPath $phaScriptPath -PathType Leaf)) {
  throw ('PrintHA: script not found: ' + $phaScriptPath + ' (run this from the folder the pack was extracted to)')
}
$phaResultDir = Split-Path -Parent $phaResultPath
if (-not (Test-Path -LiteralPath $phaResultDir)) {
  $null = New-Item -ItemType Directory -Path $phaResultDir -Force
}

$phaStarted = [DateTime]::UtcNow
if ($DryRun) {
  $phaOut = & $phaScriptPath -DryRun
} else {
  $phaOut = & $phaScriptPath
}
$phaFinished = [DateTime]::UtcNow

$phaLines = @($phaOut | ForEach-Object { [string]$_ })
$phaJson = $null
for ($i = $phaLines.Count - 1; $i -ge 0; $i--) {
  $phaLine = $phaLines[$i].Trim()
  if ($phaLine.StartsWith('{')) {
    $phaJson = $phaLine
    break
  }
}
if ($null -eq $phaJson) {
  throw ('PrintHA: ' + $Script + ' printed no JSON object; run it directly to see its output')
}
$phaResult = ConvertFrom-Json -InputObject $phaJson

$phaFolder = Split-Path -Leaf (Split-Path -Parent $phaScriptPath)
$phaDuration = [int]($phaFinished - $phaStarted).TotalMilliseconds
$phaDryText = 'false'
if ($DryRun) { $phaDryText = 'true' }
$phaEnvelope = '{"kind":"printha.result","version":1' +
  ',"script":' + (ConvertTo-PrintHAJsonString (Split-Path -Leaf $phaScriptPath)) +
  ',"folder":' + (ConvertTo-PrintHAJsonString $phaFolder) +
  ',"computerName":' + (ConvertTo-PrintHAJsonString ([string]$env:COMPUTERNAME)) +
  ',"startedAt":' + (ConvertTo-PrintHAJsonString $phaStarted.ToString('o')) +
  ',"finishedAt":' + (ConvertTo-PrintHAJsonString $phaFinished.ToString('o')) +
  ',"durationMs":' + [string]$phaDuration +
  ',"dryRun":' + $phaDryText +
  ',"result":' + $phaJson + '}'
$phaUtf8 = New-Object System.Text.UTF8Encoding -ArgumentList @($false)
[System.IO.File]::WriteAllText($phaResultPath, $phaEnvelope, $phaUtf8)

$phaErrors = @()
if ($null -ne $phaResult.errors) { $phaErrors = @($phaResult.errors) }
'PrintHA: ' + (Split-Path -Leaf $phaScriptPath) + ' finished in ' + [string]$phaDuration + ' ms; result saved to ' + $phaResultPath
if ($phaErrors.Count -gt 0) {
  'PrintHA: the script reported ' + [string]$phaErrors.Count + ' error(s):'
  $phaErrors | ForEach-Object { '  ' + [string]$_ }
  exit 1
}
exit 0
`;
