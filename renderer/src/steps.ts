/** The wizard's steps, in order, and which site-file fields each one owns. */
export const STEPS = [
  { id: 'start', title: 'Start', fields: [] },
  { id: 'product', title: 'Product and services', fields: ['name', 'profile', 'services', 'overrides'] },
  { id: 'mode', title: 'Platform and mode', fields: ['mode', 'balancer.platform'] },
  { id: 'network', title: 'Network', fields: ['vip', 'shareName', 'network', 'dns'] },
  { id: 'balancer', title: 'Balancer', fields: ['balancer'] },
  { id: 'servers', title: 'Print servers', fields: ['servers', 'windows'] },
  { id: 'preflight', title: 'Preflight', fields: [] },
  { id: 'discover', title: 'Discover', fields: [] },
  { id: 'plan', title: 'Plan', fields: [] },
  { id: 'apply', title: 'Apply', fields: [] },
  { id: 'verify', title: 'Verify', fields: [] },
  { id: 'runbook', title: 'Runbook', fields: [] },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

export function stepIndex(id: StepId): number {
  return STEPS.findIndex((s) => s.id === id);
}

export function isStepId(s: unknown): s is StepId {
  return typeof s === 'string' && STEPS.some((x) => x.id === s);
}

/** Does the field path belong to this step (`servers[1].address` belongs to `servers`)? */
export function pathInFields(path: string, fields: readonly string[]): boolean {
  return fields.some((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
}

/** The form step that owns a field path; preflight when none does (cross-field findings). */
export function stepForPath(path: string): StepId {
  for (const s of STEPS) if (s.fields.length && pathInFields(path, s.fields)) return s.id;
  return 'preflight';
}
