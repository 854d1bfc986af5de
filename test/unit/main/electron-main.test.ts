/**
 * Electron main without the Electron binary: window options, CSP, the IPC guard and handlers,
 * hardening handlers, the app:// resolver, the safeStorage vault and the preload (electron aliased
 * to test/support/electron-stub.ts).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../../shared/contract/index.js';
import { CSP } from '../../../electron/main/csp.js';
import { isAllowedAppUrl, makeIpcGuard, type FrameLike } from '../../../electron/main/ipc-guard.js';
import { bindIpc, makeIpcHandler } from '../../../electron/main/ipc.js';
import { appProtocolHandler, resolveAppFile } from '../../../electron/main/protocol.js';
import { hardenSession, hardenWebContents, isAllowedRequest } from '../../../electron/main/security.js';
import { createSafeStorageVault, safeStorageStatus, type SafeStorageLike } from '../../../electron/main/vault.js';
import { windowOptions } from '../../../electron/main/window.js';
import type { createPreloadApi } from '../../../electron/preload/api.js';
import type * as ElectronStub from '../../support/electron-stub.js';
import { fakeCore } from '../../support/fake-core.js';

describe('BrowserWindow options', () => {
  it('isolate, sandbox and keep Node out of the page', () => {
    const o = windowOptions('/app/out/preload/index.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(o.webPreferences?.enableBlinkFeatures).toBeUndefined();
    expect(o.show).toBe(false);
    expect(o.minWidth).toBeLessThanOrEqual(1280);
    expect(windowOptions('/p', { devTools: true }).webPreferences?.devTools).toBe(true);
  });
});

describe('CSP', () => {
  const directives = Object.fromEntries(
    CSP.split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  it("is default-src 'self' with no eval, no inline script and no remote source", () => {
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval|unsafe-inline|https?:|\*|ws:/);
  });
  it('the renderer page carries a meta CSP without eval or remote hosts', () => {
    const html = readFileSync(new URL('../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(meta).toMatch(/default-src 'self'/);
    expect(meta).not.toMatch(/unsafe-eval|unsafe-inline|https?:/);
    for (const src of meta.match(/ws:\/\/[^ ;]+/g) ?? []) expect(src).toMatch(/^ws:\/\/(127\.0\.0\.1|localhost):\*$/);
  });
});

describe('IPC', () => {
  const mainFrame: FrameLike = { url: 'app://printha/index.html', parent: null };
  const win = { webContents: { mainFrame }, isDestroyed: () => false };
  const guard = makeIpcGuard({ getWindow: () => win, isAllowedUrl: (u) => isAllowedAppUrl(u) });
  const ours = { sender: win.webContents, senderFrame: mainFrame };

  it('the guard accepts only our window main frame on our origin', () => {
    expect(guard(ours)).toEqual({ ok: true });
    expect(guard({ sender: {}, senderFrame: mainFrame }).ok).toBe(false);
    expect(guard({ sender: win.webContents, senderFrame: { url: 'app://printha/x', parent: mainFrame } }).ok).toBe(false);
    expect(guard({ sender: win.webContents, senderFrame: null }).ok).toBe(false);
    const evilWin = { webContents: { mainFrame: { url: 'https://evil.example/', parent: null } } };
    const g2 = makeIpcGuard({ getWindow: () => evilWin, isAllowedUrl: (u) => isAllowedAppUrl(u) });
    expect(g2({ sender: evilWin.webContents, senderFrame: evilWin.webContents.mainFrame })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not PrintHA/),
    });
    expect(makeIpcGuard({ getWindow: () => undefined, isAllowedUrl: () => true })(ours).ok).toBe(false);
  });

  it('allowed page URLs: app://printha, the dev server and the file root only when given', () => {
    expect(isAllowedAppUrl('app://printha/index.html')).toBe(true);
    expect(isAllowedAppUrl('app://other/index.html')).toBe(false);
    expect(isAllowedAppUrl('http://localhost:5173/')).toBe(false);
    expect(isAllowedAppUrl('http://localhost:5173/', { devOrigin: 'http://localhost:5173' })).toBe(true);
    expect(isAllowedAppUrl('file:///opt/printha/out/renderer/index.html', { fileRoot: 'file:///opt/printha/out/renderer' })).toBe(true);
    expect(isAllowedAppUrl('file:///etc/passwd', { fileRoot: 'file:///opt/printha/out/renderer' })).toBe(false);
  });

  it('handlers reject a foreign sender without dispatching, and a malformed input with the error shape', async () => {
    const core = fakeCore();
    const session = core.openSession(() => undefined);
    const spy = vi.fn(core.dispatch);
    const h = makeIpcHandler('site.validate', { dispatch: spy }, guard, () => session);
    const foreign = await h({ sender: {}, senderFrame: { url: 'https://evil.example/', parent: null } }, { site: {} });
    expect(foreign).toEqual({ ok: false, error: { code: 'forbidden', message: 'This page may not use PrintHA.' } });
    expect(spy).not.toHaveBeenCalled();
    const malformed = await h(ours, { site: 'x', extra: true });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(JSON.stringify(malformed)).not.toMatch(/\s+at\s/);
    const good = await h(ours, { site: {} });
    expect(good).toMatchObject({ ok: true, output: { ok: false } });
  });

  it('bindIpc registers every contract channel (and only those), and removes them', async () => {
    const registered = new Map<string, (e: unknown, raw: unknown) => unknown>();
    const ipcMain = {
      handle: (c: string, l: (e: unknown, raw: unknown) => unknown) => void registered.set(c, l),
      removeHandler: (c: string) => void registered.delete(c),
    };
    const core = fakeCore();
    const session = core.openSession(() => undefined);
    const unbind = bindIpc(ipcMain, core, guard, () => session);
    expect([...registered.keys()].sort()).toEqual(CHANNEL_NAMES.map((c) => IPC_PREFIX + c).sort());
    expect(await registered.get('printha:site.examples')!({ sender: {}, senderFrame: mainFrame }, {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    unbind();
    expect(registered.size).toBe(0);
  });
});

describe('hardening', () => {
  it('denies window.open, navigation, webviews, permissions and remote requests', () => {
    const listeners: Record<string, (e: { preventDefault(): void }) => void> = {};
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    hardenWebContents({ setWindowOpenHandler: (h) => void (openHandler = h), on: (ev, l) => void (listeners[ev] = l) });
    expect(openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      listeners[ev]!(e);
      expect(e.preventDefault).toHaveBeenCalled();
    }
    let perm: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: ((...a: unknown[]) => boolean) | undefined;
    let before: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | undefined;
    hardenSession({
      setPermissionRequestHandler: (h) => void (perm = h),
      setPermissionCheckHandler: (h) => void (check = h),
      webRequest: { onBeforeRequest: (l) => void (before = l) },
    });
    const granted = vi.fn();
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) perm!({}, p, granted);
    expect(granted.mock.calls.every(([g]) => g === false)).toBe(true);
    expect(check!({}, 'media')).toBe(false);
    const verdict = (url: string) => {
      let r: { cancel: boolean } | undefined;
      before!({ url }, (x) => (r = x));
      return r?.cancel;
    };
    expect(verdict('https://cdn.example.com/x.js')).toBe(true);
    expect(verdict('http://127.0.0.1:8080/')).toBe(true);
    expect(verdict('file:///etc/passwd')).toBe(true);
    expect(verdict('app://printha/assets/index.js')).toBe(false);
    expect(verdict('app://other/x')).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', 'http://localhost:5173')).toBe(true);
  });

  it('app:// serves only files inside the renderer root, with the CSP header', async () => {
    expect(resolveAppFile('/r', 'app://printha/')).toBe('/r/index.html');
    expect(resolveAppFile('/r', 'app://printha/assets/a.js')).toBe('/r/assets/a.js');
    expect(resolveAppFile('/r', 'app://printha/../etc/passwd')).toBe('/r/etc/passwd');
    expect(resolveAppFile('/r', 'app://printha/%2e%2e/%2e%2e/etc/passwd')).toBe('/r/etc/passwd');
    expect(resolveAppFile('/r', 'app://printha/..%2f..%2fetc%2fpasswd')).toBeUndefined();
    expect(resolveAppFile('/r', 'app://evil/index.html')).toBeUndefined();
    expect(resolveAppFile('/r', 'app://printha/a%00b')).toBeUndefined();
    const handler = appProtocolHandler('/r', async (f) => Buffer.from(`file ${f}`));
    const ok = await handler({ url: 'app://printha/index.html' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(ok.headers.get('content-type')).toMatch(/text\/html/);
    expect((await handler({ url: 'app://printha/..%2f..%2fx' })).status).toBe(404);
  });
});

describe('safeStorage vault', () => {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  type Ss = SafeStorageLike & { calls: string[]; rotated: boolean };
  /** The asynchronous safeStorage API (Electron 45 deprecates the synchronous one; 46 removes it). */
  const ss = (backend: string, available = true): Ss => {
    const s: Ss = {
      calls: [],
      rotated: false,
      isAsyncEncryptionAvailable: () => Promise.resolve(available),
      encryptStringAsync: (p) => {
        s.calls.push('encrypt');
        return Promise.resolve(xor(Buffer.from(`${s.rotated ? 'enc2' : 'enc'}:${p}`)));
      },
      decryptStringAsync: (b) => {
        s.calls.push('decrypt');
        const t = xor(b).toString();
        return Promise.resolve({ result: t.replace(/^enc2?:/, ''), shouldReEncrypt: s.rotated && t.startsWith('enc:') });
      },
      getSelectedStorageBackend: () => backend,
    };
    return s;
  };
  const tmpFile = (...sub: string[]) => join(mkdtempSync(join(tmpdir(), 'pha-vault-')), ...sub, 'credentials.json');

  it("refuses to store with the 'basic_text' backend or without encryption, and says why", async () => {
    expect(safeStorageStatus(ss('basic_text'), true, 'linux')).toMatchObject({
      canStore: false,
      reason: expect.stringMatching(/basic_text.*refuses/),
    });
    expect(safeStorageStatus(ss('gnome_libsecret'), false, 'linux')).toMatchObject({
      canStore: false,
      reason: expect.stringMatching(/no encryption/),
    });
    expect(safeStorageStatus(ss('unknown'), false, 'win32')).toMatchObject({ canStore: false });
    expect(safeStorageStatus(ss('gnome_libsecret'), true, 'linux')).toEqual({ canStore: true });
    expect(safeStorageStatus(ss('unknown'), true, 'win32')).toEqual({ canStore: true });
    const file = tmpFile();
    const v = createSafeStorageVault(ss('basic_text'), file, 'linux');
    await expect(v.set('k', 'secret')).rejects.toThrow(/refuses/);
    const none = ss('kwallet6', false);
    const w = createSafeStorageVault(none, file, 'linux');
    await expect(w.set('k', 'secret')).rejects.toThrow(/no encryption/);
    expect(w.status()).toMatchObject({ canStore: false, reason: expect.stringMatching(/no encryption/) });
    expect(none.calls).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('asks safeStorage at creation, so status() answers from its reply', async () => {
    const v = createSafeStorageVault(ss('gnome_libsecret', false), tmpFile(), 'linux');
    await v.refresh();
    expect(v.status()).toMatchObject({ canStore: false });
    const w = createSafeStorageVault(ss('gnome_libsecret'), tmpFile(), 'linux');
    await expect(w.refresh()).resolves.toEqual({ canStore: true });
    expect(w.status()).toEqual({ canStore: true });
  });

  it('stores encrypted, never the plaintext, and reads it back', async () => {
    const file = tmpFile('sub');
    const v = createSafeStorageVault(ss('kwallet5'), file, 'linux');
    await v.set('ssh-password:root@10.0.0.1', 'Pa55word!');
    expect(readFileSync(file, 'utf8')).not.toContain('Pa55word!');
    expect(await v.get('ssh-password:root@10.0.0.1')).toBe('Pa55word!');
    expect(await v.get('other')).toBeUndefined();
  });

  it('two stores at once keep both entries', async () => {
    const file = tmpFile();
    const v = createSafeStorageVault(ss('kwallet5'), file, 'linux');
    await Promise.all([v.set('a', 'one'), v.set('b', 'two'), v.set('c', 'three')]);
    expect(await Promise.all(['a', 'b', 'c'].map((k) => v.get(k)))).toEqual(['one', 'two', 'three']);
  });

  it('electron/main uses no synchronous safeStorage call (deprecated in Electron 45, removed in 46)', () => {
    const dir = new URL('../../../electron/main/', import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts')))
      expect(readFileSync(new URL(f, dir), 'utf8'), f).not.toMatch(/\.(encryptString|decryptString|isEncryptionAvailable)\(/);
  });

  it('re-encrypts a secret when safeStorage says the key was rotated', async () => {
    const file = tmpFile();
    const s = ss('gnome_libsecret');
    const v = createSafeStorageVault(s, file, 'linux');
    await v.set('k', 'Pa55word!');
    const before = readFileSync(file, 'utf8');
    s.rotated = true;
    expect(await v.get('k')).toBe('Pa55word!');
    const after = readFileSync(file, 'utf8');
    expect(after).not.toBe(before);
    expect(after).not.toContain('Pa55word!');
    s.calls.length = 0;
    expect(await v.get('k')).toBe('Pa55word!');
    expect(s.calls).toEqual(['decrypt']);
  });
});

describe('preload', () => {
  it('exposes invoke/on for contract names only and hides the IPC event', async () => {
    const electron = await import('electron');
    const stub = electron as unknown as typeof ElectronStub;
    await import('../../../electron/preload/index.js');
    const api = stub.exposed.printha as ReturnType<typeof createPreloadApi>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
    await expect(api.invoke('site.validate', { site: {} })).resolves.toEqual({ ok: true, output: { echoed: 'printha:site.validate' } });
    await expect(api.invoke('evil.channel' as never, {})).rejects.toThrow(/not a PrintHA channel/);
    expect(stub.ipcRenderer.invoked.map((c) => c.channel)).toEqual(['printha:site.validate']);
    expect(() => api.on('not-an-event' as never, () => undefined)).toThrow(/not a PrintHA event/);
    const got: unknown[] = [];
    const off = api.on('journal', (...args: unknown[]) => got.push(args));
    stub.ipcRenderer.emit(IPC_EVENT_CHANNEL, { sender: 'SECRET-SENDER' }, { event: 'journal', payload: { opId: 'x' } });
    stub.ipcRenderer.emit(IPC_EVENT_CHANNEL, { sender: 'SECRET-SENDER' }, { event: 'prompt.closed', payload: {} });
    expect(got).toEqual([[{ opId: 'x' }]]);
    off();
    expect(stub.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
  });
});

describe('main entry', () => {
  it('loads against the stub: app:// privileged, sandbox for all, hardening on every web contents', async () => {
    const stub = (await import('electron')) as unknown as typeof ElectronStub;
    await import('../../../electron/main/index.js');
    expect(stub.calls.sandbox).toBe(true);
    expect(stub.calls.schemes).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }) }),
    ]);
    expect(stub.calls.appEvents).toEqual(expect.arrayContaining(['web-contents-created', 'window-all-closed', 'second-instance']));
  });
});
