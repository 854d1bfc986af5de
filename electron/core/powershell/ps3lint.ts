/**
 * Windows PowerShell 3.0 (Server 2012) compatibility lint for the scripts PrintHA sends to servers.
 *
 * pwsh is not available on every machine that renders scripts (not on Linux CI here), so the lint parses
 * with tree-sitter-powershell through web-tree-sitter (WASM: no native build, no install scripts).
 * Two checks:
 *  - parseErrors: ERROR / MISSING nodes of the tree-sitter tree. The grammar has known false positives
 *    on valid code (bareword comma lists as command arguments, `param(...)` followed by a statement on
 *    the same line, labelled `break`, parameter names with digits such as `-IPv4Address`: splat those),
 *    so generated scripts avoid those forms. The authoritative parser
 *    is PowerShell's own (`pwshParse`, when pwsh is on PATH).
 *  - violations: constructs that parse in PS 5.1/7 but not in 3.0, found on the AST (so text inside
 *    strings and here-strings, e.g. inline C# for Add-Type, is never flagged) plus a masked-text scan for
 *    operators the grammar does not know (`? :`, `??`), where strings and comments are blanked first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

export interface Ps3ParseError {
  line: number;
  message: string;
}
export interface Ps3Violation {
  line: number;
  rule: Ps3Rule;
  message: string;
}
export interface Ps3LintResult {
  parseErrors: Ps3ParseError[];
  violations: Ps3Violation[];
}

export type Ps3Rule =
  | 'class-definition'
  | 'enum-definition'
  | 'ctor-new'
  | 'using-statement'
  | 'ternary'
  | 'null-coalescing'
  | 'pipeline-chain'
  | 'foreach-parallel'
  | 'cmdlet-too-new'
  | 'parameter-too-new'
  | 'erroraction-break'
  | 'psstyle'
  | 'requires-version'
  | 'type-too-new'
  | 'where-foreach-method';

/** Cmdlets that do not exist in Windows PowerShell 3.0, with the version that added them. */
export const CMDLETS_TOO_NEW: Readonly<Record<string, string>> = {
  'test-netconnection': 'Windows PowerShell 4.0 (Server 2012 R2); on 2012 use System.Net.Sockets.TcpClient',
  tnc: 'Windows PowerShell 4.0 (alias of Test-NetConnection)',
  'get-computerinfo': 'Windows PowerShell 5.1; use Get-CimInstance Win32_ComputerSystem / Win32_OperatingSystem',
  'join-string': 'PowerShell 6.2; use -join',
  'get-error': 'PowerShell 7.0; use $Error[0]',
  'import-powershelldatafile': 'Windows PowerShell 5.0',
  'get-filehash': 'Windows PowerShell 4.0',
  'new-temporaryfile': 'Windows PowerShell 5.0; use [System.IO.Path]::GetTempFileName()',
  'new-guid': 'Windows PowerShell 5.0; use [guid]::NewGuid()',
  'get-itempropertyvalue': 'Windows PowerShell 5.0; use (Get-ItemProperty ...).Name',
  'expand-archive': 'Windows PowerShell 5.0',
  'compress-archive': 'Windows PowerShell 5.0',
  'get-clipboard': 'Windows PowerShell 5.0',
  'set-clipboard': 'Windows PowerShell 5.0',
  'convertfrom-string': 'Windows PowerShell 5.0',
  'format-hex': 'Windows PowerShell 5.0',
  'write-information': 'Windows PowerShell 5.0',
  'clear-recyclebin': 'Windows PowerShell 5.0',
  'test-json': 'PowerShell 6.1',
  'get-uptime': 'PowerShell 6.0',
  'remove-alias': 'PowerShell 6.0',
  'convertfrom-markdown': 'PowerShell 6.1',
};

/** Parameters that do not exist in 3.0 on the named cmdlets (lower case). '*' = any cmdlet. */
const PARAMS_TOO_NEW: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'convertfrom-json': { '-ashashtable': 'PowerShell 6.0', '-depth': 'PowerShell 6.2', '-noenumerate': 'PowerShell 7.0' },
  'convertto-json': { '-asarray': 'PowerShell 6.2', '-enumsasstrings': 'PowerShell 6.2', '-escapehandling': 'PowerShell 6.2' },
  'set-content': { '-nonewline': 'Windows PowerShell 5.0' },
  'add-content': { '-nonewline': 'Windows PowerShell 5.0' },
  'out-file': { '-nonewline': 'Windows PowerShell 5.0' },
  'out-string': { '-nonewline': 'Windows PowerShell 5.0' },
  'get-childitem': { '-depth': 'Windows PowerShell 5.0' },
  gci: { '-depth': 'Windows PowerShell 5.0' },
  dir: { '-depth': 'Windows PowerShell 5.0' },
  ls: { '-depth': 'Windows PowerShell 5.0' },
  'invoke-webrequest': { '-skipcertificatecheck': 'PowerShell 6.0', '-authentication': 'PowerShell 6.0' },
  'invoke-restmethod': { '-skipcertificatecheck': 'PowerShell 6.0', '-authentication': 'PowerShell 6.0' },
  '*': { '-pipelinevariable': 'Windows PowerShell 4.0', '-pv': 'Windows PowerShell 4.0' },
};

/** Type names (lower case, without brackets) that 3.0 does not know. */
const TYPES_TOO_NEW: Readonly<Record<string, string>> = {
  semver: 'PowerShell 6.0',
  'system.management.automation.semanticversion': 'PowerShell 6.0',
  argumentcompleter: 'Windows PowerShell 5.0',
  validatedrive: 'Windows PowerShell 4.0',
  validateuserdrive: 'Windows PowerShell 5.0',
  validatetrimmedstring: 'PowerShell 7.0',
  norunspaceaffinity: 'PowerShell 7.4',
  dscresource: 'Windows PowerShell 5.0',
  dscproperty: 'Windows PowerShell 5.0',
  dsclocalconfigurationmanager: 'Windows PowerShell 5.0',
  'microsoft.powershell.commands.webrequestpscmdlet': 'PowerShell 6.0',
  'microsoft.powershell.commands.webcmdletelementcollection': 'PowerShell 6.0',
};

let languagePromise: Promise<Language> | undefined;

/** Loads web-tree-sitter and the PowerShell grammar (.wasm shipped inside tree-sitter-powershell). */
function loadLanguage(): Promise<Language> {
  languagePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    let wasm: string;
    try {
      wasm = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
    } catch {
      throw new Error('tree-sitter-powershell is not installed (run npm ci): the PowerShell lint needs its tree-sitter-powershell.wasm');
    }
    await Parser.init();
    return Language.load(wasm);
  })();
  return languagePromise;
}

function lc(s: string): string {
  return s.toLowerCase();
}

/** Blank out strings, here-strings, comments and braced variables (same length, newlines kept). */
function maskedCode(source: string, root: Node): string {
  const chars = source.split('');
  const blank = (n: Node): void => {
    for (let i = n.startIndex; i < n.endIndex && i < chars.length; i++) if (chars[i] !== '\n') chars[i] = 'x';
  };
  const walk = (n: Node): void => {
    if (n.type === 'string_literal' || n.type === 'comment' || n.type === 'braced_variable') {
      // Expandable strings may contain $( ... ) code; PS3 rules still apply there, but these
      // operators inside sub-expressions are rare; blanking the whole literal is the safe side for false positives.
      blank(n);
      return;
    }
    for (const c of n.children) walk(c);
  };
  walk(root);
  return chars.join('');
}

function lineOfIndex(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function commandName(cmd: Node): string | undefined {
  const n = cmd.children.find((c) => c.type === 'command_name');
  return n ? n.text : undefined;
}

/** command_parameter / argument nodes of a command, flattened in order. */
function commandElements(cmd: Node): Node[] {
  const els = cmd.children.find((c) => c.type === 'command_elements');
  return els ? els.children.filter((c) => c.type !== 'command_argument_sep') : [];
}

function collectParseErrors(root: Node): Ps3ParseError[] {
  const out: Ps3ParseError[] = [];
  const walk = (n: Node): void => {
    if (n.isMissing) {
      out.push({ line: n.startPosition.row + 1, message: `missing "${n.type}"` });
      return;
    }
    if (n.isError) {
      const text = n.text.length > 60 ? `${n.text.slice(0, 57)}...` : n.text;
      out.push({ line: n.startPosition.row + 1, message: `syntax error near ${JSON.stringify(text)}` });
      return;
    }
    if (!n.hasError) return;
    for (const c of n.children) walk(c);
  };
  walk(root);
  return out;
}

function collectViolations(source: string, root: Node): Ps3Violation[] {
  const out: Ps3Violation[] = [];
  const add = (node: Node | number, rule: Ps3Rule, message: string): void => {
    const line = typeof node === 'number' ? node : node.startPosition.row + 1;
    if (!out.some((v) => v.line === line && v.rule === rule && v.message === message)) out.push({ line, rule, message });
  };

  const walk = (n: Node): void => {
    switch (n.type) {
      case 'class_statement':
        add(n, 'class-definition', 'class definitions need PowerShell 5.0; use New-Object PSObject / [pscustomobject]@{} or Add-Type C#');
        break;
      case 'enum_statement':
        add(n, 'enum-definition', 'enum definitions need PowerShell 5.0; use strings or Add-Type C#');
        break;
      case 'invokation_expression':
      case 'member_access': {
        const hasStatic = n.children.some((c) => c.type === '::');
        const member = n.children.find((c) => c.type === 'member_name');
        if (hasStatic && member && lc(member.text) === 'new')
          add(n, 'ctor-new', '[Type]::new() needs PowerShell 5.0; use New-Object -TypeName <type> -ArgumentList ...');
        const dot = n.children.some((c) => c.type === '.');
        if (n.type === 'invokation_expression' && dot && member && ['where', 'foreach'].includes(lc(member.text)))
          add(n, 'where-foreach-method', `.${member.text}({ }) needs PowerShell 4.0; use ${lc(member.text) === 'where' ? 'Where-Object' : 'ForEach-Object'} in a pipeline`);
        break;
      }
      case 'command': {
        const name = lc(commandName(n) ?? '');
        const els = commandElements(n);
        const params = els.filter((e) => e.type === 'command_parameter').map((e) => lc(e.text.replace(/:$/, '')));
        if (name === 'using') add(n, 'using-statement', '"using namespace/module/assembly" needs PowerShell 5.0; write full type names');
        const tooNew = CMDLETS_TOO_NEW[name];
        if (tooNew) add(n, 'cmdlet-too-new', `${commandName(n)} does not exist in PowerShell 3.0 (added in ${tooNew})`);
        if (params.some((p) => p === '-parallel') && ['foreach-object', '%', 'foreach'].includes(name))
          add(n, 'foreach-parallel', 'ForEach-Object -Parallel needs PowerShell 7.0');
        else if (params.includes('-parallel') && name !== 'foreach-object')
          add(n, 'parameter-too-new', `-Parallel on ${commandName(n)} is not available in PowerShell 3.0`);
        for (const table of [PARAMS_TOO_NEW[name], PARAMS_TOO_NEW['*']]) {
          if (!table) continue;
          for (const e of els) {
            if (e.type !== 'command_parameter') continue;
            const written = e.text.replace(/:$/, '');
            const v = table[lc(written)];
            if (v) add(e, 'parameter-too-new', `${commandName(n)} ${written} is not available in PowerShell 3.0 (added in ${v})`);
          }
        }
        for (let i = 0; i < els.length; i++) {
          const e = els[i]!;
          if (e.type !== 'command_parameter') continue;
          const p = lc(e.text);
          const inline = /^-(erroraction|ea):\s*'?"?break/i.test(e.text);
          const next = els[i + 1];
          if (inline || ((p === '-erroraction' || p === '-ea') && next && /^['"]?break['"]?$/i.test(next.text.trim())))
            add(e, 'erroraction-break', '-ErrorAction Break needs PowerShell 7.0');
        }
        break;
      }
      case 'pipeline_chain_tail':
        add(n, 'pipeline-chain', '&& and || pipeline chains need PowerShell 7.0; use if ($?) { ... } or try/catch');
        break;
      case 'variable': {
        const v = lc(n.text);
        if (v === '$psstyle' || v === '${psstyle}') add(n, 'psstyle', '$PSStyle needs PowerShell 7.2');
        break;
      }
      case 'type_literal':
      case 'attribute': {
        const tn = n.descendantsOfType('type_name')[0];
        const key = lc((tn?.text ?? '').replace(/attribute$/i, ''));
        const v = TYPES_TOO_NEW[key] ?? TYPES_TOO_NEW[lc(tn?.text ?? '')];
        if (v) add(n, 'type-too-new', `[${tn?.text}] does not exist in PowerShell 3.0 (added in ${v})`);
        break;
      }
      case 'comment': {
        const m = /^#requires\b(.*)$/im.exec(n.text);
        if (m) {
          const ver = /-version\s+(\d+)(?:\.(\d+))?/i.exec(m[1] ?? '');
          if (ver && (Number(ver[1]) > 3 || (Number(ver[1]) === 3 && Number(ver[2] ?? 0) > 0)))
            add(n, 'requires-version', `#requires -Version ${ver[1]}${ver[2] !== undefined ? '.' + ver[2] : ''} excludes Windows PowerShell 3.0 (Server 2012)`);
          if (/-psedition\b/i.test(m[1] ?? '')) add(n, 'requires-version', '#requires -PSEdition needs PowerShell 5.1');
        }
        break;
      }
      default:
        break;
    }
    for (const c of n.children) walk(c);
  };
  walk(root);

  // Operators the grammar does not parse (they end up in ERROR nodes): scan the code with strings,
  // comments and braced variables blanked out.
  const code = maskedCode(source, root);
  for (const m of code.matchAll(/\?\?=?/g)) add(lineOfIndex(source, m.index), 'null-coalescing', '?? and ??= need PowerShell 7.0; use if ($null -eq $x) { ... }');
  const stripped = code.replace(/\?\?=?/g, '  ');
  // Ternary: "<operand> ? <expr> : <expr>" with the ? not in command position (after | ; { ( or line start,
  // where ? is the Where-Object alias).
  for (const m of stripped.matchAll(/(?<=[\w)\]}$'"x]\s+)\?(?=\s)[^\n;]*?\s:\s/g))
    add(lineOfIndex(source, m.index), 'ternary', 'the ternary operator "? :" needs PowerShell 7.0; use if/else');
  for (const m of stripped.matchAll(/&&|\|\|/g))
    add(lineOfIndex(source, m.index), 'pipeline-chain', '&& and || pipeline chains need PowerShell 7.0; use if ($?) { ... } or try/catch');
  for (const m of source.matchAll(/\$ErrorActionPreference\s*=\s*['"]?Break\b/gi))
    add(lineOfIndex(source, m.index), 'erroraction-break', "$ErrorActionPreference = 'Break' needs PowerShell 7.0");

  out.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
  return out;
}

/** Parses `source` with tree-sitter-powershell and reports syntax errors and PowerShell 3.0 violations. */
export async function lintPs3(source: string): Promise<Ps3LintResult> {
  const language = await loadLanguage();
  const parser = new Parser();
  try {
    parser.setLanguage(language);
    const tree = parser.parse(source);
    if (!tree) return { parseErrors: [{ line: 1, message: 'tree-sitter returned no tree' }], violations: [] };
    try {
      return { parseErrors: collectParseErrors(tree.rootNode), violations: collectViolations(source, tree.rootNode) };
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

/** The first PowerShell on PATH (pwsh, or Windows PowerShell on Windows), or null. */
export function findPwsh(env: NodeJS.ProcessEnv = process.env): string | null {
  const names = process.platform === 'win32' ? ['pwsh.exe', 'powershell.exe'] : ['pwsh'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** PowerShell's own parser over a file: `[Parser]::ParseFile`. Rejects when no PowerShell is on PATH. */
/** pwshParse for one file. */
export async function pwshParse(file: string, exe: string | null = findPwsh()): Promise<Ps3ParseError[]> {
  return (await pwshParseMany([file], exe))[file] ?? [];
}

/**
 * Parses every file with PowerShell's own parser in ONE pwsh process (a pwsh start costs about a
 * CPU-second; one per file made the check minutes long on a loaded machine). Resolves with the
 * parse errors per file.
 */
export function pwshParseMany(files: readonly string[], exe: string | null = findPwsh()): Promise<Record<string, Ps3ParseError[]>> {
  if (!exe) return Promise.reject(new Error('pwsh is not on PATH: install PowerShell 7 to run the authoritative parser check'));
  // The file paths travel in an environment variable (one per line), never inside the command text.
  const script = [
    '$r = @{}',
    "foreach ($f in ($env:PRINTHA_PS_FILES -split \"`n\")) {",
    '  $t = $null; $e = $null',
    '  [void][System.Management.Automation.Language.Parser]::ParseFile($f, [ref]$t, [ref]$e)',
    "  $r[$f] = @($e | ForEach-Object { @{ line = $_.Extent.StartLineNumber; message = ($_.ErrorId + ': ' + $_.Message) } })",
    '}',
    'ConvertTo-Json -InputObject $r -Compress -Depth 4',
  ].join('\n');
  let bin = '';
  for (let i = 0; i < script.length; i++) {
    const c = script.charCodeAt(i);
    bin += String.fromCharCode(c & 255, c >> 8);
  }
  const encoded = Buffer.from(bin, 'latin1').toString('base64');
  return new Promise((resolve, reject) => {
    execFile(
      exe,
      ['-NoProfile', '-NonInteractive', '-EncodedCommand', encoded],
      { env: { ...process.env, PRINTHA_PS_FILES: files.join('\n') }, timeout: 120_000, windowsHide: true, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`PowerShell parser check failed: ${stderr.trim() || err.message}`));
        try {
          const parsed = JSON.parse(stdout.trim() || '{}') as Record<string, unknown>;
          const out: Record<string, Ps3ParseError[]> = {};
          for (const f of files) {
            const v = parsed[f];
            const arr = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
            out[f] = arr.map((x) => ({ line: Number((x as { line: unknown }).line), message: String((x as { message: unknown }).message) }));
          }
          resolve(out);
        } catch {
          reject(new Error(`PowerShell parser check printed no JSON: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}
