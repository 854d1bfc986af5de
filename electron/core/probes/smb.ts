/**
 * SMB share listing (\\VIP and \\ShareName, seed 000 §12.1) behind one interface, done by the
 * platform's own tool:
 *   - Linux / macOS: `smbclient -g -L //<name> [-I <address>] -N`, or with credentials
 *     `-A <authentication file>` (mode 600 in a private temporary directory, removed afterwards) —
 *     never a password in argv, where `ps` shows it to every user.
 *   - Windows: `net view \\<name> /all`, which uses the engineer's Windows logon (Kerberos/NTLM SSO).
 *
 * Why not an SMB2 client with srvsvc share enumeration in TypeScript: listing shares needs SMB2
 * negotiate + session setup with NTLMv2/SPNEGO (and Kerberos on hardened domains), signing, a named
 * pipe, DCE/RPC bind and NetrShareEnum (NDR) — thousands of lines of security-sensitive protocol
 * code that would still lack the SSO a domain laptop has. The platform tools are the reference
 * implementations (Samba's smbclient; Windows' own SMB client), handle every dialect, signing and
 * authentication mode the customer's servers demand, and their output is stable and parseable
 * (smbclient's -g grepable mode). The cost: the tool must be installed; when it is not, the check
 * says so (not-applicable, with the install command) instead of guessing.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellJoin } from '../../../shared/quote/posix.js';
import { childEnv } from '../runner/child-env.js';
import { parseNetView, parseSmbclientGrepable, smbStatusOf, type SmbShare } from '../../../shared/verify/smb.js';

export interface SmbTarget {
  /** What to call the server: an IP address or the share name (\\Dispatcher). */
  name: string;
  /** Connect to this address instead of resolving `name` (smbclient -I). */
  address?: string;
}

export interface SmbCredentials {
  /** DOMAIN\user, user@domain or user */
  user: string;
  password: string;
}

export interface SmbListResult {
  ok: boolean;
  shares: SmbShare[];
  /** NT_STATUS_... from the tool, when it failed */
  status?: string;
  error?: string;
  /** the command as run (no secret: credentials go through a file) */
  command: string;
  output: string;
  authenticated: boolean;
  ms: number;
}

export interface SmbLister {
  readonly tool: 'smbclient' | 'net view';
  /** undefined when usable, else why not (with the fix). */
  unavailable(): Promise<string | undefined>;
  list(target: SmbTarget, opts?: { timeoutMs?: number; credentials?: SmbCredentials }): Promise<SmbListResult>;
}

interface RunOut {
  code: number | null;
  out: string;
  spawnError?: string;
  timedOut: boolean;
}

function runTool(cmd: string, args: string[], timeoutMs: number): Promise<RunOut> {
  return new Promise((resolve) => {
    let out = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv(process.env), LC_ALL: 'C' }, windowsHide: true });
    } catch (e) {
      resolve({ code: null, out: '', spawnError: (e as NodeJS.ErrnoException).code ?? String(e), timedOut: false });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, out, spawnError: e.code ?? e.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut });
    });
  });
}

function splitUser(user: string): { domain?: string; username: string } {
  const i = user.indexOf('\\');
  return i > 0 ? { domain: user.slice(0, i), username: user.slice(i + 1) } : { username: user };
}

export class SmbclientLister implements SmbLister {
  readonly tool = 'smbclient' as const;
  constructor(private readonly bin = 'smbclient') {}

  async unavailable(): Promise<string | undefined> {
    const r = await runTool(this.bin, ['--version'], 5000);
    if (r.spawnError === 'ENOENT') return 'smbclient is not installed on this machine (Debian/Ubuntu: apt install smbclient; macOS: brew install samba)';
    if (r.spawnError) return `smbclient cannot run: ${r.spawnError}`;
    return undefined;
  }

  async list(target: SmbTarget, opts: { timeoutMs?: number; credentials?: SmbCredentials } = {}): Promise<SmbListResult> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const args = ['-g', '-L', `//${target.name}`];
    if (target.address) args.push('-I', target.address);
    args.push('-t', String(Math.max(1, Math.ceil(timeoutMs / 1000) - 1)));
    let dir: string | undefined;
    try {
      if (opts.credentials) {
        dir = await mkdtemp(join(tmpdir(), 'printha-smb-'));
        const file = join(dir, 'auth');
        const u = splitUser(opts.credentials.user);
        const text = `username = ${u.username}\npassword = ${opts.credentials.password}\n${u.domain ? `domain = ${u.domain}\n` : ''}`;
        await writeFile(file, text, { mode: 0o600, flag: 'wx' });
        args.push('-A', file);
      } else args.push('-N');
      const t0 = Date.now();
      const r = await runTool(this.bin, args, timeoutMs);
      const ms = Date.now() - t0;
      const command = shellJoin([this.bin, ...args]).replace(/ -A \S+/, ' -A <authentication file>');
      const shares = parseSmbclientGrepable(r.out);
      const status = smbStatusOf(r.out);
      const res: SmbListResult = { ok: r.code === 0 && !r.timedOut && shares.length > 0, shares, command, output: r.out.trim(), authenticated: !!opts.credentials, ms };
      if (status) res.status = status;
      if (r.spawnError) res.error = r.spawnError === 'ENOENT' ? 'smbclient is not installed' : r.spawnError;
      else if (r.timedOut) res.error = `no answer within ${timeoutMs / 1000} s`;
      else if (!res.ok) res.error = status ?? (shares.length === 0 ? 'no shares listed' : `exit ${r.code}`);
      return res;
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  }
}

export class NetViewLister implements SmbLister {
  readonly tool = 'net view' as const;

  async unavailable(): Promise<string | undefined> {
    return process.platform === 'win32' ? undefined : '`net view` exists only on Windows';
  }

  async list(target: SmbTarget, opts: { timeoutMs?: number; credentials?: SmbCredentials } = {}): Promise<SmbListResult> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    // net view has no way to take an address for a name: the share name must resolve (it is the point of the check).
    const host = `\\\\${target.name}`;
    const t0 = Date.now();
    const r = await runTool('net', ['view', host, '/all'], timeoutMs);
    const shares = parseNetView(r.out);
    const res: SmbListResult = { ok: r.code === 0 && shares.length > 0, shares, command: `net view ${host} /all`, output: r.out.trim(), authenticated: true, ms: Date.now() - t0 };
    const sys = /System error (\d+)/i.exec(r.out);
    if (!res.ok) res.error = r.timedOut ? `no answer within ${timeoutMs / 1000} s` : sys ? `System error ${sys[1]}` : r.spawnError ?? `exit ${r.code}`;
    return res;
  }
}

/** The lister for this machine: net view on Windows, smbclient elsewhere. */
export function platformSmbLister(platform: NodeJS.Platform = process.platform): SmbLister {
  return platform === 'win32' ? new NetViewLister() : new SmbclientLister();
}
