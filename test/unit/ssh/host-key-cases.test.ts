/**
 * The three host-key cases of issue 16 ("host keys") against a real OpenSSH sshd on 127.0.0.1 that
 * serves only an RSA host key (its ed25519 key exists but is not served: the server "now offers
 * only RSA"), through the one trust path every verb uses (engine/host-keys.ts):
 *   (a) unknown host → the first-contact question, with the key type and no known keys;
 *   (b) known host (ed25519), key of a new type (RSA) → its own question naming the known keys, and
 *       a refusal says NEW HOST KEY TYPE with both fingerprints — never "not known yet";
 *   (c) a changed key of a known type → hard stop, nobody is asked.
 * Apply (SshConnector), verify (probes/balancer sshConnector), the PowerShell-over-SSH pre-check
 * (sshTrustCheck) and the CLI's prompt all see the same question.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunContext } from '../../../electron/cli/context.js';
import type { CliIO } from '../../../electron/cli/types.js';
import type { HostKeyQuestion, RunContext } from '../../../electron/core/engine/api.js';
import { SshConnector } from '../../../electron/core/engine/connector.js';
import { RemoteError, type RemoteTarget } from '../../../electron/core/powershell/remoting.js';
import { sshTrustCheck } from '../../../electron/core/powershell/ssh-trust.js';
import { sshConnector } from '../../../electron/core/probes/balancer.js';
import { SshError } from '../../../electron/core/ssh/errors.js';
import type { BalancerNodeInfo } from '../../../shared/model/resolve.js';
import { genKey, sshKeygenFingerprint } from '../../helpers/ssh/keys.js';
import { type Sshd, sshdUnavailableReason, startSshd } from '../../helpers/ssh/sshd.js';

const reason = sshdUnavailableReason();
if (reason) console.warn(`real-sshd host-key tests skipped: ${reason}`);

interface Asked {
  host: string;
  port: number;
  fingerprint: string;
  key: HostKeyQuestion | undefined;
}

describe.skipIf(reason !== null)('host-key cases against a real sshd that offers only RSA', () => {
  let dir: string;
  let sshd: Sshd;
  let rsaFp: string;
  let edFp: string;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'printha-hostkeys-'));
    sshd = await startSshd(dir, { hostKeyTypes: ['rsa'] });
    rsaFp = sshKeygenFingerprint(sshd.hostRsa.pubPath);
    edFp = sshKeygenFingerprint(sshd.hostEd25519.pubPath);
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = (pubLine: string): string => `[127.0.0.1]:${sshd.port} ${pubLine.split(' ').slice(0, 2).join(' ')}\n`;
  const knownHostsFile = (content: string): string => {
    const p = join(dir, `known_hosts_${n++}`);
    writeFileSync(p, content);
    return p;
  };
  const node = (): BalancerNodeInfo =>
    ({ name: 'lb1', address: '127.0.0.1', port: sshd.port, user: sshd.user }) as unknown as BalancerNodeInfo;
  const context = (knownHostsPath: string, answer: boolean, asked: Asked[]): RunContext => ({
    knownHostsPath,
    sshKeyPath: sshd.clientKey.privPath,
    credential: async () => undefined,
    confirmHostKey: async (host, port, fingerprint, key) => {
      asked.push({ host, port, fingerprint, key });
      return answer;
    },
    onEvent: () => undefined,
  });
  const caught = async (p: Promise<unknown>): Promise<SshError> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof SshError) return err;
      throw err;
    }
    throw new Error('expected an SshError');
  };
  const applyConnect = async (ctx: RunContext) => {
    const c = new SshConnector({ connectTimeoutMs: 15_000 });
    try {
      const conn = await c.connect(node(), ctx);
      return conn.hostKey;
    } finally {
      await c.close();
    }
  };

  it('(a) unknown host: the first-contact question carries the key type and no known keys; accepted, the key is saved and not asked again', async () => {
    const asked: Asked[] = [];
    const kh = knownHostsFile('');
    const ctx = context(kh, true, asked);
    expect(await applyConnect(ctx)).toEqual({ keyType: 'ssh-rsa', fingerprint: rsaFp, trust: 'accepted-saved' });
    expect(asked).toEqual([{ host: '127.0.0.1', port: sshd.port, fingerprint: rsaFp, key: { keyType: 'ssh-rsa', knownKeys: [] } }]);
    expect(readFileSync(kh, 'utf8')).toBe(entry(sshd.hostRsa.pubLine));
    expect(await applyConnect(ctx)).toMatchObject({ trust: 'known' });
    expect(asked).toHaveLength(1);

    const refused = await caught(applyConnect(context(knownHostsFile(''), false, [])));
    expect(refused.code).toBe('HOST_KEY_UNKNOWN');
    expect(refused.message).toMatch(/is not known yet \(ssh-rsa SHA256:/);
  });

  it('(b) known by ed25519, now RSA only: its own question naming the known ed25519 key; refused, NEW HOST KEY TYPE with both fingerprints, nothing saved', async () => {
    const asked: Asked[] = [];
    const content = entry(sshd.hostEd25519.pubLine);
    const kh = knownHostsFile(content);
    const logins = () => (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const before = logins();
    const err = await caught(applyConnect(context(kh, false, asked)));
    expect(asked).toEqual([
      {
        host: '127.0.0.1',
        port: sshd.port,
        fingerprint: rsaFp,
        key: { keyType: 'ssh-rsa', knownKeys: [{ keyType: 'ssh-ed25519', fingerprint: edFp }] },
      },
    ]);
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.message).toMatch(/^NEW HOST KEY TYPE for 127\.0\.0\.1:\d+: /);
    expect(err.message).not.toMatch(/not known yet/);
    expect(err.message).toContain(`ssh-ed25519 ${edFp}`);
    expect(err.message).toContain(`ssh-rsa key (${rsaFp})`);
    expect(err.message).toMatch(/man-in-the-middle/);
    expect(err.message).toMatch(/re-installed/);
    expect(err.message).toContain("server's console (ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub");
    expect(err.details.otherKeys).toEqual([{ keyType: 'ssh-ed25519', fingerprint: edFp }]);
    expect(readFileSync(kh, 'utf8')).toBe(content);
    expect(logins(), 'nothing was sent to the host: no login').toBe(before);
  });

  it('(b) accepted: the RSA key is saved beside the ed25519 line and matches from then on', async () => {
    const asked: Asked[] = [];
    const kh = knownHostsFile(entry(sshd.hostEd25519.pubLine));
    const ctx = context(kh, true, asked);
    expect(await applyConnect(ctx)).toEqual({ keyType: 'ssh-rsa', fingerprint: rsaFp, trust: 'accepted-saved' });
    expect(readFileSync(kh, 'utf8')).toBe(entry(sshd.hostEd25519.pubLine) + entry(sshd.hostRsa.pubLine));
    expect(await applyConnect(ctx)).toMatchObject({ trust: 'known' });
    expect(asked).toHaveLength(1);
  });

  it('(c) a changed key of a known type is a hard stop: nobody is asked, whatever else is known', async () => {
    const impostor = genKey(dir, 'rsa', 'impostor_rsa');
    for (const content of [entry(impostor.pubLine), entry(sshd.hostEd25519.pubLine) + entry(impostor.pubLine)]) {
      const asked: Asked[] = [];
      const err = await caught(applyConnect(context(knownHostsFile(content), true, asked)));
      expect(err.code).toBe('HOST_KEY_CHANGED');
      expect(err.message).toMatch(/^HOST KEY CHANGED for 127\.0\.0\.1:\d+: known_hosts expects ssh-rsa /);
      expect(err.message).toContain(rsaFp);
      expect(asked).toEqual([]);
    }
  });

  it('verify (sshConnector) and the PowerShell-over-SSH pre-check ask the same question as apply', async () => {
    const verifyAsked: Asked[] = [];
    const verifyErr = await caught(
      sshConnector(context(knownHostsFile(entry(sshd.hostEd25519.pubLine)), false, verifyAsked)).connect(node()),
    );
    const trustAsked: Asked[] = [];
    const t: RemoteTarget = {
      label: 'PS1',
      transport: 'ssh',
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      skipCertificateCheck: false,
      keyFilePath: sshd.clientKey.privPath,
    };
    const kh = knownHostsFile(entry(sshd.hostEd25519.pubLine));
    const ctx = context(kh, false, trustAsked);
    const trustErr = await sshTrustCheck(
      ctx,
      kh,
    )(t).then(
      () => undefined,
      (e: unknown) => e,
    );
    const question = {
      host: '127.0.0.1',
      port: sshd.port,
      fingerprint: rsaFp,
      key: { keyType: 'ssh-rsa', knownKeys: [{ keyType: 'ssh-ed25519', fingerprint: edFp }] },
    };
    expect(verifyAsked).toEqual([question]);
    expect(trustAsked).toEqual([question]);
    expect(verifyErr.message).toMatch(/^NEW HOST KEY TYPE/);
    expect(trustErr).toBeInstanceOf(RemoteError);
    expect((trustErr as RemoteError).kind).toBe('ssh-host-key');
    expect((trustErr as RemoteError).message).toMatch(/^PS1 \(127\.0\.0\.1\): NEW HOST KEY TYPE for 127\.0\.0\.1:\d+: .*man-in-the-middle/);

    // accepted through the pre-check, the key is in PrintHA's known_hosts for the pwsh session too
    const ok = await sshTrustCheck(
      context(kh, true, []),
      kh,
    )(t).then(
      () => 'ok',
      (e: unknown) => e,
    );
    expect(ok).toBe('ok');
    expect(readFileSync(kh, 'utf8')).toContain(sshd.hostRsa.pubLine.split(' ')[1]);
  });

  describe('the CLI prompt', () => {
    const cli = (knownHostsPath: string, answers: string[] | undefined, acceptHostKeys: string[] = []) => {
      const questions: string[] = [];
      let err = '';
      const io: CliIO = {
        out: () => undefined,
        err: (t) => (err += t),
        env: { PRINTHA_KNOWN_HOSTS: knownHostsPath, PRINTHA_SSH_KEY: sshd.clientKey.privPath },
        cwd: dir,
        ...(answers
          ? {
              prompt: async (q: string) => {
                questions.push(q);
                return answers.shift() ?? '';
              },
            }
          : {}),
      };
      const { ctx } = cliRunContext(io, { acceptHostKeys, quiet: true, json: false });
      return { ctx, questions, err: () => err };
    };

    it('(b) is its own, louder question: both keys named, "y" is not enough, "yes" trusts', async () => {
      const refused = cli(knownHostsFile(entry(sshd.hostEd25519.pubLine)), ['y']);
      expect((await caught(applyConnect(refused.ctx))).code).toBe('HOST_KEY_UNKNOWN');
      expect(refused.questions).toHaveLength(1);
      const q = refused.questions[0]!;
      expect(q).toMatch(
        /^WARNING: NEW SSH HOST KEY TYPE for 127\.0\.0\.1:\d+\. This host is already known to PrintHA, by another key type:\n/,
      );
      expect(q).toContain(`known:     ssh-ed25519 ${edFp}\n`);
      expect(q).toContain(`presented: ssh-rsa ${rsaFp}\n`);
      expect(q).toMatch(/man-in-the-middle attack, or the server was re-installed/);
      expect(q).toContain(`Compare ${rsaFp} with the server's console (ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub`);
      expect(q).toMatch(/Type yes \(or the fingerprint\) to trust it \[no\] $/);
      expect(q).not.toMatch(/not known yet/);

      const kh = knownHostsFile(entry(sshd.hostEd25519.pubLine));
      const accepted = cli(kh, ['yes']);
      expect(await applyConnect(accepted.ctx)).toMatchObject({ keyType: 'ssh-rsa', trust: 'accepted-saved' });
      const byFingerprint = cli(knownHostsFile(entry(sshd.hostEd25519.pubLine)), [rsaFp]);
      expect(await applyConnect(byFingerprint.ctx)).toMatchObject({ trust: 'accepted-saved' });
    });

    it('(a) keeps the first-contact question; without a terminal both cases say how to use --accept-host-key, which still works', async () => {
      const first = cli(knownHostsFile(''), ['n']);
      await caught(applyConnect(first.ctx));
      expect(first.questions[0]).toMatch(
        new RegExp(
          `^The SSH host key of 127\\.0\\.0\\.1:\\d+ is not known yet\\.\\n  Fingerprint: ssh-rsa ${rsaFp.replace(/[+/]/g, '\\$&')}\\n`,
        ),
      );

      const batchNew = cli(knownHostsFile(entry(sshd.hostEd25519.pubLine)), undefined);
      await caught(applyConnect(batchNew.ctx));
      expect(batchNew.err()).toMatch(/^WARNING: NEW SSH HOST KEY TYPE/);
      expect(batchNew.err()).toContain(`re-run with --accept-host-key ${rsaFp}`);
      const batchFirst = cli(knownHostsFile(''), undefined);
      await caught(applyConnect(batchFirst.ctx));
      expect(batchFirst.err()).toMatch(/^Unknown SSH host key for 127\.0\.0\.1:\d+: ssh-rsa SHA256:/);
      expect(batchFirst.err()).toContain(`--accept-host-key ${rsaFp}`);

      const flagged = cli(knownHostsFile(entry(sshd.hostEd25519.pubLine)), undefined, [rsaFp]);
      expect(await applyConnect(flagged.ctx)).toMatchObject({ keyType: 'ssh-rsa', trust: 'accepted-saved' });
      expect(flagged.err()).toBe('');
    });
  });
});
