// `npm start`: the desktop app when the Electron binary is installed, otherwise browser mode
// (`printha ui`) with one sentence saying why. Arguments after `npm start --` go to `printha ui`.
// Since Electron 42, `npm install` no longer downloads the binary (no postinstall script): it comes
// with `npx --no install-electron`, run once where there is internet; this script never downloads.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable, or undefined when it has not been downloaded (no binary here). */
export function electronBinary(base = root) {
  const dir = join(base, 'node_modules', 'electron');
  try {
    const rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const bin = join(dir, 'dist', rel);
    return rel && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bin = electronBinary();
  if (!bin) {
    console.log(
      'The Electron binary is not installed on this machine (npm does not download it; `npx --no install-electron` does, where there is internet), so PrintHA starts in browser mode instead.',
    );
    run(process.execPath, [
      join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(root, 'electron', 'cli', 'main.ts'),
      'ui',
      ...process.argv.slice(2),
    ]);
  } else {
    if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
      const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
    run(bin, [root]);
  }
}
