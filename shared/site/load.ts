/**
 * YAML <-> Site. Syntax errors carry line and column; schema errors carry the field path,
 * the line of the offending node and, for unknown keys, a "did you mean" hint.
 */
import { isMap, isScalar, LineCounter, parseDocument, stringify, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { formatPath, type Finding } from '../rules/finding.js';
import { SiteSchema, type Site, type SiteInput } from './schema.js';

export type LoadResult = { ok: true; site: Site; input: SiteInput; findings: Finding[] } | { ok: false; findings: Finding[] };

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

function position(doc: Document, lc: LineCounter, path: readonly PropertyKey[], key?: string): { line?: number; column?: number } {
  let node: Node | null | undefined;
  try {
    node = doc.getIn(path as unknown[], true) as Node | undefined;
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair && isScalar(pair.key)) node = pair.key;
    }
  } catch {
    node = undefined;
  }
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

function issueToFinding(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter): Finding[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((k) => {
      const hint = closest(k, allowed);
      const where = formatPath([...path, k]);
      return {
        rule: 'schema-unknown-key',
        severity: 'error' as const,
        path: where,
        message: `Unknown key "${k}"${path.length ? ` in ${formatPath(path)}` : ''}.${hint ? ` Did you mean "${hint}"?` : ''}`,
        fix: hint ? `Rename "${k}" to "${hint}".` : `Remove "${k}"; allowed keys here: ${allowed.join(', ')}.`,
        ...position(doc, lc, path, k),
      };
    });
  }
  const rule = (issue.code === 'custom' && (issue.params as { rule?: string } | undefined)?.rule) || 'schema-invalid';
  const where = formatPath(path);
  let message = issue.message;
  let fix = FIX_BY_RULE[rule] ?? 'Correct the value as the message says (see DESIGN.md, "Site file").';
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    message = `Required field "${where}" is missing.`;
    fix = `Add "${String(path[path.length - 1])}" to the site file.`;
  } else if (issue.code === 'invalid_value') {
    message = `${where}: ${issue.message}`;
    fix = `Use one of: ${issue.values.map(String).join(', ')}.`;
  } else if (rule === 'text-invalid') {
    message = `${where}: ${issue.message}`;
  } else if (rule === 'schema-invalid') {
    message = `${where || 'site'}: ${issue.message}`;
  }
  return [{ rule, severity: 'error', path: where, message, fix, ...position(doc, lc, path) }];
}

/** Parses YAML text into a Site, or findings that say exactly what is wrong and where. */
export function loadSiteYaml(text: string): LoadResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
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
  const data: unknown = doc.toJS();
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
  return parseSiteData(data, doc, lc);
}

/** Validates already-parsed data (from the wizard or JSON). */
export function parseSiteData(data: unknown, doc?: Document, lc?: LineCounter): LoadResult {
  const r = SiteSchema.safeParse(data);
  if (!r.success) {
    const d = doc ?? parseDocument('{}');
    const l = lc ?? new LineCounter();
    return { ok: false, findings: r.error.issues.flatMap((i) => issueToFinding(i, d, l)) };
  }
  return { ok: true, site: r.data, input: data as SiteInput, findings: [] };
}

/** Serialises a site (as entered) back to YAML. */
export function saveSiteYaml(site: SiteInput): string {
  return stringify(site, { lineWidth: 0 });
}
