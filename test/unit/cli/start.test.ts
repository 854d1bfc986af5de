/** `npm start` (scripts/start.mjs): Electron when its binary and a display are there, else browser mode with one sentence. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinary, NO_BINARY, NO_DISPLAY, startDecision } from '../../../scripts/start.mjs';

function fakeCheckout(withBinary: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'pha-start-'));
  const dir = join(root, 'node_modules', 'electron');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  if (withBinary) {
    writeFileSync(join(dir, 'path.txt'), 'electron');
    writeFileSync(join(dir, 'dist', 'electron'), '');
  }
  return root;
}

describe('npm start', () => {
  it('finds the Electron binary only where path.txt names an existing file', () => {
    expect(electronBinary('/nonexistent', {})).toBeUndefined();
    expect(electronBinary(fakeCheckout(false), {})).toBeUndefined();
    const root = fakeCheckout(true);
    expect(electronBinary(root, {})).toBe(join(root, 'node_modules', 'electron', 'dist', 'electron'));
    // path.txt written but the download never finished
    const half = fakeCheckout(false);
    writeFileSync(join(half, 'node_modules', 'electron', 'path.txt'), 'electron');
    expect(electronBinary(half, {})).toBeUndefined();
  });

  it("honours the electron package's ELECTRON_OVERRIDE_DIST_PATH", () => {
    const root = fakeCheckout(true);
    const other = mkdtempSync(join(tmpdir(), 'pha-dist-'));
    expect(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: other })).toBeUndefined();
    writeFileSync(join(other, 'electron'), '');
    expect(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: other })).toBe(join(other, 'electron'));
  });

  it('without the binary: browser mode and one sentence naming npx --no install-electron', () => {
    for (const platform of ['linux', 'darwin', 'win32'])
      expect(startDecision({ bin: undefined, platform, env: { DISPLAY: ':0' } })).toEqual({ mode: 'browser', reason: NO_BINARY });
    expect(NO_BINARY).toContain('npx --no install-electron');
    expect(NO_BINARY).toContain('browser mode');
    expect(NO_BINARY).not.toContain('\n');
  });

  it('with the binary: Electron where there is a display, browser mode on a Linux machine without one', () => {
    const bin = '/x/electron';
    expect(startDecision({ bin, platform: 'linux', env: { DISPLAY: ':0' } })).toEqual({ mode: 'electron', bin });
    expect(startDecision({ bin, platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' } })).toEqual({ mode: 'electron', bin });
    expect(startDecision({ bin, platform: 'linux', env: {} })).toEqual({ mode: 'browser', reason: NO_DISPLAY });
    expect(startDecision({ bin, platform: 'darwin', env: {} })).toEqual({ mode: 'electron', bin });
    expect(startDecision({ bin, platform: 'win32', env: {} })).toEqual({ mode: 'electron', bin });
    expect(NO_DISPLAY).not.toContain('\n');
  });

  it('never requires the electron package (its index.js downloads the binary when it is missing)', () => {
    const src = readFileSync(join(import.meta.dirname, '../../../scripts/start.mjs'), 'utf8');
    expect(src).not.toMatch(/(import|require)\s*\(?\s*['"]electron['"]/);
    expect(src).not.toMatch(/install\.js|install-electron['"]\]/);
  });

  it('npm ci has no step that downloads: no install script of this package, electron has no postinstall', () => {
    const root = join(import.meta.dirname, '../../..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[s], s).toBeUndefined();
    const electron = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    for (const s of ['preinstall', 'install', 'postinstall']) expect(electron.scripts?.[s], `electron ${s}`).toBeUndefined();
  });
});
