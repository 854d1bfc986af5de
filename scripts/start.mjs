// `npm start`: the desktop app when the Electron binary is installed and there is a display,
// otherwise browser mode (`printha ui`) with one sentence saying why. Arguments after
// `npm start --` go to `printha ui` (e.g. `npm start -- --port 8080 --no-open`).
// Since Electron 42, `npm install` no longer downloads the binary (no postinstall script): it comes
// with `npx --no install-electron`, run once where there is internet. This script never downloads:
// it reads node_modules/electron/path.txt itself and never requires the `electron` package (whose
// index.js downloads the binary when it is missing, and throws with a stack trace offline).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Electron executable, or undefined when it has not been downloaded (no binary here).
 * ELECTRON_OVERRIDE_DIST_PATH (the electron package's own override) is honoured.
 */
export function electronBinary(base = root, env = process.env) {
  const dir = join(base, 'node_modules', 'electron');
  try {
    const rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    if (!rel) return undefined;
    const bin = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, rel) : join(dir, 'dist', rel);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export const NO_BINARY =
  'The Electron binary is not installed on this machine (npm does not download it; `npx --no install-electron` does, where there is internet), so PrintHA starts in browser mode instead.';
export const NO_DISPLAY =
  'There is no display here ($DISPLAY and $WAYLAND_DISPLAY are not set), so PrintHA starts in browser mode instead of the desktop app.';

/**
 * What `npm start` does: `{ mode: 'electron', bin }`, or `{ mode: 'browser', reason }` with the one
 * sentence it prints. Electron needs its binary and, on Linux and the BSDs, a display server.
 */
export function startDecision({ bin, platform = process.platform, env = process.env }) {
  if (!bin) return { mode: 'browser', reason: NO_BINARY };
  const needsDisplay = platform !== 'darwin' && platform !== 'win32';
  if (needsDisplay && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { mode: 'browser', reason: NO_DISPLAY };
  return { mode: 'electron', bin };
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  // The terminal's Ctrl+C reaches the child (same process group); a signal sent to this process
  // only (kill, a supervisor) is passed on.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    console.error(`Could not start ${cmd}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** `npm run build` with its output kept unless it fails. */
function buildOnce() {
  if (existsSync(join(root, 'out', 'main', 'index.js')) && existsSync(join(root, 'out', 'renderer', 'index.html'))) return;
  console.log('Building the app once (npm run build) ...');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    console.error(`The build failed${r.error ? ` (${r.error.message})` : ''}; fix the error above, then run npm start again.`);
    process.exit(r.status || 1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const d = startDecision({ bin: electronBinary() });
  if (d.mode === 'browser') {
    console.log(d.reason);
    run(process.execPath, [
      join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(root, 'electron', 'cli', 'main.ts'),
      'ui',
      ...process.argv.slice(2),
    ]);
  } else {
    buildOnce();
    run(d.bin, [root]);
  }
}
