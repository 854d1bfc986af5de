/**
 * The core every transport talks to: `dispatch(channel, input, session)` and sessions (one per
 * window / bridge connection / CLI run). Transports: electron/main/ipc.ts, electron/bridge/server.ts,
 * electron/core/rpc/inprocess.ts.
 */
import type { CallResult, EventName } from '../../../shared/contract/index.js';
import { dispatch as dispatchWith, type Handlers } from './dispatch.js';
import { createHandlers, type CoreDeps } from './handlers.js';
import { Session } from './session.js';
import { sessionOnlyVault } from '../vault/types.js';

export interface Core {
  dispatch(channel: unknown, input: unknown, session: Session): Promise<CallResult<unknown>>;
  openSession(emit: (event: EventName, payload: unknown) => void): Session;
  readonly handlers: Handlers;
  /** Closes the engine's open sessions (SSH): call when the window or `printha ui` stops. */
  close(): Promise<void>;
}

export function createCore(deps: CoreDeps): Core {
  const vault = deps.vault ?? sessionOnlyVault();
  const handlers = createHandlers({ ...deps, vault });
  return {
    handlers,
    close: async () => {
      await deps.engine?.close?.();
    },
    dispatch: (channel, input, session) => dispatchWith(handlers, channel, input, session, deps.log ? { log: deps.log } : {}),
    openSession: (emit) =>
      new Session({
        emit,
        ...(deps.promptTimeoutMs !== undefined ? { promptTimeoutMs: deps.promptTimeoutMs } : {}),
        ...(deps.log ? { log: deps.log } : {}),
        rememberStatus: () => vault.status(),
      }),
  };
}

export type { CoreDeps } from './handlers.js';
export { Session } from './session.js';
