/**
 * The Content-Security-Policy of the PrintHA window: only our own files, no eval, no inline script,
 * no remote anything. Pure (no electron import) so tests can assert it.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'frame-src': "'none'",
  'worker-src': "'none'",
};

export function cspString(extraConnect: readonly string[] = []): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([k, v]) => `${k} ${k === 'connect-src' && extraConnect.length ? `${v} ${extraConnect.join(' ')}` : v}`)
    .join('; ');
}

/** The window's CSP (set as a response header by the app:// protocol handler). */
export const CSP = cspString();
