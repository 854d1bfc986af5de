/**
 * Issue 16 item 7 (host keys), replayed against an in-process ssh2 server on 127.0.0.1:
 *   - verify opened its own SSH connections that also trusted ~/.ssh/known_hosts, so with a host's
 *     key only there, verify connected silently while apply asked: now every verb (apply's
 *     SshConnector, verify's sshConnector, the PowerShell-over-SSH pre-check) trusts PrintHA's
 *     known_hosts only and they agree — all refuse, or all ask the same question;
 *   - a key-type switch (ed25519 known, the server now offers only RSA) looked like first contact
 *     ("not known yet … trust it?"), the warning came only after a refusal and the app's
 *     hostKey.confirm event carried no key type: now the first and only question is the louder one,
 *     naming the known key, in the CLI and in the event the app's dialog reads.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliRunContext } from '../../electron/cli/context.js';
import type { CliIO } from '../../electron/cli/types.js';
import type { Engine, HostKeyQuestion, RunContext } from '../../electron/core/engine/api.js';
import { SshConnector } from '../../electron/core/engine/connector.js';
import { RemoteError, type RemoteTarget } from '../../electron/core/powershell/remoting.js';
import { sshTrustCheck } from '../../electron/core/powershell/ssh-trust.js';
import { sshConnector } from '../../electron/core/probes/balancer.js';
import { createCore } from '../../electron/core/rpc/core.js';
import { EVENTS } from '../../shared/contract/index.js';
import type { BalancerNodeInfo } from '../../shared/model/resolve.js';
import { type GeneratedKey, genKey, hasSshKeygen, sshKeygenFingerprint } from '../helpers/ssh/keys.js';
import { type TestServer, startTestServer } from '../helpers/ssh/test-server.js';
import { exampleText, fakeEngine, fakeRender } from '../support/fake-core.js';
import { answersQuickly } from './helpers.js';

interface Asked {
  fingerprint: string;
  key: HostKeyQuestion | undefined;
}

describe.skipIf(!hasSshKeygen)('host keys: one trust path, and a key-type switch is its own question', () => {
  let dir: string;
  let hostEd: GeneratedKey;
  let hostRsa: GeneratedKey;
  let client: GeneratedKey;
  let edFp: string;
  let rsaFp: string;
  const servers: TestServer[] = [];
  let n = 0;
  const savedHome = process.env.HOME;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'printha-sec-hostkeys-'));
    hostEd = genKey(dir, 'ed25519', 'host_ed25519');
    hostRsa = genKey(dir, 'rsa', 'host_rsa');
    client = genKey(dir, 'ed25519', 'client');
    edFp = sshKeygenFingerprint(hostEd.pubPath);
    rsaFp = sshKeygenFingerprint(hostRsa.pubPath);
  });
  afterEach(async () => {
    process.env.HOME = savedHome;
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const serve = async (hostKey: GeneratedKey): Promise<TestServer> => {
    const s = await startTestServer({ hostKey: hostKey.priv, users: { deploy: { publicKeys: [client.pubLine] } }, sftp: false });
    servers.push(s);
    return s;
  };
  const line = (s: TestServer, k: GeneratedKey): string => `[127.0.0.1]:${s.port} ${k.pubLine.split(' ').slice(0, 2).join(' ')}\n`;
  const file = (content?: string): string => {
    const p = join(dir, `printha_known_hosts_${n++}`);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  };
  const node = (s: TestServer): BalancerNodeInfo =>
    ({ name: 'lb1', address: '127.0.0.1', port: s.port, user: 'deploy' }) as unknown as BalancerNodeInfo;
  const ctxFor = (knownHostsPath: string, answer: boolean, asked: Asked[]): RunContext => ({
    knownHostsPath,
    sshKeyPath: client.privPath,
    credential: async () => undefined,
    confirmHostKey: async (_h, _p, fingerprint, key) => {
      asked.push({ fingerprint, key });
      return answer;
    },
    onEvent: () => undefined,
  });
  /** "connected" or the error code of each verb's connection. */
  const apply = async (s: TestServer, ctx: RunContext): Promise<string> => {
    const c = new SshConnector({ connectTimeoutMs: 10_000 });
    try {
      const conn = await c.connect(node(s), ctx);
      return (await conn.exec(['echo', 'ok'], { timeoutMs: 10_000 })).stdout.trim() === 'ok' ? 'connected' : 'no output';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    } finally {
      await c.close();
    }
  };
  const verify = async (s: TestServer, ctx: RunContext): Promise<string> => {
    const c = sshConnector(ctx, { connectTimeoutMs: 10_000 });
    try {
      const exec = await c.connect(node(s));
      return (await exec(['echo', 'ok'])).stdout.trim() === 'ok' ? 'connected' : 'no output';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    } finally {
      await c.close();
    }
  };
  const powershellPrecheck = async (s: TestServer, ctx: RunContext): Promise<string> => {
    const t: RemoteTarget = {
      label: 'PS1',
      transport: 'ssh',
      host: '127.0.0.1',
      port: s.port,
      user: 'deploy',
      skipCertificateCheck: false,
      keyFilePath: client.privPath,
    };
    try {
      await sshTrustCheck(ctx, ctx.knownHostsPath)(t);
      return 'connected';
    } catch (e) {
      return e instanceof RemoteError ? e.kind : String(e);
    }
  };

  describe('a host whose key is only in ~/.ssh/known_hosts', () => {
    const homeWithKey = (s: TestServer): string => {
      const home = mkdtempSync(join(dir, 'home-'));
      mkdirSync(join(home, '.ssh'));
      writeFileSync(join(home, '.ssh', 'known_hosts'), line(s, hostEd));
      process.env.HOME = home;
      return join(home, '.ssh', 'known_hosts');
    };

    it('refused: apply, verify and the PowerShell pre-check all refuse, after the same first-contact question', async () => {
      const s = await serve(hostEd);
      const personal = homeWithKey(s);
      const before = readFileSync(personal, 'utf8');
      const results: Record<string, string> = {};
      const asked: Record<string, Asked[]> = { apply: [], verify: [], pwsh: [] };
      const files = { apply: file(), verify: file(), pwsh: file() };
      results.apply = await answersQuickly(() => apply(s, ctxFor(files.apply, false, asked.apply!)));
      results.verify = await answersQuickly(() => verify(s, ctxFor(files.verify, false, asked.verify!)));
      results.pwsh = await answersQuickly(() => powershellPrecheck(s, ctxFor(files.pwsh, false, asked.pwsh!)));
      expect(results).toEqual({ apply: 'HOST_KEY_UNKNOWN', verify: 'HOST_KEY_UNKNOWN', pwsh: 'ssh-host-key' });
      const question = [{ fingerprint: edFp, key: { keyType: 'ssh-ed25519', knownKeys: [] } }];
      expect(asked).toEqual({ apply: question, verify: question, pwsh: question });
      expect(readFileSync(personal, 'utf8'), '~/.ssh/known_hosts is never written').toBe(before);
      for (const f of Object.values(files)) expect(existsSync(f)).toBe(false);
      expect(s.authAttempts, 'nothing reached authentication').toEqual([]);
    });

    it('accepted: all three ask, then connect, and save the key to PrintHA’s known_hosts only', async () => {
      const s = await serve(hostEd);
      const personal = homeWithKey(s);
      const before = readFileSync(personal, 'utf8');
      const asked: Record<string, Asked[]> = { apply: [], verify: [], pwsh: [] };
      const files = { apply: file(), verify: file(), pwsh: file() };
      const results = {
        apply: await apply(s, ctxFor(files.apply, true, asked.apply!)),
        verify: await verify(s, ctxFor(files.verify, true, asked.verify!)),
        pwsh: await powershellPrecheck(s, ctxFor(files.pwsh, true, asked.pwsh!)),
      };
      expect(results).toEqual({ apply: 'connected', verify: 'connected', pwsh: 'connected' });
      for (const a of Object.values(asked)) expect(a).toEqual([{ fingerprint: edFp, key: { keyType: 'ssh-ed25519', knownKeys: [] } }]);
      for (const f of Object.values(files)) expect(readFileSync(f, 'utf8')).toBe(line(s, hostEd));
      expect(readFileSync(personal, 'utf8')).toBe(before);
    });

    it('a non-interactive CLI run refuses the same way for verify and apply (no silent trust from ~/.ssh)', async () => {
      const s = await serve(hostEd);
      homeWithKey(s);
      const out: Record<string, string> = {};
      for (const verb of ['apply', 'verify'] as const) {
        let err = '';
        const io: CliIO = {
          out: () => undefined,
          err: (t) => (err += t),
          env: { PRINTHA_KNOWN_HOSTS: file(), PRINTHA_SSH_KEY: client.privPath },
          cwd: dir,
        };
        const { ctx } = cliRunContext(io, { acceptHostKeys: [], quiet: true, json: false });
        out[verb] = `${verb === 'apply' ? await apply(s, ctx) : await verify(s, ctx)}: ${err}`;
      }
      expect(out.apply).toBe(out.verify);
      expect(out.apply).toMatch(/^HOST_KEY_UNKNOWN: Unknown SSH host key for 127\.0\.0\.1:\d+: ssh-ed25519 SHA256:/);
    });
  });

  describe('a key-type switch: ed25519 known, the server now offers only RSA', () => {
    it('the app: the first hostKey.confirm event is the new-key-type question (key type, known keys); refused, the error says NEW HOST KEY TYPE', async () => {
      const s = await serve(hostRsa);
      const kh = file(line(s, hostEd));
      const site = parseYaml(exampleText('lab-snat')) as Record<string, unknown>;
      const base = fakeEngine();
      const engine: Engine = {
        ...base,
        // discover connects like verify does (sshConnector): the same trust path as every verb
        discover: async (_site, ctx) => {
          const c = sshConnector({ ...ctx, sshKeyPath: client.privPath }, { connectTimeoutMs: 10_000 });
          try {
            await c.connect(node(s));
          } finally {
            await c.close();
          }
          return { balancer: [], servers: [] };
        },
      };
      const core = createCore({ engine, render: fakeRender, knownHostsPath: kh });
      const events: { event: string; payload: unknown }[] = [];
      const session = core.openSession((event, payload) => {
        events.push({ event, payload });
        if (event === 'hostKey.confirm')
          void core.dispatch('hostKey.decide', { id: (payload as { id: string }).id, accept: false }, session);
      });
      const r = await answersQuickly(() => core.dispatch('engine.discover', { site, opId: 'd1', only: 'balancer' }, session));
      const prompts = events.filter((e) => e.event === 'hostKey.confirm');
      expect(prompts).toHaveLength(1);
      const q = EVENTS['hostKey.confirm'].parse(prompts[0]!.payload);
      expect(q).toMatchObject({
        host: '127.0.0.1',
        port: s.port,
        fingerprint: rsaFp,
        keyType: 'ssh-rsa',
        knownKeys: [{ keyType: 'ssh-ed25519', fingerprint: edFp }],
        opId: 'd1',
      });
      expect(r.ok).toBe(false);
      const error = !r.ok ? r.error : undefined;
      expect(error?.code).toBe('host-key-rejected');
      expect(error?.message).toMatch(/^NEW HOST KEY TYPE for 127\.0\.0\.1:\d+: .*ssh-ed25519 SHA256:.*man-in-the-middle/);
      expect(error?.message).not.toMatch(/not known yet/);
      expect(readFileSync(kh, 'utf8')).toBe(line(s, hostEd));
    });

    it('the CLI: the louder question comes first (not "not known yet"); without a terminal it says so and how to accept', async () => {
      const s = await serve(hostRsa);
      const questions: string[] = [];
      const io: CliIO = {
        out: () => undefined,
        err: () => undefined,
        env: { PRINTHA_KNOWN_HOSTS: file(line(s, hostEd)), PRINTHA_SSH_KEY: client.privPath },
        cwd: dir,
        prompt: async (q) => (questions.push(q), 'n'),
      };
      expect(await verify(s, cliRunContext(io, { acceptHostKeys: [], quiet: true, json: false }).ctx)).toBe('HOST_KEY_UNKNOWN');
      expect(questions).toHaveLength(1);
      expect(questions[0]).toMatch(/^WARNING: NEW SSH HOST KEY TYPE for 127\.0\.0\.1:\d+\./);
      expect(questions[0]).toContain(`known:     ssh-ed25519 ${edFp}`);
      expect(questions[0]).toContain(`presented: ssh-rsa ${rsaFp}`);
      expect(questions[0]).not.toMatch(/not known yet/);

      let err = '';
      const batch: CliIO = { out: () => undefined, err: (t) => (err += t), env: io.env, cwd: dir };
      expect(await apply(s, cliRunContext(batch, { acceptHostKeys: [], quiet: true, json: false }).ctx)).toBe('HOST_KEY_UNKNOWN');
      expect(err).toMatch(/^WARNING: NEW SSH HOST KEY TYPE/);
      expect(err).toContain(`--accept-host-key ${rsaFp}`);
      expect(await apply(s, cliRunContext(batch, { acceptHostKeys: [rsaFp], quiet: true, json: false }).ctx)).toBe('connected');
    });

    it('a key of the known type that differs is still a hard stop, never a question', async () => {
      const s = await serve(hostRsa);
      const other = genKey(dir, 'rsa', `other_rsa_${n++}`);
      const asked: Asked[] = [];
      const results = [
        await apply(s, ctxFor(file(line(s, hostEd) + line(s, other)), true, asked)),
        await verify(s, ctxFor(file(line(s, other)), true, asked)),
      ];
      expect(results).toEqual(['HOST_KEY_CHANGED', 'HOST_KEY_CHANGED']);
      expect(asked).toEqual([]);
    });
  });
});
