export type Severity = 'error' | 'warning' | 'info';

/** One preflight finding. `path` names the offending site-file field, e.g. `servers[1].address`. */
export interface Finding {
  rule: string;
  severity: Severity;
  path: string;
  message: string;
  fix: string;
  /**
   * Other fields the finding is about (a VIP equal to servers[1].address names servers[1].address):
   * the wizard shows it at each of them too, so it appears on the step where that field is typed.
   */
  also?: string[];
  /** 1-based position in the YAML file when known. */
  line?: number;
  column?: number;
}

export function hasErrors(fs: readonly Finding[]): boolean {
  return fs.some((f) => f.severity === 'error');
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortFindings(fs: readonly Finding[]): Finding[] {
  return [...fs].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
}

/** Formats a path array the way findings name fields: a.b[2].c */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
