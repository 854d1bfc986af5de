/**
 * UI benchmark: the production renderer bundle size (gzip) and the time from navigation to the
 * first wizard step being interactive in headless Chromium (median of several fresh-cache runs,
 * read from the page's own `printha:first-step` performance mark, i.e. relative to navigation start).
 * Prints `{ "ui-bundle": {...}, "ui-first-step": {...} }`. Run: npx tsx bench/ui.ts
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startBridge } from '../electron/bridge/server.js';
import { createCore } from '../electron/core/rpc/core.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureRendererBuilt, ROOT } from '../test/e2e/support/browser.js';
import { median, round, type BenchResults } from './lib.js';

const RUNS = 7;
const DIR = join(ROOT, 'out', 'renderer');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** gzip (level 9) of every file the window loads: html, js, css. */
export function bundleGzipKB(dir = DIR): number {
  const bytes = files(dir)
    .filter((f) => /\.(html|js|css)$/.test(f))
    .reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return round(bytes / 1024, 1);
}

export async function firstStepMs(runs = RUNS): Promise<number> {
  const bridge = await startBridge({
    core: createCore({ knownHostsPath: '/dev/null', examplesDir: join(ROOT, 'examples') }),
    staticDir: DIR,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await page.goto(bridge.url, { waitUntil: 'commit' });
      await page.getByRole('button', { name: 'New site' }).waitFor();
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      const mark = await page.evaluate(() => performance.getEntriesByName('printha:first-step')[0]?.startTime ?? NaN);
      if (i > 0) times.push(mark); // the first run warms the OS file cache and the server
      await context.close();
    }
  } finally {
    await browser.close();
    await bridge.close();
  }
  if (times.some((t) => !Number.isFinite(t))) throw new Error('the page did not record its printha:first-step mark');
  return round(median(times), 0);
}

export async function run(): Promise<BenchResults> {
  ensureRendererBuilt();
  const kb = bundleGzipKB();
  const load = loadavg()[0]!;
  const ms = await firstStepMs();
  return {
    'ui-bundle': { value: kb, unit: 'KB', target: '<400', ok: kb < 400, note: 'gzip of out/renderer html+js+css' },
    'ui-first-step': {
      value: ms,
      unit: 'ms',
      target: '<500',
      ok: ms < 500,
      note: `navigation start to the Start step mounted and interactive, median of ${RUNS} fresh-cache runs in headless Chromium (load average ${load.toFixed(1)} on ${cpus().length} cores)`,
    },
  };
}

if (process.argv[1] && /bench[\\/]ui\.ts$/.test(process.argv[1])) {
  run().then(
    (r) => {
      const out = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { value: v.value, unit: v.unit, target: v.target, ok: v.ok }]));
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench ui: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
