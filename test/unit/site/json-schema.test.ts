import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { siteJsonSchema } from '../../../shared/site/json-schema.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('resources/site.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (run scripts/gen-site-schema.ts after a schema change)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'resources/site.schema.json'), 'utf8')) as unknown;
    expect(committed).toEqual(siteJsonSchema());
  });
  it('rejects unknown keys at every level, like the loader', () => {
    const s = siteJsonSchema() as { additionalProperties: boolean; properties: Record<string, { additionalProperties?: boolean }>; required: string[] };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.balancer!.additionalProperties).toBe(false);
    expect(s.required).toEqual(expect.arrayContaining(['version', 'name', 'profile', 'mode', 'vip', 'shareName', 'network', 'balancer', 'servers', 'windows']));
  });
});
