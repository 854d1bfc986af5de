/**
 * Bounds on JSON that comes from outside (a results pack, a script's answer from a server): V8's
 * JSON.parse accepts any depth, but everything after it that recurses (zod, JSON.stringify into the
 * journal, the runbook) overflows the stack on a few hundred thousand levels. An iterative walk
 * right after the parse refuses such a value with a one-line reason instead.
 */
export interface JsonLimits {
  maxDepth: number;
  maxValues: number;
}

/** What PrintHA's own scripts write is a few levels and a few thousand values. */
export const RESULT_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxValues: 200_000 };

/** Why `v` exceeds the limits ("nested deeper than 32 levels"), or undefined. Never recurses. */
export function jsonBeyondLimits(v: unknown, limits: JsonLimits = RESULT_JSON_LIMITS): string | undefined {
  const stack: [unknown, number][] = [[v, 1]];
  let values = 0;
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (++values > limits.maxValues) return `has more than ${limits.maxValues} values`;
    if (x === null || typeof x !== 'object') continue;
    if (depth > limits.maxDepth) return `is nested deeper than ${limits.maxDepth} levels`;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, depth + 1]);
  }
  return undefined;
}
