import { type SshError, stepTimeoutError } from './errors.js';

export interface StepTimeoutOptions {
  /** Name of the step for the error message (e.g. "push haproxy.cfg"). */
  step?: string;
  host?: string;
  port?: number;
  /** An outer signal (user pressed Cancel): aborts the step too. */
  signal?: AbortSignal;
}

/**
 * Runs a whole step under one deadline. `fn` receives an AbortSignal that fires when the deadline
 * passes (or the outer signal aborts): pass it to `exec({ signal })` so the remote command is
 * stopped. On timeout the promise rejects with STEP_TIMEOUT right away, without waiting for `fn`.
 */
export function withStepTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, opts: StepTimeoutOptions = {}): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return Promise.reject(new RangeError(`withStepTimeout: invalid timeout ${ms}`));
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) controller.abort(opts.signal.reason);
  else opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      const err: SshError = stepTimeoutError({
        step: opts.step ?? 'step',
        timeoutMs: ms,
        ...(opts.host !== undefined ? { host: opts.host } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
      });
      controller.abort(err);
      reject(err);
    }, ms);
    const finish = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    };
    let p: Promise<T>;
    try {
      p = fn(controller.signal);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (v) => {
        finish();
        if (!done) {
          done = true;
          resolve(v);
        }
      },
      (err: unknown) => {
        finish();
        if (!done) {
          done = true;
          reject(err);
        }
      },
    );
  });
}
