/**
 * The preload's API (pure over an ipcRenderer-like object so tests can drive it): `invoke` only
 * for contract channels, `on` only for contract events; the IPC event object (with `sender`) is
 * never handed to the page.
 */
import { IPC_EVENT_CHANNEL, IPC_PREFIX, isChannelName, isEventName, type PrintHABridgeApi } from '../../shared/contract/names.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadApi(ipc: IpcRendererLike): PrintHABridgeApi {
  return Object.freeze({
    invoke(channel: unknown, input: unknown): Promise<unknown> {
      if (!isChannelName(channel)) return Promise.reject(new Error(`"${String(channel).slice(0, 60)}" is not a PrintHA channel.`));
      return ipc.invoke(IPC_PREFIX + channel, input);
    },
    on(event: unknown, cb: unknown): () => void {
      if (!isEventName(event)) throw new Error(`"${String(event).slice(0, 60)}" is not a PrintHA event.`);
      if (typeof cb !== 'function') throw new Error('on(event, callback) needs a function.');
      const listener = (_e: unknown, msg: unknown) => {
        const m = msg as { event?: unknown; payload?: unknown } | null;
        if (m && typeof m === 'object' && m.event === event) (cb as (p: unknown) => void)(m.payload);
      };
      ipc.on(IPC_EVENT_CHANNEL, listener);
      return () => {
        ipc.removeListener(IPC_EVENT_CHANNEL, listener);
      };
    },
  }) as PrintHABridgeApi;
}
