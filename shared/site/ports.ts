/** Ports in the site file are numbers or "first-last" strings. */

export interface PortRange {
  from: number;
  to: number;
}

export type PortSpec = number | string;

const RANGE = /^(\d{1,5})-(\d{1,5})$/;

export function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Parses one port spec; returns an error sentence instead of throwing. */
export function parsePortSpec(spec: PortSpec): PortRange | string {
  if (typeof spec === 'number') {
    return isValidPort(spec) ? { from: spec, to: spec } : `${spec} is not a TCP port (1-65535)`;
  }
  const t = spec.trim();
  if (/^\d{1,5}$/.test(t)) return parsePortSpec(Number(t));
  const m = RANGE.exec(t);
  if (!m) return `"${spec}" is neither a port nor a "first-last" range`;
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (!isValidPort(from) || !isValidPort(to)) return `"${spec}" has a port outside 1-65535`;
  if (from > to) return `"${spec}" runs backwards (first port above last)`;
  return { from, to };
}

export function rangeSize(r: PortRange): number {
  return r.to - r.from + 1;
}

export function rangesOverlap(a: PortRange, b: PortRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** Merges overlapping/adjacent ranges and sorts them. */
export function normalizeRanges(rs: readonly PortRange[]): PortRange[] {
  const sorted = [...rs].sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

export function expandRanges(rs: readonly PortRange[]): number[] {
  const out: number[] = [];
  for (const r of rs) for (let p = r.from; p <= r.to; p++) out.push(p);
  return out;
}

export function formatRange(r: PortRange, sep = '-'): string {
  return r.from === r.to ? String(r.from) : `${r.from}${sep}${r.to}`;
}

export function formatRanges(rs: readonly PortRange[], join = ',', sep = '-'): string {
  return rs.map((r) => formatRange(r, sep)).join(join);
}

export function portInRanges(p: number, rs: readonly PortRange[]): boolean {
  return rs.some((r) => p >= r.from && p <= r.to);
}
