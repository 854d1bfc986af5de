/**
 * PowerShell over SSH trusts the same host keys as every other SSH connection of PrintHA: before
 * pwsh opens a PSSession, the server's key is checked through the SSH layer with the engine's one
 * host-key policy (../engine/host-keys.ts: PrintHA's known_hosts only, ctx.confirmHostKey on first
 * contact and — louder — for a key of a new type for a known host, a changed key a hard stop);
 * pwsh's ssh then runs with StrictHostKeyChecking=yes against that same file. The check logs in with
 * the same key, so a refused key or an unreachable server is reported with the session layer's own
 * messages (remoteErrorFrom: host, port, what to do) instead of pwsh's "SSH transport process has
 * abruptly terminated"; a host-key refusal carries the SSH layer's precise text.
 */
import type { RunContext } from '../engine/api.js';
import { hostKeyPolicy, printhaKnownHosts } from '../engine/host-keys.js';
import { connect, isSshError, type SshError } from '../ssh/index.js';
import { RemoteError, remoteErrorFrom, type RemoteErrorKind, type RemoteTarget } from './remoting.js';

export type SshTrustCheck = (t: RemoteTarget) => Promise<void>;

const KIND_BY_CODE: Partial<Record<SshError['code'], RemoteErrorKind>> = {
  AUTH_FAILED: 'ssh-auth',
  UNREACHABLE: 'unreachable',
  CONNECT_TIMEOUT: 'unreachable',
};

/** The RemoteError for an SSH-layer failure of the trust check. */
export function remoteErrorFromSsh(e: SshError, t: RemoteTarget): RemoteError {
  if (e.code === 'HOST_KEY_UNKNOWN' || e.code === 'HOST_KEY_CHANGED' || e.code === 'HOST_KEY_REVOKED') {
    return new RemoteError('ssh-host-key', t.label, `${t.label} (${t.host}): ${e.message}`);
  }
  return remoteErrorFrom(e.message, t, KIND_BY_CODE[e.code] ?? 'connection-lost');
}

/**
 * The check for one run: PrintHA's known_hosts (`knownHostsPath`, normally ctx.knownHostsPath),
 * the engine's host-key policy (ctx.confirmHostKey).
 */
export function sshTrustCheck(ctx: RunContext, knownHostsPath: string = ctx.knownHostsPath, connectTimeoutMs = 15_000): SshTrustCheck {
  return async (t) => {
    if (!t.keyFilePath) return; // the session layer reports the missing key itself
    try {
      const c = await connect(
        { host: t.host, port: t.port, user: t.user },
        { privateKeyPath: t.keyFilePath },
        { knownHosts: printhaKnownHosts(ctx, knownHostsPath), hostKeyPolicy: hostKeyPolicy(ctx), connectTimeoutMs, keepaliveIntervalMs: 0 },
      );
      await c.close();
    } catch (e) {
      if (!isSshError(e)) throw e;
      throw remoteErrorFromSsh(e, t);
    }
  };
}
