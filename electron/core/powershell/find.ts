/**
 * Finds the PowerShell executable the Windows server engine drives (through node-powershell).
 *
 * Order: PRINTHA_PWSH (an explicit path), `pwsh` on PATH, the .NET global tool
 * (~/.dotnet/tools/pwsh, what `dotnet tool install --global PowerShell` installs), then on Windows
 * `powershell.exe` on PATH and the in-box Windows PowerShell 5.1
 * (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe).
 *
 * Only file checks happen here: nothing is spawned, so a wrong file is reported by the engine when it
 * starts the shell, with the path it tried.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export type PowerShellKind = 'pwsh' | 'windows-powershell';

export interface PowerShellFound {
  path: string;
  kind: PowerShellKind;
}

export interface PowerShellMissing {
  /** A sentence for the engineer: where PrintHA looked and what to install. */
  missing: string;
}

export type PowerShellLookup = PowerShellFound | PowerShellMissing;

export interface FindOptions {
  platform?: NodeJS.Platform;
  /** True when the path is an executable file (injected by the tests). */
  isExecutable?: (path: string) => boolean;
  /** Home directory for ~/.dotnet/tools (default: HOME / USERPROFILE from env, else os.homedir()). */
  home?: string;
}

function defaultIsExecutable(platform: NodeJS.Platform): (p: string) => boolean {
  return (p) => {
    try {
      if (!statSync(p).isFile()) return false;
      // Windows has no execute bit: an existing file is enough.
      if (platform !== 'win32') accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
}

export function isFound(l: PowerShellLookup): l is PowerShellFound {
  return 'path' in l;
}

function kindOf(path: string, platform: NodeJS.Platform): PowerShellKind {
  const base = (platform === 'win32' ? win32 : posix).basename(path).toLowerCase();
  return base === 'powershell.exe' || base === 'powershell' ? 'windows-powershell' : 'pwsh';
}

/** The PowerShell to drive, or why there is none. */
export function findPowerShell(env: NodeJS.ProcessEnv = process.env, opts: FindOptions = {}): PowerShellLookup {
  const platform = opts.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  const isExe = opts.isExecutable ?? defaultIsExecutable(platform);
  const home = opts.home ?? (platform === 'win32' ? env.USERPROFILE : env.HOME) ?? homedir();
  const pathDirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter((d) => d !== '');
  const tried: string[] = [];

  const explicit = env.PRINTHA_PWSH;
  if (explicit) {
    if (isExe(explicit)) return { path: explicit, kind: kindOf(explicit, platform) };
    return { missing: `PRINTHA_PWSH is set to ${explicit}, which is not an executable file: point it at pwsh (PowerShell 7) or unset it` };
  }

  const onPath = (name: string): string | undefined => {
    for (const dir of pathDirs) {
      const p = path.join(dir, name);
      if (isExe(p)) return p;
    }
    tried.push(`${name} on PATH`);
    return undefined;
  };

  const pwsh = onPath(platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  if (pwsh) return { path: pwsh, kind: 'pwsh' };

  const tool = path.join(home, '.dotnet', 'tools', platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  if (isExe(tool)) return { path: tool, kind: 'pwsh' };
  tried.push(tool);

  if (platform === 'win32') {
    const ps = onPath('powershell.exe');
    if (ps) return { path: ps, kind: 'windows-powershell' };
    const root = env.SystemRoot ?? env.windir ?? 'C:\\Windows';
    const inbox = win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    if (isExe(inbox)) return { path: inbox, kind: 'windows-powershell' };
    tried.push(inbox);
  }

  return {
    missing:
      `no PowerShell found (looked for ${tried.join(', ')}). ` +
      (platform === 'win32'
        ? 'Install PowerShell 7 (winget install Microsoft.PowerShell) or repair Windows PowerShell, or set PRINTHA_PWSH to its path.'
        : 'Install PowerShell 7 (pwsh; packages at https://aka.ms/powershell) or set PRINTHA_PWSH to its path. From Linux/macOS the Windows servers are reached over PowerShell-over-SSH only.'),
  };
}
