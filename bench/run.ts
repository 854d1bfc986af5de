/**
 * `npm run bench [-- --json] [-- --only name,name]`: runs every benchmark under bench/ and prints
 * one table or one JSON object { name: { value, unit, baseline?, ratio?, target?, ok } }.
 * Lab benchmarks report themselves as not run (with the reason) when the lab is not up.
 */
import type { BenchResults } from './lib.js';

type Bench = { name: string; load: () => Promise<{ run: () => Promise<BenchResults> }> };

const BENCHES: Bench[] = [{ name: 'render', load: () => import('./render.js') }];
// TCP sweep of verify against nmap on the lab (issue 6).
BENCHES.push({ name: 'verify', load: () => import('./verify.js') });

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice(7).split(',')) : undefined;
  const all: BenchResults = {};
  const skipped: Record<string, string> = {};
  for (const b of BENCHES) {
    if (only && !only.has(b.name)) continue;
    try {
      Object.assign(all, await (await b.load()).run());
    } catch (e) {
      skipped[b.name] = e instanceof Error ? e.message : String(e);
    }
  }
  if (json) {
    process.stdout.write(JSON.stringify(all, null, 2) + '\n');
  } else {
    for (const [k, v] of Object.entries(all))
      console.log(
        `${v.ok ? 'ok  ' : 'MISS'} ${k.padEnd(28)} ${String(v.value).padStart(10)} ${v.unit.padEnd(6)}${v.baseline !== undefined ? ` baseline ${v.baseline}` : ''}${v.ratio !== undefined ? ` ratio ${v.ratio}` : ''}${v.target ? ` target ${v.target}` : ''}${v.note ? `  — ${v.note}` : ''}`,
      );
  }
  for (const [k, why] of Object.entries(skipped)) process.stderr.write(`bench ${k} did not run: ${why}\n`);
  if (Object.keys(skipped).length) process.exitCode = 1;
}

void main();
