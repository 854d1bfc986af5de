/**
 * Who may call the core over IPC: only the main frame of our own window, showing our own page
 * (app://printha, or the dev server / file:// root it was given). Pure for tests.
 */
export interface FrameLike {
  url: string;
  parent?: FrameLike | null;
}

export interface IpcEventLike {
  sender: unknown;
  senderFrame: FrameLike | null | undefined;
}

export interface WindowLike {
  isDestroyed?(): boolean;
  webContents: { mainFrame: FrameLike };
}

export interface IpcGuardOptions {
  getWindow(): WindowLike | undefined | null;
  /** The page URLs our window may show (see isAllowedAppUrl). */
  isAllowedUrl(url: string): boolean;
}

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/** True for app://printha/… and, when given, URLs under the dev server origin or the file:// renderer root. */
export function isAllowedAppUrl(url: string, extra: { devOrigin?: string; fileRoot?: string } = {}): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'app:' && u.host === 'printha') return true;
  if (extra.devOrigin && u.origin === new URL(extra.devOrigin).origin) return true;
  if (extra.fileRoot && u.protocol === 'file:') {
    const root = new URL(extra.fileRoot.endsWith('/') ? extra.fileRoot : `${extra.fileRoot}/`);
    return u.href.startsWith(root.href);
  }
  return false;
}

export function makeIpcGuard(opts: IpcGuardOptions): (event: IpcEventLike) => GuardVerdict {
  return (event) => {
    const win = opts.getWindow();
    if (!win || win.isDestroyed?.()) return { ok: false, reason: 'no PrintHA window' };
    if (event.sender !== win.webContents) return { ok: false, reason: 'sender is not the PrintHA window' };
    const frame = event.senderFrame;
    if (!frame) return { ok: false, reason: 'sender frame is gone' };
    if (frame !== win.webContents.mainFrame || frame.parent) return { ok: false, reason: 'sender is not the main frame' };
    if (!opts.isAllowedUrl(frame.url)) return { ok: false, reason: `sender page ${frame.url.slice(0, 100)} is not PrintHA's` };
    return { ok: true };
  };
}
