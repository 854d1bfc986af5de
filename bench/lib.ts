/** Shared bench helpers: alternate ours/baseline, several repetitions, medians. Nothing hard-coded. */
export interface BenchEntry {
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  ok: boolean;
  /** What was measured, one line (printed in the human form and PERFORMANCE.md). */
  note?: string;
}

export type BenchResults = Record<string, BenchEntry>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs a and b alternately `reps` times (after `warmup` untimed rounds), returning the median ms of each. */
export async function alternate(a: () => unknown, b: () => unknown, reps: number, warmup = 2): Promise<{ a: number; b: number }> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    await a();
    ta.push(performance.now() - t);
    t = performance.now();
    await b();
    tb.push(performance.now() - t);
  }
  return { a: median(ta), b: median(tb) };
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
