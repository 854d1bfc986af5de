/**
 * An OpenSSH-format known_hosts store (Node only).
 *
 * Reads what OpenSSH writes: plain `host[,host2] key-type base64 [comment]` lines, `[host]:port`
 * for ports other than 22, hashed `|1|salt|hash` names, `*`/`?` wildcards and `!negated` patterns,
 * comments, and the `@revoked` / `@cert-authority` markers. Writes plain lines (OpenSSH reads them),
 * atomically (temp file + rename, mode 600, directory created with mode 700).
 *
 * Semantics follow OpenSSH's `check_host_key`:
 *   - a `@revoked` line whose key equals the presented key (for a matching host) → `revoked`;
 *   - any line for the host with the same key → `match`;
 *   - lines for the host with the same key type but a different key → `mismatch` (hard stop);
 *   - otherwise → `unknown`; keys of other types may be known for the host (`otherKeyTypes`,
 *     `otherKeys` with their fingerprints): a key of a NEW TYPE for a known host, which OpenSSH
 *     also treats as unknown but warns about.
 *   `@cert-authority` lines are ignored (we do not accept host certificates).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type KnownHostMarker = 'revoked' | 'cert-authority' | null;

export interface KnownHostEntry {
  /** The file the entry came from. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  marker: KnownHostMarker;
  /** The raw host field (pattern list or `|1|salt|hash`). */
  hosts: string;
  hashed: boolean;
  keyType: string;
  keyBlob: Buffer;
  fingerprint: string;
}

/** A usable (non-revoked) key known for a host: its type and SHA256 fingerprint. */
export interface KnownHostKey {
  keyType: string;
  fingerprint: string;
}

export interface KnownHostLocation {
  file: string;
  line: number;
  fingerprint: string;
}

export type VerifyResult =
  | { status: 'match'; keyType: string; fingerprint: string; file: string; line: number }
  | {
      status: 'unknown';
      keyType: string;
      fingerprint: string;
      /** key types already known for this host (OpenSSH warns about these) */
      otherKeyTypes: string[];
      /** the keys of those types, with their fingerprints (empty: the host is not known at all) */
      otherKeys: KnownHostKey[];
    }
  | {
      status: 'mismatch';
      keyType: string;
      /** fingerprints of the known keys of the same type */
      expected: string[];
      actual: string;
      /** where the expected keys are written (file + 1-based line) */
      locations: KnownHostLocation[];
    }
  | { status: 'revoked'; keyType: string; fingerprint: string; file: string; line: number };

/** `SHA256:<base64 without padding>` of the raw key blob, exactly as `ssh-keygen -l` prints it. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Normalises a fingerprint for comparison: `SHA256:` prefix kept, base64 padding dropped. */
export function normalizeFingerprint(fp: string): string {
  const trimmed = fp.trim();
  const body = trimmed.replace(/^SHA256:/i, '').replace(/=+$/, '');
  return `SHA256:${body}`;
}

/** The key type string embedded at the start of an SSH wire-format public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('SSH public key blob too short');
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) throw new Error('SSH public key blob is malformed');
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise (lower-cased). */
export function hostPattern(host: string, port: number): string {
  const h = host.trim().toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** One plain known_hosts line (without newline). */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBlob: Buffer): string {
  if (!/^[A-Za-z0-9@._+-]+$/.test(keyType)) throw new Error(`invalid key type: ${keyType}`);
  const name = hostPattern(host, port);
  if (name.length === 0 || /[\s,#]/.test(name) || name.startsWith('@') || name.startsWith('|') || name.startsWith('!')) {
    throw new Error(`invalid host name for known_hosts: ${JSON.stringify(host)}`);
  }
  return `${name} ${keyType} ${keyBlob.toString('base64')}`;
}

/** OpenSSH `match_pattern`: `*` any run, `?` one character; whole-string match. */
function matchPattern(s: string, pattern: string): boolean {
  // iterative glob with backtracking on the last '*'
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    const pc = pattern[pi];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === s[si])) {
      si++;
      pi++;
    } else if (pc === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** OpenSSH `match_hostname`: comma-separated patterns, `!` negates (a negated match wins). */
function matchHostPatternList(name: string, list: string): boolean {
  let positive = false;
  for (const raw of list.split(',')) {
    if (raw.length === 0) continue;
    const negated = raw.startsWith('!');
    const pat = (negated ? raw.slice(1) : raw).toLowerCase();
    if (matchPattern(name, pat)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` */
function matchHashed(name: string, field: string): boolean {
  const parts = field.split('|');
  // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const want = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length === 0 || want.length !== 20) return false;
  const got = createHmac('sha1', salt).update(name).digest();
  return timingSafeEqual(got, want);
}

function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  return entry.hashed ? matchHashed(name, entry.hosts) : matchHostPatternList(name, entry.hosts);
}

/**
 * Parses known_hosts text. Lines OpenSSH would skip (comments, blank, unknown markers, SSH1 keys,
 * undecodable keys) are skipped the same way.
 */
export function parseKnownHosts(text: string, file = '<memory>'): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '').trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const fields = line.split(/[ \t]+/);
    let marker: KnownHostMarker = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // OpenSSH: "invalid marker" → line ignored
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) continue;
    // SSH1 RSA lines: `host bits exponent modulus`
    if (/^\d+$/.test(keyType)) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const keyBlob = Buffer.from(b64, 'base64');
    let embedded: string;
    try {
      embedded = keyTypeOfBlob(keyBlob);
    } catch {
      continue;
    }
    // OpenSSH refuses a line whose declared type contradicts the key itself.
    if (embedded !== keyType) continue;
    out.push({
      file,
      line: i + 1,
      marker,
      hosts,
      hashed: hosts.startsWith('|'),
      keyType,
      keyBlob,
      fingerprint: fingerprintSha256(keyBlob),
    });
  }
  return out;
}

export interface KnownHostsOptions {
  /** Further known_hosts files that are read (never written), e.g. `~/.ssh/known_hosts`. */
  alsoRead?: string[];
}

// Serialises writers per file within this process.
const writeChains = new Map<string, Promise<unknown>>();

function serialized<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const prev = writeChains.get(file) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  writeChains.set(file, settled);
  void settled.then(() => {
    if (writeChains.get(file) === settled) writeChains.delete(file);
  });
  return next;
}

function readTextIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw err;
  }
}

async function atomicWrite(file: string, content: string): Promise<void> {
  await fsp.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.printha-${randomBytes(6).toString('hex')}.tmp`;
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'wx', 0o600);
    await fh.writeFile(content, 'utf8');
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.chmod(tmp, 0o600);
    await fsp.rename(tmp, file);
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

export class KnownHosts {
  readonly path: string;
  private readonly alsoRead: string[];

  /** `path` is the file this store writes (and reads); create it lazily on first `add`. */
  constructor(path: string, opts: KnownHostsOptions = {}) {
    this.path = path;
    this.alsoRead = opts.alsoRead ?? [];
  }

  /** Every entry of every file read by this store (fresh read each call). */
  entries(): KnownHostEntry[] {
    const all: KnownHostEntry[] = [];
    for (const file of [this.path, ...this.alsoRead]) all.push(...parseKnownHosts(readTextIfExists(file), file));
    return all;
  }

  /** Entries that apply to host:port (markers included; `@cert-authority` excluded). */
  lookup(host: string, port: number): KnownHostEntry[] {
    const name = hostPattern(host, port);
    return this.entries().filter((e) => e.marker !== 'cert-authority' && entryMatchesHost(e, name));
  }

  /** Key types with a usable (non-revoked) entry for host:port, in file order, unique. */
  knownKeyTypes(host: string, port: number): string[] {
    const types: string[] = [];
    for (const e of this.lookup(host, port)) if (e.marker === null && !types.includes(e.keyType)) types.push(e.keyType);
    return types;
  }

  /** Usable (non-revoked) keys for host:port, in file order, one per fingerprint. */
  knownKeys(host: string, port: number): KnownHostKey[] {
    const keys: KnownHostKey[] = [];
    for (const e of this.lookup(host, port)) {
      if (e.marker === null && !keys.some((k) => k.keyType === e.keyType && k.fingerprint === e.fingerprint))
        keys.push({ keyType: e.keyType, fingerprint: e.fingerprint });
    }
    return keys;
  }

  verify(host: string, port: number, keyType: string, keyBlob: Buffer): VerifyResult {
    const actual = fingerprintSha256(keyBlob);
    const entries = this.lookup(host, port);
    for (const e of entries) {
      if (e.marker === 'revoked' && e.keyBlob.equals(keyBlob)) {
        return { status: 'revoked', keyType, fingerprint: actual, file: e.file, line: e.line };
      }
    }
    const usable = entries.filter((e) => e.marker === null);
    const same = usable.find((e) => e.keyType === keyType && e.keyBlob.equals(keyBlob));
    if (same) return { status: 'match', keyType, fingerprint: actual, file: same.file, line: same.line };
    const sameType = usable.filter((e) => e.keyType === keyType);
    if (sameType.length > 0) {
      const expected: string[] = [];
      for (const e of sameType) if (!expected.includes(e.fingerprint)) expected.push(e.fingerprint);
      return {
        status: 'mismatch',
        keyType,
        expected,
        actual,
        locations: sameType.map((e) => ({ file: e.file, line: e.line, fingerprint: e.fingerprint })),
      };
    }
    // no usable key of this type is known here, so every known key is of another type
    return {
      status: 'unknown',
      keyType,
      fingerprint: actual,
      otherKeyTypes: this.knownKeyTypes(host, port),
      otherKeys: this.knownKeys(host, port),
    };
  }

  /**
   * Appends `host key-type base64` (or `[host]:port ...`) to `path`, atomically: the file is
   * rewritten to a temp file (mode 600) in the same directory and renamed over the original.
   * A line that is already present is not duplicated. Returns the 1-based line number.
   */
  add(host: string, port: number, keyType: string, keyBlob: Buffer): Promise<{ line: number }> {
    let line: string;
    try {
      line = formatKnownHostsLine(host, port, keyType, keyBlob);
      if (keyTypeOfBlob(keyBlob) !== keyType) throw new Error(`key type ${keyType} does not match the key blob`);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return serialized(this.path, async () => {
      const current = readTextIfExists(this.path);
      const existing = parseKnownHosts(current, this.path).find(
        (e) => e.marker === null && !e.hashed && e.hosts === line.split(' ')[0] && e.keyBlob.equals(keyBlob),
      );
      if (existing) return { line: existing.line };
      const base = current.length === 0 || current.endsWith('\n') ? current : `${current}\n`;
      await atomicWrite(this.path, `${base}${line}\n`);
      return { line: base.length === 0 ? 1 : base.split('\n').length };
    });
  }

  /**
   * Removes every entry of `path` written for exactly this host:port (plain names in a pattern
   * list and hashed names; wildcard patterns are kept), like `ssh-keygen -R`. Returns how many
   * lines were removed. `alsoRead` files are never changed.
   */
  remove(host: string, port: number): Promise<number> {
    const name = hostPattern(host, port);
    return serialized(this.path, async () => {
      const current = readTextIfExists(this.path);
      if (current.length === 0) return 0;
      const drop = new Set<number>();
      for (const e of parseKnownHosts(current, this.path)) {
        if (e.marker === 'revoked') continue;
        const hit = e.hashed ? matchHashed(name, e.hosts) : e.hosts.split(',').some((p) => p.toLowerCase() === name);
        if (hit) drop.add(e.line);
      }
      if (drop.size === 0) return 0;
      const kept = current.split('\n').filter((_, i) => !drop.has(i + 1));
      await atomicWrite(this.path, kept.join('\n'));
      return drop.size;
    });
  }
}
