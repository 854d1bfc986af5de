import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KnownHosts,
  fingerprintSha256,
  formatKnownHostsLine,
  hostPattern,
  keyTypeOfBlob,
  normalizeFingerprint,
  parseKnownHosts,
} from '../../../electron/core/ssh/known-hosts.js';
import { SSH_KEYGEN, type GeneratedKey, genKey, hasSshKeygen, sshKeygenFingerprint } from '../../helpers/ssh/keys.js';

if (!hasSshKeygen) console.warn(`known-hosts tests skipped: ${SSH_KEYGEN} is not installed`);

describe.skipIf(!hasSshKeygen)('known_hosts store', () => {
  let dir: string;
  let ed: GeneratedKey;
  let ed2: GeneratedKey;
  let rsa: GeneratedKey;
  let ecdsa: GeneratedKey;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'printha-kh-'));
    ed = genKey(dir, 'ed25519', 'ed');
    ed2 = genKey(dir, 'ed25519', 'ed2');
    rsa = genKey(dir, 'rsa', 'rsa');
    ecdsa = genKey(dir, 'ecdsa', 'ecdsa');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const b64 = (k: GeneratedKey): string => k.blob.toString('base64');
  let n = 0;
  const file = (text: string): string => {
    const p = join(dir, `kh-${n++}`);
    writeFileSync(p, text);
    return p;
  };

  it('fingerprintSha256 equals `ssh-keygen -l` for ed25519, rsa and ecdsa keys', () => {
    for (const k of [ed, rsa, ecdsa]) {
      const fp = fingerprintSha256(k.blob);
      expect(fp).toBe(sshKeygenFingerprint(k.pubPath));
      expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });

  it('reads the key type from the blob and normalises fingerprints', () => {
    expect(keyTypeOfBlob(ed.blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(rsa.blob)).toBe('ssh-rsa');
    expect(keyTypeOfBlob(ecdsa.blob)).toBe('ecdsa-sha2-nistp256');
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 99, 1]))).toThrow();
    const fp = fingerprintSha256(ed.blob);
    expect(normalizeFingerprint(`${fp}=`)).toBe(fp);
    expect(normalizeFingerprint(fp.slice('SHA256:'.length))).toBe(fp);
  });

  it('uses bare names on port 22 and [host]:port elsewhere', () => {
    expect(hostPattern('Appliance.Example.COM', 22)).toBe('appliance.example.com');
    expect(hostPattern('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(formatKnownHostsLine('::1', 2222, ed.keyType, ed.blob)).toBe(`[::1]:2222 ssh-ed25519 ${b64(ed)}`);
    expect(() => formatKnownHostsLine('bad host', 22, ed.keyType, ed.blob)).toThrow();
  });

  it('matches plain entries, patterns lists, wildcards and negations', () => {
    const kh = new KnownHosts(
      file(
        [
          '# comment line',
          '',
          `lb1.example.com,10.0.0.5 ssh-ed25519 ${b64(ed)} lb1`,
          `[10.0.0.6]:2222 ssh-ed25519 ${b64(ed)}`,
          `*.lab.example,!evil.lab.example ssh-rsa ${b64(rsa)}`,
          `node?.rack ecdsa-sha2-nistp256 ${b64(ecdsa)}`,
        ].join('\n'),
      ),
    );
    expect(kh.verify('lb1.example.com', 22, ed.keyType, ed.blob).status).toBe('match');
    expect(kh.verify('LB1.example.com', 22, ed.keyType, ed.blob).status).toBe('match');
    expect(kh.verify('10.0.0.5', 22, ed.keyType, ed.blob)).toMatchObject({ status: 'match', line: 3 });
    // port matters: the bare name is for port 22 only
    expect(kh.verify('10.0.0.5', 2222, ed.keyType, ed.blob).status).toBe('unknown');
    expect(kh.verify('10.0.0.6', 2222, ed.keyType, ed.blob)).toMatchObject({ status: 'match', line: 4 });
    expect(kh.verify('10.0.0.6', 22, ed.keyType, ed.blob).status).toBe('unknown');
    expect(kh.verify('a.lab.example', 22, rsa.keyType, rsa.blob).status).toBe('match');
    expect(kh.verify('evil.lab.example', 22, rsa.keyType, rsa.blob).status).toBe('unknown');
    expect(kh.verify('node1.rack', 22, ecdsa.keyType, ecdsa.blob).status).toBe('match');
    expect(kh.verify('node12.rack', 22, ecdsa.keyType, ecdsa.blob).status).toBe('unknown');
  });

  it('reports a changed key of the same type as mismatch with both fingerprints and the line', () => {
    const kh = new KnownHosts(file(['# header', `lb1 ssh-ed25519 ${b64(ed)}`, `lb1 ssh-rsa ${b64(rsa)}`].join('\n')));
    const res = kh.verify('lb1', 22, ed2.keyType, ed2.blob);
    expect(res).toEqual({
      status: 'mismatch',
      keyType: 'ssh-ed25519',
      expected: [fingerprintSha256(ed.blob)],
      actual: fingerprintSha256(ed2.blob),
      locations: [{ file: kh.path, line: 2, fingerprint: fingerprintSha256(ed.blob) }],
    });
  });

  it('treats a key of a type not yet known as unknown and lists the known types with their fingerprints (OpenSSH behaviour)', () => {
    const kh = new KnownHosts(file(`lb1 ssh-rsa ${b64(rsa)}\nlb1,lb1.example.com ssh-rsa ${b64(rsa)}\n`));
    expect(kh.verify('lb1', 22, ed.keyType, ed.blob)).toEqual({
      status: 'unknown',
      keyType: 'ssh-ed25519',
      fingerprint: fingerprintSha256(ed.blob),
      otherKeyTypes: ['ssh-rsa'],
      otherKeys: [{ keyType: 'ssh-rsa', fingerprint: fingerprintSha256(rsa.blob) }],
    });
    expect(new KnownHosts(file('')).verify('lb1', 22, ed.keyType, ed.blob)).toMatchObject({
      status: 'unknown',
      otherKeyTypes: [],
      otherKeys: [],
    });
  });

  it('reads hashed entries written by `ssh-keygen -H`', () => {
    const p = file([`lb1.example.com ssh-ed25519 ${b64(ed)}`, `[10.9.9.9]:2200 ssh-rsa ${b64(rsa)}`].join('\n') + '\n');
    execFileSync(SSH_KEYGEN, ['-H', '-f', p], { stdio: 'pipe' });
    const text = readFileSync(p, 'utf8');
    expect(text).not.toContain('lb1.example.com');
    expect(text).toMatch(/^\|1\|/m);
    const kh = new KnownHosts(p);
    expect(kh.verify('lb1.example.com', 22, ed.keyType, ed.blob).status).toBe('match');
    expect(kh.verify('10.9.9.9', 2200, rsa.keyType, rsa.blob).status).toBe('match');
    expect(kh.verify('10.9.9.9', 22, rsa.keyType, rsa.blob).status).toBe('unknown');
    expect(kh.verify('lb1.example.com', 22, ed2.keyType, ed2.blob).status).toBe('mismatch');
  });

  it('honours @revoked and ignores @cert-authority and unknown markers', () => {
    const kh = new KnownHosts(
      file(
        [
          `@revoked * ssh-ed25519 ${b64(ed2)}`,
          `@cert-authority *.example ssh-ed25519 ${b64(ed)}`,
          `@bogus lb1 ssh-rsa ${b64(rsa)}`,
          `lb2 ssh-ed25519 ${b64(ed2)}`,
        ].join('\n'),
      ),
    );
    expect(kh.verify('lb2', 22, ed2.keyType, ed2.blob)).toMatchObject({ status: 'revoked', line: 1 });
    // a CA key is not a host key
    expect(kh.verify('x.example', 22, ed.keyType, ed.blob).status).toBe('unknown');
    expect(kh.verify('lb1', 22, rsa.keyType, rsa.blob).status).toBe('unknown');
    expect(kh.knownKeyTypes('lb2', 22)).toEqual(['ssh-ed25519']);
  });

  it('skips malformed lines and lines whose type contradicts the key', () => {
    const entries = parseKnownHosts(
      ['lb1 ssh-ed25519', `lb1 ssh-rsa ${b64(ed)}`, 'lb1 1024 35 1234567', `lb1 ssh-ed25519 not*base64`, `lb1 ssh-ed25519 ${b64(ed)} ok`].join('\n'),
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ line: 5, keyType: 'ssh-ed25519', hashed: false, marker: null });
  });

  it('add() creates the directory, writes mode 600 atomically, appends and never duplicates', async () => {
    const p = join(dir, 'new', 'sub', 'known_hosts');
    const kh = new KnownHosts(p);
    expect(kh.verify('127.0.0.1', 2222, ed.keyType, ed.blob).status).toBe('unknown');
    await expect(kh.add('127.0.0.1', 2222, ed.keyType, ed.blob)).resolves.toEqual({ line: 1 });
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'new', 'sub')).mode & 0o777).toBe(0o700);
    await expect(kh.add('lb1', 22, rsa.keyType, rsa.blob)).resolves.toEqual({ line: 2 });
    await expect(kh.add('127.0.0.1', 2222, ed.keyType, ed.blob)).resolves.toEqual({ line: 1 });
    expect(readFileSync(p, 'utf8')).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${b64(ed)}\nlb1 ssh-rsa ${b64(rsa)}\n`);
    expect(readdirSync(join(dir, 'new', 'sub'))).toEqual(['known_hosts']); // no temp files left
    expect(kh.verify('127.0.0.1', 2222, ed.keyType, ed.blob).status).toBe('match');
    // OpenSSH itself finds what we wrote
    const found = execFileSync(SSH_KEYGEN, ['-F', '[127.0.0.1]:2222', '-f', p], { encoding: 'utf8' });
    expect(found).toContain(b64(ed));
    await expect(kh.add('127.0.0.1', 22, rsa.keyType, ed.blob)).rejects.toThrow(/does not match/);
  });

  it('add() keeps an existing file without trailing newline intact and survives concurrent adds', async () => {
    const p = file(`# keep me\nold ssh-rsa ${b64(rsa)}`);
    const kh = new KnownHosts(p);
    await Promise.all([kh.add('a', 22, ed.keyType, ed.blob), kh.add('b', 22, ed2.keyType, ed2.blob), kh.add('c', 2200, ecdsa.keyType, ecdsa.blob)]);
    const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('# keep me');
    expect(lines[1]).toBe(`old ssh-rsa ${b64(rsa)}`);
    expect(lines.slice(2).sort()).toEqual([`[c]:2200 ecdsa-sha2-nistp256 ${b64(ecdsa)}`, `a ssh-ed25519 ${b64(ed)}`, `b ssh-ed25519 ${b64(ed2)}`].sort());
  });

  it('remove() drops plain and hashed lines for exactly that host:port', async () => {
    const p = file([`lb1 ssh-ed25519 ${b64(ed)}`, `[lb1]:2222 ssh-ed25519 ${b64(ed)}`, `lb2 ssh-rsa ${b64(rsa)}`, `lb3 ssh-rsa ${b64(rsa)}`].join('\n') + '\n');
    execFileSync(SSH_KEYGEN, ['-H', '-f', p], { stdio: 'pipe' });
    const kh = new KnownHosts(p);
    await expect(kh.remove('lb1', 22)).resolves.toBe(1);
    expect(kh.verify('lb1', 22, ed.keyType, ed.blob).status).toBe('unknown');
    expect(kh.verify('lb1', 2222, ed.keyType, ed.blob).status).toBe('match');
    expect(kh.verify('lb2', 22, rsa.keyType, rsa.blob).status).toBe('match');
  });

  it('also reads extra files without writing them', async () => {
    const extra = file(`lbx ssh-ed25519 ${b64(ed)}\n`);
    const own = join(dir, 'own_known_hosts');
    const kh = new KnownHosts(own, { alsoRead: [extra] });
    expect(kh.verify('lbx', 22, ed.keyType, ed.blob)).toMatchObject({ status: 'match', file: extra });
    expect(kh.verify('lbx', 22, ed2.keyType, ed2.blob)).toMatchObject({ status: 'mismatch', locations: [{ file: extra, line: 1 }] });
    await kh.add('lby', 22, ed.keyType, ed.blob);
    expect(readFileSync(extra, 'utf8')).toBe(`lbx ssh-ed25519 ${b64(ed)}\n`);
  });
});
