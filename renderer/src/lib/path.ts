/** Field paths as findings name them (`servers[1].address`) -> get / immutable set on the draft. */
export type PathKey = string | number;

export function parsePath(path: string): PathKey[] {
  const out: PathKey[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]?.matchAll(/\[(\d+)\]/g) ?? []) out.push(Number(idx[1]));
  }
  return out;
}

export function getIn(obj: unknown, path: string | PathKey[]): unknown {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathKey, unknown>)[k];
  }
  return cur;
}

function isEmptyObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** Returns a copy with the value set; `undefined` deletes the key, and an object left empty is removed too. */
export function setIn<T>(obj: T, path: string | PathKey[], value: unknown): T {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  const rec = (cur: unknown, i: number): unknown => {
    const k = keys[i]!;
    const base: Record<PathKey, unknown> | unknown[] = Array.isArray(cur)
      ? [...cur]
      : cur !== null && typeof cur === 'object'
        ? { ...(cur as object) }
        : typeof k === 'number'
          ? []
          : {};
    const child = i === keys.length - 1 ? value : rec((base as Record<PathKey, unknown>)[k], i + 1);
    if (child === undefined || (i < keys.length - 1 && isEmptyObject(child))) {
      if (Array.isArray(base) && typeof k === 'number') base[k] = undefined;
      else delete (base as Record<PathKey, unknown>)[k];
    } else (base as Record<PathKey, unknown>)[k] = child;
    return base;
  };
  return rec(obj, 0) as T;
}

/** A DOM id for a field path (also the target of "go to field" links). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}
