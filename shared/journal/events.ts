/**
 * The run journal: one JSON object per line, appended and fsynced per step by electron/core.
 * Every discover/plan/apply/verify run writes it; the Apply screen shows it live; the runbook
 * reads it; `apply --resume` continues from the first step not completed.
 */
import { z } from 'zod';

export const StepResultSchema = z.enum(['ok', 'changed', 'unchanged', 'failed', 'skipped', 'rolled-back', 'not-applicable']);

export const JournalEventSchema = z.object({
  t: z.string(),
  run: z.string(),
  kind: z.enum(['run-start', 'step-start', 'step-end', 'output', 'note', 'run-end']),
  verb: z.enum(['discover', 'plan', 'apply', 'verify', 'import']).optional(),
  host: z.string().optional(),
  step: z.string().optional(),
  title: z.string().optional(),
  command: z.string().optional(),
  output: z.string().optional(),
  /** Long output is kept next to the journal; this names the file. */
  attachment: z.string().optional(),
  result: StepResultSchema.optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  message: z.string().optional(),
  durationMs: z.number().optional(),
});

export type StepResult = z.infer<typeof StepResultSchema>;
export type JournalEvent = z.infer<typeof JournalEventSchema>;
