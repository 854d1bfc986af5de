/**
 * Keeps the secrets entered in a session and removes them from everything that leaves the core:
 * events, call outputs, error messages and log lines.
 */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not scrubbed from text (they would mangle ordinary words and numbers). */
export const MIN_SCRUB_LENGTH = 3;

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | null | undefined): void {
    if (secret && secret.length >= MIN_SCRUB_LENGTH) this.secrets.add(secret);
  }

  get size(): number {
    return this.secrets.size;
  }

  text(s: string, extra: readonly string[] = []): string {
    let out = s;
    const all = [...this.secrets, ...extra.filter((x) => x.length >= MIN_SCRUB_LENGTH)].sort((a, b) => b.length - a.length);
    for (const secret of all) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** Deep copy with every string scrubbed (plain data only: what the contract carries). */
  value<T>(v: T, extra: readonly string[] = []): T {
    if (this.secrets.size === 0 && extra.length === 0) return v;
    const walk = (x: unknown): unknown => {
      if (typeof x === 'string') return this.text(x, extra);
      if (Array.isArray(x)) return x.map(walk);
      if (x !== null && typeof x === 'object') {
        const o: Record<string, unknown> = {};
        for (const [k, val] of Object.entries(x)) o[k] = walk(val);
        return o;
      }
      return x;
    };
    return walk(v) as T;
  }
}
