/**
 * The app:// scheme that serves the built renderer from inside the app (no file://, no http).
 * Every response carries the CSP header. Pure helpers; index.ts registers them with Electron.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { CSP } from './csp.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'printha';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** For protocol.registerSchemesAsPrivileged (before app ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false, bypassCSP: false },
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The file an app:// URL names inside root, or undefined (other host, traversal, bad encoding). */
export function resolveAppFile(root: string, requestUrl: string): string | undefined {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  let p: string;
  try {
    p = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (p.includes('\0')) return undefined;
  if (p === '/' || p === '') p = '/index.html';
  const base = resolve(root);
  const full = resolve(base, '.' + p);
  return full.startsWith(base + sep) ? full : undefined;
}

/** The protocol.handle handler: our files with the CSP, 404 for everything else. */
export function appProtocolHandler(root: string, read: (file: string) => Promise<Buffer> = (f) => readFile(f)) {
  return async (request: { url: string }): Promise<Response> => {
    const file = resolveAppFile(root, request.url);
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' };
    if (!file) return new Response('Not found', { status: 404, headers });
    try {
      const body = await read(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' },
      });
    } catch {
      return new Response('Not found', { status: 404, headers });
    }
  };
}
