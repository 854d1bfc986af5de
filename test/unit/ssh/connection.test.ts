import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectOptions, type SshAuth, type UnknownHostKeyInfo, connect } from '../../../electron/core/ssh/connection.js';
import { SshError } from '../../../electron/core/ssh/errors.js';
import { KnownHosts, fingerprintSha256 } from '../../../electron/core/ssh/known-hosts.js';
import { SshPool } from '../../../electron/core/ssh/pool.js';
import { withStepTimeout } from '../../../electron/core/ssh/timeout.js';
import { shellJoin } from '../../../shared/quote/posix.js';
import { type GeneratedKey, genKey, hasSshKeygen, sshKeygenFingerprint } from '../../helpers/ssh/keys.js';
import { type TestServer, type TestServerOptions, startTestServer } from '../../helpers/ssh/test-server.js';

if (!hasSshKeygen) console.warn('ssh connection tests skipped: /usr/bin/ssh-keygen is not installed (needed to make keys)');

const PASSWORD = 'pw-Correct-1';
const hasAgent = existsSync('/usr/bin/ssh-agent') && existsSync('/usr/bin/ssh-add');

describe.skipIf(!hasSshKeygen)('SSH connection over an in-process ssh2 server', () => {
  let dir: string;
  let hostA: GeneratedKey;
  let hostB: GeneratedKey;
  let clientKey: GeneratedKey;
  let encryptedKey: GeneratedKey;
  let work: string;
  const servers: TestServer[] = [];
  const pools: SshPool[] = [];
  let khN = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'printha-ssh-'));
    hostA = genKey(dir, 'ed25519', 'hostA');
    hostB = genKey(dir, 'ed25519', 'hostB');
    clientKey = genKey(dir, 'ed25519', 'client');
    encryptedKey = genKey(dir, 'ed25519', 'client-enc', 'key-Passphrase-9');
    work = join(dir, 'remote');
    mkdirSync(work);
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.closeAll()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const start = async (opts: Partial<TestServerOptions> = {}): Promise<TestServer> => {
    const s = await startTestServer({
      hostKey: hostA.priv,
      users: { alice: { password: PASSWORD, publicKeys: [clientKey.pubLine] } },
      cwd: work,
      ...opts,
    });
    servers.push(s);
    return s;
  };
  const freshKnownHosts = (content = ''): KnownHosts => {
    const p = join(dir, `known_hosts_${khN++}`);
    if (content) writeFileSync(p, content);
    return new KnownHosts(p);
  };
  const target = (s: TestServer) => ({ host: '127.0.0.1', port: s.port, user: 'alice' });
  const pw: SshAuth = { password: PASSWORD };
  const pool = (defaults: Partial<ConnectOptions>): SshPool => {
    const p = new SshPool({ connectTimeoutMs: 10_000, ...defaults });
    pools.push(p);
    return p;
  };
  const caught = async (p: Promise<unknown>): Promise<SshError> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof SshError) return err;
      throw err;
    }
    throw new Error('expected an SshError');
  };

  describe('host keys', () => {
    it('TOFU: asks with the exact fingerprint, saves it, and the second connect matches without asking', async () => {
      const s = await start();
      const kh = freshKnownHosts();
      const asked: UnknownHostKeyInfo[] = [];
      const policy = { onUnknown: (info: UnknownHostKeyInfo) => (asked.push(info), true) };
      const c1 = await connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: policy });
      expect(asked).toEqual([{ host: '127.0.0.1', port: s.port, keyType: 'ssh-ed25519', fingerprint: sshKeygenFingerprint(hostA.pubPath), otherKeyTypes: [], otherKeys: [] }]);
      expect(c1.hostKey).toEqual({ keyType: 'ssh-ed25519', fingerprint: sshKeygenFingerprint(hostA.pubPath), trust: 'accepted-saved' });
      expect(readFileSync(kh.path, 'utf8')).toBe(`[127.0.0.1]:${s.port} ssh-ed25519 ${hostA.blob.toString('base64')}\n`);
      await c1.close();

      const c2 = await connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: policy });
      expect(asked).toHaveLength(1);
      expect(c2.hostKey.trust).toBe('known');
      expect((await c2.exec(['echo', 'ok'], { timeoutMs: 5000 })).stdout).toBe('ok\n');
      await c2.close();
    });

    it('an unknown key refused by the policy stops before authentication: nothing runs', async () => {
      const s = await start();
      const kh = freshKnownHosts();
      let asked = 0;
      const err = await caught(connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: { onUnknown: () => (asked++, false) } }));
      expect(err.code).toBe('HOST_KEY_UNKNOWN');
      expect(err.details.fingerprint).toBe(fingerprintSha256(hostA.blob));
      expect(err.message).toContain(fingerprintSha256(hostA.blob));
      expect(asked).toBe(1);
      const strict = await caught(connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: 'strict' }));
      expect(strict.code).toBe('HOST_KEY_UNKNOWN');
      expect(s.authAttempts).toEqual([]);
      expect(s.commands).toEqual([]);
      expect(existsSync(kh.path)).toBe(false);
    });

    it('a changed key is a hard stop naming both fingerprints and the known_hosts line; the command never runs', async () => {
      const s = await start();
      const kh = freshKnownHosts(`# lab\n[127.0.0.1]:${s.port} ssh-ed25519 ${hostB.blob.toString('base64')}\n`);
      let asked = 0;
      const p = pool({ knownHosts: kh, hostKeyPolicy: { onUnknown: () => (asked++, true) } });
      const err = await caught(p.connect(target(s), pw).then((c) => c.exec(['touch', join(work, 'should-not-exist')], { timeoutMs: 5000 })));
      expect(err.code).toBe('HOST_KEY_CHANGED');
      expect(err.message).toContain('127.0.0.1');
      expect(err.message).toContain(fingerprintSha256(hostA.blob));
      expect(err.message).toContain(fingerprintSha256(hostB.blob));
      expect(err.message).toContain(`remove the old line from ${kh.path} line 2`);
      expect(err.details).toMatchObject({ fingerprint: fingerprintSha256(hostA.blob), expected: [fingerprintSha256(hostB.blob)] });
      expect(asked).toBe(0);
      expect(s.authAttempts).toEqual([]);
      expect(s.commands).toEqual([]);
      expect(existsSync(join(work, 'should-not-exist'))).toBe(false);
      expect(p.stats()[`127.0.0.1:${s.port}:alice`]).toMatchObject({ connections: 0, connectFailures: 1, commands: 0 });
    });

    it('accept-fingerprint trusts only that fingerprint; accept-once does not write known_hosts', async () => {
      const s = await start();
      const kh = freshKnownHosts();
      const wrong = await caught(connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: `accept-fingerprint:${fingerprintSha256(hostB.blob)}` }));
      expect(wrong.code).toBe('HOST_KEY_CHANGED');
      expect(wrong.message).toContain(fingerprintSha256(hostB.blob));
      expect(existsSync(kh.path)).toBe(false);

      const once = await connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: { onUnknown: () => 'accept-once' } });
      expect(once.hostKey.trust).toBe('accepted-once');
      await once.close();
      expect(existsSync(kh.path)).toBe(false);

      const c = await connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: `accept-fingerprint:${fingerprintSha256(hostA.blob)}=` });
      expect(c.hostKey.trust).toBe('accepted-saved');
      await c.close();
      expect(kh.verify('127.0.0.1', s.port, 'ssh-ed25519', hostA.blob).status).toBe('match');
    });

    it('if the accepted key cannot be saved, the connection is refused and says where', async () => {
      const s = await start();
      const blocker = join(dir, 'not-a-dir');
      writeFileSync(blocker, '');
      const kh = new KnownHosts(join(blocker, 'known_hosts'));
      const err = await caught(connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: 'accept-new' }));
      expect(err.code).toBe('DISCONNECTED');
      expect(err.message).toContain(`could not be saved to ${kh.path}`);
      expect(s.authAttempts).toEqual([]);
    });

    it('a revoked key is refused', async () => {
      const s = await start();
      const kh = freshKnownHosts(`@revoked * ssh-ed25519 ${hostA.blob.toString('base64')}\n`);
      const err = await caught(connect(target(s), pw, { knownHosts: kh, hostKeyPolicy: 'accept-new' }));
      expect(err.code).toBe('HOST_KEY_REVOKED');
      expect(s.authAttempts).toEqual([]);
    });

    it('if the host drops the connection while the engineer reads the fingerprint, the approved key is used on one retry', async () => {
      const s = await start();
      const kh = freshKnownHosts();
      let asked = 0;
      const c = await connect(target(s), pw, {
        knownHosts: kh,
        hostKeyPolicy: {
          onUnknown: async () => {
            asked++;
            s.dropAll(); // like sshd's LoginGraceTime expiring
            await new Promise((r) => setTimeout(r, 100));
            return true;
          },
        },
      });
      expect(asked).toBe(1);
      expect(s.connections).toBe(2);
      expect((await c.exec(['echo', 'hi'], { timeoutMs: 5000 })).stdout).toBe('hi\n');
      await c.close();
    });
  });

  describe('authentication', () => {
    it('a wrong password fails once with AUTH_FAILED naming user@host, and only password is tried', async () => {
      const s = await start();
      const secret = 'Wrong-Secret-42';
      const err = await caught(connect(target(s), { password: secret }, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' }));
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.message).toContain(`alice@127.0.0.1:${s.port}`);
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err)).not.toContain(secret);
      expect(s.authAttempts).toEqual([{ user: 'alice', method: 'password' }]);
      expect(s.connections).toBe(1);
    });

    it('key auth tries only publickey (no "none" probe, no keyboard-interactive)', async () => {
      const s = await start();
      const c = await connect(target(s), { privateKeyPath: clientKey.privPath }, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      await c.close();
      expect(s.authAttempts.length).toBeGreaterThan(0);
      expect(s.authAttempts.every((a) => a.method === 'publickey')).toBe(true);
    });

    it('a wrong key then a wrong password: each configured method exactly once, one AUTH_FAILED', async () => {
      const s = await start();
      const err = await caught(
        connect(target(s), { privateKey: hostB.priv, password: 'nope' }, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' }),
      );
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.details.methods).toEqual(['publickey', 'password']);
      expect(s.authAttempts.map((a) => a.method)).toEqual(['publickey', 'password']);
    });

    it('an encrypted key needs its passphrase: clear message, nothing sent', async () => {
      const s = await start();
      const opts = { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' as const };
      const err = await caught(connect(target(s), { privateKeyPath: encryptedKey.privPath }, opts));
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.message).toContain('encrypted');
      expect(err.message).toContain(encryptedKey.privPath);
      const bad = await caught(connect(target(s), { privateKeyPath: encryptedKey.privPath, passphrase: 'wrong' }, opts));
      expect(bad.message).toMatch(/passphrase .* is wrong/);
      expect(s.connections).toBe(0);
      const missing = await caught(connect(target(s), {}, opts));
      expect(missing.code).toBe('AUTH_FAILED');
    });

    it.skipIf(!hasAgent)('authenticates through an ssh-agent socket', async () => {
      const s = await start();
      const sock = join(dir, 'agent.sock');
      const agent: ChildProcess = spawn('/usr/bin/ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
        execFileSync('/usr/bin/ssh-add', [clientKey.privPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
        const c = await connect(target(s), { agent: sock }, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
        expect((await c.exec(['echo', 'agent'], { timeoutMs: 5000 })).stdout).toBe('agent\n');
        await c.close();
        expect(s.authAttempts.every((a) => a.method === 'publickey')).toBe(true);
      } finally {
        agent.kill();
      }
    });
  });

  describe('exec', () => {
    it('returns stdout, stderr and the exit code', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const r = await c.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 });
      expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', code: 3, signal: null, timedOut: false, aborted: false });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      const withStdin = await c.exec(['cat'], { timeoutMs: 5000, stdin: 'line1\nsecret-from-stdin\n' });
      expect(withStdin.stdout).toBe('line1\nsecret-from-stdin\n');
      expect(s.commands.join('\n')).not.toContain('secret-from-stdin');
      const env = await c.exec(['sh', '-c', 'printf %s "$GREETING"'], { timeoutMs: 5000, env: { GREETING: "hello 'world' $HOME" } });
      expect(env.stdout).toBe("hello 'world' $HOME");
      await expect(c.exec(['true'], { timeoutMs: 5000, env: { 'BAD NAME': 'x' } })).rejects.toThrow(/invalid environment variable/);
      await expect(c.exec([], { timeoutMs: 5000 })).rejects.toThrow(TypeError);
      await c.close();
    });

    it('an exit status that arrives in the same packet batch as the exec confirmation is not lost', async () => {
      // The server accepts, exits and closes in one tick: ssh2 then parses CHANNEL_SUCCESS and
      // exit-status together, before an awaiting caller could attach an 'exit' listener.
      const s = await start({
        onExec: (_cmd, ch) => {
          ch.exit(7);
          ch.end();
          return true;
        },
      });
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const codes = await Promise.all(Array.from({ length: 60 }, () => c.exec(['true'], { timeoutMs: 5000 }).then((r) => r.code)));
      expect(codes.filter((x) => x !== 7)).toEqual([]);
      await c.close();
    });

    it('argv with spaces, quotes, $() and globs reaches the server as the exact shellJoin string and as exact words', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const marker = join(work, 'pwned');
      const words = ['a b', "it's", `$(touch ${marker})`, '`touch x`', '*', '"dq"', 'semi;colon', '', 'new\nline', '--flag', '\\back'];
      const argv = ['printf', '[%s]\\n', ...words];
      const r = await c.exec(argv, { timeoutMs: 5000 });
      expect(s.commands.at(-1)).toBe(shellJoin(argv));
      expect(r.stdout).toBe(words.map((w) => `[${w}]\n`).join(''));
      expect(existsSync(marker)).toBe(false);
      await c.close();
    });

    it('a timeout stops the command (channel closed) and sets timedOut; onTimeout "throw" gives COMMAND_TIMEOUT', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const t0 = Date.now();
      const r = await c.exec(['sleep', '30'], { timeoutMs: 300 });
      expect(r.timedOut).toBe(true);
      expect(r.code).toBeNull();
      expect(Date.now() - t0).toBeLessThan(5000);
      // (TERM delivery is proven against the real sshd: ssh2's Server refuses requests after stdin EOF)
      const err = await caught(c.exec(['sleep', '30'], { timeoutMs: 200, onTimeout: 'throw' }));
      expect(err.code).toBe('COMMAND_TIMEOUT');
      expect(err.message).toContain("'sleep'");
      // the connection is still usable
      expect((await c.exec(['echo', 'still'], { timeoutMs: 5000 })).stdout).toBe('still\n');
      await c.close();
    });

    it('an AbortSignal cancels a running command', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 200);
      const r = await c.exec(['sleep', '30'], { timeoutMs: 20_000, signal: ac.signal });
      expect(r).toMatchObject({ aborted: true, timedOut: false, code: null });
      await c.close();
    });

    it('withStepTimeout rejects with STEP_TIMEOUT and aborts the command it was running', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      let inner: Promise<unknown> | undefined;
      const err = await caught(
        withStepTimeout(300, (signal) => (inner = c.exec(['sleep', '30'], { timeoutMs: 20_000, signal })), { step: 'reload haproxy', host: '127.0.0.1', port: s.port }),
      );
      expect(err.code).toBe('STEP_TIMEOUT');
      expect(err.message).toContain("'reload haproxy'");
      await expect(inner).resolves.toMatchObject({ aborted: true });
      await expect(withStepTimeout(1000, async () => 42)).resolves.toBe(42);
      await c.close();
    });

    it('many parallel commands respect the channel cap and all complete', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new', maxConcurrentExec: 2 });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.exec(['echo', String(i)], { timeoutMs: 10_000 })));
      expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 8 }, (_, i) => `${i}\n`));
      await c.close();
    });

    it('the pool reuses one TCP connection per host:port:user and counts connections and commands', async () => {
      const s = await start();
      const p = pool({ knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const [a, b] = await Promise.all([p.connect(target(s), pw), p.connect(target(s), pw)]);
      expect(a).toBe(b);
      await a.exec(['true'], { timeoutMs: 5000 });
      const again = await p.connect(target(s), pw);
      expect(again).toBe(a);
      await again.exec(['true'], { timeoutMs: 5000 });
      expect(s.connections).toBe(1);
      expect(p.stats()).toEqual({ [`127.0.0.1:${s.port}:alice`]: { connections: 1, connectFailures: 0, commands: 2, uploads: 0, reads: 0, bytesUploaded: 0 } });
      await p.closeAll();
      expect(a.isOpen).toBe(false);
      expect(p.stats()[`127.0.0.1:${s.port}:alice`]?.commands).toBe(2);
    });

    it('a dropped connection fails the running command with DISCONNECTED and the pool reconnects', async () => {
      const s = await start();
      const p = pool({ knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const c = await p.connect(target(s), pw);
      setTimeout(() => s.dropAll(), 200);
      const err = await caught(c.exec(['sleep', '10'], { timeoutMs: 20_000 }));
      expect(err.code).toBe('DISCONNECTED');
      expect(err.message).toContain(`alice@127.0.0.1:${s.port}`);
      await new Promise((r) => setTimeout(r, 50));
      expect(c.isOpen).toBe(false);
      const c2 = await p.connect(target(s), pw);
      expect(c2).not.toBe(c);
      expect((await c2.exec(['echo', 'back'], { timeoutMs: 5000 })).stdout).toBe('back\n');
      expect(s.connections).toBe(2);
      await expect(c.exec(['true'], { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'DISCONNECTED' });
    });
  });

  describe('connect failures', () => {
    it('a closed port is UNREACHABLE with a sentence that says what to check', async () => {
      const tmp = createServer();
      await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
      const port = (tmp.address() as { port: number }).port;
      await new Promise<void>((r) => tmp.close(() => r()));
      const err = await caught(connect({ host: '127.0.0.1', port, user: 'alice' }, pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'strict' }));
      expect(err.code).toBe('UNREACHABLE');
      expect(err.message).toBe(`Cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED) — check the address and that sshd runs.`);
    });

    it('a host that accepts TCP but never speaks SSH is CONNECT_TIMEOUT', async () => {
      const sockets: Socket[] = [];
      const silent: NetServer = createServer((sock) => sockets.push(sock));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as { port: number }).port;
      try {
        const t0 = Date.now();
        const err = await caught(connect({ host: '127.0.0.1', port, user: 'alice' }, pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'strict', connectTimeoutMs: 400 }));
        expect(err.code).toBe('CONNECT_TIMEOUT');
        expect(err.message).toContain(`127.0.0.1:${port}`);
        expect(Date.now() - t0).toBeLessThan(3000);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => silent.close(() => r()));
      }
    });

    it('rejects malformed targets before any network traffic', async () => {
      const kh = freshKnownHosts();
      await expect(connect({ host: '', port: 22, user: 'a' }, pw, { knownHosts: kh, hostKeyPolicy: 'strict' })).rejects.toThrow(TypeError);
      await expect(connect({ host: 'h', port: 70000, user: 'a' }, pw, { knownHosts: kh, hostKeyPolicy: 'strict' })).rejects.toThrow(TypeError);
      await expect(connect({ host: 'h', port: 22, user: 'a b' }, pw, { knownHosts: kh, hostKeyPolicy: 'strict' })).rejects.toThrow(TypeError);
    });
  });

  describe('files', () => {
    it('upload replaces atomically: a concurrent reader sees only the old or the complete new content', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const final = join(work, 'haproxy.cfg');
      const oldContent = 'old\n'.repeat(1000);
      writeFileSync(final, oldContent, { mode: 0o640 });
      const newContent = Buffer.alloc(4 * 1024 * 1024, 'n');
      const seen = new Set<string>();
      let reads = 0;
      const poll = setInterval(() => {
        const now = readFileSync(final);
        reads++;
        seen.add(now.equals(newContent) ? 'new' : now.toString() === oldContent ? 'old' : `partial:${now.length}`);
      }, 1);
      const res = await c.upload(final, newContent).finally(() => clearInterval(poll));
      expect([...seen].filter((x) => x.startsWith('partial'))).toEqual([]);
      expect(reads).toBeGreaterThan(3);
      expect(readFileSync(final).equals(newContent)).toBe(true);
      expect(statSync(final).mode & 0o777).toBe(0o640); // the old file's mode is kept
      expect(res).toMatchObject({ remotePath: final, bytes: newContent.length, mode: 0o640, method: 'sftp-mv', fsynced: false });
      expect(readdirSync(work).filter((f) => f.includes('printha-'))).toEqual([]);
      // the temp file lived in the same directory with the documented name, created exclusively with mode 600
      expect(s.sftpOps.find((o) => o.startsWith('OPEN '))).toMatch(new RegExp(`^OPEN ${work}/\\.haproxy\\.cfg\\.printha-[0-9a-f]{12} wx$`));
      const mv = s.commands.at(-1) ?? '';
      expect(mv).toMatch(/^mv -f -- .*\.haproxy\.cfg\.printha-[0-9a-f]{12} .*haproxy\.cfg$/);

      const fresh = join(work, 'new.conf');
      const r2 = await c.upload(fresh, 'x=1\n', { mode: 0o600 });
      expect(r2.mode).toBe(0o600);
      expect(statSync(fresh).mode & 0o777).toBe(0o600);
      expect(readFileSync(fresh, 'utf8')).toBe('x=1\n');
      const r3 = await c.upload(join(work, 'default.conf'), '');
      expect(r3.mode).toBe(0o644);
      expect(readFileSync(join(work, 'default.conf'), 'utf8')).toBe('');
      await c.close();
    });

    it('a full disk is DISK_FULL, the temp file is removed and the original is untouched', async () => {
      const s = await start({ failWrite: (path, total) => (path.includes('.full.cfg.') && total > 64 * 1024 ? 'No space left on device' : null) });
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const final = join(work, 'full.cfg');
      writeFileSync(final, 'original\n');
      const err = await caught(c.upload(final, Buffer.alloc(256 * 1024, 'z')));
      expect(err.code).toBe('DISK_FULL');
      expect(err.message).toContain(final);
      expect(err.message).toContain('df -h');
      expect(readFileSync(final, 'utf8')).toBe('original\n');
      expect(readdirSync(work).filter((f) => f.includes('.full.cfg.'))).toEqual([]);
      expect(s.sftpOps.some((o) => o.startsWith('REMOVE ') && o.includes('.full.cfg.printha-'))).toBe(true);
      await c.close();
    });

    it("OpenSSH's bare SSH_FX_FAILURE during a write is reported as DISK_FULL too", async () => {
      const s = await start({ failWrite: (path) => (path.includes('.bare.cfg.') ? 'Failure' : null) });
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const err = await caught(c.upload(join(work, 'bare.cfg'), 'data'));
      expect(err.code).toBe('DISK_FULL');
      expect(err.details.sftpStatus).toBe(4);
      expect(readdirSync(work).filter((f) => f.includes('.bare.cfg.'))).toEqual([]);
      await c.close();
    });

    it('an unwritable directory is SFTP_FAILED and says what to check', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const err = await caught(c.upload(join(work, 'no-such-dir', 'x.cfg'), 'data'));
      expect(err.code).toBe('SFTP_FAILED');
      expect(err.message).toContain(join(work, 'no-such-dir', 'x.cfg'));
      await c.close();
    });

    it('upload through a symlink replaces the link target and keeps the link', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const real = join(work, 'real.cfg');
      const link = join(work, 'link.cfg');
      writeFileSync(real, 'a\n');
      symlinkSync(real, link);
      const r = await c.upload(link, 'b\n');
      expect(r.remotePath).toBe(real);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(real, 'utf8')).toBe('b\n');
      await c.close();
    });

    it('readFile reads over SFTP; a missing file is notFound / null', async () => {
      const s = await start();
      const c = await connect(target(s), pw, { knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const f = join(work, 'read-me.txt');
      writeFileSync(f, Buffer.from([0, 1, 2, 255, 10]));
      expect((await c.readFile(f)).equals(Buffer.from([0, 1, 2, 255, 10]))).toBe(true);
      expect(await c.readFileIfExists(join(work, 'missing.txt'))).toBeNull();
      const err = await caught(c.readFile(join(work, 'missing.txt')));
      expect(err).toMatchObject({ code: 'SFTP_FAILED', details: { notFound: true } });
      expect(s.commands).toEqual([]);
      await c.close();
    });

    it('without an SFTP subsystem, upload and readFile fall back to sh/cat over exec', async () => {
      const s = await start({ sftp: false });
      const p = pool({ knownHosts: freshKnownHosts(), hostKeyPolicy: 'accept-new' });
      const c = await p.connect(target(s), pw);
      expect(await c.hasSftp()).toBe(false);
      const final = join(work, 'fallback.cfg');
      writeFileSync(final, 'old\n', { mode: 0o640 });
      const content = "new 'quoted' $(content)\n".repeat(100);
      const r = await c.upload(final, content);
      expect(r).toMatchObject({ method: 'exec-cat', mode: 0o640, bytes: Buffer.byteLength(content) });
      expect(readFileSync(final, 'utf8')).toBe(content);
      expect(statSync(final).mode & 0o777).toBe(0o640);
      const r2 = await c.upload(join(work, 'fallback2.cfg'), 'x', { mode: 0o600 });
      expect(r2.mode).toBe(0o600);
      expect(statSync(join(work, 'fallback2.cfg')).mode & 0o777).toBe(0o600);
      expect(s.commands.filter((cmd) => cmd.startsWith("sh -c 'umask 077"))).toHaveLength(2);
      expect(readdirSync(work).filter((f) => f.includes('printha-'))).toEqual([]);
      expect((await c.readFile(final)).toString()).toBe(content);
      expect(await c.readFileIfExists(join(work, 'nope.cfg'))).toBeNull();
      const err = await caught(c.upload(join(work, 'missing-dir', 'a.cfg'), 'x'));
      expect(err.code).toBe('SFTP_FAILED');
      expect(p.stats()[`127.0.0.1:${s.port}:alice`]).toMatchObject({ connections: 1, uploads: 2, reads: 1 });
    });
  });
});
