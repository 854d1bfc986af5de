/** Key material for SSH tests, generated with the real ssh-keygen into a temp dir. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SSH_KEYGEN = '/usr/bin/ssh-keygen';
export const hasSshKeygen = existsSync(SSH_KEYGEN);

export type KeyKind = 'ed25519' | 'rsa' | 'ecdsa';

export interface GeneratedKey {
  privPath: string;
  pubPath: string;
  priv: string;
  /** the .pub line: `type base64 comment` */
  pubLine: string;
  keyType: string;
  blob: Buffer;
}

export function genKey(dir: string, kind: KeyKind, name: string, passphrase = ''): GeneratedKey {
  const privPath = join(dir, name);
  const args = ['-q', '-t', kind, '-N', passphrase, '-C', `${name}@printha-test`, '-f', privPath];
  if (kind === 'rsa') args.push('-b', '2048');
  execFileSync(SSH_KEYGEN, args, { stdio: 'pipe' });
  const pubLine = readFileSync(`${privPath}.pub`, 'utf8').trim();
  const [keyType, b64] = pubLine.split(/\s+/);
  return { privPath, pubPath: `${privPath}.pub`, priv: readFileSync(privPath, 'utf8'), pubLine, keyType: keyType as string, blob: Buffer.from(b64 as string, 'base64') };
}

/** The `SHA256:...` fingerprint ssh-keygen prints for a public key file. */
export function sshKeygenFingerprint(pubPath: string): string {
  const out = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', pubPath], { encoding: 'utf8' });
  const fp = out.split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${out}`);
  return fp;
}
