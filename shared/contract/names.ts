/**
 * Channel and event names only (no zod), so the sandboxed preload can allow-list them without
 * bundling the schemas. channels.ts / events.ts check at compile time that these lists match.
 */
export const CHANNEL_NAMES = [
  'site.examples',
  'site.load',
  'site.save',
  'site.validate',
  'site.render',
  'engine.status',
  'engine.discover',
  'engine.plan',
  'engine.apply',
  'engine.verify',
  'engine.serverState',
  'engine.cancel',
  'runbook.export',
  'hostKey.decide',
  'credential.provide',
  'vault.status',
] as const;

export const EVENT_NAMES = ['journal', 'hostKey.confirm', 'credential.request', 'prompt.closed'] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Prefix of the Electron IPC channels (`printha:site.validate`) and the one event channel. */
export const IPC_PREFIX = 'printha:';
export const IPC_EVENT_CHANNEL = 'printha:event';

export function isChannelName(s: unknown): s is ChannelName {
  return typeof s === 'string' && (CHANNEL_NAMES as readonly string[]).includes(s);
}

export function isEventName(s: unknown): s is EventName {
  return typeof s === 'string' && (EVENT_NAMES as readonly string[]).includes(s);
}

/**
 * What the preload exposes as `window.printha` (and what every renderer transport implements):
 * a call by channel name, and a subscription by event name that returns its unsubscribe.
 * Calls resolve to `{ ok: true, output } | { ok: false, error }` (never reject for a contract error).
 */
export interface PrintHABridgeApi {
  invoke(channel: ChannelName, input: unknown): Promise<unknown>;
  on(event: EventName, cb: (payload: unknown) => void): () => void;
}
