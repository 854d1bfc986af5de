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

/**
 * Reads an archive (for `printha import` of a results zip and for tests). Checks every CRC and
 * refuses names that would escape the extraction folder.
 */
export function unzipFiles(buf: Buffer): UnzippedEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: UnzippedEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip archive (bad central directory entry)');
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
    checkName(path);
    if (flags & 1) throw new Error(`zip entry "${path}" is encrypted`);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`corrupt zip archive (bad local header for "${path}")`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const body = buf.subarray(start, start + csize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(body);
    else if (method === 8) data = inflateRawSync(body);
    else throw new Error(`zip entry "${path}" uses compression method ${method}; only store and deflate are supported`);
    if (data.length !== usize || crc32(data) !== crc) throw new Error(`zip entry "${path}" is damaged (CRC or size mismatch)`);
    const isDirectory = path.endsWith('/');
    const mode = madeBy === 3 && ext >>> 16 ? (ext >>> 16) & 0o7777 : undefined;
    out.push({ path, data, isDirectory, ...(mode !== undefined ? { mode } : {}) });
  }
  return out;
}
