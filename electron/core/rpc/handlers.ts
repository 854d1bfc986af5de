/**
 * The contract's handlers: site (load/save/validate/render/examples) with shared/ functions,
 * discover/plan/apply/verify through the injected Engine, prompts answered through the Session.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractCallError, scopeNote } from '../../../shared/contract/index.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { SiteFacts } from '../../../shared/model/facts.js';
import type { Plan } from '../../../shared/plan/model.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import type { Artifact } from '../../../shared/render/artifact.js';
import { validateSiteData, validateSiteYaml } from '../../../shared/rules/index.js';
import { buildRunbook } from '../../../shared/runbook/build.js';
import { toHtml, toMarkdown } from '../../../shared/runbook/doc.js';
import { saveSiteYaml } from '../../../shared/site/load.js';
import type { Site, SiteInput } from '../../../shared/site/schema.js';
import type { VerifyReport } from '../../../shared/verify/report.js';
import type { Engine, RunContext } from '../engine/api.js';
import { credentialKey, sessionOnlyVault, type Vault } from '../vault/types.js';
import type { Handlers } from './dispatch.js';
import type { Session } from './session.js';

/** Optional engine capabilities beyond the Engine interface (the System Overview actions). */
export interface EngineExtras {
  setServerState(
    site: Site,
    ctx: RunContext,
    req: { vip: string; server: string; action: 'drain' | 'halt' | 'online' },
  ): Promise<{ ok: boolean; message: string }>;
  /** Closes what the engine holds open (its SSH sessions), when the app or `printha ui` stops. */
  close(): Promise<void>;
}

export interface CoreDeps {
  /** discover/plan/apply/verify; absent (or partial) = "not available in this build". */
  engine?: Partial<Engine> & Partial<EngineExtras>;
  /** renderSite from shared/render (generated files). */
  render?: (site: Site) => Artifact[];
  vault?: Vault;
  /** Folder with the example site files (examples/ in a checkout, resources/examples when packaged). */
  examplesDir?: string;
  knownHostsPath: string;
  /** Default SSH key for balancers (PRINTHA_SSH_KEY). */
  sshKeyPath?: string;
  promptTimeoutMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
  /** What the site's state directory holds (latest plan, verify report, facts, journal), for `runbook.export` inputs left out. */
  runbookSources?: (site: Site) => { plan?: Plan; verify?: VerifyReport; facts?: SiteFacts; journal?: JournalEvent[] };
}

const STEP_NAMES = {
  discover: 'Discovery',
  plan: 'Planning',
  apply: 'Apply',
  verify: 'Verification',
  setServerState: 'Drain/halt/online',
} as const;

function notAvailable(what: keyof typeof STEP_NAMES): ContractCallError {
  return new ContractCallError({ code: 'not-available', message: `${STEP_NAMES[what]} is not available in this build yet.` });
}

/** The parsed site, or an `invalid-site` error naming the first error's field and its fix. */
export function requireValidSite(data: unknown, facts?: SiteFacts): Site {
  const r = validateSiteData(data, facts);
  if (r.ok && r.site) return r.site;
  const errors = r.findings.filter((f) => f.severity === 'error');
  const first = errors[0];
  throw new ContractCallError({
    code: 'invalid-site',
    message: first ? `The site has ${errors.length} error(s); the first: ${first.message} Fix: ${first.fix}` : 'The site is not valid.',
    ...(first?.path ? { field: first.path } : {}),
  });
}

/**
 * A changed or revoked SSH host key is a hard stop (never a prompt). The balancer drivers record it
 * as an unreachable host carrying electron/core/ssh's message (errors.ts); the contract makes it the
 * `host-key-changed` error, so the wizard stops with its dialog instead of listing one more
 * unreachable host.
 */
const HOST_KEY_STOP = /HOST KEY CHANGED for |is marked @revoked in /;

function hostKeyStop(hosts: readonly { host: string; address?: string | undefined; text?: string | undefined }[]): void {
  const hit = hosts.find((h) => h.text !== undefined && HOST_KEY_STOP.test(h.text));
  if (hit)
    throw new ContractCallError({
      code: 'host-key-changed',
      message: `${hit.host}: ${hit.text}`,
      host: hit.address ?? hit.host,
    });
}

function slug(name: unknown): string {
  const s =
    typeof name === 'string'
      ? name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '')
      : '';
  return s.slice(0, 60) || 'site';
}

const EXAMPLE_ORDER = ['phoenix-dr', 'phoenix-snat', 'paragon'];

async function loadExamples(dir: string | undefined): Promise<{ id: string; title: string; text: string }[]> {
  if (!dir) return [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n));
  } catch {
    return [];
  }
  const rank = (id: string) => {
    const i = EXAMPLE_ORDER.indexOf(id);
    return i < 0 ? EXAMPLE_ORDER.length : i;
  };
  const out = await Promise.all(
    names.map(async (n) => {
      const text = await readFile(join(dir, n), 'utf8');
      const id = n.replace(/\.ya?ml$/, '');
      const m = /^name:\s*(.+)$/m.exec(text);
      const title = m?.[1]?.trim().replace(/^["']|["']$/g, '') ?? id;
      return { id, title, text };
    }),
  );
  return out.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}

export function createHandlers(deps: CoreDeps): Handlers {
  const vault = deps.vault ?? sessionOnlyVault();
  const engine = deps.engine;
  const now = deps.now ?? (() => new Date());

  /** The RunContext an engine call gets: prompts go to this session, secrets stay in it. */
  function runContext(session: Session, opId: string, signal: AbortSignal, sshKeyPath?: string): RunContext {
    const keyPath = sshKeyPath ?? deps.sshKeyPath;
    return {
      knownHostsPath: deps.knownHostsPath,
      ...(keyPath ? { sshKeyPath: keyPath } : {}),
      signal,
      onEvent: (event) => session.emit('journal', { opId, event }),
      confirmHostKey: (host, port, fingerprint, key) => session.confirmHostKey(host, port, fingerprint, opId, signal, key),
      credential: async (req) => {
        const key = credentialKey(req);
        const cached = session.cachedCredential(key);
        if (cached !== undefined) return cached;
        const stored = await vault.get(key).catch(() => undefined);
        if (stored !== undefined) {
          session.rememberSecret(stored);
          return stored;
        }
        const answer = await session.askCredential(req, opId, signal);
        return answer?.secret;
      },
    };
  }

  /** Runs one engine operation registered under opId (cancellable through engine.cancel). */
  async function runOp<T>(session: Session, opId: string, sshKeyPath: string | undefined, fn: (ctx: RunContext) => Promise<T>): Promise<T> {
    const ac = session.startOp(opId);
    try {
      const result = await fn(runContext(session, opId, ac.signal, sshKeyPath));
      if (ac.signal.aborted) throw new ContractCallError({ code: 'cancelled', message: 'The operation was cancelled.' });
      return result;
    } catch (e) {
      if (ac.signal.aborted && !(e instanceof ContractCallError && e.code !== 'failed'))
        throw new ContractCallError({
          code: 'cancelled',
          message: 'The operation was cancelled; the hosts are in the state the journal shows.',
        });
      throw e;
    } finally {
      session.endOp(opId);
    }
  }

  type EngineFns = Engine & EngineExtras;
  function need<K extends keyof typeof STEP_NAMES & keyof EngineFns>(k: K): EngineFns[K] {
    const fn = engine?.[k];
    if (typeof fn !== 'function') throw notAvailable(k);
    return (fn as (...a: unknown[]) => unknown).bind(engine) as EngineFns[K];
  }

  const avail = (k: keyof typeof STEP_NAMES) =>
    typeof engine?.[k] === 'function'
      ? { available: true }
      : { available: false, reason: `${STEP_NAMES[k]} is not available in this build yet.` };

  function render(site: Site): Artifact[] {
    if (!deps.render)
      throw new ContractCallError({ code: 'not-available', message: 'Generating files is not available in this build yet.' });
    return deps.render(site);
  }

  return {
    'site.examples': async () => ({ examples: await loadExamples(deps.examplesDir) }),

    'site.load': ({ text }) => {
      // One bounded parse (shared/site/load.ts limits): the findings and the data the wizard shows.
      const r = validateSiteYaml(text);
      const data = r.data;
      const site = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
      return { ok: r.ok, ...(site ? { site } : {}), findings: r.findings };
    },

    'site.save': ({ site }) => ({ text: saveSiteYaml(site as SiteInput), filename: `${slug(site.name)}.yaml` }),

    'site.validate': ({ site, facts }) => {
      const r = validateSiteData(site, facts);
      return { ok: r.ok, findings: r.findings };
    },

    'site.render': ({ site }) => ({ artifacts: render(requireValidSite(site)) }),

    'engine.status': () => ({
      discover: avail('discover'),
      plan: avail('plan'),
      apply: avail('apply'),
      verify: avail('verify'),
      serverState: avail('setServerState'),
    }),

    'engine.discover': async ({ site, opId, sshKeyPath, only }, session) => {
      const discover = need('discover');
      const s = requireValidSite(site);
      const facts = await runOp(session, opId, sshKeyPath, (ctx) => (only ? discover(s, ctx, only) : discover(s, ctx)));
      hostKeyStop((facts.balancer ?? []).map((b) => ({ host: b.name, address: b.address, text: b.error })));
      return { facts, findings: validateSiteData(site, facts).findings };
    },

    'engine.plan': async ({ site, opId, sshKeyPath, only }, session) => {
      const plan = need('plan');
      const s = requireValidSite(site);
      const p = await runOp(session, opId, sshKeyPath, (ctx) => (only ? plan(s, ctx, only) : plan(s, ctx)));
      hostKeyStop(p.hosts.map((h) => ({ host: h.host, address: h.address, text: h.unreachable })));
      return { plan: p };
    },

    'engine.apply': async ({ site, opId, sshKeyPath, resume, only }, session) => {
      const apply = need('apply');
      const s = requireValidSite(site);
      const res = await runOp(session, opId, sshKeyPath, (ctx) =>
        apply(s, ctx, { confirmed: true, ...(resume ? { resume } : {}), ...(only ? { only } : {}) }),
      );
      // Nothing changed because a host's key changed since discover (apply connects again): the same
      // hard stop. When something did change, the result (and its per-host states) is what counts.
      if (!res.changed) hostKeyStop(res.hostStates.map((h) => ({ host: h.host, text: h.state })));
      return res;
    },

    'engine.verify': async ({ site, opId, sshKeyPath, drill, only }, session) => {
      const verify = need('verify');
      const s = requireValidSite(site);
      return {
        report: await runOp(session, opId, sshKeyPath, (ctx) => verify(s, ctx, { ...(drill ? { drill } : {}), ...(only ? { only } : {}) })),
      };
    },

    'engine.serverState': async ({ site, opId, sshKeyPath, vip, server, action }, session) => {
      const set = need('setServerState');
      const s = requireValidSite(site);
      return runOp(session, opId, sshKeyPath, (ctx) => set(s, ctx, { vip, server, action }));
    },

    'engine.cancel': ({ opId }, session) => ({ cancelled: session.cancel(opId) }),

    'runbook.export': ({ site, format, plan: planIn, journal: journalIn, report, only }) => {
      const s = requireValidSite(site);
      const stored = deps.runbookSources?.(s) ?? {};
      const plan = planIn ?? stored.plan;
      const journal = journalIn ?? (stored.journal?.length ? stored.journal : undefined);
      const verify = report ?? stored.verify;
      const findings = validateSiteData(site, stored.facts).findings;
      let artifacts: Artifact[] = [];
      try {
        artifacts = deps.render ? deps.render(s) : [];
      } catch {
        artifacts = [];
      }
      const doc = buildRunbook({
        resolved: resolveSite(s),
        findings,
        artifacts,
        ...(plan ? { plan } : {}),
        ...(journal ? { journal } : {}),
        ...(verify ? { verify } : {}),
        ...(stored.facts ? { facts: stored.facts } : {}),
        generatedAt: now().toISOString(),
        includeArtifactText: true,
      });
      // A partial run (the wizard's scope, --only): say right at the top which hosts were left out and why.
      if (only) doc.blocks.splice(1, 0, { kind: 'note', tone: 'warning', text: scopeNote(s, only) });
      const base = `${slug(s.name)}-runbook`;
      return format === 'md'
        ? { filename: `${base}.md`, mime: 'text/markdown', text: toMarkdown(doc) }
        : { filename: `${base}.html`, mime: 'text/html', text: toHtml(doc) };
    },

    'hostKey.decide': ({ id, accept }, session) => ({ ok: session.answerHostKey(id, accept) }),

    'credential.provide': async ({ id, secret, remember }, session) => {
      const answered = session.answerCredential(id, secret, remember);
      if (!answered) return { ok: false, stored: false, note: 'That request had already expired or been answered; run the step again.' };
      if (secret === null || !remember) return { ok: true, stored: false };
      const st = vault.status();
      if (!st.canStore) return { ok: true, stored: false, note: st.reason ?? 'Credentials cannot be remembered on this computer.' };
      try {
        await vault.set(answered.key, secret);
        return { ok: true, stored: true };
      } catch (e) {
        return { ok: true, stored: false, note: `Not remembered: ${e instanceof Error ? e.message : 'the vault refused it'}` };
      }
    },

    'vault.status': () => vault.status(),
  };
}
