/**
 * StepRecorder: runs one named step on one host, and records it — step-start, step-end with the
 * result, the command (redacted), the output, before/after values and the duration — in the
 * journal and to the live event stream. With `resume`, a step already completed in an earlier run
 * of the same journal is re-checked by the driver (it calls `done()` first) and skipped.
 */
import type { JournalEvent, StepResult } from '../../../shared/journal/events.js';
import type { JournalWriter } from './journal.js';

export interface StepOutcome {
  result: StepResult;
  output?: string;
  message?: string;
  before?: unknown;
  after?: unknown;
  command?: string;
}

export interface StepSpec {
  host: string;
  step: string;
  title: string;
  command?: string;
}

export class StepFailed extends Error {
  constructor(
    readonly spec: StepSpec,
    message: string,
    readonly outcome?: StepOutcome,
  ) {
    super(message);
  }
}

export class StepRecorder {
  constructor(
    private readonly journal: JournalWriter | undefined,
    private readonly onEvent: (e: JournalEvent) => void,
    private readonly completed: ReadonlySet<string> = new Set(),
  ) {}

  private emit(e: Omit<JournalEvent, 't' | 'run'>): void {
    const ev = this.journal ? this.journal.write(e) : ({ t: new Date().toISOString(), run: 'memory', ...e } as JournalEvent);
    this.onEvent(ev);
  }

  note(message: string, host?: string): void {
    this.emit({ kind: 'note', message, ...(host ? { host } : {}) });
  }

  /** A progress line of a running step (the Apply screen appends it under the step). */
  output(host: string, step: string, text: string): void {
    this.emit({ kind: 'output', host, step, output: text });
  }

  /** True when an earlier run of this journal completed the step (for --resume). */
  wasCompleted(host: string, step: string): boolean {
    return this.completed.has(`${host}\u0000${step}`);
  }

  /**
   * Runs fn as a step. fn returns the outcome; a thrown error is recorded as `failed` with its
   * message and re-thrown as StepFailed (so callers can roll back and report host + step + reason).
   */
  async run(spec: StepSpec, fn: () => Promise<StepOutcome>): Promise<StepOutcome> {
    const t0 = performance.now();
    this.emit({ kind: 'step-start', host: spec.host, step: spec.step, title: spec.title, ...(spec.command ? { command: spec.command } : {}) });
    let outcome: StepOutcome;
    try {
      outcome = await fn();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const failed: StepOutcome = { result: 'failed', message };
      this.end(spec, failed, t0);
      throw e instanceof StepFailed ? e : new StepFailed(spec, message, failed);
    }
    this.end(spec, outcome, t0);
    if (outcome.result === 'failed') throw new StepFailed(spec, outcome.message ?? `${spec.title} failed`, outcome);
    return outcome;
  }

  private end(spec: StepSpec, o: StepOutcome, t0: number): void {
    this.emit({
      kind: 'step-end',
      host: spec.host,
      step: spec.step,
      title: spec.title,
      result: o.result,
      durationMs: Math.round(performance.now() - t0),
      ...(o.command ?? spec.command ? { command: o.command ?? spec.command } : {}),
      ...(o.output !== undefined ? { output: o.output } : {}),
      ...(o.message ? { message: o.message } : {}),
      ...(o.before !== undefined ? { before: o.before } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}),
    });
  }
}
