/**
 * The Windows stand-in's parameter declarations come from one source: Microsoft's documented
 * syntax, copied into test/lab/winshim/signatures/<Cmdlet>.md. This file parses those copies and
 * generates the advanced-function skeletons (param blocks only; the bodies call the module's
 * `Invoke-StandInCommand`) plus the module enums, for the node module and the laptop-side RSAT
 * modules. `npx tsx test/unit/lab/winshim-signatures.ts` rewrites the generated files;
 * winshim-signatures.test.ts checks they are current and that pwsh binds them as documented.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WINSHIM = join(REPO, 'test', 'lab', 'winshim');
export const SIGNATURES = join(WINSHIM, 'signatures');
export const NODE_MODULE = join(WINSHIM, 'PrintHA.WindowsStandIn');
export const REFERENCE = join(REPO, '..', 'shared', 'reference', 'windows-cmdlets');

export interface SyntaxParam {
  name: string;
  /** the type as the syntax line writes it, without <>; undefined for a switch */
  type?: string;
  mandatory: boolean;
  positional: boolean;
}
export interface SyntaxSet {
  name: string;
  isDefault: boolean;
  params: SyntaxParam[];
}
export interface ParamDoc {
  name: string;
  type: string;
  sets: string[] | 'All';
  aliases: string[];
  position?: number;
  byValue: boolean;
  byPropertyName: boolean;
  accepted?: string[];
}
export interface CmdletDoc {
  name: string;
  module: string;
  sets: SyntaxSet[];
  params: Map<string, ParamDoc>;
  shouldProcess: boolean;
}

/** The cmdlets each generated module carries (the node module shims all of them). */
export const RSAT_MODULES: Record<string, string[]> = {
  DnsServer: [
    'Get-DnsServerZone',
    'Get-DnsServerResourceRecord',
    'Add-DnsServerResourceRecordA',
    'Add-DnsServerResourceRecordAAAA',
    'Remove-DnsServerResourceRecord',
  ],
  DnsClient: ['Resolve-DnsName'],
};

/**
 * Default sets the docs do not mark: Windows binds `Get-DnsServerResourceRecord -ZoneName z -Name n`
 * (no -Type/-RRType) to Name, which dns/record.ps1 relies on.
 */
const DEFAULT_SET: Record<string, string> = { 'Get-DnsServerResourceRecord': 'Name' };

const COMMON = new Set(['WhatIf', 'Confirm', 'CommonParameters']);

/** One syntax code block → its parameters, in order, with the bracket forms decoded. */
export function parseSyntax(block: string): SyntaxParam[] {
  const out: SyntaxParam[] = [];
  const text = block.replace(/\s+/g, ' ');
  const re =
    /\[\[-(\w+)\] <([^>]+)>\]|\[-(\w+)\] <([^>]+)>|\[-(\w+) <([^>]+)>\]|\[-(\w+)\]|\[<CommonParameters>\]|-(\w+) <([^>]+)>|-(\w+)/g;
  for (const m of text.matchAll(re)) {
    if (m[1]) out.push({ name: m[1], type: m[2], mandatory: false, positional: true });
    else if (m[3]) out.push({ name: m[3], type: m[4], mandatory: true, positional: true });
    else if (m[5]) out.push({ name: m[5], type: m[6], mandatory: false, positional: false });
    else if (m[7]) out.push({ name: m[7], mandatory: false, positional: false });
    else if (m[8]) out.push({ name: m[8], type: m[9], mandatory: true, positional: false });
    else if (m[10]) out.push({ name: m[10], mandatory: true, positional: false });
  }
  return out;
}

export function parseDoc(md: string): CmdletDoc {
  const name = /^# (\S+)/m.exec(md)?.[1] ?? '';
  const module = /^Module: ([^.\s]+(?:\.[A-Za-z]+)*)\. Source/m.exec(md)?.[1] ?? '';
  const syntax = md.slice(md.indexOf('## Syntax'), md.indexOf('## Parameters'));
  const params = md.slice(md.indexOf('## Parameters'));
  // Sets: "### Name (Default) - Provider" headings; provider variants of one set are merged
  // (their extra parameters are dynamic parameters on Windows; the stand-in declares the union).
  const sets: SyntaxSet[] = [];
  const parts = syntax.split(/^### /m);
  const blocks: { head: string; body: string }[] =
    parts.length === 1
      ? [{ head: '__AllParameterSets', body: syntax }]
      : parts.slice(1).map((p) => ({ head: p.split('\n')[0] ?? '', body: p }));
  for (const b of blocks) {
    const code = /```[a-z]*\n([\s\S]*?)```/.exec(b.body)?.[1] ?? '';
    const setName = b.head.split(' ')[0] ?? '';
    const isDefault = /\(Default\)/.test(b.head);
    const ps = parseSyntax(code.replace(new RegExp(`^\\s*${name}\\b`), ''));
    const cur = sets.find((s) => s.name === setName);
    if (!cur) sets.push({ name: setName, isDefault, params: ps });
    else for (const p of ps) if (!cur.params.some((q) => q.name === p.name)) cur.params.push(p);
  }
  const docs = new Map<string, ParamDoc>();
  for (const m of params.matchAll(/^### -(\w+)\s*\n```yaml\n([\s\S]*?)```/gm)) {
    const [, pname = '', y = ''] = m;
    const field = (k: string): string => new RegExp(`^${k}: ?(.*)$`, 'm').exec(y)?.[1]?.trim() ?? '';
    const setsField = field('Parameter Sets');
    const pos = field('Position');
    const pipe = field('Accept pipeline input');
    const acc = field('Accepted values');
    docs.set(pname.toLowerCase(), {
      name: pname,
      type: field('Type'),
      sets: setsField === '(All)' ? 'All' : setsField.split(',').map((s) => s.trim()),
      aliases: field('Aliases')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      ...(/^\d+$/.test(pos) ? { position: Number(pos) } : {}),
      byValue: /ByValue/.test(pipe),
      byPropertyName: /ByPropertyName/.test(pipe),
      ...(acc ? { accepted: acc.split(',').map((s) => s.trim()) } : {}),
    });
  }
  if (!sets.some((s) => s.isDefault) && DEFAULT_SET[name]) for (const s of sets) s.isDefault = s.name === DEFAULT_SET[name];
  const shouldProcess = sets.some((s) => s.params.some((p) => p.name === 'WhatIf'));
  for (const s of sets) s.params = s.params.filter((p) => !COMMON.has(p.name));
  return { name, module, sets, params: docs, shouldProcess };
}

export function loadDocs(dir = SIGNATURES): CmdletDoc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => parseDoc(readFileSync(join(dir, f), 'utf8')));
}

/** Types the generated code names explicitly (short doc names → a type pwsh resolves on Linux). */
const TYPE_MAP: Record<string, string> = {
  switchparameter: 'switch',
  cimsession: 'Microsoft.Management.Infrastructure.CimSession',
  ciminstance: 'PrintHA.WindowsStandIn.CimInstance',
  ipaddress: 'System.Net.IPAddress',
  idictionary: 'System.Collections.IDictionary',
  'nullable`1[[system.datetime]]': 'Nullable[datetime]',
  testpathtype: 'Microsoft.PowerShell.Commands.TestPathType',
  authenticationlevel: 'System.Management.AuthenticationLevel',
  impersonationlevel: 'System.Management.ImpersonationLevel',
  registryvaluekind: 'Microsoft.Win32.RegistryValueKind',
  servicecontroller: 'System.ServiceProcess.ServiceController',
  pscredential: 'System.Management.Automation.PSCredential',
};
const PLAIN = new Set(
  'string object psobject int16 int32 int64 uint16 uint32 uint64 byte boolean timespan datetime uri guid scriptblock'.split(' '),
);

/** Windows' enum values where scripts or Windows output depend on the numbers. */
const ENUM_VALUES: Record<string, Record<string, number>> = {
  AddressFamily: { IPv4: 2, IPv6: 23 },
  RecordType: {
    UNKNOWN: 0,
    A_AAAA: 0,
    A: 1,
    NS: 2,
    MD: 3,
    MF: 4,
    CNAME: 5,
    SOA: 6,
    MB: 7,
    MG: 8,
    MR: 9,
    NULL: 10,
    WKS: 11,
    PTR: 12,
    HINFO: 13,
    MINFO: 14,
    MX: 15,
    TXT: 16,
    RP: 17,
    AFSDB: 18,
    X25: 19,
    ISDN: 20,
    RT: 21,
    AAAA: 28,
    SRV: 33,
    DNAME: 39,
    OPT: 41,
    DS: 43,
    RRSIG: 46,
    NSEC: 47,
    DNSKEY: 48,
    DHCID: 49,
    NSEC3: 50,
    NSEC3PARAM: 51,
    ANY: 255,
    ALL: 255,
    WINS: 65281,
  },
};

/** The namespace Windows gives a cmdletization module's enums. */
export function enumNamespace(module: string): string {
  if (module === 'DnsClient') return 'Microsoft.DnsClient.Commands';
  if (module === 'Microsoft.PowerShell.Management') return 'Microsoft.PowerShell.Commands';
  return `Microsoft.PowerShell.Cmdletization.GeneratedTypes.${module}`;
}

interface Resolved {
  ps: string;
  enumName?: string;
}
function resolveType(doc: CmdletDoc, p: ParamDoc): Resolved {
  const raw = p.type.replace(/^System\.Management\.Automation\.(SwitchParameter)$/, '$1');
  const arr = raw.endsWith('[]') ? '[]' : '';
  const base = raw.replace(/\[\]$/, '');
  const short = base.split('.').pop() ?? base;
  const key = base.startsWith('System.Nullable') || base.startsWith('Nullable') ? 'nullable`1[[system.datetime]]' : short.toLowerCase();
  if (TYPE_MAP[key]) return { ps: TYPE_MAP[key] + (key === 'switchparameter' ? '' : arr) };
  // Gone from PowerShell 7: the stand-in defines it under its documented name.
  if (key === 'waitforservicetypes' && p.accepted) return { ps: `Microsoft.PowerShell.Commands.${short}${arr}`, enumName: short };
  if (PLAIN.has(key)) return { ps: (base.startsWith('System.') ? base : short) + arr };
  if (base.includes('.')) return { ps: base + arr };
  if (p.accepted) return { ps: `${enumNamespace(doc.module)}.${short}${arr}`, enumName: short };
  throw new Error(`${doc.name} -${p.name}: no mapping for type ${p.type}`);
}

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** One advanced function whose param block is the documented syntax. */
export function renderFunction(doc: CmdletDoc): string {
  const def = doc.sets.find((s) => s.isDefault) ?? doc.sets[0];
  if (!def) throw new Error(`${doc.name}: no parameter set in the syntax`);
  const single = doc.sets.length === 1;
  const remove = doc.name.startsWith('Remove-');
  const binding = [
    ...(single ? [] : [`DefaultParameterSetName = ${q(def.name)}`]),
    'PositionalBinding = $false',
    ...(doc.shouldProcess ? ['SupportsShouldProcess = $true'] : []),
    ...(doc.shouldProcess && remove ? [`ConfirmImpact = 'High'`] : []),
  ];
  const names: string[] = [];
  for (const s of doc.sets) for (const p of s.params) if (!names.includes(p.name)) names.push(p.name);
  const decls = names.map((n) => {
    const pd = doc.params.get(n.toLowerCase());
    if (!pd) throw new Error(`${doc.name}: -${n} is in the syntax but has no parameter section`);
    const t = resolveType(doc, pd);
    const inSets = doc.sets.filter((s) => s.params.some((p) => p.name === n));
    const attrs = inSets.map((s) => {
      const sp = s.params.find((p) => p.name === n) as SyntaxParam;
      const positionals = s.params.filter((p) => p.positional);
      const pos = sp.positional ? (pd.position ?? positionals.indexOf(sp)) : undefined;
      const a = [
        ...(single || (inSets.length === doc.sets.length && sameEverywhere(doc, n)) ? [] : [`ParameterSetName = ${q(s.name)}`]),
        ...(sp.mandatory ? ['Mandatory = $true'] : []),
        ...(pos !== undefined ? [`Position = ${pos}`] : []),
        ...(pd.byValue ? ['ValueFromPipeline = $true'] : []),
        ...(pd.byPropertyName ? ['ValueFromPipelineByPropertyName = $true'] : []),
      ];
      return `    [Parameter(${a.join(', ')})]`;
    });
    const unique = [...new Set(attrs)];
    const lines = [...unique];
    if (pd.aliases.length) lines.push(`    [Alias(${pd.aliases.map(q).join(', ')})]`);
    if (pd.accepted && !t.enumName) lines.push(`    [ValidateSet(${pd.accepted.map(q).join(', ')})]`);
    lines.push(`    [${t.ps}]$${n}`);
    return lines.join('\n');
  });
  return [
    `function ${doc.name} {`,
    `  [CmdletBinding(${binding.join(', ')})]`,
    '  param(',
    decls.join(',\n\n'),
    '  )',
    '  process { Invoke-StandInCommand -Cmdlet $PSCmdlet -Bound $PSBoundParameters }',
    '}',
  ].join('\n');
}

function sameEverywhere(doc: CmdletDoc, n: string): boolean {
  const forms = doc.sets.map((s) => {
    const p = s.params.find((x) => x.name === n) as SyntaxParam;
    return `${p.mandatory}/${p.positional}`;
  });
  return new Set(forms).size === 1;
}

/** C# enums for the parameters whose type is a module enum (Accepted values, Windows numbers). */
export function renderEnums(docs: CmdletDoc[]): string {
  const byNs = new Map<string, Map<string, string[]>>();
  for (const d of docs)
    for (const p of d.params.values()) {
      if (!d.sets.some((s) => s.params.some((x) => x.name === p.name))) continue;
      const t = resolveType(d, p);
      if (!t.enumName || !p.accepted) continue;
      const ns = enumNamespace(d.module);
      const m = byNs.get(ns) ?? new Map<string, string[]>();
      byNs.set(ns, m);
      m.set(t.enumName, p.accepted);
    }
  const out: string[] = [];
  for (const [ns, m] of [...byNs].sort()) {
    out.push(`namespace ${ns} {`);
    for (const [e, vals] of [...m].sort()) {
      const nums = ENUM_VALUES[e];
      out.push(`  public enum ${e} { ${vals.map((v, i) => `${v} = ${nums?.[v] ?? i}`).join(', ')} }`);
    }
    out.push('}');
  }
  return out.join('\n') + '\n';
}

const HEADER = (what: string): string =>
  `# GENERATED by test/unit/lab/winshim-signatures.ts from test/lab/winshim/signatures/*.md: do not edit.
# ${what}: Microsoft's documented parameter sets; each body hands the bound parameters to the
# module's Invoke-StandInCommand. Part of the PrintHA lab's Windows stand-in (a test double).
`;

/** Every generated file: path → content. */
export function generatedFiles(docs = loadDocs()): Map<string, string> {
  const files = new Map<string, string>();
  const fns = (ds: CmdletDoc[]): string => ds.map(renderFunction).join('\n\n') + '\n';
  files.set(join(NODE_MODULE, 'Cmdlets.generated.ps1'), HEADER('The shimmed Windows cmdlets') + '\n' + fns(docs));
  files.set(
    join(NODE_MODULE, 'Enums.generated.cs'),
    `// GENERATED by test/unit/lab/winshim-signatures.ts: do not edit.\n${renderEnums(docs)}`,
  );
  for (const [mod, names] of Object.entries(RSAT_MODULES)) {
    const ds = docs.filter((d) => names.includes(d.name));
    files.set(join(WINSHIM, 'rsat', mod, `${mod}.generated.ps1`), HEADER(`RSAT ${mod}`) + '\n' + fns(ds));
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [p, c] of generatedFiles()) writeFileSync(p, c);
}
