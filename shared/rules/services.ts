/** Which services the site selects and overrides: ids must exist in the profile (data, not code). */
import { selectedServiceIds } from '../model/resolve.js';
import { closest } from '../site/load.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';

export const serviceUnknown: Rule = {
  id: 'service-unknown',
  severity: 'error',
  guards: 'A service id (in `services` or `overrides`) that the product profile does not have would be silently ignored.',
  source: 'DESIGN.md "Product profiles"; seed 000 §8.4 / seed 003 §5.3 (the services each product balances)',
  check({ site, resolved }) {
    const known = resolved.profile.services.map((s) => s.id);
    const out: Finding[] = [];
    const hint = (id: string): string => {
      const c = closest(id, known);
      return c ? ` Did you mean "${c}"?` : '';
    };
    (site.services ?? []).forEach((id, i) => {
      if (!known.includes(id))
        out.push(
          finding(
            serviceUnknown,
            `services[${i}]`,
            `Service "${id}" is not part of profile ${site.profile} (it has ${known.join(', ')}).${hint(id)}`,
            `Replace "${id}" with one of: ${known.join(', ')}.`,
          ),
        );
    });
    for (const id of Object.keys(site.overrides ?? {})) {
      if (!known.includes(id))
        out.push(
          finding(
            serviceUnknown,
            `overrides.${id}`,
            `overrides.${id} names a service that profile ${site.profile} does not have (it has ${known.join(', ')}).${hint(id)}`,
            `Rename overrides.${id} to one of: ${known.join(', ')}, or remove it.`,
          ),
        );
    }
    return out;
  },
};

export const overrideUnselected: Rule = {
  id: 'override-unselected',
  severity: 'error',
  guards: 'An override for a service the site does not balance would have no effect and usually means the service was forgotten in `services`.',
  source: 'DESIGN.md "Site file" (unknown or unused keys are errors, a typo must not be ignored)',
  check({ site, resolved }) {
    const known = new Set(resolved.profile.services.map((s) => s.id));
    const selected = selectedServiceIds(site, resolved.profile);
    return Object.keys(site.overrides ?? {})
      .filter((id) => known.has(id) && !selected.includes(id))
      .map((id) =>
        finding(
          overrideUnselected,
          `overrides.${id}`,
          `overrides.${id} is set but service "${id}" is not selected (services: ${selected.join(', ')}), so the override would do nothing.`,
          `Add "${id}" to services, or remove overrides.${id}.`,
        ),
      );
  },
};

export const serviceDuplicate: Rule = {
  id: 'service-duplicate',
  severity: 'warning',
  guards: 'A service listed twice in `services` (usually a copy-paste slip hiding a missing service).',
  source: 'DESIGN.md "Site file"',
  check({ site }) {
    const seen = new Map<string, number>();
    const out: Finding[] = [];
    (site.services ?? []).forEach((id, i) => {
      const first = seen.get(id);
      if (first !== undefined)
        out.push(finding(serviceDuplicate, `services[${i}]`, `Service "${id}" is listed twice in services (entries ${first} and ${i}).`, `Remove services[${i}], or replace it with the service you meant.`));
      else seen.set(id, i);
    });
    return out;
  },
};

export const SERVICE_RULES: Rule[] = [serviceUnknown, overrideUnselected, serviceDuplicate];
