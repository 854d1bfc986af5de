/**
 * The verification report: every check with target, expectation, observation and evidence, and the
 * System Overview table in the guide's shape (seed 000 §12.2).
 */
import { z } from 'zod';

export const CheckStatusSchema = z.enum(['pass', 'fail', 'not-applicable']);

export const EvidenceSchema = z.object({ command: z.string(), output: z.string() });

export const VerifyCheckSchema = z.object({
  id: z.string(),
  category: z.enum(['tcp', 'smb', 'dns', 'balancer', 'persistence', 'healthcheck', 'drill']),
  target: z.string(),
  expectation: z.string(),
  observation: z.string(),
  status: CheckStatusSchema,
  /** Why a check is not applicable here (e.g. the DR data path in a lab without IPVS). */
  why: z.string().optional(),
  evidence: z.array(EvidenceSchema).default([]),
  durationMs: z.number().optional(),
});

export const RealServerStateSchema = z.enum(['up', 'down', 'drain', 'maint', 'unknown']);

export const OverviewRowSchema = z.object({
  label: z.string(),
  ip: z.string(),
  ports: z.string(),
  conns: z.number(),
  protocol: z.string(),
  method: z.enum(['Layer 4', 'Layer 7']),
  mode: z.enum(['DR', 'SNAT']),
  reals: z.array(
    z.object({
      label: z.string(),
      ip: z.string(),
      ports: z.string(),
      weight: z.number(),
      conns: z.number(),
      state: RealServerStateSchema,
      reason: z.string().optional(),
    }),
  ),
});

export const VerifyReportSchema = z.object({
  site: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  ok: z.boolean(),
  checks: z.array(VerifyCheckSchema),
  overview: z.array(OverviewRowSchema),
  shares: z.array(z.object({ via: z.string(), shares: z.array(z.string()) })),
});

export type VerifyCheck = z.infer<typeof VerifyCheckSchema>;
export type OverviewRow = z.infer<typeof OverviewRowSchema>;
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
