/**
 * A real OpenSSH sshd for tests: 127.0.0.1, random port, temp config, host keys and
 * authorized_keys, `Subsystem sftp internal-sftp`, key auth for the current user only.
 * `sshdUnavailableReason()` says why it cannot run here (the test prints it and skips).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type GeneratedKey, genKey, hasSshKeygen } from './keys.js';

export const SSHD = '/usr/sbin/sshd';

export function sshdUnavailableReason(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is missing (install openssh-server)`;
  if (!hasSshKeygen) return '/usr/bin/ssh-keygen is missing';
  if (!existsSync('/run/sshd')) {
    if (process.getuid?.() !== 0) return 'the privilege separation directory /run/sshd is missing and we are not root to create it';
  }
  return null;
}

export interface Sshd {
  port: number;
  user: string;
  dir: string;
  hostEd25519: GeneratedKey;
  hostRsa: GeneratedKey;
  clientKey: GeneratedKey;
  /** everything sshd wrote to stderr (-e), e.g. "Accepted publickey for root" */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SshdOptions {
  /** The host keys sshd serves (default both). Both are generated either way, so a test can hold the other one in known_hosts. */
  hostKeyTypes?: ('ed25519' | 'rsa')[];
}

export async function startSshd(dir: string, opts: SshdOptions = {}): Promise<Sshd> {
  const serve = opts.hostKeyTypes ?? ['ed25519', 'rsa'];
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
  const hostEd25519 = genKey(dir, 'ed25519', 'ssh_host_ed25519_key');
  const hostRsa = genKey(dir, 'rsa', 'ssh_host_rsa_key');
  const clientKey = genKey(dir, 'ed25519', 'id_client');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, `${clientKey.pubLine}\n`, { mode: 0o600 });
  const user = userInfo().username;

  let lastErr = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const cfg = join(dir, `sshd_config_${port}`);
    writeFileSync(
      cfg,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        ...(serve.includes('ed25519') ? [`HostKey ${hostEd25519.privPath}`] : []),
        ...(serve.includes('rsa') ? [`HostKey ${hostRsa.privPath}`] : []),
        'PidFile none',
        'UsePAM no',
        'StrictModes no',
        `AuthorizedKeysFile ${authorized}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'Subsystem sftp internal-sftp',
        'LogLevel VERBOSE',
        'MaxStartups 50',
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const ok = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 10_000);
      const check = (): void => {
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(t);
          resolve(true);
        }
      };
      child.stderr?.on('data', check);
      child.once('exit', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    if (ok) {
      return {
        port,
        user,
        dir,
        hostEd25519,
        hostRsa,
        clientKey,
        log: () => log,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    lastErr = log;
    child.kill('SIGKILL');
  }
  throw new Error(`sshd did not start: ${lastErr}`);
}
