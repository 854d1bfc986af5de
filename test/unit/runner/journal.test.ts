import { appendFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalWriter, completedSteps, newRunId, readJournal } from '../../../electron/core/runner/journal.js';
import { SecretSet } from '../../../electron/core/runner/redact.js';

describe('redaction', () => {
  it('removes known secrets, private keys, password assignments and bridge tokens', () => {
    const s = new SecretSet();
    s.add('Hunter2-Secret!');
    const r = s.redactor();
    const text = [
      'login with Hunter2-Secret! ok',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----',
      'password=abc123xyz',
      'lbcli --action ha_create --peer_password s3cr3tpw',
      'http://127.0.0.1:5173/?token=abcDEF123_-',
    ].join('\n');
    const out = r(text);
    for (const leak of ['Hunter2-Secret!', 'b3BlbnNzaC1rZXk', 'abc123xyz', 's3cr3tpw', 'abcDEF123_-']) expect(out).not.toContain(leak);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('login with');
  });
  it('removes the secrets of configuration files read from hosts (keepalived, HAProxy, lb_config.xml)', () => {
    const r = new SecretSet().redactor();
    const conf = [
      '    authentication {\n        auth_type PASS\n        auth_pass labpass\n    }',
      '    stats auth admin:St4tsPw',
      'userlist ops\n    user alice insecure-password Pl4inPw\n    user bob password $6$saltsalt$HashHash',
      '<peer_password>XmlPw9</peer_password><ha_key>XmlKey7</ha_key><name>VIP1</name>',
    ].join('\n');
    const out = r(conf);
    for (const leak of ['labpass', 'St4tsPw', 'Pl4inPw', '$6$saltsalt$HashHash', 'XmlPw9', 'XmlKey7']) expect(out).not.toContain(leak);
    for (const kept of ['auth_type PASS', 'stats auth admin:', 'user alice insecure-password', '<name>VIP1</name>']) expect(out).toContain(kept);
    const message = 'Authentication failed: check the user name and the password or key.';
    expect(r(message)).toBe(message);
  });
  it('leaves ordinary text alone', () => {
    expect(new SecretSet().redactor()('haproxy -c -f /etc/haproxy/haproxy.cfg')).toBe('haproxy -c -f /etc/haproxy/haproxy.cfg');
  });
});

describe('JournalWriter', () => {
  it('appends redacted JSON lines, one per event, and keeps long output as an attachment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-journal-'));
    const secrets = new SecretSet();
    secrets.add('TopSecretPw');
    const run = newRunId();
    const j = new JournalWriter(join(dir, 'journal.jsonl'), run, secrets.redactor());
    j.write({ kind: 'run-start', verb: 'apply' });
    j.write({ kind: 'step-end', host: 'lb1', step: 'upload', result: 'changed', command: 'sshpass -p TopSecretPw ssh', output: 'x'.repeat(20000) });
    j.close();
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const ev = readJournal(join(dir, 'journal.jsonl'));
    expect(ev[1]!.command).not.toContain('TopSecretPw');
    expect(ev[1]!.attachment).toMatch(/^attachments\//);
    expect(readdirSync(join(dir, 'attachments'))).toHaveLength(1);
    expect(ev.every((e) => e.run === run)).toBe(true);
  });
  it('skips a torn last line (crash mid-write) and lists completed steps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-journal-'));
    const p = join(dir, 'journal.jsonl');
    const j = new JournalWriter(p, 'r1', (t) => t);
    j.write({ kind: 'step-end', host: 'lb1', step: 'backup', result: 'ok' });
    j.write({ kind: 'step-end', host: 'lb1', step: 'upload', result: 'failed' });
    j.close();
    appendFileSync(p, '{"t":"2026-01-01","run":"r1","kind":"step-e');
    const ev = readJournal(p);
    expect(ev).toHaveLength(2);
    const done = completedSteps(ev);
    expect(done.has('lb1\u0000backup')).toBe(true);
    expect(done.has('lb1\u0000upload')).toBe(false);
  });
});
