/**
 * The core as the app and `printha ui` run it: the real renderer of generated files, the engine
 * (when this build has one), the examples folder and PrintHA's own known_hosts file.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { renderSite } from '../../../shared/render/index.js';
import { runRules } from '../../../shared/rules/index.js';
import type { Site } from '../../../shared/site/schema.js';
import { capturingSecrets, PrintHaEngine } from '../engine/engine.js';
import { defaultServerEngine } from '../engine/servers.js';
import { setServerState } from '../probes/server-state.js';
import { verifySite } from '../probes/verify.js';
import { defaultKnownHostsPath, stateRoot } from '../paths.js';
import { loadRunbookSources } from '../runbook/export.js';
import { SecretSet } from '../runner/redact.js';
import { saveLatest } from '../runner/state.js';
import type { Vault } from '../vault/types.js';
import { createCore, type Core, type CoreDeps } from './core.js';

/** Where the app keeps a site's journal and saved plan/verify (the wizard has no site file path: keyed by name). */
export function uiStateDir(site: Site, env: NodeJS.ProcessEnv = process.env): string {
  const root = stateRoot(env);
  const slug = site.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60);
  return join(root, `ui-${slug}-${createHash('sha256').update(site.name).digest('hex').slice(0, 8)}`);
}

/**
 * The engine behind discover/plan/apply/verify and the overview's drain/halt/online: the same
 * PrintHaEngine the CLI uses, verification from electron/core/probes. The engine saves the latest
 * facts and plan in the site's state directory; verify saves its report there (redacted with the
 * environment's secrets and every credential the run was given), for the runbook export.
 */
export function defaultEngine(env: NodeJS.ProcessEnv = process.env, verify: typeof verifySite = verifySite): CoreDeps['engine'] {
  const servers = defaultServerEngine(env);
  const engine = new PrintHaEngine({ stateDir: (site) => uiStateDir(site, env), env, serverEngine: servers, ...(env.SSH_AUTH_SOCK ? { agentSocket: env.SSH_AUTH_SOCK } : {}) });
  return {
    discover: (site, ctx, only) => engine.discover(site, ctx, only),
    plan: (site, ctx, only) => engine.plan(site, ctx, only),
    apply: (site, ctx, opts) => engine.apply(site, ctx, opts),
    verify: async (site, ctx, opts) => {
      const secrets = new SecretSet().addFromEnv(env);
      // verify.ps1 on the print servers through the same server engine as apply (sessions, trust)
      const report = await verify(site, capturingSecrets(ctx, secrets), { ...opts, servers });
      saveLatest(uiStateDir(site, env), 'verify', report, secrets.redactor());
      return report;
    },
    setServerState: (site, ctx, req) => setServerState(site, ctx, req),
    close: () => engine.close(),
  };
}

export { defaultKnownHostsPath };

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
  const engine = o.engine ?? defaultEngine(env);
  return createCore({
    render: (site) => renderSite(site, runRules(site)),
    runbookSources: (site) => loadRunbookSources(uiStateDir(site, env)),
    knownHostsPath: o.knownHostsPath ?? defaultKnownHostsPath(env),
    ...(engine ? { engine } : {}),
    ...(env.PRINTHA_SSH_KEY ? { sshKeyPath: env.PRINTHA_SSH_KEY } : {}),
    ...(o.examplesDir ? { examplesDir: o.examplesDir } : {}),
    ...(o.vault ? { vault: o.vault } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(o.promptTimeoutMs !== undefined ? { promptTimeoutMs: o.promptTimeoutMs } : {}),
  });
}
