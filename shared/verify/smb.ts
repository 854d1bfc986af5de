/**
 * Parsing SMB share listings from the platform's own tool (the choice is explained in
 * electron/core/probes/smb.ts and docs/VERIFY.md):
 *   - `smbclient -g -L //host ...` (Samba, Linux/macOS): grepable "Type|Name|Comment" lines, errors
 *     as "... failed (Error NT_STATUS_...)".
 *   - `net view \\host /all` (Windows): a column table under a dashed line, then
 *     "The command completed successfully." (English Windows; other languages translate the words).
 */

export type ShareType = 'printer' | 'disk' | 'ipc' | 'other';

export interface SmbShare {
  name: string;
  type: ShareType;
  comment: string;
}

function typeOf(t: string): ShareType {
  const s = t.trim().toLowerCase();
  if (s === 'printer' || s === 'print') return 'printer';
  if (s === 'disk') return 'disk';
  if (s === 'ipc') return 'ipc';
  return 'other';
}

/** Shares of `smbclient -g -L`. */
export function parseSmbclientGrepable(text: string): SmbShare[] {
  const out: SmbShare[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = /^(Disk|Printer|IPC|Device|Unknown[^|]*)\|([^|]+)\|(.*)$/.exec(line);
    if (!m) continue;
    out.push({ type: typeOf(m[1]!), name: m[2]!, comment: m[3]! });
  }
  return out;
}

/** The NT_STATUS code in an smbclient error, if any (NT_STATUS_CONNECTION_REFUSED, NT_STATUS_ACCESS_DENIED, ...). */
export function smbStatusOf(text: string): string | undefined {
  return /\b(NT_STATUS_[A-Z_]+)\b/.exec(text)?.[1];
}

/** True when the server refused the (anonymous) login and credentials may help. */
export function smbNeedsCredentials(status: string | undefined): boolean {
  return status === 'NT_STATUS_ACCESS_DENIED' || status === 'NT_STATUS_LOGON_FAILURE' || status === 'NT_STATUS_ACCOUNT_RESTRICTION';
}

/** What an NT_STATUS means for a field engineer. */
export function smbStatusWords(status: string | undefined): string {
  switch (status) {
    case 'NT_STATUS_CONNECTION_REFUSED':
      return 'nothing accepts SMB (TCP 445) there: the Server service / smbd is stopped or a firewall rejects it';
    case 'NT_STATUS_IO_TIMEOUT':
    case 'NT_STATUS_HOST_UNREACHABLE':
    case 'NT_STATUS_NETWORK_UNREACHABLE':
      return 'no answer on TCP 445 (host down, routing or a firewall dropping it)';
    case 'NT_STATUS_ACCESS_DENIED':
    case 'NT_STATUS_LOGON_FAILURE':
      return 'the server refused the login: give Windows credentials (PRINTHA_WINDOWS_PASSWORD or the prompt)';
    case 'NT_STATUS_BAD_NETWORK_NAME':
      return 'the server does not answer to that name (add it as an alias: OptionalNames / netbios aliases)';
    case 'NT_STATUS_CONNECTION_DISCONNECTED':
    case 'NT_STATUS_CONNECTION_RESET':
      return 'the connection was cut (a balancer without a healthy server closes it)';
    case undefined:
      return 'no share list was printed';
    default:
      return status;
  }
}

/** Shares of `net view \\host /all` (English). */
export function parseNetView(text: string): SmbShare[] {
  const lines = text.split(/\r?\n/);
  const dash = lines.findIndex((l) => /^-{10,}\s*$/.test(l));
  if (dash < 0) return [];
  const out: SmbShare[] = [];
  for (const line of lines.slice(dash + 1)) {
    if (/^The command completed/i.test(line) || line.trim() === '') continue;
    const m = /^(.+?)\s+(Print|Disk|IPC|Device)\b(?:\s{2,}(.*))?$/.exec(line.trimEnd());
    if (!m) continue;
    // "Used as" (a drive letter) sits between Type and Comment when the share is mapped.
    const rest = (m[3] ?? '').replace(/^[A-Z]:\s{2,}/, '');
    out.push({ name: m[1]!.trim(), type: typeOf(m[2]!), comment: rest.trim() });
  }
  return out;
}

/** Printer shares only, sorted, case kept. */
export function printerShares(shares: readonly SmbShare[]): string[] {
  return shares
    .filter((s) => s.type === 'printer')
    .map((s) => s.name)
    .sort((a, b) => a.localeCompare(b));
}
