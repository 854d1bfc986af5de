/**
 * The one error shape every transport carries: `{ code, message, field?, host? }`.
 * `message` is a sentence for the engineer (what is wrong and what to do), never a stack trace.
 * No zod here (the renderer's first screen imports this); the schema is in error-schema.ts.
 */

export const ERROR_CODES = [
  /** The input did not match the channel's schema (a bug in the caller, or a tampered message). */
  'bad-input',
  /** The channel name is not in the contract. */
  'unknown-channel',
  /** The sender is not our window / has no valid token. */
  'forbidden',
  /** The site file has errors (preflight); `field` names the first one. */
  'invalid-site',
  /** The engine for this step is not part of this build yet. */
  'not-available',
  /** The run was cancelled by the engineer. */
  'cancelled',
  /** A host key prompt or credential prompt was not answered in time. */
  'timeout',
  /** The SSH host key differs from the one PrintHA trusted: a hard stop. */
  'host-key-changed',
  /** The engineer rejected an unknown host key. */
  'host-key-rejected',
  /** No credential was given for a host. */
  'credential-missing',
  /** A host could not be reached or refused the login. */
  'unreachable',
  /** A step failed on a host (the message says which and what state the host is in). */
  'failed',
  /** A bug in PrintHA: the message says so and asks for a report. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractError {
  code: ErrorCode;
  message: string;
  /** The site-file field the error is about, e.g. `servers[1].address`. */
  field?: string;
  /** The host the error is about (a balancer node or server label / address). */
  host?: string;
}

/** What a call returns on every transport: the output, or the error shape. */
export type CallResult<T> = { ok: true; output: T } | { ok: false; error: ContractError };

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && (ERROR_CODES as readonly string[]).includes(s);
}

/** An Error that carries the contract shape (thrown by engines and handlers, and by clients on a failed call). */
export class ContractCallError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly host?: string;
  constructor(e: ContractError) {
    super(e.message);
    this.name = 'ContractCallError';
    this.code = e.code;
    if (e.field !== undefined) this.field = e.field;
    if (e.host !== undefined) this.host = e.host;
  }
  toShape(): ContractError {
    return {
      code: this.code,
      message: this.message,
      ...(this.field ? { field: this.field } : {}),
      ...(this.host ? { host: this.host } : {}),
    };
  }
}
