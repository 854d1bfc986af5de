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
