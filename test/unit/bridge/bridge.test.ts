/** The WebSocket bridge of `printha ui`: token, Origin and Host checks; calls; events; error shape. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { safeJoin, startBridge, type Bridge } from '../../../electron/bridge/server.js';
import { exampleText, fakeCore, FINGERPRINT } from '../../support/fake-core.js';

let bridge: Bridge;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pha-bridge-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>PrintHA</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'pha-outside.txt'), 'outside');
  bridge = await startBridge({ core: fakeCore(), staticDir: dir });
});
afterAll(() => bridge.close());

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: bridge.port, path, headers: { host: `127.0.0.1:${bridge.port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with the socket, or with the HTTP status of a refused upgrade. */
function connect(query: string, origin: string | null = bridge.origin): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/bridge${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

function frames(ws: WebSocket): { next(pred: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> } {
  const seen: Record<string, unknown>[] = [];
  const waiters: { pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }[] = [];
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as Record<string, unknown>;
    const w = waiters.find((x) => x.pred(f));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(f);
    } else seen.push(f);
  });
  return {
    next: (pred) =>
      new Promise((resolve) => {
        const i = seen.findIndex(pred);
        if (i >= 0) resolve(seen.splice(i, 1)[0]!);
        else waiters.push({ pred, resolve });
      }),
  };
}

describe('bridge HTTP', () => {
  it('listens on 127.0.0.1 and prints a URL with a long random token', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('refuses no token, a wrong token, a foreign Origin and a foreign Host with 403', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=abc')).status).toBe(403);
    expect((await get(`/?token=${bridge.token.slice(0, -1)}0`)).status).toBe(bridge.token.endsWith('0') ? 200 : 403);
    expect((await get(`/?token=${bridge.token}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/?token=${bridge.token}`, { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(`/?token=${bridge.token}`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get('/assets/app.js')).status).toBe(403);
  });

  it('serves the page with the token, sets a per-port cookie for assets, and sends the CSP', async () => {
    const page = await get(`/?token=${bridge.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('PrintHA');
    expect(String(page.headers['content-security-policy'])).toMatch(
      new RegExp(`default-src 'self'.*connect-src 'self' ws://127\\.0\\.0\\.1:${bridge.port}`),
    );
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe(`printha_token_${bridge.port}=${bridge.token}`);
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await get('/assets/app.js', { cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect((await get('/assets/app.js', { cookie: `printha_token_${bridge.port}=wrong` })).status).toBe(403);
  });

  it('never serves a file outside the renderer folder', async () => {
    const r = await get(`/..%2fpha-outside.txt?token=${bridge.token}`);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('outside');
    expect(safeJoin('/srv/r', '/..%2f..%2fetc/passwd')).toBeUndefined();
    expect(safeJoin('/srv/r', '/assets/a.js')).toBe('/srv/r/assets/a.js');
  });
});

describe('bridge WebSocket', () => {
  it('closes (403) without a token, with a wrong token, from another Origin or with no Origin', async () => {
    expect(await connect('')).toBe(403);
    expect(await connect('?token=wrong')).toBe(403);
    expect(await connect(`?token=${bridge.token}`, 'http://evil.example')).toBe(403);
    expect(await connect(`?token=${bridge.token}`, 'null')).toBe(403);
    expect(await connect(`?token=${bridge.token}`, null)).toBe(403);
  });

  it('a valid call round-trips; a malformed input gets the error shape', async () => {
    const ws = (await connect(`?token=${bridge.token}`)) as WebSocket;
    expect(ws).toBeInstanceOf(WebSocket);
    const f = frames(ws);
    const site = parseYaml(exampleText('lab-snat'));
    ws.send(JSON.stringify({ id: 1, channel: 'site.validate', input: { site } }));
    expect(await f.next((x) => x.id === 1)).toEqual({ id: 1, ok: true, output: { ok: true, findings: [] } });
    ws.send(JSON.stringify({ id: 2, channel: 'site.validate', input: { site: 7 } }));
    const bad = await f.next((x) => x.id === 2);
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'bad-input', field: 'site' } });
    expect(Object.keys(bad.error as object).every((k) => ['code', 'message', 'field', 'host'].includes(k))).toBe(true);
    ws.send(JSON.stringify({ id: 3, channel: 'no.such', input: {} }));
    expect(await f.next((x) => x.id === 3)).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    ws.send('this is not json');
    expect(await f.next((x) => x.id === null)).toMatchObject({
      ok: false,
      error: { code: 'bad-input', message: 'The frame is not JSON.' },
    });
    ws.close();
  });

  it('carries events: a host key prompt answered over the same socket', async () => {
    const ws = (await connect(`?token=${bridge.token}`)) as WebSocket;
    const f = frames(ws);
    const site = parseYaml(exampleText('lab-snat'));
    ws.send(JSON.stringify({ id: 'd', channel: 'engine.discover', input: { site, opId: 'd1' } }));
    const hk = (await f.next((x) => x.event === 'hostKey.confirm')).payload as { id: string; fingerprint: string };
    expect(hk.fingerprint).toBe(FINGERPRINT);
    ws.send(JSON.stringify({ id: 'h', channel: 'hostKey.decide', input: { id: hk.id, accept: true } }));
    expect(await f.next((x) => x.id === 'h')).toEqual({ id: 'h', ok: true, output: { ok: true } });
    const cr = (await f.next((x) => x.event === 'credential.request')).payload as { id: string };
    ws.send(JSON.stringify({ id: 'c', channel: 'credential.provide', input: { id: cr.id, secret: 'bridge-secret-1', remember: false } }));
    const journal = await f.next((x) => x.event === 'journal');
    expect(JSON.stringify(journal)).toContain('[redacted]');
    expect(JSON.stringify(journal)).not.toContain('bridge-secret-1');
    expect(await f.next((x) => x.id === 'd')).toMatchObject({ ok: true, output: { facts: { balancer: [{ name: 'lb1' }] } } });
    ws.close();
  });
});
