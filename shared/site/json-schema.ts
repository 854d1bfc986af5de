/** JSON Schema of the site file (for editors: resources/site.schema.json), derived from the zod schema. */
import { z } from 'zod';
import { SiteSchema } from './schema.js';

export function siteJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(SiteSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...s,
    $id: 'https://printha.invalid/site.schema.json',
    title: 'PrintHA site file, version 1',
    description: 'One site: product profile, mode (dr|snat), VIP, share name, balancer, print servers. Credentials never go here.',
  };
}
