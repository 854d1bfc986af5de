/**
 * DNS: the codec against answers captured from the lab's dnsmasq (test/fixtures/verify/dnsmasq-answers.json,
 * hex), and queryDns over UDP against a stand-in server on 127.0.0.1 that replays those answers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDnsQuery, parseDnsResponse } from '../../../shared/verify/dns-wire.js';
import { queryDns } from '../../../electron/core/probes/dns.js';

const answers = JSON.parse(readFileSync(join(__dirname, '../../fixtures/verify/dnsmasq-answers.json'), 'utf8')) as Record<string, string>;
const hex = (k: string): Uint8Array => Uint8Array.from(Buffer.from(answers[k]!, 'hex'));

describe('DNS codec', () => {
  it('builds the query a resolver expects (id, RD, one question, QTYPE/QCLASS)', () => {
    const q = buildDnsQuery(0x1234, 'dispatcher.lab.printha.test', 'A');
    // the question section of the captured answer is the query's
    const captured = hex('dispatcher_A');
    expect(Buffer.from(q.subarray(12)).toString('hex')).toBe(Buffer.from(captured.subarray(12, 12 + q.length - 12)).toString('hex'));
    expect(Array.from(q.subarray(0, 12))).toEqual([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(buildDnsQuery(1, 'x.example.', 'AAAA').at(-3)).toBe(28);
    expect(() => buildDnsQuery(1, `${'a'.repeat(64)}.example`, 'A')).toThrow(/invalid label/);
    expect(() => buildDnsQuery(1, '', 'A')).toThrow(/not a DNS name/);
  });

  it('reads the authoritative A answer (compressed name) of the lab DNS', () => {
    const r = parseDnsResponse(hex('dispatcher_A'));
    expect(r).toEqual({ id: 0x1234, rcode: 0, rcodeName: 'NOERROR', authoritative: true, truncated: false, answers: [{ name: 'dispatcher.lab.printha.test', type: 'A', ttl: 0, data: '10.99.0.10' }] });
  });

  it('reads NXDOMAIN and an empty AAAA answer', () => {
    expect(parseDnsResponse(hex('nosuch_A'))).toMatchObject({ rcodeName: 'NXDOMAIN', answers: [] });
    expect(parseDnsResponse(hex('dispatcher_AAAA'))).toMatchObject({ rcodeName: 'NOERROR', answers: [] });
  });

  it('decodes AAAA and CNAME records and rejects truncated messages', () => {
    const base = Array.from(buildDnsQuery(7, 'a.b', 'AAAA'));
    base[2] = 0x84;
    base[3] = 0x00;
    base[7] = 2; // ANCOUNT 2
    const cname = [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 99, 0xc0, 14];
    const aaaa = [0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    const r = parseDnsResponse(Uint8Array.from([...base, ...cname, ...aaaa]));
    expect(r.answers).toEqual([
      { name: 'a.b', type: 'CNAME', ttl: 60, data: 'c.b' },
      { name: 'a.b', type: 'AAAA', ttl: 60, data: 'fd00::10' },
    ]);
    expect(() => parseDnsResponse(hex('dispatcher_A').subarray(0, 40))).toThrow(/runs past/);
    expect(() => parseDnsResponse(buildDnsQuery(1, 'a.b', 'A'))).toThrow(/QR bit/);
  });
});

describe('queryDns over UDP (stand-in server on 127.0.0.1)', () => {
  let server: Socket;
  let port = 0;
  let seen = 0;
  beforeAll(async () => {
    server = createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      seen++;
      const name = parseQuestionName(msg);
      if (name === 'silent.test') return; // never answers: timeout path
      const ans = Buffer.from(name === 'dispatcher.lab.printha.test' ? hex('dispatcher_A') : hex('nosuch_A'));
      ans[0] = msg[0]!;
      ans[1] = msg[1]!;
      if (name === 'wrongid.test') ans[1] = (msg[1]! + 1) & 0xff;
      server.send(ans, rinfo.port, rinfo.address);
    });
    await new Promise<void>((res) => server.bind(0, '127.0.0.1', res));
    port = server.address().port;
  });
  afterAll(() => server.close());

  function parseQuestionName(msg: Buffer): string {
    const labels: string[] = [];
    let p = 12;
    while (msg[p]) {
      labels.push(msg.subarray(p + 1, p + 1 + msg[p]!).toString());
      p += 1 + msg[p]!;
    }
    return labels.join('.');
  }

  it('gets the A record', async () => {
    const r = await queryDns('127.0.0.1', 'dispatcher.lab.printha.test', 'A', { port });
    expect(r.error).toBeUndefined();
    expect(r.response?.answers[0]?.data).toBe('10.99.0.10');
    expect(r.command).toBe(`dig @127.0.0.1 -p ${port} dispatcher.lab.printha.test A`);
  });

  it('reports NXDOMAIN as a response, a silent server as ETIMEDOUT after the retries, and ignores answers with another id', async () => {
    expect((await queryDns('127.0.0.1', 'nosuch.lab.printha.test', 'A', { port })).response?.rcodeName).toBe('NXDOMAIN');
    const before = seen;
    const t = await queryDns('127.0.0.1', 'silent.test', 'A', { port, timeoutMs: 150, retries: 2 });
    expect(t.error).toBe('ETIMEDOUT');
    expect(seen - before).toBe(3);
    expect((await queryDns('127.0.0.1', 'wrongid.test', 'A', { port, timeoutMs: 150, retries: 0 })).error).toBe('ETIMEDOUT');
  });
});
