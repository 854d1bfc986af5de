/**
 * PowerShell over SSH trusts the same host keys as every other SSH connection of PrintHA: before
 * pwsh opens a PSSession, the server's key is checked (and on first contact confirmed by the
 * engineer) through the SSH layer against PrintHA's known_hosts; pwsh's ssh then runs with
 * StrictHostKeyChecking=yes against that same file. The check logs in with the same key, so a
 * refused key or an unreachable server is reported by the SSH layer's precise errors (host, port,
 * what to do) instead of pwsh's "SSH transport process has abruptly terminated".
 */
import type { RunContext } from '../engine/api.js';
import { connect, isSshError, KnownHosts } from '../ssh/index.js';
import { RemoteError, type RemoteTarget } from './remoting.js';

export type SshTrustCheck = (t: RemoteTarget) => Promise<void>;

/** The check for one run: PrintHA's known_hosts (ctx.knownHostsPath), ctx.confirmHostKey on first contact. */
export function sshTrustCheck(ctx: RunContext, knownHostsPath: string, connectTimeoutMs = 15_000): SshTrustCheck {
  return async (t) => {
    if (!t.keyFilePath) return; // the session layer reports the missing key itself
    try {
      const c = await connect(
        { host: t.host, port: t.port, user: t.user },
        { privateKeyPath: t.keyFilePath },
        {
          knownHosts: new KnownHosts(knownHostsPath),
          hostKeyPolicy: {
            onUnknown: async (info) => ((await ctx.confirmHostKey(info.host, info.port, info.fingerprint)) ? 'accept-and-save' : 'reject'),
          },
          connectTimeoutMs,
          keepaliveIntervalMs: 0,
        },
      );
      await c.close();
    } catch (e) {
      if (!isSshError(e)) throw e;
      const who = `${t.label} (${t.host})`;
      switch (e.code) {
        case 'HOST_KEY_UNKNOWN':
        case 'HOST_KEY_CHANGED':
        case 'HOST_KEY_REVOKED':
          throw new RemoteError('ssh-host-key', t.label, `${who}: ${e.message}`);
        case 'AUTH_FAILED':
          throw new RemoteError(
            'ssh-auth',
            t.label,
            `${who} refused the SSH key of ${t.user} (${t.keyFilePath}): check windows.user and PRINTHA_WINDOWS_SSH_KEY; its public key must be in the user's authorized_keys (C:\\ProgramData\\ssh\\administrators_authorized_keys for administrators on Windows). ${e.message}`,
          );
        case 'UNREACHABLE':
        case 'CONNECT_TIMEOUT':
          throw new RemoteError(
            'unreachable',
            t.label,
            `${who} does not answer PowerShell over SSH on port ${t.port}: check that the server is on, that ${t.host} is right in the site file (servers[].hostname / servers[].address), that sshd runs on it and the firewall allows TCP ${t.port}. ${e.message}`,
          );
        default:
          throw new RemoteError('connection-lost', t.label, `${who}: ${e.message}`);
      }
    }
  };
}
