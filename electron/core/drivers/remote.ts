/**
 * Running things on a balancer node: every command is an argv (quoted by shellJoin in the SSH layer);
 * the few multi-step operations are fixed `sh -c` scripts that get their data as positional
 * arguments ($1, $2, …), never by interpolation. A non-login SSH session may lack /usr/sbin on PATH,
 * so every script sets it first.
 */
import { isSshError, type SshError } from '../ssh/index.js';
import type { ExecResult } from '../ssh/index.js';
import type { RemoteHost } from './types.js';

export const NODE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** argv of a fixed script run with sh; `args` become $1… */
export function shScript(body: string, args: readonly string[] = []): string[] {
  return ['sh', '-c', `PATH=${NODE_PATH}:$PATH; export PATH\n${body}`, 'sh', ...args];
}

/** argv run with the node PATH (for programs in /usr/sbin). */
export function withPath(argv: readonly string[]): string[] {
  return shScript('exec "$@"', argv);
}

/** A command could not be completed on the node (timeout or lost connection): the node state is not known from here. */
export class RemoteLost extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'RemoteLost';
  }
}

/** True when the failure means we lost the node (and cannot roll it back from here). */
export function isConnectionLoss(e: unknown): boolean {
  if (e instanceof RemoteLost) return true;
  return isSshError(e) && ['DISCONNECTED', 'COMMAND_TIMEOUT', 'STEP_TIMEOUT', 'CONNECT_TIMEOUT', 'UNREACHABLE'].includes((e as SshError).code);
}

/** Runs argv; a timeout or an abort becomes RemoteLost. Non-zero exits are returned, not thrown. */
export async function run(host: RemoteHost, argv: readonly string[], timeoutMs: number, what: string, signal?: AbortSignal): Promise<ExecResult> {
  const r = await host.exec(argv, { timeoutMs, ...(signal ? { signal } : {}) });
  if (r.timedOut) throw new RemoteLost(`${what} did not finish within ${Math.round(timeoutMs / 1000)} s on ${host.target.host} and was stopped`);
  if (r.aborted) throw new RemoteLost(`${what} was cancelled on ${host.target.host}`);
  return r;
}

/** stdout and stderr of a result, trimmed, for the journal and messages. */
export function outputOf(r: Pick<ExecResult, 'stdout' | 'stderr'>): string {
  return [r.stdout.trim(), r.stderr.trim()].filter((s) => s !== '').join('\n');
}

/** The last non-empty lines of a text (for one-line reasons). */
export function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-n)
    .join(' | ');
}

/** Splits `@@name rest` sections of a discovery script's output. */
export function sections(stdout: string): { name: string; arg: string; body: string }[] {
  const out: { name: string; arg: string; body: string }[] = [];
  let cur: { name: string; arg: string; lines: string[] } | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^@@([a-z-]+)(?: (.*))?$/.exec(line);
    if (m) {
      if (cur) out.push({ name: cur.name, arg: cur.arg, body: cur.lines.join('\n') });
      cur = { name: m[1]!, arg: m[2] ?? '', lines: [] };
    } else if (cur) cur.lines.push(line);
  }
  if (cur) out.push({ name: cur.name, arg: cur.arg, body: cur.lines.join('\n') });
  return out;
}

/**
 * Reads managed files inside a discovery script: `@@file <mode> <owner> <path>` + base64 line, or
 * `@@absent <path>`. Paths come as arguments.
 */
export const FILES_SNIPPET = `for f in "$@"; do
  if [ -f "$f" ]; then printf '@@file %s %s\\n' "$(stat -c '%a %U' -- "$f")" "$f"; base64 -w0 -- "$f"; echo
  else printf '@@absent %s\\n' "$f"; fi
done`;

export function decodeFiles(secs: { name: string; arg: string; body: string }[]): { files: Record<string, string | null>; modes: Record<string, string> } {
  const files: Record<string, string | null> = {};
  const modes: Record<string, string> = {};
  for (const s of secs) {
    if (s.name === 'absent') files[s.arg] = null;
    if (s.name === 'file') {
      const m = /^(\d+) (\S+) (.+)$/.exec(s.arg);
      if (!m) continue;
      files[m[3]!] = Buffer.from(s.body.trim(), 'base64').toString('utf8');
      modes[m[3]!] = `${m[1]} ${m[2]}`;
    }
  }
  return { files, modes };
}

/**
 * Back up files into a directory on the node: $1 = directory, then the paths; `--` then directories
 * to create for new files. Writes MANIFEST (every path, last: its presence means the backup is whole),
 * ABSENT (paths that did not exist, removed again on restore) and SERVICES (is-active before).
 */
export const BACKUP_SCRIPT = `set -e
umask 077
d=$1; shift
mkdir -p -- "$d"
: > "$d/MANIFEST.tmp"; : > "$d/ABSENT"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  printf '%s\\n' "$1" >> "$d/MANIFEST.tmp"
  if [ -e "$1" ]; then mkdir -p -- "$d$(dirname -- "$1")"; cp -a -- "$1" "$d$1"; else printf '%s\\n' "$1" >> "$d/ABSENT"; fi
  shift
done
[ $# -gt 0 ] && shift
# target directories (e.g. /usr/local/lib/printha for the check script HAProxy runs as its own user): 0755, not the 077 of the backup
for x in "$@"; do (umask 022; mkdir -p -- "$x"); done
for s in haproxy keepalived; do printf '%s %s\\n' "$s" "$(systemctl is-active "$s" 2>/dev/null || true)"; done > "$d/SERVICES"
if [ -n "\${PRINTHA_DUMP:-}" ]; then "$PRINTHA_DUMP" --action list --function dumpconfig > "$d/dumpconfig.json" 2>&1 || true; fi
sync 2>/dev/null || true
mv -f -- "$d/MANIFEST.tmp" "$d/MANIFEST"
echo "backed up $(wc -l < "$d/MANIFEST") path(s) to $d"`;

/**
 * Restore a backup: $1 = directory, then temporary files to remove. Every MANIFEST path is put back
 * (copy to a temp name + rename; when the disk is too full for a second copy, rewritten in place),
 * paths listed in ABSENT are removed.
 */
export const RESTORE_SCRIPT = `d=$1; shift
[ -f "$d/MANIFEST" ] || { echo "the backup $d is incomplete (no MANIFEST); nothing was restored" >&2; exit 30; }
rc=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  if grep -qxF -- "$f" "$d/ABSENT"; then rm -f -- "$f" || rc=31; continue; fi
  t="$(dirname -- "$f")/.$(basename -- "$f").printha-restore"
  if cp -a -- "$d$f" "$t" 2>/dev/null && mv -f -- "$t" "$f"; then :
  else rm -f -- "$t"; cat -- "$d$f" > "$f" || { echo "could not restore $f" >&2; rc=32; }; fi
  echo "restored $f"
done < "$d/MANIFEST"
for t in "$@"; do rm -f -- "$t"; done
exit $rc`;
