/**
 * Every call from a UI (Electron window, browser, CLI) to the core: input and output schemas.
 * The core parses every input on arrival and checks every output before it leaves
 * (electron/core/rpc/dispatch.ts); the three transports carry exactly these shapes.
 */
import { z } from 'zod';
import { JournalEventSchema } from '../journal/events.js';
import { PlanSchema } from '../plan/model.js';
import { VerifyReportSchema } from '../verify/report.js';
import type { SiteFacts } from '../model/facts.js';
import type { ChannelName } from './names.js';
import type { ScopeOnly } from './scope.js';

/** A site as entered (may be incomplete while the wizard is being filled in). Checked by the handler. */
export const SiteDataSchema = z.record(z.string(), z.unknown());

/** Client-chosen id of a long operation, used to cancel it and to tag its events. */
export const OpIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an operation id is 1-64 letters, digits, "_" or "-"');

/** A prompt id minted by the core (host key / credential). */
export const PromptIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

export const FindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  path: z.string(),
  message: z.string(),
  fix: z.string(),
  also: z.array(z.string()).optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});

export const ArtifactSchema = z.object({
  path: z.string(),
  content: z.string(),
  language: z.enum(['sh', 'haproxy', 'keepalived', 'powershell', 'markdown', 'tmsh', 'netscaler', 'json', 'python']),
  description: z.string(),
  target: z.string(),
});

/** Discovery facts (shared/model/facts.ts): the known top-level shape is checked, host details pass through. */
const HostFactsSchema = z.looseObject({ reachable: z.boolean(), error: z.string().optional() });
export const SiteFactsSchema = z.looseObject({
  servers: z.array(HostFactsSchema.extend({ label: z.string() })).optional(),
  balancer: z.array(HostFactsSchema.extend({ name: z.string(), address: z.string() })).optional(),
  collectedAt: z.string().optional(),
}) as unknown as z.ZodType<SiteFacts>;

export const ApplyResultSchema = z.object({
  ok: z.boolean(),
  runId: z.string(),
  hostStates: z.array(z.object({ host: z.string(), state: z.string(), ok: z.boolean() })),
  changed: z.boolean(),
});

const Availability = z.object({ available: z.boolean(), reason: z.string().optional() });

/** Absolute path of an SSH private key on the machine that runs the core (not a secret itself). */
const SshKeyPath = z.string().min(1).max(4096).optional();

/**
 * What PrintHA does on this site: absent = balancer and print servers; `balancer` = the balancer only
 * (the Windows side is done by hand or with the offline script pack); `servers` = the print servers only.
 * The same choice as the CLI's `--only balancer|servers`.
 */
export const ScopeOnlySchema = z.enum(['balancer', 'servers']) satisfies z.ZodType<ScopeOnly>;

const engineInput = { site: SiteDataSchema, opId: OpIdSchema, sshKeyPath: SshKeyPath };
const scoped = { ...engineInput, only: ScopeOnlySchema.optional() };
const empty = z.strictObject({});

export const CHANNELS = {
  /** Example site files shipped with PrintHA (the guide's DR and SNAT examples, a Paragon site). */
  'site.examples': {
    input: empty,
    output: z.object({ examples: z.array(z.object({ id: z.string(), title: z.string(), text: z.string() })) }),
  },
  /** YAML text -> the site as entered (for the wizard) and findings (syntax/schema errors with lines). */
  'site.load': {
    input: z.strictObject({ text: z.string().max(1_000_000) }),
    output: z.object({ ok: z.boolean(), site: SiteDataSchema.optional(), findings: z.array(FindingSchema) }),
  },
  /** The site as entered -> YAML text (an incomplete site can be saved and reopened). */
  'site.save': {
    input: z.strictObject({ site: SiteDataSchema }),
    output: z.object({ text: z.string(), filename: z.string() }),
  },
  /** Same rules as `printha validate` (validateSiteData); facts after discovery add the host rules. */
  'site.validate': {
    input: z.strictObject({ site: SiteDataSchema, facts: SiteFactsSchema.optional() }),
    output: z.object({ ok: z.boolean(), findings: z.array(FindingSchema) }),
  },
  /** Generated files (like `printha render`); refuses a site with errors. */
  'site.render': {
    input: z.strictObject({ site: SiteDataSchema }),
    output: z.object({ artifacts: z.array(ArtifactSchema) }),
  },
  /** Which engine steps this build has (the wizard shows "not available in this build" otherwise). */
  'engine.status': {
    input: empty,
    output: z.object({
      discover: Availability,
      plan: Availability,
      apply: Availability,
      verify: Availability,
      serverState: Availability,
    }),
  },
  'engine.discover': {
    input: z.strictObject(scoped),
    output: z.object({ facts: SiteFactsSchema, findings: z.array(FindingSchema) }),
  },
  'engine.plan': {
    input: z.strictObject(scoped),
    output: z.object({ plan: PlanSchema }),
  },
  /** Changes hosts. `confirmed` must be true: the engineer confirmed the plan. */
  'engine.apply': {
    input: z.strictObject({
      ...scoped,
      confirmed: z.literal(true),
      resume: z.boolean().optional(),
    }),
    output: ApplyResultSchema,
  },
  'engine.verify': {
    input: z.strictObject({ ...scoped, drill: z.boolean().optional() }),
    output: z.object({ report: VerifyReportSchema }),
  },
  /** Drain / halt / bring online one real server of one VIP (the guide's System Overview actions). */
  'engine.serverState': {
    input: z.strictObject({
      ...engineInput,
      vip: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
      server: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
      action: z.enum(['drain', 'halt', 'online']),
    }),
    output: z.object({ ok: z.boolean(), message: z.string() }),
  },
  /** Cancels a running operation of this session. */
  'engine.cancel': {
    input: z.strictObject({ opId: OpIdSchema }),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** The runbook document (secrets redacted) as text to save. */
  'runbook.export': {
    input: z.strictObject({
      site: SiteDataSchema,
      format: z.enum(['md', 'html']),
      plan: PlanSchema.optional(),
      journal: z.array(JournalEventSchema).max(100_000).optional(),
      report: VerifyReportSchema.optional(),
      /** The scope the runs were made in: the runbook says which hosts were left out and why. */
      only: ScopeOnlySchema.optional(),
    }),
    output: z.object({ filename: z.string(), mime: z.string(), text: z.string() }),
  },
  /** The engineer's answer to a `hostKey.confirm` event. ok=false: the prompt had expired or was unknown. */
  'hostKey.decide': {
    input: z.strictObject({ id: PromptIdSchema, accept: z.boolean() }),
    output: z.object({ ok: z.boolean() }),
  },
  /**
   * The engineer's answer to a `credential.request` event. `secret: null` = cancel.
   * The secret is never echoed back: not in the output, not in events, not in logs or errors.
   */
  'credential.provide': {
    input: z.strictObject({ id: PromptIdSchema, secret: z.string().max(4096).nullable(), remember: z.boolean().default(false) }),
    output: z.object({ ok: z.boolean(), stored: z.boolean(), note: z.string().optional() }),
  },
  /** Whether credentials can be remembered on this computer (encrypted), and why not. */
  'vault.status': {
    input: empty,
    output: z.object({ canStore: z.boolean(), reason: z.string().optional() }),
  },
} as const satisfies Record<ChannelName, { input: z.ZodType; output: z.ZodType }>;

/** Channel input fields that hold secrets: redacted from every log line and error message. */
export const SECRET_FIELDS: Partial<Record<ChannelName, readonly string[]>> = {
  'credential.provide': ['secret'],
};

export type Channels = typeof CHANNELS;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelInputParsed<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;
