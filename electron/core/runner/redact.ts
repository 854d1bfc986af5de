/**
 * The one redaction layer for journal, logs, runbooks and error messages: every secret the vault
 * or the environment handed out this run is replaced, plus anything shaped like a private key,
 * a password assignment or a bridge token.
 */
export type Redactor = (text: string) => string;

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'],
  [/((?:password|passwd|pwd|passphrase|secret|token|apikey|api_key)\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1[REDACTED]'],
  [/(--(?:password|peer_password|check_password|apikey|passphrase)[= ])(\S+)/gi, '$1[REDACTED]'],
  [/([?&]token=)[A-Za-z0-9_-]+/g, '$1[REDACTED]'],
  // Secrets inside the configuration files discovery reads from the hosts (they reach facts, plan
  // diffs and runbooks): keepalived VRRP auth, HAProxy stats/userlist passwords, lb_config.xml elements.
  [/(\bauth_pass\s+)("[^"]*"|\S+)/gi, '$1[REDACTED]'],
  [/(\buser\s+\S+\s+(?:insecure-)?password\s+)(\S+)/gi, '$1[REDACTED]'],
  [/(\bstats\s+auth\s+[^:\s]+:)(\S+)/gi, '$1[REDACTED]'],
  [/(<([A-Za-z_]*(?:pass|secret|key)[A-Za-z_]*)>)([^<]+)(<\/\2>)/gi, '$1[REDACTED]$4'],
];

export class SecretSet {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short strings would shred ordinary text; they are still never written on purpose.
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Adds every secret PrintHA reads from the environment (PRINTHA_SSH_PASSWORD, PRINTHA_SSH_KEY_PASSPHRASE, PRINTHA_WINDOWS_PASSWORD). */
  addFromEnv(env: NodeJS.ProcessEnv): this {
    for (const name of SECRET_ENV) this.add(env[name]);
    return this;
  }

  /** True when the text contains one of the secrets verbatim (generated files are checked, not rewritten). */
  foundIn(text: string): boolean {
    for (const s of this.secrets) if (text.includes(s)) return true;
    return false;
  }

  /**
   * Replaces only the known secrets, not the patterns: for whole documents (a runbook) whose
   * generated parts legitimately contain text like `password: "{{ var }}"`.
   */
  literalRedactor(): Redactor {
    const list = [...this.secrets].sort((a, b) => b.length - a.length);
    return (text: string) => {
      let out = text;
      for (const s of list) out = out.split(s).join('[REDACTED]');
      return out;
    };
  }

  redactor(): Redactor {
    return (text: string) => {
      let out = text;
      // Longest first, so a secret containing another is replaced whole.
      for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[REDACTED]');
      for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
      return out;
    };
  }
}

/** Environment variables that carry secrets (the ones context.ts reads). */
export const SECRET_ENV: readonly string[] = ['PRINTHA_SSH_PASSWORD', 'PRINTHA_SSH_KEY_PASSPHRASE', 'PRINTHA_WINDOWS_PASSWORD'];

/** A redactor for everything this process writes: the secrets in the environment plus the patterns. */
export function envRedactor(env: NodeJS.ProcessEnv): Redactor {
  return new SecretSet().addFromEnv(env).redactor();
}

/** Deep copy of plain data (JSON-like) with every string — keys included — passed through the redactor. */
export function redactValue<T>(value: T, redact: Redactor): T {
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return redact(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) o[redact(k)] = walk(v);
      return o;
    }
    return x;
  };
  return walk(value) as T;
}
