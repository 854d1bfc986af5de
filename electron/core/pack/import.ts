/**
 * `printha import <site> <results>`: brings the results of the pack's scripts, run by hand, back
 * into the site's journal (one `import` run: a step-end per prepare/dns step with before/after, a
 * step-end per verify check) and the verify results into the site's facts, so the runbook is
 * complete. All files are validated first; nothing is written when one is bad. A result already
 * imported (same host, step and output) is skipped, so importing twice changes nothing.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { JournalEvent } from '../../../shared/journal/events.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { ResultFileError, importEvents, mergeVerifyFacts, parseResultFile, type ImportedResult } from '../../../shared/pack/results.js';
import type { Site } from '../../../shared/site/schema.js';
import { JournalWriter, newRunId, readJournal } from '../runner/journal.js';
import { SecretSet } from '../runner/redact.js';
import { journalPath, loadLatest, saveLatest } from '../runner/state.js';
import { readRegularFileSync, SafeFsError } from '../safe-fs.js';
import { UNZIP_LIMITS, unzipFiles } from './zip.js';

/** A result file is a few KB of JSON; a results zip a few MB at most. */
export const RESULT_FILE_MAX_BYTES = 16 * 1024 * 1024;
export const RESULT_ZIP_MAX_BYTES = 64 * 1024 * 1024;

function readResult(path: string, max: number, what: string): Buffer {
  try {
    return readRegularFileSync(path, max, what);
  } catch (e) {
    if (e instanceof SafeFsError) throw new ImportError(e.message);
    throw e;
  }
}

export interface ResultSource {
  /** Name shown to the engineer (relative to the folder, or the zip entry). */
  file: string;
  text: string;
}

export class ImportError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
  }
}

function walk(dir: string, root: string, out: ResultSource[], depth = 0): void {
  if (depth > 16) throw new ImportError(`"${dir}" is nested more than 16 folders deep; give the results folder the scripts wrote into.`);
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    // lstat: a symbolic link (possibly a loop) or a FIFO is never followed or opened.
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, root, out, depth + 1);
    else if (/\.json$/i.test(name) && name !== 'manifest.json') {
      if (!st.isFile()) throw new ImportError(`"${p}" is not a regular file (a link, a named pipe or a device); remove it from the results folder.`);
      out.push({ file: relative(root, p) || name, text: readResult(p, RESULT_FILE_MAX_BYTES, 'result file').toString('utf8') });
    }
  }
}

/** Every *.json result in a folder (and its subfolders), or under results/ in a pack zip. */
export function readResultSources(source: string): ResultSource[] {
  if (!existsSync(source)) throw new ImportError(`"${source}" does not exist: give the results folder (or the pack zip) the scripts wrote into.`);
  const st = statSync(source);
  const out: ResultSource[] = [];
  if (st.isDirectory()) walk(source, source, out);
  else if (/\.zip$/i.test(source)) {
    let entries;
    try {
      entries = unzipFiles(readResult(source, RESULT_ZIP_MAX_BYTES, 'results zip'), UNZIP_LIMITS);
    } catch (e) {
      if (e instanceof ImportError) throw e;
      throw new ImportError(`"${source}" is not a readable zip: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    }
    for (const e of entries)
      if (!e.isDirectory && /(^|\/)results\/.+\.json$/i.test(e.path)) out.push({ file: e.path, text: e.data.toString('utf8') });
  } else if (/\.json$/i.test(source)) out.push({ file: basename(source), text: readResult(source, RESULT_FILE_MAX_BYTES, 'result file').toString('utf8') });
  else throw new ImportError(`"${source}" is neither a folder, a .json result nor a .zip pack.`);
  if (out.length === 0) throw new ImportError(`No result files (*.json) in "${source}": run the pack's scripts with printha-run.ps1 first (see the pack's README.md).`);
  return out;
}

export interface ImportSummary {
  runId: string;
  imported: { file: string; kind: ImportedResult['kind']; host: string }[];
  skipped: { file: string; why: string }[];
  events: number;
  factsUpdated: boolean;
}

export interface ImportOptions {
  env?: NodeJS.ProcessEnv;
  now?: string;
}

export function importResults(site: Site, stateDir: string, source: string, opts: ImportOptions = {}): ImportSummary {
  const r = resolveSite(site);
  const now = opts.now ?? new Date().toISOString();
  const secrets = new SecretSet().addFromEnv(opts.env ?? process.env);
  const redact = secrets.redactor();
  const sources = readResultSources(source);
  const parsed: ImportedResult[] = [];
  const problems: string[] = [];
  for (const s of sources) {
    try {
      parsed.push(parseResultFile(r, s.file, s.text));
    } catch (e) {
      problems.push(redact(e instanceof ResultFileError ? e.message : `${s.file}: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  if (problems.length) throw new ImportError('Nothing was imported: fix or remove these result files first.', problems);

  // Already imported: the journal holds a summary step with the same host, step and output.
  const jp = journalPath(stateDir);
  const seen = new Set(readJournal(jp).filter((e) => e.kind === 'step-end' && e.output !== undefined).map((e) => `${e.host ?? ''}\u0000${e.step ?? ''}\u0000${e.output}`));
  const fresh: ImportedResult[] = [];
  const skipped: ImportSummary['skipped'] = [];
  for (const x of parsed) {
    const summary = importEvents([x], now).at(-1)!;
    if (seen.has(`${summary.host ?? ''}\u0000${summary.step ?? ''}\u0000${redact(summary.output ?? '')}`)) skipped.push({ file: x.file, why: 'already imported' });
    else fresh.push(x);
  }
  const runId = newRunId();
  const summary: ImportSummary = {
    runId,
    imported: fresh.map((x) => ({ file: x.file, kind: x.kind, host: x.kind === 'dns' ? 'dns' : x.label })),
    skipped,
    events: 0,
    factsUpdated: false,
  };
  if (fresh.length === 0) return summary;

  const events = importEvents(fresh, now);
  const j = new JournalWriter(jp, runId, redact);
  try {
    j.write({ kind: 'run-start', verb: 'import', t: now, message: `Importing ${fresh.length} result file(s) of scripts run by hand from ${basename(source)}` });
    for (const e of events) j.write(e as Omit<JournalEvent, 'run'>);
    const failed = events.some((e) => e.kind === 'step-end' && e.result === 'failed');
    j.write({ kind: 'run-end', verb: 'import', result: failed ? 'failed' : 'ok', message: `${fresh.length} result file(s), ${events.length} step(s) imported${failed ? '; some steps FAILED on the hosts' : ''}` });
  } finally {
    j.close();
  }
  summary.events = events.length;
  const merged = mergeVerifyFacts(loadLatest(stateDir, 'facts')?.value, fresh, now);
  if (merged && fresh.some((x) => x.kind === 'verify')) {
    saveLatest(stateDir, 'facts', merged, redact);
    summary.factsUpdated = true;
  }
  return summary;
}
