/**
 * Credentials remembered with Electron's safeStorage (DPAPI, Keychain, or the Linux keyring), through
 * its asynchronous API: Electron 45 deprecates the synchronous encryptString/decryptString/
 * isEncryptionAvailable and Electron 46 removes them; data they wrote decrypts with
 * decryptStringAsync. Refuses to store when encryption is unavailable or Linux would use the
 * 'basic_text' backend (a hard-coded key), and says so; never falls back to plaintext.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Vault, VaultStatus } from '../core/vault/types.js';

export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  /** shouldReEncrypt: the key was rotated (or a better one is available); store the secret again. */
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

const NO_ENCRYPTION =
  'This computer offers no encryption for stored credentials, so PrintHA will not remember them; it asks for them each session instead.';

/**
 * The storage policy. `available` is what isAsyncEncryptionAvailable() last answered (undefined: not
 * known yet; the vault asks again before every store, so an unknown answer never stores anything).
 */
export function safeStorageStatus(ss: SafeStorageLike, available: boolean | undefined, platform: string = process.platform): VaultStatus {
  if (available === false) return { canStore: false, reason: NO_ENCRYPTION };
  if (platform === 'linux') {
    const backend = ss.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown')
      return {
        canStore: false,
        reason: `No system keyring (GNOME Keyring or KWallet) is available (backend "${backend}"), so credentials could only be stored with a built-in key; PrintHA refuses to store them and asks each session instead.`,
      };
  }
  return { canStore: true };
}

interface VaultFile {
  version: 1;
  entries: Record<string, string>;
}

export interface SafeStorageVault extends Vault {
  /** Asks safeStorage again whether encryption is available; resolves to the status after that. */
  refresh(): Promise<VaultStatus>;
}

/**
 * The vault. It asks isAsyncEncryptionAvailable() once right away (status() is synchronous and
 * answers from the last reply) and again before every store and read.
 */
export function createSafeStorageVault(ss: SafeStorageLike, file: string, platform: string = process.platform): SafeStorageVault {
  let available: boolean | undefined;
  const status = (): VaultStatus => safeStorageStatus(ss, available, platform);
  async function refresh(): Promise<VaultStatus> {
    try {
      available = await ss.isAsyncEncryptionAvailable();
    } catch {
      available = false;
    }
    return status();
  }
  void refresh();

  async function load(): Promise<VaultFile> {
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as VaultFile;
      return data && data.version === 1 && typeof data.entries === 'object' ? data : { version: 1, entries: {} };
    } catch {
      return { version: 1, entries: {} };
    }
  }
  // One read-modify-write at a time, so two stores at once cannot drop each other's entry.
  let writes: Promise<unknown> = Promise.resolve();
  function update(change: (data: VaultFile) => void): Promise<void> {
    const run = writes.then(async () => {
      const data = await load();
      change(data);
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify(data), { mode: 0o600 });
      await rename(tmp, file);
    });
    writes = run.catch(() => undefined);
    return run;
  }

  return {
    status,
    refresh,
    async get(key) {
      if (!(await refresh()).canStore) return undefined;
      const enc = (await load()).entries[key];
      if (!enc) return undefined;
      let plain: { result: string; shouldReEncrypt: boolean };
      try {
        plain = await ss.decryptStringAsync(Buffer.from(enc, 'base64'));
      } catch {
        return undefined;
      }
      if (plain.shouldReEncrypt) {
        // Best effort: the secret is still good with the old key if this fails.
        await ss
          .encryptStringAsync(plain.result)
          .then((again) =>
            update((data) => {
              data.entries[key] = again.toString('base64');
            }),
          )
          .catch(() => undefined);
      }
      return plain.result;
    },
    async set(key, secret) {
      const st = await refresh();
      if (!st.canStore) throw new Error(st.reason ?? 'Credentials cannot be stored on this computer.');
      const encrypted = (await ss.encryptStringAsync(secret)).toString('base64');
      await update((data) => {
        data.entries[key] = encrypted;
      });
    },
  };
}
