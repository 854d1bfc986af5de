/**
 * The plan: per host, the ordered steps and what will change (file diffs, value before/after).
 * Produced by the engines from (site, facts); shown by the CLI `plan`, the wizard's Plan step and the
 * runbook. zod-first so the contract validates it on every transport.
 */
import { z } from 'zod';

export const PlanStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(['backup', 'upload', 'validate', 'swap', 'reload', 'exec', 'lbcli', 'powershell', 'reboot', 'wait', 'verify', 'manual']),
  /** The command as shown to the engineer (secrets redacted). */
  command: z.string().optional(),
  /** False when the step only checks (nothing on the host changes). */
  changes: z.boolean(),
  /** Emulated behaviour or caveat the engineer must know about. */
  note: z.string().optional(),
});

export const FileDiffSchema = z.object({
  path: z.string(),
  before: z.string().nullable(),
  after: z.string(),
  /** Unified diff text; empty when identical. */
  unified: z.string(),
});

export const ValueChangeSchema = z.object({
  name: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export const HostPlanSchema = z.object({
  host: z.string(),
  role: z.enum(['balancer', 'server', 'dns']),
  address: z.string(),
  steps: z.array(PlanStepSchema),
  diffs: z.array(FileDiffSchema),
  changes: z.array(ValueChangeSchema),
  /** True when applying would change nothing on this host. */
  upToDate: z.boolean(),
  notes: z.array(z.string()),
  /** Discovery failed: the plan for this host is what the generator wants, without a diff. */
  unreachable: z.string().optional(),
});

export const PlanSchema = z.object({
  site: z.string(),
  createdAt: z.string(),
  /** Host names in the order apply visits them (HA secondary before primary; rolling reboots one at a time). */
  order: z.array(z.string()),
  hosts: z.array(HostPlanSchema),
  upToDate: z.boolean(),
  notes: z.array(z.string()),
});

export type PlanStep = z.infer<typeof PlanStepSchema>;
export type FileDiff = z.infer<typeof FileDiffSchema>;
export type ValueChange = z.infer<typeof ValueChangeSchema>;
export type HostPlan = z.infer<typeof HostPlanSchema>;
export type Plan = z.infer<typeof PlanSchema>;
