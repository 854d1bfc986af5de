/**
 * `printha ui [--port N] [--no-open]` — browser mode: serves the built interface and the
 * WebSocket bridge on 127.0.0.1 and prints the address with this run's access token.
 *
 * The port is stable (DEFAULT_UI_PORT unless --port or PRINTHA_UI_PORT says otherwise): the port is
 * part of the page's origin, and the browser keeps the site in progress, Continue and Recent sites
 * per origin, so a new port on every start would lose them. The token is new on every start.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST, startBridge, type Bridge } from '../../bridge/server.js';
import { createDefaultCore } from '../../core/rpc/defaults.js';
import { opt, parseArgs } from '../args.js';
import { UsageError, type CliCommand, type CliIO } from '../types.js';

const usage = 'printha ui [--port N] [--no-open]';

/**
 * The default port of browser mode: fixed, so the page's origin (and the work the browser keeps for
 * it) is the same on every start. Below the ephemeral ranges of Linux (32768-) and Windows/macOS
 * (49152-), so an outgoing connection never holds it.
 */
export const DEFAULT_UI_PORT = 29100;
/** Fallbacks when the default port is held by another program: the next few, tried in order (each a stable origin too). */
export const UI_PORT_FALLBACKS = 4;

/** The checkout (or unpacked app) root: electron/cli/commands -> ../../.. */
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function rendererDir(env: NodeJS.ProcessEnv): string {
  return env.PRINTHA_RENDERER_DIR || join(APP_ROOT, 'out', 'renderer');
}

/** Runs a build step; its output is kept and shown only when it fails (vite's progress is noise here). */
function run(cmd: string, args: string[], io: CliIO): Promise<number> {
  return new Promise((ok) => {
    let out = '';
    const child = spawn(cmd, args, { cwd: APP_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: io.env });
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => (out += String(d)));
    child.on('error', (e) => {
      io.err(`Could not run ${cmd}: ${e.message}\n`);
      ok(127);
    });
    child.on('close', (code) => {
      if (code !== 0) io.err(out);
      ok(code ?? 1);
    });
  });
}

function openBrowser(url: string): boolean {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export interface UiOptions {
  /** 0 = any free port (a new origin each start: the browser keeps no work across restarts). */
  port: number;
  /** --port or PRINTHA_UI_PORT chose the port: it is used or refused, never replaced by a fallback. */
  explicit: boolean;
  open: boolean;
}

function portNumber(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535)
    throw new UsageError(`${what} must be a number 0-65535 (0 = any free port), not "${text.slice(0, 40)}".`);
  return port;
}

export function parseUiArgs(args: string[], env: NodeJS.ProcessEnv = {}): UiOptions {
  const p = parseArgs(args, { flags: ['no-open'], options: ['port'] }, usage);
  if (p.positionals.length) throw new UsageError(`Unexpected argument "${p.positionals[0]}".\nUsage: ${usage}`);
  const given = opt(p, 'port');
  const fromEnv = env.PRINTHA_UI_PORT?.trim();
  const port =
    given !== undefined ? portNumber(given, '--port') : fromEnv ? portNumber(fromEnv, 'PRINTHA_UI_PORT') : DEFAULT_UI_PORT;
  return { port, explicit: given !== undefined || Boolean(fromEnv), open: !p.flags.has('no-open') };
}

/** The ports to try, in order: the chosen one only, or the default and its few fallbacks. */
export function uiPortCandidates(o: Pick<UiOptions, 'port' | 'explicit'>): number[] {
  if (o.explicit || o.port === 0) return [o.port];
  return Array.from({ length: UI_PORT_FALLBACKS + 1 }, (_, i) => o.port + i).filter((p) => p <= 65535);
}

/**
 * Is a PrintHA bridge listening on this port? It answers a request without its token with 403 and
 * a sentence naming `printha ui`. Resolves false for anything else or after 1 s.
 */
export function printHaListening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path: '/', method: 'GET', headers: { host: `${HOST}:${port}` }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      res.on('end', () => resolve(res.statusCode === 403 && body.includes('printha ui')));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function inUse(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

/** Builds the interface if it is missing, then starts the bridge. */
export async function startUi(o: UiOptions, io: CliIO): Promise<Bridge> {
  const dir = rendererDir(io.env);
  if (!existsSync(join(dir, 'index.html'))) {
    io.err('The PrintHA interface is not built yet; building it once with `npm run build` ...\n');
    const code = await run('npm', ['run', '--silent', 'build'], io);
    if (code !== 0 || !existsSync(join(dir, 'index.html')))
      throw new UsageError('Building the interface failed. Run `npm run build` in the PrintHA folder, then `printha ui` again.', 1);
  }
  const debug = Boolean(io.env.PRINTHA_DEBUG);
  const core = createDefaultCore({
    examplesDir: join(APP_ROOT, 'examples'),
    env: io.env,
    ...(debug ? { log: (l: string) => io.err(`[core] ${l}\n`) } : {}),
  });
  const log = debug ? { log: (l: string) => io.err(`[bridge] ${l}\n`) } : {};
  const candidates = uiPortCandidates(o);
  let bridge: Bridge | undefined;
  try {
    for (const port of candidates) {
      try {
        bridge = await startBridge({ core, port, staticDir: dir, ...log });
        break;
      } catch (e) {
        if (!inUse(e)) throw e;
        if (await printHaListening(port))
          throw new UsageError(
            `PrintHA is already running on http://${HOST}:${port} (another \`printha ui\` or \`npm start\`): use the address it printed, or stop it with Ctrl+C in its terminal first.`,
            1,
          );
        if (candidates.length === 1)
          throw new UsageError(`Port ${port} is already in use on ${HOST}; choose another with --port, or --port 0 for any free port.`, 1);
      }
    }
  } catch (e) {
    await core.close();
    throw e;
  }
  if (!bridge) {
    await core.close();
    throw new UsageError(
      `Ports ${candidates[0]}-${candidates[candidates.length - 1]} are all in use on ${HOST}; choose a free one with --port N (the browser keeps the work in progress per port).`,
      1,
    );
  }
  if (bridge.port !== o.port && o.port !== 0)
    io.err(
      `Port ${o.port} is in use by another program, so PrintHA uses ${bridge.port}; work kept by the browser for port ${o.port} is not shown here.\n`,
    );
  const started = bridge;
  return {
    ...started,
    close: async () => {
      await started.close();
      // The engine keeps one SSH connection per host for the session: close them, or node keeps running.
      await core.close();
    },
  };
}

export const uiCommand: CliCommand = {
  name: 'ui',
  summary: 'Open the wizard in your browser (local only, 127.0.0.1, with an access token).',
  usage,
  credentials: 'ui',
  details:
    'Options:\n' +
    `  --port N                  the port on 127.0.0.1 (default ${DEFAULT_UI_PORT}, or PRINTHA_UI_PORT). The browser keeps the\n` +
    '                            site in progress, Continue and Recent sites per address, so keep the same port;\n' +
    '                            --port 0 takes any free port (nothing carries over to the next start).\n' +
    '  --no-open                 print the address only; do not open a browser.\n' +
    'The address carries a new access token on every start: open the one printed.',
  async run(args, io) {
    const o = parseUiArgs(args, io.env);
    const bridge = await startUi(o, io);
    io.out(`PrintHA is running at ${bridge.url}\n`);
    io.out('Only this address (with its token) opens it. Keep this terminal open; press Ctrl+C to stop.\n');
    if (o.open && !openBrowser(bridge.url)) io.err('Could not open a browser; open the address above yourself.\n');
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await bridge.close();
    io.err('PrintHA stopped.\n');
    return 0;
  },
};
