/**
 * The transport-independent dispatcher: channel name -> parse input with the contract's schema ->
 * handler -> check output against the schema -> `{ ok, output }` or `{ ok: false, error }` with the
 * one error shape. Never throws, never returns a stack trace, never lets a secret of the session
 * (or of the input) out in an output, an error or a log line.
 */
import type { z } from 'zod';
import {
  CHANNELS,
  SECRET_FIELDS,
  ContractCallError,
  isChannelName,
  isErrorCode,
  type CallResult,
  type ChannelInputParsed,
  type ChannelName,
  type ChannelOutput,
  type ContractError,
} from '../../../shared/contract/index.js';
import { formatPath } from '../../../shared/rules/finding.js';
import type { Redactor } from './redact.js';
import type { Session } from './session.js';

export type Handler<C extends ChannelName> = (
  input: ChannelInputParsed<C>,
  session: Session,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
export type Handlers = { [C in ChannelName]: Handler<C> };

export interface DispatchOptions {
  log?: (line: string) => void;
}

const MAX_MESSAGE = 2000;

/** The message part of an error text: the first lines before any stack frame, capped. */
export function userMessage(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (const l of lines) {
    if (/^\s+at\s/.test(l)) break;
    kept.push(l);
  }
  const msg = kept.join('\n').trim();
  return msg.length > MAX_MESSAGE ? `${msg.slice(0, MAX_MESSAGE)}…` : msg;
}

/** Codes of lower layers (electron/core/ssh SshError, …) and the contract code they become. */
const FOREIGN_CODES: Record<string, ContractError['code']> = {
  HOST_KEY_CHANGED: 'host-key-changed',
  HOST_KEY_REVOKED: 'host-key-changed',
  HOST_KEY_UNKNOWN: 'host-key-rejected',
  AUTH_FAILED: 'unreachable',
  CONNECT_TIMEOUT: 'unreachable',
  UNREACHABLE: 'unreachable',
  DISCONNECTED: 'unreachable',
  COMMAND_TIMEOUT: 'timeout',
  STEP_TIMEOUT: 'timeout',
};

/** Maps anything thrown to the contract's error shape (duck-typed: engines may throw errors with a `code`). */
export function toContractError(e: unknown, redact: (s: string) => string = (s) => s): ContractError {
  if (e instanceof ContractCallError) return scrubError(e.toShape(), redact);
  if (e instanceof Error || (e !== null && typeof e === 'object' && 'message' in e)) {
    const err = e as { code?: unknown; message?: unknown; field?: unknown; host?: unknown; name?: unknown; details?: { host?: unknown } };
    const message = typeof err.message === 'string' && err.message ? err.message : 'The operation failed.';
    if (err.name === 'AbortError') return { code: 'cancelled', message: 'The operation was cancelled.' };
    const code = isErrorCode(err.code) ? err.code : typeof err.code === 'string' ? (FOREIGN_CODES[err.code] ?? 'failed') : 'failed';
    const out: ContractError = { code, message: userMessage(message) };
    if (typeof err.field === 'string') out.field = err.field;
    const host = typeof err.host === 'string' ? err.host : typeof err.details?.host === 'string' ? err.details.host : undefined;
    if (host !== undefined) out.host = host;
    return scrubError(out, redact);
  }
  return { code: 'internal', message: 'PrintHA hit an unexpected error (a bug). Please report it with the steps that led here.' };
}

function scrubError(e: ContractError, redact: (s: string) => string): ContractError {
  const out: ContractError = { code: e.code, message: redact(e.message) };
  if (e.field !== undefined) out.field = redact(e.field);
  if (e.host !== undefined) out.host = redact(e.host);
  return out;
}

/** Secrets in this call's raw input (by the contract's SECRET_FIELDS), to scrub from what goes back. */
function inputSecrets(channel: ChannelName, raw: unknown): string[] {
  const fields = SECRET_FIELDS[channel];
  if (!fields || raw === null || typeof raw !== 'object') return [];
  const out: string[] = [];
  for (const f of fields) {
    const v = (raw as Record<string, unknown>)[f];
    if (typeof v === 'string' && v.length > 0) out.push(v);
  }
  return out;
}

function describeIssues(channel: string, issues: readonly z.core.$ZodIssue[]): { message: string; field?: string } {
  const first = issues.slice(0, 3).map((i) => {
    const where = formatPath(i.path);
    return where ? `${where}: ${i.message}` : i.message;
  });
  const field = issues[0] ? formatPath(issues[0].path) : '';
  return {
    message: `Invalid input for "${channel}": ${first.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}.`,
    ...(field ? { field } : {}),
  };
}

export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  raw: unknown,
  session: Session,
  opts: DispatchOptions = {},
): Promise<CallResult<unknown>> {
  const started = Date.now();
  const redactor: Redactor = session.redactor;
  const log = (line: string) => opts.log?.(redactor.text(line));
  if (!isChannelName(channel)) {
    const name = typeof channel === 'string' ? channel.slice(0, 80) : typeof channel;
    log(`call ${name}: unknown channel`);
    return { ok: false, error: { code: 'unknown-channel', message: `"${name}" is not a PrintHA channel.` } };
  }
  const secrets = inputSecrets(channel, raw);
  const scrub = (s: string) => redactor.text(s, secrets);
  const fail = (error: ContractError): CallResult<unknown> => {
    log(`call ${channel}: ${error.code} (${Date.now() - started} ms)`);
    return { ok: false, error };
  };

  const spec = CHANNELS[channel];
  const parsed = spec.input.safeParse(raw);
  if (!parsed.success) {
    const d = describeIssues(channel, parsed.error.issues);
    return fail(scrubError({ code: 'bad-input', ...d }, scrub));
  }

  let output: unknown;
  try {
    const handler = handlers[channel] as (input: unknown, s: Session) => unknown;
    output = await handler(parsed.data, session);
  } catch (e) {
    const err = toContractError(e, scrub);
    if (err.code === 'failed' && !(e instanceof ContractCallError) && opts.log)
      log(`call ${channel}: ${e instanceof Error ? e.name : 'thrown'}: ${scrub(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
    return fail(err);
  }

  const checked = spec.output.safeParse(output);
  if (!checked.success) {
    log(
      `call ${channel}: output does not match the contract: ${scrub(
        checked.error.issues
          .slice(0, 3)
          .map((i) => `${formatPath(i.path)} ${i.message}`)
          .join('; '),
      )}`,
    );
    return fail({
      code: 'internal',
      message: `PrintHA produced an invalid answer for "${channel}" (a bug). Please report it with the steps that led here.`,
    });
  }
  log(`call ${channel}: ok (${Date.now() - started} ms)`);
  return { ok: true, output: redactor.value(checked.data, secrets) };
}
