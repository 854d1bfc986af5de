import { describe, expect, it } from 'vitest';
import {
  SshError,
  authFailedError,
  commandTimeoutError,
  connectTimeoutError,
  disconnectedError,
  diskFullError,
  hostKeyChangedError,
  hostKeyRevokedError,
  hostKeyUnknownError,
  hostPort,
  isSshError,
  sftpFailedError,
  stepTimeoutError,
  unreachableError,
} from '../../../electron/core/ssh/errors.js';

const A = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const B = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

describe('SSH errors', () => {
  it('HOST_KEY_CHANGED names the host, both fingerprints and the known_hosts line to remove', () => {
    const e = hostKeyChangedError({
      host: '192.168.81.20',
      port: 22,
      keyType: 'ssh-ed25519',
      actual: B,
      expected: [A],
      locations: [{ file: '/home/eng/.config/printha/known_hosts', line: 7, fingerprint: A }],
    });
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain('192.168.81.20:22');
    expect(e.message).toContain(A);
    expect(e.message).toContain(B);
    expect(e.message).toContain('If the appliance was really rebuilt, remove the old line from /home/eng/.config/printha/known_hosts line 7');
    expect(e.details).toMatchObject({ fingerprint: B, expected: [A], knownHostsPath: '/home/eng/.config/printha/known_hosts' });
  });

  it('HOST_KEY_CHANGED from a supplied fingerprint says where to get the new one', () => {
    const e = hostKeyChangedError({ host: 'lb1', port: 2222, keyType: 'ssh-rsa', actual: B, expected: [A], source: 'expected-fingerprint' });
    expect(e.message).toContain('the fingerprint you supplied is ssh-rsa');
    expect(e.message).toContain('console');
    expect(e.message).not.toContain('remove the old line');
  });

  it('HOST_KEY_UNKNOWN carries the fingerprint and warns when other key types are known', () => {
    const e = hostKeyUnknownError({ host: 'lb1', port: 22, keyType: 'ssh-ed25519', fingerprint: A, otherKeyTypes: ['ssh-rsa'] });
    expect(e.details.fingerprint).toBe(A);
    expect(e.message).toContain(A);
    expect(e.message).toContain('ssh-rsa');
    const r = hostKeyRevokedError({ host: 'lb1', port: 22, keyType: 'ssh-ed25519', fingerprint: A, file: '/kh', line: 3 });
    expect(r.message).toContain('@revoked in /kh line 3');
  });

  it('connection failures say what to check', () => {
    expect(unreachableError({ host: '10.0.0.1', port: 22, cause: 'ECONNREFUSED' }).message).toBe(
      'Cannot reach 10.0.0.1:22: connection refused (ECONNREFUSED) — check the address and that sshd runs.',
    );
    expect(unreachableError({ host: '10.0.0.1', port: 22, cause: 'EHOSTUNREACH' }).message).toContain('no route to host');
    expect(unreachableError({ host: 'lb.nowhere', port: 22, cause: 'ENOTFOUND' }).message).toContain('DNS');
    expect(connectTimeoutError({ host: 'fe80::1', port: 22, timeoutMs: 20_000 }).message).toContain('[fe80::1]:22 within 20 s');
    const auth = authFailedError({ host: 'lb1', port: 22, user: 'root', methods: ['publickey', 'password'] });
    expect(auth.message).toContain('root@lb1:22');
    expect(auth.message).toContain('publickey, password');
    expect(disconnectedError({ host: 'lb1', port: 22, user: 'root', reason: 'keepalive timeout' }).message).toContain('root@lb1:22');
  });

  it('timeouts name the program or step, never the whole command line', () => {
    const c = commandTimeoutError({ host: 'lb1', port: 22, program: 'lbcli', timeoutMs: 1500 });
    expect(c.message).toContain("'lbcli'");
    expect(c.message).toContain('1.5 s');
    const s = stepTimeoutError({ step: 'push config', timeoutMs: 60_000, host: 'lb1', port: 22 });
    expect(s.message).toContain("'push config' on lb1:22");
  });

  it('file errors point at the path and, for a full disk, at df', () => {
    const d = diskFullError({ host: 'lb1', port: 22, remotePath: '/etc/haproxy/haproxy.cfg', detail: 'No space left on device' });
    expect(d.message).toContain('df -h /etc/haproxy');
    expect(d.message).toContain('original file was left unchanged');
    const p = sftpFailedError({ host: 'lb1', port: 22, remotePath: '/etc/x', action: 'write', serverMessage: 'Permission denied', sftpStatus: 3 });
    expect(p.message).toContain('not allowed');
    const nf = sftpFailedError({ host: 'lb1', port: 22, remotePath: '/etc/x', action: 'read', serverMessage: 'No such file', sftpStatus: 2, notFound: true });
    expect(nf.details.notFound).toBe(true);
  });

  it('is a typed, serialisable Error', () => {
    const e = authFailedError({ host: 'lb1', port: 22, user: 'root', methods: ['password'] });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(SshError);
    expect(isSshError(e)).toBe(true);
    expect(isSshError(e, 'AUTH_FAILED')).toBe(true);
    expect(isSshError(e, 'DISK_FULL')).toBe(false);
    expect(isSshError(new Error('x'))).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'AUTH_FAILED', message: e.message, details: { host: 'lb1', port: 22, user: 'root', methods: ['password'] } });
    expect(hostPort('::1', 2222)).toBe('[::1]:2222');
  });
});
