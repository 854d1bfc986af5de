/** The zip writer and reader: checked by unzip -t, Python's zipfile, and a round trip. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, unzipFiles, zipFiles } from '../../../electron/core/pack/zip.js';

const hasUnzip = spawnSync('unzip', ['-v']).error === undefined;
const hasPython = spawnSync('python3', ['-c', 'import zipfile']).status === 0;
if (!hasUnzip) console.warn('[zip] unzip not installed: the unzip -t checks are skipped');
if (!hasPython) console.warn('[zip] python3 not available: the zipfile checks are skipped');

const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
const ENTRIES = [
  { path: 'README.md', data: '# Pack\n\n' + 'repeat me '.repeat(400) },
  { path: 'balancer/run.sh', data: '#!/bin/sh\necho ok\n', mode: 0o755 },
  { path: 'servers/PS1/prepare.ps1', data: "Write-Output 'é ü ß — ok'\r\n" },
  { path: 'results/' },
  { path: 'bin/blob.dat', data: binary },
  { path: 'empty.txt', data: '' },
];

function build(): { dir: string; zip: string; buf: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'printha-zip-'));
  const buf = zipFiles(ENTRIES, { mtime: new Date(2026, 4, 1, 12, 30, 10) });
  const zip = join(dir, 'x.zip');
  writeFileSync(zip, buf);
  return { dir, zip, buf };
}

describe('zip', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it.skipIf(!hasUnzip)('unzip -t accepts it and extracts the same bytes and modes', () => {
    const { dir, zip } = build();
    const t = execFileSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(t).toContain('No errors detected');
    const out = join(dir, 'x');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe(ENTRIES[0]!.data);
    expect(readFileSync(join(out, 'servers/PS1/prepare.ps1'), 'utf8')).toBe(ENTRIES[2]!.data);
    expect(readFileSync(join(out, 'bin/blob.dat')).equals(binary)).toBe(true);
    expect(statSync(join(out, 'balancer/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'results')).isDirectory()).toBe(true);
    const z = execFileSync('unzip', ['-Z', '-v', zip], { encoding: 'utf8' });
    expect(z).toMatch(/compression method:\s+deflated/);
    expect(z).toMatch(/compression method:\s+none \(stored\)/); // blob does not shrink: stored
  });

  it.skipIf(!hasPython)("Python's zipfile lists and tests it", () => {
    const { zip } = build();
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', zip], { encoding: 'utf8' });
    for (const e of ENTRIES) expect(listing).toContain(e.path);
    expect(listing).toMatch(/2026-05-01 12:30:10/);
    const test = execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print(z.read("servers/PS1/prepare.ps1").decode("utf-8"))', zip], { encoding: 'utf8' });
    expect(test.split('\n')[0]).toBe('None');
    expect(test).toContain('é ü ß — ok');
  });

  it('reads back what it wrote, and reads a zip Python wrote', () => {
    const { dir, buf } = build();
    const back = unzipFiles(buf);
    expect(back.map((e) => e.path)).toEqual(ENTRIES.map((e) => e.path));
    expect(back.find((e) => e.path === 'bin/blob.dat')!.data.equals(binary)).toBe(true);
    expect(back.find((e) => e.path === 'balancer/run.sh')!.mode).toBe(0o755);
    expect(back.find((e) => e.path === 'results/')!.isDirectory).toBe(true);
    if (hasPython) {
      const py = join(dir, 'py.zip');
      execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED); z.writestr("results/PS1-prepare.json","{\\"a\\": 1}"*50); z.close()', py]);
      const e = unzipFiles(readFileSync(py));
      expect(e[0]!.path).toBe('results/PS1-prepare.json');
      expect(e[0]!.data.toString()).toBe('{"a": 1}'.repeat(50));
    }
  });

  it('refuses unsafe names, duplicates and damaged data', () => {
    expect(() => zipFiles([{ path: '../evil', data: 'x' }])).toThrow(/relative path/);
    expect(() => zipFiles([{ path: '/abs', data: 'x' }])).toThrow(/relative path/);
    expect(() => zipFiles([{ path: 'a\\b', data: 'x' }])).toThrow(/forward slashes/);
    expect(() => zipFiles([{ path: 'a', data: 'x' }, { path: 'a', data: 'y' }])).toThrow(/twice/);
    const buf = zipFiles([{ path: 'a.txt', data: 'hello hello hello hello hello hello' }], { level: 0 });
    const bad = Buffer.from(buf);
    bad[37] = bad[37]! ^ 0xff; // a byte of the stored data (30-byte header + "a.txt" + 2)
    expect(() => unzipFiles(bad)).toThrow(/damaged/);
    expect(() => unzipFiles(Buffer.from('not a zip at all, definitely not'))).toThrow(/not a zip/);
  });
});
