/** electron-builder.yml and electron.vite.config.ts: the packaging contract of the desktop app. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url);
const cfg = parse(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

const targets = (section: string) => ((cfg[section] as { target: { target: string }[] }).target ?? []).map((t) => t.target);

describe('electron-builder.yml', () => {
  it('names the app and never publishes or updates', () => {
    expect(cfg.appId).toMatch(/^[a-z0-9.-]+\.[a-z0-9.-]+$/);
    expect(cfg.productName).toBe('PrintHA');
    expect(cfg).toHaveProperty('publish', null);
  });

  it('builds an NSIS installer (not nsis-web), an AppImage and a dmg', () => {
    expect(targets('win')).toEqual(['nsis']);
    expect(targets('linux')).toEqual(['AppImage']);
    expect(targets('mac')).toEqual(['dmg']);
  });

  it('sets the Electron fuses', () => {
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it('packs only the built app and ships PowerShell, templates, checks and examples as extraResources', () => {
    expect(cfg.files).toContain('out/**');
    expect((cfg.files as string[]).some((f) => /electron\/|renderer\/|bridge/.test(f) && !f.startsWith('!'))).toBe(false);
    const extra = (cfg.extraResources as { from: string; to: string }[]).map((e) => `${e.from}->${e.to}`);
    expect(extra).toEqual(
      expect.arrayContaining([
        'resources/powershell->powershell',
        'resources/templates->templates',
        'resources/checks->checks',
        'examples->examples',
      ]),
    );
    expect(cfg.asar).toBe(true);
  });

  it('points at what electron-vite builds', () => {
    expect(pkg.main).toBe('out/main/index.js');
    expect(pkg.scripts.build).toBe('electron-vite build');
    expect(pkg.scripts.start).toBe('node scripts/start.mjs');
    const vite = readFileSync(new URL('electron.vite.config.ts', root), 'utf8');
    for (const entry of ['electron/main/index.ts', 'electron/preload/index.ts', "root: 'renderer'", "format: 'cjs'"])
      expect(vite).toContain(entry);
    expect(existsSync(new URL('renderer/index.html', root))).toBe(true);
  });
});
