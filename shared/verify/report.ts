/**
 * The verification report: every check with target, expectation, observation and evidence, and the
 * System Overview table in the guide's shape (seed 000 §12.2).
 */
import { z } from 'zod';

export const CheckStatusSchema = z.enum(['pass', 'fail', 'not-applicable']);

export const EvidenceSchema = z.object({ command: z.string(), output: z.string() });

export const VerifyCheckSchema = z.object({
  id: z.string(),
  category: z.enum(['tcp', 'smb', 'dns', 'balancer', 'persistence', 'healthcheck', 'drill', 'windows']),
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

/** One TCP connect of the sweep (electron/core/probes/tcp.ts). */
export const PortProbeSchema = z.object({
  /** 'direct' = to a real server, 'vip' = through the balancer's virtual IP. */
  via: z.enum(['direct', 'vip']),
  /** Server label, or the VIP label for 'vip'. */
  target: z.string(),
  host: z.string(),
  port: z.number(),
  open: z.boolean(),
  ms: z.number(),
  /** ECONNREFUSED, ETIMEDOUT, ... when not open. */
  error: z.string().optional(),
});

/** The System Overview as one balancer node sees it (both nodes of a pair run their own checks). */
export const BalancerViewSchema = z.object({
  node: z.string(),
  address: z.string(),
  /** The node holds the VIP (the active node); the report's `overview` is this node's view. */
  holdsVip: z.boolean().optional(),
  /** Where the view came from: "show stat", "lbcli list", "ipvsadm -Ln". */
  source: z.string(),
  rows: z.array(OverviewRowSchema),
  /** Why the node's view could not be read (SSH, socket, tool missing). */
  error: z.string().optional(),
});

export const VerifyReportSchema = z.object({
  site: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  ok: z.boolean(),
  checks: z.array(VerifyCheckSchema),
  overview: z.array(OverviewRowSchema),
  shares: z.array(z.object({ via: z.string(), shares: z.array(z.string()) })),
  /** Every TCP connect of the sweep (additive; absent in reports from older versions). */
  ports: z.array(PortProbeSchema).optional(),
  /** The balancer's own view per node (additive). */
  views: z.array(BalancerViewSchema).optional(),
});

export type VerifyCheck = z.infer<typeof VerifyCheckSchema>;
export type OverviewRow = z.infer<typeof OverviewRowSchema>;
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
export type PortProbe = z.infer<typeof PortProbeSchema>;
export type BalancerView = z.infer<typeof BalancerViewSchema>;
export type RealServerState = z.infer<typeof RealServerStateSchema>;
export type CheckStatus = z.infer<typeof CheckStatusSchema>;
