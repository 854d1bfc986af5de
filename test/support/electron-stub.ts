/**
 * Stand-in for the 'electron' module in unit tests (no Electron binary here): records what the
 * code under test registers so tests can assert it.
 */
type Listener = (...args: unknown[]) => unknown;

export const exposed: Record<string, unknown> = {};
export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    exposed[key] = api;
  },
};

const rendererListeners = new Map<string, Set<Listener>>();
export const ipcRenderer = {
  invoked: [] as { channel: string; args: unknown[] }[],
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invoked.push({ channel, args });
    return Promise.resolve({ ok: true, output: { echoed: channel } });
  },
  on(channel: string, l: Listener) {
    if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
    rendererListeners.get(channel)!.add(l);
    return ipcRenderer;
  },
  removeListener(channel: string, l: Listener) {
    rendererListeners.get(channel)?.delete(l);
    return ipcRenderer;
  },
  /** Test helper: deliver a message from main. */
  emit(channel: string, event: unknown, ...args: unknown[]): void {
    for (const l of rendererListeners.get(channel) ?? []) l(event, ...args);
  },
  listenerCount(channel: string): number {
    return rendererListeners.get(channel)?.size ?? 0;
  },
};

export const handlers = new Map<string, Listener>();
export const ipcMain = {
  handle(channel: string, l: Listener): void {
    handlers.set(channel, l);
  },
  removeHandler(channel: string): void {
    handlers.delete(channel);
  },
};

/** What main registered at import time (before app ready). */
export const calls: { schemes: unknown[]; sandbox: boolean; appEvents: string[] } = { schemes: [], sandbox: false, appEvents: [] };
export const app = {
  isPackaged: false,
  getPath: () => '/tmp/printha-stub',
  on: (event: string) => {
    calls.appEvents.push(event);
    return app;
  },
  whenReady: () => new Promise<void>(() => undefined),
  requestSingleInstanceLock: () => true,
  enableSandbox: () => {
    calls.sandbox = true;
  },
  quit: () => undefined,
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown[]) => {
    calls.schemes.push(...schemes);
  },
  handle: () => undefined,
};
export const session = { defaultSession: {} };
/** The asynchronous safeStorage API only: the synchronous one is deprecated in Electron 45, removed in 46. */
export const safeStorage = {
  isAsyncEncryptionAvailable: () => Promise.resolve(false),
  encryptStringAsync: (s: string) => Promise.resolve(Buffer.from(s)),
  decryptStringAsync: (b: Buffer) => Promise.resolve({ result: b.toString(), shouldReEncrypt: false }),
  getSelectedStorageBackend: () => 'basic_text',
};
export class BrowserWindow {}
export default { contextBridge, ipcRenderer, ipcMain, app, protocol, session, safeStorage, BrowserWindow };
