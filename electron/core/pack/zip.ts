/**
 * A small ZIP writer and reader (PKWARE APPNOTE: local headers, central directory, end record; no
 * ZIP64, no encryption). Entries are deflated with node:zlib when that makes them smaller, else
 * stored. Names are UTF-8 (flag bit 11), Unix modes go in the external attributes so shell scripts
 * stay executable after `unzip`. Windows' Explorer, Expand-Archive, unzip and Python read it.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Forward slashes; a name ending in "/" is a directory. */
  path: string;
  data?: Uint8Array | string;
  /** Unix permission bits (default 0644 for files, 0755 for directories). */
  mode?: number;
}

export interface ZipOptions {
  /** Modification time of every entry (default now); fixed for reproducible packs. */
  mtime?: Date;
  /** Deflate level 0-9 (default 9); 0 stores every entry. */
  level?: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function checkName(path: string): void {
  if (!path || path.startsWith('/') || path.includes('\\') || path.split('/').some((p) => p === '..') || /^[A-Za-z]:/.test(path))
    throw new Error(`zip entry name "${path}" must be a relative path with forward slashes and no ".."`);
}

/** Builds the whole archive in memory (packs are small: scripts and configs). */
export function zipFiles(entries: readonly ZipEntry[], opts: ZipOptions = {}): Buffer {
  const { time, date } = dosDateTime(opts.mtime ?? new Date());
  const level = opts.level ?? 9;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const e of entries) {
    checkName(e.path);
    if (seen.has(e.path)) throw new Error(`zip entry "${e.path}" appears twice`);
    seen.add(e.path);
    const isDir = e.path.endsWith('/');
    const raw = isDir ? Buffer.alloc(0) : typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data ?? new Uint8Array());
    const crc = crc32(raw);
    let method = 0;
    let body: Buffer = raw;
    if (!isDir && level > 0 && raw.length > 0) {
      const d = deflateRawSync(raw, { level });
      if (d.length < raw.length) {
        method = 8;
        body = d;
      }
    }
    const name = Buffer.from(e.path, 'utf8');
    const mode = (e.mode ?? (isDir ? 0o755 : 0o644)) & 0o7777;
    const unixMode = (isDir ? 0o040000 : 0o100000) | mode;
    if (offset > 0xffffffff || body.length > 0xffffffff) throw new Error('zip archive too large (ZIP64 is not supported)');

    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4); // version needed: 2.0 (deflate, directories)
    lh.writeUInt16LE(0x0800, 6); // UTF-8 names
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(time, 10);
    lh.writeUInt16LE(date, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(raw.length, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    locals.push(lh, name, body);

    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(time, 12);
    ch.writeUInt16LE(date, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(raw.length, 24);
    ch.writeUInt16LE(name.length, 28);
    // extra, comment, disk start, internal attributes: 0
    ch.writeUInt32LE(((unixMode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  if (entries.length > 0xffff) throw new Error('too many zip entries (ZIP64 is not supported)');
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export interface UnzippedEntry {
  path: string;
  data: Buffer;
  /** Unix mode bits when the archive recorded them (made on Unix), else undefined. */
  mode?: number;
  isDirectory: boolean;
}

/** Limits of unzipFiles: a results zip is a few hundred KB of JSON. */
export interface UnzipLimits {
  /** Inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Inflated bytes of all entries together. */
  maxTotalBytes: number;
  maxEntries: number;
}

export const UNZIP_LIMITS: UnzipLimits = { maxEntryBytes: 16 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024, maxEntries: 10_000 };

export class ZipError extends Error {}

const MB = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/**
 * Reads an archive (for `printha import` of a results zip and for tests). Checks every CRC and
 * refuses names that would escape the extraction folder. Bounded: the declared sizes are checked
 * against the limits before anything is inflated, inflating stops at the declared size (so an entry
 * that inflates to more is refused, not held in memory), entries whose data overlap (one body
 * shared by many entries, or the central directory) are refused, and every failure is one line
 * (ZipError), never a raw RangeError.
 */
export function unzipFiles(buf: Buffer, limits: UnzipLimits = UNZIP_LIMITS): UnzippedEntry[] {
  try {
    return unzipChecked(buf, limits);
  } catch (e) {
    if (e instanceof ZipError) throw e;
    // A read past the end of the buffer (RangeError) or zlib's own error: one line.
    const why = e instanceof RangeError || (e as { code?: string }).code === 'ERR_OUT_OF_RANGE' ? 'a header points outside the file' : (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new ZipError(`corrupt zip archive (${why})`);
  }
}

function unzipChecked(buf: Buffer, limits: UnzipLimits): UnzippedEntry[] {
  if (buf.length < 22) throw new ZipError('not a zip archive (too short)');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new ZipError('not a zip archive (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdStart = buf.readUInt32LE(eocd + 16);
  if (count > limits.maxEntries) throw new ZipError(`the zip has ${count} entries; the limit is ${limits.maxEntries}`);
  if (cdStart + cdSize > eocd) throw new ZipError('corrupt zip archive (the central directory is outside the file)');
  let p = cdStart;
  const out: UnzippedEntry[] = [];
  const spans: { start: number; end: number; path: string }[] = [];
  let declaredTotal = 0;
  const headers: { path: string; method: number; crc: number; csize: number; usize: number; start: number; madeBy: number; ext: number }[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > cdStart + cdSize || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipError('corrupt zip archive (bad central directory entry)');
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const ext = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const path = buf.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x0800 ? 'utf8' : 'latin1').replace(/\\/g, '/');
    p += 46 + nameLen + extraLen + commentLen;
    const shown = JSON.stringify(path.slice(0, 120)).replace(/[^\x20-\x7e]/g, '?');
    try {
      checkName(path);
    } catch {
      throw new ZipError(`zip entry name ${shown} must be a relative path with forward slashes and no ".."`);
    }
    if (flags & 1) throw new ZipError(`zip entry ${shown} is encrypted`);
    if (method !== 0 && method !== 8) throw new ZipError(`zip entry ${shown} uses compression method ${method}; only store and deflate are supported`);
    // Declared sizes first: nothing is inflated for an archive that says it is too large.
    if (usize > limits.maxEntryBytes) throw new ZipError(`zip entry ${shown} declares ${usize} bytes (${MB(usize)}); the limit per entry is ${MB(limits.maxEntryBytes)}`);
    declaredTotal += usize;
    if (declaredTotal > limits.maxTotalBytes) throw new ZipError(`the zip declares more than ${MB(limits.maxTotalBytes)} in total (the limit); refusing to inflate it`);
    if (method === 0 && csize !== usize) throw new ZipError(`zip entry ${shown} is damaged (stored with different sizes)`);
    if (local + 30 > cdStart || buf.readUInt32LE(local) !== 0x04034b50) throw new ZipError(`corrupt zip archive (bad local header for ${shown})`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const end = start + csize;
    if (end > cdStart) throw new ZipError(`corrupt zip archive (the data of ${shown} runs past the entries)`);
    spans.push({ start: local, end, path: shown });
    headers.push({ path, method, crc, csize, usize, start, madeBy, ext });
  }
  // Overlapping entries (a zip bomb reuses one deflated body for many entries) are refused.
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++)
    if (spans[i]!.start < spans[i - 1]!.end) throw new ZipError(`zip entries ${spans[i - 1]!.path} and ${spans[i]!.path} overlap; refusing the archive`);
  for (const h of headers) {
    const body = buf.subarray(h.start, h.start + h.csize);
    let data: Buffer;
    if (h.method === 0) data = Buffer.from(body);
    else {
      try {
        // Stops at the declared size: an entry that inflates to more fails here, bounded.
        data = h.usize === 0 ? inflateRawSync(body, { maxOutputLength: 1 }) : inflateRawSync(body, { maxOutputLength: h.usize });
      } catch (e) {
        const big = e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        throw new ZipError(`zip entry ${JSON.stringify(h.path.slice(0, 120))} ${big ? `inflates to more than the ${h.usize} bytes it declares` : 'is damaged (deflate data)'}`);
      }
    }
    if (data.length !== h.usize || crc32(data) !== h.crc) throw new ZipError(`zip entry ${JSON.stringify(h.path.slice(0, 120))} is damaged (CRC or size mismatch)`);
    const isDirectory = h.path.endsWith('/');
    const mode = h.madeBy === 3 && h.ext >>> 16 ? (h.ext >>> 16) & 0o7777 : undefined;
    out.push({ path: h.path, data, isDirectory, ...(mode !== undefined ? { mode } : {}) });
  }
  return out;
}
