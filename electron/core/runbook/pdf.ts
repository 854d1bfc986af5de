/**
 * Runbook PDF for the CLI and the tests: the self-contained HTML printed by headless Chromium
 * (no network: the page has a CSP of default-src 'none' and Chromium runs with background
 * networking, sync and component updates off, in a throw-away profile).
 *
 * In the desktop app, Electron's own printer is used instead (electron/main owns it):
 *   const win = new BrowserWindow({ show: false, webPreferences: { javascript: false, sandbox: true } });
 *   await win.loadURL('data:text/html;charset=utf-8,' + encodeURIComponent(html));
 *   const pdf = await win.webContents.printToPDF(ELECTRON_PDF_OPTIONS);
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { childEnv } from '../runner/child-env.js';
import { pathToFileURL } from 'node:url';

/** Options for Electron's webContents.printToPDF that match the Chromium output here. */
export const ELECTRON_PDF_OPTIONS = { printBackground: true, pageSize: 'A4', margins: { marginType: 'default' }, displayHeaderFooter: false } as const;

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
];

export class PdfError extends Error {}

/** PRINTHA_CHROMIUM, else the first browser found in the usual places, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = env.PRINTHA_CHROMIUM;
  if (forced) return existsSync(forced) ? forced : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function chromiumPdfArgs(profileDir: string, outPath: string, htmlPath: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-default-apps',
    '--no-first-run',
    '--no-default-browser-check',
    '--mute-audio',
    `--user-data-dir=${profileDir}`,
    '--no-pdf-header-footer',
    `--print-to-pdf=${outPath}`,
    pathToFileURL(htmlPath).href,
  ];
}

export interface PdfOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Prints `html` to `outPath` (written atomically). Throws PdfError with what to do when no browser
 * is installed or printing fails.
 */
export async function htmlToPdf(html: string, outPath: string, opts: PdfOptions = {}): Promise<{ path: string; bytes: number }> {
  const env = opts.env ?? process.env;
  const exe = findChromium(env);
  if (!exe)
    throw new PdfError(
      env.PRINTHA_CHROMIUM
        ? `PRINTHA_CHROMIUM points to "${env.PRINTHA_CHROMIUM}", which does not exist; set it to a Chromium or Chrome executable.`
        : 'PDF export needs Chromium or Google Chrome, and none was found. Install it (Debian/Ubuntu: apt install chromium) or set PRINTHA_CHROMIUM to the browser executable; or export --format html and print that to PDF.',
    );
  const work = mkdtempSync(join(tmpdir(), 'printha-pdf-'));
  try {
    const htmlPath = join(work, 'runbook.html');
    const tmpPdf = join(work, 'runbook.pdf');
    writeFileSync(htmlPath, html, { mode: 0o600 });
    const args = chromiumPdfArgs(join(work, 'profile'), tmpPdf, htmlPath);
    const stderr = await new Promise<string>((ok, fail) => {
      execFile(exe, args, { timeout: opts.timeoutMs ?? 90_000, maxBuffer: 8 * 1024 * 1024, env: { ...childEnv(env), HOME: work } }, (err, _out, errText) => {
        if (err && !existsSync(tmpPdf)) fail(new PdfError(`${exe} could not print the runbook to PDF: ${(errText || err.message).trim().split('\n').slice(-3).join(' ')}`));
        else ok(errText);
      });
    });
    if (!existsSync(tmpPdf) || statSync(tmpPdf).size < 100 || readFileSync(tmpPdf).subarray(0, 5).toString('latin1') !== '%PDF-')
      throw new PdfError(`${exe} printed no PDF${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-2).join(' ')}` : ''}`);
    const dest = resolve(outPath);
    const staged = join(dirname(dest), `.${Date.now()}-${process.pid}.pdf.tmp`);
    writeFileSync(staged, readFileSync(tmpPdf), { mode: 0o644 });
    renameSync(staged, dest);
    return { path: dest, bytes: statSync(dest).size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
