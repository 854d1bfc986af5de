import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPs3, pwshParse, type Ps3Rule } from '../../../electron/core/powershell/ps3lint.js';
import { requirePwsh } from '../../support/pwsh.js';

/** Per rule: a snippet that must fire it and a PS 3.0-valid look-alike that must not. */
const CASES: { rule: Ps3Rule; bad: string; good: string }[] = [
  { rule: 'class-definition', bad: 'class Foo { [int]$x }', good: "$o = New-Object PSObject -Property @{ x = 1 }\n$t = 'class Foo { }'" },
  { rule: 'enum-definition', bad: 'enum Color { Red }', good: "$color = 'Red'" },
  { rule: 'ctor-new', bad: "$g = [System.Text.StringBuilder]::new('x')", good: "$g = New-Object System.Text.StringBuilder -ArgumentList @('x')\n$n = [guid]::NewGuid()" },
  { rule: 'using-statement', bad: 'using namespace System.Text', good: "$code = @'\nusing System;\n'@" },
  { rule: 'using-statement', bad: 'using module PSReadLine', good: 'Import-Module PSReadLine' },
  { rule: 'ternary', bad: '$b = $c ? 1 : 2', good: "Get-Service | ? { $_.Status -eq 'Running' }\n$b = $(if ($c) { 1 } else { 2 })\n$h = @{ a = 1 }" },
  { rule: 'null-coalescing', bad: '$d = $e ?? 3', good: "$d = $e\nif ($null -eq $d) { $d = 3 }\n$s = 'a ?? b'" },
  { rule: 'null-coalescing', bad: '$d ??= 3', good: '# $d ??= 3 in a comment is fine' },
  { rule: 'pipeline-chain', bad: 'git pull && echo ok', good: "git pull\nif ($?) { echo ok }\n$t = 'a && b'" },
  { rule: 'pipeline-chain', bad: 'Get-Item x || Write-Output no', good: 'Get-Item x -ErrorAction SilentlyContinue' },
  { rule: 'foreach-parallel', bad: '1..3 | ForEach-Object -Parallel { $_ }', good: '1..3 | ForEach-Object -Process { $_ }' },
  { rule: 'cmdlet-too-new', bad: 'Test-NetConnection -ComputerName srv -Port 445', good: "$c = New-Object System.Net.Sockets.TcpClient\n$t = 'Test-NetConnection'" },
  { rule: 'cmdlet-too-new', bad: 'Get-ComputerInfo', good: 'Get-CimInstance -ClassName Win32_ComputerSystem' },
  { rule: 'cmdlet-too-new', bad: "'a' | Join-String", good: "@('a', 'b') -join ','" },
  { rule: 'cmdlet-too-new', bad: 'Get-Error', good: '$e = $Error[0]' },
  { rule: 'cmdlet-too-new', bad: 'Import-PowerShellDataFile x.psd1', good: 'Import-LocalizedData -BaseDirectory x' },
  { rule: 'parameter-too-new', bad: '$x = ConvertFrom-Json -InputObject $s -AsHashtable', good: '$x = ConvertFrom-Json -InputObject $s' },
  { rule: 'parameter-too-new', bad: '$x = $s | ConvertFrom-Json -Depth 10', good: '$j = ConvertTo-Json -InputObject $x -Depth 10 -Compress' },
  { rule: 'parameter-too-new', bad: 'Set-Content -Path x -Value y -NoNewline', good: "Write-Host 'x' -NoNewline" },
  { rule: 'erroraction-break', bad: 'Get-Item x -ErrorAction Break', good: 'Get-Item x -ErrorAction Stop' },
  { rule: 'erroraction-break', bad: "$ErrorActionPreference = 'Break'", good: "$ErrorActionPreference = 'Stop'" },
  { rule: 'psstyle', bad: '$r = $PSStyle.Reset', good: '$r = $PSVersionTable.PSVersion' },
  { rule: 'requires-version', bad: '#requires -Version 5.1\n$a = 1', good: '#requires -Version 3.0\n$a = 1' },
  { rule: 'requires-version', bad: '#Requires -Version 4\n$a = 1', good: '#requires -RunAsAdministrator\n$a = 1' },
  { rule: 'type-too-new', bad: "$v = [semver]'1.0.0'", good: "$v = [version]'1.0.0'\n$o = [ordered]@{ a = 1 }\n$p = [pscustomobject]@{ a = 1 }" },
  { rule: 'where-foreach-method', bad: '$r = $list.Where({ $_ -gt 1 })', good: '$r = $list | Where-Object { $_ -gt 1 }' },
];

describe('lintPs3: PowerShell 3.0 violations', () => {
  for (const c of CASES) {
    it(`${c.rule}: fires on ${JSON.stringify(c.bad.split('\n')[0])}`, async () => {
      const r = await lintPs3(c.bad);
      expect(r.violations.map((v) => v.rule)).toContain(c.rule);
      const v = r.violations.find((x) => x.rule === c.rule)!;
      expect(v.line).toBeGreaterThanOrEqual(1);
      expect(v.message.length).toBeGreaterThan(10);
    });
    it(`${c.rule}: does not fire on ${JSON.stringify(c.good.split('\n')[0])}`, async () => {
      const r = await lintPs3(c.good);
      expect(r.violations.map((v) => v.rule)).not.toContain(c.rule);
    });
  }

  it('reports the line of a violation', async () => {
    const r = await lintPs3("$a = 1\n$b = 2\nTest-NetConnection srv\n");
    expect(r.violations).toEqual([expect.objectContaining({ line: 3, rule: 'cmdlet-too-new' })]);
  });

  it('never flags code inside here-strings (inline C# for Add-Type)', async () => {
    const src = "$code = @'\nusing System;\npublic class X { public static X Make() { return new X(); } }\nvar y = a ?? b; bool z = c ? d : e; x && y || w;\n'@\nAdd-Type -TypeDefinition $code\n";
    const r = await lintPs3(src);
    expect(r.parseErrors).toEqual([]);
    expect(r.violations).toEqual([]);
  });

  it('[ordered] and [pscustomobject] are PS 3.0 and pass', async () => {
    const r = await lintPs3('$o = [pscustomobject][ordered]@{ a = 1; b = @(1, 2) }\nConvertTo-Json -InputObject $o -Depth 3 -Compress');
    expect(r).toEqual({ parseErrors: [], violations: [] });
  });
});

describe('lintPs3: syntax errors (tree-sitter ERROR / MISSING nodes)', () => {
  it('flags an unclosed block', async () => {
    const r = await lintPs3('if ($x) {\n  Write-Output 1\n');
    expect(r.parseErrors.length).toBeGreaterThan(0);
  });
  it('flags an unterminated string', async () => {
    const r = await lintPs3("$a = 'abc\n$b = 1");
    expect(r.parseErrors.length).toBeGreaterThan(0);
  });
  it('flags a dangling operator', async () => {
    const r = await lintPs3('$x = 1 +');
    expect(r.parseErrors.length).toBeGreaterThan(0);
  });
  it('accepts valid code', async () => {
    const r = await lintPs3("function F {\n  param([string]$A)\n  try { return $A.Trim() } catch { return $null }\n}\n$r = F ' x '\n");
    expect(r.parseErrors).toEqual([]);
  });
});

const pwsh = requirePwsh();

describe('pwshParse (authoritative PowerShell parser)', () => {
  it('rejects with a clear message when no PowerShell is given', async () => {
    await expect(pwshParse('/nonexistent.ps1', null)).rejects.toThrow(/pwsh is not on PATH/);
  });

  it('ParseFile reports no errors for valid code and errors for broken code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-ps-'));
    const ok = join(dir, 'ok.ps1');
    const bad = join(dir, 'bad.ps1');
    writeFileSync(ok, "$a = 1\nif ($a) { Write-Output 'x' }\n");
    writeFileSync(bad, 'if ($a) {\n');
    expect(await pwshParse(ok, pwsh)).toEqual([]);
    const errs = await pwshParse(bad, pwsh);
    expect(errs.length).toBeGreaterThan(0);
  });
});
