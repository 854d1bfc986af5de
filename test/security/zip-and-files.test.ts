/**
 * Issue 16 items 4 and 8 (files): a 1 MB results zip reached 2-4 GB of memory (no inflate cap, the
 * declared size checked after inflating, overlapping entries accepted) and failed with a raw
 * RangeError; a FIFO as the site file or in a results folder, and `render --out /proc/x`, hung.
 * Now: declared sizes checked first, inflating stops at the declared size, overlaps refused, one
 * line per failure; non-regular files refused after a non-blocking open; output folders created one
 * level at a time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportError, importResults, readResultSources } from '../../electron/core/pack/import.js';
import { crc32, unzipFiles, UNZIP_LIMITS, ZipError, zipFiles } from '../../electron/core/pack/zip.js';
import { main } from '../../electron/cli/main.js';
import type { CliIO } from '../../electron/cli/types.js';
import { example } from '../unit/runbook/fixtures.js';
import { envelope, prepareJson } from '../unit/pack/results-fixtures.js';
import { answersQuickly } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'printha-sec-'));

interface RawEntry {
  name: string;
  body: Buffer;
  method: number;
  crc: number;
  usize: number;
}

/** A zip written by hand: entries may lie about sizes, share a body (overlap) or point anywhere. */
function rawZip(entries: RawEntry[], opts: { share?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const cds: Buffer[] = [];
  let offset = 0;
  let firstOffset = 0;
  entries.forEach((e, i) => {
    const name = Buffer.from(e.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6);
    lh.writeUInt16LE(e.method, 8);
    lh.writeUInt32LE(e.crc, 14);
    lh.writeUInt32LE(e.body.length, 18);
    lh.writeUInt32LE(e.usize, 22);
    lh.writeUInt16LE(name.length, 26);
    const at = opts.share && i > 0 ? firstOffset : offset;
    if (!(opts.share && i > 0)) {
      locals.push(lh, name, e.body);
      if (i === 0) firstOffset = offset;
      offset += 30 + name.length + e.body.length;
    }
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(e.method, 10);
    ch.writeUInt32LE(e.crc, 16);
    ch.writeUInt32LE(e.body.length, 20);
    ch.writeUInt32LE(e.usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(at, 42);
    cds.push(ch, name);
  });
  const cd = Buffer.concat(cds);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const ZEROS = Buffer.alloc(200 * 1024 * 1024);
const BOMB_BODY = deflateRawSync(ZEROS, { level: 9 }); // ~200 KB that inflate to 200 MB

function refusedOneLine(buf: Buffer, re: RegExp): void {
  let err: unknown;
  try {
    unzipFiles(buf);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ZipError);
  expect((err as Error).message).toMatch(re);
  expect((err as Error).message).not.toMatch(/\n/);
}

describe('zip import limits', () => {
  it('an entry that declares more than the per-entry limit is refused before inflating', async () => {
    const z = rawZip([{ name: 'results/a.json', body: BOMB_BODY, method: 8, crc: crc32(ZEROS), usize: ZEROS.length }]);
    expect(z.length).toBeLessThan(1024 * 1024);
    await answersQuickly(() => refusedOneLine(z, /declares 209715200 bytes \(200 MB\); the limit per entry is 16 MB/));
  });

  it('an entry that lies about its size stops inflating at the declared size', async () => {
    const z = rawZip([{ name: 'results/a.json', body: BOMB_BODY, method: 8, crc: 0, usize: 1000 }]);
    const before = process.memoryUsage().rss;
    await answersQuickly(() => refusedOneLine(z, /inflates to more than the 1000 bytes it declares/));
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('many entries over the total limit are refused on the declared sizes', async () => {
    const one = Buffer.alloc(15 * 1024 * 1024);
    const body = deflateRawSync(one);
    const z = rawZip(
      Array.from({ length: 5 }, (_, i) => ({ name: `results/${i}.json`, body, method: 8, crc: crc32(one), usize: one.length })),
    );
    await answersQuickly(() => refusedOneLine(z, /more than 64 MB in total/));
  });

  it('overlapping entries (one body shared by many) are refused', async () => {
    const data = Buffer.alloc(4 * 1024 * 1024);
    const body = deflateRawSync(data);
    const z = rawZip(
      Array.from({ length: 10 }, (_, i) => ({ name: `results/${i}.json`, body, method: 8, crc: crc32(data), usize: data.length })),
      { share: true },
    );
    await answersQuickly(() => refusedOneLine(z, /overlap; refusing the archive/));
  });

  it('truncated and bit-flipped archives fail with one line, never a raw RangeError', () => {
    const good = zipFiles([
      { path: 'results/PS1-prepare.json', data: 'x'.repeat(5000) },
      { path: 'results/PS2-prepare.json', data: 'y'.repeat(100) },
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: good.length }),
        (at, byte, cut) => {
          for (const buf of [
            Buffer.concat([good.subarray(0, at), Buffer.from([byte]), good.subarray(at + 1)]),
            good.subarray(0, cut),
            good.subarray(good.length - cut),
          ]) {
            try {
              unzipFiles(buf);
            } catch (e) {
              expect(e).toBeInstanceOf(ZipError);
              expect((e as Error).message).not.toMatch(/\n|RangeError|ERR_/);
            }
          }
        },
      ),
      { numRuns: 500, seed: 16 },
    );
  });

  it('printha import of a bomb zip: one line naming the file and the limit', async () => {
    const dir = tmp();
    const zip = join(dir, 'pack.zip');
    writeFileSync(zip, rawZip([{ name: 'results/PS1-prepare.json', body: BOMB_BODY, method: 8, crc: crc32(ZEROS), usize: ZEROS.length }]));
    const e = await answersQuickly(() => {
      try {
        readResultSources(zip);
      } catch (x) {
        return x as Error;
      }
      return undefined;
    });
    expect(e).toBeInstanceOf(ImportError);
    expect(e!.message).toMatch(
      /^".*pack\.zip" is not a readable zip: zip entry "results\/PS1-prepare\.json" declares .* the limit per entry is 16 MB$/,
    );
  });

  it('a real pack zip still imports', () => {
    const dir = tmp();
    const zip = join(dir, 'pack.zip');
    writeFileSync(
      zip,
      zipFiles([
        { path: 'results/PS1-prepare.json', data: envelope('prepare.ps1', 'PS1', prepareJson('PS1'), '2026-05-01T10:00:00.000Z') },
      ]),
    );
    expect(readResultSources(zip).map((s) => s.file)).toEqual(['results/PS1-prepare.json']);
    expect(UNZIP_LIMITS.maxEntryBytes).toBe(16 * 1024 * 1024);
  });
});

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd: process.cwd() };
  return { io, out, err };
}

describe.skipIf(!hasMkfifo)('non-regular files', () => {
  it('a FIFO as the site file: refused in one line, no hang', async () => {
    const fifo = join(tmp(), 'site.yaml');
    execFileSync('mkfifo', [fifo]);
    const c = cli();
    const code = await answersQuickly(() => main(['validate', fifo], c.io));
    expect(code).toBe(2);
    expect(c.err.join('')).toBe(`printha validate: Cannot read site file "${fifo}": it is a named pipe (FIFO), not a regular file.\n`);
  });

  it('a FIFO in a results folder: refused naming the file, no hang', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'PS1'));
    writeFileSync(join(dir, 'PS1', 'PS1-prepare.json'), envelope('prepare.ps1', 'PS1', prepareJson('PS1'), '2026-05-01T10:00:00.000Z'));
    execFileSync('mkfifo', [join(dir, 'PS1', 'PS2-prepare.json')]);
    const state = tmp();
    await answersQuickly(() =>
      expect(() => importResults(example('lab-snat'), state, dir, { env: {} })).toThrow(/PS2-prepare\.json" is not a regular file/),
    );
  });

  it('a site file that is a directory or a device: one line', async () => {
    const c = cli();
    expect(await main(['validate', tmpdir()], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/it is a directory\.\n$/);
    const d = cli();
    expect(await answersQuickly(() => main(['validate', '/dev/zero'], d.io))).toBe(2);
    expect(d.err.join('')).toMatch(/^printha validate: Cannot read site file "\/dev\/zero": it is a device, not a regular file\.\n$/);
  });
});

describe('render --out into a place that cannot hold a folder', () => {
  it.each(['/proc/x', '/proc/self/x/y', '/dev/null/x'])('render --out %s fails fast with one line', async (out) => {
    const c = cli();
    const code = await answersQuickly(() =>
      main(['render', join(import.meta.dirname, '../../examples/lab-snat.yaml'), '--out', out], c.io),
    );
    expect(code).toBe(1);
    const text = c.err.join('');
    expect(text).toMatch(new RegExp(`^printha render: Cannot create the folder "${out.replace(/\//g, '\\/')}": .*\\n$`));
    expect(text.split('\n')).toHaveLength(2);
  });
});
