/**
 * Parsers for the ONE JSON object prepare.ps1 / verify.ps1 / dns/record.ps1 print.
 *
 * Windows PowerShell 3.0-5.1 quirks are accepted on the way in: a one-element array may arrive as the
 * element itself, an empty one as null, and a PSObject-wrapped array as {"value":[...],"Count":n}.
 */
import { jsonBeyondLimits } from '../../limits/json.js';
import { z } from 'zod';
import type { NicFacts, ServerFacts } from '../../model/facts.js';

/** An array as PowerShell may serialise it: [..], a single item, null, or {value:[..],Count:n}. */
function psArray<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v;
    if (typeof v === 'object' && v !== null && 'value' in v && Array.isArray((v as { value: unknown }).value)) return (v as { value: unknown[] }).value;
    return [v];
  }, z.array(item));
}

const optStr = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? undefined);
const optBool = z
  .boolean()
  .nullable()
  .optional()
  .transform((v) => v ?? undefined);
const optInt = z
  .number()
  .int()
  .nullable()
  .optional()
  .transform((v) => v ?? undefined);

export const STEP_STATUSES = ['changed', 'unchanged', 'failed', 'skipped', 'would-change'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const StepRecordSchema = z.object({
  step: z.string().min(1),
  status: z.enum(STEP_STATUSES),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  message: z
    .string()
    .nullable()
    .optional()
    .transform((v) => v ?? ''),
});
export type StepRecord = z.output<typeof StepRecordSchema>;

export const PrepareResultSchema = z.object({
  kind: z.literal('printha.prepare'),
  version: z.literal(1),
  server: z.string().nullable(),
  computerName: optStr,
  mode: z.enum(['dr', 'snat']).nullable(),
  dryRun: z.boolean(),
  steps: psArray(StepRecordSchema),
  changed: z.boolean(),
  rebootRequired: z.boolean(),
  errors: psArray(z.string()),
});
export type PrepareResult = z.output<typeof PrepareResultSchema>;

export const VerifyCheckSchema = z.object({
  id: z.string().min(1),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  ok: z.boolean(),
  message: z
    .string()
    .nullable()
    .optional()
    .transform((v) => v ?? ''),
});
export type VerifyCheck = z.output<typeof VerifyCheckSchema>;

const NicSchema = z.object({
  alias: z.string(),
  index: z.number().int(),
  description: optStr,
  addresses: psArray(z.string()),
  netbiosOptions: optInt,
  weakHostReceive: optBool,
  weakHostSend: optBool,
  isLoopback: optBool,
  dadTransmits: optInt,
  ipEnabled: optBool,
});

const RegistrySchema = z.object({
  disableLoopbackCheck: z.number().int().nullable(),
  disableStrictNameChecking: z.number().int().nullable(),
  optionalNames: z.preprocess((v) => (v === null || v === undefined ? null : Array.isArray(v) ? v : typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : [v]), z.array(z.string()).nullable()),
});

export const VerifyResultSchema = z.object({
  kind: z.literal('printha.verify'),
  version: z.literal(1),
  label: z.string().nullable(),
  reachable: z.boolean(),
  computerName: optStr,
  domainMember: optBool,
  domain: optStr,
  printServerRole: optBool,
  printServerRoleSource: optStr,
  printerShares: psArray(z.string()).optional(),
  productServices: psArray(z.object({ name: z.string(), displayName: optStr, status: z.string() })).optional(),
  nics: psArray(NicSchema).optional(),
  registry: RegistrySchema.nullable().optional(),
  loopbackAdapter: z.object({ alias: z.string(), addresses: psArray(z.string()) }).nullable().optional(),
  pendingReboot: optBool,
  pendingRebootReasons: psArray(z.string()).optional(),
  psVersion: optStr,
  lastBootTime: optStr,
  checks: psArray(VerifyCheckSchema),
  errors: psArray(z.string()),
});
export type VerifyResult = z.output<typeof VerifyResultSchema>;

export interface VerifyReport {
  facts: ServerFacts;
  checks: VerifyCheck[];
  /** Facts that could not be collected, "<fact>: <message>". */
  errors: string[];
  printServerRoleSource?: string;
  pendingRebootReasons?: string[];
}

export const DnsResultSchema = z.object({
  kind: z.literal('printha.dns'),
  version: z.literal(1),
  manual: z.boolean(),
  zone: z.string().nullable(),
  name: z.string().nullable(),
  recordType: z.enum(['A', 'AAAA']).nullable(),
  vip: z.string().nullable(),
  dnsServer: z.string().nullable(),
  dryRun: z.boolean(),
  steps: psArray(StepRecordSchema),
  changed: z.boolean(),
  errors: psArray(z.string()),
  message: optStr,
});
export type DnsResult = z.output<typeof DnsResultSchema>;

/** Accepts the parsed object or the raw stdout text (the last line that starts with "{"). */
function toJson(input: unknown, script: string): unknown {
  if (typeof input !== 'string') {
    const beyond = jsonBeyondLimits(input);
    if (beyond) throw new Error(`${script} answered with an object that ${beyond}; PrintHA's script does not: run it by hand to see what answered`);
    return input;
  }
  const lines = input.split(/\r?\n/).map((l) => l.trim());
  const last = [...lines].reverse().find((l) => l.startsWith('{'));
  if (last === undefined) throw new Error(`${script} printed no JSON object; run it by hand to see its output`);
  let v: unknown;
  try {
    v = JSON.parse(last) as unknown;
  } catch {
    throw new Error(`${script} printed a line that is not valid JSON; run it by hand to see its output`);
  }
  const beyond = jsonBeyondLimits(v);
  if (beyond) throw new Error(`${script} printed a JSON object that ${beyond}; PrintHA's script does not: run it by hand to see what answered`);
  return v;
}

function parseWith<T extends z.ZodType>(schema: T, input: unknown, script: string): z.output<T> {
  const r = schema.safeParse(toJson(input, script));
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${script} returned an unexpected result (${first.join('; ')}); was it generated by this PrintHA version?`);
  }
  return r.data;
}

export function parsePrepareResult(json: unknown): PrepareResult {
  return parseWith(PrepareResultSchema, json, 'prepare.ps1');
}

export function parseDnsResult(json: unknown): DnsResult {
  return parseWith(DnsResultSchema, json, 'dns/record.ps1');
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The verify.ps1 JSON as facts + checks. */
export function parseVerifyReport(json: unknown): VerifyReport {
  const v = parseWith(VerifyResultSchema, json, 'verify.ps1');
  const facts: ServerFacts = defined({
    label: v.label ?? '',
    reachable: v.reachable,
    error: v.errors.length > 0 ? `some facts could not be collected: ${v.errors.join('; ')}` : undefined,
    computerName: v.computerName,
    domainMember: v.domainMember,
    domain: v.domain,
    printServerRole: v.printServerRole,
    printerShares: v.printerShares,
    productServices: v.productServices?.map((s) => ({ name: s.name, status: s.status })),
    nics: v.nics?.map(
      (n): NicFacts =>
        defined({
          alias: n.alias,
          index: n.index,
          description: n.description,
          addresses: n.addresses,
          netbiosOptions: n.netbiosOptions,
          weakHostReceive: n.weakHostReceive,
          weakHostSend: n.weakHostSend,
          isLoopback: n.isLoopback,
        }),
    ),
    registry: v.registry === undefined ? undefined : v.registry === null ? undefined : { ...v.registry },
    loopbackAdapter: v.loopbackAdapter === undefined ? undefined : v.loopbackAdapter === null ? null : { alias: v.loopbackAdapter.alias, addresses: v.loopbackAdapter.addresses },
    pendingReboot: v.pendingReboot,
    psVersion: v.psVersion,
    lastBootTime: v.lastBootTime,
  });
  const report: VerifyReport = { facts, checks: v.checks, errors: v.errors };
  if (v.printServerRoleSource !== undefined) report.printServerRoleSource = v.printServerRoleSource;
  if (v.pendingRebootReasons !== undefined) report.pendingRebootReasons = v.pendingRebootReasons;
  return report;
}

/** The verify.ps1 JSON as ServerFacts (shared/model/facts.ts). */
export function parseVerifyResult(json: unknown): ServerFacts {
  return parseVerifyReport(json).facts;
}
