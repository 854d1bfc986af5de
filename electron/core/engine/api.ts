/**
 * The engine API the three front ends (Electron IPC, WebSocket bridge, CLI) call. Implemented in
 * electron/core (SSH, PowerShell, probes); the contract in shared/contract mirrors it with zod.
 */
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { SiteFacts } from '../../../shared/model/facts.js';
import type { Plan } from '../../../shared/plan/model.js';
import type { Site } from '../../../shared/site/schema.js';
import type { VerifyReport } from '../../../shared/verify/report.js';

export type CredentialKind = 'ssh-password' | 'ssh-key-passphrase' | 'windows-password';

export interface CredentialRequest {
  kind: CredentialKind;
  host: string;
  user: string;
}

/** A key known for a host: its type and SHA256 fingerprint. */
export interface KnownKey {
  keyType: string;
  fingerprint: string;
}

/** What the SSH layer knows about a host key PrintHA's known_hosts does not have (for the prompt). */
export interface HostKeyQuestion {
  /** the presented key's type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...) */
  keyType: string;
  /**
   * Keys of other types already trusted for this host. Empty: first contact. Not empty: the host is
   * KNOWN and now presents a key of a new type (a man-in-the-middle, or a re-installed server):
   * the prompt names these keys and is louder than on first contact.
   */
  knownKeys: KnownKey[];
}

export interface RunContext {
  /** Secrets come from here (vault, environment or a prompt), never from the site file. */
  credential(req: CredentialRequest): Promise<string | undefined>;
  /** SSH key file for balancers (PRINTHA_SSH_KEY), when key auth is used. */
  sshKeyPath?: string;
  /** known_hosts file PrintHA uses (OpenSSH format). */
  knownHostsPath: string;
  /**
   * Unknown host key: show the fingerprint and let the engineer decide. `key` (always given by the
   * SSH layer) says its type and whether the host is known by keys of other types, which gets its
   * own, louder question. Changed keys of a known type never reach this: they are a hard stop.
   */
  confirmHostKey(host: string, port: number, fingerprint: string, key?: HostKeyQuestion): Promise<boolean>;
  /** Every journal event, live (the Apply screen, the CLI progress, the journal writer). */
  onEvent(e: JournalEvent): void;
  signal?: AbortSignal;
}

export interface ApplyOptions {
  only?: 'balancer' | 'servers';
  resume?: boolean;
  /** The engineer confirmed the plan (CLI --yes or the wizard's confirm). Apply refuses without it. */
  confirmed: boolean;
}

export interface ApplyResult {
  ok: boolean;
  runId: string;
  /** Final state of every host, in words ("serving the new configuration", "rolled back to backup …"). */
  hostStates: { host: string; state: string; ok: boolean }[];
  changed: boolean;
}

export interface Engine {
  /** `only`: the scope, as `--only` (absent = balancer and print servers). */
  discover(site: Site, ctx: RunContext, only?: 'balancer' | 'servers'): Promise<SiteFacts>;
  plan(site: Site, ctx: RunContext, only?: 'balancer' | 'servers'): Promise<Plan>;
  apply(site: Site, ctx: RunContext, opts: ApplyOptions): Promise<ApplyResult>;
  verify(site: Site, ctx: RunContext, opts: { drill?: boolean; only?: 'balancer' | 'servers' }): Promise<VerifyReport>;
}
