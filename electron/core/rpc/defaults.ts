/**
 * The core as the app and `printha ui` run it: the real renderer of generated files, the engine
 * (when this build has one), the examples folder and PrintHA's own known_hosts file.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { renderSite } from '../../../shared/render/index.js';
import { runRules } from '../../../shared/rules/index.js';
import type { Vault } from '../vault/types.js';
import { createCore, type Core, type CoreDeps } from './core.js';

/**
 * The engine behind discover/plan/apply/verify. Returns undefined until the engines are wired:
 * the wizard then shows "not available in this build" for those steps.
 */
export function defaultEngine(): CoreDeps['engine'] {
  return undefined;
}

/** PrintHA's own known_hosts (OpenSSH format), never ~/.ssh/known_hosts. */
export function defaultKnownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PRINTHA_KNOWN_HOSTS) return env.PRINTHA_KNOWN_HOSTS;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'printha', 'known_hosts');
}

export interface DefaultCoreOptions {
  examplesDir?: string;
  knownHostsPath?: string;
  vault?: Vault;
  engine?: CoreDeps['engine'];
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  promptTimeoutMs?: number;
}

export function createDefaultCore(o: DefaultCoreOptions = {}): Core {
  const env = o.env ?? process.env;
  const engine = o.engine ?? defaultEngine();
  return createCore({
    render: (site) => renderSite(site, runRules(site)),
    knownHostsPath: o.knownHostsPath ?? defaultKnownHostsPath(env),
    ...(engine ? { engine } : {}),
    ...(env.PRINTHA_SSH_KEY ? { sshKeyPath: env.PRINTHA_SSH_KEY } : {}),
    ...(o.examplesDir ? { examplesDir: o.examplesDir } : {}),
    ...(o.vault ? { vault: o.vault } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(o.promptTimeoutMs !== undefined ? { promptTimeoutMs: o.promptTimeoutMs } : {}),
  });
}
