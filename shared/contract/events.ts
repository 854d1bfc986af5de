/**
 * Events from the core to a UI. Host-key confirmation and credential entry are request/response:
 * the core emits `hostKey.confirm` / `credential.request` with an id, the UI answers with the
 * `hostKey.decide` / `credential.provide` call; an unanswered prompt expires after `timeoutMs` and
 * the core emits `prompt.closed`.
 */
import { z } from 'zod';
import { JournalEventSchema } from '../journal/events.js';
import type { EventName } from './names.js';

export const EVENTS = {
  /** One journal event of a running operation (Apply screen: step start/end, command, output). */
  journal: z.object({ opId: z.string(), event: JournalEventSchema }),
  /**
   * An unknown SSH host key: show the SHA256 fingerprint and ask. `knownKeys` set (not empty): the
   * host IS known, by keys of other types, and now presents a key of a new type — a possible
   * man-in-the-middle or a re-installed server: the louder question naming the known keys.
   * A changed key of a known type is an error, never a prompt.
   */
  'hostKey.confirm': z.object({
    id: z.string(),
    opId: z.string().optional(),
    host: z.string(),
    port: z.number(),
    fingerprint: z.string(),
    /** the presented key's type (ssh-ed25519, ssh-rsa, ...); absent only when the caller did not say */
    keyType: z.string().optional(),
    /** the keys (of other types) already trusted for this host: present only for a key of a new type */
    knownKeys: z.array(z.object({ keyType: z.string(), fingerprint: z.string() })).optional(),
    timeoutMs: z.number(),
  }),
  /** A password/passphrase is needed for a host. `canRemember` = the vault can store it encrypted. */
  'credential.request': z.object({
    id: z.string(),
    opId: z.string().optional(),
    kind: z.enum(['ssh-password', 'ssh-key-passphrase', 'windows-password']),
    host: z.string(),
    user: z.string(),
    timeoutMs: z.number(),
    canRemember: z.boolean(),
    /** Why the credential cannot be remembered (e.g. no OS keyring). */
    rememberNote: z.string().optional(),
  }),
  /** A prompt ended without (or after) an answer: the UI closes its dialog. */
  'prompt.closed': z.object({ id: z.string(), reason: z.enum(['answered', 'timeout', 'cancelled']) }),
} as const satisfies Record<EventName, z.ZodType>;

export type Events = typeof EVENTS;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
