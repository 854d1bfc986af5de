/**
 * Electron IPC transport: one ipcMain.handle per contract channel (`printha:<channel>`), each
 * checking the sender with the guard and then dispatching (which parses the input with the
 * contract). Answers are `{ ok, output | error }`; nothing here throws across IPC.
 */
import { CHANNEL_NAMES, IPC_PREFIX, type CallResult, type ChannelName } from '../../shared/contract/index.js';
import type { Core } from '../core/rpc/core.js';
import type { Session } from '../core/rpc/session.js';
import type { GuardVerdict, IpcEventLike } from './ipc-guard.js';

export interface IpcMainLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's listener type has its own event class
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}

export function makeIpcHandler(
  channel: ChannelName,
  core: Pick<Core, 'dispatch'>,
  guard: (e: IpcEventLike) => GuardVerdict,
  sessionFor: (e: IpcEventLike) => Session,
  log: (line: string) => void = () => undefined,
): (event: IpcEventLike, raw?: unknown) => Promise<CallResult<unknown>> {
  return async (event, raw) => {
    const verdict = guard(event);
    if (!verdict.ok) {
      log(`ipc ${channel}: refused (${verdict.reason})`);
      return { ok: false, error: { code: 'forbidden', message: 'This page may not use PrintHA.' } };
    }
    return core.dispatch(channel, raw, sessionFor(event));
  };
}

/** Registers every contract channel; returns a function that removes them. */
export function bindIpc(
  ipcMain: IpcMainLike,
  core: Pick<Core, 'dispatch'>,
  guard: (e: IpcEventLike) => GuardVerdict,
  sessionFor: (e: IpcEventLike) => Session,
  log?: (line: string) => void,
): () => void {
  for (const ch of CHANNEL_NAMES) {
    const h = makeIpcHandler(ch, core, guard, sessionFor, log);
    ipcMain.handle(IPC_PREFIX + ch, (event: IpcEventLike, raw: unknown) => h(event, raw));
  }
  return () => {
    for (const ch of CHANNEL_NAMES) ipcMain.removeHandler(IPC_PREFIX + ch);
  };
}
