/**
 * `printha ui [--port N] [--no-open]` — browser mode: serves the built interface and the
 * WebSocket bridge on 127.0.0.1 and prints the address with this run's access token.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge, type Bridge } from '../../bridge/server.js';
import { createDefaultCore } from '../../core/rpc/defaults.js';
import { opt, parseArgs } from '../args.js';
import { UsageError, type CliCommand, type CliIO } from '../types.js';

const usage = 'printha ui [--port N] [--no-open]';

/** The checkout (or unpacked app) root: electron/cli/commands -> ../../.. */
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function rendererDir(env: NodeJS.ProcessEnv): string {
  return env.PRINTHA_RENDERER_DIR || join(APP_ROOT, 'out', 'renderer');
}

function run(cmd: string, args: string[], io: CliIO): Promise<number> {
  return new Promise((ok) => {
    const child = spawn(cmd, args, { cwd: APP_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: io.env });
    child.stdout.on('data', (d: Buffer) => io.err(String(d)));
    child.stderr.on('data', (d: Buffer) => io.err(String(d)));
    child.on('error', () => ok(127));
    child.on('close', (code) => ok(code ?? 1));
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
  port: number;
  open: boolean;
}

export function parseUiArgs(args: string[]): UiOptions {
  const p = parseArgs(args, { flags: ['no-open'], options: ['port'] }, usage);
  if (p.positionals.length) throw new UsageError(`Unexpected argument "${p.positionals[0]}".\nUsage: ${usage}`);
  const portText = opt(p, 'port') ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(`--port must be a number 0-65535 (0 = any free port), not "${portText}".`);
  return { port, open: !p.flags.has('no-open') };
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
  try {
    const bridge = await startBridge({ core, port: o.port, staticDir: dir, ...(debug ? { log: (l: string) => io.err(`[bridge] ${l}\n`) } : {}) });
    return { ...bridge, close: async () => {
      await bridge.close();
      // The engine keeps one SSH connection per host for the session: close them, or node keeps running.
      await core.close();
    } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`Port ${o.port} is already in use on 127.0.0.1; choose another with --port, or --port 0 for any free port.`, 1);
    throw e;
  }
}

export const uiCommand: CliCommand = {
  name: 'ui',
  summary: 'Open the wizard in your browser (local only, 127.0.0.1, with an access token).',
  usage,
  async run(args, io) {
    const o = parseUiArgs(args);
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
