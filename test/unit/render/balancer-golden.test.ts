/**
 * Golden files for the lbcli, tmsh and NetScaler generators and the compliance table. A change to a
 * generator shows up as a diff of these files in review. Regenerate on purpose with:
 *   UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/render/balancer-golden.test.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { complianceTable, renderComplianceMarkdown } from '../../../shared/render/compliance.js';
import { HALFOPEN_CHECK_SCRIPT } from '../../../shared/render/checkscript.js';
import { renderLbcliScript } from '../../../shared/render/lbcli.js';
import { renderNetscaler } from '../../../shared/render/netscaler.js';
import { renderTmsh } from '../../../shared/render/tmsh.js';
import type { Platform } from '../../../shared/site/schema.js';
import { GOLDEN, ROOT } from './balancer-sites.js';

const DIR = join(ROOT, 'test', 'fixtures', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function compliance(r: ResolvedSite): string {
  const out: string[] = [`# Compliance: ${r.site.name} (${r.site.mode})`, ''];
  for (const p of ['loadbalancer-org', 'linux-haproxy', 'f5-bigip', 'netscaler'] as Platform[]) {
    const site = structuredClone(r.site);
    site.balancer.platform = p;
    out.push(`## ${p}`, '', renderComplianceMarkdown(complianceTable(resolveSite(site))));
  }
  return out.join('\n');
}

/** The shipped probe is another generator's file (and has its own tests): the golden holds a placeholder for it. */
function lbcliGolden(r: ResolvedSite): string {
  const probe = HALFOPEN_CHECK_SCRIPT.replace(/\n$/, '');
  return renderLbcliScript(r).split(probe).join('<HALFOPEN_CHECK_SCRIPT from shared/render/checkscript.ts>');
}

const FILES: Record<string, (r: ResolvedSite) => string> = {
  'lbcli.sh': lbcliGolden,
  'tmsh.txt': renderTmsh,
  'netscaler.conf': renderNetscaler,
  'compliance.md': compliance,
};

describe('golden files', () => {
  for (const [set, make] of Object.entries(GOLDEN)) {
    for (const [file, render] of Object.entries(FILES)) {
      it(`${set}/${file}`, () => {
        const text = render(make());
        const path = join(DIR, set, file);
        if (UPDATE) {
          mkdirSync(join(DIR, set), { recursive: true });
          writeFileSync(path, text);
        }
        expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 to create it`).toBe(true);
        expect(text).toBe(readFileSync(path, 'utf8'));
        // Same input, same output (no clock, no randomness).
        expect(render(make())).toBe(text);
      });
    }
  }
});
