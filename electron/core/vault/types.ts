/**
 * Where remembered credentials live. The Electron app implements it with safeStorage
 * (electron/main/vault.ts); browser mode and the CLI keep secrets in memory for the session only.
 * A vault that cannot encrypt must refuse to store — never fall back to plaintext.
 */
export interface VaultStatus {
  canStore: boolean;
  /** Why credentials cannot be remembered here, in one sentence for the engineer. */
  reason?: string;
}

export interface Vault {
  status(): VaultStatus;
  get(key: string): Promise<string | undefined>;
  /** Throws (with a sentence) when status().canStore is false. */
  set(key: string, secret: string): Promise<void>;
}

/** Remembers nothing: every credential is asked for once per session and kept in memory only. */
export function sessionOnlyVault(
  reason = 'Browser mode keeps credentials in memory for this session only; the desktop app can remember them encrypted.',
): Vault {
  return {
    status: () => ({ canStore: false, reason }),
    get: () => Promise.resolve(undefined),
    set: () => Promise.reject(new Error(reason)),
  };
}

/** The key a credential is stored under: kind, user and host (never the secret). */
export function credentialKey(req: { kind: string; host: string; user: string }): string {
  return `${req.kind}:${req.user}@${req.host}`;
}
