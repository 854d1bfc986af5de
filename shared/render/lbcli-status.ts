/**
 * Reading what lbcli prints (shared/reference/lbcli.md §1.2, §3.3):
 * - parseLbcliReply: the status of one action. The JSON comes as {"lbcli":{...}}, {"lbcli":[{...}]}
 *   or [{"lbcli":[{...}]}], possibly on line 2 after a banner, possibly pretty-printed over several
 *   lines; older builds print plain text where "  exists" means the item is already there; some
 *   print no JSON at all. The exit code is undocumented, so the JSON status is what counts.
 * - parseDumpconfig: `lbcli --action list --function dumpconfig` -> ExistingVip[]. The config is
 *   XML converted to JSON, so `ldirectord.virtual`, `haproxy.virtual` and `real` are a single object
 *   when there is one, and empty values may appear as [].
 */
import type { ExistingVip } from '../model/facts.js';

export type LbcliStatus = 'success' | 'failed' | 'exists' | 'missing' | 'fatal' | 'unknown' | 'no-json';

export interface LbcliReply {
  status: LbcliStatus;
  /** The appliance's own words, when the reply carries any. */
  message?: string;
  /** The parsed JSON (or, without JSON, the trimmed text) to show the engineer. */
  raw: unknown;
}

const KNOWN: readonly LbcliStatus[] = ['success', 'failed', 'exists', 'missing', 'fatal'];
/** Worst first: a reply with several results reports its worst one. */
const SEVERITY: Record<LbcliStatus, number> = { fatal: 6, failed: 5, missing: 4, unknown: 3, 'no-json': 3, exists: 1, success: 0 };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tryJson(s: string): Json | undefined {
  const t = s.trim();
  if (t === '' || (t[0] !== '{' && t[0] !== '[')) return undefined;
  try {
    return JSON.parse(t) as Json;
  } catch {
    return undefined;
  }
}

/**
 * Every JSON document in the text: the whole text, else each line that parses (a banner before it
 * is fine), else the span from the first line that opens JSON to the end (pretty-printed reply).
 */
export function extractJsonDocuments(stdout: string): Json[] {
  const whole = tryJson(stdout);
  if (whole !== undefined) return [whole];
  const lines = stdout.split(/\r?\n/);
  const docs: Json[] = [];
  for (const line of lines) {
    let v = tryJson(line);
    if (v === undefined) {
      // Text before the JSON on the same line ("lbcli: {...}").
      const i = line.search(/[[{]/);
      if (i > 0) v = tryJson(line.slice(i));
    }
    if (v !== undefined && typeof v === 'object' && v !== null) docs.push(v);
  }
  if (docs.length > 0) return docs;
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.trimStart()[0];
    if (first !== '{' && first !== '[') continue;
    const v = tryJson(lines.slice(i).join('\n'));
    if (v !== undefined) return [v];
  }
  return [];
}

/** The result objects of one reply, following the wrappers lbcli uses (and the REST API's lbapi/itteration). */
function resultObjects(doc: Json, depth = 0): Record<string, unknown>[] {
  if (depth > 8 || doc === null || typeof doc !== 'object') return [];
  if (Array.isArray(doc)) return doc.flatMap((d) => resultObjects(d, depth + 1));
  if (typeof doc.status === 'string') return [doc];
  const out: Record<string, unknown>[] = [];
  for (const key of ['lbcli', 'lbapi', 'itteration', 'iteration', 'result', 'results']) {
    if (key in doc) out.push(...resultObjects(doc[key] as Json, depth + 1));
  }
  return out;
}

function normaliseStatus(s: unknown): LbcliStatus {
  if (typeof s !== 'string') return 'unknown';
  const t = s.trim().toLowerCase();
  return (KNOWN as readonly string[]).includes(t) ? (t as LbcliStatus) : 'unknown';
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    const parts = v.map(text).filter((x): x is string => x !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return undefined;
}

function messageOf(o: Record<string, unknown>): string | undefined {
  for (const k of ['message', 'error', 'msg', 'reason', 'description', 'detail', 'details', 'info', 'output']) {
    const t = text(o[k]);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** Plain-text "already there" replies of older builds: S2 looks for "  exists" (two leading spaces). */
function plainTextExists(stdout: string): boolean {
  return stdout.includes('  exists') || /\balready exists\b/i.test(stdout);
}

export function parseLbcliReply(stdout: string): LbcliReply {
  const docs = extractJsonDocuments(stdout);
  const results = docs.flatMap((d) => resultObjects(d));
  if (results.length === 0) {
    if (plainTextExists(stdout)) return { status: 'exists', message: stdout.trim(), raw: stdout.trim() };
    if (docs.length > 0) return { status: 'unknown', message: 'the reply has JSON but no "status" field', raw: docs.length === 1 ? docs[0] : docs };
    const t = stdout.trim();
    const reply: LbcliReply = { status: 'no-json', raw: t };
    if (t !== '') reply.message = t.length > 500 ? `${t.slice(0, 497)}...` : t;
    return reply;
  }
  let worst = results[0]!;
  let worstStatus = normaliseStatus(worst.status);
  for (const r of results.slice(1)) {
    const s = normaliseStatus(r.status);
    if (SEVERITY[s] > SEVERITY[worstStatus]) {
      worst = r;
      worstStatus = s;
    }
  }
  const reply: LbcliReply = { status: worstStatus, raw: docs.length === 1 ? docs[0] : docs };
  const m = messageOf(worst) ?? (worstStatus === 'unknown' ? `status "${String(worst.status)}"` : undefined);
  if (m !== undefined) reply.message = m;
  return reply;
}

/** True when a reply lets an idempotent apply go on. */
export function lbcliReplyOk(r: LbcliReply): boolean {
  return r.status === 'success' || r.status === 'exists';
}

/** parseDumpconfig could not find the configuration in the output. */
export class DumpconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpconfigError';
  }
}

/** An XML-to-JSON list: an array, one object, a label-keyed map, or empty ([] / "" / null). */
function asList(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.filter(isObj);
  if (!isObj(v)) return [];
  if ('label' in v || 'server' in v) return [v];
  const vals = Object.values(v);
  return vals.length > 0 && vals.every(isObj) ? (vals as Record<string, unknown>[]) : [];
}

/** A scalar as text; empty arrays, objects and null become undefined. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function findConfig(doc: Json, depth = 0): Record<string, unknown> | undefined {
  if (depth > 6 || doc === null || typeof doc !== 'object') return undefined;
  if (Array.isArray(doc)) {
    for (const d of doc) {
      const c = findConfig(d, depth + 1);
      if (c) return c;
    }
    return undefined;
  }
  if ('ldirectord' in doc || 'haproxy' in doc) return doc;
  for (const v of Object.values(doc)) {
    const c = findConfig(v, depth + 1);
    if (c) return c;
  }
  return undefined;
}

function reals(v: Record<string, unknown>): ExistingVip['reals'] {
  return asList(v.real).map((r) => {
    const out: ExistingVip['reals'][number] = { label: str(r.label) ?? '', ip: str(r.server) ?? '' };
    const port = str(r.port);
    if (port !== undefined) out.port = port;
    return out;
  });
}

/**
 * The VIPs and RIPs in `lbcli --action list --function dumpconfig` output (lbcli.md §3.3, field
 * names from S2 LBAPIConfig::convert: label, server, ports, forwardingmethod, real[label, server,
 * port]). Throws DumpconfigError when the output holds no configuration JSON at all; a configuration
 * without VIPs is an empty list.
 */
export function parseDumpconfig(stdout: string): ExistingVip[] {
  const docs = extractJsonDocuments(stdout);
  let config: Record<string, unknown> | undefined;
  for (const d of docs) {
    config = findConfig(d);
    if (config) break;
  }
  if (!config) {
    const reply = docs.length > 0 ? parseLbcliReply(stdout) : undefined;
    throw new DumpconfigError(
      reply && reply.status !== 'success' && reply.status !== 'unknown'
        ? `lbcli dumpconfig replied "${reply.status}"${reply.message ? `: ${reply.message}` : ''}. Check that lbcli works on the appliance ("lbcli --action list --function dumpconfig") and try again.`
        : 'The output of "lbcli --action list --function dumpconfig" holds no configuration (no "ldirectord" or "haproxy" section). Run it by hand on the appliance to see what it prints; an old appliance version may need an update.',
    );
  }
  const out: ExistingVip[] = [];
  const l4 = isObj(config.ldirectord) ? config.ldirectord : {};
  for (const v of asList(l4.virtual)) {
    const vip: ExistingVip = { label: str(v.label) ?? '', ip: str(v.server) ?? '', ports: str(v.ports) ?? '', layer: 4, reals: reals(v) };
    const fwd = str(v.forwardingmethod) ?? str(v.forwarding);
    if (fwd !== undefined) vip.forwarding = fwd;
    out.push(vip);
  }
  const l7 = isObj(config.haproxy) ? config.haproxy : {};
  for (const v of asList(l7.virtual)) {
    out.push({ label: str(v.label) ?? '', ip: str(v.server) ?? '', ports: str(v.ports) ?? '', layer: 7, reals: reals(v) });
  }
  return out;
}
