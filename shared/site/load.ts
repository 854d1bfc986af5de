/**
 * YAML <-> Site. Syntax errors carry line and column; schema errors carry the field path,
 * the line of the offending node and, for unknown keys, a "did you mean" hint.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { formatPath, type Finding } from '../rules/finding.js';
import { fieldInfo, OVERRIDE_KEY } from './fields.js';
import { SiteSchema, type Site, type SiteInput } from './schema.js';
import { DISALLOWED_TEXT } from './text.js';

/**
 * `data`: the parsed YAML (before the schema) when the text is YAML within the limits, so callers that
 * need it (site.load sends it to the wizard) do not parse a second time.
 */
export type LoadResult = { ok: true; site: Site; input: SiteInput; findings: Finding[]; data: unknown } | { ok: false; findings: Finding[]; data?: unknown };

/**
 * Limits of a site file, checked before (size, nesting) and right after (keys, nesting) the YAML
 * parse, each reported as a finding with the limit and the field. A real site file is a few KB, at
 * most five levels deep and a few hundred keys.
 */
export const SITE_LIMITS = { maxBytes: 256 * 1024, maxDepth: 16, maxKeys: 5000 } as const;

function limitFinding(rule: string, path: string, message: string, fix: string, line?: number): Finding {
  return { rule, severity: 'error', path, message, fix, ...(line !== undefined ? { line } : {}) };
}

/**
 * Flow nesting ([ and {) and block nesting (indentation levels) of the text, in one linear pass
 * before the parser sees it (the parser recurses per level: a 1000-deep flow sequence exhausts the
 * stack). Quotes and comments are skipped; a bracket in a plain scalar counts, which only makes the
 * check stricter for text that is nowhere near a real site file.
 */
function nestingBeyond(text: string, max: number): { line: number; depth: number } | undefined {
  let line = 1;
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  const indents: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '-') {
        indent++;
        continue;
      }
      lineStart = false;
      if (c !== '#' && c !== '\r' && flow === 0) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length > max) return { line, depth: indents.length };
      }
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\' && c === '"') i++;
        else if (text[i] === '\n') line++;
      }
    } else if (c === '[' || c === '{') {
      if (++flow > max) return { line, depth: flow + indents.length };
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
  return undefined;
}

/**
 * Depth, key count and duplicate keys of the parsed document, in one walk (aliases are not
 * followed). Duplicate keys are found here with a Set per mapping: the parser's own uniqueKeys check
 * compares every key with every other one (quadratic).
 */
function structureBeyond(doc: Document, lc: LineCounter): Finding | undefined {
  let keys = 0;
  const walk = (node: unknown, path: PropertyKey[]): Finding | undefined => {
    if (path.length > SITE_LIMITS.maxDepth)
      return limitFinding(
        'site-too-deep',
        formatPath(path),
        `${formatPath(path)}: the site file nests deeper than ${SITE_LIMITS.maxDepth} levels.`,
        'A site file is a few levels deep (see examples/); remove the nesting.',
        linePos(lc, node as Node).line,
      );
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const name = String(pair.key.value);
          if (seen.has(name)) {
            const pos = linePos(lc, pair.key as Node);
            return {
              ...limitFinding(
                'yaml-syntax',
                formatPath(path),
                `YAML syntax error at line ${pos.line ?? '?'}, column ${pos.column ?? '?'}: Map keys must be unique ("${name.slice(0, 60).replace(/[^\x20-\x7e]/g, '?')}" appears twice${path.length ? ` in ${formatPath(path)}` : ''})`,
                'Fix the YAML at that line (indentation, a missing ":" or an unclosed quote are the usual causes).',
                pos.line,
              ),
              ...(pos.column !== undefined ? { column: pos.column } : {}),
            };
          }
          seen.add(name);
        }
        if (++keys > SITE_LIMITS.maxKeys)
          return limitFinding(
            'site-too-many-keys',
            formatPath(path),
            `${formatPath(path) || 'site'}: the site file has more than ${SITE_LIMITS.maxKeys} keys.`,
            'A site file has a few hundred keys at most; remove the extra ones.',
            linePos(lc, pair.key as Node).line,
          );
        const k = isScalar(pair.key) ? String(pair.key.value) : '?';
        const f = walk(pair.value, [...path, k]);
        if (f) return f;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        if (++keys > SITE_LIMITS.maxKeys)
          return limitFinding(
            'site-too-many-keys',
            formatPath(path),
            `${formatPath(path) || 'site'}: the site file has more than ${SITE_LIMITS.maxKeys} keys and list items.`,
            'A site file has a few hundred keys at most; remove the extra ones.',
            linePos(lc, node.items[i] as Node).line,
          );
        const f = walk(node.items[i], [...path, i]);
        if (f) return f;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}

/** The size and nesting findings of a site file's text (empty when within SITE_LIMITS). */
export function siteTextLimits(text: string): Finding[] {
  // UTF-8 is at least one byte per UTF-16 unit: a longer text is too large without encoding it.
  const bytes = text.length > SITE_LIMITS.maxBytes ? text.length : new TextEncoder().encode(text).length;
  if (bytes > SITE_LIMITS.maxBytes)
    return [
      limitFinding(
        'site-too-large',
        '',
        `The site file has ${text.length > SITE_LIMITS.maxBytes ? 'more than ' : ''}${bytes} bytes; the limit is ${SITE_LIMITS.maxBytes} (${SITE_LIMITS.maxBytes / 1024} KB).`,
        'A site file is a few KB: check that this is the right file.',
      ),
    ];
  const deep = nestingBeyond(text, SITE_LIMITS.maxDepth);
  if (deep)
    return [
      limitFinding(
        'site-too-deep',
        '',
        `The site file nests deeper than ${SITE_LIMITS.maxDepth} levels at line ${deep.line}.`,
        'A site file is a few levels deep (see examples/); remove the nesting.',
        deep.line,
      ),
    ];
  return [];
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= n; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return d[n]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

type AnyZod = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** Walks the schema along a data path to the object schema there, to list its allowed keys. */
function schemaAt(schema: AnyZod, path: readonly PropertyKey[]): AnyZod | undefined {
  let s: AnyZod | undefined = schema;
  const unwrap = (x: AnyZod): AnyZod => {
    let cur = x;
    for (;;) {
      const def = cur._zod.def;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')
        cur = def.innerType as AnyZod;
      else if (def.type === 'pipe') cur = def.in as AnyZod;
      else return cur;
    }
  };
  for (const key of path) {
    if (!s) return undefined;
    s = unwrap(s);
    const def = s._zod.def;
    if (def.type === 'object') s = (def.shape as Record<string, AnyZod>)[String(key)];
    else if (def.type === 'array') s = def.element as AnyZod;
    else if (def.type === 'record') s = def.valueType as AnyZod;
    else return undefined;
  }
  return s ? unwrap(s) : undefined;
}

export function allowedKeys(path: readonly PropertyKey[]): string[] {
  const s = schemaAt(SiteSchema as unknown as AnyZod, path);
  if (!s || s._zod.def.type !== 'object') return [];
  return Object.keys(s._zod.def.shape as object);
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  try {
    return (doc.getIn(path as unknown[], true) as Node | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The key nodes of a mapping by key, built once per mapping (a lookup per key would be quadratic). */
function keyIndex(node: Node | undefined): Map<string, Node> {
  const m = new Map<string, Node>();
  if (isMap(node)) for (const p of node.items) if (isScalar(p.key) && !m.has(String(p.key.value))) m.set(String(p.key.value), p.key);
  return m;
}

function linePos(lc: LineCounter, node: Node | undefined): { line?: number; column?: number } {
  const off = node?.range?.[0];
  if (off === undefined) return {};
  const p = lc.linePos(off);
  return { line: p.line, column: p.col };
}

const FIX_BY_RULE: Record<string, string> = {
  'ip-invalid': 'Write a dotted IPv4 address such as 192.168.81.10, or an IPv6 address.',
  'label-invalid': 'Rename it using only A-Z, a-z, 0-9, "_" and "-" (for example PS1).',
  'port-invalid': 'Use a port number 1-65535 or a range written "first-last" (for example "5011-5025").',
  'sharename-netbios': 'Choose a name of at most 15 letters, digits, "_" or "-", such as Dispatcher.',
  'hostname-invalid': 'Use a DNS name such as ps1.corp.example.com.',
  'user-invalid': 'Write the account as DOMAIN\\user or user@domain (Windows) or a plain user name (SSH).',
  'text-invalid': 'Retype the text without control characters, line breaks or bidi controls (paste it through a plain-text editor).',
};

function position(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line?: number; column?: number } {
  return linePos(lc, nodeAt(doc, path));
}

/** A value as a message shows it: strings quoted ('2z2'), at most 40 characters, control and bidi characters as "?". */
export function showValue(v: unknown): string {
  if (typeof v === 'string') {
    const t = v.length > 40 ? `${v.slice(0, 40)}...` : v;
    return `'${t.replace(new RegExp(DISALLOWED_TEXT.source, 'gu'), '?')}'`;
  }
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const KIND: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
};

/** What is wrong with the value, naming it: "'2z2' is not a number". */
function problem(issue: z.core.$ZodIssue, where: string): string {
  const input = issue.input;
  const shown = showValue(input);
  switch (issue.code) {
    case 'invalid_type': {
      const want = KIND[issue.expected as string] ?? String(issue.expected);
      if (input === null) return `${where} is empty`;
      if (Array.isArray(input) || (typeof input === 'object' && input !== null)) return `${where} is ${shown}, not ${want}`;
      if ((issue.expected as string) === 'number' && typeof input === 'string' && /^\s*-?\d+\s*$/.test(input)) return `${shown} is quoted text, not a number`;
      if (issue.expected === 'int' || ((issue.expected as string) === 'number' && typeof input === 'string' && /^\s*-?\d+[.,]\d*\s*$/.test(input)))
        return `${shown} is not a whole number`;
      if (typeof input === 'number' && issue.expected === 'string') return `${shown} is a number, not text`;
      return `${shown} is not ${want}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return input === '' ? `${where} is empty` : `${shown} is too short (${String(input).length} characters)`;
      if (issue.origin === 'array') return Array.isArray(input) && input.length === 0 ? `${where} is an empty list` : `${where} has too few items`;
      return `${shown} is too small`;
    case 'too_big':
      if (issue.origin === 'string') return `${shown} is too long (${typeof input === 'string' ? input.length : '?'} characters)`;
      if (issue.origin === 'array') return `${where} has too many items (${Array.isArray(input) ? input.length : '?'})`;
      return `${shown} is too large`;
    case 'invalid_value':
      return `${shown} is not a valid choice`;
    case 'invalid_format':
    case 'invalid_union':
      return `${shown} is not valid`;
    case 'invalid_key':
      return `the key ${shown}${where.includes('.') ? ` in ${where.slice(0, where.lastIndexOf('.'))}` : ''} is not valid`;
    default:
      return `${shown} is not valid`;
  }
}

function issueToFinding(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter): Finding[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    const keyNodes = keyIndex(nodeAt(doc, path));
    return issue.keys.map((k) => {
      const hint = closest(k, allowed);
      const where = formatPath([...path, k]);
      return {
        rule: 'schema-unknown-key',
        severity: 'error' as const,
        path: where,
        message: `Unknown key "${k}"${path.length ? ` in ${formatPath(path)}` : ''}.${hint ? ` Did you mean "${hint}"?` : ''}`,
        fix: hint ? `Rename "${k}" to "${hint}".` : `Remove "${k}"; allowed keys here: ${allowed.join(', ')}.`,
        ...linePos(lc, keyNodes.get(k)),
      };
    });
  }
  // A record key's issue is about the key: a key our own refinement refused (text-invalid) is reported as that.
  const nested = issue.code === 'invalid_key' ? issue.issues.find((i) => i.code === 'custom') : undefined;
  const custom = issue.code === 'custom' ? issue : nested;
  const rule = (custom && (custom.params as { rule?: string } | undefined)?.rule) || 'schema-invalid';
  const where = formatPath(path) || 'site';
  const key = String(path[path.length - 1] ?? 'the site file');
  const info = issue.code === 'invalid_key' ? OVERRIDE_KEY : fieldInfo(path);
  const expect =
    info?.expect ??
    (issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : issue.code === 'invalid_type' ? (KIND[issue.expected as string] ?? 'a valid value') : 'a valid value');
  const label = info?.label ?? `"${where}"`;
  const is = info?.verb ?? 'is';
  const example = info?.example;
  const setTo = `Set ${where} to ${expect}${example ? `, for example ${example}` : ''}.`;
  let message: string;
  let fix: string;
  if (custom) {
    // Our own refinements (schema.ts): sentences that already name the value and what is wrong.
    message = rule === 'schema-invalid' || rule === 'text-invalid' ? `${where}: ${custom.message}` : custom.message;
    fix = rule === 'port-invalid' && info ? setTo : (FIX_BY_RULE[rule] ?? setTo);
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    message = `Required field "${where}" is missing: ${label} ${is} ${expect}.`;
    fix = `Add ${key}${example ? ` (for example ${key}: ${example})` : ''}.`;
  } else {
    message = `${capitalize(problem(issue, where))}: ${label} ${is} ${expect}.`;
    if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int'))
      fix = `Write ${label} as digits only, without quotes${example ? ` (for example ${key}: ${example})` : ''}.`;
    else if (issue.code === 'invalid_type' && issue.expected === 'string' && typeof issue.input === 'number')
      fix = `Put the value in quotes (${key}: "${String(issue.input)}").`;
    else if (issue.code === 'invalid_key') fix = `Rename the key to ${expect}${example ? `, for example ${example}` : ''}.`;
    else fix = setTo;
  }
  return [{ rule, severity: 'error', path: formatPath(path), message, fix, ...position(doc, lc, path) }];
}

/** "the key ..." -> "The key ..."; a message that starts with a field path or a value keeps it as is. */
function capitalize(s: string): string {
  return s.startsWith('the ') ? `T${s.slice(1)}` : s;
}

/** Parses YAML text into a Site, or findings that say exactly what is wrong and where. */
export function loadSiteYaml(text: string): LoadResult {
  const limits = siteTextLimits(text);
  if (limits.length) return { ok: false, findings: limits };
  const lc = new LineCounter();
  // uniqueKeys: false: duplicates are found by structureBeyond in linear time.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return {
          rule: 'yaml-syntax',
          severity: 'error',
          path: '',
          message: `YAML syntax error at line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}`,
          fix: 'Fix the YAML at that line (indentation, a missing ":" or an unclosed quote are the usual causes).',
          line: pos.line,
          column: pos.col,
        };
      }),
    };
  }
  const tooBig = structureBeyond(doc, lc);
  if (tooBig) return { ok: false, findings: [tooBig] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return {
      ok: false,
      findings: [
        limitFinding('yaml-syntax', '', `The site file cannot be read as YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`, 'Write the site file without YAML aliases (*name).'),
      ],
    };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      findings: [
        {
          rule: 'schema-invalid',
          severity: 'error',
          path: '',
          message: 'The site file must be a YAML mapping (key: value lines).',
          fix: 'Start from examples/phoenix-dr.yaml.',
        },
      ],
    };
  }
  const r = parseSiteData(data, doc, lc);
  return { ...r, data };
}

/** Validates already-parsed data (from the wizard or JSON). */
export function parseSiteData(data: unknown, doc?: Document, lc?: LineCounter): LoadResult {
  // reportInput: a wrong-typed value is reported as wrong, not as missing.
  const r = SiteSchema.safeParse(data, { reportInput: true });
  if (!r.success) {
    const d = doc ?? parseDocument('{}');
    const l = lc ?? new LineCounter();
    return { ok: false, findings: r.error.issues.flatMap((i) => issueToFinding(i, d, l)), data };
  }
  return { ok: true, site: r.data, input: data as SiteInput, findings: [], data };
}

/** Serialises a site (as entered) back to YAML. */
export function saveSiteYaml(site: SiteInput): string {
  return stringify(site, { lineWidth: 0 });
}
