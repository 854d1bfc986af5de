/**
 * Credentials remembered with Electron's safeStorage (DPAPI, Keychain, or the Linux keyring).
 * Refuses to store when encryption is unavailable or Linux would use the 'basic_text' backend
 * (a hard-coded key), and says so; never falls back to plaintext.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Vault, VaultStatus } from '../core/vault/types.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export function safeStorageStatus(ss: SafeStorageLike, platform: string = process.platform): VaultStatus {
  if (!ss.isEncryptionAvailable())
    return {
      canStore: false,
      reason:
        'This computer offers no encryption for stored credentials, so PrintHA will not remember them; it asks for them each session instead.',
    };
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

export function createSafeStorageVault(ss: SafeStorageLike, file: string, platform: string = process.platform): Vault {
  async function load(): Promise<VaultFile> {
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as VaultFile;
      return data && data.version === 1 && typeof data.entries === 'object' ? data : { version: 1, entries: {} };
    } catch {
      return { version: 1, entries: {} };
    }
  }
  return {
    status: () => safeStorageStatus(ss, platform),
    async get(key) {
      if (!safeStorageStatus(ss, platform).canStore) return undefined;
      const enc = (await load()).entries[key];
      if (!enc) return undefined;
      try {
        return ss.decryptString(Buffer.from(enc, 'base64'));
      } catch {
        return undefined;
      }
    },
    async set(key, secret) {
      const st = safeStorageStatus(ss, platform);
      if (!st.canStore) throw new Error(st.reason ?? 'Credentials cannot be stored on this computer.');
      const data = await load();
      data.entries[key] = ss.encryptString(secret).toString('base64');
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify(data), { mode: 0o600 });
      await rename(tmp, file);
    },
  };
}
