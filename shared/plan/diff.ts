/**
 * A small, pure line diff (Myers' O(ND) algorithm) and its unified-diff text, for the plan view:
 * `unifiedDiff(path, before, after)` prints what `diff -u` prints for the same two texts (3 lines of
 * context, hunks merged when their context overlaps, `\ No newline at end of file` markers), with
 * `a/` and `b/` path prefixes and `/dev/null` for a file that does not exist yet.
 */

export type DiffOp = { op: 'equal' | 'delete' | 'insert'; line: string };

export interface DiffLines {
  lines: string[];
  /** false when the text does not end with a newline (its last line is "incomplete"). */
  finalNewline: boolean;
}

/** Splits text into lines ("a\nb\n" -> ["a","b"]); an empty text has no lines. */
export function splitLines(text: string): DiffLines {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const body = finalNewline ? text.slice(0, -1) : text;
  return { lines: body.split('\n'), finalNewline };
}

/**
 * The shortest edit script from a to b (Myers 1986, greedy forward search with the trace kept for
 * the backtrack). Equal lines are compared with ===. Deletions come before insertions in a change.
 */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  // Common prefix and suffix first: cheap, and the usual case for configuration files.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const mid = myers(A, B);
  const out: DiffOp[] = [];
  for (let i = 0; i < pre; i++) out.push({ op: 'equal', line: a[i]! });
  out.push(...mid);
  for (let i = a.length - suf; i < a.length; i++) out.push({ op: 'equal', line: a[i]! });
  return out;
}

function myers(a: readonly string[], b: readonly string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ op: 'insert' as const, line }));
  if (m === 0) return a.map((line) => ({ op: 'delete' as const, line }));
  const max = n + m;
  const offset = max;
  let v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  // Backtrack through the trace (trace[d] is V before step d).
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    let prevK: number;
    if (d === 0) prevK = 0;
    else if (k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!)) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ op: 'equal', line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ op: 'insert', line: b[y - 1]! });
      else ops.push({ op: 'delete', line: a[x - 1]! });
      x = prevX;
      y = prevY;
    }
  }
  ops.reverse();
  return normaliseChanges(ops);
}

/** Within each run of changes, deletions first, then insertions (the order `diff -u` prints). */
function normaliseChanges(ops: DiffOp[]): DiffOp[] {
  const out: DiffOp[] = [];
  let dels: DiffOp[] = [];
  let ins: DiffOp[] = [];
  const flush = (): void => {
    out.push(...dels, ...ins);
    dels = [];
    ins = [];
  };
  for (const o of ops) {
    if (o.op === 'equal') {
      flush();
      out.push(o);
    } else if (o.op === 'delete') dels.push(o);
    else ins.push(o);
  }
  flush();
  return out;
}

interface Hunk {
  aStart: number;
  aLen: number;
  bStart: number;
  bLen: number;
  lines: string[];
}

function range(start: number, len: number): string {
  // diff -u: an empty range is "start,0" with start = the line before; a single line is just "start".
  if (len === 0) return `${start},0`;
  if (len === 1) return `${start}`;
  return `${start},${len}`;
}

/**
 * The unified diff of before -> after for `path` ('' when the texts are equal). `before === null`
 * means the file does not exist yet (--- /dev/null).
 */
export function unifiedDiff(path: string, before: string | null, after: string, context = 3): string {
  if (before !== null && before === after) return '';
  const A = splitLines(before ?? '');
  const B = splitLines(after);
  // Treat a missing final newline as part of the last line, so a change of only that shows up.
  const aKey = A.lines.map((l, i) => (i === A.lines.length - 1 && !A.finalNewline ? `${l}\u0000` : l));
  const bKey = B.lines.map((l, i) => (i === B.lines.length - 1 && !B.finalNewline ? `${l}\u0000` : l));
  const ops = diffLines(aKey, bKey);
  const hunks: Hunk[] = [];
  // Index each op with its line numbers in a and b.
  type Pos = { o: DiffOp; ai: number; bi: number };
  const pos: Pos[] = [];
  let ai = 0;
  let bi = 0;
  for (const o of ops) {
    pos.push({ o, ai, bi });
    if (o.op !== 'insert') ai++;
    if (o.op !== 'delete') bi++;
  }
  const changeIdx = pos.map((p, i) => (p.o.op === 'equal' ? -1 : i)).filter((i) => i >= 0);
  if (changeIdx.length === 0 && before !== null) return '';
  let i = 0;
  while (i < changeIdx.length) {
    const first = changeIdx[i]!;
    let last = first;
    let j = i + 1;
    while (j < changeIdx.length && changeIdx[j]! - last <= 2 * context + 1) {
      last = changeIdx[j]!;
      j++;
    }
    const from = Math.max(0, first - context);
    const to = Math.min(pos.length - 1, last + context);
    const lines: string[] = [];
    let aLen = 0;
    let bLen = 0;
    for (let p = from; p <= to; p++) {
      const { o } = pos[p]!;
      const incomplete = o.line.endsWith('\u0000');
      const text = incomplete ? o.line.slice(0, -1) : o.line;
      const sign = o.op === 'equal' ? ' ' : o.op === 'delete' ? '-' : '+';
      lines.push(`${sign}${text}`);
      if (incomplete) lines.push('\\ No newline at end of file');
      if (o.op !== 'insert') aLen++;
      if (o.op !== 'delete') bLen++;
    }
    const start = pos[from]!;
    hunks.push({ aStart: aLen === 0 ? start.ai : start.ai + 1, aLen, bStart: bLen === 0 ? start.bi : start.bi + 1, bLen, lines });
    i = j;
  }
  const rel = path.replace(/^\/+/, '');
  const head = [before === null ? '--- /dev/null' : `--- a/${rel}`, `+++ b/${rel}`];
  const body = hunks.flatMap((h) => [`@@ -${range(h.aStart, h.aLen)} +${range(h.bStart, h.bLen)} @@`, ...h.lines]);
  return [...head, ...body].join('\n') + '\n';
}

/** Counts of changed lines in a unified diff (for one-line summaries). */
export function diffStat(unified: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of unified.split('\n')) {
    if (l.startsWith('+++') || l.startsWith('---')) continue;
    if (l.startsWith('+')) added++;
    else if (l.startsWith('-')) removed++;
  }
  return { added, removed };
}
