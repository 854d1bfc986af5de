// Regenerates resources/site.schema.json from the zod schema: npx tsx scripts/gen-site-schema.ts
import { writeFileSync } from 'node:fs';
import { siteJsonSchema } from '../shared/site/json-schema.js';

writeFileSync(new URL('../resources/site.schema.json', import.meta.url), JSON.stringify(siteJsonSchema(), null, 2) + '\n');
