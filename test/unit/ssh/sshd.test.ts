import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SshAuth, connect } from '../../../electron/core/ssh/connection.js';
import { SshError } from '../../../electron/core/ssh/errors.js';
import { KnownHosts, fingerprintSha256 } from '../../../electron/core/ssh/known-hosts.js';
import { SshPool } from '../../../electron/core/ssh/pool.js';
import { genKey, sshKeygenFingerprint } from '../../helpers/ssh/keys.js';
import { type Sshd, sshdUnavailableReason, startSshd } from '../../helpers/ssh/sshd.js';

const reason = sshdUnavailableReason();
if (reason) console.warn(`real-sshd tests skipped: ${reason}`);

describe.skipIf(reason !== null)('SSH layer against a real OpenSSH sshd on 127.0.0.1', () => {
  let dir: string;
  let sshd: Sshd;
  let auth: SshAuth;
  let remote: string;
  let keyscan: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'printha-sshd-'));
    sshd = await startSshd(dir);
    auth = { privateKeyPath: sshd.clientKey.privPath };
    remote = join(dir, 'remote');
    mkdirSync(remote);
    keyscan = execFileSync('/usr/bin/ssh-keyscan', ['-p', String(sshd.port), '-t', 'ed25519,rsa', '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = () => ({ host: '127.0.0.1', port: sshd.port, user: sshd.user });
  let n = 0;
  const kh = (content: string): KnownHosts => {
    const p = join(dir, `known_hosts_${n++}`);
    writeFileSync(p, content);
    return new KnownHosts(p);
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

  it('verifies the host key against ssh-keyscan output (strict policy), for ed25519 and for rsa-only entries', async () => {
    expect(keyscan).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `, 'm'));
    const c = await connect(target(), auth, { knownHosts: kh(keyscan), hostKeyPolicy: 'strict' });
    expect(c.hostKey).toEqual({ keyType: 'ssh-ed25519', fingerprint: sshKeygenFingerprint(sshd.hostEd25519.pubPath), trust: 'known' });
    await c.close();
    // only the RSA key is known: like OpenSSH we ask for the known type first, so it matches
    const rsaOnly = keyscan
      .split('\n')
      .filter((l) => l.includes(' ssh-rsa '))
      .join('\n');
    const c2 = await connect(target(), auth, { knownHosts: kh(rsaOnly), hostKeyPolicy: 'strict' });
    expect(c2.hostKey).toMatchObject({ keyType: 'ssh-rsa', fingerprint: sshKeygenFingerprint(sshd.hostRsa.pubPath), trust: 'known' });
    await c2.close();
  });

  it('reports the exact ssh-keygen fingerprint for an unknown host and refuses a changed one', async () => {
    const unknown = await caught(connect(target(), auth, { knownHosts: kh(''), hostKeyPolicy: 'strict' }));
    expect(unknown.code).toBe('HOST_KEY_UNKNOWN');
    expect(unknown.details.fingerprint).toBe(sshKeygenFingerprint(sshd.hostEd25519.pubPath));

    const other = genKey(dir, 'ed25519', 'impostor');
    const before = (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const changed = await caught(connect(target(), auth, { knownHosts: kh(`[127.0.0.1]:${sshd.port} ssh-ed25519 ${other.blob.toString('base64')}\n`), hostKeyPolicy: 'accept-new' }));
    expect(changed.code).toBe('HOST_KEY_CHANGED');
    expect(changed.message).toContain(fingerprintSha256(other.blob));
    expect(changed.message).toContain(sshKeygenFingerprint(sshd.hostEd25519.pubPath));
    expect(changed.message).toContain('line 1');
    expect((sshd.log().match(/Accepted publickey/g) ?? []).length).toBe(before);
  });

  it('a key sshd does not accept is AUTH_FAILED', async () => {
    const stranger = genKey(dir, 'ed25519', 'stranger');
    const err = await caught(connect(target(), { privateKeyPath: stranger.privPath }, { knownHosts: kh(keyscan), hostKeyPolicy: 'strict' }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
  });

  it('exec, atomic SFTP upload (posix-rename + fsync), readFile and a timed-out command over one connection', async () => {
    const pool = new SshPool({ knownHosts: kh(keyscan), hostKeyPolicy: 'strict' });
    try {
      const c = await pool.connect(target(), auth);
      const words = ['a b', "it's", '$(id)', '`id`', '*', '"q"', ';', '', 'x\ny'];
      const r = await c.exec(['printf', '[%s]\\n', ...words], { timeoutMs: 10_000 });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(words.map((w) => `[${w}]\n`).join(''));
      const fail = await c.exec(['sh', '-c', 'echo e >&2; exit 7'], { timeoutMs: 10_000 });
      expect(fail).toMatchObject({ code: 7, stderr: 'e\n', stdout: '' });

      const final = join(remote, 'haproxy.cfg');
      writeFileSync(final, 'old\n', { mode: 0o640 });
      const up = await (await pool.connect(target(), auth)).upload(final, 'global\n  maxconn 100\n');
      expect(up).toMatchObject({ method: 'sftp-posix-rename', fsynced: true, mode: 0o640, remotePath: final });
      expect(readFileSync(final, 'utf8')).toBe('global\n  maxconn 100\n');
      expect(statSync(final).mode & 0o777).toBe(0o640);
      expect(readdirSync(remote).filter((f) => f.includes('printha-'))).toEqual([]);
      const up2 = await c.upload(join(remote, 'keepalived.conf'), 'vrrp\n', { mode: 0o600 });
      expect(up2.mode).toBe(0o600);
      expect(statSync(join(remote, 'keepalived.conf')).mode & 0o777).toBe(0o600);
      expect((await c.readFile(final)).toString()).toBe('global\n  maxconn 100\n');
      expect(await c.readFileIfExists(join(remote, 'absent'))).toBeNull();

      // On timeout the layer sends a "signal TERM" request and closes the channel. sshd receives it
      // (logged below); for a root login OpenSSH refuses to deliver it ("session signalling requires
      // privilege separation": no post-auth privsep for root), for other users it kills the process group.
      const t0 = Date.now();
      const t = await c.exec(['sleep', '30'], { timeoutMs: 500 });
      expect(t).toMatchObject({ timedOut: true, code: null });
      expect(Date.now() - t0).toBeLessThan(5000);
      for (let i = 0; i < 40 && !sshd.log().includes('session_signal_req'); i++) await new Promise((res) => setTimeout(res, 50));
      expect(sshd.log()).toContain('session_signal_req');
      // the connection survives a timed-out command
      expect((await c.exec(['echo', 'alive'], { timeoutMs: 10_000 })).stdout).toBe('alive\n');

      expect(pool.stats()[`127.0.0.1:${sshd.port}:${sshd.user}`]).toMatchObject({ connections: 1, uploads: 2, reads: 1 });
    } finally {
      await pool.closeAll();
    }
  });
});
