/**
 * A core with a scripted engine for contract, bridge and renderer tests: discover asks for a host
 * key and a credential, apply emits journal events and waits for cancel, verify returns a report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../electron/core/engine/api.js';
import { createCore, type Core, type CoreDeps } from '../../electron/core/rpc/core.js';
import type { Artifact } from '../../shared/render/artifact.js';
import type { Site } from '../../shared/site/schema.js';
import type { VerifyReport } from '../../shared/verify/report.js';

/** examples/ (by path: under jsdom the global URL is jsdom's, which node's fileURLToPath refuses). */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples') + sep;
export const exampleText = (name: string) => readFileSync(`${EXAMPLES_DIR}${name}.yaml`, 'utf8');

export const FINGERPRINT = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';

export function fakeRender(site: Site): Artifact[] {
  return [
    {
      path: 'balancer/haproxy.cfg',
      content: `# ${site.name}\nfrontend x\n  bind ${site.vip}:445\n`,
      language: 'haproxy',
      description: 'HAProxy',
      target: 'balancer',
    },
  ];
}

export function report(site: Site): VerifyReport {
  return {
    site: site.name,
    startedAt: '2025-01-01T00:00:00Z',
    durationMs: 1200,
    ok: true,
    checks: [
      { id: 'tcp-445', category: 'tcp', target: `${site.vip}:445`, expectation: 'open', observation: 'open', status: 'pass', evidence: [] },
    ],
    overview: [
      {
        label: 'PrintServers',
        ip: site.vip,
        ports: '445',
        conns: 0,
        protocol: 'TCP',
        method: 'Layer 7',
        mode: 'SNAT',
        reals: site.servers.map((s, i) => ({
          label: s.label,
          ip: s.address,
          ports: '445',
          weight: 100,
          conns: 0,
          state: i === 0 ? 'up' : 'drain',
        })),
      },
    ],
    shares: [{ via: `\\\\${site.shareName}`, shares: ['Printer1'] }],
  };
}

/** Records what the engine saw (the secret it was given, whether its host key was accepted). */
export interface EngineLog {
  accepted?: boolean;
  secret?: string;
  applySignalAborted?: boolean;
  /** Set to make the next discover fail like electron/core/ssh does on a changed host key. */
  rekeyed?: boolean;
}

export function fakeEngine(log: EngineLog = {}): Engine & { setServerState: NonNullable<CoreDeps['engine']>['setServerState'] } {
  return {
    async discover(site, ctx) {
      if (log.rekeyed) {
        const host = site.balancer.primary.address;
        throw Object.assign(new Error(`The SSH host key of ${host}:22 has changed since PrintHA trusted it; nothing was done.`), {
          code: 'HOST_KEY_CHANGED',
          details: { host },
        });
      }
      log.accepted = await ctx.confirmHostKey(site.balancer.primary.address, 22, FINGERPRINT);
      if (!log.accepted)
        throw Object.assign(new Error(`You rejected the host key of ${site.balancer.primary.address}; nothing was changed.`), {
          code: 'host-key-rejected',
          host: site.balancer.primary.address,
        });
      const secret = await ctx.credential({ kind: 'ssh-password', host: site.balancer.primary.address, user: 'root' });
      if (secret === undefined)
        throw Object.assign(new Error('No password was given.'), { code: 'credential-missing', host: site.balancer.primary.address });
      log.secret = secret;
      // A careless engine echoing the secret: the core must scrub it.
      ctx.onEvent({
        t: new Date().toISOString(),
        run: 'r1',
        kind: 'output',
        host: 'lb1',
        step: 'login',
        output: `logged in with ${secret}`,
      });
      return {
        servers: site.servers.map((s) => ({ label: s.label, reachable: true, printerShares: ['Printer1'] })),
        balancer: [{ name: 'lb1', address: site.balancer.primary.address, reachable: true, version: '8.13' }],
      };
    },
    async plan(site) {
      return {
        site: site.name,
        createdAt: '2025-01-01T00:00:00Z',
        order: ['lb1'],
        hosts: [
          {
            host: 'lb1',
            role: 'balancer',
            address: site.balancer.primary.address,
            steps: [{ id: 's1', title: 'Upload haproxy.cfg', kind: 'upload', changes: true, command: 'sftp put haproxy.cfg' }],
            diffs: [{ path: '/etc/haproxy/haproxy.cfg', before: 'a\n', after: 'b\n', unified: '--- a\n+++ b\n-a\n+b\n' }],
            changes: [],
            upToDate: false,
            notes: [],
          },
        ],
        upToDate: false,
        notes: [],
      };
    },
    async apply(site, ctx, opts) {
      const t = () => new Date().toISOString();
      ctx.onEvent({
        t: t(),
        run: 'r2',
        kind: 'step-start',
        host: 'lb1',
        step: 'backup',
        title: 'Back up haproxy.cfg',
        command: 'cp /etc/haproxy/haproxy.cfg /etc/haproxy/haproxy.cfg.bak',
      });
      ctx.onEvent({ t: t(), run: 'r2', kind: 'output', host: 'lb1', step: 'backup', output: 'done' });
      ctx.onEvent({ t: t(), run: 'r2', kind: 'step-end', host: 'lb1', step: 'backup', result: 'ok', durationMs: 300 });
      if (site.name.includes('slow') || opts.resume === false) {
        await new Promise<void>((resolve) => ctx.signal?.addEventListener('abort', () => resolve(), { once: true }));
        log.applySignalAborted = ctx.signal?.aborted ?? false;
        throw Object.assign(new Error('Cancelled before reload; lb1 still serves the previous configuration.'), { name: 'AbortError' });
      }
      return { ok: true, runId: 'r2', hostStates: [{ host: 'lb1', state: 'serving the new configuration', ok: true }], changed: true };
    },
    async verify(site) {
      return report(site);
    },
    async setServerState(_site, _ctx, req) {
      return { ok: true, message: `${req.server} in ${req.vip}: ${req.action} done.` };
    },
  };
}

export function fakeCore(
  o: { log?: EngineLog; lines?: string[]; promptTimeoutMs?: number; engine?: boolean; vault?: CoreDeps['vault'] } = {},
): Core {
  return createCore({
    ...(o.engine === false ? {} : { engine: fakeEngine(o.log ?? {}) }),
    render: fakeRender,
    examplesDir: EXAMPLES_DIR,
    knownHostsPath: '/tmp/printha-test-known_hosts',
    promptTimeoutMs: o.promptTimeoutMs ?? 5_000,
    ...(o.vault ? { vault: o.vault } : {}),
    log: (l) => o.lines?.push(l),
  });
}
