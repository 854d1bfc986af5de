/**
 * How the wizard reaches the core: the Electron preload (`window.printha`), or the WebSocket bridge
 * of `printha ui` (token from the page address). Both carry the same contract and answer
 * `{ ok, output | error }`.
 */
import type { CallResult, ChannelName, EventName, PrintHABridgeApi } from '../../../shared/contract/index.js';

export interface Transport {
  readonly kind: 'electron' | 'bridge' | 'none';
  call(channel: ChannelName, input: unknown): Promise<CallResult<unknown>>;
  on(event: EventName, cb: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    printha?: PrintHABridgeApi;
  }
}

function asResult(r: unknown): CallResult<unknown> {
  if (r && typeof r === 'object' && 'ok' in r) return r as CallResult<unknown>;
  return { ok: false, error: { code: 'internal', message: 'PrintHA answered in an unexpected form (a bug).' } };
}

export function preloadTransport(api: PrintHABridgeApi): Transport {
  return {
    kind: 'electron',
    call: async (channel, input) => {
      try {
        return asResult(await api.invoke(channel, input));
      } catch {
        return { ok: false, error: { code: 'internal', message: 'The PrintHA window lost its connection to the core; restart PrintHA.' } };
      }
    },
    on: (event, cb) => api.on(event, cb),
  };
}

type WsCtor = new (url: string) => WebSocket;

const LOST = 'Lost the connection to PrintHA. Is `printha ui` still running? Start it again and open the new address it prints.';

/** JSON frames over one WebSocket; calls made before it opens wait for it. */
export class WsTransport implements Transport {
  readonly kind = 'bridge' as const;
  private ws: WebSocket;
  private seq = 0;
  private readonly pending = new Map<number, (r: CallResult<unknown>) => void>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  private readonly opened: Promise<boolean>;

  constructor(url: string, Ctor: WsCtor = WebSocket) {
    this.ws = new Ctor(url);
    this.opened = new Promise((resolve) => {
      this.ws.addEventListener('open', () => resolve(true));
      this.ws.addEventListener('error', () => resolve(false));
      this.ws.addEventListener('close', () => {
        resolve(false);
        for (const done of this.pending.values()) done({ ok: false, error: { code: 'unreachable', message: LOST } });
        this.pending.clear();
      });
    });
    this.ws.addEventListener('message', (m: MessageEvent) => this.onMessage(m.data));
  }

  private onMessage(data: unknown): void {
    let f: { id?: unknown; event?: unknown; payload?: unknown } & Partial<CallResult<unknown>>;
    try {
      f = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof f.event === 'string') {
      for (const cb of this.listeners.get(f.event) ?? []) cb(f.payload);
      return;
    }
    if (typeof f.id === 'number') {
      const done = this.pending.get(f.id);
      if (!done) return;
      this.pending.delete(f.id);
      done(asResult(f));
    }
  }

  async call(channel: ChannelName, input: unknown): Promise<CallResult<unknown>> {
    if (!(await this.opened) || this.ws.readyState !== 1) return { ok: false, error: { code: 'unreachable', message: LOST } };
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, channel, input }));
    });
  }

  on(event: EventName, cb: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb);
    return () => set.delete(cb);
  }
}

export function noTransport(): Transport {
  return {
    kind: 'none',
    call: async () => ({
      ok: false,
      error: {
        code: 'unreachable',
        message: 'This page is not connected to PrintHA. Start it with `npm start` or open the address `printha ui` prints.',
      },
    }),
    on: () => () => undefined,
  };
}

/** Electron preload if present, else the bridge named by the page address's token, else none. */
export function pickTransport(win: Window = window): Transport {
  if (win.printha) return preloadTransport(win.printha);
  const token = new URLSearchParams(win.location.search).get('token');
  if (token && /^[A-Za-z0-9]{16,128}$/.test(token)) {
    const proto = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return new WsTransport(`${proto}//${win.location.host}/bridge?token=${encodeURIComponent(token)}`);
  }
  return noTransport();
}
