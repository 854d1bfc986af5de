/**
 * Hardening of every web contents and of the session: no new windows, no navigation, no webviews,
 * every permission denied, no request leaves the app (offline by design). Pure over small
 * interfaces so tests can drive them with stubs.
 */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  setWindowOpenHandler(h: (details: { url: string }) => { action: 'deny' }): void;
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (e: PreventableEvent, ...rest: unknown[]) => void,
  ): unknown;
}

export interface SessionLike {
  setPermissionRequestHandler(h: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(h: (...args: unknown[]) => boolean): void;
  webRequest: { onBeforeRequest(listener: (details: { url: string }, callback: (r: { cancel: boolean }) => void) => void): void };
}

/** Our own content only: app://printha, devtools, data:/blob: (images, downloads), and the dev server when given. */
export function isAllowedRequest(url: string, devOrigin?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'app:') return u.host === 'printha';
  if (u.protocol === 'devtools:' || u.protocol === 'data:' || u.protocol === 'blob:') return true;
  if (devOrigin) {
    const d = new URL(devOrigin);
    if (u.host === d.host && (u.protocol === d.protocol || u.protocol === 'ws:')) return true;
  }
  return false;
}

export function hardenWebContents(contents: WebContentsLike): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // The wizard is a single page: any navigation away is refused (links, drag-and-drop, scripts).
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

export function hardenSession(ses: SessionLike, devOrigin?: string): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, devOrigin) }));
}
