/**
 * The run journal writer: JSON Lines, appended and fsynced per event so a crash or a kill loses at
 * most the event being written. Every event passes the redactor first. Long output goes to an
 * attachment file next to the journal.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JournalEventSchema, type JournalEvent } from '../../../shared/journal/events.js';
import type { Redactor } from './redact.js';

const MAX_INLINE_OUTPUT = 8 * 1024;

export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

export class JournalWriter {
  private fd: number;
  private seq = 0;
  readonly attachmentsDir: string;

  constructor(
    readonly path: string,
    readonly run: string,
    private readonly redact: Redactor,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'a', 0o600);
    this.attachmentsDir = join(dirname(path), 'attachments');
  }

  /** Appends one event (redacted), fsynced before returning. */
  write(e: Omit<JournalEvent, 't' | 'run'> & { t?: string }): JournalEvent {
    const ev: JournalEvent = { t: e.t ?? new Date().toISOString(), run: this.run, ...e } as JournalEvent;
    if (ev.command) ev.command = this.redact(ev.command);
    if (ev.message) ev.message = this.redact(ev.message);
    if (ev.output !== undefined) {
      ev.output = this.redact(ev.output);
      if (ev.output.length > MAX_INLINE_OUTPUT) {
        mkdirSync(this.attachmentsDir, { recursive: true, mode: 0o700 });
        const name = `${this.run}-${++this.seq}.txt`;
        writeFileSync(join(this.attachmentsDir, name), ev.output, { mode: 0o600 });
        ev.attachment = `attachments/${name}`;
        ev.output = ev.output.slice(0, MAX_INLINE_OUTPUT) + `\n… (${ev.output.length} characters; full output in ${ev.attachment})`;
      }
    }
    if (ev.before !== undefined) ev.before = JSON.parse(this.redact(JSON.stringify(ev.before))) as unknown;
    if (ev.after !== undefined) ev.after = JSON.parse(this.redact(JSON.stringify(ev.after))) as unknown;
    writeSync(this.fd, JSON.stringify(JournalEventSchema.parse(ev)) + '\n');
    fsyncSync(this.fd);
    return ev;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a journal, skipping a torn last line (a crash in the middle of a write). */
export function readJournal(path: string): JournalEvent[] {
  if (!existsSync(path)) return [];
  const out: JournalEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JournalEventSchema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      /* torn line */
    }
  }
  return out;
}

/** Steps completed (step-end ok/changed/unchanged) in runs of this journal, by host+step. */
export function completedSteps(events: readonly JournalEvent[]): Set<string> {
  const done = new Set<string>();
  for (const e of events) if (e.kind === 'step-end' && e.host && e.step && (e.result === 'ok' || e.result === 'changed' || e.result === 'unchanged')) done.add(`${e.host}\u0000${e.step}`);
  return done;
}
