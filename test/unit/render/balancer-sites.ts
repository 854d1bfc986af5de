/** Sites for the lbcli / tmsh / NetScaler / compliance tests: the examples, optionally patched. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export function exampleSite(file: string): Site {
  const r = loadSiteYaml(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not load: ${JSON.stringify(r.findings)}`);
  return r.site;
}

export function resolved(file: string, patch?: (s: Site) => void): ResolvedSite {
  const s = structuredClone(exampleSite(file));
  patch?.(s);
  return resolveSite(s);
}

/** The golden sets: name -> site (the brief's phoenix-dr, phoenix-snat, paragon, plus Paragon in DR). */
export const GOLDEN: Record<string, () => ResolvedSite> = {
  'phoenix-dr': () => resolved('phoenix-dr.yaml'),
  'phoenix-snat': () => resolved('phoenix-snat.yaml'),
  paragon: () => resolved('paragon.yaml'),
  'paragon-dr': () =>
    resolved('paragon.yaml', (s) => {
      s.mode = 'dr';
    }),
};

/** Lines of a generated file that are not comments or blank. */
export function codeLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}
