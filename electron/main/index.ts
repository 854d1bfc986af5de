/**
 * Electron main: glue only. One hardened window on app://printha, the contract bound to IPC with a
 * sender check, credentials in safeStorage, everything else in electron/core.
 */
import { app, BrowserWindow, ipcMain, protocol, safeStorage, session } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_EVENT_CHANNEL } from '../../shared/contract/names.js';
import { createDefaultCore } from '../core/rpc/defaults.js';
import type { Session } from '../core/rpc/session.js';
import { isAllowedAppUrl, makeIpcGuard } from './ipc-guard.js';
import { bindIpc } from './ipc.js';
import { APP_ENTRY, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol.js';
import { hardenSession, hardenWebContents } from './security.js';
import { createSafeStorageVault } from './vault.js';
import { windowOptions } from './window.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererRoot = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'index.cjs');
/** electron-vite dev server (development only, never in a packaged app). */
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) app.quit();

app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));

let win: BrowserWindow | undefined;
let uiSession: Session | undefined;

function examplesDir(): string {
  const packaged = join(process.resourcesPath, 'examples');
  return app.isPackaged || existsSync(packaged) ? packaged : join(app.getAppPath(), 'examples');
}

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererRoot));
  hardenSession(session.defaultSession, devUrl);

  const userData = app.getPath('userData');
  const vault = createSafeStorageVault(safeStorage, join(userData, 'credentials.json'));
  const core = createDefaultCore({ examplesDir: examplesDir(), vault, knownHostsPath: join(userData, 'known_hosts'), env: process.env });

  win = new BrowserWindow(windowOptions(preloadPath, { devTools: !app.isPackaged }));
  const w = win;
  uiSession = core.openSession((event, payload) => {
    if (!w.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
  });
  const s = uiSession;
  const guard = makeIpcGuard({
    getWindow: () => (w.isDestroyed() ? undefined : w),
    isAllowedUrl: (url) => isAllowedAppUrl(url, devUrl ? { devOrigin: devUrl } : {}),
  });
  const unbind = bindIpc(ipcMain, core, guard, () => s);
  w.once('ready-to-show', () => w.show());
  w.on('closed', () => {
    s.close();
    unbind();
    win = undefined;
    void core.close(); // the engine's SSH sessions
  });
  await w.loadURL(devUrl ?? APP_ENTRY);
}

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.on('window-all-closed', () => app.quit());

app.whenReady().then(start, (e: unknown) => {
  console.error(`PrintHA could not start: ${e instanceof Error ? e.message : String(e)}`);
  app.quit();
});
