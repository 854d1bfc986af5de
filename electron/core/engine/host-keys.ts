/**
 * The one SSH trust path of PrintHA: every SSH connection of every verb (discover, plan, apply,
 * verify, the PowerShell-over-SSH pre-check) checks host keys against PrintHA's own known_hosts file
 * (RunContext.knownHostsPath) and nothing else — never ~/.ssh/known_hosts, so two verbs cannot
 * disagree about the same host. An unknown key goes to ctx.confirmHostKey with its type and the keys
 * of other types already known for the host (a key of a new type for a known host is its own,
 * louder question); a changed or revoked key of a known type is a hard stop in the SSH layer.
 */
import { KnownHosts, type HostKeyPolicy } from '../ssh/index.js';
import type { RunContext } from './api.js';

/** PrintHA's known_hosts only (`path` defaults to ctx.knownHostsPath); accepted keys are saved there. */
export function printhaKnownHosts(ctx: Pick<RunContext, 'knownHostsPath'>, path: string = ctx.knownHostsPath): KnownHosts {
  return new KnownHosts(path);
}

/** The host-key policy of every connection: the engineer decides about unknown keys through ctx. */
export function hostKeyPolicy(ctx: Pick<RunContext, 'confirmHostKey'>): HostKeyPolicy {
  return {
    onUnknown: async (info) => {
      const knownKeys = info.otherKeys.map((k) => ({ keyType: k.keyType, fingerprint: k.fingerprint }));
      return (await ctx.confirmHostKey(info.host, info.port, info.fingerprint, { keyType: info.keyType, knownKeys }))
        ? 'accept-and-save'
        : 'reject';
    },
  };
}
