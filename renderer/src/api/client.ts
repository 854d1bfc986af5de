/** Typed calls over the current transport. A failed call throws ContractCallError (code, message, field?, host?). */
import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from '../../../shared/contract/index.js';
// errors.js directly: the contract index pulls every zod schema into the first screen's chunk.
import { ContractCallError } from '../../../shared/contract/errors.js';
import { noTransport, type Transport } from '../platform/transport.js';

let transport: Transport = noTransport();

export function setTransport(t: Transport): void {
  transport = t;
}

export function getTransport(): Transport {
  return transport;
}

export async function call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const r = await transport.call(channel, input);
  if (!r.ok) throw new ContractCallError(r.error);
  return r.output as ChannelOutput<C>;
}

export function onEvent<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void {
  return transport.on(event, cb as (p: unknown) => void);
}

/** The error shape of anything a call threw (for display). */
export function errorShape(e: unknown): { code: string; message: string; field?: string; host?: string } {
  if (e instanceof ContractCallError) return e.toShape();
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

let opSeq = 0;
export function newOpId(prefix: string): string {
  opSeq += 1;
  return `${prefix}-${Date.now().toString(36)}-${opSeq}`;
}
