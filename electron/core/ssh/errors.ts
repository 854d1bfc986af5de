/**
 * Typed errors of the SSH layer. Every message is one or two sentences a field engineer can act on:
 * it names the host (and user, path or command where it matters) and says what to do. Messages
 * never contain passwords, passphrases, private keys or command stdin.
 */
import type { KnownHostKey } from './known-hosts.js';

export type SshErrorCode =
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'HOST_KEY_REVOKED'
  | 'AUTH_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'UNREACHABLE'
  | 'COMMAND_TIMEOUT'
  | 'STEP_TIMEOUT'
  | 'DISCONNECTED'
  | 'SFTP_FAILED'
  | 'DISK_FULL';

export interface SshErrorDetails {
  host?: string;
  port?: number;
  user?: string;
  keyType?: string;
  /** the fingerprint the host presented */
  fingerprint?: string;
  /** fingerprints known_hosts (or the caller) expected */
  expected?: string[];
  /** where the expected keys are written */
  locations?: { file: string; line: number; fingerprint: string }[];
  knownHostsPath?: string;
  otherKeyTypes?: string[];
  /** the keys (type + fingerprint) already known for the host when it presents a key of a new type */
  otherKeys?: KnownHostKey[];
  /** authentication methods that were tried, in order */
  methods?: string[];
  /** errno-style code of the underlying failure (ECONNREFUSED, ENOSPC, ...) */
  cause?: string;
  /** SFTP status code when the server returned one */
  sftpStatus?: number;
  remotePath?: string;
  /** program name only (argv[0]); never the full command line */
  program?: string;
  step?: string;
  timeoutMs?: number;
  notFound?: boolean;
  reason?: string;
}

export class SshError extends Error {
  readonly code: SshErrorCode;
  readonly details: SshErrorDetails;

  constructor(code: SshErrorCode, message: string, details: SshErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SshError';
    this.code = code;
    this.details = details;
  }

  /** Serialisable shape for the contract (no stack, no cause). */
  toJSON(): { code: SshErrorCode; message: string; details: SshErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isSshError(err: unknown, code?: SshErrorCode): err is SshError {
  return err instanceof SshError && (code === undefined || err.code === code);
}

/** `host:port` with IPv6 literals bracketed. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function userAt(user: string, host: string, port: number): string {
  return `${user}@${hostPort(host, port)}`;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/** "ssh-ed25519 SHA256:…, ssh-rsa SHA256:…": keys as a list for a sentence. */
export function keyList(keys: readonly KnownHostKey[]): string {
  return keys.map((k) => `${k.keyType} ${k.fingerprint}`).join(', ');
}

/** Where to read a host key's fingerprint on the host itself, for a key type. */
export function consoleFingerprintCommand(keyType: string): string {
  const file = keyType === 'ssh-rsa' ? 'rsa' : keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType === 'ssh-ed25519' ? 'ed25519' : '*';
  return `ssh-keygen -lf /etc/ssh/ssh_host_${file}_key.pub, on Windows C:\\ProgramData\\ssh\\ssh_host_${file}_key.pub`;
}

/** What a key of a new type for a known host can mean (said wherever that case is shown). */
export const NEW_KEY_TYPE_RISK = 'This may be a man-in-the-middle attack, or the server was re-installed or its SSH keys regenerated.';

/** "Compare SHA256:… with the server's console (ssh-keygen -lf …) before trusting it." */
export function compareOnConsole(keyType: string, fingerprint: string): string {
  return `Compare ${fingerprint} with the server's console (${consoleFingerprintCommand(keyType)}) before trusting it.`;
}

/**
 * The warning for a KNOWN host that presents a key of a type PrintHA has never seen for it (the
 * known type is no longer offered): not a first contact, so it says so loudly, names every known
 * key, and what this can mean.
 */
export function newKeyTypeWarning(a: {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  otherKeys: readonly KnownHostKey[];
}): string {
  return (
    `${hostPort(a.host, a.port)} is already known to PrintHA by ${a.otherKeys.length > 1 ? 'keys' : 'a key'} of another type (${keyList(a.otherKeys)}), ` +
    `but now presents a ${a.keyType} key (${a.fingerprint}) instead. ${NEW_KEY_TYPE_RISK} ${compareOnConsole(a.keyType, a.fingerprint)}`
  );
}

export function hostKeyUnknownError(a: {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  otherKeyTypes?: string[];
  /** the keys already known for the host (other types): set, it is a key of a new type for a known host */
  otherKeys?: KnownHostKey[];
  knownHostsPath?: string;
  reason?: string;
}): SshError {
  const why = a.reason ? ` ${a.reason}` : '';
  const details = {
    host: a.host,
    port: a.port,
    keyType: a.keyType,
    fingerprint: a.fingerprint,
    ...(a.otherKeyTypes ? { otherKeyTypes: a.otherKeyTypes } : {}),
    ...(a.otherKeys && a.otherKeys.length > 0 ? { otherKeys: a.otherKeys } : {}),
    ...(a.knownHostsPath ? { knownHostsPath: a.knownHostsPath } : {}),
  };
  if (a.otherKeys && a.otherKeys.length > 0) {
    return new SshError(
      'HOST_KEY_UNKNOWN',
      `NEW HOST KEY TYPE for ${hostPort(a.host, a.port)}: ${newKeyTypeWarning({ ...a, otherKeys: a.otherKeys })}${why}`,
      details,
    );
  }
  const other =
    a.otherKeyTypes && a.otherKeyTypes.length > 0
      ? ` Keys of another type (${a.otherKeyTypes.join(', ')}) are already known for this host, so be extra careful.`
      : '';
  return new SshError(
    'HOST_KEY_UNKNOWN',
    `The SSH host key of ${hostPort(a.host, a.port)} is not known yet (${a.keyType} ${a.fingerprint}).${why} ` +
      `Compare this fingerprint with the one shown on the host's console (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before trusting it.${other}`,
    details,
  );
}

export function hostKeyChangedError(a: {
  host: string;
  port: number;
  keyType: string;
  actual: string;
  expected: string[];
  locations?: { file: string; line: number; fingerprint: string }[];
  /** set when the expected fingerprint came from the caller (site sheet), not from known_hosts */
  source?: 'known_hosts' | 'expected-fingerprint';
}): SshError {
  const where = hostPort(a.host, a.port);
  const expected = a.expected.join(' or ');
  let how: string;
  if (a.source === 'expected-fingerprint' || !a.locations || a.locations.length === 0) {
    how = `If the host was really rebuilt, get its new fingerprint from its console and use that one.`;
  } else {
    const byFile = new Map<string, number[]>();
    for (const l of a.locations) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l.line]);
    const parts = [...byFile].map(([file, lines]) => `${file} line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`);
    how = `If the appliance was really rebuilt, remove the old line from ${parts.join(' and ')}, then connect again to trust the new key.`;
  }
  const knownFrom = a.source === 'expected-fingerprint' ? 'the fingerprint you supplied is' : 'known_hosts expects';
  const first = a.locations?.[0];
  return new SshError(
    'HOST_KEY_CHANGED',
    `HOST KEY CHANGED for ${where}: ${knownFrom} ${a.keyType} ${expected} but the host presented ${a.actual}. ` +
      `This can be a man-in-the-middle attack, so nothing was sent to the host. ${how}`,
    {
      host: a.host,
      port: a.port,
      keyType: a.keyType,
      fingerprint: a.actual,
      expected: a.expected,
      ...(a.locations ? { locations: a.locations } : {}),
      ...(first ? { knownHostsPath: first.file } : {}),
    },
  );
}

export function hostKeyRevokedError(a: { host: string; port: number; keyType: string; fingerprint: string; file: string; line: number }): SshError {
  return new SshError(
    'HOST_KEY_REVOKED',
    `The host key ${a.keyType} ${a.fingerprint} presented by ${hostPort(a.host, a.port)} is marked @revoked in ${a.file} line ${a.line}; ` +
      `refusing to connect. Ask the owner of the host to install a new host key.`,
    { host: a.host, port: a.port, keyType: a.keyType, fingerprint: a.fingerprint, knownHostsPath: a.file, locations: [{ file: a.file, line: a.line, fingerprint: a.fingerprint }] },
  );
}

export function authFailedError(a: { host: string; port: number; user: string; methods: string[]; reason?: string }): SshError {
  const methods = a.methods.length > 0 ? a.methods.join(', ') : 'no method';
  const text = a.reason
    ? `Cannot log in as ${userAt(a.user, a.host, a.port)}: ${a.reason}`
    : `Authentication failed for ${userAt(a.user, a.host, a.port)} (tried: ${methods}). ` +
      `Check the user name and the password or key; PrintHA did not retry, so the account is not locked by repeated attempts.`;
  return new SshError('AUTH_FAILED', text, { host: a.host, port: a.port, user: a.user, methods: a.methods, ...(a.reason ? { reason: a.reason } : {}) });
}

export function connectTimeoutError(a: { host: string; port: number; timeoutMs: number }): SshError {
  return new SshError(
    'CONNECT_TIMEOUT',
    `No SSH answer from ${hostPort(a.host, a.port)} within ${seconds(a.timeoutMs)}. ` +
      `Check the address, that the host is powered on, and that no firewall blocks port ${a.port}.`,
    { host: a.host, port: a.port, timeoutMs: a.timeoutMs },
  );
}

const UNREACHABLE_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ECONNRESET: 'connection reset',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'the name does not resolve',
  EAI_AGAIN: 'the name cannot be resolved right now',
};

export function unreachableError(a: { host: string; port: number; cause: string }): SshError {
  const what = UNREACHABLE_TEXT[a.cause] ?? a.cause;
  const fix =
    a.cause === 'ENOTFOUND' || a.cause === 'EAI_AGAIN'
      ? 'check the spelling and DNS, or use the IP address'
      : 'check the address and that sshd runs';
  return new SshError('UNREACHABLE', `Cannot reach ${hostPort(a.host, a.port)}: ${what} (${a.cause}) — ${fix}.`, {
    host: a.host,
    port: a.port,
    cause: a.cause,
  });
}

export function commandTimeoutError(a: { host: string; port: number; program: string; timeoutMs: number }): SshError {
  return new SshError(
    'COMMAND_TIMEOUT',
    `The command '${a.program}' on ${hostPort(a.host, a.port)} did not finish within ${seconds(a.timeoutMs)} and was stopped. ` +
      `Check the host's load and what the command waits for, then run the step again.`,
    { host: a.host, port: a.port, program: a.program, timeoutMs: a.timeoutMs },
  );
}

export function stepTimeoutError(a: { step: string; timeoutMs: number; host?: string; port?: number }): SshError {
  const on = a.host !== undefined && a.port !== undefined ? ` on ${hostPort(a.host, a.port)}` : '';
  return new SshError(
    'STEP_TIMEOUT',
    `The step '${a.step}'${on} did not finish within ${seconds(a.timeoutMs)} and was abandoned. ` +
      `Check the host's state before running it again.`,
    { step: a.step, timeoutMs: a.timeoutMs, ...(a.host !== undefined ? { host: a.host } : {}), ...(a.port !== undefined ? { port: a.port } : {}) },
  );
}

export function disconnectedError(a: { host: string; port: number; user: string; reason: string }): SshError {
  return new SshError(
    'DISCONNECTED',
    `The SSH connection to ${userAt(a.user, a.host, a.port)} was lost or refused (${a.reason}). Check the network and the host, then try again.`,
    { host: a.host, port: a.port, user: a.user, reason: a.reason },
  );
}

export function sftpFailedError(a: {
  host: string;
  port: number;
  remotePath: string;
  action: string;
  serverMessage: string;
  sftpStatus?: number;
  notFound?: boolean;
}): SshError {
  let fix = 'Check that the directory exists and that the SSH user may write there.';
  if (a.notFound) fix = 'Check the path: the file or its directory does not exist.';
  else if (a.sftpStatus === 3) fix = 'The SSH user is not allowed to do this: use a user with the needed rights.';
  return new SshError(
    'SFTP_FAILED',
    `Could not ${a.action} ${a.remotePath} on ${hostPort(a.host, a.port)}: ${a.serverMessage}. ${fix}`,
    {
      host: a.host,
      port: a.port,
      remotePath: a.remotePath,
      ...(a.sftpStatus !== undefined ? { sftpStatus: a.sftpStatus } : {}),
      ...(a.notFound ? { notFound: true } : {}),
    },
  );
}

export function diskFullError(a: { host: string; port: number; remotePath: string; detail: string; sftpStatus?: number }): SshError {
  const slash = a.remotePath.lastIndexOf('/');
  const dir = slash > 0 ? a.remotePath.slice(0, slash) : slash === 0 ? '/' : '.';
  return new SshError(
    'DISK_FULL',
    `Writing ${a.remotePath} on ${hostPort(a.host, a.port)} failed, most likely because the disk is full (${a.detail}). ` +
      `Free some space (check with: df -h ${dir}) and try again; the original file was left unchanged.`,
    { host: a.host, port: a.port, remotePath: a.remotePath, cause: 'ENOSPC', ...(a.sftpStatus !== undefined ? { sftpStatus: a.sftpStatus } : {}) },
  );
}
