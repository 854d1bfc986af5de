import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenCookieName } from '../../../electron/bridge/server.js';
import { DEFAULT_UI_PORT, parseUiArgs, printHaListening, startUi, uiCommand, uiPortCandidates } from '../../../electron/cli/commands/ui.js';
import { COMMANDS } from '../../../electron/cli/registry.js';
import type { CliIO } from '../../../electron/cli/types.js';

describe('printha ui', () => {
  it('is registered', () => {
    expect(COMMANDS).toContain(uiCommand);
  });
  it('parses --port and --no-open, refuses junk', () => {
    expect(parseUiArgs([])).toEqual({ port: DEFAULT_UI_PORT, explicit: false, open: true });
    expect(parseUiArgs(['--port', '8123', '--no-open'])).toEqual({ port: 8123, explicit: true, open: false });
    expect(parseUiArgs(['--port', '0'])).toEqual({ port: 0, explicit: true, open: true });
    expect(() => parseUiArgs(['--port', 'abc'])).toThrow(/--port must be a number/);
    expect(() => parseUiArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseUiArgs(['--port', '-1'])).toThrow(/--port/);
    expect(() => parseUiArgs(['extra'])).toThrow(/Unexpected argument/);
    expect(() => parseUiArgs(['--bogus'])).toThrow(/Unknown option/);
  });
});

describe('printha ui: a stable origin', () => {
  it('has a fixed default port outside the ephemeral port ranges (Linux 32768-, Windows/macOS 49152-)', () => {
    expect(DEFAULT_UI_PORT).toBe(29100);
    expect(parseUiArgs([]).port).toBe(parseUiArgs([]).port);
    expect(DEFAULT_UI_PORT).toBeGreaterThan(1024);
    expect(DEFAULT_UI_PORT + 4).toBeLessThan(32768);
  });
  it('PRINTHA_UI_PORT overrides the default, --port overrides both; a bad value names its source', () => {
    expect(parseUiArgs([], { PRINTHA_UI_PORT: '8200' })).toEqual({ port: 8200, explicit: true, open: true });
    expect(parseUiArgs(['--port', '8300'], { PRINTHA_UI_PORT: '8200' }).port).toBe(8300);
    expect(parseUiArgs([], { PRINTHA_UI_PORT: '' }).port).toBe(DEFAULT_UI_PORT);
    expect(() => parseUiArgs([], { PRINTHA_UI_PORT: 'x' })).toThrow(/^PRINTHA_UI_PORT must be a number 0-65535/);
  });
  it('tries the default and then a few fixed fallbacks (each a stable origin); a chosen port or 0 alone', () => {
    expect(uiPortCandidates({ port: DEFAULT_UI_PORT, explicit: false })).toEqual([29100, 29101, 29102, 29103, 29104]);
    expect(uiPortCandidates({ port: 8123, explicit: true })).toEqual([8123]);
    expect(uiPortCandidates({ port: 0, explicit: true })).toEqual([0]);
    expect(uiPortCandidates({ port: 65535, explicit: false })).toEqual([65535]);
  });
  it('the token cookie is named by port, so bridges on two ports of 127.0.0.1 never share it', () => {
    expect(tokenCookieName(29100)).toBe('printha_token_29100');
    expect(tokenCookieName(29100)).not.toBe(tokenCookieName(29101));
  });
});

describe('printha ui: ports in use', () => {
  const servers: Server[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await Promise.all(servers.splice(0).map((s) => new Promise((ok) => s.close(ok))));
  });

  function io(): CliIO & { errs: string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'pha-ui-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>PrintHA</title>');
    const errs: string[] = [];
    return { out: () => undefined, err: (t) => errs.push(t), env: { PRINTHA_RENDERER_DIR: dir, PRINTHA_STATE_DIR: dir }, cwd: dir, errs };
  }

  /** A port held by a program that is not PrintHA. */
  async function hold(port = 0): Promise<number> {
    const s = createServer((_q, r) => r.writeHead(200).end('not printha'));
    servers.push(s);
    await new Promise<void>((ok, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => ok());
    });
    const a = s.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  it('falls back to the next port with one line when another program holds the default', async () => {
    let base = await hold();
    while (base > 65000) base = await hold(); // room for the fallbacks above it
    const o = io();
    const b = await startUi({ port: base, explicit: false, open: false }, o).catch((e: Error) => e);
    if (b instanceof Error) throw b;
    closers.push(() => b.close());
    expect(b.port).toBeGreaterThan(base);
    expect(b.port).toBeLessThanOrEqual(base + 4);
    expect(b.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${b.port}/\\?token=[0-9a-f]{64}$`));
    expect(o.errs.join('')).toMatch(new RegExp(`^Port ${base} is in use by another program, so PrintHA uses ${b.port};.*\\n$`));
    expect(o.errs.join('').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses a chosen port that is in use, in one line, without a fallback', async () => {
    const port = await hold();
    const e = (await startUi({ port, explicit: true, open: false }, io()).catch((x: Error) => x)) as Error;
    expect(e.message).toBe(`Port ${port} is already in use on 127.0.0.1; choose another with --port, or --port 0 for any free port.`);
  });

  it('says that PrintHA already runs there instead of starting a second one on another port', async () => {
    const first = await startUi({ port: 0, explicit: true, open: false }, io());
    closers.push(() => first.close());
    expect(await printHaListening(first.port)).toBe(true);
    const e = (await startUi({ port: first.port, explicit: false, open: false }, io()).catch((x: Error) => x)) as Error;
    expect(e.message).toMatch(new RegExp(`^PrintHA is already running on http://127\\.0\\.0\\.1:${first.port} `));
    expect(e.message).not.toContain('\n');
  });

  it('a port held by something else is not taken for PrintHA', async () => {
    expect(await printHaListening(await hold())).toBe(false);
  });
});
