/** A renderer Transport wired straight to a core (no wire): what the renderer tests drive. */
import type { Core } from '../../../electron/core/rpc/core.js';
import type { EventName } from '../../../shared/contract/index.js';
import type { Transport } from '../../../renderer/src/platform/transport.js';

export interface MemoryTransport extends Transport {
  calls: { channel: string; input: unknown }[];
}

export function memoryTransport(core: Core): MemoryTransport {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const session = core.openSession((event, payload) => {
    for (const cb of listeners.get(event) ?? []) cb(payload);
  });
  const calls: { channel: string; input: unknown }[] = [];
  return {
    kind: 'bridge',
    calls,
    call: (channel, input) => {
      calls.push({ channel, input });
      // Through JSON like a real wire: what crosses is plain data.
      return core.dispatch(channel, JSON.parse(JSON.stringify(input)), session).then((r) => JSON.parse(JSON.stringify(r)));
    },
    on: (event: EventName, cb) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(cb);
      return () => listeners.get(event)?.delete(cb);
    },
  };
}
