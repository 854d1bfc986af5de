/**
 * shared/plan/diff.ts: the Myers line diff and its unified text. Checked against GNU `diff -u`
 * (same hunks, byte for byte, after the two header lines) and by applying our diff back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { diffLines, diffStat, splitLines, unifiedDiff } from '../../../shared/plan/diff.js';

const dir = mkdtempSync(join(tmpdir(), 'printha-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasDiff = spawnSync('diff', ['--version']).status === 0;
if (!hasDiff) console.warn('[diff.test] GNU diff not found: the byte-for-byte comparison with diff -u is skipped');

function gnuDiff(before: string, after: string): string {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  writeFileSync(a, before);
  writeFileSync(b, after);
  const r = spawnSync('diff', ['-u', a, b], { encoding: 'utf8' });
  return r.stdout.split('\n').slice(2).join('\n');
}

/** Applies a unified diff produced by unifiedDiff to `before` (strict: context must match). */
function applyUnified(before: string, unified: string): string {
  if (unified === '') return before;
  const A = splitLines(before);
  const src = A.lines;
  const out: string[] = [];
  let srcPos = 0;
  let finalNewline = true;
  const lines = unified.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let i = 2;
  while (i < lines.length) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]!);
    if (!m) throw new Error(`bad hunk header ${lines[i]}`);
    const aStart = Number(m[1]);
    const aLen = m[2] === undefined ? 1 : Number(m[2]);
    const first = aLen === 0 ? aStart : aStart - 1;
    while (srcPos < first) out.push(src[srcPos++]!);
    i++;
    let lastKind = '';
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const l = lines[i]!;
      if (l.startsWith('\\')) {
        if (lastKind !== '-') finalNewline = false;
        i++;
        continue;
      }
      const kind = l[0]!;
      const text = l.slice(1);
      if (kind === ' ' || kind === '-') {
        if (src[srcPos] !== text) throw new Error(`context mismatch at ${srcPos + 1}: ${JSON.stringify(src[srcPos])} vs ${JSON.stringify(text)}`);
        srcPos++;
      }
      if (kind === ' ' || kind === '+') out.push(text);
      lastKind = kind;
      i++;
    }
  }
  while (srcPos < src.length) out.push(src[srcPos++]!);
  if (srcPos === src.length && !A.finalNewline && !unified.includes('\\ No newline')) finalNewline = false;
  return out.length === 0 ? '' : out.join('\n') + (finalNewline ? '\n' : '');
}

describe('diffLines', () => {
  it('finds the shortest edit script', () => {
    const ops = diffLines(['a', 'b', 'c', 'a', 'b', 'b', 'a'], ['c', 'b', 'a', 'b', 'a', 'c']);
    const edits = ops.filter((o) => o.op !== 'equal').length;
    expect(edits).toBe(5); // the classic Myers example: D = 5
    expect(ops.filter((o) => o.op !== 'insert').map((o) => o.line)).toEqual(['a', 'b', 'c', 'a', 'b', 'b', 'a']);
    expect(ops.filter((o) => o.op !== 'delete').map((o) => o.line)).toEqual(['c', 'b', 'a', 'b', 'a', 'c']);
  });
  it('handles empty sides', () => {
    expect(diffLines([], ['x'])).toEqual([{ op: 'insert', line: 'x' }]);
    expect(diffLines(['x'], [])).toEqual([{ op: 'delete', line: 'x' }]);
    expect(diffLines([], [])).toEqual([]);
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('/etc/haproxy/haproxy.cfg', 'a\nb\n', 'a\nb\n')).toBe('');
  });
  it('uses /dev/null for a new file and a/ b/ prefixes', () => {
    const d = unifiedDiff('/etc/sysctl.d/99-printha.conf', null, 'x = 1\n');
    expect(d).toBe('--- /dev/null\n+++ b/etc/sysctl.d/99-printha.conf\n@@ -0,0 +1 @@\n+x = 1\n');
  });
  it('prints one hunk for nearby changes and two for distant ones', () => {
    const base = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const near = [...base];
    near[4] = 'changed 5';
    near[8] = 'changed 9';
    expect(unifiedDiff('f', base.join('\n') + '\n', near.join('\n') + '\n').match(/^@@/gm)).toHaveLength(1);
    const far = [...base];
    far[2] = 'changed 3';
    far[25] = 'changed 26';
    const d = unifiedDiff('f', base.join('\n') + '\n', far.join('\n') + '\n');
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(diffStat(d)).toEqual({ added: 2, removed: 2 });
  });
  it.skipIf(!hasDiff)('matches GNU diff -u on fixed cases', () => {
    const cases: [string, string][] = [
      ['a\nb\nc\n', 'a\nB\nc\n'],
      ['a\nb\nc\n', 'a\nb\nc'],
      ['a\nb\nc', 'a\nb\nc\nd\n'],
      ['', 'x\ny\n'],
      ['x\ny\n', ''],
      [Array.from({ length: 40 }, (_, i) => `l${i}`).join('\n') + '\n', Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? `L${i}` : `l${i}`)).join('\n') + '\n'],
      ['global\n    daemon\n\ndefaults\n    mode tcp\n', 'global\n    master-worker\n    daemon\n\ndefaults\n    mode tcp\n    option tcplog\n'],
    ];
    for (const [a, b] of cases) {
      const ours = unifiedDiff('f', a, b).split('\n').slice(2).join('\n');
      expect(ours, JSON.stringify([a, b])).toBe(gnuDiff(a, b));
    }
  });
  it('round-trips: applying the diff to before gives after (property)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'd', '', '    bind 10.99.0.10:445'), { maxLength: 40 })
      .chain((lines) => fc.boolean().map((nl) => (lines.length === 0 ? '' : lines.join('\n') + (nl ? '\n' : ''))));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = unifiedDiff('f', a, b);
        if (a === b) return d === '';
        return applyUnified(a, d) === b;
      }),
      { numRuns: 400 },
    );
  });
  it.skipIf(!hasDiff)('has the same number of changed lines as GNU diff (property)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'x'), { maxLength: 25 }).map((l) => (l.length ? l.join('\n') + '\n' : ''));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const ours = diffStat(unifiedDiff('f', a, b));
        const theirs = diffStat('--- a\n+++ b\n' + gnuDiff(a, b));
        return ours.added + ours.removed === theirs.added + theirs.removed;
      }),
      { numRuns: 60 },
    );
  });
});
