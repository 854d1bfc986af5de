/**
 * UI benchmark: the production renderer bundle size (gzip) and the time from navigation to the
 * first wizard step being interactive in headless Chromium (median of several fresh-cache runs,
 * read from the page's own `printha:first-step` performance mark, i.e. relative to navigation start).
 * Prints `{ "ui-bundle": {...}, "ui-first-step": {...} }`. Run: npx tsx bench/ui.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
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

/** gzip (level 9) of the React runtime alone (react + react-dom client, production): the floor of any React UI. */
export function reactRuntimeGzipKB(): number {
  const files = [join(ROOT, 'node_modules', 'react', 'cjs', 'react.production.js'), join(ROOT, 'node_modules', 'react-dom', 'cjs', 'react-dom-client.production.js')];
  return round(files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0) / 1024, 1);
}

/** A page that only marks printha:first-step from an external script (the bridge's CSP forbids inline): the browser's own floor. */
function blankPageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printha-bench-blank-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><title>blank</title><script src="./blank.js"></script></head><body></body></html>\n');
  writeFileSync(join(dir, 'blank.js'), "performance.mark('printha:first-step'); document.documentElement.dataset.ready = 'true';\n");
  return dir;
}

/**
 * Navigation start to the first wizard step interactive (ours) and to the blank page's mark
 * (baseline), alternating in one headless Chromium, fresh context each time; medians.
 */
export async function firstStepMs(runs = RUNS): Promise<{ ours: number; blank: number }> {
  const core = createCore({ knownHostsPath: '/dev/null', examplesDir: join(ROOT, 'examples') });
  const bridge = await startBridge({ core, staticDir: DIR });
  const blankDir = blankPageDir();
  const blank = await startBridge({ core, staticDir: blankDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const times = { ours: [] as number[], blank: [] as number[] };
  const measure = async (url: string, ready: (p: Page) => Promise<unknown>): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      await ready(page);
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      return await page.evaluate(() => performance.getEntriesByName('printha:first-step')[0]?.startTime ?? NaN);
    } finally {
      await context.close();
    }
  };
  try {
    for (let i = 0; i < runs + 1; i++) {
      const a = await measure(bridge.url, (p) => p.getByRole('button', { name: 'New site' }).waitFor());
      const b = await measure(blank.url, async () => undefined);
      if (i > 0) {
        // the first round warms the OS file cache and the servers
        times.ours.push(a);
        times.blank.push(b);
      }
    }
  } finally {
    await browser.close();
    await bridge.close();
    await blank.close();
    rmSync(blankDir, { recursive: true, force: true });
  }
  if ([...times.ours, ...times.blank].some((t) => !Number.isFinite(t))) throw new Error('a page did not record its printha:first-step mark');
  return { ours: round(median(times.ours), 0), blank: round(median(times.blank), 0) };
}

export async function run(): Promise<BenchResults> {
  ensureRendererBuilt();
  const kb = bundleGzipKB();
  const react = reactRuntimeGzipKB();
  const load = loadavg()[0]!;
  const ms = await firstStepMs();
  return {
    'ui-bundle': {
      value: kb,
      unit: 'KB',
      baseline: react,
      ratio: round(kb / react, 2),
      target: '<400',
      ok: kb < 400,
      note: 'gzip of out/renderer html+js+css; baseline: gzip of the React runtime alone (react + react-dom client, production)',
    },
    'ui-first-step': {
      value: ms.ours,
      unit: 'ms',
      baseline: ms.blank,
      ratio: round(ms.ours / ms.blank, 2),
      target: '<500',
      ok: ms.ours < 500,
      note: `navigation start to the Start step mounted and interactive, median of ${RUNS} fresh-context runs in headless Chromium, alternating with a blank page that only sets the same mark (baseline); load average ${load.toFixed(1)} on ${cpus().length} cores`,
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
