/**
 * The in-process transport (the CLI): the same dispatch, parse and error shape as IPC and the
 * bridge, without a wire. A failed call throws ContractCallError.
 */
import {
  ContractCallError,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type EventName,
} from '../../../shared/contract/index.js';
import type { Core } from './core.js';
import type { Session } from './session.js';

export interface InProcessClient {
  invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  readonly session: Session;
  close(): void;
}

export function createInProcessClient(
  core: Core,
  onEvent: (event: EventName, payload: unknown) => void = () => undefined,
): InProcessClient {
  const session = core.openSession(onEvent);
  return {
    session,
    async invoke(channel, input) {
      const r = await core.dispatch(channel, input, session);
      if (!r.ok) throw new ContractCallError(r.error);
      return r.output as ChannelOutput<typeof channel>;
    },
    close: () => session.close(),
  };
}
