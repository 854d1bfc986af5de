/**
 * Browser mode: a local HTTP + WebSocket server on 127.0.0.1 that serves the built renderer and
 * speaks the contract. Every request needs the random token of this run (in the URL printed by
 * `printha ui`, or the cookie the first page load sets); a wrong Host (DNS rebinding), a foreign
 * Origin, no token or a wrong token is refused with 403.
 * Frames: `{ id, channel, input }` -> `{ id, ok, output | error }`; events `{ event, payload }`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/rpc/core.js';
import { cspString } from '../main/csp.js';

export const BRIDGE_PATH = '/bridge';
export const HOST = '127.0.0.1';
const MAX_FRAME = 4 * 1024 * 1024;

/**
 * The token cookie's name for a bridge on this port. Browsers do not isolate cookies by port (a
 * cookie for 127.0.0.1 is sent to every port of it), so the name carries the port: a bridge on
 * another port never reads, and a page of another port never overwrites, this bridge's cookie.
 */
export function tokenCookieName(port: number): string {
  return `printha_token_${port}`;
}

export interface BridgeOptions {
  core: Core;
  /** 0 (default) = a free port chosen by the system; `printha ui` passes its stable default port. */
  port?: number;
  /** The built renderer (out/renderer). */
  staticDir?: string;
  /** Fixed token (tests); default 32 random bytes, hex. */
  token?: string;
  log?: (line: string) => void;
}

export interface Bridge {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  const h = req.headers.cookie;
  if (!h) return undefined;
  for (const part of h.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Resolves a URL path inside root; undefined when it escapes root. */
export function safeJoin(root: string, urlPath: string): string | undefined {
  let p: string;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (p.includes('\0')) return undefined;
  const full = resolve(root, '.' + (p.startsWith('/') ? p : `/${p}`));
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const log = opts.log ?? (() => undefined);
  let port = 0;
  const origins = () => [`http://${HOST}:${port}`, `http://localhost:${port}`];
  const hosts = () => [`${HOST}:${port}`, `localhost:${port}`];
  const cookieName = () => tokenCookieName(port);

  /** Why a request is refused, or undefined when it may proceed. */
  function refuse(req: IncomingMessage, url: URL, requireOrigin: boolean): string | undefined {
    if (!hosts().includes(req.headers.host ?? '')) return 'wrong Host header';
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().includes(origin)) return 'foreign Origin';
    if (requireOrigin && origin === undefined) return 'no Origin';
    if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site request';
    const given = url.searchParams.get('token') ?? cookie(req, cookieName());
    if (!given) return 'no token';
    if (!sameSecret(given, token)) return 'wrong token';
    return undefined;
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    };
    if (url.searchParams.get('token')) headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    if (!opts.staticDir) {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The PrintHA interface is not built. Run: npm run build\n');
      return;
    }
    let file = safeJoin(opts.staticDir, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!file) {
      res.writeHead(404, headers).end();
      return;
    }
    let st = await stat(file).catch(() => undefined);
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file).catch(() => undefined);
    }
    if (!st?.isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const ext = extname(file);
    const isHtml = ext === '.html';
    if (isHtml) {
      headers['Content-Security-Policy'] = cspString([`ws://${HOST}:${port}`, `ws://localhost:${port}`]);
      headers['Cache-Control'] = 'no-store';
    } else headers['Cache-Control'] = 'no-cache';
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const why = refuse(req, url, false);
    if (why) {
      log(`http ${url.pathname}: refused (${why})`);
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end("Forbidden: open the address that `printha ui` printed (it carries this run's access token).\n");
      return;
    }
    serveStatic(req, res, url).catch((e: unknown) => {
      log(`http ${url.pathname}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const why = url.pathname !== BRIDGE_PATH ? 'not the bridge path' : refuse(req, url, true);
    if (why) {
      log(`ws: refused (${why})`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    const send = (frame: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const session = opts.core.openSession((event, payload) => send({ event, payload }));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send({ id: null, ok: false, error: { code: 'bad-input', message: 'Binary frames are not part of the PrintHA contract.' } });
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        send({ id: null, ok: false, error: { code: 'bad-input', message: 'The frame is not JSON.' } });
        return;
      }
      const f = frame as { id?: unknown; channel?: unknown; input?: unknown } | null;
      const id = f !== null && typeof f === 'object' && (typeof f.id === 'string' || typeof f.id === 'number') ? f.id : null;
      if (id === null) {
        send({ id: null, ok: false, error: { code: 'bad-input', message: 'A call frame needs an "id" (string or number).' } });
        return;
      }
      void opts.core.dispatch(f!.channel, f!.input, session).then((r) => send({ id, ...r }));
    });
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, HOST, () => ok());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  const origin = `http://${HOST}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
