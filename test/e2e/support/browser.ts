/**
 * Browser-mode harness for end-to-end tests and bench/ui.ts: builds the renderer when it is missing
 * or older than its sources, starts `printha ui --no-open --port 0` as a child process on 127.0.0.1,
 * and drives Debian's Chromium with playwright-core (no browser download).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds out/renderer (npm run build) when missing or older than renderer/ or shared/. */
export function ensureRendererBuilt(log: (s: string) => void = () => undefined): void {
  const index = join(ROOT, 'out', 'renderer', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'shared')));
  if (built > sources) return;
  log('building the renderer (npm run build)…');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface UiProcess {
  url: string;
  origin: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `printha ui --no-open --port 0` and waits for the address it prints. */
export function startUi(env: NodeJS.ProcessEnv = {}): Promise<UiProcess> {
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsx, join(ROOT, 'electron', 'cli', 'main.ts'), 'ui', '--no-open', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: stop() can end tsx's node child too when SIGTERM is not enough.
    detached: true,
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`printha ui did not print its address in 60 s:\n${out}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += String(d);
      const m = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const url = m[1]!;
        resolve({
          url,
          origin: new URL(url).origin,
          child,
          output: () => out,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              // `printha ui` leaves the event loop after SIGTERM; SSH connections the engine still
              // holds (after discover/apply/verify) keep it alive. Do not hang the suite on that.
              const force = setTimeout(() => {
                console.warn(
                  'printha ui was still running 5 s after SIGTERM (it closes its bridge and the engine\'s SSH sessions on SIGTERM; something else kept it alive); killing its process group.',
                );
                try {
                  process.kill(-child.pid!, 'SIGKILL');
                } catch {
                  /* already gone */
                }
              }, 5_000);
              child.once('exit', () => {
                clearTimeout(force);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += String(d)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`printha ui exited (${code}) before printing its address:\n${out}`));
    });
  });
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile directory that is removed on close. */
export async function launchBrowser(
  viewport = { width: 1280, height: 720 },
  opts: { colorScheme?: 'light' | 'dark' } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'printha-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
    colorScheme: opts.colorScheme ?? 'light',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const hasChromium = existsSync(CHROMIUM);

/** Answers host key (trust) and password questions until the element `done` shows up. */
export async function answerUntil(page: Page, done: string, password: string, fingerprints: string[], ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await page.getByTestId(done).isVisible()) return;
    if (await page.getByTestId('error-banner').isVisible())
      throw new Error(`the step failed: ${await page.getByTestId('error-banner').textContent()}`);
    const hk = page.getByTestId('hostkey-dialog');
    if (await hk.isVisible()) {
      fingerprints.push((await hk.getByTestId('fingerprint').textContent()) ?? '');
      await hk.getByRole('button', { name: 'Trust and connect' }).click();
      continue;
    }
    const cred = page.getByTestId('credential-dialog');
    if (await cred.isVisible()) {
      await cred.locator('input[type=password]').fill(password);
      await cred.getByRole('button', { name: 'Connect' }).click();
      continue;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${done}`);
}
